package web

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"os"
	"strings"
	"testing"

	"github.com/heraldsocial/herald/internal/herald"
	"github.com/heraldsocial/herald/internal/outbound"
	"github.com/heraldsocial/herald/internal/postcsv"
)

// importsFor builds the import service over e's services.
func importsFor(e *env) *postcsv.Service {
	return postcsv.New(postcsv.Deps{Posts: e.posts, Media: e.media, Accounts: e.accounts, Labels: e.labels,
		Campaigns: e.campaigns, Client: outbound.NewClient(outbound.Options{AllowPrivate: true}), Clock: herald.SystemClock{}})
}

// importSetup is a workspace with the documented example's accounts,
// label and campaign, and the example with two rows broken: row 1's date
// does not exist and row 3 names an unknown account.
func importSetup(t *testing.T, e *composeEnv) (herald.Workspace, string) {
	t.Helper()
	ctx := context.Background()
	owner, w := e.owner("ana@example.com", "Acme")
	e.connect(owner, w, herald.PlatformFake, "acme")
	e.connect(owner, w, herald.PlatformFake, "news")
	actor := herald.Actor{UserID: owner.ID, WorkspaceID: w.ID, Role: herald.RoleOwner}
	if _, err := e.labels.Create(ctx, actor, herald.Label{Name: "Launch", Color: "#336699"}); err != nil {
		t.Fatal(err)
	}
	if _, err := e.campaigns.Create(ctx, actor, herald.Campaign{Name: "Spring sale"}); err != nil {
		t.Fatal(err)
	}
	b, err := os.ReadFile("../../docs/content/posts-example.csv")
	if err != nil {
		t.Fatal(err)
	}
	bad := strings.Replace(string(b), "2030-06-03,09:00,acme,", "2030-06-31,09:00,acme,", 1)
	bad = strings.Replace(bad, "fake:news,", "fake:nobody,", 1)
	if bad == string(b) {
		t.Fatal("the example changed: the test breaks rows it no longer has")
	}
	return w, bad
}

// TestImportPage fixes two bad rows in the preview and imports, through
// the forms the page sends.
func TestImportPage(t *testing.T) {
	e := newComposeEnv(t)
	w, bad := importSetup(t, e)
	b := e.browser()
	b.signIn("ana@example.com")
	path := importURL(w.ID)

	want(t, b.get(path), http.StatusOK, "Import posts", `id="import-file"`, "Europe/Paris")
	want(t, b.get(draftsURL(w.ID)), http.StatusOK, `id="drafts-import"`)
	want(t, b.get(calendarURL(w.ID, nil)), http.StatusOK, `id="cal-import"`, `id="cal-export"`,
		fmt.Sprintf("/api/v1/workspaces/%d/posts/export.csv?", w.ID))

	a := b.post(path, url.Values{"csv": {bad}, "action": {"check"}})
	want(t, a, http.StatusOK, "2 of 4 rows are ready to import", "2 rows have problems",
		`name="cell-1-date"`, `value="2030-06-31"`, "is not a date", `name="cell-3-accounts"`, `&#34;fake:nobody&#34; is not an account`,
		`id="import-all" disabled`, `id="import-skip"`)
	wantNot(t, a, `name="cell-2-date"`) // valid rows are not edited

	// Importing anyway is refused, and nothing is saved.
	a = b.post(path, url.Values{"csv": {bad}, "action": {"import"}})
	want(t, a, http.StatusUnprocessableEntity, "2 of 4 rows have problems, so nothing was imported")
	posts, _, err := e.store.ListPosts(context.Background(), herald.PostFilter{WorkspaceID: w.ID, Page: herald.Page{Limit: 10}})
	if err != nil || len(posts) != 0 {
		t.Fatalf("%d posts after a refused import (%v)", len(posts), err)
	}

	// Fixing the two cells makes every row valid; then the import goes in.
	fixed := url.Values{"csv": {bad}, "action": {"check"}, "cell-1-date": {"2030-06-03"}, "cell-3-accounts": {"fake:news"}}
	a = b.post(path, fixed)
	want(t, a, http.StatusOK, "4 of 4 rows are ready to import", "Import 4 posts")
	wantNot(t, a, `id="import-all" disabled`, "cell-problem")
	fixed.Set("action", "import")
	a = b.post(path, fixed)
	want(t, a, http.StatusOK, "Imported 4 posts.", "3 scheduled, 0 sent for review", `id="import-to-calendar"`)
	posts, _, err = e.store.ListPosts(context.Background(), herald.PostFilter{WorkspaceID: w.ID, Page: herald.Page{Limit: 10}})
	if err != nil || len(posts) != 4 {
		t.Fatalf("%d posts after the import (%v)", len(posts), err)
	}

	// A file in the wrong encoding is explained, not imported.
	a = b.post(path, url.Values{"csv": {"accounts,text\nacme,caf\xe9\n"}, "action": {"check"}})
	want(t, a, http.StatusUnprocessableEntity, "the file is not UTF-8")
}
