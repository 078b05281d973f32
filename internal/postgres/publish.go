package postgres

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/heraldsocial/herald/internal/herald"
)

// The publishing side of the store (herald.PublishStore). Batches are
// set-based: id lists travel as arrays, completions as parallel arrays
// unnested into rows. Claims lock with FOR UPDATE SKIP LOCKED, so several
// instances claiming the same ids at once each get a disjoint share.

var _ herald.PublishStore = store{}

// publishable holds for a target t whose account may publish (not paused,
// not waiting for a reconnect) in a workspace and an installation whose
// publishing is not paused.
//
// The account and workspace are looked up row by row (scalar subqueries,
// which the planner never turns into joins): the targets are then read in
// the order of the index that finds them and a LIMIT stops the scan early,
// even when the statistics still describe the table as it was before a
// bulk insert (a hash join on such a guess read every due target).
const publishable = `COALESCE((SELECT a.paused_at IS NULL AND a.status NOT IN ('expired', 'revoked')
		FROM accounts a WHERE a.id = t.account_id), false)
	AND COALESCE((SELECT w.publishing_paused_at IS NULL FROM workspaces w WHERE w.id = t.workspace_id), false)
	AND NOT EXISTS (SELECT 1 FROM installation_settings i WHERE i.publishing_paused_at IS NOT NULL)`

// NextDue returns up to limit publishable targets due at or before until,
// earliest first.
func (s store) NextDue(ctx context.Context, until time.Time, limit int) ([]herald.DueTarget, error) {
	return s.nextDue(ctx, nil, until, limit)
}

// NextDueAfter returns up to limit publishable targets after after (by due
// time, then id) and due at or before until, earliest first.
func (s store) NextDueAfter(ctx context.Context, after herald.DueTarget, until time.Time, limit int) ([]herald.DueTarget, error) {
	return s.nextDue(ctx, &after, until, limit)
}

// nextDue lists the publishable targets after after and due at or before
// until; a nil after has no lower bound.
func (s store) nextDue(ctx context.Context, after *herald.DueTarget, until time.Time, limit int) ([]herald.DueTarget, error) {
	if limit <= 0 {
		return []herald.DueTarget{}, nil
	}
	var afterDue *time.Time
	var afterID int64
	if after != nil {
		afterDue, afterID = &after.DueAt, after.ID
	}
	rows, err := s.q.Query(ctx, `SELECT t.id, t.due_at, t.account_id FROM targets t
		WHERE t.state IN ('scheduled', 'retrying') AND t.due_at >= COALESCE($3::timestamptz, '-infinity')
		  AND (t.due_at > COALESCE($3::timestamptz, '-infinity') OR t.id > $4)
		  AND t.due_at <= $1 AND `+publishable+`
		ORDER BY t.due_at, t.id LIMIT $2`, until, limit, afterDue, afterID)
	if err != nil {
		return nil, dbErr("next due", err)
	}
	out, err := collect(rows, func(r scanner) (herald.DueTarget, error) {
		var d herald.DueTarget
		err := r.Scan(&d.ID, &d.DueAt, &d.AccountID)
		return d, err
	})
	return out, dbErr("next due", err)
}

// checkClaim refuses claim arguments that would make a lease nobody owns
// or that ends before it starts.
func checkClaim(owner string, now, leaseUntil time.Time) error {
	var p herald.Problems
	if owner == "" {
		p.Add("owner", "is required: name the claiming instance")
	}
	if !leaseUntil.After(now) {
		p.Add("lease_until", "must be after now")
	}
	return p.Err("the claim is not valid")
}

