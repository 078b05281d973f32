package sqlite_test

import (
	"fmt"
	"path/filepath"
	"testing"
	"time"

	"github.com/heraldsocial/herald/internal/herald"
	"github.com/heraldsocial/herald/internal/sqlite"
)

// The inbox page's store calls over a workspace with 1,000,000 items on 50
// accounts: the default view (open items, newest first, 50 a page, and the
// open count for the navigation), a full-text search, and one account's
// open items.
//
//	go test -run '^$' -bench 'Inbox' -benchtime 200x ./internal/sqlite/
const (
	benchInboxItems    = 1_000_000
	benchInboxAccounts = 50
)

func newInboxBench(b *testing.B) (*sqlite.DB, herald.Workspace, []int64) {
	b.Helper()
	ctx := b.Context()
	db, err := sqlite.Open(ctx, filepath.Join(b.TempDir(), "herald.db"))
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { _ = db.Close() })
	if err := db.Migrate(ctx); err != nil {
		b.Fatal(err)
	}
	now := time.Now().UTC().Truncate(time.Microsecond)
	ws := herald.Workspace{Name: "Bench", TimeZone: "UTC", CreatedAt: now, UpdatedAt: now}
	if err := db.CreateWorkspace(ctx, &ws); err != nil {
		b.Fatal(err)
	}
	accts := make([]int64, benchInboxAccounts)
	for i := range accts {
		a := herald.Account{WorkspaceID: ws.ID, Platform: herald.PlatformFake, RemoteID: fmt.Sprint("acct", i),
			Handle: fmt.Sprint("@acct", i), Status: herald.AccountConnected, CreatedAt: now, UpdatedAt: now}
		if err := db.CreateAccount(ctx, &a); err != nil {
			b.Fatal(err)
		}
		accts[i] = a.ID
		if a.ID != accts[0]+int64(i) {
			b.Fatalf("account ids are not consecutive: %v", accts[:i+1])
		}
	}
	// One statement; a tenth of the items are open, one in a thousand
	// speaks of a delayed order.
	start := time.Now()
	if _, err := db.WriteDB().ExecContext(ctx, `WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < ?)
		INSERT INTO inbox_items (workspace_id, account_id, remote_id, url, author_id, author_handle, author_name, text,
			reply_to_remote_id, created_at, fetched_at, state)
		SELECT ?, ? + (i % ?),
			'r' || i, '', 'fan' || (i % 5000), '@fan' || (i % 5000), 'Fan ' || (i % 5000),
			CASE WHEN i % 1000 = 0 THEN 'my order is delayed again, number ' || i ELSE 'love the new release ' || i END,
			'', ? + i * 1000000, ? + i * 1000000, CASE WHEN i % 10 = 0 THEN 'open' ELSE 'done' END
		FROM n`, benchInboxItems, ws.ID, accts[0], benchInboxAccounts, now.Add(-365*24*time.Hour).UnixMicro(),
		now.Add(-365*24*time.Hour).UnixMicro()); err != nil {
		b.Fatalf("load the items: %v", err)
	}
	if _, err := db.WriteDB().ExecContext(ctx, `ANALYZE`); err != nil {
		b.Fatal(err)
	}
	b.Logf("%d items loaded in %s", benchInboxItems, time.Since(start).Round(time.Millisecond))
	return db, ws, accts
}

func BenchmarkInbox(b *testing.B) {
	db, ws, accts := newInboxBench(b)
	ctx := b.Context()
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
				items, _, err := db.ListInbox(ctx, c.f)
				if err != nil || len(items) == 0 {
					b.Fatalf("ListInbox: %d items, %v", len(items), err)
				}
			}
		})
	}
	b.Run("OpenCount", func(b *testing.B) {
		for b.Loop() {
			if n, err := db.CountOpenInbox(ctx, ws.ID); err != nil || n != benchInboxItems/10 {
				b.Fatalf("CountOpenInbox = %d, %v", n, err)
			}
		}
	})
}
