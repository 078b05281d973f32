package connector

import (
	"net/http"
	"time"
)

// Connection pool of the platform client: a burst of posts to one
// platform reuses its connections (and their TLS sessions) instead of
// opening one per call and closing all but two, as http.DefaultTransport
// would.
const (
	maxIdleConnsPerHost = 256
	maxIdleConns        = 1024
	idleConnTimeout     = 90 * time.Second
)

// NewHTTPClient returns the HTTP client connectors share to reach the
// platforms: the standard transport (proxy from the environment, HTTP/2)
// with a connection pool sized for publishing bursts. Calls are bounded by
// their context, not by a client timeout.
func NewHTTPClient() *http.Client {
	t := http.DefaultTransport.(*http.Transport).Clone()
	t.MaxIdleConns = maxIdleConns
	t.MaxIdleConnsPerHost = maxIdleConnsPerHost
	t.IdleConnTimeout = idleConnTimeout
	return &http.Client{Transport: t}
}
