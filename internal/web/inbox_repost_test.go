package web

import (
	"encoding/json"
	"net/http"
	"testing"

	"github.com/heraldsocial/herald/internal/herald"
)

// TestInboxRepost reposts a reply from its page: the button shows where
// the platform can repost, the platform counts one reblog however often it
// is clicked, and hiding is not offered where the platform cannot hide.
func TestInboxRepost(t *testing.T) {
	e, platformURL := newConnectEnv(t)
	iw := newInboxWorld(t, e, platformURL)
	ws := iw.w.ID
	e.member(iw.w, "ed@example.com", herald.RoleEditor)
	b := e.browser()
	b.signIn("ed@example.com")
	a := b.get(inboxItemURL(ws, iw.reply.ID))
	want(t, a, http.StatusOK, `id="repost-submit"`, `id="like-submit"`)
	wantNot(t, a, `id="hide-submit"`)
	for range 2 {
		want(t, b.post(inboxVerbURL(ws, iw.reply.ID, "repost"), nil), http.StatusSeeOther)
	}
	req, err := http.NewRequestWithContext(t.Context(), http.MethodGet, platformURL+"/api/v1/statuses/"+iw.reply.RemoteID, nil)
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Authorization", "Bearer someone")
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	var st struct {
		Reblogs int `json:"reblogs_count"`
	}
	if err := json.NewDecoder(res.Body).Decode(&st); err != nil {
		t.Fatal(err)
	}
	if st.Reblogs != 1 {
		t.Fatalf("the platform counts %d reblogs, want 1", st.Reblogs)
	}
	want(t, b.post(inboxVerbURL(ws, iw.reply.ID, "hide"), nil), http.StatusSeeOther)
	want(t, b.get(inboxItemURL(ws, iw.reply.ID)), http.StatusOK, "does not let Herald hide replies")
}
