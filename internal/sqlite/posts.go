package sqlite

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/heraldsocial/herald/internal/herald"
)

const postCols = `p.id, p.workspace_id, p.author_id, p.title, p.text, p.campaign_id, p.version, p.created_at, p.updated_at,
	p.recurrence, p.series_id, p.occurrence_at, p.links`

func scanPost(sc scanner) (herald.Post, error) {
	var p herald.Post
	var campaign, series, occurrence sql.NullInt64
	var created, updated int64
	var links string
	if err := sc.Scan(&p.ID, &p.WorkspaceID, &p.AuthorID, &p.Title, &p.Text, &campaign, &p.Version, &created, &updated,
		&p.Recurrence, &series, &occurrence, &links); err != nil {
		return p, err
	}
	var err error
	if p.Links, err = herald.DecodeLinkTracking(links); err != nil {
		return p, fmt.Errorf("sqlite: post %d links: %w", p.ID, err)
	}
	p.CampaignID = fromNullInt(campaign)
	p.SeriesID, p.OccurrenceAt = fromNullInt(series), fromNullMicros(occurrence)
	p.CreatedAt, p.UpdatedAt = fromMicros(created), fromMicros(updated)
	p.LabelIDs = []int64{}
	p.Targets = []herald.Target{}
	return p, nil
}

const targetCols = `id, post_id, workspace_id, account_id, variant, state, scheduled_at, remote_id, remote_url,
	last_error, published_at, due_at, attempts, progress, held_by, held_at, held_reason, version, created_at, updated_at,
	remote_deleted_at, edited_at`

func scanTarget(sc scanner) (herald.Target, error) {
	var t herald.Target
	var variant, progress string
	var sched, published, due, heldBy, heldAt, deleted, edited sql.NullInt64
	var created, updated int64
	if err := sc.Scan(&t.ID, &t.PostID, &t.WorkspaceID, &t.AccountID, &variant, &t.State, &sched, &t.RemoteID,
		&t.RemoteURL, &t.LastError, &published, &due, &t.Attempts, &progress, &heldBy, &heldAt, &t.HeldReason,
		&t.Version, &created, &updated, &deleted, &edited); err != nil {
		return t, err
	}
	if err := json.Unmarshal([]byte(variant), &t.Variant); err != nil {
		return t, fmt.Errorf("sqlite: target %d variant: %w", t.ID, err)
	}
	if err := json.Unmarshal([]byte(progress), &t.Progress); err != nil {
		return t, fmt.Errorf("sqlite: target %d progress: %w", t.ID, err)
	}
	t.ScheduledAt, t.PublishedAt, t.DueAt = fromNullMicros(sched), fromNullMicros(published), fromNullMicros(due)
	t.HeldBy, t.HeldAt = fromNullInt(heldBy), fromNullMicros(heldAt)
	t.RemoteDeletedAt, t.EditedAt = fromNullMicros(deleted), fromNullMicros(edited)
	t.CreatedAt, t.UpdatedAt = fromMicros(created), fromMicros(updated)
	return t, nil
}

// waiting reports whether a target in state s waits for the dispatcher.
func waiting(s herald.TargetState) bool {
	return s == herald.StateScheduled || s == herald.StateRetrying
}

// readTx runs fn on one consistent snapshot: the current transaction, or a
// read transaction on the read pool.
func (s *store) readTx(ctx context.Context, fn func(q querier) error) error {
	if s.tx != nil {
		return fn(s.r)
	}
	tx, err := s.rdb.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("sqlite: begin read: %w", err)
	}
	defer func() { _ = tx.Rollback() }()
	return fn(tx)
}

// exists reports whether query finds a row.
func exists(ctx context.Context, q querier, query string, args ...any) (bool, error) {
	var one int
	err := q.QueryRowContext(ctx, query, args...).Scan(&one)
	if errors.Is(err, sql.ErrNoRows) {
		return false, nil
	}
	if err != nil {
		return false, fmt.Errorf("sqlite: check reference: %w", err)
	}
	return true, nil
}

