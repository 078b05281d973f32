package post

import (
	"testing"
	"time"

	"github.com/heraldsocial/herald/internal/herald"
)

func mustLoc(t *testing.T, name string) *time.Location {
	t.Helper()
	loc, err := time.LoadLocation(name)
	if err != nil {
		t.Fatal(err)
	}
	return loc
}

func TestLocalInstant(t *testing.T) {
	cases := []struct {
		name, zone string
		date       string // YYYY-MM-DD
		h, m       int
		want       string // RFC 3339 UTC, "" when the time does not exist
	}{
		{"ordinary summer day", "Europe/Paris", "2026-07-01", 9, 0, "2026-07-01T07:00:00Z"},
		{"ordinary winter day", "America/New_York", "2026-01-15", 9, 0, "2026-01-15T14:00:00Z"},
		{"New York spring forward gap", "America/New_York", "2026-03-08", 2, 30, ""},
		{"New York spring forward, after the gap", "America/New_York", "2026-03-08", 3, 0, "2026-03-08T07:00:00Z"},
		{"New York fall back: the first 01:30", "America/New_York", "2026-11-01", 1, 30, "2026-11-01T05:30:00Z"},
		{"Paris spring forward gap", "Europe/Paris", "2026-03-29", 2, 30, ""},
		{"Paris fall back: the first 02:30", "Europe/Paris", "2026-10-25", 2, 30, "2026-10-25T00:30:00Z"},
		{"Paris fall back day, later", "Europe/Paris", "2026-10-25", 9, 0, "2026-10-25T08:00:00Z"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			loc := mustLoc(t, c.zone)
			d, err := time.Parse(time.DateOnly, c.date)
			if err != nil {
				t.Fatal(err)
			}
			got, ok := LocalInstant(d.Year(), d.Month(), d.Day(), c.h, c.m, loc)
			if c.want == "" {
				if ok {
					t.Fatalf("got %v, want no such time", got)
				}
				return
			}
			if !ok || got.UTC().Format(time.RFC3339) != c.want {
				t.Fatalf("got %v (%v), want %s", got.UTC(), ok, c.want)
			}
		})
	}
}

func TestNextSlot(t *testing.T) {
	sched := func(slots ...string) herald.PostingSchedule {
		var ps herald.PostingSchedule
		for i := 0; i+1 < len(slots); i += 2 {
			ps.Slots = append(ps.Slots, herald.PostingSlot{Day: slots[i], Time: slots[i+1]})
		}
		return ps
	}
	instant := func(s string) time.Time {
		tm, err := time.Parse(time.RFC3339, s)
		if err != nil {
			t.Fatal(err)
		}
		return tm
	}
	week := 7 * 24 * time.Hour
	cases := []struct {
		name      string
		zone      string
		ps        herald.PostingSchedule
		after     string
		taken     []string
		lookahead time.Duration
		want      string // "" for none
	}{
		{"next slot the same day", "Europe/Paris", sched("monday", "09:00", "monday", "12:00"),
			"2026-03-02T07:30:00Z", nil, QueueLookahead, "2026-03-02T08:00:00Z"},
		{"a taken slot is passed over", "Europe/Paris", sched("monday", "09:00", "monday", "12:00"),
			"2026-03-02T07:30:00Z", []string{"2026-03-02T08:00:00Z"}, QueueLookahead, "2026-03-02T11:00:00Z"},
		{"slots are sorted within a day", "Europe/Paris", sched("monday", "12:00", "monday", "09:00"),
			"2026-03-02T07:30:00Z", nil, QueueLookahead, "2026-03-02T08:00:00Z"},
		{"a slot at exactly now is not after now", "Europe/Paris", sched("monday", "09:00"),
			"2026-03-02T08:00:00Z", nil, QueueLookahead, "2026-03-09T08:00:00Z"},
		{"later in the week", "America/New_York", sched("friday", "17:30"),
			"2026-01-12T15:00:00Z", nil, QueueLookahead, "2026-01-16T22:30:00Z"},
		{"spring forward: 02:30 does not exist that Sunday, so the next week's", "America/New_York", sched("sunday", "02:30"),
			"2026-03-07T17:00:00Z", nil, QueueLookahead, "2026-03-15T06:30:00Z"},
		{"spring forward in Paris", "Europe/Paris", sched("sunday", "02:30"),
			"2026-03-28T12:00:00Z", nil, QueueLookahead, "2026-04-05T00:30:00Z"},
		{"fall back: the first 01:30", "America/New_York", sched("sunday", "01:30"),
			"2026-10-31T12:00:00Z", nil, QueueLookahead, "2026-11-01T05:30:00Z"},
		{"the local time holds across the change", "Europe/Paris", sched("monday", "09:00"),
			"2026-03-24T12:00:00Z", nil, QueueLookahead, "2026-03-30T07:00:00Z"},
		{"everything taken within the lookahead", "Europe/Paris", sched("monday", "09:00"),
			"2026-03-01T12:00:00Z", []string{"2026-03-02T08:00:00Z", "2026-03-09T08:00:00Z"}, 2 * week, ""},
		{"no slots", "Europe/Paris", sched(), "2026-03-01T12:00:00Z", nil, QueueLookahead, ""},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			taken := map[int64]bool{}
			for _, s := range c.taken {
				taken[instant(s).UnixMicro()] = true
			}
			got, ok := NextSlot(c.ps, mustLoc(t, c.zone), instant(c.after), taken, c.lookahead)
			if c.want == "" {
				if ok {
					t.Fatalf("got %v, want no free slot", got)
				}
				return
			}
			if !ok || !got.Equal(instant(c.want)) {
				t.Fatalf("got %v (%v), want %s", got, ok, c.want)
			}
			if got.Location() != time.UTC {
				t.Fatalf("got a time in %v, want UTC", got.Location())
			}
		})
	}
}

func TestPostingScheduleValidate(t *testing.T) {
	cases := []struct {
		name   string
		slots  []herald.PostingSlot
		fields []string
	}{
		{"fine", []herald.PostingSlot{{Day: "Monday", Time: "09:00"}, {Day: "monday", Time: "21:45"}}, nil},
		{"unknown day", []herald.PostingSlot{{Day: "funday", Time: "09:00"}}, []string{"slots[0].day"}},
		{"bad time", []herald.PostingSlot{{Day: "monday", Time: "9am"}}, []string{"slots[0].time"}},
		{"hour out of range", []herald.PostingSlot{{Day: "monday", Time: "24:00"}}, []string{"slots[0].time"}},
		{"duplicate", []herald.PostingSlot{{Day: "monday", Time: "09:00"}, {Day: "MONDAY", Time: "09:00"}}, []string{"slots[1]"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			ps := herald.PostingSchedule{Slots: c.slots}
			err := ps.Validate()
			var got []string
			if he, ok := err.(*herald.Error); ok {
				for _, d := range he.Details {
					got = append(got, d.Field)
				}
			} else if err != nil {
				t.Fatal(err)
			}
			if len(got) != len(c.fields) || (len(got) > 0 && got[0] != c.fields[0]) {
				t.Fatalf("problems %v, want %v", got, c.fields)
			}
		})
	}
	many := herald.PostingSchedule{}
	for i := range herald.MaxPostingSlots + 1 {
		many.Slots = append(many.Slots, herald.PostingSlot{Day: "monday", Time: time.Date(0, 1, 1, 0, i, 0, 0, time.UTC).Format("15:04")})
	}
	if err := many.Validate(); herald.ErrorCode(err) != herald.CodeInvalid {
		t.Fatalf("101 slots: %v", err)
	}
}
