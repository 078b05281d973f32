package xfake

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync"

	"github.com/pb33f/libopenapi"
	validator "github.com/pb33f/libopenapi-validator"
	verrors "github.com/pb33f/libopenapi-validator/errors"
)

// SpecFile is the X API's OpenAPI document, relative to the folder that
// holds the repository (the specs live beside it, not inside it).
const SpecFile = "shared/specs/x-api-v2.openapi.json"

// SpecPaths returns the operations of the document the fake serves; the
// contract is built from these alone (the whole document takes many
// seconds to compile, these well under one).
func SpecPaths() []string {
	return []string{
		"/2/tweets", "/2/tweets/{id}", "/2/users/me", "/2/users/{id}/tweets",
		"/2/users/{id}/mentions", "/2/users/{id}/likes", "/2/media/upload",
		"/2/media/upload/initialize", "/2/media/upload/{id}/append",
		"/2/media/upload/{id}/finalize", "/2/media/metadata",
	}
}

// FindSpec walks up from dir to the folder holding go.mod and returns the
// path of the X document beside the repository (../shared/specs/…), and
// whether it exists.
func FindSpec(dir string) (string, bool) {
	d, err := filepath.Abs(dir)
	if err != nil {
		return "", false
	}
	for {
		if _, err := os.Stat(filepath.Join(d, "go.mod")); err == nil {
			p := filepath.Join(filepath.Dir(d), SpecFile)
			_, err := os.Stat(p)
			return p, err == nil
		}
		parent := filepath.Dir(d)
		if parent == d {
			return "", false
		}
		d = parent
	}
}

// Contract checks requests and answers against the OpenAPI document. It
// is safe for concurrent use.
type Contract struct {
	mu sync.Mutex
	v  validator.Validator
}

// LoadContract reads the document at path, keeps the operations in
// SpecPaths and builds a validator for them.
func LoadContract(path string) (*Contract, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("xfake: read the OpenAPI document: %w", err)
	}
	var doc map[string]any
	if err := json.Unmarshal(b, &doc); err != nil {
		return nil, fmt.Errorf("xfake: decode the OpenAPI document: %w", err)
	}
	paths, ok := doc["paths"].(map[string]any)
	if !ok {
		return nil, errors.New("xfake: the OpenAPI document has no paths")
	}
	kept := map[string]any{}
	for _, p := range SpecPaths() {
		op, ok := paths[p]
		if !ok {
			return nil, fmt.Errorf("xfake: the OpenAPI document has no path %s", p)
		}
		kept[p] = op
	}
	doc["paths"] = kept
	b, err = json.Marshal(doc)
	if err != nil {
		return nil, fmt.Errorf("xfake: encode the trimmed document: %w", err)
	}
	d, err := libopenapi.NewDocument(b)
	if err != nil {
		return nil, fmt.Errorf("xfake: parse the OpenAPI document: %w", err)
	}
	v, errs := validator.NewValidator(d)
	if len(errs) > 0 {
		return nil, fmt.Errorf("xfake: build the validator: %w", errors.Join(errs...))
	}
	return &Contract{v: v}, nil
}

// Covers reports whether the document describes r's path: the API's
// endpoints, but not OAuth 2.0's authorize and token endpoints, which the
// document leaves out (the fake follows X's OAuth 2.0 guide there).
func (c *Contract) Covers(r *http.Request) bool {
	p := r.URL.Path
	return strings.HasPrefix(p, "/2/") && !strings.HasPrefix(p, "/2/oauth2/")
}

// CheckRequest returns the document's objections to r (whose body is body).
func (c *Contract) CheckRequest(r *http.Request, body []byte) []string {
	req := r.Clone(r.Context())
	req.Body = io.NopCloser(bytes.NewReader(body))
	c.mu.Lock()
	defer c.mu.Unlock()
	_, errs := c.v.ValidateHttpRequest(req)
	return describe(errs)
}

// CheckResponse returns the document's objections to an answer to r.
func (c *Contract) CheckResponse(r *http.Request, reqBody []byte, status int, h http.Header, body []byte) []string {
	req := r.Clone(r.Context())
	req.Body = io.NopCloser(bytes.NewReader(reqBody))
	res := &http.Response{StatusCode: status, Header: h.Clone(), Request: req,
		Body: io.NopCloser(bytes.NewReader(body))}
	c.mu.Lock()
	defer c.mu.Unlock()
	_, errs := c.v.ValidateHttpResponse(req, res)
	return describe(errs)
}

func describe(errs []*verrors.ValidationError) []string {
	var out []string
	for _, e := range errs {
		msg := e.Message
		if e.Reason != "" {
			msg += ": " + e.Reason
		}
		for _, f := range e.SchemaValidationErrors {
			msg += " [" + f.Error() + "]"
		}
		out = append(out, msg)
	}
	return out
}
