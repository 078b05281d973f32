package mastodonfake

import (
	"fmt"
	"net/http"
	"unicode/utf8"

	"github.com/rivo/uniseg"

	"github.com/heraldsocial/herald/internal/connector/mastodon"
)

// Dialect is the server software the fake behaves as. Servers that speak
// the Mastodon API differ in what they accept and how they count.
type Dialect string

// Dialects.
const (
	// Mastodon 4.x: redirect_uris a string or an array; length in grapheme
	// clusters with links as characters_reserved_per_url; Idempotency-Key
	// honoured (with Config.Idempotency).
	Mastodon Dialect = "mastodon"
	// GoToSocial: redirect_uris only a string (an array is a 400); length
	// in code points, the content warning included and links in full,
	// whatever characters_reserved_per_url says; Idempotency-Key ignored;
	// a post naming no visibility is unlisted.
	GoToSocial Dialect = "gotosocial"
	// Pleroma (and Akkoma): redirect_uris a string or an array; length in
	// characters with links in full; Idempotency-Key honoured; the
	// instance version reads "2.7.2 (compatible; Pleroma 2.5.0)".
	Pleroma Dialect = "pleroma"
)

// GoToSocialConfig is a GoToSocial 0.17 instance with its default limits.
func GoToSocialConfig() Config {
	c := DefaultConfig()
	c.Dialect, c.MaxChars, c.Idempotency, c.MaxMedia = GoToSocial, 5000, false, 6
	return c
}

// PleromaConfig is a Pleroma 2.5 instance with its default limits.
func PleromaConfig() Config {
	c := DefaultConfig()
	c.Dialect, c.MaxChars = Pleroma, 5000
	return c
}

// software is what the dialect's nodeinfo says it is.
func (d Dialect) software() (name, version string) {
	switch d {
	case GoToSocial:
		return "gotosocial", "0.17.3"
	case Pleroma:
		return "pleroma", "2.5.0"
	}
	return "mastodon", "4.5.0"
}

// instanceVersion is the version string of /api/v1 and /api/v2/instance.
func (d Dialect) instanceVersion(v1 bool) string {
	switch d {
	case GoToSocial:
		return "0.17.3+git-fake"
	case Pleroma:
		return "2.7.2 (compatible; Pleroma 2.5.0)"
	}
	if v1 {
		return "3.5.0"
	}
	return "4.5.0"
}

// lengthProblem checks a status's length as the dialect does; "" when it fits.
func (s *Server) lengthProblem(in statusInput) (int, string) {
	max := s.cfg.MaxChars
	switch s.cfg.Dialect {
	case GoToSocial:
		if utf8.RuneCountInString(in.text)+utf8.RuneCountInString(in.spoiler) > max {
			return http.StatusBadRequest, fmt.Sprintf("Bad Request: text with spoiler exceed max chars (%d)", max)
		}
	case Pleroma:
		if uniseg.GraphemeClusterCount(in.text)+uniseg.GraphemeClusterCount(in.spoiler) > max {
			return http.StatusUnprocessableEntity, "The status is over the character limit"
		}
	default:
		if mastodon.Length(in.text, in.spoiler, s.cfg.URLChars) > max {
			return http.StatusUnprocessableEntity, fmt.Sprintf("Validation failed: Text character limit of %d exceeded", max)
		}
	}
	return 0, ""
}

// defaultVisibility is what a post naming no visibility gets.
func (s *Server) defaultVisibility() string {
	if s.cfg.Dialect == GoToSocial {
		return "unlisted"
	}
	return s.cfg.DefaultPrivacy
}

// nodeinfoIndex answers /.well-known/nodeinfo.
func (s *Server) nodeinfoIndex(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	off := s.cfg.NoNodeinfo
	s.mu.Unlock()
	if off {
		writeError(w, http.StatusNotFound, "Record not found")
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{"links": []any{
		map[string]any{"rel": "http://nodeinfo.diaspora.software/ns/schema/2.0", "href": baseURL(r) + "/nodeinfo/2.0"},
	}})
}

// nodeinfo answers the nodeinfo 2.0 document.
func (s *Server) nodeinfo(w http.ResponseWriter, _ *http.Request) {
	s.mu.Lock()
	name, version := s.cfg.Dialect.software()
	s.mu.Unlock()
	writeJSON(w, http.StatusOK, map[string]any{
		"version": "2.0", "software": map[string]any{"name": name, "version": version},
		"protocols": []string{"activitypub"}, "services": map[string]any{"outbound": []any{}, "inbound": []any{}},
		"usage": map[string]any{"users": map[string]any{}}, "openRegistrations": false, "metadata": map[string]any{},
	})
}
