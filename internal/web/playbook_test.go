package web

import (
	"context"
	"net/http"
	"net/url"
	"testing"
	"time"

	"github.com/heraldsocial/herald/internal/herald"
)

// TestPlaybookPages writes texts through the form (after a refused one
// that keeps its input), approves one as a manager, edits it (it loses the
// approval), saves the checklist, and uses them from an incident: the
// checklist is ticked, a statement is published without review by an
// editor, and a drill sends nothing.
func TestPlaybookPages(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	owner, w := e.owner("ana@example.com", "Acme")
	manager := e.member(w, "max@example.com", herald.RoleManager)
	e.member(w, "eve@example.com", herald.RoleEditor)
	acct := e.account(owner, w, "acme")
	e.withCrisis()
	lsvc := e.withListen()
	base := playbookURL(w.ID)

	ed := e.browser()
	ed.signIn("eve@example.com")
	want(t, ed.get(base), http.StatusOK, `id="playbook-empty"`, `id="playbook-form"`)
	wantNot(t, ed.get(base), `id="checklist-form"`)
	a := ed.post(base+"/new", url.Values{"kind": {"statement"}, "title": {"Holding"}, "body": {""}})
	want(t, a, http.StatusUnprocessableEntity, `id="playbook-body-problem"`, `value="Holding"`)
	a = ed.post(base+"/new", url.Values{"kind": {"statement"}, "title": {"Holding"}, "body": {"We are on it."}})
	if a.Status != http.StatusSeeOther {
		t.Fatalf("create: %d %s", a.Status, a.Body)
	}
	a = ed.post(base+"/new", url.Values{"kind": {"reply"}, "title": {"holding"}, "body": {"x"}})
	want(t, a, http.StatusConflict, "already exists")
	es, _, err := e.web.d.Crisis.Playbook(ctx, herald.Actor{UserID: owner.ID, WorkspaceID: w.ID, Role: herald.RoleOwner})
	if err != nil || len(es) != 1 {
		t.Fatalf("texts %v %v", es, err)
	}
	st := es[0]
	want(t, ed.get(base), http.StatusOK, `id="entry-unapproved-`+itoa(st.ID)+`"`)
	wantNot(t, ed.get(base), `id="entry-approve-`+itoa(st.ID)+`"`)
	if a := ed.post(playbookEntryURL(w.ID, st.ID, "approve"), nil); a.Status != http.StatusForbidden {
		t.Fatalf("an editor approved: %d", a.Status)
	}

	mg := e.browser()
	mg.signIn("max@example.com")
	want(t, mg.get(base), http.StatusOK, `id="entry-approve-`+itoa(st.ID)+`"`, `id="checklist-form"`)
	if a := mg.post(playbookEntryURL(w.ID, st.ID, "approve"), nil); a.Status != http.StatusSeeOther {
		t.Fatalf("approve: %d %s", a.Status, a.Body)
	}
	want(t, mg.get(base), http.StatusOK, `id="entry-approved-`+itoa(st.ID)+`"`, "approved by max")
	a = mg.post(base+"/checklist", url.Values{"step_title": {"Tell legal", "", "Post the statement"},
		"step_owner": {itoa(manager.ID), "", ""}})
	if a.Status != http.StatusSeeOther {
		t.Fatalf("checklist: %d %s", a.Status, a.Body)
	}
	a = mg.post(base+"/checklist", url.Values{"step_title": {"Call the CEO"}, "step_owner": {"999999"}})
	want(t, a, http.StatusUnprocessableEntity, "is not a member of this workspace", `value="Call the CEO"`)

	// An incident, as a detector opens one, with a match as evidence.
	topic, err := lsvc.Create(ctx, herald.Actor{UserID: owner.ID, WorkspaceID: w.ID, Role: herald.RoleOwner},
		herald.ListenTopic{Name: "Brand", Rules: herald.TopicRule{Any: []string{"acme"}}})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := e.store.AddListenMatches(ctx, []herald.ListenMatch{listenMatch(w.ID, topic.ID, "1", "critic", "acme is down",
		"negative", time.Now(), "acme")}); err != nil {
		t.Fatal(err)
	}
	ms, _, _ := e.store.ListListenMatches(ctx, herald.ListenFilter{WorkspaceID: w.ID, Page: herald.Page{Limit: 5}})
	in := herald.Incident{WorkspaceID: w.ID, Title: "Outage", Status: herald.IncidentOpen, Why: "a spike",
		Evidence: []int64{ms[0].ID}, OpenedAt: time.Now()}
	if err := e.store.CreateIncident(ctx, &in, nil); err != nil {
		t.Fatal(err)
	}
	page := incidentURL(w.ID, in.ID, "")
	a = ed.get(page)
	want(t, a, http.StatusOK, `id="incident-checklist"`, "Tell legal", "Post the statement", `id="statement-form"`,
		`id="statement-account-`+itoa(acct.ID)+`"`, `id="incident-evidence-list"`, "acme is down",
		"No account of this workspace on Bluesky can answer it.")
	steps, _ := e.store.ListIncidentSteps(ctx, w.ID, in.ID)
	if a := ed.post(incidentURL(w.ID, in.ID, "steps/"+itoa(steps[0].ID)), url.Values{"done": {"true"}}); a.Status != http.StatusSeeOther {
		t.Fatalf("tick: %d %s", a.Status, a.Body)
	}
	want(t, ed.get(page), http.StatusOK, `id="step-done-`+itoa(steps[0].ID)+`"`, "Done: Tell legal")
	a = ed.post(incidentURL(w.ID, in.ID, "statements"), url.Values{"entry_id": {itoa(st.ID)}})
	want(t, a, http.StatusUnprocessableEntity, "choose at least one account")
	a = ed.post(incidentURL(w.ID, in.ID, "statements"), url.Values{"entry_id": {itoa(st.ID)}, "account_id": {itoa(acct.ID)}})
	if a.Status != http.StatusSeeOther {
		t.Fatalf("statement: %d %s", a.Status, a.Body)
	}
	want(t, ed.get(page), http.StatusOK, "Published the pre-approved statement", "without another review")
	ps, _, _ := e.store.ListPosts(ctx, herald.PostFilter{WorkspaceID: w.ID, States: []herald.TargetState{herald.StateScheduled}, Page: herald.Page{Limit: 5}})
	if len(ps) != 1 || ps[0].Text != "We are on it." {
		t.Fatalf("the statement's post %+v", ps)
	}

	// Changing the text takes the approval away; the incident no longer offers it.
	a = ed.post(playbookEntryURL(w.ID, st.ID, "edit"), url.Values{"kind": {"statement"}, "title": {"Holding"}, "body": {"We are still on it."}})
	if a.Status != http.StatusSeeOther {
		t.Fatalf("edit: %d %s", a.Status, a.Body)
	}
	want(t, ed.get(page), http.StatusOK, `id="incident-no-statement"`)

	// A drill sends nothing and says what would have gone out.
	if a := mg.post(playbookEntryURL(w.ID, st.ID, "approve"), nil); a.Status != http.StatusSeeOther {
		t.Fatalf("approve again: %d", a.Status)
	}
	drill := herald.Incident{WorkspaceID: w.ID, Title: "Drill: Outage", Status: herald.IncidentOpen, Drill: true, OpenedAt: time.Now()}
	if err := e.store.CreateIncident(ctx, &drill, nil); err != nil {
		t.Fatal(err)
	}
	a = ed.post(incidentURL(w.ID, drill.ID, "statements"), url.Values{"entry_id": {itoa(st.ID)}, "account_id": {itoa(acct.ID)}})
	if a.Status != http.StatusSeeOther {
		t.Fatalf("drill statement: %d %s", a.Status, a.Body)
	}
	want(t, ed.get(incidentURL(w.ID, drill.ID, "")), http.StatusOK, "Drill: would have published the statement")
	ps, _, _ = e.store.ListPosts(ctx, herald.PostFilter{WorkspaceID: w.ID, States: []herald.TargetState{herald.StateScheduled}, Page: herald.Page{Limit: 5}})
	if len(ps) != 1 {
		t.Fatalf("a drill published: %d scheduled posts", len(ps))
	}

	// The listening stream offers a reply to those who reply without review.
	want(t, ed.get(listenTopicURL(w.ID, topic.ID, "")), http.StatusOK, `id="reply-`+itoa(ms[0].ID)+`"`)
	want(t, ed.get(matchReplyURL(w.ID, ms[0].ID)), http.StatusOK, `id="match-reply-none"`)
	a = ed.post(matchReplyURL(w.ID, ms[0].ID), url.Values{"account_id": {itoa(acct.ID)}, "text": {"Sorry!"}, "key": {"k"}})
	want(t, a, http.StatusUnprocessableEntity, "choose a Bluesky account")
}
