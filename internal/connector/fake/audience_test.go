package fake_test

import (
	"encoding/json"
	"errors"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/heraldsocial/herald/internal/connector"
	"github.com/heraldsocial/herald/internal/connector/fake"
	"github.com/heraldsocial/herald/internal/connector/fake/fakeserver"
	"github.com/heraldsocial/herald/internal/herald"
)

func TestAudience(t *testing.T) {
	expired := time.Now().Add(-time.Hour)
	tokens := []fakeserver.Token{
		{Account: "ann", AccessToken: "ok"},
		{Account: "ann", AccessToken: "stale", ExpiresAt: expired},
		{Account: "ann", AccessToken: "withdrawn", Revoked: true},
	}
	tests := []struct {
		name  string
		cfg   fakeserver.Config
		token string
		// setup shapes the platform and returns the counts wanted.
		setup func(t *testing.T, s *fakeserver.Server, c *fake.Connector, acct connector.Account) connector.Audience
		// body, when set, replaces the platform's answer with a 200 of it.
		body  string
		class connector.Class
	}{
		{
			name: "counts from the platform's state",
			setup: func(t *testing.T, s *fakeserver.Server, c *fake.Connector, acct connector.Account) connector.Audience {
				ctx := t.Context()
				s.SetFollowCounts("ann", 2048, 12)
				s.SetFollowCounts("bob", 1, 1) // someone else's
				var refs []herald.RemoteRef
				for _, k := range []string{"a", "b", "c"} {
					ref, err := c.Publish(ctx, acct, part(k, "post "+k))
					if err != nil {
						t.Fatal(err)
					}
					refs = append(refs, ref)
				}
				if err := c.Delete(ctx, acct, refs[0]); err != nil {
					t.Fatal(err)
				}
				dm := part("d", "@bob psst")
				dm.Options = map[string]string{"visibility": "direct"}
				if _, err := c.Publish(ctx, acct, dm); err != nil {
					t.Fatal(err)
				}
				return connector.Audience{Followers: 2048, Following: 12, Posts: 2}
			},
		},
		{
			name: "nothing set yet is zero",
			setup: func(*testing.T, *fakeserver.Server, *fake.Connector, connector.Account) connector.Audience {
				return connector.Audience{}
			},
		},
		{
			name: "counts the platform does not give are -1",
			setup: func(_ *testing.T, s *fakeserver.Server, _ *fake.Connector, _ connector.Account) connector.Audience {
				s.SetFollowCounts("ann", -1, 7)
				return connector.Audience{Followers: -1, Following: 7, Posts: 0}
			},
		},
		{
			name: "null and absent counts are -1",
			body: `{"id":"ann","username":"ann","acct":"ann","followers_count":null,"statuses_count":4}`,
			setup: func(*testing.T, *fakeserver.Server, *fake.Connector, connector.Account) connector.Audience {
				return connector.Audience{Followers: -1, Following: -1, Posts: 4}
			},
		},
		{name: "revoked token", token: "withdrawn", class: connector.AuthRevoked},
		{name: "unknown token", token: "nobody", class: connector.AuthRevoked},
		{name: "expired token", token: "stale", class: connector.AuthExpired},
		{name: "rate limited", cfg: fakeserver.Config{RateLimit: 1, RateWindow: time.Hour}, class: connector.RateLimited,
			setup: func(t *testing.T, _ *fakeserver.Server, c *fake.Connector, acct connector.Account) connector.Audience {
				if _, err := c.Audience(t.Context(), acct); err != nil { // spends the window
					t.Fatal(err)
				}
				return connector.Audience{}
			}},
		{name: "malformed JSON", body: `{"id":"ann","followers_count":`, class: connector.Transient},
		{name: "JSON that is not an account", body: `{"followers_count":3}`, class: connector.Transient},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cfg := tt.cfg
			cfg.Tokens = tokens
			s := fakeserver.New(cfg)
			var h http.Handler = s.Handler()
			if tt.body != "" {
				h = http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
					if r.URL.Path != "/api/v1/accounts/verify_credentials" {
						s.Handler().ServeHTTP(w, r)
						return
					}
					w.Header().Set("Content-Type", "application/json")
					_, _ = w.Write([]byte(tt.body))
				})
			}
			ts := httptest.NewServer(h)
			t.Cleanup(func() { _ = s.Close(); ts.Close() })
			tok := tt.token
			if tok == "" {
				tok = "ok"
			}
			c := fake.New(ts.Client(), fake.WithPollInterval(time.Millisecond))
			acct := account("ann", fake.Credentials{BaseURL: ts.URL, AccessToken: tok})
			var want connector.Audience
			if tt.setup != nil {
				want = tt.setup(t, s, c, acct)
			}
			got, err := c.Audience(t.Context(), acct)
			if tt.class != "" {
				e := mustClass(t, err, tt.class)
				switch tt.class {
				case connector.RateLimited:
					if e.RetryAfter < 59*time.Minute || e.Limit != 1 {
						t.Errorf("retry after %v, limit %d; want about an hour from X-RateLimit-Reset, and 1", e.RetryAfter, e.Limit)
					}
				case connector.Transient:
					var se *json.SyntaxError
					if tt.name == "malformed JSON" && !errors.As(err, &se) {
						t.Errorf("%v does not wrap the JSON error", err)
					}
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if got != want {
				t.Fatalf("Audience = %+v, want %+v", got, want)
			}
		})
	}
}
