package postgres

import (
	"context"
	"errors"
	"strconv"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/heraldsocial/herald/internal/herald"
)

const inboxCols = `id, workspace_id, account_id, remote_id, url, author_id, author_handle, author_name, text,
	reply_to_remote_id, target_id, created_at, fetched_at, meta, read_at, assigned_to, state, state_changed_at,
	done_by, first_response_at, direct, conversation_id, sentiment, sentiment_score, language, has_question, priority, due_at`

func scanInboxItem(r scanner) (herald.InboxItem, error) {
	var it herald.InboxItem
	err := r.Scan(&it.ID, &it.WorkspaceID, &it.AccountID, &it.RemoteID, &it.URL, &it.AuthorID, &it.AuthorHandle,
		&it.AuthorName, &it.Text, &it.ReplyToRemoteID, &it.TargetID, &it.CreatedAt, &it.FetchedAt, &it.Meta,
		&it.ReadAt, &it.AssignedTo, &it.State, &it.StateChangedAt, &it.DoneBy, &it.FirstResponseAt, &it.Direct,
		&it.ConversationID, &it.Sentiment, &it.SentimentScore, &it.Language, &it.HasQuestion, &it.Priority, &it.DueAt)
	return it, err
}

// AddInboxItems inserts the items not yet in their account's inbox.
func (s store) AddInboxItems(ctx context.Context, items []herald.InboxItem) (int, error) {
	added := 0
	err := s.atomic(ctx, func(s store) error {
		added = 0
		for i := range items {
			it := &items[i]
			stamp(&it.CreatedAt)
			stamp(&it.FetchedAt)
			var meta any
			if len(it.Meta) > 0 {
				meta = it.Meta
			}
			err := s.q.QueryRow(ctx, `INSERT INTO inbox_items (workspace_id, account_id, remote_id, url, author_id,
				author_handle, author_name, text, reply_to_remote_id, target_id, created_at, fetched_at, meta, read_at,
				assigned_to, direct, conversation_id)
				VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9::text,
					(SELECT id FROM targets WHERE account_id = $2 AND remote_id = $9::text AND $9::text <> '' ORDER BY id LIMIT 1),
					$10, $11, $12, $13, $14, $15, $16)
				ON CONFLICT (account_id, remote_id) DO NOTHING RETURNING id, target_id`,
				it.WorkspaceID, it.AccountID, it.RemoteID, it.URL, it.AuthorID, it.AuthorHandle, it.AuthorName, it.Text,
				it.ReplyToRemoteID, it.CreatedAt, it.FetchedAt, meta, it.ReadAt, it.AssignedTo, it.Direct,
				it.ConversationID).Scan(&it.ID, &it.TargetID)
			if errors.Is(err, pgx.ErrNoRows) {
				it.ID, it.TargetID = 0, nil
				continue
			}
			if err != nil {
				return dbErr("add inbox item", err)
			}
			it.State, it.StateChangedAt, it.DoneBy, it.FirstResponseAt = herald.InboxOpen, nil, nil, nil
			if err := s.saveInboxExtras(ctx, it); err != nil {
				return err
			}
			added++
			if it.AuthorID == "" {
				continue
			}
			// The author writes again: their latest earlier item, if it was
			// set aside, is open again.
			if _, err := s.q.Exec(ctx, `UPDATE inbox_items SET state = 'open', state_changed_at = $1, done_by = NULL
				WHERE id = (SELECT id FROM inbox_items WHERE account_id = $2 AND author_id = $3 AND id < $4
					ORDER BY id DESC LIMIT 1) AND state IN ('pending', 'done')`,
				it.FetchedAt, it.AccountID, it.AuthorID, it.ID); err != nil {
				return dbErr("reopen the author's earlier inbox item", err)
			}
		}
		return nil
	})
	if err != nil {
		return 0, err
	}
	return added, nil
}

