package sqlite

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/heraldsocial/herald/internal/herald"
)

const inboxCols = `id, workspace_id, account_id, remote_id, url, author_id, author_handle, author_name, text,
	reply_to_remote_id, target_id, created_at, fetched_at, meta, read_at, assigned_to, state, state_changed_at,
	done_by, first_response_at, direct, conversation_id, sentiment, sentiment_score, language, has_question, priority, due_at`

func scanInboxItem(sc scanner) (herald.InboxItem, error) {
	var it herald.InboxItem
	var target, readAt, assigned, changed, doneBy, responded, due sql.NullInt64
	var created, fetched int64
	var meta sql.NullString
	if err := sc.Scan(&it.ID, &it.WorkspaceID, &it.AccountID, &it.RemoteID, &it.URL, &it.AuthorID, &it.AuthorHandle,
		&it.AuthorName, &it.Text, &it.ReplyToRemoteID, &target, &created, &fetched, &meta, &readAt, &assigned,
		&it.State, &changed, &doneBy, &responded, &it.Direct, &it.ConversationID, &it.Sentiment, &it.SentimentScore,
		&it.Language, &it.HasQuestion, &it.Priority, &due); err != nil {
		return it, err
	}
	it.DueAt = fromNullMicros(due)
	it.StateChangedAt, it.DoneBy, it.FirstResponseAt = fromNullMicros(changed), fromNullInt(doneBy), fromNullMicros(responded)
	if meta.Valid && meta.String != "" {
		if err := json.Unmarshal([]byte(meta.String), &it.Meta); err != nil {
			return it, fmt.Errorf("sqlite: inbox item %d meta: %w", it.ID, err)
		}
	}
	it.TargetID, it.AssignedTo = fromNullInt(target), fromNullInt(assigned)
	it.CreatedAt, it.FetchedAt, it.ReadAt = fromMicros(created), fromMicros(fetched), fromNullMicros(readAt)
	return it, nil
}

// AddInboxItems inserts the items not yet in their account's inbox.
func (s *store) AddInboxItems(ctx context.Context, items []herald.InboxItem) (int, error) {
	added := 0
	var evs []herald.InboxEvent
	err := s.atomic(ctx, func(q querier) error {
		added, evs = 0, nil
		for i := range items {
			it := &items[i]
			it.CreatedAt, it.FetchedAt = stamp(it.CreatedAt), stamp(it.FetchedAt)
			it.ReadAt = stampPtr(it.ReadAt)
			var meta any
			if len(it.Meta) > 0 {
				b, err := json.Marshal(it.Meta)
				if err != nil {
					return fmt.Errorf("sqlite: encode inbox item meta: %w", err)
				}
				meta = string(b)
			}
			var id int64
			var target sql.NullInt64
			err := q.QueryRowContext(ctx, `INSERT INTO inbox_items (workspace_id, account_id, remote_id, url, author_id,
				author_handle, author_name, text, reply_to_remote_id, target_id, created_at, fetched_at, meta, read_at,
				assigned_to, direct, conversation_id)
				VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9,
					(SELECT id FROM targets WHERE account_id = ?2 AND remote_id = ?9 AND ?9 != '' ORDER BY id LIMIT 1),
					?10, ?11, ?12, ?13, ?14, ?15, ?16)
				ON CONFLICT (account_id, remote_id) DO NOTHING RETURNING id, target_id`,
				it.WorkspaceID, it.AccountID, it.RemoteID, it.URL, it.AuthorID, it.AuthorHandle, it.AuthorName, it.Text,
				it.ReplyToRemoteID, micros(it.CreatedAt), micros(it.FetchedAt), meta, microsOrNil(it.ReadAt),
				nullInt(it.AssignedTo), it.Direct, it.ConversationID).Scan(&id, &target)
			if errors.Is(err, sql.ErrNoRows) {
				it.ID = 0
				continue
			}
			if err != nil {
				return dbErr(err, "add inbox item", "",
					fmt.Sprintf("account %d does not exist in workspace %d", it.AccountID, it.WorkspaceID))
			}
			it.ID, it.TargetID = id, fromNullInt(target)
			it.State, it.StateChangedAt, it.DoneBy, it.FirstResponseAt = herald.InboxOpen, nil, nil, nil
			if err := saveInboxExtras(ctx, q, it); err != nil {
				return err
			}
			added++
			evs = append(evs, herald.InboxEvent{WorkspaceID: it.WorkspaceID, ItemID: id, Kind: herald.InboxEventAdded})
			if it.AuthorID == "" {
				continue
			}
			// The author writes again: their latest earlier item, if it was
			// set aside, is open again.
			var reopened int64
			err = q.QueryRowContext(ctx, `UPDATE inbox_items SET state = 'open', state_changed_at = ?, done_by = NULL
				WHERE id = (SELECT id FROM inbox_items WHERE account_id = ? AND author_id = ? AND id < ?
					ORDER BY id DESC LIMIT 1) AND state IN ('pending', 'done') RETURNING id`,
				micros(it.FetchedAt), it.AccountID, it.AuthorID, it.ID).Scan(&reopened)
			switch {
			case errors.Is(err, sql.ErrNoRows):
			case err != nil:
				return fmt.Errorf("sqlite: reopen the author's earlier inbox item: %w", err)
			default:
				evs = append(evs, herald.InboxEvent{WorkspaceID: it.WorkspaceID, ItemID: reopened, Kind: herald.InboxEventState})
			}
		}
		return nil
	})
	if err != nil {
		return 0, err
	}
	s.notifyInbox(evs...)
	return added, nil
}

