package api_test

import (
	"encoding/json"
	"net/http"
	"sort"
	"strings"
	"testing"

	"github.com/pb33f/libopenapi"
)

// TestOpenAPIDocument checks that /api/openapi.json is a valid OpenAPI 3.1
// document and that it lists exactly the routes the server registered, so
// the published contract cannot drift from the server.
func TestOpenAPIDocument(t *testing.T) {
	h := newHarness(t, openSQLite(t))
	res := h.do(http.MethodGet, "/api/openapi.json", "", nil)
	mustStatus(t, res, http.StatusOK)

	doc, err := libopenapi.NewDocument(res.Body)
	if err != nil {
		t.Fatalf("parse: %v", err)
	}
	if v := doc.GetSpecInfo().Version; !strings.HasPrefix(v, "3.1") {
		t.Fatalf("OpenAPI version %q, want 3.1.x", v)
	}
	model, err := doc.BuildV3Model()
	if err != nil {
		t.Fatalf("the document is not a valid OpenAPI 3.1 model: %v", err)
	}
	if model.Model.Info == nil || model.Model.Info.Title == "" {
		t.Fatal("info.title missing")
	}

	// Every (method, path) in the document.
	var raw struct {
		Paths map[string]map[string]json.RawMessage `json:"paths"`
	}
	if err := json.Unmarshal(res.Body, &raw); err != nil {
		t.Fatal(err)
	}
	inDoc := map[string]bool{}
	for path, ops := range raw.Paths {
		for method := range ops {
			switch method {
			case "parameters", "summary", "description", "servers":
				continue
			}
			inDoc[strings.ToUpper(method)+" "+path] = true
		}
	}
	registered := map[string]bool{}
	for _, r := range h.api.Routes() {
		registered[r.Method+" "+r.Path] = true
	}
	var missing, extra []string
	for k := range registered {
		if !inDoc[k] {
			missing = append(missing, k)
		}
	}
	for k := range inDoc {
		if !registered[k] {
			extra = append(extra, k)
		}
	}
	sort.Strings(missing)
	sort.Strings(extra)
	if len(missing) > 0 || len(extra) > 0 {
		t.Fatalf("routes not in the document: %v\ndocument operations not served: %v", missing, extra)
	}
	if len(registered) < 40 {
		t.Errorf("only %d routes registered; the API should be complete", len(registered))
	}

	// Every documented operation is really served: a request to it never
	// answers with the mux's own 404/405 text (a handler's JSON 404 is fine).
	for k := range inDoc {
		method, path, _ := strings.Cut(k, " ")
		path = fillParams(path)
		r := h.do(method, path, "", nil)
		if r.Status == http.StatusMethodNotAllowed || (r.Status == http.StatusNotFound && r.ErrorCode() == "") {
			t.Errorf("%s %s: the server has no such route (status %d, body %s)", method, path, r.Status, r.Body)
		}
	}
}

// fillParams replaces {name} path parameters with a number.
func fillParams(path string) string {
	var b strings.Builder
	for {
		i := strings.IndexByte(path, '{')
		if i < 0 {
			b.WriteString(path)
			return b.String()
		}
		j := strings.IndexByte(path[i:], '}')
		b.WriteString(path[:i])
		b.WriteString("1")
		path = path[i+j+1:]
	}
}

// TestErrorBodyEverywhere checks that errors made by huma itself (unknown
// route parameters of the wrong type, malformed JSON) use Herald's body.
func TestErrorBodyEverywhere(t *testing.T) {
	h := newHarness(t, openSQLite(t))
	owner := h.newUser("owner@example.com")
	ws := h.newWorkspace(owner, "Acme")
	tok := h.tokenFor(owner, ws, "owner")
	for _, tc := range []struct {
		name, method, path string
		body               any
		status             int
		code               string
	}{
		{"no auth", http.MethodGet, "/api/v1/me", nil, http.StatusUnauthorized, "unauthorized"},
		{"path param of the wrong type", http.MethodGet, "/api/v1/workspaces/abc", nil, http.StatusUnprocessableEntity, "invalid"},
		{"malformed JSON", http.MethodPost, "/api/v1/session", `{"email":`, http.StatusBadRequest, "bad_request"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			token := tok
			if tc.name == "no auth" {
				token = ""
			}
			r := h.do(tc.method, tc.path, token, tc.body)
			mustStatus(t, r, tc.status)
			var body struct {
				Error struct {
					Code    string            `json:"code"`
					Message string            `json:"message"`
					Details []json.RawMessage `json:"details"`
				} `json:"error"`
			}
			r.JSON(t, &body)
			if body.Error.Code != tc.code || body.Error.Message == "" || body.Error.Details == nil {
				t.Fatalf("error body %s", r.Body)
			}
		})
	}
}
