package web

import (
	"cmp"
	"context"
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/heraldsocial/herald/internal/herald"
	"github.com/heraldsocial/herald/internal/post"
)

// The calendar shows a workspace's posts by month, by week (with the
// accounts' free queue slots) or as a list, in the viewer's own time zone,
// and moves them by drag and drop or with a small form.

// Calendar views.
const (
	viewMonth = "month"
	viewWeek  = "week"
	viewList  = "list"
)

// Session keys and cookie of the calendar.
const (
	calendarViewKey  = "calendar_view"
	calendarColorKey = "calendar_color"
	// tzCookie is set by static/calendar.js from the browser's zone.
	tzCookie = "herald_tz"
)

// Bounds of what one calendar page reads and shows.
const (
	// maxCalendarPages bounds the pages of posts read for one period;
	// beyond it the page says it is cut short.
	maxCalendarPages = 10
	// monthDayEntries is how many entries a month's day shows before
	// linking to the rest.
	monthDayEntries = 4
	// listDays is how many days one page of the list view covers.
	listDays = 14
)

// calTarget is one target in a calendar entry.
type calTarget struct {
	ID      int64
	Account string // "@handle on platform"
	State   herald.TargetState
}

// calEntry is one post at one time: its targets scheduled (or published)
// then, among those the filters keep.
type calEntry struct {
	PostID    int64
	Version   int64 // the post's version, sent back with a move
	Title     string
	Summary   string    // more of its text than Title, for its details
	At        time.Time // in the viewer's zone
	WsAt      time.Time // the same instant in the workspace's zone
	Published bool      // At is when it was published
	Targets   []calTarget
	Platforms []herald.Platform // of its targets' accounts, each once
	MoveIDs   []int64           // the targets the viewer may move
	Color     string            // CSS class of its colour
	// What the viewer may do to the post from its menu.
	CanEdit, CanUnschedule, CanDuplicate bool
}

// DOMID is the entry's element id.
func (e calEntry) DOMID() string {
	return "entry-" + itoa(e.PostID) + "-" + strconv.FormatInt(e.At.Unix(), 10)
}

// Movable reports whether the viewer may move the entry.
func (e calEntry) Movable() bool { return len(e.MoveIDs) > 0 }

// TargetList is MoveIDs for a data attribute: "3 4".
func (e calEntry) TargetList() string {
	s := make([]string, len(e.MoveIDs))
	for i, id := range e.MoveIDs {
		s[i] = itoa(id)
	}
	return strings.Join(s, " ")
}

// calSlot is a free queue slot of an account.
type calSlot struct {
	At      time.Time // in the viewer's zone
	WsAt    time.Time
	Account herald.Account
	Color   string
}

// calHour is one hour of a day in the week view.
type calHour struct {
	Hour    int
	Exists  bool // false for the hour skipped when clocks go forward
	Past    bool
	Entries []calEntry
	Slots   []calSlot
}

// calDay is one day of a view.
type calDay struct {
	Date    time.Time // midnight (or the day's first instant) in the viewer's zone
	Today   bool
	Past    bool // the whole day is over
	Outside bool // in the month grid but not in the month shown
	Entries []calEntry
	Slots   []calSlot
	Hours   []calHour // week view only
}

// ISO is the day as YYYY-MM-DD.
func (d calDay) ISO() string { return d.Date.Format(time.DateOnly) }

// Shown are the entries a month cell shows; the rest are behind a link.
func (d calDay) Shown() []calEntry { return d.Entries[:min(len(d.Entries), monthDayEntries)] }

// Hidden counts the entries a month cell does not show.
func (d calDay) Hidden() int { return max(len(d.Entries)-monthDayEntries, 0) }

// calFilter is the calendar's filter form.
type calFilter struct {
	AccountID, LabelID, CampaignID int64
	States                         []herald.TargetState
}

// narrows reports whether a filter other than the account one is set: free
// slots are not shown then, as posts the filter hides may take them.
func (f calFilter) narrows() bool {
	return f.LabelID != 0 || f.CampaignID != 0 || len(f.States) > 0
}

// calLegend is one colour key.
type calLegend struct {
	Name, Color string
}

// calMove is a refused move to show with the entry it was about.
type calMove struct {
	PostID     int64
	Date, Time string
	Err        *herald.Error
}

