package ical

import (
	"context"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/heraldsocial/herald/internal/herald"
)

// The feed's window around now.
const (
	WindowBack  = 30 * 24 * time.Hour
	WindowAhead = 180 * 24 * time.Hour
)

// postDuration is how long a post's event lasts in calendar apps: a post
// goes out at an instant, but a zero-length event is easy to miss.
const postDuration = 15 * time.Minute

// shownStates are the target states the feed shows, with the mark put
// before the summary of those not (yet) scheduled.
var shownStates = map[herald.TargetState]string{
	herald.StateScheduled:  "",
	herald.StatePublishing: "",
	herald.StateRetrying:   "",
	herald.StatePublished:  "",
	herald.StateHeld:       "[held] ",
	herald.StateInReview:   "[in review] ",
	herald.StateApproved:   "[approved] ",
}

// event is one VEVENT. Each kind of calendar object (posts, campaigns,
// and later campaign phases) is one source of events.
type event struct {
	uid         string
	summary     string
	description string
	url         string
	start       time.Time // an instant, or a date when allDay
	end         time.Time // exclusive
	allDay      bool
	tentative   bool
	modified    time.Time
}

// source gathers one kind of event of the feed's workspace.
type source func(ctx context.Context, f *feed) ([]event, error)

// feed is what a rendering needs.
type feed struct {
	actor    herald.Actor
	ws       herald.Workspace
	loc      *time.Location
	now      time.Time
	from, to time.Time
	base     string // the site's origin, for links
	uidTail  string // makes UIDs unique to this installation
}

// Render returns the iCalendar document of the feed with token; base is
// the site's address (scheme and host) for links to posts.
func (s *Service) Render(ctx context.Context, token, base string) ([]byte, error) {
	actor, err := s.Resolve(ctx, token)
	if err != nil {
		return nil, err
	}
	ws, err := s.store.GetWorkspace(ctx, actor.WorkspaceID)
	if err != nil {
		return nil, fmt.Errorf("ical: get workspace: %w", err)
	}
	loc, err := ws.Location()
	if err != nil {
		return nil, err
	}
	inst, err := s.store.InstallationID(ctx)
	if err != nil {
		return nil, fmt.Errorf("ical: installation id: %w", err)
	}
	now := s.clock.Now().UTC().Truncate(time.Second)
	f := &feed{actor: actor, ws: ws, loc: loc, now: now, from: now.Add(-WindowBack), to: now.Add(WindowAhead),
		base: strings.TrimRight(base, "/"), uidTail: "@" + inst + ".herald"}
	var events []event
	for _, src := range []source{s.postEvents, s.campaignEvents} {
		evs, err := src(ctx, f)
		if err != nil {
			return nil, err
		}
		events = append(events, evs...)
	}
	return encode(f, events), nil
}

// postEvents is one event per target shown, at its scheduled time.
func (s *Service) postEvents(ctx context.Context, f *feed) ([]event, error) {
	accts, err := s.store.ListAccounts(ctx, f.ws.ID)
	if err != nil {
		return nil, fmt.Errorf("ical: list accounts: %w", err)
	}
	byID := map[int64]herald.Account{}
	for _, a := range accts {
		byID[a.ID] = a
	}
	states := make([]herald.TargetState, 0, len(shownStates))
	for st := range shownStates {
		states = append(states, st)
	}
	slices.Sort(states)
	from, to := f.from, f.to
	filter := herald.PostFilter{WorkspaceID: f.ws.ID, States: states, From: &from, To: &to,
		Page: herald.Page{Limit: herald.MaxPageLimit}}
	var out []event
	for {
		posts, next, err := s.store.ListPosts(ctx, filter)
		if err != nil {
			return nil, fmt.Errorf("ical: list posts: %w", err)
		}
		for _, p := range posts {
			for _, t := range p.Targets {
				mark, shown := shownStates[t.State]
				if !shown || t.ScheduledAt == nil || t.ScheduledAt.Before(f.from) || !t.ScheduledAt.Before(f.to) {
					continue
				}
				out = append(out, targetEvent(f, p, t, byID, mark))
			}
		}
		if next == "" {
			return out, nil
		}
		filter.Cursor = next
	}
}

func targetEvent(f *feed, p herald.Post, t herald.Target, accts map[int64]herald.Account, mark string) event {
	text := t.Variant.Text
	if text == "" {
		text = p.Text
	}
	a := accts[t.AccountID]
	who := a.Handle
	if who == "" {
		who = "account " + strconv.FormatInt(t.AccountID, 10)
	}
	title := p.Title
	if title == "" {
		title = firstLine(text)
	}
	var desc strings.Builder
	fmt.Fprintf(&desc, "Account: %s (%s)\nState: %s\n", who, a.Platform, strings.ReplaceAll(string(t.State), "_", " "))
	var others []string
	for _, o := range p.Targets {
		if o.ID != t.ID {
			others = append(others, accts[o.AccountID].Handle)
		}
	}
	if len(others) > 0 {
		fmt.Fprintf(&desc, "Also on: %s\n", strings.Join(others, ", "))
	}
	desc.WriteString("\n" + text)
	start := *t.ScheduledAt
	if t.PublishedAt != nil && t.State == herald.StatePublished {
		start = *t.PublishedAt
	}
	return event{
		uid:         "target-" + strconv.FormatInt(t.ID, 10) + f.uidTail,
		summary:     mark + who + ": " + title,
		description: desc.String(),
		url:         f.base + "/w/" + strconv.FormatInt(f.ws.ID, 10) + "/posts/" + strconv.FormatInt(p.ID, 10),
		start:       start,
		end:         start.Add(postDuration),
		tentative:   t.State == herald.StateInReview || t.State == herald.StateApproved || t.State == herald.StateHeld,
		modified:    t.UpdatedAt,
	}
}