// checkPostRefs refuses references to campaigns, labels and accounts that
// are not in the post's workspace, naming the first one found.
func checkPostRefs(ctx context.Context, q querier, p *herald.Post) error {
	type ref struct {
		kind, table string
		id          int64
	}
	var refs []ref
	if p.CampaignID != nil {
		refs = append(refs, ref{"campaign", "campaigns", *p.CampaignID})
	}
	for _, id := range p.LabelIDs {
		refs = append(refs, ref{"label", "labels", id})
	}
	for _, t := range p.Targets {
		refs = append(refs, ref{"account", "accounts", t.AccountID})
	}
	for _, r := range refs {
		ok, err := exists(ctx, q, `SELECT 1 FROM `+r.table+` WHERE workspace_id = ? AND id = ?`, p.WorkspaceID, r.id)
		if err != nil {
			return err
		}
		if !ok {
			return &herald.Error{Code: herald.CodeConflict,
				Message: fmt.Sprintf("%s %d does not exist in this workspace", r.kind, r.id),
				Details: []herald.FieldProblem{{Field: r.kind + "_id", Problem: fmt.Sprintf("%d is not a %s of this workspace", r.id, r.kind)}}}
		}
	}
	return nil
}

func insertLabels(ctx context.Context, q querier, p *herald.Post) error {
	seen := map[int64]bool{}
	for _, id := range p.LabelIDs {
		if seen[id] {
			continue
		}
		seen[id] = true
		_, err := q.ExecContext(ctx, `INSERT INTO post_labels (workspace_id, post_id, label_id) VALUES (?, ?, ?)`,
			p.WorkspaceID, p.ID, id)
		if err != nil {
			return dbErr(err, "label post", "", fmt.Sprintf("label %d does not exist in this workspace", id))
		}
	}
	return nil
}

func insertTarget(ctx context.Context, q querier, p *herald.Post, t *herald.Target) error {
	t.PostID, t.WorkspaceID, t.Version = p.ID, p.WorkspaceID, 1
	if t.State == "" {
		t.State = herald.StateDraft
	}
	t.CreatedAt = stamp(t.CreatedAt)
	if t.UpdatedAt.IsZero() {
		t.UpdatedAt = t.CreatedAt
	}
	t.UpdatedAt = stamp(t.UpdatedAt)
	t.ScheduledAt, t.PublishedAt = stampPtr(t.ScheduledAt), stampPtr(t.PublishedAt)
	t.DueAt, t.HeldAt = stampPtr(t.DueAt), stampPtr(t.HeldAt)
	if t.State == herald.StateScheduled && t.DueAt == nil {
		t.DueAt = t.ScheduledAt // a target created scheduled is due at its time
	}
	variant, err := toJSON(t.Variant)
	if err != nil {
		return err
	}
	progress, err := toJSON(t.Progress)
	if err != nil {
		return err
	}
	err = q.QueryRowContext(ctx, `INSERT INTO targets (workspace_id, post_id, account_id, variant, state, scheduled_at,
		remote_id, remote_url, last_error, published_at, due_at, attempts, progress, held_by, held_at, held_reason,
		version, created_at, updated_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`,
		t.WorkspaceID, t.PostID, t.AccountID, variant, string(t.State), microsOrNil(t.ScheduledAt), t.RemoteID, t.RemoteURL,
		t.LastError, microsOrNil(t.PublishedAt), microsOrNil(t.DueAt), t.Attempts, progress, nullInt(t.HeldBy),
		microsOrNil(t.HeldAt), t.HeldReason, t.Version, micros(t.CreatedAt), micros(t.UpdatedAt)).Scan(&t.ID)
	return dbErr(err, "create target", fmt.Sprintf("the post already has a target on account %d", t.AccountID),
		fmt.Sprintf("account %d does not exist in this workspace", t.AccountID))
}

