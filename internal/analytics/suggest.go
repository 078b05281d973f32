package analytics

// Concrete times to post, read off the best-time grid: what the composer
// offers under "Best times".

import "time"

// SlotMargin is the least time between now and a suggested time: enough
// to finish the post and schedule it.
const SlotMargin = 30 * time.Minute

// SlotWindow is how far after now suggested times may be.
const SlotWindow = 7 * 24 * time.Hour

// SlotGap is how close to a taken time (another post of the same
// accounts) a suggested time may not be, either side.
const SlotGap = 30 * time.Minute

// Slot is one suggested time to post and the cell whose posts back it.
type Slot struct {
	// At is on the hour in the zone it was suggested in.
	At   time.Time `json:"at"`
	Cell Cell      `json:"cell"`
}

// NextSlots returns up to n times to post, best cell first (as Best
// orders cells), each the soonest time of its cell's weekday and hour in
// loc (nil is UTC) that is at least SlotMargin after now, less than
// SlotWindow after now, and more than SlotGap from every time in taken.
// Only cells with Enough are used: a grid without one gives none, never
// a guess. A cell's hour that a daylight-saving change skips is not
// suggested that day; one that it repeats is suggested at its first
// occurrence.
func NextSlots(b BestTimes, now time.Time, loc *time.Location, taken []time.Time, n int) []Slot {
	out := []Slot{}
	if n <= 0 {
		return out
	}
	if loc == nil {
		loc = time.UTC
	}
	from, end := now.Add(SlotMargin), now.Add(SlotWindow)
	y, m, d := now.In(loc).Date()
	for _, c := range b.Best(7 * 24) {
		// 7 × 24 h from late in a day reach a ninth calendar day when a
		// daylight-saving change moves the clocks forward.
		for i := range 9 {
			// Noon UTC names the day's weekday whatever loc's offsets.
			if time.Date(y, m, d+i, 12, 0, 0, 0, time.UTC).Weekday() != c.Weekday {
				continue
			}
			t, ok := hourIn(y, m, d+i, c.Hour, loc)
			if !ok || t.Before(from) || !t.Before(end) || clashes(t, taken) {
				continue
			}
			out = append(out, Slot{At: t, Cell: c})
			break
		}
		if len(out) == n {
			break
		}
	}
	return out
}

// hourIn is hour:00 of the day in loc, at its first occurrence when a
// daylight-saving change repeats it; false when a change skips it.
func hourIn(y int, m time.Month, d, hour int, loc *time.Location) (time.Time, bool) {
	t := time.Date(y, m, d, hour, 0, 0, 0, loc)
	if t.Hour() != hour || t.Minute() != 0 {
		return time.Time{}, false
	}
	// time.Date may pick either occurrence of a repeated hour.
	for _, back := range []time.Duration{time.Hour, 30 * time.Minute} {
		if e := t.Add(-back); e.Hour() == hour && e.Minute() == 0 && e.Day() == t.Day() {
			return e, true
		}
	}
	return t, true
}

// clashes reports whether t is within SlotGap of a time in taken.
func clashes(t time.Time, taken []time.Time) bool {
	for _, x := range taken {
		if d := t.Sub(x); d <= SlotGap && d >= -SlotGap {
			return true
		}
	}
	return false
}
