package storetest

import (
	"slices"
	"testing"
	"time"

	"github.com/heraldsocial/herald/internal/herald"
)

// inboxTargetTests check response targets, due times, the overdue filter
// and list, and the report's rows.
func inboxTargetTests() []test {
	return []test{
		{"TargetDueOverdueReport", func(t *testing.T, s herald.Store) {
			ctx := t.Context()
			w := mustWorld(t, s)
			got, err := s.GetInboxTarget(ctx, w.ws.ID)
			noErr(t, err, "GetInboxTarget before any")
			if got.On() || got.Days == nil {
				t.Fatalf("default target %+v, want off with no days", got)
			}
			tg := herald.InboxTarget{WorkspaceID: w.ws.ID, FirstResponseMinutes: 60, Days: []int{1, 2, 3, 4, 5},
				StartMinute: 9 * 60, EndMinute: 17 * 60, UpdatedAt: at(0)}
			noErr(t, s.SetInboxTarget(ctx, &tg), "SetInboxTarget")
			tg.FirstResponseMinutes, tg.Always = 30, true
			noErr(t, s.SetInboxTarget(ctx, &tg), "SetInboxTarget again")
			got, err = s.GetInboxTarget(ctx, w.ws.ID)
			noErr(t, err, "GetInboxTarget")
			if got.FirstResponseMinutes != 30 || !got.Always || !slices.Equal(got.Days, []int{1, 2, 3, 4, 5}) ||
				got.StartMinute != 540 || got.EndMinute != 1020 {
				t.Fatalf("target %+v", got)
			}

			a := mustInbox(t, s, w.ws.ID, w.account.ID, "a", "first", 0)
			b := mustInbox(t, s, w.ws.ID, w.account.ID, "b", "second", time.Minute)
			c := mustInbox(t, s, w.ws.ID, w.account.ID, "c", "third", 2*time.Minute)
			d := mustInbox(t, s, w.ws.ID, w.account.ID, "d", "no target", 3*time.Minute)
			due := func(m time.Duration) *time.Time { v := at(m); return &v }
			noErr(t, s.SetInboxDue(ctx, w.ws.ID, map[int64]*time.Time{a.ID: due(time.Hour), b.ID: due(2 * time.Hour),
				c.ID: due(3 * time.Hour), d.ID: nil}), "SetInboxDue")
			it, err := s.GetInboxItem(ctx, w.ws.ID, a.ID)
			noErr(t, err, "GetInboxItem")
			if it.DueAt == nil {
				t.Fatal("due time not kept")
			}
			wantTime(t, "due", *it.DueAt, at(time.Hour))
			// b is answered, c is done: neither is overdue.
			noErr(t, s.MarkInboxResponded(ctx, w.ws.ID, b.ID, at(90*time.Minute)), "MarkInboxResponded")
			noErr(t, s.SetInboxState(ctx, w.ws.ID, []int64{c.ID}, herald.InboxDone, w.owner.ID, at(100*time.Minute)), "SetInboxState")
			late := at(4 * time.Hour)
			wantIDs(t, "overdue filter", inboxList(t, s, herald.InboxFilter{WorkspaceID: w.ws.ID, OverdueAt: &late}), []int64{a.ID})
			early := at(30 * time.Minute)
			wantIDs(t, "overdue filter before any is due", inboxList(t, s, herald.InboxFilter{WorkspaceID: w.ws.ID, OverdueAt: &early}), nil)
			awaiting, err := s.ListInboxAwaiting(ctx, w.ws.ID, 10)
			noErr(t, err, "ListInboxAwaiting")
			wantIDs(t, "awaiting", ids(awaiting), []int64{d.ID, a.ID})

			over, err := s.ListInboxOverdue(ctx, late, 10)
			noErr(t, err, "ListInboxOverdue")
			if !slices.Contains(ids(over), a.ID) || slices.Contains(ids(over), b.ID) || slices.Contains(ids(over), c.ID) ||
				slices.Contains(ids(over), d.ID) {
				t.Fatalf("overdue %v, want a only of this workspace's", ids(over))
			}
			noErr(t, s.MarkInboxOverdueNotified(ctx, []int64{a.ID}, late), "MarkInboxOverdueNotified")
			over, err = s.ListInboxOverdue(ctx, late, 10)
			noErr(t, err, "ListInboxOverdue after notifying")
			if slices.Contains(ids(over), a.ID) {
				t.Fatal("a is listed again after it was told")
			}

			// The report: b's first reply was sent by the owner.
			lease := at(time.Hour)
			r := herald.Reply{WorkspaceID: w.ws.ID, ItemID: b.ID, UserID: &w.owner.ID, Key: "k-" + unique(), Text: "hi",
				LeaseUntil: &lease, CreatedAt: at(80 * time.Minute)}
			_, _, err = s.BeginReply(ctx, &r)
			noErr(t, err, "BeginReply")
			ok, err := s.FinishReply(ctx, w.ws.ID, r.ID, 1, herald.ReplySent, herald.RemoteRef{ID: "x"}, "", at(90*time.Minute))
			if err != nil || !ok {
				t.Fatalf("FinishReply: %v %v", ok, err)
			}
			rows, err := s.InboxReportRows(ctx, w.ws.ID, at(0), at(3*time.Minute))
			noErr(t, err, "InboxReportRows")
			if len(rows) != 3 || rows[0].ItemID != a.ID || rows[1].ItemID != b.ID || rows[2].ItemID != c.ID {
				t.Fatalf("report rows %+v, want a, b, c (d is outside the period)", rows)
			}
			if rows[0].FirstResponseAt != nil || rows[0].FirstResponder != 0 || rows[0].DoneAt != nil {
				t.Fatalf("a's row %+v", rows[0])
			}
			if rows[1].FirstResponseAt == nil || rows[1].FirstResponder != w.owner.ID {
				t.Fatalf("b's row %+v, want answered by the owner", rows[1])
			}
			wantTime(t, "b answered", *rows[1].FirstResponseAt, at(90*time.Minute))
			if rows[2].DoneAt == nil || rows[2].State != herald.InboxDone {
				t.Fatalf("c's row %+v, want done", rows[2])
			}
			wantTime(t, "c done", *rows[2].DoneAt, at(100*time.Minute))
		}},
	}
}

