// Package links is the service behind tracked links: it gives each
// address in a published target its own short link on Herald's base URL
// ({BaseURL}/l/{code}) with UTM parameters, redirects visitors through it
// while counting their clicks (people apart from bots and link-preview
// fetchers), and records conversions reported by the workspace's server
// (signed with HMAC-SHA256) or by the tracking pixel.
//
// The redirect is on the hot path: a known code is answered from memory
// and the click is queued for the Recorder, which writes clicks in
// batches in the background. A click is written within Options.FlushEvery
// (1 s by default); that is what a process killed with SIGKILL can lose.
//
// Lifecycle: New, then Start(ctx) to run the recorder; Close(ctx) flushes
// what is pending and stops it. Handler (or the single handlers Redirect,
// Pixel and Conversions) serves the HTTP side.
package links

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/url"
	"strings"
	"time"

	"github.com/heraldsocial/herald/internal/herald"
)

// Defaults of Options.
const (
	DefaultFlushEvery = time.Second
	DefaultCacheSize  = 100_000
	// MaxList is the most links List returns.
	MaxList = 1000
)

// Sealer seals and opens the workspaces' conversion secrets
// (keyring.(*Keyring) does).
type Sealer interface {
	Seal(plaintext, aad []byte) (herald.Sealed, error)
	Open(s herald.Sealed, aad []byte) ([]byte, error)
}

// Options configure the service.
type Options struct {
	// BaseURL is Herald's public address (HERALD_BASE_URL), absolute http
	// or https; short links are BaseURL + "/l/" + code. Required.
	BaseURL string
	// Sealer seals conversion secrets. Required.
	Sealer Sealer
	// Clock tells the time; nil: herald.SystemClock.
	Clock herald.Clock
	// Logger logs; nil: nothing is logged.
	Logger *slog.Logger
	// FlushEvery is how often pending clicks are written (default 1 s):
	// the bound on the clicks a killed process loses.
	FlushEvery time.Duration
	// Referrer records the referring host of each click (off by default).
	Referrer bool
	// CountryHeader names the request header that carries the visitor's
	// country as two letters, set by a proxy in front of Herald (e.g.
	// "CF-IPCountry"); "" (the default) records no country.
	CountryHeader string
	// CacheSize bounds the codes the redirect keeps in memory (default
	// 100,000).
	CacheSize int
}

// Service is the tracked-links use-case. It is safe for concurrent use.
type Service struct {
	store    herald.Store
	sealer   Sealer
	clock    herald.Clock
	log      *slog.Logger
	base     string // without a trailing slash
	prefix   string // base + "/l/"
	referrer bool
	country  string
	rec      *Recorder
	cache    *linkCache
	salts    saltCache
}

// New returns a Service; call Start to run its recorder.
func New(store herald.Store, opts Options) (*Service, error) {
	var p herald.Problems
	if store == nil {
		p.Add("store", "is required")
	}
	if opts.Sealer == nil {
		p.Add("sealer", "is required: the keyring that seals conversion secrets")
	}
	base := strings.TrimRight(strings.TrimSpace(opts.BaseURL), "/")
	if u, err := url.Parse(base); err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" ||
		u.RawQuery != "" || u.Fragment != "" || u.User != nil {
		p.Add("base_url", "must be Herald's absolute public address, such as https://herald.example.com")
	}
	if opts.FlushEvery < 0 {
		p.Add("flush_every", "must not be negative")
	}
	if err := p.Err("the links service cannot start"); err != nil {
		return nil, err
	}
	if opts.Clock == nil {
		opts.Clock = herald.SystemClock{}
	}
	if opts.Logger == nil {
		opts.Logger = slog.New(slog.DiscardHandler)
	}
	if opts.FlushEvery == 0 {
		opts.FlushEvery = DefaultFlushEvery
	}
	if opts.CacheSize <= 0 {
		opts.CacheSize = DefaultCacheSize
	}
	log := opts.Logger.With(slog.String("component", "links"))
	s := &Service{store: store, sealer: opts.Sealer, clock: opts.Clock, log: log, base: base, prefix: base + "/l/",
		referrer: opts.Referrer, country: opts.CountryHeader, cache: newLinkCache(opts.CacheSize)}
	s.rec = NewRecorder(store, RecorderOptions{FlushEvery: opts.FlushEvery, Logger: log})
	return s, nil
}

// Start runs the click recorder until ctx ends or Close is called.
func (s *Service) Start(ctx context.Context) { s.rec.Start(ctx) }

