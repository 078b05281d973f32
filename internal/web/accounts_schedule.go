package web

import (
	"context"
	"fmt"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/heraldsocial/herald/internal/analytics"
	"github.com/heraldsocial/herald/internal/herald"
	"github.com/heraldsocial/herald/internal/post"
)

// The posting schedule editor: the week's slots, one form to add a time to
// several days, and copying one day's times to others.

// weekdayNames are the days in the order the editor shows them.
var weekdayNames = []string{"monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"}

// dayLabel is a day's name for people: "Monday".
func dayLabel(d string) string {
	if d == "" {
		return ""
	}
	return strings.ToUpper(d[:1]) + d[1:]
}

// dayEdit is one weekday of the editor.
type dayEdit struct {
	Day     string
	Times   []string // HH:MM, or what was typed when it is wrong
	Problem string
}

// nextSlot is one coming queue slot.
type nextSlot struct {
	At    time.Time // in the workspace zone
	Taken bool      // a post already waits there
}

// nextSlotCount is how many coming queue slots the editor shows.
const nextSlotCount = 6

// scheduleData is the posting schedule page.
type scheduleData struct {
	A        herald.Account
	Platform string
	Days     []dayEdit
	Next     []nextSlot
	CanEdit  bool
	Err      *herald.Error // what is wrong with the whole schedule
	CopyErr  string
	CopyFrom string
	AddDays  []string // the days ticked in the add form
	AddTime  string   // the time typed in the add form
	AddErr   string   // what is wrong with the add form
	Saved    string   // said in place after an htmx save
	Slots    int
	// Best are the account's best hours to post that are not slots yet
	// (shown to those who read analytics); BestShown says the grid was
	// read, so an empty Best means not enough data.
	Best      []bestSlot
	BestShown bool
}

// bestSlot is a suggested slot: a weekday and hour where the account's
// posts did best.
type bestSlot struct {
	Day, Time string // "tuesday", "09:00"
	Cell      analytics.Cell
}

// bestSlotCount is how many suggestions the editor shows.
const bestSlotCount = 5

// bestSlots reads the account's best hours that are not slots yet.
func (h *Handler) bestSlots(ctx context.Context, p *page, d *scheduleData) error {
	if h.d.Analytics == nil || !p.Can(herald.ActAnalyticsRead) {
		return nil
	}
	bt, err := h.d.Analytics.BestTimes(ctx, p.Actor, d.A.ID, "")
	if err != nil {
		return err
	}
	d.BestShown, d.Best = true, nil
	for _, c := range bt.Best(7 * 24) {
		day := weekdayNames[(int(c.Weekday)+6)%7]
		at := hourLabel(c.Hour)
		taken := false
		for _, de := range d.Days {
			if de.Day == day && slices.ContainsFunc(de.Times, func(t string) bool { return strings.HasPrefix(t, at[:3]) }) {
				taken = true
			}
		}
		if !taken {
			d.Best = append(d.Best, bestSlot{Day: day, Time: at, Cell: c})
		}
		if len(d.Best) == bestSlotCount {
			break
		}
	}
	return nil
}

// daysOf lays a schedule out by weekday, times in order.
func daysOf(ps herald.PostingSchedule) []dayEdit {
	days := make([]dayEdit, len(weekdayNames))
	for i, d := range weekdayNames {
		days[i].Day = d
	}
	for _, s := range ps.Slots {
		if i := slices.Index(weekdayNames, strings.ToLower(s.Day)); i >= 0 {
			days[i].Times = append(days[i].Times, s.Time)
		}
	}
	for i := range days {
		slices.Sort(days[i].Times)
	}
	return days
}

// scheduleOf turns the editor's days into a posting schedule.
func scheduleOf(days []dayEdit) herald.PostingSchedule {
	ps := herald.PostingSchedule{Slots: []herald.PostingSlot{}}
	for _, d := range days {
		for _, t := range d.Times {
			ps.Slots = append(ps.Slots, herald.PostingSlot{Day: d.Day, Time: t})
		}
	}
	return ps
}

// clockOf reads a time of day as people and browsers type it ("9:30",
// "09:30", "09:30:00") as HH:MM.
func clockOf(s string) (string, bool) {
	for _, layout := range []string{"15:04", "15:04:05", "15.04"} {
		if t, err := time.Parse(layout, s); err == nil {
			return t.Format("15:04"), true
		}
	}
	return "", false
}

