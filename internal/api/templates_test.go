package api_test

import (
	"strings"
	"testing"

	"github.com/heraldsocial/herald/internal/herald"
)

func TestTemplatesAPI(t *testing.T) {
	forEachStore(t, func(t *testing.T, h *harness) {
		w := newWsWorld(t, h)
		acct := sealedAccount(t, h, w.a, herald.PlatformFake, "acme", "http://127.0.0.1:1")
		templates := wsPath("/workspaces/%d/templates", w.a.ID)
		var created herald.Template
		body := map[string]any{"name": "Weekly tip", "description": "Tips every week",
			"content": map[string]any{"title": "Tip {{date}}", "text": "Happy {{weekday}} from {{workspace}}",
				"thread": []map[string]any{{"text": "More in {{campaign}}"}}, "label_ids": []int64{w.aLabel.ID},
				"campaign_id": w.aCampaign.ID, "account_ids": []int64{acct.ID},
				"variants": []map[string]any{{"platform": "fake", "first_comment": "Link below"}}}}
		runWsCases(t, h, []wsCase{
			{name: "create by an analyst", method: "POST", path: templates, token: w.analystTok, body: body, status: 403, code: "forbidden"},
			{name: "create with an unknown placeholder", method: "POST", path: templates, token: w.editorTok,
				body:   map[string]any{"name": "Bad", "content": map[string]any{"text": "Buy {{product}} now"}},
				status: 422, code: "invalid", field: "content.text", check: func(t *testing.T, r response) {
					if !strings.Contains(string(r.Body), `{{product}} is not a placeholder Herald knows: use {{date}}`) {
						t.Fatalf("error does not name the placeholder and the known ones: %s", r.Body)
					}
				}},
			{name: "create with a variant for no one", method: "POST", path: templates, token: w.editorTok,
				body:   map[string]any{"name": "Bad", "content": map[string]any{"text": "x", "variants": []map[string]any{{"text": "y"}}}},
				status: 422, code: "invalid", field: "content.variants[0]"},
			{name: "create by an editor", method: "POST", path: templates, token: w.editorTok, body: body, status: 201,
				check: func(t *testing.T, r response) {
					r.JSON(t, &created)
					if created.ID == 0 || created.Content.Thread[0].Text != "More in {{campaign}}" || created.WorkspaceID != w.a.ID {
						t.Fatalf("created %s", r.Body)
					}
				}},
			{name: "create a duplicate name", method: "POST", path: templates, token: w.editorTok,
				body: map[string]any{"name": "WEEKLY TIP", "content": map[string]any{"text": "x"}}, status: 409, code: "conflict", field: "name"},
			{name: "list by an analyst, searching", method: "GET", path: templates + "?q=every+week", token: w.analystTok, status: 200,
				check: func(t *testing.T, r response) {
					var b struct{ Items []herald.Template }
					r.JSON(t, &b)
					if len(b.Items) != 1 || b.Items[0].Name != "Weekly tip" {
						t.Fatalf("list %s", r.Body)
					}
				}},
		}, w.a.ID, w.b.ID)
		one := templates + "/" + wsID(created.ID)
		runWsCases(t, h, []wsCase{
			{name: "get from the other workspace", method: "GET", path: wsPath("/workspaces/%d/templates/", w.b.ID) + wsID(created.ID),
				token: w.bOwnerTok, status: 404, code: "not_found"},
			{name: "new post by an analyst", method: "POST", path: one + "/posts", token: w.analystTok, status: 403, code: "forbidden"},
			{name: "new post", method: "POST", path: one + "/posts", token: w.editorTok,
				body: map[string]any{"scheduled_at": "2026-12-07T08:15:00Z"}, status: 201, check: func(t *testing.T, r response) {
					var b struct {
						Post    herald.Post
						Dropped []string
					}
					r.JSON(t, &b)
					p := b.Post
					if p.ID == 0 || p.Title != "Tip 7 December 2026" || p.Text != "Happy Monday from Acme" ||
						len(p.Targets) != 1 || p.Targets[0].State != herald.StateDraft ||
						p.Targets[0].Variant.FirstComment != "Link below" || p.Targets[0].Variant.Thread[0].Text != "More in Spring" ||
						len(p.LabelIDs) != 1 || b.Dropped == nil || len(b.Dropped) != 0 {
						t.Fatalf("new post %s", r.Body)
					}
				}},
			{name: "replace with an unknown placeholder", method: "PUT", path: one, token: w.editorTok,
				body: map[string]any{"name": "Weekly tip", "content": map[string]any{"text": "{{price}}"}}, status: 422, code: "invalid"},
			{name: "replace", method: "PUT", path: one, token: w.editorTok,
				body: map[string]any{"name": "Weekly", "content": map[string]any{"text": "Only {{year}}"}}, status: 200,
				check: func(t *testing.T, r response) {
					var got herald.Template
					r.JSON(t, &got)
					if got.Name != "Weekly" || got.Content.Text != "Only {{year}}" || len(got.Content.LabelIDs) != 0 {
						t.Fatalf("replaced %s", r.Body)
					}
				}},
			{name: "new post without a body", method: "POST", path: one + "/posts", token: w.editorTok, status: 201},
			{name: "delete by an analyst", method: "DELETE", path: one, token: w.analystTok, status: 403, code: "forbidden"},
			{name: "delete", method: "DELETE", path: one, token: w.editorTok, status: 204},
			{name: "gone", method: "GET", path: one, token: w.editorTok, status: 404, code: "not_found"},
		}, w.a.ID, w.b.ID)
	})
}

