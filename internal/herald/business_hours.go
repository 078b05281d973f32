package herald

import (
	"fmt"
	"time"
)

// BusinessHours is when a workspace counts response time: every moment
// (Always), or the chosen weekdays between Start and End, in the
// workspace's zone. Days are indexed by time.Weekday.
type BusinessHours struct {
	Always bool
	Days   [7]bool
	// Start and End are minutes after local midnight, 0 ≤ Start < End ≤
	// 1440. On a day the clocks change, a window is measured in real time:
	// 01:00–04:00 lasts two hours when the clocks go forward at 02:00.
	Start, End int
	Loc        *time.Location
}

// maxBusinessDays bounds the day-by-day walks (a little over a year).
const maxBusinessDays = 400

// Validate reports what to fix in b.
func (b BusinessHours) Validate() error {
	if b.Always {
		return nil
	}
	var p Problems
	if b.Start < 0 || b.End > 24*60 || b.Start >= b.End {
		p.Add("hours", "run from %s to %s; the start must come before the end, within one day", clock(b.Start), clock(b.End))
	}
	if b.Days == [7]bool{} {
		p.Add("days", "are none; choose at least one weekday, or count every hour")
	}
	if len(p) > 0 {
		return p.Err("the business hours are not valid")
	}
	return nil
}

// clock writes minutes after midnight as 15:04.
func clock(m int) string { return fmt.Sprintf("%02d:%02d", m/60, m%60) }

// window returns the business window of the local day holding day, or
// ok false when that weekday does not count.
func (b BusinessHours) window(day time.Time) (start, end time.Time, ok bool) {
	if !b.Days[day.Weekday()] {
		return time.Time{}, time.Time{}, false
	}
	y, m, d := day.Date()
	start = time.Date(y, m, d, b.Start/60, b.Start%60, 0, 0, b.Loc)
	end = time.Date(y, m, d, b.End/60, b.End%60, 0, 0, b.Loc)
	return start, end, true
}

// loc is the zone of b, UTC when none is set.
func (b BusinessHours) loc() *time.Location {
	if b.Loc == nil {
		return time.UTC
	}
	return b.Loc
}

// Elapsed returns the business time between from and to (0 when to is
// not after from).
func (b BusinessHours) Elapsed(from, to time.Time) time.Duration {
	if !to.After(from) {
		return 0
	}
	if b.Always {
		return to.Sub(from)
	}
	b.Loc = b.loc()
	var total time.Duration
	y, m, d := from.In(b.Loc).Date()
	days := int(to.Sub(from).Hours()/24) + 2 // every local day the span touches
	for i := 0; i <= days; i++ {
		start, end, ok := b.window(time.Date(y, m, d+i, 12, 0, 0, 0, b.Loc))
		if !ok {
			continue
		}
		start, end = later(start, from), earlier(end, to)
		if end.After(start) {
			total += end.Sub(start)
		}
	}
	return total
}

// Deadline returns when target business time will have passed since
// from; ok is false when the hours never add up to it (no day counts).
func (b BusinessHours) Deadline(from time.Time, target time.Duration) (time.Time, bool) {
	if b.Always {
		return from.Add(target), true
	}
	b.Loc = b.loc()
	left := target
	y, m, d := from.In(b.Loc).Date()
	for i := range maxBusinessDays {
		start, end, ok := b.window(time.Date(y, m, d+i, 12, 0, 0, 0, b.Loc))
		if !ok || !end.After(from) {
			continue
		}
		start = later(start, from)
		avail := end.Sub(start)
		if left <= avail {
			return start.Add(left), true
		}
		left -= avail
	}
	return time.Time{}, false
}

func later(a, b time.Time) time.Time {
	if a.Before(b) {
		return b
	}
	return a
}

func earlier(a, b time.Time) time.Time {
	if a.After(b) {
		return b
	}
	return a
}
