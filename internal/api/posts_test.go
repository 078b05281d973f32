package api_test

import (
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/heraldsocial/herald/internal/herald"
)

func future(d time.Duration) string {
	return time.Now().Add(d).UTC().Truncate(time.Second).Format(time.RFC3339)
}

func TestPostsAPI(t *testing.T) {
	forEachStore(t, func(t *testing.T, h *harness) {
		w := newPubWorld(t, h)
		posts := pubPath(w.a, "/posts")
		cases := []struct {
			name      string
			token     string
			body      any
			status    int
			wantField string
		}{
			{"draft", w.editorTok, map[string]any{"text": "hello", "targets": []map[string]any{{"account_id": w.aAcct.ID}}}, 201, ""},
			{"text over the limit", w.editorTok, map[string]any{"text": strings.Repeat("a", herald.MaxTextLen+1)}, 422, "text"},
			{"variant text over the limit", w.editorTok, map[string]any{"targets": []map[string]any{{"account_id": w.aAcct.ID,
				"variant": map[string]any{"text": strings.Repeat("é", herald.MaxTextLen+1)}}}}, 422, "targets[0].variant.text"},
			{"time without offset", w.editorTok, map[string]any{"targets": []map[string]any{{"account_id": w.aAcct.ID,
				"scheduled_at": "2030-01-01T10:00:00"}}}, 422, "targets[0].scheduled_at"},
			{"time in the past", w.editorTok, map[string]any{"targets": []map[string]any{{"account_id": w.aAcct.ID,
				"scheduled_at": "2001-01-01T10:00:00Z"}}}, 422, "targets[0].scheduled_at"},
			{"account of another workspace", w.editorTok, map[string]any{"targets": []map[string]any{{"account_id": w.bAcct.ID}}}, 422, "targets[0].account_id"},
			{"media of another workspace", w.editorTok, map[string]any{"targets": []map[string]any{{"account_id": w.aAcct.ID,
				"variant": map[string]any{"media_ids": []int64{w.bMedia.ID}}}}}, 422, "targets[0].variant.media_ids"},
			{"account twice", w.editorTok, map[string]any{"targets": []map[string]any{{"account_id": w.aAcct.ID}, {"account_id": w.aAcct.ID}}}, 422, "targets[1].account_id"},
			{"unknown action", w.editorTok, map[string]any{"action": "publish"}, 422, "action"},
			{"malformed JSON", w.editorTok, `{"text": "x"`, 400, ""},
			{"unknown field", w.editorTok, map[string]any{"text": "x", "colour": "red"}, 422, ""},
			{"schedule without a time", w.editorTok, map[string]any{"action": "schedule", "targets": []map[string]any{{"account_id": w.aAcct.ID}}}, 422, "targets[0].scheduled_at"},
			{"schedule", w.editorTok, map[string]any{"text": "go", "action": "schedule",
				"targets": []map[string]any{{"account_id": w.aAcct.ID, "scheduled_at": future(time.Hour)}}}, 201, ""},
			{"analyst cannot create", w.analystTok, map[string]any{"text": "x"}, 403, ""},
			{"no token", "", map[string]any{"text": "x"}, 401, ""},
		}
		for _, c := range cases {
			t.Run(c.name, func(t *testing.T) {
				res := h.do(http.MethodPost, posts, c.token, c.body)
				mustStatus(t, res, c.status)
				if c.wantField != "" && !slices.Contains(errorFields(t, res), c.wantField) {
					t.Fatalf("fields %v, want %q; body %s", errorFields(t, res), c.wantField, res.Body)
				}
			})
		}

		// The scheduled post is listed by state and by day (a plain date in
		// the workspace zone), and a bad bound names its parameter.
		var page struct {
			Items []herald.Post `json:"items"`
		}
		res := h.do(http.MethodGet, posts+"?state=scheduled", w.editorTok, nil)
		mustStatus(t, res, 200)
		res.JSON(t, &page)
		if len(page.Items) != 1 || page.Items[0].Targets[0].State != herald.StateScheduled {
			t.Fatalf("scheduled listing: %s", res.Body)
		}
		res = h.do(http.MethodGet, posts+"?from=2001-01-01&to=2001-01-02", w.editorTok, nil)
		mustStatus(t, res, 200)
		res.JSON(t, &page)
		if len(page.Items) != 0 {
			t.Fatalf("2001 listing: %s", res.Body)
		}
		res = h.do(http.MethodGet, posts+"?from=yesterday", w.editorTok, nil)
		mustStatus(t, res, 422)
		if f := errorFields(t, res); !slices.Contains(f, "from") {
			t.Fatalf("fields %v", f)
		}
		res = h.do(http.MethodGet, posts+"?state=bogus", w.editorTok, nil)
		mustStatus(t, res, 422)
	})
}

