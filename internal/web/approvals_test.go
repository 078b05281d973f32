package web

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/heraldsocial/herald/internal/herald"
	"github.com/heraldsocial/herald/internal/post"
)

// submitted makes a post by a contributor, sent for review, at at.
func (e *env) submitted(u herald.User, w herald.Workspace, acct herald.Account, text string, at time.Time) herald.Post {
	e.t.Helper()
	at = at.UTC().Truncate(time.Second)
	p, err := e.posts.Create(context.Background(), herald.Actor{UserID: u.ID, WorkspaceID: w.ID, Role: herald.RoleContributor},
		herald.Post{Text: text, Targets: []herald.Target{{AccountID: acct.ID, ScheduledAt: &at}}}, post.ActionSubmit)
	if err != nil {
		e.t.Fatal(err)
	}
	return p
}

func TestApprovalsQueue(t *testing.T) {
	e := newEnv(t)
	owner, w := e.owner("olga@example.com", "Acme")
	acct := e.account(owner, w, "@acme")
	cy := e.member(w, "cy@example.com", herald.RoleContributor)
	e.member(w, "max@example.com", herald.RoleManager)
	older := e.submitted(cy, w, acct, "Older post to check", time.Now().Add(5*time.Hour))
	newer := e.submitted(cy, w, acct, "Newer post to check", time.Now().Add(3*time.Hour))
	e.scheduled(owner, w, acct, "Already scheduled", time.Now().Add(time.Hour))
	queue := fmt.Sprintf("/w/%d/approvals", w.ID)

	mb := e.browser()
	mb.signIn("max@example.com")
	a := mb.get(queue)
	want(t, a, http.StatusOK, "Awaiting approval (2)", "Older post to check", "Newer post to check", "cy", "@acme on Test platform",
		fmt.Sprintf(`id="approve-%d"`, older.ID), fmt.Sprintf(`id="request-changes-%d"`, newer.ID), `aria-current="page"`)
	wantNot(t, a, "Already scheduled")
	if strings.Index(a.Body, "Older post to check") > strings.Index(a.Body, "Newer post to check") {
		t.Error("the queue is not oldest first")
	}

	// A contributor sees the queue but cannot decide.
	cb := e.browser()
	cb.signIn("cy@example.com")
	a = cb.get(queue)
	want(t, a, http.StatusOK, "Older post to check", "Your role cannot approve posts")
	wantNot(t, a, `id="approve-`, `id="request-changes-`)
	want(t, cb.post(fmt.Sprintf("%s/%d/approve", queue, older.ID), nil), http.StatusForbidden, "contributor role cannot")
	wantNot(t, cb.get(fmt.Sprintf("/w/%d/posts/%d", w.ID, older.ID)), `id="post-approve"`)

	// Approve with a comment: scheduled at its time, the comment in the
	// thread with the mention marked, who approved on the detail page.
	a = mb.post(fmt.Sprintf("%s/%d/approve", queue, older.ID), url.Values{"comment": {"Lovely, @cy"}})
	if a.Status != http.StatusSeeOther || a.Location != queue {
		t.Fatalf("approve = %d → %q: %s", a.Status, a.Location, a.Body)
	}
	want(t, mb.get(queue), http.StatusOK, "Approved and scheduled “Older post to check”", "Awaiting approval (1)")
	if got := targetState(t, e, w.ID, older.ID); got != herald.StateScheduled {
		t.Fatalf("after approval the target is %s, want scheduled", got)
	}
	detail := fmt.Sprintf("/w/%d/posts/%d", w.ID, older.ID)
	want(t, cb.get(detail), http.StatusOK, "Approved: Lovely, ", `<span class="mention" title="cy">@cy</span>`, "by max,",
		"Comments (1)", "awaiting approval → approved, by max")
	want(t, cb.get(fmt.Sprintf("/w/%d/", w.ID)), http.StatusOK, "Mentions of you", "on “Older post to check”")

	// Request changes needs a comment, shown next to the field.
	a = mb.post(fmt.Sprintf("%s/%d/request-changes", queue, newer.ID), url.Values{"comment": {"  "}})
	want(t, a, http.StatusUnprocessableEntity, "tell the author what should change", `aria-invalid="true"`)
	a = mb.post(fmt.Sprintf("%s/%d/request-changes", queue, newer.ID), url.Values{"comment": {"Shorter, please"}})
	if a.Status != http.StatusSeeOther {
		t.Fatalf("request changes = %d: %s", a.Status, a.Body)
	}
	if got := targetState(t, e, w.ID, newer.ID); got != herald.StateDraft {
		t.Fatalf("after request changes the target is %s, want draft", got)
	}
	a = cb.get(queue)
	want(t, a, http.StatusOK, "Nothing awaits approval", "Changes requested (1)", "max asked:", "“Shorter, please”", "Edit your post",
		fmt.Sprintf(`href="/w/%d/posts/%d/edit"`, w.ID, newer.ID))
	want(t, cb.get(fmt.Sprintf("/w/%d/posts/%d", w.ID, newer.ID)), http.StatusOK, "Changes requested: Shorter, please", `id="post-edit"`)

	// Deciding on a post that is no longer in review says so on the queue.
	a = mb.post(fmt.Sprintf("%s/%d/approve", queue, newer.ID), nil)
	want(t, a, http.StatusConflict, "Awaiting approval (0)", "cannot be approved")
}

