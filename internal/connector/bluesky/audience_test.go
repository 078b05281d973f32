package bluesky_test

import (
	"encoding/json"
	"errors"
	"net/http"
	"strconv"
	"testing"
	"time"

	"github.com/heraldsocial/herald/internal/connector"
	"github.com/heraldsocial/herald/internal/connector/bluesky/blueskyfake"
	"github.com/heraldsocial/herald/internal/connector/bluesky/blueskytest"
)

func TestAudience(t *testing.T) {
	const nsid = "app.bsky.actor.getProfile"
	jsonHeader := http.Header{"Content-Type": {"application/json"}}
	tests := []struct {
		name string
		// setup shapes the fake and returns the counts wanted.
		setup func(t *testing.T, e *env) connector.Audience
		class connector.Class // of the error wanted; "" for none
		check func(t *testing.T, err error)
	}{
		{
			name: "counts from the fake's records",
			setup: func(t *testing.T, e *env) connector.Audience {
				ctx := t.Context()
				e.fake.SetFollowCounts(e.aliceInfo.DID, 100, 3)
				first, err := e.c.Publish(ctx, e.alice, connector.Part{Text: "one", Key: "a-1"})
				if err != nil {
					t.Fatal(err)
				}
				if _, err := e.c.Publish(ctx, e.alice, connector.Part{Index: 1, Text: "two", Key: "a-2", ReplyTo: &first, Root: &first}); err != nil {
					t.Fatal(err)
				}
				gone, err := e.c.Publish(ctx, e.alice, connector.Part{Text: "oops", Key: "a-3"})
				if err != nil {
					t.Fatal(err)
				}
				if err := e.c.Delete(ctx, e.alice, gone); err != nil {
					t.Fatal(err)
				}
				// Bob's post is his, not hers.
				if _, err := e.c.Publish(ctx, e.bob, connector.Part{Text: "bob here", Key: "b-1"}); err != nil {
					t.Fatal(err)
				}
				follow(t, e.bob, e.aliceInfo.DID)
				follow(t, e.alice, e.bobInfo.DID)
				return connector.Audience{Followers: 101, Following: 4, Posts: 2}
			},
		},
		{
			name:  "a new account has zeros, not unknowns",
			setup: func(*testing.T, *env) connector.Audience { return connector.Audience{} },
		},
		{
			name: "counts the AppView leaves out are -1",
			setup: func(_ *testing.T, e *env) connector.Audience {
				e.fake.SetFollowCounts(e.aliceInfo.DID, -1, -1)
				return connector.Audience{Followers: -1, Following: -1, Posts: 0}
			},
		},
		{
			name: "a profile without any count",
			setup: func(_ *testing.T, e *env) connector.Audience {
				e.fake.Fail(nsid, blueskyfake.Fault{Status: http.StatusOK, Header: jsonHeader,
					Body: `{"did":"` + e.aliceInfo.DID + `","handle":"alice.test","postsCount":-3}`})
				return connector.Audience{Followers: -1, Following: -1, Posts: -1}
			},
		},
		{
			// As everywhere in the connector: refresh, then retry.
			name: "an expired access token",
			setup: func(_ *testing.T, e *env) connector.Audience {
				e.fake.ExpireAccessTokens(e.aliceInfo.DID)
				return connector.Audience{}
			},
			class: connector.AuthExpired,
		},
		{
			name: "401 means reconnecting",
			setup: func(_ *testing.T, e *env) connector.Audience {
				e.fake.Fail(nsid, blueskyfake.Fault{Status: http.StatusUnauthorized, Header: jsonHeader,
					Body: `{"error":"AuthMissing","message":"Authentication Required"}`})
				return connector.Audience{}
			},
			class: connector.AuthRevoked,
		},
		{
			name: "a deactivated account means reconnecting",
			setup: func(_ *testing.T, e *env) connector.Audience {
				e.fake.Deactivate(e.aliceInfo.DID)
				return connector.Audience{}
			},
			class: connector.AuthRevoked,
		},
		{
			name: "rate limited",
			setup: func(_ *testing.T, e *env) connector.Audience {
				h := jsonHeader.Clone()
				h.Set("RateLimit-Limit", "3000")
				h.Set("RateLimit-Remaining", "0")
				h.Set("RateLimit-Reset", strconv.FormatInt(time.Now().Add(5*time.Minute).Unix(), 10))
				h.Set("RateLimit-Policy", "3000;w=300")
				e.fake.Fail(nsid, blueskyfake.Fault{Status: http.StatusTooManyRequests, Header: h,
					Body: `{"error":"RateLimitExceeded","message":"Rate Limit Exceeded"}`})
				return connector.Audience{}
			},
			class: connector.RateLimited,
			check: func(t *testing.T, err error) {
				var ce *connector.Error
				errors.As(err, &ce)
				if ce.RetryAfter < 4*time.Minute || ce.RetryAfter > 5*time.Minute+time.Second {
					t.Errorf("retry after %v; want about 5m from RateLimit-Reset", ce.RetryAfter)
				}
			},
		},
		{
			name: "malformed JSON",
			setup: func(_ *testing.T, e *env) connector.Audience {
				e.fake.Fail(nsid, blueskyfake.Fault{Status: http.StatusOK, Header: jsonHeader, Body: `{"did":"did:plc:x","followersCount":`})
				return connector.Audience{}
			},
			class: connector.Transient,
			check: func(t *testing.T, err error) {
				var se *json.SyntaxError
				if !errors.As(err, &se) {
					t.Errorf("%v does not wrap the JSON error", err)
				}
			},
		},
		{
			name: "someone else's profile",
			setup: func(_ *testing.T, e *env) connector.Audience {
				e.fake.Fail(nsid, blueskyfake.Fault{Status: http.StatusOK, Header: jsonHeader,
					Body: `{"did":"` + e.bobInfo.DID + `","followersCount":5,"followsCount":5,"postsCount":5}`})
				return connector.Audience{}
			},
			class: connector.Transient,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := newEnv(t, blueskyfake.Config{})
			want := tt.setup(t, e)
			got, err := e.c.Audience(t.Context(), e.alice)
			if tt.class == "" {
				if err != nil {
					t.Fatal(err)
				}
				if got != want {
					t.Fatalf("Audience = %+v, want %+v", got, want)
				}
				return
			}
			if c := classOf(t, err); c != tt.class {
				t.Fatalf("class %s (%v), want %s", c, err, tt.class)
			}
			if tt.check != nil {
				tt.check(t, err)
			}
		})
	}
}

// follow makes who follow subject with an app.bsky.graph.follow record.
func follow(t *testing.T, who connector.Account, subject string) {
	t.Helper()
	if _, err := blueskytest.CreateRecord(t.Context(), who, "app.bsky.graph.follow", map[string]any{"subject": subject}); err != nil {
		t.Fatalf("%s follows %s: %v", who.Handle, subject, err)
	}
}
