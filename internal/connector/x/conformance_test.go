package x

import (
	"net/http"
	"strconv"
	"testing"
	"time"

	"github.com/heraldsocial/herald/internal/connector"
	"github.com/heraldsocial/herald/internal/connector/conformance"
	"github.com/heraldsocial/herald/internal/connector/x/xfake"
)

// conformFake is the X fake as the conformance suite drives it.
type conformFake struct {
	e *env
}

func (f conformFake) Account(testing.TB) connector.Account { return f.e.acct }

func (f conformFake) Fail(op conformance.Op, how conformance.Failure) {
	route := "POST /2/tweets"
	switch how {
	case conformance.Dropped:
		f.e.srv.Inject(xfake.Fault{Route: route, Drop: true})
	case conformance.RateLimited:
		reset := strconv.FormatInt(time.Now().Add(15*time.Minute).Unix(), 10)
		f.e.srv.Inject(xfake.Fault{Route: route, Status: http.StatusTooManyRequests,
			Header:      http.Header{"X-Rate-Limit-Limit": {"200"}, "X-Rate-Limit-Remaining": {"0"}, "X-Rate-Limit-Reset": {reset}},
			ContentType: "application/json",
			Body:        `{"title":"Too Many Requests","detail":"Too Many Requests","type":"about:blank","status":429,"code":88,"message":"Too Many Requests"}`})
	case conformance.Revoked:
		f.e.srv.RevokeUser(f.e.user.ID)
	}
	_ = op
}

func (f conformFake) Posts(connector.Account) []conformance.Remote {
	var out []conformance.Remote
	for _, t := range f.e.srv.Tweets() {
		if t.AuthorID == f.e.user.ID {
			out = append(out, conformance.Remote{ID: t.ID, Text: t.Text, ReplyTo: t.ReplyTo, Media: len(t.MediaIDs), Deleted: t.Deleted})
		}
	}
	return out
}

func (f conformFake) SetMetrics(id string, m connector.Metrics) {
	n := func(v int64) int64 { return max(v, 0) }
	f.e.srv.SetMetrics(id, n(m.Likes), n(m.Reposts), n(m.Replies), n(m.Quotes), n(m.Impressions))
}

func (f conformFake) Mention(_ connector.Account, text, replyTo string) string {
	fan := f.e.srv.AddUser("fan", "A fan")
	return f.e.srv.PostAs(fan.ID, "@"+f.e.user.Username+" "+text, replyTo).ID
}

// DirectMessage and DirectSent make the fake a conformance.DMFake.
func (f conformFake) DirectMessage(acct connector.Account, text string) string {
	return f.e.srv.DirectMessage(acct, text)
}

func (f conformFake) DirectSent(acct connector.Account, conversationID string) []string {
	return f.e.srv.DirectSent(acct, conversationID)
}

func (f conformFake) Violations() []string { return f.e.srv.ContractErrors() }

func TestConformance(t *testing.T) {
	conformance.Run(t, func(t *testing.T) conformance.Setup {
		e := newEnv(t, xfake.Config{})
		return conformance.Setup{Connector: e.c, Fake: conformFake{e}}
	})
}