func TestPostBrandRules(t *testing.T) {
	forEachStore(t, func(t *testing.T, h *harness) {
		w := newPubWorld(t, h)
		ws := w.a
		ws.BrandRules = herald.BrandRules{BannedWords: []string{"cheap"}, RequiredHashtags: []string{"#acme"}}
		if err := h.store.UpdateWorkspace(t.Context(), &ws); err != nil {
			t.Fatal(err)
		}
		posts := pubPath(w.a, "/posts")
		res := h.do(http.MethodPost, posts, w.editorTok, map[string]any{"text": "so CHEAP! #acme",
			"targets": []map[string]any{{"account_id": w.aAcct.ID}}})
		mustStatus(t, res, 422)
		if !strings.Contains(string(res.Body), `contains “CHEAP”`) || !strings.Contains(string(res.Body), "rule: banned words") {
			t.Fatalf("body %s", res.Body)
		}
		res = h.do(http.MethodPost, posts, w.editorTok, map[string]any{"text": "wholesale prices",
			"targets": []map[string]any{{"account_id": w.aAcct.ID}}})
		mustStatus(t, res, 422)
		if !strings.Contains(string(res.Body), "#acme") {
			t.Fatalf("body %s", res.Body)
		}
		res = h.do(http.MethodPost, posts, w.editorTok, map[string]any{"text": "wholesale prices #Acme",
			"targets": []map[string]any{{"account_id": w.aAcct.ID}}})
		mustStatus(t, res, 201)
	})
}

func TestPostIfMatch(t *testing.T) {
	forEachStore(t, func(t *testing.T, h *harness) {
		w := newPubWorld(t, h)
		res := h.do(http.MethodPost, pubPath(w.a, "/posts"), w.editorTok, map[string]any{"text": "v1",
			"targets": []map[string]any{{"account_id": w.aAcct.ID}}})
		mustStatus(t, res, 201)
		var p herald.Post
		res.JSON(t, &p)
		path := pubPath(w.a, "/posts/%d", p.ID)

		res = h.do(http.MethodGet, path, w.editorTok, nil)
		mustStatus(t, res, 200)
		tag := res.Header.Get("ETag")
		if tag != `"1"` {
			t.Fatalf("ETag %q", tag)
		}
		res = h.do(http.MethodPatch, path, w.editorTok, map[string]any{"text": "v2"}, "If-Match", tag)
		mustStatus(t, res, 200)
		if got := res.Header.Get("ETag"); got != `"2"` {
			t.Fatalf("new ETag %q", got)
		}
		// A second writer with the old ETag is refused and changes nothing.
		res = h.do(http.MethodPatch, path, w.managerTok, map[string]any{"text": "stale"}, "If-Match", tag)
		mustStatus(t, res, http.StatusPreconditionFailed)
		res = h.do(http.MethodGet, path, w.editorTok, nil)
		res.JSON(t, &p)
		if p.Text != "v2" || p.Version != 2 {
			t.Fatalf("stored post changed: %+v", p)
		}
		res = h.do(http.MethodPatch, path, w.editorTok, map[string]any{"text": "x"}, "If-Match", "garbage")
		mustStatus(t, res, 400)
		// Targets: adding one by account, keeping the other.
		res = h.do(http.MethodPatch, path, w.editorTok, map[string]any{"targets": []map[string]any{
			{"account_id": w.aAcct.ID}, {"account_id": w.aAcct2.ID, "variant": map[string]any{"text": "second"}}}})
		mustStatus(t, res, 200)
		res.JSON(t, &p)
		if len(p.Targets) != 2 {
			t.Fatalf("targets %+v", p.Targets)
		}
	})
}

