package sqlite

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"time"

	"github.com/heraldsocial/herald/internal/herald"
)

// The publishing side of the store (herald.PublishStore). Id lists travel
// as one JSON array parameter read with json_each, so a batch of any size
// is one statement and never meets SQLite's parameter limit. Claims need
// no row locks: every write goes through the one write connection, in an
// IMMEDIATE transaction.

var _ herald.PublishStore = (*store)(nil)

// publishable holds for a target t whose account may publish (not paused,
// not waiting for a reconnect) in a workspace and an installation whose
// publishing is not paused.
const publishable = `EXISTS (SELECT 1 FROM accounts a WHERE a.id = t.account_id AND a.paused_at IS NULL
		AND a.status NOT IN ('expired', 'revoked'))
	AND EXISTS (SELECT 1 FROM workspaces w WHERE w.id = t.workspace_id AND w.publishing_paused_at IS NULL)
	AND NOT EXISTS (SELECT 1 FROM installation_settings i WHERE i.publishing_paused_at IS NOT NULL)`

// inJSON is the right side of "id IN …" for a JSON array parameter.
const inJSON = `(SELECT value FROM json_each(?))`

// idsJSON encodes ids as a JSON array.
func idsJSON(ids []int64) string {
	b, _ := json.Marshal(ids) // an []int64 always encodes
	return string(b)
}

// NextDue returns up to limit publishable targets due at or before until,
// earliest first.
func (s *store) NextDue(ctx context.Context, until time.Time, limit int) ([]herald.DueTarget, error) {
	return s.nextDue(ctx, math.MinInt64, 0, micros(until), limit)
}

// NextDueAfter returns up to limit publishable targets after after (by due
// time, then id) and due at or before until, earliest first.
func (s *store) NextDueAfter(ctx context.Context, after herald.DueTarget, until time.Time, limit int) ([]herald.DueTarget, error) {
	return s.nextDue(ctx, micros(after.DueAt), after.ID, micros(until), limit)
}

