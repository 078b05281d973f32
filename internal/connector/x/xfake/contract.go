package xfake

import (
	"fmt"
	"net/http"
	"strings"

	"github.com/heraldsocial/herald/internal/connector/specfile"
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
		"/2/dm_events", "/2/dm_conversations/{id}/dm_events",
		"/2/dm_conversations/{dm_conversation_id}/messages",
		"/2/users/{id}/retweets", "/2/tweets/{tweet_id}/hidden", "/2/users/by/username/{username}",
		"/2/tweets/search/recent",
	}
}

// FindSpec walks up from dir to the folder holding go.mod and returns the
// path of the X document beside the repository (../shared/specs/…), and
// whether it exists.
func FindSpec(dir string) (string, bool) {
	return specfile.Find(dir, SpecFile)
}

// Contract checks requests and answers against the OpenAPI document. It
// is safe for concurrent use.
type Contract struct {
	*specfile.OpenAPI
}

// LoadContract reads the document at path, keeps the operations in
// SpecPaths and builds a validator for them.
func LoadContract(path string) (*Contract, error) {
	o, err := specfile.LoadOpenAPI(path, SpecPaths())
	if err != nil {
		return nil, fmt.Errorf("xfake: %w", err)
	}
	return &Contract{OpenAPI: o}, nil
}

// Covers reports whether the document describes r's path: the API's
// endpoints, but not OAuth 2.0's authorize and token endpoints, which the
// document leaves out (the fake follows X's OAuth 2.0 guide there).
func (c *Contract) Covers(r *http.Request) bool {
	p := r.URL.Path
	return strings.HasPrefix(p, "/2/") && !strings.HasPrefix(p, "/2/oauth2/")
}
