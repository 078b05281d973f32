package x

import (
	"encoding/json"
	"errors"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/heraldsocial/herald/internal/connector"
	"github.com/heraldsocial/herald/internal/connector/x/xfake"
	"github.com/heraldsocial/herald/internal/herald"
)

// TestAudience reads the account's counts from the fake, which checks the
// request and every answer against the OpenAPI document.
func TestAudience(t *testing.T) {
	const route = "GET /2/users/me"
	tests := []struct {
		name  string
		cfg   xfake.Config
		setup func(t *testing.T, e *env) connector.Account
		want  connector.Audience
		class connector.Class // "" : no error
		check func(t *testing.T, err error)
	}{
		{
			name: "counts",
			setup: func(t *testing.T, e *env) connector.Account {
				e.srv.SetFollowers(e.user.ID, 1200, 80)
				for _, text := range []string{"one", "two", "three"} {
					e.srv.PostAs(e.user.ID, text, "")
				}
				gone := e.srv.PostAs(e.user.ID, "deleted", "")
				e.srv.DeleteAs(gone.ID)
				edited := e.srv.PostAs(e.user.ID, "first version", "")
				e.srv.EditAs(edited.ID, "second version")
				fan := e.srv.AddUser("fan", "A Fan")
				e.srv.PostAs(fan.ID, "someone else's", "")
				return e.acct
			},
			// three posts and the edited one's latest version
			want: connector.Audience{Followers: 1200, Following: 80, Posts: 4},
		},
		{
			name: "no public metrics",
			setup: func(t *testing.T, e *env) connector.Account {
				e.srv.Inject(xfake.Fault{Route: route, Status: http.StatusOK, ContentType: "application/json",
					Body: `{"data":{"id":"` + e.user.ID + `","name":"Herald","username":"herald"}}`})
				return e.acct
			},
			want: connector.Audience{Followers: -1, Following: -1, Posts: -1},
		},
		{
			name: "post_count without tweet_count",
			setup: func(t *testing.T, e *env) connector.Account {
				e.srv.Inject(xfake.Fault{Route: route, Status: http.StatusOK, ContentType: "application/json",
					Body: `{"data":{"id":"` + e.user.ID + `","name":"Herald","username":"herald",` +
						`"public_metrics":{"followers_count":5,"following_count":6,"post_count":7,"listed_count":0}}}`})
				return e.acct
			},
			want: connector.Audience{Followers: 5, Following: 6, Posts: 7},
		},
		{
			name: "revoked, with a refresh token",
			setup: func(t *testing.T, e *env) connector.Account {
				e.srv.RevokeUser(e.user.ID)
				return e.acct
			},
			class: connector.AuthExpired, // refresh first; a refused refresh then asks to reconnect
		},
		{
			name: "revoked, without a refresh token",
			setup: func(t *testing.T, e *env) connector.Account {
				e.srv.RevokeUser(e.user.ID)
				acct := e.acct
				acct.Credentials = MarshalCredentials(Credentials{AccessToken: e.tok.Access, UserID: e.user.ID})
				return acct
			},
			class: connector.AuthRevoked,
		},
		{
			name: "rate limited",
			cfg:  xfake.Config{RateLimit: 1},
			setup: func(t *testing.T, e *env) connector.Account {
				if _, err := e.c.Audience(ctx(t), e.acct); err != nil {
					t.Fatalf("first read: %v", err)
				}
				return e.acct
			},
			class: connector.RateLimited,
			check: func(t *testing.T, err error) {
				var ce *connector.Error
				if errors.As(err, &ce) && (ce.RetryAfter <= 14*time.Minute || ce.RetryAfter > 15*time.Minute || ce.Limit != 1) {
					t.Errorf("wait %v, limit %d; want the 15-minute window from x-rate-limit-reset, limit 1", ce.RetryAfter, ce.Limit)
				}
			},
		},
		{
			name: "truncated body",
			setup: func(t *testing.T, e *env) connector.Account {
				e.srv.Inject(xfake.Fault{Route: route, Status: http.StatusOK, ContentType: "application/json",
					Body: `{"data":{"id":"1","public_metrics":{"followers_co`, Raw: true})
				return e.acct
			},
			class: connector.Transient,
			check: func(t *testing.T, err error) {
				var se *json.SyntaxError
				if !errors.As(err, &se) || !strings.Contains(err.Error(), "GET /2/users/me") {
					t.Errorf("error %q does not wrap the JSON error and name the call", err)
				}
			},
		},
		{
			name: "a count that is not a number",
			setup: func(t *testing.T, e *env) connector.Account {
				e.srv.Inject(xfake.Fault{Route: route, Status: http.StatusOK, ContentType: "application/json",
					Body: `{"data":{"id":"1","public_metrics":{"followers_count":"many"}}}`, Raw: true})
				return e.acct
			},
			class: connector.Transient,
			check: func(t *testing.T, err error) {
				var te *json.UnmarshalTypeError
				if !errors.As(err, &te) {
					t.Errorf("error %q does not wrap the JSON type error", err)
				}
			},
		},
		{
			name: "no user in the answer",
			setup: func(t *testing.T, e *env) connector.Account {
				e.srv.Inject(xfake.Fault{Route: route, Status: http.StatusOK, ContentType: "application/json",
					Body: `{"data":null}`, Raw: true})
				return e.acct
			},
			class: connector.Transient,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := newEnv(t, tt.cfg)
			acct := tt.setup(t, e)
			got, err := e.c.Audience(ctx(t), acct)
			if tt.class == "" {
				if err != nil {
					t.Fatalf("Audience: %v", err)
				}
				if got != tt.want {
					t.Fatalf("Audience = %+v, want %+v", got, tt.want)
				}
				return
			}
			if err == nil {
				t.Fatalf("Audience = %+v, want a %s error", got, tt.class)
			}
			if c := classOf(t, err); c != tt.class {
				t.Fatalf("error %v is %s, want %s", err, c, tt.class)
			}
			if tt.check != nil {
				tt.check(t, err)
			}
		})
	}
}

// TestAudienceUnreadableCredentials: credentials that cannot be read ask
// for a reconnection before any call.
func TestAudienceUnreadableCredentials(t *testing.T) {
	e := newEnv(t, xfake.Config{})
	acct := connector.Account{Account: herald.Account{Platform: herald.PlatformX}, Credentials: []byte("{")}
	if _, err := e.c.Audience(ctx(t), acct); classOf(t, err) != connector.AuthRevoked {
		t.Fatalf("unreadable credentials: %v", err)
	}
	if n := e.srv.Requests("GET /2/users/me"); n != 0 {
		t.Fatalf("%d calls with unreadable credentials", n)
	}
}
