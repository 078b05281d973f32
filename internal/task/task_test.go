package task_test

import (
	"context"
	"errors"
	"log/slog"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/heraldsocial/herald/internal/herald"
	"github.com/heraldsocial/herald/internal/post"
	"github.com/heraldsocial/herald/internal/task"
	"github.com/heraldsocial/herald/internal/teststore"
)

// clock is a clock moved by hand.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) Now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *clock) add(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

// recorder is a notifier that keeps what it is told.
type recorder struct {
	mu  sync.Mutex
	got []herald.Notification
}

func (r *recorder) Notify(_ context.Context, n herald.Notification) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.got = append(r.got, n)
}

func (r *recorder) take() []herald.Notification {
	r.mu.Lock()
	defer r.mu.Unlock()
	out := r.got
	r.got = nil
	return out
}

// now is a Friday afternoon in UTC, late evening in Tokyo.
var now = time.Date(2026, 12, 4, 14, 0, 0, 0, time.UTC)

type world struct {
	st       herald.Store
	clock    *clock
	notes    *recorder
	svc      *task.Service
	posts    *post.Service
	ws       herald.Workspace
	acct     herald.Account
	campaign herald.Campaign
	actors   map[herald.Role]herald.Actor
	stranger herald.Actor // owner of another workspace
}

func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

func forEachStore(t *testing.T, fn func(t *testing.T, w *world)) {
	t.Helper()
	teststore.Each(t, func(t *testing.T, st herald.Store) { fn(t, newWorld(t, st)) })
}

func newWorld(t *testing.T, st herald.Store) *world {
	t.Helper()
	ctx := t.Context()
	w := &world{st: st, clock: &clock{t: now}, notes: &recorder{}, actors: map[herald.Role]herald.Actor{}}
	mkWorkspace := func(name string) herald.Workspace {
		ws := herald.Workspace{Name: name, TimeZone: "Asia/Tokyo", CreatedAt: now, UpdatedAt: now}
		must(t, st.CreateWorkspace(ctx, &ws))
		return ws
	}
	w.ws = mkWorkspace("Acme")
	for _, r := range herald.Roles {
		u := herald.User{Email: string(r) + "@example.com", Name: "The " + string(r), PasswordHash: "x", CreatedAt: now, UpdatedAt: now}
		must(t, st.CreateUser(ctx, &u))
		must(t, st.AddMember(ctx, &herald.Membership{WorkspaceID: w.ws.ID, UserID: u.ID, Role: r}))
		w.actors[r] = herald.Actor{UserID: u.ID, WorkspaceID: w.ws.ID, Role: r}
	}
	other := mkWorkspace("Other")
	u := herald.User{Email: "stranger@example.com", Name: "Stranger", PasswordHash: "x", CreatedAt: now, UpdatedAt: now}
	must(t, st.CreateUser(ctx, &u))
	must(t, st.AddMember(ctx, &herald.Membership{WorkspaceID: other.ID, UserID: u.ID, Role: herald.RoleOwner}))
	w.stranger = herald.Actor{UserID: u.ID, WorkspaceID: other.ID, Role: herald.RoleOwner}
	w.acct = herald.Account{WorkspaceID: w.ws.ID, Platform: herald.PlatformFake, RemoteID: "acme", Handle: "@acme",
		DisplayName: "Acme", Status: herald.AccountConnected, CreatedAt: now, UpdatedAt: now}
	must(t, st.CreateAccount(ctx, &w.acct))
	w.campaign = herald.Campaign{WorkspaceID: w.ws.ID, Name: "Winter sale", StartDate: "2026-12-10", CreatedAt: now, UpdatedAt: now}
	must(t, st.CreateCampaign(ctx, &w.campaign))
	logger := slog.New(slog.DiscardHandler)
	w.svc = task.New(st, w.clock, w.notes, logger)
	w.posts = post.New(st, w.clock, logger, post.WithChangesHook(w.svc))
	return w
}

func (w *world) post(t *testing.T, author herald.Actor) herald.Post {
	t.Helper()
	p, err := w.posts.Create(t.Context(), author, herald.Post{Text: "Winter is here",
		Targets: []herald.Target{{AccountID: w.acct.ID}}}, post.ActionSubmit)
	must(t, err)
	return p
}

