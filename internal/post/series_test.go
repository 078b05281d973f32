package post

import (
	"testing"
	"time"

	"github.com/heraldsocial/herald/internal/herald"
)

func TestOccurrencesAcrossDST(t *testing.T) {
	cases := []struct {
		name, zone, rule string
		start            string // local wall time, 2006-01-02 15:04
		days             int    // window after the start
		want             []string
	}{
		{"New York spring forward: 09:00 stays 09:00", "America/New_York", "FREQ=DAILY", "2026-03-06 09:00", 3,
			[]string{"2026-03-07T14:00:00Z", "2026-03-08T13:00:00Z", "2026-03-09T13:00:00Z"}},
		{"New York fall back", "America/New_York", "FREQ=DAILY", "2026-10-30 09:00", 3,
			[]string{"2026-10-31T13:00:00Z", "2026-11-01T14:00:00Z", "2026-11-02T14:00:00Z"}},
		{"Paris spring forward", "Europe/Paris", "FREQ=DAILY", "2026-03-27 09:00", 3,
			[]string{"2026-03-28T08:00:00Z", "2026-03-29T07:00:00Z", "2026-03-30T07:00:00Z"}},
		{"Paris fall back", "Europe/Paris", "FREQ=DAILY", "2026-10-23 09:00", 3,
			[]string{"2026-10-24T07:00:00Z", "2026-10-25T08:00:00Z", "2026-10-26T08:00:00Z"}},
		{"weekly on Monday across the Paris change", "Europe/Paris", "FREQ=WEEKLY;BYDAY=MO", "2026-03-23 18:30", 14,
			[]string{"2026-03-30T16:30:00Z", "2026-04-06T16:30:00Z"}},
		{"count ends the series", "Europe/Paris", "FREQ=DAILY;COUNT=2", "2026-05-01 12:00", 10,
			[]string{"2026-05-02T10:00:00Z"}},
		{"monthly on the first Tuesday", "America/New_York", "FREQ=MONTHLY;BYDAY=1TU", "2026-02-03 10:00", 70,
			[]string{"2026-03-03T15:00:00Z", "2026-04-07T14:00:00Z"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			loc := mustLoc(t, c.zone)
			start, err := time.ParseInLocation("2006-01-02 15:04", c.start, loc)
			if err != nil {
				t.Fatal(err)
			}
			got, err := Occurrences(c.rule, start, start, start.AddDate(0, 0, c.days), MaxSeriesOccurrences)
			if err != nil {
				t.Fatal(err)
			}
			var gs []string
			for _, g := range got {
				gs = append(gs, g.Format(time.RFC3339))
			}
			if len(gs) != len(c.want) {
				t.Fatalf("got %v, want %v", gs, c.want)
			}
			for i := range gs {
				if gs[i] != c.want[i] {
					t.Fatalf("got %v, want %v", gs, c.want)
				}
			}
		})
	}
}

func TestOccurrencesCap(t *testing.T) {
	start := time.Date(2026, 1, 1, 9, 0, 0, 0, time.UTC)
	got, err := Occurrences("FREQ=DAILY;BYHOUR=9,12,18", start, start, start.AddDate(0, 0, 30), MaxSeriesOccurrences)
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != MaxSeriesOccurrences {
		t.Fatalf("got %d occurrences, want the cap %d", len(got), MaxSeriesOccurrences)
	}
}

func TestCheckRecurrence(t *testing.T) {
	cases := []struct {
		rule, want string
		ok         bool
	}{
		{"", "", true},
		{"FREQ=WEEKLY;BYDAY=MO", "FREQ=WEEKLY;BYDAY=MO", true},
		{" RRULE:FREQ=DAILY ", "FREQ=DAILY", true},
		{"FREQ=HOURLY", "", false},
		{"FREQ=MINUTELY;INTERVAL=5", "", false},
		{"DTSTART:20260101T090000Z\nFREQ=DAILY", "", false},
		{"FREQ=DAILY;DTSTART=20260101T090000Z", "", false},
		{"every day", "", false},
		{"BYDAY=MO", "", false},
		{"FREQ=WEEKLY;BYDAY=XX", "", false},
		{"FREQ=DAILY;BYHOUR=9,12,18", "FREQ=DAILY;BYHOUR=9,12,18", true},
		{"FREQ=DAILY;BYHOUR=0,6,12,18", "FREQ=DAILY;BYHOUR=0,6,12,18", true},
		{"FREQ=DAILY;BYHOUR=0,1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17,18,19,20,21,22,23;" +
			"BYMINUTE=0,1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17,18,19,20,21,22,23,24,25,26,27,28,29,30,31,32,33,34,35,36,37,38,39,40,41,42,43,44,45,46,47,48,49,50,51,52,53,54,55,56,57,58,59;" +
			"BYSECOND=0,1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17,18,19,20,21,22,23,24,25,26,27,28,29,30,31,32,33,34,35,36,37,38,39,40,41,42,43,44,45,46,47,48,49,50,51,52,53,54,55,56,57,58,59", "", false},
		{"FREQ=DAILY;BYHOUR=9,10,11,12,13", "", false},
		{"FREQ=DAILY;BYHOUR=9;BYSECOND=0,1", "", false},
		{"FREQ=WEEKLY;BYDAY=MO;BYHOUR=9;BYMINUTE=0,30", "", false},
		{"FREQ=DAILY;BYHOUR=0,23;BYMINUTE=30", "FREQ=DAILY;BYHOUR=0,23;BYMINUTE=30", true},
		{"FREQ=MONTHLY;BYMONTHDAY=1;BYHOUR=8,8,8;BYMINUTE=0", "FREQ=MONTHLY;BYMONTHDAY=1;BYHOUR=8,8,8;BYMINUTE=0", true},
	}
	for _, c := range cases {
		t.Run(c.rule, func(t *testing.T) {
			got, err := checkRecurrence(c.rule)
			if c.ok {
				if err != nil || got != c.want {
					t.Fatalf("got %q, %v; want %q", got, err, c.want)
				}
				return
			}
			he, isHerald := err.(*herald.Error)
			if !isHerald || he.Code != herald.CodeInvalid || len(he.Details) == 0 || he.Details[0].Field != "recurrence" {
				t.Fatalf("got %q, %v; want an invalid recurrence", got, err)
			}
		})
	}
}

// TestOccurrencesSkippedHourOnce checks that two local times that a clock
// change turns into one instant (02:30 does not exist on the spring-forward
// day in Paris and becomes 03:30) give one occurrence, not two.
func TestOccurrencesSkippedHourOnce(t *testing.T) {
	paris, err := time.LoadLocation("Europe/Paris")
	if err != nil {
		t.Skip("no time zone data")
	}
	start := time.Date(2026, 3, 28, 2, 30, 0, 0, paris)
	got, err := Occurrences("FREQ=DAILY;BYHOUR=2,3", start, start.Add(-time.Second), start.Add(72*time.Hour), 20)
	if err != nil {
		t.Fatal(err)
	}
	for i := 1; i < len(got); i++ {
		if !got[i].After(got[i-1]) {
			t.Fatalf("occurrence %d (%v) repeats or precedes %v", i, got[i], got[i-1])
		}
	}
	if len(got) != 7 {
		t.Fatalf("got %d occurrences %v, want 7 (two a day, one on the 29th)", len(got), got)
	}
}
