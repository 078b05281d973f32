package x

import (
	"context"
	"errors"
	"net/url"
	"strings"
)

// Capability is whether the source can do one thing, as the UI shows it.
type Capability struct {
	// Supported is true when X was seen to allow it.
	Supported bool
	// Known is false when the source could not tell (no answer yet, or
	// the answer was a failure that says nothing about access).
	Known bool
	// Note is one line for people: what this source can or cannot see.
	Note string
}

// Capabilities is what an X account lets this source see ("what this
// source can and cannot see").
type Capabilities struct {
	// RecentSearch is GET /2/tweets/search/recent with the account's
	// token: X's Basic access level or above includes it, Free does not.
	RecentSearch Capability
	// Query says whether the search query holds every rule of the topics
	// it stands for, and if not what it leaves out (regular expressions,
	// accounts that are not on X, …); Herald's matcher still applies every
	// rule to what arrives.
	Query Capability
}

// Notes of RecentSearch.
const (
	noteCanSearch = "Public posts of the last 7 days that the query finds, as X's recent search shows them to this account, " +
		"polled every minute; reposts are left out."
	noteUnknown = "Not known yet whether this X account's API access includes recent search: no search has been answered."
)

// observe records what the last answer showed about access.
func (s *Source) observe(c Capability) {
	s.mu.Lock()
	s.observed = c
	s.mu.Unlock()
}

// Observed returns what the answers so far showed, without calling X:
// RecentSearch is not Known before the first answer.
func (s *Source) Observed() Capabilities {
	s.mu.Lock()
	c := Capabilities{RecentSearch: s.observed}
	s.mu.Unlock()
	if !c.RecentSearch.Known && c.RecentSearch.Note == "" {
		c.RecentSearch.Note = noteUnknown
	}
	c.Query = s.queryCapability()
	return c
}

// queryCapability says what the query leaves out.
func (s *Source) queryCapability() Capability {
	if len(s.cfg.Omitted) == 0 {
		return Capability{Supported: true, Known: true, Note: "The X query holds every rule of the topics."}
	}
	return Capability{Known: true, Note: "The X query leaves out: " + strings.Join(s.cfg.Omitted, "; ") +
		". Herald's own matching still applies every rule to the posts that arrive."}
}

// Capabilities returns what the source can see: Observed, after one
// search call (max_results 10, no cursor) when no answer has shown it
// yet. It fails only when ctx ends; what it cannot tell is Known false.
func (s *Source) Capabilities(ctx context.Context) (Capabilities, error) {
	if c := s.Observed(); c.RecentSearch.Known {
		return c, nil
	}
	s.forgetToken()
	_, err := s.search(ctx, url.Values{"query": {s.cfg.Query}, "max_results": {"10"}})
	switch {
	case ctx.Err() != nil:
		return s.Observed(), ctx.Err()
	case err != nil && !errors.Is(err, ErrNoSearchAccess) && !errors.Is(err, ErrTokenRefused):
		c := s.Observed()
		c.RecentSearch = Capability{Note: "Could not tell whether this X account's API access includes recent search: " + err.Error()}
		return c, nil
	}
	return s.Observed(), nil
}
