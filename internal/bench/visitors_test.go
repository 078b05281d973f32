package bench

import (
	"context"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"sync/atomic"
	"testing"
	"time"
)

// visitorsEnv marks this test binary, started again by a test, as the
// visitors' process.
const visitorsEnv = "HERALD_BENCH_TEST_VISITORS"

func TestMain(m *testing.M) {
	if os.Getenv(visitorsEnv) == "1" {
		if err := RunVisitors(context.Background(), os.Stdin, os.Stdout); err != nil {
			os.Stderr.WriteString(err.Error())
			os.Exit(1)
		}
		os.Exit(0)
	}
	os.Exit(m.Run())
}

// TestRunRedirectsApart: the same small workload with the visitors in a
// process of their own (this test binary started again as
// herald bench visitors would be): every redirect a 302, every click
// recorded, the figures said to come from apart.
func TestRunRedirectsApart(t *testing.T) {
	t.Setenv(visitorsEnv, "1") // read by the child only: this process is past TestMain
	res := mustRun(t, Config{Posts: 300, Window: 2 * time.Second, Lead: 2 * time.Second, Accounts: 5, Redirects: 100,
		VisitorsCommand: []string{os.Args[0]}})
	if res.Lost != 0 || res.Duplicated != 0 {
		t.Errorf("lost %d, duplicated %d; want 0 and 0", res.Lost, res.Duplicated)
	}
	r := res.Redirect
	if r == nil {
		t.Fatalf("no redirect figures in %+v", res)
	}
	if !r.VisitorsApart || r.Sent < 150 || r.Failed != 0 || r.ClicksSent != r.Sent+r.Links || r.P50MS <= 0 {
		t.Errorf("redirects %+v; want about 200 sent from apart, every one answered", *r)
	}
	if r.ClicksRecorded != int64(r.ClicksSent) || r.Dropped != 0 || r.FailedWrites != 0 {
		t.Errorf("redirects %+v; want every click sent recorded", *r)
	}
}

// TestVisit: the visitors send the plan's requests on schedule, count an
// answer that is not a 302 with a Location as failed and say why, and
// connect again after the server closes a connection.
func TestVisit(t *testing.T) {
	var calls atomic.Int64
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		calls.Add(1)
		switch {
		case r.URL.Path == "/l/bad":
			http.Error(w, "no such link", http.StatusNotFound)
		case r.URL.Path == "/l/close":
			w.Header().Set("Connection", "close")
			http.Redirect(w, r, "https://shop.example/", http.StatusFound)
		case strings.HasPrefix(r.URL.Path, "/l/") && r.UserAgent() == redirectUA:
			http.Redirect(w, r, "https://shop.example/", http.StatusFound)
		default:
			http.Error(w, "unexpected", http.StatusTeapot)
		}
	}))
	defer srv.Close()
	addr := srv.Listener.Addr().(*net.TCPAddr).String()
	from := time.Now().Add(50 * time.Millisecond)
	res := Visit(t.Context(), VisitorsPlan{Addr: addr, Codes: []string{"ok", "close", "bad", "ok"}, Rate: 200,
		From: from, Until: from.Add(395 * time.Millisecond)})
	if len(res.Latency) != 80 || len(res.Lag) != 80 {
		t.Fatalf("%d latencies, %d lags; want 80 each (200/s over 0.4 s)", len(res.Latency), len(res.Lag))
	}
	if res.Failed != 20 || !strings.Contains(res.FirstError, "HTTP 404") {
		t.Errorf("failed %d (%q); want the 20 requests for /l/bad, with their status", res.Failed, res.FirstError)
	}
	for i, d := range res.Latency {
		if d <= 0 || res.Lag[i] < 0 || res.Lag[i] > d {
			t.Fatalf("request %d: latency %s, lag %s; want 0 <= lag <= latency, latency > 0", i, d, res.Lag[i])
		}
	}
	if n := calls.Load(); n != 80 {
		t.Errorf("the server answered %d requests, want 80", n)
	}
}
