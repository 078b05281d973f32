package web

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/heraldsocial/herald/internal/herald"
	"github.com/heraldsocial/herald/internal/post"
	"github.com/heraldsocial/herald/internal/workspace"
)

// postCount is how many posts workspace ws holds.
func postCount(t *testing.T, e *composeEnv, ws int64) int {
	t.Helper()
	posts, _, err := e.store.ListPosts(context.Background(), herald.PostFilter{WorkspaceID: ws, Page: herald.Page{Limit: 100}})
	if err != nil {
		t.Fatal(err)
	}
	return len(posts)
}

func TestComposeEditScheduledPost(t *testing.T) {
	e := newComposeEnv(t)
	owner, w := e.owner("ana@example.com", "Acme")
	acct := e.connect(owner, w, herald.PlatformFake, "acme")
	b := e.browser()
	b.signIn("ana@example.com")
	at := time.Now().Add(48 * time.Hour).Truncate(time.Minute)
	p := e.scheduled(owner, w, acct, "Launch at noon", at)
	path := fmt.Sprintf("/w/%d/posts/%d/edit", w.ID, p.ID)

	page := b.get(path)
	want(t, page, http.StatusOK, "Edit post", ">Launch at noon</textarea>", `action="`+path+`"`, "This post is scheduled",
		"Changes are saved when you press a button", "Save changes")
	wantNot(t, page, "data-autosave=")

	// Autosave never touches a scheduled post.
	form := composeValues("Half typed", acct)
	form.Set("post_id", strconv.FormatInt(p.ID, 10))
	form.Set("version", strconv.FormatInt(p.Version, 10))
	if a := b.post(fmt.Sprintf("/w/%d/compose/autosave", w.ID), form); !strings.Contains(a.Body, `"skipped":true`) {
		t.Fatalf("autosave of a scheduled post = %d %s", a.Status, a.Body)
	}

	form = composeValues("Launch at one", acct)
	form.Set("post_id", strconv.FormatInt(p.ID, 10))
	form.Set("version", strconv.FormatInt(p.Version, 10))
	form.Set("at", at.In(mustZone(t, "Europe/Paris")).Add(time.Hour).Format("2006-01-02T15:04"))
	form.Set("action", "draft")
	a := b.post(path, form)
	if got := idFrom(t, a, postPath); got != p.ID {
		t.Fatalf("saved post %d, want %d", got, p.ID)
	}
	want(t, b.get(a.Location), http.StatusOK, "Changes saved.")
	got, err := e.store.GetPost(context.Background(), w.ID, p.ID)
	if err != nil || got.Text != "Launch at one" || got.Targets[0].State != herald.StateScheduled ||
		!got.Targets[0].ScheduledAt.Equal(at.Add(time.Hour)) {
		t.Fatalf("after the edit: %+v %v", got, err)
	}

	// The version read before that edit is stale: refused, the text typed
	// is shown again and the stored post keeps the newer text.
	form.Set("text", "From a stale tab")
	a = b.post(path, form)
	want(t, a, http.StatusPreconditionFailed, "someone changed this post after you opened it", ">From a stale tab</textarea>")
	if got, _ := e.store.GetPost(context.Background(), w.ID, p.ID); got.Text != "Launch at one" {
		t.Fatalf("a stale edit overwrote the post: %q", got.Text)
	}

	// Published (or publishing) posts are not edited here.
	e.move(w, p.Targets[0].ID, "", herald.StatePublishing)
	want(t, b.get(path), http.StatusConflict, "can no longer be edited")
	form.Set("version", strconv.FormatInt(got.Version, 10))
	want(t, b.post(path, form), http.StatusConflict, "can no longer be edited", ">From a stale tab</textarea>")
}

func TestComposeEditApprovedPostGoesBackToReview(t *testing.T) {
	e := newComposeEnv(t)
	owner, w := e.owner("ana@example.com", "Acme")
	acct := e.connect(owner, w, herald.PlatformFake, "acme")
	editor := e.member(w, "ed@example.com", herald.RoleEditor)
	ownerActor := herald.Actor{UserID: owner.ID, WorkspaceID: w.ID, Role: herald.RoleOwner}
	if _, err := e.ws.Update(context.Background(), ownerActor, workspace.Patch{BrandRules: &herald.BrandRules{RequireApproval: true}}); err != nil {
		t.Fatal(err)
	}
	edActor := herald.Actor{UserID: editor.ID, WorkspaceID: w.ID, Role: herald.RoleEditor}
	at := time.Now().Add(48 * time.Hour).UTC().Truncate(time.Minute)
	p, err := e.posts.Create(context.Background(), edActor,
		herald.Post{Text: "Reviewed words", Targets: []herald.Target{{AccountID: acct.ID, ScheduledAt: &at}}}, post.ActionSubmit)
	if err != nil {
		t.Fatal(err)
	}
	if p, err = e.posts.Approve(context.Background(), ownerActor, p.ID, ""); err != nil {
		t.Fatal(err)
	}
	b := e.browser()
	b.signIn("ed@example.com")
	path := fmt.Sprintf("/w/%d/posts/%d/edit", w.ID, p.ID)
	want(t, b.get(path), http.StatusOK, "This post is approved", "sends it back to draft", `id="submit-approval"`)

	form := composeValues("New words after approval", acct)
	form.Set("post_id", strconv.FormatInt(p.ID, 10))
	form.Set("version", strconv.FormatInt(p.Version, 10))
	form.Set("at", at.In(mustZone(t, "Europe/Paris")).Format("2006-01-02T15:04"))
	form.Set("action", "submit")
	idFrom(t, b.post(path, form), postPath)
	got, err := e.store.GetPost(context.Background(), w.ID, p.ID)
	if err != nil || got.Text != "New words after approval" || got.Targets[0].State != herald.StateInReview {
		t.Fatalf("after editing an approved post: %+v %v", got, err)
	}
}

