package api_test

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"testing"
	"time"

	"github.com/heraldsocial/herald/internal/connector"
	"github.com/heraldsocial/herald/internal/connector/fake"
	"github.com/heraldsocial/herald/internal/herald"
)

func TestInboxStatesAndAssignment(t *testing.T) {
	forEachStore(t, func(t *testing.T, h *harness) {
		w := newEngageWorld(t, h)
		ctx := context.Background()
		editor, _ := h.member(w.ws, "editor2@example.com", herald.RoleEditor)
		alice := w.connectPassword(t, "alice")
		pub := fake.New(nil)
		mention, err := pub.Publish(ctx, connector.Account{Credentials: fake.MarshalCredentials(
			fake.Credentials{BaseURL: w.base, AccessToken: "dan"})}, connector.Part{Text: "@alice hello"})
		if err != nil {
			t.Fatal(err)
		}
		now := time.Now().UTC()
		items := []herald.InboxItem{
			{WorkspaceID: w.ws.ID, AccountID: alice.ID, RemoteID: mention.ID, URL: mention.URL, AuthorID: "dan",
				AuthorHandle: "@dan", Text: "@alice hello", CreatedAt: now.Add(-2 * time.Hour)},
			{WorkspaceID: w.ws.ID, AccountID: alice.ID, RemoteID: "x2", AuthorID: "eve", AuthorHandle: "@eve",
				Text: "@alice Pricing question", CreatedAt: now.Add(-time.Hour)},
			{WorkspaceID: w.ws.ID, AccountID: alice.ID, RemoteID: "x3", AuthorID: "fay", AuthorHandle: "@fay",
				Text: "@alice thanks", CreatedAt: now},
		}
		if _, err := h.store.AddInboxItems(ctx, items); err != nil {
			t.Fatal(err)
		}
		itemPath := func(id int64) string { return w.path(w.ws, fmt.Sprintf("/inbox/%d", id)) }
		list := func(query string) []int64 {
			t.Helper()
			r := h.do("GET", w.path(w.ws, "/inbox?"+query), w.ownerTok, nil)
			mustStatus(t, r, http.StatusOK)
			var page struct {
				Items []herald.InboxItem `json:"items"`
			}
			r.JSON(t, &page)
			var ids []int64
			for _, it := range page.Items {
				ids = append(ids, it.ID)
			}
			return ids
		}
		same := func(what string, got []int64, want ...int64) {
			t.Helper()
			if fmt.Sprint(got) != fmt.Sprint(want) {
				t.Fatalf("%s: got %v, want %v", what, got, want)
			}
		}

		r := h.do("PATCH", itemPath(items[0].ID), w.editorTok, map[string]any{"state": "pending", "assigned_to": editor.ID})
		mustStatus(t, r, http.StatusOK)
		var got herald.InboxItem
		got = herald.InboxItem{}
		r.JSON(t, &got)
		if got.State != herald.InboxPending || got.AssignedTo == nil || *got.AssignedTo != editor.ID || got.StateChangedAt == nil {
			t.Fatalf("patched item %s", r.Body)
		}
		r = h.do("POST", w.path(w.ws, "/inbox/bulk"), w.ownerTok, map[string]any{"ids": []int64{items[1].ID, items[2].ID}, "state": "done"})
		mustStatus(t, r, http.StatusNoContent)
		r = h.do("GET", itemPath(items[1].ID), w.clientTok, nil)
		mustStatus(t, r, http.StatusOK)
		got = herald.InboxItem{}
		r.JSON(t, &got)
		if got.State != herald.InboxDone || got.DoneBy == nil || *got.DoneBy != w.owner.ID {
			t.Fatalf("bulk done item %s", r.Body)
		}

		same("open", list("state=open"))
		same("done", list("state=done"), items[2].ID, items[1].ID)
		same("assignee", list(fmt.Sprintf("assignee=%d", editor.ID)), items[0].ID)
		same("unassigned", list("assignee=unassigned"), items[2].ID, items[1].ID)
		same("me (the owner)", list("assignee=me"))
		same("search", list("q=pricing"), items[1].ID)
		same("kind", list("kind=reply"))
		same("platform", list("platform=fake"), items[2].ID, items[1].ID, items[0].ID)
		same("since", list("since="+url.QueryEscape(now.Add(-90*time.Minute).Format(time.RFC3339))), items[2].ID, items[1].ID)
		same("until", list("until="+url.QueryEscape(now.Add(-90*time.Minute).Format(time.RFC3339))), items[0].ID)

		// Unassign, then a bulk assignment to the caller.
		r = h.do("PATCH", itemPath(items[0].ID), w.ownerTok, map[string]any{"assigned_to": 0})
		mustStatus(t, r, http.StatusOK)
		got = herald.InboxItem{}
		r.JSON(t, &got)
		if got.AssignedTo != nil || got.State != herald.InboxPending {
			t.Fatalf("unassigned item %s", r.Body)
		}
		r = h.do("POST", w.path(w.ws, "/inbox/bulk"), w.ownerTok, map[string]any{"ids": []int64{items[0].ID, items[1].ID}, "assigned_to": w.owner.ID})
		mustStatus(t, r, http.StatusNoContent)
		same("me after a bulk assignment", list("assignee=me"), items[1].ID, items[0].ID)

		// A confirmed reply records the first response.
		r = h.do("POST", itemPath(items[0].ID)+"/reply", w.editorTok, map[string]string{"text": "hi Dan"})
		mustStatus(t, r, http.StatusCreated)
		r = h.do("GET", itemPath(items[0].ID), w.ownerTok, nil)
		got = herald.InboxItem{}
		r.JSON(t, &got)
		if got.FirstResponseAt == nil {
			t.Fatalf("no first response after a reply: %s", r.Body)
		}

		outsider := h.newUser("not-a-member@example.com")
		cases := []struct {
			name, method, path, token string
			body                      any
			status                    int
		}{
			{"contributor may not change states", "PATCH", itemPath(items[0].ID), w.contribTok, map[string]any{"state": "done"}, http.StatusForbidden},
			{"client may not assign", "POST", w.path(w.ws, "/inbox/bulk"), w.clientTok, map[string]any{"ids": []int64{items[0].ID}, "assigned_to": 0}, http.StatusForbidden},
			{"unknown state", "PATCH", itemPath(items[0].ID), w.ownerTok, map[string]any{"state": "archived"}, http.StatusUnprocessableEntity},
			{"nothing to change", "PATCH", itemPath(items[0].ID), w.ownerTok, map[string]any{}, http.StatusUnprocessableEntity},
			{"assignee not a member", "PATCH", itemPath(items[0].ID), w.ownerTok, map[string]any{"assigned_to": outsider.ID}, http.StatusUnprocessableEntity},
			{"empty bulk", "POST", w.path(w.ws, "/inbox/bulk"), w.ownerTok, map[string]any{"ids": []int64{}, "state": "done"}, http.StatusUnprocessableEntity},
			{"bulk with an unknown item", "POST", w.path(w.ws, "/inbox/bulk"), w.ownerTok, map[string]any{"ids": []int64{items[0].ID, 999999}, "state": "open"}, http.StatusNotFound},
			{"item of another workspace", "PATCH", w.path(w.other, fmt.Sprintf("/inbox/%d", items[0].ID)), w.outsiderTok, map[string]any{"state": "done"}, http.StatusNotFound},
			{"bad state filter", "GET", w.path(w.ws, "/inbox?state=later"), w.ownerTok, nil, http.StatusUnprocessableEntity},
			{"bad assignee filter", "GET", w.path(w.ws, "/inbox?assignee=them"), w.ownerTok, nil, http.StatusUnprocessableEntity},
			{"unknown platform", "GET", w.path(w.ws, "/inbox?platform=myspace"), w.ownerTok, nil, http.StatusUnprocessableEntity},
		}
		for _, tc := range cases {
			t.Run(tc.name, func(t *testing.T) {
				mustStatus(t, h.do(tc.method, tc.path, tc.token, tc.body), tc.status)
			})
		}
		// The refused bulk change left every item as it was.
		r = h.do("GET", itemPath(items[0].ID), w.ownerTok, nil)
		got = herald.InboxItem{}
		r.JSON(t, &got)
		if got.State != herald.InboxPending {
			t.Fatalf("a refused change moved the item to %q", got.State)
		}
	})
}
