package mastodon_test

import (
	"context"
	"errors"
	"net/http"
	"sync/atomic"
	"testing"
	"time"

	"github.com/heraldsocial/herald/internal/connector"
	"github.com/heraldsocial/herald/internal/connector/mastodon"
	"github.com/heraldsocial/herald/internal/connector/mastodon/mastodonfake"
	"github.com/heraldsocial/herald/internal/herald"
)

func TestWatchInbox(t *testing.T) {
	f := newFake(t, mastodonfake.DefaultConfig())
	fan, _ := f.srv.AddAccount("fan", "A Fan")
	c := newConnector()
	ctx, cancel := context.WithCancel(t.Context())
	var got atomic.Int64
	done := make(chan error, 1)
	go func() { done <- c.WatchInbox(ctx, f.account(), connector.InboxSignals{Arrived: func() { got.Add(1) }}) }()
	time.Sleep(300 * time.Millisecond)                         // the stream is open
	f.srv.Post(fan.ID, "just talking", "")                     // no mention: nothing
	f.srv.Post(fan.ID, "@herald is the shop open?", "")        // a mention: once
	f.srv.DirectMessage(fan.ID, f.me.ID, "psst, a secret", "") // a DM: notification and conversation
	wait := func(n int64) {
		t.Helper()
		deadline := time.Now().Add(5 * time.Second)
		for got.Load() < n && time.Now().Before(deadline) {
			time.Sleep(10 * time.Millisecond)
		}
		time.Sleep(200 * time.Millisecond)
		if g := got.Load(); g != n {
			t.Fatalf("arrived called %d times, want %d", g, n)
		}
	}
	wait(3)
	cancel()
	select {
	case err := <-done:
		if err != nil {
			t.Fatalf("WatchInbox after cancel: %v", err)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("WatchInbox did not return after cancel")
	}

	// A server without the streaming API.
	cfg := mastodonfake.DefaultConfig()
	cfg.NoStreaming = true
	g := newFake(t, cfg)
	if err := c.WatchInbox(t.Context(), g.account(), connector.InboxSignals{}); !errors.Is(err, connector.ErrNoStream) {
		t.Fatalf("no streaming: %v, want ErrNoStream", err)
	}
	// A revoked token.
	bad := f.account()
	bad.Credentials = nil
	if err := c.WatchInbox(t.Context(), bad, connector.InboxSignals{}); err == nil {
		t.Fatal("an account without credentials watched")
	}
	f.srv.Inject(mastodonfake.Fault{Method: http.MethodGet, Path: "/api/v1/streaming/user", Status: http.StatusUnauthorized,
		ContentType: "application/json", Body: `{"error":"The access token is invalid"}`})
	err := c.WatchInbox(t.Context(), f.account(), connector.InboxSignals{})
	var ce *connector.Error
	if !errors.As(err, &ce) || (ce.Class != connector.AuthExpired && ce.Class != connector.AuthRevoked) {
		t.Fatalf("401: %v, want an auth error", err)
	}
}

func TestRepost(t *testing.T) {
	f := newFake(t, mastodonfake.DefaultConfig())
	fan, _ := f.srv.AddAccount("fan", "A Fan")
	c := newConnector()
	ctx := t.Context()
	id := f.srv.Post(fan.ID, "@herald we love it", "")
	ref := herald.RemoteRef{ID: id}
	for range 2 { // a second reblog is harmless
		if err := c.Repost(ctx, f.account(), ref); err != nil {
			t.Fatal(err)
		}
	}
	if by := f.srv.RebloggedBy(id); len(by) != 1 || by[0] != f.me.ID {
		t.Fatalf("reblogged by %v, want the account once", by)
	}
	dm := f.srv.DirectMessage(fan.ID, f.me.ID, "private", "")
	err := c.Repost(ctx, f.account(), herald.RemoteRef{ID: dm})
	var ce *connector.Error
	if !errors.As(err, &ce) || ce.Class != connector.Invalid {
		t.Fatalf("reblogging a direct message: %v, want refused", err)
	}
	if err := c.Repost(ctx, f.account(), herald.RemoteRef{ID: "999999"}); err == nil {
		t.Fatal("reblogging an unknown status succeeded")
	}
}

// TestWatchInboxEditsAndDeletes: the user stream's "status.update" and
// "delete" events for a status that mentioned the account are told as
// edits (the new text) and deletions; another status's are not.
func TestWatchInboxEditsAndDeletes(t *testing.T) {
	f := newFake(t, mastodonfake.DefaultConfig())
	fan, fanToken := f.srv.AddAccount("fan", "A Fan")
	asFan := connector.Account{Account: herald.Account{Platform: herald.PlatformMastodon, RemoteID: fan.ID, InstanceURL: f.url},
		Credentials: mastodon.MarshalCredentials(mastodon.Credentials{AccessToken: fanToken})}
	mention := f.srv.Post(fan.ID, "@herald is the shop open?", "")
	other := f.srv.Post(fan.ID, "just talking", "")
	c := newConnector()
	ctx, cancel := context.WithCancel(t.Context())
	defer cancel()
	type change struct{ id, text string }
	got := make(chan change, 10)
	go func() {
		_ = c.WatchInbox(ctx, f.account(), connector.InboxSignals{
			Edited:  func(id, text string, at time.Time) { got <- change{id, text} },
			Deleted: func(id string) { got <- change{id, ""} },
		})
	}()
	time.Sleep(300 * time.Millisecond) // the stream is open
	for _, ref := range []string{other, mention} {
		if _, err := c.Edit(ctx, asFan, herald.RemoteRef{ID: ref}, connector.Part{Text: "@herald open on Sunday?"}); err != nil {
			t.Fatal(err)
		}
	}
	if err := c.Delete(ctx, asFan, herald.RemoteRef{ID: mention}); err != nil {
		t.Fatal(err)
	}
	for _, want := range []change{{mention, "@herald open on Sunday?"}, {mention, ""}} {
		select {
		case g := <-got:
			if g != want {
				t.Fatalf("told %+v, want %+v", g, want)
			}
		case <-time.After(5 * time.Second):
			t.Fatalf("nothing told; want %+v", want)
		}
	}
	select {
	case g := <-got:
		t.Fatalf("told of more: %+v", g)
	case <-time.After(300 * time.Millisecond):
	}
}