// ClaimTargets moves those of ids that are due (or publishing under an
// expired lease, or a lease of a dead instance) into publishing, leased to
// owner, with a transition and an attempt each, in one transaction. Rows another claimer holds are
// skipped, never waited for.
func (s store) ClaimTargets(ctx context.Context, ids []int64, owner string, now, leaseUntil time.Time) ([]herald.Claim, error) {
	if err := checkClaim(owner, now, leaseUntil); err != nil {
		return nil, err
	}
	if len(ids) == 0 {
		return []herald.Claim{}, nil
	}
	// One statement: lock and move the due targets, end the attempts of
	// taken-over leases, record the transitions and start the attempts.
	// It commits on its own, so the intent is durable when it returns.
	// Prepared once: planning this statement costs more than running it
	// for a small batch, and the generic plan (the ids through the primary
	// key, a nested loop per claimed row) is the right one at any size.
	rows, err := s.q.Query(ctx, `WITH picked AS (
			SELECT t.id AS picked_id, t.state AS old_state FROM targets t
			WHERE t.id = ANY($1)
			  AND ((t.state IN ('scheduled', 'retrying') AND t.due_at <= $2)
			       OR (t.state = 'publishing' AND `+deadOwner+`))
			  AND `+publishable+`
			FOR UPDATE OF t SKIP LOCKED),
		claimed AS (
			UPDATE targets SET state = 'publishing', lease_owner = $3, lease_until = $4,
				attempts = attempts + 1, updated_at = $2, version = version + 1
			FROM picked WHERE id = picked_id
			RETURNING old_state, `+targetCols+`),
		lost AS (
			UPDATE attempts SET outcome = $5, finished_at = $2,
				error = 'the instance ' || instance || ' stopped before recording an outcome'
			WHERE target_id IN (SELECT id FROM claimed WHERE old_state = 'publishing') AND outcome = ''),
		moved AS (
			INSERT INTO target_transitions (target_id, from_state, to_state, actor_id, reason, at)
			SELECT id, old_state, 'publishing', NULL, '', $2 FROM claimed WHERE old_state <> 'publishing' ORDER BY id),
		started AS (
			INSERT INTO attempts (workspace_id, target_id, number, instance, started_at)
			SELECT workspace_id, id, attempts, $3, $2 FROM claimed ORDER BY id
			RETURNING target_id, id)
		SELECT c.old_state, `+prefixCols("c.", targetCols)+`, s.id, p.text
		FROM claimed c JOIN started s ON s.target_id = c.id JOIN posts p ON p.id = c.post_id
		ORDER BY c.id`, ids, now, owner, leaseUntil, herald.OutcomeLeaseLost)
	if err != nil {
		return nil, dbErr("claim targets", err)
	}
	var accountIDs []int64
	claims, err := collect(rows, func(r scanner) (herald.Claim, error) {
		var c herald.Claim
		var old herald.TargetState
		t := &c.Target
		err := r.Scan(&old, &t.ID, &t.PostID, &t.WorkspaceID, &t.AccountID, &t.Variant, &t.State, &t.ScheduledAt,
			&t.RemoteID, &t.RemoteURL, &t.LastError, &t.PublishedAt, &t.DueAt, &t.Attempts, &t.Progress, &t.HeldBy,
			&t.HeldAt, &t.HeldReason, &t.Version, &t.CreatedAt, &t.UpdatedAt, &t.RemoteDeletedAt, &t.EditedAt,
			&c.AttemptID, &c.PostText)
		c.Attempt, c.Recovered = t.Attempts, old == herald.StatePublishing
		if !slices.Contains(accountIDs, t.AccountID) {
			accountIDs = append(accountIDs, t.AccountID)
		}
		return c, err
	})
	if err != nil {
		return nil, dbErr("claim targets", err)
	}
	if len(claims) == 0 {
		return []herald.Claim{}, nil
	}
	// The accounts are read after the commit: a change made since (a
	// pause, a revocation) is the dispatcher's to notice when it publishes,
	// as it would be a moment later anyway.
	rows, err = s.q.Query(ctx, `SELECT `+accountCols+` FROM accounts WHERE id = ANY($1)`, accountIDs)
	if err != nil {
		return nil, dbErr("claim targets: load accounts", err)
	}
	accounts := make(map[int64]herald.Account, len(accountIDs))
	if _, err := collect(rows, func(r scanner) (struct{}, error) {
		a, err := scanAccount(r)
		accounts[a.ID] = a
		return struct{}{}, err
	}); err != nil {
		return nil, dbErr("claim targets: load accounts", err)
	}
	for i := range claims {
		claims[i].Account = accounts[claims[i].Target.AccountID]
	}
	return claims, nil
}

// prefixCols qualifies each of a comma-separated column list with prefix.
func prefixCols(prefix, cols string) string {
	parts := strings.Split(cols, ",")
	for i, c := range parts {
		parts[i] = prefix + strings.TrimSpace(c)
	}
	return strings.Join(parts, ", ")
}

func compareIDs(a, b int64) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

