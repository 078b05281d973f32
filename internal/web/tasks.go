package web

import (
	"cmp"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/heraldsocial/herald/internal/herald"
	"github.com/heraldsocial/herald/internal/post"
	"github.com/heraldsocial/herald/internal/task"
)

// taskRoutes registers the board, the task pages and My work.
func (h *Handler) taskRoutes(m *http.ServeMux) {
	m.Handle("GET /w/{ws}/tasks", h.inWorkspace(h.taskBoard))
	m.Handle("POST /w/{ws}/tasks", h.inWorkspace(h.taskCreate))
	m.Handle("GET /w/{ws}/tasks/new", h.inWorkspace(h.taskNew))
	m.Handle("POST /w/{ws}/tasks/apply", h.inWorkspace(h.taskApply))
	m.Handle("GET /w/{ws}/tasks/{task}", h.inWorkspace(h.taskPage))
	m.Handle("POST /w/{ws}/tasks/{task}", h.inWorkspace(h.taskSave))
	m.Handle("POST /w/{ws}/tasks/{task}/move", h.inWorkspace(h.taskMove))
	m.Handle("POST /w/{ws}/tasks/{task}/check", h.inWorkspace(h.taskCheck))
	m.Handle("POST /w/{ws}/tasks/{task}/comments", h.inWorkspace(h.taskComment))
	m.Handle("POST /w/{ws}/tasks/{task}/delete", h.inWorkspace(h.taskDelete))
	m.Handle("GET /w/{ws}/my-work", h.inWorkspace(h.myWork))
}

func tasksURL(ws int64) string        { return wsURL(ws) + "tasks" }
func taskURL(ws, id int64) string     { return tasksURL(ws) + "/" + itoa(id) }
func myWorkURL(ws int64) string       { return wsURL(ws) + "my-work" }
func taskMoveURL(ws, id int64) string { return taskURL(ws, id) + "/move" }

// taskForm is the form of a new task or of one task.
type taskForm struct {
	ID, Version                        int64
	Title, Description, Due, Checklist string // Due: "2006-01-02T15:04" in the workspace's zone
	State                              herald.TaskState
	Assignee, Campaign, Post           int64
	Err                                *herald.Error
}

// boardData is the board.
type boardData struct {
	Columns   []task.Column
	Filter    task.BoardFilter
	People    []post.Person
	Campaigns []herald.Campaign
	Sets      []herald.TaskTemplateSet
	CanWrite  bool
	CanApply  bool
	Err       *herald.Error
	Now       time.Time
	Loc       *time.Location // the workspace's zone, loaded once for every card
}

// taskPageData is one task's page, or the new-task form (Form.ID 0).
type taskPageData struct {
	T         herald.Task
	Form      taskForm
	Comments  []herald.TaskComment
	People    []post.Person
	Campaigns []herald.Campaign
	CanWrite  bool
	Comment   string
	CommentEr *herald.Error
	Now       time.Time
}

// myWorkData is My work.
type myWorkData struct {
	Tasks    []herald.Task
	Awaiting []herald.Post
	CanApprv bool
	Now      time.Time
	Loc      *time.Location
}

func (h *Handler) taskBoard(w http.ResponseWriter, r *http.Request, p *page) error {
	return h.renderBoard(w, r, p, http.StatusOK, nil)
}

func boardFilterOf(q url.Values) task.BoardFilter {
	f := task.BoardFilter{Due: q.Get("due")}
	f.AssigneeID, _ = strconv.ParseInt(q.Get("assignee"), 10, 64)
	f.CampaignID, _ = strconv.ParseInt(q.Get("campaign"), 10, 64)
	return f
}

func (h *Handler) renderBoard(w http.ResponseWriter, r *http.Request, p *page, status int, refused *herald.Error) error {
	ctx := r.Context()
	d := boardData{Filter: boardFilterOf(r.URL.Query()), CanWrite: p.Can(herald.ActPostsWrite),
		CanApply: p.Can(herald.ActCampaignsManage), Err: refused, Now: h.d.Clock.Now(), Loc: p.location()}
	var err error
	if d.Columns, err = h.d.Tasks.Board(ctx, p.Actor, d.Filter); err != nil {
		if d.Err, err = refusal(err); err != nil {
			return err
		}
		d.Filter = task.BoardFilter{}
		if d.Columns, err = h.d.Tasks.Board(ctx, p.Actor, d.Filter); err != nil {
			return err
		}
	}
	if d.People, d.Campaigns, err = h.taskChoices(r, p); err != nil {
		return err
	}
	if d.CanApply {
		if d.Sets, err = h.d.Tasks.TemplateSets(ctx, p.Actor); err != nil {
			return err
		}
	}
	p.Title = "Tasks"
	h.render(w, r, status, boardPage(p, d))
	return nil
}

