package herald

import (
	"fmt"
	"strings"
	"time"
)

// MaxPostingSlots bounds an account's posting schedule.
const MaxPostingSlots = 100

// PostingSchedule is an account's queue: weekly slots, in the workspace's
// time zone, that "add to queue" fills in order.
type PostingSchedule struct {
	Slots []PostingSlot `json:"slots"`
}

// PostingSlot is one weekly slot: a day of the week and a local time.
type PostingSlot struct {
	Day  string `json:"day"`  // monday … sunday
	Time string `json:"time"` // HH:MM, 24-hour, local time in the workspace zone
}

// weekdays maps day names to time.Weekday.
var weekdays = map[string]time.Weekday{
	"sunday": time.Sunday, "monday": time.Monday, "tuesday": time.Tuesday, "wednesday": time.Wednesday,
	"thursday": time.Thursday, "friday": time.Friday, "saturday": time.Saturday,
}

// Weekday returns the slot's day of the week (false if the name is unknown).
func (s PostingSlot) Weekday() (time.Weekday, bool) {
	d, ok := weekdays[strings.ToLower(s.Day)]
	return d, ok
}

// Clock returns the slot's hour and minute (false if Time is not HH:MM).
func (s PostingSlot) Clock() (hour, minute int, ok bool) {
	if len(s.Time) != 5 || s.Time[2] != ':' {
		return 0, 0, false
	}
	t, err := time.Parse("15:04", s.Time)
	if err != nil {
		return 0, 0, false
	}
	return t.Hour(), t.Minute(), true
}

// Validate checks the slots (known days, HH:MM times, no duplicates, at
// most MaxPostingSlots) and normalises day names to lower case.
func (ps *PostingSchedule) Validate() error {
	var p Problems
	if len(ps.Slots) > MaxPostingSlots {
		p.Add("slots", "has %d slots; at most %d are allowed", len(ps.Slots), MaxPostingSlots)
	}
	seen := map[string]int{}
	for i := range ps.Slots {
		s := &ps.Slots[i]
		s.Day = strings.ToLower(strings.TrimSpace(s.Day))
		s.Time = strings.TrimSpace(s.Time)
		field := fmt.Sprintf("slots[%d]", i)
		if _, ok := s.Weekday(); !ok {
			p.Add(field+".day", "%q is not a day of the week (monday … sunday)", s.Day)
		}
		if _, _, ok := s.Clock(); !ok {
			p.Add(field+".time", "%q is not a time like 09:30 (24-hour HH:MM)", s.Time)
		}
		key := s.Day + " " + s.Time
		if j, dup := seen[key]; dup {
			p.Add(field, "repeats slot %d (%s at %s)", j, s.Day, s.Time)
		} else {
			seen[key] = i
		}
	}
	if ps.Slots == nil {
		ps.Slots = []PostingSlot{}
	}
	return p.Err("the posting schedule is not valid")
}

// String describes the schedule for messages and logs.
func (ps PostingSchedule) String() string {
	parts := make([]string, len(ps.Slots))
	for i, s := range ps.Slots {
		parts[i] = fmt.Sprintf("%s %s", s.Day, s.Time)
	}
	return strings.Join(parts, ", ")
}
