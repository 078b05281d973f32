package jobs_test

import (
	"testing"
	"time"

	"github.com/heraldsocial/herald/internal/connector/fake"
	"github.com/heraldsocial/herald/internal/herald"
	"github.com/heraldsocial/herald/internal/jobs"
)

// TestStreamReadsAtOnce: with the default schedule a quiet account is read
// a minute apart, but its platform pushes a mention on its stream and the
// mention is in the inbox within seconds.
func TestStreamReadsAtOnce(t *testing.T) {
	for _, drv := range drivers() {
		t.Run(drv.name, func(t *testing.T) {
			st := drv.open(t)
			d, _ := deps(t, st)
			ctx := t.Context()
			_, base := startPlatform(t)
			w := mustWorkspace(t, st)
			quiet := mustAccount(t, st, d.Keys, herald.Account{WorkspaceID: w.ID, Platform: herald.PlatformFake,
				RemoteID: "quiet", Status: herald.AccountConnected},
				fake.MarshalCredentials(fake.Credentials{BaseURL: base, AccessToken: "quiet"}))
			mustStart(t, jobs.Config{MetricsEvery: -1}, d)
			waitFor(t, "the account read once", func() (bool, error) {
				sched, err := st.InboxSchedule(ctx, []int64{quiet.ID})
				return len(sched) == 1, err
			})
			sched, err := st.InboxSchedule(ctx, []int64{quiet.ID})
			if err != nil {
				t.Fatal(err)
			}
			if until := time.Until(sched[quiet.ID].NextAt); until < 30*time.Second {
				t.Fatalf("the quiet account is read again in %s; the test needs it a minute away", until)
			}
			time.Sleep(2 * time.Second) // the stream is open
			postAs(t, base, "dan", "@quiet are you there?", "")
			sent := time.Now()
			deadline := sent.Add(20 * time.Second)
			for {
				items, _, err := st.ListInbox(ctx, herald.InboxFilter{WorkspaceID: w.ID, AccountID: quiet.ID})
				if err != nil {
					t.Fatal(err)
				}
				if len(items) == 1 {
					t.Logf("the pushed mention was stored %s after it was posted", time.Since(sent).Round(time.Millisecond))
					return
				}
				if time.Now().After(deadline) {
					t.Fatalf("the mention is not in the inbox 20 s after it was pushed (the account's next poll: %s)",
						sched[quiet.ID].NextAt.Format(time.StampMilli))
				}
				time.Sleep(100 * time.Millisecond)
			}
		})
	}
}
