package listen_test

import (
	"context"
	"os"
	"strconv"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/heraldsocial/herald/internal/herald"
	"github.com/heraldsocial/herald/internal/listen"
	"github.com/heraldsocial/herald/internal/postgres/pgtest"
	"github.com/heraldsocial/herald/internal/teststore"
)

// BenchmarkTopicPage reads what a topic's page shows for the last 7 days
// (the topic and the workspace's topics; the overview: volume, authors,
// co-occurring terms; rising terms; the stream's first page) over a topic
// with HERALD_BENCH_LISTEN_MATCHES stored matches (default 100,000; the
// goal is set at 5,000,000) spread over 90 days, 50,000 authors. The
// matches are written by SQL, then the rollups from them, then the
// background computation of the terms runs once (refresh-ms, also what
// the first view of a topic never computed costs) before the timed pages.
//
//	HERALD_BENCH_LISTEN_MATCHES=5000000 go test ./internal/listen/ -run '^$' -bench TopicPage -benchtime 20x -timeout 60m
func BenchmarkTopicPage(b *testing.B) {
	n := 100_000
	if v, err := strconv.Atoi(os.Getenv("HERALD_BENCH_LISTEN_MATCHES")); err == nil && v > 0 {
		n = v
	}
	run := func(b *testing.B, st herald.Store, seed func(ctx context.Context, ws, topic int64, now time.Time) error) {
		ctx := context.Background()
		now := time.Now().UTC().Truncate(time.Microsecond)
		c := &clock{t: now}
		svc := listen.New(st, c, nil, nil)
		ws := herald.Workspace{Name: "w", TimeZone: "UTC"}
		if err := st.CreateWorkspace(ctx, &ws); err != nil {
			b.Fatal(err)
		}
		actor := herald.Actor{UserID: 1, WorkspaceID: ws.ID, Role: herald.RoleOwner}
		tp, err := svc.Create(ctx, actor, herald.ListenTopic{Name: "Brand", Rules: herald.TopicRule{Any: []string{"acme"}}})
		if err != nil {
			b.Fatal(err)
		}
		start := time.Now()
		if err := seed(ctx, ws.ID, tp.ID, now); err != nil {
			b.Fatal(err)
		}
		b.Logf("%d matches written in %s", n, time.Since(start).Round(time.Second))
		start = time.Now()
		if err := svc.RefreshTerms(ctx); err != nil {
			b.Fatal(err)
		}
		refresh := time.Since(start)
		b.Logf("terms of the topic and of every topic computed in %s", refresh.Round(time.Millisecond))
		p := listen.Period{From: herald.ListenHour(now.Add(-7 * 24 * time.Hour)), To: now}
		var topics, overview, rising, stream time.Duration
		b.ResetTimer()
		for b.Loop() {
			t0 := time.Now()
			if _, err := svc.Topic(ctx, actor, tp.ID); err != nil {
				b.Fatal(err)
			}
			if _, err := svc.Topics(ctx, actor); err != nil {
				b.Fatal(err)
			}
			t1 := time.Now()
			o, err := svc.Overview(ctx, actor, tp.ID, p)
			if err != nil || o.Totals.Total() == 0 || len(o.Authors) == 0 || len(o.Terms) == 0 || o.ComputedAt.IsZero() {
				b.Fatal(err, o.Totals, len(o.Authors), len(o.Terms), o.ComputedAt)
			}
			t2 := time.Now()
			if _, err := svc.Rising(ctx, actor, tp.ID); err != nil {
				b.Fatal(err)
			}
			t3 := time.Now()
			if ms, _, err := svc.Matches(ctx, actor, herald.ListenFilter{TopicID: tp.ID, From: p.From, Page: herald.Page{Limit: 25}}); err != nil || len(ms) != 25 {
				b.Fatal(err, len(ms))
			}
			topics, overview, rising, stream = topics+t1.Sub(t0), overview+t2.Sub(t1), rising+t3.Sub(t2), stream+time.Since(t3)
		}
		ms := func(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 / float64(b.N) }
		b.ReportMetric(ms(topics+overview+rising+stream), "page-ms")
		b.ReportMetric(ms(topics), "topics-ms")
		b.ReportMetric(ms(overview), "overview-ms")
		b.ReportMetric(ms(rising), "rising-ms")
		b.ReportMetric(ms(stream), "stream-ms")
		b.ReportMetric(float64(refresh.Milliseconds()), "refresh-ms")
	}
	step := (90 * 24 * time.Hour / time.Duration(n)).Microseconds()
	b.Run("sqlite", func(b *testing.B) {
		st := teststore.SQLite(b)
		run(b, st, func(ctx context.Context, ws, topic int64, now time.Time) error {
			db := st.WriteDB()
			for _, q := range []struct {
				sql  string
				args []any
			}{
				{`WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < ?)
					INSERT INTO listen_matches (workspace_id, platform, remote_id, author_id, author_followers, text, language,
					sentiment, score, posted_at, seen_at)
					SELECT ?, 'bluesky', 'at://r/' || i, 'did:plc:' || (i % 50000), -1,
					CASE i % 4 WHEN 0 THEN 'acme battery drains fast' WHEN 1 THEN 'acme launch event was great'
					WHEN 2 THEN 'anyone tried the acme grinder' ELSE 'acme support kept me waiting' END, 'en',
					CASE i % 3 WHEN 0 THEN 'negative' WHEN 1 THEN 'neutral' ELSE 'positive' END, 0, ? - i * ?, ? - i * ? FROM n`,
					[]any{n, ws, now.UnixMicro(), step, now.UnixMicro(), step}},
				{`INSERT INTO listen_match_topics (topic_id, match_id, posted_at, terms)
					SELECT ?, id, posted_at, '["acme"]' FROM listen_matches WHERE workspace_id = ?`, []any{topic, ws}},
				{`INSERT INTO listen_volume (workspace_id, topic_id, hour, positive, neutral, negative)
					SELECT ?, t.id, (posted_at / 3600000000) * 3600000000, sum(sentiment = 'positive'), sum(sentiment = 'neutral'),
					sum(sentiment = 'negative') FROM listen_matches, (SELECT 0 AS id UNION ALL SELECT ?) t WHERE workspace_id = ?
					GROUP BY t.id, 3`, []any{ws, topic, ws}},
				{`INSERT INTO listen_authors (workspace_id, topic_id, day, platform, author_id, matches, negative)
					SELECT ?, t.id, (posted_at / 86400000000) * 86400000000, 'bluesky', author_id, count(*), sum(sentiment = 'negative')
					FROM listen_matches, (SELECT 0 AS id UNION ALL SELECT ?) t WHERE workspace_id = ? GROUP BY t.id, 3, author_id`,
					[]any{ws, topic, ws}},
				{`ANALYZE`, nil},
			} {
				if _, err := db.ExecContext(ctx, q.sql, q.args...); err != nil {
					return err
				}
			}
			return nil
		})
	})
	if !teststore.HasPostgres() {
		return
	}
	b.Run("postgres", func(b *testing.B) {
		st := pgtest.Open(b)
		run(b, st, func(ctx context.Context, ws, topic int64, now time.Time) error {
			return seedPostgres(ctx, st.Pool(), ws, topic, n, now, step)
		})
	})
}