// taskChoices are the members and campaigns a task may name.
func (h *Handler) taskChoices(r *http.Request, p *page) ([]post.Person, []herald.Campaign, error) {
	people, err := h.d.Tasks.People(r.Context(), p.Actor)
	if err != nil {
		return nil, nil, err
	}
	var cs []herald.Campaign
	if p.Can(herald.ActCampaignsRead) {
		if cs, err = h.d.Campaigns.List(r.Context(), p.Actor); err != nil {
			return nil, nil, err
		}
	}
	return people, cs, nil
}

func (h *Handler) taskNew(w http.ResponseWriter, r *http.Request, p *page) error {
	if err := p.Actor.Require(herald.ActPostsWrite); err != nil {
		return err
	}
	f := taskForm{State: herald.TaskState(cmp.Or(r.URL.Query().Get("state"), string(herald.TaskTodo)))}
	f.Campaign, _ = strconv.ParseInt(r.URL.Query().Get("campaign"), 10, 64)
	f.Post, _ = strconv.ParseInt(r.URL.Query().Get("post"), 10, 64)
	return h.renderTask(w, r, p, http.StatusOK, taskPageData{Form: f})
}

func (h *Handler) renderTask(w http.ResponseWriter, r *http.Request, p *page, status int, d taskPageData) error {
	var err error
	if d.People, d.Campaigns, err = h.taskChoices(r, p); err != nil {
		return err
	}
	d.CanWrite, d.Now = p.Can(herald.ActPostsWrite), h.d.Clock.Now()
	if d.T.ID != 0 {
		if d.Comments, err = h.d.Tasks.Comments(r.Context(), p.Actor, d.T.ID); err != nil {
			return err
		}
		p.Title = d.T.Title
	} else {
		p.Title = "New task"
	}
	h.render(w, r, status, taskPage(p, d))
	return nil
}

// formOfTask fills the form from a stored task.
func formOfTask(t herald.Task, loc *time.Location) taskForm {
	f := taskForm{ID: t.ID, Version: t.Version, Title: t.Title, Description: t.Description, State: t.State,
		Assignee: t.AssigneeID, Campaign: t.CampaignID, Post: t.PostID}
	if t.Due != nil {
		f.Due = t.Due.In(loc).Format("2006-01-02T15:04")
	}
	var lines []string
	for _, c := range t.Checklist {
		mark := "[ ] "
		if c.Done {
			mark = "[x] "
		}
		lines = append(lines, mark+c.Text)
	}
	f.Checklist = strings.Join(lines, "\n")
	return f
}

// taskFormOf reads the posted form; a due time it cannot read is a problem
// on "due" that keeps what was typed.
func taskFormOf(r *http.Request, loc *time.Location) (taskForm, herald.Task, *herald.Error) {
	v := r.PostForm
	f := taskForm{Title: v.Get("title"), Description: crlf(v.Get("description")), Due: strings.TrimSpace(v.Get("due")),
		State: herald.TaskState(v.Get("state")), Checklist: crlf(v.Get("checklist"))}
	f.Version, _ = strconv.ParseInt(v.Get("version"), 10, 64)
	f.Assignee, _ = strconv.ParseInt(v.Get("assignee"), 10, 64)
	f.Campaign, _ = strconv.ParseInt(v.Get("campaign"), 10, 64)
	f.Post, _ = strconv.ParseInt(v.Get("post"), 10, 64)
	t := herald.Task{Title: f.Title, Description: f.Description, State: f.State, AssigneeID: f.Assignee,
		CampaignID: f.Campaign, PostID: f.Post}
	for _, line := range strings.Split(f.Checklist, "\n") {
		line = strings.TrimSpace(line)
		done := strings.HasPrefix(strings.ToLower(line), "[x]")
		line = strings.TrimSpace(strings.TrimPrefix(strings.TrimPrefix(strings.TrimPrefix(line, "[ ]"), "[x]"), "[X]"))
		if line != "" {
			t.Checklist = append(t.Checklist, herald.ChecklistItem{Text: line, Done: done})
		}
	}
	if f.Due != "" {
		due, err := time.ParseInLocation("2006-01-02T15:04", f.Due, loc)
		if err != nil {
			return f, t, &herald.Error{Code: herald.CodeInvalid, Message: "the due date is not valid",
				Details: []herald.FieldProblem{{Field: "due", Problem: fmt.Sprintf("%q is not a date and time like 2026-03-01T17:00", f.Due)}}}
		}
		t.Due = &due
	}
	return f, t, nil
}

