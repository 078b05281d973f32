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

var _ herald.TaskStore = (*store)(nil)

// taskSelect reads a task with its assignee's name, whether the assignee
// left the workspace, its campaign's name and its number of comments.
const taskSelect = `SELECT t.id, t.workspace_id, t.title, t.description, t.assignee_id, t.due_at, t.state,
	t.post_id, t.campaign_id, t.position, t.checklist, t.created_by, t.source_key, t.version, t.created_at, t.updated_at,
	COALESCE(u.name, ''), t.assignee_id IS NOT NULL AND m.user_id IS NULL, COALESCE(c.name, ''),
	(SELECT COUNT(*) FROM task_comments tc WHERE tc.task_id = t.id)
	FROM tasks t
	LEFT JOIN users u ON u.id = t.assignee_id
	LEFT JOIN memberships m ON m.workspace_id = t.workspace_id AND m.user_id = t.assignee_id
	LEFT JOIN campaigns c ON c.id = t.campaign_id`

func scanTask(sc scanner) (herald.Task, error) {
	var t herald.Task
	var assignee, post, campaign, due sql.NullInt64
	var source sql.NullString
	var checklist string
	var created, updated int64
	err := sc.Scan(&t.ID, &t.WorkspaceID, &t.Title, &t.Description, &assignee, &due, &t.State, &post, &campaign,
		&t.Position, &checklist, &t.CreatedBy, &source, &t.Version, &created, &updated,
		&t.AssigneeName, &t.AssigneeLeft, &t.CampaignName, &t.Comments)
	if err != nil {
		return t, err
	}
	t.AssigneeID, t.PostID, t.CampaignID = assignee.Int64, post.Int64, campaign.Int64
	t.Due, t.SourceKey = fromNullMicros(due), source.String
	t.CreatedAt, t.UpdatedAt = fromMicros(created), fromMicros(updated)
	if err := json.Unmarshal([]byte(checklist), &t.Checklist); err != nil {
		return t, fmt.Errorf("sqlite: task %d checklist: %w", t.ID, err)
	}
	return t, nil
}

// zeroNull stores an optional id: 0 is NULL.
func zeroNull(v int64) any {
	if v == 0 {
		return nil
	}
	return v
}

func emptyNull(s string) any {
	if s == "" {
		return nil
	}
	return s
}

func checklistJSON(items []herald.ChecklistItem) (string, error) {
	if items == nil {
		items = []herald.ChecklistItem{}
	}
	return toJSON(items)
}

const taskMissing = "the task's workspace, assignee, post or campaign does not exist"

// CreateTask inserts t with version 1 and sets its ID.
func (s *store) CreateTask(ctx context.Context, t *herald.Task) error {
	t.CreatedAt = stamp(t.CreatedAt)
	if t.UpdatedAt.IsZero() {
		t.UpdatedAt = t.CreatedAt
	}
	t.UpdatedAt, t.Due, t.Version = stamp(t.UpdatedAt), stampPtr(t.Due), 1
	checklist, err := checklistJSON(t.Checklist)
	if err != nil {
		return err
	}
	err = s.w.QueryRowContext(ctx, `INSERT INTO tasks (workspace_id, title, description, assignee_id, due_at, state,
		post_id, campaign_id, position, checklist, created_by, source_key, version, created_at, updated_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 1, ?, ?) RETURNING id`,
		t.WorkspaceID, t.Title, t.Description, zeroNull(t.AssigneeID), microsOrNil(t.Due), t.State,
		zeroNull(t.PostID), zeroNull(t.CampaignID), t.Position, checklist, t.CreatedBy, emptyNull(t.SourceKey),
		micros(t.CreatedAt), micros(t.UpdatedAt)).Scan(&t.ID)
	return dbErr(err, "create task", "a task was already made for this event", taskMissing)
}

// GetTask returns task id of workspaceID.
func (s *store) GetTask(ctx context.Context, workspaceID, id int64) (herald.Task, error) {
	t, err := scanTask(s.r.QueryRowContext(ctx, taskSelect+` WHERE t.workspace_id = ? AND t.id = ?`, workspaceID, id))
	if err != nil {
		return herald.Task{}, getErr(err, "task")
	}
	return t, nil
}

