package mastodon_test

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/heraldsocial/herald/internal/connector"
	"github.com/heraldsocial/herald/internal/connector/mastodon"
	"github.com/heraldsocial/herald/internal/herald"
	"github.com/heraldsocial/herald/internal/outbound"
)

// hostileText is what a server at a typed address would like Herald to
// show its users.
const hostileText = "Your session expired: sign in again at evil.example"

// shown is what of err can reach a page or an API answer: a herald.Error's
// message and field problems, or the message of a connector error (which
// account.Service puts in its own herald.Error). The wrapped causes are for
// the logs only.
func shown(err error) string {
	var he *herald.Error
	if errors.As(err, &he) {
		s := he.Message
		for _, d := range he.Details {
			s += " " + d.Problem
		}
		return s
	}
	var ce *connector.Error
	if errors.As(err, &ce) {
		return ce.Message
	}
	return ""
}

// TestConnectNeverRepeatsTheServersWords: whatever a typed address answers
// while connecting, Herald says what went wrong in its own words.
func TestConnectNeverRepeatsTheServersWords(t *testing.T) {
	for _, tc := range []struct {
		name   string
		status int
		ctype  string
		body   string
		want   string // in the error
		class  connector.Class
	}{
		{"404 JSON", 404, "application/json", `{"error":"` + hostileText + `"}`, "answered HTTP 404 with something that is not a Mastodon API", ""},
		{"422 JSON", 422, "application/json", `{"error":"` + hostileText + `","error_description":"` + hostileText + `"}`, "answered HTTP 422 with something that is not a Mastodon API", ""},
		{"403 JSON", 403, "application/json", `{"message":"` + hostileText + `"}`, "answered HTTP 403 with something that is not a Mastodon API", ""},
		{"404 plain text", 404, "text/plain", hostileText, "answered HTTP 404 with something that is not a Mastodon API", ""},
		{"400 HTML", 400, "text/html", "<html><body>" + hostileText + "</body></html>", "answered HTTP 400 with something that is not a Mastodon API", ""},
		{"200 not JSON", 200, "text/plain", hostileText, "answered HTTP 200 with something that is not a Mastodon API", ""},
		{"500 JSON", 500, "application/json", `{"error":"` + hostileText + `"}`, "answered HTTP 500, a temporary failure", connector.Transient},
		{"503 text", 503, "text/plain", hostileText, "answered HTTP 503, a temporary failure", connector.Transient},
		{"429 JSON", 429, "application/json", `{"error":"` + hostileText + `"}`, "asks Herald to slow down (HTTP 429)", connector.RateLimited},
	} {
		t.Run(tc.name, func(t *testing.T) {
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				w.Header().Set("Content-Type", tc.ctype)
				w.WriteHeader(tc.status)
				_, _ = w.Write([]byte(tc.body))
			}))
			t.Cleanup(srv.Close)
			c := newConnector()
			_, err := c.Begin(context.Background(), connector.AuthStart{Instance: srv.URL, RedirectURL: "https://herald.example/callback", State: "s"})
			if err == nil {
				t.Fatal("Begin succeeded")
			}
			if got := shown(err); strings.Contains(got, "evil.example") || strings.Contains(got, "sign in again") || !strings.Contains(got, tc.want) {
				t.Fatalf("error shows %q\nwant %q and none of the server's words", got, tc.want)
			}
			if tc.class != "" {
				if got := connector.ClassOf(err); got != tc.class {
					t.Fatalf("class %s, want %s", got, tc.class)
				}
				return
			}
			var he *herald.Error
			if !errors.As(err, &he) || he.Code != herald.CodeInvalid || len(he.Details) != 1 || he.Details[0].Field != "instance" {
				t.Fatalf("error %#v, want an invalid instance", err)
			}
		})
	}
}

// TestExchangeRepeatsOnlyTheOAuthCode: the token endpoint's refusal keeps
// its OAuth error code, never the free text beside it.
func TestExchangeRepeatsOnlyTheOAuthCode(t *testing.T) {
	for _, tc := range []struct {
		name, body, want string
	}{
		{"code", `{"error":"invalid_grant","error_description":"` + hostileText + `"}`, "refused the authorization (invalid_grant)"},
		{"free text as code", `{"error":"` + hostileText + `"}`, "did not give Herald a token: it answered HTTP 400 with something that is not a Mastodon API"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				switch r.URL.Path {
				case "/api/v1/apps":
					_, _ = w.Write([]byte(`{"client_id":"id","client_secret":"secret"}`))
				default:
					w.Header().Set("Content-Type", "application/json")
					w.WriteHeader(http.StatusBadRequest)
					_, _ = w.Write([]byte(tc.body))
				}
			}))
			t.Cleanup(srv.Close)
			c := newConnector()
			start := connector.AuthStart{Instance: srv.URL, RedirectURL: "https://herald.example/callback", State: "s"}
			red, err := c.Begin(context.Background(), start)
			if err != nil {
				t.Fatal(err)
			}
			_, err = c.Exchange(context.Background(), start, red.Secret, "code")
			if got := shown(err); err == nil || strings.Contains(got, "evil.example") || !strings.Contains(got, tc.want) {
				t.Fatalf("Exchange error shows %q, want %q and none of the server's words", got, tc.want)
			}
		})
	}
}

// TestConnectRefusesPrivateAddresses: with the guarded client, a typed
// loopback or metadata address is refused before anything is sent, and the
// answer names the instance field and the switch.
func TestConnectRefusesPrivateAddresses(t *testing.T) {
	var hit atomic.Bool
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { hit.Store(true) }))
	t.Cleanup(srv.Close)
	c := mastodon.New(outbound.NewClient(outbound.Options{}))
	for _, inst := range []string{srv.URL, "http://169.254.169.254"} {
		_, err := c.Begin(context.Background(), connector.AuthStart{Instance: inst, RedirectURL: "https://herald.example/callback", State: "s"})
		var he *herald.Error
		if !errors.As(err, &he) || len(he.Details) != 1 || he.Details[0].Field != "instance" ||
			!strings.HasPrefix(he.Details[0].Problem, "refusing to connect to ") {
			t.Fatalf("Begin(%s) = %v, want the instance refused", inst, err)
		}
		if inst == srv.URL && !strings.Contains(he.Details[0].Problem, "a loopback address; set HERALD_ALLOW_PRIVATE_NETWORKS=true") {
			t.Fatalf("problem %q", he.Details[0].Problem)
		}
	}
	if hit.Load() {
		t.Fatal("the loopback server got a request")
	}
}
