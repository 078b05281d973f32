package api_test

import (
	"fmt"
	"strings"
	"testing"

	"github.com/heraldsocial/herald/internal/herald"
)

func TestNotificationsAPI(t *testing.T) {
	forEachStore(t, func(t *testing.T, h *harness) {
		owner := h.newUser("owner@example.com")
		ws := h.newWorkspace(owner, "Acme")
		ownerTok := h.tokenFor(owner, ws, herald.RoleOwner)
		editor, editorTok := h.member(ws, "editor@example.com", herald.RoleEditor)
		base := wsPath("/workspaces/%d/notifications", ws.ID)
		doc := h.do("GET", "/api/openapi.json", "", nil)
		for _, op := range []string{"list-notifications", "count-unread-notifications", "mark-notifications", "mark-all-notifications-read"} {
			if !strings.Contains(string(doc.Body), `"operationId":"`+op+`"`) {
				t.Fatalf("the OpenAPI document lacks %s", op)
			}
		}
		// A Slack-style channel that wants assignments: the same event
		// reaches it as well as the feed.
		hook := h.do("POST", wsPath("/workspaces/%d/webhooks", ws.ID), ownerTok, map[string]any{"kind": "generic",
			"name": "Team", "url": "http://127.0.0.1:9/in", "kinds": []string{"assigned"}})
		mustStatus(t, hook, 201)
		var endpoint herald.WebhookEndpoint
		hook.JSON(t, &endpoint)

		// Two tasks given to the editor by the owner.
		for _, title := range []string{"Brief the designer", "Book the venue"} {
			r := h.do("POST", wsPath("/workspaces/%d/tasks", ws.ID), ownerTok, map[string]any{"title": title, "assignee_id": editor.ID})
			mustStatus(t, r, 201)
		}
		var unread struct {
			Unread int `json:"unread"`
		}
		r := h.do("GET", base+"/unread", editorTok, nil)
		mustStatus(t, r, 200)
		r.JSON(t, &unread)
		if unread.Unread != 2 {
			t.Fatalf("the editor's unread = %d, want 2", unread.Unread)
		}
		// The owner assigned them: nothing in the owner's feed.
		r = h.do("GET", base+"/unread", ownerTok, nil)
		r.JSON(t, &unread)
		if unread.Unread != 0 {
			t.Fatalf("the owner's unread = %d, want 0", unread.Unread)
		}

		var page struct {
			Items []herald.UserNotification `json:"items"`
			Next  string                    `json:"next_cursor"`
		}
		r = h.do("GET", base+"?limit=1", editorTok, nil)
		mustStatus(t, r, 200)
		r.JSON(t, &page)
		if len(page.Items) != 1 || page.Next == "" || page.Items[0].Kind != herald.NotifyAssigned ||
			!strings.Contains(page.Items[0].Title, "Book the venue") || !strings.HasPrefix(page.Items[0].Link, fmt.Sprintf("/w/%d/tasks/", ws.ID)) {
			t.Fatalf("first page = %s", r.Body)
		}
		newest := page.Items[0].ID
		r = h.do("GET", base+"?limit=1&cursor="+page.Next, editorTok, nil)
		r.JSON(t, &page)
		if len(page.Items) != 1 || !strings.Contains(page.Items[0].Title, "Brief the designer") || page.Next != "" {
			t.Fatalf("second page = %s", r.Body)
		}
		mustStatus(t, h.do("GET", base+"?kind=gossip", editorTok, nil), 422)

		// The owner cannot mark the editor's notification.
		var marked struct {
			Changed int `json:"changed"`
		}
		r = h.do("POST", base+"/read", ownerTok, map[string]any{"ids": []int64{newest}})
		mustStatus(t, r, 200)
		r.JSON(t, &marked)
		if marked.Changed != 0 {
			t.Fatalf("the owner marked %d of the editor's notifications", marked.Changed)
		}
		r = h.do("POST", base+"/read", editorTok, map[string]any{"ids": []int64{newest}})
		r.JSON(t, &marked)
		if marked.Changed != 1 {
			t.Fatalf("marked %d read, want 1", marked.Changed)
		}
		r = h.do("GET", base+"?unread=true", editorTok, nil)
		r.JSON(t, &page)
		if len(page.Items) != 1 || page.Items[0].ID == newest {
			t.Fatalf("unread after marking one = %s", r.Body)
		}
		mustStatus(t, h.do("POST", base+"/read", editorTok, map[string]any{"ids": []int64{}}), 422)
		r = h.do("POST", base+"/read-all", editorTok, nil)
		mustStatus(t, r, 200)
		r.JSON(t, &marked)
		if marked.Changed != 1 {
			t.Fatalf("read-all changed %d, want 1", marked.Changed)
		}

		// The channel has one delivery per assignment.
		ds, err := h.store.ListWebhookDeliveries(t.Context(), ws.ID, endpoint.ID, 10)
		if err != nil {
			t.Fatal(err)
		}
		if len(ds) != 2 || ds[0].Notification.Kind != herald.NotifyAssigned {
			t.Fatalf("the channel has %d deliveries, want the 2 assignments", len(ds))
		}
	})
}
