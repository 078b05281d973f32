package sqlite

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"github.com/heraldsocial/herald/internal/herald"
)

const inboxCols = `id, workspace_id, account_id, remote_id, url, author_id, author_handle, author_name, text,
	reply_to_remote_id, target_id, created_at, fetched_at, meta, read_at, assigned_to, state, state_changed_at,
	done_by, first_response_at, direct, conversation_id, sentiment, sentiment_score, language, has_question, priority, due_at,
	edited_at, deleted_at`

func scanInboxItem(sc scanner) (herald.InboxItem, error) {
	var it herald.InboxItem
	var target, readAt, assigned, changed, doneBy, responded, due, edited, deleted sql.NullInt64
	var created, fetched int64
	var meta sql.NullString
	if err := sc.Scan(&it.ID, &it.WorkspaceID, &it.AccountID, &it.RemoteID, &it.URL, &it.AuthorID, &it.AuthorHandle,
		&it.AuthorName, &it.Text, &it.ReplyToRemoteID, &target, &created, &fetched, &meta, &readAt, &assigned,
		&it.State, &changed, &doneBy, &responded, &it.Direct, &it.ConversationID, &it.Sentiment, &it.SentimentScore,
		&it.Language, &it.HasQuestion, &it.Priority, &due, &edited, &deleted); err != nil {
		return it, err
	}
	it.DueAt, it.EditedAt, it.DeletedAt = fromNullMicros(due), fromNullMicros(edited), fromNullMicros(deleted)
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

// inboxInsertBatch is how many items one insert statement carries. Each
// statement in a transaction costs a statement journal and an FTS5 flush,
// so a batch is inserted a few hundred rows at a time.
const inboxInsertBatch = 500

// inboxRow is an item as AddInboxItems passes it to json_each.
type inboxRow struct {
	WS        int64   `json:"w"`
	Account   int64   `json:"a"`
	Remote    string  `json:"r"`
	URL       string  `json:"u"`
	AuthorID  string  `json:"ai"`
	Handle    string  `json:"ah"`
	Name      string  `json:"an"`
	Text      string  `json:"t"`
	ReplyTo   string  `json:"rt"`
	Created   int64   `json:"c"`
	Fetched   int64   `json:"f"`
	Meta      *string `json:"m"`
	Read      *int64  `json:"ra"`
	Assigned  *int64  `json:"as"`
	Direct    bool    `json:"d"`
	Conv      string  `json:"cv"`
	Sentiment string  `json:"s"`
	Score     float64 `json:"ss"`
	Language  string  `json:"l"`
	Question  bool    `json:"q"`
	Priority  string  `json:"p"`
	LangDue   bool    `json:"ld"`
}

// AddInboxItems inserts the items not yet in their account's inbox, with
// their analysis and priority, a few hundred to a statement; then, in one
// statement, reopens each author's latest earlier item if it was set
// aside.
func (s *store) AddInboxItems(ctx context.Context, items []herald.InboxItem) (int, error) {
	rows := make([]inboxRow, len(items))
	for i := range items {
		it := &items[i]
		it.CreatedAt, it.FetchedAt = stamp(it.CreatedAt), stamp(it.FetchedAt)
		it.ReadAt = stampPtr(it.ReadAt)
		if !it.Priority.Valid() {
			it.Priority = herald.PriorityNormal
		}
		r := inboxRow{WS: it.WorkspaceID, Account: it.AccountID, Remote: it.RemoteID, URL: it.URL, AuthorID: it.AuthorID,
			Handle: it.AuthorHandle, Name: it.AuthorName, Text: it.Text, ReplyTo: it.ReplyToRemoteID,
			Created: micros(it.CreatedAt), Fetched: micros(it.FetchedAt), Assigned: it.AssignedTo, Direct: it.Direct,
			Conv: it.ConversationID, Sentiment: it.Sentiment, Score: it.SentimentScore, Language: it.Language,
			Question: it.HasQuestion, Priority: string(it.Priority), LangDue: it.LanguageDue}
		if it.ReadAt != nil {
			m := micros(*it.ReadAt)
			r.Read = &m
		}
		if len(it.Meta) > 0 {
			b, err := json.Marshal(it.Meta)
			if err != nil {
				return 0, fmt.Errorf("sqlite: encode inbox item meta: %w", err)
			}
			m := string(b)
			r.Meta = &m
		}
		rows[i] = r
	}
	added := 0
	var evs []herald.InboxEvent
	err := s.atomic(ctx, func(q querier) error {
		added, evs = 0, nil
		type key struct {
			account int64
			remote  string
		}
		type got struct {
			id     int64
			target sql.NullInt64
		}
		ids := map[key]got{}
		for start := 0; start < len(rows); start += inboxInsertBatch {
			arg, err := json.Marshal(rows[start:min(start+inboxInsertBatch, len(rows))])
			if err != nil {
				return fmt.Errorf("sqlite: add inbox items: %w", err)
			}
			rs, err := q.QueryContext(ctx, `INSERT INTO inbox_items (workspace_id, account_id, remote_id, url, author_id,
				author_handle, author_name, text, reply_to_remote_id, target_id, created_at, fetched_at, meta, read_at,
				assigned_to, direct, conversation_id, sentiment, sentiment_score, language, has_question, priority,
				language_due)
				SELECT x.w, x.a, x.r, x.u, x.ai, x.ah, x.an, x.t, x.rt,
					(SELECT id FROM targets WHERE account_id = x.a AND remote_id = x.rt AND x.rt != '' ORDER BY id LIMIT 1),
					x.c, x.f, x.m, x.ra, x.as_, x.d, x.cv, x.s, x.ss, x.l, x.q, x.p, x.ld
				FROM (SELECT j.key AS k, j.value ->> 'w' AS w, j.value ->> 'a' AS a, j.value ->> 'r' AS r,
					j.value ->> 'u' AS u, j.value ->> 'ai' AS ai, j.value ->> 'ah' AS ah, j.value ->> 'an' AS an,
					j.value ->> 't' AS t, j.value ->> 'rt' AS rt, j.value ->> 'c' AS c, j.value ->> 'f' AS f,
					j.value ->> 'm' AS m, j.value ->> 'ra' AS ra, j.value ->> 'as' AS as_, j.value ->> 'd' AS d,
					j.value ->> 'cv' AS cv, j.value ->> 's' AS s, j.value ->> 'ss' AS ss, j.value ->> 'l' AS l,
					j.value ->> 'q' AS q, j.value ->> 'p' AS p, j.value ->> 'ld' AS ld FROM json_each(?) j) x
				WHERE true ORDER BY x.k
				ON CONFLICT (account_id, remote_id) DO NOTHING RETURNING id, account_id, remote_id, target_id`, string(arg))
			if err != nil {
				return dbErr(err, "add inbox items", "", "an item's account does not exist in its workspace")
			}
			for rs.Next() {
				var k key
				var g got
				if err := rs.Scan(&g.id, &k.account, &k.remote, &g.target); err != nil {
					rs.Close()
					return fmt.Errorf("sqlite: add inbox items: %w", err)
				}
				ids[k] = g
			}
			rs.Close()
			if err := rs.Err(); err != nil {
				return dbErr(err, "add inbox items", "", "an item's account does not exist in its workspace")
			}
		}
		// Map the new ids back to the items; an item repeated in the batch
		// is added once, by its first occurrence. first is each author's
		// first new item: the earlier items of the author are theirs to
		// reopen.
		type author struct {
			account int64
			id      string
		}
		first := map[author]int64{}
		seen := map[key]bool{}
		var at int64
		for i := range items {
			it := &items[i]
			k := key{it.AccountID, it.RemoteID}
			g, ok := ids[k]
			if !ok || seen[k] {
				it.ID, it.TargetID = 0, nil
				continue
			}
			seen[k] = true
			it.ID, it.TargetID = g.id, fromNullInt(g.target)
			it.State, it.StateChangedAt, it.DoneBy, it.FirstResponseAt = herald.InboxOpen, nil, nil, nil
			for _, tag := range it.Tags {
				if _, err := q.ExecContext(ctx, `INSERT INTO inbox_item_tags (item_id, workspace_id, tag, tag_key)
					VALUES (?, ?, ?, ?) ON CONFLICT DO NOTHING`, it.ID, it.WorkspaceID, tag, strings.ToLower(tag)); err != nil {
					return fmt.Errorf("sqlite: tag inbox item: %w", err)
				}
			}
			added++
			evs = append(evs, herald.InboxEvent{WorkspaceID: it.WorkspaceID, ItemID: it.ID, Kind: herald.InboxEventAdded})
			if a := (author{it.AccountID, it.AuthorID}); it.AuthorID != "" {
				if _, ok := first[a]; !ok {
					first[a] = it.ID
				}
				at = max(at, micros(it.FetchedAt))
			}
		}
		if len(first) == 0 {
			return nil
		}
		// The author writes again: their latest earlier item, if it was
		// set aside, is open again.
		type row struct {
			Account int64  `json:"a"`
			Author  string `json:"u"`
			First   int64  `json:"f"`
		}
		rows := make([]row, 0, len(first))
		for a, id := range first {
			rows = append(rows, row{a.account, a.id, id})
		}
		arg, err := json.Marshal(rows)
		if err != nil {
			return fmt.Errorf("sqlite: reopen the authors' earlier inbox items: %w", err)
		}
		rs, err := q.QueryContext(ctx, `UPDATE inbox_items SET state = 'open', state_changed_at = ?, done_by = NULL
			WHERE state IN ('pending', 'done') AND id IN (SELECT (SELECT p.id FROM inbox_items p
				WHERE p.account_id = j.value ->> 'a' AND p.author_id = j.value ->> 'u' AND p.id < j.value ->> 'f'
				ORDER BY p.id DESC LIMIT 1) FROM json_each(?) j)
			RETURNING workspace_id, id`, at, string(arg))
		if err != nil {
			return fmt.Errorf("sqlite: reopen the authors' earlier inbox items: %w", err)
		}
		defer rs.Close()
		for rs.Next() {
			ev := herald.InboxEvent{Kind: herald.InboxEventState}
			if err := rs.Scan(&ev.WorkspaceID, &ev.ItemID); err != nil {
				return fmt.Errorf("sqlite: reopen the authors' earlier inbox items: %w", err)
			}
			evs = append(evs, ev)
		}
		if err := rs.Err(); err != nil {
			return fmt.Errorf("sqlite: reopen the authors' earlier inbox items: %w", err)
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
// returns them without repeats as a JSON array for inJSON ("" when ids is
// empty).
func inboxIDs(ctx context.Context, q querier, workspaceID int64, ids []int64) (string, error) {
	seen := make(map[int64]bool, len(ids))
	uniq := make([]int64, 0, len(ids))
	for _, id := range ids {
		if !seen[id] {
			seen[id] = true
			uniq = append(uniq, id)
		}
	}
	if len(uniq) == 0 {
		return "", nil
	}
	arg := idsJSON(uniq)
	var n int
	if err := q.QueryRowContext(ctx, `SELECT COUNT(*) FROM inbox_items WHERE workspace_id = ? AND id IN `+inJSON,
		workspaceID, arg).Scan(&n); err != nil {
		return "", fmt.Errorf("sqlite: find inbox items: %w", err)
	}
	if n != len(uniq) {
		return "", herald.NotFound("inbox item")
	}
	return arg, nil
}

// SetInboxState moves the items to state.
func (s *store) SetInboxState(ctx context.Context, workspaceID int64, ids []int64, state herald.InboxState, by int64, at time.Time) error {
	var doneBy any
	if state == herald.InboxDone {
		doneBy = zeroNull(by)
	}
	at = stamp(at)
	return s.notifyInboxAfter(workspaceID, ids, herald.InboxEventState, s.atomic(ctx, func(q querier) error {
		in, err := inboxIDs(ctx, q, workspaceID, ids)
		if err != nil || in == "" {
			return err
		}
		_, err = q.ExecContext(ctx, `UPDATE inbox_items SET state = ?, state_changed_at = ?, done_by = ?
			WHERE workspace_id = ? AND state <> ? AND id IN `+inJSON,
			string(state), micros(at), doneBy, workspaceID, string(state), in)
		return dbErr(err, "set inbox state", "", "the user does not exist")
	}))
}

// AssignInbox assigns the items to userID, or to nobody.
func (s *store) AssignInbox(ctx context.Context, workspaceID int64, ids []int64, userID *int64) error {
	return s.notifyInboxAfter(workspaceID, ids, herald.InboxEventAssigned, s.atomic(ctx, func(q querier) error {
		in, err := inboxIDs(ctx, q, workspaceID, ids)
		if err != nil || in == "" {
			return err
		}
		_, err = q.ExecContext(ctx, `UPDATE inbox_items SET assigned_to = ?
			WHERE workspace_id = ? AND id IN `+inJSON, nullInt(userID), workspaceID, in)
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

// FindInboxItem returns the account's item with the remote id.
func (s *store) FindInboxItem(ctx context.Context, accountID int64, remoteID string) (herald.InboxItem, error) {
	it, err := scanInboxItem(s.r.QueryRowContext(ctx, `SELECT `+inboxCols+` FROM inbox_items
		WHERE account_id = ? AND remote_id = ?`, accountID, remoteID))
	if err != nil {
		return herald.InboxItem{}, getErr(err, "inbox item")
	}
	return it, nil
}

// ChangeInboxRemote records the item's edit or deletion on the platform.
func (s *store) ChangeInboxRemote(ctx context.Context, workspaceID, id int64, c herald.InboxRemoteChange) error {
	var res sql.Result
	var err error
	switch {
	case c.DeletedAt != nil:
		res, err = s.w.ExecContext(ctx, `UPDATE inbox_items SET deleted_at = COALESCE(deleted_at, ?)
			WHERE workspace_id = ? AND id = ?`, micros(stamp(*c.DeletedAt)), workspaceID, id)
	case c.EditedAt != nil:
		res, err = s.w.ExecContext(ctx, `UPDATE inbox_items SET text = ?, edited_at = ? WHERE workspace_id = ? AND id = ?`,
			c.Text, micros(stamp(*c.EditedAt)), workspaceID, id)
	default:
		return nil
	}
	if err != nil {
		return fmt.Errorf("sqlite: record an inbox item's change on its platform: %w", err)
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

// InboxToCheck returns the account's recent public items due a check.
func (s *store) InboxToCheck(ctx context.Context, accountID int64, since, checkedBefore time.Time, limit int) ([]herald.InboxItem, error) {
	return listRows(ctx, s, "inbox items to check", `SELECT `+inboxCols+` FROM inbox_items
		LEFT JOIN inbox_checks c ON c.item_id = inbox_items.id
		WHERE inbox_items.account_id = ? AND inbox_items.direct = 0 AND inbox_items.deleted_at IS NULL
		AND inbox_items.created_at >= ? AND (c.checked_at IS NULL OR c.checked_at < ?)
		ORDER BY c.checked_at IS NOT NULL, c.checked_at, inbox_items.created_at DESC LIMIT ?`,
		[]any{accountID, micros(since), micros(checkedBefore), max(limit, 1)}, scanInboxItem)
}

// MarkInboxChecked records when the items were checked with the platform.
func (s *store) MarkInboxChecked(ctx context.Context, ids []int64, at time.Time) error {
	if len(ids) == 0 {
		return nil
	}
	_, err := s.w.ExecContext(ctx, `INSERT INTO inbox_checks (item_id, checked_at)
		SELECT i.id, ? FROM inbox_items i WHERE i.id IN (SELECT value FROM json_each(?)) AND true
		ON CONFLICT (item_id) DO UPDATE SET checked_at = excluded.checked_at`, micros(stamp(at)), idsJSON(ids))
	if err != nil {
		return fmt.Errorf("sqlite: mark inbox items checked: %w", err)
	}
	return nil
}