func TestPostComments(t *testing.T) {
	e := newEnv(t)
	owner, w := e.owner("olga@example.com", "Acme")
	acct := e.account(owner, w, "@acme")
	e.member(w, "ed@example.com", herald.RoleEditor)
	e.member(w, "ann@example.com", herald.RoleAnalyst)
	p := e.scheduled(owner, w, acct, "Talk about me", time.Now().Add(time.Hour))
	detail := fmt.Sprintf("/w/%d/posts/%d", w.ID, p.ID)

	eb := e.browser()
	eb.signIn("ed@example.com")
	want(t, eb.get(detail), http.StatusOK, "No comments yet.", `<label for="comment-body">`, `data-handle="olga"`)
	a := eb.post(detail+"/comments", url.Values{"body": {""}})
	want(t, a, http.StatusUnprocessableEntity, "is empty: write something", `aria-invalid="true"`)
	a = eb.post(detail+"/comments", url.Values{"body": {"@olga is this final? cc @nobody"}})
	if a.Status != http.StatusSeeOther || a.Location != detail+"#comments" {
		t.Fatalf("comment = %d → %q", a.Status, a.Location)
	}
	want(t, eb.get(detail), http.StatusOK, "Comment added.", `<span class="mention" title="olga">@olga</span>`, " is this final? cc @nobody")

	// With htmx, the thread comes back alone.
	a = eb.post(detail+"/comments", url.Values{"body": {"second"}}, "HX-Request", "true")
	want(t, a, http.StatusOK, `id="comments"`, "Comments (2)", "Comment added.")
	if strings.Contains(a.Body, "<html") {
		t.Error("an htmx answer is a whole page")
	}
	a = eb.post(detail+"/comments", url.Values{"body": {" "}}, "HX-Request", "true")
	want(t, a, http.StatusOK, `id="comments"`, "is empty: write something")

	// The owner is mentioned on the home page; the analyst only reads.
	ob := e.browser()
	ob.signIn("olga@example.com")
	want(t, ob.get(fmt.Sprintf("/w/%d/", w.ID)), http.StatusOK, "Mentions of you", "<strong>ed</strong> on “Talk about me”")
	ab := e.browser()
	ab.signIn("ann@example.com")
	a = ab.get(detail)
	want(t, a, http.StatusOK, "is this final?")
	wantNot(t, a, `id="comment-body"`, "/delete")
	want(t, ab.post(detail+"/comments", url.Values{"body": {"hi"}}), http.StatusForbidden, "only reads them")

	// Deleting: the author, or an admin; not the analyst.
	ids := regexp.MustCompile(`id="comment-(\d+)"`).FindAllStringSubmatch(eb.get(detail).Body, -1)
	if len(ids) != 2 {
		t.Fatalf("comment ids %v", ids)
	}
	want(t, ab.post(detail+"/comments/"+ids[0][1]+"/delete", nil), http.StatusForbidden, "author or an admin")
	a = ob.post(detail+"/comments/"+ids[0][1]+"/delete", nil, "HX-Request", "true")
	want(t, a, http.StatusOK, "Comments (1)", "Comment deleted.")
	wantNot(t, a, "is this final?")
	want(t, ob.post(fmt.Sprintf("/w/%d/posts/%d/comments/%s/delete", w.ID, p.ID+99, ids[1][1]), nil), http.StatusNotFound)
}

