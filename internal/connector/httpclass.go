package connector

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"net/http/httptrace"
	"strconv"
	"strings"
	"sync/atomic"
	"time"

	"github.com/heraldsocial/herald/internal/outbound"
)

// DefaultMaxBody is how much of a platform's response body Do reads by
// default: enough for any API answer, small enough that a misbehaving
// server cannot exhaust memory.
const DefaultMaxBody = 4 << 20

// Response is a platform's answer, read in full.
type Response struct {
	Status int
	Header http.Header
	Body   []byte
}

// Do sends req with c and reads the answer (at most maxBody bytes; 0 means
// DefaultMaxBody). It does not judge the status: pass it to Classify.
//
// A failure is a *Error whose class says whether the platform may have acted
// on the request: Transient when the request never left (connection refused,
// DNS, TLS), Ambiguous when a POST or PATCH was written and then no answer
// came (timeout, connection reset, truncated 2xx body). Safe and idempotent
// methods (GET, HEAD, OPTIONS, PUT, DELETE) are never Ambiguous: repeating
// them is harmless. A connection refused by an outbound client's address
// policy is Invalid, with the refusal as its message.
//
// Do never lets the HTTP client send a POST or PATCH twice on its own
// (noReplay): whether a request may be repeated is for the caller to
// decide, knowing whether the platform deduplicates.
func Do(c *http.Client, req *http.Request, maxBody int64) (*Response, error) {
	if maxBody <= 0 {
		maxBody = DefaultMaxBody
	}
	// The transport calls WroteRequest from its own goroutine, which may
	// still run when Do returns early (a deadline during the write).
	var sent atomic.Bool
	trace := &httptrace.ClientTrace{
		WroteRequest: func(info httptrace.WroteRequestInfo) {
			if info.Err == nil {
				sent.Store(true)
			}
		},
	}
	req = req.WithContext(httptrace.WithClientTrace(req.Context(), trace))
	if !repeatable(req.Method) {
		noReplay(req)
	}
	res, err := c.Do(req)
	if err != nil {
		if re := (*outbound.RefusedError)(nil); errors.As(err, &re) {
			// Herald's own policy, not the network: trying again changes
			// nothing until the address or the setting does.
			return nil, &Error{Class: Invalid, Message: re.Error(), Err: err}
		}
		written := sent.Load()
		if written && !repeatable(req.Method) {
			return nil, &Error{Class: Ambiguous, Message: "the request was sent but no answer came; it may have been carried out", Err: err}
		}
		if written {
			return nil, &Error{Class: Transient, Message: "the request was sent but no answer came", Err: err}
		}
		return nil, &Error{Class: Transient, Message: "the platform could not be reached", Err: err}
	}
	defer res.Body.Close()
	body, err := io.ReadAll(io.LimitReader(res.Body, maxBody+1))
	if err == nil && int64(len(body)) > maxBody {
		err = fmt.Errorf("the body is larger than %d bytes", maxBody)
		body = body[:maxBody]
	}
	r := &Response{Status: res.StatusCode, Header: res.Header, Body: body}
	if err != nil {
		if res.StatusCode < 300 {
			class := Transient
			if !repeatable(req.Method) {
				class = Ambiguous
			}
			return r, &Error{Class: class, Status: res.StatusCode,
				Message: fmt.Sprintf("the platform answered HTTP %d but its body could not be read", res.StatusCode), Err: err}
		}
		if e := Classify(res.StatusCode, res.Header, body, time.Now()); e != nil {
			e.Err = errors.Join(e.Err, err)
			return r, e
		}
	}
	return r, nil
}

// noReplay makes req one that Go's HTTP client never sends a second time
// by itself. The transport repeats a request whose body it can rewind
// (GetBody) when it is a GET or carries an Idempotency-Key header and a
// reused connection drops before the answer; the client repeats it on a
// 307 or 308 redirect. Either would publish twice on a platform that does
// not deduplicate, and the header alone says nothing about the platform:
// retrying is the dispatcher's decision, after reconciling. A request
// without a body that carries the header gets an empty body of unknown
// length (sent chunked), which the transport cannot rewind either.
func noReplay(req *http.Request) {
	req.GetBody = nil
	if req.Body != nil && req.Body != http.NoBody {
		return
	}
	if _, ok := req.Header["Idempotency-Key"]; !ok {
		if _, ok := req.Header["X-Idempotency-Key"]; !ok {
			return
		}
	}
	req.Body = io.NopCloser(bytes.NewReader(nil))
	req.ContentLength = 0
}

