// Package webhook is the use-case of a workspace's notification channels:
// Slack and Discord incoming webhooks and generic webhooks signed with
// HMAC-SHA256. Deliver stores one delivery per (endpoint, notification
// key), so a repeated event is never a second delivery, and hands it to the
// background jobs, which post it with a time-out and retry it with back-off,
// logging every attempt with its answer.
package webhook

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"net/netip"
	"net/url"
	"strconv"
	"sync/atomic"
	"time"

	"github.com/heraldsocial/herald/internal/herald"
	"github.com/heraldsocial/herald/internal/outbound"
)

// Delivery policy.
const (
	// DefaultTimeout bounds one attempt, from the dial to the end of the
	// answer.
	DefaultTimeout = 10 * time.Second
	// MaxAttempts is how often a delivery is tried in all.
	MaxAttempts = 8
	// MaxRetryAfter caps how long a receiver's Retry-After may hold a
	// delivery back.
	MaxRetryAfter = 6 * time.Hour
	// ResponseLimit is how much of an answer's body an attempt keeps.
	ResponseLimit = 2 << 10
	// leaseMargin is added to the time-out for the lease of an attempt.
	leaseMargin = time.Minute
)

// Backoff is the wait before attempt n+2 after attempt n+1 failed
// (Backoff[0] follows the first attempt); Retry-After overrides it.
var Backoff = [MaxAttempts - 1]time.Duration{10 * time.Second, time.Minute, 5 * time.Minute, 30 * time.Minute,
	time.Hour, 3 * time.Hour, 6 * time.Hour}

// Keys seals and opens signing secrets (keyring.(*Keyring) does).
type Keys interface {
	Seal(plaintext, aad []byte) (herald.Sealed, error)
	Open(s herald.Sealed, aad []byte) ([]byte, error)
}

// Queue hands a stored delivery to the background jobs (jobs.(*Runner)
// does). Enqueuing the same delivery twice while it waits is one job.
type Queue interface {
	EnqueueWebhookDelivery(ctx context.Context, workspaceID, deliveryID int64) error
}

// Config is the service's policy.
type Config struct {
	// BaseURL is Herald's address (HERALD_BASE_URL): links in payloads are
	// made absolute with it.
	BaseURL string
	// AllowPrivate lets endpoints on loopback and private networks through
	// (HERALD_ALLOW_PRIVATE_NETWORKS), at saving and at sending.
	AllowPrivate bool
	// Timeout bounds one attempt (default 10s).
	Timeout time.Duration
}

// Deps are what the service works with.
type Deps struct {
	Store herald.Store
	Keys  Keys
	// Client posts the deliveries; nil: outbound.NewClient with the
	// config's AllowPrivate, which refuses private addresses at dial time
	// (redirects and DNS rebinding included).
	Client *http.Client
	// Resolver looks up endpoint hosts when they are saved; nil: the
	// system's.
	Resolver *net.Resolver
	Clock    herald.Clock
	Logger   *slog.Logger
}

// Service is the notification channels use-case. It is safe for
// concurrent use.
type Service struct {
	store    herald.Store
	keys     Keys
	client   *http.Client
	resolver *net.Resolver
	clock    herald.Clock
	log      *slog.Logger
	cfg      Config
	queue    atomic.Pointer[Queue]
}

// New returns a Service. Call UseQueue before the first Deliver.
func New(cfg Config, d Deps) (*Service, error) {
	var p herald.Problems
	if d.Store == nil {
		p.Add("store", "is required")
	}
	if d.Keys == nil {
		p.Add("keys", "is required: the keyring that seals signing secrets")
	}
	if err := p.Err("the webhook service cannot start"); err != nil {
		return nil, err
	}
	if cfg.Timeout <= 0 {
		cfg.Timeout = DefaultTimeout
	}
	if d.Client == nil {
		d.Client = outbound.NewClient(outbound.Options{AllowPrivate: cfg.AllowPrivate, Timeout: cfg.Timeout,
			MaxRedirects: -1})
	}
	if d.Resolver == nil {
		d.Resolver = net.DefaultResolver
	}
	if d.Clock == nil {
		d.Clock = herald.SystemClock{}
	}
	if d.Logger == nil {
		d.Logger = slog.New(slog.DiscardHandler)
	}
	return &Service{store: d.Store, keys: d.Keys, client: d.Client, resolver: d.Resolver, clock: d.Clock,
		log: d.Logger.With(slog.String("component", "webhook")), cfg: cfg}, nil
}

// UseQueue sets the background jobs that attempt deliveries. Until it is
// called, deliveries are stored and wait for the jobs' sweep.
func (s *Service) UseQueue(q Queue) {
	if q == nil {
		s.queue.Store(nil)
		return
	}
	s.queue.Store(&q)
}

