package youtube

import (
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/heraldsocial/herald/internal/connector"
)

func TestConnect(t *testing.T) {
	e := newEnv(t)
	a := e.acct
	if a.RemoteID != channelID || a.Handle != "@heraldvideos" || a.DisplayName != "Herald Channel" || a.AvatarURL == "" ||
		a.TokenExpiresAt == nil || a.TokenExpiresAt.After(time.Now().Add(time.Hour)) {
		t.Fatalf("account %+v", a.Account)
	}
	cr := e.creds(t)
	if cr.RefreshToken == "" || cr.ChannelID != channelID || cr.Region != "GB" || len(hasAll(cr.Scope, Scopes)) != 0 {
		t.Fatalf("credentials %+v", cr)
	}
	red, err := e.c.Begin(ctx(t), connector.AuthStart{RedirectURL: "https://herald.example/api/v1/connect/callback", State: "s"})
	if err != nil {
		t.Fatal(err)
	}
	u, _ := url.Parse(red.URL)
	q := u.Query()
	if q.Get("access_type") != "offline" || q.Get("prompt") != "consent" || q.Get("code_challenge_method") != "S256" ||
		len(q.Get("code_challenge")) != 43 || q.Get("scope") != strings.Join(Scopes, " ") {
		t.Fatalf("authorization URL %s", red.URL)
	}
	if strings.Contains(string(red.Secret), q.Get("code_challenge")) || !strings.Contains(string(red.Secret), "code_verifier") {
		t.Fatalf("secret %s should keep the verifier, not the challenge", red.Secret)
	}
}

func TestConnectWithoutAChannel(t *testing.T) {
	e := newEnv(t)
	e.srv.SetNoChannel(true)
	_, err := e.tryConnect(t)
	if classOf(err) != connector.Invalid || !strings.Contains(err.Error(), "no YouTube channel") || !strings.Contains(err.Error(), "create one") {
		t.Fatalf("account without a channel: %v", err)
	}
}

func TestConnectRefusesMissingSetup(t *testing.T) {
	c := New(nil)
	if _, err := c.Begin(ctx(t), connector.AuthStart{RedirectURL: "https://h.example/cb", State: "s"}); err == nil ||
		!strings.Contains(err.Error(), "client id and secret") {
		t.Fatalf("Begin without a client: %v", err)
	}
}

func TestRefresh(t *testing.T) {
	e := newEnv(t)
	old := e.creds(t)
	b, exp, err := e.c.Refresh(ctx(t), e.acct)
	if err != nil || exp == nil || exp.Before(time.Now().Add(50*time.Minute)) {
		t.Fatalf("Refresh: %v %v", exp, err)
	}
	e.acct.Credentials = b
	cr := e.creds(t)
	if cr.AccessToken == old.AccessToken || cr.RefreshToken != old.RefreshToken || cr.ChannelID != channelID {
		t.Fatalf("refreshed credentials %+v", cr)
	}
	if _, err := e.c.Publish(ctx(t), e.acct, videoPart("k", 10, nil)); err != nil {
		t.Fatalf("publish with the new token: %v", err)
	}
	// The person removes Herald's access in their Google account.
	e.srv.RevokeRefresh(cr.RefreshToken)
	_, _, err = e.c.Refresh(ctx(t), e.acct)
	if classOf(err) != connector.AuthRevoked || !strings.Contains(err.Error(), "invalid_grant") {
		t.Fatalf("refresh of a revoked grant: %v, want auth_revoked", err)
	}
	bad := New(nil, WithClient("client-id", "wrong"), WithTokenURL(e.ts.URL+"/token"))
	if _, _, err := bad.Refresh(ctx(t), e.acct); classOf(err) != connector.Invalid || !strings.Contains(err.Error(), "client id or secret") {
		t.Fatalf("refresh with a wrong client secret: %v", err)
	}
}
