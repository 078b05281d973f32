package api_test

import (
	"encoding/json"
	"net/http"
	"strings"
	"testing"
)

// TestConnectPlatformsFromRegistry checks that the connect operations
// offer only the platforms the connector registry has (here the test
// platform alone), in the OpenAPI document and when asked for another.
func TestConnectPlatformsFromRegistry(t *testing.T) {
	forEachStore(t, func(t *testing.T, h *harness) {
		w := newEngageWorld(t, h)
		res := h.do(http.MethodGet, "/api/openapi.json", "", nil)
		mustStatus(t, res, http.StatusOK)
		var doc struct {
			Paths map[string]map[string]struct {
				RequestBody struct {
					Content map[string]struct {
						Schema struct {
							Ref string `json:"$ref"`
						} `json:"schema"`
					} `json:"content"`
				} `json:"requestBody"`
			} `json:"paths"`
			Components struct {
				Schemas map[string]struct {
					Properties map[string]struct {
						Enum []string `json:"enum"`
					} `json:"properties"`
				} `json:"schemas"`
			} `json:"components"`
		}
		if err := json.Unmarshal(res.Body, &doc); err != nil {
			t.Fatal(err)
		}
		for _, p := range []string{"/api/v1/workspaces/{workspace}/accounts/connect", "/api/v1/workspaces/{workspace}/accounts/connect-password"} {
			ref := doc.Paths[p]["post"].RequestBody.Content["application/json"].Schema.Ref
			name := ref[strings.LastIndex(ref, "/")+1:]
			if got := doc.Components.Schemas[name].Properties["platform"].Enum; len(got) != 1 || got[0] != "fake" {
				t.Errorf("POST %s offers the platforms %v, want [fake]", p, got)
			}
		}
		for _, body := range []map[string]string{
			{"platform": "linkedin"},
			{"platform": "mastodon", "instance": "https://mastodon.social"},
		} {
			r := h.do(http.MethodPost, w.path(w.ws, "/accounts/connect"), w.ownerTok, body)
			mustStatus(t, r, http.StatusUnprocessableEntity)
			if s := string(r.Body); !strings.Contains(s, `"platform"`) || !strings.Contains(s, "fake") || strings.Contains(s, "ask its operator") {
				t.Errorf("connect %s: %s; want the platforms that exist", body["platform"], s)
			}
		}
	})
}
