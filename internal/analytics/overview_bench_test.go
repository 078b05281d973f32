package analytics_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/heraldsocial/herald/internal/analytics"
	"github.com/heraldsocial/herald/internal/herald"
	"github.com/heraldsocial/herald/internal/postgres/pgtest"
	"github.com/heraldsocial/herald/internal/sqlite"
	"github.com/heraldsocial/herald/internal/teststore"
)

// BenchmarkOverview measures Service.Overview (the analytics page's data)
// for the 28-day and the 90-day period over one workspace with 100,000
// published posts (one target each, spread over the 365 days before the
// benchmark's fixed "now") on 50 accounts of five platforms, a third of
// them in one of 10 campaigns, a quarter labelled (5 labels, some posts
// two), 2,000,000 metric snapshots (20 per target, target_stats kept as
// AddMetricSnapshots keeps it) and a daily snapshot of each account for
// 365 days. The goal is 150 ms a call. Each period's overview is checked
// against the seed (posts counted in it and in the period before) before
// and after it is timed.
//
//	HERALD_TEST_POSTGRES_URL=postgres://… go test -run '^$' -bench Overview -benchtime 20x ./internal/analytics/
//
// The posts, targets and snapshots are written with set-based SQL (the
// rows the store writes for them; one store call each would take an hour);
// the workspace, accounts, campaigns, labels and the snapshots of 20
// targets go through the store, and those 20 targets' target_stats rows must equal
// what the bulk SQL derives, so the bulk rows cannot drift from the
// store's. The seeded SQLite file is kept in the user's cache folder
// (herald-bench/), keyed by the seed's version and the last migration:
// delete it to seed again. PostgreSQL is seeded in a fresh schema each run.
func BenchmarkOverview(b *testing.B) {
	b.Run("sqlite", func(b *testing.B) {
		db, seed := overviewSQLite(b)
		benchOverview(b, db, seed)
	})
	b.Run("postgres", func(b *testing.B) {
		if !teststore.HasPostgres() {
			b.Skip(pgtest.EnvURL + " is not set")
		}
		db := pgtest.Open(b)
		start := time.Now()
		pool := db.Pool()
		seed, err := seedOverview(b, db, bulkSQL{
			exec: func(ctx context.Context, q string, args ...any) error {
				_, err := pool.Exec(ctx, q, args...)
				return err
			},
			count: func(ctx context.Context, q string, args ...any) (n int64, err error) {
				return n, pool.QueryRow(ctx, q, args...).Scan(&n)
			},
			at:  func(t time.Time) any { return t },
			ids: func(ids []int64) any { return ids },
			sql: pgOverviewSQL,
		})
		if err != nil {
			b.Fatal(err)
		}
		b.Logf("postgres: seeded in %s", time.Since(start).Round(time.Second))
		benchOverview(b, db, seed)
	})
}

const (
	ovPosts     = 100_000
	ovAccounts  = 50
	ovCampaigns = 10
	ovLabels    = 5
	ovDays      = 365 // the posts' span, and the accounts' daily snapshots
	ovPerTarget = 20  // metric snapshots per target
	ovByStore   = 20  // targets measured through AddMetricSnapshots
	ovZone      = "Europe/Paris"
	// ovSeedVersion names the seed in the cached file's name: change it
	// when the seed changes.
	ovSeedVersion = "v3"
	ovWorkspace   = "Overview bench"
	ovEmail       = "overview-bench@example.com"
)

// ovNow is the benchmark's clock: fixed, so that a cached seed stays valid.
var ovNow = time.Date(2026, 12, 1, 12, 0, 0, 0, time.UTC)

// ovStep spreads the posts evenly over ovDays (315.36 s apart).
const ovStep = int64(ovDays*24*time.Hour/time.Microsecond) / ovPosts

var ovPlatforms = []herald.Platform{herald.PlatformMastodon, herald.PlatformBluesky, herald.PlatformX,
	herald.PlatformFacebook, herald.PlatformInstagram}

type fixedClock time.Time

func (c fixedClock) Now() time.Time { return time.Time(c) }

