package discordfake

import (
	"fmt"
	"net/http"
	"strings"

	"github.com/heraldsocial/herald/internal/connector/specfile"
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
		return nil, fmt.Errorf("discordfake: %w", err)
	}
	return &Contract{OpenAPI: o}, nil
}

// Covers reports whether the document describes r's path: every path
// the fake serves is the webhook's.
func (c *Contract) Covers(r *http.Request) bool {
	return strings.Contains(r.URL.Path, "/webhooks/")
}
