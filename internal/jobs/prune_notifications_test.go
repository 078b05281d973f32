package jobs_test

import (
	"testing"
	"time"

	"github.com/heraldsocial/herald/internal/herald"
	"github.com/heraldsocial/herald/internal/jobs"
)

// TestPruneNotifications: at start (as every hour) the job deletes a
// notification read 31 days ago and an unread one of 181 days, and keeps
// a read one of 29 days and an unread one of 179.
func TestPruneNotifications(t *testing.T) {
	for _, drv := range drivers() {
		t.Run(drv.name, func(t *testing.T) {
			st := drv.open(t)
			d, _ := deps(t, st)
			ctx := t.Context()
			w := mustWorkspace(t, st)
			u := herald.User{Email: "ann@example.com", Name: "Ann"}
			if err := st.CreateUser(ctx, &u); err != nil {
				t.Fatal(err)
			}
			now := time.Now().UTC()
			day := 24 * time.Hour
			var ns []herald.UserNotification
			for i, age := range []time.Duration{31 * day, 29 * day, 181 * day, 179 * day} {
				ns = append(ns, herald.UserNotification{UserID: u.ID, Notification: herald.Notification{
					Kind: herald.NotifyMentioned, WorkspaceID: w.ID, Message: "hi", Key: string(rune('a' + i)), At: now.Add(-age)}})
			}
			if _, err := st.AddNotifications(ctx, ns); err != nil {
				t.Fatal(err)
			}
			if _, err := st.MarkNotifications(ctx, w.ID, u.ID, []int64{ns[0].ID, ns[1].ID}, true, now); err != nil {
				t.Fatal(err)
			}
			mustStart(t, jobs.Config{MetricsEvery: -1, InboxEvery: -1, CheckEvery: -1}, d)
			waitFor(t, "the old notifications deleted", func() (bool, error) {
				p, err := st.ListNotifications(ctx, w.ID, u.ID, herald.NotificationFilter{})
				if err != nil || len(p.Items) != 2 {
					return false, err
				}
				return p.Items[0].ID == ns[3].ID && p.Items[1].ID == ns[1].ID, nil
			})
		})
	}
}
