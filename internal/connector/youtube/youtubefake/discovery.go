package youtubefake

import (
	"bufio"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime/debug"
	"sort"
	"strings"
)

// apiModule is the module that ships YouTube's discovery document.
const apiModule = "google.golang.org/api"

// Discovery is YouTube Data API v3's discovery document, as the client
// library's module ships it: the schemas of request and response bodies and
// each method's parameters.
type Discovery struct {
	Path       string
	Parameters map[string]json.RawMessage `json:"parameters"`
	Resources  map[string]struct {
		Methods map[string]method `json:"methods"`
	} `json:"resources"`
	Schemas map[string]*schema `json:"schemas"`
}

type method struct {
	ID         string                     `json:"id"`
	HTTPMethod string                     `json:"httpMethod"`
	Parameters map[string]json.RawMessage `json:"parameters"`
	Request    *schema                    `json:"request"`
	Response   *schema                    `json:"response"`
}

type schema struct {
	Ref                  string             `json:"$ref"`
	Type                 string             `json:"type"`
	Format               string             `json:"format"`
	Properties           map[string]*schema `json:"properties"`
	Items                *schema            `json:"items"`
	AdditionalProperties *schema            `json:"additionalProperties"`
}

// LoadDiscovery reads youtube/v3/youtube-api.json of the google.golang.org/api
// version this build uses, from the Go module cache.
func LoadDiscovery() (*Discovery, error) {
	version, err := apiVersion()
	if err != nil {
		return nil, err
	}
	cache, err := modCache()
	if err != nil {
		return nil, err
	}
	path := filepath.Join(cache, apiModule+"@"+version, "youtube", "v3", "youtube-api.json")
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("YouTube's discovery document is not in the module cache at %s (run `go mod download %s`): %w", path, apiModule, err)
	}
	d := &Discovery{Path: path}
	if err := json.Unmarshal(b, d); err != nil {
		return nil, fmt.Errorf("read YouTube's discovery document %s: %w", path, err)
	}
	return d, nil
}

// apiVersion is the version of google.golang.org/api this binary was built
// with, else the one the module's go.mod names.
func apiVersion() (string, error) {
	if bi, ok := debug.ReadBuildInfo(); ok {
		for _, d := range bi.Deps {
			if d.Path == apiModule {
				if d.Replace != nil {
					d = d.Replace
				}
				return d.Version, nil
			}
		}
	}
	dir, err := os.Getwd()
	if err != nil {
		return "", fmt.Errorf("find go.mod: %w", err)
	}
	for {
		if v, ok := versionIn(filepath.Join(dir, "go.mod")); ok {
			return v, nil
		}
		up := filepath.Dir(dir)
		if up == dir {
			return "", fmt.Errorf("neither the build nor a go.mod names %s, which ships YouTube's discovery document", apiModule)
		}
		dir = up
	}
}

func versionIn(gomod string) (string, bool) {
	f, err := os.Open(gomod)
	if err != nil {
		return "", false
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		fields := strings.Fields(strings.TrimPrefix(strings.TrimSpace(sc.Text()), "require"))
		if len(fields) >= 2 && fields[0] == apiModule {
			return fields[1], true
		}
	}
	return "", false
}

// modCache is the Go module cache: GOMODCACHE, else what `go env` says,
// else GOPATH's.
func modCache() (string, error) {
	if d := os.Getenv("GOMODCACHE"); d != "" {
		return d, nil
	}
	if out, err := exec.Command("go", "env", "GOMODCACHE").Output(); err == nil {
		if d := strings.TrimSpace(string(out)); d != "" {
			return d, nil
		}
	}
	gopath := os.Getenv("GOPATH")
	if gopath == "" {
		home, err := os.UserHomeDir()
		if err != nil {
			return "", fmt.Errorf("find the Go module cache: %w", err)
		}
		gopath = filepath.Join(home, "go")
	}
	return filepath.Join(strings.Split(gopath, string(os.PathListSeparator))[0], "pkg", "mod"), nil
}

// method returns a method by resource and name ("videos", "insert").
func (d *Discovery) method(resource, name string) (method, bool) {
	r, ok := d.Resources[resource]
	if !ok {
		return method{}, false
	}
	m, ok := r.Methods[name]
	return m, ok
}

// checkQuery lists query parameters the method does not take, and parts
// that are not properties of the resource.
func (d *Discovery) checkQuery(m method, names []string, parts []string, resource string) []string {
	var out []string
	for _, n := range names {
		if _, ok := m.Parameters[n]; ok {
			continue
		}
		if _, ok := d.Parameters[n]; ok {
			continue
		}
		out = append(out, fmt.Sprintf("%s: unknown query parameter %q", m.ID, n))
	}
	if s := d.Schemas[resource]; s != nil {
		for _, p := range parts {
			if _, ok := s.Properties[p]; !ok && p != "id" {
				out = append(out, fmt.Sprintf("%s: part %q is not a part of %s", m.ID, p, resource))
			}
		}
	}
	return out
}

// checkBody lists the fields of v (decoded JSON) that the schema does not
// define, and values of the wrong JSON type.
func (d *Discovery) checkBody(where string, s *schema, v any) []string {
	var out []string
	d.walk(where, s, v, &out, 0)
	sort.Strings(out)
	return out
}

func (d *Discovery) walk(path string, s *schema, v any, out *[]string, depth int) {
	if s == nil || depth > 32 {
		return
	}
	if s.Ref != "" {
		ref, ok := d.Schemas[s.Ref]
		if !ok {
			*out = append(*out, fmt.Sprintf("%s: the discovery document has no schema %s", path, s.Ref))
			return
		}
		d.walk(path, ref, v, out, depth+1)
		return
	}
	if v == nil {
		return
	}
	bad := func(want string) { *out = append(*out, fmt.Sprintf("%s: is %T, the schema says %s", path, v, want)) }
	switch s.Type {
	case "object":
		obj, ok := v.(map[string]any)
		if !ok {
			bad("an object")
			return
		}
		for k, val := range obj {
			switch p, known := s.Properties[k]; {
			case known:
				d.walk(path+"."+k, p, val, out, depth+1)
			case s.AdditionalProperties != nil:
				d.walk(path+"."+k, s.AdditionalProperties, val, out, depth+1)
			default:
				*out = append(*out, fmt.Sprintf("%s: unknown field %q", path, k))
			}
		}
	case "array":
		arr, ok := v.([]any)
		if !ok {
			bad("an array")
			return
		}
		for i, it := range arr {
			d.walk(fmt.Sprintf("%s[%d]", path, i), s.Items, it, out, depth+1)
		}
	case "string":
		if _, ok := v.(string); !ok {
			bad(strings.TrimSpace("a string " + s.Format))
		}
	case "boolean":
		if _, ok := v.(bool); !ok {
			bad("a boolean")
		}
	case "integer", "number":
		if _, ok := v.(float64); !ok {
			bad("a number")
		}
	}
}
