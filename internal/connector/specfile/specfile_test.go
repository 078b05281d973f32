package specfile

import (
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// tree makes root/repo (with go.mod and a nested package folder) and
// returns root and the nested folder.
func tree(t *testing.T) (string, string) {
	t.Helper()
	root := t.TempDir()
	pkg := filepath.Join(root, "repo", "internal", "pkg")
	if err := os.MkdirAll(pkg, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(root, "repo", "go.mod"), []byte("module m\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	return root, pkg
}

func write(t *testing.T, path, body string) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, []byte(body), 0o644); err != nil {
		t.Fatal(err)
	}
}

func TestFindBesideTheRepository(t *testing.T) {
	root, pkg := tree(t)
	want := filepath.Join(root, "shared", "specs", "a.json")
	if p, ok := Find(pkg, "shared/specs/a.json"); ok || p != want {
		t.Errorf("absent document: Find = %q, %v; want %q, false", p, ok, want)
	}
	write(t, want, "{}")
	if p, ok := Find(pkg, "shared/specs/a.json"); !ok || p != want {
		t.Errorf("Find = %q, %v; want %q, true", p, ok, want)
	}
	// A copy inside the repository is not the one beside it.
	write(t, filepath.Join(root, "repo", "shared", "specs", "b.json"), "{}")
	if p, ok := Find(pkg, "shared/specs/b.json"); ok {
		t.Errorf("a document inside the repository was found at %q", p)
	}
}

func TestFindWithoutModule(t *testing.T) {
	dir := t.TempDir()
	for d := dir; ; d = filepath.Dir(d) {
		if _, err := os.Stat(filepath.Join(d, "go.mod")); err == nil {
			t.Skipf("%s holds a go.mod above the temporary folder", d)
		}
		if filepath.Dir(d) == d {
			break
		}
	}
	if p, ok := Find(dir, "shared/specs/a.json"); ok || p != "" {
		t.Errorf("Find = %q, %v; want \"\", false", p, ok)
	}
}

func TestFindFromHere(t *testing.T) {
	p, _ := Find(".", "shared/specs/x.json")
	wd, err := os.Getwd()
	if err != nil {
		t.Fatal(err)
	}
	// This package is three folders below the repository's root.
	want := filepath.Join(filepath.Dir(filepath.Dir(filepath.Dir(filepath.Dir(wd)))), "shared", "specs", "x.json")
	if p != want {
		t.Errorf("Find(\".\") = %q, want %q", p, want)
	}
}

const doc = `{
  "openapi": "3.0.3",
  "info": {"title": "t", "version": "1"},
  "paths": {
    "/kept": {
      "post": {
        "requestBody": {"required": true, "content": {"application/json": {"schema": {
          "type": "object", "required": ["text"],
          "properties": {"text": {"type": "string", "maxLength": 5}}}}}},
        "responses": {"200": {"description": "ok", "content": {"application/json": {"schema": {
          "type": "object", "required": ["id"], "properties": {"id": {"type": "string"}}}}}}}
      }
    },
    "/dropped": {
      "get": {"responses": {"200": {"description": "ok"}}}
    }
  }
}`

func TestLoadOpenAPIChecks(t *testing.T) {
	root, _ := tree(t)
	path := filepath.Join(root, "shared", "specs", "t.json")
	write(t, path, doc)
	o, err := LoadOpenAPI(path, []string{"/kept"})
	if err != nil {
		t.Fatal(err)
	}
	r := httptest.NewRequest(http.MethodPost, "https://api.example/kept", nil)
	r.Header.Set("Content-Type", "application/json")
	if errs := o.CheckRequest(r, []byte(`{"text":"hi"}`)); len(errs) != 0 {
		t.Errorf("a good request is refused: %v", errs)
	}
	if errs := o.CheckRequest(r, []byte(`{"text":"too long"}`)); len(errs) == 0 {
		t.Error("text over maxLength passes")
	}
	h := http.Header{"Content-Type": {"application/json"}}
	if errs := o.CheckResponse(r, []byte(`{"text":"hi"}`), 200, h, []byte(`{"id":"1"}`)); len(errs) != 0 {
		t.Errorf("a good answer is refused: %v", errs)
	}
	errs := o.CheckResponse(r, []byte(`{"text":"hi"}`), 200, h, []byte(`{"name":"1"}`))
	if !strings.Contains(strings.Join(errs, " "), "id") {
		t.Errorf("an answer without its required id passes: %v", errs)
	}
	// The trimmed document no longer has /dropped.
	g := httptest.NewRequest(http.MethodGet, "https://api.example/dropped", nil)
	if errs := o.CheckRequest(g, nil); len(errs) == 0 {
		t.Error("a path left out of the contract is accepted")
	}
	whole, err := LoadOpenAPI(path, nil)
	if err != nil {
		t.Fatal(err)
	}
	if errs := whole.CheckRequest(g, nil); len(errs) != 0 {
		t.Errorf("the whole document refuses /dropped: %v", errs)
	}
}

func TestLoadOpenAPIErrors(t *testing.T) {
	root, _ := tree(t)
	good := filepath.Join(root, "good.json")
	write(t, good, doc)
	noPaths := filepath.Join(root, "nopaths.json")
	write(t, noPaths, `{"openapi":"3.0.3","info":{"title":"t","version":"1"}}`)
	notJSON := filepath.Join(root, "bad.json")
	write(t, notJSON, `{"openapi":`)
	cases := []struct {
		name, path string
		paths      []string
		want       string
	}{
		{"missing file", filepath.Join(root, "none.json"), nil, "read the OpenAPI document"},
		{"missing path", good, []string{"/kept", "/absent"}, "has no path /absent"},
		{"no paths", noPaths, []string{"/kept"}, "has no paths"},
		{"not JSON", notJSON, []string{"/kept"}, "decode the OpenAPI document"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, err := LoadOpenAPI(c.path, c.paths)
			if err == nil || !strings.Contains(err.Error(), c.want) {
				t.Errorf("err = %v, want one saying %q", err, c.want)
			}
		})
	}
}
