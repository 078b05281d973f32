package postgres_test

import (
	"fmt"
	"testing"
	"time"

	"github.com/heraldsocial/herald/internal/herald"
	"github.com/heraldsocial/herald/internal/postgres/pgtest"
)

// The inbox page's store calls over a workspace with 1,000,000 items on 50
// accounts, as in the SQLite benchmark of the same name. It skips when
// HERALD_TEST_POSTGRES_URL is unset.
//
//	go test -run '^$' -bench 'Inbox$' -benchtime 200x ./internal/postgres/
func BenchmarkInbox(b *testing.B) {
	const items, accounts = 1_000_000, 50
	db := pgtest.Open(b)
	ctx := b.Context()
	now := time.Now().UTC().Truncate(time.Microsecond)
	ws := herald.Workspace{Name: "Bench", TimeZone: "UTC", CreatedAt: now, UpdatedAt: now}
	if err := db.CreateWorkspace(ctx, &ws); err != nil {
		b.Fatal(err)
	}
	accts := make([]int64, accounts)
	for i := range accts {
		a := herald.Account{WorkspaceID: ws.ID, Platform: herald.PlatformFake, RemoteID: fmt.Sprint("acct", i),
			Handle: fmt.Sprint("@acct", i), Status: herald.AccountConnected, CreatedAt: now, UpdatedAt: now}
		if err := db.CreateAccount(ctx, &a); err != nil {
			b.Fatal(err)
		}
		accts[i] = a.ID
	}
	start := time.Now()
	// A tenth of the items are open; one in a thousand speaks of a delayed
	// order.
	if _, err := db.Pool().Exec(ctx, `INSERT INTO inbox_items (workspace_id, account_id, remote_id, url, author_id,
			author_handle, author_name, text, reply_to_remote_id, created_at, fetched_at, state)
		SELECT $1, ($2::bigint[])[1 + i % $3], 'r' || i, '', 'fan' || (i % 5000), '@fan' || (i % 5000), 'Fan ' || (i % 5000),
			CASE WHEN i % 1000 = 0 THEN 'my order is delayed again, number ' || i ELSE 'love the new release ' || i END,
			'', $4::timestamptz + i * interval '1 second', $4::timestamptz + i * interval '1 second',
			CASE WHEN i % 10 = 0 THEN 'open' ELSE 'done' END
		FROM generate_series(1, $5) AS i`, ws.ID, accts, accounts, now.Add(-365*24*time.Hour), items); err != nil {
		b.Fatalf("load the items: %v", err)
	}
	// As autovacuum would after a load: statistics and the visibility map
	// (which lets counts read the index alone).
	if _, err := db.Pool().Exec(ctx, `VACUUM ANALYZE inbox_items`); err != nil {
		b.Fatal(err)
	}
	b.Logf("%d items loaded in %s", items, time.Since(start).Round(time.Millisecond))
	cases := []struct {
		name string
		f    herald.InboxFilter
	}{
		{"OpenPage", herald.InboxFilter{WorkspaceID: ws.ID, State: herald.InboxOpen, Page: herald.Page{Limit: 50}}},
		{"Search", herald.InboxFilter{WorkspaceID: ws.ID, Search: "order delayed", Page: herald.Page{Limit: 50}}},
		{"AccountOpen", herald.InboxFilter{WorkspaceID: ws.ID, AccountID: accts[10], State: herald.InboxOpen, Page: herald.Page{Limit: 50}}},
	}
	for _, c := range cases {
		b.Run(c.name, func(b *testing.B) {
			for b.Loop() {
				got, _, err := db.ListInbox(ctx, c.f)
				if err != nil || len(got) == 0 {
					b.Fatalf("ListInbox: %d items, %v", len(got), err)
				}
			}
		})
	}
	b.Run("OpenCount", func(b *testing.B) {
		for b.Loop() {
			if n, err := db.CountOpenInbox(ctx, ws.ID); err != nil || n != items/10 {
				b.Fatalf("CountOpenInbox = %d, %v", n, err)
			}
		}
	})
}
