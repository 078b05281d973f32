package account_test

import (
	"context"
	"errors"
	"net"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/heraldsocial/herald/internal/account"
	"github.com/heraldsocial/herald/internal/connector"
	"github.com/heraldsocial/herald/internal/connector/mastodon"
	"github.com/heraldsocial/herald/internal/herald"
)

// silentServer accepts connections and never answers.
func silentServer(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = ln.Close() })
	go func() {
		var conns []net.Conn
		defer func() {
			for _, c := range conns {
				_ = c.Close()
			}
		}()
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			conns = append(conns, c)
		}
	}()
	return "http://" + ln.Addr().String()
}

func TestConnectToASilentServerEnds(t *testing.T) {
	reg := connector.NewRegistry()
	reg.Register(herald.PlatformMastodon, mastodon.New(&http.Client{}))
	svc := account.New(nil, nil, nil, nil,
		account.WithConnectors(reg, "https://herald.example/api/v1/connect/callback", nil),
		account.WithConnectTimeout(500*time.Millisecond))
	actor := herald.Actor{UserID: 1, WorkspaceID: 1, Role: herald.RoleOwner}
	start := time.Now()
	_, err := svc.BeginConnect(context.Background(), actor, herald.PlatformMastodon, silentServer(t))
	if d := time.Since(start); d > 5*time.Second {
		t.Errorf("connecting took %v", d)
	}
	var he *herald.Error
	if !errors.As(err, &he) || !strings.Contains(he.Message, "the server did not answer in 1 second") ||
		len(he.Details) != 1 || he.Details[0].Field != "instance" {
		t.Fatalf("BeginConnect = %v; want the server did not answer, on the instance field", err)
	}
}

// TestConnectablePlatforms checks that the platforms offered for
// connecting are the registry's, that one not set up says what its
// operator must do, and that one without a connector says which exist.
func TestConnectablePlatforms(t *testing.T) {
	reg := connector.NewRegistry()
	reg.Register(herald.PlatformMastodon, mastodon.New(&http.Client{}))
	reg.Offer(herald.PlatformX, "set HERALD_X_CLIENT_ID")
	svc := account.New(nil, nil, nil, nil, account.WithConnectors(reg, "https://herald.example/api/v1/connect/callback", nil))
	if got := svc.Connectable(); len(got) != 2 || got[0] != herald.PlatformMastodon || got[1] != herald.PlatformX {
		t.Errorf("Connectable = %v, want [mastodon x]", got)
	}
	if got := svc.NotSetUp(); len(got) != 1 || got[0].Platform != herald.PlatformX || got[0].Setup != "set HERALD_X_CLIENT_ID" {
		t.Errorf("NotSetUp = %+v, want x with its setup", got)
	}
	actor := herald.Actor{UserID: 1, WorkspaceID: 1, Role: herald.RoleOwner}
	cases := []struct {
		platform herald.Platform
		want     string
	}{
		{herald.PlatformX, "x is not set up on this Herald server; its operator must set HERALD_X_CLIENT_ID"},
		{herald.PlatformLinkedIn, "Herald cannot connect linkedin accounts; it connects: mastodon, x"},
	}
	for _, c := range cases {
		_, err := svc.BeginConnect(context.Background(), actor, c.platform, "")
		var he *herald.Error
		if !errors.As(err, &he) || he.Message != c.want || len(he.Details) != 1 || he.Details[0].Field != "platform" {
			t.Errorf("BeginConnect(%s) = %v, want %q on the platform field", c.platform, err, c.want)
		}
	}
	// Registering a platform later takes it off the list of those not set up.
	reg.Register(herald.PlatformX, mastodon.New(&http.Client{}))
	if got := svc.NotSetUp(); len(got) != 0 {
		t.Errorf("NotSetUp after registering = %+v", got)
	}
}