func (h *Handler) taskCreate(w http.ResponseWriter, r *http.Request, p *page) error {
	if err := r.ParseForm(); err != nil {
		return herald.Errorf(herald.CodeInvalid, "the form could not be read: %v", err)
	}
	f, in, bad := taskFormOf(r, p.location())
	if bad != nil {
		f.Err = bad
		return h.renderTask(w, r, p, statusOf(bad), taskPageData{Form: f})
	}
	t, err := h.d.Tasks.Create(r.Context(), p.Actor, in)
	if err != nil {
		if f.Err, err = refusal(err); err != nil {
			return err
		}
		return h.renderTask(w, r, p, statusOf(f.Err), taskPageData{Form: f})
	}
	h.d.Sessions.Put(r.Context(), flashKey, fmt.Sprintf("Created the task “%s”.", t.Title))
	http.Redirect(w, r, taskURL(p.Current.ID, t.ID), http.StatusSeeOther)
	return nil
}

func (h *Handler) taskOf(r *http.Request, p *page) (herald.Task, error) {
	id, err := pathID(r, "task", "task")
	if err != nil {
		return herald.Task{}, err
	}
	return h.d.Tasks.Get(r.Context(), p.Actor, id)
}

func (h *Handler) taskPage(w http.ResponseWriter, r *http.Request, p *page) error {
	t, err := h.taskOf(r, p)
	if err != nil {
		return err
	}
	return h.renderTask(w, r, p, http.StatusOK, taskPageData{T: t, Form: formOfTask(t, p.location())})
}

func (h *Handler) taskSave(w http.ResponseWriter, r *http.Request, p *page) error {
	t, err := h.taskOf(r, p)
	if err != nil {
		return err
	}
	if err := r.ParseForm(); err != nil {
		return herald.Errorf(herald.CodeInvalid, "the form could not be read: %v", err)
	}
	f, in, bad := taskFormOf(r, p.location())
	f.ID = t.ID
	if bad == nil {
		var saved herald.Task
		if saved, err = h.d.Tasks.Update(r.Context(), p.Actor, t.ID, f.Version, in); err == nil {
			h.d.Sessions.Put(r.Context(), flashKey, fmt.Sprintf("Saved the task “%s”.", saved.Title))
			http.Redirect(w, r, taskURL(p.Current.ID, t.ID), http.StatusSeeOther)
			return nil
		}
		if bad, err = refusal(err); err != nil {
			return err
		}
	}
	f.Err = bad
	return h.renderTask(w, r, p, statusOf(bad), taskPageData{T: t, Form: f})
}

// taskMove moves a task from the board: by the move menu's buttons or by
// dragging (the script fills the same form). A refused move shows the
// board again with why.
func (h *Handler) taskMove(w http.ResponseWriter, r *http.Request, p *page) error {
	id, err := pathID(r, "task", "task")
	if err != nil {
		return err
	}
	if err := r.ParseForm(); err != nil {
		return herald.Errorf(herald.CodeInvalid, "the form could not be read: %v", err)
	}
	v := r.PostForm
	m := task.Move{State: herald.TaskState(v.Get("state"))}
	m.After, _ = strconv.ParseInt(v.Get("after"), 10, 64)
	m.Before, _ = strconv.ParseInt(v.Get("before"), 10, 64)
	m.Version, _ = strconv.ParseInt(v.Get("version"), 10, 64)
	back := localPath(cmp.Or(v.Get("back"), tasksURL(p.Current.ID)))
	t, err := h.d.Tasks.Move(r.Context(), p.Actor, id, m)
	if err != nil {
		he, err := refusal(err)
		if err != nil {
			return err
		}
		if u, perr := url.Parse(back); perr == nil {
			r.URL.RawQuery = u.RawQuery
		}
		return h.renderBoard(w, r, p, statusOf(he), he)
	}
	h.d.Sessions.Put(r.Context(), flashKey, fmt.Sprintf("Moved “%s” to %s.", t.Title, t.State.Label()))
	http.Redirect(w, r, back+"#task-"+itoa(t.ID), http.StatusSeeOther)
	return nil
}

func (h *Handler) taskCheck(w http.ResponseWriter, r *http.Request, p *page) error {
	id, err := pathID(r, "task", "task")
	if err != nil {
		return err
	}
	if err := r.ParseForm(); err != nil {
		return herald.Errorf(herald.CodeInvalid, "the form could not be read: %v", err)
	}
	index, _ := strconv.Atoi(r.PostFormValue("index"))
	version, _ := strconv.ParseInt(r.PostFormValue("version"), 10, 64)
	if _, err := h.d.Tasks.Check(r.Context(), p.Actor, id, version, index, r.PostFormValue("done") == "true"); err != nil {
		return err
	}
	http.Redirect(w, r, taskURL(p.Current.ID, id)+"#checklist", http.StatusSeeOther)
	return nil
}