// nextDue lists the publishable targets after (afterDue, afterID) and due
// at or before until, times in microseconds.
func (s *store) nextDue(ctx context.Context, afterDue, afterID, until int64, limit int) ([]herald.DueTarget, error) {
	out := []herald.DueTarget{}
	if limit <= 0 {
		return out, nil
	}
	// Without statistics SQLite would rather read the (state, scheduled_at)
	// index and sort; the partial index is already in due order and holds
	// only waiting targets.
	rows, err := s.r.QueryContext(ctx, `SELECT t.id, t.due_at FROM targets t INDEXED BY targets_next_due
		WHERE t.state IN ('scheduled', 'retrying') AND t.due_at >= ? AND (t.due_at > ? OR t.id > ?)
		  AND t.due_at <= ? AND `+publishable+`
		ORDER BY t.due_at, t.id LIMIT ?`, afterDue, afterDue, afterID, until, limit)
	if err != nil {
		return nil, fmt.Errorf("sqlite: next due: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var d herald.DueTarget
		var due int64
		if err := rows.Scan(&d.ID, &due); err != nil {
			return nil, fmt.Errorf("sqlite: next due: %w", err)
		}
		d.DueAt = fromMicros(due)
		out = append(out, d)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("sqlite: next due: %w", err)
	}
	return out, nil
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
// owner, with a transition and an attempt each, in one transaction.
func (s *store) ClaimTargets(ctx context.Context, ids []int64, owner string, now, leaseUntil time.Time) ([]herald.Claim, error) {
	if err := checkClaim(owner, now, leaseUntil); err != nil {
		return nil, err
	}
	claims := []herald.Claim{}
	if len(ids) == 0 {
		return claims, nil
	}
	now = stamp(now)
	leaseUntil = stamp(leaseUntil)
	err := s.atomic(ctx, func(q querier) error {
		// Which ids can be claimed, and which of them are recovered.
		rows, err := q.QueryContext(ctx, `SELECT t.id, t.state FROM targets t WHERE t.id IN `+inJSON+`
			AND ((t.state IN ('scheduled', 'retrying') AND t.due_at <= ?) OR (t.state = 'publishing' AND `+deadOwner+`))
			AND `+publishable+` ORDER BY t.id`, idsJSON(ids), micros(now), micros(now), micros(now))
		if err != nil {
			return fmt.Errorf("sqlite: claim targets: %w", err)
		}
		var picked []int64
		recovered := map[int64]bool{}
		for rows.Next() {
			var id int64
			var state herald.TargetState
			if err := rows.Scan(&id, &state); err != nil {
				rows.Close()
				return fmt.Errorf("sqlite: claim targets: %w", err)
			}
			picked = append(picked, id)
			recovered[id] = state == herald.StatePublishing
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return fmt.Errorf("sqlite: claim targets: %w", err)
		}
		if len(picked) == 0 {
			return nil
		}
		set := idsJSON(picked)
		// The transitions first, while the rows still show where they come from.
		if _, err := q.ExecContext(ctx, `INSERT INTO target_transitions (workspace_id, target_id, from_state, to_state,
			actor_id, reason, at) SELECT workspace_id, id, state, 'publishing', NULL, '', ? FROM targets
			WHERE id IN `+inJSON+` AND state != 'publishing' ORDER BY id`, micros(now), set); err != nil {
			return dbErr(err, "claim targets: record transitions", "", "")
		}
		// A taken-over lease ends its instance's attempt.
		if _, err := q.ExecContext(ctx, `UPDATE attempts SET outcome = ?, finished_at = ?,
			error = 'the instance ' || instance || ' stopped before recording an outcome'
			WHERE outcome = '' AND target_id IN (SELECT id FROM targets WHERE id IN `+inJSON+` AND state = 'publishing')`,
			string(herald.OutcomeLeaseLost), micros(now), set); err != nil {
			return dbErr(err, "claim targets: close lost attempts", "", "")
		}
		rows, err = q.QueryContext(ctx, `UPDATE targets SET state = 'publishing', lease_owner = ?, lease_until = ?,
			attempts = attempts + 1, updated_at = ?, version = version + 1
			WHERE id IN `+inJSON+` RETURNING `+targetCols, owner, micros(leaseUntil), micros(now), set)
		if err != nil {
			return dbErr(err, "claim targets", "", "")
		}
		byID := map[int64]*herald.Claim{}
		for rows.Next() {
			t, err := scanTarget(rows)
			if err != nil {
				rows.Close()
				return fmt.Errorf("sqlite: claim targets: %w", err)
			}
			claims = append(claims, herald.Claim{Target: t, Attempt: t.Attempts, Recovered: recovered[t.ID]})
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return fmt.Errorf("sqlite: claim targets: %w", err)
		}
		for i := range claims {
			byID[claims[i].Target.ID] = &claims[i]
		}
		if err := scanPairs(ctx, q, `INSERT INTO attempts (workspace_id, target_id, number, instance, started_at)
			SELECT workspace_id, id, attempts, ?, ? FROM targets WHERE id IN `+inJSON+` ORDER BY id
			RETURNING target_id, id`, []any{owner, micros(now), set}, func(targetID, attemptID int64) {
			byID[targetID].AttemptID = attemptID
		}); err != nil {
			return dbErr(err, "claim targets: record attempts", "", "")
		}
		accounts := map[int64]herald.Account{}
		rows, err = q.QueryContext(ctx, `SELECT `+accountCols+` FROM accounts
			WHERE id IN (SELECT account_id FROM targets WHERE id IN `+inJSON+`)`, set)
		if err != nil {
			return fmt.Errorf("sqlite: claim targets: load accounts: %w", err)
		}
		for rows.Next() {
			a, err := scanAccount(rows)
			if err != nil {
				rows.Close()
				return fmt.Errorf("sqlite: claim targets: load accounts: %w", err)
			}
			accounts[a.ID] = a
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return fmt.Errorf("sqlite: claim targets: load accounts: %w", err)
		}
		texts := map[int64]string{}
		rows, err = q.QueryContext(ctx, `SELECT id, text FROM posts
			WHERE id IN (SELECT post_id FROM targets WHERE id IN `+inJSON+`)`, set)
		if err != nil {
			return fmt.Errorf("sqlite: claim targets: load posts: %w", err)
		}
		for rows.Next() {
			var id int64
			var text string
			if err := rows.Scan(&id, &text); err != nil {
				rows.Close()
				return fmt.Errorf("sqlite: claim targets: load posts: %w", err)
			}
			texts[id] = text
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return fmt.Errorf("sqlite: claim targets: load posts: %w", err)
		}
		for i := range claims {
			c := &claims[i]
			c.Account, c.PostText = accounts[c.Target.AccountID], texts[c.Target.PostID]
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return claims, nil
}

// scanPairs runs query and hands each row's two integers to fn.
func scanPairs(ctx context.Context, q querier, query string, args []any, fn func(a, b int64)) error {
	rows, err := q.QueryContext(ctx, query, args...)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		var a, b int64
		if err := rows.Scan(&a, &b); err != nil {
			return err
		}
		fn(a, b)
	}
	return rows.Err()
}

// ExpiredLeases returns up to limit publishing targets whose lease ended
// before now or whose owner's heartbeat ran out, oldest lease first.
// Targets that could not be claimed now (paused, account waiting for a
// reconnect) are left out.
func (s *store) ExpiredLeases(ctx context.Context, now time.Time, limit int) ([]int64, error) {
	out := []int64{}
	if limit <= 0 {
		return out, nil
	}
	err := scanList(ctx, s.r, `SELECT t.id FROM targets t INDEXED BY targets_lease
		WHERE t.state = 'publishing' AND `+deadOwner+`
		AND `+publishable+` ORDER BY t.lease_until, t.id LIMIT ?`, []any{micros(now), micros(now), limit}, func(id int64) {
		out = append(out, id)
	})
	if err != nil {
		return nil, fmt.Errorf("sqlite: expired leases: %w", err)
	}
	return out, nil
}

// scanList runs query and hands each row's integer to fn.
func scanList(ctx context.Context, q querier, query string, args []any, fn func(int64)) error {
	rows, err := q.QueryContext(ctx, query, args...)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		var v int64
		if err := rows.Scan(&v); err != nil {
			return err
		}
		fn(v)
	}
	return rows.Err()
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

// CompleteTargets writes a batch of completions in one transaction, with
// statements prepared once. Completions whose target is no longer
// publishing under their Owner's lease are skipped and returned.
func (s *store) CompleteTargets(ctx context.Context, cs []herald.Completion) ([]int64, error) {
	if err := checkCompletions(cs); err != nil {
		return nil, err
	}
	skipped := []int64{}
	if len(cs) == 0 {
		return skipped, nil
	}
	retry := false
	err := s.atomic(ctx, func(q querier) error {
		tx, ok := q.(*sql.Tx)
		if !ok {
			return errors.New("sqlite: complete targets: not in a transaction")
		}
		update, err := tx.PrepareContext(ctx, `UPDATE targets SET state = ?1,
			remote_id = CASE WHEN ?2 != '' THEN ?2 ELSE remote_id END,
			remote_url = CASE WHEN ?3 != '' THEN ?3 ELSE remote_url END,
			last_error = ?4,
			published_at = CASE WHEN ?1 = 'published' THEN COALESCE(published_at, ?5) ELSE published_at END,
			due_at = ?6, progress = COALESCE(?7, progress), lease_owner = '', lease_until = NULL,
			updated_at = ?5, version = version + 1
			WHERE workspace_id = ?8 AND id = ?9 AND state = 'publishing' AND lease_owner = ?10`)
		if err != nil {
			return fmt.Errorf("sqlite: complete targets: prepare: %w", err)
		}
		defer update.Close()
		transition, err := tx.PrepareContext(ctx, `INSERT INTO target_transitions (workspace_id, target_id, from_state,
			to_state, actor_id, reason, at) VALUES (?, ?, 'publishing', ?, NULL, ?, ?)`)
		if err != nil {
			return fmt.Errorf("sqlite: complete targets: prepare: %w", err)
		}
		defer transition.Close()
		attempt, err := tx.PrepareContext(ctx, `UPDATE attempts SET finished_at = ?, duration_ms = ?, http_status = ?,
			outcome = ?, remote_id = ?, error = ? WHERE id = ? AND target_id = ?`)
		if err != nil {
			return fmt.Errorf("sqlite: complete targets: prepare: %w", err)
		}
		defer attempt.Close()
		for _, c := range cs {
			finished := stamp(c.FinishedAt)
			var progress any
			if c.Progress != nil {
				pj, err := toJSON(*c.Progress)
				if err != nil {
					return err
				}
				progress = pj
			}
			var due any
			if c.To == herald.StateRetrying {
				due = micros(*c.DueAt)
			}
			res, err := update.ExecContext(ctx, string(c.To), c.RemoteID, c.RemoteURL, c.Error, micros(finished),
				due, progress, c.WorkspaceID, c.TargetID, c.Owner)
			if err != nil {
				return dbErr(err, "complete target", "", "")
			}
			if n, err := res.RowsAffected(); err != nil {
				return fmt.Errorf("sqlite: complete targets: %w", err)
			} else if n == 0 {
				skipped = append(skipped, c.TargetID)
				continue
			}
			retry = retry || c.To == herald.StateRetrying
			if _, err := transition.ExecContext(ctx, c.WorkspaceID, c.TargetID, string(c.To), string(c.Outcome),
				micros(finished)); err != nil {
				return dbErr(err, "complete targets: record transition", "", "")
			}
			if _, err := attempt.ExecContext(ctx, micros(finished), c.DurationMS, c.HTTPStatus, string(c.Outcome),
				c.RemoteID, c.Error, c.AttemptID, c.TargetID); err != nil {
				return dbErr(err, "complete targets: record attempt", "", "")
			}
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	if retry {
		s.notifyDue()
	}
	return skipped, nil
}

// SaveProgress records what a multi-part publication has confirmed, if
// the target is still publishing under owner's lease (else ErrConflict).
func (s *store) SaveProgress(ctx context.Context, targetID int64, owner string, p herald.Progress) error {
	pj, err := toJSON(p)
	if err != nil {
		return err
	}
	return s.atomic(ctx, func(q querier) error {
		res, err := q.ExecContext(ctx, `UPDATE targets SET progress = ? WHERE id = ? AND state = 'publishing'
			AND lease_owner = ?`, pj, targetID, owner)
		if err != nil {
			return dbErr(err, "save progress", "", "")
		}
		if n, err := res.RowsAffected(); err != nil {
			return fmt.Errorf("sqlite: save progress: %w", err)
		} else if n > 0 {
			return nil
		}
		ok, err := exists(ctx, q, `SELECT 1 FROM targets WHERE id = ?`, targetID)
		if err != nil {
			return err
		}
		if !ok {
			return herald.NotFound("target")
		}
		return &herald.Error{Code: herald.CodeConflict,
			Message: fmt.Sprintf("target %d is no longer publishing under the lease of %s", targetID, owner)}
	})
}

const attemptCols = `id, workspace_id, target_id, number, instance, started_at, finished_at, duration_ms,
	http_status, outcome, remote_id, error`

func scanAttempt(sc scanner) (herald.Attempt, error) {
	var a herald.Attempt
	var started int64
	var finished sql.NullInt64
	if err := sc.Scan(&a.ID, &a.WorkspaceID, &a.TargetID, &a.Number, &a.Instance, &started, &finished,
		&a.DurationMS, &a.HTTPStatus, &a.Outcome, &a.RemoteID, &a.Error); err != nil {
		return a, err
	}
	a.StartedAt, a.FinishedAt = fromMicros(started), fromNullMicros(finished)
	return a, nil
}

// ListAttempts returns the workspace's target's attempts, oldest first.
func (s *store) ListAttempts(ctx context.Context, workspaceID, targetID int64) ([]herald.Attempt, error) {
	var out []herald.Attempt
	err := s.readTx(ctx, func(q querier) error {
		ok, err := exists(ctx, q, `SELECT 1 FROM targets WHERE workspace_id = ? AND id = ?`, workspaceID, targetID)
		if err != nil {
			return err
		}
		if !ok {
			return herald.NotFound("target")
		}
		rows, err := q.QueryContext(ctx, `SELECT `+attemptCols+` FROM attempts WHERE workspace_id = ? AND target_id = ?
			ORDER BY id`, workspaceID, targetID)
		if err != nil {
			return fmt.Errorf("sqlite: list attempts: %w", err)
		}
		defer rows.Close()
		out = []herald.Attempt{}
		for rows.Next() {
			a, err := scanAttempt(rows)
			if err != nil {
				return fmt.Errorf("sqlite: list attempts: %w", err)
			}
			out = append(out, a)
		}
		if err := rows.Err(); err != nil {
			return fmt.Errorf("sqlite: list attempts: %w", err)
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// selection returns the condition and arguments choosing a workspace's
// targets in one of states, among ids unless ids is nil.
func selection(workspaceID int64, ids []int64, states string) (string, []any) {
	cond := `workspace_id = ? AND state IN (` + states + `)`
	args := []any{workspaceID}
	if ids != nil {
		cond += ` AND id IN ` + inJSON
		args = append(args, idsJSON(ids))
	}
	return cond, args
}

// HoldTargets moves the workspace's scheduled and retrying targets (ids
// nil: all of them) to held, saying who, when and why.
func (s *store) HoldTargets(ctx context.Context, workspaceID int64, ids []int64, actorID *int64, reason string, now time.Time) (int, error) {
	if ids != nil && len(ids) == 0 {
		return 0, nil
	}
	now = stamp(now)
	cond, args := selection(workspaceID, ids, `'scheduled', 'retrying'`)
	var n int64
	err := s.atomic(ctx, func(q querier) error {
		if _, err := q.ExecContext(ctx, `INSERT INTO target_transitions (workspace_id, target_id, from_state, to_state,
			actor_id, reason, at) SELECT workspace_id, id, state, 'held', ?, ?, ? FROM targets WHERE `+cond+` ORDER BY id`,
			append([]any{nullInt(actorID), reason, micros(now)}, args...)...); err != nil {
			return dbErr(err, "hold targets: record transitions", "", "")
		}
		res, err := q.ExecContext(ctx, `UPDATE targets SET state = 'held', held_by = ?, held_at = ?, held_reason = ?,
			due_at = NULL, updated_at = ?, version = version + 1 WHERE `+cond,
			append([]any{nullInt(actorID), micros(now), reason, micros(now)}, args...)...)
		if err != nil {
			return dbErr(err, "hold targets", "", "")
		}
		n, err = res.RowsAffected()
		return err
	})
	if err != nil {
		return 0, err
	}
	return int(n), nil
}

// ResumeTargets moves the workspace's held targets (ids nil: all of them)
// back to scheduled, due at their time (at once if it passed), or to
// in_review when reapprove is set.
func (s *store) ResumeTargets(ctx context.Context, workspaceID int64, ids []int64, reapprove bool, actorID *int64, now time.Time) (int, error) {
	if ids != nil && len(ids) == 0 {
		return 0, nil
	}
	now = stamp(now)
	to, reason := herald.StateScheduled, "resumed"
	if reapprove {
		to, reason = herald.StateInReview, "resumed for review"
	}
	cond, args := selection(workspaceID, ids, `'held'`)
	var n int64
	err := s.atomic(ctx, func(q querier) error {
		if _, err := q.ExecContext(ctx, `INSERT INTO target_transitions (workspace_id, target_id, from_state, to_state,
			actor_id, reason, at) SELECT workspace_id, id, 'held', ?, ?, ?, ? FROM targets WHERE `+cond+` ORDER BY id`,
			append([]any{string(to), nullInt(actorID), reason, micros(now)}, args...)...); err != nil {
			return dbErr(err, "resume targets: record transitions", "", "")
		}
		// A target whose time passed while it was held is due at once.
		var due any
		if to == herald.StateScheduled {
			due = micros(now)
		}
		res, err := q.ExecContext(ctx, `UPDATE targets SET state = ?, held_by = NULL, held_at = NULL, held_reason = '',
			due_at = CASE WHEN ? IS NULL THEN NULL ELSE COALESCE(scheduled_at, ?) END,
			updated_at = ?, version = version + 1 WHERE `+cond,
			append([]any{string(to), due, due, micros(now)}, args...)...)
		if err != nil {
			return dbErr(err, "resume targets", "", "")
		}
		n, err = res.RowsAffected()
		return err
	})
	if err != nil {
		return 0, err
	}
	if n > 0 && to == herald.StateScheduled {
		s.notifyDue()
	}
	return int(n), nil
}

// SetPublishingPaused pauses (at non-nil) or resumes (nil) publishing for
// workspaceID, or for the installation when it is 0. Pausing what is
// already paused keeps the first time.
func (s *store) SetPublishingPaused(ctx context.Context, workspaceID int64, at *time.Time) error {
	at = stampPtr(at)
	const set = `publishing_paused_at = CASE WHEN ? IS NULL THEN NULL ELSE COALESCE(publishing_paused_at, ?) END`
	var res sql.Result
	var err error
	if workspaceID == 0 {
		res, err = s.w.ExecContext(ctx, `UPDATE installation_settings SET `+set+` WHERE id = 1`,
			microsOrNil(at), microsOrNil(at))
	} else {
		res, err = s.w.ExecContext(ctx, `UPDATE workspaces SET `+set+` WHERE id = ?`,
			microsOrNil(at), microsOrNil(at), workspaceID)
	}
	if err != nil {
		return dbErr(err, "set publishing paused", "", "")
	}
	if err := affected(res, "workspace"); err != nil {
		return err
	}
	if at == nil {
		s.notifyDue()
	}
	return nil
}

// PublishingPaused reports since when publishing is paused for
// workspaceID (0: the installation), or nil.
func (s *store) PublishingPaused(ctx context.Context, workspaceID int64) (*time.Time, error) {
	var paused sql.NullInt64
	var err error
	if workspaceID == 0 {
		err = s.r.QueryRowContext(ctx, `SELECT publishing_paused_at FROM installation_settings WHERE id = 1`).Scan(&paused)
	} else {
		err = s.r.QueryRowContext(ctx, `SELECT publishing_paused_at FROM workspaces WHERE id = ?`, workspaceID).Scan(&paused)
	}
	if err != nil {
		return nil, getErr(err, "workspace")
	}
	return fromNullMicros(paused), nil
}
