package api_test

import (
	"testing"

	"github.com/heraldsocial/herald/internal/herald"
)

func TestLabelsAPI(t *testing.T) {
	forEachStore(t, func(t *testing.T, h *harness) {
		w := newWsWorld(t, h)
		labels := wsPath("/workspaces/%d/labels", w.a.ID)
		one := labels + "/" + wsID(w.aLabel.ID)
		var created herald.Label
		runWsCases(t, h, []wsCase{
			{name: "list by an analyst", method: "GET", path: labels, token: w.analystTok, status: 200,
				check: func(t *testing.T, r response) {
					var body struct{ Items []herald.Label }
					r.JSON(t, &body)
					if len(body.Items) != 1 || body.Items[0].Name != "Launch" {
						t.Fatalf("labels %s", r.Body)
					}
				}},
			{name: "create by an editor", method: "POST", path: labels, token: w.editorTok,
				body: map[string]any{"name": "  Evergreen "}, status: 201, check: func(t *testing.T, r response) {
					r.JSON(t, &created)
					if created.ID == 0 || created.Name != "Evergreen" || created.Color != "#6b7280" || created.WorkspaceID != w.a.ID {
						t.Fatalf("created %s", r.Body)
					}
				}},
			{name: "create by an analyst", method: "POST", path: labels, token: w.analystTok,
				body: map[string]any{"name": "Nope"}, status: 403, code: "forbidden"},
			{name: "create without auth", method: "POST", path: labels,
				body: map[string]any{"name": "Nope"}, status: 401, code: "unauthorized"},
			{name: "create with malformed JSON", method: "POST", path: labels, token: w.editorTok,
				body: `{"name": "Nope"`, status: 400, code: "bad_request"},
			{name: "create with an unknown field", method: "POST", path: labels, token: w.editorTok,
				body: `{"name": "Nope", "colour": "#ffffff"}`, status: 422, code: "invalid"},
			{name: "create with a wrong type", method: "POST", path: labels, token: w.editorTok,
				body: `{"name": ["Nope"]}`, status: 422, code: "invalid", field: "name"},
			{name: "create with a bad colour", method: "POST", path: labels, token: w.editorTok,
				body: map[string]any{"name": "Nope", "color": "red"}, status: 422, code: "invalid", field: "color"},
			{name: "create with a blank name", method: "POST", path: labels, token: w.editorTok,
				body: map[string]any{"name": "   "}, status: 422, code: "invalid", field: "name"},
			{name: "create a duplicate name, in other case", method: "POST", path: labels, token: w.editorTok,
				body: map[string]any{"name": "launch"}, status: 409, code: "conflict", field: "name"},
			{name: "get", method: "GET", path: one, token: w.analystTok, status: 200},
			{name: "get an unknown label", method: "GET", path: labels + "/999999", token: w.editorTok, status: 404, code: "not_found"},
			{name: "rename onto another label's name", method: "PATCH", path: one, token: w.editorTok,
				body: map[string]any{"name": "EVERGREEN"}, status: 409, code: "conflict", field: "name"},
			{name: "recolour by an analyst", method: "PATCH", path: one, token: w.analystTok,
				body: map[string]any{"color": "#000000"}, status: 403, code: "forbidden"},
			{name: "recolour only", method: "PATCH", path: one, token: w.editorTok,
				body: map[string]any{"color": "#FF0000"}, status: 200, check: func(t *testing.T, r response) {
					var l herald.Label
					r.JSON(t, &l)
					if l.Name != "Launch" || l.Color != "#FF0000" {
						t.Fatalf("updated %s", r.Body)
					}
				}},
			{name: "rename, changing only the case", method: "PATCH", path: one, token: w.editorTok,
				body: map[string]any{"name": "LAUNCH"}, status: 200},
			{name: "delete by an analyst", method: "DELETE", path: one, token: w.analystTok, status: 403, code: "forbidden"},
			{name: "delete", method: "DELETE", path: one, token: w.editorTok, status: 204},
			{name: "gone", method: "GET", path: one, token: w.editorTok, status: 404, code: "not_found"},
			{name: "delete again", method: "DELETE", path: one, token: w.editorTok, status: 404, code: "not_found"},
		}, w.a.ID, w.b.ID)
	})
}

