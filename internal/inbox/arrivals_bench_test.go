package inbox_test

import (
	"fmt"
	"testing"
	"time"

	"github.com/heraldsocial/herald/internal/herald"
	"github.com/heraldsocial/herald/internal/inbox"
	"github.com/heraldsocial/herald/internal/postgres/pgtest"
	"github.com/heraldsocial/herald/internal/teststore"
)

// BenchmarkArrival stores 10,000 new items for one account the way the
// inbox sync does: analysed (sentiment, language, question), inserted and
// matched against three rules (tag, round-robin assignment, priority) in
// one transaction. One op is the whole batch.
//
//	go test -run '^$' -bench Arrival -benchtime 5x ./internal/inbox/
func BenchmarkArrival(b *testing.B) {
	b.Run("sqlite", func(b *testing.B) { benchArrival(b, teststore.SQLite(b)) })
	b.Run("postgres", func(b *testing.B) {
		if !teststore.HasPostgres() {
			b.Skip("HERALD_TEST_POSTGRES_URL is not set")
		}
		benchArrival(b, pgtest.Open(b))
	})
}

func benchArrival(b *testing.B, st herald.Store) {
	const batch = 10_000
	ctx := b.Context()
	now := time.Now().UTC().Truncate(time.Microsecond)
	ws := herald.Workspace{Name: "Bench", TimeZone: "UTC", CreatedAt: now, UpdatedAt: now}
	if err := st.CreateWorkspace(ctx, &ws); err != nil {
		b.Fatal(err)
	}
	var members []int64
	for i := range 3 {
		u := herald.User{Email: fmt.Sprintf("m%d@example.com", i), Name: fmt.Sprint("M", i), PasswordHash: "x", CreatedAt: now, UpdatedAt: now}
		if err := st.CreateUser(ctx, &u); err != nil {
			b.Fatal(err)
		}
		if err := st.AddMember(ctx, &herald.Membership{WorkspaceID: ws.ID, UserID: u.ID, Role: herald.RoleManager}); err != nil {
			b.Fatal(err)
		}
		members = append(members, u.ID)
	}
	a := herald.Account{WorkspaceID: ws.ID, Platform: herald.PlatformFake, RemoteID: "brand", Handle: "@brand",
		Status: herald.AccountConnected, CreatedAt: now, UpdatedAt: now}
	if err := st.CreateAccount(ctx, &a); err != nil {
		b.Fatal(err)
	}
	svc := inbox.New(st, herald.SystemClock{}, nil)
	manager := herald.Actor{UserID: members[0], WorkspaceID: ws.ID, Role: herald.RoleManager}
	yes := true
	for _, in := range []inbox.RuleInput{
		{Name: "Orders", Enabled: true, Conditions: herald.InboxRuleConditions{Terms: []string{"order", "delivery"}},
			Actions: herald.InboxRuleActions{AddTags: []string{"orders"}}},
		{Name: "Questions to the team", Enabled: true, Conditions: herald.InboxRuleConditions{HasQuestion: &yes},
			Actions: herald.InboxRuleActions{AssignTo: members}},
		{Name: "Angry", Enabled: true, Conditions: herald.InboxRuleConditions{Sentiments: []string{"negative"}},
			Actions: herald.InboxRuleActions{Priority: herald.InboxPriority("high")}},
	} {
		if _, err := svc.CreateRule(ctx, manager, in); err != nil {
			b.Fatalf("CreateRule %s: %v", in.Name, err)
		}
	}
	texts := []string{
		"@brand where is my order? It was due on Monday.",
		"@brand love the new release, great work!",
		"@brand this is the worst delivery experience, awful and slow",
		"@brand ¿cuándo llega mi pedido?",
	}
	run := 0
	for b.Loop() {
		run++
		items := make([]herald.InboxItem, batch)
		for i := range items {
			items[i] = herald.InboxItem{WorkspaceID: ws.ID, AccountID: a.ID, RemoteID: fmt.Sprintf("r%d-%d", run, i),
				AuthorID: fmt.Sprint("fan", i%700), AuthorHandle: fmt.Sprint("@fan", i%700), Text: texts[i%len(texts)],
				CreatedAt: now, FetchedAt: now}
		}
		svc.Prepare(items)
		err := st.InTx(ctx, func(tx herald.Tx) error {
			n, err := tx.AddInboxItems(ctx, items)
			if err != nil {
				return err
			}
			if n != batch {
				return fmt.Errorf("added %d of %d", n, batch)
			}
			_, err = svc.Arrived(ctx, tx, items)
			return err
		})
		if err != nil {
			b.Fatal(err)
		}
	}
	tagged, _, err := st.ListInbox(ctx, herald.InboxFilter{WorkspaceID: ws.ID, Tag: "orders", Page: herald.Page{Limit: 1}})
	if err != nil || len(tagged) == 0 {
		b.Fatalf("no item tagged by the rule: %v", err)
	}
	assigned, _, err := st.ListInbox(ctx, herald.InboxFilter{WorkspaceID: ws.ID, AssigneeID: members[2], Page: herald.Page{Limit: 1}})
	if err != nil || len(assigned) == 0 {
		b.Fatalf("no item assigned round-robin to the third member: %v", err)
	}
}
