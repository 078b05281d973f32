package postgres

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/jackc/pgx/v5"

	"github.com/heraldsocial/herald/internal/herald"
)

const postCols = `id, workspace_id, author_id, title, text, campaign_id, version, created_at, updated_at,
	recurrence, series_id, occurrence_at, links`

func scanPost(r scanner) (herald.Post, error) {
	var p herald.Post
	var links string
	err := r.Scan(&p.ID, &p.WorkspaceID, &p.AuthorID, &p.Title, &p.Text, &p.CampaignID, &p.Version,
		&p.CreatedAt, &p.UpdatedAt, &p.Recurrence, &p.SeriesID, &p.OccurrenceAt, &links)
	if err != nil {
		return p, err
	}
	if p.Links, err = herald.DecodeLinkTracking(links); err != nil {
		return p, fmt.Errorf("postgres: post %d links: %w", p.ID, err)
	}
	return p, nil
}

// checkSeries refuses a series id that is not a post of the workspace (a
// post's own id, for the first post of a series, is always fine).
func (s store) checkSeries(ctx context.Context, p *herald.Post) error {
	if p.SeriesID == nil || (p.ID != 0 && *p.SeriesID == p.ID) {
		return nil
	}
	var ok bool
	err := s.q.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM posts WHERE workspace_id = $1 AND id = $2)`,
		p.WorkspaceID, *p.SeriesID).Scan(&ok)
	if err != nil {
		return dbErr("check series", err)
	}
	if !ok {
		msg := fmt.Sprintf("series %d does not exist in this workspace", *p.SeriesID)
		return &herald.Error{Code: herald.CodeConflict, Message: msg,
			Details: []herald.FieldProblem{{Field: "series_id", Problem: msg}}}
	}
	return nil
}

// ListRecurringPosts returns the first posts of every series that still
// recurs, in every workspace, by id, with their labels and targets.
func (s store) ListRecurringPosts(ctx context.Context) ([]herald.Post, error) {
	rows, err := s.q.Query(ctx, `SELECT `+postCols+` FROM posts WHERE recurrence <> '' AND series_id = id ORDER BY id`)
	if err != nil {
		return nil, dbErr("list recurring posts", err)
	}
	posts, err := collect(rows, scanPost)
	if err != nil {
		return nil, dbErr("list recurring posts", err)
	}
	if err := s.loadChildren(ctx, posts); err != nil {
		return nil, err
	}
	return posts, nil
}

const targetCols = `id, post_id, workspace_id, account_id, variant, state, scheduled_at, remote_id, remote_url,
	last_error, published_at, due_at, attempts, progress, held_by, held_at, held_reason, version, created_at, updated_at,
	remote_deleted_at, edited_at`

func scanTarget(r scanner) (herald.Target, error) {
	var t herald.Target
	err := r.Scan(&t.ID, &t.PostID, &t.WorkspaceID, &t.AccountID, &t.Variant, &t.State, &t.ScheduledAt,
		&t.RemoteID, &t.RemoteURL, &t.LastError, &t.PublishedAt, &t.DueAt, &t.Attempts, &t.Progress, &t.HeldBy,
		&t.HeldAt, &t.HeldReason, &t.Version, &t.CreatedAt, &t.UpdatedAt, &t.RemoteDeletedAt, &t.EditedAt)
	return t, err
}

// labelSet returns ids sorted and without repeats (nil when empty), the
// form GetPost returns them in.
func labelSet(ids []int64) []int64 {
	if len(ids) == 0 {
		return nil
	}
	out := slices.Clone(ids)
	slices.Sort(out)
	return slices.Compact(out)
}

// checkCampaign refuses a campaign of another workspace, which the plain
// foreign key on posts.campaign_id cannot see.
func (s store) checkCampaign(ctx context.Context, workspaceID int64, campaignID *int64) error {
	if campaignID == nil {
		return nil
	}
	var ok bool
	err := s.q.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM campaigns WHERE workspace_id = $1 AND id = $2)`,
		workspaceID, *campaignID).Scan(&ok)
	if err != nil {
		return dbErr("check campaign", err)
	}
	if !ok {
		return campaignMissing(*campaignID)
	}
	return nil
}

