package ical

import (
	"fmt"
	"strings"
	"time"
	"unicode/utf8"
)

// maxLine is the longest content line RFC 5545 allows, in octets, without
// the line break (section 3.1).
const maxLine = 75

// writer builds an iCalendar object: CRLF line ends, long lines folded at
// 75 octets (never inside a UTF-8 sequence) with a leading space on each
// continuation.
type writer struct {
	b strings.Builder
}

// line writes one content line, folded.
func (w *writer) line(name, value string) {
	s := name + ":" + value
	limit := maxLine
	for len(s) > limit {
		cut := limit
		for cut > 0 && !utf8.RuneStart(s[cut]) {
			cut--
		}
		w.b.WriteString(s[:cut])
		w.b.WriteString("\r\n ")
		s = s[cut:]
		limit = maxLine - 1 // the leading space counts
	}
	w.b.WriteString(s)
	w.b.WriteString("\r\n")
}

// text writes a TEXT property, escaped.
func (w *writer) text(name, value string) { w.line(name, escapeText(value)) }

// escapeText escapes a TEXT value (section 3.3.11): backslash, semicolon,
// comma and line breaks. Other control characters are dropped: TEXT may
// not hold them.
func escapeText(s string) string {
	var b strings.Builder
	s = strings.ReplaceAll(s, "\r\n", "\n")
	for _, r := range s {
		switch {
		case r == '\\' || r == ';' || r == ',':
			b.WriteByte('\\')
			b.WriteRune(r)
		case r == '\n' || r == '\r':
			b.WriteString(`\n`)
		case r == '\t':
			b.WriteRune(r)
		case r < 0x20 || r == 0x7f:
		default:
			b.WriteRune(r)
		}
	}
	return b.String()
}

// paramValue quotes a parameter value when it holds characters that need
// it (section 3.2); double quotes cannot be escaped and are dropped.
func paramValue(s string) string {
	s = strings.ReplaceAll(s, `"`, "")
	if strings.ContainsAny(s, ";:,") {
		return `"` + s + `"`
	}
	return s
}

// utcStamp formats an instant as a UTC DATE-TIME.
func utcStamp(t time.Time) string { return t.UTC().Format("20060102T150405Z") }

// localStamp formats the wall clock of t as a local DATE-TIME (no zone).
func localStamp(t time.Time) string { return t.Format("20060102T150405") }

// dateValue formats a DATE.
func dateValue(t time.Time) string { return t.Format("20060102") }

// offset formats a UTC offset in seconds as ±hhmm (±hhmmss when it has
// seconds).
func offset(secs int) string {
	sign := "+"
	if secs < 0 {
		sign, secs = "-", -secs
	}
	if secs%60 != 0 {
		return fmt.Sprintf("%s%02d%02d%02d", sign, secs/3600, secs%3600/60, secs%60)
	}
	return fmt.Sprintf("%s%02d%02d", sign, secs/3600, secs%3600/60)
}