// calendarData is the calendar page.
type calendarData struct {
	View        string
	Color       string // "account" or "label"
	Date        time.Time
	Title       string // "November 2026", "16 – 22 Nov 2026"
	Loc, WsLoc  *time.Location
	ZonesDiffer bool
	Now         time.Time
	Days        []calDay
	Weekdays    []string
	Filter      calFilter
	Accounts    []herald.Account
	Labels      []herald.Label
	Campaigns   []herald.Campaign
	Legend      []calLegend
	Cut         bool // more posts than a page reads
	SlotsHidden bool // free slots are hidden by the filters
	CanMove     bool
	CanCompose  bool
	Templates   []herald.Template // offered in the day and entry menus
	Prev, Next  string            // dates of the neighbouring periods
	Today       string
	Move        *calMove
	Count       int
	// ScrollHour is the hour the week view opens at: the working day's
	// start, or the week's first post when it is earlier.
	ScrollHour int
}

// calendarRoutes registers the pages of the calendar: month, week and list views, and rescheduling by drag and drop.
func (h *Handler) calendarRoutes(m *http.ServeMux) {
	m.Handle("GET /w/{ws}/calendar", h.inWorkspace(h.calendar))
	m.Handle("GET /w/{ws}/calendar/labels.css", h.inWorkspace(h.calendarLabelColors))
	m.Handle("POST /w/{ws}/calendar/move", h.inWorkspace(h.calendarMove))
}

// calendarURL is the calendar page with query q.
func calendarURL(ws int64, q url.Values) string {
	u := wsURL(ws) + "calendar"
	if enc := q.Encode(); enc != "" {
		u += "?" + enc
	}
	return u
}

// viewerLocation is the viewer's zone from the herald_tz cookie, when it
// names a zone, else the workspace's.
func viewerLocation(r *http.Request, ws *time.Location) *time.Location {
	c, err := r.Cookie(tzCookie)
	if err != nil {
		return ws
	}
	name, err := url.QueryUnescape(c.Value)
	if err != nil || len(name) > 64 {
		return ws
	}
	loc, err := herald.LoadLocation(name)
	if err != nil {
		return ws
	}
	return loc
}

// period returns the days a view of date shows, the neighbouring
// periods' dates and the period's title.
func period(view string, date time.Time, loc *time.Location) (days []time.Time, prev, next time.Time, title string) {
	y, m, d := date.Date()
	day := func(y int, m time.Month, d int) time.Time { return time.Date(y, m, d, 0, 0, 0, 0, loc) }
	monday := func(y int, m time.Month, d int) time.Time {
		wd := int(day(y, m, d).Weekday()+6) % 7
		return day(y, m, d-wd)
	}
	var start time.Time
	var n int
	switch view {
	case viewWeek:
		start, n = monday(y, m, d), 7
		prev, next = start.AddDate(0, 0, -7), start.AddDate(0, 0, 7)
		end := start.AddDate(0, 0, 6)
		title = start.Format("2 Jan") + " – " + end.Format("2 Jan 2006")
		if start.Year() != end.Year() {
			title = start.Format("2 Jan 2006") + " – " + end.Format("2 Jan 2006")
		}
	case viewList:
		start, n = day(y, m, d), listDays
		prev, next = start.AddDate(0, 0, -listDays), start.AddDate(0, 0, listDays)
		title = start.Format("2 Jan") + " – " + start.AddDate(0, 0, listDays-1).Format("2 Jan 2006")
	default:
		first := day(y, m, 1)
		start = monday(y, m, 1)
		last := day(y, m+1, 0)
		end := monday(last.Year(), last.Month(), last.Day()).AddDate(0, 0, 7)
		n = calendarDaysBetween(start, end)
		prev, next = day(y, m-1, 1), day(y, m+1, 1)
		title = first.Format("January 2006")
	}
	for i := range n {
		days = append(days, time.Date(start.Year(), start.Month(), start.Day()+i, 0, 0, 0, 0, loc))
	}
	return days, prev, next, title
}

// calendarDaysBetween counts calendar days from a to b (a day of 23 or 25
// hours counts once).
func calendarDaysBetween(a, b time.Time) int {
	ua := time.Date(a.Year(), a.Month(), a.Day(), 0, 0, 0, 0, time.UTC)
	ub := time.Date(b.Year(), b.Month(), b.Day(), 0, 0, 0, 0, time.UTC)
	return int(ub.Sub(ua) / (24 * time.Hour))
}

// accountPalette is the number of account colours in calendar.css.
const accountPalette = 8

// accountColor is an account's stable colour class.
func accountColor(id int64) string { return "acct-c" + strconv.FormatInt(id%accountPalette, 10) }

// labelColor is a label's colour class (labels.css defines it).
func labelColor(id int64) string { return "label-c" + itoa(id) }

// hexColor is a label colour safe to put in a stylesheet.
var hexColor = regexp.MustCompile(`^#[0-9a-fA-F]{6}$`)

