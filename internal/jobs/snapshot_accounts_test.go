package jobs_test

import (
	"testing"
	"time"

	"github.com/heraldsocial/herald/internal/connector/fake"
	"github.com/heraldsocial/herald/internal/herald"
	"github.com/heraldsocial/herald/internal/jobs"
)

// TestSnapshotAccountsAndFollowersAtPublishing runs the jobs with their
// default schedule: a connected account's followers, following and posts
// are read on start (and then once a day), and a post published 20
// minutes ago is credited with the followers read when its counts are
// first collected.
func TestSnapshotAccountsAndFollowersAtPublishing(t *testing.T) {
	for _, drv := range drivers() {
		t.Run(drv.name, func(t *testing.T) {
			st := drv.open(t)
			d, _ := deps(t, st)
			ctx := t.Context()
			srv, base := startPlatform(t)
			w := mustWorkspace(t, st)
			alice := mustAccount(t, st, d.Keys, herald.Account{WorkspaceID: w.ID, Platform: herald.PlatformFake,
				RemoteID: "alice", Status: herald.AccountConnected},
				fake.MarshalCredentials(fake.Credentials{BaseURL: base, AccessToken: "alice"}))
			broken := mustAccount(t, st, d.Keys, herald.Account{WorkspaceID: w.ID, Platform: herald.PlatformFake,
				RemoteID: "broken", Status: herald.AccountConnected}, []byte(`{"base_url":"not a url","access_token":"x"}`))
			srv.SetFollowCounts("alice", 120, 30)
			ours := postAs(t, base, "alice", "hello from Herald", "")
			postAs(t, base, "alice", "and again", "")
			now := time.Now().UTC().Truncate(time.Microsecond)
			target := mustPublishedTarget(t, st, alice, ours, now.Add(-20*time.Minute))

			mustStart(t, jobs.Config{}, d)

			var snaps []herald.AccountSnapshot
			waitFor(t, "alice's snapshot", func() (bool, error) {
				var err error
				snaps, err = st.ListAccountSnapshots(ctx, w.ID, alice.ID, now.Add(-time.Hour), time.Now().Add(time.Hour))
				return len(snaps) > 0, err
			})
			if s := snaps[0]; s.Followers != 120 || s.Following != 30 || s.Posts != 2 {
				t.Fatalf("snapshot %+v, want 120 followers, 30 following, 2 posts", s)
			}
			var stats []herald.TargetStats
			waitFor(t, "the post's followers at publishing", func() (bool, error) {
				var err error
				stats, err = st.ListTargetStats(ctx, w.ID, now.Add(-time.Hour), time.Now().Add(time.Hour))
				return len(stats) == 1 && stats[0].Measured && stats[0].Followers >= 0, err
			})
			if s := stats[0]; s.TargetID != target.ID || s.Followers != 120 {
				t.Fatalf("stats %+v, want target %d published to 120 followers", s, target.ID)
			}
			// The broken account has none, and its failure stopped nothing.
			bs, err := st.ListAccountSnapshots(ctx, w.ID, broken.ID, now.Add(-time.Hour), time.Now().Add(time.Hour))
			if err != nil || len(bs) != 0 {
				t.Fatalf("broken account's snapshots %+v %v", bs, err)
			}
			// Tomorrow alice is due again; the broken account, once marked
			// for reconnecting, is not.
			waitFor(t, "the broken account marked", func() (bool, error) {
				a, err := st.GetAccount(ctx, w.ID, broken.ID)
				return a.Status == herald.AccountRevoked, err
			})
			due, err := st.AccountsDueForSnapshot(ctx, time.Now().Add(24*time.Hour), []herald.Platform{herald.PlatformFake}, 10)
			if err != nil || len(due) != 1 || due[0].ID != alice.ID {
				t.Fatalf("due tomorrow: %+v %v, want alice only", due, err)
			}
		})
	}
}
