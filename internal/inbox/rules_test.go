package inbox_test

import (
	"context"
	"errors"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/heraldsocial/herald/internal/herald"
	"github.com/heraldsocial/herald/internal/inbox"
	"github.com/heraldsocial/herald/internal/teststore"
)

// notifyFunc is a Notifier made of a function (the tests call it
// from one goroutine).
type notifyFunc func(herald.Notification)

// Notify calls f.
func (f notifyFunc) Notify(_ context.Context, n herald.Notification) { f(n) }

type world struct {
	notes   *[]herald.Notification
	svc     *inbox.Service
	st      herald.Store
	ws      int64
	account herald.Account
	owner   herald.Actor
	editor  herald.Actor
	client  herald.Actor
}

func mustWorld(t *testing.T, st herald.Store) world {
	t.Helper()
	ctx := t.Context()
	ws := herald.Workspace{Name: "Brand", TimeZone: "UTC"}
	if err := st.CreateWorkspace(ctx, &ws); err != nil {
		t.Fatal(err)
	}
	w := world{notes: &[]herald.Notification{}, st: st, ws: ws.ID}
	w.svc = inbox.New(st, nil, nil, inbox.WithNotifier(notifyFunc(func(n herald.Notification) {
		*w.notes = append(*w.notes, n)
	})))
	for _, m := range []struct {
		role herald.Role
		to   *herald.Actor
	}{{herald.RoleOwner, &w.owner}, {herald.RoleEditor, &w.editor}, {herald.RoleClient, &w.client}} {
		u := herald.User{Email: string(m.role) + "@example.com", Name: string(m.role)}
		if err := st.CreateUser(ctx, &u); err != nil {
			t.Fatal(err)
		}
		if err := st.AddMember(ctx, &herald.Membership{WorkspaceID: ws.ID, UserID: u.ID, Role: m.role}); err != nil {
			t.Fatal(err)
		}
		*m.to = herald.Actor{UserID: u.ID, WorkspaceID: ws.ID, Role: m.role}
	}
	w.account = herald.Account{WorkspaceID: ws.ID, Platform: herald.PlatformFake, RemoteID: "acct", Handle: "acct",
		Status: herald.AccountConnected}
	if err := st.CreateAccount(ctx, &w.account); err != nil {
		t.Fatal(err)
	}
	return w
}

