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

// CollectMetricsArgs enqueue a run that snapshots the counts of published
// posts that are due for one.
type CollectMetricsArgs struct{}

// Kind names the job kind.
func (CollectMetricsArgs) Kind() string { return "collect_metrics" }

// metricsChunk is how many posts one Metrics call asks about.
const metricsChunk = 100

// collectMetricsWorker snapshots due targets through each platform's
// connector.MetricsReader, one call per account (in chunks).
type collectMetricsWorker struct {
	river.WorkerDefaults[CollectMetricsArgs]
	engage *engage
}

// Timeout bounds one run.
func (w *collectMetricsWorker) Timeout(*river.Job[CollectMetricsArgs]) time.Duration {
	return 15 * time.Minute
}

// Work measures up to MetricsBatch due targets. A platform's failure for
// one account leaves its targets due for the next run; only database
// errors fail the job.
func (w *collectMetricsWorker) Work(ctx context.Context, _ *river.Job[CollectMetricsArgs]) error {
	e := w.engage
	platforms := e.platformsWith(func(c connector.Publisher) bool { _, ok := c.(connector.MetricsReader); return ok })
	if len(platforms) == 0 {
		return nil
	}
	now := e.clock.Now()
	targets, err := e.store.TargetsDueForMetrics(ctx, now, platforms, e.cfg.MetricsBatch)
	if err != nil {
		return fmt.Errorf("jobs: collect_metrics: list due targets: %w", err)
	}
	type key struct{ workspace, account int64 }
	var order []key
	byAccount := map[key][]herald.Target{}
	for _, t := range targets {
		k := key{t.WorkspaceID, t.AccountID}
		if _, seen := byAccount[k]; !seen {
			order = append(order, k)
		}
		byAccount[k] = append(byAccount[k], t)
	}
	stored := 0
	var errs []error
	for _, k := range order {
		if err := ctx.Err(); err != nil {
			errs = append(errs, err)
			break
		}
		n, err := w.account(ctx, k.workspace, k.account, byAccount[k])
		stored += n
		if err != nil {
			errs = append(errs, fmt.Errorf("account %d: %w", k.account, err))
		}
	}
	if len(targets) > 0 {
		e.log.InfoContext(ctx, "metrics collected", slog.Int("due", len(targets)), slog.Int("stored", stored),
			slog.Int("accounts", len(order)))
	}
	if err := errors.Join(errs...); err != nil {
		return fmt.Errorf("jobs: collect_metrics: %w", err)
	}
	return nil
}

// account measures one account's due targets and stores the snapshots.
func (w *collectMetricsWorker) account(ctx context.Context, workspaceID, accountID int64, targets []herald.Target) (int, error) {
	e := w.engage
	a, err := e.store.GetAccount(ctx, workspaceID, accountID)
	if errors.Is(err, herald.ErrNotFound) {
		return 0, nil
	}
	if err != nil {
		return 0, err
	}
	c, ok := e.connectors.Get(a.Platform)
	if !ok {
		return 0, nil
	}
	mr, ok := c.(connector.MetricsReader)
	if !ok {
		return 0, nil
	}
	acct, ok := e.open(ctx, a)
	if !ok {
		return 0, nil
	}
	// The followers a fresh post went out to: read once for the account
	// before its counts, and kept on the posts published recently enough.
	var fresh []int64
	for _, t := range targets {
		if t.PublishedAt != nil && e.clock.Now().Sub(*t.PublishedAt) < FollowersFresh {
			fresh = append(fresh, t.ID)
		}
	}
	var audience herald.AccountSnapshot
	heard := false
	if len(fresh) > 0 {
		audience, heard, err = e.readAudience(ctx, a)
		if err != nil {
			return 0, err
		}
	}
	stored := 0
	for start := 0; start < len(targets); start += metricsChunk {
		chunk := targets[start:min(start+metricsChunk, len(targets))]
		refs := make([]herald.RemoteRef, 0, len(chunk))
		for _, t := range chunk {
			ref := herald.RemoteRef{ID: t.RemoteID, URL: t.RemoteURL}
			if len(t.Progress.Parts) > 0 && t.Progress.Parts[0].ID == t.RemoteID {
				ref.Meta = t.Progress.Parts[0].Meta
			}
			refs = append(refs, ref)
		}
		cctx, cancel := context.WithTimeout(ctx, e.cfg.CallTimeout)
		got, err := mr.Metrics(cctx, acct, refs)
		cancel()
		if err != nil {
			if isShutdown(ctx, err) {
				return stored, ctx.Err()
			}
			_, err := e.platformFailed(ctx, a, "reading metrics", err)
			return stored, err
		}
		now := e.clock.Now()
		snaps := make([]herald.MetricSnapshot, 0, len(chunk))
		for _, t := range chunk {
			m, ok := got[t.RemoteID]
			if !ok {
				e.log.DebugContext(ctx, "the platform no longer has a published post", slog.Int64("target_id", t.ID))
				continue
			}
			at := m.At
			if at.IsZero() || at.After(now) {
				at = now
			}
			snaps = append(snaps, herald.MetricSnapshot{WorkspaceID: t.WorkspaceID, TargetID: t.ID,
				At: at.UTC().Truncate(time.Microsecond), Likes: count(m.Likes), Reposts: count(m.Reposts),
				Replies: count(m.Replies), Quotes: count(m.Quotes), Impressions: count(m.Impressions)})
		}
		if err := e.store.AddMetricSnapshots(ctx, snaps); err != nil {
			if errors.Is(err, herald.ErrConflict) {
				// A target was deleted meanwhile: store the others one by one.
				for _, s := range snaps {
					if err := e.store.AddMetricSnapshots(ctx, []herald.MetricSnapshot{s}); err == nil {
						stored++
					} else if !errors.Is(err, herald.ErrConflict) {
						return stored, err
					}
				}
				continue
			}
			return stored, err
		}
		stored += len(snaps)
	}
	if heard {
		if err := e.store.SetTargetFollowers(ctx, workspaceID, fresh, audience.Followers, audience.At); err != nil {
			return stored, err
		}
	}
	return stored, nil
}

// count keeps a platform's count, or -1 for "not given".
func count(v int64) int64 {
	if v < 0 {
		return -1
	}
	return v
}
