// Package outbound is Herald's one door to addresses people type: Mastodon
// instances, the hosts of links in posts, webhooks, and anything else whose
// address Herald does not choose itself.
//
// NewClient returns an *http.Client that refuses, at dial time, every
// address that is not on the public internet (loopback, private networks,
// link-local addresses such as the cloud metadata service at
// 169.254.169.254, multicast, carrier-grade NAT, reserved ranges, and the
// IPv6 forms of all of them). The check runs in net.Dialer.Control on the
// resolved address actually being connected to, so a name that resolves to
// a public address when looked at and to 127.0.0.1 when dialled (DNS
// rebinding) is still refused, and so is every redirect hop. The client
// also follows at most a few redirects, bounds a request without a context
// deadline by a timeout, and stops reading an answer that grows past a
// size limit.
//
// Proxies from the environment (HTTP_PROXY, HTTPS_PROXY) are not used:
// through a proxy the dialer would only see the proxy's address and the
// proxy would connect wherever the request says, so the check would guard
// nothing. Herald therefore calls typed addresses directly.
package outbound

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/netip"
	"syscall"
	"time"
)

// Defaults for Options left at zero.
const (
	DefaultTimeout      = 60 * time.Second
	DefaultMaxRedirects = 5
	DefaultMaxBody      = 16 << 20
	dialTimeout         = 30 * time.Second
)

// Connection pool of every Herald HTTP client: a burst of posts to one
// server reuses its connections (and their TLS sessions) instead of opening
// one per call and closing all but two, as http.DefaultTransport would.
const (
	MaxIdleConns        = 1024
	MaxIdleConnsPerHost = 256
	IdleConnTimeout     = 90 * time.Second
)

// Options adjust NewClient; the zero value is the production policy.
type Options struct {
	// AllowPrivate lets loopback, private-network and carrier-grade NAT
	// addresses through (HERALD_ALLOW_PRIVATE_NETWORKS): an operator's own
	// instance, or a test server. Link-local (cloud metadata), multicast,
	// unspecified and reserved addresses stay refused.
	AllowPrivate bool
	// Timeout bounds a request whose context has no deadline, from the
	// first dial to the end of the answer's body, redirects included
	// (default 60s). A context deadline always wins.
	Timeout time.Duration
	// MaxRedirects is how many redirects are followed (default 5; a
	// negative value follows none).
	MaxRedirects int
	// MaxBody is the most an answer's body may hold (default 16 MiB);
	// reading past it fails with *TooLargeError.
	MaxBody int64
	// Resolver looks up host names (default: the system's); tests inject
	// one to play DNS tricks.
	Resolver *net.Resolver
}

// TooLargeError is what reading an answer's body returns once it is longer
// than Options.MaxBody.
type TooLargeError struct {
	Host  string
	Limit int64
}

// Error says which server answered too much.
func (e *TooLargeError) Error() string {
	return fmt.Sprintf("the answer from %s is larger than %d bytes; Herald stopped reading it", e.Host, e.Limit)
}

// ErrTooManyRedirects is returned (wrapped in *url.Error) when a server
// redirects more than Options.MaxRedirects times.
var ErrTooManyRedirects = errors.New("too many redirects")

// NewClient returns the HTTP client for addresses people type, with the
// policy described in the package comment.
func NewClient(o Options) *http.Client {
	if o.Timeout <= 0 {
		o.Timeout = DefaultTimeout
	}
	if o.MaxRedirects == 0 {
		o.MaxRedirects = DefaultMaxRedirects
	}
	if o.MaxBody <= 0 {
		o.MaxBody = DefaultMaxBody
	}
	allow := o.AllowPrivate
	dialer := &net.Dialer{
		Timeout:   dialTimeout,
		KeepAlive: 30 * time.Second,
		Resolver:  o.Resolver,
		// Control runs after name resolution, once per address tried,
		// on every connection the transport opens (redirects included).
		Control: func(_, address string, _ syscall.RawConn) error {
			ap, err := netip.ParseAddrPort(address)
			if err != nil {
				return fmt.Errorf("refusing to connect to %q: not an IP address and port", address)
			}
			return check(ap.Addr(), allow)
		},
	}
	t := http.DefaultTransport.(*http.Transport).Clone()
	t.Proxy = nil // see the package comment
	t.DialContext = dialer.DialContext
	t.MaxIdleConns = MaxIdleConns
	t.MaxIdleConnsPerHost = MaxIdleConnsPerHost
	t.IdleConnTimeout = IdleConnTimeout
	maxRedirects := max(o.MaxRedirects, 0)
	return &http.Client{
		Transport: &guard{base: t, timeout: o.Timeout, maxBody: o.MaxBody},
		CheckRedirect: func(req *http.Request, via []*http.Request) error {
			if len(via) > maxRedirects {
				return fmt.Errorf("%w: stopped after %d", ErrTooManyRedirects, maxRedirects)
			}
			if req.URL.Scheme != "http" && req.URL.Scheme != "https" {
				return fmt.Errorf("a redirect to a %s: address is not followed", req.URL.Scheme)
			}
			return nil
		},
	}
}

// guard adds the timeout and the body limit around the transport.
type guard struct {
	base    http.RoundTripper
	timeout time.Duration
	maxBody int64
}

// RoundTrip bounds a request without a deadline: the first of a redirect
// chain gets one Timeout from now, later hops keep the first one's deadline
// (found through req.Response, the redirect that led to them).
func (g *guard) RoundTrip(req *http.Request) (*http.Response, error) {
	cancel := context.CancelFunc(func() {})
	if _, ok := req.Context().Deadline(); !ok {
		deadline := time.Now().Add(g.timeout)
		if first, ok := chainDeadline(req); ok {
			deadline = first
		}
		var ctx context.Context
		ctx, cancel = context.WithDeadline(req.Context(), deadline)
		req = req.WithContext(ctx)
	}
	res, err := g.base.RoundTrip(req)
	if err != nil {
		cancel()
		return nil, err
	}
	res.Body = &limitedBody{rc: res.Body, left: g.maxBody, limit: g.maxBody, host: req.URL.Host, cancel: cancel}
	return res, nil
}

// chainDeadline returns the deadline this guard gave the request that
// redirected to req.
func chainDeadline(req *http.Request) (time.Time, bool) {
	if req.Response == nil || req.Response.Request == nil {
		return time.Time{}, false
	}
	return req.Response.Request.Context().Deadline()
}

// limitedBody reads at most limit bytes, then fails with *TooLargeError;
// closing it releases the request's timeout.
type limitedBody struct {
	rc     io.ReadCloser
	left   int64
	limit  int64
	host   string
	cancel context.CancelFunc
}

func (b *limitedBody) Read(p []byte) (int, error) {
	if b.left <= 0 {
		// One more byte tells a body of exactly limit bytes from a longer one.
		var one [1]byte
		n, err := b.rc.Read(one[:])
		if n > 0 {
			return 0, &TooLargeError{Host: b.host, Limit: b.limit}
		}
		return 0, err
	}
	if int64(len(p)) > b.left {
		p = p[:b.left]
	}
	n, err := b.rc.Read(p)
	b.left -= int64(n)
	return n, err
}

func (b *limitedBody) Close() error {
	err := b.rc.Close()
	b.cancel()
	return err
}
