package ical

import (
	"strings"
	"testing"
	"time"
	"unicode/utf8"
)

func TestLinesFoldAt75Octets(t *testing.T) {
	var w writer
	long := strings.Repeat("é", 100) + strings.Repeat("x", 60) + "🙂🙂🙂"
	w.text("DESCRIPTION", long)
	out := w.b.String()
	if !strings.HasSuffix(out, "\r\n") {
		t.Fatal("the last line does not end with CRLF")
	}
	lines := strings.Split(strings.TrimSuffix(out, "\r\n"), "\r\n")
	if len(lines) < 3 {
		t.Fatalf("a %d-octet line was not folded: %q", len(long), out)
	}
	var joined strings.Builder
	for i, l := range lines {
		if len(l) > maxLine {
			t.Errorf("line %d is %d octets: %q", i, len(l), l)
		}
		if !utf8.ValidString(l) {
			t.Errorf("line %d splits a character: %q", i, l)
		}
		if i > 0 {
			if l[0] != ' ' {
				t.Errorf("continuation line %d does not start with a space", i)
			}
			l = l[1:]
		}
		joined.WriteString(l)
	}
	if joined.String() != "DESCRIPTION:"+long {
		t.Fatalf("unfolded %q, want the original line", joined.String())
	}
}

func TestEscapeText(t *testing.T) {
	got := escapeText("a,b;c\\d\r\ne\nf\x01g")
	if want := `a\,b\;c\\d\ne\nfg`; got != want {
		t.Fatalf("escapeText = %q, want %q", got, want)
	}
}

func TestOffsets(t *testing.T) {
	for secs, want := range map[int]string{-5 * 3600: "-0500", 5*3600 + 1800: "+0530", 0: "+0000", -(3600 + 61): "-010101"} {
		if got := offset(secs); got != want {
			t.Errorf("offset(%d) = %q, want %q", secs, got, want)
		}
	}
}

func TestTransitionsNewYork(t *testing.T) {
	loc, err := time.LoadLocation("America/New_York")
	if err != nil {
		t.Fatal(err)
	}
	trs := transitions(loc, time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC), time.Date(2027, 1, 1, 0, 0, 0, 0, time.UTC))
	if len(trs) != 2 {
		t.Fatalf("found %d changes in 2026, want 2: %+v", len(trs), trs)
	}
	if !trs[0].at.Equal(time.Date(2026, 3, 8, 7, 0, 0, 0, time.UTC)) || !trs[0].dst || trs[0].to != -4*3600 {
		t.Errorf("spring change %+v, want 2026-03-08 07:00 UTC into daylight time", trs[0])
	}
	if !trs[1].at.Equal(time.Date(2026, 11, 1, 6, 0, 0, 0, time.UTC)) || trs[1].dst || trs[1].to != -5*3600 {
		t.Errorf("autumn change %+v, want 2026-11-01 06:00 UTC into standard time", trs[1])
	}
	secondHalf := time.Date(2026, 11, 1, 6, 30, 0, 0, time.UTC) // 01:30 EST, after 01:30 EDT
	if !secondOccurrence(secondHalf, loc) || secondOccurrence(secondHalf.Add(-time.Hour), loc) ||
		secondOccurrence(time.Date(2026, 11, 1, 14, 0, 0, 0, time.UTC), loc) {
		t.Error("secondOccurrence does not tell the repeated 01:30 from the first one and from ordinary times")
	}
}
