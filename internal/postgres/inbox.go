package postgres

import (
	"context"
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/heraldsocial/herald/internal/herald"
)

const inboxCols = `id, workspace_id, account_id, remote_id, url, author_id, author_handle, author_name, text,
	reply_to_remote_id, target_id, created_at, fetched_at, meta, read_at, assigned_to, state, state_changed_at,
	done_by, first_response_at, direct, conversation_id, sentiment, sentiment_score, language, has_question, priority, due_at,
	edited_at, deleted_at`

func scanInboxItem(r scanner) (herald.InboxItem, error) {
	var it herald.InboxItem
	err := r.Scan(&it.ID, &it.WorkspaceID, &it.AccountID, &it.RemoteID, &it.URL, &it.AuthorID, &it.AuthorHandle,
		&it.AuthorName, &it.Text, &it.ReplyToRemoteID, &it.TargetID, &it.CreatedAt, &it.FetchedAt, &it.Meta,
		&it.ReadAt, &it.AssignedTo, &it.State, &it.StateChangedAt, &it.DoneBy, &it.FirstResponseAt, &it.Direct,
		&it.ConversationID, &it.Sentiment, &it.SentimentScore, &it.Language, &it.HasQuestion, &it.Priority, &it.DueAt,
		&it.EditedAt, &it.DeletedAt)
	return it, err
}

