package web

import (
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/heraldsocial/herald/internal/herald"
	"github.com/heraldsocial/herald/internal/review"
)

func (h *Handler) reviewRoutes(m *http.ServeMux) {
	m.Handle("GET /w/{ws}/settings/review-links", h.inWorkspace(h.reviewLinks))
	m.Handle("POST /w/{ws}/settings/review-links", h.inWorkspace(h.reviewLinkCreate))
	m.Handle("GET /w/{ws}/settings/review-links/{link}", h.inWorkspace(h.reviewLinkDetail))
	m.Handle("POST /w/{ws}/settings/review-links/{link}/revoke", h.inWorkspace(h.reviewLinkRevoke))
	m.HandleFunc("GET /review/{token}", h.reviewPage)
	m.HandleFunc("POST /review/{token}/password", h.reviewPassword)
	m.HandleFunc("POST /review/{token}/posts/{post}/decide", h.reviewDecide)
	m.HandleFunc("GET /review/{token}/media/{id}", h.reviewMedia)
}

// reviewLinksURL is Settings › Review links.
func reviewLinksURL(ws int64) string { return settingsURL(ws, "review-links") }

// reviewLinkForm is the new-link form, as typed.
type reviewLinkForm struct {
	Name, Scope, From, To, ExpiresOn string
	CampaignID                       int64
	Err                              *herald.Error
}

// reviewLinksData is Settings › Review links.
type reviewLinksData struct {
	Links     []herald.ReviewLink
	Campaigns []herald.Campaign
	Form      reviewLinkForm
	New       *herald.ReviewLink
	URL, Path string // the new link's address, shown this once
	Loc       *time.Location
	Now       time.Time
}

// linkStatus says whether a link works, in words.
func (d reviewLinksData) linkStatus(l herald.ReviewLink) string {
	switch l.Status(d.Now) {
	case herald.ReviewLinkRevoked:
		return "revoked " + fmtPtrTime(l.RevokedAt, d.Loc)
	case herald.ReviewLinkExpired:
		return "expired " + fmtTime(l.ExpiresAt, d.Loc)
	}
	return "works until " + fmtTime(l.ExpiresAt, d.Loc)
}

// scopeWords says which posts a link shows.
func scopeWords(l herald.ReviewLink, campaigns []herald.Campaign, loc *time.Location) string {
	if l.CampaignID != nil {
		for _, c := range campaigns {
			if c.ID == *l.CampaignID {
				return "the campaign “" + c.Name + "”"
			}
		}
		return "a campaign that was deleted"
	}
	if l.From == nil || l.To == nil {
		return ""
	}
	return "posts scheduled " + l.From.In(loc).Format("2 Jan 2006") + " – " + l.To.In(loc).AddDate(0, 0, -1).Format("2 Jan 2006")
}

func (h *Handler) reviewLinks(w http.ResponseWriter, r *http.Request, p *page) error {
	f := reviewLinkForm{Scope: "campaign"}
	if id, err := strconv.ParseInt(r.URL.Query().Get("campaign"), 10, 64); err == nil {
		f.CampaignID = id
	}
	return h.renderReviewLinks(w, r, p, http.StatusOK, reviewLinksData{Form: f})
}

func (h *Handler) renderReviewLinks(w http.ResponseWriter, r *http.Request, p *page, status int, d reviewLinksData) error {
	if h.d.Reviews == nil {
		return herald.NotFound("page")
	}
	ctx := r.Context()
	ls, err := h.d.Reviews.List(ctx, p.Actor)
	if err != nil {
		return err
	}
	if d.Campaigns, err = h.d.Campaigns.List(ctx, p.Actor); err != nil {
		return err
	}
	d.Links, d.Loc, d.Now = ls, p.location(), h.d.Clock.Now()
	p.Title = "Review links"
	h.render(w, r, status, reviewLinksPage(p, d))
	return nil
}