// add stores items with these texts, analysed as the sync does, and
// applies the rules to them; it returns them with their ids.
func (w world) add(t *testing.T, texts ...string) []herald.InboxItem {
	t.Helper()
	var items []herald.InboxItem
	for i, text := range texts {
		items = append(items, herald.InboxItem{WorkspaceID: w.ws, AccountID: w.account.ID,
			RemoteID: "r" + strings.Repeat("x", i) + text[:3], AuthorID: "au", AuthorHandle: "@Someone", Text: text,
			CreatedAt: time.Now(), FetchedAt: time.Now()})
	}
	w.svc.Prepare(t.Context(), items)
	var committed func(context.Context)
	err := w.st.InTx(t.Context(), func(tx herald.Tx) error {
		if _, err := tx.AddInboxItems(t.Context(), items); err != nil {
			return err
		}
		var err error
		committed, err = w.svc.Arrived(t.Context(), tx, items)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	if committed != nil {
		committed(t.Context())
	}
	return items
}

func wantCode(t *testing.T, err error, code herald.Code, what string) *herald.Error {
	t.Helper()
	var he *herald.Error
	if !errors.As(err, &he) || he.Code != code {
		t.Fatalf("%s: got %v, want %s", what, err, code)
	}
	return he
}

func TestRuleValidationAndRoles(t *testing.T) {
	teststore.Each(t, func(t *testing.T, st herald.Store) {
		ctx := t.Context()
		w := mustWorld(t, st)
		_, err := w.svc.CreateRule(ctx, w.owner, inbox.RuleInput{Name: "bad", Enabled: true,
			Conditions: herald.InboxRuleConditions{Pattern: "order (#[0-9]+"},
			Actions:    herald.InboxRuleActions{AddTags: []string{"x"}}})
		he := wantCode(t, err, herald.CodeInvalid, "invalid regex")
		if len(he.Details) != 1 || he.Details[0].Field != "conditions.pattern" ||
			!strings.Contains(he.Details[0].Problem, "missing closing )") {
			t.Fatalf("invalid regex details %+v", he.Details)
		}
		_, err = w.svc.CreateRule(ctx, w.owner, inbox.RuleInput{Name: " ", Conditions: herald.InboxRuleConditions{
			Sentiments: []string{"angry"}, Languages: []string{"english"}},
			Actions: herald.InboxRuleActions{AssignTo: []int64{99999}, Priority: "asap"}})
		he = wantCode(t, err, herald.CodeInvalid, "many problems")
		var fields []string
		for _, d := range he.Details {
			fields = append(fields, d.Field)
		}
		for _, f := range []string{"name", "conditions.sentiments", "conditions.languages", "actions.assign_to", "actions.priority"} {
			if !slices.Contains(fields, f) {
				t.Errorf("no problem reported for %s in %v", f, fields)
			}
		}
		good := inbox.RuleInput{Name: "ok", Enabled: true, Actions: herald.InboxRuleActions{MarkDone: true}}
		_, err = w.svc.CreateRule(ctx, w.editor, good)
		wantCode(t, err, herald.CodeForbidden, "editor creates a rule")
		r, err := w.svc.CreateRule(ctx, w.owner, good)
		if err != nil {
			t.Fatal(err)
		}
		rs, err := w.svc.ListRules(ctx, w.client)
		if err != nil || len(rs) != 1 || rs[0].ID != r.ID {
			t.Fatalf("client sees %v, %v", rs, err)
		}
		if _, err := w.svc.SetRuleEnabled(ctx, w.owner, r.ID, false); err != nil {
			t.Fatal(err)
		}
		got, err := w.svc.GetRule(ctx, w.editor, r.ID)
		if err != nil || got.Enabled {
			t.Fatalf("after disabling: %+v, %v", got, err)
		}
	})
}

func TestRulesApplyInOrderAndTestChangesNothing(t *testing.T) {
	teststore.Each(t, func(t *testing.T, st herald.Store) {
		ctx := t.Context()
		w := mustWorld(t, st)
		// Items before any rule exist.
		before := w.add(t, "My order #123 is broken and the service is terrible", "Lovely photos, thank you!")
		in := inbox.RuleInput{Name: "Orders", Enabled: true,
			Conditions: herald.InboxRuleConditions{Pattern: `(?i)order #\d+`, Sentiments: []string{"negative"},
				Platforms: []herald.Platform{herald.PlatformFake}, Kinds: []herald.InboxKind{herald.InboxMention},
				AuthorHandles: []string{"someone"}},
			Actions: herald.InboxRuleActions{AddTags: []string{"orders"}, Priority: herald.PriorityHigh}}
		matched, err := w.svc.TestRule(ctx, w.editor, in)
		if err != nil {
			t.Fatal(err)
		}
		if len(matched) != 1 || matched[0].ID != before[0].ID {
			t.Fatalf("test matched %v, want only the order complaint", matched)
		}
		it, _ := st.GetInboxItem(ctx, w.ws, before[0].ID)
		if len(it.Tags) != 0 || it.Priority != herald.PriorityNormal {
			t.Fatalf("testing a rule changed the item: %+v", it)
		}
		orders, err := w.svc.CreateRule(ctx, w.owner, in)
		if err != nil {
			t.Fatal(err)
		}
		urgent, err := w.svc.CreateRule(ctx, w.owner, inbox.RuleInput{Name: "Urgent", Enabled: true,
			Conditions: herald.InboxRuleConditions{Terms: []string{"is late"}},
			Actions:    herald.InboxRuleActions{Priority: herald.PriorityUrgent, AssignTo: []int64{w.editor.UserID}}})
		if err != nil {
			t.Fatal(err)
		}
		after := w.add(t, "Where is order #456? It is late and broken. Awful.", "Order #7 was fine")
		it, _ = st.GetInboxItem(ctx, w.ws, after[0].ID)
		if !slices.Equal(it.Tags, []string{"orders"}) || it.Priority != herald.PriorityUrgent ||
			it.AssignedTo == nil || *it.AssignedTo != w.editor.UserID {
			t.Fatalf("rules in order: %+v (the later rule's priority should win)", it)
		}
		if len((*w.notes)) != 1 || (*w.notes)[0].Kind != herald.NotifyInboxAssigned ||
			(*w.notes)[0].UserIDs[0] != w.editor.UserID || (*w.notes)[0].InboxItemID != after[0].ID ||
			!strings.Contains((*w.notes)[0].Message, "“Urgent”") {
			t.Fatalf("notifications %+v, want one to the editor about the first item", (*w.notes))
		}
		if it, _ = st.GetInboxItem(ctx, w.ws, after[1].ID); len(it.Tags) != 0 {
			t.Fatalf("a positive mention matched a negative-only rule: %+v", it)
		}
		// Reordered, the first rule's priority wins.
		if err := w.svc.MoveRule(ctx, w.owner, urgent.ID, -1); err != nil {
			t.Fatal(err)
		}
		rs, _ := w.svc.ListRules(ctx, w.owner)
		if rs[0].ID != urgent.ID || rs[1].ID != orders.ID {
			t.Fatalf("order after move %v", rs)
		}
		third := w.add(t, "order #9 is late and broken, worst ever")
		if it, _ = st.GetInboxItem(ctx, w.ws, third[0].ID); it.Priority != herald.PriorityHigh {
			t.Fatalf("after reorder priority %q, want high", it.Priority)
		}
		hits, err := w.svc.RuleHits(ctx, w.client, third[0].ID)
		if err != nil || len(hits) != 2 || hits[0].RuleName != "Urgent" || !strings.Contains(hits[1].Did, "tagged orders") {
			t.Fatalf("hits %+v, %v", hits, err)
		}
	})
}

func TestTagsAndPriority(t *testing.T) {
	teststore.Each(t, func(t *testing.T, st herald.Store) {
		ctx := t.Context()
		w := mustWorld(t, st)
		items := w.add(t, "one thing", "two things")
		ids := []int64{items[0].ID, items[1].ID}
		if err := w.svc.AddTags(ctx, w.editor, ids, []string{" VIP ", "vip", "press"}); err != nil {
			t.Fatal(err)
		}
		it, _ := st.GetInboxItem(ctx, w.ws, items[0].ID)
		if !slices.Equal(it.Tags, []string{"press", "VIP"}) {
			t.Fatalf("tags %v", it.Tags)
		}
		wantCode(t, w.svc.AddTags(ctx, w.client, ids, []string{"x"}), herald.CodeForbidden, "client tags")
		wantCode(t, w.svc.AddTags(ctx, w.editor, ids, []string{strings.Repeat("x", 51)}), herald.CodeInvalid, "long tag")
		wantCode(t, w.svc.SetPriority(ctx, w.editor, ids, "asap"), herald.CodeInvalid, "bad priority")
		if err := w.svc.RemoveTags(ctx, w.editor, ids[:1], []string{"PRESS"}); err != nil {
			t.Fatal(err)
		}
		if err := w.svc.SetPriority(ctx, w.editor, ids[1:], herald.PriorityHigh); err != nil {
			t.Fatal(err)
		}
		names, err := w.svc.TagNames(ctx, w.client)
		if err != nil || !slices.Equal(names, []string{"press", "VIP"}) {
			t.Fatalf("names %v %v", names, err)
		}
		got, _, err := st.ListInbox(ctx, herald.InboxFilter{WorkspaceID: w.ws, Tag: "press"})
		if err != nil || len(got) != 1 || got[0].ID != items[1].ID || got[0].Priority != herald.PriorityHigh {
			t.Fatalf("press items %+v %v", got, err)
		}
	})
}

func TestLanguagesDetectedOnArrival(t *testing.T) {
	teststore.Each(t, func(t *testing.T, st herald.Store) {
		ctx := t.Context()
		w := mustWorld(t, st)
		const es, de = "Hola, quiero saber dónde está mi pedido porque llegó tarde otra vez y nadie de atención al cliente me responde los correos.",
			"Wo ist meine Bestellung? Die Lieferung kam wieder zu spät und niemand antwortet."
		// No rule needs the language: it is detected once the items are
		// stored.
		got := w.add(t, es, de, "okay")
		for i, want := range []string{"es", "de", ""} {
			it, err := st.GetInboxItem(ctx, w.ws, got[i].ID)
			if err != nil || it.Language != want || it.Sentiment == "" {
				t.Fatalf("item %d: language %q sentiment %q (%v), want %q", i, it.Language, it.Sentiment, err, want)
			}
		}
		// Stored but the step after the commit never ran (a crash): the
		// backfill detects them.
		items := []herald.InboxItem{{WorkspaceID: w.ws, AccountID: w.account.ID, RemoteID: "crash-1", AuthorID: "au",
			Text: de, CreatedAt: time.Now(), FetchedAt: time.Now()}}
		w.svc.Prepare(ctx, items)
		if _, err := st.AddInboxItems(ctx, items); err != nil {
			t.Fatal(err)
		}
		if it, _ := st.GetInboxItem(ctx, w.ws, items[0].ID); it.Language != "" || it.Sentiment == "" {
			t.Fatalf("before the backfill: language %q sentiment %q", it.Language, it.Sentiment)
		}
		if n, err := w.svc.Backfill(ctx); err != nil || n != 1 {
			t.Fatalf("backfill analysed %d (%v), want 1", n, err)
		}
		if it, _ := st.GetInboxItem(ctx, w.ws, items[0].ID); it.Language != "de" {
			t.Fatalf("after the backfill: language %q, want de", it.Language)
		}
		// A rule on language: detected before the rules run, so it matches.
		if _, err := w.svc.CreateRule(ctx, w.owner, inbox.RuleInput{Name: "Spanish", Enabled: true,
			Conditions: herald.InboxRuleConditions{Languages: []string{"es"}},
			Actions:    herald.InboxRuleActions{AddTags: []string{"español"}}}); err != nil {
			t.Fatal(err)
		}
		got = w.add(t, "Buenas. "+es, "Hallo. "+de)
		for i, want := range [][]string{{"español"}, nil} {
			it, err := st.GetInboxItem(ctx, w.ws, got[i].ID)
			if err != nil || !slices.Equal(it.Tags, want) {
				t.Fatalf("item %d: tags %v (%v), want %v", i, it.Tags, err, want)
			}
		}
	})
}