// GetInboxItem returns one inbox item of a workspace.
func (s store) GetInboxItem(ctx context.Context, workspaceID, id int64) (herald.InboxItem, error) {
	it, err := scanInboxItem(s.q.QueryRow(ctx, `SELECT `+inboxCols+` FROM inbox_items
		WHERE workspace_id = $1 AND id = $2`, workspaceID, id))
	if err != nil {
		return herald.InboxItem{}, notFound("inbox item", "get inbox item", err)
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
	args := []any{f.WorkspaceID}
	b.WriteString(` WHERE workspace_id = $1`)
	add := func(cond string, v ...any) {
		for _, x := range v {
			args = append(args, x)
			cond = strings.Replace(cond, "?", "$"+strconv.Itoa(len(args)), 1)
		}
		b.WriteString(" AND " + cond)
	}
	if f.AccountID != 0 {
		add("account_id = ?", f.AccountID)
	}
	if f.Platform != "" {
		add("account_id IN (SELECT id FROM accounts WHERE workspace_id = $1 AND platform = ?)", string(f.Platform))
	}
	switch f.Kind {
	case herald.InboxReply:
		add("target_id IS NOT NULL AND NOT direct")
	case herald.InboxMention:
		add("target_id IS NULL AND NOT direct")
	case herald.InboxDM:
		add("direct")
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
		add("created_at >= ?", *f.Since)
	}
	if f.Until != nil {
		add("created_at < ?", *f.Until)
	}
	if cond, v := inboxSearch(f.Search); cond != "" {
		args = append(args, v)
		add(strings.ReplaceAll(cond, "?", "$"+strconv.Itoa(len(args))))
	}
	inboxRuleWhere(f, add)
	if f.OverdueAt != nil {
		add("due_at <= ? AND first_response_at IS NULL AND state <> 'done'", *f.OverdueAt)
	}
	return b.String(), args
}

// ListInbox returns inbox items newest first.
func (s store) ListInbox(ctx context.Context, f herald.InboxFilter) ([]herald.InboxItem, string, error) {
	after, limit, err := pageArgs(f.Page)
	if err != nil {
		return nil, "", err
	}
	where, args := inboxWhere(f)
	q := `SELECT ` + inboxCols + ` FROM inbox_items` + where
	if after != 0 {
		args = append(args, after)
		q += ` AND id < $` + strconv.Itoa(len(args))
	}
	args = append(args, limit+1)
	q += ` ORDER BY id DESC LIMIT $` + strconv.Itoa(len(args))
	rows, err := s.q.Query(ctx, q, args...)
	if err != nil {
		return nil, "", dbErr("list inbox", err)
	}
	out, err := collect(rows, scanInboxItem)
	if err != nil {
		return nil, "", dbErr("list inbox", err)
	}
	out, next := nextCursor(out, limit, func(it herald.InboxItem) int64 { return it.ID })
	if err := s.fillInboxTags(ctx, out); err != nil {
		return nil, "", err
	}
	return out, next, nil
}

// inboxIDs checks that every one of ids is an item of the workspace and
// returns them without repeats.
func (s store) inboxIDs(ctx context.Context, workspaceID int64, ids []int64) ([]int64, error) {
	seen := map[int64]bool{}
	out := []int64{}
	for _, id := range ids {
		if !seen[id] {
			seen[id] = true
			out = append(out, id)
		}
	}
	if len(out) == 0 {
		return out, nil
	}
	var n int
	if err := s.q.QueryRow(ctx, `SELECT COUNT(*) FROM inbox_items WHERE workspace_id = $1 AND id = ANY($2)`,
		workspaceID, out).Scan(&n); err != nil {
		return nil, dbErr("find inbox items", err)
	}
	if n != len(out) {
		return nil, missing("inbox item")
	}
	return out, nil
}

// SetInboxState moves the items to state.
func (s store) SetInboxState(ctx context.Context, workspaceID int64, ids []int64, state herald.InboxState, by int64, at time.Time) error {
	var doneBy any
	if state == herald.InboxDone {
		doneBy = zeroNull(by)
	}
	stamp(&at)
	return s.atomic(ctx, func(s store) error {
		ids, err := s.inboxIDs(ctx, workspaceID, ids)
		if err != nil || len(ids) == 0 {
			return err
		}
		_, err = s.q.Exec(ctx, `UPDATE inbox_items SET state = $1, state_changed_at = $2, done_by = $3
			WHERE workspace_id = $4 AND state <> $1 AND id = ANY($5)`, string(state), at, doneBy, workspaceID, ids)
		return dbErr("set inbox state", err)
	})
}

// AssignInbox assigns the items to userID, or to nobody.
func (s store) AssignInbox(ctx context.Context, workspaceID int64, ids []int64, userID *int64) error {
	return s.atomic(ctx, func(s store) error {
		ids, err := s.inboxIDs(ctx, workspaceID, ids)
		if err != nil || len(ids) == 0 {
			return err
		}
		_, err = s.q.Exec(ctx, `UPDATE inbox_items SET assigned_to = $1 WHERE workspace_id = $2 AND id = ANY($3)`,
			userID, workspaceID, ids)
		return dbErr("assign inbox items", err)
	})
}

// MarkInboxResponded records the item's first confirmed response.
func (s store) MarkInboxResponded(ctx context.Context, workspaceID, id int64, at time.Time) error {
	stamp(&at)
	tag, err := s.q.Exec(ctx, `UPDATE inbox_items SET first_response_at = COALESCE(first_response_at, $3)
		WHERE workspace_id = $1 AND id = $2`, workspaceID, id, at)
	if err != nil {
		return dbErr("mark inbox item responded", err)
	}
	if tag.RowsAffected() == 0 {
		return missing("inbox item")
	}
	return nil
}

// CountOpenInbox counts the workspace's open items.
func (s store) CountOpenInbox(ctx context.Context, workspaceID int64) (int, error) {
	var n int
	err := s.q.QueryRow(ctx, `SELECT COUNT(*) FROM inbox_items WHERE workspace_id = $1 AND state = 'open'`,
		workspaceID).Scan(&n)
	return n, dbErr("count open inbox items", err)
}

// SetInboxCursor saves where the account's next inbox sync starts.
func (s store) SetInboxCursor(ctx context.Context, workspaceID, accountID int64, cursor string) error {
	tag, err := s.q.Exec(ctx, `UPDATE accounts SET inbox_cursor = $3 WHERE workspace_id = $1 AND id = $2`,
		workspaceID, accountID, cursor)
	if err != nil {
		return dbErr("set inbox cursor", err)
	}
	if tag.RowsAffected() == 0 {
		return missing("account")
	}
	return nil
}

// InboxAccounts returns the accounts whose inbox can be synced.
func (s store) InboxAccounts(ctx context.Context, platforms []herald.Platform) ([]herald.Account, error) {
	if len(platforms) == 0 {
		return []herald.Account{}, nil
	}
	names := make([]string, len(platforms))
	for i, p := range platforms {
		names[i] = string(p)
	}
	rows, err := s.q.Query(ctx, `SELECT `+accountCols+` FROM accounts
		WHERE status IN ($1, $2) AND credentials IS NOT NULL AND length(credentials) > 0
			AND platform = ANY($3) ORDER BY id`, herald.AccountConnected, herald.AccountExpiring, names)
	if err != nil {
		return nil, dbErr("inbox accounts", err)
	}
	out, err := collect(rows, scanAccount)
	return out, dbErr("inbox accounts", err)
}
