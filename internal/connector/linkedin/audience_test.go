package linkedin_test

import (
	"encoding/json"
	"errors"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/heraldsocial/herald/internal/connector"
	"github.com/heraldsocial/herald/internal/connector/linkedin"
	"github.com/heraldsocial/herald/internal/connector/linkedin/linkedinfake"
)

func TestAudience(t *testing.T) {
	jsonHeader := http.Header{"Content-Type": {"application/json"}}
	tests := []struct {
		name  string
		page  string // the organization chosen when connecting; "" posts as the member
		setup func(e *env, acct connector.Account)
		want  connector.Audience
		class connector.Class // "" : no error
		check func(t *testing.T, err error)
	}{
		{
			name:  "an organization's followers",
			page:  "heraldcafe",
			setup: func(e *env, acct connector.Account) { e.fake.SetFollowers(2414183, 9001) },
			want:  connector.Audience{Followers: 9001, Following: -1, Posts: -1},
		},
		{
			name: "a member: nothing to read, no call",
			setup: func(e *env, acct connector.Account) {
				// Any call would meet this.
				e.fake.Inject(linkedinfake.Fault{Route: "*", Status: http.StatusInternalServerError, Header: jsonHeader, Body: `{"status":500}`})
			},
			want: connector.Audience{Followers: -1, Following: -1, Posts: -1},
		},
		{
			name: "no firstDegreeSize in the answer",
			page: "heraldcafe",
			setup: func(e *env, acct connector.Account) {
				e.fake.Inject(linkedinfake.Fault{Route: linkedinfake.RouteNetworkSizes, Status: http.StatusOK, Header: jsonHeader, Body: `{}`})
			},
			want: connector.Audience{Followers: -1, Following: -1, Posts: -1},
		},
		{
			name: "token expired",
			page: "heraldcafe",
			setup: func(e *env, acct connector.Account) {
				var cr linkedin.Credentials
				_ = json.Unmarshal(acct.Credentials, &cr)
				e.fake.ExpireToken(cr.AccessToken)
			},
			class: connector.AuthExpired,
		},
		{
			name: "token revoked",
			page: "heraldcafe",
			setup: func(e *env, acct connector.Account) {
				e.fake.Inject(linkedinfake.Revoked(linkedinfake.RouteNetworkSizes))
			},
			class: connector.AuthRevoked,
		},
		{
			name: "over the daily limit",
			page: "heraldcafe",
			setup: func(e *env, acct connector.Account) {
				e.fake.Inject(linkedinfake.RateLimited(linkedinfake.RouteNetworkSizes))
			},
			class: connector.RateLimited,
			check: func(t *testing.T, err error) {
				var ce *connector.Error
				if errors.As(err, &ce) && (ce.RetryAfter <= 0 || ce.RetryAfter > 24*time.Hour) {
					t.Errorf("wait %v, want until midnight UTC", ce.RetryAfter)
				}
			},
		},
		{
			name: "truncated body",
			page: "heraldcafe",
			setup: func(e *env, acct connector.Account) {
				e.fake.Inject(linkedinfake.Fault{Route: linkedinfake.RouteNetworkSizes, Status: http.StatusOK, Header: jsonHeader,
					Body: `{"firstDegreeSize":`})
			},
			class: connector.Transient,
			check: func(t *testing.T, err error) {
				var se *json.SyntaxError
				if !errors.As(err, &se) || !strings.Contains(err.Error(), "networkSizes") {
					t.Errorf("error %q does not wrap the JSON error and name the call", err)
				}
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := newEnv(t)
			acct := e.account(t, tt.page)
			tt.setup(e, acct)
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

// TestNetworkSizesContract: the fake refuses what LinkedIn refuses (the
// edgeType spelling of versions before 202305, none, an unknown page) and
// records a client's mistakes.
func TestNetworkSizesContract(t *testing.T) {
	e := newEnv(t)
	acct := e.account(t, "heraldcafe")
	var cr linkedin.Credentials
	_ = json.Unmarshal(acct.Credentials, &cr)
	for _, tc := range []struct {
		query string
		want  int
	}{
		{"urn%3Ali%3Aorganization%3A2414183?edgeType=COMPANY_FOLLOWED_BY_MEMBER", http.StatusOK},
		{"urn%3Ali%3Aorganization%3A2414183?edgeType=CompanyFollowedByMember", http.StatusBadRequest},
		{"urn%3Ali%3Aorganization%3A2414183", http.StatusBadRequest},
		{"urn%3Ali%3Aorganization%3A404?edgeType=COMPANY_FOLLOWED_BY_MEMBER", http.StatusNotFound},
	} {
		req, _ := http.NewRequestWithContext(ctx(t), http.MethodGet, e.ts.URL+"/rest/networkSizes/"+tc.query, nil)
		req.Header.Set("Authorization", "Bearer "+cr.AccessToken)
		req.Header.Set("LinkedIn-Version", linkedin.Version)
		req.Header.Set("X-Restli-Protocol-Version", "2.0.0")
		res, err := e.ts.Client().Do(req)
		if err != nil {
			t.Fatal(err)
		}
		res.Body.Close()
		if res.StatusCode != tc.want {
			t.Errorf("%s: status %d, want %d", tc.query, res.StatusCode, tc.want)
		}
	}
	if v := e.fake.Violations(); len(v) != 2 {
		t.Errorf("violations %q, want the two refused edgeTypes", v)
	}
}