// Input is what a person sets on an endpoint. On Update, nil fields stay
// as they are (Kind cannot change).
type Input struct {
	Kind    herald.WebhookKind
	Name    *string
	URL     *string
	Kinds   *[]herald.NotificationKind
	Enabled *bool
}

// Created is a new endpoint and, for a generic one, its signing secret,
// shown this once.
type Created struct {
	Endpoint herald.WebhookEndpoint
	Secret   string
}

func (s *Service) now() time.Time { return s.clock.Now().UTC().Truncate(time.Microsecond) }

// List returns the workspace's endpoints by name.
func (s *Service) List(ctx context.Context, actor herald.Actor) ([]herald.WebhookEndpoint, error) {
	if err := actor.Require(herald.ActWebhooksManage); err != nil {
		return nil, err
	}
	es, err := s.store.ListWebhookEndpoints(ctx, actor.WorkspaceID)
	if err != nil {
		return nil, fmt.Errorf("webhook: list: %w", err)
	}
	return es, nil
}

// Get returns one endpoint of the actor's workspace.
func (s *Service) Get(ctx context.Context, actor herald.Actor, id int64) (herald.WebhookEndpoint, error) {
	if err := actor.Require(herald.ActWebhooksManage); err != nil {
		return herald.WebhookEndpoint{}, err
	}
	return get(ctx, s.store, actor.WorkspaceID, id)
}

func get(ctx context.Context, tx herald.Tx, workspaceID, id int64) (herald.WebhookEndpoint, error) {
	e, err := tx.GetWebhookEndpoint(ctx, workspaceID, id)
	if errors.Is(err, herald.ErrNotFound) {
		return herald.WebhookEndpoint{}, &herald.Error{Code: herald.CodeNotFound,
			Message: fmt.Sprintf("webhook %d not found in this workspace", id), Err: err}
	}
	if err != nil {
		return herald.WebhookEndpoint{}, fmt.Errorf("webhook: get %d: %w", id, err)
	}
	return e, nil
}

// Create adds an endpoint (enabled, every kind unless Kinds says
// otherwise). A generic endpoint gets a signing secret, returned once.
func (s *Service) Create(ctx context.Context, actor herald.Actor, in Input) (Created, error) {
	if err := actor.Require(herald.ActWebhooksManage); err != nil {
		return Created{}, err
	}
	now := s.now()
	e := herald.WebhookEndpoint{WorkspaceID: actor.WorkspaceID, Kind: in.Kind, Enabled: true, CreatedBy: actor.UserID,
		CreatedAt: now, UpdatedAt: now}
	apply(&e, in)
	if err := s.check(ctx, &e); err != nil {
		return Created{}, err
	}
	var secret string
	if e.Kind == herald.WebhookGeneric {
		var err error
		if secret, e.Secret, err = s.newSecret(e.WorkspaceID); err != nil {
			return Created{}, err
		}
	}
	err := s.store.InTx(ctx, func(tx herald.Tx) error {
		if err := tx.CreateWebhookEndpoint(ctx, &e); err != nil {
			return err
		}
		a := herald.NewAudit(actor, "webhook.create", "webhook", e.ID, nil, e, now)
		return tx.AppendAudit(ctx, &a)
	})
	if err != nil {
		return Created{}, fmt.Errorf("webhook: create: %w", err)
	}
	s.log.InfoContext(ctx, "webhook created", slog.Int64("workspace_id", e.WorkspaceID), slog.Int64("webhook_id", e.ID))
	return Created{Endpoint: e, Secret: secret}, nil
}

func apply(e *herald.WebhookEndpoint, in Input) {
	if in.Name != nil {
		e.Name = *in.Name
	}
	if in.URL != nil {
		e.URL = *in.URL
	}
	if in.Kinds != nil {
		e.Kinds = *in.Kinds
	}
	if in.Enabled != nil {
		e.Enabled = *in.Enabled
	}
}

// Update changes an endpoint's name, address, kinds or enabled flag.
func (s *Service) Update(ctx context.Context, actor herald.Actor, id int64, in Input) (herald.WebhookEndpoint, error) {
	if err := actor.Require(herald.ActWebhooksManage); err != nil {
		return herald.WebhookEndpoint{}, err
	}
	before, err := get(ctx, s.store, actor.WorkspaceID, id)
	if err != nil {
		return herald.WebhookEndpoint{}, err
	}
	e := before
	apply(&e, in)
	if in.Kind != "" && in.Kind != e.Kind {
		return herald.WebhookEndpoint{}, herald.Problems{{Field: "kind",
			Problem: "cannot change; add a new webhook of the other kind"}}.Err("the webhook is not valid")
	}
	if err := s.check(ctx, &e); err != nil {
		return herald.WebhookEndpoint{}, err
	}
	e.UpdatedAt = s.now()
	err = s.store.InTx(ctx, func(tx herald.Tx) error {
		if err := tx.UpdateWebhookEndpoint(ctx, &e); err != nil {
			return err
		}
		a := herald.NewAudit(actor, "webhook.update", "webhook", e.ID, before, e, e.UpdatedAt)
		return tx.AppendAudit(ctx, &a)
	})
	if err != nil {
		return herald.WebhookEndpoint{}, fmt.Errorf("webhook: update %d: %w", id, err)
	}
	return e, nil
}

