package pinterest

import (
	"bytes"
	"context"
	"errors"
	"image"
	"image/png"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"testing"
	"time"

	"github.com/heraldsocial/herald/internal/connector"
	"github.com/heraldsocial/herald/internal/connector/conformance"
	"github.com/heraldsocial/herald/internal/connector/pinterest/pinterestfake"
	"github.com/heraldsocial/herald/internal/herald"
)

const board = "9001"

type env struct {
	srv  *pinterestfake.Server
	ts   *httptest.Server
	c    *Connector
	acct connector.Account
}

// newEnv starts a fake Pinterest and connects its account through the
// OAuth flow, as a person would.
func newEnv(t testing.TB) *env {
	t.Helper()
	srv := pinterestfake.New("app-id", "app-secret", "heraldpins", board, "9002")
	ts := httptest.NewServer(srv)
	t.Cleanup(ts.Close)
	c := New(ts.Client(), WithClient("app-id", "app-secret"), WithBaseURL(ts.URL), WithAuthorizeURL(ts.URL+"/oauth/"),
		WithPollInterval(time.Millisecond, 50))
	e := &env{srv: srv, ts: ts, c: c}
	e.acct = e.connect(t)
	return e
}

func (e *env) connect(t testing.TB) connector.Account {
	t.Helper()
	start := connector.AuthStart{WorkspaceID: 1, RedirectURL: "https://herald.example/api/v1/connect/callback", State: "st"}
	red, err := e.c.Begin(ctx(t), start)
	if err != nil {
		t.Fatalf("Begin: %v", err)
	}
	cl := *e.ts.Client()
	cl.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	res, err := cl.Get(red.URL)
	if err != nil {
		t.Fatalf("consent: %v", err)
	}
	res.Body.Close()
	loc, err := url.Parse(res.Header.Get("Location"))
	if err != nil || loc.Query().Get("state") != "st" {
		t.Fatalf("redirect %q", res.Header.Get("Location"))
	}
	got, err := e.c.Exchange(ctx(t), start, red.Secret, loc.Query().Get("code"))
	if err != nil {
		t.Fatalf("Exchange: %v", err)
	}
	a := connector.Account{Account: got.Account, Credentials: got.Credentials}
	a.ID, a.WorkspaceID = 1, 1
	return a
}

func ctx(t testing.TB) context.Context {
	c, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	t.Cleanup(cancel)
	return c
}

func pngFile() connector.Media {
	var b bytes.Buffer
	_ = png.Encode(&b, image.NewRGBA(image.Rect(0, 0, 8, 8)))
	data := b.Bytes()
	return connector.Media{Asset: herald.MediaAsset{ID: 1, Filename: "a.png", ContentType: "image/png", Size: int64(len(data)), AltText: "a square"},
		Open: func(context.Context) (io.ReadCloser, error) { return io.NopCloser(bytes.NewReader(data)), nil }}
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
	route := "POST /v5/pins"
	if op == conformance.OpAny {
		route = "*"
	}
	switch fl {
	case conformance.Dropped:
		f.e.srv.Inject(pinterestfake.Fault{Route: route, Drop: true})
	case conformance.RateLimited:
		f.e.srv.Inject(pinterestfake.RateLimited(route, 42))
	case conformance.Revoked:
		f.e.srv.Inject(pinterestfake.Fault{Route: route, Status: http.StatusForbidden, Header: http.Header{"Content-Type": {"application/json"}},
			Body: `{"code":3,"message":"Authorization failed: the app's access was revoked."}`})
	}
}

func (f fake) Posts(connector.Account) []conformance.Remote {
	var out []conformance.Remote
	for _, p := range f.e.srv.Pins() {
		n := len(p.Images)
		if p.MediaID != "" {
			n = 1
		}
		out = append(out, conformance.Remote{ID: p.ID, Text: p.Description, Media: n, Deleted: p.Deleted})
	}
	return out
}

// SetMetrics maps the suite's counts onto a pin's: reactions are likes,
// comments replies, saves reposts; Pinterest has no quotes.
func (f fake) SetMetrics(id string, m connector.Metrics) {
	f.e.srv.SetCounts(id, m.Likes, m.Replies, m.Impressions, m.Reposts)
}

// Mention is never called: the connector has no inbox.
func (f fake) Mention(connector.Account, string, string) string { return "" }

// Violations: Pinterest publishes no machine-readable contract; the fake
// enforces the documented one itself and answers its refusals.
func (f fake) Violations() []string { return nil }

func asErr(err error, target **connector.Error) bool { return errors.As(err, target) }
