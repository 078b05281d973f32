package x

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/heraldsocial/herald/internal/connector"
	"github.com/heraldsocial/herald/internal/herald"
)

// TestMisbehavingServer runs every call against a tiny server that gives
// one bad answer to everything: each call must end in a classified error
// (or a harmless result), never a panic, and a publish must never end as
// a plain failure when the post may exist.
func TestMisbehavingServer(t *testing.T) {
	tests := []struct {
		name        string
		status      int
		ctype       string
		body        string
		header      http.Header
		publish     connector.Class // class of Publish's error
		read        connector.Class // class of the reads' errors ("" : no error)
		checkMetric bool
	}{
		{name: "html error page", status: 500, ctype: "text/html", body: "<!doctype html><h1>Oops</h1>",
			publish: connector.Ambiguous, read: connector.Transient},
		{name: "html page with 200", status: 200, ctype: "text/html", body: "<html>maintenance</html>",
			publish: connector.Ambiguous, read: connector.Transient},
		{name: "truncated json", status: 201, ctype: "application/json", body: `{"data":{"id":"1`,
			publish: connector.Ambiguous, read: connector.Transient},
		{name: "truncated error json", status: 400, ctype: "application/json", body: `{"title":"Inv`,
			publish: connector.Ambiguous, read: connector.Transient},
		{name: "html page with 403", status: 403, ctype: "text/html", body: "<html><body>Access denied</body></html>",
			publish: connector.Ambiguous, read: connector.Transient},
		{name: "unexpected fields", status: 201, ctype: "application/json", body: `{"data":{"id":"123","text":"hi","surprise":{"a":[1,2]}},"meta":7}`,
			publish: "", read: ""},
		{name: "500 with json", status: 500, ctype: "application/json", body: `{"title":"Internal Error","detail":"boom","type":"about:blank"}`,
			publish: connector.Ambiguous, read: connector.Transient},
		{name: "empty 200", status: 200, ctype: "application/json", body: "",
			publish: connector.Ambiguous, read: connector.Transient},
		{name: "429 without headers", status: 429, ctype: "application/json", body: `{"title":"Too Many Requests"}`,
			publish: connector.RateLimited, read: connector.RateLimited},
		{name: "json of another shape", status: 200, ctype: "application/json", body: `["not","an","object"]`,
			publish: connector.Ambiguous, read: connector.Transient},
		{name: "null data", status: 200, ctype: "application/json", body: `{"data":null}`,
			publish: connector.Ambiguous, read: "", checkMetric: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ts := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				for k, v := range tt.header {
					w.Header()[k] = v
				}
				w.Header().Set("Content-Type", tt.ctype)
				w.WriteHeader(tt.status)
				_, _ = w.Write([]byte(tt.body))
			}))
			defer ts.Close()
			c := New(ts.Client(), WithClient("id", ""), WithBaseURL(ts.URL), WithPollInterval(time.Millisecond, time.Millisecond))
			acct := account2()
			_, err := c.Publish(ctx(t), acct, connector.Part{Text: "hello"})
			check(t, "publish", err, tt.publish)
			if tt.name == "unexpected fields" {
				return
			}
			_, _, err = c.Find(ctx(t), acct, connector.Part{Text: "hello"})
			check(t, "find", err, tt.read)
			got, err := c.Metrics(ctx(t), acct, []herald.RemoteRef{{ID: "1"}})
			check(t, "metrics", err, tt.read)
			if tt.checkMetric && len(got) != 0 {
				t.Errorf("metrics from an empty answer: %v", got)
			}
			_, _, err = c.Mentions(ctx(t), acct, "")
			check(t, "mentions", err, tt.read)
			_, _, err = c.DirectMessages(ctx(t), acct, "")
			check(t, "direct messages", err, tt.read)
			if connector.DMRefused(err) != "" {
				t.Errorf("direct messages: %v taken for a refusal", err)
			}
			_, _, err = c.FindDM(ctx(t), acct, "1-2", "hello", time.Now().Add(-time.Hour))
			check(t, "find a direct message", err, tt.read)
			_, _, err = c.Refresh(ctx(t), connector.Account{Credentials: MarshalCredentials(Credentials{AccessToken: "a", RefreshToken: "r"})})
			if err == nil && tt.status >= 300 {
				t.Errorf("refresh succeeded against HTTP %d", tt.status)
			}
		})
	}
}

