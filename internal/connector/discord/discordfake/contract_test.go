package discordfake

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

// TestContractObjects shows the contract refuses what the document does
// not allow, so a fake drifting from it is caught.
func TestContractObjects(t *testing.T) {
	p, ok := FindSpec(".")
	if !ok {
		t.Skip("the Discord OpenAPI document is not beside the repository")
	}
	c, err := LoadContract(p)
	if err != nil {
		t.Fatal(err)
	}
	u := "https://discord.com/api/v10/webhooks/1300000000004194304/tok?wait=true"
	r := httptest.NewRequest(http.MethodPost, u, nil)
	r.Header.Set("Content-Type", "application/json")
	if errs := c.CheckRequest(r, []byte(`{"content":"`+strings.Repeat("a", 2001)+`"}`)); len(errs) == 0 {
		t.Error("content of 2001 characters (maxLength 2000) passes")
	}
	if errs := c.CheckRequest(r, []byte(`{"content":"hi"}`)); len(errs) != 0 {
		t.Errorf("a plain message is refused: %v", errs)
	}
	h := http.Header{"Content-Type": {"application/json"}}
	errs := c.CheckResponse(r, []byte(`{"content":"hi"}`), http.StatusOK, h, []byte(`{"id":"1","content":"hi"}`))
	if !strings.Contains(strings.Join(errs, " "), "channel_id") {
		t.Errorf("a message without its required fields passes: %v", errs)
	}
}