// nextSlots returns the schedule's next queue slots after now, marking
// those a waiting post of the account already takes.
func (h *Handler) nextSlots(ctx context.Context, p *page, id int64, ps herald.PostingSchedule, now time.Time) ([]nextSlot, error) {
	loc, err := p.Current.Location()
	if err != nil {
		return nil, err
	}
	var out []nextSlot
	seen := map[int64]bool{}
	for len(out) < nextSlotCount {
		at, ok := post.NextSlot(ps, loc, now, seen, post.QueueLookahead)
		if !ok {
			break
		}
		seen[at.UnixMicro()] = true
		out = append(out, nextSlot{At: at.In(loc)})
	}
	if len(out) == 0 {
		return nil, nil
	}
	from, to := now, out[len(out)-1].At.Add(time.Second)
	posts, _, err := h.d.Posts.List(ctx, p.Actor, herald.PostFilter{AccountID: id, States: waitingStates,
		From: &from, To: &to, Page: herald.Page{Limit: herald.MaxPageLimit}})
	if err != nil {
		return nil, err
	}
	taken := map[int64]bool{}
	for _, po := range posts {
		for _, t := range po.Targets {
			if t.AccountID == id && t.ScheduledAt != nil && slices.Contains(waitingStates, t.State) {
				taken[t.ScheduledAt.UnixMicro()] = true
			}
		}
	}
	for i := range out {
		out[i].Taken = taken[out[i].At.UnixMicro()]
	}
	return out, nil
}

// scheduleForm is an account's posting schedule: the editor for those who
// manage accounts, the slots for everyone.
func (h *Handler) scheduleForm(w http.ResponseWriter, r *http.Request, p *page) error {
	id, err := pathID(r, "id", "account")
	if err != nil {
		return err
	}
	a, err := h.d.Accounts.Get(r.Context(), p.Actor, id)
	if err != nil {
		return err
	}
	d := scheduleData{A: a, Platform: platformLabel(a.Platform), Days: daysOf(a.PostingSchedule),
		CanEdit: p.Can(herald.ActAccountsManage), Slots: len(a.PostingSchedule.Slots)}
	return h.renderSchedule(w, r, p, d, http.StatusOK)
}

func (h *Handler) renderSchedule(w http.ResponseWriter, r *http.Request, p *page, d scheduleData, status int) error {
	var err error
	if d.Next, err = h.nextSlots(r.Context(), p, d.A.ID, d.A.PostingSchedule, h.d.Clock.Now()); err != nil {
		return err
	}
	if err := h.bestSlots(r.Context(), p, &d); err != nil {
		return err
	}
	if isHTMX(r) {
		status = http.StatusOK // htmx swaps only 2xx answers
	}
	p.Title = "Posting schedule of " + d.A.Handle
	h.render(w, r, status, schedulePage(p, d))
	return nil
}

