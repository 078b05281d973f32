package jobs_test

import (
	"context"
	"testing"
	"time"

	"github.com/heraldsocial/herald/internal/connector"
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

// changingPlatform is the test platform whose stream tells of an edit and
// a deletion once it is open.
type changingPlatform struct {
	*fake.Connector
}

func (changingPlatform) WatchInbox(ctx context.Context, _ connector.Account, on connector.InboxSignals) error {
	on.Edit("p-edit", "@quiet the box was damaged", time.Date(2026, 12, 1, 10, 0, 0, 0, time.UTC))
	on.Edit("p-same", "@quiet unchanged", time.Now()) // only its look changed
	on.Delete("p-gone")
	on.Delete("never-came-here")
	<-ctx.Done()
	return nil
}

// TestStreamRecordsEditsAndDeletions: what an account's stream tells of
// its inbox items' edits and deletions is recorded on them; posts that
// never came to the inbox are passed over.
func TestStreamRecordsEditsAndDeletions(t *testing.T) {
	for _, drv := range drivers() {
		t.Run(drv.name, func(t *testing.T) {
			st := drv.open(t)
			d, _ := deps(t, st)
			ctx := t.Context()
			_, base := startPlatform(t)
			reg := connector.NewRegistry()
			reg.Register(herald.PlatformFake, changingPlatform{fake.New(nil)})
			d.Connectors = reg
			w := mustWorkspace(t, st)
			quiet := mustAccount(t, st, d.Keys, herald.Account{WorkspaceID: w.ID, Platform: herald.PlatformFake,
				RemoteID: "quiet", Status: herald.AccountConnected},
				fake.MarshalCredentials(fake.Credentials{BaseURL: base, AccessToken: "quiet"}))
			now := time.Now().UTC()
			items := []herald.InboxItem{
				{WorkspaceID: w.ID, AccountID: quiet.ID, RemoteID: "p-edit", Text: "@quiet the box", CreatedAt: now, FetchedAt: now},
				{WorkspaceID: w.ID, AccountID: quiet.ID, RemoteID: "p-same", Text: "@quiet unchanged", CreatedAt: now, FetchedAt: now},
				{WorkspaceID: w.ID, AccountID: quiet.ID, RemoteID: "p-gone", Text: "@quiet bye", CreatedAt: now, FetchedAt: now},
			}
			if _, err := st.AddInboxItems(ctx, items); err != nil {
				t.Fatal(err)
			}
			mustStart(t, jobs.Config{MetricsEvery: -1}, d)
			waitFor(t, "the deletion recorded", func() (bool, error) {
				it, err := st.GetInboxItem(ctx, w.ID, items[2].ID)
				return it.DeletedAt != nil, err
			})
			edited, err := st.GetInboxItem(ctx, w.ID, items[0].ID)
			if err != nil || edited.Text != "@quiet the box was damaged" || edited.EditedAt == nil ||
				!edited.EditedAt.Equal(time.Date(2026, 12, 1, 10, 0, 0, 0, time.UTC)) {
				t.Fatalf("edited item %+v, %v", edited, err)
			}
			if same, err := st.GetInboxItem(ctx, w.ID, items[1].ID); err != nil || same.EditedAt != nil {
				t.Fatalf("an item whose text did not change is marked edited: %+v, %v", same, err)
			}
		})
	}
}
