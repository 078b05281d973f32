package storetest

import (
	"testing"
	"time"

	"github.com/heraldsocial/herald/internal/herald"
)

func mustTask(t *testing.T, s herald.Tx, workspaceID, createdBy int64, state herald.TaskState, pos float64) herald.Task {
	t.Helper()
	tk := herald.Task{WorkspaceID: workspaceID, Title: "Task " + unique(), State: state, Position: pos,
		CreatedBy: createdBy, Checklist: []herald.ChecklistItem{}, CreatedAt: at(0), UpdatedAt: at(0)}
	noErr(t, s.CreateTask(t.Context(), &tk), "CreateTask")
	if tk.ID == 0 || tk.Version != 1 {
		t.Fatalf("CreateTask set ID %d and version %d, want an ID and version 1", tk.ID, tk.Version)
	}
	return tk
}

func taskIDs(ts []herald.Task) []int64 {
	var ids []int64
	for _, x := range ts {
		ids = append(ids, x.ID)
	}
	return ids
}

func taskTests() []test {
	return []test{
		{"RoundTripUpdateDelete", func(t *testing.T, s herald.Store) {
			ctx := t.Context()
			w := mustWorkspace(t, s)
			u := mustUser(t, s)
			mustMember(t, s, w.ID, u.ID, herald.RoleEditor)
			c := mustCampaign(t, s, w.ID, "Spring")
			p := mustPost(t, s, w.ID, u.ID)
			due := at(48 * time.Hour)
			tk := herald.Task{WorkspaceID: w.ID, Title: "Write copy", Description: "Two lines", AssigneeID: u.ID,
				Due: &due, State: herald.TaskDoing, PostID: p.ID, CampaignID: c.ID, Position: 1.5, CreatedBy: u.ID,
				Checklist: []herald.ChecklistItem{{Text: "draft", Done: true}, {Text: "proof"}}, SourceKey: "changes:1:2",
				CreatedAt: at(0), UpdatedAt: at(0)}
			noErr(t, s.CreateTask(ctx, &tk), "CreateTask")
			got, err := s.GetTask(ctx, w.ID, tk.ID)
			noErr(t, err, "GetTask")
			want := tk
			want.AssigneeName, want.CampaignName = u.Name, "Spring"
			same(t, "task", got, want)
			other := mustWorkspace(t, s)
			_, err = s.GetTask(ctx, other.ID, tk.ID)
			wantNotFound(t, err, "GetTask from another workspace")

			got.Title, got.State, got.Due, got.AssigneeID, got.PostID = "Edited", herald.TaskDone, nil, 0, 0
			got.Checklist = []herald.ChecklistItem{{Text: "only"}}
			got.UpdatedAt = at(time.Minute)
			noErr(t, s.UpdateTask(ctx, &got, 1), "UpdateTask")
			if got.Version != 2 {
				t.Fatalf("version after update = %d, want 2", got.Version)
			}
			stale := got
			stale.Title = "Stale"
			wantConflict(t, s.UpdateTask(ctx, &stale, 1), "UpdateTask from version 1")
			again, err := s.GetTask(ctx, w.ID, tk.ID)
			noErr(t, err, "GetTask after update")
			got.AssigneeName = ""
			same(t, "updated task", again, got)
			wrong := got
			wrong.WorkspaceID = other.ID
			wantNotFound(t, s.UpdateTask(ctx, &wrong, 2), "UpdateTask in another workspace")
			wantNotFound(t, s.DeleteTask(ctx, other.ID, tk.ID), "DeleteTask in another workspace")
			noErr(t, s.DeleteTask(ctx, w.ID, tk.ID), "DeleteTask")
			_, err = s.GetTask(ctx, w.ID, tk.ID)
			wantNotFound(t, err, "GetTask after delete")
		}},
		{"SourceKeyOncePerWorkspace", func(t *testing.T, s herald.Store) {
			ctx := t.Context()
			w := mustWorkspace(t, s)
			other := mustWorkspace(t, s)
			for _, ws := range []int64{w.ID, other.ID} {
				tk := herald.Task{WorkspaceID: ws, Title: "Fix", State: herald.TaskTodo, CreatedBy: 1, SourceKey: "k"}
				noErr(t, s.CreateTask(ctx, &tk), "CreateTask with a key")
			}
			dup := herald.Task{WorkspaceID: w.ID, Title: "Fix", State: herald.TaskTodo, CreatedBy: 1, SourceKey: "k"}
			wantConflict(t, s.CreateTask(ctx, &dup), "CreateTask with a used key")
			for range 2 {
				free := herald.Task{WorkspaceID: w.ID, Title: "Hand-made", State: herald.TaskTodo, CreatedBy: 1}
				noErr(t, s.CreateTask(ctx, &free), "CreateTask without a key")
			}
		}},
		{"ListCountAndPositions", func(t *testing.T, s herald.Store) {
			ctx := t.Context()
			w := mustWorkspace(t, s)
			u := mustUser(t, s)
			mustMember(t, s, w.ID, u.ID, herald.RoleEditor)
			c := mustCampaign(t, s, w.ID, "C")
			b := mustTask(t, s, w.ID, u.ID, herald.TaskTodo, 2)
			a := mustTask(t, s, w.ID, u.ID, herald.TaskTodo, 1)
			d := mustTask(t, s, w.ID, u.ID, herald.TaskDone, 1)
			g := mustTask(t, s, w.ID, u.ID, herald.TaskDoing, 5)
			mustTask(t, s, mustWorkspace(t, s).ID, u.ID, herald.TaskTodo, 0)
			due1, due2 := at(time.Hour), at(2*time.Hour)
			b.Due, b.AssigneeID, b.CampaignID = &due2, u.ID, c.ID
			noErr(t, s.UpdateTask(ctx, &b, 1), "UpdateTask b")
			g.Due, g.AssigneeID = &due1, u.ID
			noErr(t, s.UpdateTask(ctx, &g, 1), "UpdateTask g")
			list, err := s.ListTasks(ctx, herald.TaskFilter{WorkspaceID: w.ID})
			noErr(t, err, "ListTasks")
			wantIDs(t, "board order", taskIDs(list), []int64{a.ID, b.ID, g.ID, d.ID})
			list, err = s.ListTasks(ctx, herald.TaskFilter{WorkspaceID: w.ID, Order: herald.TaskByDue, OpenOnly: true})
			noErr(t, err, "ListTasks by due")
			wantIDs(t, "due order", taskIDs(list), []int64{g.ID, b.ID, a.ID})
			for name, f := range map[string]herald.TaskFilter{
				"assignee":   {AssigneeID: u.ID},
				"unassigned": {AssigneeID: -1, State: herald.TaskTodo},
				"campaign":   {CampaignID: c.ID},
				"due before": {DueBefore: &due2},
				"due after":  {DueAfter: &due2},
				"state":      {State: herald.TaskDone},
				"limit":      {Limit: 1},
			} {
				f.WorkspaceID = w.ID
				want := map[string][]int64{"assignee": {b.ID, g.ID}, "unassigned": {a.ID}, "campaign": {b.ID},
					"due before": {g.ID}, "due after": {b.ID}, "state": {d.ID}, "limit": {a.ID}}[name]
				list, err := s.ListTasks(ctx, f)
				noErr(t, err, "ListTasks "+name)
				wantIDs(t, "ListTasks "+name, taskIDs(list), want)
			}
			counts, err := s.CountTasks(ctx, herald.TaskFilter{WorkspaceID: w.ID})
			noErr(t, err, "CountTasks")
			same(t, "counts", counts, map[herald.TaskState]int{herald.TaskTodo: 2, herald.TaskDoing: 1, herald.TaskDone: 1})
			for _, c := range []struct {
				pos   float64
				above bool
				want  float64
				ok    bool
			}{{1, true, 2, true}, {1, false, 0, false}, {2, false, 1, true}, {2, true, 0, false}, {1e300, false, 2, true}} {
				got, ok, err := s.TaskPositionNear(ctx, w.ID, herald.TaskTodo, c.pos, c.above)
				noErr(t, err, "TaskPositionNear")
				if got != c.want || ok != c.ok {
					t.Errorf("TaskPositionNear(%v, above %v) = %v, %v; want %v, %v", c.pos, c.above, got, ok, c.want, c.ok)
				}
			}
			due, err := s.ListTasksDue(ctx, at(0), at(90*time.Minute))
			noErr(t, err, "ListTasksDue")
			wantIDs(t, "due tasks", taskIDs(due), []int64{g.ID})
		}},
		{"LeftAssigneeIsFlagged", func(t *testing.T, s herald.Store) {
			ctx := t.Context()
			w := mustWorkspace(t, s)
			u := mustUser(t, s)
			mustMember(t, s, w.ID, u.ID, herald.RoleEditor)
			tk := mustTask(t, s, w.ID, u.ID, herald.TaskTodo, 1)
			tk.AssigneeID = u.ID
			noErr(t, s.UpdateTask(ctx, &tk, 1), "UpdateTask")
			noErr(t, s.RemoveMember(ctx, w.ID, u.ID), "RemoveMember")
			got, err := s.GetTask(ctx, w.ID, tk.ID)
			noErr(t, err, "GetTask")
			if got.AssigneeID != u.ID || !got.AssigneeLeft {
				t.Fatalf("task of a member who left: assignee %d, left %v; want %d and true", got.AssigneeID, got.AssigneeLeft, u.ID)
			}
		}},
		{"Comments", func(t *testing.T, s herald.Store) {
			ctx := t.Context()
			w := mustWorkspace(t, s)
			u := mustUser(t, s)
			tk := mustTask(t, s, w.ID, u.ID, herald.TaskTodo, 1)
			c := herald.TaskComment{WorkspaceID: w.ID, TaskID: tk.ID, AuthorID: u.ID, Body: "hi @x", Mentions: []int64{u.ID}, CreatedAt: at(0)}
			noErr(t, s.CreateTaskComment(ctx, &c), "CreateTaskComment")
			c2 := herald.TaskComment{WorkspaceID: w.ID, TaskID: tk.ID, AuthorID: u.ID, Body: "second", CreatedAt: at(time.Second)}
			noErr(t, s.CreateTaskComment(ctx, &c2), "CreateTaskComment 2")
			other := mustWorkspace(t, s)
			bad := herald.TaskComment{WorkspaceID: other.ID, TaskID: tk.ID, AuthorID: u.ID, Body: "x"}
			wantNotFound(t, s.CreateTaskComment(ctx, &bad), "CreateTaskComment on another workspace's task")
			list, err := s.ListTaskComments(ctx, w.ID, tk.ID)
			noErr(t, err, "ListTaskComments")
			c.AuthorName, c2.AuthorName = u.Name, u.Name
			same(t, "comments", list, []herald.TaskComment{c, c2})
			got, err := s.GetTask(ctx, w.ID, tk.ID)
			noErr(t, err, "GetTask")
			if got.Comments != 2 {
				t.Fatalf("task comments = %d, want 2", got.Comments)
			}
			wantNotFound(t, s.DeleteTaskComment(ctx, other.ID, tk.ID, c.ID), "DeleteTaskComment in another workspace")
			noErr(t, s.DeleteTaskComment(ctx, w.ID, tk.ID, c.ID), "DeleteTaskComment")
			noErr(t, s.DeleteTask(ctx, w.ID, tk.ID), "DeleteTask with a comment")
		}},
		{"TemplateSets", func(t *testing.T, s herald.Store) {
			ctx := t.Context()
			w := mustWorkspace(t, s)
			other := mustWorkspace(t, s)
			mk := func(ws int64, name string) herald.TaskTemplateSet {
				ts := herald.TaskTemplateSet{WorkspaceID: ws, Name: name, CreatedAt: at(0), UpdatedAt: at(0),
					Items: []herald.TaskTemplateItem{{Title: "Brief", OffsetDays: -7, AssigneeRole: herald.RoleManager,
						Checklist: []herald.ChecklistItem{{Text: "goal"}}}, {Title: "Go", AssigneeID: 3}}}
				noErr(t, s.CreateTaskTemplateSet(ctx, &ts), "CreateTaskTemplateSet")
				return ts
			}
			b := mk(w.ID, "launch")
			a := mk(w.ID, "Awareness")
			mk(other.ID, "Launch")
			dup := herald.TaskTemplateSet{WorkspaceID: w.ID, Name: "LAUNCH", Items: b.Items}
			wantConflict(t, s.CreateTaskTemplateSet(ctx, &dup), "CreateTaskTemplateSet with a used name")
			got, err := s.GetTaskTemplateSet(ctx, w.ID, b.ID)
			noErr(t, err, "GetTaskTemplateSet")
			same(t, "set", got, b)
			list, err := s.ListTaskTemplateSets(ctx, w.ID)
			noErr(t, err, "ListTaskTemplateSets")
			if len(list) != 2 || list[0].ID != a.ID || list[1].ID != b.ID {
				t.Fatalf("ListTaskTemplateSets = %+v, want Awareness then launch", list)
			}
			b.Name, b.Items, b.UpdatedAt = "Launch v2", b.Items[:1], at(time.Minute)
			noErr(t, s.UpdateTaskTemplateSet(ctx, &b), "UpdateTaskTemplateSet")
			got, err = s.GetTaskTemplateSet(ctx, w.ID, b.ID)
			noErr(t, err, "GetTaskTemplateSet after update")
			same(t, "updated set", got, b)
			_, err = s.GetTaskTemplateSet(ctx, other.ID, b.ID)
			wantNotFound(t, err, "GetTaskTemplateSet from another workspace")
			wantNotFound(t, s.DeleteTaskTemplateSet(ctx, other.ID, b.ID), "DeleteTaskTemplateSet in another workspace")
			noErr(t, s.DeleteTaskTemplateSet(ctx, w.ID, b.ID), "DeleteTaskTemplateSet")
		}},
	}
}
