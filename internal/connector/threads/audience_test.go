package threads_test

import (
	"encoding/json"
	"errors"
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/heraldsocial/herald/internal/connector"
	"github.com/heraldsocial/herald/internal/connector/threads"
	"github.com/heraldsocial/herald/internal/connector/threads/threadsfake"
)

func TestAudience(t *testing.T) {
	tests := []struct {
		name   string
		before func(e *env) // before connecting
		setup  func(e *env)
		want   connector.Audience
		class  connector.Class // "" : no error
		check  func(t *testing.T, err error)
	}{
		{
			name:  "followers",
			setup: func(e *env) { e.fake.SetFollowers(e.user.ID, 4321) },
			want:  connector.Audience{Followers: 4321, Following: -1, Posts: -1},
		},
		{
			name: "a time series instead of a total",
			setup: func(e *env) {
				e.fake.Inject(threadsfake.Fault{Route: threadsfake.RouteUserInsights, Status: http.StatusOK,
					Body: `{"data":[{"name":"followers_count","period":"day","values":[{"value":10},{"value":12}],"id":"1/insights/followers_count/day"}]}`})
			},
			want: connector.Audience{Followers: 12, Following: -1, Posts: -1},
		},
		{
			name: "no followers_count in the answer",
			setup: func(e *env) {
				e.fake.Inject(threadsfake.Fault{Route: threadsfake.RouteUserInsights, Status: http.StatusOK, Body: `{"data":[]}`})
			},
			want: connector.Audience{Followers: -1, Following: -1, Posts: -1},
		},
		{
			name:  "the person removed the app",
			setup: func(e *env) { e.fake.Revoke(e.user.ID, 458) },
			class: connector.AuthRevoked,
		},
		{
			name:  "the token lapsed",
			setup: func(e *env) { e.clock.Add(61 * 24 * time.Hour) },
			class: connector.AuthExpired,
		},
		{
			name:   "insights permission not granted",
			before: func(e *env) { e.fake.Withhold(threadsfake.ScopeInsights) },
			class:  connector.AuthRevoked, // reconnecting grants it
		},
		{
			name:  "throttled",
			setup: func(e *env) { e.fake.Inject(threadsfake.Throttled(threadsfake.RouteUserInsights, e.user.ID, 20)) },
			class: connector.RateLimited,
			check: func(t *testing.T, err error) {
				var ce *connector.Error
				if errors.As(err, &ce) && ce.RetryAfter != 20*time.Minute {
					t.Errorf("wait %v, want the 20 minutes of X-Business-Use-Case-Usage", ce.RetryAfter)
				}
			},
		},
		{
			name: "truncated body",
			setup: func(e *env) {
				e.fake.Inject(threadsfake.Fault{Route: threadsfake.RouteUserInsights, Status: http.StatusOK,
					Body: `{"data":[{"name":"followers_count","total_value":{"val`})
			},
			class: connector.Transient,
			check: func(t *testing.T, err error) {
				var se *json.SyntaxError
				if !errors.As(err, &se) || !strings.Contains(err.Error(), "/threads_insights") {
					t.Errorf("error %q does not wrap the JSON error and name the call", err)
				}
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := newEnv(t)
			if tt.before != nil {
				tt.before(e)
			}
			acct := e.account(t)
			if tt.setup != nil {
				tt.setup(e)
			}
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

// TestAudienceNeedsInsightsPermission: the user insights need
// threads_manage_insights, so Herald asks for it when connecting.
func TestAudienceNeedsInsightsPermission(t *testing.T) {
	if !slices.Contains(threads.Permissions, threadsfake.ScopeInsights) {
		t.Fatalf("Permissions %v lack %s", threads.Permissions, threadsfake.ScopeInsights)
	}
}
