package web

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/heraldsocial/herald/internal/campaign"
	"github.com/heraldsocial/herald/internal/herald"
)

// campaignForm is what the new-campaign form or one campaign's edit form
// holds. Dates are YYYY-MM-DD, as date inputs send them.
type campaignForm struct {
	Name, Goal, Start, End string
	Err                    *herald.Error
}

// campaignRow is one campaign on the page, with how many posts it has.
type campaignRow struct {
	C    herald.Campaign
	Uses int
	Form campaignForm
	Open bool // the edit form is shown open
}

// campaignsData is the campaigns page.
type campaignsData struct {
	Rows      []campaignRow
	New       campaignForm
	CanManage bool
}

func (h *Handler) campaigns(w http.ResponseWriter, r *http.Request, p *page) error {
	return h.renderCampaigns(w, r, p, http.StatusOK, campaignsData{}, 0, campaignForm{})
}

// renderCampaigns renders the campaigns page; a refused edit of campaign
// editing is shown in its row.
func (h *Handler) renderCampaigns(w http.ResponseWriter, r *http.Request, p *page, status int, d campaignsData, editing int64, edit campaignForm) error {
	ctx := r.Context()
	cs, err := h.d.Campaigns.List(ctx, p.Actor)
	if err != nil {
		return err
	}
	d.CanManage = p.Can(herald.ActCampaignsManage)
	for _, c := range cs {
		row := campaignRow{C: c, Form: campaignForm{Name: c.Name, Goal: c.Goal, Start: c.StartDate, End: c.EndDate}}
		if p.Can(herald.ActPostsRead) {
			if row.Uses, err = h.countPosts(ctx, p.Actor, herald.PostFilter{CampaignID: c.ID}); err != nil {
				return err
			}
		}
		if c.ID == editing {
			row.Form, row.Open = edit, true
		}
		d.Rows = append(d.Rows, row)
	}
	p.Title = "Campaigns"
	h.render(w, r, status, campaignsPage(p, d))
	return nil
}

func campaignFormOf(r *http.Request) campaignForm {
	return campaignForm{Name: strings.TrimSpace(r.PostFormValue("name")), Goal: strings.TrimSpace(r.PostFormValue("goal")),
		Start: strings.TrimSpace(r.PostFormValue("start_date")), End: strings.TrimSpace(r.PostFormValue("end_date"))}
}

func (h *Handler) campaignCreate(w http.ResponseWriter, r *http.Request, p *page) error {
	in := campaignFormOf(r)
	c, err := h.d.Campaigns.Create(r.Context(), p.Actor, herald.Campaign{Name: in.Name, Goal: in.Goal, StartDate: in.Start, EndDate: in.End})
	if err != nil {
		if in.Err, err = refusal(err); err != nil {
			return err
		}
		return h.renderCampaigns(w, r, p, statusOf(in.Err), campaignsData{New: in}, 0, campaignForm{})
	}
	h.d.Sessions.Put(r.Context(), flashKey, fmt.Sprintf("Created the campaign “%s”. Writers can now add posts to it in the composer.", c.Name))
	http.Redirect(w, r, campaignsURL(p.Current.ID)+"#campaign-"+itoa(c.ID), http.StatusSeeOther)
	return nil
}

func (h *Handler) campaignUpdate(w http.ResponseWriter, r *http.Request, p *page) error {
	id, err := pathID(r, "campaign", "campaign")
	if err != nil {
		return err
	}
	in := campaignFormOf(r)
	c, err := h.d.Campaigns.Update(r.Context(), p.Actor, id, campaign.Patch{Name: &in.Name, Goal: &in.Goal, StartDate: &in.Start, EndDate: &in.End})
	if err != nil {
		if in.Err, err = refusal(err); err != nil {
			return err
		}
		return h.renderCampaigns(w, r, p, statusOf(in.Err), campaignsData{}, id, in)
	}
	h.d.Sessions.Put(r.Context(), flashKey, fmt.Sprintf("Saved the campaign “%s”.", c.Name))
	http.Redirect(w, r, campaignsURL(p.Current.ID)+"#campaign-"+itoa(c.ID), http.StatusSeeOther)
	return nil
}

func (h *Handler) campaignDelete(w http.ResponseWriter, r *http.Request, p *page) error {
	return h.deleteNamed(w, r, "campaign", campaignsURL(p.Current.ID),
		func(ctx context.Context, id int64) (string, error) {
			c, err := h.d.Campaigns.Get(ctx, p.Actor, id)
			return c.Name, err
		},
		func(ctx context.Context, id int64) error { return h.d.Campaigns.Delete(ctx, p.Actor, id) },
		"Deleted the campaign “%s”. Its posts are unchanged, no longer part of a campaign.")
}

// campaignDeleteQuestion says what deleting a campaign does to its posts.
func campaignDeleteQuestion(row campaignRow) string {
	q := fmt.Sprintf("Delete the campaign “%s”? ", row.C.Name)
	switch row.Uses {
	case 0:
		return q + "No post is part of it."
	case 1:
		return q + "Its 1 post stays as it is (text, accounts, schedule), no longer part of a campaign."
	}
	return q + fmt.Sprintf("Its %d posts stay as they are (text, accounts, schedules), no longer part of a campaign.", row.Uses)
}

// campaignPeriod puts a campaign's dates in words: "1 Mar 2026 – 31 Mar
// 2026", "from 1 Mar 2026", "until 31 Mar 2026", or "".
func campaignPeriod(c herald.Campaign) string {
	day := func(s string) string {
		t, err := time.Parse(time.DateOnly, s)
		if err != nil {
			return s
		}
		return t.Format("Mon 2 Jan 2006")
	}
	switch {
	case c.StartDate != "" && c.EndDate != "":
		return day(c.StartDate) + " – " + day(c.EndDate)
	case c.StartDate != "":
		return "from " + day(c.StartDate)
	case c.EndDate != "":
		return "until " + day(c.EndDate)
	}
	return ""
}