// UpdateTask saves t if its stored version is expectedVersion.
func (s *store) UpdateTask(ctx context.Context, t *herald.Task, expectedVersion int64) error {
	t.UpdatedAt, t.Due = stamp(t.UpdatedAt), stampPtr(t.Due)
	checklist, err := checklistJSON(t.Checklist)
	if err != nil {
		return err
	}
	res, err := s.w.ExecContext(ctx, `UPDATE tasks SET title = ?, description = ?, assignee_id = ?, due_at = ?, state = ?,
		post_id = ?, campaign_id = ?, position = ?, checklist = ?, version = version + 1, updated_at = ?
		WHERE workspace_id = ? AND id = ? AND version = ?`,
		t.Title, t.Description, zeroNull(t.AssigneeID), microsOrNil(t.Due), t.State, zeroNull(t.PostID),
		zeroNull(t.CampaignID), t.Position, checklist, micros(t.UpdatedAt), t.WorkspaceID, t.ID, expectedVersion)
	if err != nil {
		return dbErr(err, "update task", "", taskMissing)
	}
	if n, err := res.RowsAffected(); err != nil {
		return fmt.Errorf("sqlite: update task: %w", err)
	} else if n == 0 {
		if _, err := s.GetTask(ctx, t.WorkspaceID, t.ID); err != nil {
			return err
		}
		return &herald.Error{Code: herald.CodeConflict, Message: "the task was changed by someone else: reload it and try again"}
	}
	t.Version = expectedVersion + 1
	return nil
}

// DeleteTask deletes task id of workspaceID and its comments.
func (s *store) DeleteTask(ctx context.Context, workspaceID, id int64) error {
	return s.deleteKit(ctx, "tasks", "task", workspaceID, id, "")
}

// taskWhere returns the WHERE clause and arguments of f.
func taskWhere(f herald.TaskFilter, withState bool) (string, []any) {
	var b strings.Builder
	b.WriteString(` WHERE t.workspace_id = ?`)
	args := []any{f.WorkspaceID}
	add := func(cond string, v ...any) {
		b.WriteString(" AND " + cond)
		args = append(args, v...)
	}
	if withState && f.State != "" {
		add("t.state = ?", f.State)
	}
	if f.OpenOnly {
		add("t.state <> 'done'")
	}
	switch {
	case f.AssigneeID > 0:
		add("t.assignee_id = ?", f.AssigneeID)
	case f.AssigneeID < 0:
		add("t.assignee_id IS NULL")
	}
	if f.CampaignID != 0 {
		add("t.campaign_id = ?", f.CampaignID)
	}
	if f.PostID != 0 {
		add("t.post_id = ?", f.PostID)
	}
	if f.DueBefore != nil {
		add("t.due_at < ?", micros(*f.DueBefore))
	}
	if f.DueAfter != nil {
		add("t.due_at >= ?", micros(*f.DueAfter))
	}
	return b.String(), args
}

// ListTasks returns the tasks f selects.
func (s *store) ListTasks(ctx context.Context, f herald.TaskFilter) ([]herald.Task, error) {
	where, args := taskWhere(f, true)
	q := taskSelect + where
	if f.Order == herald.TaskByDue {
		q += ` ORDER BY t.due_at IS NULL, t.due_at, t.id`
	} else if f.State != "" {
		q += ` ORDER BY t.position, t.id` // one column: the board's index gives the order
	} else {
		q += ` ORDER BY CASE t.state WHEN 'todo' THEN 0 WHEN 'doing' THEN 1 WHEN 'in_review' THEN 2 ELSE 3 END, t.position, t.id`
	}
	if f.Limit > 0 {
		q += fmt.Sprintf(` LIMIT %d`, f.Limit)
	}
	return listRows(ctx, s, "tasks", q, args, scanTask)
}

