package server

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"github.com/prometheus/client_golang/prometheus"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/heraldsocial/herald/internal/auth"
	"github.com/heraldsocial/herald/internal/config"
	"github.com/heraldsocial/herald/internal/herald"
	"github.com/heraldsocial/herald/internal/sqlite"
)

// syncBuffer is a log sink safe for the server's goroutines.
type syncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

type fixture struct {
	db     *sqlite.DB
	auth   *auth.Service
	srv    *Server
	logs   *syncBuffer
	secret string // an editor's API token in workspace 1
}

// testAPI stands in for the REST API: a few routes with path patterns.
func testAPI() (http.Handler, []string) {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /api/v1/workspaces/{workspace}/posts", func(w http.ResponseWriter, r *http.Request) {
		io.WriteString(w, `{"items":[]}`)
	})
	mux.HandleFunc("POST /api/v1/things", func(w http.ResponseWriter, r *http.Request) {
		p, ok := herald.PrincipalFrom(r.Context())
		w.WriteHeader(http.StatusCreated)
		json.NewEncoder(w).Encode(map[string]any{"authenticated": ok, "user_id": p.UserID, "request_id": RequestID(r.Context())})
	})
	mux.HandleFunc("GET /api/v1/panic", func(w http.ResponseWriter, r *http.Request) {
		panic("something broke")
	})
	mux.HandleFunc("POST /api/v1/echo", func(w http.ResponseWriter, r *http.Request) {
		b, err := io.ReadAll(r.Body)
		if err != nil {
			var tooBig *http.MaxBytesError
			if errors.As(err, &tooBig) {
				http.Error(w, "too large", http.StatusRequestEntityTooLarge)
				return
			}
			http.Error(w, "body not received: "+err.Error(), http.StatusRequestTimeout)
			return
		}
		io.WriteString(w, "got "+strconv.Itoa(len(b)))
	})
	mux.HandleFunc("GET /api/v1/addr", func(w http.ResponseWriter, r *http.Request) {
		io.WriteString(w, r.RemoteAddr)
	})
	return mux, []string{"GET /api/v1/workspaces/{workspace}/posts", "POST /api/v1/things", "GET /api/v1/panic", "POST /api/v1/things"}
}

