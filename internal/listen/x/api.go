package x

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/heraldsocial/herald/internal/connector"
)

// ErrNoSearchAccess is wrapped by the error a Source stops with when X
// says the account's API access level does not include recent search
// (403 client-forbidden, reason client-not-enrolled): the app's X
// developer project needs Basic access or above.
var ErrNoSearchAccess = errors.New("this X account's API access does not include recent search (Basic tier or above)")

// ErrTokenRefused is wrapped by the error a Source stops with when X
// refuses the account's token (401, also after asking for the token
// again, or a 403 that is not about the access level).
var ErrTokenRefused = errors.New("X refused this account's token for recent search; reconnect the X account")

// minRateWait is the shortest wait after a 429: X's reset is given in
// whole seconds, so a reset "now" may still be a moment away.
const minRateWait = time.Second

// defaultRateWait is how long a 429 without a reset time waits (X's
// windows are 15 minutes).
const defaultRateWait = time.Minute

// answer is a search answer.
type answer struct {
	Data     []json.RawMessage `json:"data"`
	Includes struct {
		Users []json.RawMessage `json:"users"`
	} `json:"includes"`
	Meta struct {
		NewestID  string `json:"newest_id"`
		OldestID  string `json:"oldest_id"`
		NextToken string `json:"next_token"`
	} `json:"meta"`
}

// problem is the part of an X error body that says why access is refused.
type problem struct {
	Type   string `json:"type"`
	Reason string `json:"reason"`
	Errors []struct {
		Type   string `json:"type"`
		Reason string `json:"reason"`
	} `json:"errors"`
}

// notEnrolled reports whether an X error body says the app's access level
// does not include the endpoint.
func notEnrolled(body []byte) bool {
	var p problem
	if json.Unmarshal(body, &p) != nil {
		return false
	}
	check := func(typ, reason string) bool {
		return reason == "client-not-enrolled" || strings.HasSuffix(typ, "client-forbidden")
	}
	if check(p.Type, p.Reason) {
		return true
	}
	for _, e := range p.Errors {
		if check(e.Type, e.Reason) {
			return true
		}
	}
	return false
}

// search sends one search request with q and returns the answer; nil
// with a nil error when the answer was not the expected JSON (counted in
// Stats.Malformed). It waits before sending while the rate limit is used
// up (x-rate-limit-remaining 0 until x-rate-limit-reset) and waits out
// each 429 until its reset, then sends the same request again, so a page
// is neither lost nor read twice. A 401 asks Config.TokenSource for the
// token once more before giving up. Errors wrap a *connector.Error, and
// ErrNoSearchAccess or ErrTokenRefused when X refuses access.
func (s *Source) search(ctx context.Context, q url.Values) (*answer, error) {
	renewed := false
	for {
		if err := s.waitQuota(ctx); err != nil {
			return nil, err
		}
		tok, err := s.currentToken(ctx, false)
		if err != nil {
			return nil, err
		}
		req, err := http.NewRequestWithContext(ctx, http.MethodGet, s.base+"/2/tweets/search/recent?"+q.Encode(), nil)
		if err != nil {
			return nil, fmt.Errorf("x search: build the request: %w", err)
		}
		req.Header.Set("Accept", "application/json")
		req.Header.Set("Authorization", "Bearer "+tok)
		res, err := connector.Do(s.hc, req, 0)
		if err != nil {
			if ctx.Err() != nil {
				return nil, ctx.Err()
			}
			return nil, fmt.Errorf("x search: %w", err)
		}
		s.requests.Add(1)
		now := s.now()
		s.noteQuota(res.Header, now)
		e := connector.Classify(res.Status, res.Header, res.Body, now)
		switch {
		case e == nil:
			s.observe(Capability{Supported: true, Known: true, Note: noteCanSearch})
			var a answer
			if err := json.Unmarshal(res.Body, &a); err != nil {
				s.malformed.Add(1)
				s.log.WarnContext(ctx, "x search: an answer is not the expected JSON; skipped", "source", s.name, "error", err)
				return nil, nil
			}
			return &a, nil
		case e.Class == connector.RateLimited:
			s.limited.Add(1)
			wait := e.RetryAfter
			if wait <= 0 && res.Header.Get("x-rate-limit-reset") == "" {
				wait = defaultRateWait
			}
			wait = max(wait, minRateWait)
			s.block(now.Add(wait))
			s.log.InfoContext(ctx, "x search: rate limit reached; waiting for the reset", "source", s.name, "wait", wait)
			continue
		case e.Class != connector.AuthRevoked && e.Class != connector.AuthExpired:
			return nil, fmt.Errorf("x search: %w", e) // 5xx, a proxy's page, a refused query
		case res.Status == http.StatusForbidden && notEnrolled(res.Body):
			s.observe(Capability{Known: true, Note: ErrNoSearchAccess.Error() + "."})
			return nil, fmt.Errorf("x search: %w: %w", ErrNoSearchAccess, e)
		case res.Status == http.StatusUnauthorized && !renewed && s.cfg.TokenSource != nil:
			renewed = true
			if _, err := s.currentToken(ctx, true); err != nil {
				return nil, err
			}
			continue
		default:
			s.observe(Capability{Known: true, Note: ErrTokenRefused.Error() + " (" + e.Message + ")."})
			return nil, fmt.Errorf("x search: %w: %w", ErrTokenRefused, e)
		}
	}
}

