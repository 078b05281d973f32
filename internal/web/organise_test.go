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
	"github.com/heraldsocial/herald/internal/post"
)

// TestLabelsPage creates, renames, recolours and deletes labels through
// the labels page, with the refusals shown at their fields.
func TestLabelsPage(t *testing.T) {
	e := newEnv(t)
	owner, w := e.owner("ana@example.com", "Acme")
	acct := e.account(owner, w, "@acme")
	b := e.browser()
	b.signIn("ana@example.com")
	page := labelsURL(w.ID)

	a := b.get(page)
	want(t, a, http.StatusOK, "No labels yet.", "Create the first one below", `id="new-label-form"`, `id="tab-labels"`, `aria-current="page"`)

	a = b.post(page, url.Values{"name": {"Launch"}, "color": {"#be185d"}})
	if a.Status != http.StatusSeeOther || !strings.HasPrefix(a.Location, page+"#label-") {
		t.Fatalf("create: %d %s", a.Status, a.Location)
	}
	ls, err := e.labels.List(context.Background(), herald.Actor{UserID: owner.ID, WorkspaceID: w.ID, Role: herald.RoleOwner})
	if err != nil || len(ls) != 1 || ls[0].Name != "Launch" || ls[0].Color != "#be185d" {
		t.Fatalf("labels after create: %+v, %v", ls, err)
	}
	l := ls[0]
	want(t, b.get(page), http.StatusOK, "Created the label “Launch”.", "Launch", "no posts yet", "No post carries it.")

	// A custom colour, picked with "Other".
	a = b.post(page, url.Values{"name": {"Hiring"}, "color": {"custom"}, "custom_color": {"#ABCDEF"}})
	if a.Status != http.StatusSeeOther {
		t.Fatalf("create with a custom colour: %d %s", a.Status, a.Body)
	}
	// Duplicates, case aside, are refused at the name; what was typed stays.
	a = b.post(page, url.Values{"name": {"launch"}, "color": {"#15803d"}})
	want(t, a, http.StatusConflict, "a label named &#34;launch&#34; already exists", "is already used by another label",
		`id="new-label-name" name="name" value="launch"`)
	a = b.post(page, url.Values{"name": {"Bad colour"}, "color": {"custom"}, "custom_color": {"blue"}})
	want(t, a, http.StatusUnprocessableEntity, `id="new-label-color-problem"`, "is not a colour like #1d4ed8")

	// Rename and recolour; a refused rename opens that label's form.
	edit := fmt.Sprintf("%s/%d", page, l.ID)
	a = b.post(edit, url.Values{"name": {"hiring"}, "color": {"#be185d"}})
	want(t, a, http.StatusConflict, "is already used by another label", fmt.Sprintf(`id="edit-label-%d" open`, l.ID))
	a = b.post(edit, url.Values{"name": {"Big launch"}, "color": {"#0f766e"}})
	if a.Status != http.StatusSeeOther {
		t.Fatalf("rename: %d %s", a.Status, a.Body)
	}
	if got, _ := e.store.GetLabel(context.Background(), w.ID, l.ID); got.Name != "Big launch" || got.Color != "#0f766e" {
		t.Fatalf("after rename: %+v", got)
	}

	// A post carries it: the delete question says what happens to it.
	ctx := context.Background()
	actor := herald.Actor{UserID: owner.ID, WorkspaceID: w.ID, Role: herald.RoleOwner}
	if _, err := e.posts.Create(ctx, actor, herald.Post{Text: "Labelled", LabelIDs: []int64{l.ID},
		Targets: []herald.Target{{AccountID: acct.ID}}}, post.ActionDraft); err != nil {
		t.Fatal(err)
	}
	want(t, b.get(page), http.StatusOK, "1 post", "The 1 post that carries it loses the label",
		fmt.Sprintf(`href="/w/%d/calendar?label=%d&amp;view=list"`, w.ID, l.ID))
	a = b.post(edit+"/delete", nil)
	if a.Status != http.StatusSeeOther || a.Location != page {
		t.Fatalf("delete: %d %s", a.Status, a.Location)
	}
	want(t, b.get(page), http.StatusOK, "Deleted the label “Big launch”.")
	if _, err := e.store.GetLabel(ctx, w.ID, l.ID); err == nil {
		t.Fatal("the label is still stored")
	}
	want(t, b.post(edit+"/delete", nil), http.StatusNotFound)
}

