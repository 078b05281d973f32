package mastodonfake

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"sync"

	"github.com/heraldsocial/herald/internal/connector/specfile"
	validator "github.com/pb33f/libopenapi-validator"
	verrors "github.com/pb33f/libopenapi-validator/errors"
)

// Contract checks requests and answers against the Mastodon OpenAPI
// document. Building one parses the whole document (seconds): build it
// once and share it. It is safe for concurrent use.
//
// Known defects of the document are worked around here, each checked by
// hand instead:
//   - the Idempotency-Key header of POST /api/v1/statuses is declared an
//     object; Mastodon takes any string, so it is checked to be a
//     non-empty string of at most 255 bytes;
//   - the body of POST /api/v1/statuses is declared oneOf TextStatus,
//     MediaStatus and PollStatus, so a status with text and media (which
//     Mastodon accepts) matches two of them and fails oneOf; a body that
//     matches more than one of them is accepted (one matching none is not);
//   - redirect_uris of POST /api/v1/apps is declared an array, while the
//     Mastodon documentation (and Mastodon) take a string too, the only form
//     GoToSocial takes: a string is checked by hand to be absolute URIs,
//     one a line, then validated as the array it stands for.
//
// Paths outside the Mastodon API (nodeinfo) are not in the document and
// are not checked.
type Contract struct {
	mu sync.Mutex
	v  validator.Validator
}

// SpecFile is Mastodon's OpenAPI document, relative to the folder that
// holds the repository (the specs live beside it, not inside it).
const SpecFile = "shared/specs/mastodon.openapi.json"

// FindSpec walks up from dir to the folder holding go.mod and returns the
// path of the Mastodon document beside the repository (../shared/specs/…),
// and whether it exists.
func FindSpec(dir string) (string, bool) {
	return specfile.Find(dir, SpecFile)
}

// LoadContract reads and parses the OpenAPI document at path, whole.
func LoadContract(path string) (*Contract, error) {
	v, err := specfile.Validator(path, nil)
	if err != nil {
		return nil, fmt.Errorf("mastodonfake: %w", err)
	}
	return &Contract{v: v}, nil
}

// Checked reports whether the document covers path: the Mastodon API and
// OAuth, not nodeinfo.
func Checked(path string) bool {
	return strings.HasPrefix(path, "/api/") || strings.HasPrefix(path, "/oauth/")
}

// CheckRequest returns what is wrong with a request (its body given
// separately, as it was read), in the validator's words.
func (c *Contract) CheckRequest(r *http.Request, body []byte) []string {
	req := r.Clone(r.Context())
	req.Body = io.NopCloser(bytes.NewReader(body))
	req.URL.Scheme, req.URL.Host = "https", r.Host
	var out []string
	if key, ok := req.Header["Idempotency-Key"]; ok {
		if len(key) != 1 || key[0] == "" || len(key[0]) > 255 {
			out = append(out, fmt.Sprintf("Idempotency-Key must be one non-empty string of at most 255 bytes, got %q", key))
		}
		req.Header.Del("Idempotency-Key")
	}
	if r.Method == http.MethodPost && r.URL.Path == "/api/v1/apps" && strings.HasPrefix(r.Header.Get("Content-Type"), "application/json") {
		var m map[string]any
		if json.Unmarshal(body, &m) == nil {
			if s, ok := m["redirect_uris"].(string); ok {
				var uris []any
				for _, u := range strings.Split(s, "\n") {
					if p, err := url.Parse(strings.TrimSpace(u)); err != nil || p.Scheme == "" {
						out = append(out, fmt.Sprintf("redirect_uris %q must be absolute URIs, one a line", s))
					}
					uris = append(uris, strings.TrimSpace(u))
				}
				m["redirect_uris"] = uris
				if b, err := json.Marshal(m); err == nil {
					req.Body = io.NopCloser(bytes.NewReader(b))
					req.ContentLength = int64(len(b))
				}
			}
		}
	}
	c.mu.Lock()
	ok, errs := c.v.ValidateHttpRequestSync(req)
	c.mu.Unlock()
	if !ok {
		for _, d := range describe(errs) {
			if r.Method == http.MethodPost && r.URL.Path == "/api/v1/statuses" && severalMatched.MatchString(d) {
				continue
			}
			out = append(out, d)
		}
	}
	return out
}

// severalMatched is the validator's words for a oneOf that more than one
// alternative satisfied.
var severalMatched = regexp.MustCompile(`'oneOf' failed, subschemas [0-9, ]+ matched`)

// CheckResponse returns what is wrong with an answer to r.
func (c *Contract) CheckResponse(r *http.Request, reqBody []byte, status int, h http.Header, body []byte) []string {
	req := r.Clone(r.Context())
	req.Body = io.NopCloser(bytes.NewReader(reqBody))
	req.URL.Scheme, req.URL.Host = "https", r.Host
	res := &http.Response{StatusCode: status, Header: h.Clone(), Body: io.NopCloser(bytes.NewReader(body)), Request: req}
	c.mu.Lock()
	ok, errs := c.v.ValidateHttpResponse(req, res)
	c.mu.Unlock()
	if ok {
		return nil
	}
	return describe(errs)
}

func describe(errs []*verrors.ValidationError) []string {
	var out []string
	for _, e := range errs {
		var b strings.Builder
		b.WriteString(e.Message)
		if e.Reason != "" {
			b.WriteString(": " + e.Reason)
		}
		for _, f := range e.SchemaValidationErrors {
			fmt.Fprintf(&b, "; %s at %s", f.Reason, f.FieldPath)
		}
		out = append(out, b.String())
	}
	return out
}