// ovPublished is when the i-th post went out: its slot plus a jitter below
// one step (the SQL below computes the same).
func ovPublished(i int) time.Time {
	us := int64(i)*ovStep + int64((i*7919)%1000)*(ovStep/1000)
	return ovNow.Add(-ovDays * 24 * time.Hour).Add(time.Duration(us) * time.Microsecond)
}

type ovSeed struct{ workspace, user int64 }

// benchOverview times the overview of each period as sub-benchmarks.
func benchOverview(b *testing.B, st herald.Store, seed ovSeed) {
	ctx := b.Context()
	svc := analytics.New(st, fixedClock(ovNow))
	actor := herald.Actor{UserID: seed.user, WorkspaceID: seed.workspace, Role: herald.RoleAnalyst}
	loc, err := time.LoadLocation(ovZone)
	if err != nil {
		b.Fatal(err)
	}
	for _, days := range []int{28, 90} {
		b.Run(fmt.Sprintf("%dd", days), func(b *testing.B) {
			q := analytics.Query{Days: days}
			check := func(o analytics.Overview) {
				b.Helper()
				cur, prev := ovExpected(b, days, loc)
				c := o.Current
				if c.Posts != cur || c.Measured != cur || o.Prior.Posts != prev || !c.Likes.Given() || !c.Impressions.Given() ||
					len(o.Days) != days || len(o.ByAccount) != ovAccounts || len(o.ByPlatform) != len(ovPlatforms) ||
					len(o.ByCampaign) != ovCampaigns+1 || len(o.ByLabel) != ovLabels+1 || len(o.Top) != analytics.TopCount ||
					len(o.Bottom) != analytics.TopCount || o.Top[0].Title == "" || len(o.Growth) != ovAccounts {
					b.Fatalf("overview of %d days: %d posts (%d measured), %d before, want %d and %d; %d days, %d accounts, "+
						"%d platforms, %d campaigns, %d labels, %d top, %d bottom, %d growth", days, c.Posts, c.Measured, o.Prior.Posts,
						cur, prev, len(o.Days), len(o.ByAccount), len(o.ByPlatform), len(o.ByCampaign), len(o.ByLabel), len(o.Top),
						len(o.Bottom), len(o.Growth))
				}
			}
			// One call first: checks the answer and warms the caches.
			o, err := svc.Overview(ctx, actor, q)
			if err != nil {
				b.Fatal(err)
			}
			check(o)
			logParts(b, st, seed, o)
			n := 0
			for b.Loop() {
				if o, err = svc.Overview(ctx, actor, q); err != nil {
					b.Fatal(err)
				}
				n++
			}
			b.ReportMetric(float64(b.Elapsed().Microseconds())/1e3/float64(n), "ms/op")
			check(o)
		})
	}
	// The best-time grid the analytics page and the composer show: every
	// post of the last 180 days.
	b.Run("best-times", func(b *testing.B) {
		check := func(bt analytics.BestTimes) {
			b.Helper()
			if bt.Posts < ovPosts*180/ovDays*9/10 || bt.Posts > ovPosts*181/ovDays {
				b.Fatalf("the best-time grid counts %d posts, want about %d", bt.Posts, ovPosts*180/ovDays)
			}
		}
		bt, err := svc.BestTimes(ctx, actor, 0, "")
		if err != nil {
			b.Fatal(err)
		}
		check(bt)
		n := 0
		for b.Loop() {
			if bt, err = svc.BestTimes(ctx, actor, 0, ""); err != nil {
				b.Fatal(err)
			}
			n++
		}
		b.ReportMetric(float64(b.Elapsed().Microseconds())/1e3/float64(n), "ms/op")
		check(bt)
	})
	// The analytics page's data (and the PDF report's): the overview and
	// the best-time grid, each target read once (Service.Page).
	for _, days := range []int{28, 90} {
		b.Run(fmt.Sprintf("page-%dd", days), func(b *testing.B) {
			n := 0
			for b.Loop() {
				o, bt, err := svc.Page(ctx, actor, analytics.Query{Days: days}, 0, "")
				if err != nil {
					b.Fatal(err)
				}
				if o.Current.Posts == 0 || bt.Posts == 0 {
					b.Fatalf("the page of %d days counts %d posts and its grid %d", days, o.Current.Posts, bt.Posts)
				}
				n++
			}
			b.ReportMetric(float64(b.Elapsed().Microseconds())/1e3/float64(n), "ms/op")
		})
	}
}

