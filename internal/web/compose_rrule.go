package web

// The composer's recurrence: the repeat fields as an RRULE and back, and in words.

import (
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"
)

// rrule builds the RRULE the recurrence fields describe ("" for none).
func (f composeForm) rrule(loc *time.Location) (string, error) {
	var freq string
	switch f.Repeat {
	case "", "none":
		return "", nil
	case "daily":
		freq = "DAILY"
	case "weekly":
		freq = "WEEKLY"
	case "monthly":
		freq = "MONTHLY"
	default:
		return "", fmt.Errorf("%q is not one of daily, weekly, monthly", f.Repeat)
	}
	parts := []string{"FREQ=" + freq}
	if f.Interval > 1 {
		if f.Interval > 365 {
			return "", errors.New("the interval is at most 365")
		}
		parts = append(parts, "INTERVAL="+strconv.Itoa(f.Interval))
	}
	if freq == "WEEKLY" && len(f.Days) > 0 {
		var days []string
		for _, w := range weekdays {
			if f.hasDay(w.Code) {
				days = append(days, w.Code)
			}
		}
		parts = append(parts, "BYDAY="+strings.Join(days, ","))
	}
	switch f.Ends {
	case "count":
		if f.Count < 1 || f.Count > 1000 {
			return "", errors.New("say how many times, from 1 to 1000")
		}
		parts = append(parts, "COUNT="+strconv.Itoa(f.Count))
	case "until":
		d, err := time.ParseInLocation("2006-01-02", f.Until, loc)
		if err != nil {
			return "", errors.New("pick the last day the series repeats")
		}
		end := d.AddDate(0, 0, 1).Add(-time.Second).UTC()
		parts = append(parts, "UNTIL="+end.Format("20060102T150405Z"))
	}
	return strings.Join(parts, ";"), nil
}

// readRRule fills the recurrence fields from a stored rule.
func (f *composeForm) readRRule(rule string, loc *time.Location) {
	if rule == "" {
		return
	}
	for _, kv := range strings.Split(rule, ";") {
		k, v, _ := strings.Cut(kv, "=")
		switch strings.ToUpper(k) {
		case "FREQ":
			f.Repeat = strings.ToLower(v)
		case "INTERVAL":
			f.Interval, _ = strconv.Atoi(v)
		case "BYDAY":
			f.Days = strings.Split(strings.ToUpper(v), ",")
		case "COUNT":
			f.Ends = "count"
			f.Count, _ = strconv.Atoi(v)
		case "UNTIL":
			if t, err := time.Parse("20060102T150405Z", v); err == nil {
				f.Ends = "until"
				f.Until = t.In(loc).Format("2006-01-02")
			}
		}
	}
}

// repeatSentence says in words what the recurrence fields mean.
func (f composeForm) repeatSentence(loc *time.Location) string {
	if f.Repeat == "" || f.Repeat == "none" {
		return "Does not repeat."
	}
	if _, err := f.rrule(loc); err != nil {
		return ""
	}
	n := max(f.Interval, 1)
	unit := map[string]string{"daily": "day", "weekly": "week", "monthly": "month"}[f.Repeat]
	s := "Every " + unit
	if n > 1 {
		s = fmt.Sprintf("Every %d %ss", n, unit)
	}
	at, _ := f.at(loc)
	switch f.Repeat {
	case "weekly":
		var names []string
		for _, w := range weekdays {
			if f.hasDay(w.Code) {
				names = append(names, w.Name)
			}
		}
		if len(names) == 0 && at != nil {
			names = []string{at.Weekday().String()}
		}
		if len(names) > 0 {
			s += " on " + andList(names)
		}
	case "monthly":
		if at != nil {
			s += " on day " + strconv.Itoa(at.Day())
		}
	}
	if at != nil {
		s += " at " + at.Format("15:04")
	}
	switch f.Ends {
	case "count":
		if f.Count == 1 {
			s += ", once"
		} else {
			s += fmt.Sprintf(", %d times", f.Count)
		}
	case "until":
		if d, err := time.ParseInLocation("2006-01-02", f.Until, loc); err == nil {
			s += ", until " + d.Format("Mon 2 Jan 2006")
		}
	}
	return s + "."
}

// andList joins "a, b and c".
func andList(s []string) string {
	if len(s) <= 1 {
		return strings.Join(s, "")
	}
	return strings.Join(s[:len(s)-1], ", ") + " and " + s[len(s)-1]
}