func wantCode(t *testing.T, err error, code herald.Code, fields ...string) {
	t.Helper()
	if herald.ErrorCode(err) != code {
		t.Fatalf("error = %v, want code %s", err, code)
	}
	var he *herald.Error
	for _, f := range fields {
		if !errorAs(err, &he) || !slices.ContainsFunc(he.Details, func(d herald.FieldProblem) bool { return d.Field == f }) {
			t.Fatalf("error %v does not name field %s", err, f)
		}
	}
}

func ids(ts []herald.Task) []int64 {
	var out []int64
	for _, x := range ts {
		out = append(out, x.ID)
	}
	return out
}

func TestCreateRefusesBadInputAndSavesNothing(t *testing.T) {
	forEachStore(t, func(t *testing.T, w *world) {
		ctx := t.Context()
		ed := w.actors[herald.RoleEditor]
		otherPost := func() int64 {
			a := herald.Account{WorkspaceID: w.stranger.WorkspaceID, Platform: herald.PlatformFake, RemoteID: "o",
				Handle: "@o", Status: herald.AccountConnected}
			must(t, w.st.CreateAccount(ctx, &a))
			p := herald.Post{WorkspaceID: w.stranger.WorkspaceID, AuthorID: w.stranger.UserID, Text: "x",
				Targets: []herald.Target{{AccountID: a.ID, State: herald.StateDraft}}}
			must(t, w.st.CreatePost(ctx, &p))
			return p.ID
		}()
		for name, c := range map[string]struct {
			in     herald.Task
			fields []string
		}{
			"empty title":       {herald.Task{Title: "  "}, []string{"title"}},
			"bad state":         {herald.Task{Title: "x", State: "later"}, []string{"state"}},
			"stranger assignee": {herald.Task{Title: "x", AssigneeID: w.stranger.UserID}, []string{"assignee_id"}},
			"other post":        {herald.Task{Title: "x", PostID: otherPost}, []string{"post_id"}},
			"empty step":        {herald.Task{Title: "x", Checklist: []herald.ChecklistItem{{Text: ""}}}, []string{"checklist[0].text"}},
		} {
			_, err := w.svc.Create(ctx, ed, c.in)
			if err == nil {
				t.Fatalf("%s: created", name)
			}
			wantCode(t, err, herald.CodeInvalid, c.fields...)
		}
		_, err := w.svc.Create(ctx, w.actors[herald.RoleAnalyst], herald.Task{Title: "x"})
		wantCode(t, err, herald.CodeForbidden)
		list, err := w.svc.List(ctx, ed, herald.TaskFilter{})
		must(t, err)
		if len(list) != 0 {
			t.Fatalf("refused tasks were saved: %+v", list)
		}
	})
}

func TestAssignNotifiesOthersOnly(t *testing.T) {
	forEachStore(t, func(t *testing.T, w *world) {
		ctx := t.Context()
		mgr, ed := w.actors[herald.RoleManager], w.actors[herald.RoleEditor]
		mine, err := w.svc.Create(ctx, ed, herald.Task{Title: "Mine", AssigneeID: ed.UserID})
		must(t, err)
		if n := w.notes.take(); len(n) != 0 {
			t.Fatalf("assigning oneself notified: %+v", n)
		}
		tk, err := w.svc.Create(ctx, mgr, herald.Task{Title: "Write the copy", AssigneeID: ed.UserID})
		must(t, err)
		n := w.notes.take()
		if len(n) != 1 || n[0].Kind != herald.NotifyAssigned || !slices.Equal(n[0].UserIDs, []int64{ed.UserID}) ||
			n[0].TaskID != tk.ID || n[0].ActorID != mgr.UserID || n[0].Key == "" || n[0].Link != task.Link(w.ws.ID, tk.ID) {
			t.Fatalf("notifications = %+v, want one assigned to the editor", n)
		}
		// An edit that keeps the assignee tells nobody; a new assignee is told.
		tk, err = w.svc.Update(ctx, mgr, tk.ID, tk.Version, herald.Task{Title: "Write it", AssigneeID: ed.UserID})
		must(t, err)
		if n := w.notes.take(); len(n) != 0 {
			t.Fatalf("an edit keeping the assignee notified: %+v", n)
		}
		contrib := w.actors[herald.RoleContributor]
		_, err = w.svc.Update(ctx, mgr, tk.ID, tk.Version, herald.Task{Title: "Write it", AssigneeID: contrib.UserID})
		must(t, err)
		if n := w.notes.take(); len(n) != 1 || n[0].UserIDs[0] != contrib.UserID {
			t.Fatalf("reassigning: notifications = %+v", n)
		}
		_, err = w.svc.Update(ctx, mgr, mine.ID, mine.Version+5, herald.Task{Title: "Stale"})
		wantCode(t, err, herald.CodeConflict, "version")
	})
}

