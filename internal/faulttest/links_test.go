package faulttest

import (
	"io"
	"net/http"
	"testing"
	"time"

	"github.com/heraldsocial/herald/internal/herald"
)

// TestClicksSurviveKill follows a tracked link against a real `herald
// serve` with its default settings: the clicks recorded more than the
// flush interval (1 s) before a kill -9 are all there after it, the ones
// of the last interval may be lost but never counted twice, and a clean
// stop writes every pending click.
func TestClicksSurviveKill(t *testing.T) {
	s := newSQLiteSite(t)
	ctx := t.Context()
	now := time.Now().UTC().Truncate(time.Microsecond)
	ws := herald.Workspace{Name: "Links", TimeZone: "UTC", CreatedAt: now, UpdatedAt: now}
	if err := s.store.CreateWorkspace(ctx, &ws); err != nil {
		t.Fatal(err)
	}
	made, err := s.store.PutLinks(ctx, []herald.Link{{WorkspaceID: ws.ID, Code: "KiLL9tst", URL: "https://shop.example.com/",
		Destination: "https://shop.example.com/?utm_medium=social", CreatedAt: now}})
	if err != nil {
		t.Fatal(err)
	}
	clicks := func() int64 {
		t.Helper()
		list, err := s.store.ListLinks(ctx, ws.ID, time.Time{}, time.Time{}, 10)
		if err != nil || len(list) != 1 {
			t.Fatalf("links = %+v, %v", list, err)
		}
		return list[0].Clicks
	}
	client := &http.Client{Timeout: 5 * time.Second,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	follow := func(p *serveProc, n int) {
		t.Helper()
		for range n {
			req, _ := http.NewRequestWithContext(ctx, http.MethodGet, p.url+"/l/"+made[0].Code, nil)
			req.Header.Set("User-Agent", "Mozilla/5.0 (X11; Linux x86_64; rv:140.0) Gecko/20100101 Firefox/140.0")
			res, err := client.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			_, _ = io.Copy(io.Discard, res.Body)
			res.Body.Close()
			if res.StatusCode != http.StatusFound {
				t.Fatalf("redirect status %d", res.StatusCode)
			}
		}
	}

	first := startServe(t, "herald serve #1", s.env...)
	first.waitReady(t)
	follow(first, 300)
	time.Sleep(2500 * time.Millisecond) // more than the 1 s flush interval
	follow(first, 100)                  // within the last interval: may be lost
	first.kill(t)
	got := clicks()
	if got < 300 || got > 400 {
		t.Fatalf("%d clicks after kill -9, want 300 (written before the last interval) to 400", got)
	}

	second := startServe(t, "herald serve #2", s.env...)
	second.waitReady(t)
	follow(second, 50)
	second.stop(t) // a clean stop writes what is pending
	if after := clicks(); after != got+50 {
		t.Fatalf("%d clicks after a clean stop, want %d", after, got+50)
	}
}
