package postgres

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/jackc/pgx/v5/pgconn"

	"github.com/heraldsocial/herald/internal/herald"
)

var _ herald.TaskStore = store{}

// taskSelect reads a task with its assignee's name, whether the assignee
// left the workspace, its campaign's name and its number of comments.
const taskSelect = `SELECT t.id, t.workspace_id, t.title, t.description, COALESCE(t.assignee_id, 0), t.due_at, t.state,
	COALESCE(t.post_id, 0), COALESCE(t.campaign_id, 0), t.position, t.checklist, t.created_by, COALESCE(t.source_key, ''),
	t.version, t.created_at, t.updated_at,
	COALESCE(u.name, ''), t.assignee_id IS NOT NULL AND m.user_id IS NULL, COALESCE(c.name, ''),
	(SELECT COUNT(*) FROM task_comments tc WHERE tc.task_id = t.id)
	FROM tasks t
	LEFT JOIN users u ON u.id = t.assignee_id
	LEFT JOIN memberships m ON m.workspace_id = t.workspace_id AND m.user_id = t.assignee_id
	LEFT JOIN campaigns c ON c.id = t.campaign_id`

func scanTask(r scanner) (herald.Task, error) {
	var t herald.Task
	err := r.Scan(&t.ID, &t.WorkspaceID, &t.Title, &t.Description, &t.AssigneeID, &t.Due, &t.State, &t.PostID,
		&t.CampaignID, &t.Position, &t.Checklist, &t.CreatedBy, &t.SourceKey, &t.Version, &t.CreatedAt, &t.UpdatedAt,
		&t.AssigneeName, &t.AssigneeLeft, &t.CampaignName, &t.Comments)
	if t.Due != nil {
		d := t.Due.UTC()
		t.Due = &d
	}
	if t.Checklist == nil {
		t.Checklist = []herald.ChecklistItem{}
	}
	t.CreatedAt, t.UpdatedAt = t.CreatedAt.UTC(), t.UpdatedAt.UTC()
	return t, err
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

func checklistOf(items []herald.ChecklistItem) []herald.ChecklistItem {
	if items == nil {
		return []herald.ChecklistItem{}
	}
	return items
}

// taskErr names the task tables' constraints in words, and translates
// every other error as dbErr does.
func taskErr(op string, err error) error {
	var pe *pgconn.PgError
	if errors.As(err, &pe) {
		msg, field := "", ""
		switch pe.ConstraintName {
		case "tasks_source_key":
			msg, field = "a task was already made for this event", "source_key"
		case "tasks_assignee_fkey":
			msg, field = "the assignee does not exist", "assignee_id"
		case "tasks_post_fkey":
			msg, field = "the post does not exist", "post_id"
		case "tasks_campaign_fkey":
			msg, field = "the campaign does not exist", "campaign_id"
		case "tasks_workspace_fkey", "task_template_sets_workspace_fkey", "task_comments_workspace_fkey":
			msg, field = "the workspace does not exist", "workspace_id"
		case "task_comments_author_fkey":
			msg, field = "the comment's author does not exist", "author_id"
		case "task_comments_task_fkey":
			msg, field = "the task does not exist", "task_id"
		case "task_template_sets_name_key":
			msg, field = "a template set with this name already exists in the workspace (names ignore case)", "name"
		}
		if msg != "" {
			return &herald.Error{Code: herald.CodeConflict, Message: msg,
				Details: []herald.FieldProblem{{Field: field, Problem: msg}}, Err: fmt.Errorf("postgres: %s: %w", op, err)}
		}
	}
	return dbErr(op, err)
}

// CreateTask inserts t with version 1 and sets its ID.
func (s store) CreateTask(ctx context.Context, t *herald.Task) error {
	t.CreatedAt = stamp(&t.CreatedAt).UTC()
	if t.UpdatedAt.IsZero() {
		t.UpdatedAt = t.CreatedAt
	}
	t.Checklist, t.Version = checklistOf(t.Checklist), 1
	err := s.q.QueryRow(ctx, `INSERT INTO tasks (workspace_id, title, description, assignee_id, due_at, state,
		post_id, campaign_id, position, checklist, created_by, source_key, version, created_at, updated_at)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, 1, $13, $14) RETURNING id`,
		t.WorkspaceID, t.Title, t.Description, zeroNull(t.AssigneeID), t.Due, t.State,
		zeroNull(t.PostID), zeroNull(t.CampaignID), t.Position, t.Checklist, t.CreatedBy, emptyNull(t.SourceKey),
		t.CreatedAt, t.UpdatedAt).Scan(&t.ID)
	return taskErr("create task", err)
}

// GetTask returns the workspace's task id.
func (s store) GetTask(ctx context.Context, workspaceID, id int64) (herald.Task, error) {
	t, err := scanTask(s.q.QueryRow(ctx, taskSelect+` WHERE t.workspace_id = $1 AND t.id = $2`, workspaceID, id))
	if err != nil {
		return herald.Task{}, notFound("task", "get task", err)
	}
	return t, nil
}

// UpdateTask saves t if its stored version is expectedVersion.
func (s store) UpdateTask(ctx context.Context, t *herald.Task, expectedVersion int64) error {
	stamp(&t.UpdatedAt)
	t.Checklist = checklistOf(t.Checklist)
	tag, err := s.q.Exec(ctx, `UPDATE tasks SET title = $4, description = $5, assignee_id = $6, due_at = $7, state = $8,
		post_id = $9, campaign_id = $10, position = $11, checklist = $12, version = version + 1, updated_at = $13
		WHERE workspace_id = $1 AND id = $2 AND version = $3`,
		t.WorkspaceID, t.ID, expectedVersion, t.Title, t.Description, zeroNull(t.AssigneeID), t.Due, t.State,
		zeroNull(t.PostID), zeroNull(t.CampaignID), t.Position, t.Checklist, t.UpdatedAt)
	if err != nil {
		return taskErr("update task", err)
	}
	if tag.RowsAffected() == 0 {
		if _, err := s.GetTask(ctx, t.WorkspaceID, t.ID); err != nil {
			return err
		}
		return &herald.Error{Code: herald.CodeConflict, Message: "the task was changed by someone else: reload it and try again"}
	}
	t.Version = expectedVersion + 1
	return nil
}

// DeleteTask deletes the workspace's task id and its comments.
func (s store) DeleteTask(ctx context.Context, workspaceID, id int64) error {
	return s.deleteRow(ctx, "tasks", "task", workspaceID, id)
}

// deleteRow deletes row id of workspaceID from table.
func (s store) deleteRow(ctx context.Context, table, what string, workspaceID, id int64) error {
	tag, err := s.q.Exec(ctx, `DELETE FROM `+table+` WHERE workspace_id = $1 AND id = $2`, workspaceID, id)
	if err != nil {
		return dbErr("delete "+what, err)
	}
	if tag.RowsAffected() == 0 {
		return missing(what)
	}
	return nil
}

// taskWhere returns the WHERE clause and arguments of f.
func taskWhere(f herald.TaskFilter, withState bool) (string, []any) {
	var b strings.Builder
	b.WriteString(` WHERE t.workspace_id = $1`)
	args := []any{f.WorkspaceID}
	add := func(cond string, v any) {
		args = append(args, v)
		b.WriteString(" AND " + strings.ReplaceAll(cond, "?", "$"+strconv.Itoa(len(args))))
	}
	if withState && f.State != "" {
		add("t.state = ?", string(f.State))
	}
	if f.OpenOnly {
		b.WriteString(" AND t.state <> 'done'")
	}
	switch {
	case f.AssigneeID > 0:
		add("t.assignee_id = ?", f.AssigneeID)
	case f.AssigneeID < 0:
		b.WriteString(" AND t.assignee_id IS NULL")
	}
	if f.CampaignID != 0 {
		add("t.campaign_id = ?", f.CampaignID)
	}
	if f.PostID != 0 {
		add("t.post_id = ?", f.PostID)
	}
	if f.DueBefore != nil {
		add("t.due_at < ?", *f.DueBefore)
	}
	if f.DueAfter != nil {
		add("t.due_at >= ?", *f.DueAfter)
	}
	return b.String(), args
}

// ListTasks returns the tasks f selects.
func (s store) ListTasks(ctx context.Context, f herald.TaskFilter) ([]herald.Task, error) {
	where, args := taskWhere(f, true)
	q := taskSelect + where
	if f.Order == herald.TaskByDue {
		q += ` ORDER BY t.due_at ASC NULLS LAST, t.id`
	} else if f.State != "" {
		q += ` ORDER BY t.position, t.id` // one column: the board's index gives the order
	} else {
		q += ` ORDER BY CASE t.state WHEN 'todo' THEN 0 WHEN 'doing' THEN 1 WHEN 'in_review' THEN 2 ELSE 3 END, t.position, t.id`
	}
	if f.Limit > 0 {
		q += ` LIMIT ` + strconv.Itoa(f.Limit)
	}
	rows, err := s.q.Query(ctx, q, args...)
	if err != nil {
		return nil, dbErr("list tasks", err)
	}
	out, err := collect(rows, scanTask)
	return out, dbErr("list tasks", err)
}

// CountTasks counts the tasks f selects in each state.
func (s store) CountTasks(ctx context.Context, f herald.TaskFilter) (map[herald.TaskState]int, error) {
	where, args := taskWhere(f, false)
	rows, err := s.q.Query(ctx, `SELECT t.state, COUNT(*) FROM tasks t`+where+` GROUP BY t.state`, args...)
	if err != nil {
		return nil, dbErr("count tasks", err)
	}
	defer rows.Close()
	out := map[herald.TaskState]int{}
	for rows.Next() {
		var st herald.TaskState
		var n int
		if err := rows.Scan(&st, &n); err != nil {
			return nil, dbErr("count tasks", err)
		}
		out[st] = n
	}
	return out, dbErr("count tasks", rows.Err())
}

// TaskPositionNear returns the nearest position above or below pos in the
// state's column.
func (s store) TaskPositionNear(ctx context.Context, workspaceID int64, state herald.TaskState, pos float64, above bool) (float64, bool, error) {
	q := `SELECT MAX(position) FROM tasks WHERE workspace_id = $1 AND state = $2 AND position < $3`
	if above {
		q = `SELECT MIN(position) FROM tasks WHERE workspace_id = $1 AND state = $2 AND position > $3`
	}
	var v *float64
	if err := s.q.QueryRow(ctx, q, workspaceID, string(state), pos).Scan(&v); err != nil {
		return 0, false, dbErr("task position", err)
	}
	if v == nil {
		return 0, false, nil
	}
	return *v, true, nil
}

// ListTasksDue returns the open assigned tasks due in [from, to).
func (s store) ListTasksDue(ctx context.Context, from, to time.Time) ([]herald.Task, error) {
	rows, err := s.q.Query(ctx, taskSelect+` WHERE t.state <> 'done' AND t.assignee_id IS NOT NULL
		AND t.due_at >= $1 AND t.due_at < $2 ORDER BY t.due_at, t.id`, from, to)
	if err != nil {
		return nil, dbErr("list due tasks", err)
	}
	out, err := collect(rows, scanTask)
	return out, dbErr("list due tasks", err)
}

const taskCommentSelect = `SELECT c.id, c.workspace_id, c.task_id, c.author_id, COALESCE(u.name, ''), c.body, c.mentions, c.created_at
	FROM task_comments c LEFT JOIN users u ON u.id = c.author_id`

func scanTaskComment(r scanner) (herald.TaskComment, error) {
	var c herald.TaskComment
	err := r.Scan(&c.ID, &c.WorkspaceID, &c.TaskID, &c.AuthorID, &c.AuthorName, &c.Body, &c.Mentions, &c.CreatedAt)
	c.CreatedAt = c.CreatedAt.UTC()
	if c.Mentions == nil {
		c.Mentions = []int64{}
	}
	return c, err
}

// CreateTaskComment inserts c and sets its ID.
func (s store) CreateTaskComment(ctx context.Context, c *herald.TaskComment) error {
	if _, err := s.GetTask(ctx, c.WorkspaceID, c.TaskID); err != nil {
		return err
	}
	c.CreatedAt = stamp(&c.CreatedAt).UTC()
	if c.Mentions == nil {
		c.Mentions = []int64{}
	}
	err := s.q.QueryRow(ctx, `INSERT INTO task_comments (workspace_id, task_id, author_id, body, mentions, created_at)
		VALUES ($1, $2, $3, $4, $5, $6) RETURNING id`, c.WorkspaceID, c.TaskID, c.AuthorID, c.Body, c.Mentions,
		c.CreatedAt).Scan(&c.ID)
	return taskErr("create task comment", err)
}

// ListTaskComments returns a task's comments, oldest first.
func (s store) ListTaskComments(ctx context.Context, workspaceID, taskID int64) ([]herald.TaskComment, error) {
	rows, err := s.q.Query(ctx, taskCommentSelect+` WHERE c.workspace_id = $1 AND c.task_id = $2 ORDER BY c.id`,
		workspaceID, taskID)
	if err != nil {
		return nil, dbErr("list task comments", err)
	}
	out, err := collect(rows, scanTaskComment)
	return out, dbErr("list task comments", err)
}

// DeleteTaskComment deletes comment id of task taskID.
func (s store) DeleteTaskComment(ctx context.Context, workspaceID, taskID, id int64) error {
	tag, err := s.q.Exec(ctx, `DELETE FROM task_comments WHERE workspace_id = $1 AND task_id = $2 AND id = $3`,
		workspaceID, taskID, id)
	if err != nil {
		return dbErr("delete task comment", err)
	}
	if tag.RowsAffected() == 0 {
		return missing("comment")
	}
	return nil
}

const taskSetCols = `id, workspace_id, name, items, created_at, updated_at`

func scanTaskSet(r scanner) (herald.TaskTemplateSet, error) {
	var t herald.TaskTemplateSet
	err := r.Scan(&t.ID, &t.WorkspaceID, &t.Name, &t.Items, &t.CreatedAt, &t.UpdatedAt)
	t.CreatedAt, t.UpdatedAt = t.CreatedAt.UTC(), t.UpdatedAt.UTC()
	return t, err
}

// CreateTaskTemplateSet inserts ts and sets its ID.
func (s store) CreateTaskTemplateSet(ctx context.Context, ts *herald.TaskTemplateSet) error {
	ts.CreatedAt = stamp(&ts.CreatedAt).UTC()
	if ts.UpdatedAt.IsZero() {
		ts.UpdatedAt = ts.CreatedAt
	}
	err := s.q.QueryRow(ctx, `INSERT INTO task_template_sets (workspace_id, name, items, created_at, updated_at)
		VALUES ($1, $2, $3, $4, $5) RETURNING id`, ts.WorkspaceID, ts.Name, ts.Items, ts.CreatedAt, ts.UpdatedAt).Scan(&ts.ID)
	return taskErr("create template set", err)
}

// GetTaskTemplateSet returns the workspace's template set id.
func (s store) GetTaskTemplateSet(ctx context.Context, workspaceID, id int64) (herald.TaskTemplateSet, error) {
	ts, err := scanTaskSet(s.q.QueryRow(ctx, `SELECT `+taskSetCols+` FROM task_template_sets WHERE workspace_id = $1 AND id = $2`,
		workspaceID, id))
	if err != nil {
		return herald.TaskTemplateSet{}, notFound("template set", "get template set", err)
	}
	return ts, nil
}

// ListTaskTemplateSets returns a workspace's template sets by name.
func (s store) ListTaskTemplateSets(ctx context.Context, workspaceID int64) ([]herald.TaskTemplateSet, error) {
	rows, err := s.q.Query(ctx, `SELECT `+taskSetCols+` FROM task_template_sets WHERE workspace_id = $1
		ORDER BY lower(name) COLLATE "C", id`, workspaceID)
	if err != nil {
		return nil, dbErr("list template sets", err)
	}
	out, err := collect(rows, scanTaskSet)
	return out, dbErr("list template sets", err)
}

// UpdateTaskTemplateSet saves the set's name, items and UpdatedAt.
func (s store) UpdateTaskTemplateSet(ctx context.Context, ts *herald.TaskTemplateSet) error {
	stamp(&ts.UpdatedAt)
	tag, err := s.q.Exec(ctx, `UPDATE task_template_sets SET name = $3, items = $4, updated_at = $5
		WHERE workspace_id = $1 AND id = $2`, ts.WorkspaceID, ts.ID, ts.Name, ts.Items, ts.UpdatedAt)
	if err != nil {
		return taskErr("update template set", err)
	}
	if tag.RowsAffected() == 0 {
		return missing("template set")
	}
	return nil
}

// DeleteTaskTemplateSet deletes the workspace's template set id.
func (s store) DeleteTaskTemplateSet(ctx context.Context, workspaceID, id int64) error {
	return s.deleteRow(ctx, "task_template_sets", "template set", workspaceID, id)
}