// Delete removes an endpoint and its delivery log.
func (s *Service) Delete(ctx context.Context, actor herald.Actor, id int64) error {
	if err := actor.Require(herald.ActWebhooksManage); err != nil {
		return err
	}
	err := s.store.InTx(ctx, func(tx herald.Tx) error {
		before, err := get(ctx, tx, actor.WorkspaceID, id)
		if err != nil {
			return err
		}
		if err := tx.DeleteWebhookEndpoint(ctx, actor.WorkspaceID, id); err != nil {
			return err
		}
		a := herald.NewAudit(actor, "webhook.delete", "webhook", id, before, nil, s.now())
		return tx.AppendAudit(ctx, &a)
	})
	if err != nil {
		return fmt.Errorf("webhook: delete %d: %w", id, err)
	}
	return nil
}

// RollSecret gives a generic endpoint a new signing secret, returned this
// once; the old one stops working at once.
func (s *Service) RollSecret(ctx context.Context, actor herald.Actor, id int64) (string, error) {
	if err := actor.Require(herald.ActWebhooksManage); err != nil {
		return "", err
	}
	var secret string
	err := s.store.InTx(ctx, func(tx herald.Tx) error {
		e, err := get(ctx, tx, actor.WorkspaceID, id)
		if err != nil {
			return err
		}
		if e.Kind != herald.WebhookGeneric {
			return herald.Errorf(herald.CodeConflict, "a %s webhook has no signing secret; only generic webhooks are signed", e.Kind)
		}
		if secret, e.Secret, err = s.newSecret(e.WorkspaceID); err != nil {
			return err
		}
		e.UpdatedAt = s.now()
		if err := tx.UpdateWebhookEndpoint(ctx, &e); err != nil {
			return err
		}
		a := herald.NewAudit(actor, "webhook.roll_secret", "webhook", id, nil, nil, e.UpdatedAt)
		return tx.AppendAudit(ctx, &a)
	})
	if err != nil {
		return "", fmt.Errorf("webhook: roll the secret of %d: %w", id, err)
	}
	return secret, nil
}

// secretAAD binds a sealed secret to its workspace.
func secretAAD(workspaceID int64) []byte {
	return []byte("herald webhook secret:" + strconv.FormatInt(workspaceID, 10))
}

// newSecret makes a signing secret and seals it.
func (s *Service) newSecret(workspaceID int64) (string, herald.Sealed, error) {
	b := make([]byte, 32)
	if _, err := rand.Read(b); err != nil {
		return "", herald.Sealed{}, fmt.Errorf("webhook: make a secret: %w", err)
	}
	secret := "whsec_" + base64.RawURLEncoding.EncodeToString(b)
	sealed, err := s.keys.Seal([]byte(secret), secretAAD(workspaceID))
	if err != nil {
		return "", herald.Sealed{}, fmt.Errorf("webhook: seal the secret: %w", err)
	}
	return secret, sealed, nil
}

// check validates e and refuses an address whose host resolves to a
// non-public address (unless the operator allows private networks), with
// what to do about it.
func (s *Service) check(ctx context.Context, e *herald.WebhookEndpoint) error {
	if err := e.Validate(); err != nil {
		return err
	}
	u, _ := url.Parse(e.URL) // Validate parsed it
	host := u.Hostname()
	var addrs []netip.Addr
	if a, err := netip.ParseAddr(host); err == nil {
		addrs = []netip.Addr{a}
	} else {
		lctx, cancel := context.WithTimeout(ctx, s.cfg.Timeout)
		defer cancel()
		addrs, err = s.resolver.LookupNetIP(lctx, "ip", host)
		if err != nil || len(addrs) == 0 {
			return herald.Problems{{Field: "url", Problem: fmt.Sprintf(
				"the host %q could not be found; check the address the receiver gave you", host)}}.Err("the webhook is not valid")
		}
	}
	for _, a := range addrs {
		var re *outbound.RefusedError
		if errors.As(outbound.Check(a, s.cfg.AllowPrivate), &re) {
			problem := fmt.Sprintf("%s is %s (%s); give an address on the public internet", host, re.Addr, re.Class)
			switch re.Class {
			case outbound.Loopback, outbound.Private, outbound.Shared:
				problem += ", or ask the operator to set " + outbound.AllowVariable + "=true to allow servers on their own network"
			}
			return herald.Problems{{Field: "url", Problem: problem}}.Err("the webhook is not valid")
		}
	}
	return nil
}
