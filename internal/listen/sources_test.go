package listen_test

import (
	"context"
	"log/slog"
	"strings"
	"testing"

	"github.com/heraldsocial/herald/internal/herald"
	"github.com/heraldsocial/herald/internal/listen"
	"github.com/heraldsocial/herald/internal/teststore"
)

// TestSourceNotes: the pages are told which sources read posts for a
// workspace and what each can and cannot see: the operator's firehose for
// every workspace, and a Mastodon-API server's hashtag streams for the
// workspace with an account there, naming its topics' hashtags (paused
// topics' left out).
func TestSourceNotes(t *testing.T) {
	st := teststore.SQLite(t)
	ctx := context.Background()
	w := newWorld(t, st)
	w.topic(t, w.a, "Tags", herald.TopicRule{Hashtags: []string{"Acme", "#launch"}})
	paused := w.topic(t, w.a, "Paused", herald.TopicRule{Hashtags: []string{"secret"}})
	paused.Paused = true
	if _, err := w.svc.Update(ctx, w.a, paused.ID, paused); err != nil {
		t.Fatal(err)
	}
	a := herald.Account{WorkspaceID: w.a.WorkspaceID, Platform: herald.PlatformMastodon, RemoteID: "r1",
		Handle: "@acme@example.social", InstanceURL: "https://example.social",
		Credentials: herald.Sealed{KeyID: "k", Ciphertext: []byte(`{"instance":"https://example.social","access_token":"tok"}`)},
		Status:      herald.AccountConnected}
	if err := st.CreateAccount(ctx, &a); err != nil {
		t.Fatal(err)
	}
	tags := &listen.MastodonTags{Store: st, Cursors: w.ingest, Logger: slog.New(slog.DiscardHandler),
		Open: func(s herald.Sealed, _ []byte) ([]byte, error) { return s.Ciphertext, nil }}
	w.svc.SetSources(listen.Notes("wss://bsky.network", "", tags, nil))
	ns, err := w.svc.Sources(ctx, w.a)
	if err != nil {
		t.Fatal(err)
	}
	if len(ns) != 2 || ns[0].Name != "Bluesky firehose (bsky.network)" || !ns[0].Working ||
		!strings.Contains(ns[0].CannotSee, "no follower counts") {
		t.Fatalf("notes %+v", ns)
	}
	m := ns[1]
	if m.Name != "Mastodon hashtag streams on example.social" || !m.Working || !strings.Contains(m.Sees, "#acme and #launch") ||
		strings.Contains(m.Sees, "secret") || !strings.Contains(m.CannotSee, "followers-only") {
		t.Fatalf("the Mastodon note %+v", m)
	}
	other, err := w.svc.Sources(ctx, w.b)
	if err != nil || len(other) != 1 {
		t.Fatalf("the other workspace's notes %+v %v", other, err)
	}
	analyst := herald.Actor{UserID: 9, WorkspaceID: w.a.WorkspaceID, Role: herald.RoleAnalyst}
	if _, err := w.svc.Sources(ctx, analyst); err != nil {
		t.Fatalf("an analyst cannot read the sources: %v", err)
	}
}
