package connector_test

import (
	"context"
	"errors"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/heraldsocial/herald/internal/connector"
	"github.com/heraldsocial/herald/internal/outbound"
)

func TestParseRetryAfter(t *testing.T) {
	now := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
	tests := []struct {
		name   string
		header map[string]string
		want   time.Duration
	}{
		{"none", nil, 0},
		{"seconds", map[string]string{"Retry-After": "120"}, 2 * time.Minute},
		{"fractional seconds", map[string]string{"Retry-After": "1.5"}, 1500 * time.Millisecond},
		{"HTTP date", map[string]string{"Retry-After": "Sun, 01 Mar 2026 12:00:30 GMT"}, 30 * time.Second},
		{"HTTP date in the past", map[string]string{"Retry-After": "Sun, 01 Mar 2026 11:00:00 GMT"}, 0},
		{"negative", map[string]string{"Retry-After": "-5"}, 0},
		{"garbage Retry-After falls through", map[string]string{"Retry-After": "soon", "RateLimit-Reset": "7"}, 7 * time.Second},
		{"X-RateLimit-Reset unix", map[string]string{"X-RateLimit-Reset": "1772366460"}, time.Minute},
		{"x-rate-limit-reset unix", map[string]string{"x-rate-limit-reset": "1772366405"}, 5 * time.Second},
		{"X-RateLimit-Reset ISO 8601 (Mastodon)", map[string]string{"X-RateLimit-Reset": "2026-03-01T12:05:00.000Z"}, 5 * time.Minute},
		{"X-RateLimit-Reset seconds", map[string]string{"X-RateLimit-Reset": "42"}, 42 * time.Second},
		{"RateLimit-Reset", map[string]string{"RateLimit-Reset": "10"}, 10 * time.Second},
		{"RateLimit-Reset unix (Bluesky)", map[string]string{"RateLimit-Reset": "1772366490"}, 90 * time.Second},
		{"RateLimit-Reset unix in the past", map[string]string{"RateLimit-Reset": "1772366000"}, 0},
		{"Retry-After wins", map[string]string{"Retry-After": "3", "X-RateLimit-Reset": "1772366460"}, 3 * time.Second},
		{"absurd", map[string]string{"Retry-After": "99999999999"}, 366 * 24 * time.Hour},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := http.Header{}
			for k, v := range tt.header {
				h.Set(k, v)
			}
			if got := connector.ParseRetryAfter(h, now); got != tt.want {
				t.Errorf("ParseRetryAfter = %v, want %v", got, tt.want)
			}
		})
	}
}

func TestClassify(t *testing.T) {
	now := time.Now()
	tests := []struct {
		name       string
		status     int
		header     map[string]string
		body       string
		class      connector.Class
		message    string
		retryAfter time.Duration
	}{
		{"ok", 200, nil, `{}`, "", "", 0},
		{"rate limited", 429, map[string]string{"Retry-After": "30"}, `{"error":"Too many requests"}`, connector.RateLimited, "Too many requests", 30 * time.Second},
		{"rate limited by a proxy page", 429, map[string]string{"Retry-After": "5"}, `<html>slow down</html>`, connector.RateLimited, "HTML page", 5 * time.Second},
		{"server error", 500, nil, `{"error":"boom"}`, connector.Transient, "boom", 0},
		{"unavailable with retry", 503, map[string]string{"Retry-After": "2"}, ``, connector.Transient, "empty body", 2 * time.Second},
		{"expired token", 401, nil, `{"error":"The access token expired"}`, connector.AuthExpired, "The access token expired", 0},
		{"expired in header", 401, map[string]string{"WWW-Authenticate": `Bearer error="invalid_token", error_description="The access token expired"`}, ``, connector.AuthExpired, "", 0},
		{"invalid token", 401, nil, `{"error":"The access token is invalid"}`, connector.AuthRevoked, "The access token is invalid", 0},
		{"forbidden", 403, nil, `{"error":"This action is outside the authorized scopes"}`, connector.AuthRevoked, "outside the authorized scopes", 0},
		{"validation", 422, nil, `{"error":"Validation failed: Text character limit of 500 exceeded"}`, connector.Invalid, "Validation failed: Text character limit of 500 exceeded", 0},
		{"bad request, nested message", 400, nil, `{"error":{"message":"bad media id"}}`, connector.Invalid, "bad media id", 0},
		{"errors list", 400, nil, `{"errors":[{"message":"one"},{"detail":"two"}]}`, connector.Invalid, "one: two", 0},
		{"oauth error", 400, nil, `{"error":"invalid_grant","error_description":"expired grant"}`, connector.Invalid, "invalid_grant: expired grant", 0},
		{"not found", 404, nil, `{"error":"Record not found"}`, connector.Invalid, "Record not found", 0},
		{"conflict", 409, nil, `{"error":"in progress"}`, connector.Transient, "in progress", 0},
		{"HTML error page", 400, map[string]string{"Content-Type": "text/html"}, `<!DOCTYPE html><p>oops`, connector.Transient, "HTML page", 0},
		{"truncated JSON", 422, nil, `{"error":"Valid`, connector.Transient, "truncated or malformed JSON", 0},
		{"HTML 403 from a firewall", 403, nil, `<html><body>blocked</body></html>`, connector.Transient, "HTML page", 0},
		{"plain text", 400, nil, "nope\n\nnot here", connector.Transient, "HTTP 400 with text that is not its API's JSON", 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := http.Header{}
			for k, v := range tt.header {
				h.Set(k, v)
			}
			e := connector.Classify(tt.status, h, []byte(tt.body), now)
			if tt.class == "" {
				if e != nil {
					t.Fatalf("Classify = %v, want nil", e)
				}
				return
			}
			if e == nil {
				t.Fatal("Classify = nil")
			}
			if e.Class != tt.class || e.Status != tt.status || e.RetryAfter != tt.retryAfter || !strings.Contains(e.Message, tt.message) {
				t.Errorf("Classify = %+v, want class %s, message containing %q, retry after %v", e, tt.class, tt.message, tt.retryAfter)
			}
		})
	}
}

