package jobs_test

import (
	"fmt"
	"testing"
	"time"

	"github.com/heraldsocial/herald/internal/herald"
	"github.com/heraldsocial/herald/internal/jobs"
)

// TestPruneListen: at start (as every hour) the job deletes listening
// matches older than the workspace keeps them (90 days unless set; 30 in
// the second workspace), a batch at a time, and keeps younger ones.
func TestPruneListen(t *testing.T) {
	for _, drv := range drivers() {
		t.Run(drv.name, func(t *testing.T) {
			st := drv.open(t)
			d, _ := deps(t, st)
			ctx := t.Context()
			w := mustWorkspace(t, st)
			tp := herald.ListenTopic{WorkspaceID: w.ID, Name: "Brand", Rules: herald.TopicRule{Any: []string{"acme"}}}
			if err := st.CreateListenTopic(ctx, &tp); err != nil {
				t.Fatal(err)
			}
			now := time.Now().UTC()
			day := 24 * time.Hour
			var ms []herald.ListenMatch
			for i, age := range []time.Duration{91 * day, 89 * day, 120 * day} {
				ms = append(ms, herald.ListenMatch{WorkspaceID: w.ID, Platform: herald.PlatformBluesky, RemoteID: fmt.Sprint("r", i),
					AuthorID: "did:a", AuthorFollowers: -1, Text: "acme", Sentiment: "neutral", PostedAt: now.Add(-age),
					Topics: []herald.TopicHit{{TopicID: tp.ID}}})
			}
			// A workspace that keeps its matches 30 days.
			short := mustWorkspace(t, st)
			stp := herald.ListenTopic{WorkspaceID: short.ID, Name: "Brand", Rules: herald.TopicRule{Any: []string{"acme"}}}
			if err := st.CreateListenTopic(ctx, &stp); err != nil {
				t.Fatal(err)
			}
			if err := st.PutListenSettings(ctx, herald.ListenSettings{WorkspaceID: short.ID, KeepDays: 30}); err != nil {
				t.Fatal(err)
			}
			for i, age := range []time.Duration{40 * day, 20 * day} {
				ms = append(ms, herald.ListenMatch{WorkspaceID: short.ID, Platform: herald.PlatformBluesky, RemoteID: fmt.Sprint("s", i),
					AuthorID: "did:a", AuthorFollowers: -1, Text: "acme", Sentiment: "neutral", PostedAt: now.Add(-age),
					Topics: []herald.TopicHit{{TopicID: stp.ID}}})
			}
			if _, err := st.AddListenMatches(ctx, ms); err != nil {
				t.Fatal(err)
			}
			mustStart(t, jobs.Config{MetricsEvery: -1, InboxEvery: -1, CheckEvery: -1}, d)
			waitFor(t, "the old matches deleted", func() (bool, error) {
				left, _, err := st.ListListenMatches(ctx, herald.ListenFilter{WorkspaceID: w.ID})
				if err != nil || len(left) != 1 {
					return false, err
				}
				kept, _, err := st.ListListenMatches(ctx, herald.ListenFilter{WorkspaceID: short.ID})
				if err != nil || len(kept) != 1 {
					return false, err
				}
				return left[0].RemoteID == "r1" && kept[0].RemoteID == "s1", nil
			})
		})
	}
}