// CountTasks counts the tasks f selects in each state.
func (s *store) CountTasks(ctx context.Context, f herald.TaskFilter) (map[herald.TaskState]int, error) {
	where, args := taskWhere(f, false)
	type count struct {
		state herald.TaskState
		n     int
	}
	rows, err := listRows(ctx, s, "task counts", `SELECT t.state, COUNT(*) FROM tasks t`+where+` GROUP BY t.state`, args,
		func(sc scanner) (count, error) {
			var c count
			return c, sc.Scan(&c.state, &c.n)
		})
	if err != nil {
		return nil, err
	}
	out := map[herald.TaskState]int{}
	for _, c := range rows {
		out[c.state] = c.n
	}
	return out, nil
}

// TaskPositionNear returns the nearest position above or below pos in the
// state's column.
func (s *store) TaskPositionNear(ctx context.Context, workspaceID int64, state herald.TaskState, pos float64, above bool) (float64, bool, error) {
	q := `SELECT MAX(position) FROM tasks WHERE workspace_id = ? AND state = ? AND position < ?`
	if above {
		q = `SELECT MIN(position) FROM tasks WHERE workspace_id = ? AND state = ? AND position > ?`
	}
	var v sql.NullFloat64
	if err := s.r.QueryRowContext(ctx, q, workspaceID, state, pos).Scan(&v); err != nil {
		return 0, false, fmt.Errorf("sqlite: task position: %w", err)
	}
	return v.Float64, v.Valid, nil
}

// ListTasksDue returns the open assigned tasks due in [from, to).
func (s *store) ListTasksDue(ctx context.Context, from, to time.Time) ([]herald.Task, error) {
	return listRows(ctx, s, "due tasks", taskSelect+` WHERE t.state <> 'done' AND t.assignee_id IS NOT NULL
		AND t.due_at >= ? AND t.due_at < ? ORDER BY t.due_at, t.id`, []any{micros(from), micros(to)}, scanTask)
}

const taskCommentSelect = `SELECT c.id, c.workspace_id, c.task_id, c.author_id, COALESCE(u.name, ''), c.body, c.mentions, c.created_at
	FROM task_comments c LEFT JOIN users u ON u.id = c.author_id`

func scanTaskComment(sc scanner) (herald.TaskComment, error) {
	var c herald.TaskComment
	var mentions string
	var created int64
	if err := sc.Scan(&c.ID, &c.WorkspaceID, &c.TaskID, &c.AuthorID, &c.AuthorName, &c.Body, &mentions, &created); err != nil {
		return c, err
	}
	c.CreatedAt = fromMicros(created)
	return c, json.Unmarshal([]byte(mentions), &c.Mentions)
}

// CreateTaskComment inserts c and sets its ID.
func (s *store) CreateTaskComment(ctx context.Context, c *herald.TaskComment) error {
	if _, err := s.GetTask(ctx, c.WorkspaceID, c.TaskID); err != nil {
		return err
	}
	c.CreatedAt = stamp(c.CreatedAt)
	if c.Mentions == nil {
		c.Mentions = []int64{}
	}
	mentions, err := toJSON(c.Mentions)
	if err != nil {
		return err
	}
	err = s.w.QueryRowContext(ctx, `INSERT INTO task_comments (workspace_id, task_id, author_id, body, mentions, created_at)
		VALUES (?, ?, ?, ?, ?, ?) RETURNING id`, c.WorkspaceID, c.TaskID, c.AuthorID, c.Body, mentions,
		micros(c.CreatedAt)).Scan(&c.ID)
	return dbErr(err, "create task comment", "", "the comment's author does not exist")
}

// ListTaskComments returns a task's comments, oldest first.
func (s *store) ListTaskComments(ctx context.Context, workspaceID, taskID int64) ([]herald.TaskComment, error) {
	return listRows(ctx, s, "task comments", taskCommentSelect+` WHERE c.workspace_id = ? AND c.task_id = ? ORDER BY c.id`,
		[]any{workspaceID, taskID}, scanTaskComment)
}

