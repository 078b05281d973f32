package web

import (
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/heraldsocial/herald/internal/herald"
	"github.com/heraldsocial/herald/internal/inbox"
)

// inboxReportRoutes registers the response-time report and its target.
func (h *Handler) inboxReportRoutes(m *http.ServeMux) {
	m.Handle("GET /w/{ws}/inbox/report", h.inWorkspace(h.inboxReport))
	m.Handle("GET /w/{ws}/inbox/report.csv", h.inWorkspace(h.inboxReportCSV))
	m.Handle("POST /w/{ws}/inbox/report/target", h.inWorkspace(h.inboxSetTarget))
}

// reportPeriods are the periods the report offers, in days.
var reportPeriods = []int{7, 28, 90}

// inboxReportData is the report page.
type inboxReportData struct {
	Days   int
	Report inbox.Report
	Target targetForm
	Loc    *time.Location
}

// targetForm is the response target as the form shows it.
type targetForm struct {
	Minutes    int
	Always     bool
	Days       []int
	Start, End string // "09:00"
	Err        *herald.Error
}

// targetDays names the days 0 (Sunday) … 6.
var targetDays = []string{"Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"}

// reportDays reads the period, 28 days unless one of reportPeriods.
func reportDays(r *http.Request) int {
	n, _ := strconv.Atoi(r.URL.Query().Get("days"))
	for _, d := range reportPeriods {
		if n == d {
			return n
		}
	}
	return 28
}

// report computes the report of the last days.
func (h *Handler) report(r *http.Request, p *page, days int) (inbox.Report, error) {
	to := time.Now().UTC()
	return h.d.Inbox.Report(r.Context(), p.Actor, to.Add(-time.Duration(days)*24*time.Hour), to)
}

func (h *Handler) inboxReport(w http.ResponseWriter, r *http.Request, p *page) error {
	return h.renderReport(w, r, p, http.StatusOK, nil)
}

func (h *Handler) renderReport(w http.ResponseWriter, r *http.Request, p *page, status int, form *targetForm) error {
	d := inboxReportData{Days: reportDays(r), Loc: p.location()}
	var err error
	if d.Report, err = h.report(r, p, d.Days); err != nil {
		return err
	}
	if form != nil {
		d.Target = *form
	} else {
		t := d.Report.Target
		d.Target = targetForm{Minutes: t.FirstResponseMinutes, Always: t.Always, Days: t.Days,
			Start: hhmm(t.StartMinute), End: hhmm(t.EndMinute)}
		if !t.On() {
			d.Target = targetForm{Minutes: 60, Days: []int{1, 2, 3, 4, 5}, Start: "09:00", End: "17:00"}
		}
	}
	p.Title = "Inbox response times"
	h.render(w, r, status, inboxReportPage(p, d))
	return nil
}

// hhmm writes minutes after midnight as 15:04.
func hhmm(m int) string { return fmt.Sprintf("%02d:%02d", m/60, m%60) }

// minutesOf reads 15:04 as minutes after midnight; -1 when it is not a time.
func minutesOf(s string) int {
	if strings.TrimSpace(s) == "24:00" {
		return 24 * 60
	}
	c, ok := clockOf(strings.TrimSpace(s))
	if !ok {
		return -1
	}
	t, _ := time.Parse("15:04", c)
	return t.Hour()*60 + t.Minute()
}

func (h *Handler) inboxSetTarget(w http.ResponseWriter, r *http.Request, p *page) error {
	if err := r.ParseForm(); err != nil {
		return herald.Errorf(herald.CodeInvalid, "the form could not be read: %v", err)
	}
	f := targetForm{Always: r.PostForm.Get("always") == "true", Start: r.PostForm.Get("start"), End: r.PostForm.Get("end"),
		Days: []int{}}
	f.Minutes, _ = strconv.Atoi(r.PostForm.Get("minutes"))
	if r.PostForm.Get("off") == "true" {
		f.Minutes = 0
	}
	for _, v := range r.PostForm["day"] {
		if d, err := strconv.Atoi(v); err == nil {
			f.Days = append(f.Days, d)
		}
	}
	t := herald.InboxTarget{FirstResponseMinutes: f.Minutes, Always: f.Always, Days: f.Days,
		StartMinute: minutesOf(f.Start), EndMinute: minutesOf(f.End)}
	var bad herald.Problems
	if f.Minutes > 0 && !f.Always {
		for _, x := range []struct {
			field, v string
			m        int
		}{{"start", f.Start, t.StartMinute}, {"end", f.End, t.EndMinute}} {
			if x.m < 0 {
				bad.Add(x.field, "%q is not a time of day: write it as 09:00", x.v)
			}
		}
	}
	if err := bad.Err("the response target is not valid"); err != nil {
		f.Err = publicError(err)
		return h.renderReport(w, r, p, http.StatusUnprocessableEntity, &f)
	}
	if _, err := h.d.Inbox.SetTarget(r.Context(), p.Actor, t); err != nil {
		if f.Err, err = refusal(err); err != nil {
			return err
		}
		return h.renderReport(w, r, p, statusOf(f.Err), &f)
	}
	msg := "Response target saved; waiting items were re-dated."
	if f.Minutes == 0 {
		msg = "Response target turned off."
	}
	h.d.Sessions.Put(r.Context(), flashKey, msg)
	http.Redirect(w, r, inboxURL(p.Current.ID)+"/report", http.StatusSeeOther)
	return nil
}

func (h *Handler) inboxReportCSV(w http.ResponseWriter, r *http.Request, p *page) error {
	days := reportDays(r)
	rep, err := h.report(r, p, days)
	if err != nil {
		return err
	}
	w.Header().Set("Content-Type", "text/csv; charset=utf-8")
	w.Header().Set("Content-Disposition", fmt.Sprintf(`attachment; filename="inbox-response-times-%dd-%s.csv"`,
		days, rep.To.Format("2006-01-02")))
	return rep.WriteCSV(w)
}

// fmtDuration writes a response time for people: "—" for none.
func fmtDuration(d time.Duration, n int) string {
	if n == 0 {
		return "—"
	}
	switch {
	case d < time.Minute:
		return fmt.Sprintf("%ds", int(d.Seconds()))
	case d < time.Hour:
		return fmt.Sprintf("%dm", int(d.Minutes()))
	case d < 48*time.Hour:
		return fmt.Sprintf("%dh %02dm", int(d.Hours()), int(d.Minutes())%60)
	}
	return fmt.Sprintf("%.1fd", d.Hours()/24)
}
