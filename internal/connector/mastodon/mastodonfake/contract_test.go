package mastodonfake

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

// TestContractCatchesMismatches shows the check is not vacuous: requests
// that break the document are recorded with the validator's words, and
// well-formed ones are not.
func TestContractCatchesMismatches(t *testing.T) {
	p, ok := FindSpec(".")
	if !ok {
		t.Skip("../shared/specs/mastodon.openapi.json is absent")
	}
	c, err := LoadContract(p)
	if err != nil {
		t.Fatal(err)
	}
	srv := New(DefaultConfig(), WithContract(c))
	ts := httptest.NewServer(srv)
	defer ts.Close()
	_, tok := srv.AddAccount("me", "Me")
	do := func(method, path, body string) {
		t.Helper()
		req, _ := http.NewRequest(method, ts.URL+path, strings.NewReader(body))
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set("Authorization", "Bearer "+tok)
		res, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		res.Body.Close()
	}
	do(http.MethodPost, "/api/v1/statuses", `{"status":"fine","media_ids":[]}`)
	do(http.MethodGet, "/api/v1/notifications?types[]=mention&limit=5", "")
	if v := srv.Violations(); len(v) != 0 {
		t.Fatalf("well-formed requests flagged: %v", v)
	}
	do(http.MethodPost, "/api/v1/apps", `{"redirect_uris":["https://h.example/cb"]}`) // no client_name
	do(http.MethodPost, "/api/v1/statuses", `{"status":42}`)
	v := srv.Violations()
	if len(v) != 2 || !strings.Contains(v[0], "/api/v1/apps") || !strings.Contains(v[1], "/api/v1/statuses") {
		t.Errorf("violations %q, want one for each bad request", v)
	}
}