func newFixture(t *testing.T, migrate bool, environ ...string) *fixture {
	t.Helper()
	ctx := context.Background()
	db, err := sqlite.Open(ctx, filepath.Join(t.TempDir(), "herald.db"))
	if err != nil {
		t.Fatalf("sqlite.Open: %v", err)
	}
	t.Cleanup(func() { db.Close() })
	if migrate {
		if err := db.Migrate(ctx); err != nil {
			t.Fatalf("Migrate: %v", err)
		}
	}
	cfg, err := config.Load(append([]string{"HERALD_DATA_DIR=" + t.TempDir(), "HERALD_SHUTDOWN_TIMEOUT=5s"}, environ...))
	if err != nil {
		t.Fatal(err)
	}
	logs := &syncBuffer{}
	logger := slog.New(slog.NewJSONHandler(logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	a := auth.New(db, herald.SystemClock{}, logger)
	api, routes := testAPI()
	f := &fixture{db: db, auth: a, logs: logs}
	f.srv = New(cfg, Deps{Store: db, Auth: a, Sessions: auth.NewSessionManager(db, false), API: api,
		APIRoutes: routes, Version: "v1.2.3"}, logger)
	if migrate {
		f.secret = mustToken(t, db, a)
	}
	return f
}

func mustToken(t *testing.T, db herald.Store, a *auth.Service) string {
	t.Helper()
	ctx := context.Background()
	u, err := a.CreateUser(ctx, "ana@example.com", "Ana", "a good long password")
	if err != nil {
		t.Fatal(err)
	}
	w := herald.Workspace{Name: "W", TimeZone: "UTC"}
	if err := db.CreateWorkspace(ctx, &w); err != nil {
		t.Fatal(err)
	}
	if err := db.AddMember(ctx, &herald.Membership{WorkspaceID: w.ID, UserID: u.ID, Role: herald.RoleEditor}); err != nil {
		t.Fatal(err)
	}
	actor, err := a.Actor(ctx, herald.Principal{UserID: u.ID}, w.ID)
	if err != nil {
		t.Fatal(err)
	}
	secret, _, err := a.CreateToken(ctx, actor, "test", herald.RoleEditor, nil)
	if err != nil {
		t.Fatal(err)
	}
	return secret
}

func (f *fixture) do(t *testing.T, method, path string, header map[string]string) *httptest.ResponseRecorder {
	t.Helper()
	req := httptest.NewRequest(method, "http://127.0.0.1:8080"+path, nil)
	for k, v := range header {
		req.Header.Set(k, v)
	}
	rec := httptest.NewRecorder()
	f.srv.Handler().ServeHTTP(rec, req)
	return rec
}

func TestHealthAndReady(t *testing.T) {
	f := newFixture(t, true)
	tests := []struct {
		name, path string
		status     int
		body       string
	}{
		{"healthz", "/healthz", 200, `{"status":"ok"}`},
		{"readyz", "/readyz", 200, `{"status":"ok"}`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rec := f.do(t, "GET", tt.path, nil)
			if rec.Code != tt.status || strings.TrimSpace(rec.Body.String()) != tt.body {
				t.Fatalf("%s = %d %s", tt.path, rec.Code, rec.Body)
			}
		})
	}
	t.Run("readyz with a closed store", func(t *testing.T) {
		f := newFixture(t, true)
		f.db.Close()
		rec := f.do(t, "GET", "/readyz", nil)
		if rec.Code != http.StatusServiceUnavailable || !strings.Contains(rec.Body.String(), `"reason":"the database is not answering"`) {
			t.Fatalf("readyz = %d %s", rec.Code, rec.Body)
		}
		if rec := f.do(t, "GET", "/healthz", nil); rec.Code != 200 {
			t.Errorf("healthz with a closed store = %d", rec.Code)
		}
	})
	t.Run("readyz before migrations", func(t *testing.T) {
		f := newFixture(t, false)
		rec := f.do(t, "GET", "/readyz", nil)
		if rec.Code != http.StatusServiceUnavailable || !strings.Contains(rec.Body.String(), "run herald migrate") {
			t.Fatalf("readyz = %d %s", rec.Code, rec.Body)
		}
	})
}

func TestReadyzChecksAndCollectors(t *testing.T) {
	f := newFixture(t, true)
	stuck := errors.New("no tick for 45s while 3 targets are due")
	gauge := prometheus.NewGauge(prometheus.GaugeOpts{Name: "herald_test_extra", Help: "An extra collector."})
	gauge.Set(7)
	f.srv = New(f.srv.cfg, Deps{Store: f.db, Auth: f.auth, Sessions: auth.NewSessionManager(f.db, false),
		Collectors: []prometheus.Collector{gauge},
		Checks:     map[string]func(context.Context) error{"publishing dispatcher": func(context.Context) error { return stuck }}},
		f.srv.logger)
	rec := f.do(t, "GET", "/readyz", nil)
	if rec.Code != http.StatusServiceUnavailable || !strings.Contains(rec.Body.String(), "publishing dispatcher: no tick") {
		t.Fatalf("readyz = %d %s", rec.Code, rec.Body)
	}
	rec = f.do(t, "GET", "/metrics", nil)
	if !strings.Contains(rec.Body.String(), "herald_test_extra 7") {
		t.Fatalf("metrics lack the extra collector:\n%s", rec.Body)
	}
}

func TestHome(t *testing.T) {
	f := newFixture(t, true)
	rec := f.do(t, "GET", "/", nil)
	body := rec.Body.String()
	if rec.Code != 200 || !strings.HasPrefix(rec.Header().Get("Content-Type"), "text/html") ||
		!strings.Contains(body, "Herald") || !strings.Contains(body, "v1.2.3") || !strings.Contains(body, `href="/api/openapi.json"`) {
		t.Fatalf("home = %d %s", rec.Code, body)
	}
	if rec := f.do(t, "GET", "/nothing-here", nil); rec.Code != 404 {
		t.Errorf("unknown path = %d", rec.Code)
	}
}

func TestMetricsLabelsByRoute(t *testing.T) {
	f := newFixture(t, true)
	f.do(t, "GET", "/api/v1/workspaces/7/posts", nil)
	f.do(t, "GET", "/api/v1/workspaces/8/posts", nil)
	f.do(t, "GET", "/no/such/page", nil)
	f.do(t, "GET", "/api/v1/nothing", nil)
	f.do(t, "GET", "/healthz", nil)
	rec := f.do(t, "GET", "/metrics", nil)
	body := rec.Body.String()
	if rec.Code != 200 {
		t.Fatalf("metrics = %d", rec.Code)
	}
	for _, want := range []string{
		`herald_http_requests_total{route="GET /api/v1/workspaces/{workspace}/posts",status="200"} 2`,
		`herald_http_requests_total{route="unmatched",status="404"} 2`,
		`herald_http_requests_total{route="GET /healthz",status="200"} 1`,
		`herald_http_request_duration_seconds_bucket{route="GET /api/v1/workspaces/{workspace}/posts",le="+Inf"} 2`,
		"go_goroutines",
		"process_",
	} {
		if !strings.Contains(body, want) {
			t.Errorf("metrics lack %q", want)
		}
	}
	if strings.Contains(body, "/workspaces/7") {
		t.Error("metrics contain a raw path")
	}
}

func TestRequestID(t *testing.T) {
	f := newFixture(t, true)
	hexID := regexp.MustCompile(`^[0-9a-f]{24}$`)
	tests := []struct {
		name, incoming string
		keep           bool
	}{
		{"sane incoming kept", "req-123_abc.def:1", true},
		{"none generated", "", false},
		{"spaces replaced", "a b", false},
		{"too long replaced", strings.Repeat("a", 65), false},
		{"newline injection replaced", "abc\r\nX-Evil: 1", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := map[string]string{"Authorization": "Bearer " + f.secret}
			if tt.incoming != "" {
				h["X-Request-Id"] = tt.incoming
			}
			rec := f.do(t, "POST", "/api/v1/things", h)
			got := rec.Header().Get("X-Request-Id")
			if tt.keep && got != tt.incoming || !tt.keep && !hexID.MatchString(got) {
				t.Fatalf("X-Request-Id = %q (incoming %q)", got, tt.incoming)
			}
			var body struct {
				RequestID string `json:"request_id"`
			}
			json.Unmarshal(rec.Body.Bytes(), &body)
			if body.RequestID != got {
				t.Errorf("handler saw request id %q, response says %q", body.RequestID, got)
			}
			if !strings.Contains(f.logs.String(), `"request_id":"`+got+`"`) {
				t.Errorf("no log line carries request_id %q", got)
			}
		})
	}
}