// logParts logs what the overview's largest store calls take alone (mean
// of five), with the arguments Overview gives them.
func logParts(b *testing.B, st herald.Store, seed ovSeed, o analytics.Overview) {
	b.Helper()
	ctx := b.Context()
	var cur, prior int
	for _, c := range []struct {
		name string
		call func() error
	}{
		{"ListTargetStats (the period)", func() error {
			s, err := st.ListTargetStats(ctx, seed.workspace, o.Period.From, o.Period.To)
			cur = len(s)
			return err
		}},
		{"ListTargetStatsUnlabelled (the period before)", func() error {
			s, err := st.ListTargetStatsUnlabelled(ctx, seed.workspace, o.Previous.From, o.Previous.To)
			prior = len(s)
			return err
		}},
		{"ListAccountSnapshots", func() error {
			_, err := st.ListAccountSnapshots(ctx, seed.workspace, 0, o.Period.From, o.Period.To)
			return err
		}},
		{"AccountSnapshotsBefore", func() error {
			_, err := st.AccountSnapshotsBefore(ctx, seed.workspace, 0, o.Period.From)
			return err
		}},
	} {
		start := time.Now()
		for range 5 {
			if err := c.call(); err != nil {
				b.Fatal(err)
			}
		}
		b.Logf("%s: %.1f ms", c.name, float64(time.Since(start).Microseconds())/5e3)
	}
	b.Logf("%d targets read (%d of the period, %d of the one before)", cur+prior, cur, prior)
}

// ovExpected counts the seeded posts in the period of days ending today
// (at ovNow in loc) and in the period before it.
func ovExpected(tb testing.TB, days int, loc *time.Location) (cur, prev int) {
	tb.Helper()
	p, err := analytics.Resolve(analytics.Query{Days: days}, ovNow, loc)
	if err != nil {
		tb.Fatal(err)
	}
	from := p.From.AddDate(0, 0, -p.Days())
	for i := range ovPosts {
		switch t := ovPublished(i); {
		case !t.Before(p.From) && t.Before(p.To):
			cur++
		case !t.Before(from) && t.Before(p.From):
			prev++
		}
	}
	return cur, prev
}

// overviewSQLite opens the seeded SQLite database, seeding it into the
// cache first if it is not there.
func overviewSQLite(b *testing.B) (*sqlite.DB, ovSeed) {
	b.Helper()
	ctx := b.Context()
	dir, err := os.UserCacheDir()
	if err != nil {
		dir = b.TempDir()
	}
	migrations, err := os.ReadDir("../sqlite/migrations")
	if err != nil || len(migrations) == 0 {
		b.Fatalf("read the migrations: %v", err)
	}
	last, _, _ := strings.Cut(migrations[len(migrations)-1].Name(), "_")
	path := filepath.Join(dir, "herald-bench", "overview-"+ovSeedVersion+"-"+last+".db")
	if _, err := os.Stat(path); err != nil {
		start := time.Now()
		if err := seedSQLiteFile(b, path); err != nil {
			b.Fatal(err)
		}
		b.Logf("sqlite: seeded %s in %s", path, time.Since(start).Round(time.Second))
	} else {
		b.Logf("sqlite: using the seed cached in %s", path)
	}
	db, err := sqlite.Open(ctx, path)
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { _ = db.Close() })
	if err := db.Migrate(ctx); err != nil {
		b.Fatal(err)
	}
	// Read on the write connection, which leaves its page cache full, as a
	// running server's is (that makes the read pool's small caches give
	// way: see docs/BENCHMARKS.md).
	var seed ovSeed
	var stats int
	err = db.WriteDB().QueryRowContext(ctx, `SELECT w.id, u.id, (SELECT count(*) FROM target_stats s WHERE s.workspace_id = w.id)
		FROM workspaces w, users u WHERE w.name = ? AND u.email = ?`, ovWorkspace, ovEmail).Scan(&seed.workspace, &seed.user, &stats)
	if err != nil || stats != ovPosts {
		b.Fatalf("the cached seed %s is not whole (%d target stats, %v): delete it", path, stats, err)
	}
	return db, seed
}