// AddInboxItems inserts the items not yet in their account's inbox, with
// their analysis and priority, in one statement (arrays unnested in the
// items' order, so ids rise with it); then, in one more, reopens each
// author's latest earlier item if it was set aside.
func (s store) AddInboxItems(ctx context.Context, items []herald.InboxItem) (int, error) {
	if len(items) == 0 {
		return 0, nil
	}
	n := len(items)
	var (
		ws, accounts                      = make([]int64, n), make([]int64, n)
		remote, urls, authorIDs, handles  = make([]string, n), make([]string, n), make([]string, n), make([]string, n)
		names, texts, replyTo, convs      = make([]string, n), make([]string, n), make([]string, n), make([]string, n)
		sentiments, languages, priorities = make([]string, n), make([]string, n), make([]string, n)
		created, fetched                  = make([]time.Time, n), make([]time.Time, n)
		readAt                            = make([]*time.Time, n)
		assigned                          = make([]*int64, n)
		metas                             = make([]*string, n)
		direct, questions, languageDue    = make([]bool, n), make([]bool, n), make([]bool, n)
		scores                            = make([]float64, n)
	)
	for i := range items {
		it := &items[i]
		stamp(&it.CreatedAt)
		stamp(&it.FetchedAt)
		if !it.Priority.Valid() {
			it.Priority = herald.PriorityNormal
		}
		if len(it.Meta) > 0 {
			b, err := json.Marshal(it.Meta)
			if err != nil {
				return 0, fmt.Errorf("postgres: encode inbox item meta: %w", err)
			}
			m := string(b)
			metas[i] = &m
		}
		ws[i], accounts[i], remote[i], urls[i], authorIDs[i] = it.WorkspaceID, it.AccountID, it.RemoteID, it.URL, it.AuthorID
		handles[i], names[i], texts[i], replyTo[i], convs[i] = it.AuthorHandle, it.AuthorName, it.Text, it.ReplyToRemoteID, it.ConversationID
		created[i], fetched[i], readAt[i], assigned[i], direct[i] = it.CreatedAt, it.FetchedAt, it.ReadAt, it.AssignedTo, it.Direct
		sentiments[i], scores[i], languages[i], questions[i] = it.Sentiment, it.SentimentScore, it.Language, it.HasQuestion
		priorities[i], languageDue[i] = string(it.Priority), it.LanguageDue
	}
	added := 0
	err := s.atomic(ctx, func(s store) error {
		added = 0
		rows, err := s.q.Query(ctx, `INSERT INTO inbox_items (workspace_id, account_id, remote_id, url, author_id,
			author_handle, author_name, text, reply_to_remote_id, target_id, created_at, fetched_at, meta, read_at,
			assigned_to, direct, conversation_id, sentiment, sentiment_score, language, has_question, priority,
			language_due)
			SELECT u.workspace_id, u.account_id, u.remote_id, u.url, u.author_id, u.author_handle, u.author_name, u.text,
				u.reply_to, (SELECT t.id FROM targets t WHERE t.account_id = u.account_id AND t.remote_id = u.reply_to
					AND u.reply_to <> '' ORDER BY t.id LIMIT 1),
				u.created_at, u.fetched_at, u.meta::jsonb, u.read_at, u.assigned_to, u.direct, u.conversation_id, u.sentiment,
				u.score, u.language, u.has_question, u.priority, u.language_due
			FROM unnest($1::bigint[], $2::bigint[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[],
				$8::text[], $9::text[], $10::timestamptz[], $11::timestamptz[], $12::text[], $13::timestamptz[],
				$14::bigint[], $15::boolean[], $16::text[], $17::text[], $18::float8[], $19::text[], $20::boolean[],
				$21::text[], $22::boolean[])
				WITH ORDINALITY AS u (workspace_id, account_id, remote_id, url, author_id, author_handle, author_name,
					text, reply_to, created_at, fetched_at, meta, read_at, assigned_to, direct, conversation_id,
					sentiment, score, language, has_question, priority, language_due, n)
			ORDER BY u.n
			ON CONFLICT (account_id, remote_id) DO NOTHING RETURNING id, account_id, remote_id, target_id`,
			ws, accounts, remote, urls, authorIDs, handles, names, texts, replyTo, created, fetched, metas, readAt,
			assigned, direct, convs, sentiments, scores, languages, questions, priorities, languageDue)
		if err != nil {
			return dbErr("add inbox items", err)
		}
		type key struct {
			account int64
			remote  string
		}
		type got struct {
			id     int64
			target *int64
		}
		ids := map[key]got{}
		for rows.Next() {
			var k key
			var g got
			if err := rows.Scan(&g.id, &k.account, &k.remote, &g.target); err != nil {
				rows.Close()
				return dbErr("add inbox items", err)
			}
			ids[k] = g
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return dbErr("add inbox items", err)
		}
		// Map the new ids back to the items; an item repeated in the
		// batch is added once, by its first occurrence.
		var reAccounts, reFirst []int64
		var reAuthors []string
		seen := map[key]bool{}
		type author struct {
			account int64
			id      string
		}
		first := map[author]bool{}
		var at time.Time
		for i := range items {
			it := &items[i]
			k := key{it.AccountID, it.RemoteID}
			g, ok := ids[k]
			if !ok || seen[k] {
				it.ID, it.TargetID = 0, nil
				continue
			}
			seen[k] = true
			it.ID, it.TargetID = g.id, g.target
			it.State, it.StateChangedAt, it.DoneBy, it.FirstResponseAt = herald.InboxOpen, nil, nil, nil
			added++
			if len(it.Tags) > 0 {
				if _, err := s.q.Exec(ctx, `INSERT INTO inbox_item_tags (item_id, workspace_id, tag, tag_key)
					SELECT $1, $2, t.tag, t.tag_key FROM unnest($3::text[], $4::text[]) AS t(tag, tag_key)
					ON CONFLICT DO NOTHING`, it.ID, it.WorkspaceID, it.Tags, lowered(it.Tags)); err != nil {
					return dbErr("tag inbox item", err)
				}
			}
			if a := (author{it.AccountID, it.AuthorID}); it.AuthorID != "" && !first[a] {
				first[a] = true
				reAccounts, reAuthors, reFirst = append(reAccounts, a.account), append(reAuthors, a.id), append(reFirst, it.ID)
				if it.FetchedAt.After(at) {
					at = it.FetchedAt
				}
			}
		}
		if len(reAccounts) == 0 {
			return nil
		}
		// The author writes again: their latest earlier item, if it was
		// set aside, is open again.
		if _, err := s.q.Exec(ctx, `UPDATE inbox_items i SET state = 'open', state_changed_at = $1, done_by = NULL
			FROM unnest($2::bigint[], $3::text[], $4::bigint[]) AS a (account_id, author_id, first),
				LATERAL (SELECT p.id FROM inbox_items p WHERE p.account_id = a.account_id AND p.author_id = a.author_id
					AND p.id < a.first ORDER BY p.id DESC LIMIT 1) prev
			WHERE i.id = prev.id AND i.state IN ('pending', 'done')`, at, reAccounts, reAuthors, reFirst); err != nil {
			return dbErr("reopen the authors' earlier inbox items", err)
		}
		return nil
	})
	if err != nil {
		return 0, err
	}
	return added, nil
}

