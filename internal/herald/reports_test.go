package herald_test

import (
	"testing"
	"time"

	"github.com/heraldsocial/herald/internal/herald"
)

func TestReportTimes(t *testing.T) {
	paris, err := time.LoadLocation("Europe/Paris")
	if err != nil {
		t.Fatal(err)
	}
	// Wednesday 2026-03-25 10:00 in Paris: the next Monday 08:00 is
	// 2026-03-30, after the clocks went forward (UTC+2).
	wed := time.Date(2026, 3, 25, 10, 0, 0, 0, paris)
	if got := herald.NextReportRun(herald.ReportWeekly, wed, paris); !got.Equal(time.Date(2026, 3, 30, 6, 0, 0, 0, time.UTC)) {
		t.Errorf("weekly after %v = %v", wed, got)
	}
	// Monday 08:00 itself: the next one, a week later.
	mon := time.Date(2026, 3, 30, 8, 0, 0, 0, paris)
	if got := herald.NextReportRun(herald.ReportWeekly, mon, paris); !got.Equal(mon.AddDate(0, 0, 7).UTC()) {
		t.Errorf("weekly at a run = %v", got)
	}
	if got := herald.NextReportRun(herald.ReportMonthly, wed, paris); !got.Equal(time.Date(2026, 4, 1, 6, 0, 0, 0, time.UTC)) {
		t.Errorf("monthly = %v", got)
	}
	dec := time.Date(2026, 12, 1, 8, 0, 0, 0, paris)
	if got := herald.NextReportRun(herald.ReportMonthly, dec, paris); !got.Equal(time.Date(2027, 1, 1, 7, 0, 0, 0, time.UTC)) {
		t.Errorf("monthly across the year = %v", got)
	}
	if from, to := herald.ReportPeriod(herald.ReportWeekly, mon, paris); from != "2026-03-23" || to != "2026-03-29" {
		t.Errorf("weekly period = %s – %s", from, to)
	}
	if from, to := herald.ReportPeriod(herald.ReportMonthly, time.Date(2026, 3, 1, 8, 0, 0, 0, paris), paris); from != "2026-02-01" || to != "2026-02-28" {
		t.Errorf("monthly period = %s – %s", from, to)
	}
	bad := herald.ReportSchedule{Name: "", Every: "daily", Recipients: []string{"Ana <ana@example.com>"}}
	err = bad.Validate()
	he, ok := err.(*herald.Error)
	if !ok || len(he.Details) != 3 {
		t.Fatalf("validate = %v", err)
	}
}