func (h *Handler) calendar(w http.ResponseWriter, r *http.Request, p *page) error {
	return h.renderCalendar(w, r, p, r.URL.Query(), http.StatusOK, nil)
}

// renderCalendar renders the calendar page for query q with status; move,
// when set, is a refused move to show next to its entry.
func (h *Handler) renderCalendar(w http.ResponseWriter, r *http.Request, p *page, q url.Values, status int, move *calMove) error {
	ctx := r.Context()
	wsLoc, err := p.Current.Location()
	if err != nil {
		return err
	}
	loc := viewerLocation(r, wsLoc)
	now := h.d.Clock.Now()
	cq, err := h.parseCalendarQuery(ctx, q, loc, now)
	if err != nil {
		return err
	}
	d := calendarData{View: cq.View, Color: cq.Color, Date: cq.Date, Loc: loc, WsLoc: wsLoc, Now: now.In(loc),
		Filter: cq.Filter, Move: move,
		ZonesDiffer: loc.String() != wsLoc.String(),
		CanMove:     p.Can(herald.ActPostsWrite),
		CanCompose:  p.Can(herald.ActPostsWrite),
		Weekdays:    []string{"Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"},
	}
	if d.Accounts, err = h.d.Accounts.List(ctx, p.Actor); err != nil {
		return err
	}
	if d.Labels, err = h.d.Labels.List(ctx, p.Actor); err != nil {
		return err
	}
	if p.Can(herald.ActCampaignsRead) {
		if d.Campaigns, err = h.d.Campaigns.List(ctx, p.Actor); err != nil {
			return err
		}
	}
	if d.CanCompose {
		if d.Templates, err = h.d.Templates.List(ctx, p.Actor, ""); err != nil {
			return err
		}
	}
	dates, prev, next, title := period(cq.View, cq.Date, loc)
	d.Title = title
	base := cq.query()
	d.Prev = calendarURL(p.Current.ID, with(base, "date", prev.Format(time.DateOnly)))
	d.Next = calendarURL(p.Current.ID, with(base, "date", next.Format(time.DateOnly)))
	d.Today = calendarURL(p.Current.ID, with(base, "date", d.Now.Format(time.DateOnly)))
	today := d.Now.Format(time.DateOnly)
	for _, dt := range dates {
		cd := calDay{Date: dt, Today: dt.Format(time.DateOnly) == today,
			Outside: cq.View == viewMonth && dt.Month() != cq.Date.Month()}
		cd.Past = !dt.AddDate(0, 0, 1).After(now)
		if cq.View == viewWeek {
			for hr := range 24 {
				at, ok := post.LocalInstant(dt.Year(), dt.Month(), dt.Day(), hr, 0, loc)
				cd.Hours = append(cd.Hours, calHour{Hour: hr, Exists: ok, Past: ok && !at.Add(time.Hour).After(now)})
			}
		}
		d.Days = append(d.Days, cd)
	}
	from := dates[0]
	last := dates[len(dates)-1]
	to := time.Date(last.Year(), last.Month(), last.Day()+1, 0, 0, 0, 0, loc)

	names := map[int64]herald.Account{}
	for _, a := range d.Accounts {
		names[a.ID] = a
	}
	labelSet := map[int64]bool{}
	for _, l := range d.Labels {
		labelSet[l.ID] = true
	}
	if cq.Color == "label" {
		for _, l := range d.Labels {
			d.Legend = append(d.Legend, calLegend{Name: l.Name, Color: labelColor(l.ID)})
		}
	} else {
		for _, a := range d.Accounts {
			d.Legend = append(d.Legend, calLegend{Name: accountName(a), Color: accountColor(a.ID)})
		}
	}

	posts, cut, err := h.calendarPosts(ctx, p.Actor, cq.Filter, from.UTC(), to.UTC())
	if err != nil {
		return err
	}
	d.Cut = cut
	canSchedule := mayRelease(p)
	taken := map[[2]int64]bool{} // account, unix micro
	for _, po := range posts {
		// One entry per post and instant, with the targets the filters keep.
		byAt := map[int64]*calEntry{}
		var order []int64
		for _, t := range po.Targets {
			if t.ScheduledAt != nil && slices.Contains([]herald.TargetState{herald.StateScheduled, herald.StateHeld, herald.StateRetrying}, t.State) {
				taken[[2]int64{t.AccountID, t.ScheduledAt.UnixMicro()}] = true
			}
			if !keepTarget(t, cq.Filter) {
				continue
			}
			at, published := t.ScheduledAt, false
			if t.State == herald.StatePublished && t.PublishedAt != nil {
				at, published = t.PublishedAt, true
			}
			if at == nil || at.Before(from) || !at.Before(to) {
				continue
			}
			key := at.UnixMicro()
			e, ok := byAt[key]
			if !ok {
				e = &calEntry{PostID: po.ID, Version: po.Version, Title: postTitle(po), Summary: postSummary(po), At: at.In(loc), WsAt: at.In(wsLoc), Published: published,
					CanEdit: mayEdit(p, po), CanUnschedule: mayUnschedule(p, po), CanDuplicate: p.Can(herald.ActPostsWrite)}
				byAt[key] = e
				order = append(order, key)
			}
			acct, ok := names[t.AccountID]
			name := "an account that is gone"
			if ok {
				name = accountName(acct)
				if !slices.Contains(e.Platforms, acct.Platform) {
					e.Platforms = append(e.Platforms, acct.Platform)
				}
			}
			e.Targets = append(e.Targets, calTarget{ID: t.ID, Account: name, State: t.State})
			if d.CanMove && at.After(now) && !published && canSchedule &&
				(t.State == herald.StateScheduled || t.State == herald.StateHeld || t.State == herald.StateFailed) {
				e.MoveIDs = append(e.MoveIDs, t.ID)
			}
			if e.Color == "" {
				e.Color = entryColor(cq.Color, t.AccountID, po.LabelIDs, labelSet)
			}
		}
		for _, key := range order {
			e := byAt[key]
			i := calendarDaysBetween(from, e.At)
			if i < 0 || i >= len(d.Days) {
				continue
			}
			d.Count++
			day := &d.Days[i]
			day.Entries = append(day.Entries, *e)
		}
	}
	for i := range d.Days {
		day := &d.Days[i]
		slices.SortStableFunc(day.Entries, func(a, b calEntry) int {
			return cmp.Or(a.At.Compare(b.At), cmp.Compare(a.PostID, b.PostID))
		})
		if cq.View == viewWeek {
			for _, e := range day.Entries {
				hr := &day.Hours[e.At.Hour()]
				hr.Entries = append(hr.Entries, e)
			}
		}
	}
	if cq.View == viewWeek {
		d.ScrollHour = scrollHour(d.Days)
		if cq.Filter.narrows() {
			d.SlotsHidden = true
		} else {
			h.placeSlots(&d, from, to, now, taken)
		}
	}
	p.Title = "Calendar"
	h.render(w, r, status, calendarPage(p, d))
	return nil
}

