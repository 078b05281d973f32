package herald

import (
	"context"
	"errors"
	"strings"
	"time"
	"unicode/utf8"
)

// Limits of tasks.
const (
	MaxTaskTitleLen       = 200  // characters in a task's title
	MaxTaskDescriptionLen = 5000 // characters in a task's description
	MaxChecklistItems     = 100  // items in one checklist
	MaxChecklistTextLen   = 500  // characters in one checklist item
	MaxTemplateSetItems   = 100  // tasks in one template set
	MaxTaskOffsetDays     = 3650 // days a template item may sit before or after the campaign's start
)

// TaskState is the column a task stands in on the board.
type TaskState string

// Task states, in board order.
const (
	TaskTodo     TaskState = "todo"
	TaskDoing    TaskState = "doing"
	TaskInReview TaskState = "in_review"
	TaskDone     TaskState = "done"
)

// TaskStates lists every state in board order.
var TaskStates = []TaskState{TaskTodo, TaskDoing, TaskInReview, TaskDone}

// Valid reports whether s is a known state.
func (s TaskState) Valid() bool {
	switch s {
	case TaskTodo, TaskDoing, TaskInReview, TaskDone:
		return true
	}
	return false
}

// Label is the state as people read it.
func (s TaskState) Label() string {
	switch s {
	case TaskTodo:
		return "To do"
	case TaskDoing:
		return "Doing"
	case TaskInReview:
		return "In review"
	case TaskDone:
		return "Done"
	}
	return string(s)
}

// Task is a piece of work for the team: written by hand, made from a
// campaign's template set, or made by Herald (a post sent back for
// changes becomes a task for its author).
type Task struct {
	ID          int64  `json:"id"`
	WorkspaceID int64  `json:"workspace_id"`
	Title       string `json:"title"`
	Description string `json:"description,omitempty"`
	// AssigneeID is the member who does it; 0 when nobody is assigned.
	// A person who leaves the workspace keeps their tasks, which then
	// show AssigneeLeft until someone reassigns them.
	AssigneeID int64 `json:"assignee_id,omitempty"`
	// Due is when it is due, a UTC instant; nil when it has no due date.
	Due        *time.Time `json:"due,omitempty"`
	State      TaskState  `json:"state"`
	PostID     int64      `json:"post_id,omitempty"`     // 0: no post
	CampaignID int64      `json:"campaign_id,omitempty"` // 0: no campaign
	// Position orders the tasks of one column, smallest first.
	Position  float64         `json:"position"`
	Checklist []ChecklistItem `json:"checklist"`
	CreatedBy int64           `json:"created_by"`
	// SourceKey, when not "", says which event made the task
	// ("changes:<post>:<time>"); one event makes one task.
	SourceKey string `json:"source_key,omitempty"`
	// Version counts saved changes; a change made from an older version
	// is refused.
	Version   int64     `json:"version"`
	CreatedAt time.Time `json:"created_at"`
	UpdatedAt time.Time `json:"updated_at"`
	// Filled by reads.
	AssigneeName string `json:"assignee_name,omitempty"`
	AssigneeLeft bool   `json:"assignee_left,omitempty"` // the assignee is no longer a member
	CampaignName string `json:"campaign_name,omitempty"`
	Comments     int    `json:"comments"`
}

// ChecklistItem is one step of a task's checklist, in list order.
type ChecklistItem struct {
	Text string `json:"text"`
	Done bool   `json:"done" required:"false"`
}

// Open reports whether the task is not done.
func (t Task) Open() bool { return t.State != TaskDone }

// Overdue reports whether the task is open and past its due time at now.
func (t Task) Overdue(now time.Time) bool {
	return t.Open() && t.Due != nil && t.Due.Before(now)
}

// ChecklistDone returns how many checklist items are done.
func (t Task) ChecklistDone() int {
	n := 0
	for _, c := range t.Checklist {
		if c.Done {
			n++
		}
	}
	return n
}

