package jobs

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"github.com/riverqueue/river"

	"github.com/heraldsocial/herald/internal/connector"
	"github.com/heraldsocial/herald/internal/herald"
)

// How snapshot_accounts reads each account's audience once a day.
const (
	// DefaultAudienceEvery is how often snapshot_accounts looks for
	// accounts without a snapshot of the day: a newly connected account
	// has its first within that time.
	DefaultAudienceEvery = 15 * time.Minute
	// AudienceBatch is the most accounts one run reads.
	AudienceBatch = 500
	// FollowersFresh: a post published within it is credited with the
	// followers read when its counts are first collected (10 minutes after
	// publishing). Older ones keep the account's last daily snapshot
	// before publishing.
	FollowersFresh = 2 * time.Hour
)

// SnapshotAccountsArgs enqueue a run.
type SnapshotAccountsArgs struct{}

// Kind names the job kind.
func (SnapshotAccountsArgs) Kind() string { return "snapshot_accounts" }

// snapshotAccountsWorker reads the followers, following and post counts of
// every connected account once per UTC day (connector.AudienceReader).
type snapshotAccountsWorker struct {
	river.WorkerDefaults[SnapshotAccountsArgs]
	engage *engage
}

// Timeout bounds one run.
func (w *snapshotAccountsWorker) Timeout(*river.Job[SnapshotAccountsArgs]) time.Duration {
	return 15 * time.Minute
}

// Work snapshots the accounts due. A platform's failure for one account
// leaves it due for the next run; only database errors fail the job.
func (w *snapshotAccountsWorker) Work(ctx context.Context, _ *river.Job[SnapshotAccountsArgs]) error {
	e := w.engage
	platforms := e.platformsWith(func(c connector.Publisher) bool { _, ok := c.(connector.AudienceReader); return ok })
	if len(platforms) == 0 {
		return nil
	}
	accts, err := e.store.AccountsDueForSnapshot(ctx, e.clock.Now(), platforms, AudienceBatch)
	if err != nil {
		return fmt.Errorf("jobs: snapshot_accounts: list due accounts: %w", err)
	}
	stored := 0
	var errs []error
	for _, a := range accts {
		if err := ctx.Err(); err != nil {
			errs = append(errs, err)
			break
		}
		_, ok, err := e.readAudience(ctx, a)
		if err != nil {
			errs = append(errs, fmt.Errorf("account %d: %w", a.ID, err))
		}
		if ok {
			stored++
		}
	}
	if stored > 0 {
		e.log.InfoContext(ctx, "account audiences read", slog.Int("accounts", stored), slog.Int("due", len(accts)))
	}
	if err := errors.Join(errs...); err != nil {
		return fmt.Errorf("jobs: snapshot_accounts: %w", err)
	}
	return nil
}

// readAudience reads the account's audience and stores it as the day's
// snapshot. ok is false when nothing was read: the platform cannot tell,
// the account's credentials do not open, or the platform refused (handled
// by platformFailed; err is then only a database error).
func (e *engage) readAudience(ctx context.Context, a herald.Account) (snap herald.AccountSnapshot, ok bool, err error) {
	c, found := e.connectors.Get(a.Platform)
	if !found {
		return snap, false, nil
	}
	ar, can := c.(connector.AudienceReader)
	if !can {
		return snap, false, nil
	}
	if a.TokenExpiresAt != nil && !a.TokenExpiresAt.After(e.clock.Now()) {
		return snap, false, nil // refresh_tokens renews it first, or tells people to reconnect
	}
	acct, opened := e.open(ctx, a)
	if !opened {
		return snap, false, nil
	}
	cctx, cancel := context.WithTimeout(ctx, e.cfg.CallTimeout)
	got, err := ar.Audience(cctx, acct)
	cancel()
	if err != nil {
		if isShutdown(ctx, err) {
			return snap, false, ctx.Err()
		}
		_, err := e.platformFailed(ctx, a, "reading the account's audience", err)
		return snap, false, err
	}
	snap = herald.AccountSnapshot{WorkspaceID: a.WorkspaceID, AccountID: a.ID,
		At:        e.clock.Now().UTC().Truncate(time.Microsecond),
		Followers: count(got.Followers), Following: count(got.Following), Posts: count(got.Posts)}
	if err := e.store.PutAccountSnapshot(ctx, snap); err != nil {
		if errors.Is(err, herald.ErrConflict) {
			return snap, false, nil // the account was deleted meanwhile
		}
		return snap, false, err
	}
	return snap, true, nil
}
