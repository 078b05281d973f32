package listen_test

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/heraldsocial/herald/internal/herald"
	"github.com/heraldsocial/herald/internal/listen"
	"github.com/heraldsocial/herald/internal/listen/source"
	"github.com/heraldsocial/herald/internal/teststore"
)

type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *clock) add(d time.Duration) {
	c.mu.Lock()
	c.t = c.t.Add(d)
	c.mu.Unlock()
}

type world struct {
	st     herald.Store
	clock  *clock
	svc    *listen.Service
	ingest *listen.Ingest
	a, b   herald.Actor
}

func newWorld(t *testing.T, st herald.Store) *world {
	ctx := context.Background()
	w := &world{st: st, clock: &clock{t: time.Date(2026, 11, 2, 12, 0, 0, 0, time.UTC)}}
	w.ingest = listen.NewIngest(st, w.clock, nil)
	w.svc = listen.New(st, w.clock, nil, w.ingest.Changed)
	for _, a := range []*herald.Actor{&w.a, &w.b} {
		ws := herald.Workspace{Name: "W", TimeZone: "UTC"}
		if err := st.CreateWorkspace(ctx, &ws); err != nil {
			t.Fatal(err)
		}
		*a = herald.Actor{UserID: 1, WorkspaceID: ws.ID, Role: herald.RoleOwner}
	}
	return w
}

func (w *world) topic(t *testing.T, a herald.Actor, name string, r herald.TopicRule) herald.ListenTopic {
	t.Helper()
	tp, err := w.svc.Create(context.Background(), a, herald.ListenTopic{Name: name, Rules: r})
	if err != nil {
		t.Fatal(err)
	}
	return tp
}

func post(i int, text string) source.Post {
	return source.Post{Platform: "bluesky", RemoteID: fmt.Sprintf("at://did:plc:a%d/app.bsky.feed.post/%d", i%3, i),
		AuthorID: fmt.Sprintf("did:plc:a%d", i%3), AuthorFollowers: -1, Text: text, Languages: []string{"en-US"},
		PostedAt: time.Date(2026, 11, 2, 11, 0, i, 0, time.UTC)}
}

// TestIngest: posts matching topics of two workspaces are stored once per
// workspace with their evidence, sentiment and language; a batch delivered
// again changes nothing; the cursor is saved after the matches.
func TestIngest(t *testing.T) {
	teststore.Each(t, func(t *testing.T, st herald.Store) {
		ctx := context.Background()
		w := newWorld(t, st)
		brand := w.topic(t, w.a, "Brand", herald.TopicRule{Any: []string{"acme"}})
		support := w.topic(t, w.a, "Support", herald.TopicRule{Any: []string{"broken", "refund"}})
		other := w.topic(t, w.b, "Theirs", herald.TopicRule{Hashtags: []string{"acme"}})
		posts := []source.Post{
			post(1, "My Acme phone arrived broken, I want a refund. Awful."),
			post(2, "Nothing to see here"),
			post(3, "Loving the new #acme release, great work"),
		}
		posts[2].Tags = []string{"acme"}
		b := source.Batch{Source: "bluesky-firehose:test", Posts: posts, Cursor: "17"}
		if err := w.ingest.Accept(ctx, b); err != nil {
			t.Fatal(err)
		}
		if err := w.ingest.Accept(ctx, b); err != nil {
			t.Fatal(err)
		}
		if c, _ := w.ingest.Cursor(ctx, b.Source); c != "17" {
			t.Fatalf("cursor %q", c)
		}
		ms, _, err := w.svc.Matches(ctx, w.a, herald.ListenFilter{})
		if err != nil {
			t.Fatal(err)
		}
		if len(ms) != 2 {
			t.Fatalf("workspace a has %d matches, want 2", len(ms))
		}
		broken := ms[1]
		if broken.RemoteID != posts[0].RemoteID || broken.Sentiment != "negative" || broken.Language != "en" ||
			broken.AuthorFollowers != -1 || len(broken.Topics) != 2 {
			t.Fatalf("the broken phone: %+v", broken)
		}
		for _, h := range broken.Topics {
			want := []string{"acme"}
			if h.TopicID == support.ID {
				want = []string{"broken", "refund"}
			}
			if !slices.Equal(h.Terms, want) {
				t.Errorf("topic %d evidence %v, want %v", h.TopicID, h.Terms, want)
			}
		}
		if ms[0].Sentiment != "positive" || len(ms[0].Topics) != 1 || ms[0].Topics[0].TopicID != brand.ID {
			t.Fatalf("the release post in a: %+v", ms[0])
		}
		theirs, _, _ := w.svc.Matches(ctx, w.b, herald.ListenFilter{})
		if len(theirs) != 1 || theirs[0].Topics[0].TopicID != other.ID {
			t.Fatalf("workspace b: %+v", theirs)
		}
		// Pausing a topic takes effect for the next batch at once.
		brand.Paused = true
		if _, err := w.svc.Update(ctx, w.a, brand.ID, brand); err != nil {
			t.Fatal(err)
		}
		if err := w.ingest.Accept(ctx, source.Batch{Posts: []source.Post{post(4, "acme again")}}); err != nil {
			t.Fatal(err)
		}
		if ms, _, _ := w.svc.Matches(ctx, w.a, herald.ListenFilter{}); len(ms) != 2 {
			t.Fatalf("a paused topic matched: %d matches", len(ms))
		}
	})
}