func TestMoveKeepsOrderAndRefusesStaleMoves(t *testing.T) {
	forEachStore(t, func(t *testing.T, w *world) {
		ctx := t.Context()
		ed := w.actors[herald.RoleEditor]
		var ts []herald.Task
		for _, title := range []string{"A", "B", "C"} {
			tk, err := w.svc.Create(ctx, ed, herald.Task{Title: title})
			must(t, err)
			ts = append(ts, tk)
		}
		a, b, c := ts[0], ts[1], ts[2]
		column := func(st herald.TaskState) []int64 {
			list, err := w.svc.List(ctx, ed, herald.TaskFilter{State: st})
			must(t, err)
			return ids(list)
		}
		c2, err := w.svc.Move(ctx, ed, c.ID, task.Move{State: herald.TaskTodo, After: a.ID, Version: c.Version})
		must(t, err)
		if got := column(herald.TaskTodo); !slices.Equal(got, []int64{a.ID, c.ID, b.ID}) {
			t.Fatalf("after moving C after A: %v", got)
		}
		_, err = w.svc.Move(ctx, ed, c.ID, task.Move{State: herald.TaskDoing, Version: c.Version})
		wantCode(t, err, herald.CodeConflict, "version")
		_, err = w.svc.Move(ctx, ed, b.ID, task.Move{State: herald.TaskTodo, Before: a.ID, Version: b.Version})
		must(t, err)
		if got := column(herald.TaskTodo); !slices.Equal(got, []int64{b.ID, a.ID, c.ID}) {
			t.Fatalf("after moving B before A: %v", got)
		}
		_, err = w.svc.Move(ctx, ed, c.ID, task.Move{State: herald.TaskDoing, Version: c2.Version})
		must(t, err)
		a2, err := w.svc.Move(ctx, ed, a.ID, task.Move{State: herald.TaskDoing, Before: c.ID, Version: a.Version})
		must(t, err)
		if got := column(herald.TaskDoing); !slices.Equal(got, []int64{a.ID, c.ID}) || a2.State != herald.TaskDoing {
			t.Fatalf("doing column: %v", got)
		}
		_, err = w.svc.Move(ctx, ed, b.ID, task.Move{State: herald.TaskDone, After: a.ID, Version: 2})
		wantCode(t, err, herald.CodeConflict)
		_, err = w.svc.Move(ctx, w.stranger, b.ID, task.Move{State: herald.TaskDone, Version: 2})
		wantCode(t, err, herald.CodeNotFound)
		_, err = w.svc.Move(ctx, ed, b.ID, task.Move{State: "blocked", Version: 2})
		wantCode(t, err, herald.CodeInvalid, "state")
	})
}

