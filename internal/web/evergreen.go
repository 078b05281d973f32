package web

import (
	"context"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/heraldsocial/herald/internal/evergreen"
	"github.com/heraldsocial/herald/internal/herald"
)

func (h *Handler) evergreenRoutes(m *http.ServeMux) {
	m.Handle("GET /w/{ws}/evergreen", h.inWorkspace(h.evergreenList))
	m.Handle("POST /w/{ws}/posts/{post}/evergreen", h.inWorkspace(h.evergreenMark))
	m.Handle("POST /w/{ws}/posts/{post}/evergreen/remove", h.inWorkspace(h.evergreenUnmark))
	m.Handle("GET /w/{ws}/settings/evergreen", h.inWorkspace(h.settingsEvergreen))
	m.Handle("POST /w/{ws}/settings/evergreen", h.inWorkspace(h.settingsEvergreenSave))
}

// evergreenURL is the evergreen posts page.
func evergreenURL(ws int64) string { return wsURL(ws) + "evergreen" }

// evergreenPanel is the post page's Evergreen panel.
type evergreenPanel struct {
	Published bool // the post went out somewhere: it may be marked
	Marked    bool
	Entry     evergreen.Entry
	CopyOf    *herald.EvergreenCopy // the post is a recycled copy
	CanMark   bool
	Enabled   bool // the workspace's recycling is on
	Loc       *time.Location
	Err       *herald.Error
	Variants  []string // the texts in the form (a failed save's, else the saved ones)
}

// FormVariants are the saved (or submitted) texts and one empty box to add.
func (e evergreenPanel) FormVariants() []string {
	return append(append([]string(nil), e.Variants...), "")
}

// evergreenPanelFor gathers the post's panel.
func (h *Handler) evergreenPanelFor(ctx context.Context, p *page, po herald.Post) (*evergreenPanel, error) {
	if h.d.Evergreen == nil {
		return nil, nil
	}
	ev := &evergreenPanel{CanMark: p.Can(herald.ActPostsSchedule), Loc: p.location()}
	for _, t := range po.Targets {
		if t.State == herald.StatePublished {
			ev.Published = true
		}
	}
	c, isCopy, err := h.d.Evergreen.CopyOf(ctx, p.Actor, po.ID)
	if err != nil {
		return nil, err
	}
	if isCopy {
		ev.CopyOf = &c
		return ev, nil
	}
	en, marked, err := h.d.Evergreen.Find(ctx, p.Actor, po.ID)
	if err != nil {
		return nil, err
	}
	ev.Marked, ev.Entry, ev.Variants = marked, en, en.Variants
	st, err := h.d.Evergreen.Settings(ctx, p.Actor)
	if err != nil {
		return nil, err
	}
	ev.Enabled = st.Enabled
	return ev, nil
}

func (h *Handler) evergreenMark(w http.ResponseWriter, r *http.Request, p *page) error {
	ctx := r.Context()
	id, err := pathID(r, "post", "post")
	if err != nil {
		return err
	}
	if err := r.ParseForm(); err != nil {
		return herald.Errorf(herald.CodeBadRequest, "the form could not be read: %v", err)
	}
	variants := r.PostForm["variant"]
	_, markErr := h.d.Evergreen.Mark(ctx, p.Actor, id, variants)
	if markErr == nil {
		h.d.Sessions.Put(ctx, flashKey, "Saved: this post is evergreen and will be recycled into free slots.")
		http.Redirect(w, r, postURL(p.Current.ID, id)+"#evergreen", http.StatusSeeOther)
		return nil
	}
	he := publicError(markErr)
	if he.Code == herald.CodeInternal || he.Code == herald.CodeNotFound || he.Code == herald.CodeForbidden {
		return markErr
	}
	// Show the post again with what was typed and what to fix.
	po, err := h.d.Posts.Get(ctx, p.Actor, id)
	if err != nil {
		return err
	}
	v, err := h.view(ctx, p, po)
	if err != nil {
		return err
	}
	if v.Evergreen, err = h.evergreenPanelFor(ctx, p, po); err != nil {
		return err
	}
	v.Evergreen.Err, v.Evergreen.Variants = he, variants
	p.Title = postTitle(po)
	h.render(w, r, statusOf(he), postPage(p, v))
	return nil
}

