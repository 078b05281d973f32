package web

import (
	"cmp"
	"context"
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/heraldsocial/herald/internal/analytics"
	"github.com/heraldsocial/herald/internal/herald"
	"github.com/heraldsocial/herald/internal/links"
)

// Tracked links and conversions: the workspace's measuring settings, the
// conversion secret, the UTM builder and every link with its counts.

// linkRoutes registers the links page and its forms.
func (h *Handler) linkRoutes(m *http.ServeMux) {
	if h.d.Links == nil {
		return
	}
	m.Handle("GET /w/{ws}/analytics/links", h.inWorkspace(h.linksPage))
	m.Handle("POST /w/{ws}/analytics/links", h.inWorkspace(h.linkCreate))
	m.Handle("POST /w/{ws}/analytics/settings", h.inWorkspace(h.analyticsSettingsSave))
	m.Handle("POST /w/{ws}/analytics/conversion-secret", h.inWorkspace(h.conversionSecret))
}

// builderForm is the UTM builder as typed, with what it built.
type builderForm struct {
	URL    string
	UTM    herald.UTM
	Tagged string      // the tagged address, when built
	Made   herald.Link // the short link, when made
	Err    *herald.Error
}

// linksData is the links page.
type linksData struct {
	Settings    herald.AnalyticsSettings
	CanManage   bool
	CanWrite    bool
	Secret      string // a secret just made, shown once
	SettingsErr *herald.Error
	Builder     builderForm
	Links       []herald.LinkStats
	Conversions []herald.Conversion
	Since       time.Time
	ShortURL    func(code string) string
	Base        string
}

func (h *Handler) linksPage(w http.ResponseWriter, r *http.Request, p *page) error {
	return h.renderLinks(w, r, p, linksData{}, http.StatusOK)
}

func (h *Handler) renderLinks(w http.ResponseWriter, r *http.Request, p *page, d linksData, status int) error {
	ctx := r.Context()
	var err error
	if d.Settings, err = h.d.Links.Settings(ctx, p.Actor, p.Current.ID); err != nil {
		return err
	}
	d.CanManage, d.CanWrite = p.Can(herald.ActReportsManage), p.Can(herald.ActPostsWrite)
	now := h.d.Clock.Now()
	d.Since = now.AddDate(0, 0, -90)
	if d.Links, err = h.d.Links.List(ctx, p.Actor, p.Current.ID, d.Since, now.Add(time.Minute)); err != nil {
		return err
	}
	if d.Conversions, err = h.d.Links.ListConversions(ctx, p.Actor, p.Current.ID, d.Since, now.Add(time.Minute)); err != nil {
		return err
	}
	d.ShortURL, d.Base = h.d.Links.ShortURL, h.d.Links.BaseURL()
	p.Title = "Links and conversions"
	h.render(w, r, status, linksPage(p, d))
	return nil
}

// fixable is err as said on a page when it is the caller's to fix; nil
// and the error itself otherwise.
func fixable(err error) (*herald.Error, error) {
	he := publicError(err)
	if he.Code != herald.CodeInvalid {
		return nil, err
	}
	return he, nil
}

func (h *Handler) linkCreate(w http.ResponseWriter, r *http.Request, p *page) error {
	if err := r.ParseForm(); err != nil {
		return herald.Errorf(herald.CodeBadRequest, "the form could not be read: %v", err)
	}
	f := builderForm{URL: strings.TrimSpace(r.PostForm.Get("url")), UTM: readUTM(r.PostForm)}
	var err error
	if r.PostForm.Get("short") == "" {
		f.Tagged, err = links.Build(f.URL, f.UTM)
	} else {
		f.Made, err = h.d.Links.CreateLink(r.Context(), p.Actor, p.Current.ID, f.URL, f.UTM)
	}
	status := http.StatusOK
	if err != nil {
		if f.Err, err = fixable(err); err != nil {
			return err
		}
		status = statusOf(f.Err)
	}
	return h.renderLinks(w, r, p, linksData{Builder: f}, status)
}

func (h *Handler) analyticsSettingsSave(w http.ResponseWriter, r *http.Request, p *page) error {
	if err := r.ParseForm(); err != nil {
		return herald.Errorf(herald.CodeBadRequest, "the form could not be read: %v", err)
	}
	f := r.PostForm
	_, err := h.d.Links.UpdateSettings(r.Context(), p.Actor, p.Current.ID, f.Get("track_links") == "on",
		f.Get("rate_by"), strings.ToUpper(strings.TrimSpace(f.Get("currency"))))
	if err != nil {
		var d linksData
		if d.SettingsErr, err = fixable(err); err != nil {
			return err
		}
		return h.renderLinks(w, r, p, d, statusOf(d.SettingsErr))
	}
	h.d.Sessions.Put(r.Context(), flashKey, "Saved the analytics settings.")
	http.Redirect(w, r, wsURL(p.Current.ID)+"analytics/links", http.StatusSeeOther)
	return nil
}

func (h *Handler) conversionSecret(w http.ResponseWriter, r *http.Request, p *page) error {
	secret, err := h.d.Links.RotateSecret(r.Context(), p.Actor, p.Current.ID)
	if err != nil {
		return err
	}
	// Shown once, on this answer only: never put in the session or a URL.
	w.Header().Set("Cache-Control", "no-store")
	return h.renderLinks(w, r, p, linksData{Secret: secret}, http.StatusOK)
}

// defaultRate is the rate the address asks for, else the workspace's
// setting.
func (h *Handler) defaultRate(ctx context.Context, p *page, asked analytics.Denominator) analytics.Denominator {
	if asked != "" || h.d.Links == nil {
		return asked
	}
	s, err := h.d.Links.Settings(ctx, p.Actor, p.Current.ID)
	if err != nil {
		return asked // the page still shows, by followers
	}
	return analytics.Denominator(s.RateBy)
}

// linkTarget says what a link is for.
func linkTarget(l herald.LinkStats) string {
	if l.TargetID == 0 {
		return "UTM builder"
	}
	return cmp.Or(l.PostTitle, fmt.Sprintf("Post %d", l.PostID))
}

// moneyOf writes cents with the currency.
func moneyOf(cents int64, currency string) string {
	if currency == "" {
		return analytics.Money(cents)
	}
	return analytics.Money(cents) + " " + currency
}
