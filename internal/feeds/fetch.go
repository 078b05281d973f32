package feeds

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/heraldsocial/herald/internal/feed"
	"github.com/heraldsocial/herald/internal/herald"
	"github.com/heraldsocial/herald/internal/outbound"
)

// Limits of one fetch.
const (
	// MaxBytes is the largest feed Herald reads.
	MaxBytes = 5 << 20
	// FetchTimeout bounds one fetch, redirects and body included.
	FetchTimeout = 30 * time.Second
)

// NewClient returns the HTTP client feeds are fetched with: the outbound
// client (private addresses refused, at every redirect too) with the
// feed limits. allowPrivate is HERALD_ALLOW_PRIVATE_NETWORKS.
func NewClient(allowPrivate bool) *http.Client {
	return outbound.NewClient(outbound.Options{AllowPrivate: allowPrivate, Timeout: FetchTimeout, MaxBody: MaxBytes})
}

// fetched is the answer to one fetch.
type fetched struct {
	notModified  bool
	doc          *feed.Feed
	etag         string
	lastModified string
}

// fetchError is a failed fetch: the words for people, the error code for
// the API, how long the server asked us to wait (Retry-After) and the feed
// addresses a web page given instead of a feed announces.
type fetchError struct {
	code       herald.Code
	words      string
	retryAfter time.Duration
	alternates []string
	err        error
}

func (e *fetchError) Error() string { return e.words }
func (e *fetchError) Unwrap() error { return e.err }

// public is the error as the API and the pages show it.
func (e *fetchError) public() *herald.Error {
	he := &herald.Error{Code: e.code, Message: e.words, Err: e.err}
	for _, a := range e.alternates {
		he.Details = append(he.Details, herald.FieldProblem{Field: "url", Problem: "the page links to the feed " + a})
	}
	return he
}

// fetch gets and parses f's document; with conditional, it sends the
// validators of the last answer and a 304 is notModified.
func (s *Service) fetch(ctx context.Context, f herald.Feed, conditional bool) (fetched, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, f.URL, nil)
	if err != nil {
		return fetched{}, &fetchError{code: herald.CodeInvalid, words: "the feed's address is not one Herald can request: " + err.Error(), err: err}
	}
	req.Header.Set("User-Agent", s.cfg.UserAgent)
	req.Header.Set("Accept", "application/rss+xml, application/atom+xml, application/rdf+xml;q=0.9, application/xml;q=0.8, text/xml;q=0.8, */*;q=0.5")
	if conditional {
		if f.ETag != "" {
			req.Header.Set("If-None-Match", f.ETag)
		}
		if f.LastModified != "" {
			req.Header.Set("If-Modified-Since", f.LastModified)
		}
	}
	res, err := s.client.Do(req)
	if err != nil {
		return fetched{}, wordsFor(err)
	}
	defer res.Body.Close()
	switch {
	case res.StatusCode == http.StatusNotModified && conditional:
		_, _ = io.Copy(io.Discard, res.Body)
		return fetched{notModified: true, etag: f.ETag, lastModified: f.LastModified}, nil
	case res.StatusCode == http.StatusTooManyRequests || res.StatusCode == http.StatusServiceUnavailable:
		wait := retryAfter(res.Header.Get("Retry-After"), s.clock.Now())
		words := fmt.Sprintf("the server answered %s", res.Status)
		if wait > 0 {
			words += fmt.Sprintf(" and asked Herald to wait %s", wait.Round(time.Second))
		}
		return fetched{}, &fetchError{code: herald.CodeUnavailable, words: words, retryAfter: wait}
	case res.StatusCode == http.StatusNotFound || res.StatusCode == http.StatusGone:
		return fetched{}, &fetchError{code: herald.CodeInvalid, words: fmt.Sprintf("the server answered %s: check the feed's address", res.Status)}
	case res.StatusCode >= 500:
		return fetched{}, &fetchError{code: herald.CodeUnavailable, words: fmt.Sprintf("the server answered %s; Herald will try again later", res.Status)}
	case res.StatusCode < 200 || res.StatusCode > 299:
		return fetched{}, &fetchError{code: herald.CodeInvalid, words: fmt.Sprintf("the server answered %s instead of the feed", res.Status)}
	}
	body, err := io.ReadAll(res.Body)
	if err != nil {
		return fetched{}, wordsFor(err)
	}
	doc, err := feed.ParseBytes(body, res.Request.URL.String())
	if err != nil {
		fe := &fetchError{code: herald.CodeInvalid, words: err.Error(), err: err}
		var nf *feed.NotFeedError
		if errors.As(err, &nf) {
			fe.words, fe.alternates = nf.Reason, nf.Alternates
		}
		return fetched{}, fe
	}
	return fetched{doc: doc, etag: res.Header.Get("ETag"), lastModified: res.Header.Get("Last-Modified")}, nil
}

// wordsFor says why a request or its body failed.
func wordsFor(err error) *fetchError {
	var refused *outbound.RefusedError
	var tooLarge *outbound.TooLargeError
	var netErr net.Error
	var dnsErr *net.DNSError
	switch {
	case errors.As(err, &refused):
		return &fetchError{code: herald.CodeInvalid, words: "the feed's address, or a redirect from it, leads to a server Herald does not call: " + refused.Error(), err: err}
	case errors.As(err, &tooLarge):
		return &fetchError{code: herald.CodeInvalid, words: fmt.Sprintf("the feed is larger than %d MB; Herald stopped reading it", MaxBytes>>20), err: err}
	case errors.Is(err, outbound.ErrTooManyRedirects):
		return &fetchError{code: herald.CodeInvalid, words: "the feed's address redirects too many times", err: err}
	case errors.Is(err, context.DeadlineExceeded) || (errors.As(err, &netErr) && netErr.Timeout()):
		return &fetchError{code: herald.CodeUnavailable, words: fmt.Sprintf("the server did not send the whole feed within %s; Herald will try again later", FetchTimeout), err: err}
	case errors.As(err, &dnsErr):
		return &fetchError{code: herald.CodeInvalid, words: fmt.Sprintf("the feed's host %s was not found: check the address", dnsErr.Name), err: err}
	case strings.Contains(err.Error(), "redirect to a"):
		return &fetchError{code: herald.CodeInvalid, words: "the feed's address redirects to an address that is not http(s)", err: err}
	}
	return &fetchError{code: herald.CodeUnavailable, words: "the feed could not be fetched: " + err.Error(), err: err}
}

// retryAfter reads a Retry-After header (seconds or an HTTP date), capped
// at MaxRetryAfter; 0 when absent or unreadable.
func retryAfter(h string, now time.Time) time.Duration {
	h = strings.TrimSpace(h)
	if h == "" {
		return 0
	}
	var d time.Duration
	if secs, err := strconv.Atoi(h); err == nil {
		d = time.Duration(secs) * time.Second
	} else if t, err := http.ParseTime(h); err == nil {
		d = t.Sub(now)
	}
	return min(max(d, 0), MaxRetryAfter)
}