// seedSQLiteFile seeds a new database next to path and moves it there
// once complete.
func seedSQLiteFile(b *testing.B, path string) (err error) {
	ctx := b.Context()
	tmp := fmt.Sprintf("%s.seeding-%d", path, os.Getpid())
	removeTmp := func() {
		for _, suffix := range []string{"", "-wal", "-shm"} {
			_ = os.Remove(tmp + suffix)
		}
	}
	removeTmp()
	defer func() {
		if err != nil {
			removeTmp()
		}
	}()
	db, err := sqlite.Open(ctx, tmp)
	if err != nil {
		return err
	}
	defer func() { err = errors.Join(err, db.Close()) }()
	if err := db.Migrate(ctx); err != nil {
		return err
	}
	w := db.WriteDB()
	if _, err := seedOverview(b, db, bulkSQL{
		exec: func(ctx context.Context, q string, args ...any) error {
			_, err := w.ExecContext(ctx, q, args...)
			return err
		},
		count: func(ctx context.Context, q string, args ...any) (n int64, err error) {
			return n, w.QueryRowContext(ctx, q, args...).Scan(&n)
		},
		at: func(t time.Time) any { return t.UnixMicro() },
		ids: func(ids []int64) any {
			j, _ := json.Marshal(ids)
			return string(j)
		},
		sql: sqliteOverviewSQL,
	}); err != nil {
		return err
	}
	if _, err := w.ExecContext(ctx, `PRAGMA wal_checkpoint(TRUNCATE)`); err != nil {
		return err
	}
	if err := db.Close(); err != nil {
		return err
	}
	return os.Rename(tmp, path)
}

// bulkSQL is one store's way to run the seed's SQL.
type bulkSQL struct {
	exec  func(ctx context.Context, query string, args ...any) error
	count func(ctx context.Context, query string, args ...any) (int64, error)
	at    func(time.Time) any // a time as the store keeps it
	ids   func([]int64) any   // a list of ids for the "ids" placeholder
	sql   map[string]string   // the statements by step
}

