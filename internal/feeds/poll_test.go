package feeds_test

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/heraldsocial/herald/internal/feeds"
	"github.com/heraldsocial/herald/internal/herald"
)

func TestQueueModeEntriesBecomeQueuedPosts(t *testing.T) {
	forEachStore(t, func(t *testing.T, st herald.Store) {
		ctx := context.Background()
		w := newWorld(t, st)
		now := w.clock.Now()
		srv := newFeedServer(t, rss(
			rssItem{"old", "Archive piece", "https://news.example/old", now.Add(-48 * time.Hour)},
			rssItem{"a", "First & best", "https://news.example/a", now.Add(time.Minute)},
			rssItem{"b", "Second", "https://news.example/b", now.Add(2 * time.Minute)},
		))
		f := w.addFeed(t, srv.URL, herald.FeedQueue)
		w.clock.add(5 * time.Minute)

		res, err := w.svc.Poll(ctx, w.editor, f.ID)
		must(t, err)
		if len(res.Posts) != 2 || res.Skipped != 1 || res.Entries != 3 {
			t.Fatalf("first poll: %d posts, %d skipped of %d entries; want 2, 1 of 3", len(res.Posts), res.Skipped, res.Entries)
		}
		if res.Posts[0].Title != "First & best" || res.Posts[0].Text != "New: First & best https://news.example/a" {
			t.Errorf("oldest entry first with its text, got %+v", res.Posts[0])
		}
		posts := w.allPosts(t)
		if len(posts) != 2 {
			t.Fatalf("%d posts, want 2", len(posts))
		}
		var slots []time.Time
		for _, p := range posts {
			tg := p.Targets[0]
			if tg.State != herald.StateScheduled || tg.ScheduledAt == nil || tg.AccountID != w.acct.ID {
				t.Fatalf("post %d target is %s at %v, want scheduled in a slot", p.ID, tg.State, tg.ScheduledAt)
			}
			slots = append(slots, *tg.ScheduledAt)
		}
		if slots[0].Equal(slots[1]) {
			t.Errorf("both posts took the slot %v", slots[0])
		}

		got, err := w.svc.Get(ctx, w.editor, f.ID)
		must(t, err)
		if got.ETag != `"v1"` || got.LastModified == "" || got.LastError != "" || got.EntriesUsed != 2 ||
			!got.NextPollAt.Equal(w.clock.Now().Add(feeds.DefaultInterval)) {
			t.Fatalf("after a good poll the feed is %+v", got)
		}

		// Unchanged: a conditional request, a 304, nothing made.
		res, err = w.svc.Poll(ctx, w.editor, f.ID)
		must(t, err)
		if !res.NotModified || len(res.Posts) != 0 || srv.lastINM != `"v1"` {
			t.Fatalf("second poll: not modified %v, %d posts, If-None-Match %q", res.NotModified, len(res.Posts), srv.lastINM)
		}

		// A new entry, and the old ones again: only the new one is used.
		srv.set(rss(
			rssItem{"a", "First & best", "https://news.example/a", now.Add(time.Minute)},
			rssItem{"b", "Second", "https://news.example/b", now.Add(2 * time.Minute)},
			rssItem{"c", "Third", "https://news.example/c", now.Add(3 * time.Hour)},
			rssItem{"old2", "An older one, newly listed", "https://news.example/old2", now.Add(-72 * time.Hour)},
		), `"v2"`)
		res, err = w.svc.Poll(ctx, w.editor, f.ID)
		must(t, err)
		if len(res.Posts) != 2 || res.AlreadyUsed != 2 {
			t.Fatalf("third poll: %d posts, %d already used; want 2 (after the first read every new entry counts), 2", len(res.Posts), res.AlreadyUsed)
		}
		if n := len(w.allPosts(t)); n != 4 {
			t.Fatalf("%d posts, want 4", n)
		}
	})
}

