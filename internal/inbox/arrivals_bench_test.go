package inbox_test

import (
	"context"
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/heraldsocial/herald/internal/herald"
	"github.com/heraldsocial/herald/internal/inbox"
	"github.com/heraldsocial/herald/internal/postgres/pgtest"
	"github.com/heraldsocial/herald/internal/teststore"
)

// BenchmarkArrival stores 10,000 new items for one account the way the
// inbox sync does, in a workspace with a first-response target and three
// rules (tag, round-robin assignment, priority): analysed (sentiment,
// question), inserted, due times set and rules applied in one transaction;
// then, once committed, their languages detected and saved. One op is the
// whole batch; the metrics split it: stored-s is everything up to the
// commit, languages-s the step after it. The texts differ from item to
// item (words drawn from a mixed-language vocabulary), as real ones do.
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
	if _, err := svc.SetTarget(ctx, manager, herald.InboxTarget{FirstResponseMinutes: 60, Days: []int{1, 2, 3, 4, 5},
		StartMinute: 9 * 60, EndMinute: 17 * 60}); err != nil {
		b.Fatal(err)
	}
	rng := rand.New(rand.NewPCG(1, 2))
	run := 0
	var stored, languages time.Duration
	for b.Loop() {
		run++
		items := make([]herald.InboxItem, batch)
		for i := range items {
			items[i] = herald.InboxItem{WorkspaceID: ws.ID, AccountID: a.ID, RemoteID: fmt.Sprintf("r%d-%d", run, i),
				AuthorID: fmt.Sprint("fan", i%700), AuthorHandle: fmt.Sprint("@fan", i%700), Text: benchText(rng),
				CreatedAt: now.Add(-time.Duration(batch-i) * time.Second), FetchedAt: now}
		}
		start := time.Now()
		svc.Prepare(ctx, items)
		var committed func(context.Context)
		err := st.InTx(ctx, func(tx herald.Tx) error {
			n, err := tx.AddInboxItems(ctx, items)
			if err != nil {
				return err
			}
			if n != batch {
				return fmt.Errorf("added %d of %d", n, batch)
			}
			committed, err = svc.Arrived(ctx, tx, items)
			return err
		})
		if err != nil {
			b.Fatal(err)
		}
		mid := time.Now()
		if committed != nil {
			committed(ctx)
		}
		stored, languages = stored+mid.Sub(start), languages+time.Since(mid)
	}
	b.ReportMetric(stored.Seconds()/float64(run), "stored-s/op")
	b.ReportMetric(languages.Seconds()/float64(run), "languages-s/op")
	if todo, err := st.UnanalysedInbox(ctx, 1); err != nil || len(todo) != 0 {
		b.Fatalf("items left without their language: %v %v", todo, err)
	}
	recent, _, err := st.ListInbox(ctx, herald.InboxFilter{WorkspaceID: ws.ID, Page: herald.Page{Limit: 200}})
	if err != nil || !slices.ContainsFunc(recent, func(it herald.InboxItem) bool { return it.Language == "es" }) {
		b.Fatalf("no recent item detected as Spanish: %v", err)
	}
	if due, _, err := st.ListInbox(ctx, herald.InboxFilter{WorkspaceID: ws.ID, Page: herald.Page{Limit: 1}}); err != nil || len(due) == 0 || due[0].DueAt == nil {
		b.Fatalf("no due time set: %v", err)
	}
	tagged, _, err := st.ListInbox(ctx, herald.InboxFilter{WorkspaceID: ws.ID, Tag: "orders", Page: herald.Page{Limit: 1}})
	if err != nil || len(tagged) == 0 {
		b.Fatalf("no item tagged by the rule: %v", err)
	}
	for i := range members {
		n, err := countAssigned(b, st, ws.ID, members[i])
		if err != nil {
			b.Fatal(err)
		}
		if n == 0 {
			b.Fatalf("no item assigned round-robin to member %d", i)
		}
	}
}

// countAssigned counts a member's items (up to a page).
func countAssigned(b *testing.B, st herald.Store, ws, member int64) (int, error) {
	b.Helper()
	items, _, err := st.ListInbox(b.Context(), herald.InboxFilter{WorkspaceID: ws, AssigneeID: member, Page: herald.Page{Limit: 10}})
	return len(items), err
}

// benchWords are the vocabulary benchText draws from: English, Spanish and
// German, with words the rules and the sentiment lexicon react to.
var benchWords = [][]string{
	strings.Fields("where is my order the delivery was late again and support never answered can you help please " +
		"love the new release great work thanks team this is awful slow worst experience ever refund now"),
	strings.Fields("dónde está mi pedido la entrega llegó tarde otra vez nadie responde me encanta el producto " +
		"gracias por todo es horrible quiero un reembolso"),
	strings.Fields("wo ist meine bestellung die lieferung kam wieder zu spät niemand antwortet ich liebe das neue " +
		"produkt danke schlecht langsam ich möchte mein geld zurück"),
}

// benchText is a mention of 6 to 30 words in one language, sometimes a
// question, sometimes with a link.
func benchText(rng *rand.Rand) string {
	words := benchWords[rng.IntN(len(benchWords))]
	var sb strings.Builder
	sb.WriteString("@brand")
	for range 6 + rng.IntN(25) {
		sb.WriteString(" " + words[rng.IntN(len(words))])
	}
	if rng.IntN(3) == 0 {
		sb.WriteString("?")
	}
	if rng.IntN(5) == 0 {
		fmt.Fprintf(&sb, " https://example.com/o/%d", rng.IntN(1_000_000))
	}
	return sb.String()
}