func check(t *testing.T, what string, err error, want connector.Class) {
	t.Helper()
	if want == "" {
		if err != nil {
			t.Errorf("%s: %v; want no error", what, err)
		}
		return
	}
	if err == nil {
		t.Errorf("%s: no error; want %s", what, want)
		return
	}
	if got := classOf(t, err); got != want {
		t.Errorf("%s: class %s; want %s (%v)", what, got, want, err)
	}
}

func TestClassify(t *testing.T) {
	now := time.Unix(1_900_000_000, 0)
	tests := []struct {
		name       string
		status     int
		body       string
		header     http.Header
		canRefresh bool
		class      connector.Class
		message    string
		retry      time.Duration
	}{
		{name: "ok", status: 200, class: ""},
		{name: "401 with refresh token", status: 401, body: `{"title":"Unauthorized","type":"about:blank","status":401,"detail":"Unauthorized"}`,
			canRefresh: true, class: connector.AuthExpired, message: "Unauthorized"},
		{name: "401 without refresh token", status: 401, body: `{"title":"Unauthorized","detail":"Unauthorized"}`,
			class: connector.AuthRevoked},
		{name: "403 duplicate", status: 403, body: `{"detail":"You are not allowed to create a Tweet with duplicate content.","type":"about:blank","title":"Forbidden","status":403}`,
			class: connector.Invalid, message: "duplicate content"},
		{name: "403 suspended", status: 403, body: `{"detail":"Your account is suspended and is not permitted to access this feature.","title":"Forbidden","type":"about:blank"}`,
			class: connector.AuthRevoked},
		{name: "403 client forbidden", status: 403, body: `{"type":"https://api.x.com/2/problems/client-forbidden","title":"Client Forbidden","reason":"client-not-enrolled","detail":"attach the app to a project"}`,
			class: connector.AuthRevoked},
		{name: "403 resource", status: 403, body: `{"type":"https://api.x.com/2/problems/not-authorized-for-resource","title":"Forbidden","detail":"Sorry, you are not authorized to see the Tweet.","resource_type":"tweet"}`,
			class: connector.Invalid},
		{name: "400 invalid request", status: 400, body: `{"errors":[{"message":"The text field is too long"}],"title":"Invalid Request","detail":"One or more parameters to your request was invalid.","type":"https://api.x.com/2/problems/invalid-request"}`,
			class: connector.Invalid, message: "One or more parameters"},
		{name: "429 with epoch reset", status: 429, body: `{"title":"Too Many Requests","detail":"Too Many Requests","type":"about:blank","status":429}`,
			header: http.Header{"X-Rate-Limit-Reset": {"1900000900"}, "X-Rate-Limit-Remaining": {"0"}}, class: connector.RateLimited, retry: 900 * time.Second},
		{name: "429 usage capped", status: 429, body: `{"title":"UsageCapExceeded","detail":"Usage cap exceeded: Monthly product cap","type":"https://api.twitter.com/2/problems/usage-capped"}`,
			class: connector.RateLimited, message: "Usage cap exceeded"},
		{name: "503", status: 503, body: `{"title":"Service Unavailable","detail":"Service Unavailable","type":"about:blank"}`,
			header: http.Header{"Retry-After": {"5"}}, class: connector.Transient, retry: 5 * time.Second},
		{name: "403 html", status: 403, body: "<html>blocked</html>", class: connector.Transient},
		{name: "401 empty body", status: 401, canRefresh: true, class: connector.AuthExpired},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := tt.header
			if h == nil {
				h = http.Header{}
			}
			e := classify(&connector.Response{Status: tt.status, Header: h, Body: []byte(tt.body)}, tt.canRefresh, now)
			if tt.class == "" {
				if e != nil {
					t.Fatalf("classify = %v; want nil", e)
				}
				return
			}
			if e == nil || e.Class != tt.class {
				t.Fatalf("classify = %v; want %s", e, tt.class)
			}
			if !strings.Contains(e.Message, tt.message) {
				t.Errorf("message = %q; want it to contain %q", e.Message, tt.message)
			}
			if e.RetryAfter != tt.retry {
				t.Errorf("RetryAfter = %v; want %v", e.RetryAfter, tt.retry)
			}
		})
	}
}
