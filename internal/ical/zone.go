package ical

import (
	"time"
)

// transition is one change of a zone's offset.
type transition struct {
	at       time.Time // the instant of the change
	from, to int       // offsets in seconds east of UTC
	name     string    // abbreviation in force after it
	dst      bool      // daylight time after it
}

// transitions returns the offset changes of loc in [from, to), found by
// stepping a day at a time and bisecting to the second.
func transitions(loc *time.Location, from, to time.Time) []transition {
	var out []transition
	_, prev := from.In(loc).Zone()
	for day := from; day.Before(to); {
		next := day.Add(24 * time.Hour)
		_, off := next.In(loc).Zone()
		if off != prev {
			lo, hi := day, next // offset prev at lo, off at hi
			for hi.Sub(lo) > time.Second {
				mid := lo.Add(hi.Sub(lo) / 2).Truncate(time.Second)
				if mid.Equal(lo) {
					break
				}
				if _, o := mid.In(loc).Zone(); o == prev {
					lo = mid
				} else {
					hi = mid
				}
			}
			name, _ := hi.In(loc).Zone()
			out = append(out, transition{at: hi, from: prev, to: off, name: name, dst: hi.In(loc).IsDST()})
			prev = off
		}
		day = next
	}
	return out
}

// writeTimezone writes the VTIMEZONE of loc covering [from, to): the
// observance in force at from, then one per change, each with its explicit
// onset (section 3.6.5), so clients need no rule of their own.
func writeTimezone(w *writer, loc *time.Location, from, to time.Time) {
	w.line("BEGIN", "VTIMEZONE")
	w.line("TZID", loc.String())
	start := from.In(loc)
	name, off := start.Zone()
	observance(w, start.IsDST(), localStamp(start), off, off, name)
	for _, tr := range transitions(loc, from, to) {
		// The onset is the local time just before the change, read in the
		// offset that was in force (TZOFFSETFROM).
		onset := tr.at.In(time.FixedZone("", tr.from))
		observance(w, tr.dst, localStamp(onset), tr.from, tr.to, tr.name)
	}
	w.line("END", "VTIMEZONE")
}

func observance(w *writer, dst bool, onset string, from, to int, name string) {
	kind := "STANDARD"
	if dst {
		kind = "DAYLIGHT"
	}
	w.line("BEGIN", kind)
	w.line("DTSTART", onset)
	w.line("TZOFFSETFROM", offset(from))
	w.line("TZOFFSETTO", offset(to))
	if name != "" {
		w.text("TZNAME", name)
	}
	w.line("END", kind)
}