// seedOverview fills st (freshly migrated) for the benchmark.
func seedOverview(b *testing.B, st herald.Store, bulk bulkSQL) (ovSeed, error) {
	ctx := b.Context()
	created := ovNow.Add(-400 * 24 * time.Hour)
	ws := herald.Workspace{Name: ovWorkspace, TimeZone: ovZone, CreatedAt: created, UpdatedAt: created}
	if err := st.CreateWorkspace(ctx, &ws); err != nil {
		return ovSeed{}, err
	}
	u := herald.User{Email: ovEmail, Name: "Analyst", PasswordHash: "x", CreatedAt: created, UpdatedAt: created}
	if err := st.CreateUser(ctx, &u); err != nil {
		return ovSeed{}, err
	}
	if err := st.AddMember(ctx, &herald.Membership{WorkspaceID: ws.ID, UserID: u.ID, Role: herald.RoleAnalyst}); err != nil {
		return ovSeed{}, err
	}
	var accounts, campaigns, labels []int64
	for i := range ovAccounts {
		a := herald.Account{WorkspaceID: ws.ID, Platform: ovPlatforms[i%len(ovPlatforms)], RemoteID: fmt.Sprint("acct", i),
			Handle: fmt.Sprint("@brand", i), Status: herald.AccountConnected, CreatedAt: created, UpdatedAt: created}
		if err := st.CreateAccount(ctx, &a); err != nil {
			return ovSeed{}, err
		}
		accounts = append(accounts, a.ID)
	}
	for i := range ovCampaigns {
		c := herald.Campaign{WorkspaceID: ws.ID, Name: fmt.Sprint("Campaign ", i), CreatedAt: created, UpdatedAt: created}
		if err := st.CreateCampaign(ctx, &c); err != nil {
			return ovSeed{}, err
		}
		campaigns = append(campaigns, c.ID)
	}
	for i := range ovLabels {
		l := herald.Label{WorkspaceID: ws.ID, Name: fmt.Sprint("Label ", i), Color: "#336699", CreatedAt: created}
		if err := st.CreateLabel(ctx, &l); err != nil {
			return ovSeed{}, err
		}
		labels = append(labels, l.ID)
	}
	// The SQL picks accounts, campaigns and labels by offset from the first.
	for _, ids := range [][]int64{accounts, campaigns, labels} {
		if ids[len(ids)-1]-ids[0] != int64(len(ids)-1) {
			return ovSeed{}, fmt.Errorf("ids are not consecutive: %v", ids)
		}
	}
	step := func(name string, args ...any) error {
		start := time.Now()
		if err := bulk.exec(ctx, bulk.sql[name], args...); err != nil {
			return fmt.Errorf("seed %s: %w", name, err)
		}
		b.Logf("seed %s: %s", name, time.Since(start).Round(time.Millisecond))
		return nil
	}
	start := ovNow.Add(-ovDays * 24 * time.Hour)
	if err := step("posts", ws.ID, u.ID, campaigns[0], ovCampaigns, ovPosts, bulk.at(start), ovStep); err != nil {
		return ovSeed{}, err
	}
	if err := step("targets", ws.ID, accounts[0], ovAccounts); err != nil {
		return ovSeed{}, err
	}
	if err := step("post_labels", ws.ID, labels[0], ovLabels); err != nil {
		return ovSeed{}, err
	}
	if err := step("account_snapshots", ws.ID, herald.UnixDay(ovNow)-ovDays+1, ovDays, accounts[0]); err != nil {
		return ovSeed{}, err
	}
	// Some targets are measured through the store itself.
	all, err := st.ListTargetStats(ctx, ws.ID, start.Add(-time.Hour), ovNow)
	if err != nil || len(all) != ovPosts {
		return ovSeed{}, fmt.Errorf("seed: %d published targets, want %d: %v", len(all), ovPosts, err)
	}
	var byStore []int64
	var snaps []herald.MetricSnapshot
	for i := 0; i < ovPosts; i += ovPosts / ovByStore {
		byStore = append(byStore, all[i].TargetID)
		snaps = append(snaps, ovSnapshots(ws.ID, all[i])...)
	}
	if err := st.AddMetricSnapshots(ctx, snaps); err != nil {
		return ovSeed{}, err
	}
	if err := step("metric_snapshots", ws.ID, bulk.at(ovNow), bulk.ids(byStore)); err != nil {
		return ovSeed{}, err
	}
	if err := step("analyze"); err != nil {
		return ovSeed{}, err
	}
	if err := step("target_stats", ws.ID, bulk.ids(byStore)); err != nil {
		return ovSeed{}, err
	}
	// The bulk rows must be the store's: the targets measured through
	// AddMetricSnapshots have exactly the target_stats the bulk SQL derives.
	for _, name := range []string{"check", "check_back"} {
		if n, err := bulk.count(ctx, bulk.sql[name], ws.ID, bulk.ids(byStore)); err != nil || n != 0 {
			return ovSeed{}, fmt.Errorf("seed: %s: %d target_stats rows differ from the store's: %v", name, n, err)
		}
	}
	for name, want := range map[string]int64{"count_snapshots": ovPosts * ovPerTarget, "count_stats": ovPosts} {
		if n, err := bulk.count(ctx, bulk.sql[name], ws.ID); err != nil || n != want {
			return ovSeed{}, fmt.Errorf("seed: %s = %d, want %d: %v", name, n, want, err)
		}
	}
	return ovSeed{workspace: ws.ID, user: u.ID}, step("vacuum")
}