// scheduleSave applies the editor's change (edited, added or removed
// times, or one day's times copied to others) and saves the schedule.
func (h *Handler) scheduleSave(w http.ResponseWriter, r *http.Request, p *page) error {
	id, err := pathID(r, "id", "account")
	if err != nil {
		return err
	}
	a, err := h.d.Accounts.Get(r.Context(), p.Actor, id)
	if err != nil {
		return err
	}
	if err := p.Actor.Require(herald.ActAccountsManage); err != nil {
		return err
	}
	if err := r.ParseForm(); err != nil {
		return herald.Errorf(herald.CodeBadRequest, "the form could not be read: %v", err)
	}
	d := scheduleData{A: a, Platform: platformLabel(a.Platform), CanEdit: true, CopyFrom: r.PostForm.Get("copy_from")}
	remove := r.PostForm.Get("remove")
	bad := false
	for _, day := range weekdayNames {
		de := dayEdit{Day: day}
		var wrong []string
		for i, v := range r.PostForm[day] {
			v = strings.TrimSpace(v)
			if v == "" || remove == day+":"+strconv.Itoa(i) {
				continue
			}
			c, ok := clockOf(v)
			if !ok {
				wrong = append(wrong, fmt.Sprintf("%q", v))
				de.Times = append(de.Times, v)
				continue
			}
			if !slices.Contains(de.Times, c) {
				de.Times = append(de.Times, c)
			}
		}
		if len(wrong) > 0 {
			bad = true
			de.Problem = strings.Join(wrong, ", ") + " is not a time of day: type it like 09:30 (24-hour clock)"
		} else {
			slices.Sort(de.Times)
		}
		d.Days = append(d.Days, de)
	}
	done := "Posting schedule saved"
	switch op := r.PostForm.Get("op"); {
	case op == "copy" && !bad:
		if msg, ok := d.copyDay(r.PostForm["copy_to"]); ok {
			done = msg
		} else {
			bad = true
		}
	case r.PostForm.Get("suggest") != "":
		if bad {
			break
		}
		// A suggested best time: "tuesday 09:00".
		day, at, _ := strings.Cut(r.PostForm.Get("suggest"), " ")
		if msg, ok := d.addTime(at, []string{day}); ok {
			done = msg
		} else {
			bad = true
		}
	case op == "add" || (op != "copy" && strings.TrimSpace(r.PostForm.Get("add_time")) != ""):
		// Enter in the time field submits the form as a save: a time typed
		// there is added all the same.
		if bad { // the slots are wrong: keep what was typed for later
			d.AddTime, d.AddDays = strings.TrimSpace(r.PostForm.Get("add_time")), r.PostForm["add_day"]
		} else if msg, ok := d.addTime(r.PostForm.Get("add_time"), r.PostForm["add_day"]); ok {
			done = msg
		} else {
			bad = true
		}
	}
	if bad {
		return h.renderSchedule(w, r, p, d, http.StatusUnprocessableEntity)
	}
	ps, err := h.d.Accounts.SetSchedule(r.Context(), p.Actor, id, scheduleOf(d.Days))
	if err != nil {
		he := publicError(err)
		if he.Code != herald.CodeInvalid {
			return err
		}
		d.Err = he
		return h.renderSchedule(w, r, p, d, statusOf(he))
	}
	done += fmt.Sprintf(": %s a week, times in %s.", count(len(ps.Slots), "slot"), p.Current.TimeZone)
	if !isHTMX(r) {
		h.d.Sessions.Put(r.Context(), flashKey, done)
		http.Redirect(w, r, accountURL(p.Current.ID, id, "schedule"), http.StatusSeeOther)
		return nil
	}
	d.A.PostingSchedule = ps
	d.Days, d.Saved, d.Slots = daysOf(ps), done, len(ps.Slots)
	return h.renderSchedule(w, r, p, d, http.StatusOK)
}

// copyDay copies the times of d.CopyFrom to the days in to, replacing
// theirs, and says what it did; or it says what is wrong in d.CopyErr.
func (d *scheduleData) copyDay(to []string) (string, bool) {
	from := slices.Index(weekdayNames, d.CopyFrom)
	switch {
	case from < 0:
		d.CopyErr = "Choose the day to copy from."
		return "", false
	case len(to) == 0 || (len(to) == 1 && to[0] == d.CopyFrom):
		d.CopyErr = "Tick the days that should get " + dayLabel(d.CopyFrom) + "'s times."
		return "", false
	}
	var names []string
	for _, t := range to {
		if i := slices.Index(weekdayNames, t); i >= 0 && i != from {
			d.Days[i].Times = slices.Clone(d.Days[from].Times)
			names = append(names, dayLabel(t))
		}
	}
	return fmt.Sprintf("Copied %s's times to %s", dayLabel(d.CopyFrom), strings.Join(names, ", ")), true
}

// addTime adds the time typed to each day ticked and says what it did; or
// it says what is wrong in d.AddErr, keeping what was typed and ticked.
func (d *scheduleData) addTime(typed string, days []string) (string, bool) {
	d.AddTime = strings.TrimSpace(typed)
	for _, day := range days {
		if slices.Contains(weekdayNames, day) && !slices.Contains(d.AddDays, day) {
			d.AddDays = append(d.AddDays, day)
		}
	}
	c, ok := clockOf(d.AddTime)
	switch {
	case d.AddTime == "":
		d.AddErr = "Type the time to add, like 09:30."
	case !ok:
		d.AddErr = fmt.Sprintf("%q is not a time of day: type it like 09:30 (24-hour clock).", d.AddTime)
	case len(d.AddDays) == 0:
		d.AddErr = "Tick the days that should get " + c + "."
	}
	if d.AddErr != "" {
		return "", false
	}
	var names []string
	for i := range d.Days {
		if !slices.Contains(d.AddDays, d.Days[i].Day) {
			continue
		}
		names = append(names, dayLabel(d.Days[i].Day))
		if !slices.Contains(d.Days[i].Times, c) {
			d.Days[i].Times = append(d.Days[i].Times, c)
			slices.Sort(d.Days[i].Times)
		}
	}
	d.AddDays, d.AddTime = nil, ""
	return fmt.Sprintf("Added %s on %s", c, strings.Join(names, ", ")), true
}

// addTicked reports whether day is ticked in the add form.
func (d scheduleData) addTicked(day string) bool { return slices.Contains(d.AddDays, day) }