func TestCommentMentionsTellThePeopleNamed(t *testing.T) {
	forEachStore(t, func(t *testing.T, w *world) {
		ctx := t.Context()
		ed, mgr := w.actors[herald.RoleEditor], w.actors[herald.RoleManager]
		tk, err := w.svc.Create(ctx, ed, herald.Task{Title: "Plan"})
		must(t, err)
		c, err := w.svc.Comment(ctx, ed, tk.ID, "@manager can you check? cc @editor @nobody")
		must(t, err)
		if !slices.Equal(c.Mentions, []int64{mgr.UserID, ed.UserID}) && !slices.Equal(c.Mentions, []int64{ed.UserID, mgr.UserID}) {
			t.Fatalf("mentions = %v", c.Mentions)
		}
		n := w.notes.take()
		if len(n) != 1 || n[0].Kind != herald.NotifyMentioned || !slices.Equal(n[0].UserIDs, []int64{mgr.UserID}) {
			t.Fatalf("notifications = %+v, want the manager mentioned (not the author)", n)
		}
		_, err = w.svc.Comment(ctx, ed, tk.ID, " ")
		wantCode(t, err, herald.CodeInvalid, "body")
		_, err = w.svc.Comment(ctx, w.stranger, tk.ID, "hello")
		wantCode(t, err, herald.CodeNotFound)
		cs, err := w.svc.Comments(ctx, mgr, tk.ID)
		must(t, err)
		if len(cs) != 1 || cs[0].AuthorName != "The editor" {
			t.Fatalf("comments = %+v", cs)
		}
		wantCode(t, w.svc.DeleteComment(ctx, mgr, tk.ID, c.ID), herald.CodeForbidden)
		must(t, w.svc.DeleteComment(ctx, ed, tk.ID, c.ID))
	})
}

func TestApplyTemplateSetDatesFromTheCampaignStart(t *testing.T) {
	forEachStore(t, func(t *testing.T, w *world) {
		ctx := t.Context()
		mgr, ed := w.actors[herald.RoleManager], w.actors[herald.RoleEditor]
		_, err := w.svc.SaveTemplateSet(ctx, ed, 0, herald.TaskTemplateSet{Name: "x", Items: []herald.TaskTemplateItem{{Title: "x"}}})
		wantCode(t, err, herald.CodeForbidden)
		_, err = w.svc.SaveTemplateSet(ctx, mgr, 0, herald.TaskTemplateSet{Name: "Launch", Items: []herald.TaskTemplateItem{{Title: ""}}})
		wantCode(t, err, herald.CodeInvalid, "items[0].title")
		set, err := w.svc.SaveTemplateSet(ctx, mgr, 0, herald.TaskTemplateSet{Name: "Launch checklist", Items: []herald.TaskTemplateItem{
			{Title: "Brief", OffsetDays: -3, AssigneeRole: herald.RoleEditor, Checklist: []herald.ChecklistItem{{Text: "goal"}}},
			{Title: "Go live", AssigneeID: w.stranger.UserID},
		}})
		must(t, err)
		made, err := w.svc.Apply(ctx, mgr, set.ID, w.campaign.ID)
		must(t, err)
		tokyo, _ := time.LoadLocation("Asia/Tokyo")
		if len(made) != 2 {
			t.Fatalf("made %d tasks, want 2", len(made))
		}
		if want := time.Date(2026, 12, 7, task.DueHour, 0, 0, 0, tokyo); !made[0].Due.Equal(want) || made[0].AssigneeID != ed.UserID ||
			made[0].CampaignID != w.campaign.ID || len(made[0].Checklist) != 1 {
			t.Fatalf("first task = %+v, want due %v for the editor", made[0], want)
		}
		if want := time.Date(2026, 12, 10, task.DueHour, 0, 0, 0, tokyo); !made[1].Due.Equal(want) || made[1].AssigneeID != 0 {
			t.Fatalf("second task = %+v: a non-member must not be assigned", made[1])
		}
		if n := w.notes.take(); len(n) != 1 || n[0].UserIDs[0] != ed.UserID {
			t.Fatalf("notifications = %+v", n)
		}
		nostart := herald.Campaign{WorkspaceID: w.ws.ID, Name: "Someday"}
		must(t, w.st.CreateCampaign(ctx, &nostart))
		_, err = w.svc.Apply(ctx, mgr, set.ID, nostart.ID)
		wantCode(t, err, herald.CodeInvalid, "campaign_id")
		_, err = w.svc.Apply(ctx, w.stranger, set.ID, w.campaign.ID)
		wantCode(t, err, herald.CodeNotFound)
	})
}