func TestPostApprovalFlow(t *testing.T) {
	forEachStore(t, func(t *testing.T, h *harness) {
		w := newPubWorld(t, h)
		res := h.do(http.MethodPost, pubPath(w.a, "/posts"), w.contribTok, map[string]any{"text": "from a contributor",
			"targets": []map[string]any{{"account_id": w.aAcct.ID, "scheduled_at": future(2 * time.Hour)}}})
		mustStatus(t, res, 201)
		var p herald.Post
		res.JSON(t, &p)
		path := pubPath(w.a, "/posts/%d", p.ID)

		res = h.do(http.MethodPost, path+"/schedule", w.contribTok, nil)
		mustStatus(t, res, 403)
		if !strings.Contains(string(res.Body), "your role needs approval: submit the post for review") {
			t.Fatalf("body %s", res.Body)
		}
		res = h.do(http.MethodPost, pubPath(w.a, "/posts"), w.contribTok, map[string]any{"text": "sneaky", "action": "schedule",
			"targets": []map[string]any{{"account_id": w.aAcct.ID, "scheduled_at": future(2 * time.Hour)}}})
		mustStatus(t, res, 403)

		mustStatus(t, h.do(http.MethodPost, path+"/submit", w.contribTok, nil), 200)
		mustStatus(t, h.do(http.MethodPost, path+"/approve", w.contribTok, nil), 403)
		res = h.do(http.MethodPost, path+"/approve", w.managerTok, map[string]any{"comment": "looks good"})
		mustStatus(t, res, 200)
		res.JSON(t, &p)
		if p.Targets[0].State != herald.StateApproved {
			t.Fatalf("state %s", p.Targets[0].State)
		}
		res = h.do(http.MethodPost, path+"/schedule", w.contribTok, map[string]any{})
		mustStatus(t, res, 200)
		res.JSON(t, &p)
		if p.Targets[0].State != herald.StateScheduled {
			t.Fatalf("state %s", p.Targets[0].State)
		}
		// Editing what was approved sends it back to draft.
		res = h.do(http.MethodPatch, path, w.contribTok, map[string]any{"text": "changed after approval"})
		mustStatus(t, res, 200)
		res.JSON(t, &p)
		if p.Targets[0].State != herald.StateDraft {
			t.Fatalf("state after edit %s", p.Targets[0].State)
		}

		var hist struct {
			Items []herald.TargetTransition `json:"items"`
		}
		res = h.do(http.MethodGet, pubPath(w.a, "/posts/%d/targets/%d/transitions", p.ID, p.Targets[0].ID), w.analystTok, nil)
		mustStatus(t, res, 200)
		res.JSON(t, &hist)
		var moves []string
		for _, tr := range hist.Items {
			moves = append(moves, string(tr.To))
		}
		if want := "in_review approved scheduled draft"; strings.Join(moves, " ") != want {
			t.Fatalf("history %v, want %s", moves, want)
		}
		if hist.Items[1].Reason != "looks good" || hist.Items[1].ActorID == nil || *hist.Items[1].ActorID != w.manager.ID {
			t.Fatalf("approval record %+v", hist.Items[1])
		}

		// Workspace-wide approval: even an editor must submit.
		ws := w.a
		ws.BrandRules.RequireApproval = true
		if err := h.store.UpdateWorkspace(t.Context(), &ws); err != nil {
			t.Fatal(err)
		}
		mustStatus(t, h.do(http.MethodPost, path+"/schedule", w.editorTok, nil), 403)
		mustStatus(t, h.do(http.MethodPost, path+"/cancel", w.editorTok, map[string]any{"comment": "not now"}), 200)
		mustStatus(t, h.do(http.MethodDelete, path, w.contribTok, nil), 403)
		mustStatus(t, h.do(http.MethodDelete, path, w.editorTok, nil), 204)
		mustStatus(t, h.do(http.MethodGet, path, w.editorTok, nil), 404)
	})
}