func TestAccessLog(t *testing.T) {
	f := newFixture(t, true)
	f.do(t, "GET", "/api/v1/workspaces/3/posts", map[string]string{"X-Request-Id": "access-1"})
	var found bool
	for _, line := range strings.Split(f.logs.String(), "\n") {
		if !strings.Contains(line, `"msg":"http request"`) || !strings.Contains(line, "access-1") {
			continue
		}
		found = true
		var e map[string]any
		if err := json.Unmarshal([]byte(line), &e); err != nil {
			t.Fatal(err)
		}
		if e["method"] != "GET" || e["route"] != "GET /api/v1/workspaces/{workspace}/posts" || e["status"] != 200.0 ||
			e["bytes"] != 12.0 || e["request_id"] != "access-1" {
			t.Errorf("access log = %s", line)
		}
		if _, ok := e["duration_ms"].(float64); !ok {
			t.Errorf("no duration_ms in %s", line)
		}
	}
	if !found {
		t.Fatalf("no access log line in %s", f.logs)
	}
}

func TestCrossOrigin(t *testing.T) {
	f := newFixture(t, true)
	cookie := auth.SessionCookie + "=whatever"
	tests := []struct {
		name   string
		header map[string]string
		status int
		authed bool
	}{
		{"cross-site with cookie refused", map[string]string{"Cookie": cookie, "Sec-Fetch-Site": "cross-site"}, 403, false},
		{"foreign origin refused", map[string]string{"Cookie": cookie, "Origin": "https://evil.example"}, 403, false},
		{"same origin allowed", map[string]string{"Cookie": cookie, "Sec-Fetch-Site": "same-origin"}, 201, false},
		{"no browser headers allowed", map[string]string{"Cookie": cookie}, 201, false},
		{"cross-site with bearer token allowed", map[string]string{"Authorization": "Bearer " + f.secret, "Sec-Fetch-Site": "cross-site", "Origin": "https://evil.example"}, 201, true},
		{"cross-site with bad bearer token is 401", map[string]string{"Authorization": "Bearer hrld_x", "Sec-Fetch-Site": "cross-site"}, 401, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rec := f.do(t, "POST", "/api/v1/things", tt.header)
			if rec.Code != tt.status {
				t.Fatalf("status = %d, want %d: %s", rec.Code, tt.status, rec.Body)
			}
			switch tt.status {
			case 403:
				var e errorBody
				if err := json.Unmarshal(rec.Body.Bytes(), &e); err != nil || e.Error.Code != herald.CodeForbidden || e.Error.Details == nil {
					t.Errorf("body = %s", rec.Body)
				}
			case 201:
				if tt.authed != strings.Contains(rec.Body.String(), `"authenticated":true`) {
					t.Errorf("body = %s", rec.Body)
				}
			}
		})
	}
}

