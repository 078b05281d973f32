package mastodon_test

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/heraldsocial/herald/internal/connector"
	"github.com/heraldsocial/herald/internal/connector/mastodon"
	"github.com/heraldsocial/herald/internal/herald"
)

// TestMisbehavingInstance sends the connector answers no well-behaved
// instance gives: each must be a classified error (never a panic), and a
// post that may exist must be Ambiguous, never lost.
func TestMisbehavingInstance(t *testing.T) {
	reset := time.Now().Add(90 * time.Second).UTC().Format("2006-01-02T15:04:05.000Z")
	tests := []struct {
		name    string
		status  int
		ctype   string
		body    string
		header  map[string]string
		op      string // publish, metrics, delete, limits, find
		want    connector.Class
		wantNil bool
		msg     string
	}{
		{"HTML 502 on publish", 502, "text/html", "<html><body>Bad Gateway</body></html>", nil, "publish", connector.Ambiguous, false, ""},
		{"HTML 503 page on publish", 503, "text/html", "<!DOCTYPE html><html>maintenance</html>", nil, "publish", connector.Transient, false, ""},
		{"500 on a read", 500, "application/json", `{"error":"boom"}`, nil, "metrics", connector.Transient, false, "boom"},
		{"truncated JSON 200 on publish", 200, "application/json", `{"id":"1","content":"<p>hi`, nil, "publish", connector.Ambiguous, false, ""},
		{"empty 200 on publish", 200, "application/json", ``, nil, "publish", connector.Ambiguous, false, ""},
		{"200 without id on publish", 200, "application/json", `{"content":"<p>hi</p>"}`, nil, "publish", connector.Ambiguous, false, ""},
		{"unexpected fields are fine", 200, "application/json", `{"id":"7","uri":"u","url":null,"content":"<p>hi</p>","surprise":[1,2],"account":{"id":5,"weird":true}}`, nil, "publish", "", true, ""},
		{"truncated JSON on a read", 200, "application/json", `[{"id":"1"`, nil, "find", connector.Transient, false, ""},
		{"422 keeps the message", 422, "application/json", `{"error":"Validation failed: Text can't be blank"}`, nil, "publish", connector.Invalid, false, "Validation failed: Text can't be blank"},
		{"401 is revoked", 401, "application/json", `{"error":"The access token is invalid"}`, nil, "publish", connector.AuthRevoked, false, "The access token is invalid"},
		{"403 is revoked", 403, "application/json", `{"error":"This action is outside the authorized scopes"}`, nil, "metrics", connector.AuthRevoked, false, ""},
		{"429 with ISO reset", 429, "application/json", `{"error":"Too many requests"}`, map[string]string{"X-RateLimit-Reset": reset, "X-RateLimit-Remaining": "0"}, "publish", connector.RateLimited, false, "Too many requests"},
		{"429 without headers", 429, "", ``, nil, "publish", connector.RateLimited, false, ""},
		{"404 on delete is done", 404, "application/json", `{"error":"Record not found"}`, nil, "delete", "", true, ""},
		{"404 on find cannot tell", 404, "application/json", `{"error":"Record not found"}`, nil, "find", connector.Invalid, false, ""},
		{"HTML 200 instance page", 200, "text/html", "<html>not an API</html>", nil, "limits", connector.Transient, false, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ts := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				for k, v := range tt.header {
					w.Header().Set(k, v)
				}
				if tt.ctype != "" {
					w.Header().Set("Content-Type", tt.ctype)
				}
				w.WriteHeader(tt.status)
				_, _ = w.Write([]byte(tt.body))
			}))
			defer ts.Close()
			c := mastodon.New(ts.Client(), mastodon.WithIdempotency(false))
			acct := connector.Account{Account: herald.Account{RemoteID: "1", InstanceURL: ts.URL},
				Credentials: mastodon.MarshalCredentials(mastodon.Credentials{AccessToken: "t"})}
			ctx := context.Background()
			var err error
			switch tt.op {
			case "publish":
				// A chosen visibility: the only call is the POST.
				_, err = c.Publish(ctx, acct, connector.Part{Text: "hi", Key: "k", Options: map[string]string{"visibility": "public"}})
			case "metrics":
				_, err = c.Metrics(ctx, acct, []herald.RemoteRef{{ID: "1"}})
			case "delete":
				err = c.Delete(ctx, acct, herald.RemoteRef{ID: "1"})
			case "limits":
				_, err = c.Limits(ctx, acct)
			case "find":
				_, _, err = c.Find(ctx, acct, connector.Part{Text: "hi", Key: "k"})
			}
			if tt.wantNil {
				if err != nil {
					t.Fatalf("error %v, want none", err)
				}
				return
			}
			var ce *connector.Error
			if !errors.As(err, &ce) {
				t.Fatalf("error %v is not classified", err)
			}
			if ce.Class != tt.want {
				t.Errorf("class %s, want %s (%v)", ce.Class, tt.want, err)
			}
			if tt.msg != "" && ce.Message != tt.msg {
				t.Errorf("message %q, want the platform's %q", ce.Message, tt.msg)
			}
			if tt.want == connector.RateLimited && tt.header != nil && (ce.RetryAfter < 60*time.Second || ce.RetryAfter > 91*time.Second) {
				t.Errorf("retry after %v, want about 90s from X-RateLimit-Reset", ce.RetryAfter)
			}
		})
	}
}

func TestBadCredentials(t *testing.T) {
	c := mastodon.New(nil)
	for name, acct := range map[string]connector.Account{
		"not JSON":    {Credentials: []byte("{")},
		"no instance": {Credentials: mastodon.MarshalCredentials(mastodon.Credentials{AccessToken: "t"})},
		"no token":    {Account: herald.Account{InstanceURL: "https://m.example"}, Credentials: []byte(`{}`)},
	} {
		_, err := c.Publish(context.Background(), acct, connector.Part{Text: "x"})
		if connector.ClassOf(err) != connector.AuthRevoked {
			t.Errorf("%s: %v, want auth_revoked", name, err)
		}
	}
}
