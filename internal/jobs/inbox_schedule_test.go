package jobs_test

import (
	"testing"
	"time"

	"github.com/heraldsocial/herald/internal/connector/fake"
	"github.com/heraldsocial/herald/internal/herald"
	"github.com/heraldsocial/herald/internal/jobs"
)

// TestSyncInboxAdaptsToActivity: with Herald's default settings, an
// account where something new arrived is read again within
// DefaultInboxActiveEvery, a quiet one after DefaultInboxQuietEvery.
func TestSyncInboxAdaptsToActivity(t *testing.T) {
	for _, drv := range drivers() {
		t.Run(drv.name, func(t *testing.T) {
			st := drv.open(t)
			d, _ := deps(t, st)
			ctx := t.Context()
			_, base := startPlatform(t)
			w := mustWorkspace(t, st)
			busy := mustAccount(t, st, d.Keys, herald.Account{WorkspaceID: w.ID, Platform: herald.PlatformFake,
				RemoteID: "busy", Status: herald.AccountConnected},
				fake.MarshalCredentials(fake.Credentials{BaseURL: base, AccessToken: "busy"}))
			quiet := mustAccount(t, st, d.Keys, herald.Account{WorkspaceID: w.ID, Platform: herald.PlatformFake,
				RemoteID: "quiet", Status: herald.AccountConnected},
				fake.MarshalCredentials(fake.Credentials{BaseURL: base, AccessToken: "quiet"}))
			postAs(t, base, "dan", "@busy is my order on its way?", "")

			start := time.Now()
			mustStart(t, jobs.Config{MetricsEvery: -1}, d) // sync_inbox runs on start
			var sched map[int64]herald.InboxSync
			waitFor(t, "both accounts read once", func() (bool, error) {
				var err error
				sched, err = st.InboxSchedule(ctx, []int64{busy.ID, quiet.ID})
				return len(sched) == 2, err
			})
			end := time.Now()
			b, q := sched[busy.ID], sched[quiet.ID]
			if b.ActiveUntil == nil || b.ActiveUntil.Before(start.Add(jobs.DefaultInboxActiveFor)) {
				t.Errorf("the busy account is active until %v, want %s after the read", b.ActiveUntil, jobs.DefaultInboxActiveFor)
			}
			within := func(name string, next time.Time, every time.Duration) {
				t.Helper()
				lo := start.Add(every - jobs.DefaultInboxEvery)
				hi := end.Add(every)
				if next.Before(lo) || next.After(hi) {
					t.Errorf("the %s account is read next at %s, want between %s and %s", name,
						next.Format(time.StampMilli), lo.Format(time.StampMilli), hi.Format(time.StampMilli))
				}
			}
			within("busy", b.NextAt, jobs.DefaultInboxActiveEvery)
			within("quiet", q.NextAt, jobs.DefaultInboxQuietEvery)
			if q.ActiveUntil != nil {
				t.Errorf("the quiet account is active until %v", q.ActiveUntil)
			}
			items, _, err := st.ListInbox(ctx, herald.InboxFilter{WorkspaceID: w.ID, AccountID: busy.ID})
			if err != nil || len(items) != 1 {
				t.Fatalf("busy inbox: %d items, %v", len(items), err)
			}
		})
	}
}