func ids(items []herald.InboxItem) []int64 {
	out := make([]int64, len(items))
	for i, it := range items {
		out[i] = it.ID
	}
	return out
}

// inboxStreamTests check the push-stream leases.
func inboxStreamTests() []test {
	return []test{
		{"StreamLeases", func(t *testing.T, s herald.Store) {
			ctx := t.Context()
			w := mustWorld(t, s)
			a := w.account.ID
			claim := func(holder string, until, now time.Duration) bool {
				t.Helper()
				ok, err := s.ClaimInboxStream(ctx, a, holder, at(until), at(now))
				noErr(t, err, "ClaimInboxStream")
				return ok
			}
			if !claim("one", time.Minute, 0) {
				t.Fatal("a free stream is not given")
			}
			if claim("two", time.Minute, 30*time.Second) {
				t.Fatal("a held stream is given to another before its lease ends")
			}
			if !claim("one", 2*time.Minute, 30*time.Second) {
				t.Fatal("the holder cannot renew")
			}
			if !claim("two", 3*time.Minute, 2*time.Minute) {
				t.Fatal("an ended lease is not given to another")
			}
			noErr(t, s.ReleaseInboxStream(ctx, a, "one"), "release by a former holder")
			if claim("one", 4*time.Minute, 2*time.Minute) {
				t.Fatal("a release by a former holder freed the stream")
			}
			noErr(t, s.ReleaseInboxStream(ctx, a, "two"), "ReleaseInboxStream")
			if !claim("one", 4*time.Minute, 2*time.Minute) {
				t.Fatal("a released stream is not given")
			}
			if _, err := s.ClaimInboxStream(ctx, 1<<40, "one", at(time.Minute), at(0)); herald.ErrorCode(err) != herald.CodeConflict {
				t.Fatalf("claim for an unknown account = %v, want conflict", err)
			}
		}},
	}
}