func TestCampaignsAPI(t *testing.T) {
	forEachStore(t, func(t *testing.T, h *harness) {
		w := newWsWorld(t, h)
		campaigns := wsPath("/workspaces/%d/campaigns", w.a.ID)
		one := campaigns + "/" + wsID(w.aCampaign.ID)
		_, managerTok := h.member(w.a, "manager@example.com", herald.RoleManager)
		runWsCases(t, h, []wsCase{
			{name: "list by an analyst", method: "GET", path: campaigns, token: w.analystTok, status: 200,
				check: func(t *testing.T, r response) {
					var body struct{ Items []herald.Campaign }
					r.JSON(t, &body)
					if len(body.Items) != 1 || body.Items[0].Name != "Spring" {
						t.Fatalf("campaigns %s", r.Body)
					}
				}},
			{name: "create by a manager", method: "POST", path: campaigns, token: managerTok,
				body:   map[string]any{"name": "Summer", "goal": "Sell sunscreen", "start_date": "2026-06-01", "end_date": "2026-08-31"},
				status: 201, check: func(t *testing.T, r response) {
					var c herald.Campaign
					r.JSON(t, &c)
					if c.ID == 0 || c.Goal != "Sell sunscreen" || c.EndDate != "2026-08-31" {
						t.Fatalf("created %s", r.Body)
					}
				}},
			{name: "create by an editor", method: "POST", path: campaigns, token: w.editorTok,
				body: map[string]any{"name": "Nope"}, status: 403, code: "forbidden"},
			{name: "create ending before it starts", method: "POST", path: campaigns, token: managerTok,
				body:   map[string]any{"name": "Backwards", "start_date": "2026-06-01", "end_date": "2026-05-01"},
				status: 422, code: "invalid", field: "end_date"},
			{name: "create with a date that is not a date", method: "POST", path: campaigns, token: managerTok,
				body: map[string]any{"name": "Odd", "start_date": "June"}, status: 422, code: "invalid"},
			{name: "create with an unknown field", method: "POST", path: campaigns, token: managerTok,
				body: map[string]any{"name": "Odd", "budget": 100}, status: 422, code: "invalid"},
			{name: "create with malformed JSON", method: "POST", path: campaigns, token: managerTok,
				body: `{`, status: 400, code: "bad_request"},
			{name: "create without auth", method: "POST", path: campaigns,
				body: map[string]any{"name": "Nope"}, status: 401, code: "unauthorized"},
			{name: "get", method: "GET", path: one, token: w.analystTok, status: 200},
			{name: "update the goal only", method: "PATCH", path: one, token: managerTok,
				body: map[string]any{"goal": "Grow the list"}, status: 200, check: func(t *testing.T, r response) {
					var c herald.Campaign
					r.JSON(t, &c)
					if c.Name != "Spring" || c.Goal != "Grow the list" || c.StartDate != "2026-03-01" || !c.UpdatedAt.After(c.CreatedAt) {
						t.Fatalf("updated %s", r.Body)
					}
				}},
			{name: "update to end before the start", method: "PATCH", path: one, token: managerTok,
				body: map[string]any{"end_date": "2026-02-01"}, status: 422, code: "invalid", field: "end_date"},
			{name: "clear the start date", method: "PATCH", path: one, token: managerTok,
				body: map[string]any{"start_date": ""}, status: 200},
			{name: "update by an analyst", method: "PATCH", path: one, token: w.analystTok,
				body: map[string]any{"goal": "x"}, status: 403, code: "forbidden"},
			{name: "delete", method: "DELETE", path: one, token: managerTok, status: 204},
			{name: "gone", method: "GET", path: one, token: managerTok, status: 404, code: "not_found"},
		}, w.a.ID, w.b.ID)
	})
}