func TestCopyCampaignTasks(t *testing.T) {
	forEachStore(t, func(t *testing.T, w *world) {
		ctx := t.Context()
		mgr, ed, contrib := w.actors[herald.RoleManager], w.actors[herald.RoleEditor], w.actors[herald.RoleContributor]
		due := now.Add(48 * time.Hour)
		kept, err := w.svc.Create(ctx, mgr, herald.Task{Title: "Kept", AssigneeID: ed.UserID, Due: &due, CampaignID: w.campaign.ID,
			Checklist: []herald.ChecklistItem{{Text: "one", Done: true}}})
		must(t, err)
		done, err := w.svc.Create(ctx, mgr, herald.Task{Title: "Done", AssigneeID: contrib.UserID, State: herald.TaskDone, CampaignID: w.campaign.ID})
		must(t, err)
		must(t, w.st.RemoveMember(ctx, w.ws.ID, contrib.UserID))
		to := herald.Campaign{WorkspaceID: w.ws.ID, Name: "Winter sale 2"}
		must(t, w.st.CreateCampaign(ctx, &to))
		must(t, w.svc.CopyCampaignTasks(ctx, mgr, w.campaign.ID, to.ID, 7))
		copies, err := w.svc.List(ctx, mgr, herald.TaskFilter{CampaignID: to.ID})
		must(t, err)
		if len(copies) != 2 {
			t.Fatalf("copies = %+v", copies)
		}
		for _, c := range copies {
			if c.State != herald.TaskTodo || c.ID == kept.ID || c.ID == done.ID {
				t.Fatalf("copy %+v is not a new task to do", c)
			}
			switch c.Title {
			case "Kept":
				if c.AssigneeID != ed.UserID || !c.Due.Equal(due.AddDate(0, 0, 7)) || c.Checklist[0].Done {
					t.Fatalf("copy of Kept = %+v", c)
				}
			case "Done":
				if c.AssigneeID != 0 {
					t.Fatalf("copy of a task of a member who left is assigned to %d", c.AssigneeID)
				}
			}
		}
		wantCode(t, w.svc.CopyCampaignTasks(ctx, ed, w.campaign.ID, to.ID, 0), herald.CodeForbidden)
		wantCode(t, w.svc.CopyCampaignTasks(ctx, w.stranger, w.campaign.ID, to.ID, 0), herald.CodeNotFound)
	})
}

func TestChangesRequestedMakesOneTaskForTheAuthor(t *testing.T) {
	forEachStore(t, func(t *testing.T, w *world) {
		ctx := t.Context()
		author, mgr := w.actors[herald.RoleContributor], w.actors[herald.RoleManager]
		p := w.post(t, author)
		_, err := w.posts.RequestChanges(ctx, mgr, p.ID, "Shorter, please")
		must(t, err)
		// Asking again while it is a draft changes nothing and makes nothing.
		_, err = w.posts.RequestChanges(ctx, mgr, p.ID, "Again")
		must(t, err)
		list, err := w.svc.List(ctx, mgr, herald.TaskFilter{PostID: p.ID})
		must(t, err)
		if len(list) != 1 || list[0].AssigneeID != author.UserID || list[0].State != herald.TaskTodo ||
			list[0].Description != "A reviewer sent this post back for changes.\n\nShorter, please" {
			t.Fatalf("tasks for the post = %+v, want one for the author with the comment", list)
		}
		// The same request told twice is still one task.
		w.svc.ChangesRequested(ctx, mgr, p, "Shorter, please", now)
		list, err = w.svc.List(ctx, mgr, herald.TaskFilter{PostID: p.ID})
		must(t, err)
		if len(list) != 1 {
			t.Fatalf("a repeated hook made %d tasks", len(list))
		}
		// A second round of review makes a second task.
		w.clock.add(time.Minute)
		_, err = w.posts.Submit(ctx, author, p.ID, "")
		must(t, err)
		_, err = w.posts.RequestChanges(ctx, mgr, p.ID, "Still long")
		must(t, err)
		list, err = w.svc.List(ctx, mgr, herald.TaskFilter{PostID: p.ID})
		must(t, err)
		if len(list) != 2 {
			t.Fatalf("second request: %d tasks, want 2", len(list))
		}
	})
}