// TestLabelsRoles checks who may see and change labels: the services
// refuse, and the pages offer only what the role allows.
func TestLabelsRoles(t *testing.T) {
	e := newEnv(t)
	owner, w := e.owner("ana@example.com", "Acme")
	l, err := e.labels.Create(context.Background(), herald.Actor{UserID: owner.ID, WorkspaceID: w.ID, Role: herald.RoleOwner},
		herald.Label{Name: "Launch"})
	if err != nil {
		t.Fatal(err)
	}
	e.member(w, "carl@example.com", herald.RoleContributor)
	b := e.browser()
	b.signIn("carl@example.com")
	a := b.get(labelsURL(w.ID))
	want(t, a, http.StatusOK, "Launch")
	wantNot(t, a, `id="new-label-form"`, "edit-label-", "delete-label-")
	want(t, b.post(labelsURL(w.ID), url.Values{"name": {"Mine"}, "color": {"#1d4ed8"}}), http.StatusForbidden)
	want(t, b.post(fmt.Sprintf("%s/%d", labelsURL(w.ID), l.ID), url.Values{"name": {"Renamed"}, "color": {"#1d4ed8"}}), http.StatusForbidden)
	want(t, b.post(fmt.Sprintf("%s/%d/delete", labelsURL(w.ID), l.ID), nil), http.StatusForbidden)
	// A contributor reads campaigns but may not change them.
	a = b.get(campaignsURL(w.ID))
	want(t, a, http.StatusOK, "No campaigns yet.", "A manager, an admin or the owner can create them.")
	wantNot(t, a, `id="new-campaign-form"`)
	want(t, b.post(campaignsURL(w.ID), url.Values{"name": {"Spring"}}), http.StatusForbidden)
}