func TestDuplicateAndDeleteFromPlatform(t *testing.T) {
	e := newEnv(t)
	owner, w := e.owner("olga@example.com", "Acme")
	acct := e.account(owner, w, "@acme")
	e.member(w, "ann@example.com", herald.RoleAnalyst)
	p := e.scheduled(owner, w, acct, "Published thing", time.Now().Add(time.Hour))
	tid := p.Targets[0].ID
	ctx := context.Background()
	tg, err := e.store.GetTarget(ctx, w.ID, tid)
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range []herald.TargetState{herald.StatePublishing, herald.StatePublished} {
		tr, err := tg.Transition(s, nil, "test", time.Now())
		if err != nil {
			t.Fatal(err)
		}
		tg.RemoteID, tg.RemoteURL = "r1", "https://fake.example/@acme/r1"
		if err := e.store.TransitionTarget(ctx, &tg, tr); err != nil {
			t.Fatal(err)
		}
	}
	detail := fmt.Sprintf("/w/%d/posts/%d", w.ID, p.ID)
	b := e.browser()
	b.signIn("olga@example.com")
	confirm := fmt.Sprintf("%s/targets/%d/delete-remote", detail, tid)
	want(t, b.get(detail), http.StatusOK, `href="https://fake.example/@acme/r1"`, `href="`+confirm+`"`, `id="post-duplicate"`)

	// Deleting asks first, and only for a published target.
	want(t, b.get(confirm), http.StatusOK, "Delete from the platform?", "@acme on Test platform", "cannot be undone", `id="delete-remote-confirm"`)
	analyst := e.browser()
	analyst.signIn("ann@example.com")
	wantNot(t, analyst.get(detail), "delete-remote", `id="post-duplicate"`)
	want(t, analyst.get(confirm), http.StatusForbidden)
	want(t, analyst.post(confirm, nil), http.StatusForbidden)
	// This server has no connectors: the platform cannot be reached, and
	// the target stays as it is.
	want(t, b.post(confirm, nil), http.StatusConflict, "cannot reach the platforms")
	if got, _ := e.store.GetTarget(ctx, w.ID, tid); got.RemoteDeletedAt != nil {
		t.Fatal("the target is marked deleted")
	}

	// Duplicate: a new draft, opened in the composer.
	a := b.post(detail+"/duplicate", nil)
	m := regexp.MustCompile(`^/w/\d+/posts/(\d+)/edit$`).FindStringSubmatch(a.Location)
	if a.Status != http.StatusSeeOther || m == nil {
		t.Fatalf("duplicate = %d → %q: %s", a.Status, a.Location, a.Body)
	}
	var dupID int64
	fmt.Sscan(m[1], &dupID)
	dup, err := e.store.GetPost(ctx, w.ID, dupID)
	if err != nil {
		t.Fatal(err)
	}
	if dup.ID == p.ID || dup.Text != "Published thing" || len(dup.Targets) != 1 || dup.Targets[0].State != herald.StateDraft ||
		dup.Targets[0].AccountID != acct.ID {
		t.Fatalf("duplicate %+v", dup)
	}
	want(t, b.get(fmt.Sprintf("/w/%d/posts/%d", w.ID, dupID)), http.StatusOK, "Duplicated: this is the new draft", `id="post-edit"`)
	want(t, analyst.post(detail+"/duplicate", nil), http.StatusForbidden)
}

func TestAdvice(t *testing.T) {
	tg := herald.Target{PostID: 7, State: herald.StateFailed, LastError: "nope"}
	cases := []struct {
		outcome herald.AttemptOutcome
		text    string
		link    string
	}{
		{herald.OutcomeRateLimited, "Wait", ""},
		{herald.OutcomeAuthRevoked, "Reconnect the account", "/w/3/accounts"},
		{herald.OutcomeInvalid, "Edit the post", "/w/3/posts/7/edit"},
		{herald.OutcomeTransient, "retry now", ""},
		{"", "Read the platform's answer", ""},
	}
	for _, c := range cases {
		a := adviceFor(3, tg, []herald.Attempt{{Outcome: c.outcome}})
		if !strings.Contains(a.Text, c.text) || a.Link != c.link {
			t.Errorf("%s: advice %+v", c.outcome, a)
		}
	}
	if a := adviceFor(3, herald.Target{State: herald.StatePublished}, nil); a.Text != "" {
		t.Errorf("a published target gets advice %+v", a)
	}
}