// campaignEvents is one all-day event per campaign with dates that meet
// the window, from its first to its last day.
func (s *Service) campaignEvents(ctx context.Context, f *feed) ([]event, error) {
	if f.actor.Require(herald.ActCampaignsRead) != nil {
		return nil, nil
	}
	cs, err := s.store.ListCampaigns(ctx, f.ws.ID)
	if err != nil {
		return nil, fmt.Errorf("ical: list campaigns: %w", err)
	}
	var out []event
	for _, c := range cs {
		first, last := c.StartDate, c.EndDate
		if first == "" {
			first = last
		}
		if last == "" {
			last = first
		}
		if first == "" {
			continue
		}
		start, err1 := time.Parse(time.DateOnly, first)
		end, err2 := time.Parse(time.DateOnly, last)
		if err1 != nil || err2 != nil {
			continue
		}
		end = end.AddDate(0, 0, 1) // DTEND of an all-day event is the day after
		wsStart := time.Date(start.Year(), start.Month(), start.Day(), 0, 0, 0, 0, f.loc)
		wsEnd := time.Date(end.Year(), end.Month(), end.Day(), 0, 0, 0, 0, f.loc)
		if !wsEnd.After(f.from) || !wsStart.Before(f.to) {
			continue
		}
		desc := "Campaign"
		if c.Goal != "" {
			desc += "\nGoal: " + c.Goal
		}
		out = append(out, event{
			uid:         "campaign-" + strconv.FormatInt(c.ID, 10) + f.uidTail,
			summary:     "Campaign: " + c.Name,
			description: desc,
			url:         f.base + "/w/" + strconv.FormatInt(f.ws.ID, 10) + "/settings/campaigns",
			start:       start, end: end, allDay: true, modified: c.UpdatedAt,
		})
	}
	return out, nil
}

// firstLine is the text's first line, cut to 80 characters.
func firstLine(s string) string {
	s = strings.TrimSpace(s)
	if i := strings.IndexAny(s, "\r\n"); i >= 0 {
		s = s[:i]
	}
	if utf8.RuneCountInString(s) > 80 {
		r := []rune(s)
		s = string(r[:79]) + "…"
	}
	if s == "" {
		return "(no text)"
	}
	return s
}

// encode writes the calendar.
func encode(f *feed, events []event) []byte {
	var w writer
	w.line("BEGIN", "VCALENDAR")
	w.line("VERSION", "2.0")
	w.line("PRODID", "-//Herald//Herald calendar feed//EN")
	w.line("CALSCALE", "GREGORIAN")
	w.line("METHOD", "PUBLISH")
	w.text("X-WR-CALNAME", "Herald: "+f.ws.Name)
	w.text("X-WR-TIMEZONE", f.loc.String())
	// The zone covers every timed event: the window and one event length.
	writeTimezone(&w, f.loc, f.from.Add(-24*time.Hour), f.to.Add(24*time.Hour))
	tzid := "TZID=" + paramValue(f.loc.String())
	for _, e := range events {
		w.line("BEGIN", "VEVENT")
		w.text("UID", e.uid)
		w.line("DTSTAMP", utcStamp(f.now))
		if e.allDay {
			w.line("DTSTART;VALUE=DATE", dateValue(e.start))
			w.line("DTEND;VALUE=DATE", dateValue(e.end))
			w.line("TRANSP", "TRANSPARENT")
		} else {
			timeLine(&w, "DTSTART", tzid, e.start, f.loc)
			timeLine(&w, "DTEND", tzid, e.end, f.loc)
		}
		w.text("SUMMARY", e.summary)
		w.text("DESCRIPTION", e.description)
		if e.url != "" {
			w.line("URL", e.url)
		}
		if e.tentative {
			w.line("STATUS", "TENTATIVE")
		} else {
			w.line("STATUS", "CONFIRMED")
		}
		if !e.modified.IsZero() {
			w.line("LAST-MODIFIED", utcStamp(e.modified))
		}
		w.line("END", "VEVENT")
	}
	w.line("END", "VCALENDAR")
	return []byte(w.b.String())
}

// timeLine writes a DATE-TIME property in the zone, or in UTC when the
// local time is the second of two equal ones (clocks going back): a local
// time that happens twice means its first occurrence (RFC 5545, 3.3.5).
func timeLine(w *writer, name, tzid string, t time.Time, loc *time.Location) {
	if secondOccurrence(t, loc) {
		w.line(name, utcStamp(t))
		return
	}
	w.line(name+";"+tzid, localStamp(t.In(loc)))
}

// secondOccurrence reports whether the wall time of t in loc was also shown
// earlier, under the offset in force before a change.
func secondOccurrence(t time.Time, loc *time.Location) bool {
	_, now := t.In(loc).Zone()
	_, before := t.Add(-6 * time.Hour).In(loc).Zone()
	if before <= now {
		return false
	}
	earlier := t.Add(-time.Duration(before-now) * time.Second)
	_, off := earlier.In(loc).Zone()
	return off == before && localStamp(earlier.In(loc)) == localStamp(t.In(loc))
}