func TestDo(t *testing.T) {
	hang := make(chan struct{})
	t.Cleanup(func() { close(hang) })
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, _ = io.Copy(io.Discard, r.Body)
		switch r.URL.Path {
		case "/ok":
			_, _ = io.WriteString(w, `{"id":"1"}`)
		case "/hang":
			select {
			case <-hang:
			case <-r.Context().Done():
			}
		case "/drop":
			panic(http.ErrAbortHandler)
		case "/short":
			w.Header().Set("Content-Length", "100")
			_, _ = io.WriteString(w, `{"id":`)
		case "/big":
			_, _ = io.WriteString(w, strings.Repeat("x", 100))
		}
	}))
	t.Cleanup(srv.Close)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	refused := "http://" + ln.Addr().String()
	ln.Close()

	tests := []struct {
		name    string
		method  string
		url     string
		maxBody int64
		class   connector.Class // "" for success
	}{
		{"ok", http.MethodPost, srv.URL + "/ok", 0, ""},
		{"refused", http.MethodPost, refused + "/ok", 0, connector.Transient},
		{"POST times out after sending", http.MethodPost, srv.URL + "/hang", 0, connector.Ambiguous},
		{"GET times out", http.MethodGet, srv.URL + "/hang", 0, connector.Transient},
		{"POST dropped", http.MethodPost, srv.URL + "/drop", 0, connector.Ambiguous},
		{"DELETE dropped", http.MethodDelete, srv.URL + "/drop", 0, connector.Transient},
		{"POST body cut short", http.MethodPost, srv.URL + "/short", 0, connector.Ambiguous},
		{"GET body cut short", http.MethodGet, srv.URL + "/short", 0, connector.Transient},
		{"body over the limit", http.MethodPost, srv.URL + "/big", 10, connector.Ambiguous},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ctx, cancel := context.WithTimeout(t.Context(), 300*time.Millisecond)
			defer cancel()
			req, err := http.NewRequestWithContext(ctx, tt.method, tt.url, strings.NewReader("status=x"))
			if err != nil {
				t.Fatal(err)
			}
			res, err := connector.Do(srv.Client(), req, tt.maxBody)
			if tt.class == "" {
				if err != nil || res.Status != 200 || string(res.Body) != `{"id":"1"}` {
					t.Fatalf("Do = %+v, %v", res, err)
				}
				return
			}
			var e *connector.Error
			if !errors.As(err, &e) || e.Class != tt.class {
				t.Fatalf("Do error %v, want class %s", err, tt.class)
			}
		})
	}
}

func TestRepeatable(t *testing.T) {
	amb := &connector.Error{Class: connector.Ambiguous, Message: "m"}
	if got := connector.ClassOf(connector.Repeatable(amb)); got != connector.Transient {
		t.Errorf("Repeatable(ambiguous) class %s", got)
	}
	if amb.Class != connector.Ambiguous {
		t.Error("Repeatable changed its argument")
	}
	inv := &connector.Error{Class: connector.Invalid}
	if connector.Repeatable(inv) != error(inv) {
		t.Error("Repeatable changed an invalid error")
	}
	if connector.Repeatable(nil) != nil {
		t.Error("Repeatable(nil) != nil")
	}
}

func TestParseRateLimit(t *testing.T) {
	for _, tt := range []struct {
		h    http.Header
		want int
	}{
		{http.Header{}, 0},
		{http.Header{"X-Ratelimit-Limit": {"300"}}, 300},
		{http.Header{"X-Rate-Limit-Limit": {"50"}}, 50},
		{http.Header{"Ratelimit-Limit": {"100, 100;w=60"}}, 100},
		{http.Header{"X-Ratelimit-Limit": {"lots"}}, 0},
	} {
		if got := connector.ParseRateLimit(tt.h); got != tt.want {
			t.Errorf("ParseRateLimit(%v) = %d, want %d", tt.h, got, tt.want)
		}
	}
	e := connector.Classify(http.StatusTooManyRequests, http.Header{"X-Ratelimit-Limit": {"30"}, "Retry-After": {"5"}}, nil, time.Now())
	if e.Limit != 30 || e.RetryAfter != 5*time.Second {
		t.Errorf("a 429 classified with Limit %d, RetryAfter %v; want 30, 5s", e.Limit, e.RetryAfter)
	}
}

func TestDoRefusedAddress(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		t.Error("the refused server got a request")
	}))
	t.Cleanup(srv.Close)
	req, err := http.NewRequestWithContext(t.Context(), http.MethodPost, srv.URL+"/api/v1/statuses", strings.NewReader("status=x"))
	if err != nil {
		t.Fatal(err)
	}
	_, err = connector.Do(outbound.NewClient(outbound.Options{}), req, 0)
	var e *connector.Error
	if !errors.As(err, &e) || e.Class != connector.Invalid ||
		!strings.HasPrefix(e.Message, "refusing to connect to 127.0.0.1: a loopback address; set HERALD_ALLOW_PRIVATE_NETWORKS=true") {
		t.Fatalf("Do error %v, want Invalid with the refusal as its message", err)
	}
}
