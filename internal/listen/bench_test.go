package listen_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/heraldsocial/herald/internal/herald"
	"github.com/heraldsocial/herald/internal/listen"
	"github.com/heraldsocial/herald/internal/listen/source"
	"github.com/heraldsocial/herald/internal/postgres/pgtest"
	"github.com/heraldsocial/herald/internal/teststore"
)

// BenchmarkIngest stores batches of 200 posts that all match (two topics
// of one workspace, one of another), with sentiment, the way a source
// delivers them: b.N batches; matches/s is the figure to read.
//
//	go test ./internal/listen/ -run '^$' -bench Ingest -benchtime 20x
func BenchmarkIngest(b *testing.B) {
	texts := []string{
		"The new acme phone is great, battery lasts all day #acme",
		"acme support kept me waiting an hour, terrible service",
		"Anyone tried the acme coffee grinder? Thinking of buying one",
		"acme launch event tonight in Berlin, see you there #acmelaunch",
	}
	run := func(b *testing.B, st herald.Store) {
		ctx := context.Background()
		c := &clock{t: time.Now().UTC()}
		in := listen.NewIngest(st, c, nil)
		svc := listen.New(st, c, nil, in.Changed)
		for i, name := range []string{"a", "b"} {
			ws := herald.Workspace{Name: name, TimeZone: "UTC"}
			if err := st.CreateWorkspace(ctx, &ws); err != nil {
				b.Fatal(err)
			}
			actor := herald.Actor{UserID: 1, WorkspaceID: ws.ID, Role: herald.RoleOwner}
			for j := 0; j <= 1-i; j++ {
				if _, err := svc.Create(ctx, actor, herald.ListenTopic{Name: fmt.Sprint("t", j),
					Rules: herald.TopicRule{Any: []string{"acme"}}}); err != nil {
					b.Fatal(err)
				}
			}
		}
		serial := 0
		batch := func() source.Batch {
			bt := source.Batch{Source: "bench", Cursor: fmt.Sprint(serial)}
			for range 200 {
				serial++
				bt.Posts = append(bt.Posts, source.Post{Platform: "bluesky", RemoteID: fmt.Sprint("at://did:plc:x/app.bsky.feed.post/", serial),
					AuthorID: fmt.Sprint("did:plc:", serial%5000), AuthorFollowers: -1, Text: texts[serial%len(texts)],
					Languages: []string{"en"}, PostedAt: c.Now().Add(-time.Duration(serial) * time.Millisecond)})
			}
			return bt
		}
		b.ResetTimer()
		start := time.Now()
		for b.Loop() {
			if err := in.Accept(ctx, batch()); err != nil {
				b.Fatal(err)
			}
		}
		// Each post matches in both workspaces: two stored matches.
		b.ReportMetric(float64(b.N*200*2)/time.Since(start).Seconds(), "matches/s")
	}
	b.Run("sqlite", func(b *testing.B) { run(b, teststore.SQLite(b)) })
	if teststore.HasPostgres() {
		b.Run("postgres", func(b *testing.B) { run(b, pgtest.Open(b)) })
	}
}