// campaignMissing is the conflict of a post whose campaign is not in its
// workspace.
func campaignMissing(id int64) error {
	msg := fmt.Sprintf("campaign %d does not exist in this workspace", id)
	return &herald.Error{Code: herald.CodeConflict, Message: msg,
		Details: []herald.FieldProblem{{Field: "campaign_id", Problem: msg}}}
}

func (s store) insertLabels(ctx context.Context, workspaceID, postID int64, ids []int64) error {
	if len(ids) == 0 {
		return nil
	}
	err := s.deferExec(ctx, `INSERT INTO post_labels (workspace_id, post_id, label_id)
		SELECT $1, $2, unnest($3::bigint[])`, workspaceID, postID, ids)
	return dbErr("save post labels", err)
}

// insertTarget inserts t as a new target of post p, with Version 1.
func (s store) insertTarget(ctx context.Context, p *herald.Post, t *herald.Target) error {
	t.PostID, t.WorkspaceID, t.Version = p.ID, p.WorkspaceID, 1
	if t.State == "" {
		t.State = herald.StateDraft
	}
	if t.CreatedAt.IsZero() {
		t.CreatedAt = p.UpdatedAt
	}
	if t.UpdatedAt.IsZero() {
		t.UpdatedAt = p.UpdatedAt
	}
	if t.State == herald.StateScheduled && t.DueAt == nil {
		t.DueAt = t.ScheduledAt // a target created scheduled is due at its time
	}
	err := s.q.QueryRow(ctx, `INSERT INTO targets (workspace_id, post_id, account_id, variant, state,
		scheduled_at, remote_id, remote_url, last_error, published_at, due_at, attempts, progress, held_by,
		held_at, held_reason, version, created_at, updated_at)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, 1, $17, $18) RETURNING id`,
		t.WorkspaceID, t.PostID, t.AccountID, t.Variant, t.State, t.ScheduledAt, t.RemoteID, t.RemoteURL,
		t.LastError, t.PublishedAt, t.DueAt, t.Attempts, t.Progress, t.HeldBy, t.HeldAt, t.HeldReason,
		t.CreatedAt, t.UpdatedAt).Scan(&t.ID)
	return dbErr("insert target", err)
}

