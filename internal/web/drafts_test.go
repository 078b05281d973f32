package web

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/heraldsocial/herald/internal/herald"
	"github.com/heraldsocial/herald/internal/post"
)

func TestDraftsList(t *testing.T) {
	e := newComposeEnv(t)
	owner, w := e.owner("ana@example.com", "Acme")
	acct := e.connect(owner, w, herald.PlatformFake, "acme")
	actor := herald.Actor{UserID: owner.ID, WorkspaceID: w.ID, Role: herald.RoleOwner}
	ctx := context.Background()
	mk := func(p herald.Post) herald.Post {
		t.Helper()
		p, err := e.posts.Create(ctx, actor, p, post.ActionDraft)
		if err != nil {
			t.Fatal(err)
		}
		return p
	}
	at := time.Now().Add(72 * time.Hour).UTC().Truncate(time.Minute)
	idea := mk(herald.Post{Title: "Summer sale idea", Text: "Something about sunscreen"})
	dated := mk(herald.Post{Text: "Dated draft about kites", Targets: []herald.Target{{AccountID: acct.ID, ScheduledAt: &at}}})
	e.scheduled(owner, w, acct, "Scheduled, not a draft", time.Now().Add(time.Hour))
	b := e.browser()
	b.signIn("ana@example.com")
	base := fmt.Sprintf("/w/%d/drafts", w.ID)

	page := b.get(base)
	want(t, page, http.StatusOK, "Drafts and ideas", `id="nav-drafts" aria-current="page"`, "Summer sale idea", "Dated draft about kites",
		fmtTime(at, mustZone(t, "Europe/Paris")), "no account chosen", "@acme",
		fmt.Sprintf(`href="/w/%d/posts/%d/edit"`, w.ID, idea.ID))
	wantNot(t, page, "Scheduled, not a draft")
	undated := page.Body[strings.Index(page.Body, `id="drafts-undated"`):strings.Index(page.Body, `id="drafts-dated"`)]
	if !strings.Contains(undated, "Summer sale idea") || strings.Contains(undated, "kites") {
		t.Fatalf("the ideas without a date are not apart: %s", undated)
	}

	found := b.get(base + "?q=KITES")
	want(t, found, http.StatusOK, "Dated draft about kites", `value="KITES"`)
	wantNot(t, found, "Summer sale idea")
	want(t, b.get(base+"?q=nothing+like+it"), http.StatusOK, "No draft contains")

	// Home shows the recent drafts.
	home := b.get(fmt.Sprintf("/w/%d/", w.ID))
	want(t, home, http.StatusOK, `id="recent-drafts"`, "Summer sale idea", "Dated draft about kites")
	if i, j := strings.Index(home.Body, "kites"), strings.Index(home.Body, "Summer sale"); i > j {
		t.Fatal("the recent drafts are not newest first")
	}

	// Delete from the list; a post that left draft is not deleted here.
	a := b.post(fmt.Sprintf("%s/%d/delete", base, idea.ID), nil)
	if a.Status != http.StatusSeeOther || a.Location != base {
		t.Fatalf("delete = %d → %s", a.Status, a.Location)
	}
	want(t, b.get(base), http.StatusOK, "Deleted the draft “Summer sale idea”.")
	if _, err := e.store.GetPost(ctx, w.ID, idea.ID); err == nil {
		t.Fatal("the idea is still stored")
	}
	if _, err := e.posts.Schedule(ctx, actor, dated.ID, nil, ""); err != nil {
		t.Fatal(err)
	}
	want(t, b.post(fmt.Sprintf("%s/%d/delete", base, dated.ID), nil), http.StatusConflict, "is no longer a draft")

	// An analyst reads the list but gets no edit or delete.
	e.member(w, "an@example.com", herald.RoleAnalyst)
	mk(herald.Post{Text: "Another idea"})
	ba := e.browser()
	ba.signIn("an@example.com")
	list := ba.get(base)
	want(t, list, http.StatusOK, "Another idea")
	wantNot(t, list, "/edit\"", "Delete the draft")
}
