package discord

import (
	"bytes"
	"context"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
	"time"

	"github.com/heraldsocial/herald/internal/connector"
	"github.com/heraldsocial/herald/internal/connector/conformance"
	"github.com/heraldsocial/herald/internal/connector/discord/discordfake"
	"github.com/heraldsocial/herald/internal/herald"
)

// contract is Discord's OpenAPI document, compiled once for the test
// binary; nil when it is not beside the repository.
var contract = sync.OnceValues(func() (*discordfake.Contract, error) {
	p, ok := discordfake.FindSpec(".")
	if !ok {
		return nil, nil
	}
	return discordfake.LoadContract(p)
})

type env struct {
	srv  *discordfake.Server
	c    *Connector
	wh   discordfake.Webhook
	acct connector.Account
}

func webhookURL(w discordfake.Webhook) string {
	return "https://discord.com/api/webhooks/" + w.ID + "/" + w.Token
}

// newEnv starts a fake Discord with one webhook (in a forum channel when
// forum is set) and connects it the way a person would.
func newEnv(t testing.TB, forum bool) *env {
	t.Helper()
	var opts []discordfake.Option
	ct, err := contract()
	if err != nil {
		t.Fatalf("load the Discord OpenAPI document: %v", err)
	}
	if ct != nil {
		opts = append(opts, discordfake.WithContract(ct))
	}
	srv := discordfake.New(opts...)
	ts := httptest.NewServer(srv)
	t.Cleanup(ts.Close)
	t.Cleanup(func() {
		for _, m := range srv.ContractErrors() {
			t.Errorf("contract: %s", m)
		}
	})
	wh := srv.AddWebhook("Herald", forum)
	c := New(ts.Client(), WithBaseURL(ts.URL+"/api/v10"))
	got, err := c.ConnectWithPassword(ctx(t), "Herald News", webhookURL(wh))
	if err != nil {
		t.Fatalf("connect: %v", err)
	}
	acct := connector.Account{Account: got.Account, Credentials: got.Credentials}
	acct.ID, acct.WorkspaceID = 1, 1
	return &env{srv: srv, c: c, wh: wh, acct: acct}
}

func ctx(t testing.TB) context.Context {
	c, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	t.Cleanup(cancel)
	return c
}

func file(name, ct string, data []byte, alt string) connector.Media {
	return connector.Media{
		Asset: herald.MediaAsset{ID: 1, Filename: name, ContentType: ct, Size: int64(len(data)), AltText: alt},
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

func (f fake) Account(testing.TB) connector.Account { return f.e.acct }

func (f fake) Fail(op conformance.Op, fl conformance.Failure) {
	o := "execute"
	if op == conformance.OpAny {
		o = "*"
	}
	switch fl {
	case conformance.Dropped:
		f.e.srv.Inject(discordfake.Fault{Op: o, Drop: true})
	case conformance.RateLimited:
		r := discordfake.RateLimited(1.5)
		r.Op = o
		f.e.srv.Inject(r)
	case conformance.Revoked:
		f.e.srv.Inject(discordfake.Fault{Op: o, Status: http.StatusNotFound, Header: http.Header{"Content-Type": {"application/json"}},
			Body: `{"code":10015,"message":"Unknown Webhook"}`})
	}
}

// Posts maps messages to the suite's posts: a message in a forum post's
// thread answers the post that started it (the thread has its id).
func (f fake) Posts(connector.Account) []conformance.Remote {
	var out []conformance.Remote
	for _, m := range f.e.srv.Messages(f.e.wh.ID) {
		r := conformance.Remote{ID: m.ID, Text: m.Content, Media: len(m.Files), Deleted: m.Deleted}
		if _, inThread := f.e.srv.ThreadParent(m.ChannelID); inThread && m.ChannelID != m.ID {
			r.ReplyTo = m.ChannelID
		}
		out = append(out, r)
	}
	return out
}

// SetMetrics has nothing to set: a webhook reads no counts.
func (f fake) SetMetrics(string, connector.Metrics) {}

// Mention is never called: the connector has no inbox.
func (f fake) Mention(connector.Account, string, string) string { return "" }

func (f fake) Violations() []string { return f.e.srv.ContractErrors() }
