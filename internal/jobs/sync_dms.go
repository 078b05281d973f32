package jobs

import (
	"context"
	"errors"
	"log/slog"
	"time"

	"github.com/heraldsocial/herald/internal/connector"
	"github.com/heraldsocial/herald/internal/herald"
)

// directMessages fetches one account's direct messages since its own DM
// cursor (through connector.DMReader, after its mentions) and stores them
// as direct inbox items with the new cursor in one transaction. A
// platform that refuses the account's direct messages (an app password or
// a token without the scope) is recorded for the inbox page and is not an
// error: mentions and publishing go on. Other failures are handled as
// mentions' are (rate limits block the account, ended access marks it).
func (w *syncInboxWorker) directMessages(ctx context.Context, a herald.Account) (int, error) {
	e := w.engage
	c, ok := e.connectors.Get(a.Platform)
	if !ok {
		return 0, nil
	}
	dr, ok := c.(connector.DMReader)
	if !ok {
		return 0, nil
	}
	// open checks the rate gate again: reading mentions may just have
	// blocked the account.
	acct, ok := e.open(ctx, a)
	if !ok {
		return 0, nil
	}
	cursor, err := e.store.DMCursor(ctx, a.WorkspaceID, a.ID)
	if errors.Is(err, herald.ErrNotFound) {
		return 0, nil // deleted meanwhile
	}
	if err != nil {
		return 0, err
	}
	cctx, cancel := context.WithTimeout(ctx, e.cfg.CallTimeout)
	msgs, next, err := dr.DirectMessages(cctx, acct, cursor)
	cancel()
	if reason := connector.DMRefused(err); reason != "" {
		e.log.InfoContext(ctx, "the platform refused the account's direct messages", slog.Int64("account_id", a.ID),
			slog.String("platform", string(a.Platform)), slog.String("reason", reason), slog.Any("error", err))
		return 0, ignoreGone(e.store.SetDMRefused(ctx, a.WorkspaceID, a.ID, reason))
	}
	if err != nil {
		if isShutdown(ctx, err) {
			return 0, ctx.Err()
		}
		_, err := e.platformFailed(ctx, a, "reading direct messages", err)
		return 0, err
	}
	now := e.clock.Now()
	items := make([]herald.InboxItem, 0, len(msgs))
	for _, m := range msgs {
		if m.RemoteID == "" {
			continue
		}
		it := mentionItem(a, m.Mention, now)
		it.Direct, it.ConversationID = true, m.ConversationID
		items = append(items, it)
	}
	if e.arrivals != nil {
		e.arrivals.Prepare(ctx, items)
	}
	added := 0
	var committed func(context.Context)
	err = e.store.InTx(ctx, func(tx herald.Tx) error {
		n, err := tx.AddInboxItems(ctx, items)
		if err != nil {
			return err
		}
		added = n
		if e.arrivals != nil && n > 0 {
			// Analysis and the workspace's rules apply to direct
			// messages as to mentions.
			var err error
			if committed, err = e.arrivals.Arrived(ctx, tx, items); err != nil {
				return err
			}
		}
		if err := tx.SetDMRefused(ctx, a.WorkspaceID, a.ID, ""); err != nil {
			return err
		}
		if next != "" && next != cursor {
			return tx.SetDMCursor(ctx, a.WorkspaceID, a.ID, next)
		}
		return nil
	})
	if err := ignoreGone(err); err != nil {
		return 0, err
	}
	if committed != nil {
		committed(ctx)
	}
	return added, nil
}

// ignoreGone drops the error of an account deleted meanwhile.
func ignoreGone(err error) error {
	if errors.Is(err, herald.ErrNotFound) || errors.Is(err, herald.ErrConflict) {
		return nil
	}
	return err
}

// mentionItem is the inbox item of what the platform gave, fetched now
// (also its creation time when the platform gives none).
func mentionItem(a herald.Account, m connector.Mention, now time.Time) herald.InboxItem {
	created := m.CreatedAt
	if created.IsZero() {
		created = now
	}
	return herald.InboxItem{WorkspaceID: a.WorkspaceID, AccountID: a.ID, RemoteID: m.RemoteID,
		URL: m.URL, AuthorID: m.AuthorID, AuthorHandle: m.AuthorHandle, AuthorName: m.AuthorName, Text: m.Text,
		ReplyToRemoteID: m.ReplyTo, CreatedAt: created.UTC().Truncate(time.Microsecond), FetchedAt: now, Meta: m.Meta}
}
