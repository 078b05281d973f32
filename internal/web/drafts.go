package web

import (
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/heraldsocial/herald/internal/herald"
)

// draftsPageSize is how many drafts one page of the drafts list shows.
const draftsPageSize = 50

// homeDrafts is how many recent drafts the home page shows.
const homeDrafts = 5

// draftRoutes registers the drafts and ideas list.
func (h *Handler) draftRoutes(m *http.ServeMux) {
	m.Handle("GET /w/{ws}/drafts", h.inWorkspace(h.draftsList))
	m.Handle("POST /w/{ws}/drafts/{post}/delete", h.inWorkspace(h.draftDelete))
}

// draftItem is one draft as the lists show it.
type draftItem struct {
	Post     herald.Post
	Accounts string     // the accounts it is for, "" when none is chosen yet
	At       *time.Time // its date in the workspace zone, nil for an idea
}

// draftsData is the drafts page.
type draftsData struct {
	Query    string
	Undated  []draftItem // ideas: no date yet
	Dated    []draftItem
	Next     string // the address of the older drafts, "" at the end
	CanWrite bool
}

// draftItems describes posts for the lists, newest first.
func draftItems(posts []herald.Post, accts []herald.Account, loc *time.Location) []draftItem {
	names := map[int64]string{}
	for _, a := range accts {
		names[a.ID] = handleOf(a)
	}
	items := make([]draftItem, 0, len(posts))
	for _, po := range posts {
		it := draftItem{Post: po}
		var who []string
		for _, t := range po.Targets {
			if n := names[t.AccountID]; n != "" {
				who = append(who, n)
			}
			if t.ScheduledAt != nil && (it.At == nil || t.ScheduledAt.Before(*it.At)) {
				at := t.ScheduledAt.In(loc)
				it.At = &at
			}
		}
		it.Accounts = strings.Join(who, ", ")
		items = append(items, it)
	}
	return items
}

// draftsList lists the workspace's drafts and ideas, newest first, with
// a search over their words.
func (h *Handler) draftsList(w http.ResponseWriter, r *http.Request, p *page) error {
	ctx := r.Context()
	q := r.URL.Query()
	d := draftsData{Query: strings.TrimSpace(q.Get("q")), CanWrite: p.Can(herald.ActPostsWrite)}
	posts, next, err := h.d.Posts.List(ctx, p.Actor, herald.PostFilter{Drafts: true, Query: d.Query,
		Page: herald.Page{Cursor: q.Get("cursor"), Limit: draftsPageSize}})
	if err != nil {
		return err
	}
	accts, err := h.d.Accounts.List(ctx, p.Actor)
	if err != nil {
		return err
	}
	for _, it := range draftItems(posts, accts, p.location()) {
		if it.At == nil {
			d.Undated = append(d.Undated, it)
		} else {
			d.Dated = append(d.Dated, it)
		}
	}
	if next != "" {
		d.Next = draftsURL(p.Current.ID) + "?" + url.Values{"q": {d.Query}, "cursor": {next}}.Encode()
	}
	p.Title = "Drafts and ideas"
	h.render(w, r, http.StatusOK, draftsPage(p, d))
	return nil
}

// draftDelete deletes a draft from the list; a post that has left draft
// since is not deleted here.
func (h *Handler) draftDelete(w http.ResponseWriter, r *http.Request, p *page) error {
	ctx := r.Context()
	id, err := pathID(r, "post", "post")
	if err != nil {
		return err
	}
	po, err := h.d.Posts.Get(ctx, p.Actor, id)
	if err != nil {
		return err
	}
	if !allDrafts(po) {
		return herald.Errorf(herald.CodeConflict,
			"%q is no longer a draft: open its page to cancel or change it", postTitle(po))
	}
	if err := h.d.Posts.Delete(ctx, p.Actor, id); err != nil {
		return err
	}
	h.d.Sessions.Put(ctx, flashKey, "Deleted the draft “"+postTitle(po)+"”.")
	back := draftsURL(p.Current.ID)
	if q := strings.TrimSpace(r.PostFormValue("q")); q != "" {
		back += "?" + url.Values{"q": {q}}.Encode()
	}
	http.Redirect(w, r, back, http.StatusSeeOther)
	return nil
}

// draftsURL is the drafts list of workspace ws.
func draftsURL(ws int64) string { return wsURL(ws) + "drafts" }

// recentDrafts are the few newest drafts the home page shows, and whether
// there are more.
func (h *Handler) recentDrafts(r *http.Request, p *page, accts []herald.Account) ([]draftItem, bool, error) {
	posts, next, err := h.d.Posts.List(r.Context(), p.Actor, herald.PostFilter{Drafts: true, Page: herald.Page{Limit: homeDrafts}})
	if err != nil {
		return nil, false, err
	}
	return draftItems(posts, accts, p.location()), next != "", nil
}
