package web

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/heraldsocial/herald/internal/herald"
)

// TestTemplatesPages creates, refuses, edits, uses and deletes a template
// through the library's Templates tab, as an editor and as an analyst.
func TestTemplatesPages(t *testing.T) {
	e := newEnv(t)
	owner, w := e.owner("ana@example.com", "Acme")
	acct := e.account(owner, w, "@acme")
	e.member(w, "ed@example.com", herald.RoleEditor)
	e.member(w, "al@example.com", herald.RoleAnalyst)
	actor := herald.Actor{UserID: owner.ID, WorkspaceID: w.ID, Role: herald.RoleOwner}
	l, err := e.labels.Create(context.Background(), actor, herald.Label{Name: "Weekly"})
	if err != nil {
		t.Fatal(err)
	}
	page := templatesURL(w.ID)

	an := e.browser()
	an.signIn("al@example.com")
	want(t, an.get(page), http.StatusOK, "No templates yet.", "An editor, a manager, an admin or the owner can create them.", `id="libtab-templates"`)
	if a := an.post(page, url.Values{"name": {"Nope"}, "text": {"x"}}); a.Status != http.StatusForbidden {
		t.Fatalf("analyst create: %d", a.Status)
	}

	b := e.browser()
	b.signIn("ed@example.com")
	want(t, b.get(page+"/new"), http.StatusOK, `id="template-form"`, "{{weekday}}", "the post&#39;s day of the week")
	form := url.Values{"name": {"Weekly tip"}, "description": {"Fridays"}, "text": {"Buy {{price}} on {{date}}"},
		"thread": {"Part two", ""}, "label": {itoa(l.ID)}, "account": {itoa(acct.ID)}}
	a := b.post(page, form)
	want(t, a, http.StatusUnprocessableEntity, `id="tpl-text-problem"`, "{{price}} is not a placeholder Herald knows: use {{date}}",
		`value="Weekly tip"`, "Part two")
	form.Set("text", "Happy {{weekday}} from {{workspace}}")
	a = b.post(page, form)
	if a.Status != http.StatusSeeOther || !strings.HasPrefix(a.Location, page+"#template-") {
		t.Fatalf("create: %d %s\n%s", a.Status, a.Location, a.Body)
	}
	ts, err := e.templates.List(context.Background(), actor, "")
	if err != nil || len(ts) != 1 {
		t.Fatalf("templates: %+v %v", ts, err)
	}
	tp := ts[0]
	if tp.Content.Thread[0].Text != "Part two" || len(tp.Content.Thread) != 1 || tp.Content.LabelIDs[0] != l.ID || tp.Content.AccountIDs[0] != acct.ID {
		t.Fatalf("stored %+v", tp.Content)
	}
	want(t, b.get(page), http.StatusOK, "Saved the template “Weekly tip”.", "Happy {{weekday}} from {{workspace}}", "New post from it")
	want(t, b.get(page+"?q=nothing"), http.StatusOK, "No template matches “nothing”.")
	a = b.post(page, url.Values{"name": {"WEEKLY TIP"}, "text": {"x"}})
	want(t, a, http.StatusConflict, "a template named &#34;WEEKLY TIP&#34; already exists", `id="tpl-name-problem"`)

	// Using it: the composer comes filled, for the day asked.
	at := time.Date(2030, 3, 4, 9, 30, 0, 0, time.UTC) // a Monday
	a = b.get(composeFromTemplateURL(w.ID, tp.ID, at))
	want(t, a, http.StatusOK, "Happy Monday from Acme</textarea>", "Part two</textarea>",
		fmt.Sprintf(`id="label-%d" name="label" value="%d" checked`, l.ID, l.ID), `value="2030-03-04T10:30"`)
	want(t, b.get(composeURL(w.ID, "?template=987654")), http.StatusNotFound)

	// Edit, then delete.
	one := templateURL(w.ID, tp.ID)
	want(t, b.get(one), http.StatusOK, `value="Weekly tip"`, "Part two")
	a = b.post(one, url.Values{"name": {"Weekly"}, "text": {"Only {{year}}"}})
	if a.Status != http.StatusSeeOther {
		t.Fatalf("edit: %d\n%s", a.Status, a.Body)
	}
	if got, _ := e.store.GetTemplate(context.Background(), w.ID, tp.ID); got.Name != "Weekly" || len(got.Content.Thread) != 0 || len(got.Content.LabelIDs) != 0 {
		t.Fatalf("after edit %+v", got)
	}
	if a := an.post(one+"/delete", nil); a.Status != http.StatusForbidden {
		t.Fatalf("analyst delete: %d", a.Status)
	}
	a = b.post(one+"/delete", nil)
	if a.Status != http.StatusSeeOther {
		t.Fatalf("delete: %d", a.Status)
	}
	want(t, b.get(page), http.StatusOK, "Deleted the template “Weekly”.", "No templates yet.")
}