// GetInboxItem returns one inbox item of a workspace.
func (s *store) GetInboxItem(ctx context.Context, workspaceID, id int64) (herald.InboxItem, error) {
	it, err := scanInboxItem(s.r.QueryRowContext(ctx, `SELECT `+inboxCols+` FROM inbox_items
		WHERE workspace_id = ? AND id = ?`, workspaceID, id))
	if err != nil {
		return herald.InboxItem{}, getErr(err, "inbox item")
	}
	one := []herald.InboxItem{it}
	if err := s.fillInboxTags(ctx, one); err != nil {
		return herald.InboxItem{}, err
	}
	return one[0], nil
}

// inboxWhere returns the WHERE clause and arguments of f.
func inboxWhere(f herald.InboxFilter) (string, []any) {
	var b strings.Builder
	b.WriteString(` WHERE workspace_id = ?`)
	args := []any{f.WorkspaceID}
	add := func(cond string, v ...any) {
		b.WriteString(" AND " + cond)
		args = append(args, v...)
	}
	if f.AccountID != 0 {
		add("account_id = ?", f.AccountID)
	}
	if f.Platform != "" {
		add("account_id IN (SELECT id FROM accounts WHERE workspace_id = ? AND platform = ?)", f.WorkspaceID, string(f.Platform))
	}
	switch f.Kind {
	case herald.InboxReply:
		add("target_id IS NOT NULL AND direct = 0")
	case herald.InboxMention:
		add("target_id IS NULL AND direct = 0")
	case herald.InboxDM:
		add("direct = 1")
	}
	if f.State != "" {
		add("state = ?", string(f.State))
	}
	switch {
	case f.AssigneeID > 0:
		add("assigned_to = ?", f.AssigneeID)
	case f.AssigneeID < 0:
		add("assigned_to IS NULL")
	}
	if f.AuthorID != "" {
		add("author_id = ?", f.AuthorID)
	}
	if f.Since != nil {
		add("created_at >= ?", micros(*f.Since))
	}
	if f.Until != nil {
		add("created_at < ?", micros(*f.Until))
	}
	if cond, a := inboxSearch(f.Search); cond != "" {
		add(cond, a...)
	}
	inboxRuleWhere(f, add)
	if f.OverdueAt != nil {
		add("due_at <= ? AND first_response_at IS NULL AND state <> 'done'", micros(*f.OverdueAt))
	}
	return b.String(), args
}

// ListInbox returns inbox items newest first.
func (s *store) ListInbox(ctx context.Context, f herald.InboxFilter) ([]herald.InboxItem, string, error) {
	after, err := decodeCursor(f.Cursor)
	if err != nil {
		return nil, "", err
	}
	limit := pageLimit(f.Page)
	where, args := inboxWhere(f)
	q := `SELECT ` + inboxCols + ` FROM inbox_items` + where
	if after != 0 {
		q += ` AND id < ?`
		args = append(args, after)
	}
	q += ` ORDER BY id DESC LIMIT ?`
	args = append(args, limit+1)
	out, err := listRows(ctx, s, "inbox", q, args, scanInboxItem)
	if err != nil {
		return nil, "", err
	}
	next := ""
	if len(out) > limit {
		out = out[:limit]
		next = encodeCursor(out[limit-1].ID)
	}
	if err := s.fillInboxTags(ctx, out); err != nil {
		return nil, "", err
	}
	return out, next, nil
}

// inboxIDs checks that every one of ids is an item of the workspace and
// returns them without repeats, with their placeholders' arguments.
func inboxIDs(ctx context.Context, q querier, workspaceID int64, ids []int64) ([]any, error) {
	seen := map[int64]bool{}
	args := []any{}
	for _, id := range ids {
		if !seen[id] {
			seen[id] = true
			args = append(args, id)
		}
	}
	if len(args) == 0 {
		return args, nil
	}
	var n int
	if err := q.QueryRowContext(ctx, `SELECT COUNT(*) FROM inbox_items WHERE workspace_id = ? AND id IN (`+
		placeholders(len(args))+`)`, append([]any{workspaceID}, args...)...).Scan(&n); err != nil {
		return nil, fmt.Errorf("sqlite: find inbox items: %w", err)
	}
	if n != len(args) {
		return nil, herald.NotFound("inbox item")
	}
	return args, nil
}

