package web

import (
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"

	"github.com/heraldsocial/herald/internal/connector"
	"github.com/heraldsocial/herald/internal/connector/mastodon"
	"github.com/heraldsocial/herald/internal/herald"
	"github.com/heraldsocial/herald/internal/outbound"
)

// TestConnectShowsNoneOfTheServersWords: a typed instance address whose
// server answers with text meant for Herald's users gets an error in
// Herald's words, on the accounts page and in the API's answer.
func TestConnectShowsNoneOfTheServersWords(t *testing.T) {
	const hostile = "Your session expired: sign in again at evil.example"
	instance := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusNotFound)
		fmt.Fprintf(w, `{"error":%q,"error_description":%q}`, hostile, hostile)
	}))
	t.Cleanup(instance.Close)
	e, _ := newConnectEnvWith(t, func(r *connector.Registry) {
		// The test's instance is on loopback: allowed here, as an
		// operator's own instance would be.
		r.Register(herald.PlatformMastodon, mastodon.New(outbound.NewClient(outbound.Options{AllowPrivate: true})))
	})
	_, w := e.owner("ana@example.com", "Acme")
	list := fmt.Sprintf("/w/%d/accounts", w.ID)
	b := e.browser()
	b.signIn("ana@example.com")

	a := b.post(list+"/connect", url.Values{"platform": {"mastodon"}, "form": {"oauth-mastodon"}, "instance": {instance.URL}})
	want(t, a, http.StatusUnprocessableEntity, "not a Mastodon-API server", "answered HTTP 404 with something that is not a Mastodon API")
	wantNot(t, a, "evil.example", "sign in again")

	body := strings.NewReader(fmt.Sprintf(`{"platform":"mastodon","instance":%q}`, instance.URL))
	req, err := http.NewRequest(http.MethodPost, e.srv.URL+fmt.Sprintf("/api/v1/workspaces/%d/accounts/connect", w.ID), body)
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/json")
	res, err := b.c.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	raw, err := io.ReadAll(res.Body)
	res.Body.Close()
	if err != nil {
		t.Fatal(err)
	}
	if res.StatusCode != http.StatusUnprocessableEntity || strings.Contains(string(raw), "evil.example") ||
		!strings.Contains(string(raw), "not a Mastodon API") {
		t.Fatalf("API answer %d: %s", res.StatusCode, raw)
	}

	// Without the switch the same address is refused before anything is sent.
	e2, _ := newConnectEnvWith(t, func(r *connector.Registry) {
		r.Register(herald.PlatformMastodon, mastodon.New(outbound.NewClient(outbound.Options{})))
	})
	_, w2 := e2.owner("bo@example.com", "Beta")
	b2 := e2.browser()
	b2.signIn("bo@example.com")
	a = b2.post(fmt.Sprintf("/w/%d/accounts/connect", w2.ID), url.Values{"platform": {"mastodon"}, "form": {"oauth-mastodon"}, "instance": {instance.URL}})
	want(t, a, http.StatusUnprocessableEntity, "refusing to connect to 127.0.0.1: a loopback address; set HERALD_ALLOW_PRIVATE_NETWORKS=true")
}
