package web

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/heraldsocial/herald/internal/connector"
	"github.com/heraldsocial/herald/internal/connector/fake"
	"github.com/heraldsocial/herald/internal/herald"
	"github.com/heraldsocial/herald/internal/post"
)

// threadPost makes a post on acct whose variant is a 3-part thread with a
// first comment, an image with alt text on part 1 and one without on part
// 3, scheduled at at.
func (e *env) threadPost(owner herald.User, w herald.Workspace, acct herald.Account, at time.Time) (herald.Post, herald.MediaAsset, herald.MediaAsset) {
	e.t.Helper()
	ctx := context.Background()
	actor := herald.Actor{UserID: owner.ID, WorkspaceID: w.ID, Role: herald.RoleOwner}
	described, err := e.media.Upload(ctx, actor, "chart.png", bytes.NewReader(tinyPNG(e.t)), "A bar chart of sales by month")
	if err != nil {
		e.t.Fatal(err)
	}
	bare, err := e.media.Upload(ctx, actor, "team.png", bytes.NewReader(append(tinyPNG(e.t), 0)), "")
	if err != nil {
		e.t.Fatal(err)
	}
	at = at.UTC().Truncate(time.Second)
	p, err := e.posts.Create(ctx, actor, herald.Post{Text: "Thread opener", Targets: []herald.Target{{
		AccountID: acct.ID, ScheduledAt: &at,
		Variant: herald.Variant{Text: "Part one: the news", MediaIDs: []int64{described.ID},
			Thread:       []herald.ThreadPart{{Text: "Part two: the details"}, {Text: "Part three: the team", MediaIDs: []int64{bare.ID}}},
			FirstComment: "Sources in the first comment"},
	}}}, post.ActionSchedule)
	if err != nil {
		e.t.Fatal(err)
	}
	return p, described, bare
}

func TestPostPageShowsEveryPart(t *testing.T) {
	e := newEnv(t)
	owner, w := e.owner("olga@example.com", "Acme")
	acct := e.account(owner, w, "@acme")
	p, described, bare := e.threadPost(owner, w, acct, time.Now().Add(2*time.Hour))
	b := e.browser()
	b.signIn("olga@example.com")
	a := b.get(postURL(w.ID, p.ID))
	tid := itoa(p.Targets[0].ID)
	want(t, a, http.StatusOK, `aria-label="Thread of 3 parts"`, "Part 1 of 3", "Part 2 of 3", "Part 3 of 3",
		"Part one: the news", "Part two: the details", "Part three: the team",
		`id="target-`+tid+`-first-comment"`, "Sources in the first comment",
		`src="`+mediaFileURL(w.ID, described)+`"`, `alt="A bar chart of sales by month"`,
		`src="`+mediaFileURL(w.ID, bare)+`"`, "No alt text")
	// In order: part 1, its image, part 2, part 3, its image, the comment.
	order := []string{"Part one: the news", mediaFileURL(w.ID, described), "Part two: the details",
		"Part three: the team", mediaFileURL(w.ID, bare), "Sources in the first comment"}
	last := -1
	for _, s := range order {
		i := strings.Index(a.Body, s)
		if i <= last {
			t.Fatalf("%q is out of order on the post page", s)
		}
		last = i
	}

	// A file deleted from the library since is named as gone; the rest stays.
	ctx := context.Background()
	if err := e.store.DeleteMedia(ctx, w.ID, bare.ID); err != nil {
		t.Fatal(err)
	}
	want(t, b.get(postURL(w.ID, p.ID)), http.StatusOK, "A file no longer in the library", "Part three: the team")

	// A single-part post has no thread list.
	single := e.scheduled(owner, w, acct, "Just one", time.Now().Add(3*time.Hour))
	a = b.get(postURL(w.ID, single.ID))
	want(t, a, http.StatusOK, "Just one")
	wantNot(t, a, "Thread of", "Part 1 of")
}

