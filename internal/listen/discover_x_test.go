package listen_test

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	xconn "github.com/heraldsocial/herald/internal/connector/x"
	"github.com/heraldsocial/herald/internal/connector/x/xfake"
	"github.com/heraldsocial/herald/internal/herald"
	"github.com/heraldsocial/herald/internal/listen"
	"github.com/heraldsocial/herald/internal/listen/x"
	"github.com/heraldsocial/herald/internal/teststore"
)

// xAccount connects an X account of the fake to the workspace.
func xAccount(t *testing.T, st herald.Store, ws int64, u xfake.User, tok xfake.Token) herald.Account {
	t.Helper()
	exp := tok.ExpiresAt
	cr := xconn.MarshalCredentials(xconn.Credentials{AccessToken: tok.Access, RefreshToken: tok.Refresh, ExpiresAt: &exp,
		UserID: u.ID, Username: u.Username})
	a := herald.Account{WorkspaceID: ws, Platform: herald.PlatformX, RemoteID: u.ID, Handle: "@" + u.Username,
		Credentials: herald.Sealed{KeyID: "k", Ciphertext: cr}, Status: herald.AccountConnected}
	if err := st.CreateAccount(context.Background(), &a); err != nil {
		t.Fatal(err)
	}
	return a
}

func openPlain(s herald.Sealed, _ []byte) ([]byte, error) { return s.Ciphertext, nil }

// TestXSearch: one search per query chunk of the workspaces that have
// active topics and a connected X account, the same ones each time;
// what they find is matched and stored by the ingest with the cursor.
func TestXSearch(t *testing.T) {
	st := teststore.SQLite(t)
	ctx := context.Background()
	w := newWorld(t, st)
	srv := xfake.New(xfake.Config{ClientID: "herald", SearchRateLimit: -1})
	ts := httptest.NewServer(srv)
	t.Cleanup(ts.Close)
	me := srv.AddUser("herald", "Herald")
	fan := srv.AddUser("fan", "A Fan")
	var words []string
	for i := range 120 {
		words = append(words, fmt.Sprintf("brandword%03d", i))
	}
	w.topic(t, w.a, "Launch", herald.TopicRule{Any: []string{"acme"}, Hashtags: []string{"launch"}})
	w.topic(t, w.a, "Words", herald.TopicRule{Any: words})
	w.topic(t, w.b, "Elsewhere", herald.TopicRule{Any: []string{"acme"}}) // no X account in b
	acct := xAccount(t, st, w.a.WorkspaceID, me, srv.IssueToken(me.ID))
	d := &listen.XSearch{Store: st, Open: openPlain, Client: ts.Client(), Cursors: w.ingest, BaseURL: ts.URL,
		PollInterval: 20 * time.Millisecond, Logger: slog.New(slog.DiscardHandler)}
	srcs, err := d.Sources(ctx)
	if err != nil {
		t.Fatal(err)
	}
	topics, err := st.ListListenTopics(ctx, w.a.WorkspaceID)
	if err != nil {
		t.Fatal(err)
	}
	plan := x.Build(topics, 0)
	if len(plan.Queries) < 2 || len(srcs) != len(plan.Queries) {
		t.Fatalf("%d sources for %d queries", len(srcs), len(plan.Queries))
	}
	prefix := fmt.Sprintf("x-search:%d:%d:", w.a.WorkspaceID, acct.ID)
	for _, s := range srcs {
		if !strings.HasPrefix(s.Source(), prefix) {
			t.Fatalf("source %q", s.Source())
		}
	}
	again, err := d.Sources(ctx)
	if err != nil || len(again) != len(srcs) {
		t.Fatalf("again: %v, %d", err, len(again))
	}
	for i := range srcs {
		if again[i] != srcs[i] {
			t.Fatalf("source %d made anew", i)
		}
	}
	if _, ok := d.Capabilities(w.b.WorkspaceID); ok {
		t.Fatal("capabilities for a workspace without X")
	}

	srv.PostPublic(fan.ID, "the acme #launch went well", xfake.PublicPost{Lang: "en"})
	runCtx, cancel := context.WithCancel(ctx)
	done := make(chan error, len(srcs))
	for _, s := range srcs {
		go func() { done <- s.Run(runCtx, w.ingest) }()
	}
	waitFor(t, 10*time.Second, func() bool {
		ms, _, err := st.ListListenMatches(ctx, herald.ListenFilter{WorkspaceID: w.a.WorkspaceID, Page: herald.Page{Limit: 10}})
		return err == nil && len(ms) == 1 && ms[0].Platform == herald.PlatformX && ms[0].AuthorHandle == "fan"
	})
	cancel()
	for range srcs {
		if err := <-done; err != nil {
			t.Fatal(err)
		}
	}
	saved := 0
	for _, s := range srcs {
		if c, err := w.ingest.Cursor(ctx, s.Source()); err == nil && c != "" {
			saved++
		}
	}
	if saved == 0 {
		t.Fatal("no cursor saved")
	}
	caps, ok := d.Capabilities(w.a.WorkspaceID)
	if !ok || !caps.RecentSearch.Supported || !caps.Query.Supported {
		t.Fatalf("capabilities %v %+v", ok, caps)
	}
}

