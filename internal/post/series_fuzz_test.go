package post

import (
	"testing"
	"time"
)

// FuzzRecurrence checks any RRULE: checking it never panics; an accepted
// rule checks again to itself (the stored form round-trips); its
// occurrences over the series horizon are at most the cap, strictly
// increasing, inside the window, at most MaxOccurrencesPerDay on any UTC
// day and, in UTC where no clock change interferes, MinOccurrenceGap apart.
func FuzzRecurrence(f *testing.F) {
	for _, s := range []string{
		"FREQ=DAILY", "FREQ=WEEKLY;BYDAY=MO,WE,FR", "RRULE:FREQ=MONTHLY;BYMONTHDAY=-1", "FREQ=YEARLY;BYEASTER=0",
		"FREQ=DAILY;BYHOUR=9,12,18", "FREQ=DAILY;BYHOUR=0,23;BYMINUTE=30", "FREQ=DAILY;BYHOUR=0,1,2,3,4;BYMINUTE=0",
		"FREQ=DAILY;BYSECOND=0,1", "FREQ=MINUTELY", "FREQ=DAILY;COUNT=3", "FREQ=DAILY;UNTIL=20000101T000000Z",
		"FREQ=WEEKLY;INTERVAL=0", "FREQ=MONTHLY;BYSETPOS=-1;BYDAY=MO,TU", "FREQ=DAILY;BYHOUR=24", "FREQ=DAILY;BYMINUTE=-1",
		"FREQ=YEARLY;BYWEEKNO=53;BYDAY=SU", "FREQ=DAILY;WKST=XX", ";;;", "FREQ=DAILY;BYHOUR=2,3",
	} {
		f.Add(s)
	}
	start := time.Date(2026, 3, 28, 2, 30, 0, 0, time.UTC)
	f.Fuzz(func(t *testing.T, rule string) {
		stored, err := checkRecurrence(rule)
		if err != nil || stored == "" {
			return
		}
		again, err := checkRecurrence(stored)
		if err != nil || again != stored {
			t.Fatalf("the stored form %q checks to %q, %v", stored, again, err)
		}
		paris, err := time.LoadLocation("Europe/Paris")
		if err != nil {
			t.Skip("no time zone data")
		}
		for _, dtstart := range []time.Time{start, start.In(paris)} {
			until := dtstart.Add(SeriesHorizon)
			occ, err := Occurrences(stored, dtstart, dtstart.Add(-time.Second), until, MaxSeriesOccurrences)
			if err != nil {
				t.Fatalf("Occurrences of an accepted rule %q: %v", stored, err)
			}
			if len(occ) > MaxSeriesOccurrences {
				t.Fatalf("%d occurrences, over the cap", len(occ))
			}
			perDay := map[string]int{}
			for i, o := range occ {
				if o.Location() != time.UTC || o.Before(dtstart) || o.After(until) {
					t.Fatalf("occurrence %v is outside [%v, %v] or not UTC", o, dtstart, until)
				}
				if i > 0 && !o.After(occ[i-1]) {
					t.Fatalf("occurrences not increasing: %v then %v", occ[i-1], o)
				}
				if i > 0 && dtstart.Location() == time.UTC && o.Sub(occ[i-1]) < MinOccurrenceGap {
					t.Fatalf("%q: %v then %v, closer than %v", stored, occ[i-1], o, MinOccurrenceGap)
				}
				day := o.In(dtstart.Location()).Format(time.DateOnly)
				if perDay[day]++; perDay[day] > MaxOccurrencesPerDay {
					t.Fatalf("%q: more than %d occurrences on %s", stored, MaxOccurrencesPerDay, day)
				}
			}
		}
	})
}