func TestDraftModeAndApproval(t *testing.T) {
	forEachStore(t, func(t *testing.T, st herald.Store) {
		ctx := context.Background()
		w := newWorld(t, st)
		item := rssItem{"x", "Hello", "https://news.example/x", w.clock.Now().Add(time.Minute)}
		drafts := w.addFeed(t, newFeedServer(t, rss(item)).URL, herald.FeedDraft)
		w.ws.BrandRules.RequireApproval = true
		must(t, st.UpdateWorkspace(ctx, &w.ws))
		queued := w.addFeed(t, newFeedServer(t, rss(item)).URL, herald.FeedQueue)
		w.clock.add(time.Hour)
		for _, c := range []struct {
			f    herald.Feed
			want herald.TargetState
		}{{drafts, herald.StateDraft}, {queued, herald.StateInReview}} {
			res, err := w.svc.Poll(ctx, w.editor, c.f.ID)
			must(t, err)
			if len(res.Posts) != 1 || res.Posts[0].State != c.want {
				t.Fatalf("feed in %s mode made %+v, want one post in %s", c.f.Mode, res.Posts, c.want)
			}
		}
	})
}

func TestTwoPollersUseEachEntryOnce(t *testing.T) {
	forEachStore(t, func(t *testing.T, st herald.Store) {
		ctx := context.Background()
		w := newWorld(t, st)
		now := w.clock.Now()
		var items []rssItem
		for i := range 6 {
			id := string(rune('a' + i))
			items = append(items, rssItem{id, "Entry " + id, "https://news.example/" + id, now.Add(time.Duration(i+1) * time.Minute)})
		}
		srv := newFeedServer(t, rss(items...))
		f := w.addFeed(t, srv.URL, herald.FeedQueue)
		w.clock.add(time.Hour)
		// Two instances, each polling twice at the same time.
		pollers := []*feeds.Service{w.svc, w.service(feeds.NewClient(true))}
		var wg sync.WaitGroup
		made := make([]int, 4)
		errs := make([]error, 4)
		for i := range 4 {
			wg.Go(func() {
				res, err := pollers[i%2].PollDue(ctx, w.clock.Now())
				_ = res
				errs[i] = err
			})
		}
		wg.Wait()
		for i := range 4 {
			res, err := pollers[i%2].Poll(ctx, w.editor, f.ID)
			must(t, err)
			made[i] = len(res.Posts)
		}
		for _, err := range errs {
			must(t, err)
		}
		posts := w.allPosts(t)
		if len(posts) != 6 {
			t.Fatalf("%d posts for 6 entries", len(posts))
		}
		texts := map[string]bool{}
		for _, p := range posts {
			if texts[p.Text] {
				t.Fatalf("entry used twice: %q", p.Text)
			}
			texts[p.Text] = true
		}
		got, err := w.svc.Get(ctx, w.editor, f.ID)
		must(t, err)
		if got.EntriesUsed != 6 || got.LastError != "" {
			t.Fatalf("feed: %d entries used, error %q", got.EntriesUsed, got.LastError)
		}
	})
}

