package mastodon

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

// maxRateRetries is how many 429 answers in a row one call waits out
// before it gives up.
const maxRateRetries = 3

// defaultRateWait is how long a 429 without a reset time waits.
const defaultRateWait = 5 * time.Second

// get sends GET base+path (or the absolute link) and decodes the JSON
// answer into v. It waits before sending while the instance said the
// token's calls are used up (X-RateLimit-Remaining 0 until
// X-RateLimit-Reset), and waits out a 429 (up to maxRateRetries times).
// Other error answers come back as a *connector.Error with the server's
// own message ({"error": …}), wrapped.
func (s *Source) get(ctx context.Context, link string, v any) (http.Header, error) {
	for attempt := 0; ; attempt++ {
		if err := s.waitQuota(ctx); err != nil {
			return nil, err
		}
		req, err := http.NewRequestWithContext(ctx, http.MethodGet, link, nil)
		if err != nil {
			return nil, fmt.Errorf("mastodon: build GET %s: %w", s.describe(link), err)
		}
		req.Header.Set("Accept", "application/json")
		if s.cfg.Token != "" {
			req.Header.Set("Authorization", "Bearer "+s.cfg.Token)
		}
		res, err := connector.Do(s.client, req, 0)
		if err != nil {
			if ctx.Err() != nil {
				return nil, ctx.Err()
			}
			return nil, fmt.Errorf("mastodon: GET %s: %w", s.describe(link), err)
		}
		s.noteQuota(res.Header)
		if e := connector.Classify(res.Status, res.Header, res.Body, s.now()); e != nil {
			if e.Class == connector.RateLimited && attempt < maxRateRetries {
				wait := e.RetryAfter
				if wait <= 0 {
					wait = defaultRateWait
				}
				s.block(s.now().Add(wait))
				continue
			}
			return res.Header, fmt.Errorf("mastodon: GET %s: %w", s.describe(link), e)
		}
		if v != nil {
			if err := json.Unmarshal(res.Body, v); err != nil {
				return res.Header, fmt.Errorf("mastodon: GET %s: the answer is not the expected JSON: %w", s.describe(link), err)
			}
		}
		return res.Header, nil
	}
}

// describe is a link without its host and query, for error messages.
func (s *Source) describe(link string) string {
	if u, err := url.Parse(link); err == nil {
		return u.Path
	}
	return link
}

// noteQuota remembers a reset to wait for when no calls remain.
func (s *Source) noteQuota(h http.Header) {
	rem := strings.TrimSpace(h.Get("X-RateLimit-Remaining"))
	if n, err := strconv.Atoi(rem); err != nil || n > 0 {
		return
	}
	if wait := connector.ParseRetryAfter(http.Header{"X-Ratelimit-Reset": h.Values("X-RateLimit-Reset")}, s.now()); wait > 0 {
		s.block(s.now().Add(wait))
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

// waitQuota sleeps until the instance's rate-limit reset, if one is due.
func (s *Source) waitQuota(ctx context.Context) error {
	s.mu.Lock()
	until := s.notBefore
	s.mu.Unlock()
	if d := until.Sub(s.now()); d > 0 {
		s.log.DebugContext(ctx, "mastodon rate limit: waiting for the reset", "instance", s.host, "wait", d)
		return s.sleep(ctx, d)
	}
	return nil
}

// sleepCtx waits d or until ctx ends.
func sleepCtx(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}

// instanceInfo is what the source needs of /api/v2/instance (or v1).
type instanceInfo struct {
	domain    string // the accounts' domain (LOCAL_DOMAIN), "" unknown
	streaming string // the streaming API's base URL, "" unknown
}

// instance reads the instance's account domain and streaming URL, once.
// An instance that answers neither document is taken to use its own host.
func (s *Source) instance(ctx context.Context) instanceInfo {
	s.mu.Lock()
	info, ok := s.info, s.infoOK
	s.mu.Unlock()
	if ok {
		return info
	}
	var v2 struct {
		Domain        string `json:"domain"`
		Configuration struct {
			URLs struct {
				Streaming string `json:"streaming"`
			} `json:"urls"`
		} `json:"configuration"`
	}
	if _, err := s.get(ctx, s.base+"/api/v2/instance", &v2); err == nil {
		info = instanceInfo{domain: v2.Domain, streaming: v2.Configuration.URLs.Streaming}
	} else {
		var v1 struct {
			URI  string `json:"uri"`
			URLs struct {
				StreamingAPI string `json:"streaming_api"`
			} `json:"urls"`
		}
		if _, err := s.get(ctx, s.base+"/api/v1/instance", &v1); err == nil {
			info = instanceInfo{domain: v1.URI, streaming: v1.URLs.StreamingAPI}
		} else if ctx.Err() != nil {
			return instanceInfo{domain: s.host}
		}
	}
	if info.domain == "" || strings.Contains(info.domain, "/") {
		info.domain = s.host
	}
	s.mu.Lock()
	s.info, s.infoOK = info, true
	s.mu.Unlock()
	return info
}

// streamingBase turns the announced streaming URL into an HTTP base URL:
// the server-sent events endpoints live on the same host as the WebSocket.
func streamingBase(u, fallback string) string {
	u = strings.TrimRight(u, "/")
	switch {
	case strings.HasPrefix(u, "wss://"):
		return "https://" + strings.TrimPrefix(u, "wss://")
	case strings.HasPrefix(u, "ws://"):
		return "http://" + strings.TrimPrefix(u, "ws://")
	case strings.HasPrefix(u, "https://"), strings.HasPrefix(u, "http://"):
		return u
	}
	return fallback
}

// prevLink reads the Link header's rel="prev" (newer) link, "" if none.
func prevLink(h http.Header) string {
	for _, v := range h.Values("Link") {
		for _, part := range strings.Split(v, ",") {
			target, params, ok := strings.Cut(part, ";")
			if !ok || !strings.Contains(strings.ReplaceAll(params, " ", ""), `rel="prev"`) {
				continue
			}
			return strings.Trim(strings.TrimSpace(target), "<>")
		}
	}
	return ""
}

// classOf is the connector class of err ("" when it has none).
func classOf(err error) connector.Class {
	var e *connector.Error
	if errors.As(err, &e) {
		return e.Class
	}
	return ""
}

// statusOf is the HTTP status of err, 0 when it has none.
func statusOf(err error) int {
	var e *connector.Error
	if errors.As(err, &e) {
		return e.Status
	}
	return 0
}