func TestNotifyDueOncePerDueTime(t *testing.T) {
	forEachStore(t, func(t *testing.T, w *world) {
		ctx := t.Context()
		mgr, ed := w.actors[herald.RoleManager], w.actors[herald.RoleEditor]
		soon, later := now.Add(3*time.Hour), now.Add(72*time.Hour)
		tk, err := w.svc.Create(ctx, mgr, herald.Task{Title: "Soon", AssigneeID: ed.UserID, Due: &soon})
		must(t, err)
		_, err = w.svc.Create(ctx, mgr, herald.Task{Title: "Later", AssigneeID: ed.UserID, Due: &later})
		must(t, err)
		_, err = w.svc.Create(ctx, mgr, herald.Task{Title: "Nobody's", Due: &soon})
		must(t, err)
		w.notes.take()
		n, err := w.svc.NotifyDue(ctx)
		must(t, err)
		got := w.notes.take()
		if n != 1 || len(got) != 1 || got[0].Kind != herald.NotifyTaskDueSoon || got[0].TaskID != tk.ID {
			t.Fatalf("due soon: %+v", got)
		}
		first := got[0].Key
		_, err = w.svc.NotifyDue(ctx)
		must(t, err)
		if again := w.notes.take(); len(again) != 1 || again[0].Key != first {
			t.Fatalf("a second run must repeat the same key: %+v", again)
		}
		w.clock.add(4 * time.Hour)
		_, err = w.svc.NotifyDue(ctx)
		must(t, err)
		got = w.notes.take()
		if len(got) != 1 || got[0].Kind != herald.NotifyTaskOverdue || got[0].Key == first {
			t.Fatalf("overdue: %+v", got)
		}
		_, err = w.svc.Move(ctx, ed, tk.ID, task.Move{State: herald.TaskDone, Version: tk.Version})
		must(t, err)
		_, err = w.svc.NotifyDue(ctx)
		must(t, err)
		if got := w.notes.take(); len(got) != 0 {
			t.Fatalf("a done task is still told about: %+v", got)
		}
	})
}

func TestBoardAndMyWork(t *testing.T) {
	forEachStore(t, func(t *testing.T, w *world) {
		ctx := t.Context()
		mgr, ed := w.actors[herald.RoleManager], w.actors[herald.RoleEditor]
		past, soon := now.Add(-time.Hour), now.Add(time.Hour)
		late, err := w.svc.Create(ctx, mgr, herald.Task{Title: "Late", AssigneeID: ed.UserID, Due: &past})
		must(t, err)
		undated, err := w.svc.Create(ctx, mgr, herald.Task{Title: "Undated", AssigneeID: ed.UserID, State: herald.TaskDoing})
		must(t, err)
		next, err := w.svc.Create(ctx, mgr, herald.Task{Title: "Next", AssigneeID: ed.UserID, Due: &soon})
		must(t, err)
		_, err = w.svc.Create(ctx, mgr, herald.Task{Title: "Finished", AssigneeID: ed.UserID, State: herald.TaskDone, Due: &past})
		must(t, err)
		_, err = w.svc.Create(ctx, mgr, herald.Task{Title: "Someone else's", AssigneeID: mgr.UserID})
		must(t, err)
		mine, err := w.svc.MyWork(ctx, ed)
		must(t, err)
		if got := ids(mine); !slices.Equal(got, []int64{late.ID, next.ID, undated.ID}) {
			t.Fatalf("my work = %v, want late, next, undated", got)
		}
		cols, err := w.svc.Board(ctx, ed, task.BoardFilter{AssigneeID: ed.UserID, Due: task.DueOverdue})
		must(t, err)
		if len(cols) != 4 || !slices.Equal(ids(cols[0].Tasks), []int64{late.ID}) || cols[0].Total != 1 ||
			len(cols[1].Tasks) != 0 || cols[3].Total != 0 {
			t.Fatalf("overdue board = %+v", cols)
		}
		_, err = w.svc.Board(ctx, ed, task.BoardFilter{Due: "someday"})
		wantCode(t, err, herald.CodeInvalid, "due")
		other, err := w.svc.MyWork(ctx, w.stranger)
		must(t, err)
		if len(other) != 0 {
			t.Fatalf("another workspace sees %+v", other)
		}
	})
}

func errorAs(err error, target **herald.Error) bool { return errors.As(err, target) }