// CreatePost inserts p with its labels and targets, setting their IDs,
// Version 1 and the targets' PostID and WorkspaceID. p is changed only if
// the whole post was saved.
func (s store) CreatePost(ctx context.Context, p *herald.Post) error {
	c := *p
	c.Targets = slices.Clone(p.Targets)
	c.LabelIDs = labelSet(p.LabelIDs)
	c.Version = 1
	stamp(&c.CreatedAt)
	stamp(&c.UpdatedAt)
	err := s.atomic(ctx, func(s store) error {
		if err := s.checkSeries(ctx, &c); err != nil {
			return err
		}
		// The campaign is checked by the insert itself (no row: not in
		// this workspace), one round trip fewer per post of a batch.
		err := s.q.QueryRow(ctx, `INSERT INTO posts (workspace_id, author_id, title, text, campaign_id, version,
			created_at, updated_at, recurrence, series_id, occurrence_at, links)
			SELECT $1, $2, $3, $4, $5, 1, $6, $7, $8, $9, $10, $11
			WHERE $5::bigint IS NULL OR EXISTS (SELECT 1 FROM campaigns WHERE workspace_id = $1 AND id = $5)
			RETURNING id`,
			c.WorkspaceID, c.AuthorID, c.Title, c.Text, c.CampaignID, c.CreatedAt, c.UpdatedAt, c.Recurrence,
			c.SeriesID, c.OccurrenceAt, herald.EncodeLinkTracking(c.Links)).Scan(&c.ID)
		if errors.Is(err, pgx.ErrNoRows) {
			return campaignMissing(*c.CampaignID)
		}
		if err != nil {
			return dbErr("create post", err)
		}
		if err := s.insertLabels(ctx, c.WorkspaceID, c.ID, c.LabelIDs); err != nil {
			return err
		}
		for i := range c.Targets {
			if err := s.insertTarget(ctx, &c, &c.Targets[i]); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return dbErr("create post", err)
	}
	*p = c
	return nil
}

// GetPost returns the workspace's post id with its labels and targets (by id).
func (s store) GetPost(ctx context.Context, workspaceID, id int64) (herald.Post, error) {
	p, err := scanPost(s.q.QueryRow(ctx, `SELECT `+postCols+` FROM posts WHERE workspace_id = $1 AND id = $2`,
		workspaceID, id))
	if err != nil {
		return herald.Post{}, notFound("post", "get post", err)
	}
	posts := []herald.Post{p}
	if err := s.loadChildren(ctx, posts); err != nil {
		return herald.Post{}, err
	}
	return posts[0], nil
}

// loadChildren fills in the labels and targets of posts with two queries.
func (s store) loadChildren(ctx context.Context, posts []herald.Post) error {
	if len(posts) == 0 {
		return nil
	}
	ids := make([]int64, len(posts))
	index := make(map[int64]*herald.Post, len(posts))
	for i := range posts {
		ids[i] = posts[i].ID
		index[posts[i].ID] = &posts[i]
	}
	rows, err := s.q.Query(ctx, `SELECT post_id, label_id FROM post_labels WHERE post_id = ANY($1)
		ORDER BY post_id, label_id`, ids)
	if err != nil {
		return dbErr("load post labels", err)
	}
	type pair struct{ post, label int64 }
	pairs, err := collect(rows, func(r scanner) (pair, error) {
		var p pair
		err := r.Scan(&p.post, &p.label)
		return p, err
	})
	if err != nil {
		return dbErr("load post labels", err)
	}
	for _, pl := range pairs {
		p := index[pl.post]
		p.LabelIDs = append(p.LabelIDs, pl.label)
	}
	rows, err = s.q.Query(ctx, `SELECT `+targetCols+` FROM targets WHERE post_id = ANY($1) ORDER BY id`, ids)
	if err != nil {
		return dbErr("load targets", err)
	}
	targets, err := collect(rows, scanTarget)
	if err != nil {
		return dbErr("load targets", err)
	}
	for _, t := range targets {
		p := index[t.PostID]
		p.Targets = append(p.Targets, t)
	}
	return nil
}

// UpdatePost saves p's title, text, campaign, labels, targets and UpdatedAt
// if the stored version is still expectedVersion, and bumps p.Version.
// Targets with ID 0 are inserted, stored targets missing from p.Targets are
// deleted, and the others have their variant, ScheduledAt and UpdatedAt
// saved; their state is TransitionTarget's business. p is changed only if
// the whole update was saved.
func (s store) UpdatePost(ctx context.Context, p *herald.Post, expectedVersion int64) error {
	c := *p
	c.Targets = slices.Clone(p.Targets)
	c.LabelIDs = labelSet(p.LabelIDs)
	stamp(&c.UpdatedAt)
	err := s.atomic(ctx, func(s store) error {
		if err := s.checkCampaign(ctx, c.WorkspaceID, c.CampaignID); err != nil {
			return err
		}
		if err := s.checkSeries(ctx, &c); err != nil {
			return err
		}
		err := s.q.QueryRow(ctx, `UPDATE posts SET title = $4, text = $5, campaign_id = $6, updated_at = $7,
			recurrence = $8, series_id = $9, occurrence_at = $10, links = $11,
			version = version + 1 WHERE workspace_id = $1 AND id = $2 AND version = $3 RETURNING version`,
			c.WorkspaceID, c.ID, expectedVersion, c.Title, c.Text, c.CampaignID, c.UpdatedAt,
			c.Recurrence, c.SeriesID, c.OccurrenceAt, herald.EncodeLinkTracking(c.Links)).Scan(&c.Version)
		if errors.Is(err, pgx.ErrNoRows) {
			return s.versionClash(ctx, "posts", "post", c.WorkspaceID, c.ID,
				"the post was changed since you read it; reload it and try again")
		}
		if err != nil {
			return dbErr("update post", err)
		}
		if _, err := s.q.Exec(ctx, `DELETE FROM post_labels WHERE post_id = $1`, c.ID); err != nil {
			return dbErr("update post labels", err)
		}
		if err := s.insertLabels(ctx, c.WorkspaceID, c.ID, c.LabelIDs); err != nil {
			return err
		}
		return s.saveTargets(ctx, &c)
	})
	if err != nil {
		return dbErr("update post", err)
	}
	*p = c
	return nil
}

// saveTargets applies UpdatePost's rules to p's targets: delete the missing,
// update the known, insert the new (in that order, so a target can be
// replaced by a new one on the same account).
func (s store) saveTargets(ctx context.Context, p *herald.Post) error {
	keep := []int64{}
	for _, t := range p.Targets {
		if t.ID != 0 {
			keep = append(keep, t.ID)
		}
	}
	if _, err := s.q.Exec(ctx, `DELETE FROM targets WHERE post_id = $1 AND NOT (id = ANY($2))`,
		p.ID, keep); err != nil {
		return dbErr("delete targets", err)
	}
	for i := range p.Targets {
		t := &p.Targets[i]
		if t.ID == 0 {
			continue
		}
		stamp(&t.UpdatedAt)
		// An edit bumps the target's version too, so a dispatcher holding an
		// older copy cannot overwrite the new schedule with its transition.
		// A scheduled target's due time follows its schedule (the trigger
		// tells the dispatchers); a retry time stays.
		err := s.q.QueryRow(ctx, `UPDATE targets SET variant = $3, scheduled_at = $4, updated_at = $5,
			due_at = CASE WHEN state = 'scheduled' THEN $4 ELSE due_at END,
			version = version + 1 WHERE post_id = $1 AND id = $2 RETURNING version, due_at`,
			p.ID, t.ID, t.Variant, t.ScheduledAt, t.UpdatedAt).Scan(&t.Version, &t.DueAt)
		if err != nil && !errors.Is(err, pgx.ErrNoRows) {
			return dbErr("update target", err)
		}
		if errors.Is(err, pgx.ErrNoRows) {
			msg := fmt.Sprintf("target %d is not a target of this post", t.ID)
			return &herald.Error{Code: herald.CodeNotFound, Message: msg,
				Details: []herald.FieldProblem{{Field: fmt.Sprintf("targets[%d].id", i), Problem: msg}}}
		}
		t.PostID, t.WorkspaceID = p.ID, p.WorkspaceID
	}
	for i := range p.Targets {
		if p.Targets[i].ID == 0 {
			if err := s.insertTarget(ctx, p, &p.Targets[i]); err != nil {
				return err
			}
		}
	}
	return nil
}

// versionClash explains why a versioned update matched no row: the row is
// gone (not found) or has moved on (conflict).
func (s store) versionClash(ctx context.Context, table, kind string, workspaceID, id int64, msg string) error {
	var exists bool
	err := s.q.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM `+table+` WHERE workspace_id = $1 AND id = $2)`,
		workspaceID, id).Scan(&exists)
	if err != nil {
		return dbErr("check "+kind, err)
	}
	if !exists {
		return missing(kind)
	}
	return herald.Errorf(herald.CodeConflict, "%s", msg)
}

// DeletePost deletes the workspace's post id with its targets and their history.
func (s store) DeletePost(ctx context.Context, workspaceID, id int64) error {
	tag, err := s.q.Exec(ctx, `DELETE FROM posts WHERE workspace_id = $1 AND id = $2`, workspaceID, id)
	if err != nil {
		return dbErr("delete post", err)
	}
	if tag.RowsAffected() == 0 {
		return missing("post")
	}
	return nil
}

// ListPosts returns one page of the posts matching f, newest first, with
// their labels and targets. The target conditions (states, account, time
// window) must all hold for one and the same target. Such posts are found
// from their matching targets (one pass over the workspace's targets, no
// index on targets needed), not by checking every post in turn: a rare
// state or a time window costs the same whatever page it is on.
func (s store) ListPosts(ctx context.Context, f herald.PostFilter) ([]herald.Post, string, error) {
	after, limit, err := pageArgs(f.Page)
	if err != nil {
		return nil, "", err
	}
	args := []any{f.WorkspaceID}
	arg := func(v any) string {
		args = append(args, v)
		return fmt.Sprintf("$%d", len(args))
	}
	conds := []string{"p.workspace_id = $1"}
	if after > 0 {
		conds = append(conds, "p.id < "+arg(after))
	}
	if f.CampaignID != 0 {
		conds = append(conds, "p.campaign_id = "+arg(f.CampaignID))
	}
	if f.LabelID != 0 {
		conds = append(conds, "EXISTS (SELECT 1 FROM post_labels pl WHERE pl.post_id = p.id AND pl.label_id = "+arg(f.LabelID)+")")
	}
	if f.SeriesID != 0 {
		conds = append(conds, "p.series_id = "+arg(f.SeriesID))
	}
	if f.Drafts {
		conds = append(conds, "NOT EXISTS (SELECT 1 FROM targets d WHERE d.post_id = p.id AND d.state <> 'draft')")
	}
	if f.Query != "" {
		like := arg(herald.LikePattern(f.Query))
		conds = append(conds, `(p.title ILIKE `+like+` ESCAPE '\' OR p.text ILIKE `+like+` ESCAPE '\' OR EXISTS (SELECT 1 FROM targets q WHERE q.post_id = p.id AND (`+
			`q.variant->>'text' ILIKE `+like+` ESCAPE '\' OR EXISTS (SELECT 1 FROM jsonb_array_elements(CASE WHEN jsonb_typeof(q.variant->'thread') = 'array' THEN q.variant->'thread' ELSE '[]'::jsonb END) j WHERE j->>'text' ILIKE `+like+` ESCAPE '\'))))`)
	}
	var tconds []string
	if len(f.States) > 0 {
		states := make([]string, len(f.States))
		for i, st := range f.States {
			states[i] = string(st)
		}
		tconds = append(tconds, "t.state = ANY("+arg(states)+"::text[])")
	}
	if f.AccountID != 0 {
		tconds = append(tconds, "t.account_id = "+arg(f.AccountID))
	}
	if f.From != nil {
		tconds = append(tconds, "t.scheduled_at >= "+arg(*f.From))
	}
	if f.To != nil {
		tconds = append(tconds, "t.scheduled_at < "+arg(*f.To))
	}
	if len(tconds) > 0 {
		if after > 0 {
			tconds = append(tconds, "t.post_id < "+arg(after))
		}
		in := "p.id IN (SELECT t.post_id FROM targets t WHERE t.workspace_id = $1 AND " + strings.Join(tconds, " AND ") + ")"
		if f.CampaignID == 0 && f.SeriesID == 0 && f.LabelID == 0 && !f.Drafts && f.Query == "" {
			// Nothing else to check on the posts: the page is the newest
			// matching ids, so only the page's posts are read.
			in = "p.id IN (SELECT DISTINCT t.post_id FROM targets t WHERE t.workspace_id = $1 AND " + strings.Join(tconds, " AND ") +
				" ORDER BY t.post_id DESC LIMIT " + arg(limit+1) + ")"
		}
		conds = append(conds, in)
	}
	rows, err := s.q.Query(ctx, `SELECT `+postCols+` FROM posts p WHERE `+strings.Join(conds, " AND ")+
		` ORDER BY p.id DESC LIMIT `+arg(limit+1), args...)
	if err != nil {
		return nil, "", dbErr("list posts", err)
	}
	posts, err := collect(rows, scanPost)
	if err != nil {
		return nil, "", dbErr("list posts", err)
	}
	posts, next := nextCursor(posts, limit, func(p herald.Post) int64 { return p.ID })
	if err := s.loadChildren(ctx, posts); err != nil {
		return nil, "", err
	}
	return posts, next, nil
}

