package storetest

import (
	"testing"
	"time"

	"github.com/heraldsocial/herald/internal/herald"
)

func reportTests() []test {
	return []test{
		{"Schedules", func(t *testing.T, s herald.Store) {
			ctx := t.Context()
			w := mustWorld(t, s)
			camp := mustCampaign(t, s, w.ws.ID, "Spring")
			r := herald.ReportSchedule{WorkspaceID: w.ws.ID, Name: " Weekly for the client ", CampaignID: camp.ID,
				Every: herald.ReportWeekly, Recipients: []string{"ana@example.com", "cli@example.org"},
				NextRunAt: at(24 * time.Hour), CreatedBy: w.owner.ID, CreatedAt: at(0), UpdatedAt: at(0)}
			noErr(t, s.CreateReportSchedule(ctx, &r), "CreateReportSchedule")
			if r.ID == 0 || r.Name != "Weekly for the client" {
				t.Fatalf("created %+v", r)
			}
			got, err := s.GetReportSchedule(ctx, w.ws.ID, r.ID)
			noErr(t, err, "GetReportSchedule")
			same(t, "schedule", got, r)
			list, err := s.ListReportSchedules(ctx, w.ws.ID)
			noErr(t, err, "ListReportSchedules")
			same(t, "list", list, []herald.ReportSchedule{r})
			other := mustWorld(t, s)
			_, err = s.GetReportSchedule(ctx, other.ws.ID, r.ID)
			wantNotFound(t, err, "another workspace's schedule")
			wantNotFound(t, s.DeleteReportSchedule(ctx, other.ws.ID, r.ID), "deleting another workspace's schedule")
			bad := herald.ReportSchedule{WorkspaceID: w.ws.ID, Name: "x", Every: "daily", Recipients: []string{"not an address"}}
			err = s.CreateReportSchedule(ctx, &bad)
			if herald.ErrorCode(err) != herald.CodeInvalid {
				t.Fatalf("a bad schedule: %v", err)
			}
			noErr(t, s.DeleteReportSchedule(ctx, w.ws.ID, r.ID), "DeleteReportSchedule")
			_, err = s.GetReportSchedule(ctx, w.ws.ID, r.ID)
			wantNotFound(t, err, "a deleted schedule")
		}},
		{"RunsOnce", func(t *testing.T, s herald.Store) {
			ctx := t.Context()
			w := mustWorld(t, s)
			due := at(24 * time.Hour)
			r := herald.ReportSchedule{WorkspaceID: w.ws.ID, Name: "Monthly", Every: herald.ReportMonthly,
				Recipients: []string{"ana@example.com"}, NextRunAt: due, CreatedBy: w.owner.ID}
			noErr(t, s.CreateReportSchedule(ctx, &r), "CreateReportSchedule")
			later := herald.ReportSchedule{WorkspaceID: w.ws.ID, Name: "Later", Every: herald.ReportWeekly,
				Recipients: []string{"ana@example.com"}, NextRunAt: due.Add(time.Hour), CreatedBy: w.owner.ID}
			noErr(t, s.CreateReportSchedule(ctx, &later), "CreateReportSchedule")
			list, err := s.DueReportSchedules(ctx, due.Add(time.Minute), 10)
			noErr(t, err, "DueReportSchedules")
			var ids []int64
			for _, d := range list {
				if d.WorkspaceID == w.ws.ID {
					ids = append(ids, d.ID)
				}
			}
			wantIDs(t, "due", ids, []int64{r.ID})
			next := due.Add(30 * 24 * time.Hour)
			run := herald.ReportRun{WorkspaceID: w.ws.ID, ScheduleID: r.ID, At: due.Add(time.Minute), From: "2026-02-01",
				To: "2026-02-28", Recipients: 1}
			ok, err := s.StartReportRun(ctx, &run, due, next)
			noErr(t, err, "StartReportRun")
			if !ok || run.ID == 0 || run.State != herald.ReportSending {
				t.Fatalf("first start: %v %+v", ok, run)
			}
			// A second instance that read the same due time takes nothing.
			again := run
			again.ID = 0
			ok, err = s.StartReportRun(ctx, &again, due, next)
			noErr(t, err, "StartReportRun again")
			if ok || again.ID != 0 {
				t.Fatalf("second start: %v %+v", ok, again)
			}
			got, err := s.GetReportSchedule(ctx, w.ws.ID, r.ID)
			noErr(t, err, "GetReportSchedule")
			wantTime(t, "next run", got.NextRunAt, next)
			noErr(t, s.FinishReportRun(ctx, w.ws.ID, run.ID, herald.ReportFailed, "the mail server refused", due.Add(2*time.Minute)),
				"FinishReportRun")
			runs, err := s.ListReportRuns(ctx, w.ws.ID, r.ID, 10)
			noErr(t, err, "ListReportRuns")
			if len(runs) != 1 || runs[0].State != herald.ReportFailed || runs[0].Error != "the mail server refused" ||
				runs[0].FinishedAt == nil || runs[0].From != "2026-02-01" || runs[0].Recipients != 1 {
				t.Fatalf("runs %+v", runs)
			}
			other := mustWorld(t, s)
			wantNotFound(t, s.FinishReportRun(ctx, other.ws.ID, run.ID, herald.ReportSent, "", due), "another workspace's run")
		}},
	}
}