func (h *Handler) reviewLinkCreate(w http.ResponseWriter, r *http.Request, p *page) error {
	if h.d.Reviews == nil {
		return herald.NotFound("page")
	}
	f := reviewLinkForm{Name: strings.TrimSpace(r.PostFormValue("review-name")), Scope: r.PostFormValue("scope"),
		From: strings.TrimSpace(r.PostFormValue("from")), To: strings.TrimSpace(r.PostFormValue("to")),
		ExpiresOn: strings.TrimSpace(r.PostFormValue("expires_on"))}
	f.CampaignID, _ = strconv.ParseInt(r.PostFormValue("campaign_id"), 10, 64)
	in := review.NewLink{Name: f.Name, Password: r.PostFormValue("password")}
	if f.Scope == "dates" {
		in.FromDate, in.ToDate = f.From, f.To
	} else {
		in.CampaignID = f.CampaignID
		if in.CampaignID == 0 {
			f.Err = &herald.Error{Code: herald.CodeInvalid, Message: "the review link is not valid",
				Details: []herald.FieldProblem{{Field: "campaign_id", Problem: "is missing: choose a campaign, or review dates instead"}}}
			return h.renderReviewLinks(w, r, p, statusOf(f.Err), reviewLinksData{Form: f})
		}
	}
	if f.ExpiresOn != "" {
		day, err := time.ParseInLocation(time.DateOnly, f.ExpiresOn, p.location())
		if err != nil {
			f.Err = &herald.Error{Code: herald.CodeInvalid, Message: "the review link is not valid",
				Details: []herald.FieldProblem{{Field: "expires_at", Problem: "is not a date like 2026-12-31; leave it empty for 14 days"}}}
			return h.renderReviewLinks(w, r, p, statusOf(f.Err), reviewLinksData{Form: f})
		}
		end := day.AddDate(0, 0, 1) // it works through that day
		in.ExpiresAt = &end
	}
	token, l, err := h.d.Reviews.Create(r.Context(), p.Actor, in)
	if err != nil {
		he := publicError(err)
		if he.Code == herald.CodeInternal || he.Code == herald.CodeForbidden {
			return err
		}
		f.Err = he
		return h.renderReviewLinks(w, r, p, statusOf(he), reviewLinksData{Form: f})
	}
	// The address is shown in this answer only: kept for a redirect, it
	// would wait in the stored session row.
	showsSecret(w)
	path := review.Path(token)
	p.Flash = "Created the review link “" + l.Name + "”. Copy its address now: it is shown only once."
	return h.renderReviewLinks(w, r, p, http.StatusCreated, reviewLinksData{Form: reviewLinkForm{Scope: "campaign"},
		New: &l, URL: origin(r) + path, Path: path})
}

func (h *Handler) reviewLinkRevoke(w http.ResponseWriter, r *http.Request, p *page) error {
	if h.d.Reviews == nil {
		return herald.NotFound("page")
	}
	id, err := pathID(r, "link", "review link")
	if err != nil {
		return err
	}
	l, err := h.d.Reviews.Revoke(r.Context(), p.Actor, id)
	if err != nil {
		return err
	}
	h.d.Sessions.Put(r.Context(), flashKey, "Revoked the review link “"+l.Name+"”: its page shows nothing from now on.")
	http.Redirect(w, r, reviewLinksURL(p.Current.ID), http.StatusSeeOther)
	return nil
}

// reviewLinkData is one link's page: what was decided through it.
type reviewLinkData struct {
	Link      herald.ReviewLink
	Status    string
	Scope     string
	Decisions []herald.ReviewDecision
	Loc       *time.Location
}

func (h *Handler) reviewLinkDetail(w http.ResponseWriter, r *http.Request, p *page) error {
	if h.d.Reviews == nil {
		return herald.NotFound("page")
	}
	ctx := r.Context()
	id, err := pathID(r, "link", "review link")
	if err != nil {
		return err
	}
	l, err := h.d.Reviews.Get(ctx, p.Actor, id)
	if err != nil {
		return err
	}
	ds, err := h.d.Reviews.Decisions(ctx, p.Actor, id, 0)
	if err != nil {
		return err
	}
	cs, err := h.d.Campaigns.List(ctx, p.Actor)
	if err != nil {
		return err
	}
	list := reviewLinksData{Loc: p.location(), Now: h.d.Clock.Now()}
	p.Title = "Review link “" + l.Name + "”"
	h.render(w, r, http.StatusOK, reviewLinkPage(p, reviewLinkData{Link: l, Status: list.linkStatus(l),
		Scope: scopeWords(l, cs, p.location()), Decisions: ds, Loc: p.location()}))
	return nil
}

// verdictWords says what a client decided, in words.
func verdictWords(d herald.ReviewDecision) string {
	if d.Verdict == herald.VerdictApprove {
		return "approved"
	}
	return "asked for changes"
}