// ExpiredLeases returns up to limit publishing targets whose lease ended
// before now or whose owner's heartbeat ran out, oldest lease first. Targets that could not be claimed now
// (paused, account waiting for a reconnect) are left out.
//
// They are looked for among the targets of the attempts under way
// (attempts_open_idx): every lease has one, and no index over the lease
// slows claims down (see migration 00018).
func (s store) ExpiredLeases(ctx context.Context, now time.Time, limit int) ([]int64, error) {
	if limit <= 0 {
		return []int64{}, nil
	}
	rows, err := s.q.Query(ctx, `SELECT t.id FROM targets t WHERE t.id IN (`+leased+`)
		AND t.state = 'publishing' AND `+deadOwner+` AND `+publishable+`
		ORDER BY t.lease_until, t.id LIMIT $1`, limit, now)
	if err != nil {
		return nil, dbErr("expired leases", err)
	}
	out, err := collect(rows, func(r scanner) (int64, error) {
		var id int64
		err := r.Scan(&id)
		return id, err
	})
	return out, dbErr("expired leases", err)
}

// checkCompletions refuses a batch with a completion the store cannot
// write: a destination publishing cannot move to, a retry without a time,
// a target twice.
func checkCompletions(cs []herald.Completion) error {
	var p herald.Problems
	seen := map[int64]bool{}
	for i, c := range cs {
		field := fmt.Sprintf("completions[%d]", i)
		if !herald.CanTransition(herald.StatePublishing, c.To) {
			p.Add(field+".to", "a publishing target cannot become %q: use published, retrying, unconfirmed or failed", c.To)
		}
		if c.To == herald.StateRetrying && c.DueAt == nil {
			p.Add(field+".due_at", "is required for a retry: say when to try again")
		}
		if c.Owner == "" {
			p.Add(field+".owner", "is required: name the instance that claimed the target")
		}
		if seen[c.TargetID] {
			p.Add(field+".target_id", "target %d is completed twice in one batch", c.TargetID)
		}
		seen[c.TargetID] = true
	}
	return p.Err("the completions are not valid")
}

// CompleteTargets writes a batch of completions in one statement (one
// commit): the targets' new state, their transitions and their attempts'
// end.
// Completions whose target is no longer publishing under their Owner's
// lease are skipped and returned.
func (s store) CompleteTargets(ctx context.Context, cs []herald.Completion) ([]int64, error) {
	if err := checkCompletions(cs); err != nil {
		return nil, err
	}
	skipped := []int64{}
	if len(cs) == 0 {
		return skipped, nil
	}
	n := len(cs)
	var (
		wsIDs, targetIDs, attemptIDs, durations = make([]int64, n), make([]int64, n), make([]int64, n), make([]int64, n)
		owners, tos, outcomes, errs             = make([]string, n), make([]string, n), make([]string, n), make([]string, n)
		remoteIDs, remoteURLs                   = make([]string, n), make([]string, n)
		statuses                                = make([]int32, n)
		progress                                = make([]*string, n)
		dues, finished                          = make([]*time.Time, n), make([]time.Time, n)
	)
	for i, c := range cs {
		wsIDs[i], targetIDs[i], attemptIDs[i], durations[i] = c.WorkspaceID, c.TargetID, c.AttemptID, c.DurationMS
		owners[i], tos[i], outcomes[i], errs[i] = c.Owner, string(c.To), string(c.Outcome), c.Error
		remoteIDs[i], remoteURLs[i], statuses[i] = c.RemoteID, c.RemoteURL, int32(c.HTTPStatus)
		if c.Progress != nil {
			b, err := herald.MarshalProgress(*c.Progress)
			if err != nil {
				return nil, fmt.Errorf("postgres: complete targets: encode progress: %w", err)
			}
			p := string(b)
			progress[i] = &p
		}
		if c.To == herald.StateRetrying {
			dues[i] = c.DueAt
		}
		finished[i] = c.FinishedAt
		stamp(&finished[i])
	}
	// Planned afresh for each batch (an unnamed statement): a cached
	// generic plan guesses unnest yields 10 rows and may join the batch to
	// the publishing targets by comparing every pair, 250,000 comparisons
	// for 500 completions.
	rows, err := s.q.Query(ctx, `WITH v AS (
			SELECT * FROM unnest($1::bigint[], $2::bigint[], $3::bigint[], $4::text[], $5::text[], $6::text[],
				$7::int[], $8::text[], $9::text[], $10::text[], $11::text[], $12::timestamptz[], $13::timestamptz[],
				$14::bigint[])
			AS v(workspace_id, target_id, attempt_id, owner, to_state, outcome, http_status, error, remote_id,
				remote_url, progress, due_at, finished_at, duration_ms)),
		done AS (
			UPDATE targets t SET state = v.to_state,
				remote_id = CASE WHEN v.remote_id <> '' THEN v.remote_id ELSE t.remote_id END,
				remote_url = CASE WHEN v.remote_url <> '' THEN v.remote_url ELSE t.remote_url END,
				last_error = v.error,
				published_at = CASE WHEN v.to_state = 'published' THEN COALESCE(t.published_at, v.finished_at)
					ELSE t.published_at END,
				due_at = v.due_at, progress = COALESCE(v.progress::jsonb, t.progress),
				lease_owner = '', lease_until = NULL, updated_at = v.finished_at, version = t.version + 1
			FROM v WHERE t.id = v.target_id AND t.workspace_id = v.workspace_id
				AND t.state = 'publishing' AND t.lease_owner = v.owner
			RETURNING t.id),
		transitions AS (
			INSERT INTO target_transitions (target_id, from_state, to_state, actor_id, reason, at)
			SELECT v.target_id, 'publishing', v.to_state, NULL, v.outcome, v.finished_at
			FROM v JOIN done ON done.id = v.target_id ORDER BY v.target_id),
		attempts_done AS (
			UPDATE attempts a SET finished_at = v.finished_at, duration_ms = v.duration_ms,
				http_status = v.http_status, outcome = v.outcome, remote_id = v.remote_id, error = v.error
			FROM v JOIN done ON done.id = v.target_id
			WHERE a.id = v.attempt_id AND a.target_id = v.target_id)
		SELECT id FROM done`, pgx.QueryExecModeDescribeExec,
		wsIDs, targetIDs, attemptIDs, owners, tos, outcomes, statuses, errs, remoteIDs, remoteURLs, progress, dues,
		finished, durations)
	if err != nil {
		return nil, dbErr("complete targets", err)
	}
	done, err := collect(rows, func(r scanner) (int64, error) {
		var id int64
		err := r.Scan(&id)
		return id, err
	})
	if err != nil {
		return nil, dbErr("complete targets", err)
	}
	written := make(map[int64]bool, len(done))
	for _, id := range done {
		written[id] = true
	}
	for _, c := range cs {
		if !written[c.TargetID] {
			skipped = append(skipped, c.TargetID)
		}
	}
	return skipped, nil
}

