package postcsv

import (
	"fmt"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/heraldsocial/herald/internal/herald"
	"github.com/heraldsocial/herald/internal/post"
)

// CellProblem is one thing wrong with one cell of a row (Column "" for the
// row as a whole), in words that say what to fix.
type CellProblem struct {
	Column  string `json:"column"`
	Problem string `json:"problem"`
}

// Status values of the status column.
const (
	StatusScheduled = "scheduled"
	StatusDraft     = "draft"
)

// Separators inside cells.
const (
	listSeparator   = ";"   // accounts, labels
	threadSeparator = "---" // a line of its own between thread parts
	libraryPrefix   = "media:"
)

// refs is what rows name, looked up once per file.
type refs struct {
	loc       *time.Location
	now       time.Time
	accounts  map[string][]herald.Account // by handle, and by platform:handle
	labels    map[string]herald.Label     // by lower-cased name
	campaigns map[string][]herald.Campaign
}

func newRefs(loc *time.Location, now time.Time, accounts []herald.Account, labels []herald.Label, campaigns []herald.Campaign) *refs {
	r := &refs{loc: loc, now: now, accounts: map[string][]herald.Account{},
		labels: map[string]herald.Label{}, campaigns: map[string][]herald.Campaign{}}
	for _, a := range accounts {
		h := normHandle(a.Handle)
		r.accounts[h] = append(r.accounts[h], a)
		r.accounts[string(a.Platform)+":"+h] = append(r.accounts[string(a.Platform)+":"+h], a)
	}
	for _, l := range labels {
		r.labels[strings.ToLower(strings.TrimSpace(l.Name))] = l
	}
	for _, c := range campaigns {
		k := strings.ToLower(strings.TrimSpace(c.Name))
		r.campaigns[k] = append(r.campaigns[k], c)
	}
	return r
}

func normHandle(h string) string {
	return strings.ToLower(strings.TrimPrefix(strings.TrimSpace(h), "@"))
}

// mediaRef is one entry of media_urls: a URL to fetch or a library asset.
type mediaRef struct {
	URL string
	ID  int64
	Alt string
}

// draft is a row turned into a post, before its media are fetched.
type draft struct {
	post   herald.Post
	action post.Action // ActionDraft or ActionSchedule
	media  []mediaRef
	names  []string // each target's account as platform:handle
}

// build turns a row into a draft, with a problem for each cell that
// cannot be read or names nothing in the workspace.
func (r *refs) build(c Cells) (draft, []CellProblem) {
	var d draft
	var probs []CellProblem
	add := func(col, format string, args ...any) {
		probs = append(probs, CellProblem{Column: col, Problem: fmt.Sprintf(format, args...)})
	}
	d.post.Text = c.Get(ColText)
	for _, name := range splitList(c.Get(ColAccounts)) {
		key := normHandle(name)
		if p, h, ok := strings.Cut(name, ":"); ok && herald.Platform(strings.ToLower(strings.TrimSpace(p))).Valid() {
			key = strings.ToLower(strings.TrimSpace(p)) + ":" + normHandle(h)
		}
		found := r.accounts[key]
		switch {
		case len(found) == 0:
			add(ColAccounts, "%q is not an account of this workspace: use a connected account's handle, or platform:handle", name)
		case len(found) > 1:
			add(ColAccounts, "%q names %d accounts: write it as platform:handle (for example %s:%s)", name, len(found), found[0].Platform, found[0].Handle)
		default:
			a := found[0]
			dup := false
			for _, t := range d.post.Targets {
				dup = dup || t.AccountID == a.ID
			}
			if dup {
				add(ColAccounts, "%q is listed twice", name)
				continue
			}
			d.post.Targets = append(d.post.Targets, herald.Target{AccountID: a.ID})
			d.names = append(d.names, string(a.Platform)+":"+a.Handle)
		}
	}
	if strings.TrimSpace(c.Get(ColAccounts)) == "" {
		add(ColAccounts, "is empty: name at least one account (handle or platform:handle; several separated by ;)")
	}
	for _, name := range splitList(c.Get(ColLabels)) {
		l, ok := r.labels[strings.ToLower(name)]
		if !ok {
			add(ColLabels, "%q is not a label of this workspace: create it first, or correct the name", name)
			continue
		}
		d.post.LabelIDs = append(d.post.LabelIDs, l.ID)
	}
	if name := strings.TrimSpace(c.Get(ColCampaign)); name != "" {
		found := r.campaigns[strings.ToLower(name)]
		switch {
		case len(found) == 0:
			add(ColCampaign, "%q is not a campaign of this workspace: create it first, or correct the name", name)
		case len(found) > 1:
			add(ColCampaign, "%d campaigns are named %q: rename one so the name says which", len(found), name)
		default:
			id := found[0].ID
			d.post.CampaignID = &id
		}
	}
	at, whenProbs := r.when(c.Get(ColDate), c.Get(ColTime))
	probs = append(probs, whenProbs...)
	switch st := strings.ToLower(strings.TrimSpace(c.Get(ColStatus))); st {
	case StatusScheduled, "schedule":
		d.action = post.ActionSchedule
	case StatusDraft:
		d.action = post.ActionDraft
	case "":
		d.action = post.ActionDraft
		if at != nil || len(whenProbs) > 0 {
			d.action = post.ActionSchedule
		}
	default:
		add(ColStatus, "%q is not a status: write scheduled or draft (or leave it empty)", c.Get(ColStatus))
	}
	if d.action == post.ActionSchedule && at == nil && len(whenProbs) == 0 {
		add(ColDate, "a scheduled post needs a date and time: fill them in, or set the status to draft")
	}
	thread := splitThread(c.Get(ColThread))
	firstComment := c.Get(ColFirstComment)
	media, mediaProbs := parseMedia(c.Get(ColMediaURLs), c.Get(ColAltTexts))
	probs = append(probs, mediaProbs...)
	d.media = media
	var library []int64
	for _, m := range media {
		if m.ID != 0 {
			library = append(library, m.ID)
		}
	}
	for i := range d.post.Targets {
		t := &d.post.Targets[i]
		t.ScheduledAt = at
		t.Variant.FirstComment = firstComment
		t.Variant.MediaIDs = library
		for _, part := range thread {
			t.Variant.Thread = append(t.Variant.Thread, herald.ThreadPart{Text: part})
		}
	}
	return d, probs
}