// Validate checks the task's own fields (not whether its assignee, post
// or campaign exist: the service does that).
func (t *Task) Validate() error {
	var p Problems
	t.Title = strings.TrimSpace(t.Title)
	switch n := utf8.RuneCountInString(t.Title); {
	case t.Title == "":
		p.Add("title", "is empty: say what needs doing")
	case n > MaxTaskTitleLen:
		p.Add("title", "is %d characters; at most %d are allowed", n, MaxTaskTitleLen)
	}
	CheckLine(&p, "title", t.Title)
	t.Description = strings.TrimSpace(t.Description)
	if n := utf8.RuneCountInString(t.Description); n > MaxTaskDescriptionLen {
		p.Add("description", "is %d characters; at most %d are allowed", n, MaxTaskDescriptionLen)
	}
	CheckText(&p, "description", t.Description)
	if t.State == "" {
		t.State = TaskTodo
	}
	if !t.State.Valid() {
		p.Add("state", "%q is not a state: use todo, doing, in_review or done", t.State)
	}
	if t.AssigneeID < 0 || t.PostID < 0 || t.CampaignID < 0 {
		p.Add("ids", "must not be negative")
	}
	checkChecklist(&p, t.Checklist)
	if t.Checklist == nil {
		t.Checklist = []ChecklistItem{}
	}
	if t.Due != nil {
		d := t.Due.UTC().Truncate(time.Microsecond)
		t.Due = &d
	}
	return p.Err("the task is not valid")
}

func checkChecklist(p *Problems, items []ChecklistItem) {
	if len(items) > MaxChecklistItems {
		p.Add("checklist", "has %d items; at most %d are allowed", len(items), MaxChecklistItems)
	}
	for i := range items {
		items[i].Text = strings.TrimSpace(items[i].Text)
		f := indexed("checklist", i) + ".text"
		switch n := utf8.RuneCountInString(items[i].Text); {
		case items[i].Text == "":
			p.Add(f, "is empty: write the step or remove it")
		case n > MaxChecklistTextLen:
			p.Add(f, "is %d characters; at most %d are allowed", n, MaxChecklistTextLen)
		}
		CheckLine(p, f, items[i].Text)
	}
}

// TaskComment is a remark on a task; Mentions are the members it names
// with @name, ascending, without repeats.
type TaskComment struct {
	ID          int64     `json:"id"`
	WorkspaceID int64     `json:"workspace_id"`
	TaskID      int64     `json:"task_id"`
	AuthorID    int64     `json:"author_id"`
	AuthorName  string    `json:"author_name"` // filled by reads
	Body        string    `json:"body"`
	Mentions    []int64   `json:"mentions"`
	CreatedAt   time.Time `json:"created_at"`
}

// Validate checks the comment's body.
func (c *TaskComment) Validate() error {
	pc := PostComment{Body: c.Body}
	return pc.Validate()
}

// TaskTemplateSet is a named list of tasks ("launch checklist") that can
// be applied to a campaign: each item becomes a task due OffsetDays after
// the campaign's start.
type TaskTemplateSet struct {
	ID          int64              `json:"id"`
	WorkspaceID int64              `json:"workspace_id"`
	Name        string             `json:"name"` // unique per workspace, case-insensitively
	Items       []TaskTemplateItem `json:"items"`
	CreatedAt   time.Time          `json:"created_at"`
	UpdatedAt   time.Time          `json:"updated_at"`
}

// TaskTemplateItem is one task of a template set. It is assigned to
// AssigneeID when set (and still a member), else to the first member
// with AssigneeRole, else to nobody.
type TaskTemplateItem struct {
	Title        string          `json:"title"`
	Description  string          `json:"description,omitempty"`
	OffsetDays   int             `json:"offset_days" required:"false" doc:"Days after the campaign's start (negative: before)"`
	AssigneeRole Role            `json:"assignee_role,omitempty"`
	AssigneeID   int64           `json:"assignee_id,omitempty"`
	Checklist    []ChecklistItem `json:"checklist,omitempty"`
}

