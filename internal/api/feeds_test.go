package api_test

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/heraldsocial/herald/internal/feeds"
	"github.com/heraldsocial/herald/internal/herald"
)

// feedDoc is an RSS document with one entry dated at.
func feedDoc(guid, title string, at time.Time) string {
	return fmt.Sprintf(`<?xml version="1.0"?><rss version="2.0"><channel><title>T</title><item><guid>%s</guid>`+
		`<title>%s</title><link>https://news.example/%s</link><pubDate>%s</pubDate></item></channel></rss>`,
		guid, title, guid, at.Format(time.RFC1123Z))
}

func TestFeedsAPI(t *testing.T) {
	forEachStore(t, func(t *testing.T, h *harness) {
		ctx := context.Background()
		owner := h.newUser("owner@example.com")
		ws := h.newWorkspace(owner, "Acme")
		editor, editorTok := h.member(ws, "editor@example.com", herald.RoleEditor)
		_, analystTok := h.member(ws, "analyst@example.com", herald.RoleAnalyst)
		other := h.newWorkspace(owner, "Other")
		otherTok := h.tokenFor(owner, other, herald.RoleOwner)
		now := time.Now().UTC().Truncate(time.Microsecond)
		acct := herald.Account{WorkspaceID: ws.ID, Platform: herald.PlatformFake, RemoteID: "r1", Handle: "@acme",
			Status: herald.AccountConnected, CreatedAt: now, UpdatedAt: now,
			PostingSchedule: herald.PostingSchedule{Slots: []herald.PostingSlot{{Day: "monday", Time: "09:00"},
				{Day: "wednesday", Time: "09:00"}, {Day: "friday", Time: "09:00"}}}}
		if err := h.store.CreateAccount(ctx, &acct); err != nil {
			t.Fatal(err)
		}
		body := feedDoc("e1", "Launch day", now.Add(time.Hour))
		srv := httptest.NewServer(http.HandlerFunc(func(rw http.ResponseWriter, r *http.Request) {
			if r.URL.Path == "/page" {
				_, _ = rw.Write([]byte(`<!doctype html><html><head><link rel="alternate" type="application/rss+xml" href="/feed"></head></html>`))
				return
			}
			if r.Header.Get("If-None-Match") == `"1"` {
				rw.WriteHeader(http.StatusNotModified)
				return
			}
			rw.Header().Set("ETag", `"1"`)
			_, _ = rw.Write([]byte(body))
		}))
		defer srv.Close()
		base := wsPath("/workspaces/%d/feeds", ws.ID)
		doc := h.do("GET", "/api/openapi.json", "", nil)
		for _, op := range []string{`"/api/v1/workspaces/{workspace}/feeds"`, `"/api/v1/workspaces/{workspace}/feeds/{feed}/poll"`,
			`"operationId":"poll-feed"`, `"operationId":"update-feed"`} {
			if !strings.Contains(string(doc.Body), op) {
				t.Fatalf("the OpenAPI document lacks %s", op)
			}
		}
		create := map[string]any{"url": srv.URL + "/feed", "name": "News", "mode": "queue", "account_ids": []int64{acct.ID},
			"template": "{{title}} → {{url}}"}

		bad := map[string]any{"url": srv.URL + "/feed", "mode": "queue", "account_ids": []int64{acct.ID}, "template": "{{title}} {{author}}"}
		r := h.do("POST", base, editorTok, bad)
		mustStatus(t, r, 422)
		if !strings.Contains(string(r.Body), `unknown placeholder {{author}}`) || !strings.Contains(string(r.Body), `"field":"template"`) {
			t.Fatalf("unknown placeholder answer: %s", r.Body)
		}
		mustStatus(t, h.do("POST", base, analystTok, create), 403)
		mustStatus(t, h.do("POST", base, editorTok, map[string]any{"url": srv.URL, "mode": "later", "account_ids": []int64{acct.ID}}), 422)

		r = h.do("POST", base, editorTok, create)
		mustStatus(t, r, 201)
		var f herald.Feed
		r.JSON(t, &f)
		if f.ID == 0 || f.OwnerID != editor.ID || f.Mode != herald.FeedQueue || f.Template != "{{title}} → {{url}}" {
			t.Fatalf("created %s", r.Body)
		}
		one := fmt.Sprintf("%s/%d", base, f.ID)
		mustStatus(t, h.do("GET", one, analystTok, nil), 200)
		mustStatus(t, h.do("GET", wsPath("/workspaces/%d/feeds/%d", other.ID, f.ID), otherTok, nil), 404)
		r = h.do("GET", base, analystTok, nil)
		mustStatus(t, r, 200)
		var listed struct{ Items []herald.Feed }
		r.JSON(t, &listed)
		if len(listed.Items) != 1 || listed.Items[0].ID != f.ID {
			t.Fatalf("listed %s", r.Body)
		}

		r = h.do("POST", one+"/poll?dry_run=true", editorTok, nil)
		mustStatus(t, r, 200)
		var res feeds.Result
		r.JSON(t, &res)
		if !res.Preview || len(res.Posts) != 1 || res.Posts[0].Text != "Launch day → https://news.example/e1" {
			t.Fatalf("preview %s", r.Body)
		}
		mustStatus(t, h.do("POST", one+"/poll", analystTok, nil), 403)
		r = h.do("POST", one+"/poll", editorTok, nil)
		mustStatus(t, r, 200)
		res = feeds.Result{}
		r.JSON(t, &res)
		if len(res.Posts) != 1 || res.Posts[0].PostID == 0 || res.Posts[0].State != herald.StateScheduled || res.Posts[0].ScheduledAt == nil {
			t.Fatalf("poll %s", r.Body)
		}
		p, err := h.svc.Posts.Get(ctx, herald.Actor{UserID: editor.ID, WorkspaceID: ws.ID, Role: herald.RoleEditor}, res.Posts[0].PostID)
		if err != nil || p.Targets[0].State != herald.StateScheduled || p.AuthorID != editor.ID {
			t.Fatalf("the post: %+v, %v", p, err)
		}
		r = h.do("POST", one+"/poll", editorTok, nil)
		mustStatus(t, r, 200)
		res = feeds.Result{}
		r.JSON(t, &res)
		if !res.NotModified || len(res.Posts) != 0 {
			t.Fatalf("second poll %s", r.Body)
		}
		r = h.do("GET", one+"/entries", analystTok, nil)
		mustStatus(t, r, 200)
		if !strings.Contains(string(r.Body), `"key":"id:e1"`) {
			t.Fatalf("entries %s", r.Body)
		}

		// A web page instead of a feed: a clear error, offering its feed.
		r = h.do("PATCH", one, editorTok, map[string]any{"url": srv.URL + "/page"})
		mustStatus(t, r, 200)
		r = h.do("POST", one+"/poll", editorTok, nil)
		mustStatus(t, r, 422)
		if !strings.Contains(string(r.Body), "this is a web page, not a feed; look for its RSS/Atom link") ||
			!strings.Contains(string(r.Body), srv.URL+"/feed") {
			t.Fatalf("html page answer: %s", r.Body)
		}
		r = h.do("GET", one, editorTok, nil)
		r.JSON(t, &f)
		if f.Failures != 1 || !strings.Contains(f.LastError, "web page") {
			t.Fatalf("feed after the failure: %s", r.Body)
		}

		r = h.do("PATCH", one, editorTok, map[string]any{"paused": true, "template": "{{summary}}"})
		mustStatus(t, r, 200)
		mustStatus(t, h.do("POST", one+"/poll", editorTok, nil), 409)
		mustStatus(t, h.do("PATCH", one, editorTok, map[string]any{"template": "{{nope}}"}), 422)
		mustStatus(t, h.do("DELETE", one, analystTok, nil), 403)
		mustStatus(t, h.do("DELETE", one, editorTok, nil), 204)
		mustStatus(t, h.do("GET", one, editorTok, nil), 404)
		if _, err := h.svc.Posts.Get(ctx, herald.Actor{UserID: editor.ID, WorkspaceID: ws.ID, Role: herald.RoleEditor}, p.ID); err != nil {
			t.Fatalf("the feed's post went with it: %v", err)
		}
	})
}