// splitList splits a ;-separated cell, dropping empty entries.
func splitList(s string) []string {
	var out []string
	for _, v := range strings.Split(s, listSeparator) {
		if v = strings.TrimSpace(v); v != "" {
			out = append(out, v)
		}
	}
	return out
}

// splitThread splits the thread cell at lines holding only "---".
func splitThread(s string) []string {
	if strings.TrimSpace(s) == "" {
		return nil
	}
	var parts []string
	var cur []string
	flush := func() {
		parts = append(parts, strings.Trim(strings.Join(cur, "\n"), "\n"))
		cur = nil
	}
	for _, line := range strings.Split(s, "\n") {
		if strings.TrimSpace(line) == threadSeparator {
			flush()
			continue
		}
		cur = append(cur, line)
	}
	flush()
	return parts
}

// joinThread is splitThread's inverse.
func joinThread(parts []herald.ThreadPart) string {
	texts := make([]string, len(parts))
	for i, p := range parts {
		texts[i] = p.Text
	}
	return strings.Join(texts, "\n"+threadSeparator+"\n")
}

// parseMedia reads media_urls (separated by spaces or line breaks: http
// and https addresses, or media:ID for an asset already in the library)
// and alt_texts (one per line, in the same order).
func parseMedia(urls, alts string) ([]mediaRef, []CellProblem) {
	var out []mediaRef
	var probs []CellProblem
	for _, f := range strings.Fields(urls) {
		if id, ok := strings.CutPrefix(strings.ToLower(f), libraryPrefix); ok {
			n, err := strconv.ParseInt(id, 10, 64)
			if err != nil || n <= 0 {
				probs = append(probs, CellProblem{ColMediaURLs, fmt.Sprintf("%q is not a library reference: write media: and the asset's number, such as media:12", f)})
				continue
			}
			out = append(out, mediaRef{ID: n})
			continue
		}
		u, err := url.Parse(f)
		if err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" || u.User != nil {
			probs = append(probs, CellProblem{ColMediaURLs, fmt.Sprintf("%q is not a media address: write a full http:// or https:// address of an image or video, without a user name", f)})
			continue
		}
		out = append(out, mediaRef{URL: u.String()})
	}
	var altList []string
	if strings.TrimSpace(alts) != "" {
		altList = strings.Split(strings.ReplaceAll(alts, "\r\n", "\n"), "\n")
	}
	if len(altList) > len(out) && len(probs) == 0 {
		probs = append(probs, CellProblem{ColAltTexts, fmt.Sprintf("has %d alt texts for %d media: give one line per medium, in the order of media_urls", len(altList), len(out))})
	}
	for i := range out {
		if i < len(altList) {
			out[i].Alt = strings.TrimSpace(altList[i])
		}
	}
	if len(out) > maxMediaPerRow {
		probs = append(probs, CellProblem{ColMediaURLs, fmt.Sprintf("has %d media; at most %d are allowed per post", len(out), maxMediaPerRow)})
	}
	return out, probs
}

// maxMediaPerRow bounds what one row makes Herald fetch.
const maxMediaPerRow = 10