// TestIngestFutureDate: a post dated hours ahead counts when it was seen.
func TestIngestFutureDate(t *testing.T) {
	st := teststore.SQLite(t)
	w := newWorld(t, st)
	w.topic(t, w.a, "Brand", herald.TopicRule{Any: []string{"acme"}})
	p := post(1, "acme")
	p.PostedAt = w.clock.Now().Add(10 * time.Hour)
	ms, err := w.ingest.Match(context.Background(), []source.Post{p})
	if err != nil {
		t.Fatal(err)
	}
	if len(ms) != 1 || !ms[0].PostedAt.Equal(w.clock.Now()) {
		t.Fatalf("matches %+v", ms)
	}
}

func TestValidate(t *testing.T) {
	for _, c := range []struct {
		name  string
		topic herald.ListenTopic
		field string
	}{
		{"no name", herald.ListenTopic{Rules: herald.TopicRule{Any: []string{"x"}}}, "name"},
		{"none alone", herald.ListenTopic{Name: "n", Rules: herald.TopicRule{None: []string{"x"}}}, "rules"},
		{"bad regexp", herald.ListenTopic{Name: "n", Rules: herald.TopicRule{Any: []string{"/(/"}}}, "rules.any"},
		{"bad language", herald.ListenTopic{Name: "n", Rules: herald.TopicRule{Any: []string{"x"}, Languages: []string{"english, french"}}}, "rules.languages"},
		{"a name of 101 characters", herald.ListenTopic{Name: strings.Repeat("n", 101), Rules: herald.TopicRule{Any: []string{"x"}}}, "name"},
	} {
		err := listen.Validate(c.topic)
		var he *herald.Error
		if !errors.As(err, &he) || he.Code != herald.CodeInvalid || len(he.Details) == 0 || he.Details[0].Field != c.field {
			t.Errorf("%s: %v, want a problem with %s", c.name, err, c.field)
		}
	}
	tooMany := herald.ListenTopic{Name: "n"}
	for i := range 10_001 {
		tooMany.Rules.Any = append(tooMany.Rules.Any, fmt.Sprint("term", i))
	}
	if err := listen.Validate(tooMany); err == nil || !strings.Contains(err.Error(), "not valid") {
		t.Fatalf("a topic of 10,001 terms: %v", err)
	}
}

// TestPreviewAndOverview: a preview runs rules not saved over the stored
// matches; the overview sums the volume, ranks authors and finds
// co-occurring terms without the topic's own.
func TestPreviewAndOverview(t *testing.T) {
	teststore.Each(t, func(t *testing.T, st herald.Store) {
		ctx := context.Background()
		w := newWorld(t, st)
		brand := w.topic(t, w.a, "Brand", herald.TopicRule{Any: []string{"acme"}})
		var posts []source.Post
		for i := range 12 {
			text := "acme battery drains fast"
			if i%3 == 0 {
				text = "acme launch event was great"
			}
			posts = append(posts, post(i, text))
		}
		if err := w.ingest.Accept(ctx, source.Batch{Posts: posts}); err != nil {
			t.Fatal(err)
		}
		r, err := w.svc.Preview(ctx, w.a, herald.ListenTopic{Rules: herald.TopicRule{Any: []string{"battery"}}}, 5)
		if err != nil {
			t.Fatal(err)
		}
		if r.Scanned != 12 || r.Total != 8 || len(r.Matches) != 5 || r.Matches[0].Topics[0].Terms[0] != "battery" {
			t.Fatalf("preview: scanned %d total %d shown %d", r.Scanned, r.Total, len(r.Matches))
		}
		if _, err := w.svc.Preview(ctx, w.a, herald.ListenTopic{Rules: herald.TopicRule{None: []string{"x"}}}, 5); err == nil {
			t.Fatal("a preview of invalid rules ran")
		}
		o, err := w.svc.Overview(ctx, w.a, brand.ID, listen.Period{From: w.clock.Now().Add(-24 * time.Hour), To: w.clock.Now()})
		if err != nil {
			t.Fatal(err)
		}
		if o.Totals.Total() != 12 || len(o.Authors) != 3 || o.Authors[0].Matches != 4 || o.Scanned != 12 {
			t.Fatalf("overview: totals %+v authors %+v scanned %d", o.Totals, o.Authors, o.Scanned)
		}
		if len(o.Terms) == 0 || o.Terms[0].Term != "battery" || o.Terms[0].Matches != 8 {
			t.Fatalf("terms %+v", o.Terms)
		}
		for _, tc := range o.Terms {
			if tc.Term == "acme" {
				t.Fatal("the topic's own term is among the co-occurring ones")
			}
		}
		// Another workspace sees none of it.
		if _, err := w.svc.Overview(ctx, w.b, brand.ID, listen.Period{To: w.clock.Now()}); !errors.Is(err, herald.ErrNotFound) {
			t.Fatalf("another workspace's topic: %v", err)
		}
		analyst := w.a
		analyst.Role = herald.RoleAnalyst
		if _, err := w.svc.Create(ctx, analyst, herald.ListenTopic{Name: "x", Rules: herald.TopicRule{Any: []string{"x"}}}); !errors.Is(err, herald.ErrForbidden) {
			t.Fatalf("an analyst created a topic: %v", err)
		}
	})
}

