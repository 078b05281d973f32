package api_test

import (
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/heraldsocial/herald/internal/api"
	"github.com/heraldsocial/herald/internal/herald"
	"github.com/heraldsocial/herald/internal/voice"
)

func TestBrandVoiceAPI(t *testing.T) {
	forEachStore(t, func(t *testing.T, h *harness) {
		w := newPubWorld(t, h)
		path := pubPath(w.a, "/brand-voice")
		label := herald.Label{WorkspaceID: w.a.ID, Name: "Sponsored", Color: "#112233"}
		if err := h.store.CreateLabel(t.Context(), &label); err != nil {
			t.Fatal(err)
		}

		res := h.do(http.MethodGet, path, w.analystTok, nil)
		mustStatus(t, res, 200)
		if !strings.Contains(string(res.Body), `"banned":[]`) {
			t.Fatalf("empty rules %s", res.Body)
		}
		rules := map[string]any{
			"voice": "Warm and plain",
			"banned": []map[string]any{
				{"phrase": "cheap", "replacement": "affordable", "severity": "warning"},
				{"phrase": "scam", "severity": "block"},
			},
			"required_tags": []map[string]any{{"tag": "#ad", "label_id": label.ID, "severity": "block"}},
			"max_hashtags":  map[string]any{"max": 2, "severity": "warning"},
		}
		mustStatus(t, h.do(http.MethodPut, path, w.managerTok, rules), 403)
		mustStatus(t, h.do(http.MethodPut, path, w.editorTok, rules), 403)

		// Refused rules name the field and change nothing.
		bad := map[string]any{"banned": []map[string]any{{"phrase": "a", "severity": "block"}, {"phrase": "A", "severity": "warning"}}}
		res = h.do(http.MethodPut, path, w.ownerTok, bad)
		mustStatus(t, res, 422)
		if !strings.Contains(string(res.Body), `"field":"brand_rules.banned[1].phrase"`) {
			t.Fatalf("duplicate %s", res.Body)
		}
		bad = map[string]any{"required_tags": []map[string]any{{"tag": "#ad", "label_id": label.ID + 50, "severity": "block"}}}
		res = h.do(http.MethodPut, path, w.ownerTok, bad)
		mustStatus(t, res, 422)
		if !strings.Contains(string(res.Body), "brand_rules.required_tags[0].label_id") {
			t.Fatalf("unknown label %s", res.Body)
		}
		mustStatus(t, h.do(http.MethodPut, path, w.ownerTok, map[string]any{"banned": []map[string]any{{"phrase": "x", "severity": "loud"}}}), 422)

		// A draft saved before the block rule existed.
		posts := pubPath(w.a, "/posts")
		at := time.Now().Add(48 * time.Hour).UTC().Format(time.RFC3339)
		res = h.do(http.MethodPost, posts, w.editorTok, map[string]any{"text": "no scam here",
			"targets": []map[string]any{{"account_id": w.aAcct.ID, "scheduled_at": at}}})
		mustStatus(t, res, 201)
		var early herald.Post
		res.JSON(t, &early)

		res = h.do(http.MethodPut, path, w.ownerTok, rules)
		mustStatus(t, res, 200)
		var got api.BrandVoiceBody
		res.JSON(t, &got)
		if len(got.Banned) != 2 || got.Banned[0].Replacement != "affordable" || got.MaxHashtags == nil || got.MaxHashtags.Max != 2 {
			t.Fatalf("saved %s", res.Body)
		}

		// Scheduling the earlier draft is refused now.
		res = h.do(http.MethodPost, pubPath(w.a, "/posts/%d/schedule", early.ID), w.editorTok, nil)
		mustStatus(t, res, 422)
		if !strings.Contains(string(res.Body), "rule: banned words") {
			t.Fatalf("schedule %s", res.Body)
		}

		// A warning is allowed, and reported by validation with its fix.
		target := []map[string]any{{"account_id": w.aAcct.ID}}
		mustStatus(t, h.do(http.MethodPost, posts, w.editorTok, map[string]any{"text": "So cheap #a #b #c", "targets": target}), 201)
		res = h.do(http.MethodPost, pubPath(w.a, "/posts/validate"), w.editorTok, map[string]any{"text": "So cheap", "targets": target})
		mustStatus(t, res, 200)
		var v api.ValidationBody
		res.JSON(t, &v)
		if len(v.Problems) != 0 || len(v.Voice) != 1 || v.Voice[0].Rule != voice.RuleBanned || v.Voice[0].Replacement != "affordable" ||
			v.Voice[0].Severity != herald.SeverityWarning {
			t.Fatalf("validation %s", res.Body)
		}

		// A block is refused with a 422 naming the rule, in validation too.
		res = h.do(http.MethodPost, posts, w.editorTok, map[string]any{"text": "a SCAM", "targets": target})
		mustStatus(t, res, 422)
		if !strings.Contains(string(res.Body), `"field":"text"`) || !strings.Contains(string(res.Body), "rule: banned words") {
			t.Fatalf("block %s", res.Body)
		}
		res = h.do(http.MethodPost, pubPath(w.a, "/posts/validate"), w.editorTok, map[string]any{"text": "a SCAM", "targets": target})
		mustStatus(t, res, 200)
		if !strings.Contains(string(res.Body), `"publishable":false`) || !strings.Contains(string(res.Body), `"severity":"block"`) {
			t.Fatalf("validation of a block %s", res.Body)
		}

		// The label's tag: refused without it, taken from the first comment.
		res = h.do(http.MethodPost, posts, w.editorTok, map[string]any{"text": "Our partner", "label_ids": []int64{label.ID}, "targets": target})
		mustStatus(t, res, 422)
		if !strings.Contains(string(res.Body), "rule: required tags") || !strings.Contains(string(res.Body), "Sponsored") {
			t.Fatalf("label tag %s", res.Body)
		}
		withComment := []map[string]any{{"account_id": w.aAcct.ID, "variant": map[string]any{"text": "Our partner", "first_comment": "#ad"}}}
		mustStatus(t, h.do(http.MethodPost, posts, w.editorTok, map[string]any{"label_ids": []int64{label.ID}, "targets": withComment}), 201)

		// The workspace shows the rules; renaming keeps them.
		res = h.do(http.MethodPatch, pubPath(w.a, ""), w.ownerTok, map[string]any{"name": "Acme Two"})
		mustStatus(t, res, 200)
		res = h.do(http.MethodGet, path, w.analystTok, nil)
		res.JSON(t, &got)
		if got.Voice != "Warm and plain" || len(got.RequiredTags) != 1 {
			t.Fatalf("after rename %s", res.Body)
		}
	})
}