func TestHostileFeeds(t *testing.T) {
	forEachStore(t, func(t *testing.T, st herald.Store) {
		ctx := context.Background()
		w := newWorld(t, st)
		page := httptest.NewServer(http.HandlerFunc(func(rw http.ResponseWriter, r *http.Request) {
			rw.Header().Set("Content-Type", "text/html")
			_, _ = rw.Write([]byte(`<!DOCTYPE html><html><head><link rel="alternate" type="application/atom+xml" href="/atom.xml"></head><body>Blog</body></html>`))
		}))
		defer page.Close()
		huge := httptest.NewServer(http.HandlerFunc(func(rw http.ResponseWriter, r *http.Request) {
			_, _ = rw.Write([]byte(`<?xml version="1.0"?><rss><channel><title>`))
			chunk := []byte(strings.Repeat("x", 1<<20))
			for range 50 {
				if _, err := rw.Write(chunk); err != nil {
					return
				}
			}
		}))
		defer huge.Close()
		busy := httptest.NewServer(http.HandlerFunc(func(rw http.ResponseWriter, r *http.Request) {
			rw.Header().Set("Retry-After", "7200")
			rw.WriteHeader(http.StatusTooManyRequests)
		}))
		defer busy.Close()
		gone := httptest.NewServer(http.NotFoundHandler())
		defer gone.Close()
		cases := []struct {
			name, url, want string
			wait            time.Duration
		}{
			{"html page", page.URL + "/blog", "this is a web page, not a feed; look for its RSS/Atom link", feeds.DefaultInterval},
			{"50 MB body", huge.URL, "larger than 5 MB", feeds.DefaultInterval},
			{"429 with Retry-After", busy.URL, "asked Herald to wait 2h0m0s", 2 * time.Hour},
			{"not found", gone.URL, "the server answered 404 Not Found: check the feed's address", feeds.DefaultInterval},
		}
		for _, c := range cases {
			t.Run(c.name, func(t *testing.T) {
				f := w.addFeed(t, c.url, herald.FeedQueue)
				before := len(w.allPosts(t))
				_, err := w.svc.Poll(ctx, w.editor, f.ID)
				if err == nil || !strings.Contains(err.Error(), c.want) {
					t.Fatalf("Poll: %v, want it to say %q", err, c.want)
				}
				got, gerr := w.svc.Get(ctx, w.editor, f.ID)
				must(t, gerr)
				if !strings.Contains(got.LastError, c.want) || got.Failures != 1 ||
					!got.NextPollAt.Equal(w.clock.Now().Add(c.wait)) {
					t.Fatalf("feed after the failure: error %q, %d failures, next poll in %s",
						got.LastError, got.Failures, got.NextPollAt.Sub(w.clock.Now()))
				}
				if after := len(w.allPosts(t)); after != before {
					t.Fatalf("a failed poll made %d posts", after-before)
				}
				if c.name == "html page" {
					var he *herald.Error
					if !errors.As(err, &he) || len(he.Details) != 1 || !strings.Contains(he.Details[0].Problem, page.URL+"/atom.xml") {
						t.Fatalf("the page's feed link is not offered: %v", err)
					}
				}
			})
		}
		t.Run("back-off doubles", func(t *testing.T) {
			f := w.addFeed(t, page.URL, herald.FeedQueue)
			for i, want := range []time.Duration{15, 30, 60, 120} {
				_, _ = w.svc.Poll(ctx, w.editor, f.ID)
				got, err := w.svc.Get(ctx, w.editor, f.ID)
				must(t, err)
				if wait := got.NextPollAt.Sub(w.clock.Now()); wait != want*time.Minute || got.Failures != i+1 {
					t.Fatalf("after %d failures the wait is %s, want %s", got.Failures, wait, want*time.Minute)
				}
			}
		})
	})
}

func TestSlowBodyTimesOut(t *testing.T) {
	w := newWorldSQLite(t)
	release := make(chan struct{})
	slow := httptest.NewServer(http.HandlerFunc(func(rw http.ResponseWriter, r *http.Request) {
		_, _ = rw.Write([]byte(`<?xml version="1.0"?><rss><channel>`))
		rw.(http.Flusher).Flush()
		select {
		case <-release:
		case <-r.Context().Done():
		}
	}))
	defer slow.Close()
	defer close(release)
	// The poller's own client, with its default limit: a feed that never
	// finishes costs one poll FetchTimeout, then an answer in words.
	svc := w.service(feeds.NewClient(true))
	f := w.addFeed(t, slow.URL, herald.FeedQueue)
	started := time.Now()
	_, err := svc.Poll(context.Background(), w.editor, f.ID)
	if waited := time.Since(started); waited < feeds.FetchTimeout {
		t.Fatalf("gave up after %s, before the %s limit", waited, feeds.FetchTimeout)
	}
	if err == nil || !strings.Contains(err.Error(), "did not send the whole feed") {
		t.Fatalf("Poll = %v, want a timeout in words", err)
	}
	if herald.ErrorCode(err) != herald.CodeUnavailable {
		t.Fatalf("code %s, want unavailable", herald.ErrorCode(err))
	}
}

