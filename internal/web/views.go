package web

import (
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode"

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

// mover names who moved a target: a member, a review link, or Herald.
func mover(people map[int64]string, tr herald.TargetTransition) string {
	if tr.ActorName != "" {
		return tr.ActorName + " (review link)"
	}
	return who(people, tr.ActorID)
}

// location returns the page's workspace zone, UTC outside a workspace.
func (p *page) location() *time.Location {
	if loc, err := p.Current.Location(); err == nil {
		return loc
	}
	return time.UTC
}

// areaAssets are the per-section stylesheets and scripts every page loads
// after app.css and app.js (static/<area>.css and static/<area>.js).
var areaAssets = []string{"calendar", "compose", "approvals", "accounts", "library", "settings", "organise", "kits", "tasks", "inbox", "inbox-live"}

// sectionLink is one entry of the main navigation.
type sectionLink struct {
	ID, Label, URL string
	Current        bool
	Count          int // shown beside the label when not 0
}

// sectionLinks are the workspace's sections, the one the page is in marked.
func sectionLinks(p *page) []sectionLink {
	base := wsURL(p.Current.ID)
	links := []sectionLink{
		{ID: "home", Label: "Home", URL: base},
		{ID: "calendar", Label: "Calendar", URL: base + "calendar"},
		{ID: "compose", Label: "Compose", URL: base + "compose"},
		{ID: "drafts", Label: "Drafts", URL: base + "drafts"},
		{ID: "approvals", Label: "Approvals", URL: base + "approvals"},
		{ID: "inbox", Label: "Inbox", URL: base + "inbox", Count: p.InboxOpen},
		{ID: "tasks", Label: "Tasks", URL: base + "tasks"},
		{ID: "media", Label: "Media", URL: base + "media"},
		{ID: "accounts", Label: "Accounts", URL: base + "accounts"},
		{ID: "settings", Label: "Settings", URL: base + "settings"},
	}
	if p.analytics && p.Can(herald.ActAnalyticsRead) {
		links = slices.Insert(links, 7, sectionLink{ID: "analytics", Label: "Analytics", URL: base + "analytics"})
	}
	if p.listen && p.Can(herald.ActAnalyticsRead) {
		at := 7
		if i := slices.IndexFunc(links, func(l sectionLink) bool { return l.ID == "analytics" }); i >= 0 {
			at = i + 1
		}
		links = slices.Insert(links, at, sectionLink{ID: "listen", Label: "Listening", URL: base + "listen"})
	}
	for i := range links {
		l := &links[i]
		switch l.ID {
		case "home":
			l.Current = p.Path == base
		case "media":
			l.Current = strings.HasPrefix(p.Path, l.URL) || strings.HasPrefix(p.Path, base+"library/")
		default:
			l.Current = strings.HasPrefix(p.Path, l.URL)
		}
	}
	return links
}

// initials are up to two letters of a person's name for the header's
// account menu ("Ana Lima" → "AL"; one word gives its first letter).
func initials(name string) string {
	var out []rune
	for _, w := range strings.Fields(name) {
		for _, r := range w {
			out = append(out, unicode.ToUpper(r))
			break
		}
	}
	switch len(out) {
	case 0:
		return "?"
	case 1:
		return string(out)
	}
	return string(out[0]) + string(out[len(out)-1])
}