func repeatable(method string) bool {
	switch method {
	case http.MethodGet, http.MethodHead, http.MethodOptions, http.MethodPut, http.MethodDelete:
		return true
	}
	return false
}

// Classify turns a platform's error answer into an error class; it returns
// nil for a status below 400. now is used to turn reset times into waits.
//
//	429                       → RateLimited, RetryAfter from ParseRetryAfter, Limit from ParseRateLimit
//	5xx, 408, 409, 425        → Transient (RetryAfter if the platform gave one)
//	401 saying "expired"      → AuthExpired
//	401, 403                  → AuthRevoked
//	400, 404, 413, 422, other → Invalid, with the platform's own message
//
// A body that is neither JSON nor empty (an HTML error page from a proxy, a
// truncated answer) on any status but 429 is Transient: it did not come from
// the platform's API, so its verdict on the content or the token cannot be
// trusted.
func Classify(status int, h http.Header, body []byte, now time.Time) *Error {
	if status < 400 {
		return nil
	}
	msg, ok := PlatformMessage(body)
	if !ok {
		msg = describeBody(status, h, body)
	}
	e := &Error{Status: status, Message: msg}
	empty := len(bytes.TrimSpace(body)) == 0
	switch {
	case status == http.StatusTooManyRequests:
		e.Class = RateLimited
		e.RetryAfter = ParseRetryAfter(h, now)
		e.Limit = ParseRateLimit(h)
	case status >= 500, status == http.StatusRequestTimeout, status == http.StatusConflict, status == http.StatusTooEarly:
		e.Class = Transient
		e.RetryAfter = ParseRetryAfter(h, now)
	case !ok && !empty:
		// An HTML page or broken JSON did not come from the platform's API
		// (a proxy, a firewall, a maintenance page): do not trust it to say
		// the content or the account is bad.
		e.Class = Transient
	case status == http.StatusUnauthorized:
		e.Class = AuthRevoked
		if tokenExpired(msg) || tokenExpired(h.Get("WWW-Authenticate")) {
			e.Class = AuthExpired
		}
	case status == http.StatusForbidden:
		e.Class = AuthRevoked
	default:
		e.Class = Invalid
	}
	return e
}

func tokenExpired(s string) bool {
	return strings.Contains(strings.ToLower(s), "expired")
}

// describeBody says what came back when it was not the platform's JSON.
func describeBody(status int, h http.Header, body []byte) string {
	ct, _, _ := mime.ParseMediaType(h.Get("Content-Type"))
	switch {
	case len(bytes.TrimSpace(body)) == 0:
		return fmt.Sprintf("the platform answered HTTP %d with an empty body", status)
	case ct == "text/html" || looksHTML(body):
		return fmt.Sprintf("the platform answered HTTP %d with an HTML page instead of its API's JSON (a proxy or maintenance page?)", status)
	case json.Valid(body):
		return fmt.Sprintf("the platform answered HTTP %d without an error message", status)
	case ct == "application/json" || body[0] == '{' || body[0] == '[':
		return fmt.Sprintf("the platform answered HTTP %d with truncated or malformed JSON", status)
	default:
		// Never repeated: text that is not the API's may come from any
		// server at a typed address, and would read as Herald's words.
		return fmt.Sprintf("the platform answered HTTP %d with text that is not its API's JSON", status)
	}
}

func looksHTML(body []byte) bool {
	b := bytes.TrimSpace(body)
	if len(b) > 64 {
		b = b[:64]
	}
	b = bytes.ToLower(b)
	return bytes.HasPrefix(b, []byte("<!doctype html")) || bytes.HasPrefix(b, []byte("<html"))
}