func TestSnippetsAndHashtagGroupsAPI(t *testing.T) {
	forEachStore(t, func(t *testing.T, h *harness) {
		w := newWsWorld(t, h)
		snippets := wsPath("/workspaces/%d/snippets", w.a.ID)
		groups := wsPath("/workspaces/%d/hashtag-groups", w.a.ID)
		var sn herald.Snippet
		var g herald.HashtagGroup
		runWsCases(t, h, []wsCase{
			{name: "snippet by an analyst", method: "POST", path: snippets, token: w.analystTok,
				body: map[string]any{"name": "Sign-off", "text": "Bye"}, status: 403, code: "forbidden"},
			{name: "snippet with blank text", method: "POST", path: snippets, token: w.editorTok,
				body: map[string]any{"name": "Sign-off", "text": "   "}, status: 422, code: "invalid", field: "text"},
			{name: "snippet", method: "POST", path: snippets, token: w.editorTok,
				body: map[string]any{"name": "Sign-off", "text": "Thanks for reading!"}, status: 201,
				check: func(t *testing.T, r response) { r.JSON(t, &sn) }},
			{name: "snippet search", method: "GET", path: snippets + "?q=READING", token: w.analystTok, status: 200,
				check: func(t *testing.T, r response) {
					var b struct{ Items []herald.Snippet }
					r.JSON(t, &b)
					if len(b.Items) != 1 || b.Items[0].ID != sn.ID {
						t.Fatalf("search %s", r.Body)
					}
				}},
			{name: "group with a bad tag", method: "POST", path: groups, token: w.editorTok,
				body: map[string]any{"name": "Launch", "hashtags": []string{"#ok", "not a tag"}}, status: 422, code: "invalid", field: "hashtags[1]"},
			{name: "group", method: "POST", path: groups, token: w.editorTok,
				body: map[string]any{"name": "Launch", "hashtags": []string{"#launch", "#Herald"}}, status: 201,
				check: func(t *testing.T, r response) { r.JSON(t, &g) }},
			{name: "group duplicate", method: "POST", path: groups, token: w.editorTok,
				body: map[string]any{"name": "launch", "hashtags": []string{"#x"}}, status: 409, code: "conflict", field: "name"},
		}, w.a.ID, w.b.ID)
		runWsCases(t, h, []wsCase{
			{name: "replace snippet", method: "PUT", path: snippets + "/" + wsID(sn.ID), token: w.editorTok,
				body: map[string]any{"name": "Sign off", "text": "Bye"}, status: 200},
			{name: "snippet of the other workspace", method: "GET", path: wsPath("/workspaces/%d/snippets/", w.b.ID) + wsID(sn.ID),
				token: w.bOwnerTok, status: 404, code: "not_found"},
			{name: "a group read as a snippet", method: "GET", path: snippets + "/" + wsID(g.ID), token: w.editorTok, status: 404, code: "not_found"},
			{name: "replace group", method: "PUT", path: groups + "/" + wsID(g.ID), token: w.editorTok,
				body: map[string]any{"name": "Launch", "hashtags": []string{"#one", "#ONE", "#two"}}, status: 200,
				check: func(t *testing.T, r response) {
					var got herald.HashtagGroup
					r.JSON(t, &got)
					if strings.Join(got.Hashtags, " ") != "#one #two" {
						t.Fatalf("group %s", r.Body)
					}
				}},
			{name: "delete group", method: "DELETE", path: groups + "/" + wsID(g.ID), token: w.editorTok, status: 204},
			{name: "delete snippet", method: "DELETE", path: snippets + "/" + wsID(sn.ID), token: w.editorTok, status: 204},
		}, w.a.ID, w.b.ID)
	})
}
