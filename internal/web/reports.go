package web

import (
	"bytes"
	"fmt"
	"net/http"
	"strconv"
	"strings"

	"github.com/heraldsocial/herald/internal/herald"
)

// The analytics report as PDF, and the scheduled reports page.

// reportRoutes registers the PDF download and the schedules.
func (h *Handler) reportRoutes(m *http.ServeMux) {
	if h.d.Reports == nil {
		return
	}
	m.Handle("GET /w/{ws}/analytics.pdf", h.inWorkspace(h.analyticsPDF))
	m.Handle("GET /w/{ws}/analytics/reports", h.inWorkspace(h.reportsPage))
	m.Handle("POST /w/{ws}/analytics/reports", h.inWorkspace(h.reportCreate))
	m.Handle("POST /w/{ws}/analytics/reports/{id}/delete", h.inWorkspace(h.reportDelete))
	m.Handle("POST /w/{ws}/analytics/reports/{id}/send", h.inWorkspace(h.reportSend))
}

func (h *Handler) analyticsPDF(w http.ResponseWriter, r *http.Request, p *page) error {
	q := analyticsQuery(r)
	q.Rate = h.defaultRate(r.Context(), p, q.Rate)
	var buf bytes.Buffer
	if err := h.d.Reports.Write(r.Context(), p.Actor, q, &buf); err != nil {
		return err
	}
	w.Header().Set("Content-Type", "application/pdf")
	w.Header().Set("Content-Disposition", `attachment; filename="analytics-report.pdf"`)
	_, err := w.Write(buf.Bytes())
	return err
}

// reportForm is the new-schedule form as typed.
type reportForm struct {
	Name, Every, Recipients string
	AccountID, CampaignID   int64
	Err                     *herald.Error
}

// reportsData is the scheduled reports page.
type reportsData struct {
	Schedules []scheduleView
	Accounts  []herald.Account
	Campaigns []herald.Campaign
	Form      reportForm
	CanManage bool
	MailOn    bool
}

// scheduleView is one schedule with its latest runs.
type scheduleView struct {
	S     herald.ReportSchedule
	Scope string
	Runs  []herald.ReportRun
}

func (h *Handler) reportsPage(w http.ResponseWriter, r *http.Request, p *page) error {
	return h.renderReports(w, r, p, reportForm{Every: string(herald.ReportWeekly)}, http.StatusOK)
}

func (h *Handler) renderReports(w http.ResponseWriter, r *http.Request, p *page, f reportForm, status int) error {
	list, err := h.d.Reports.List(r.Context(), p.Actor)
	if err != nil {
		return err
	}
	d := reportsData{Form: f, CanManage: p.Can(herald.ActReportsManage), MailOn: h.d.Reports.MailEnabled()}
	if d.Accounts, err = h.d.Accounts.List(r.Context(), p.Actor); err != nil {
		return err
	}
	if d.Campaigns, err = h.d.Campaigns.List(r.Context(), p.Actor); err != nil {
		return err
	}
	for _, s := range list {
		v := scheduleView{S: s, Scope: "The whole workspace"}
		for _, a := range d.Accounts {
			if a.ID == s.AccountID {
				v.Scope = "Account " + a.Handle
			}
		}
		for _, c := range d.Campaigns {
			if c.ID == s.CampaignID {
				v.Scope = "Campaign " + c.Name
			}
		}
		if v.Runs, err = h.d.Reports.Runs(r.Context(), p.Actor, s.ID, 5); err != nil {
			return err
		}
		d.Schedules = append(d.Schedules, v)
	}
	p.Title = "Scheduled reports"
	h.render(w, r, status, reportsPage(p, d))
	return nil
}

// splitRecipients reads addresses separated by commas, semicolons or lines.
func splitRecipients(s string) []string {
	out := []string{}
	for _, f := range strings.FieldsFunc(s, func(r rune) bool { return r == ',' || r == ';' || r == '\n' || r == '\r' }) {
		if f = strings.TrimSpace(f); f != "" {
			out = append(out, f)
		}
	}
	return out
}

func (h *Handler) reportCreate(w http.ResponseWriter, r *http.Request, p *page) error {
	if err := r.ParseForm(); err != nil {
		return herald.Errorf(herald.CodeBadRequest, "the form could not be read: %v", err)
	}
	f := reportForm{Name: r.PostForm.Get("name"), Every: r.PostForm.Get("every"), Recipients: r.PostForm.Get("recipients")}
	f.AccountID, _ = strconv.ParseInt(r.PostForm.Get("account"), 10, 64)
	f.CampaignID, _ = strconv.ParseInt(r.PostForm.Get("campaign"), 10, 64)
	s, err := h.d.Reports.Create(r.Context(), p.Actor, herald.ReportSchedule{Name: f.Name, Every: herald.ReportEvery(f.Every),
		AccountID: f.AccountID, CampaignID: f.CampaignID, Recipients: splitRecipients(f.Recipients)})
	if err != nil {
		he := publicError(err)
		if he.Code != herald.CodeInvalid {
			return err
		}
		f.Err = he
		return h.renderReports(w, r, p, f, statusOf(he))
	}
	h.d.Sessions.Put(r.Context(), flashKey, fmt.Sprintf("Scheduled “%s”: the first goes out %s.", s.Name,
		fmtTime(s.NextRunAt, p.location())))
	http.Redirect(w, r, wsURL(p.Current.ID)+"analytics/reports", http.StatusSeeOther)
	return nil
}

func (h *Handler) reportDelete(w http.ResponseWriter, r *http.Request, p *page) error {
	id, err := pathID(r, "id", "report schedule")
	if err != nil {
		return err
	}
	if err := h.d.Reports.Delete(r.Context(), p.Actor, id); err != nil {
		return err
	}
	h.d.Sessions.Put(r.Context(), flashKey, "Deleted the scheduled report.")
	http.Redirect(w, r, wsURL(p.Current.ID)+"analytics/reports", http.StatusSeeOther)
	return nil
}

func (h *Handler) reportSend(w http.ResponseWriter, r *http.Request, p *page) error {
	id, err := pathID(r, "id", "report schedule")
	if err != nil {
		return err
	}
	run, err := h.d.Reports.SendNow(r.Context(), p.Actor, id)
	if err != nil {
		return err
	}
	msg := fmt.Sprintf("Sent the report of %s to %s to %s.", run.From, run.To, count(run.Recipients, "recipient"))
	if run.State == herald.ReportFailed {
		msg = "The report was not sent: " + run.Error
	}
	h.d.Sessions.Put(r.Context(), flashKey, msg)
	http.Redirect(w, r, wsURL(p.Current.ID)+"analytics/reports", http.StatusSeeOther)
	return nil
}