// ovSnapshots are a target's 20 readings, as the bulk SQL makes them: at
// 10 min, 1 h, 6 h, then daily (squeezed into the time since publishing
// for recent posts), with counts growing to a total picked by the target's
// id, and -1 for the counts its platform does not give.
func ovSnapshots(workspaceID int64, t herald.TargetStats) []herald.MetricSnapshot {
	h := (t.TargetID*7919 + 13) % 1000
	age := ovNow.Sub(t.PublishedAt).Microseconds()
	given := func(ok bool, v int64) int64 {
		if !ok {
			return -1
		}
		return v
	}
	p := t.Platform
	out := make([]herald.MetricSnapshot, 0, ovPerTarget)
	for k := range int64(ovPerTarget) {
		d := [3]int64{600_000_000, 3_600_000_000, 21_600_000_000}[min(k, 2)]
		if k > 2 {
			d = (k - 2) * 86_400_000_000
		}
		d = min(d, age*(k+1)/21)
		out = append(out, herald.MetricSnapshot{WorkspaceID: workspaceID, TargetID: t.TargetID,
			At:          t.PublishedAt.Add(time.Duration(d) * time.Microsecond),
			Likes:       h * (k + 1) / 20,
			Reposts:     given(p != herald.PlatformFacebook && p != herald.PlatformInstagram, h/8*(k+1)/20),
			Replies:     h / 12 * (k + 1) / 20,
			Quotes:      given(p == herald.PlatformBluesky || p == herald.PlatformX, h/40*(k+1)/20),
			Impressions: given(p == herald.PlatformX, (h*30+500)*(k+1)/20)})
	}
	return out
}

// ovCounts is the counts of snapshot k of target t on account a, as
// ovSnapshots makes them.
const ovCounts = `((t.id * 7919 + 13) % 1000) * (k + 1) / 20,
	CASE WHEN a.platform IN ('facebook', 'instagram') THEN -1 ELSE ((t.id * 7919 + 13) % 1000) / 8 * (k + 1) / 20 END,
	((t.id * 7919 + 13) % 1000) / 12 * (k + 1) / 20,
	CASE WHEN a.platform IN ('bluesky', 'x') THEN ((t.id * 7919 + 13) % 1000) / 40 * (k + 1) / 20 ELSE -1 END,
	CASE WHEN a.platform = 'x' THEN (((t.id * 7919 + 13) % 1000) * 30 + 500) * (k + 1) / 20 ELSE -1 END`

const ovStatCols = `target_id, workspace_id, measured_at, likes, reposts, replies, quotes, impressions, followers, followers_at,
	published_at, account_id, post_id, campaign_id`

