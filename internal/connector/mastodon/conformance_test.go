package mastodon_test

import (
	"net/http"
	"strconv"
	"testing"
	"time"

	"github.com/heraldsocial/herald/internal/connector"
	"github.com/heraldsocial/herald/internal/connector/conformance"
	"github.com/heraldsocial/herald/internal/connector/mastodon/mastodonfake"
)

// conformFake is the fake instance as the conformance suite drives it.
type conformFake struct {
	f   *fakeInstance
	fan mastodonfake.Account
}

func (c *conformFake) Account(testing.TB) connector.Account { return c.f.account() }

func (c *conformFake) Fail(op conformance.Op, how conformance.Failure) {
	switch how {
	case conformance.Dropped:
		c.f.srv.Inject(mastodonfake.Fault{Method: http.MethodPost, Path: "/api/v1/statuses", After: true, Drop: true})
	case conformance.RateLimited:
		reset := time.Now().Add(5 * time.Minute).UTC().Format(time.RFC3339)
		c.f.srv.Inject(mastodonfake.Fault{Method: http.MethodPost, Path: "/api/v1/statuses", Status: http.StatusTooManyRequests,
			ContentType: "application/json", Body: `{"error":"Too many requests"}`,
			Header: http.Header{"X-Ratelimit-Limit": {"300"}, "X-Ratelimit-Remaining": {"0"}, "X-Ratelimit-Reset": {reset}}})
	case conformance.Revoked:
		c.f.srv.RevokeToken(c.f.token)
	}
	_ = op
}

func (c *conformFake) Posts(connector.Account) []conformance.Remote {
	var out []conformance.Remote
	for _, s := range c.f.srv.Statuses() {
		if s.AccountID == c.f.me.ID {
			out = append(out, conformance.Remote{ID: s.ID, Text: s.Text, ReplyTo: s.InReplyToID, Media: len(s.MediaIDs)})
		}
	}
	return out
}

func (c *conformFake) someone() mastodonfake.Account {
	if c.fan.ID == "" {
		c.fan = c.f.srv.AddRemoteAccount("fan", "elsewhere.example", "A fan")
	}
	return c.fan
}

func (c *conformFake) SetMetrics(id string, m connector.Metrics) {
	c.f.srv.Engage(id, int(max(m.Likes, 0)), int(max(m.Reposts, 0)))
	for i := int64(0); i < m.Replies; i++ {
		c.f.srv.Post(c.someone().ID, "reply "+strconv.FormatInt(i, 10), id)
	}
}

func (c *conformFake) Mention(_ connector.Account, text, replyTo string) string {
	return c.f.srv.Post(c.someone().ID, "@herald "+text, replyTo)
}

func (c *conformFake) Violations() []string { return c.f.srv.Violations() }

func TestConformance(t *testing.T) {
	conformance.Run(t, func(t *testing.T) conformance.Setup {
		f := newFake(t, mastodonfake.DefaultConfig())
		return conformance.Setup{Connector: newConnector(), Fake: &conformFake{f: f}}
	})
}

func (c *conformFake) DirectMessage(_ connector.Account, text string) string {
	return c.f.srv.DirectMessage(c.someone().ID, c.f.me.ID, text, "")
}

func (c *conformFake) DirectSent(_ connector.Account, conversationID string) []string {
	var out []string
	for _, s := range c.f.srv.Statuses() {
		if s.AccountID == c.f.me.ID && s.Visibility == "direct" && c.f.srv.ConversationOf(s.ID) == conversationID {
			out = append(out, s.Text)
		}
	}
	return out
}
