package bench

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"net/http"
	"strings"
	"time"

	"github.com/heraldsocial/herald/internal/connector/fake/fakeserver"
	"github.com/heraldsocial/herald/internal/herald"
)

// Platform kinds, as reported in Result.Platform.
const (
	PlatformInProcess = "in-process"
	PlatformExternal  = "external"
	PlatformMixed     = "mixed"
)

// platform is the fake platform the dispatcher publishes to: one started
// in this process, or an external one reached through its admin API.
type platform struct {
	kind   string
	url    string
	client *http.Client
	srv    *fakeserver.Server // in process only
}

// ledgerView is what the platform received: each Herald key's first
// receive time, and the keys received more than once.
type ledgerView struct {
	received   map[string]time.Time
	duplicates map[string]int
}

// platformConfig is a healthy platform answering after latency.
func platformConfig(latency time.Duration) fakeserver.Config {
	c := fakeserver.DefaultConfig()
	c.Latency = latency
	return c
}

// openPlatform starts a fake platform on loopback, or prepares the
// external one: its latency is set and its ledger emptied.
func openPlatform(ctx context.Context, cfg Config) (*platform, error) {
	if cfg.PlatformURL == "" {
		srv := fakeserver.New(platformConfig(cfg.Latency))
		url, err := srv.Start("127.0.0.1:0")
		if err != nil {
			return nil, fmt.Errorf("bench: start the fake platform: %w", err)
		}
		return &platform{kind: PlatformInProcess, url: url, client: srv.Client(), srv: srv}, nil
	}
	p := &platform{kind: PlatformExternal, url: strings.TrimRight(cfg.PlatformURL, "/"), client: loopbackClient()}
	body, err := json.Marshal(platformConfig(cfg.Latency))
	if err != nil {
		return nil, fmt.Errorf("bench: platform configuration: %w", err)
	}
	if err := p.admin(ctx, http.MethodPut, "/_admin/config", body, http.StatusOK); err != nil {
		return nil, err
	}
	if err := p.admin(ctx, http.MethodPost, "/_admin/reset", nil, http.StatusNoContent); err != nil {
		return nil, err
	}
	return p, nil
}

// loopbackClient keeps enough idle connections that thousands of posts a
// second do not run out of ports.
func loopbackClient() *http.Client {
	return &http.Client{Transport: &http.Transport{
		DialContext:         (&net.Dialer{Timeout: 5 * time.Second, KeepAlive: 30 * time.Second}).DialContext,
		MaxIdleConns:        1024,
		MaxIdleConnsPerHost: 1024,
		IdleConnTimeout:     90 * time.Second,
	}}
}

// admin calls the external platform's admin API.
func (p *platform) admin(ctx context.Context, method, path string, body []byte, want int) error {
	req, err := http.NewRequestWithContext(ctx, method, p.url+path, bytes.NewReader(body))
	if err != nil {
		return herald.Errorf(herald.CodeInvalid, "the platform URL %q is not usable (%v); give the URL `herald dev fake-platform` printed", p.url, err)
	}
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	res, err := p.client.Do(req)
	if err != nil {
		return fmt.Errorf("bench: reach the fake platform at %s (is `herald dev fake-platform` running?): %w", p.url, err)
	}
	defer res.Body.Close()
	if res.StatusCode != want {
		return fmt.Errorf("bench: %s %s on the fake platform answered HTTP %d", method, path, res.StatusCode)
	}
	return nil
}

// count returns how many posts the platform accepted.
func (p *platform) count(ctx context.Context) (int, error) {
	if p.srv != nil {
		return p.srv.Ledger().Count(), nil
	}
	sum, err := fakeserver.FetchLedger(ctx, p.client, p.url, false)
	if err != nil {
		return 0, fmt.Errorf("bench: %w", err)
	}
	return sum.Count, nil
}

// waitCount polls until the platform accepted want posts or deadline
// passes; missing posts are then counted as lost, not an error.
func (p *platform) waitCount(ctx context.Context, want int, deadline time.Time) error {
	every := 10 * time.Millisecond
	if p.srv == nil {
		every = 200 * time.Millisecond // each look reads the external ledger's summary
	}
	for {
		n, err := p.count(ctx)
		if err != nil {
			return err
		}
		if n >= want || time.Now().After(deadline) {
			return nil
		}
		if err := sleep(ctx, every); err != nil {
			return err
		}
	}
}

// ledger reads what the platform received.
func (p *platform) ledger(ctx context.Context) (ledgerView, error) {
	if p.srv != nil {
		l := p.srv.Ledger()
		v := ledgerView{received: map[string]time.Time{}, duplicates: l.Duplicates()}
		for _, post := range l.Posts() {
			if at, ok := v.received[post.HeraldKey]; !ok || post.ReceivedAt.Before(at) {
				v.received[post.HeraldKey] = post.ReceivedAt
			}
		}
		return v, nil
	}
	sum, err := fakeserver.FetchLedger(ctx, p.client, p.url, true)
	if err != nil {
		return ledgerView{}, fmt.Errorf("bench: %w", err)
	}
	v := ledgerView{received: make(map[string]time.Time, len(sum.Received)), duplicates: sum.Duplicates}
	for k, ns := range sum.Received {
		v.received[k] = time.Unix(0, ns)
	}
	return v, nil
}

// close stops an in-process platform.
func (p *platform) close() error {
	if p.srv == nil {
		return nil
	}
	if err := p.srv.Close(); err != nil && !errors.Is(err, http.ErrServerClosed) {
		return fmt.Errorf("bench: stop the fake platform: %w", err)
	}
	return nil
}
