package storetest

import (
	"testing"
	"time"

	"github.com/heraldsocial/herald/internal/herald"
)

func inboxSyncTests() []test {
	return []test{
		{"ScheduleSetAndReplaced", func(t *testing.T, s herald.Store) {
			ctx := t.Context()
			w := mustWorld(t, s)
			got, err := s.InboxSchedule(ctx, []int64{w.account.ID})
			noErr(t, err, "InboxSchedule")
			if len(got) != 0 {
				t.Fatalf("a new account has a schedule: %+v", got)
			}
			active := at(10 * time.Minute)
			noErr(t, s.SetInboxSync(ctx, herald.InboxSync{AccountID: w.account.ID, NextAt: at(time.Minute), ActiveUntil: &active}),
				"SetInboxSync")
			noErr(t, s.SetInboxSync(ctx, herald.InboxSync{AccountID: w.account.ID, NextAt: at(2 * time.Minute), ActiveUntil: &active}),
				"SetInboxSync again")
			got, err = s.InboxSchedule(ctx, []int64{w.account.ID, w.account.ID + 1000})
			noErr(t, err, "InboxSchedule")
			x, ok := got[w.account.ID]
			if len(got) != 1 || !ok || x.ActiveUntil == nil {
				t.Fatalf("InboxSchedule = %+v", got)
			}
			wantTime(t, "next at", x.NextAt, at(2*time.Minute))
			wantTime(t, "active until", *x.ActiveUntil, active)
			noErr(t, s.SetInboxSync(ctx, herald.InboxSync{AccountID: w.account.ID, NextAt: at(3 * time.Minute)}), "SetInboxSync quiet")
			got, err = s.InboxSchedule(ctx, []int64{w.account.ID})
			noErr(t, err, "InboxSchedule")
			if got[w.account.ID].ActiveUntil != nil {
				t.Fatalf("quiet again, still active until %v", got[w.account.ID].ActiveUntil)
			}
			if err := s.SetInboxSync(ctx, herald.InboxSync{AccountID: w.account.ID + 1000, NextAt: at(0)}); err == nil {
				t.Fatal("a schedule for an account that does not exist was saved")
			}
		}},
	}
}
