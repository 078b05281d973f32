package api_test

import (
	"strings"
	"testing"
	"time"

	"github.com/heraldsocial/herald/internal/herald"
)

func TestCrisisAPI(t *testing.T) {
	forEachStore(t, func(t *testing.T, h *harness) {
		w := newWsWorld(t, h)
		detectors := wsPath("/workspaces/%d/crisis/detectors", w.a.ID)
		var d struct {
			herald.Detector
			WindowSeconds   int64 `json:"window_seconds"`
			BaselineSeconds int64 `json:"baseline_seconds"`
		}
		var drill struct {
			herald.Incident
			Timeline []herald.IncidentEvent
		}
		spike := map[string]any{"name": "Negative spike", "kind": "spike", "sentiment": "negative", "hold": "propose", "enabled": true}
		runWsCases(t, h, []wsCase{
			{name: "create by an admin", method: "POST", path: detectors, token: w.adminTok, body: spike, status: 201,
				check: func(t *testing.T, r response) {
					r.JSON(t, &d)
					if d.ID == 0 || d.WindowSeconds != 900 || d.BaselineSeconds != 86400 || d.Multiple != 3 || d.MinCount != 20 {
						t.Fatalf("created %s", r.Body)
					}
				}},
			{name: "create by an editor", method: "POST", path: detectors, token: w.editorTok, body: spike, status: 403, code: "forbidden"},
			{name: "a phrase detector without phrases", method: "POST", path: detectors, token: w.adminTok,
				body: map[string]any{"name": "Recall", "kind": "phrase", "enabled": true}, status: 422, code: "invalid", field: "phrases"},
			{name: "a topic of no one", method: "POST", path: detectors, token: w.adminTok,
				body: map[string]any{"name": "T", "kind": "spike", "topic_id": 999999, "enabled": true}, status: 422, code: "invalid", field: "topic_id"},
			{name: "a duplicate name", method: "POST", path: detectors, token: w.adminTok, body: spike, status: 409, code: "conflict", field: "name"},
			{name: "list by an analyst", method: "GET", path: detectors, token: w.analystTok, status: 200,
				check: func(t *testing.T, r response) {
					if !strings.Contains(string(r.Body), `"Negative spike"`) {
						t.Fatalf("list %s", r.Body)
					}
				}},
			{name: "replay an unsaved detector", method: "POST", path: wsPath("/workspaces/%d/crisis/replay", w.a.ID), token: w.analystTok,
				body: map[string]any{"detector": map[string]any{"name": "x", "kind": "spike", "min_count": 1},
					"from": time.Now().Add(-24 * time.Hour).Format(time.RFC3339), "to": time.Now().Format(time.RFC3339)}, status: 200,
				check: func(t *testing.T, r response) {
					if !strings.Contains(string(r.Body), `"firings":[]`) {
						t.Fatalf("replay over nothing %s", r.Body)
					}
				}},
		})
		one := detectors + "/" + wsID(d.ID)
		runWsCases(t, h, []wsCase{
			{name: "drill", method: "POST", path: one + "/drill", token: w.adminTok, status: 201,
				check: func(t *testing.T, r response) {
					r.JSON(t, &drill)
					if !drill.Drill || drill.Status != herald.IncidentOpen || drill.HoldProposed || len(drill.Timeline) != 3 ||
						!strings.Contains(drill.Timeline[2].Message, "nothing was held") {
						t.Fatalf("drill %s", r.Body)
					}
				}},
			{name: "drill by an editor", method: "POST", path: one + "/drill", token: w.editorTok, status: 403, code: "forbidden"},
		})
		incident := wsPath("/workspaces/%d/incidents/%d", w.a.ID, drill.ID)
		runWsCases(t, h, []wsCase{
			{name: "list incidents", method: "GET", path: wsPath("/workspaces/%d/incidents", w.a.ID), token: w.editorTok, status: 200},
			{name: "a note by an editor", method: "POST", path: incident + "/notes", token: w.editorTok,
				body: map[string]any{"note": "Support told"}, status: 201},
			{name: "holding for a drill", method: "POST", path: incident + "/hold", token: w.adminTok, status: 409, code: "conflict"},
			{name: "resolve by an editor", method: "POST", path: incident + "/resolve", token: w.editorTok, body: map[string]any{"resume": true}, status: 403, code: "forbidden"},
			{name: "resolve", method: "POST", path: incident + "/resolve", token: w.adminTok, body: map[string]any{"resume": true, "note": "Done"}, status: 200,
				check: func(t *testing.T, r response) {
					var got struct {
						herald.Incident
						Timeline []herald.IncidentEvent
					}
					r.JSON(t, &got)
					last := got.Timeline[len(got.Timeline)-1]
					if got.Status != herald.IncidentResolved || last.Kind != herald.EventResolved || got.ResolvedBy != w.admin.ID {
						t.Fatalf("resolved %s", r.Body)
					}
				}},
			{name: "another workspace's incident", method: "GET", path: wsPath("/workspaces/%d/incidents/%d", w.b.ID, drill.ID), token: w.bOwnerTok, status: 404, code: "not_found"},
			{name: "delete the detector", method: "DELETE", path: one, token: w.adminTok, status: 204},
			{name: "the drill stays", method: "GET", path: incident, token: w.adminTok, status: 200},
		})
	})
}
