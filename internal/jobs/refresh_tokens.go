package jobs

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"github.com/riverqueue/river"

	"github.com/heraldsocial/herald/internal/connector"
	"github.com/heraldsocial/herald/internal/herald"
)

// RefreshTokensArgs enqueue a refresh of the access tokens that expire soon.
type RefreshTokensArgs struct{}

// Kind names the job kind.
func (RefreshTokensArgs) Kind() string { return "refresh_tokens" }

// refreshTokensWorker renews the tokens of accounts that expire within the
// refresh window, through each platform's connector.Refresher.
type refreshTokensWorker struct {
	river.WorkerDefaults[RefreshTokensArgs]
	cfg        Config
	store      herald.Store
	connectors *connector.Registry
	keys       Keys
	notifier   Notifier
	clock      herald.Clock
	log        *slog.Logger
}

// Timeout bounds one run over a batch of accounts.
func (w *refreshTokensWorker) Timeout(*river.Job[RefreshTokensArgs]) time.Duration {
	return 15 * time.Minute
}

// refreshOutcome is what happened to one account.
type refreshOutcome int

const (
	refreshed refreshOutcome = iota // new credentials stored
	failed                          // status set to expiring or expired
	skipped                         // the account changed meanwhile: left alone
)

// Work refreshes every account whose token expires within the window, one
// at a time. An account that fails is marked and the others go on; only
// database errors fail the job (River then retries it).
func (w *refreshTokensWorker) Work(ctx context.Context, _ *river.Job[RefreshTokensArgs]) error {
	now := w.clock.Now()
	accts, err := w.store.AccountsToRefresh(ctx, now.Add(w.cfg.RefreshWindow), w.cfg.RefreshBatch)
	if err != nil {
		return fmt.Errorf("jobs: refresh_tokens: list accounts: %w", err)
	}
	var counts [3]int
	var errs []error
	for _, a := range accts {
		if err := ctx.Err(); err != nil {
			errs = append(errs, err)
			break
		}
		out, err := w.refresh(ctx, a)
		if err != nil {
			errs = append(errs, fmt.Errorf("account %d: %w", a.ID, err))
			continue
		}
		counts[out]++
	}
	if len(accts) > 0 {
		w.log.InfoContext(ctx, "access tokens refreshed", slog.Int("refreshed", counts[refreshed]),
			slog.Int("failed", counts[failed]), slog.Int("skipped", counts[skipped]))
	}
	if len(accts) == w.cfg.RefreshBatch {
		w.log.WarnContext(ctx, "more tokens expire soon than one run refreshes; the rest wait for the next run",
			slog.Int("refresh_batch", w.cfg.RefreshBatch))
	}
	if err := errors.Join(errs...); err != nil {
		return fmt.Errorf("jobs: refresh_tokens: %w", err)
	}
	return nil
}

// refresh renews one account's token and stores the sealed credentials, or
// records why it could not. Stored credentials are never wiped.
func (w *refreshTokensWorker) refresh(ctx context.Context, a herald.Account) (refreshOutcome, error) {
	plain, err := w.keys.Open(a.Credentials, a.CredentialsAAD())
	if err != nil {
		w.log.ErrorContext(ctx, "account credentials do not open", slog.Int64("account_id", a.ID), slog.Any("error", err))
		return w.fail(ctx, a, "its stored credentials cannot be opened with Herald's key file (was a key removed from it?)")
	}
	pub, ok := w.connectors.Get(a.Platform)
	if !ok {
		return w.fail(ctx, a, fmt.Sprintf("Herald has no connector for %s", a.Platform))
	}
	rf, ok := pub.(connector.Refresher)
	if !ok {
		return w.fail(ctx, a, fmt.Sprintf("%s tokens cannot be refreshed automatically", a.Platform))
	}
	cctx, cancel := context.WithTimeout(ctx, w.cfg.RefreshTimeout)
	creds, expiresAt, err := rf.Refresh(cctx, connector.Account{Account: a, Credentials: plain})
	cancel()
	if err != nil {
		if ctx.Err() != nil {
			// Shutting down: the platform is not to blame.
			return skipped, ctx.Err()
		}
		w.log.WarnContext(ctx, "token refresh failed", slog.Int64("account_id", a.ID),
			slog.String("platform", string(a.Platform)), slog.Any("error", err))
		return w.fail(ctx, a, "the platform did not refresh it: "+platformMessage(err))
	}
	if len(creds) == 0 {
		return w.fail(ctx, a, "the platform's answer held no credentials")
	}
	sealed, err := w.keys.Seal(creds, a.CredentialsAAD())
	if err != nil {
		return skipped, fmt.Errorf("seal the refreshed credentials: %w", err)
	}
	now := w.clock.Now()
	out := refreshed
	err = w.store.InTx(ctx, func(tx herald.Tx) error {
		cur, ok, err := current(ctx, tx, a)
		if err != nil || !ok {
			out = skipped
			return err
		}
		cur.Credentials = sealed
		cur.TokenExpiresAt = utcPtr(expiresAt)
		cur.Status = herald.AccountConnected
		cur.StatusReason = ""
		cur.UpdatedAt = now
		return tx.UpdateAccount(ctx, &cur)
	})
	if err != nil {
		return skipped, fmt.Errorf("store the refreshed credentials: %w", err)
	}
	if out == refreshed {
		w.log.InfoContext(ctx, "access token refreshed", slog.Int64("account_id", a.ID),
			slog.String("platform", string(a.Platform)))
	}
	return out, nil
}