// SaveProgress records what a multi-part publication has confirmed, if
// the target is still publishing under owner's lease (else ErrConflict).
func (s store) SaveProgress(ctx context.Context, targetID int64, owner string, p herald.Progress) error {
	tag, err := s.q.Exec(ctx, `UPDATE targets SET progress = $3 WHERE id = $1 AND state = 'publishing'
		AND lease_owner = $2`, targetID, owner, p)
	if err != nil {
		return dbErr("save progress", err)
	}
	if tag.RowsAffected() > 0 {
		return nil
	}
	var exists bool
	if err := s.q.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM targets WHERE id = $1)`, targetID).Scan(&exists); err != nil {
		return dbErr("save progress", err)
	}
	if !exists {
		return missing("target")
	}
	return herald.Errorf(herald.CodeConflict, "target %d is no longer publishing under the lease of %s", targetID, owner)
}

const attemptCols = `id, workspace_id, target_id, number, instance, started_at, finished_at, duration_ms,
	http_status, outcome, remote_id, error`

func scanAttempt(r scanner) (herald.Attempt, error) {
	var a herald.Attempt
	err := r.Scan(&a.ID, &a.WorkspaceID, &a.TargetID, &a.Number, &a.Instance, &a.StartedAt, &a.FinishedAt,
		&a.DurationMS, &a.HTTPStatus, &a.Outcome, &a.RemoteID, &a.Error)
	return a, err
}

// ListAttempts returns the workspace's target's attempts, oldest first.
func (s store) ListAttempts(ctx context.Context, workspaceID, targetID int64) ([]herald.Attempt, error) {
	var exists bool
	err := s.q.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM targets WHERE workspace_id = $1 AND id = $2)`,
		workspaceID, targetID).Scan(&exists)
	if err != nil {
		return nil, dbErr("list attempts", err)
	}
	if !exists {
		return nil, missing("target")
	}
	rows, err := s.q.Query(ctx, `SELECT `+attemptCols+` FROM attempts WHERE workspace_id = $1 AND target_id = $2
		ORDER BY id`, workspaceID, targetID)
	if err != nil {
		return nil, dbErr("list attempts", err)
	}
	out, err := collect(rows, scanAttempt)
	return out, dbErr("list attempts", err)
}

