package bluesky

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"time"

	"github.com/heraldsocial/herald/internal/connector"
)

// xrpcError is the body of an XRPC error answer.
type xrpcError struct {
	Error   string `json:"error"`
	Message string `json:"message"`
}

// errorName returns the XRPC error name of a JSON error body ("" if none).
func errorName(body []byte) string {
	return errorBody(body).Error
}

// errorBody decodes a JSON error body (zero if it is not one).
func errorBody(body []byte) xrpcError {
	var e xrpcError
	if json.Unmarshal(body, &e) != nil {
		return xrpcError{}
	}
	return e
}

// tokenRefused reports whether an error answer to a proxied call says that
// the session may not call the method at all: the PDS answers 400
// InvalidToken "Bad token method" when an app password without the
// privilege asks for a privileged method (chat.bsky.*), and "Bad token
// scope" where a token's scope is checked. A refresh does not change that,
// so it is not an expired token.
func tokenRefused(status int, body []byte) bool {
	if status != http.StatusBadRequest && status != http.StatusUnauthorized && status != http.StatusForbidden {
		return false
	}
	switch errorBody(body).Message {
	case "Bad token method", "Bad token scope":
		return true
	}
	return false
}

// classify turns an XRPC error answer into an error class, starting from
// connector.Classify and correcting it with the error names Bluesky's
// servers use: the PDS answers 400 (not 401) for ExpiredToken and
// InvalidToken, and 400 RecordNotFound for a missing record.
func classify(status int, h http.Header, body []byte, now time.Time) *connector.Error {
	e := connector.Classify(status, h, body, now)
	if e == nil {
		return nil
	}
	if status >= 500 && status != http.StatusNotImplemented {
		return e
	}
	switch errorName(body) {
	case "ExpiredToken", "InvalidToken":
		// Refresh once: a new access token may work (the dispatcher
		// refreshes, and a failed refresh says AuthRevoked).
		e.Class = connector.AuthExpired
	case "AccountTakedown", "AccountDeactivated", "AccountSuspended", "RepoTakendown", "RepoDeactivated", "RepoSuspended":
		e.Class = connector.AuthRevoked
	case "RateLimitExceeded":
		e.Class = connector.RateLimited
		e.RetryAfter = connector.ParseRetryAfter(h, now)
	}
	return e
}

// isError reports whether err is a classified platform error with the XRPC
// error name name.
func isError(err error, name string) bool {
	var e *xrpcErr
	return errors.As(err, &e) && e.name == name
}

// xrpcErr carries the XRPC error name beside the classified error, so
// callers can react to names (RecordNotFound, InvalidSwap) while the
// dispatcher sees the class.
type xrpcErr struct {
	name    string
	message string // the answer's message
	// refused is set when a proxied call was refused for the session's
	// privileges (see tokenRefused).
	refused bool
	err     *connector.Error
}

// Error returns the classified error's text.
func (e *xrpcErr) Error() string { return e.err.Error() }

// Unwrap returns the classified error.
func (e *xrpcErr) Unwrap() error { return e.err }

// request is one XRPC call.
type request struct {
	method string // GET or POST
	host   string // the service's base URL
	nsid   string
	query  url.Values
	token  string
	body   any       // JSON-encoded for a POST, unless raw is set
	raw    io.Reader // a raw POST body (uploadBlob)
	ctype  string    // the raw body's content type
	out    any       // decoded from a 2xx body when not nil
	// proxy is the atproto-proxy header: the service (DID and service id)
	// the PDS passes the call on to, "" for the PDS's default (its AppView).
	proxy string
	// repeatable marks a POST that is safe to repeat (an upload, a
	// session call, putRecord with our own key): its failures are never
	// Ambiguous.
	repeatable bool
}

// call sends one XRPC request and classifies the answer. A 2xx body that
// does not decode is Ambiguous for a POST that is not repeatable (the
// service said yes, but to what?) and Transient otherwise.
func (c *Connector) call(ctx context.Context, r request) (*connector.Response, error) {
	u := r.host + "/xrpc/" + r.nsid
	if len(r.query) > 0 {
		u += "?" + r.query.Encode()
	}
	var body io.Reader
	ctype := ""
	switch {
	case r.raw != nil:
		body, ctype = r.raw, r.ctype
	case r.body != nil:
		b, err := json.Marshal(r.body)
		if err != nil {
			return nil, &connector.Error{Class: connector.Invalid, Message: "the request cannot be encoded: " + err.Error(), Err: err}
		}
		body, ctype = bytes.NewReader(b), "application/json"
	}
	req, err := http.NewRequestWithContext(ctx, r.method, u, body)
	if err != nil {
		return nil, &connector.Error{Class: connector.Invalid, Message: "the request cannot be built: " + err.Error(), Err: err}
	}
	if ctype != "" {
		req.Header.Set("Content-Type", ctype)
	}
	req.Header.Set("Accept", "application/json")
	if r.token != "" {
		req.Header.Set("Authorization", "Bearer "+r.token)
	}
	if r.proxy != "" {
		req.Header.Set("atproto-proxy", r.proxy)
	}
	res, err := connector.Do(c.client, req, 0)
	if err != nil {
		if r.repeatable {
			err = connector.Repeatable(err)
		}
		return res, fmt.Errorf("bluesky: %s: %w", r.nsid, err)
	}
	if e := classify(res.Status, res.Header, res.Body, c.now()); e != nil {
		if r.repeatable && e.Class == connector.Ambiguous {
			e.Class = connector.Transient
		}
		eb := errorBody(res.Body)
		refused := r.proxy != "" && tokenRefused(res.Status, res.Body)
		if refused {
			// The session is fine for everything else: keep it.
			e.Class = connector.Invalid
		}
		if r.token != "" && (e.Class == connector.AuthExpired || e.Class == connector.AuthRevoked) {
			// A refused session must not be handed out again from the cache.
			c.forget(r.token)
		}
		return res, fmt.Errorf("bluesky: %s: %w", r.nsid, &xrpcErr{name: eb.Error, message: eb.Message, refused: refused, err: e})
	}
	if r.out != nil {
		if err := json.Unmarshal(res.Body, r.out); err != nil {
			class := connector.Transient
			msg := fmt.Sprintf("Bluesky answered HTTP %d with a body that is not the expected JSON", res.Status)
			if r.method == http.MethodPost && !r.repeatable {
				class = connector.Ambiguous
				msg += "; the request may have been carried out"
			}
			return res, fmt.Errorf("bluesky: %s: %w", r.nsid,
				&connector.Error{Class: class, Status: res.Status, Message: msg, Err: err})
		}
	}
	return res, nil
}

// missing is the error for a 2xx answer that lacks a field the connector
// needs.
func missing(nsid, field string, status int, class connector.Class) error {
	return fmt.Errorf("bluesky: %s: %w", nsid, &connector.Error{Class: class, Status: status,
		Message: fmt.Sprintf("Bluesky's answer has no %s", field)})
}