// Validate checks the set's name and items.
func (s *TaskTemplateSet) Validate() error {
	var p Problems
	s.Name = strings.TrimSpace(s.Name)
	checkName(&p, "name", s.Name)
	switch {
	case len(s.Items) == 0:
		p.Add("items", "is empty: add at least one task")
	case len(s.Items) > MaxTemplateSetItems:
		p.Add("items", "has %d tasks; at most %d are allowed", len(s.Items), MaxTemplateSetItems)
	}
	for i := range s.Items {
		it := &s.Items[i]
		t := Task{Title: it.Title, Description: it.Description, Checklist: it.Checklist}
		var e *Error
		if err := t.Validate(); errors.As(err, &e) {
			for _, d := range e.Details {
				p.Add(indexed("items", i)+"."+d.Field, "%s", d.Problem)
			}
		}
		it.Title, it.Description, it.Checklist = t.Title, t.Description, t.Checklist
		if it.OffsetDays < -MaxTaskOffsetDays || it.OffsetDays > MaxTaskOffsetDays {
			p.Add(indexed("items", i)+".offset_days", "is %d; use a number of days between %d and %d",
				it.OffsetDays, -MaxTaskOffsetDays, MaxTaskOffsetDays)
		}
		if it.AssigneeRole != "" && !it.AssigneeRole.Valid() {
			p.Add(indexed("items", i)+".assignee_role", "%q is not a role", it.AssigneeRole)
		}
	}
	if s.Items == nil {
		s.Items = []TaskTemplateItem{}
	}
	return p.Err("the template set is not valid")
}

// TaskOrder is how a task listing is sorted.
type TaskOrder string

// Task orders.
const (
	// TaskByPosition: by state in board order, then position (the board).
	TaskByPosition TaskOrder = ""
	// TaskByDue: overdue and soonest due first, tasks without a due date
	// last (My work).
	TaskByDue TaskOrder = "due"
)

// TaskFilter selects a workspace's tasks. Zero fields select everything.
type TaskFilter struct {
	WorkspaceID int64
	State       TaskState
	OpenOnly    bool  // leave out done tasks
	AssigneeID  int64 // -1: unassigned only
	CampaignID  int64
	PostID      int64
	DueBefore   *time.Time // due strictly before
	DueAfter    *time.Time // due at or after
	Order       TaskOrder
	Limit       int // 0: no limit
}

// TaskStore keeps tasks, their comments and template sets.
type TaskStore interface {
	// CreateTask inserts t (checklist included) with Version 1 and sets
	// its ID. ErrConflict when another task has the same non-empty
	// SourceKey in the workspace.
	CreateTask(ctx context.Context, t *Task) error
	// GetTask returns the task with its read-filled fields.
	GetTask(ctx context.Context, workspaceID, id int64) (Task, error)
	// UpdateTask saves every field but ids, CreatedBy, SourceKey and
	// CreatedAt if the stored version is still expectedVersion (else
	// ErrConflict), and bumps t.Version.
	UpdateTask(ctx context.Context, t *Task, expectedVersion int64) error
	DeleteTask(ctx context.Context, workspaceID, id int64) error // and its comments
	// ListTasks returns the tasks f selects in f.Order, with their
	// read-filled fields.
	ListTasks(ctx context.Context, f TaskFilter) ([]Task, error)
	// CountTasks returns how many tasks f selects in each state (f.State
	// and f.Limit are ignored).
	CountTasks(ctx context.Context, f TaskFilter) (map[TaskState]int, error)
	// TaskPositionNear returns the position of the task of the state's
	// column nearest pos: the smallest above it when above, else the
	// largest below it; false when there is none.
	TaskPositionNear(ctx context.Context, workspaceID int64, state TaskState, pos float64, above bool) (float64, bool, error)
	// ListTasksDue returns, in every workspace, the open assigned tasks
	// due in [from, to), by due time.
	ListTasksDue(ctx context.Context, from, to time.Time) ([]Task, error)

	// CreateTaskComment inserts c and sets its ID; a task not in c's
	// workspace is ErrNotFound.
	CreateTaskComment(ctx context.Context, c *TaskComment) error
	ListTaskComments(ctx context.Context, workspaceID, taskID int64) ([]TaskComment, error) // oldest first
	DeleteTaskComment(ctx context.Context, workspaceID, taskID, id int64) error

	CreateTaskTemplateSet(ctx context.Context, s *TaskTemplateSet) error // ErrConflict on a used name
	GetTaskTemplateSet(ctx context.Context, workspaceID, id int64) (TaskTemplateSet, error)
	ListTaskTemplateSets(ctx context.Context, workspaceID int64) ([]TaskTemplateSet, error) // by name
	UpdateTaskTemplateSet(ctx context.Context, s *TaskTemplateSet) error                    // name, items, UpdatedAt
	DeleteTaskTemplateSet(ctx context.Context, workspaceID, id int64) error
}