// TestCampaignsPage creates, edits and deletes campaigns through the
// campaigns page.
func TestCampaignsPage(t *testing.T) {
	e := newEnv(t)
	owner, w := e.owner("ana@example.com", "Acme")
	acct := e.account(owner, w, "@acme")
	b := e.browser()
	b.signIn("ana@example.com")
	page := campaignsURL(w.ID)
	ctx := context.Background()
	actor := herald.Actor{UserID: owner.ID, WorkspaceID: w.ID, Role: herald.RoleOwner}

	want(t, b.get(page), http.StatusOK, "No campaigns yet.", `id="new-campaign-form"`, "Europe/Paris")
	// The end before the start is refused at the end date; the form keeps
	// what was typed.
	a := b.post(page, url.Values{"name": {"Spring sale"}, "goal": {"Sell 100"}, "start_date": {"2026-03-10"}, "end_date": {"2026-03-01"}})
	want(t, a, http.StatusUnprocessableEntity, `id="new-campaign-end-problem"`, "is before the start date",
		`value="Spring sale"`, "Sell 100", `value="2026-03-10"`)
	a = b.post(page, url.Values{"name": {"Spring sale"}, "goal": {"Sell 100"}, "start_date": {"2026-03-01"}, "end_date": {"2026-03-31"}})
	if a.Status != http.StatusSeeOther {
		t.Fatalf("create: %d %s", a.Status, a.Body)
	}
	cs, err := e.campaigns.List(ctx, actor)
	if err != nil || len(cs) != 1 || cs[0].Goal != "Sell 100" || cs[0].EndDate != "2026-03-31" {
		t.Fatalf("campaigns: %+v, %v", cs, err)
	}
	c := cs[0]
	want(t, b.get(page), http.StatusOK, "Created the campaign “Spring sale”.", "Sun 1 Mar 2026 – Tue 31 Mar 2026", "Goal: Sell 100")
	want(t, b.post(page, url.Values{"name": {"spring SALE"}}), http.StatusConflict, "is already used by another campaign")

	edit := fmt.Sprintf("%s/%d", page, c.ID)
	a = b.post(edit, url.Values{"name": {"Spring sale"}, "start_date": {"2026-04-01"}, "end_date": {"2026-03-31"}})
	want(t, a, http.StatusUnprocessableEntity, fmt.Sprintf(`id="edit-campaign-%d" open`, c.ID), "is before the start date")
	a = b.post(edit, url.Values{"name": {"Spring"}, "goal": {""}, "start_date": {"2026-04-01"}, "end_date": {""}})
	if a.Status != http.StatusSeeOther {
		t.Fatalf("edit: %d %s", a.Status, a.Body)
	}
	if got, _ := e.campaigns.Get(ctx, actor, c.ID); got.Name != "Spring" || got.Goal != "" || got.StartDate != "2026-04-01" || got.EndDate != "" {
		t.Fatalf("after edit: %+v", got)
	}
	for range 2 {
		if _, err := e.posts.Create(ctx, actor, herald.Post{Text: "In the campaign", CampaignID: &c.ID,
			Targets: []herald.Target{{AccountID: acct.ID}}}, post.ActionDraft); err != nil {
			t.Fatal(err)
		}
	}
	want(t, b.get(page), http.StatusOK, "from Wed 1 Apr 2026", "2 posts", "Its 2 posts stay as they are")
	a = b.post(edit+"/delete", nil)
	if a.Status != http.StatusSeeOther {
		t.Fatalf("delete: %d", a.Status)
	}
	want(t, b.get(page), http.StatusOK, "Deleted the campaign “Spring”.")
	ps, _, err := e.posts.List(ctx, actor, herald.PostFilter{})
	if err != nil || len(ps) != 2 || ps[0].CampaignID != nil {
		t.Fatalf("posts after deleting their campaign: %+v, %v", ps, err)
	}
}

// TestComposerOrganiseBox checks the composer's labels and campaign box
// shows before any exist, with links to create them for those who may.
func TestComposerOrganiseBox(t *testing.T) {
	e := newEnv(t)
	owner, w := e.owner("ana@example.com", "Acme")
	e.account(owner, w, "@acme")
	e.member(w, "carl@example.com", herald.RoleContributor)
	b := e.browser()
	b.signIn("ana@example.com")
	compose := wsURL(w.ID) + "compose"
	a := b.get(compose)
	want(t, a, http.StatusOK, "Labels and campaign", `id="labels-none"`, `id="campaigns-none"`,
		`href="`+labelsURL(w.ID)+`" target="_blank" id="manage-labels"`, "Create a label", "Create a campaign")
	c := e.browser()
	c.signIn("carl@example.com")
	a = c.get(compose)
	want(t, a, http.StatusOK, "Labels and campaign", `id="labels-none"`)
	wantNot(t, a, `id="manage-labels"`, `id="manage-campaigns"`)
}

// TestPaletteStyled checks every palette colour has its swatch rule in
// the stylesheet (no inline style is allowed to paint it).
func TestPaletteStyled(t *testing.T) {
	css, err := os.ReadFile("static/organise.css")
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range palette {
		if rule := fmt.Sprintf(".%s { --swatch: %s; }", swatchClass(s), s.Hex); !strings.Contains(string(css), rule) {
			t.Errorf("organise.css lacks %q", rule)
		}
		if !hexColor.MatchString(s.Hex) {
			t.Errorf("palette colour %s is not #rrggbb", s.Hex)
		}
	}
}
