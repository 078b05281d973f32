package web

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/heraldsocial/herald/internal/herald"
)

// arrive stores items with these texts on acct the way the inbox sync
// does: analysed, then rules applied in the same transaction.
func (e *env) arrive(acct herald.Account, texts ...string) []herald.InboxItem {
	e.t.Helper()
	var items []herald.InboxItem
	for _, text := range texts {
		items = append(items, herald.InboxItem{WorkspaceID: acct.WorkspaceID, AccountID: acct.ID,
			RemoteID: "r-" + strings.ReplaceAll(text, " ", "-"), AuthorID: "bob", AuthorHandle: "@bob", Text: text,
			CreatedAt: time.Now(), FetchedAt: time.Now()})
	}
	ctx := context.Background()
	e.inbox.Prepare(ctx, items)
	var committed func(context.Context)
	err := e.store.InTx(ctx, func(tx herald.Tx) error {
		if _, err := tx.AddInboxItems(ctx, items); err != nil {
			return err
		}
		var err error
		committed, err = e.inbox.Arrived(ctx, tx, items)
		return err
	})
	if err != nil {
		e.t.Fatal(err)
	}
	if committed != nil {
		committed(ctx)
	}
	return items
}

func TestSettingsInboxRules(t *testing.T) {
	e := newEnv(t)
	owner, w := e.owner("ana@example.com", "Acme")
	e.member(w, "ed@example.com", herald.RoleEditor)
	acct := e.account(owner, w, "alice")
	old := e.arrive(acct, "where is my refund please?", "lovely launch")
	b := e.browser()
	b.signIn("ana@example.com")
	base := inboxRulesURL(w.ID)
	want(t, b.get(base), http.StatusOK, `id="tab-inbox-rules"`, `id="rules-empty"`, `id="rule-form"`, `id="save-rule"`)

	form := url.Values{"name": {"Refunds"}, "terms": {"refund, money back"}, "pattern": {"(?i)refund("},
		"tags": {"billing"}, "priority": {"high"}, "enabled": {"true"}}
	a := b.post(base, form)
	want(t, a, http.StatusUnprocessableEntity, `id="rule-pattern-problem"`, "not a valid regular expression", `value="refund, money back"`)
	form.Set("pattern", "")
	a = b.post(base+"/test", form)
	want(t, a, http.StatusOK, `id="rule-matches"`, "1 of the latest 500 items match", "where is my refund please?")
	if got, _ := e.store.GetInboxItem(context.Background(), w.ID, old[0].ID); len(got.Tags) != 0 {
		t.Fatalf("testing tagged the item: %v", got.Tags)
	}
	want(t, b.post(base, form), http.StatusSeeOther)
	a = b.get(base)
	want(t, a, http.StatusOK, "1. Refunds", "text contains refund or money back", "tag billing; priority high")

	// A new item arrives: tagged by the rule, and its page says so.
	item := e.arrive(acct, "I want my money back")[0]
	a = b.get(inboxItemURL(w.ID, item.ID))
	want(t, a, http.StatusOK, `id="item-tags"`, "#billing", `Rule “Refunds”: tagged billing; priority high`, `id="item-priority">high<`)
	a = b.get(inboxURL(w.ID) + "?tag=BILLING")
	want(t, a, http.StatusOK, "I want my money back")
	wantNot(t, a, "where is my refund please?")

	// Bulk tags and priority, then the filters.
	want(t, b.post(inboxURL(w.ID)+"/bulk", url.Values{"id": {itoa(old[0].ID), itoa(old[1].ID)}, "action": {"tag"},
		"tags": {"vip, Press"}, "back": {inboxURL(w.ID)}}), http.StatusSeeOther)
	want(t, b.post(inboxURL(w.ID)+"/bulk", url.Values{"id": {itoa(old[1].ID)}, "action": {"priority"},
		"priority": {"urgent"}, "back": {inboxURL(w.ID)}}), http.StatusSeeOther)
	a = b.get(inboxURL(w.ID) + "?priority=urgent")
	want(t, a, http.StatusOK, "lovely launch", "#vip", "#Press")
	wantNot(t, a, "where is my refund please?")
	a = b.get(inboxURL(w.ID) + "?question=yes")
	want(t, a, http.StatusOK, "where is my refund please?")
	wantNot(t, a, "lovely launch")
	want(t, b.post(inboxItemURL(w.ID, old[0].ID)+"/untag", url.Values{"tag": {"VIP"}}), http.StatusSeeOther)
	if got, _ := e.store.GetInboxItem(context.Background(), w.ID, old[0].ID); strings.Join(got.Tags, ",") != "Press" {
		t.Fatalf("after untag: %v", got.Tags)
	}

	// An editor sees the rules but may not change them.
	ed := e.browser()
	ed.signIn("ed@example.com")
	a = ed.get(base)
	want(t, a, http.StatusOK, "1. Refunds", `id="test-rule"`)
	wantNot(t, a, `id="save-rule"`, `id="edit-rule-`)
	want(t, ed.post(base, form), http.StatusForbidden)
}
