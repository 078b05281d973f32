package jobs

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"github.com/heraldsocial/herald/internal/connector"
	"github.com/heraldsocial/herald/internal/herald"
)

// engage is what the metrics and inbox jobs share: the store, the
// connectors, the keys, and what to do when a platform refuses an account.
type engage struct {
	cfg        Config
	store      herald.Store
	connectors *connector.Registry
	keys       Keys
	notifier   Notifier
	clock      herald.Clock
	gate       *connector.RateGate
	log        *slog.Logger
	arrivals   InboxArrivals
}

func (r *Runner) engage(d Deps) *engage {
	gate := d.RateGate
	if gate == nil {
		gate = connector.NewRateGate()
	}
	return &engage{cfg: r.cfg, store: d.Store, connectors: d.Connectors, keys: d.Keys, notifier: d.Notifier,
		clock: d.Clock, gate: gate, log: r.log, arrivals: d.Inbox}
}

// platformsWith returns the platforms whose connector has the ability ok checks.
func (e *engage) platformsWith(ok func(connector.Publisher) bool) []herald.Platform {
	var out []herald.Platform
	for _, p := range herald.Platforms {
		if c, found := e.connectors.Get(p); found && ok(c) {
			out = append(out, p)
		}
	}
	return out
}

// open returns the account with its credentials opened, or false (logged)
// when they do not open.
func (e *engage) open(ctx context.Context, a herald.Account) (connector.Account, bool) {
	if until, blocked := e.gate.Until(a.ID, e.clock.Now()); blocked {
		e.log.DebugContext(ctx, "account rate-limited by its platform; skipped this run",
			slog.Int64("account_id", a.ID), slog.Time("until", until))
		return connector.Account{}, false
	}
	plain, err := e.keys.Open(a.Credentials, a.CredentialsAAD())
	if err != nil {
		e.log.ErrorContext(ctx, "account credentials do not open", slog.Int64("account_id", a.ID), slog.Any("error", err))
		return connector.Account{}, false
	}
	return connector.Account{Account: a, Credentials: plain}, true
}

// platformFailed handles a platform's refusal for account a during what:
// an expired or withdrawn access marks the account (as the publishing
// dispatcher does) and tells people; anything else is logged and tried
// again next run. It reports whether the account was marked.
func (e *engage) platformFailed(ctx context.Context, a herald.Account, what string, err error) (bool, error) {
	class := connector.ClassOf(err)
	if class == connector.RateLimited {
		wait := time.Minute
		var ce *connector.Error
		if errors.As(err, &ce) && ce.RetryAfter > 0 {
			wait = ce.RetryAfter
		}
		e.gate.Block(a.ID, e.clock.Now().Add(wait))
	}
	if class != connector.AuthExpired && class != connector.AuthRevoked {
		e.log.WarnContext(ctx, what+" failed; trying again next run", slog.Int64("account_id", a.ID),
			slog.String("platform", string(a.Platform)), slog.String("class", string(class)), slog.Any("error", err))
		return false, nil
	}
	to, kind := herald.AccountExpired, herald.NotifyAccountExpired
	reason := "the access token expired; reconnect the account (" + platformMessage(err) + ")"
	if class == connector.AuthRevoked {
		to, kind = herald.AccountRevoked, herald.NotifyAccountRevoked
		reason = "the platform withdrew Herald's access; reconnect the account (" + platformMessage(err) + ")"
	}
	var changed bool
	var cur herald.Account
	txErr := e.store.InTx(ctx, func(tx herald.Tx) error {
		var ok bool
		var err error
		cur, ok, err = current(ctx, tx, a)
		if err != nil || !ok {
			return err
		}
		cur.Status, cur.StatusReason, cur.UpdatedAt = to, reason, e.clock.Now()
		changed = true
		return tx.UpdateAccount(ctx, &cur)
	})
	if txErr != nil {
		return false, fmt.Errorf("record the %s account %d's status: %w", a.Platform, a.ID, txErr)
	}
	if changed {
		e.log.WarnContext(ctx, "account needs reconnecting", slog.Int64("account_id", a.ID),
			slog.String("status", string(to)), slog.Any("error", err))
		e.notifier.Notify(ctx, accountNotice(cur, kind, to, fmt.Sprintf("The %s account %s needs to be reconnected: %s. Its posts wait until then.",
			cur.Platform, cur.Handle, reason), e.clock.Now()))
	}
	return changed, nil
}

// isShutdown reports whether err is the job's own context ending.
func isShutdown(ctx context.Context, err error) bool {
	return ctx.Err() != nil && (errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) ||
		errors.Is(err, ctx.Err()))
}
