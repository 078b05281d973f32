package report

import (
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/heraldsocial/herald/internal/analytics"
	"github.com/heraldsocial/herald/internal/herald"
)

// The words for a figure that cannot be shown, as on the web page.
const (
	notGiven = "not given" // no post gave the count
	noData   = "no data"   // no post gave a rate's denominator
)

// fmtInt writes n with thousands separators; a minus is an en dash,
// which the core fonts have.
func fmtInt(n int64) string { return strings.Replace(analytics.Thousands(n), "-", "–", 1) }

// fmtCount writes a count, or "not given".
func fmtCount(c analytics.Sum) string { return c.Text() }

// fmtRate writes a rate as a percentage with two decimals, or "no data".
func fmtRate(r analytics.Rate) string { return r.Percent() }

func pct(v float64) string { return strconv.FormatFloat(v*100, 'f', 2, 64) + " %" }

// one is a single post's count as a Sum (a negative count is not given).
func one(v int64) analytics.Sum { return analytics.One(v) }

// fmtFollowers writes a follower count, or "not given".
func fmtFollowers(n int64) string {
	if n < 0 {
		return notGiven
	}
	return fmtInt(n)
}

// signed writes a change with its sign.
func signed(n int64) string {
	if n > 0 {
		return "+" + fmtInt(n)
	}
	return fmtInt(n)
}

// change says how now compares with the previous period's figure, whose
// words are prior; ok is false when either is missing.
func change(now, prior float64, ok bool, priorWords string) string {
	if !ok || prior == 0 {
		return "previous period: " + priorWords
	}
	d := (now - prior) / prior * 100
	s := strconv.FormatFloat(d, 'f', 0, 64)
	switch {
	case s == "0" || s == "-0":
		s = "no change"
	case d > 0:
		s = "+" + s + " %"
	default:
		s = "–" + strings.TrimPrefix(s, "-") + " %"
	}
	return fmt.Sprintf("%s on the previous period (%s)", s, priorWords)
}

func countChange(now, prior analytics.Sum) string {
	return change(float64(now.Value), float64(prior.Value), now.Given() && prior.Given(), fmtCount(prior))
}

func rateChange(now, prior analytics.Rate) string {
	a, okA := now.Value()
	b, okB := prior.Value()
	return change(a, b, okA && okB, fmtRate(prior))
}

// count writes n and its noun, plural unless n is 1.
func count(n int, noun string) string {
	if n == 1 {
		return "1 " + noun
	}
	return fmtInt(int64(n)) + " " + noun + "s"
}

// platformName is a platform as people call it.
func platformName(p herald.Platform) string { return p.Name() }

// postTitle names a post in the tables.
func postTitle(title string) string {
	if strings.TrimSpace(title) == "" {
		return "Untitled post"
	}
	return title
}

// day writes a date for the period line.
func day(t time.Time) string { return t.Format("Mon 2 Jan 2006") }

// hourSpan writes an hour of the day as "09:00–10:00".
func hourSpan(h int) string { return fmt.Sprintf("%02d:00–%02d:00", h, (h+1)%24) }
