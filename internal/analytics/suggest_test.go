package analytics

import (
	"slices"
	"testing"
	"time"
)

func TestNextSlots(t *testing.T) {
	ny := mustLoad(t, "America/New_York")
	kolkata := mustLoad(t, "Asia/Kolkata") // UTC+05:30
	at := func(loc *time.Location, month time.Month, day, hour, minute int) time.Time {
		return time.Date(2026, month, day, hour, minute, 0, 0, loc)
	}
	utc := func(month time.Month, day, hour, minute int) time.Time { return at(time.UTC, month, day, hour, minute) }
	cell := func(wd time.Weekday, hour, posts int, median float64) Cell {
		return Cell{Weekday: wd, Hour: hour, Posts: posts, Median: median}
	}
	// 2026-02-02 and 2026-03-02 are Mondays. New York moves its clocks
	// forward at 02:00 on 2026-03-08 and back at 02:00 on 2026-11-01.
	for _, tc := range []struct {
		name  string
		grid  BestTimes
		now   time.Time
		loc   *time.Location
		taken []time.Time
		n     int
		want  []time.Time
	}{
		{
			// Best first; Monday 09:00 has passed today, so next Monday's;
			// Friday 20:00 has too few posts.
			name: "best first, a cell past today next week",
			grid: gridWith(cell(time.Tuesday, 9, 3, 0.05), cell(time.Monday, 9, 4, 0.04),
				cell(time.Monday, 11, 3, 0.03), cell(time.Friday, 20, 2, 0.9)),
			now: at(ny, 2, 2, 10, 0), loc: ny, n: 5,
			want: []time.Time{utc(2, 3, 14, 0), utc(2, 9, 14, 0), utc(2, 2, 16, 0)},
		},
		{
			name: "n is at most",
			grid: gridWith(cell(time.Tuesday, 9, 3, 0.05), cell(time.Monday, 9, 4, 0.04), cell(time.Monday, 11, 3, 0.03)),
			now:  at(ny, 2, 2, 10, 0), loc: ny, n: 2,
			want: []time.Time{utc(2, 3, 14, 0), utc(2, 9, 14, 0)},
		},
		{
			name: "n of 0",
			grid: gridWith(cell(time.Tuesday, 9, 3, 0.05)),
			now:  at(ny, 2, 2, 10, 0), loc: ny, n: 0,
		},
		{
			// 11:00 is 15 minutes away, inside the margin, and next
			// Monday's is past the 7 days.
			name: "too soon today, too late next week",
			grid: gridWith(cell(time.Monday, 11, 3, 0.05), cell(time.Tuesday, 9, 3, 0.03)),
			now:  at(ny, 2, 2, 10, 45), loc: ny, n: 5,
			want: []time.Time{utc(2, 3, 14, 0)},
		},
		{
			name: "exactly the margin away",
			grid: gridWith(cell(time.Monday, 11, 3, 0.05)),
			now:  at(ny, 2, 2, 10, 30), loc: ny, n: 5,
			want: []time.Time{utc(2, 2, 16, 0)},
		},
		{
			// Taken 30 minutes after Tuesday 09:00 and 30 minutes before
			// Thursday 08:00: both too close. 31 minutes before Wednesday
			// 14:00 is not.
			name: "taken within 30 minutes either side",
			grid: gridWith(cell(time.Tuesday, 9, 3, 0.05), cell(time.Wednesday, 14, 3, 0.04), cell(time.Thursday, 8, 3, 0.03)),
			now:  at(ny, 2, 2, 10, 0), loc: ny, n: 5,
			taken: []time.Time{at(ny, 2, 3, 9, 30), at(ny, 2, 4, 13, 29).UTC(), at(ny, 2, 5, 7, 30)},
			want:  []time.Time{utc(2, 4, 19, 0)},
		},
		{
			// Sunday 02:00 does not exist on 03-08; 03:00 is EDT already,
			// and so is Friday's 09:00.
			name: "clocks forward",
			grid: gridWith(cell(time.Sunday, 2, 3, 0.05), cell(time.Sunday, 3, 3, 0.04), cell(time.Friday, 9, 3, 0.03)),
			now:  at(ny, 3, 7, 12, 0), loc: ny, n: 5,
			want: []time.Time{utc(3, 8, 7, 0), utc(3, 13, 13, 0)},
		},
		{
			// From Sunday 00:00 EST the 7 days end at 01:00 EDT the next
			// Sunday: its 00:00 is in, its 01:00 is not (and this Sunday's
			// 01:00 is taken).
			name: "clocks forward, a cell's next week within 7 days",
			grid: gridWith(cell(time.Sunday, 0, 3, 0.05), cell(time.Sunday, 1, 3, 0.04)),
			now:  at(ny, 3, 8, 0, 0), loc: ny, n: 5,
			taken: []time.Time{at(ny, 3, 8, 1, 10)},
			want:  []time.Time{utc(3, 15, 4, 0)},
		},
		{
			// 01:00 comes twice on 11-01: the first, in EDT, is suggested.
			name: "clocks back",
			grid: gridWith(cell(time.Sunday, 1, 3, 0.05), cell(time.Sunday, 3, 3, 0.04)),
			now:  at(ny, 10, 31, 12, 0), loc: ny, n: 5,
			want: []time.Time{utc(11, 1, 5, 0), utc(11, 1, 8, 0)},
		},
		{
			// Monday 22:00 in New York is Tuesday in UTC: the cells are
			// the zone's days.
			name: "the zone's weekday, not UTC's",
			grid: gridWith(cell(time.Monday, 23, 3, 0.05), cell(time.Tuesday, 9, 3, 0.03)),
			now:  at(ny, 2, 2, 22, 0), loc: ny, n: 5,
			want: []time.Time{utc(2, 3, 4, 0), utc(2, 3, 14, 0)},
		},
		{
			name: "a zone half an hour off UTC",
			grid: gridWith(cell(time.Monday, 10, 3, 0.05)),
			now:  at(kolkata, 3, 2, 8, 0), loc: kolkata, n: 5,
			want: []time.Time{utc(3, 2, 4, 30)},
		},
		{
			name: "no zone is UTC",
			grid: gridWith(cell(time.Monday, 10, 3, 0.05)),
			now:  utc(3, 2, 8, 0), n: 5,
			want: []time.Time{utc(3, 2, 10, 0)},
		},
		{
			name: "not enough data anywhere",
			grid: gridWith(cell(time.Monday, 11, 2, 0.5), cell(time.Tuesday, 9, 1, 0.9)),
			now:  at(ny, 2, 2, 10, 0), loc: ny, n: 5,
		},
		{
			name: "every free time taken",
			grid: gridWith(cell(time.Monday, 11, 3, 0.5)),
			now:  at(ny, 2, 2, 10, 0), loc: ny, n: 5, taken: []time.Time{at(ny, 2, 2, 11, 0)},
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got := NextSlots(tc.grid, tc.now, tc.loc, tc.taken, tc.n)
			if got == nil {
				t.Fatal("got nil, want a slice")
			}
			at := make([]time.Time, len(got))
			for i, s := range got {
				at[i] = s.At
			}
			if !slices.EqualFunc(at, tc.want, time.Time.Equal) {
				t.Fatalf("got %v, want %v", at, tc.want)
			}
			loc := tc.loc
			if loc == nil {
				loc = time.UTC
			}
			for _, s := range got {
				lt := s.At.In(loc)
				if s.At.Location() != loc || lt.Minute() != 0 || lt.Weekday() != s.Cell.Weekday || lt.Hour() != s.Cell.Hour || !s.Cell.Enough {
					t.Errorf("%v (in %v) is not on the hour of its cell %+v", s.At, s.At.Location(), s.Cell)
				}
				if s.At.Before(tc.now.Add(SlotMargin)) || !s.At.Before(tc.now.Add(SlotWindow)) {
					t.Errorf("%v is not between the margin and 7 days from %v", s.At, tc.now)
				}
			}
		})
	}
}