// TestSnippetsAndHashtagsPages keeps snippets and hashtag groups through
// their tabs, and the composer's insertion list reads them.
func TestSnippetsAndHashtagsPages(t *testing.T) {
	e := newEnv(t)
	e.owner("ana@example.com", "Acme")
	b := e.browser()
	b.signIn("ana@example.com")
	ws := int64(1)
	snippets, tags := snippetsURL(ws), hashtagsURL(ws)
	want(t, b.get(snippets), http.StatusOK, "None yet: create the first one below.", `aria-current="page"`, `id="libtab-snippets"`)
	want(t, b.post(snippets, url.Values{"name": {"Sign-off"}, "text": {"  "}}), http.StatusUnprocessableEntity,
		`id="new-snippets-text-problem"`, "a snippet needs text")
	if a := b.post(snippets, url.Values{"name": {"Sign-off"}, "text": {"Thanks for reading"}}); a.Status != http.StatusSeeOther {
		t.Fatalf("snippet: %d\n%s", a.Status, a.Body)
	}
	want(t, b.get(snippets+"?q=READING"), http.StatusOK, "Sign-off", "Thanks for reading")
	want(t, b.post(tags, url.Values{"name": {"Launch"}, "text": {"#launch launch"}}), http.StatusUnprocessableEntity,
		"&#34;launch&#34; is not a hashtag", `value="Launch"`)
	if a := b.post(tags, url.Values{"name": {"Launch"}, "text": {"#launch #Herald #launch"}}); a.Status != http.StatusSeeOther {
		t.Fatalf("group: %d\n%s", a.Status, a.Body)
	}
	want(t, b.get(tags), http.StatusOK, "#launch #Herald")

	a := b.get(composeURL(ws, "/kits"))
	var kits struct {
		Snippets, Hashtags []kitChoice
	}
	if a.Status != http.StatusOK || json.Unmarshal([]byte(a.Body), &kits) != nil {
		t.Fatalf("kits: %d %s", a.Status, a.Body)
	}
	if len(kits.Snippets) != 1 || kits.Snippets[0].Text != "Thanks for reading" || len(kits.Hashtags) != 3 ||
		kits.Hashtags[0].Text != "#launch #Herald" || kits.Hashtags[2].Name != "#Herald" {
		t.Fatalf("kits %+v", kits)
	}
	g, err := e.templates.HashtagGroups(context.Background(), herald.Actor{UserID: 1, WorkspaceID: ws, Role: herald.RoleOwner}, "")
	if err != nil || len(g) != 1 {
		t.Fatal(g, err)
	}
	a = b.post(fmt.Sprintf("%s/%d/delete", tags, g[0].ID), nil)
	if a.Status != http.StatusSeeOther {
		t.Fatalf("delete group: %d", a.Status)
	}
}

// TestComposeSaveAsTemplate saves the composer's post as a template; a
// taken name is shown next to the name with the post as typed.
func TestComposeSaveAsTemplate(t *testing.T) {
	e := newEnv(t)
	owner, w := e.owner("ana@example.com", "Acme")
	acct := e.account(owner, w, "@acme")
	b := e.browser()
	b.signIn("ana@example.com")
	v := composeValues("Hello {{weekday}}", acct)
	v.Add("text", "Second part")
	v.Add("media", "")
	v.Set("v_comment_"+itoa(acct.ID), "First comment here")
	v.Set("template_name", "Greeting")
	a := b.post(composeURL(w.ID, "/template"), v)
	if a.Status != http.StatusSeeOther || a.Location != composeURL(w.ID, "") {
		t.Fatalf("save as template: %d %s\n%s", a.Status, a.Location, a.Body)
	}
	ts, err := e.templates.List(context.Background(), herald.Actor{UserID: owner.ID, WorkspaceID: w.ID, Role: herald.RoleOwner}, "")
	if err != nil || len(ts) != 1 {
		t.Fatal(ts, err)
	}
	c := ts[0].Content
	if c.Text != "Hello {{weekday}}" || len(c.Thread) != 1 || c.Thread[0].Text != "Second part" || len(c.Variants) != 1 ||
		c.Variants[0].FirstComment != "First comment here" || c.AccountIDs[0] != acct.ID {
		t.Fatalf("template content %+v", c)
	}
	a = b.post(composeURL(w.ID, "/template"), v)
	want(t, a, http.StatusConflict, `id="save-template" open`, `id="template-name-problem"`, "already exists",
		"Hello {{weekday}}</textarea>", "Second part</textarea>")
	v.Set("template_name", "Other")
	v.Set("text", "Price {{price}}")
	want(t, b.post(composeURL(w.ID, "/template"), v), http.StatusUnprocessableEntity, "{{price}} is not a placeholder Herald knows")

	// The calendar offers it in the day and entry menus.
	a = b.get(wsURL(w.ID) + "calendar?view=month")
	want(t, a, http.StatusOK, "From template: Greeting", "Blank post")
}