// fail records that a's token could not be refreshed: expiring while the
// token still works, expired once it does not. People are told when the
// status changes.
func (w *refreshTokensWorker) fail(ctx context.Context, a herald.Account, why string) (refreshOutcome, error) {
	now := w.clock.Now()
	var (
		out     = failed
		changed bool
		status  herald.AccountStatus
		reason  string
		cur     herald.Account
	)
	err := w.store.InTx(ctx, func(tx herald.Tx) error {
		var ok bool
		var err error
		cur, ok, err = current(ctx, tx, a)
		if err != nil || !ok {
			out = skipped
			return err
		}
		status, reason = failedStatus(cur, why, now)
		if cur.Status == status && cur.StatusReason == reason {
			return nil
		}
		changed = cur.Status != status
		cur.Status = status
		cur.StatusReason = reason
		cur.UpdatedAt = now
		return tx.UpdateAccount(ctx, &cur)
	})
	if err != nil {
		return skipped, fmt.Errorf("record the failed refresh: %w", err)
	}
	if changed {
		kind, msg := herald.NotifyAccountExpiring, "The %s account %s needs attention: %s."
		if status == herald.AccountExpired {
			kind, msg = herald.NotifyAccountExpired, "The %s account %s needs to be reconnected: %s. Its posts wait until then."
		}
		w.notifier.Notify(ctx, accountNotice(cur, kind, status, fmt.Sprintf(msg, cur.Platform, cur.Handle, reason), now))
	}
	return out, nil
}

// failedStatus is the status and reason of an account whose refresh failed
// for the given reason.
func failedStatus(a herald.Account, why string, now time.Time) (herald.AccountStatus, string) {
	if a.TokenExpiresAt == nil || !now.Before(*a.TokenExpiresAt) {
		at := "its access token expired"
		if a.TokenExpiresAt != nil {
			at += " at " + a.TokenExpiresAt.UTC().Format("2006-01-02 15:04 UTC")
		}
		return herald.AccountExpired, at + " and could not be refreshed (" + why + "); reconnect the account"
	}
	return herald.AccountExpiring, "its access token expires at " + a.TokenExpiresAt.UTC().Format("2006-01-02 15:04 UTC") +
		" and could not be refreshed (" + why + "); Herald keeps trying until then, or reconnect the account"
}

// current re-reads and locks a inside tx and reports whether it is still
// as the job saw it: same credentials and still connected or expiring.
// Otherwise it was reconnected, disconnected, refreshed or marked by
// someone else meanwhile, and the job leaves it alone. The lock keeps a
// disconnect or reconnect from committing between this check and the
// job's write (on PostgreSQL it waits, then applies after the job's).
func current(ctx context.Context, tx herald.Tx, a herald.Account) (herald.Account, bool, error) {
	cur, err := tx.LockAccount(ctx, a.WorkspaceID, a.ID)
	if errors.Is(err, herald.ErrNotFound) {
		return herald.Account{}, false, nil
	}
	if err != nil {
		return herald.Account{}, false, err
	}
	if !bytes.Equal(cur.Credentials.Ciphertext, a.Credentials.Ciphertext) ||
		(cur.Status != herald.AccountConnected && cur.Status != herald.AccountExpiring) {
		return herald.Account{}, false, nil
	}
	return cur, true, nil
}

// platformMessage is the platform's own words when it gave some.
func platformMessage(err error) string {
	var ce *connector.Error
	if errors.As(err, &ce) && ce.Message != "" {
		return ce.Message
	}
	return err.Error()
}

// utcPtr returns t in UTC at the stores' microsecond precision.
func utcPtr(t *time.Time) *time.Time {
	if t == nil {
		return nil
	}
	u := t.UTC().Truncate(time.Microsecond)
	return &u
}