// The seed's statements. Published targets are stored as the dispatcher
// leaves them (published, remote id and URL, one attempt, version 3); the
// attempt and transition logs, which the overview does not read, are left
// out. target_stats is derived as AddMetricSnapshots keeps it: the latest
// reading's counts, the followers of the account's last daily snapshot
// taken before publishing, and the target's publishing time, account and
// post and the post's campaign (which a trigger gives the rows the store
// inserts: the check below compares those too).
var sqliteOverviewSQL = func() map[string]string {
	stats := `SELECT t.id, t.workspace_id, m.at, m.likes, m.reposts, m.replies, m.quotes, m.impressions, a.followers, a.at,
			t.published_at, t.account_id, t.post_id, p.campaign_id
		FROM targets t JOIN posts p ON p.id = t.post_id
		JOIN metric_snapshots m ON m.id = (SELECT l.id FROM metric_snapshots l WHERE l.target_id = t.id
			ORDER BY l.at DESC, l.id DESC LIMIT 1)
		LEFT JOIN account_snapshots a ON a.account_id = t.account_id AND a.day = (SELECT max(l.day)
			FROM account_snapshots l WHERE l.account_id = t.account_id AND l.at <= t.published_at)
		WHERE t.workspace_id = ?1`
	ids := `(SELECT value FROM json_each(?2))`
	stored := `SELECT ` + ovStatCols + ` FROM target_stats WHERE target_id IN ` + ids
	return map[string]string{
		"posts": `WITH RECURSIVE n(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM n WHERE i < ?5 - 1)
			INSERT INTO posts (workspace_id, author_id, title, text, campaign_id, version, created_at, updated_at)
			SELECT ?1, ?2, '', 'Post ' || i || ': notes from the week', CASE WHEN i % 3 = 0 THEN ?3 + (i / 3) % ?4 END, 1,
				?6 + i * ?7 + ((i * 7919) % 1000) * (?7 / 1000) - 86400000000,
				?6 + i * ?7 + ((i * 7919) % 1000) * (?7 / 1000) - 86400000000
			FROM n ORDER BY i`,
		"targets": `INSERT INTO targets (workspace_id, post_id, account_id, variant, state, scheduled_at, remote_id,
				remote_url, last_error, published_at, due_at, attempts, progress, version, created_at, updated_at)
			SELECT p.workspace_id, p.id, ?2 + p.id % ?3, json_object('text', p.text), 'published',
				p.created_at + 86400000000 - 2000000, 'r' || p.id, 'https://social.example/p/' || p.id, '',
				p.created_at + 86400000000, NULL, 1, '{}', 3, p.created_at, p.created_at + 86400000000
			FROM posts p WHERE p.workspace_id = ?1 ORDER BY p.id`,
		"post_labels": `INSERT INTO post_labels (workspace_id, post_id, label_id)
			SELECT p.workspace_id, p.id, ?2 + (p.id / 4 + k) % ?3 FROM posts p, (SELECT 0 AS k UNION ALL SELECT 1)
			WHERE p.workspace_id = ?1 AND p.id % 4 = 0 AND (k = 0 OR p.id % 20 = 0) ORDER BY p.id, k`,
		"account_snapshots": `WITH RECURSIVE n(d) AS (SELECT 0 UNION ALL SELECT d + 1 FROM n WHERE d < ?3 - 1)
			INSERT INTO account_snapshots (account_id, day, workspace_id, at, followers, following, posts)
			SELECT a.id, ?2 + d, a.workspace_id, (?2 + d) * 86400000000 + 21600000000,
				1000 * (a.id - ?4 + 1) + d * (a.id % 7 + 1), 100 + a.id % 50, 10 + d
			FROM accounts a, n WHERE a.workspace_id = ?1 ORDER BY a.id, d`,
		"metric_snapshots": `WITH RECURSIVE ks(k) AS (SELECT 0 UNION ALL SELECT k + 1 FROM ks WHERE k < 19)
			INSERT INTO metric_snapshots (workspace_id, target_id, at, likes, reposts, replies, quotes, impressions)
			SELECT t.workspace_id, t.id, t.published_at + min(CASE k WHEN 0 THEN 600000000 WHEN 1 THEN 3600000000
					WHEN 2 THEN 21600000000 ELSE (k - 2) * 86400000000 END, (?2 - t.published_at) * (k + 1) / 21),
				` + ovCounts + `
			FROM targets t JOIN accounts a ON a.id = t.account_id, ks
			WHERE t.workspace_id = ?1 AND t.id NOT IN (SELECT value FROM json_each(?3)) ORDER BY t.id, k`,
		// Herald never runs ANALYZE on SQLite: the benchmark does not either.
		"analyze":         `SELECT 1`,
		"target_stats":    `INSERT INTO target_stats (` + ovStatCols + `) ` + stats + ` AND t.id NOT IN ` + ids,
		"check":           `SELECT count(*) FROM (` + stats + ` AND t.id IN ` + ids + ` EXCEPT ` + stored + `)`,
		"check_back":      `SELECT count(*) FROM (` + stored + ` EXCEPT ` + stats + ` AND t.id IN ` + ids + `)`,
		"count_snapshots": `SELECT count(*) FROM metric_snapshots WHERE workspace_id = ?`,
		"count_stats":     `SELECT count(*) FROM target_stats WHERE workspace_id = ? AND measured_at IS NOT NULL`,
		"vacuum":          `SELECT 1`,
	}
}()