func TestPanicGives500(t *testing.T) {
	f := newFixture(t, true)
	rec := f.do(t, "GET", "/api/v1/panic", map[string]string{"X-Request-Id": "boom-1"})
	want := `{"error":{"code":"internal","message":"internal error","details":[]}}`
	if rec.Code != 500 || strings.TrimSpace(rec.Body.String()) != want {
		t.Fatalf("panic = %d %s", rec.Code, rec.Body)
	}
	if rec.Header().Get("X-Request-Id") != "boom-1" {
		t.Errorf("request id lost on panic")
	}
	logs := f.logs.String()
	if n := strings.Count(logs, "something broke"); n != 1 {
		t.Errorf("panic logged %d times, want once:\n%s", n, logs)
	}
	if !strings.Contains(logs, `"route":"GET /api/v1/panic","status":500`) {
		t.Errorf("access log lacks the 500:\n%s", logs)
	}
	if m := f.do(t, "GET", "/metrics", nil).Body.String(); !strings.Contains(m, `herald_http_requests_total{route="GET /api/v1/panic",status="500"} 1`) {
		t.Error("metrics lack the 500")
	}
}

func TestRunShutsDownGracefully(t *testing.T) {
	f := newFixture(t, true)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- f.srv.Run(ctx, ln) }()
	url := "http://" + ln.Addr().String() + "/healthz"
	var resp *http.Response
	for range 100 {
		if resp, err = http.Get(url); err == nil {
			break
		}
		time.Sleep(20 * time.Millisecond)
	}
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 200 {
		t.Fatalf("healthz = %d", resp.StatusCode)
	}
	cancel()
	if err := <-done; err != nil {
		t.Fatalf("Run = %v", err)
	}
	if _, err := http.Get(url); err == nil {
		t.Error("still serving after shutdown")
	}
}
