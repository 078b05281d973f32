package facebook_test

import (
	"encoding/json"
	"errors"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/heraldsocial/herald/internal/connector"
	"github.com/heraldsocial/herald/internal/connector/facebook/facebookfake"
	"github.com/heraldsocial/herald/internal/connector/metagraph"
	"github.com/heraldsocial/herald/internal/connector/metagraph/graphfake"
)

func TestAudience(t *testing.T) {
	tests := []struct {
		name  string
		setup func(e *env)
		want  connector.Audience
		class connector.Class // "" : no error
		check func(t *testing.T, err error)
	}{
		{
			name: "followers, not fans",
			setup: func(e *env) {
				e.fake.SetFollowers(e.page.ID, 1500, 1320)
			},
			want: connector.Audience{Followers: 1500, Following: -1, Posts: -1},
		},
		{
			name:  "a Page nobody follows yet",
			setup: func(e *env) {},
			want:  connector.Audience{Followers: 0, Following: -1, Posts: -1},
		},
		{
			name: "no followers_count in the answer",
			setup: func(e *env) {
				e.fake.Inject(graphfake.Fault{Route: facebookfake.RouteRead, Status: http.StatusOK, Body: `{"id":"` + e.page.ID + `"}`})
			},
			want: connector.Audience{Followers: -1, Following: -1, Posts: -1},
		},
		{
			name:  "password changed",
			setup: func(e *env) { e.fake.Revoke(e.user.ID, 460) },
			class: connector.AuthRevoked,
		},
		{
			name:  "token expired",
			setup: func(e *env) { e.fake.Revoke(e.user.ID, 463) },
			class: connector.AuthExpired,
		},
		{
			name:  "throttled",
			setup: func(e *env) { e.fake.Inject(facebookfake.ThrottledFault(facebookfake.RouteRead, e.page.ID, 7)) },
			class: connector.RateLimited,
			check: func(t *testing.T, err error) {
				var ce *connector.Error
				if errors.As(err, &ce) && ce.RetryAfter != 7*time.Minute {
					t.Errorf("wait %v, want the 7 minutes of X-Business-Use-Case-Usage", ce.RetryAfter)
				}
			},
		},
		{
			name: "truncated body",
			setup: func(e *env) {
				e.fake.Inject(graphfake.Fault{Route: facebookfake.RouteRead, Status: http.StatusOK, Body: `{"id":"1","followers_count":`})
			},
			class: connector.Transient,
			check: func(t *testing.T, err error) {
				var se *json.SyntaxError
				if !errors.As(err, &se) || !strings.Contains(err.Error(), "GET /") {
					t.Errorf("error %q does not wrap the JSON error and name the call", err)
				}
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := newEnv(t)
			acct := e.account(t)
			tt.setup(e)
			got, err := e.c.Audience(ctx(t), acct)
			if tt.class == "" {
				if err != nil {
					t.Fatalf("Audience: %v", err)
				}
				if got != tt.want {
					t.Fatalf("Audience = %+v, want %+v", got, tt.want)
				}
			} else {
				if c := connector.ClassOf(err); err == nil || c != tt.class {
					t.Fatalf("Audience = %+v, %v; want a %s error", got, err, tt.class)
				}
				if tt.check != nil {
					tt.check(t, err)
				}
			}
			if v := e.fake.Violations(); len(v) > 0 {
				t.Errorf("violations: %v", v)
			}
		})
	}
}

// TestAudienceFakeRefusesUnknownFields: the fake answers a field the Page
// node does not have as Meta does, and records it.
func TestAudienceFakeRefusesUnknownFields(t *testing.T) {
	e := newEnv(t)
	tok := e.fake.PageToken(e.page.ID)
	res, err := e.ts.Client().Get(e.ts.URL + graphfake.Prefix + "/" + e.page.ID + "?fields=follower_count&access_token=" + tok +
		"&appsecret_proof=" + metagraph.NewClient(nil, "app-1", "app-secret").Proof(tok))
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if res.StatusCode != http.StatusBadRequest || len(e.fake.Violations()) != 1 {
		t.Fatalf("status %d, violations %v; want 400 and the field recorded", res.StatusCode, e.fake.Violations())
	}
}
