package jobs

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"time"

	"github.com/riverqueue/river"

	"github.com/heraldsocial/herald/internal/connector"
	"github.com/heraldsocial/herald/internal/herald"
)

// How check_inbox reads the inbox's recent posts again, to learn of edits
// and deletions where no stream tells of them.
const (
	// DefaultCheckEvery is how often check_inbox runs by default.
	DefaultCheckEvery = 10 * time.Minute
	// CheckWindow: posts received in the inbox within it are checked.
	CheckWindow = 48 * time.Hour
	// CheckAgainAfter is the least time between two checks of a post.
	CheckAgainAfter = 30 * time.Minute
	// CheckBatch is the most posts of one account one run checks.
	CheckBatch = 100
)

// CheckInboxArgs enqueue a run.
type CheckInboxArgs struct{}

// Kind names the job kind.
func (CheckInboxArgs) Kind() string { return "check_inbox" }

// checkInboxWorker reads each account's recent inbox posts as they are
// now on the platform (connector.PostChecker) and records the edited ones'
// new text and the deleted ones: the Mastodon stream tells of these as
// they happen, but polling Mastodon, Bluesky and X only tells of new posts.
type checkInboxWorker struct {
	river.WorkerDefaults[CheckInboxArgs]
	engage *engage
}

// Timeout bounds one run.
func (w *checkInboxWorker) Timeout(*river.Job[CheckInboxArgs]) time.Duration { return 10 * time.Minute }

// Work checks every account whose platform can tell.
func (w *checkInboxWorker) Work(ctx context.Context, _ *river.Job[CheckInboxArgs]) error {
	e := w.engage
	platforms := e.platformsWith(func(c connector.Publisher) bool {
		_, ok := c.(connector.PostChecker)
		return ok
	})
	if len(platforms) == 0 {
		return nil
	}
	accts, err := e.store.InboxAccounts(ctx, platforms)
	if err != nil {
		return fmt.Errorf("jobs: check_inbox: list accounts: %w", err)
	}
	changed := 0
	var errs []error
	for _, a := range accts {
		if err := ctx.Err(); err != nil {
			errs = append(errs, err)
			break
		}
		n, err := e.checkAccount(ctx, a)
		changed += n
		if err != nil {
			errs = append(errs, fmt.Errorf("account %d: %w", a.ID, err))
		}
	}
	if changed > 0 {
		e.log.InfoContext(ctx, "inbox posts edited or deleted on their platform recorded", slog.Int("items", changed))
	}
	if err := errors.Join(errs...); err != nil {
		return fmt.Errorf("jobs: check_inbox: %w", err)
	}
	return nil
}

// checkAccount checks the account's posts due a check and records what
// changed; it returns how many items changed.
func (e *engage) checkAccount(ctx context.Context, a herald.Account) (int, error) {
	c, ok := e.connectors.Get(a.Platform)
	if !ok {
		return 0, nil
	}
	pc, ok := c.(connector.PostChecker)
	if !ok {
		return 0, nil
	}
	now := e.clock.Now()
	items, err := e.store.InboxToCheck(ctx, a.ID, now.Add(-CheckWindow), now.Add(-CheckAgainAfter), CheckBatch)
	if err != nil || len(items) == 0 {
		return 0, err
	}
	acct, ok := e.open(ctx, a)
	if !ok {
		return 0, nil
	}
	refs := make([]herald.RemoteRef, len(items))
	for i, it := range items {
		refs[i] = it.Ref()
	}
	cctx, cancel := context.WithTimeout(ctx, e.cfg.CallTimeout)
	states, err := pc.CheckPosts(cctx, acct, refs)
	cancel()
	if err != nil {
		if isShutdown(ctx, err) {
			return 0, ctx.Err()
		}
		_, err := e.platformFailed(ctx, a, "checking inbox posts", err)
		return 0, err
	}
	changed := 0
	checked := make([]int64, 0, len(items))
	for _, it := range items {
		st, told := states[it.RemoteID]
		if !told {
			continue // not read this time: checked again next run
		}
		checked = append(checked, it.ID)
		var ch herald.InboxRemoteChange
		switch {
		case st.Gone:
			ch.DeletedAt = &now
		case st.Text != "" && st.Text != it.Text && st.EditedAt != nil && (it.EditedAt == nil || st.EditedAt.After(*it.EditedAt)):
			ch.Text, ch.EditedAt = st.Text, st.EditedAt
		default:
			continue
		}
		if err := e.store.ChangeInboxRemote(ctx, it.WorkspaceID, it.ID, ch); err != nil {
			checked = slices.DeleteFunc(checked, func(id int64) bool { return id == it.ID })
			e.log.WarnContext(ctx, "an inbox post's change on its platform not recorded", slog.Int64("item_id", it.ID),
				slog.Any("error", err))
			continue
		}
		changed++
	}
	if err := e.store.MarkInboxChecked(ctx, checked, now); err != nil {
		return changed, fmt.Errorf("record the check: %w", err)
	}
	return changed, nil
}
