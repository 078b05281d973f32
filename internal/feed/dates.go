package feed

import (
	"strings"
	"time"
)

// layouts are the date forms feeds really use, after the day name is
// taken off and a named zone replaced by its offset: RFC 822/1123 with and
// without seconds, with two- or four-digit years, and RFC 3339.
var layouts = []string{
	"2 Jan 2006 15:04:05 -0700",
	"2 Jan 2006 15:04 -0700",
	"2 Jan 06 15:04:05 -0700",
	"2 Jan 06 15:04 -0700",
	"2 January 2006 15:04:05 -0700",
	"2 Jan 2006 15:04:05 -07:00",
	"2 Jan 2006 15:04:05",
	"2 Jan 2006 15:04",
	time.RFC3339Nano,
	"2006-01-02T15:04:05",
	"2006-01-02T15:04-07:00",
	"2006-01-02T15:04Z07:00",
	"2006-01-02 15:04:05 -0700",
	"2006-01-02 15:04:05Z07:00",
	"2006-01-02 15:04:05",
	"2006-01-02",
}

// zones are the named zones of RFC 822 and those feeds commonly use,
// as numeric offsets. Go's parser gives an unknown abbreviation an offset
// of zero, so names are replaced before parsing.
var zones = map[string]string{
	"UT": "+0000", "UTC": "+0000", "GMT": "+0000", "Z": "+0000",
	"EST": "-0500", "EDT": "-0400", "CST": "-0600", "CDT": "-0500",
	"MST": "-0700", "MDT": "-0600", "PST": "-0800", "PDT": "-0700",
	"AKST": "-0900", "AKDT": "-0800", "HST": "-1000",
	"BST": "+0100", "IST": "+0530", "CET": "+0100", "CEST": "+0200",
	"EET": "+0200", "EEST": "+0300", "WET": "+0000", "WEST": "+0100",
	"MSK": "+0300", "JST": "+0900", "KST": "+0900", "HKT": "+0800",
	"SGT": "+0800", "AEST": "+1000", "AEDT": "+1100", "ACST": "+0930",
	"AWST": "+0800", "NZST": "+1200", "NZDT": "+1300",
}

// ParseDate reads a feed date; the zero time when it cannot. A date
// without a zone is read as UTC.
func ParseDate(s string) time.Time {
	s = strings.Join(strings.Fields(s), " ")
	if s == "" {
		return time.Time{}
	}
	// Drop the day name ("Tue, "), which feeds often get wrong anyway.
	if i := strings.IndexByte(s, ','); i > 0 && i < 12 && !strings.ContainsAny(s[:i], "0123456789") {
		s = strings.TrimSpace(s[i+1:])
	} else if f := strings.Fields(s); len(f) > 4 && len(f[0]) >= 3 && isLetters(f[0]) && !isLetters(f[1]) {
		s = strings.Join(f[1:], " ") // "Tue 02 Jan 2026 …" without the comma
	}
	if f := strings.Fields(s); len(f) > 1 {
		last := f[len(f)-1]
		if off, ok := zones[strings.ToUpper(last)]; ok {
			f[len(f)-1] = off
			s = strings.Join(f, " ")
		} else if len(last) > 3 && (strings.HasPrefix(last, "GMT+") || strings.HasPrefix(last, "GMT-") ||
			strings.HasPrefix(last, "UTC+") || strings.HasPrefix(last, "UTC-")) {
			f[len(f)-1] = last[3:]
			s = strings.Join(f, " ")
		}
	}
	for _, l := range layouts {
		if t, err := time.Parse(l, s); err == nil {
			return t.UTC()
		}
	}
	return time.Time{}
}

func isLetters(s string) bool {
	for _, r := range s {
		if (r < 'a' || r > 'z') && (r < 'A' || r > 'Z') {
			return false
		}
	}
	return s != ""
}
