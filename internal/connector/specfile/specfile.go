// Package specfile finds the platforms' contract documents, which live
// beside the repository (../shared/specs) rather than inside it, and builds
// OpenAPI validators from them for the fake servers.
package specfile

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"sync"

	"github.com/pb33f/libopenapi"
	validator "github.com/pb33f/libopenapi-validator"
	verrors "github.com/pb33f/libopenapi-validator/errors"
)

// Find walks up from dir to the folder holding go.mod and returns the path
// of rel, taken relative to that folder's parent (the folder that holds the
// repository, e.g. "shared/specs/x-api-v2.openapi.json"), and whether a file
// is there. It returns "" and false when no folder above dir holds go.mod.
func Find(dir, rel string) (string, bool) {
	d, err := filepath.Abs(dir)
	if err != nil {
		return "", false
	}
	for {
		if _, err := os.Stat(filepath.Join(d, "go.mod")); err == nil {
			p := filepath.Join(filepath.Dir(d), rel)
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

// Validator reads the OpenAPI document at path and builds a validator for
// it. With paths, only those operations are kept (each must be in the
// document): a large document compiles in a fraction of the time. With no
// paths the document is used whole, as it is.
func Validator(path string, paths []string) (validator.Validator, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("read the OpenAPI document: %w", err)
	}
	if len(paths) > 0 {
		if b, err = trim(b, paths); err != nil {
			return nil, err
		}
	}
	d, err := libopenapi.NewDocument(b)
	if err != nil {
		return nil, fmt.Errorf("parse the OpenAPI document: %w", err)
	}
	v, errs := validator.NewValidator(d)
	if len(errs) > 0 {
		return nil, fmt.Errorf("build the validator: %w", errors.Join(errs...))
	}
	return v, nil
}

// trim returns the document b with only the operations at paths.
func trim(b []byte, paths []string) ([]byte, error) {
	var doc map[string]any
	if err := json.Unmarshal(b, &doc); err != nil {
		return nil, fmt.Errorf("decode the OpenAPI document: %w", err)
	}
	all, ok := doc["paths"].(map[string]any)
	if !ok {
		return nil, errors.New("the OpenAPI document has no paths")
	}
	kept := map[string]any{}
	for _, p := range paths {
		op, ok := all[p]
		if !ok {
			return nil, fmt.Errorf("the OpenAPI document has no path %s", p)
		}
		kept[p] = op
	}
	doc["paths"] = kept
	out, err := json.Marshal(doc)
	if err != nil {
		return nil, fmt.Errorf("encode the trimmed document: %w", err)
	}
	return out, nil
}

// OpenAPI checks requests and answers against an OpenAPI document. It is
// safe for concurrent use.
type OpenAPI struct {
	mu sync.Mutex
	v  validator.Validator
}

// LoadOpenAPI reads the document at path, keeps the operations at paths
// (see Validator) and builds a checker for them.
func LoadOpenAPI(path string, paths []string) (*OpenAPI, error) {
	v, err := Validator(path, paths)
	if err != nil {
		return nil, err
	}
	return &OpenAPI{v: v}, nil
}

// CheckRequest returns the document's objections to r (whose body is body).
func (o *OpenAPI) CheckRequest(r *http.Request, body []byte) []string {
	req := r.Clone(r.Context())
	req.Body = io.NopCloser(bytes.NewReader(body))
	o.mu.Lock()
	defer o.mu.Unlock()
	_, errs := o.v.ValidateHttpRequest(req)
	return describe(errs)
}

// CheckResponse returns the document's objections to an answer to r.
func (o *OpenAPI) CheckResponse(r *http.Request, reqBody []byte, status int, h http.Header, body []byte) []string {
	req := r.Clone(r.Context())
	req.Body = io.NopCloser(bytes.NewReader(reqBody))
	res := &http.Response{StatusCode: status, Header: h.Clone(), Request: req,
		Body: io.NopCloser(bytes.NewReader(body))}
	o.mu.Lock()
	defer o.mu.Unlock()
	_, errs := o.v.ValidateHttpResponse(req, res)
	return describe(errs)
}

// describe puts each validation error in one line: the message, the
// reason, and the schema's objections in brackets.
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
