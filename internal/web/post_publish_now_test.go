package web

import (
	"context"
	"fmt"
	"net/http"
	"testing"
	"time"

	"github.com/heraldsocial/herald/internal/herald"
)

// TestPostPublishNow moves a scheduled post to now from its page: the
// button is shown to those who may write posts, the post is due at once,
// and an analyst can neither see the button nor use the action.
func TestPostPublishNow(t *testing.T) {
	e := newEnv(t)
	owner, w := e.owner("ana@example.com", "Acme")
	acct := e.account(owner, w, "@acme")
	e.member(w, "al@example.com", herald.RoleAnalyst)
	p := e.scheduled(owner, w, acct, "Tomorrow's news, today", time.Now().Add(26*time.Hour))
	detail := fmt.Sprintf("/w/%d/posts/%d", w.ID, p.ID)

	analyst := e.browser()
	analyst.signIn("al@example.com")
	wantNot(t, analyst.get(detail), `id="post-publish-now"`)
	if a := analyst.post(detail+"/publish-now", nil); a.Status != http.StatusForbidden {
		t.Fatalf("analyst publish now = %d", a.Status)
	}

	owners := e.browser()
	owners.signIn("ana@example.com")
	want(t, owners.get(detail), http.StatusOK, `id="post-publish-now"`)
	before := time.Now()
	a := owners.post(detail+"/publish-now", nil)
	if a.Status != http.StatusSeeOther || a.Location != detail {
		t.Fatalf("publish now = %d → %q", a.Status, a.Location)
	}
	want(t, owners.get(detail), http.StatusOK, "Sent for publishing now")
	got, err := e.store.GetPost(context.Background(), w.ID, p.ID)
	if err != nil {
		t.Fatal(err)
	}
	tg := got.Targets[0]
	if tg.State != herald.StateScheduled || tg.ScheduledAt == nil || tg.ScheduledAt.After(time.Now()) || tg.ScheduledAt.Before(before.Add(-time.Second)) {
		t.Fatalf("after publish now the target is %s at %v", tg.State, tg.ScheduledAt)
	}
	want(t, owners.post(detail+"/publish-now", nil, "HX-Request", "true"), http.StatusOK, `id="post-body"`, "Sent for publishing now")
}