// CreatePost inserts p with its labels and targets, at version 1.
func (s *store) CreatePost(ctx context.Context, p *herald.Post) error {
	p.CreatedAt = stamp(p.CreatedAt)
	if p.UpdatedAt.IsZero() {
		p.UpdatedAt = p.CreatedAt
	}
	p.UpdatedAt = stamp(p.UpdatedAt)
	err := s.atomic(ctx, func(q querier) error {
		if err := checkPostRefs(ctx, q, p); err != nil {
			return err
		}
		if err := checkSeries(ctx, q, p); err != nil {
			return err
		}
		p.OccurrenceAt = stampPtr(p.OccurrenceAt)
		err := q.QueryRowContext(ctx, `INSERT INTO posts (workspace_id, author_id, title, text, campaign_id, version,
			created_at, updated_at, recurrence, series_id, occurrence_at, links) VALUES (?, ?, ?, ?, ?, 1, ?, ?, ?, ?, ?, ?) RETURNING id`,
			p.WorkspaceID, p.AuthorID, p.Title, p.Text, nullInt(p.CampaignID), micros(p.CreatedAt), micros(p.UpdatedAt),
			p.Recurrence, nullInt(p.SeriesID), microsOrNil(p.OccurrenceAt), herald.EncodeLinkTracking(p.Links)).Scan(&p.ID)
		if err != nil {
			return dbErr(err, "create post", seriesClash(p), "the post's workspace, author, campaign or series does not exist")
		}
		p.Version = 1
		if err := insertLabels(ctx, q, p); err != nil {
			return err
		}
		for i := range p.Targets {
			if err := insertTarget(ctx, q, p, &p.Targets[i]); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return err
	}
	if slices.ContainsFunc(p.Targets, func(t herald.Target) bool { return waiting(t.State) }) {
		s.notifyDue()
	}
	return nil
}

// GetPost returns post id of workspaceID with its labels and targets.
func (s *store) GetPost(ctx context.Context, workspaceID, id int64) (herald.Post, error) {
	var p herald.Post
	err := s.readTx(ctx, func(q querier) error {
		var err error
		p, err = scanPost(q.QueryRowContext(ctx, `SELECT `+postCols+` FROM posts p WHERE p.workspace_id = ? AND p.id = ?`,
			workspaceID, id))
		if err != nil {
			return getErr(err, "post")
		}
		posts := []herald.Post{p}
		if err := loadPostParts(ctx, q, posts); err != nil {
			return err
		}
		p = posts[0]
		return nil
	})
	if err != nil {
		return herald.Post{}, err
	}
	return p, nil
}

// loadPostParts fills in the labels and targets of posts.
func loadPostParts(ctx context.Context, q querier, posts []herald.Post) error {
	if len(posts) == 0 {
		return nil
	}
	index := make(map[int64]int, len(posts))
	ids := make([]any, len(posts))
	for i, p := range posts {
		index[p.ID] = i
		ids[i] = p.ID
	}
	in := placeholders(len(ids))
	rows, err := q.QueryContext(ctx, `SELECT post_id, label_id FROM post_labels WHERE post_id IN (`+in+`) ORDER BY label_id`, ids...)
	if err != nil {
		return fmt.Errorf("sqlite: load post labels: %w", err)
	}
	for rows.Next() {
		var postID, labelID int64
		if err := rows.Scan(&postID, &labelID); err != nil {
			rows.Close()
			return fmt.Errorf("sqlite: load post labels: %w", err)
		}
		p := &posts[index[postID]]
		p.LabelIDs = append(p.LabelIDs, labelID)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return fmt.Errorf("sqlite: load post labels: %w", err)
	}
	rows, err = q.QueryContext(ctx, `SELECT `+targetCols+` FROM targets WHERE post_id IN (`+in+`) ORDER BY id`, ids...)
	if err != nil {
		return fmt.Errorf("sqlite: load targets: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		t, err := scanTarget(rows)
		if err != nil {
			return fmt.Errorf("sqlite: load targets: %w", err)
		}
		p := &posts[index[t.PostID]]
		p.Targets = append(p.Targets, t)
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("sqlite: load targets: %w", err)
	}
	return nil
}

func staleErr(kind string, stored, expected int64) error {
	return &herald.Error{Code: herald.CodeConflict,
		Message: fmt.Sprintf("the %s changed since you read it (it is at version %d, you had %d): reload and try again", kind, stored, expected)}
}

// UpdatePost saves p if it is still at expectedVersion, replacing its labels
// and targets, and bumps its version.
func (s *store) UpdatePost(ctx context.Context, p *herald.Post, expectedVersion int64) error {
	p.UpdatedAt = stamp(p.UpdatedAt)
	due := false
	err := s.atomic(ctx, func(q querier) error {
		var stored int64
		err := q.QueryRowContext(ctx, `SELECT version FROM posts WHERE workspace_id = ? AND id = ?`, p.WorkspaceID, p.ID).Scan(&stored)
		if err != nil {
			return getErr(err, "post")
		}
		if stored != expectedVersion {
			return staleErr("post", stored, expectedVersion)
		}
		if err := checkPostRefs(ctx, q, p); err != nil {
			return err
		}
		if err := checkSeries(ctx, q, p); err != nil {
			return err
		}
		p.OccurrenceAt = stampPtr(p.OccurrenceAt)
		res, err := q.ExecContext(ctx, `UPDATE posts SET title = ?, text = ?, campaign_id = ?, updated_at = ?, version = version + 1,
			recurrence = ?, series_id = ?, occurrence_at = ?, links = ?
			WHERE workspace_id = ? AND id = ? AND version = ?`,
			p.Title, p.Text, nullInt(p.CampaignID), micros(p.UpdatedAt), p.Recurrence, nullInt(p.SeriesID),
			microsOrNil(p.OccurrenceAt), herald.EncodeLinkTracking(p.Links), p.WorkspaceID, p.ID, expectedVersion)
		if err != nil {
			return dbErr(err, "update post", seriesClash(p), "the post's campaign or series does not exist")
		}
		if n, err := res.RowsAffected(); err != nil || n == 0 {
			return errors.Join(staleErr("post", stored+1, expectedVersion), err)
		}
		if _, err := q.ExecContext(ctx, `DELETE FROM post_labels WHERE post_id = ?`, p.ID); err != nil {
			return dbErr(err, "update post labels", "", "")
		}
		if err := insertLabels(ctx, q, p); err != nil {
			return err
		}
		if due, err = replaceTargets(ctx, q, p); err != nil {
			return err
		}
		p.Version = expectedVersion + 1
		return nil
	})
	if err != nil {
		return err
	}
	if due {
		s.notifyDue()
	}
	return nil
}

// replaceTargets makes the stored targets of p match p.Targets: missing
// ones are deleted, kept ones get their variant and schedule (a waiting
// target's due time follows its schedule), new ones (ID 0) are inserted.
// It reports whether a target was added or edited while waiting to be
// published, so due watchers hear of it.
func replaceTargets(ctx context.Context, q querier, p *herald.Post) (bool, error) {
	due := false
	rows, err := q.QueryContext(ctx, `SELECT id FROM targets WHERE post_id = ?`, p.ID)
	if err != nil {
		return false, fmt.Errorf("sqlite: list targets: %w", err)
	}
	var storedIDs []int64
	for rows.Next() {
		var id int64
		if err := rows.Scan(&id); err != nil {
			rows.Close()
			return false, fmt.Errorf("sqlite: list targets: %w", err)
		}
		storedIDs = append(storedIDs, id)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return false, fmt.Errorf("sqlite: list targets: %w", err)
	}
	keep := map[int64]bool{}
	for _, t := range p.Targets {
		if t.ID == 0 {
			continue
		}
		if !slices.Contains(storedIDs, t.ID) {
			return false, &herald.Error{Code: herald.CodeNotFound, Message: fmt.Sprintf("target %d is not a target of post %d", t.ID, p.ID)}
		}
		keep[t.ID] = true
	}
	for _, id := range storedIDs {
		if keep[id] {
			continue
		}
		if _, err := q.ExecContext(ctx, `DELETE FROM targets WHERE id = ?`, id); err != nil {
			return false, dbErr(err, "delete target", "", "")
		}
	}
	for i := range p.Targets {
		t := &p.Targets[i]
		if t.ID == 0 {
			if err := insertTarget(ctx, q, p, t); err != nil {
				return false, err
			}
			due = due || waiting(t.State)
			continue
		}
		variant, err := toJSON(t.Variant)
		if err != nil {
			return false, err
		}
		t.ScheduledAt = stampPtr(t.ScheduledAt)
		t.UpdatedAt = stamp(t.UpdatedAt)
		t.PostID, t.WorkspaceID = p.ID, p.WorkspaceID
		// An edit bumps the target's version too, so a dispatcher holding an
		// older copy cannot overwrite the new schedule with its transition.
		// A scheduled target's due time follows its schedule; the
		// dispatcher's retry time stays.
		var dueAt sql.NullInt64
		var moved bool
		if err := q.QueryRowContext(ctx, `UPDATE targets SET variant = ?, scheduled_at = ?, updated_at = ?,
			due_at = CASE WHEN state = 'scheduled' THEN ? ELSE due_at END,
			version = version + 1 WHERE id = ?
			RETURNING version, due_at, state = 'scheduled'`,
			variant, microsOrNil(t.ScheduledAt), micros(t.UpdatedAt), microsOrNil(t.ScheduledAt), t.ID).Scan(
			&t.Version, &dueAt, &moved); err != nil {
			return false, dbErr(err, "update target", "", "")
		}
		t.DueAt = fromNullMicros(dueAt)
		due = due || moved
	}
	return due, nil
}

// DeletePost deletes post id of workspaceID with its targets and history.
func (s *store) DeletePost(ctx context.Context, workspaceID, id int64) error {
	res, err := s.w.ExecContext(ctx, `DELETE FROM posts WHERE workspace_id = ? AND id = ?`, workspaceID, id)
	if err != nil {
		return dbErr(err, "delete post", "", "")
	}
	return affected(res, "post")
}

// ListPosts returns one page of the posts matching f, newest first.
func (s *store) ListPosts(ctx context.Context, f herald.PostFilter) ([]herald.Post, string, error) {
	after, err := decodeCursor(f.Cursor)
	if err != nil {
		return nil, "", err
	}
	limit := pageLimit(f.Page)
	conds := []string{"p.workspace_id = ?"}
	args := []any{f.WorkspaceID}
	if after > 0 {
		conds = append(conds, "p.id < ?")
		args = append(args, after)
	}
	if f.CampaignID != 0 {
		conds = append(conds, "p.campaign_id = ?")
		args = append(args, f.CampaignID)
	}
	if f.SeriesID != 0 {
		conds = append(conds, "p.series_id = ?")
		args = append(args, f.SeriesID)
	}
	if f.LabelID != 0 {
		conds = append(conds, "EXISTS (SELECT 1 FROM post_labels pl WHERE pl.post_id = p.id AND pl.label_id = ?)")
		args = append(args, f.LabelID)
	}
	if f.Drafts {
		conds = append(conds, "NOT EXISTS (SELECT 1 FROM targets d WHERE d.post_id = p.id AND d.state <> 'draft')")
	}
	if f.Query != "" {
		like := herald.LikePattern(f.Query)
		conds = append(conds, `(p.title LIKE ? ESCAPE '\' OR p.text LIKE ? ESCAPE '\' OR EXISTS (SELECT 1 FROM targets q WHERE q.post_id = p.id AND (`+
			`json_extract(q.variant, '$.text') LIKE ? ESCAPE '\' OR EXISTS (SELECT 1 FROM json_each(q.variant, '$.thread') j WHERE json_extract(j.value, '$.text') LIKE ? ESCAPE '\'))))`)
		args = append(args, like, like, like, like)
	}
	// Target conditions hold for one and the same target. The posts are
	// found from their targets (indexes targets_due for states,
	// targets_account, targets_schedule for a time window), not by
	// checking every post of the workspace: a workspace's rare states
	// (held, failed, in review) and time windows are read in time
	// proportional to what they hold.
	var tconds []string
	var targs []any
	if len(f.States) > 0 {
		tconds = append(tconds, "t.state IN ("+placeholders(len(f.States))+")")
		for _, st := range f.States {
			targs = append(targs, string(st))
		}
	}
	if f.AccountID != 0 {
		tconds = append(tconds, "t.account_id = ?")
		targs = append(targs, f.AccountID)
	}
	if f.From != nil {
		tconds = append(tconds, "t.scheduled_at >= ?")
		targs = append(targs, micros(*f.From))
	}
	if f.To != nil {
		tconds = append(tconds, "t.scheduled_at < ?")
		targs = append(targs, micros(*f.To))
	}
	if len(tconds) > 0 {
		if after > 0 {
			tconds = append(tconds, "t.post_id < ?")
			targs = append(targs, after)
		}
		in := "p.id IN (SELECT t.post_id FROM targets t WHERE t.workspace_id = ? AND " + strings.Join(tconds, " AND ")
		args = append(append(args, f.WorkspaceID), targs...)
		if f.CampaignID == 0 && f.SeriesID == 0 && f.LabelID == 0 && !f.Drafts && f.Query == "" {
			// Nothing else to check on the posts: the page is the newest
			// matching ids, so only the page's posts are read.
			in = "p.id IN (SELECT DISTINCT t.post_id FROM targets t WHERE t.workspace_id = ? AND " + strings.Join(tconds, " AND ") +
				" ORDER BY t.post_id DESC LIMIT ?"
			args = append(args, limit+1)
		}
		conds = append(conds, in+")")
	}
	args = append(args, limit+1)
	query := `SELECT ` + postCols + ` FROM posts p WHERE ` + strings.Join(conds, " AND ") + ` ORDER BY p.id DESC LIMIT ?`

	var posts []herald.Post
	err = s.readTx(ctx, func(q querier) error {
		rows, err := q.QueryContext(ctx, query, args...)
		if err != nil {
			return fmt.Errorf("sqlite: list posts: %w", err)
		}
		posts = []herald.Post{}
		for rows.Next() {
			p, err := scanPost(rows)
			if err != nil {
				rows.Close()
				return fmt.Errorf("sqlite: list posts: %w", err)
			}
			posts = append(posts, p)
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return fmt.Errorf("sqlite: list posts: %w", err)
		}
		return loadPostParts(ctx, q, posts[:min(len(posts), limit)])
	})
	if err != nil {
		return nil, "", err
	}
	next := ""
	if len(posts) > limit {
		posts = posts[:limit]
		next = encodeCursor(posts[limit-1].ID)
	}
	return posts, next, nil
}

// GetTarget returns target id of workspaceID.
func (s *store) GetTarget(ctx context.Context, workspaceID, id int64) (herald.Target, error) {
	t, err := scanTarget(s.r.QueryRowContext(ctx, `SELECT `+targetCols+` FROM targets WHERE workspace_id = ? AND id = ?`,
		workspaceID, id))
	if err != nil {
		return herald.Target{}, getErr(err, "target")
	}
	return t, nil
}

// TransitionTarget saves t's new state and transition fields and appends
// tr, if the stored target is still in state tr.From at version t.Version.
func (s *store) TransitionTarget(ctx context.Context, t *herald.Target, tr herald.TargetTransition) error {
	t.UpdatedAt = stamp(t.UpdatedAt)
	t.ScheduledAt, t.PublishedAt = stampPtr(t.ScheduledAt), stampPtr(t.PublishedAt)
	t.DueAt, t.HeldAt = stampPtr(t.DueAt), stampPtr(t.HeldAt)
	if t.State == herald.StateScheduled && t.DueAt == nil {
		t.DueAt = t.ScheduledAt
	}
	tr.At = stamp(tr.At)
	tr.TargetID = t.ID
	err := s.atomic(ctx, func(q querier) error {
		var state herald.TargetState
		var version int64
		err := q.QueryRowContext(ctx, `SELECT state, version FROM targets WHERE workspace_id = ? AND id = ?`,
			t.WorkspaceID, t.ID).Scan(&state, &version)
		if err != nil {
			return getErr(err, "target")
		}
		if version != t.Version {
			return staleErr("target", version, t.Version)
		}
		if state != tr.From {
			return &herald.Error{Code: herald.CodeConflict,
				Message: fmt.Sprintf("the target is %s, not %s: reload and try again", state, tr.From)}
		}
		// Leaving publishing by hand ends the dispatcher's lease.
		res, err := q.ExecContext(ctx, `UPDATE targets SET state = ?, scheduled_at = ?, remote_id = ?, remote_url = ?,
			last_error = ?, published_at = ?, due_at = ?, held_by = ?, held_at = ?, held_reason = ?,
			lease_owner = CASE WHEN ? THEN lease_owner ELSE '' END,
			lease_until = CASE WHEN ? THEN lease_until ELSE NULL END,
			updated_at = ?, version = version + 1
			WHERE workspace_id = ? AND id = ? AND version = ? AND state = ?`,
			string(t.State), microsOrNil(t.ScheduledAt), t.RemoteID, t.RemoteURL, t.LastError, microsOrNil(t.PublishedAt),
			microsOrNil(t.DueAt), nullInt(t.HeldBy), microsOrNil(t.HeldAt), t.HeldReason,
			t.State == herald.StatePublishing, t.State == herald.StatePublishing, micros(t.UpdatedAt), t.WorkspaceID, t.ID, t.Version, string(tr.From))
		if err != nil {
			return dbErr(err, "transition target", "", "")
		}
		if n, err := res.RowsAffected(); err != nil || n == 0 {
			return errors.Join(staleErr("target", version+1, t.Version), err)
		}
		_, err = q.ExecContext(ctx, `INSERT INTO target_transitions (workspace_id, target_id, from_state, to_state, actor_id,
			actor_name, reason, at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
			t.WorkspaceID, t.ID, string(tr.From), string(tr.To), nullInt(tr.ActorID), tr.ActorName, tr.Reason, micros(tr.At))
		if err != nil {
			return dbErr(err, "record transition", "", "")
		}
		t.Version++
		return nil
	})
	if err != nil {
		return err
	}
	if waiting(t.State) {
		s.notifyDue()
	}
	return nil
}

// ListTargetTransitions returns a target's history, oldest first.
func (s *store) ListTargetTransitions(ctx context.Context, workspaceID, targetID int64) ([]herald.TargetTransition, error) {
	var out []herald.TargetTransition
	err := s.readTx(ctx, func(q querier) error {
		ok, err := exists(ctx, q, `SELECT 1 FROM targets WHERE workspace_id = ? AND id = ?`, workspaceID, targetID)
		if err != nil {
			return err
		}
		if !ok {
			return herald.NotFound("target")
		}
		rows, err := q.QueryContext(ctx, `SELECT id, target_id, from_state, to_state, actor_id, actor_name, reason, at
			FROM target_transitions WHERE workspace_id = ? AND target_id = ? ORDER BY id`, workspaceID, targetID)
		if err != nil {
			return fmt.Errorf("sqlite: list transitions: %w", err)
		}
		defer rows.Close()
		out = []herald.TargetTransition{}
		for rows.Next() {
			var tr herald.TargetTransition
			var actor sql.NullInt64
			var at int64
			if err := rows.Scan(&tr.ID, &tr.TargetID, &tr.From, &tr.To, &actor, &tr.ActorName, &tr.Reason, &at); err != nil {
				return fmt.Errorf("sqlite: list transitions: %w", err)
			}
			tr.ActorID, tr.At = fromNullInt(actor), fromMicros(at)
			out = append(out, tr)
		}
		if err := rows.Err(); err != nil {
			return fmt.Errorf("sqlite: list transitions: %w", err)
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// checkSeries refuses a series id that is not a post of p's workspace (a
// post's own id, for the first post of a series, is always fine).
func checkSeries(ctx context.Context, q querier, p *herald.Post) error {
	if p.SeriesID == nil || (p.ID != 0 && *p.SeriesID == p.ID) {
		return nil
	}
	ok, err := exists(ctx, q, `SELECT 1 FROM posts WHERE workspace_id = ? AND id = ?`, p.WorkspaceID, *p.SeriesID)
	if err != nil {
		return err
	}
	if !ok {
		return &herald.Error{Code: herald.CodeConflict,
			Message: fmt.Sprintf("series %d does not exist in this workspace", *p.SeriesID),
			Details: []herald.FieldProblem{{Field: "series_id", Problem: fmt.Sprintf("%d is not a post of this workspace", *p.SeriesID)}}}
	}
	return nil
}

// seriesClash is the conflict message for a second post of one occurrence.
func seriesClash(p *herald.Post) string {
	if p.SeriesID == nil || p.OccurrenceAt == nil {
		return "the post clashes with another post"
	}
	return fmt.Sprintf("series %d already has a post for %s", *p.SeriesID, p.OccurrenceAt.UTC().Format("2006-01-02T15:04:05Z07:00"))
}

// ListRecurringPosts returns the first posts of every series that still
// recurs, in every workspace, by id, with their labels and targets.
func (s *store) ListRecurringPosts(ctx context.Context) ([]herald.Post, error) {
	var posts []herald.Post
	err := s.readTx(ctx, func(q querier) error {
		rows, err := q.QueryContext(ctx, `SELECT `+postCols+` FROM posts p INDEXED BY posts_recurring
			WHERE p.recurrence != '' AND p.series_id = p.id ORDER BY p.id`)
		if err != nil {
			return fmt.Errorf("sqlite: list recurring posts: %w", err)
		}
		posts = []herald.Post{}
		for rows.Next() {
			p, err := scanPost(rows)
			if err != nil {
				rows.Close()
				return fmt.Errorf("sqlite: list recurring posts: %w", err)
			}
			posts = append(posts, p)
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return fmt.Errorf("sqlite: list recurring posts: %w", err)
		}
		return loadPostParts(ctx, q, posts)
	})
	if err != nil {
		return nil, err
	}
	return posts, nil
}
