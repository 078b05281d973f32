package web

import (
	"cmp"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"time"

	"github.com/heraldsocial/herald/internal/herald"
	"github.com/heraldsocial/herald/internal/post"
)

// composeSlotURL is the composer prefilled with an instant and an account.
func composeSlotURL(ws int64, at time.Time, accountID int64) string {
	q := url.Values{}
	q.Set("at", at.UTC().Format(time.RFC3339))
	q.Set("account", itoa(accountID))
	return wsURL(ws) + "compose?" + q.Encode()
}

// calendarLabelColors is the stylesheet of the workspace's label colours:
// the page's CSP allows no style attribute, and a label's colour is data.
func (h *Handler) calendarLabelColors(w http.ResponseWriter, r *http.Request, p *page) error {
	labels, err := h.d.Labels.List(r.Context(), p.Actor)
	if err != nil {
		return err
	}
	var b strings.Builder
	for _, l := range labels {
		if hexColor.MatchString(l.Color) {
			b.WriteString("." + labelColor(l.ID) + "{--entry-color:" + strings.ToLower(l.Color) + "}\n")
		}
	}
	w.Header().Set("Content-Type", "text/css; charset=utf-8")
	w.Header().Set("Cache-Control", "no-cache")
	w.Header().Set("X-Content-Type-Options", "nosniff")
	_, err = w.Write([]byte(b.String()))
	return err
}

// Template helpers of the calendar.

// calQuery is the page's own query: view, date, colouring and filters.
func calQuery(d calendarData) url.Values {
	q := calendarQuery{View: d.View, Date: d.Date, Filter: d.Filter}.query()
	q.Set("color", d.Color)
	return q
}

// clearFilters is the page's query without filters.
func clearFilters(d calendarData) url.Values {
	q := url.Values{}
	q.Set("view", d.View)
	q.Set("date", d.Date.Format(time.DateOnly))
	return q
}

func viewLabel(v string) string {
	switch v {
	case viewWeek:
		return "Week"
	case viewList:
		return "List"
	}
	return "Month"
}

// dropUnit is what a drop picks in a view.
func dropUnit(view string) string {
	if view == viewWeek {
		return "day and hour"
	}
	return "day"
}

func containsState(states []herald.TargetState, s herald.TargetState) bool {
	return slices.Contains(states, s)
}

// hourLabel is an hour of the day: "09:00".
func hourLabel(h int) string {
	return time.Date(2000, 1, 1, h, 0, 0, 0, time.UTC).Format("15:04")
}

// dayEmpty reports whether a week's day has neither posts nor free slots.
func dayEmpty(d calDay) bool {
	for _, h := range d.Hours {
		if len(h.Entries)+len(h.Slots) > 0 {
			return false
		}
	}
	return true
}

// entryStates are the distinct states of an entry's targets, in order.
func entryStates(e calEntry) []herald.TargetState {
	var out []herald.TargetState
	for _, t := range e.Targets {
		if !slices.Contains(out, t.State) {
			out = append(out, t.State)
		}
	}
	return out
}

// moveValue is the Move… form's value of field: what the viewer typed in
// a refused move, else the entry's own day or time.
func moveValue(d calendarData, e calEntry, field string) string {
	if d.Move != nil && d.Move.PostID == e.PostID {
		if field == "date" {
			return d.Move.Date
		}
		return d.Move.Time
	}
	if field == "date" {
		return e.At.Format(time.DateOnly)
	}
	return fmtClock(e.At)
}

// moveProblem is what a refused move of e says about field.
func moveProblem(d calendarData, e calEntry, field string) string {
	if d.Move == nil || d.Move.PostID != e.PostID {
		return ""
	}
	return fieldProblem(d.Move.Err, field)
}

// filterCount counts the filters on.
func filterCount(f calFilter) int {
	n := len(f.States)
	for _, id := range []int64{f.AccountID, f.LabelID, f.CampaignID} {
		if id != 0 {
			n++
		}
	}
	return n
}

// placeSlots puts each account's free queue slots (weekly local times in
// the workspace's zone) into the week's hours, from now on.
func (h *Handler) placeSlots(d *calendarData, from, to, now time.Time, taken map[[2]int64]bool) {
	start := from.In(d.WsLoc).AddDate(0, 0, -1)
	for _, a := range d.Accounts {
		if d.Filter.AccountID != 0 && a.ID != d.Filter.AccountID {
			continue
		}
		if a.Status == herald.AccountRevoked || a.Status == herald.AccountExpired {
			continue
		}
		for i := range 9 {
			day := time.Date(start.Year(), start.Month(), start.Day()+i, 12, 0, 0, 0, time.UTC)
			for _, s := range a.PostingSchedule.Slots {
				wd, okDay := s.Weekday()
				hr, mi, okTime := s.Clock()
				if !okDay || !okTime || wd != day.Weekday() {
					continue
				}
				at, ok := post.LocalInstant(day.Year(), day.Month(), day.Day(), hr, mi, d.WsLoc)
				if !ok || !at.After(now) || at.Before(from) || !at.Before(to) || taken[[2]int64{a.ID, at.UnixMicro()}] {
					continue
				}
				local := at.In(d.Loc)
				di := calendarDaysBetween(from.In(d.Loc), local)
				if di < 0 || di >= len(d.Days) {
					continue
				}
				hour := &d.Days[di].Hours[local.Hour()]
				hour.Slots = append(hour.Slots, calSlot{At: local, WsAt: at.In(d.WsLoc), Account: a, Color: accountColor(a.ID)})
			}
		}
	}
	for i := range d.Days {
		for j := range d.Days[i].Hours {
			slices.SortStableFunc(d.Days[i].Hours[j].Slots, func(a, b calSlot) int {
				return cmp.Or(a.At.Compare(b.At), cmp.Compare(a.Account.ID, b.Account.ID))
			})
		}
	}
}

// calendarBack is the calendar page itself, for pages opened from it to
// come back to.
func calendarBack(p *page, d calendarData) string {
	q := calQuery(d)
	return calendarURL(p.Current.ID, q)
}

// unscheduleURL is the confirmation page of unscheduling e, coming back
// to the calendar.
func unscheduleURL(p *page, d calendarData, e calEntry) string {
	return postURL(p.Current.ID, e.PostID) + "/unschedule?" + url.Values{"back": {calendarBack(p, d)}}.Encode()
}

// entryDetails says what a compact month entry leaves out: when, where
// and in which state.
func entryDetails(d calendarData, e calEntry) string {
	var b strings.Builder
	b.WriteString(e.At.Format("Mon 2 Jan, 15:04"))
	if d.ZonesDiffer {
		b.WriteString(" (" + e.WsAt.Format("15:04 MST") + " in the workspace)")
	}
	if e.Published {
		b.WriteString(", published")
	}
	return b.String()
}
