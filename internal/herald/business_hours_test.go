package herald

import (
	"testing"
	"time"
)

func TestBusinessHours(t *testing.T) {
	paris, err := time.LoadLocation("Europe/Paris")
	if err != nil {
		t.Fatal(err)
	}
	weekdays := [7]bool{time.Monday: true, time.Tuesday: true, time.Wednesday: true, time.Thursday: true, time.Friday: true}
	every := [7]bool{true, true, true, true, true, true, true}
	office := BusinessHours{Days: weekdays, Start: 9 * 60, End: 17 * 60, Loc: paris}
	night := BusinessHours{Days: every, Start: 60, End: 4 * 60, Loc: paris} // 01:00–04:00
	allDay := BusinessHours{Days: every, Start: 0, End: 24 * 60, Loc: paris}
	at := func(s string) time.Time {
		tm, err := time.ParseInLocation("2006-01-02 15:04", s, paris)
		if err != nil {
			t.Fatal(err)
		}
		return tm
	}
	for _, tc := range []struct {
		name     string
		b        BusinessHours
		from, to string
		want     time.Duration
	}{
		{"always", BusinessHours{Always: true}, "2026-12-04 22:00", "2026-12-05 01:30", 3*time.Hour + 30*time.Minute},
		{"within a day", office, "2026-12-03 10:00", "2026-12-03 11:15", 75 * time.Minute},
		{"before opening", office, "2026-12-03 07:00", "2026-12-03 09:30", 30 * time.Minute},
		{"overnight", office, "2026-12-03 16:00", "2026-12-04 10:00", 2 * time.Hour},
		{"over the weekend", office, "2026-12-04 16:30", "2026-12-07 09:45", 75 * time.Minute},
		{"all weekend", office, "2026-12-05 08:00", "2026-12-06 20:00", 0},
		{"a working week", office, "2026-11-30 00:00", "2026-12-07 00:00", 40 * time.Hour},
		{"backwards", office, "2026-12-03 11:00", "2026-12-03 10:00", 0},
		{"clocks forward at 02:00", night, "2026-03-29 00:00", "2026-03-29 12:00", 2 * time.Hour},
		{"clocks back at 03:00", night, "2026-10-25 00:00", "2026-10-25 12:00", 4 * time.Hour},
		{"a 23-hour day", allDay, "2026-03-29 00:00", "2026-03-30 00:00", 23 * time.Hour},
		{"a 25-hour day", allDay, "2026-10-25 00:00", "2026-10-26 00:00", 25 * time.Hour},
	} {
		if got := tc.b.Elapsed(at(tc.from), at(tc.to)); got != tc.want {
			t.Errorf("%s: Elapsed(%s, %s) = %s; want %s", tc.name, tc.from, tc.to, got, tc.want)
		}
	}

	for _, tc := range []struct {
		name   string
		b      BusinessHours
		from   string
		target time.Duration
		want   string
	}{
		{"always", BusinessHours{Always: true}, "2026-12-04 23:30", time.Hour, "2026-12-05 00:30"},
		{"same day", office, "2026-12-03 10:00", time.Hour, "2026-12-03 11:00"},
		{"after hours", office, "2026-12-03 18:00", time.Hour, "2026-12-04 10:00"},
		{"into Monday", office, "2026-12-04 16:30", time.Hour, "2026-12-07 09:30"},
		{"exactly the close", office, "2026-12-03 16:00", time.Hour, "2026-12-03 17:00"},
		{"clocks forward", night, "2026-03-29 00:00", 2*time.Hour + 30*time.Minute, "2026-03-30 01:30"},
		{"clocks back", night, "2026-10-25 00:30", 4 * time.Hour, "2026-10-25 04:00"},
	} {
		got, ok := tc.b.Deadline(at(tc.from), tc.target)
		if !ok || !got.Equal(at(tc.want)) {
			t.Errorf("%s: Deadline(%s, %s) = %s, %v; want %s", tc.name, tc.from, tc.target, got.In(paris), ok, tc.want)
		}
		// Elapsed and Deadline agree.
		if e := tc.b.Elapsed(at(tc.from), got); e != tc.target {
			t.Errorf("%s: Elapsed up to the deadline = %s; want %s", tc.name, e, tc.target)
		}
	}
	if _, ok := (BusinessHours{Start: 0, End: 60, Loc: paris}).Deadline(at("2026-12-03 10:00"), time.Minute); ok {
		t.Error("Deadline found a time though no day counts")
	}
	for _, bad := range []BusinessHours{
		{Days: weekdays, Start: 17 * 60, End: 9 * 60},
		{Days: weekdays, Start: 0, End: 25 * 60},
		{Start: 9 * 60, End: 17 * 60},
	} {
		if ErrorCode(bad.Validate()) != CodeInvalid {
			t.Errorf("Validate(%+v) = %v; want invalid", bad, bad.Validate())
		}
	}
	if err := office.Validate(); err != nil {
		t.Errorf("Validate(office) = %v", err)
	}
}