// workdayHour is when the working day starts: the week view opens there
// unless a post of the week is earlier.
const workdayHour = 8

// scrollHour is the hour the week view opens at: workdayHour, or the
// hour of the week's earliest post when it is earlier.
func scrollHour(days []calDay) int {
	h := workdayHour
	for _, d := range days {
		for _, e := range d.Entries {
			h = min(h, e.At.Hour())
		}
	}
	return h
}

// keepTarget reports whether the filters keep target t of a post the
// store found (the store filters posts; a post's other targets may not
// match).
func keepTarget(t herald.Target, f calFilter) bool {
	if t.State == herald.StateCancelled && !slices.Contains(f.States, herald.StateCancelled) {
		return false
	}
	if f.AccountID != 0 && t.AccountID != f.AccountID {
		return false
	}
	return len(f.States) == 0 || slices.Contains(f.States, t.State)
}

// entryColor is an entry's colour class: its account's, or its first
// label's (none when it has no label).
func entryColor(mode string, accountID int64, labels []int64, known map[int64]bool) string {
	if mode != "label" {
		return accountColor(accountID)
	}
	for _, id := range labels {
		if known[id] {
			return labelColor(id)
		}
	}
	return "no-label"
}

// calendarPosts reads the posts with a target in [from, to) that f keeps,
// a bounded number of pages; cut says there were more.
func (h *Handler) calendarPosts(ctx context.Context, actor herald.Actor, f calFilter, from, to time.Time) ([]herald.Post, bool, error) {
	pf := herald.PostFilter{From: &from, To: &to, AccountID: f.AccountID, LabelID: f.LabelID, CampaignID: f.CampaignID,
		States: f.States, Page: herald.Page{Limit: herald.MaxPageLimit}}
	var out []herald.Post
	for range maxCalendarPages {
		posts, next, err := h.d.Posts.List(ctx, actor, pf)
		if err != nil {
			return nil, false, err
		}
		out = append(out, posts...)
		if pf.Cursor = next; next == "" {
			return out, false, nil
		}
	}
	return out, true, nil
}
