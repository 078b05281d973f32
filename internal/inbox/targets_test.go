package inbox_test

import (
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/heraldsocial/herald/internal/herald"
	"github.com/heraldsocial/herald/internal/inbox"
	"github.com/heraldsocial/herald/internal/teststore"
)

func TestResponseTargetDatesAndTellsOnce(t *testing.T) {
	teststore.Each(t, func(t *testing.T, st herald.Store) {
		ctx := t.Context()
		w := mustWorld(t, st)
		// Before any target, items get no due time.
		first := w.add(t, "before the target")[0]
		it, err := st.GetInboxItem(ctx, w.ws, first.ID)
		if err != nil || it.DueAt != nil {
			t.Fatalf("item before a target: due %v, %v", it.DueAt, err)
		}

		// Bad targets are refused with what to fix.
		_, err = w.svc.SetTarget(ctx, w.owner, herald.InboxTarget{FirstResponseMinutes: 60, Days: []int{1, 9},
			StartMinute: 17 * 60, EndMinute: 9 * 60})
		he := wantCode(t, err, herald.CodeInvalid, "bad target")
		var fields []string
		for _, d := range he.Details {
			fields = append(fields, d.Field)
		}
		if !slices.Contains(fields, "days") || !slices.Contains(fields, "hours") {
			t.Fatalf("bad target details %+v", he.Details)
		}
		_, err = w.svc.SetTarget(ctx, w.owner, herald.InboxTarget{FirstResponseMinutes: inbox.MaxTargetMinutes + 1, Always: true})
		wantCode(t, err, herald.CodeInvalid, "target over a week")
		_, err = w.svc.SetTarget(ctx, w.editor, herald.InboxTarget{FirstResponseMinutes: 60, Always: true})
		wantCode(t, err, herald.CodeForbidden, "editor sets the target")

		// A one-hour target counted every hour: the waiting item is
		// re-dated, new ones are dated on arrival.
		tg, err := w.svc.SetTarget(ctx, w.owner, herald.InboxTarget{FirstResponseMinutes: 60, Always: true})
		if err != nil {
			t.Fatal(err)
		}
		if got, err := w.svc.Target(ctx, w.client); err != nil || got.FirstResponseMinutes != 60 || !got.Always {
			t.Fatalf("target read back %+v, %v (set %+v)", got, err, tg)
		}
		it, _ = st.GetInboxItem(ctx, w.ws, first.ID)
		if it.DueAt == nil || !it.DueAt.Equal(it.CreatedAt.Add(time.Hour).Truncate(time.Microsecond)) {
			t.Fatalf("re-dated due %v, want created %v + 1h", it.DueAt, it.CreatedAt)
		}
		second := w.add(t, "after the target")[0]
		it2, _ := st.GetInboxItem(ctx, w.ws, second.ID)
		if it2.DueAt == nil {
			t.Fatal("new item not dated")
		}

		// Nothing is overdue yet; two hours on, both are, and each is told
		// once; the assigned one goes to its assignee.
		*w.notes = nil
		if n, err := w.svc.NotifyOverdue(ctx, time.Now()); err != nil || n != 0 {
			t.Fatalf("NotifyOverdue now: %d, %v", n, err)
		}
		if err := st.AssignInbox(ctx, w.ws, []int64{second.ID}, &w.editor.UserID); err != nil {
			t.Fatal(err)
		}
		later := time.Now().Add(2 * time.Hour)
		n, err := w.svc.NotifyOverdue(ctx, later)
		if err != nil || n != 2 {
			t.Fatalf("NotifyOverdue later: %d, %v", n, err)
		}
		if n, _ := w.svc.NotifyOverdue(ctx, later.Add(time.Hour)); n != 0 {
			t.Fatalf("told again: %d", n)
		}
		if len(*w.notes) != 2 {
			t.Fatalf("notifications %+v", *w.notes)
		}
		for _, nt := range *w.notes {
			if nt.Kind != herald.NotifyInboxOverdue || nt.Key == "" || !strings.Contains(nt.Message, "first-response target") {
				t.Fatalf("notification %+v", nt)
			}
			if nt.InboxItemID == second.ID && !slices.Equal(nt.UserIDs, []int64{w.editor.UserID}) {
				t.Fatalf("assigned item told to %v, want the editor", nt.UserIDs)
			}
			if nt.InboxItemID == first.ID && len(nt.UserIDs) != 0 {
				t.Fatalf("unassigned item told to %v, want the workspace's channels", nt.UserIDs)
			}
		}
		// Turning the target off clears the waiting items' due times.
		if _, err := w.svc.SetTarget(ctx, w.owner, herald.InboxTarget{}); err != nil {
			t.Fatal(err)
		}
		it, _ = st.GetInboxItem(ctx, w.ws, first.ID)
		if it.DueAt != nil {
			t.Fatalf("due %v after the target was turned off", it.DueAt)
		}
	})
}
