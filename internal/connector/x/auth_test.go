package x

import (
	"encoding/json"
	"errors"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/heraldsocial/herald/internal/connector"
	"github.com/heraldsocial/herald/internal/connector/x/xfake"
	"github.com/heraldsocial/herald/internal/herald"
)

// consent follows the authorization URL as a browser would and returns
// the code X sends back to the callback.
func consent(t *testing.T, e *env, authURL, state string) string {
	t.Helper()
	res, err := noRedirect(e.ts.Client()).Get(authURL)
	if err != nil {
		t.Fatalf("open the consent page: %v", err)
	}
	res.Body.Close()
	if res.StatusCode != http.StatusFound {
		t.Fatalf("consent page answered %d; want a redirect", res.StatusCode)
	}
	loc, err := url.Parse(res.Header.Get("Location"))
	if err != nil {
		t.Fatal(err)
	}
	if got := loc.Query().Get("state"); got != state {
		t.Fatalf("state = %q; want %q", got, state)
	}
	return loc.Query().Get("code")
}

func TestConnect(t *testing.T) {
	for _, secret := range []string{testClientSecret, ""} {
		name := "confidential client"
		if secret == "" {
			name = "public client"
		}
		t.Run(name, func(t *testing.T) {
			now := time.Date(2030, 5, 1, 9, 0, 0, 0, time.UTC)
			e := newEnv(t, xfake.Config{ClientID: "app", ClientSecret: secret, Now: func() time.Time { return now }},
				WithClock(func() time.Time { return now }))
			start := connector.AuthStart{WorkspaceID: 1, RedirectURL: "https://herald.example/callback/x", State: "st-123"}
			red, err := e.c.Begin(ctx(t), start)
			if err != nil {
				t.Fatalf("begin: %v", err)
			}
			u, _ := url.Parse(red.URL)
			q := u.Query()
			if q.Get("code_challenge_method") != "S256" || q.Get("scope") != Scopes || q.Get("client_id") != "app" {
				t.Errorf("authorization URL %s lacks PKCE S256, scopes or client id", red.URL)
			}
			if strings.Contains(red.URL, string(red.Secret)) {
				t.Error("the verifier must not travel in the URL")
			}
			code := consent(t, e, red.URL, start.State)
			got, err := e.c.Exchange(ctx(t), start, red.Secret, code)
			if err != nil {
				t.Fatalf("exchange: %v", err)
			}
			a := got.Account
			if a.Platform != herald.PlatformX || a.RemoteID != e.user.ID || a.Handle != "@herald" || a.DisplayName != "Herald" {
				t.Errorf("account = %+v", a)
			}
			if a.TokenExpiresAt == nil || !a.TokenExpiresAt.Equal(now.Add(2*time.Hour)) {
				t.Errorf("TokenExpiresAt = %v; want %v", a.TokenExpiresAt, now.Add(2*time.Hour))
			}
			var cr Credentials
			if err := json.Unmarshal(got.Credentials, &cr); err != nil || cr.RefreshToken == "" || cr.UserID != e.user.ID {
				t.Fatalf("credentials = %s (%v)", got.Credentials, err)
			}
			// The code is single use.
			if _, err := e.c.Exchange(ctx(t), start, red.Secret, code); herald.ErrorCode(err) != herald.CodeInvalid {
				t.Errorf("second exchange: %v; want an invalid error", err)
			}
		})
	}
}

func TestConnectRefusals(t *testing.T) {
	e := newEnv(t, xfake.Config{})
	start := connector.AuthStart{RedirectURL: "https://herald.example/cb", State: "s"}
	red, err := e.c.Begin(ctx(t), start)
	if err != nil {
		t.Fatal(err)
	}
	t.Run("wrong verifier", func(t *testing.T) {
		code := consent(t, e, red.URL, "s")
		bad, _ := json.Marshal(authSecret{Verifier: "not-the-verifier", RedirectURL: start.RedirectURL})
		_, err := e.c.Exchange(ctx(t), start, bad, code)
		if herald.ErrorCode(err) != herald.CodeInvalid || !strings.Contains(err.Error(), "code verifier") {
			t.Errorf("err = %v; want invalid with X's words", err)
		}
	})
	t.Run("missing code", func(t *testing.T) {
		_, err := e.c.Exchange(ctx(t), start, red.Secret, " ")
		var he *herald.Error
		if !errors.As(err, &he) || len(he.Details) == 0 || he.Details[0].Field != "code" {
			t.Errorf("err = %v; want an invalid error naming code", err)
		}
	})
	t.Run("garbled secret", func(t *testing.T) {
		if _, err := e.c.Exchange(ctx(t), start, []byte("x"), "c"); herald.ErrorCode(err) != herald.CodeInvalid {
			t.Errorf("err = %v", err)
		}
	})
	t.Run("bad start", func(t *testing.T) {
		_, err := e.c.Begin(ctx(t), connector.AuthStart{RedirectURL: "/relative"})
		var he *herald.Error
		if !errors.As(err, &he) || len(he.Details) != 2 {
			t.Errorf("err = %v; want problems with redirect_url and state", err)
		}
	})
	t.Run("not configured", func(t *testing.T) {
		c := New(nil)
		if _, err := c.Begin(ctx(t), start); herald.ErrorCode(err) != herald.CodeInvalid || !strings.Contains(err.Error(), "client id") {
			t.Errorf("err = %v", err)
		}
	})
}