func TestRedirectToLoopbackRefused(t *testing.T) {
	w := newWorldSQLite(t)
	private := newFeedServer(t, rss(rssItem{"a", "secret", "https://x/", w.clock.Now().Add(time.Minute)}))
	public := httptest.NewServer(http.HandlerFunc(func(rw http.ResponseWriter, r *http.Request) {
		http.Redirect(rw, r, private.URL+"/feed", http.StatusFound)
	}))
	defer public.Close()
	svc := w.service(standIn(public, feeds.NewClient(false)))
	f := w.addFeed(t, public.URL, herald.FeedQueue)
	_, err := svc.Poll(context.Background(), w.editor, f.ID)
	if err == nil || !strings.Contains(err.Error(), "refusing to connect to 127.0.0.1") || !strings.Contains(err.Error(), "redirect") {
		t.Fatalf("Poll = %v, want the redirect to loopback refused", err)
	}
	if private.requests != 0 {
		t.Fatalf("the private server was called %d times", private.requests)
	}
}

func TestTemplateChecks(t *testing.T) {
	w := newWorldSQLite(t)
	ctx := context.Background()
	_, err := w.svc.Create(ctx, w.editor, herald.Feed{URL: "https://news.example/feed", Mode: herald.FeedQueue,
		AccountIDs: []int64{w.acct.ID}, Template: "{{title}} {{ author }} {{link}}"})
	if err == nil || !strings.Contains(err.Error(), "unknown placeholders {{author}}, {{link}}") {
		t.Fatalf("Create = %v, want both unknown placeholders named", err)
	}
	for _, bad := range []herald.Feed{
		{URL: "ftp://news.example/feed", Mode: herald.FeedQueue, AccountIDs: []int64{w.acct.ID}},
		{URL: "https://news.example/feed", Mode: "later", AccountIDs: []int64{w.acct.ID}},
		{URL: "https://news.example/feed", Mode: herald.FeedDraft},
		{URL: "https://news.example/feed", Mode: herald.FeedDraft, AccountIDs: []int64{999}},
		{URL: "https://news.example/feed", Mode: herald.FeedDraft, AccountIDs: []int64{w.acct.ID}, Template: "{{title"},
	} {
		if _, err := w.svc.Create(ctx, w.editor, bad); herald.ErrorCode(err) != herald.CodeInvalid {
			t.Errorf("Create(%+v) = %v, want invalid", bad, err)
		}
	}
	fs, err := w.svc.List(ctx, w.editor)
	must(t, err)
	if len(fs) != 0 {
		t.Fatalf("refused feeds were saved: %+v", fs)
	}
	contributor := w.editor
	contributor.Role = herald.RoleContributor
	if _, err := w.svc.Create(ctx, contributor, herald.Feed{URL: "https://news.example/feed", Mode: herald.FeedDraft,
		AccountIDs: []int64{w.acct.ID}}); herald.ErrorCode(err) != herald.CodeForbidden {
		t.Fatalf("a contributor created a feed: %v", err)
	}
}

func TestPreviewWritesNothing(t *testing.T) {
	w := newWorldSQLite(t)
	ctx := context.Background()
	srv := newFeedServer(t, rss(rssItem{"a", "Soon", "https://news.example/a", w.clock.Now().Add(time.Minute)}))
	f := w.addFeed(t, srv.URL, herald.FeedQueue)
	w.clock.add(time.Hour)
	res, err := w.svc.Preview(ctx, w.editor, f.ID)
	must(t, err)
	if !res.Preview || len(res.Posts) != 1 || res.Posts[0].Text != "New: Soon https://news.example/a" || res.Posts[0].PostID != 0 {
		t.Fatalf("preview = %+v", res)
	}
	if n := len(w.allPosts(t)); n != 0 {
		t.Fatalf("a preview made %d posts", n)
	}
	res, err = w.svc.Poll(ctx, w.editor, f.ID)
	must(t, err)
	if len(res.Posts) != 1 {
		t.Fatalf("the poll after the preview made %d posts, want 1", len(res.Posts))
	}
}