// currentToken returns the token to send, asking Config.TokenSource when
// there is one (always when renew).
func (s *Source) currentToken(ctx context.Context, renew bool) (string, error) {
	if s.cfg.TokenSource == nil {
		return s.cfg.Token, nil
	}
	s.mu.Lock()
	tok := s.token
	s.mu.Unlock()
	if tok != "" && !renew {
		return tok, nil
	}
	tok, err := s.cfg.TokenSource(ctx)
	if err != nil {
		return "", fmt.Errorf("x search: the account's token: %w", err)
	}
	if tok == "" {
		return "", fmt.Errorf("x search: %w", ErrTokenRefused)
	}
	s.mu.Lock()
	s.token = tok
	s.mu.Unlock()
	return tok, nil
}

// forgetToken makes the next call ask Config.TokenSource again.
func (s *Source) forgetToken() {
	if s.cfg.TokenSource == nil {
		return
	}
	s.mu.Lock()
	s.token = ""
	s.mu.Unlock()
}

// noteQuota keeps the rate-limit headers of an answer.
func (s *Source) noteQuota(h http.Header, now time.Time) {
	rem, err := strconv.Atoi(strings.TrimSpace(h.Get("x-rate-limit-remaining")))
	if err != nil {
		return
	}
	wait := connector.ParseRetryAfter(http.Header{"X-Rate-Limit-Reset": h.Values("x-rate-limit-reset")}, now)
	s.mu.Lock()
	defer s.mu.Unlock()
	s.remaining, s.reset = rem, now.Add(wait)
	if rem <= 0 && wait > 0 && s.reset.After(s.notBefore) {
		s.notBefore = s.reset
	}
}

// block records that no call may go out before until.
func (s *Source) block(until time.Time) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if until.After(s.notBefore) {
		s.notBefore = until
	}
}

// waitQuota sleeps until the rate limit's reset, if one is due.
func (s *Source) waitQuota(ctx context.Context) error {
	s.mu.Lock()
	until := s.notBefore
	s.mu.Unlock()
	if d := until.Sub(s.now()); d > 0 {
		return s.sleep(ctx, d)
	}
	return nil
}

// nextPoll is how long to wait before the next poll: Config.PollInterval,
// or longer when the calls left in the rate-limit window, spread evenly
// until its reset, come further apart (until the reset when none are
// left).
func (s *Source) nextPoll() time.Duration {
	wait := s.cfg.PollInterval
	s.mu.Lock()
	defer s.mu.Unlock()
	now := s.now()
	left := s.reset.Sub(now)
	if s.remaining < 0 || left <= 0 {
		return wait
	}
	if s.remaining == 0 {
		return max(wait, left)
	}
	return max(wait, left/time.Duration(s.remaining))
}