func TestPostPageEditAndUnschedule(t *testing.T) {
	e := newEnv(t)
	owner, w := e.owner("olga@example.com", "Acme")
	acct := e.account(owner, w, "@acme")
	contributor := e.member(w, "carl@example.com", herald.RoleContributor)
	e.member(w, "ann@example.com", herald.RoleAnalyst)
	p := e.scheduled(owner, w, acct, "Scheduled thing", time.Now().Add(2*time.Hour))
	detail := postURL(w.ID, p.ID)
	b := e.browser()
	b.signIn("olga@example.com")
	a := b.get(detail)
	want(t, a, http.StatusOK, `id="post-edit"`, `href="`+detail+`/edit"`, ">Edit</a>", `id="post-unschedule-open"`,
		`hx-post="`+detail+`/unschedule"`, "Move this post back to draft?")

	// Others see what their role allows: the analyst nothing, the
	// contributor neither edit nor unschedule on someone else's scheduled post.
	analyst := e.browser()
	analyst.signIn("ann@example.com")
	wantNot(t, analyst.get(detail), `id="post-edit"`, "post-unschedule")
	carl := e.browser()
	carl.signIn("carl@example.com")
	wantNot(t, carl.get(detail), `id="post-edit"`, "post-unschedule")
	want(t, carl.post(detail+"/unschedule", nil), http.StatusForbidden)
	want(t, carl.get(detail+"/unschedule"), http.StatusConflict, "cannot be unscheduled now")
	want(t, analyst.get(detail+"/unschedule"), http.StatusForbidden)

	// The confirmation page returns where it was opened from.
	back := fmt.Sprintf("/w/%d/calendar?view=week", w.ID)
	a = b.get(detail + "/unschedule?back=" + url.QueryEscape(back))
	want(t, a, http.StatusOK, "Unschedule “Scheduled thing”?", `name="back" value="`+strings.ReplaceAll(back, "&", "&amp;")+`"`, `id="post-unschedule"`)
	want(t, b.get(detail+"/unschedule?back="+url.QueryEscape("https://evil.example/")), http.StatusOK, `name="back" value="/"`)
	a = b.post(detail+"/unschedule", url.Values{"comment": {"Wrong day"}, "back": {back}})
	if a.Status != http.StatusSeeOther || a.Location != back {
		t.Fatalf("unschedule = %d → %q", a.Status, a.Location)
	}
	if got := targetState(t, e, w.ID, p.ID); got != herald.StateDraft {
		t.Fatalf("after unschedule the target is %s", got)
	}
	a = b.get(detail)
	want(t, a, http.StatusOK, "Unscheduled: it is a draft again", ">Edit draft</a>", "Wrong day")
	wantNot(t, a, "post-unschedule-open")

	// With htmx the post's body comes back.
	p2 := e.scheduled(owner, w, acct, "Another", time.Now().Add(4*time.Hour))
	a = b.post(postURL(w.ID, p2.ID)+"/unschedule", nil, "HX-Request", "true")
	want(t, a, http.StatusOK, `id="post-body"`, "Unscheduled:")
	if got := targetState(t, e, w.ID, p2.ID); got != herald.StateDraft {
		t.Fatalf("after unschedule (htmx) the target is %s", got)
	}

	// A contributor edits their own post in review; a note says saving
	// an approved post sends it back.
	ctx := context.Background()
	cActor := herald.Actor{UserID: contributor.ID, WorkspaceID: w.ID, Role: herald.RoleContributor}
	at := time.Now().Add(5 * time.Hour).UTC().Truncate(time.Second)
	own, err := e.posts.Create(ctx, cActor, herald.Post{Text: "Mine", Targets: []herald.Target{{AccountID: acct.ID, ScheduledAt: &at}}}, post.ActionSubmit)
	if err != nil {
		t.Fatal(err)
	}
	want(t, carl.get(postURL(w.ID, own.ID)), http.StatusOK, `id="post-edit"`, ">Edit</a>")
	oActor := herald.Actor{UserID: owner.ID, WorkspaceID: w.ID, Role: herald.RoleOwner}
	if _, err := e.posts.Approve(ctx, oActor, own.ID, ""); err != nil {
		t.Fatal(err)
	}
	want(t, carl.get(postURL(w.ID, own.ID)), http.StatusOK, `id="post-edit"`, `id="edit-resubmits"`)
	wantNot(t, b.get(postURL(w.ID, own.ID)), `id="edit-resubmits"`)

	// Once one account has it published, the composer no longer edits it.
	acct2 := e.account(owner, w, "@acme2")
	mixed, err := e.posts.Create(ctx, oActor, herald.Post{Text: "Half out", Targets: []herald.Target{
		{AccountID: acct.ID, ScheduledAt: &at}, {AccountID: acct2.ID, ScheduledAt: &at}}}, post.ActionSchedule)
	if err != nil {
		t.Fatal(err)
	}
	e.move(w, mixed.Targets[0].ID, "", herald.StatePublishing, herald.StatePublished)
	a = b.get(postURL(w.ID, mixed.ID))
	want(t, a, http.StatusOK, "Half out")
	wantNot(t, a, `id="post-edit"`)
}