func TestMissingScopes(t *testing.T) {
	tests := []struct {
		scope string
		want  string
	}{
		{"", ""},
		{Scopes, ""},
		{"tweet.read users.read", "tweet.write, offline.access, like.write, media.write"},
		// Without the direct-message scopes an account connects; its DMs are refused.
		{"tweet.read tweet.write users.read offline.access like.write media.write", ""},
	}
	for _, tt := range tests {
		if got := strings.Join(missingScopes(tt.scope), ", "); got != tt.want {
			t.Errorf("missingScopes(%q) = %q; want %q", tt.scope, got, tt.want)
		}
	}
}

func TestRefresh(t *testing.T) {
	now := time.Date(2030, 5, 1, 9, 0, 0, 0, time.UTC)
	e := newEnv(t, xfake.Config{Now: func() time.Time { return now }}, WithClock(func() time.Time { return now }))
	b, exp, err := e.c.Refresh(ctx(t), e.acct)
	if err != nil {
		t.Fatalf("refresh: %v", err)
	}
	var cr Credentials
	if err := json.Unmarshal(b, &cr); err != nil {
		t.Fatal(err)
	}
	if cr.AccessToken == e.tok.Access || cr.RefreshToken == e.tok.Refresh || cr.RefreshToken == "" {
		t.Errorf("tokens did not rotate: %+v", cr)
	}
	if exp == nil || !exp.Equal(now.Add(2*time.Hour)) || cr.UserID != e.user.ID {
		t.Errorf("expiry %v, user %q", exp, cr.UserID)
	}
	// The new credentials work.
	fresh := e.acct
	fresh.Credentials = b
	if _, err := e.c.Publish(ctx(t), fresh, connector.Part{Text: "after refresh"}); err != nil {
		t.Errorf("publish with refreshed token: %v", err)
	}
	// The old refresh token is used up: reconnect, and nothing to store.
	b, exp, err = e.c.Refresh(ctx(t), e.acct)
	if b != nil || exp != nil || classOf(t, err) != connector.AuthRevoked || !strings.Contains(err.Error(), "reconnect") {
		t.Errorf("refresh with a used token = %s, %v, %v; want auth_revoked and nothing", b, exp, err)
	}
}

func TestRefreshFailuresKeepCredentials(t *testing.T) {
	tests := []struct {
		name  string
		fault xfake.Fault
		class connector.Class
	}{
		{"server error", xfake.Fault{Status: 503, ContentType: "application/json", Body: `{"error":"temporarily_unavailable"}`}, connector.Transient},
		{"html page", xfake.Fault{Status: 200, ContentType: "text/html", Body: "<html>login</html>"}, connector.Transient},
		{"answer lost", xfake.Fault{Drop: true}, connector.Transient},
		{"rate limited", xfake.Fault{Status: 429, Header: http.Header{"Retry-After": {"30"}}, ContentType: "application/json", Body: `{}`}, connector.RateLimited},
		{"client refused", xfake.Fault{Status: 401, ContentType: "application/json", Body: `{"error":"unauthorized_client","error_description":"Missing valid authorization header"}`}, connector.AuthRevoked},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := newEnv(t, xfake.Config{})
			tt.fault.Route = "POST /2/oauth2/token"
			e.srv.Inject(tt.fault)
			b, exp, err := e.c.Refresh(ctx(t), e.acct)
			if b != nil || exp != nil {
				t.Errorf("a failed refresh returned credentials %s", b)
			}
			if got := classOf(t, err); got != tt.class {
				t.Errorf("class = %s; want %s (%v)", got, tt.class, err)
			}
		})
	}
	t.Run("no refresh token", func(t *testing.T) {
		e := newEnv(t, xfake.Config{})
		tok := e.srv.IssueToken(e.user.ID, "tweet.read", "users.read")
		if _, _, err := e.c.Refresh(ctx(t), account(e.user, tok)); classOf(t, err) != connector.AuthRevoked {
			t.Errorf("err = %v; want auth_revoked", err)
		}
	})
}
