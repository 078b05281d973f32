package telegram

import (
	"bytes"
	"context"
	"errors"
	"io"
	"net/http/httptest"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/heraldsocial/herald/internal/connector"
	"github.com/heraldsocial/herald/internal/connector/conformance"
	"github.com/heraldsocial/herald/internal/connector/telegram/telegramfake"
	"github.com/heraldsocial/herald/internal/herald"
)

// contract is the Bot API list, loaded once for the test binary; nil when
// it is not beside the repository.
var contract = sync.OnceValues(func() (*telegramfake.Contract, error) {
	p, ok := telegramfake.FindSpec(".")
	if !ok {
		return nil, nil
	}
	return telegramfake.LoadContract(p)
})

type env struct {
	srv  *telegramfake.Server
	c    *Connector
	bot  telegramfake.Bot
	chat telegramfake.Chat
	acct connector.Account
}

// newEnv starts a fake Bot API with a public channel whose administrator
// is Herald's bot, and connects it the way a person would.
func newEnv(t testing.TB) *env {
	t.Helper()
	var opts []telegramfake.Option
	ct, err := contract()
	if err != nil {
		t.Fatalf("load the Bot API list: %v", err)
	}
	if ct != nil {
		opts = append(opts, telegramfake.WithContract(ct))
	}
	srv := telegramfake.New(opts...)
	ts := httptest.NewServer(srv)
	t.Cleanup(ts.Close)
	t.Cleanup(func() {
		for _, m := range srv.ContractErrors() {
			t.Errorf("contract: %s", m)
		}
	})
	bot := srv.AddBot("herald_bot")
	chat := srv.AddChat("channel", "Herald News", "heraldnews")
	srv.SetMember(chat.ID, bot.ID, telegramfake.Member{Status: "administrator", CanPost: true, CanEdit: true})
	c := New(ts.Client(), WithBaseURL(ts.URL))
	e := &env{srv: srv, c: c, bot: bot, chat: chat}
	got, err := c.ConnectWithPassword(ctx(t), "@heraldnews", bot.Token)
	if err != nil {
		t.Fatalf("connect: %v", err)
	}
	e.acct = connector.Account{Account: got.Account, Credentials: got.Credentials}
	e.acct.ID, e.acct.WorkspaceID = 1, 1
	return e
}

func ctx(t testing.TB) context.Context {
	c, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	t.Cleanup(cancel)
	return c
}

func file(name, ct string, data []byte) connector.Media {
	return connector.Media{
		Asset: herald.MediaAsset{ID: 1, Filename: name, ContentType: ct, Size: int64(len(data))},
		Open:  func(context.Context) (io.ReadCloser, error) { return io.NopCloser(bytes.NewReader(data)), nil },
	}
}

func classOf(err error) connector.Class {
	var e *connector.Error
	if errors.As(err, &e) {
		return e.Class
	}
	return ""
}

// fake adapts the fake server to the conformance suite.
type fake struct{ e *env }

func (f fake) Account(t testing.TB) connector.Account { return f.e.acct }

func (f fake) Fail(op conformance.Op, fl conformance.Failure) {
	method := "send"
	if op == conformance.OpAny {
		method = "*"
	}
	switch fl {
	case conformance.Dropped:
		f.e.srv.Inject(telegramfake.Fault{Method: method, Drop: true})
	case conformance.RateLimited:
		f.e.srv.Inject(telegramfake.Fault{Method: method, ErrorCode: 429, Description: "Too Many Requests: retry after 7", RetryAfter: 7})
	case conformance.Revoked:
		f.e.srv.Inject(telegramfake.Fault{Method: method, ErrorCode: 403, Description: "Forbidden: bot was kicked from the channel chat"})
	}
}

func (f fake) Posts(acct connector.Account) []conformance.Remote {
	var out []conformance.Remote
	groups := map[string]int{}
	for _, m := range f.e.srv.Messages(f.e.chat.ID) {
		if m.FromBot == 0 {
			continue
		}
		if i, ok := groups[m.MediaGroupID]; ok && m.MediaGroupID != "" {
			out[i].Media++
			continue
		}
		r := conformance.Remote{ID: strconv.FormatInt(m.ID, 10), Text: m.Text, Deleted: m.Deleted, Media: len(m.Files)}
		if m.ReplyTo != 0 {
			r.ReplyTo = strconv.FormatInt(m.ReplyTo, 10)
		}
		if m.MediaGroupID != "" {
			groups[m.MediaGroupID] = len(out)
		}
		out = append(out, r)
	}
	return out
}

// SetMetrics has nothing to set: the Bot API gives bots no counts.
func (f fake) SetMetrics(string, connector.Metrics) {}

func (f fake) Mention(acct connector.Account, text, replyTo string) string {
	n, _ := strconv.ParseInt(replyTo, 10, 64)
	return strconv.FormatInt(f.e.srv.Post(f.e.chat.ID, text, n).ID, 10)
}

func (f fake) Violations() []string { return f.e.srv.ContractErrors() }