func (h *Handler) taskComment(w http.ResponseWriter, r *http.Request, p *page) error {
	t, err := h.taskOf(r, p)
	if err != nil {
		return err
	}
	body := crlf(r.PostFormValue("body"))
	if _, err := h.d.Tasks.Comment(r.Context(), p.Actor, t.ID, body); err != nil {
		he, err := refusal(err)
		if err != nil {
			return err
		}
		return h.renderTask(w, r, p, statusOf(he), taskPageData{T: t, Form: formOfTask(t, p.location()), Comment: body, CommentEr: he})
	}
	http.Redirect(w, r, taskURL(p.Current.ID, t.ID)+"#comments", http.StatusSeeOther)
	return nil
}

func (h *Handler) taskDelete(w http.ResponseWriter, r *http.Request, p *page) error {
	t, err := h.taskOf(r, p)
	if err != nil {
		return err
	}
	if err := h.d.Tasks.Delete(r.Context(), p.Actor, t.ID); err != nil {
		return err
	}
	h.d.Sessions.Put(r.Context(), flashKey, fmt.Sprintf("Deleted the task “%s”.", t.Title))
	http.Redirect(w, r, tasksURL(p.Current.ID), http.StatusSeeOther)
	return nil
}

// taskApply applies a template set to a campaign from the board.
func (h *Handler) taskApply(w http.ResponseWriter, r *http.Request, p *page) error {
	set, _ := strconv.ParseInt(r.PostFormValue("set"), 10, 64)
	campaign, _ := strconv.ParseInt(r.PostFormValue("campaign"), 10, 64)
	made, err := h.d.Tasks.Apply(r.Context(), p.Actor, set, campaign)
	if err != nil {
		he, err := refusal(err)
		if err != nil {
			return err
		}
		return h.renderBoard(w, r, p, statusOf(he), he)
	}
	h.d.Sessions.Put(r.Context(), flashKey, fmt.Sprintf("Made %s from the template set.", count(len(made), "task")))
	http.Redirect(w, r, tasksURL(p.Current.ID)+"?campaign="+itoa(campaign), http.StatusSeeOther)
	return nil
}

// myWork is the viewer's own work: their open tasks, overdue first, and
// the posts waiting for their approval.
func (h *Handler) myWork(w http.ResponseWriter, r *http.Request, p *page) error {
	ctx := r.Context()
	d := myWorkData{CanApprv: p.Can(herald.ActPostsApprove), Now: h.d.Clock.Now(), Loc: p.location()}
	var err error
	if d.Tasks, err = h.d.Tasks.MyWork(ctx, p.Actor); err != nil {
		return err
	}
	if d.CanApprv {
		posts, _, err := h.d.Posts.List(ctx, p.Actor, herald.PostFilter{States: []herald.TargetState{herald.StateInReview},
			Page: herald.Page{Limit: 50}})
		if err != nil {
			return err
		}
		for _, po := range posts {
			if po.AuthorID != p.Actor.UserID {
				d.Awaiting = append(d.Awaiting, po)
			}
		}
	}
	p.Title = "My work"
	h.render(w, r, http.StatusOK, myWorkPage(p, d))
	return nil
}

// taskPersonName names a member among people, or says they are gone.
func taskPersonName(people []post.Person, id int64) string {
	for _, x := range people {
		if x.UserID == id {
			return x.Name
		}
	}
	return "a former member"
}

// dueText says when a task is due, in the workspace's zone, and whether
// it is late.
func dueText(t herald.Task, now time.Time, loc *time.Location) string {
	if t.Due == nil {
		return ""
	}
	s := "Due " + fmtTime(*t.Due, loc)
	if t.Overdue(now) {
		s += " (overdue)"
	}
	return s
}

// neighbours returns the ids of the tasks before and after tasks[i].
func neighbours(tasks []herald.Task, i int) (before, after int64) {
	if i > 0 {
		before = tasks[i-1].ID
	}
	if i+1 < len(tasks) {
		after = tasks[i+1].ID
	}
	return before, after
}

// boardBack is the board's address with its filters, to come back to.
func boardBack(ws int64, f task.BoardFilter) string {
	q := url.Values{}
	if f.AssigneeID != 0 {
		q.Set("assignee", strconv.FormatInt(f.AssigneeID, 10))
	}
	if f.CampaignID != 0 {
		q.Set("campaign", strconv.FormatInt(f.CampaignID, 10))
	}
	if f.Due != "" {
		q.Set("due", f.Due)
	}
	if len(q) == 0 {
		return tasksURL(ws)
	}
	return tasksURL(ws) + "?" + q.Encode()
}

// checklistProblem is the first problem with the checklist or one of its
// items.
func checklistProblem(err *herald.Error) string {
	if err == nil {
		return ""
	}
	for _, d := range err.Details {
		if strings.HasPrefix(d.Field, "checklist") {
			return d.Problem
		}
	}
	return ""
}
