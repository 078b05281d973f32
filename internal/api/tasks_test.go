package api_test

import (
	"fmt"
	"testing"

	"github.com/heraldsocial/herald/internal/herald"
)

func TestTasksAPI(t *testing.T) {
	forEachStore(t, func(t *testing.T, h *harness) {
		w := newWsWorld(t, h)
		tasks := wsPath("/workspaces/%d/tasks", w.a.ID)
		var first, second herald.Task
		created := func(into *herald.Task) func(t *testing.T, r response) {
			return func(t *testing.T, r response) {
				r.JSON(t, into)
				if into.ID == 0 || into.WorkspaceID != w.a.ID || into.Version != 1 {
					t.Fatalf("created %s", r.Body)
				}
			}
		}
		runWsCases(t, h, []wsCase{
			{name: "create by an analyst", method: "POST", path: tasks, token: w.analystTok, body: map[string]any{"title": "x"},
				status: 403, code: "forbidden"},
			{name: "create for someone outside the workspace", method: "POST", path: tasks, token: w.editorTok,
				body: map[string]any{"title": "x", "assignee_id": w.bOwner.ID}, status: 422, code: "invalid", field: "assignee_id"},
			{name: "create in the other workspace's campaign", method: "POST", path: tasks, token: w.editorTok,
				body: map[string]any{"title": "x", "campaign_id": w.bCampaign.ID}, status: 422, code: "invalid", field: "campaign_id"},
			{name: "create", method: "POST", path: tasks, token: w.ownerTok, status: 201, check: created(&first),
				body: map[string]any{"title": "Brief the designer", "assignee_id": w.editor.ID, "due": "2026-03-01T09:00:00Z",
					"campaign_id": w.aCampaign.ID, "checklist": []map[string]any{{"text": "Sizes"}, {"text": "Colours"}}}},
			{name: "create a second", method: "POST", path: tasks, token: w.editorTok, status: 201, check: created(&second),
				body: map[string]any{"title": "Write the copy"}},
		}, w.a.ID, w.b.ID)
		one := func(id int64) string { return tasks + "/" + wsID(id) }
		runWsCases(t, h, []wsCase{
			{name: "get from the other workspace", method: "GET", path: wsPath("/workspaces/%d/tasks/%d", w.b.ID, first.ID),
				token: w.bOwnerTok, status: 404, code: "not_found"},
			{name: "move from the other workspace", method: "POST", path: wsPath("/workspaces/%d/tasks/%d/move", w.b.ID, first.ID),
				token: w.bOwnerTok, body: map[string]any{"state": "done", "version": 1}, status: 404, code: "not_found"},
			{name: "move second before first", method: "POST", path: one(second.ID) + "/move", token: w.editorTok,
				body: map[string]any{"state": "todo", "before": first.ID, "version": 1}, status: 200},
			{name: "list in board order", method: "GET", path: tasks, token: w.analystTok, status: 200,
				check: func(t *testing.T, r response) {
					var b struct{ Items []herald.Task }
					r.JSON(t, &b)
					if len(b.Items) != 2 || b.Items[0].ID != second.ID || b.Items[1].ID != first.ID {
						t.Fatalf("list %s", r.Body)
					}
				}},
			{name: "stale move", method: "POST", path: one(second.ID) + "/move", token: w.editorTok,
				body: map[string]any{"state": "doing", "version": 1}, status: 409, code: "conflict", field: "version"},
			{name: "tick an item", method: "PUT", path: one(first.ID) + "/checklist/1", token: w.editorTok,
				body: map[string]any{"done": true, "version": 1}, status: 200, check: func(t *testing.T, r response) {
					var got herald.Task
					r.JSON(t, &got)
					if !got.Checklist[1].Done || got.Checklist[0].Done || got.Version != 2 {
						t.Fatalf("ticked %s", r.Body)
					}
				}},
			{name: "tick an item that is not there", method: "PUT", path: one(first.ID) + "/checklist/5", token: w.editorTok,
				body: map[string]any{"done": true, "version": 2}, status: 422, code: "invalid", field: "index"},
			{name: "replace from an old version", method: "PUT", path: one(first.ID), token: w.editorTok,
				body: map[string]any{"title": "Edited", "version": 1}, status: 409, code: "conflict"},
			{name: "replace", method: "PUT", path: one(first.ID), token: w.editorTok,
				body: map[string]any{"title": "Edited", "state": "in_review", "version": 2}, status: 200,
				check: func(t *testing.T, r response) {
					var got herald.Task
					r.JSON(t, &got)
					if got.Title != "Edited" || got.State != herald.TaskInReview || got.AssigneeID != 0 || got.Version != 3 {
						t.Fatalf("replaced %s", r.Body)
					}
				}},
			{name: "comment", method: "POST", path: one(first.ID) + "/comments", token: w.ownerTok,
				body: map[string]any{"body": "@editor over to you"}, status: 201, check: func(t *testing.T, r response) {
					var c herald.TaskComment
					r.JSON(t, &c)
					if len(c.Mentions) != 1 || c.Mentions[0] != w.editor.ID {
						t.Fatalf("comment %s", r.Body)
					}
				}},
			{name: "list comments", method: "GET", path: one(first.ID) + "/comments", token: w.analystTok, status: 200},
			{name: "my tasks", method: "GET", path: wsPath("/workspaces/%d/my-tasks", w.a.ID), token: w.editorTok, status: 200},
			{name: "filter by due", method: "GET", path: tasks + "?due_before=2026-01-01T00:00:00Z", token: w.editorTok, status: 200,
				check: func(t *testing.T, r response) {
					var b struct{ Items []herald.Task }
					r.JSON(t, &b)
					if len(b.Items) != 0 {
						t.Fatalf("due filter %s", r.Body)
					}
				}},
			{name: "delete", method: "DELETE", path: one(second.ID), token: w.editorTok, status: 204},
		}, w.a.ID, w.b.ID)

		sets := wsPath("/workspaces/%d/task-template-sets", w.a.ID)
		var set herald.TaskTemplateSet
		runWsCases(t, h, []wsCase{
			{name: "create a set as an editor", method: "POST", path: sets, token: w.editorTok, status: 403, code: "forbidden",
				body: map[string]any{"name": "Launch", "items": []map[string]any{{"title": "Go"}}}},
			{name: "create a set with a bad offset", method: "POST", path: sets, token: w.adminTok, status: 422, code: "invalid",
				field: "items[0].offset_days", body: map[string]any{"name": "Launch", "items": []map[string]any{{"title": "Go", "offset_days": 99999}}}},
			{name: "create a set", method: "POST", path: sets, token: w.adminTok, status: 201,
				body: map[string]any{"name": "Launch checklist", "items": []map[string]any{
					{"title": "Brief", "offset_days": -7, "assignee_role": "editor"}, {"title": "Go live"}}},
				check: func(t *testing.T, r response) { r.JSON(t, &set) }},
		}, w.a.ID, w.b.ID)
		runWsCases(t, h, []wsCase{
			{name: "apply to the other workspace's campaign", method: "POST", path: fmt.Sprintf("%s/%d/apply", sets, set.ID),
				token: w.adminTok, body: map[string]any{"campaign_id": w.bCampaign.ID}, status: 422, code: "invalid", field: "campaign_id"},
			{name: "apply from the other workspace", method: "POST", path: fmt.Sprintf("/api/v1/workspaces/%d/task-template-sets/%d/apply", w.b.ID, set.ID),
				token: w.bOwnerTok, body: map[string]any{"campaign_id": w.bCampaign.ID}, status: 404, code: "not_found"},
			{name: "apply", method: "POST", path: fmt.Sprintf("%s/%d/apply", sets, set.ID), token: w.adminTok,
				body: map[string]any{"campaign_id": w.aCampaign.ID}, status: 201, check: func(t *testing.T, r response) {
					var b struct{ Items []herald.Task }
					r.JSON(t, &b)
					if len(b.Items) != 2 || b.Items[0].AssigneeID != w.editor.ID || b.Items[0].CampaignID != w.aCampaign.ID || b.Items[0].Due == nil {
						t.Fatalf("applied %s", r.Body)
					}
				}},
			{name: "list sets", method: "GET", path: sets, token: w.analystTok, status: 200},
			{name: "delete set", method: "DELETE", path: fmt.Sprintf("%s/%d", sets, set.ID), token: w.adminTok, status: 204},
		}, w.a.ID, w.b.ID)
	})
}