// GetTarget returns the workspace's target id.
func (s store) GetTarget(ctx context.Context, workspaceID, id int64) (herald.Target, error) {
	t, err := scanTarget(s.q.QueryRow(ctx, `SELECT `+targetCols+` FROM targets WHERE workspace_id = $1 AND id = $2`,
		workspaceID, id))
	if err != nil {
		return herald.Target{}, notFound("target", "get target", err)
	}
	return t, nil
}

// TransitionTarget saves t's state and the fields a transition may change,
// and appends tr, if the stored target is still in state tr.From at version
// t.Version; else ErrConflict. On success it bumps t.Version.
func (s store) TransitionTarget(ctx context.Context, t *herald.Target, tr herald.TargetTransition) error {
	updated := t.UpdatedAt
	stamp(&updated)
	stamp(&tr.At)
	tr.TargetID = t.ID
	due := t.DueAt
	if t.State == herald.StateScheduled && due == nil {
		due = t.ScheduledAt
	}
	var version int64
	err := s.atomic(ctx, func(s store) error {
		// Leaving publishing by hand ends the dispatcher's lease. The
		// workspace is compared as workspace_id + 0 so that only the
		// primary key can find the row: without statistics (a new
		// installation, or rows added in this same transaction, as in an
		// import) the cached plan may otherwise walk every target of the
		// workspace through targets_schedule_idx for each update.
		err := s.q.QueryRow(ctx, `UPDATE targets SET state = $5, scheduled_at = $6, remote_id = $7,
			remote_url = $8, last_error = $9, published_at = $10, updated_at = $11, due_at = $12,
			held_by = $13, held_at = $14, held_reason = $15,
			lease_owner = CASE WHEN $5 = 'publishing' THEN lease_owner ELSE '' END,
			lease_until = CASE WHEN $5 = 'publishing' THEN lease_until END,
			version = version + 1
			WHERE id = $2 AND workspace_id + 0 = $1 AND state = $3 AND version = $4 RETURNING version`,
			t.WorkspaceID, t.ID, tr.From, t.Version, t.State, t.ScheduledAt, t.RemoteID, t.RemoteURL,
			t.LastError, t.PublishedAt, updated, due, t.HeldBy, t.HeldAt, t.HeldReason).Scan(&version)
		if errors.Is(err, pgx.ErrNoRows) {
			return s.versionClash(ctx, "targets", "target", t.WorkspaceID, t.ID,
				fmt.Sprintf("the target is no longer %s at version %d; reload it and try again", tr.From, t.Version))
		}
		if err != nil {
			return dbErr("transition target", err)
		}
		err = s.deferExec(ctx, `INSERT INTO target_transitions (target_id, from_state, to_state, actor_id, actor_name, reason, at)
			VALUES ($1, $2, $3, $4, $5, $6, $7)`, tr.TargetID, tr.From, tr.To, tr.ActorID, tr.ActorName, tr.Reason, tr.At)
		return dbErr("record transition", err)
	})
	if err != nil {
		return dbErr("transition target", err)
	}
	t.Version, t.UpdatedAt, t.DueAt = version, updated, due
	return nil
}

// ListTargetTransitions returns the workspace's target's history, oldest first.
func (s store) ListTargetTransitions(ctx context.Context, workspaceID, targetID int64) ([]herald.TargetTransition, error) {
	var exists bool
	err := s.q.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM targets WHERE workspace_id = $1 AND id = $2)`,
		workspaceID, targetID).Scan(&exists)
	if err != nil {
		return nil, dbErr("list target transitions", err)
	}
	if !exists {
		return nil, missing("target")
	}
	rows, err := s.q.Query(ctx, `SELECT id, target_id, from_state, to_state, actor_id, actor_name, reason, at
		FROM target_transitions WHERE target_id = $1 ORDER BY id`, targetID)
	if err != nil {
		return nil, dbErr("list target transitions", err)
	}
	out, err := collect(rows, func(r scanner) (herald.TargetTransition, error) {
		var tr herald.TargetTransition
		err := r.Scan(&tr.ID, &tr.TargetID, &tr.From, &tr.To, &tr.ActorID, &tr.ActorName, &tr.Reason, &tr.At)
		return tr, err
	})
	return out, dbErr("list target transitions", err)
}
