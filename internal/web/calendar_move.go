package web

import (
	"encoding/json"
	"errors"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/heraldsocial/herald/internal/herald"
	"github.com/heraldsocial/herald/internal/post"
)

// moveAnswer is the JSON answer of a move asked by calendar.js.
type moveAnswer struct {
	OK      bool   `json:"ok"`
	Message string `json:"message"`
	Field   string `json:"field,omitempty"`
}

// wantsJSON reports whether the caller (calendar.js) asked for JSON.
func wantsJSON(r *http.Request) bool {
	return strings.Contains(r.Header.Get("Accept"), "application/json")
}

// moveRequest is a parsed move form.
type moveRequest struct {
	PostID, Version int64
	Targets         []int64
	At              time.Time
	Loc             *time.Location // the zone of Date and Time: the page's
	Date, Time      string
	Back            url.Values
}

// parseMove reads the move form: the post, the targets shown in its
// entry, the version the page showed, and the new time: either an
// instant (at) or a date and time of day in the page's zone (tz).
func parseMove(r *http.Request, fallback *time.Location) (moveRequest, error) {
	var m moveRequest
	var pr herald.Problems
	m.Back, _ = url.ParseQuery(strings.TrimPrefix(r.PostFormValue("back"), "?"))
	var err error
	if m.PostID, err = strconv.ParseInt(r.PostFormValue("post"), 10, 64); err != nil || m.PostID <= 0 {
		pr.Add("post", "is not a post id")
	}
	if m.Version, err = strconv.ParseInt(r.PostFormValue("version"), 10, 64); err != nil || m.Version <= 0 {
		pr.Add("version", "is missing: reload the calendar and try again")
	}
	for _, v := range r.PostForm["target"] {
		for _, f := range strings.Fields(v) {
			id, err := strconv.ParseInt(f, 10, 64)
			if err != nil || id <= 0 {
				pr.Add("target", "%q is not a target id", f)
				continue
			}
			m.Targets = append(m.Targets, id)
		}
	}
	loc := fallback
	if name := r.PostFormValue("tz"); name != "" {
		if l, err := herald.LoadLocation(name); err == nil {
			loc = l
		}
	}
	m.Loc = loc
	m.Date, m.Time = strings.TrimSpace(r.PostFormValue("date")), strings.TrimSpace(r.PostFormValue("time"))
	if at := strings.TrimSpace(r.PostFormValue("at")); at != "" {
		t, err := time.Parse(time.RFC3339, at)
		if err != nil {
			pr.Add("at", "%q is not an instant such as 2026-03-31T09:00:00+02:00", at)
		}
		m.At = t
		return m, pr.Err("the move is not valid")
	}
	d, err := time.Parse(time.DateOnly, m.Date)
	if err != nil {
		pr.Add("date", "%q is not a date: pick a day such as 2026-03-31", m.Date)
	}
	tm, terr := time.Parse("15:04", m.Time)
	if terr != nil {
		pr.Add("time", "%q is not a time of day: type one such as 09:30", m.Time)
	}
	if err == nil && terr == nil {
		at, ok := post.LocalInstant(d.Year(), d.Month(), d.Day(), tm.Hour(), tm.Minute(), loc)
		if !ok {
			pr.Add("time", "%s does not exist on %s in %s (the clocks go forward then): pick another time", m.Time, m.Date, loc)
		}
		m.At = at
	}
	return m, pr.Err("the move is not valid")
}

// calendarMove reschedules the targets of one calendar entry: from a drop
// (calendar.js, answered in JSON) or the entry's Move… form (answered
// with a redirect to the calendar, or the calendar with the problem).
func (h *Handler) calendarMove(w http.ResponseWriter, r *http.Request, p *page) error {
	ctx := r.Context()
	wsLoc, err := p.Current.Location()
	if err != nil {
		return err
	}
	m, err := parseMove(r, viewerLocation(r, wsLoc))
	loc := m.Loc
	if err == nil {
		err = h.move(r, p, m, loc)
	}
	if err != nil {
		he := publicError(err)
		if he.Code == herald.CodeInternal {
			h.d.Logger.ErrorContext(ctx, "calendar move", "post_id", m.PostID, "error", err)
		}
		if he.Code == herald.CodeUnauthorized {
			h.toSignin(w, r)
			return nil
		}
		status := statusOf(he)
		if wantsJSON(r) {
			field := ""
			if len(he.Details) > 0 {
				field = he.Details[0].Field
			}
			writeJSON(w, status, moveAnswer{Message: moveMessage(he), Field: field})
			return nil
		}
		return h.renderCalendar(w, r, p, m.Back, status, &calMove{PostID: m.PostID, Date: m.Date, Time: m.Time, Err: he})
	}
	done := "Moved to " + fmtTime(m.At, loc)
	if loc.String() != wsLoc.String() {
		done += " (" + fmtTime(m.At, wsLoc) + " in the workspace's zone)"
	}
	done += "."
	h.d.Sessions.Put(ctx, flashKey, done)
	if wantsJSON(r) {
		writeJSON(w, http.StatusOK, moveAnswer{OK: true, Message: done})
		return nil
	}
	if len(m.Back) == 0 {
		m.Back = url.Values{}
	}
	http.Redirect(w, r, calendarURL(p.Current.ID, m.Back), http.StatusSeeOther)
	return nil
}

// move checks and applies a parsed move.
func (h *Handler) move(r *http.Request, p *page, m moveRequest, loc *time.Location) error {
	now := h.d.Clock.Now()
	if !m.At.After(now) {
		return &herald.Error{Code: herald.CodeInvalid,
			Message: "A post cannot be moved into the past: " + fmtTime(m.At, loc) + " has already gone by. Pick a later day or time.",
			Details: []herald.FieldProblem{{Field: "date", Problem: "is in the past: pick a day and time after " + fmtTime(now, loc)}}}
	}
	_, err := h.d.Posts.RescheduleIfMatch(r.Context(), p.Actor, m.PostID, m.At, m.Targets, m.Version)
	var se *post.StaleError
	if errors.As(err, &se) {
		by := se.By
		if by == "" {
			by = "Herald"
		}
		return &herald.Error{Code: herald.CodeConflict,
			Message: "This post was changed by " + by + " at " + fmtTime(se.At, loc) +
				" since you loaded the calendar; reload to see the current version. Nothing was moved.",
			Err: err}
	}
	return err
}

// moveMessage is a refused move in one sentence, its first field problem
// included.
func moveMessage(he *herald.Error) string {
	if len(he.Details) == 0 || strings.Contains(he.Message, he.Details[0].Problem) {
		return he.Message
	}
	return he.Message + ": " + he.Details[0].Field + " " + he.Details[0].Problem
}

// writeJSON answers v as JSON with status.
func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "no-store")
	w.Header().Set("X-Content-Type-Options", "nosniff")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}