func seedPostgres(ctx context.Context, pool *pgxpool.Pool, ws, topic int64, n int, now time.Time, step int64) error {
	for _, q := range []struct {
		sql  string
		args []any
	}{
		{`INSERT INTO listen_matches (workspace_id, platform, remote_id, author_id, author_followers, text, language,
			sentiment, score, posted_at, seen_at)
			SELECT $1, 'bluesky', 'at://r/' || i, 'did:plc:' || (i % 50000), -1,
			CASE i % 4 WHEN 0 THEN 'acme battery drains fast' WHEN 1 THEN 'acme launch event was great'
			WHEN 2 THEN 'anyone tried the acme grinder' ELSE 'acme support kept me waiting' END, 'en',
			CASE i % 3 WHEN 0 THEN 'negative' WHEN 1 THEN 'neutral' ELSE 'positive' END, 0,
			$2::timestamptz - make_interval(secs => i * $3::double precision / 1e6),
			$2::timestamptz - make_interval(secs => i * $3::double precision / 1e6)
			FROM generate_series(1, $4::int) i`, []any{ws, now, step, n}},
		{`INSERT INTO listen_match_topics (topic_id, match_id, posted_at, terms)
			SELECT $1, id, posted_at, '["acme"]' FROM listen_matches WHERE workspace_id = $2`, []any{topic, ws}},
		{`INSERT INTO listen_volume (workspace_id, topic_id, hour, positive, neutral, negative)
			SELECT $1, t.id, date_trunc('hour', posted_at), count(*) FILTER (WHERE sentiment = 'positive'),
			count(*) FILTER (WHERE sentiment = 'neutral'), count(*) FILTER (WHERE sentiment = 'negative')
			FROM listen_matches, (VALUES (0::bigint), ($2::bigint)) t(id) WHERE workspace_id = $1 GROUP BY t.id, 3`, []any{ws, topic}},
		{`INSERT INTO listen_authors (workspace_id, topic_id, day, platform, author_id, matches, negative)
			SELECT $1, t.id, date_trunc('day', posted_at), 'bluesky', author_id, count(*), count(*) FILTER (WHERE sentiment = 'negative')
			FROM listen_matches, (VALUES (0::bigint), ($2::bigint)) t(id) WHERE workspace_id = $1 GROUP BY t.id, 3, author_id`,
			[]any{ws, topic}},
		{`ANALYZE`, nil},
	} {
		if _, err := pool.Exec(ctx, q.sql, q.args...); err != nil {
			return err
		}
	}
	return nil
}
