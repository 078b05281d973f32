package instagram_test

import (
	"encoding/json"
	"errors"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/heraldsocial/herald/internal/connector"
	"github.com/heraldsocial/herald/internal/connector/instagram/instagramfake"
	"github.com/heraldsocial/herald/internal/connector/metagraph/graphfake"
)

func TestAudience(t *testing.T) {
	tests := []struct {
		name  string
		setup func(t *testing.T, e *env, acct connector.Account)
		want  connector.Audience
		class connector.Class // "" : no error
		check func(t *testing.T, err error)
	}{
		{
			name: "counts",
			setup: func(t *testing.T, e *env, acct connector.Account) {
				e.fake.SetFollowers(e.page.Instagram.ID, 830, 151)
				for _, text := range []string{"one", "two"} {
					if _, err := e.c.Publish(ctx(t), acct, connector.Part{Text: text, Media: []connector.Media{jpegFile()}}); err != nil {
						t.Fatal(err)
					}
				}
			},
			want: connector.Audience{Followers: 830, Following: 151, Posts: 2},
		},
		{
			name: "no counts in the answer",
			setup: func(t *testing.T, e *env, acct connector.Account) {
				e.fake.Inject(graphfake.Fault{Route: instagramfake.RouteRead, Status: http.StatusOK,
					Body: `{"id":"` + e.page.Instagram.ID + `"}`})
			},
			want: connector.Audience{Followers: -1, Following: -1, Posts: -1},
		},
		{
			name:  "password changed",
			setup: func(t *testing.T, e *env, acct connector.Account) { e.fake.Revoke(e.user.ID, 460) },
			class: connector.AuthRevoked,
		},
		{
			name: "throttled",
			setup: func(t *testing.T, e *env, acct connector.Account) {
				e.fake.Inject(instagramfake.ThrottledFault(instagramfake.RouteRead, e.page.Instagram.ID, 20))
			},
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
			setup: func(t *testing.T, e *env, acct connector.Account) {
				e.fake.Inject(graphfake.Fault{Route: instagramfake.RouteRead, Status: http.StatusOK, Body: `{"followers_count":12,"media_co`})
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
			tt.setup(t, e, acct)
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
