package mastodon_test

import (
	"encoding/json"
	"errors"
	"net/http"
	"testing"
	"time"

	"github.com/heraldsocial/herald/internal/connector"
	"github.com/heraldsocial/herald/internal/connector/mastodon/mastodonfake"
	"github.com/heraldsocial/herald/internal/herald"
)

// TestAudience reads the account's counts from verify_credentials on the
// fake instance, with the OpenAPI contract check on (newFake fails the
// test on any mismatch it records).
func TestAudience(t *testing.T) {
	const path = "/api/v1/accounts/verify_credentials"
	reset := time.Now().Add(2 * time.Minute).UTC().Format("2006-01-02T15:04:05.000Z")
	tests := []struct {
		name string
		// setup shapes the instance; it returns the counts wanted.
		setup func(t *testing.T, f *fakeInstance) connector.Audience
		class connector.Class // of the error wanted; "" for none
		check func(t *testing.T, err error)
	}{
		{
			name: "counts from the instance's state",
			setup: func(t *testing.T, f *fakeInstance) connector.Audience {
				c, ctx := newConnector(), t.Context()
				fan := f.srv.AddRemoteAccount("fan", "elsewhere.example", "A Fan")
				f.srv.SetFollowCounts(f.me.ID, 1234, 56)
				f.srv.Post(f.me.ID, "one", "")
				f.srv.Post(f.me.ID, "two", "")
				gone := f.srv.Post(f.me.ID, "deleted", "")
				if err := c.Delete(ctx, f.account(), herald.RemoteRef{ID: gone}); err != nil {
					t.Fatal(err)
				}
				// A direct message is not counted; a boost is (as Mastodon
				// counts statuses_count).
				f.srv.DirectMessage(f.me.ID, fan.ID, "@fan psst", "")
				theirs := f.srv.Post(fan.ID, "worth sharing", "")
				if err := c.Repost(ctx, f.account(), herald.RemoteRef{ID: theirs}); err != nil {
					t.Fatal(err)
				}
				return connector.Audience{Followers: 1234, Following: 56, Posts: 3}
			},
		},
		{
			name: "a new account has zeros, not unknowns",
			setup: func(*testing.T, *fakeInstance) connector.Audience {
				return connector.Audience{}
			},
		},
		{
			// Outside the Mastodon document (which requires the counts),
			// so served as a fault: a server that leaves counts out or
			// sends null.
			name: "absent and null counts are -1",
			setup: func(_ *testing.T, f *fakeInstance) connector.Audience {
				f.srv.Inject(mastodonfake.Fault{Method: http.MethodGet, Path: path, Status: http.StatusOK, ContentType: "application/json",
					Body: `{"id":"` + f.me.ID + `","username":"herald","acct":"herald","followers_count":null,"statuses_count":12}`})
				return connector.Audience{Followers: -1, Following: -1, Posts: 12}
			},
		},
		{
			name: "a negative count is unknown",
			setup: func(_ *testing.T, f *fakeInstance) connector.Audience {
				f.srv.Inject(mastodonfake.Fault{Method: http.MethodGet, Path: path, Status: http.StatusOK, ContentType: "application/json",
					Body: `{"id":"` + f.me.ID + `","followers_count":10,"following_count":-2,"statuses_count":3}`})
				return connector.Audience{Followers: 10, Following: -1, Posts: 3}
			},
		},
		{
			name: "a revoked token means reconnecting",
			setup: func(_ *testing.T, f *fakeInstance) connector.Audience {
				f.srv.RevokeToken(f.token)
				return connector.Audience{}
			},
			class: connector.AuthRevoked,
			check: func(t *testing.T, err error) {
				var ce *connector.Error
				errors.As(err, &ce)
				if ce.Status != http.StatusUnauthorized {
					t.Errorf("status %d, want 401", ce.Status)
				}
			},
		},
		{
			name: "the instance's rate limit",
			setup: func(_ *testing.T, f *fakeInstance) connector.Audience {
				f.srv.Inject(mastodonfake.Fault{Method: http.MethodGet, Path: path, Status: http.StatusTooManyRequests,
					ContentType: "application/json", Body: `{"error":"Too many requests"}`,
					Header: http.Header{"X-Ratelimit-Limit": {"300"}, "X-Ratelimit-Remaining": {"0"}, "X-Ratelimit-Reset": {reset}}})
				return connector.Audience{}
			},
			class: connector.RateLimited,
			check: func(t *testing.T, err error) {
				var ce *connector.Error
				errors.As(err, &ce)
				if ce.RetryAfter < time.Minute || ce.RetryAfter > 2*time.Minute+time.Second || ce.Limit != 300 {
					t.Errorf("retry after %v, limit %d; want about 2m from X-RateLimit-Reset, and 300", ce.RetryAfter, ce.Limit)
				}
			},
		},
		{
			name: "malformed JSON",
			setup: func(_ *testing.T, f *fakeInstance) connector.Audience {
				f.srv.Inject(mastodonfake.Fault{Method: http.MethodGet, Path: path, Status: http.StatusOK,
					ContentType: "application/json", Body: `{"id":"1","followers_count":12`})
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
			name: "JSON that is not an account",
			setup: func(_ *testing.T, f *fakeInstance) connector.Audience {
				f.srv.Inject(mastodonfake.Fault{Method: http.MethodGet, Path: path, Status: http.StatusOK,
					ContentType: "application/json", Body: `{"followers_count":12}`})
				return connector.Audience{}
			},
			class: connector.Transient,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFake(t, mastodonfake.DefaultConfig())
			want := tt.setup(t, f)
			got, err := newConnector().Audience(t.Context(), f.account())
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

// TestAudienceGoToSocial: GoToSocial answers verify_credentials with the
// same counts.
func TestAudienceGoToSocial(t *testing.T) {
	f := newFake(t, mastodonfake.GoToSocialConfig())
	f.srv.SetFollowCounts(f.me.ID, 3, 4)
	f.srv.Post(f.me.ID, "hello", "")
	got, err := newConnector().Audience(t.Context(), f.account())
	if err != nil {
		t.Fatal(err)
	}
	if want := (connector.Audience{Followers: 3, Following: 4, Posts: 1}); got != want {
		t.Fatalf("Audience = %+v, want %+v", got, want)
	}
}
