package links

import (
	"context"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/heraldsocial/herald/internal/herald"
	"github.com/heraldsocial/herald/internal/sqlite"
)

// discardClicks is a store whose clicks go nowhere, to time the
// redirect without the recorder's writes competing for the CPU.
type discardClicks struct{ herald.Store }

func (discardClicks) RecordClicks(context.Context, []herald.Click) error { return nil }

// benchWorld is a SQLite store with one target's link and the service
// started; its recorder writes the clicks to the store as in production
// unless discard is set.
func benchWorld(b *testing.B, discard bool) (*Service, string) {
	b.Helper()
	ctx := b.Context()
	st, err := sqlite.Open(ctx, filepath.Join(b.TempDir(), "herald.db"))
	must(b, err)
	b.Cleanup(func() { st.Close() })
	must(b, st.Migrate(ctx))
	now := time.Now().UTC().Truncate(time.Microsecond)
	ws := herald.Workspace{Name: "Bench", TimeZone: "UTC", CreatedAt: now, UpdatedAt: now}
	must(b, st.CreateWorkspace(ctx, &ws))
	u := herald.User{Email: "b@example.com", Name: "b", PasswordHash: "x", CreatedAt: now, UpdatedAt: now}
	must(b, st.CreateUser(ctx, &u))
	acct := herald.Account{WorkspaceID: ws.ID, Platform: herald.PlatformMastodon, RemoteID: "1", Handle: "@b",
		Status: herald.AccountConnected, Credentials: herald.Sealed{KeyID: "k", Ciphertext: []byte(`{}`)}, CreatedAt: now, UpdatedAt: now}
	must(b, st.CreateAccount(ctx, &acct))
	p := herald.Post{WorkspaceID: ws.ID, AuthorID: u.ID, Text: "x", CreatedAt: now, UpdatedAt: now,
		Targets: []herald.Target{{AccountID: acct.ID, State: herald.StateDraft, CreatedAt: now, UpdatedAt: now}}}
	must(b, st.CreatePost(ctx, &p))
	var store herald.Store = st
	if discard {
		store = discardClicks{st}
	}
	svc, err := New(store, Options{BaseURL: testBase, Sealer: mustKeys(b), Logger: slog.New(slog.DiscardHandler)})
	must(b, err)
	svc.Start(context.WithoutCancel(ctx))
	b.Cleanup(func() { _ = svc.Close(context.Background()) })
	out, err := svc.Rewrite(ctx, RewriteInput{WorkspaceID: ws.ID, TargetID: p.Targets[0].ID, PostID: p.ID,
		Platform: herald.PlatformMastodon, Texts: []string{"https://bakery.example/bread?loaf=rye#oven"}})
	must(b, err)
	code, ok := codeIn(out[0])
	if !ok {
		b.Fatalf("not rewritten: %q", out[0])
	}
	return svc, code
}

// BenchmarkRedirect is one person's click on a known code (a cache hit),
// through the handler's mux into an httptest recorder: what the redirect
// itself costs, its click queued but not written.
func BenchmarkRedirect(b *testing.B) { benchRedirect(b, true) }

// BenchmarkRedirectSQLite is BenchmarkRedirect with the recorder writing
// every click to SQLite in the background, as in production.
func BenchmarkRedirectSQLite(b *testing.B) { benchRedirect(b, false) }

func benchRedirect(b *testing.B, discard bool) {
	svc, code := benchWorld(b, discard)
	h := svc.Handler()
	r := httptest.NewRequest(http.MethodGet, "/l/"+code, nil)
	r.RemoteAddr = "198.51.100.23:50312"
	r.Header.Set("User-Agent", chromeUA)
	warm := httptest.NewRecorder()
	h.ServeHTTP(warm, r)
	if warm.Code != http.StatusFound {
		b.Fatalf("warm-up: %d", warm.Code)
	}
	b.ReportAllocs()
	for b.Loop() {
		w := httptest.NewRecorder()
		h.ServeHTTP(w, r)
		if w.Code != http.StatusFound {
			b.Fatalf("%d", w.Code)
		}
	}
}

// BenchmarkRedirectParallel is BenchmarkRedirectSQLite from every CPU at
// once.
func BenchmarkRedirectParallel(b *testing.B) {
	svc, code := benchWorld(b, false)
	h := svc.Handler()
	b.ReportAllocs()
	b.RunParallel(func(pb *testing.PB) {
		r := httptest.NewRequest(http.MethodGet, "/l/"+code, nil)
		r.RemoteAddr = "198.51.100.23:50312"
		r.Header.Set("User-Agent", chromeUA)
		for pb.Next() {
			w := httptest.NewRecorder()
			h.ServeHTTP(w, r)
		}
	})
}

// BenchmarkRedirectAt2000 sends b.N requests over loopback HTTP at 2,000
// a second (run it with -benchtime=10000x for five seconds) and reports
// the latency percentiles each request saw, with the recorder writing
// every click to SQLite meanwhile ("sqlite") and without ("no-writes").
// The load comes from the same process, so it shares the CPUs.
func BenchmarkRedirectAt2000(b *testing.B) {
	b.Run("sqlite", func(b *testing.B) { benchRedirectAt2000(b, false) })
	b.Run("no-writes", func(b *testing.B) { benchRedirectAt2000(b, true) })
}

func benchRedirectAt2000(b *testing.B, discard bool) {
	svc, code := benchWorld(b, discard)
	srv := httptest.NewServer(svc.Handler())
	b.Cleanup(srv.Close)
	client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 64},
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	const rate = 2000
	var mu sync.Mutex
	lat := make([]time.Duration, 0, b.N)
	jobs := make(chan struct{}, 256)
	var wg sync.WaitGroup
	for range 64 {
		wg.Go(func() {
			for range jobs {
				req, _ := http.NewRequest(http.MethodGet, srv.URL+"/l/"+code, nil)
				req.Header.Set("User-Agent", chromeUA)
				start := time.Now()
				resp, err := client.Do(req)
				d := time.Since(start)
				if err != nil {
					b.Error(err)
					continue
				}
				_, _ = io.Copy(io.Discard, resp.Body)
				resp.Body.Close()
				if resp.StatusCode != http.StatusFound {
					b.Errorf("status %d", resp.StatusCode)
				}
				mu.Lock()
				lat = append(lat, d)
				mu.Unlock()
			}
		})
	}
	b.ResetTimer()
	start := time.Now()
	for i := range b.N {
		if wait := time.Until(start.Add(time.Duration(i) * time.Second / rate)); wait > 0 {
			time.Sleep(wait)
		}
		jobs <- struct{}{}
	}
	close(jobs)
	wg.Wait()
	b.StopTimer()
	slices.Sort(lat)
	if len(lat) == 0 {
		return
	}
	pct := func(p float64) float64 { return float64(lat[int(p*float64(len(lat)-1))].Microseconds()) / 1000 }
	b.ReportMetric(pct(0.50), "p50-ms")
	b.ReportMetric(pct(0.99), "p99-ms")
	b.ReportMetric(float64(lat[len(lat)-1].Microseconds())/1000, "max-ms")
	if f := svc.Recorder().Stats(); f.Dropped != 0 || f.Failed != 0 {
		b.Errorf("recorder %+v", f)
	}
}