// FindInboxItem returns the account's item with the remote id.
func (s store) FindInboxItem(ctx context.Context, accountID int64, remoteID string) (herald.InboxItem, error) {
	it, err := scanInboxItem(s.q.QueryRow(ctx, `SELECT `+inboxCols+` FROM inbox_items
		WHERE account_id = $1 AND remote_id = $2`, accountID, remoteID))
	if err != nil {
		return herald.InboxItem{}, notFound("inbox item", "find inbox item", err)
	}
	return it, nil
}

// ChangeInboxRemote records the item's edit or deletion on the platform.
func (s store) ChangeInboxRemote(ctx context.Context, workspaceID, id int64, c herald.InboxRemoteChange) error {
	var n int64
	switch {
	case c.DeletedAt != nil:
		at := *c.DeletedAt
		stamp(&at)
		tag, err := s.q.Exec(ctx, `UPDATE inbox_items SET deleted_at = COALESCE(deleted_at, $3)
			WHERE workspace_id = $1 AND id = $2`, workspaceID, id, at)
		if err != nil {
			return dbErr("record an inbox item's deletion", err)
		}
		n = tag.RowsAffected()
	case c.EditedAt != nil:
		at := *c.EditedAt
		stamp(&at)
		tag, err := s.q.Exec(ctx, `UPDATE inbox_items SET text = $3, edited_at = $4 WHERE workspace_id = $1 AND id = $2`,
			workspaceID, id, c.Text, at)
		if err != nil {
			return dbErr("record an inbox item's edit", err)
		}
		n = tag.RowsAffected()
	default:
		return nil
	}
	if n == 0 {
		return missing("inbox item")
	}
	return nil
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

// InboxToCheck returns the account's recent public items due a check.
func (s store) InboxToCheck(ctx context.Context, accountID int64, since, checkedBefore time.Time, limit int) ([]herald.InboxItem, error) {
	rows, err := s.q.Query(ctx, `SELECT `+inboxCols+` FROM inbox_items
		LEFT JOIN inbox_checks c ON c.item_id = inbox_items.id
		WHERE inbox_items.account_id = $1 AND NOT inbox_items.direct AND inbox_items.deleted_at IS NULL
		AND inbox_items.created_at >= $2 AND (c.checked_at IS NULL OR c.checked_at < $3)
		ORDER BY c.checked_at NULLS FIRST, inbox_items.created_at DESC LIMIT $4`, accountID, since, checkedBefore, max(limit, 1))
	if err != nil {
		return nil, dbErr("inbox items to check", err)
	}
	items, err := collect(rows, scanInboxItem)
	if err != nil {
		return nil, dbErr("inbox items to check", err)
	}
	return items, nil
}

// MarkInboxChecked records when the items were checked with the platform.
func (s store) MarkInboxChecked(ctx context.Context, ids []int64, at time.Time) error {
	if len(ids) == 0 {
		return nil
	}
	stamp(&at)
	_, err := s.q.Exec(ctx, `INSERT INTO inbox_checks (item_id, checked_at)
		SELECT id, $1 FROM inbox_items WHERE id = ANY($2)
		ON CONFLICT (item_id) DO UPDATE SET checked_at = excluded.checked_at`, at, ids)
	if err != nil {
		return dbErr("mark inbox items checked", err)
	}
	return nil
}