func (h *Handler) evergreenUnmark(w http.ResponseWriter, r *http.Request, p *page) error {
	ctx := r.Context()
	id, err := pathID(r, "post", "post")
	if err != nil {
		return err
	}
	if err := h.d.Evergreen.Unmark(ctx, p.Actor, id); err != nil {
		return err
	}
	h.d.Sessions.Put(ctx, flashKey, "This post is no longer evergreen; copies already scheduled stay scheduled.")
	http.Redirect(w, r, postURL(p.Current.ID, id)+"#evergreen", http.StatusSeeOther)
	return nil
}

// evergreenListData is the evergreen posts page.
type evergreenListData struct {
	Entries  []evergreen.Entry
	Settings herald.EvergreenSettings
	Loc      *time.Location
}

func (h *Handler) evergreenList(w http.ResponseWriter, r *http.Request, p *page) error {
	ctx := r.Context()
	es, err := h.d.Evergreen.List(ctx, p.Actor)
	if err != nil {
		return err
	}
	st, err := h.d.Evergreen.Settings(ctx, p.Actor)
	if err != nil {
		return err
	}
	p.Title = "Evergreen posts"
	h.render(w, r, http.StatusOK, evergreenListPage(p, evergreenListData{Entries: es, Settings: st, Loc: p.location()}))
	return nil
}

// evergreenSettingsData is the Settings › Evergreen tab.
type evergreenSettingsData struct {
	Settings herald.EvergreenSettings
	Accounts []herald.Account
	Repeats  []evergreen.Repeats
	CanEdit  bool
	Err      *herald.Error
}

// Included reports whether the form ticks account id.
func (d evergreenSettingsData) Included(id int64) bool {
	for _, a := range d.Settings.AccountIDs {
		if a == id {
			return true
		}
	}
	return false
}

func (h *Handler) settingsEvergreen(w http.ResponseWriter, r *http.Request, p *page) error {
	st, err := h.d.Evergreen.Settings(r.Context(), p.Actor)
	if err != nil {
		return err
	}
	return h.renderEvergreenSettings(w, r, p, http.StatusOK, evergreenSettingsData{Settings: st})
}

func (h *Handler) renderEvergreenSettings(w http.ResponseWriter, r *http.Request, p *page, status int, d evergreenSettingsData) error {
	accts, err := h.d.Accounts.List(r.Context(), p.Actor)
	if err != nil {
		return err
	}
	d.Accounts, d.Repeats, d.CanEdit = accts, evergreen.RepeatRules(), p.Can(herald.ActWorkspaceUpdate)
	p.Title = "Evergreen"
	h.render(w, r, status, settingsEvergreenPage(p, d))
	return nil
}

func (h *Handler) settingsEvergreenSave(w http.ResponseWriter, r *http.Request, p *page) error {
	ctx := r.Context()
	if err := r.ParseForm(); err != nil {
		return herald.Errorf(herald.CodeBadRequest, "the form could not be read: %v", err)
	}
	in := herald.EvergreenSettings{Enabled: r.PostForm.Get("enabled") == "on", AccountIDs: []int64{}}
	var pr herald.Problems
	number := func(field, name string) int {
		v, err := strconv.Atoi(strings.TrimSpace(r.PostForm.Get(name)))
		if err != nil {
			pr.Add(field, "is not a whole number")
		}
		return v
	}
	in.CooldownDays = number("cooldown_days", "cooldown_days")
	in.MaxSharePercent = number("max_share_percent", "max_share_percent")
	for _, s := range r.PostForm["account"] {
		id, err := strconv.ParseInt(s, 10, 64)
		if err != nil {
			pr.Add("account_ids", "%q is not an account id", s)
			continue
		}
		in.AccountIDs = append(in.AccountIDs, id)
	}
	err := pr.Err("the evergreen settings are not valid")
	if err == nil {
		_, err = h.d.Evergreen.UpdateSettings(ctx, p.Actor, in)
	}
	if err != nil {
		he := publicError(err)
		if he.Code == herald.CodeInternal || he.Code == herald.CodeForbidden {
			return err
		}
		return h.renderEvergreenSettings(w, r, p, statusOf(he), evergreenSettingsData{Settings: in, Err: he})
	}
	h.d.Sessions.Put(ctx, flashKey, "Saved the evergreen settings.")
	http.Redirect(w, r, settingsURL(p.Current.ID, "evergreen"), http.StatusSeeOther)
	return nil
}