type fakeSource struct {
	name    string
	mu      sync.Mutex
	runs    int
	running bool
}

func (f *fakeSource) Source() string { return f.name }

func (f *fakeSource) Run(ctx context.Context, sink source.Sink) error {
	f.mu.Lock()
	f.runs++
	f.running = true
	f.mu.Unlock()
	<-ctx.Done()
	f.mu.Lock()
	f.running = false
	f.mu.Unlock()
	return nil
}

func (f *fakeSource) state() (int, bool) {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.runs, f.running
}

// TestRunnerFollowsLeadership: sources run only while the instance leads.
func TestRunnerFollowsLeadership(t *testing.T) {
	if testing.Short() {
		t.Skip("waits for the leadership check")
	}
	src := &fakeSource{name: "s"}
	var mu sync.Mutex
	leads := true
	r := &listen.Runner{Sources: []listen.Source{src}, Leader: func(context.Context) (bool, error) {
		mu.Lock()
		defer mu.Unlock()
		return leads, nil
	}}
	r.Start(context.Background())
	waitFor(t, 5*time.Second, func() bool { _, on := src.state(); return on })
	mu.Lock()
	leads = false
	mu.Unlock()
	waitFor(t, listen.LeaderEvery+5*time.Second, func() bool { _, on := src.state(); return !on })
	r.Stop()
	if runs, on := src.state(); runs != 1 || on {
		t.Fatalf("runs %d running %v", runs, on)
	}
}

