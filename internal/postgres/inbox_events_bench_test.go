package postgres_test

import (
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/heraldsocial/herald/internal/herald"
	"github.com/heraldsocial/herald/internal/postgres/pgtest"
)

// BenchmarkInboxLiveAcrossInstances measures how long an inbox item added
// through one instance (store A) takes to reach a watcher of another
// instance (store B) on the same database: the insert's commit, the
// trigger's NOTIFY, B's shared listener and its fan-out. Each operation is
// one item, added and seen; it also reports the p50 and p99 latency. It
// skips when HERALD_TEST_POSTGRES_URL is unset.
//
//	go test -run '^$' -bench InboxLiveAcrossInstances -benchtime 500x ./internal/postgres/
func BenchmarkInboxLiveAcrossInstances(b *testing.B) {
	a, schema := pgtest.OpenUnmigrated(b)
	ctx := b.Context()
	if err := a.Migrate(ctx); err != nil {
		b.Fatal(err)
	}
	other := pgtest.Reopen(b, schema)
	ws := herald.Workspace{Name: "Bench", TimeZone: "UTC"}
	if err := a.CreateWorkspace(ctx, &ws); err != nil {
		b.Fatal(err)
	}
	acct := herald.Account{WorkspaceID: ws.ID, Platform: herald.PlatformFake, RemoteID: "bench", Handle: "@bench",
		Status: herald.AccountConnected}
	if err := a.CreateAccount(ctx, &acct); err != nil {
		b.Fatal(err)
	}
	events, err := other.WatchInbox(ctx, ws.ID)
	if err != nil {
		b.Fatal(err)
	}
	var took []time.Duration
	n := 0
	for b.Loop() {
		n++
		items := []herald.InboxItem{{WorkspaceID: ws.ID, AccountID: acct.ID, RemoteID: fmt.Sprintf("r-%d", n),
			AuthorID: fmt.Sprintf("a-%d", n), Text: "hello", CreatedAt: time.Now()}}
		start := time.Now()
		if _, err := a.AddInboxItems(ctx, items); err != nil {
			b.Fatal(err)
		}
		for {
			ev := <-events
			if ev.ItemID == items[0].ID && ev.Kind == herald.InboxEventAdded {
				break
			}
		}
		took = append(took, time.Since(start))
	}
	if len(took) > 0 {
		slices.Sort(took)
		b.ReportMetric(float64(took[len(took)/2].Microseconds()), "p50-µs")
		b.ReportMetric(float64(took[len(took)*99/100].Microseconds()), "p99-µs")
	}
}