// when reads the date and time cells: "2026-12-10" and "09:00" in the
// workspace's zone, either with an offset ("09:00+01:00", "09:00Z"), or the
// whole instant in the date cell ("2026-12-10T09:00+01:00"). Both empty is
// no time.
func (r *refs) when(dateCell, timeCell string) (*time.Time, []CellProblem) {
	dateCell, timeCell = strings.TrimSpace(dateCell), strings.TrimSpace(timeCell)
	if dateCell == "" && timeCell == "" {
		return nil, nil
	}
	if d, t, ok := strings.Cut(dateCell, "T"); ok && timeCell == "" {
		dateCell, timeCell = d, t
	} else if d, t, ok := strings.Cut(dateCell, " "); ok && timeCell == "" {
		dateCell, timeCell = d, strings.TrimSpace(t)
	}
	if dateCell == "" {
		return nil, []CellProblem{{ColDate, "is empty but a time is given: write the date as YYYY-MM-DD, such as 2026-12-10"}}
	}
	day, err := time.Parse("2006-01-02", dateCell)
	if err != nil {
		return nil, []CellProblem{{ColDate, fmt.Sprintf("%q is not a date: write it as YYYY-MM-DD, such as 2026-12-10", dateCell)}}
	}
	if timeCell == "" {
		return nil, []CellProblem{{ColTime, "is empty: write the time as HH:MM (24-hour), such as 09:00, optionally with an offset such as 09:00+01:00"}}
	}
	clock, zone := splitOffset(timeCell)
	hm, err := parseClock(clock)
	if err != nil {
		return nil, []CellProblem{{ColTime, fmt.Sprintf("%q is not a time: write it as HH:MM (24-hour), such as 09:00 or 09:00+01:00", timeCell)}}
	}
	wall := day.Add(hm)
	var at time.Time
	if zone != "" {
		off, err := parseOffset(zone)
		if err != nil {
			return nil, []CellProblem{{ColTime, fmt.Sprintf("%q has an offset Herald cannot read: write it as +01:00, -05:00 or Z", timeCell)}}
		}
		at = wall.Add(-off)
	} else {
		instants := localInstants(wall, r.loc)
		switch len(instants) {
		case 0:
			return nil, []CellProblem{{ColTime, fmt.Sprintf("%s %s does not exist in %s (the clocks go forward then): choose another time, or add an offset",
				dateCell, clock, r.loc)}}
		case 1:
			at = instants[0]
		default:
			return nil, []CellProblem{{ColTime, fmt.Sprintf("%s %s happens twice in %s (the clocks go back then): add the offset, %s for the first or %s for the second",
				dateCell, clock, r.loc, instants[0].In(r.loc).Format("15:04-07:00"), instants[1].In(r.loc).Format("15:04-07:00"))}}
		}
	}
	at = at.UTC()
	if !at.After(r.now) {
		return nil, []CellProblem{{ColDate, fmt.Sprintf("%s is in the past: choose a time after %s", at.In(r.loc).Format("2006-01-02 15:04 MST"),
			r.now.In(r.loc).Format("2006-01-02 15:04 MST"))}}
	}
	return &at, nil
}

// splitOffset splits "09:00+01:00" into "09:00" and "+01:00".
func splitOffset(s string) (string, string) {
	if strings.HasSuffix(s, "Z") || strings.HasSuffix(s, "z") {
		return s[:len(s)-1], "Z"
	}
	if i := strings.LastIndexAny(s, "+-"); i > 0 {
		return s[:i], s[i:]
	}
	return s, ""
}

// parseClock reads HH:MM or HH:MM:SS.
func parseClock(s string) (time.Duration, error) {
	for _, layout := range []string{"15:04", "15:04:05"} {
		if t, err := time.Parse(layout, s); err == nil {
			return time.Duration(t.Hour())*time.Hour + time.Duration(t.Minute())*time.Minute + time.Duration(t.Second())*time.Second, nil
		}
	}
	return 0, fmt.Errorf("postcsv: %q is not a time of day", s)
}

// parseOffset reads Z, +01:00, +0100 or +01.
func parseOffset(s string) (time.Duration, error) {
	if s == "Z" {
		return 0, nil
	}
	for _, layout := range []string{"-07:00", "-0700", "-07"} {
		if t, err := time.Parse(layout, s); err == nil {
			_, off := t.Zone()
			return time.Duration(off) * time.Second, nil
		}
	}
	return 0, fmt.Errorf("postcsv: %q is not an offset", s)
}

// localInstants returns every instant whose wall clock in loc is wall
// (given as a UTC time): none in a gap when the clocks go forward, two in
// the hour that happens twice when they go back.
func localInstants(wall time.Time, loc *time.Location) []time.Time {
	offsets := map[int]bool{}
	for _, d := range []time.Duration{-36 * time.Hour, -12 * time.Hour, 0, 12 * time.Hour, 36 * time.Hour} {
		_, off := wall.Add(d).In(loc).Zone()
		offsets[off] = true
	}
	var out []time.Time
	for off := range offsets {
		u := wall.Add(-time.Duration(off) * time.Second)
		l := u.In(loc)
		if l.Year() == wall.Year() && l.YearDay() == wall.YearDay() && l.Hour() == wall.Hour() &&
			l.Minute() == wall.Minute() && l.Second() == wall.Second() {
			out = append(out, u)
		}
	}
	for i := 1; i < len(out); i++ { // earliest first
		if out[i].Before(out[0]) {
			out[0], out[i] = out[i], out[0]
		}
	}
	return out
}