// Close stops the recorder and writes the clicks still pending, within
// ctx. It may be called more than once.
func (s *Service) Close(ctx context.Context) error { return s.rec.Close(ctx) }

// Recorder returns the service's click recorder (for its counters).
func (s *Service) Recorder() *Recorder { return s.rec }

// BaseURL returns Herald's public address the short links are on,
// without a trailing slash.
func (s *Service) BaseURL() string { return s.base }

// ShortURL returns the short link of code.
func (s *Service) ShortURL(code string) string { return s.prefix + code }

func (s *Service) now() time.Time { return s.clock.Now().UTC().Truncate(time.Microsecond) }

// allow checks that actor acts in workspaceID and may do act. Another
// workspace is "not found", so nobody learns that it exists.
func allow(actor herald.Actor, workspaceID int64, act herald.Action) error {
	if actor.WorkspaceID != workspaceID || workspaceID == 0 {
		return herald.NotFound("workspace")
	}
	return actor.Require(act)
}

// CreateLink makes a tracked link in the UTM builder: rawURL with the
// UTM parameters that are set (none are added by default), on a short
// link of its own that belongs to no target. It needs posts.write.
func (s *Service) CreateLink(ctx context.Context, actor herald.Actor, workspaceID int64, rawURL string, utm herald.UTM) (herald.Link, error) {
	if err := allow(actor, workspaceID, herald.ActPostsWrite); err != nil {
		return herald.Link{}, err
	}
	rawURL = strings.TrimSpace(rawURL)
	dest, err := Build(rawURL, utm)
	if err != nil {
		return herald.Link{}, err
	}
	l := herald.Link{WorkspaceID: workspaceID, URL: rawURL, Destination: dest, CreatedBy: actor.UserID,
		CreatedAt: s.now()}
	for attempt := 0; ; attempt++ {
		if l.Code, err = newCode(); err != nil {
			return herald.Link{}, err
		}
		err = s.store.InTx(ctx, func(tx herald.Tx) error {
			stored, err := tx.PutLinks(ctx, []herald.Link{l})
			if err != nil {
				return err
			}
			l = stored[0]
			a := herald.NewAudit(actor, "link.create", "link", l.ID, nil, l, l.CreatedAt)
			return tx.AppendAudit(ctx, &a)
		})
		if errors.Is(err, herald.ErrConflict) && attempt < codeAttempts-1 {
			continue // the code was taken: draw another
		}
		if err != nil {
			return herald.Link{}, fmt.Errorf("links: create a link: %w", err)
		}
		return l, nil
	}
}

// List returns the workspace's links with their counts, newest first:
// those of targets published in [from, to) and the builder links made
// then (zero times do not bound), at most MaxList. It needs
// analytics.read.
func (s *Service) List(ctx context.Context, actor herald.Actor, workspaceID int64, from, to time.Time) ([]herald.LinkStats, error) {
	if err := allow(actor, workspaceID, herald.ActAnalyticsRead); err != nil {
		return nil, err
	}
	if !from.IsZero() && !to.IsZero() && !from.Before(to) {
		return nil, herald.Problems{{Field: "from", Problem: "must be before to"}}.Err("the period is not valid")
	}
	ls, err := s.store.ListLinks(ctx, workspaceID, from, to, MaxList)
	if err != nil {
		return nil, fmt.Errorf("links: list: %w", err)
	}
	return ls, nil
}

// TargetLinks returns the links of one target with their counts. It
// needs analytics.read.
func (s *Service) TargetLinks(ctx context.Context, actor herald.Actor, workspaceID, targetID int64) ([]herald.LinkStats, error) {
	if err := allow(actor, workspaceID, herald.ActAnalyticsRead); err != nil {
		return nil, err
	}
	ls, err := s.store.TargetLinks(ctx, workspaceID, targetID)
	if err != nil {
		return nil, fmt.Errorf("links: links of target %d: %w", targetID, err)
	}
	return ls, nil
}

// ListConversions returns the workspace's conversions reported in [from, to)
// (zero times do not bound), newest first, at most MaxList. It needs
// analytics.read.
func (s *Service) ListConversions(ctx context.Context, actor herald.Actor, workspaceID int64, from, to time.Time) ([]herald.Conversion, error) {
	if err := allow(actor, workspaceID, herald.ActAnalyticsRead); err != nil {
		return nil, err
	}
	out, err := s.store.ListConversions(ctx, workspaceID, from, to, MaxList)
	if err != nil {
		return nil, fmt.Errorf("links: list conversions: %w", err)
	}
	return out, nil
}