// DeleteTaskComment deletes comment id of task taskID.
func (s *store) DeleteTaskComment(ctx context.Context, workspaceID, taskID, id int64) error {
	res, err := s.w.ExecContext(ctx, `DELETE FROM task_comments WHERE workspace_id = ? AND task_id = ? AND id = ?`,
		workspaceID, taskID, id)
	if err != nil {
		return dbErr(err, "delete task comment", "", "")
	}
	return affected(res, "comment")
}

const taskSetCols = `id, workspace_id, name, items, created_at, updated_at`

func scanTaskSet(sc scanner) (herald.TaskTemplateSet, error) {
	var t herald.TaskTemplateSet
	var items string
	var created, updated int64
	if err := sc.Scan(&t.ID, &t.WorkspaceID, &t.Name, &items, &created, &updated); err != nil {
		return t, err
	}
	t.CreatedAt, t.UpdatedAt = fromMicros(created), fromMicros(updated)
	return t, json.Unmarshal([]byte(items), &t.Items)
}

func taskSetClash(name string) string {
	return fmt.Sprintf("a template set named %q already exists", name)
}

// CreateTaskTemplateSet inserts ts and sets its ID.
func (s *store) CreateTaskTemplateSet(ctx context.Context, ts *herald.TaskTemplateSet) error {
	ts.CreatedAt = stamp(ts.CreatedAt)
	if ts.UpdatedAt.IsZero() {
		ts.UpdatedAt = ts.CreatedAt
	}
	ts.UpdatedAt = stamp(ts.UpdatedAt)
	items, err := toJSON(ts.Items)
	if err != nil {
		return err
	}
	err = s.w.QueryRowContext(ctx, `INSERT INTO task_template_sets (workspace_id, name, items, created_at, updated_at)
		VALUES (?, ?, ?, ?, ?) RETURNING id`, ts.WorkspaceID, ts.Name, items, micros(ts.CreatedAt), micros(ts.UpdatedAt)).Scan(&ts.ID)
	return dbErr(err, "create template set", taskSetClash(ts.Name), fmt.Sprintf("there is no workspace %d", ts.WorkspaceID))
}

// GetTaskTemplateSet returns template set id of workspaceID.
func (s *store) GetTaskTemplateSet(ctx context.Context, workspaceID, id int64) (herald.TaskTemplateSet, error) {
	ts, err := scanTaskSet(s.r.QueryRowContext(ctx, `SELECT `+taskSetCols+` FROM task_template_sets
		WHERE workspace_id = ? AND id = ?`, workspaceID, id))
	if err != nil {
		return ts, getErr(err, "template set")
	}
	return ts, nil
}

// ListTaskTemplateSets returns a workspace's template sets by name.
func (s *store) ListTaskTemplateSets(ctx context.Context, workspaceID int64) ([]herald.TaskTemplateSet, error) {
	return listRows(ctx, s, "template sets", `SELECT `+taskSetCols+` FROM task_template_sets WHERE workspace_id = ?
		ORDER BY name COLLATE NOCASE, id`, []any{workspaceID}, scanTaskSet)
}

// UpdateTaskTemplateSet saves the set's name and items.
func (s *store) UpdateTaskTemplateSet(ctx context.Context, ts *herald.TaskTemplateSet) error {
	ts.UpdatedAt = stamp(ts.UpdatedAt)
	items, err := toJSON(ts.Items)
	if err != nil {
		return err
	}
	res, err := s.w.ExecContext(ctx, `UPDATE task_template_sets SET name = ?, items = ?, updated_at = ?
		WHERE workspace_id = ? AND id = ?`, ts.Name, items, micros(ts.UpdatedAt), ts.WorkspaceID, ts.ID)
	if err != nil {
		return dbErr(err, "update template set", taskSetClash(ts.Name), "")
	}
	return affected(res, "template set")
}

// DeleteTaskTemplateSet deletes template set id of workspaceID.
func (s *store) DeleteTaskTemplateSet(ctx context.Context, workspaceID, id int64) error {
	return s.deleteKit(ctx, "task_template_sets", "template set", workspaceID, id, "")
}