func TestEditOnPlatform(t *testing.T) {
	e, platformURL := newConnectEnv(t)
	owner, w := e.owner("olga@example.com", "Acme")
	e.member(w, "carl@example.com", herald.RoleContributor)
	p, ref := e.publishedOnPlatform(owner, w, platformURL, "Old text")
	acct := herald.Account{ID: p.Targets[0].AccountID}
	tid := p.Targets[0].ID
	detail := postURL(w.ID, p.ID)
	form := targetURL(w.ID, p.ID, tid, "edit-remote")
	b := e.browser()
	b.signIn("olga@example.com")
	want(t, b.get(detail), http.StatusOK, `id="edit-remote-`+itoa(tid)+`"`, `href="`+form+`"`, "Edit on Test platform…")
	want(t, b.get(form), http.StatusOK, "<h1>Edit on Test platform</h1>", ">Old text</textarea>", `id="edit-remote-save"`)

	// A contributor may not: no button, and the pages refuse.
	carl := e.browser()
	carl.signIn("carl@example.com")
	wantNot(t, carl.get(detail), "edit-remote-")
	want(t, carl.get(form), http.StatusForbidden)
	want(t, carl.post(form, url.Values{"text": {"Hijack"}}), http.StatusForbidden)

	// An empty text is refused where the field is, and nothing changes.
	a := b.post(form, url.Values{"text": {"   "}})
	want(t, a, http.StatusUnprocessableEntity, `id="edit-remote-text-problem"`, "is required", `aria-invalid="true"`)

	a = b.post(form, url.Values{"text": {"New text, fixed"}})
	if a.Status != http.StatusSeeOther || a.Location != detail {
		t.Fatalf("edit = %d → %q: %s", a.Status, a.Location, a.Body)
	}
	want(t, b.get(detail), http.StatusOK, "Edited on Test platform", "New text, fixed", "Edited there")
	req, err := http.NewRequest(http.MethodGet, platformURL+"/api/v1/statuses/"+ref.ID, nil)
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Authorization", "Bearer acme")
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	raw, _ := io.ReadAll(res.Body)
	if !strings.Contains(string(raw), "New text, fixed") {
		t.Fatalf("the platform has %s", raw)
	}

	// A target that is not published has nothing to edit there.
	other := e.scheduled(owner, w, acct, "Not yet", time.Now().Add(time.Hour))
	wantNot(t, b.get(postURL(w.ID, other.ID)), "edit-remote-")
	want(t, b.get(targetURL(w.ID, other.ID, other.Targets[0].ID, "edit-remote")), http.StatusConflict, "nothing on its platform to edit")
}

// publishedOnPlatform connects an account of the fake platform at
// platformURL to w and makes a post published there with text, as the
// dispatcher would have.
func (e *env) publishedOnPlatform(owner herald.User, w herald.Workspace, platformURL, text string) (herald.Post, herald.RemoteRef) {
	e.t.Helper()
	ctx := context.Background()
	actor := herald.Actor{UserID: owner.ID, WorkspaceID: w.ID, Role: herald.RoleOwner}
	acct, err := e.accounts.Connect(ctx, actor, herald.Account{Platform: herald.PlatformFake, RemoteID: "acme", Handle: "@acme",
		DisplayName: "Acme", InstanceURL: platformURL, Status: herald.AccountConnected}, []byte(`{"access_token":"acme"}`))
	if err != nil {
		e.t.Fatal(err)
	}
	creds := []byte(`{"base_url":"` + platformURL + `","access_token":"acme"}`)
	ref, err := fake.New(nil).Publish(ctx, connector.Account{Account: acct, Credentials: creds}, connector.Part{Text: text, Key: text})
	if err != nil {
		e.t.Fatal(err)
	}
	p := e.scheduled(owner, w, acct, text, time.Now().Add(time.Hour))
	tg, err := e.store.GetTarget(ctx, w.ID, p.Targets[0].ID)
	if err != nil {
		e.t.Fatal(err)
	}
	for _, s := range []herald.TargetState{herald.StatePublishing, herald.StatePublished} {
		tr, err := tg.Transition(s, nil, "test", time.Now())
		if err != nil {
			e.t.Fatal(err)
		}
		tg.RemoteID, tg.RemoteURL = ref.ID, ref.URL
		if err := e.store.TransitionTarget(ctx, &tg, tr); err != nil {
			e.t.Fatal(err)
		}
	}
	return p, ref
}
