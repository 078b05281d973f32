package connector

import (
	"net/http"

	"github.com/heraldsocial/herald/internal/outbound"
)

// The connection pool is sized as outbound's (one sizing for every
// Herald client): a burst of posts to one platform reuses its connections
// (and their TLS sessions) instead of opening one per call and closing all
// but two, as http.DefaultTransport would.
const (
	maxIdleConnsPerHost = outbound.MaxIdleConnsPerHost
	maxIdleConns        = outbound.MaxIdleConns
	idleConnTimeout     = outbound.IdleConnTimeout
)

// NewHTTPClient returns the HTTP client connectors share to reach
// platforms at fixed hosts (X); addresses people type (Mastodon instances,
// links) go through outbound.NewClient instead. It is the standard
// transport (proxy from the environment, HTTP/2) with a connection pool
// sized for publishing bursts. Calls are bounded by their context, not by
// a client timeout.
func NewHTTPClient() *http.Client {
	t := http.DefaultTransport.(*http.Transport).Clone()
	t.MaxIdleConns = maxIdleConns
	t.MaxIdleConnsPerHost = maxIdleConnsPerHost
	t.IdleConnTimeout = idleConnTimeout
	return &http.Client{Transport: t}
}