// HoldTargets moves the workspace's scheduled and retrying targets (ids
// nil: all of them) to held, saying who, when and why. It waits for rows
// a claim is moving, which then are publishing and no longer held.
func (s store) HoldTargets(ctx context.Context, workspaceID int64, ids []int64, actorID *int64, reason string, now time.Time) (int, error) {
	if ids != nil && len(ids) == 0 {
		return 0, nil
	}
	stamp(&now)
	tag, err := s.q.Exec(ctx, `WITH picked AS (
			SELECT id AS picked_id, state AS old_state FROM targets
			WHERE workspace_id = $1 AND state IN ('scheduled', 'retrying') AND ($2::bigint[] IS NULL OR id = ANY($2))
			ORDER BY id FOR UPDATE),
		held AS (
			UPDATE targets SET state = 'held', held_by = $3, held_at = $5, held_reason = $4, due_at = NULL,
				updated_at = $5, version = version + 1
			FROM picked WHERE id = picked_id
			RETURNING id, old_state)
		INSERT INTO target_transitions (target_id, from_state, to_state, actor_id, reason, at)
		SELECT id, old_state, 'held', $3, $4, $5 FROM held ORDER BY id`,
		workspaceID, ids, actorID, reason, now)
	if err != nil {
		return 0, dbErr("hold targets", err)
	}
	return int(tag.RowsAffected()), nil
}

// ResumeTargets moves the workspace's held targets (ids nil: all of them)
// back to scheduled, due at their time (at once if it passed), or to
// in_review when reapprove is set.
func (s store) ResumeTargets(ctx context.Context, workspaceID int64, ids []int64, reapprove bool, actorID *int64, now time.Time) (int, error) {
	if ids != nil && len(ids) == 0 {
		return 0, nil
	}
	stamp(&now)
	to, reason := herald.StateScheduled, "resumed"
	if reapprove {
		to, reason = herald.StateInReview, "resumed for review"
	}
	tag, err := s.q.Exec(ctx, `WITH picked AS (
			SELECT id AS picked_id FROM targets
			WHERE workspace_id = $1 AND state = 'held' AND ($2::bigint[] IS NULL OR id = ANY($2))
			ORDER BY id FOR UPDATE),
		resumed AS (
			UPDATE targets SET state = $3, held_by = NULL, held_at = NULL, held_reason = '',
				due_at = CASE WHEN $3 = 'scheduled' THEN COALESCE(scheduled_at, $6) END,
				updated_at = $6, version = version + 1
			FROM picked WHERE id = picked_id
			RETURNING id)
		INSERT INTO target_transitions (target_id, from_state, to_state, actor_id, reason, at)
		SELECT id, 'held', $3, $4, $5, $6 FROM resumed ORDER BY id`,
		workspaceID, ids, to, actorID, reason, now)
	if err != nil {
		return 0, dbErr("resume targets", err)
	}
	return int(tag.RowsAffected()), nil
}

// SetPublishingPaused pauses (at non-nil) or resumes (nil) publishing for
// workspaceID, or for the installation when it is 0. Pausing what is
// already paused keeps the first time. Resuming notifies the dispatchers
// (a trigger).
func (s store) SetPublishingPaused(ctx context.Context, workspaceID int64, at *time.Time) error {
	const set = `publishing_paused_at = CASE WHEN $1::timestamptz IS NULL THEN NULL
		ELSE COALESCE(publishing_paused_at, $1) END`
	var err error
	var affected int64
	if workspaceID == 0 {
		tag, e := s.q.Exec(ctx, `UPDATE installation_settings SET `+set+` WHERE id = 1`, at)
		err, affected = e, tag.RowsAffected()
	} else {
		tag, e := s.q.Exec(ctx, `UPDATE workspaces SET `+set+` WHERE id = $2`, at, workspaceID)
		err, affected = e, tag.RowsAffected()
	}
	if err != nil {
		return dbErr("set publishing paused", err)
	}
	if affected == 0 {
		return missing("workspace")
	}
	return nil
}

// PublishingPaused reports since when publishing is paused for
// workspaceID (0: the installation), or nil.
func (s store) PublishingPaused(ctx context.Context, workspaceID int64) (*time.Time, error) {
	var at *time.Time
	var err error
	if workspaceID == 0 {
		err = s.q.QueryRow(ctx, `SELECT publishing_paused_at FROM installation_settings WHERE id = 1`).Scan(&at)
	} else {
		err = s.q.QueryRow(ctx, `SELECT publishing_paused_at FROM workspaces WHERE id = $1`, workspaceID).Scan(&at)
	}
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, missing("workspace")
	}
	if err != nil {
		return nil, dbErr("publishing paused", err)
	}
	return at, nil
}
