package jobs_test

import (
	"testing"
	"time"

	"github.com/heraldsocial/herald/internal/connector"
	"github.com/heraldsocial/herald/internal/connector/fake"
	"github.com/heraldsocial/herald/internal/herald"
	"github.com/heraldsocial/herald/internal/jobs"
)

// TestCheckInboxRecordsEditsAndDeletions: on the test platform (no
// stream), a fan edits one mention and deletes another; check_inbox, at
// its default schedule (it runs when the runner starts), records the new
// text with its time and the deletion, leaves the third alone, and marks
// all three checked so the next run skips them.
func TestCheckInboxRecordsEditsAndDeletions(t *testing.T) {
	for _, drv := range drivers() {
		t.Run(drv.name, func(t *testing.T) {
			st := drv.open(t)
			d, _ := deps(t, st)
			ctx := t.Context()
			_, base := startPlatform(t)
			c := fake.New(nil)
			fan := connector.Account{Account: herald.Account{Platform: herald.PlatformFake, RemoteID: "fan"},
				Credentials: fake.MarshalCredentials(fake.Credentials{BaseURL: base, AccessToken: "fan"})}
			w := mustWorkspace(t, st)
			quiet := mustAccount(t, st, d.Keys, herald.Account{WorkspaceID: w.ID, Platform: herald.PlatformFake,
				RemoteID: "quiet", Status: herald.AccountConnected},
				fake.MarshalCredentials(fake.Credentials{BaseURL: base, AccessToken: "quiet"}))
			now := time.Now().UTC()
			var items []herald.InboxItem
			for _, text := range []string{"@quiet is the box here?", "@quiet rude words", "@quiet thanks!"} {
				ref, err := c.Publish(ctx, fan, connector.Part{Text: text})
				if err != nil {
					t.Fatal(err)
				}
				items = append(items, herald.InboxItem{WorkspaceID: w.ID, AccountID: quiet.ID, RemoteID: ref.ID,
					AuthorID: "fan", Text: text, CreatedAt: now, FetchedAt: now})
			}
			if _, err := st.AddInboxItems(ctx, items); err != nil {
				t.Fatal(err)
			}
			if _, err := c.Edit(ctx, fan, herald.RemoteRef{ID: items[0].RemoteID}, connector.Part{Text: "@quiet the box came broken"}); err != nil {
				t.Fatal(err)
			}
			if err := c.Delete(ctx, fan, herald.RemoteRef{ID: items[1].RemoteID}); err != nil {
				t.Fatal(err)
			}
			mustStart(t, jobs.Config{MetricsEvery: -1, InboxEvery: -1}, d)
			waitFor(t, "the deletion recorded", func() (bool, error) {
				it, err := st.GetInboxItem(ctx, w.ID, items[1].ID)
				return it.DeletedAt != nil, err
			})
			waitFor(t, "the check recorded", func() (bool, error) {
				due, err := st.InboxToCheck(ctx, quiet.ID, now.Add(-time.Hour), now, 10)
				return len(due) == 0, err
			})
			edited, err := st.GetInboxItem(ctx, w.ID, items[0].ID)
			if err != nil || edited.Text != "@quiet the box came broken" || edited.EditedAt == nil || edited.DeletedAt != nil {
				t.Fatalf("edited item %+v, %v", edited, err)
			}
			if same, err := st.GetInboxItem(ctx, w.ID, items[2].ID); err != nil || same.EditedAt != nil || same.DeletedAt != nil ||
				same.Text != "@quiet thanks!" {
				t.Fatalf("the unchanged item: %+v, %v", same, err)
			}
		})
	}
}
