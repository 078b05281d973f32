package api_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/heraldsocial/herald/internal/herald"
)

func TestListenAPI(t *testing.T) {
	forEachStore(t, func(t *testing.T, h *harness) {
		w := newWsWorld(t, h)
		topics := wsPath("/workspaces/%d/listen/topics", w.a.ID)
		var created herald.ListenTopic
		brand := map[string]any{"name": " Acme ", "rules": map[string]any{"any": []string{"acme", "acme corp"}, "none": []string{"jobs"}}}
		runWsCases(t, h, []wsCase{
			{name: "create by an admin", method: "POST", path: topics, token: w.adminTok, body: brand, status: 201,
				check: func(t *testing.T, r response) {
					r.JSON(t, &created)
					if created.ID == 0 || created.Name != "Acme" || len(created.Rules.Any) != 2 || created.WorkspaceID != w.a.ID {
						t.Fatalf("created %s", r.Body)
					}
				}},
			{name: "create by an editor", method: "POST", path: topics, token: w.editorTok, body: brand, status: 403, code: "forbidden"},
			{name: "a duplicate name", method: "POST", path: topics, token: w.adminTok,
				body: map[string]any{"name": "ACME", "rules": map[string]any{"any": []string{"x"}}}, status: 409, code: "conflict", field: "name"},
			{name: "none alone matches nothing", method: "POST", path: topics, token: w.adminTok,
				body: map[string]any{"name": "Empty", "rules": map[string]any{"none": []string{"x"}}}, status: 422, code: "invalid", field: "rules"},
			{name: "a bad regular expression names its term", method: "POST", path: topics, token: w.adminTok,
				body: map[string]any{"name": "Re", "rules": map[string]any{"any": []string{"/a(b/"}}}, status: 422, code: "invalid", field: "rules.any"},
			{name: "list by an analyst", method: "GET", path: topics, token: w.analystTok, status: 200,
				check: func(t *testing.T, r response) {
					var body struct{ Items []herald.ListenTopic }
					r.JSON(t, &body)
					if len(body.Items) != 1 || body.Items[0].Name != "Acme" {
						t.Fatalf("topics %s", r.Body)
					}
				}},
			{name: "another workspace's owner cannot read it", method: "GET", path: topics, token: w.bOwnerTok, status: 404, code: "not_found"},
		})
		one := topics + "/" + wsID(created.ID)

		// Matches arrive through the ingest; here straight into the store.
		ctx := context.Background()
		now := time.Now().UTC().Truncate(time.Microsecond)
		var ms []herald.ListenMatch
		for i, text := range []string{"I love Acme's new phone", "Acme support is terrible and slow", "acme corp hiring"} {
			sent := []string{"positive", "negative", "neutral"}[i]
			ms = append(ms, herald.ListenMatch{WorkspaceID: w.a.ID, Platform: herald.PlatformBluesky, RemoteID: fmt.Sprint("at://did:plc:x/app.bsky.feed.post/", i),
				AuthorID: "did:plc:x", AuthorHandle: "x.test", AuthorFollowers: -1, Text: text, Sentiment: sent,
				PostedAt: now.Add(-time.Duration(i) * time.Hour), Topics: []herald.TopicHit{{TopicID: created.ID, Terms: []string{"acme"}}}})
		}
		if _, err := h.store.AddListenMatches(ctx, ms); err != nil {
			t.Fatal(err)
		}
		matches := wsPath("/workspaces/%d/listen/matches", w.a.ID)
		runWsCases(t, h, []wsCase{
			{name: "matches of the topic", method: "GET", path: matches + "?topic=" + wsID(created.ID) + "&limit=2", token: w.analystTok, status: 200,
				check: func(t *testing.T, r response) {
					var body struct {
						Items      []herald.ListenMatch
						NextCursor string `json:"next_cursor"`
					}
					r.JSON(t, &body)
					if len(body.Items) != 2 || body.NextCursor == "" || body.Items[0].Text != "I love Acme's new phone" ||
						len(body.Items[0].Topics) != 1 || body.Items[0].Topics[0].Terms[0] != "acme" {
						t.Fatalf("matches %s", r.Body)
					}
				}},
			{name: "negative matches", method: "GET", path: matches + "?sentiment=negative", token: w.analystTok, status: 200,
				check: func(t *testing.T, r response) {
					var body struct{ Items []herald.ListenMatch }
					r.JSON(t, &body)
					if len(body.Items) != 1 || body.Items[0].Sentiment != "negative" {
						t.Fatalf("negative matches %s", r.Body)
					}
				}},
			{name: "an unknown sentiment", method: "GET", path: matches + "?sentiment=angry", token: w.analystTok, status: 422, code: "invalid", field: "sentiment"},
			{name: "a forged cursor", method: "GET", path: matches + "?cursor=abc", token: w.analystTok, status: 400, code: "bad_request", field: "cursor"},
			{name: "another workspace's topic", method: "GET", path: matches + "?topic=" + wsID(created.ID), token: w.bOwnerTok, status: 404, code: "not_found"},
			{name: "overview", method: "GET", path: wsPath("/workspaces/%d/listen/overview?days=1&topic=%d", w.a.ID, created.ID), token: w.analystTok, status: 200,
				check: func(t *testing.T, r response) {
					var body struct {
						Totals herald.ListenVolume
						Volume []herald.ListenVolume
					}
					r.JSON(t, &body)
					if body.Totals.Positive != 1 || body.Totals.Negative != 1 || body.Totals.Neutral != 1 || len(body.Volume) == 0 {
						t.Fatalf("overview %s", r.Body)
					}
				}},
			{name: "rising terms", method: "GET", path: wsPath("/workspaces/%d/listen/rising?topic=%d", w.a.ID, created.ID), token: w.analystTok, status: 200,
				check: func(t *testing.T, r response) {
					var body struct {
						Terms   []map[string]any
						Sampled bool
					}
					r.JSON(t, &body)
					if body.Terms == nil || body.Sampled {
						t.Fatalf("rising %s", r.Body)
					}
				}},
			{name: "preview", method: "POST", path: wsPath("/workspaces/%d/listen/preview", w.a.ID), token: w.analystTok,
				body: map[string]any{"name": "Support", "rules": map[string]any{"any": []string{"terrible", "awful"}}}, status: 200,
				check: func(t *testing.T, r response) {
					var body struct {
						Scanned, Total int
						Matches        []herald.ListenMatch
					}
					r.JSON(t, &body)
					if body.Scanned != 3 || body.Total != 1 || len(body.Matches) != 1 || body.Matches[0].Topics[0].Terms[0] != "terrible" {
						t.Fatalf("preview %s", r.Body)
					}
				}},
			{name: "replace", method: "PUT", path: one, token: w.adminTok,
				body: map[string]any{"name": "Acme brand", "rules": map[string]any{"any": []string{"acme"}}, "paused": true}, status: 200,
				check: func(t *testing.T, r response) {
					var got herald.ListenTopic
					r.JSON(t, &got)
					if got.Name != "Acme brand" || !got.Paused || len(got.Rules.None) != 0 {
						t.Fatalf("replaced %s", r.Body)
					}
				}},
			{name: "delete by an analyst", method: "DELETE", path: one, token: w.analystTok, status: 403, code: "forbidden"},
			{name: "delete", method: "DELETE", path: one, token: w.adminTok, status: 204},
			{name: "get after delete", method: "GET", path: one, token: w.adminTok, status: 404, code: "not_found"},
			{name: "its matches went with it", method: "GET", path: matches, token: w.adminTok, status: 200,
				check: func(t *testing.T, r response) {
					var body struct{ Items []herald.ListenMatch }
					r.JSON(t, &body)
					if len(body.Items) != 0 {
						t.Fatalf("matches after the delete %s", r.Body)
					}
				}},
		})
	})
}
