package server

import (
	"net/http"
	"net/netip"
	"strings"
	"time"

	"github.com/heraldsocial/herald/internal/herald"
)

// Request body limits. The server's ReadHeaderTimeout bounds the headers;
// these bound the body, on every route, so a client sending a byte now and
// then cannot hold a connection (and a file descriptor) open for long.
// Anonymous requests (sign-in, setup, invitations) get a short deadline
// and a small body; signed-in ones, which upload media, a long deadline.
const (
	anonBodyTimeout = 15 * time.Second
	authBodyTimeout = 10 * time.Minute
	anonBodyLimit   = 64 << 10
)

// hasBody reports whether r announces a body.
func hasBody(r *http.Request) bool {
	return r.ContentLength != 0 || len(r.TransferEncoding) > 0
}

// readDeadline gives every request with a body the anonymous deadline to
// send it, before anything else runs (a request refused early still has
// its body drained under a deadline).
func (s *Server) readDeadline(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if hasBody(r) {
			_ = http.NewResponseController(w).SetReadDeadline(time.Now().Add(s.anonBody))
		}
		next.ServeHTTP(w, r)
	})
}

// bodyLimits runs once the caller is known: a signed-in caller's deadline
// is extended for uploads; an anonymous caller's body is capped.
func (s *Server) bodyLimits(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if hasBody(r) {
			if p, ok := herald.PrincipalFrom(r.Context()); ok && p.UserID != 0 {
				_ = http.NewResponseController(w).SetReadDeadline(time.Now().Add(s.authBody))
			} else {
				r.Body = http.MaxBytesReader(w, r.Body, anonBodyLimit)
			}
		}
		next.ServeHTTP(w, r)
	})
}

// realIP replaces r.RemoteAddr with the client's address when the request
// comes through a trusted proxy (HERALD_TRUSTED_PROXIES): the right-most
// address of Forwarded (or else X-Forwarded-For) that is not itself a
// trusted proxy. From anyone else these headers are ignored, since a
// client can write them at will.
func (s *Server) realIP(next http.Handler) http.Handler {
	if len(s.proxies) == 0 {
		return next
	}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if client, ok := s.forwardedClient(r); ok {
			r2 := *r
			r2.RemoteAddr = netip.AddrPortFrom(client, 0).String()
			r = &r2
		}
		next.ServeHTTP(w, r)
	})
}

// forwardedClient finds the client's address behind trusted proxies.
func (s *Server) forwardedClient(r *http.Request) (netip.Addr, bool) {
	peer, err := netip.ParseAddrPort(r.RemoteAddr)
	if err != nil || !s.trusted(peer.Addr().Unmap()) {
		return netip.Addr{}, false
	}
	hops := forwardedFor(r.Header.Values("Forwarded"))
	if hops == nil {
		hops = xForwardedFor(r.Header.Values("X-Forwarded-For"))
	}
	client := peer.Addr().Unmap()
	for i := len(hops) - 1; i >= 0; i-- {
		a, err := parseHop(hops[i])
		if err != nil {
			break // an obfuscated or bad entry: trust nothing left of it
		}
		client = a
		if !s.trusted(a) {
			break
		}
	}
	return client, client != peer.Addr().Unmap()
}

func (s *Server) trusted(a netip.Addr) bool {
	for _, p := range s.proxies {
		if p.Contains(a) {
			return true
		}
	}
	return false
}

// forwardedFor returns the for= values of RFC 7239 Forwarded headers, in
// order, or nil if there are none.
func forwardedFor(values []string) []string {
	var out []string
	for _, v := range values {
		for _, elem := range strings.Split(v, ",") {
			for _, pair := range strings.Split(elem, ";") {
				k, val, ok := strings.Cut(strings.TrimSpace(pair), "=")
				if ok && strings.EqualFold(k, "for") {
					out = append(out, strings.Trim(val, `"`))
				}
			}
		}
	}
	return out
}

// xForwardedFor returns the addresses of X-Forwarded-For headers, in order.
func xForwardedFor(values []string) []string {
	var out []string
	for _, v := range values {
		for _, a := range strings.Split(v, ",") {
			out = append(out, strings.TrimSpace(a))
		}
	}
	return out
}

// parseHop reads "1.2.3.4", "1.2.3.4:80", "[2001:db8::1]:80" or "2001:db8::1".
func parseHop(s string) (netip.Addr, error) {
	if ap, err := netip.ParseAddrPort(s); err == nil {
		return ap.Addr().Unmap(), nil
	}
	a, err := netip.ParseAddr(strings.TrimSuffix(strings.TrimPrefix(s, "["), "]"))
	if err != nil {
		return netip.Addr{}, err
	}
	return a.Unmap(), nil
}