var pgOverviewSQL = func() map[string]string {
	stats := `SELECT t.id, t.workspace_id, m.at, m.likes, m.reposts, m.replies, m.quotes, m.impressions, a.followers, a.at,
			t.published_at, t.account_id, t.post_id, p.campaign_id
		FROM targets t JOIN posts p ON p.id = t.post_id
		CROSS JOIN LATERAL (SELECT l.at, l.likes, l.reposts, l.replies, l.quotes, l.impressions FROM metric_snapshots l WHERE l.target_id = t.id ORDER BY l.at DESC, l.id DESC LIMIT 1) m
		LEFT JOIN LATERAL (SELECT l.followers, l.at FROM account_snapshots l
			WHERE l.account_id = t.account_id AND l.at <= t.published_at ORDER BY l.day DESC LIMIT 1) a ON true
		WHERE t.workspace_id = $1`
	stored := `SELECT ` + ovStatCols + ` FROM target_stats WHERE target_id = ANY($2)`
	return map[string]string{
		"posts": `INSERT INTO posts (workspace_id, author_id, title, text, campaign_id, version, created_at, updated_at)
			SELECT $1::bigint, $2::bigint, '', 'Post ' || i || ': notes from the week',
				CASE WHEN i % 3 = 0 THEN $3::bigint + (i / 3) % $4::int END, 1, c, c
			FROM generate_series(0, $5::int - 1) AS g(i) CROSS JOIN LATERAL (SELECT $6::timestamptz
				+ (i * $7::bigint + ((i * 7919) % 1000) * ($7::bigint / 1000) - 86400000000) * interval '1 microsecond' AS c) x
			ORDER BY i`,
		"targets": `INSERT INTO targets (workspace_id, post_id, account_id, variant, state, scheduled_at, remote_id,
				remote_url, last_error, published_at, due_at, attempts, progress, version, created_at, updated_at)
			SELECT p.workspace_id, p.id, $2::bigint + p.id % $3::int, jsonb_build_object('text', p.text), 'published',
				p.created_at + interval '24 hours' - interval '2 seconds', 'r' || p.id, 'https://social.example/p/' || p.id, '',
				p.created_at + interval '24 hours', NULL, 1, '{}', 3, p.created_at, p.created_at + interval '24 hours'
			FROM posts p WHERE p.workspace_id = $1 ORDER BY p.id`,
		"post_labels": `INSERT INTO post_labels (workspace_id, post_id, label_id)
			SELECT p.workspace_id, p.id, $2::bigint + (p.id / 4 + k) % $3::int FROM posts p CROSS JOIN (VALUES (0), (1)) AS ks(k)
			WHERE p.workspace_id = $1 AND p.id % 4 = 0 AND (k = 0 OR p.id % 20 = 0) ORDER BY p.id, k`,
		"account_snapshots": `INSERT INTO account_snapshots (account_id, day, workspace_id, at, followers, following, posts)
			SELECT a.id, $2::int + d, a.workspace_id, timestamptz 'epoch' + (($2::int + d) * 86400::bigint + 21600) * interval '1 second',
				1000 * (a.id - $4::bigint + 1) + d * (a.id % 7 + 1), 100 + a.id % 50, 10 + d
			FROM accounts a CROSS JOIN generate_series(0, $3::int - 1) AS g(d) WHERE a.workspace_id = $1 ORDER BY a.id, d`,
		"metric_snapshots": `INSERT INTO metric_snapshots (workspace_id, target_id, at, likes, reposts, replies, quotes, impressions)
			SELECT t.workspace_id, t.id, t.published_at + least(CASE k WHEN 0 THEN 600000000 WHEN 1 THEN 3600000000
					WHEN 2 THEN 21600000000 ELSE (k - 2) * 86400000000 END,
					((extract(epoch FROM $2::timestamptz) - extract(epoch FROM t.published_at)) * 1000000)::bigint * (k + 1) / 21)
					* interval '1 microsecond',
				` + ovCounts + `
			FROM targets t JOIN accounts a ON a.id = t.account_id CROSS JOIN generate_series(0, 19) AS ks(k)
			WHERE t.workspace_id = $1 AND t.id <> ALL($3) ORDER BY t.id, k`,
		"analyze":         `ANALYZE posts, post_labels, targets, accounts, account_snapshots, metric_snapshots`,
		"target_stats":    `INSERT INTO target_stats (` + ovStatCols + `) ` + stats + ` AND t.id <> ALL($2)`,
		"check":           `SELECT count(*) FROM (` + stats + ` AND t.id = ANY($2) EXCEPT ` + stored + `) x`,
		"check_back":      `SELECT count(*) FROM (` + stored + ` EXCEPT ` + stats + ` AND t.id = ANY($2)) x`,
		"count_snapshots": `SELECT count(*) FROM metric_snapshots WHERE workspace_id = $1`,
		"count_stats":     `SELECT count(*) FROM target_stats WHERE workspace_id = $1 AND measured_at IS NOT NULL`,
		// As autovacuum would after a load.
		"vacuum": `VACUUM ANALYZE posts, post_labels, targets, accounts, account_snapshots, metric_snapshots, target_stats`,
	}
}()
