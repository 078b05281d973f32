package x

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
	"github.com/heraldsocial/herald/internal/connector/x/xfake"
	"github.com/heraldsocial/herald/internal/herald"
)

// contract is the X OpenAPI document, compiled once for the test binary;
// nil when the document is not beside the repository.
var contract = sync.OnceValues(func() (*xfake.Contract, error) {
	p, ok := xfake.FindSpec(".")
	if !ok {
		return nil, nil
	}
	return xfake.LoadContract(p)
})

type env struct {
	srv  *xfake.Server
	ts   *httptest.Server
	c    *Connector
	user xfake.User
	tok  xfake.Token
	acct connector.Account
}

const (
	testClientID     = "herald-client"
	testClientSecret = "herald-secret"
)

// newEnv starts a fake X with one user who has connected, and a connector
// pointed at it. Every request and answer is checked against the OpenAPI
// document when it is present.
func newEnv(t *testing.T, cfg xfake.Config, opts ...Option) *env {
	t.Helper()
	if cfg.ClientID == "" {
		cfg.ClientID, cfg.ClientSecret = testClientID, testClientSecret
	}
	var sopts []xfake.Option
	ct, err := contract()
	if err != nil {
		t.Fatalf("load the X OpenAPI document: %v", err)
	}
	if ct != nil {
		sopts = append(sopts, xfake.WithContract(ct))
	}
	srv := xfake.New(cfg, sopts...)
	ts := httptest.NewServer(srv)
	t.Cleanup(ts.Close)
	t.Cleanup(func() {
		for _, m := range srv.ContractErrors() {
			t.Errorf("contract: %s", m)
		}
	})
	user := srv.AddUser("herald", "Herald")
	tok := srv.IssueToken(user.ID)
	all := append([]Option{WithClient(cfg.ClientID, cfg.ClientSecret), WithBaseURL(ts.URL),
		WithAuthorizeURL(ts.URL + "/i/oauth2/authorize"), WithPollInterval(time.Millisecond, 5*time.Millisecond)}, opts...)
	c := New(ts.Client(), all...)
	return &env{srv: srv, ts: ts, c: c, user: user, tok: tok, acct: account(user, tok)}
}

func account(u xfake.User, tok xfake.Token) connector.Account {
	exp := tok.ExpiresAt
	cr := Credentials{AccessToken: tok.Access, RefreshToken: tok.Refresh, ExpiresAt: &exp, UserID: u.ID, Username: u.Username}
	return connector.Account{
		Account:     herald.Account{ID: 1, WorkspaceID: 1, Platform: herald.PlatformX, RemoteID: u.ID, Handle: "@" + u.Username, Status: herald.AccountConnected},
		Credentials: MarshalCredentials(cr),
	}
}

// file is an in-memory media file.
func file(name, ct string, data []byte, alt string) connector.Media {
	return connector.Media{
		Asset: herald.MediaAsset{ID: 1, Filename: name, ContentType: ct, Size: int64(len(data)), AltText: alt},
		Open: func(context.Context) (io.ReadCloser, error) {
			return io.NopCloser(bytes.NewReader(data)), nil
		},
	}
}

func classOf(t *testing.T, err error) connector.Class {
	t.Helper()
	var e *connector.Error
	if !errors.As(err, &e) {
		t.Fatalf("error %v (%T) is not a *connector.Error", err, err)
	}
	return e.Class
}

func ctx(t *testing.T) context.Context {
	t.Helper()
	c, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	t.Cleanup(cancel)
	return c
}

// noRedirect is a client that stops at the first redirect, as a browser
// would hand it to Herald's callback.
func noRedirect(c *http.Client) *http.Client {
	cc := *c
	cc.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	return &cc
}
