package fake_test

import (
	"context"
	"errors"
	"sync/atomic"
	"testing"
	"time"

	"github.com/heraldsocial/herald/internal/connector"
	"github.com/heraldsocial/herald/internal/connector/fake"
	"github.com/heraldsocial/herald/internal/connector/fake/fakeserver"
)

func TestWatchInbox(t *testing.T) {
	srv, base := platform(t, fakeserver.Config{})
	c := fake.New(nil)
	acct := func(token string) connector.Account {
		return connector.Account{Credentials: fake.MarshalCredentials(fake.Credentials{BaseURL: base, AccessToken: token})}
	}
	ctx, cancel := context.WithCancel(t.Context())
	var got atomic.Int64
	done := make(chan error, 1)
	go func() {
		done <- c.WatchInbox(ctx, acct("brand"), connector.InboxSignals{Arrived: func() { got.Add(1) }})
	}()
	time.Sleep(300 * time.Millisecond) // the stream is open
	if _, err := c.Publish(t.Context(), acct("fan"), connector.Part{Text: "@brand hello!"}); err != nil {
		t.Fatal(err)
	}
	if _, err := c.Publish(t.Context(), acct("fan"), connector.Part{Text: "no mention here"}); err != nil {
		t.Fatal(err)
	}
	if _, err := c.Publish(t.Context(), acct("brand"), connector.Part{Text: "@brand talking to myself"}); err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(5 * time.Second)
	for got.Load() < 1 && time.Now().Before(deadline) {
		time.Sleep(20 * time.Millisecond)
	}
	time.Sleep(300 * time.Millisecond) // room for a wrong second call
	if n := got.Load(); n != 1 {
		t.Fatalf("arrived called %d times, want once (the mention by another account)", n)
	}
	cancel()
	select {
	case err := <-done:
		if err != nil {
			t.Fatalf("WatchInbox after cancel: %v", err)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("WatchInbox did not return after cancel")
	}

	// A bad token is an auth error, not a silent end.
	err := c.WatchInbox(t.Context(), acct(""), connector.InboxSignals{})
	var ce *connector.Error
	if !errors.As(err, &ce) || (ce.Class != connector.AuthExpired && ce.Class != connector.AuthRevoked) {
		t.Fatalf("no token: %v, want an auth error", err)
	}
	// The server closing the stream ends the watch with an error.
	go func() { time.Sleep(300 * time.Millisecond); srv.Close() }()
	err = c.WatchInbox(t.Context(), acct("brand"), connector.InboxSignals{})
	if err == nil {
		t.Fatal("the server closed and WatchInbox returned nil")
	}
}
