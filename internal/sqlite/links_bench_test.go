package sqlite_test

import (
	"crypto/rand"
	"encoding/base32"
	"encoding/binary"
	"fmt"
	"path/filepath"
	"testing"
	"time"

	"github.com/heraldsocial/herald/internal/herald"
	"github.com/heraldsocial/herald/internal/sqlite"
)

// One second of the click recorder's batches at its largest: 2,000 clicks
// over 200 links (half of them targets' links), most of them people's, a
// few visitors coming back; the table grows by 2,000 clicks a batch.
//
// The click ids' shape decides how the cost grows with the clicks stored:
// random ids (128 random bits) land all over the unique index of ids, so
// past a few hundred thousand clicks every insert reads and rewrites a page
// of it; ids that start with the time (48 bits of milliseconds, then 80
// random bits) land at its end.
//
//	go test -run '^$' -bench 'RecordClicks' ./internal/sqlite/
//	go test -run '^$' -bench 'RecordClicks' -benchtime 200x ./internal/sqlite/
const (
	benchClicks   = 2_000
	benchLinks    = 200
	benchVisitors = 5_000
)

// clickIDEncoding is base32 with its digits first, so that ids sort as
// their bytes do.
var clickIDEncoding = base32.NewEncoding("234567abcdefghijklmnopqrstuvwxyz").WithPadding(base32.NoPadding)

func BenchmarkRecordClicks(b *testing.B) {
	for _, c := range []struct {
		name string
		id   func(at time.Time) string
	}{
		{"RandomIDs", func(time.Time) string { return rand.Text() }},
		{"TimePrefixedIDs", func(at time.Time) string {
			var id [16]byte
			binary.BigEndian.PutUint64(id[:8], uint64(at.UnixMilli())<<16)
			_, _ = rand.Read(id[6:])
			return clickIDEncoding.EncodeToString(id[:])
		}},
	} {
		b.Run(c.name, func(b *testing.B) { benchRecordClicks(b, c.id) })
	}
}

func benchRecordClicks(b *testing.B, newID func(at time.Time) string) {
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
	u := herald.User{Email: "bench@example.com", Name: "Bench", CreatedAt: now, UpdatedAt: now}
	if err := db.CreateUser(ctx, &u); err != nil {
		b.Fatal(err)
	}
	acct := herald.Account{WorkspaceID: ws.ID, Platform: herald.PlatformFake, RemoteID: "acct", Handle: "@acct",
		Status: herald.AccountConnected, CreatedAt: now, UpdatedAt: now}
	if err := db.CreateAccount(ctx, &acct); err != nil {
		b.Fatal(err)
	}
	links := make([]herald.Link, benchLinks)
	for i := range links {
		l := herald.Link{WorkspaceID: ws.ID, Code: fmt.Sprint("code", i), URL: fmt.Sprint("https://example.com/", i),
			Destination: fmt.Sprint("https://example.com/", i, "?utm_source=herald"), CreatedAt: now}
		if i%2 == 0 {
			p := herald.Post{WorkspaceID: ws.ID, AuthorID: u.ID, Text: "post", CreatedAt: now, UpdatedAt: now,
				Targets: []herald.Target{{AccountID: acct.ID, State: herald.StateDraft, CreatedAt: now, UpdatedAt: now}}}
			if err := db.CreatePost(ctx, &p); err != nil {
				b.Fatal(err)
			}
			l.TargetID = p.Targets[0].ID
		} else {
			l.CreatedBy = u.ID
		}
		links[i] = l
	}
	if links, err = db.PutLinks(ctx, links); err != nil {
		b.Fatal(err)
	}
	kinds := []herald.ClickKind{herald.ClickHuman, herald.ClickHuman, herald.ClickHuman, herald.ClickHuman,
		herald.ClickHuman, herald.ClickHuman, herald.ClickHuman, herald.ClickHuman, herald.ClickBot, herald.ClickPreview}
	batch := make([]herald.Click, benchClicks)
	n := 0
	for b.Loop() {
		b.StopTimer()
		for i := range batch {
			n++
			l := links[(n*7)%benchLinks]
			at := now.Add(time.Duration(n) * time.Millisecond / 2)
			batch[i] = herald.Click{ID: newID(at), LinkID: l.ID, WorkspaceID: ws.ID, TargetID: l.TargetID, At: at,
				Kind: kinds[n%len(kinds)], Visitor: fmt.Sprintf("%064x", (n*31)%benchVisitors),
				Referrer: "mastodon.social", Country: "FR"}
		}
		b.StartTimer()
		if err := db.RecordClicks(ctx, batch); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(b.Elapsed().Microseconds())/float64(b.N)/1000, "ms/batch")
}