// PlatformMessage extracts the human message from a JSON error body in the
// shapes platforms use: {"error":"…"}, {"error":{"message":"…"}},
// {"error_description":"…"}, {"message":"…"}, {"detail":"…"},
// {"errors":[{"message":"…"}]}. ok is false when body is not JSON; msg is
// "" when it is JSON without a message.
func PlatformMessage(body []byte) (msg string, ok bool) {
	var v struct {
		Error            json.RawMessage `json:"error"`
		ErrorDescription string          `json:"error_description"`
		Message          string          `json:"message"`
		Detail           string          `json:"detail"`
		Errors           []struct {
			Message string `json:"message"`
			Detail  string `json:"detail"`
		} `json:"errors"`
	}
	if err := json.Unmarshal(body, &v); err != nil {
		// Valid JSON of another shape (an array, a string) still counts as
		// the API's answer.
		return "", json.Valid(body)
	}
	var parts []string
	if len(v.Error) > 0 {
		var s string
		var obj struct {
			Message string `json:"message"`
		}
		switch {
		case json.Unmarshal(v.Error, &s) == nil && s != "":
			parts = append(parts, s)
		case json.Unmarshal(v.Error, &obj) == nil && obj.Message != "":
			parts = append(parts, obj.Message)
		}
	}
	for _, s := range []string{v.ErrorDescription, v.Message, v.Detail} {
		if s != "" {
			parts = append(parts, s)
		}
	}
	for _, e := range v.Errors {
		if e.Message != "" {
			parts = append(parts, e.Message)
		} else if e.Detail != "" {
			parts = append(parts, e.Detail)
		}
	}
	return strings.Join(parts, ": "), true
}

// ParseRetryAfter returns how long to wait before the next request, from
// the first of these headers present: Retry-After (seconds or an HTTP date),
// X-RateLimit-Reset and x-rate-limit-reset (Unix seconds as X and GitHub
// send, an ISO 8601 instant as Mastodon sends, or small numbers as seconds
// to wait), and RateLimit-Reset (seconds to wait as the IETF draft says, or
// a Unix time as Bluesky sends). It returns 0 when none is present or
// parseable, and never a negative wait.
func ParseRetryAfter(h http.Header, now time.Time) time.Duration {
	if v := strings.TrimSpace(h.Get("Retry-After")); v != "" {
		if n, err := strconv.ParseFloat(v, 64); err == nil {
			return secondsWait(n)
		}
		if t, err := http.ParseTime(v); err == nil {
			return until(t, now)
		}
	}
	// Header.Get canonicalizes, so one lookup covers X-RateLimit-Reset and x-rate-limit-reset.
	for _, k := range []string{"X-RateLimit-Reset", "X-Rate-Limit-Reset"} {
		v := strings.TrimSpace(h.Get(k))
		if v == "" {
			continue
		}
		if n, err := strconv.ParseFloat(v, 64); err == nil {
			// A Unix time is large (after 2001); a small number is a wait.
			if n > 1e9 {
				return until(time.Unix(0, int64(n*1e9)), now)
			}
			return secondsWait(n)
		}
		if t, err := time.Parse(time.RFC3339Nano, v); err == nil {
			return until(t, now)
		}
		if t, err := http.ParseTime(v); err == nil {
			return until(t, now)
		}
	}
	if v := strings.TrimSpace(h.Get("RateLimit-Reset")); v != "" {
		if n, err := strconv.ParseFloat(v, 64); err == nil {
			// The IETF draft sends seconds to wait; Bluesky's PDS sends
			// the reset as a Unix time.
			if n > 1e9 {
				return until(time.Unix(0, int64(n*1e9)), now)
			}
			return secondsWait(n)
		}
	}
	return 0
}

// ParseRateLimit returns how many calls the platform allows per window,
// from X-RateLimit-Limit, x-rate-limit-limit or RateLimit-Limit (the IETF
// draft's "100" or "100, 100;w=60": the first number counts). It returns 0
// when none is present or parseable.
func ParseRateLimit(h http.Header) int {
	for _, k := range []string{"X-RateLimit-Limit", "X-Rate-Limit-Limit", "RateLimit-Limit"} {
		v := strings.TrimSpace(h.Get(k))
		if i := strings.IndexAny(v, ",;"); i >= 0 {
			v = strings.TrimSpace(v[:i])
		}
		if n, err := strconv.Atoi(v); err == nil && n > 0 {
			return n
		}
	}
	return 0
}

func secondsWait(n float64) time.Duration {
	if n <= 0 || n != n {
		return 0
	}
	const maxWait = 366 * 24 * time.Hour
	if n > maxWait.Seconds() {
		return maxWait
	}
	return time.Duration(n * float64(time.Second))
}

func until(t, now time.Time) time.Duration {
	if d := t.Sub(now); d > 0 {
		return d
	}
	return 0
}

// Repeatable turns an Ambiguous error from a request that is safe to
// repeat (a media upload, a read) into a Transient one; others pass
// through unchanged.
func Repeatable(err error) error {
	var e *Error
	if errors.As(err, &e) && e.Class == Ambiguous {
		c := *e
		c.Class = Transient
		return &c
	}
	return err
}