// SetInboxState moves the items to state.
func (s *store) SetInboxState(ctx context.Context, workspaceID int64, ids []int64, state herald.InboxState, by int64, at time.Time) error {
	var doneBy any
	if state == herald.InboxDone {
		doneBy = zeroNull(by)
	}
	at = stamp(at)
	return s.notifyInboxAfter(workspaceID, ids, herald.InboxEventState, s.atomic(ctx, func(q querier) error {
		args, err := inboxIDs(ctx, q, workspaceID, ids)
		if err != nil || len(args) == 0 {
			return err
		}
		_, err = q.ExecContext(ctx, `UPDATE inbox_items SET state = ?, state_changed_at = ?, done_by = ?
			WHERE workspace_id = ? AND state <> ? AND id IN (`+placeholders(len(args))+`)`,
			append([]any{string(state), micros(at), doneBy, workspaceID, string(state)}, args...)...)
		return dbErr(err, "set inbox state", "", "the user does not exist")
	}))
}

// AssignInbox assigns the items to userID, or to nobody.
func (s *store) AssignInbox(ctx context.Context, workspaceID int64, ids []int64, userID *int64) error {
	return s.notifyInboxAfter(workspaceID, ids, herald.InboxEventAssigned, s.atomic(ctx, func(q querier) error {
		args, err := inboxIDs(ctx, q, workspaceID, ids)
		if err != nil || len(args) == 0 {
			return err
		}
		_, err = q.ExecContext(ctx, `UPDATE inbox_items SET assigned_to = ?
			WHERE workspace_id = ? AND id IN (`+placeholders(len(args))+`)`,
			append([]any{nullInt(userID), workspaceID}, args...)...)
		return dbErr(err, "assign inbox items", "", "the user does not exist")
	}))
}

// MarkInboxResponded records the item's first confirmed response.
func (s *store) MarkInboxResponded(ctx context.Context, workspaceID, id int64, at time.Time) error {
	res, err := s.w.ExecContext(ctx, `UPDATE inbox_items SET first_response_at = COALESCE(first_response_at, ?)
		WHERE workspace_id = ? AND id = ?`, micros(stamp(at)), workspaceID, id)
	if err != nil {
		return fmt.Errorf("sqlite: mark inbox item responded: %w", err)
	}
	if err := affected(res, "inbox item"); err != nil {
		return err
	}
	s.notifyInbox(herald.InboxEvent{WorkspaceID: workspaceID, ItemID: id, Kind: herald.InboxEventChanged})
	return nil
}

// CountOpenInbox counts the workspace's open items.
func (s *store) CountOpenInbox(ctx context.Context, workspaceID int64) (int, error) {
	var n int
	err := s.r.QueryRowContext(ctx, `SELECT COUNT(*) FROM inbox_items WHERE workspace_id = ? AND state = 'open'`,
		workspaceID).Scan(&n)
	if err != nil {
		return 0, fmt.Errorf("sqlite: count open inbox items: %w", err)
	}
	return n, nil
}

// SetInboxCursor saves where the account's next inbox sync starts.
func (s *store) SetInboxCursor(ctx context.Context, workspaceID, accountID int64, cursor string) error {
	res, err := s.w.ExecContext(ctx, `UPDATE accounts SET inbox_cursor = ? WHERE workspace_id = ? AND id = ?`,
		cursor, workspaceID, accountID)
	if err != nil {
		return fmt.Errorf("sqlite: set inbox cursor: %w", err)
	}
	return affected(res, "account")
}

// InboxAccounts returns the accounts whose inbox can be synced.
func (s *store) InboxAccounts(ctx context.Context, platforms []herald.Platform) ([]herald.Account, error) {
	out := []herald.Account{}
	if len(platforms) == 0 {
		return out, nil
	}
	args := []any{string(herald.AccountConnected), string(herald.AccountExpiring)}
	for _, p := range platforms {
		args = append(args, string(p))
	}
	rows, err := s.r.QueryContext(ctx, `SELECT `+accountCols+` FROM accounts
		WHERE status IN (?, ?) AND credentials IS NOT NULL AND length(credentials) > 0
			AND platform IN (`+placeholders(len(platforms))+`) ORDER BY id`, args...)
	if err != nil {
		return nil, fmt.Errorf("sqlite: inbox accounts: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		a, err := scanAccount(rows)
		if err != nil {
			return nil, fmt.Errorf("sqlite: inbox accounts: %w", err)
		}
		out = append(out, a)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("sqlite: inbox accounts: %w", err)
	}
	return out, nil
}