// TestXSearchRefused: an account whose access lacks recent search stops
// its searches with a clear error, is left out of discovery for a while,
// and the workspace's capabilities say why.
func TestXSearchRefused(t *testing.T) {
	st := teststore.SQLite(t)
	ctx := context.Background()
	w := newWorld(t, st)
	srv := xfake.New(xfake.Config{ClientID: "herald", NoSearchAccess: true})
	ts := httptest.NewServer(srv)
	t.Cleanup(ts.Close)
	me := srv.AddUser("herald", "Herald")
	w.topic(t, w.a, "Launch", herald.TopicRule{Any: []string{"acme"}, All: []string{"/launch(ed)?/"}})
	xAccount(t, st, w.a.WorkspaceID, me, srv.IssueToken(me.ID))
	now := time.Date(2026, 12, 1, 9, 0, 0, 0, time.UTC)
	d := &listen.XSearch{Store: st, Open: openPlain, Client: ts.Client(), Cursors: w.ingest, BaseURL: ts.URL,
		Logger: slog.New(slog.DiscardHandler), Recheck: time.Hour, Now: func() time.Time { return now }}
	srcs, err := d.Sources(ctx)
	if err != nil || len(srcs) != 1 {
		t.Fatalf("%v, %d sources", err, len(srcs))
	}
	err = srcs[0].Run(ctx, w.ingest)
	if !errors.Is(err, x.ErrNoSearchAccess) {
		t.Fatalf("Run: %v", err)
	}
	caps, ok := d.Capabilities(w.a.WorkspaceID)
	if !ok || caps.RecentSearch.Supported || !strings.Contains(caps.RecentSearch.Note, "(Basic tier or above)") ||
		caps.Query.Supported || !strings.Contains(caps.Query.Note, "/launch(ed)?/") {
		t.Fatalf("capabilities %v %+v", ok, caps)
	}
	if again, err := d.Sources(ctx); err != nil || len(again) != 0 {
		t.Fatalf("refused account discovered again: %v %d", err, len(again))
	}
	if caps, ok := d.Capabilities(w.a.WorkspaceID); !ok || caps.RecentSearch.Supported {
		t.Fatalf("capabilities after discovery %v %+v", ok, caps)
	}
	// A run started before discovery stopped it waits without calling X.
	short, cancel := context.WithTimeout(ctx, 50*time.Millisecond)
	defer cancel()
	before := srv.Requests("GET /2/tweets/search/recent")
	if err := srcs[0].Run(short, w.ingest); err != nil || srv.Requests("GET /2/tweets/search/recent") != before {
		t.Fatalf("refused run: %v", err)
	}
	now = now.Add(time.Hour)
	if again, err := d.Sources(ctx); err != nil || len(again) != 1 {
		t.Fatalf("after Recheck: %v %d", err, len(again))
	}
}

// TestAllSources: every discoverer's sources, with a failing one's error
// beside the others' sources.
func TestAllSources(t *testing.T) {
	a, b := &fakeSource{name: "a"}, &fakeSource{name: "b"}
	boom := errors.New("boom")
	d := listen.AllSources(
		func(context.Context) ([]listen.Source, error) { return []listen.Source{a}, nil },
		func(context.Context) ([]listen.Source, error) { return nil, boom },
		func(context.Context) ([]listen.Source, error) { return []listen.Source{b}, nil },
	)
	got, err := d(context.Background())
	if !errors.Is(err, boom) || len(got) != 2 || got[0] != a || got[1] != b {
		t.Fatalf("%v %v", got, err)
	}
}
