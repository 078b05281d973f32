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
