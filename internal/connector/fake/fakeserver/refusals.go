package fakeserver

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"sync"
	"time"
)

// MaxRefusals bounds the rate-limit refusals remembered; later ones are
// only counted (RefusalLog.Dropped), so a long benchmark cannot exhaust
// memory.
const MaxRefusals = 100_000

// Refusal is one request the platform answered 429 because its account was
// over the rate limit.
type Refusal struct {
	Account string `json:"account"`
	Method  string `json:"method"`
	Path    string `json:"path"`
	// At is when the request arrived.
	At time.Time `json:"at"`
	// Reset is when the account's window resets: no request of the account
	// is allowed before it.
	Reset time.Time `json:"reset"`
	// RetryAfter is the Retry-After header sent, in seconds.
	RetryAfter int `json:"retry_after"`
}

// RefusalLog is the body of GET /_admin/ratelimited: the refusals by
// account, each account's in arrival order.
type RefusalLog struct {
	Accounts map[string][]Refusal `json:"accounts"`
	// Dropped counts refusals not remembered (beyond MaxRefusals).
	Dropped int64 `json:"dropped"`
}

// refusals records rate-limit refusals. It is safe for concurrent use.
type refusals struct {
	mu      sync.Mutex
	all     []Refusal
	dropped int64
}

func (r *refusals) add(x Refusal) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if len(r.all) >= MaxRefusals {
		r.dropped++
		return
	}
	r.all = append(r.all, x)
}

func (r *refusals) reset() {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.all, r.dropped = nil, 0
}

// log returns the refusals by account, in arrival order.
func (r *refusals) log() RefusalLog {
	r.mu.Lock()
	defer r.mu.Unlock()
	out := RefusalLog{Accounts: map[string][]Refusal{}, Dropped: r.dropped}
	for _, x := range r.all {
		out.Accounts[x.Account] = append(out.Accounts[x.Account], x)
	}
	return out
}

// RateLimited returns the rate-limit refusals so far, by account.
func (s *Server) RateLimited() RefusalLog { return s.refused.log() }

// adminRateLimited is GET /_admin/ratelimited.
func (s *Server) adminRateLimited(w http.ResponseWriter, r *http.Request) {
	writeJSON(w, http.StatusOK, s.refused.log())
}

// FetchRateLimited reads GET /_admin/ratelimited of a fake platform at
// baseURL (one running in another process).
func FetchRateLimited(ctx context.Context, c *http.Client, baseURL string) (RefusalLog, error) {
	var out RefusalLog
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, strings.TrimRight(baseURL, "/")+"/_admin/ratelimited", nil)
	if err != nil {
		return out, fmt.Errorf("fakeserver: rate-limit log request: %w", err)
	}
	res, err := c.Do(req)
	if err != nil {
		return out, fmt.Errorf("fakeserver: fetch the rate-limit log: %w", err)
	}
	defer res.Body.Close()
	if res.StatusCode != http.StatusOK {
		return out, fmt.Errorf("fakeserver: fetch the rate-limit log: HTTP %d", res.StatusCode)
	}
	if err := json.NewDecoder(res.Body).Decode(&out); err != nil {
		return out, fmt.Errorf("fakeserver: decode the rate-limit log: %w", err)
	}
	return out, nil
}