func TestComposeNoEmptyDrafts(t *testing.T) {
	e := newComposeEnv(t)
	owner, w := e.owner("ana@example.com", "Acme")
	acct := e.connect(owner, w, herald.PlatformFake, "acme")
	b := e.browser()
	b.signIn("ana@example.com")
	base := fmt.Sprintf("/w/%d/compose", w.ID)

	form := composeValues("", acct)
	form.Set("action", "schedule")
	want(t, b.post(base, form), http.StatusUnprocessableEntity, "Write the post first", "Pick a date and time to schedule the post")
	form.Set("action", "draft")
	want(t, b.post(base, form), http.StatusUnprocessableEntity, "Nothing to save yet")
	if n := postCount(t, e, w.ID); n != 0 {
		t.Fatalf("empty forms made %d posts", n)
	}

	// One composer session makes one draft, whatever saves it.
	page := b.get(base)
	key := regexpFind(t, page.Body, `name="draft_key" value="([A-Z2-7]+)"`)
	autosave := func(text string) int64 {
		t.Helper()
		f := composeValues(text, acct)
		f.Set("draft_key", key)
		a := b.post(base+"/autosave", f)
		var s struct{ ID int64 }
		if err := json.Unmarshal([]byte(a.Body), &s); err != nil || s.ID == 0 {
			t.Fatalf("autosave: %d %s", a.Status, a.Body)
		}
		return s.ID
	}
	first := autosave("An idea")
	// The page came back without the id (the Back button): same post.
	if again := autosave("An idea, grown"); again != first {
		t.Fatalf("a second autosave of the session made post %d after %d", again, first)
	}
	f := composeValues("An idea, saved", acct)
	f.Set("draft_key", key)
	f.Set("action", "draft")
	if got := idFrom(t, b.post(base, f), editPath); got != first {
		t.Fatalf("saving the session made post %d after %d", got, first)
	}
	if n := postCount(t, e, w.ID); n != 1 {
		t.Fatalf("one composer session made %d posts", n)
	}
	if got, _ := e.store.GetPost(context.Background(), w.ID, first); got.Text != "An idea, saved" {
		t.Fatalf("the session's draft says %q", got.Text)
	}
	// Another person with the same key gets a draft of their own.
	e.member(w, "ed@example.com", herald.RoleEditor)
	b2 := e.browser()
	b2.signIn("ed@example.com")
	f.Set("text", "Ed's idea")
	if got := idFrom(t, b2.post(base, f), editPath); got == first {
		t.Fatal("another member's save updated someone else's session draft")
	}
}

func TestComposePastTimeInWords(t *testing.T) {
	e := newComposeEnv(t)
	owner, w := e.owner("ana@example.com", "Acme")
	acct := e.connect(owner, w, herald.PlatformFake, "acme")
	b := e.browser()
	b.signIn("ana@example.com")
	base := fmt.Sprintf("/w/%d/compose", w.ID)
	loc := mustZone(t, "Europe/Paris")
	past := time.Now().In(loc).Add(-26 * time.Hour).Truncate(time.Minute)
	typed := past.Format("2006-01-02T15:04")
	words := past.Format("Mon 2 Jan 15:04") + " (Europe/Paris) has passed — pick a later time."

	form := composeValues("Too late", acct)
	form.Set("at", typed)
	form.Set("action", "schedule")
	a := b.post(base, form)
	want(t, a, http.StatusUnprocessableEntity, words, `value="`+typed+`"`, "Some fields need attention")
	wantNot(t, a, "the post is not valid", past.UTC().Format(time.RFC3339))
	if at := strings.Index(a.Body, `id="at-problems"`); at < 0 || !strings.Contains(a.Body[at:at+300], "has passed") {
		t.Fatal("the problem is not next to the time field")
	}
	if n := postCount(t, e, w.ID); n != 0 {
		t.Fatalf("a refused time made %d posts", n)
	}
	// The live checks warn too, in the preview and at the field.
	check := b.post(base+"/check", form)
	want(t, check, http.StatusOK, `id="preview-passed"`, `id="at-check"`, words)
	form.Set("at", time.Now().In(loc).Add(2*time.Hour).Format("2006-01-02T15:04"))
	wantNot(t, b.post(base+"/check", form), "has passed")
}

func TestCounterLevels(t *testing.T) {
	for _, c := range []struct {
		n, limit int
		want     string
	}{{10, 100, "ok"}, {89, 100, "ok"}, {90, 100, "near"}, {100, 100, "near"}, {101, 100, "over"}, {5, 0, "ok"}} {
		if got := (partCount{Length: c.n, Limit: c.limit}).Level(); got != c.want {
			t.Errorf("%d/%d is %q, want %q", c.n, c.limit, got, c.want)
		}
	}
}

// regexpFind is the first group of pattern in s.
func regexpFind(t *testing.T, s, pattern string) string {
	t.Helper()
	m := regexp.MustCompile(pattern).FindStringSubmatch(s)
	if m == nil {
		t.Fatalf("no %s in the page", pattern)
	}
	return m[1]
}
