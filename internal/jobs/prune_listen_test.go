package jobs_test

import (
	"fmt"
	"testing"
	"time"

	"github.com/heraldsocial/herald/internal/herald"
	"github.com/heraldsocial/herald/internal/jobs"
)

// TestPruneListen: at start (as every hour) the job deletes listening
// matches older than 90 days, a batch at a time, and keeps younger ones.
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
			if _, err := st.AddListenMatches(ctx, ms); err != nil {
				t.Fatal(err)
			}
			mustStart(t, jobs.Config{MetricsEvery: -1, InboxEvery: -1, CheckEvery: -1}, d)
			waitFor(t, "the old matches deleted", func() (bool, error) {
				left, _, err := st.ListListenMatches(ctx, herald.ListenFilter{WorkspaceID: w.ID})
				if err != nil || len(left) != 1 {
					return false, err
				}
				return left[0].RemoteID == "r1", nil
			})
		})
	}
}