func waitFor(t *testing.T, within time.Duration, f func() bool) {
	t.Helper()
	deadline := time.Now().Add(within)
	for !f() {
		if time.Now().After(deadline) {
			t.Fatal("timed out")
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// TestRising: a term that is suddenly in many of the last hours' matches
// rises, with its counts; steady terms and the topic's own do not.
func TestRising(t *testing.T) {
	teststore.Each(t, func(t *testing.T, st herald.Store) {
		ctx := context.Background()
		w := newWorld(t, st)
		brand := w.topic(t, w.a, "Brand", herald.TopicRule{Any: []string{"acme"}})
		now := w.clock.Now()
		var posts []source.Post
		i := 0
		add := func(at time.Time, text string) {
			i++
			p := post(i, text)
			p.PostedAt = at
			posts = append(posts, p)
		}
		for h := 4; h < 7*24; h += 2 { // the week before: steady coffee talk
			add(now.Add(-time.Duration(h)*time.Hour), "acme coffee morning")
		}
		for m := range 12 { // the last hours: an outage
			add(now.Add(-time.Duration(m*10+1)*time.Minute), "acme outage again, coffee machine down")
		}
		if err := w.ingest.Accept(ctx, source.Batch{Posts: posts}); err != nil {
			t.Fatal(err)
		}
		r, err := w.svc.Rising(ctx, w.a, brand.ID)
		if err != nil {
			t.Fatal(err)
		}
		if r.WindowPosts != 12 || r.BaselinePosts != 82 || r.Sampled {
			t.Fatalf("read %d window and %d baseline matches (sampled %v)", r.WindowPosts, r.BaselinePosts, r.Sampled)
		}
		var terms []string
		for _, x := range r.Terms {
			terms = append(terms, x.Term)
		}
		if len(r.Terms) == 0 || !slices.Contains(terms, "outage") || slices.Contains(terms, "coffee") || slices.Contains(terms, "acme") {
			t.Fatalf("rising %v", terms)
		}
		for _, x := range r.Terms {
			if x.Term == "outage" && (x.Window != 12 || x.Baseline != 0 || x.WindowPosts != 12 || x.P >= 0.001) {
				t.Fatalf("outage evidence %+v", x)
			}
		}
	})
}

// TestMastodonTags: one hashtag stream per instance and tag that a
// workspace's active topics and connected Mastodon accounts call for.
func TestMastodonTags(t *testing.T) {
	st := teststore.SQLite(t)
	ctx := context.Background()
	w := newWorld(t, st)
	w.topic(t, w.a, "Tags", herald.TopicRule{Hashtags: []string{"Acme", "#launch"}})
	w.topic(t, w.a, "Words", herald.TopicRule{Any: []string{"acme"}})
	paused := w.topic(t, w.b, "Paused", herald.TopicRule{Hashtags: []string{"other"}})
	paused.Paused = true
	if _, err := w.svc.Update(ctx, w.b, paused.ID, paused); err != nil {
		t.Fatal(err)
	}
	for i, ws := range []int64{w.a.WorkspaceID, w.a.WorkspaceID, w.b.WorkspaceID} {
		a := herald.Account{WorkspaceID: ws, Platform: herald.PlatformMastodon, RemoteID: fmt.Sprint("r", i),
			Handle: fmt.Sprint("@a", i, "@example.social"), InstanceURL: "https://example.social",
			Credentials: herald.Sealed{KeyID: "k", Ciphertext: []byte(`{"instance":"https://example.social","access_token":"tok"}`)},
			Status:      herald.AccountConnected}
		if err := st.CreateAccount(ctx, &a); err != nil {
			t.Fatal(err)
		}
	}
	d := &listen.MastodonTags{Store: st, Cursors: w.ingest, Logger: slog.New(slog.DiscardHandler),
		Open: func(s herald.Sealed, _ []byte) ([]byte, error) { return s.Ciphertext, nil }}
	srcs, err := d.Sources(ctx)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, s := range srcs {
		names = append(names, s.Source())
	}
	slices.Sort(names)
	if !slices.Equal(names, []string{"mastodon-tag:example.social#acme", "mastodon-tag:example.social#launch"}) {
		t.Fatalf("streams %v", names)
	}
}

// TestRunnerDiscovers: discovered sources start, and stop when no longer
// wanted.
func TestRunnerDiscovers(t *testing.T) {
	if testing.Short() {
		t.Skip("waits for the next discovery")
	}
	a, b := &fakeSource{name: "a"}, &fakeSource{name: "b"}
	var mu sync.Mutex
	want := []listen.Source{a, b}
	r := &listen.Runner{Discover: func(context.Context) ([]listen.Source, error) {
		mu.Lock()
		defer mu.Unlock()
		return want, nil
	}}
	r.Start(context.Background())
	defer r.Stop()
	waitFor(t, 5*time.Second, func() bool { _, on1 := a.state(); _, on2 := b.state(); return on1 && on2 })
	mu.Lock()
	want = []listen.Source{b}
	mu.Unlock()
	waitFor(t, listen.LeaderEvery+5*time.Second, func() bool { _, on := a.state(); return !on })
	if runs, on := b.state(); runs != 1 || !on {
		t.Fatalf("b: runs %d running %v", runs, on)
	}
}

// TestIngestXAccounts: a topic names X accounts as user@x.com (or
// user@twitter.com); posts by them or mentioning them match, whatever the
// case of the handle.
func TestIngestXAccounts(t *testing.T) {
	st := teststore.SQLite(t)
	ctx := context.Background()
	w := newWorld(t, st)
	tp := w.topic(t, w.a, "On X", herald.TopicRule{Accounts: []string{"@Acme@twitter.com", "rival@x.com"}})
	at := time.Date(2026, 11, 2, 11, 0, 0, 0, time.UTC)
	x := func(id, author, handle, text string, mentions ...string) source.Post {
		return source.Post{Platform: "x", RemoteID: id, AuthorID: author, AuthorHandle: handle, AuthorFollowers: -1,
			Text: text, Mentions: mentions, PostedAt: at}
	}
	posts := []source.Post{
		x("1", "100", "ACME", "Our launch is today"),
		x("2", "200", "fan", "hi @rival", "300", "rival@x.com"),
		x("3", "400", "someone", "nothing about them"),
	}
	if err := w.ingest.Accept(ctx, source.Batch{Source: "x-search:test", Posts: posts}); err != nil {
		t.Fatal(err)
	}
	ms, _, err := w.svc.Matches(ctx, w.a, herald.ListenFilter{TopicID: tp.ID})
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, m := range ms {
		got = append(got, m.RemoteID)
	}
	slices.Sort(got)
	if !slices.Equal(got, []string{"1", "2"}) {
		t.Fatalf("matched %v, want the post by acme and the one mentioning rival", got)
	}
}
