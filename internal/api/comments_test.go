package api_test

import (
	"fmt"
	"net/http"
	"slices"
	"testing"

	"github.com/heraldsocial/herald/internal/herald"
)

func TestComments(t *testing.T) {
	forEachStore(t, func(t *testing.T, h *harness) {
		owner := h.newUser("olga@example.com")
		ws := h.newWorkspace(owner, "Acme")
		ownerToken := h.tokenFor(owner, ws, herald.RoleOwner)
		editor, editorToken := h.member(ws, "ed@example.com", herald.RoleEditor)
		_, analystToken := h.member(ws, "ann@example.com", herald.RoleAnalyst)
		other := h.newUser("otto@example.com")
		otherWS := h.newWorkspace(other, "Other")
		otherToken := h.tokenFor(other, otherWS, herald.RoleOwner)

		var p herald.Post
		res := h.do(http.MethodPost, fmt.Sprintf("/api/v1/workspaces/%d/posts", ws.ID), ownerToken, map[string]any{"text": "Draft"})
		mustStatus(t, res, http.StatusCreated)
		res.JSON(t, &p)
		base := fmt.Sprintf("/api/v1/workspaces/%d/posts/%d/comments", ws.ID, p.ID)

		res = h.do(http.MethodPost, base, editorToken, map[string]any{"body": "Ready, @OLGA? (not @nobody)"})
		mustStatus(t, res, http.StatusCreated)
		var c herald.PostComment
		res.JSON(t, &c)
		if c.ID == 0 || c.AuthorID != editor.ID || c.AuthorName != "ed" || !slices.Equal(c.Mentions, []int64{owner.ID}) {
			t.Fatalf("created %+v", c)
		}
		mustStatus(t, h.do(http.MethodPost, base, analystToken, map[string]any{"body": "hi"}), http.StatusForbidden)
		res = h.do(http.MethodPost, base, editorToken, map[string]any{"body": ""})
		if res.Status != http.StatusUnprocessableEntity {
			t.Fatalf("empty comment: %d %s", res.Status, res.Body)
		}
		// Another workspace's token sees nothing of it.
		mustStatus(t, h.do(http.MethodGet, base, otherToken, nil), http.StatusNotFound)
		mustStatus(t, h.do(http.MethodGet, fmt.Sprintf("/api/v1/workspaces/%d/posts/%d/comments", otherWS.ID, p.ID), otherToken, nil),
			http.StatusNotFound)

		res = h.do(http.MethodGet, base, analystToken, nil)
		mustStatus(t, res, http.StatusOK)
		var page struct {
			Items      []herald.PostComment `json:"items"`
			NextCursor string               `json:"next_cursor"`
		}
		res.JSON(t, &page)
		if len(page.Items) != 1 || page.Items[0].Body != "Ready, @OLGA? (not @nobody)" || page.NextCursor != "" {
			t.Fatalf("list %+v", page)
		}

		one := fmt.Sprintf("%s/%d", base, c.ID)
		mustStatus(t, h.do(http.MethodDelete, one, analystToken, nil), http.StatusForbidden)
		mustStatus(t, h.do(http.MethodDelete, one, otherToken, nil), http.StatusNotFound)
		mustStatus(t, h.do(http.MethodDelete, one, editorToken, nil), http.StatusNoContent)
		mustStatus(t, h.do(http.MethodDelete, one, editorToken, nil), http.StatusNotFound)
	})
}
