package web

import (
	"encoding/json"
	"strconv"
	"strings"
	"time"

	"github.com/heraldsocial/herald/internal/herald"
)

// Formatting helpers of the templates.

func itoa(n int64) string { return strconv.FormatInt(n, 10) }

// fmtTime shows an instant in loc: "Tue 3 Mar 2026, 14:05 CET".
func fmtTime(t time.Time, loc *time.Location) string {
	return t.In(loc).Format("Mon 2 Jan 2006, 15:04 MST")
}

// fmtPtrTime is fmtTime for an optional instant.
func fmtPtrTime(t *time.Time, loc *time.Location) string {
	if t == nil {
		return ""
	}
	return fmtTime(*t, loc)
}

// fmtDay names a glance day: "Tue 3 Mar".
func fmtDay(t time.Time) string { return t.Format("Mon 2 Jan") }

// fmtClock is a local time of day: "14:05".
func fmtClock(t time.Time) string { return t.Format("15:04") }

// stateLabel is a target state in words.
func stateLabel(s herald.TargetState) string {
	switch s {
	case herald.StateInReview:
		return "awaiting approval"
	case herald.StateUnconfirmed:
		return "unconfirmed"
	}
	return strings.ReplaceAll(string(s), "_", " ")
}

// stateClass is the CSS class of a state badge.
func stateClass(s herald.TargetState) string { return "state " + string(s) }

// duration shows an attempt's duration.
func duration(ms int64) string {
	if ms < 1000 {
		return strconv.FormatInt(ms, 10) + " ms"
	}
	return strconv.FormatFloat(float64(ms)/1000, 'f', 1, 64) + " s"
}

// who names the person who moved a target, or Herald itself.
func who(people map[int64]string, id *int64) string {
	if id == nil {
		return "Herald"
	}
	if n, ok := people[*id]; ok {
		return n
	}
	return "a member"
}

// location returns the page's workspace zone, UTC outside a workspace.
func (p *page) location() *time.Location {
	if loc, err := p.Current.Location(); err == nil {
		return loc
	}
	return time.UTC
}

// jsString quotes s as a JavaScript string literal for an Alpine
// expression (the attribute itself is HTML-escaped by templ).
func jsString(s string) string {
	b, err := json.Marshal(s)
	if err != nil {
		return `""`
	}
	return string(b)
}
