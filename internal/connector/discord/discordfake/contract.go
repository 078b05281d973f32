package discordfake

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

// SpecFile is the Discord HTTP API's OpenAPI document, relative to the folder that
// holds the repository (the specs live beside it, not inside it).
const SpecFile = "shared/specs/discord.openapi.json"

// SpecPaths returns the operations of the document the fake serves: the
// incoming webhook's own (execute, get, and its messages).
func SpecPaths() []string {
	return []string{
		"/webhooks/{webhook_id}/{webhook_token}",
		"/webhooks/{webhook_id}/{webhook_token}/messages/{message_id}",
	}
}

// FindSpec walks up from dir to the folder holding go.mod and returns the
// path of the Discord document beside the repository (../shared/specs/…), and
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
		return nil, fmt.Errorf("discordfake: read the OpenAPI document: %w", err)
	}
	var doc map[string]any
	if err := json.Unmarshal(b, &doc); err != nil {
		return nil, fmt.Errorf("discordfake: decode the OpenAPI document: %w", err)
	}
	paths, ok := doc["paths"].(map[string]any)
	if !ok {
		return nil, errors.New("discordfake: the OpenAPI document has no paths")
	}
	kept := map[string]any{}
	for _, p := range SpecPaths() {
		op, ok := paths[p]
		if !ok {
			return nil, fmt.Errorf("discordfake: the OpenAPI document has no path %s", p)
		}
		kept[p] = op
	}
	doc["paths"] = kept
	b, err = json.Marshal(doc)
	if err != nil {
		return nil, fmt.Errorf("discordfake: encode the trimmed document: %w", err)
	}
	d, err := libopenapi.NewDocument(b)
	if err != nil {
		return nil, fmt.Errorf("discordfake: parse the OpenAPI document: %w", err)
	}
	v, errs := validator.NewValidator(d)
	if len(errs) > 0 {
		return nil, fmt.Errorf("discordfake: build the validator: %w", errors.Join(errs...))
	}
	return &Contract{v: v}, nil
}

// Covers reports whether the document describes r's path: every path
// the fake serves is the webhook's.
func (c *Contract) Covers(r *http.Request) bool {
	return strings.Contains(r.URL.Path, "/webhooks/")
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
