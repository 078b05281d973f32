package web

// The library's templates, snippets and hashtag groups, and their use in
// the composer: new post from a template, save as template, and the
// snippets and hashtags the composer inserts with "/" and "#".

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/heraldsocial/herald/internal/herald"
	"github.com/heraldsocial/herald/internal/placeholder"
	"github.com/heraldsocial/herald/internal/template"
)

// kitRoutes registers the library's templates, snippets and hashtag
// groups pages and the composer's uses of them.
func (h *Handler) kitRoutes(m *http.ServeMux) {
	m.Handle("GET /w/{ws}/library/templates", h.inWorkspace(h.templates))
	m.Handle("POST /w/{ws}/library/templates", h.inWorkspace(h.templateSave))
	m.Handle("GET /w/{ws}/library/templates/new", h.inWorkspace(h.templateEdit))
	m.Handle("GET /w/{ws}/library/templates/{template}", h.inWorkspace(h.templateEdit))
	m.Handle("POST /w/{ws}/library/templates/{template}", h.inWorkspace(h.templateSave))
	m.Handle("POST /w/{ws}/library/templates/{template}/delete", h.inWorkspace(h.templateDelete))
	m.Handle("GET /w/{ws}/library/snippets", h.inWorkspace(h.snippets))
	m.Handle("POST /w/{ws}/library/snippets", h.inWorkspace(h.snippetSave))
	m.Handle("POST /w/{ws}/library/snippets/{snippet}", h.inWorkspace(h.snippetSave))
	m.Handle("POST /w/{ws}/library/snippets/{snippet}/delete", h.inWorkspace(h.snippetDelete))
	m.Handle("GET /w/{ws}/library/hashtags", h.inWorkspace(h.hashtags))
	m.Handle("POST /w/{ws}/library/hashtags", h.inWorkspace(h.hashtagSave))
	m.Handle("POST /w/{ws}/library/hashtags/{group}", h.inWorkspace(h.hashtagSave))
	m.Handle("POST /w/{ws}/library/hashtags/{group}/delete", h.inWorkspace(h.hashtagDelete))
	m.Handle("POST /w/{ws}/compose/template", h.inWorkspace(h.composeSaveTemplate))
	m.Handle("GET /w/{ws}/compose/kits", h.inWorkspace(h.composeKits))
}

// URLs of the library's tabs.
func templatesURL(ws int64) string { return wsURL(ws) + "library/templates" }
func snippetsURL(ws int64) string  { return wsURL(ws) + "library/snippets" }
func hashtagsURL(ws int64) string  { return wsURL(ws) + "library/hashtags" }

// templateURL is one template's page.
func templateURL(ws, id int64) string { return templatesURL(ws) + "/" + itoa(id) }

// composeFromTemplateURL is the composer filled from template id, for at
// when it is not zero.
func composeFromTemplateURL(ws, id int64, at time.Time) string {
	q := url.Values{}
	q.Set("template", itoa(id))
	if !at.IsZero() {
		q.Set("at", at.UTC().Format(time.RFC3339))
	}
	return composeURL(ws, "?"+q.Encode())
}

// libraryTab is one tab of the library.
type libraryTab struct {
	ID, Label, URL string
	Current        bool
}

// libraryTabs are the library's tabs, current marked.
func libraryTabs(ws int64, current string) []libraryTab {
	tabs := []libraryTab{{"media", "Media", mediaURL(ws), false}, {"templates", "Templates", templatesURL(ws), false},
		{"snippets", "Snippets", snippetsURL(ws), false}, {"hashtags", "Hashtag groups", hashtagsURL(ws), false}}
	for i := range tabs {
		tabs[i].Current = tabs[i].ID == current
	}
	return tabs
}

// templatesData is the templates tab.
type templatesData struct {
	Query     string
	Items     []herald.Template
	CanManage bool
	CanUse    bool
}

func (h *Handler) templates(w http.ResponseWriter, r *http.Request, p *page) error {
	q := strings.TrimSpace(r.URL.Query().Get("q"))
	ts, err := h.d.Templates.List(r.Context(), p.Actor, q)
	if err != nil {
		return err
	}
	p.Title = "Templates"
	h.render(w, r, http.StatusOK, templatesPage(p, templatesData{Query: q, Items: ts,
		CanManage: p.Can(herald.ActTemplatesManage), CanUse: p.Can(herald.ActPostsWrite)}))
	return nil
}

// templateForm is the template page's form as typed.
type templateForm struct {
	ID                       int64
	Name, Description, Title string
	Text, FirstComment       string
	Thread                   []string
	Accounts, Labels         []int64
	Campaign                 int64
	// Kept as stored: what the form does not edit (media, variants).
	Kept herald.TemplateContent
	Err  *herald.Error
}

// templateEditData is a template's page.
type templateEditData struct {
	F            templateForm
	Accounts     []herald.Account
	Labels       []herald.Label
	Campaigns    []herald.Campaign
	Placeholders placeholder.Set
	CanManage    bool
}

// formOfTemplate is the form showing t.
func formOfTemplate(t herald.Template) templateForm {
	c := t.Content
	f := templateForm{ID: t.ID, Name: t.Name, Description: t.Description, Title: c.Title, Text: c.Text,
		FirstComment: c.FirstComment, Accounts: c.AccountIDs, Labels: c.LabelIDs, Kept: c}
	for _, part := range c.Thread {
		f.Thread = append(f.Thread, part.Text)
	}
	if c.CampaignID != nil {
		f.Campaign = *c.CampaignID
	}
	return f
}

// template is what the form describes, over what it keeps.
func (f templateForm) template() herald.Template {
	c := f.Kept
	c.Title, c.Text, c.FirstComment = f.Title, f.Text, f.FirstComment
	c.AccountIDs, c.LabelIDs, c.CampaignID = f.Accounts, f.Labels, nil
	if f.Campaign > 0 {
		id := f.Campaign
		c.CampaignID = &id
	}
	var thread []herald.ThreadPart
	for i, text := range f.Thread {
		var media []int64
		if i < len(f.Kept.Thread) {
			media = f.Kept.Thread[i].MediaIDs
		}
		if strings.TrimSpace(text) != "" || len(media) > 0 {
			thread = append(thread, herald.ThreadPart{Text: text, MediaIDs: media})
		}
	}
	c.Thread = thread
	return herald.Template{Name: f.Name, Description: f.Description, Content: c}
}

func (h *Handler) templateEdit(w http.ResponseWriter, r *http.Request, p *page) error {
	f := templateForm{}
	if r.PathValue("template") != "" {
		id, err := pathID(r, "template", "template")
		if err != nil {
			return err
		}
		t, err := h.d.Templates.Get(r.Context(), p.Actor, id)
		if err != nil {
			return err
		}
		f = formOfTemplate(t)
	} else if err := p.Actor.Require(herald.ActTemplatesManage); err != nil {
		return err
	}
	return h.renderTemplate(w, r, p, http.StatusOK, f)
}

func (h *Handler) renderTemplate(w http.ResponseWriter, r *http.Request, p *page, status int, f templateForm) error {
	ctx := r.Context()
	d := templateEditData{F: f, CanManage: p.Can(herald.ActTemplatesManage), Placeholders: template.Placeholders()}
	var err error
	if d.Accounts, err = h.d.Accounts.List(ctx, p.Actor); err != nil {
		return err
	}
	if d.Labels, err = h.d.Labels.List(ctx, p.Actor); err != nil {
		return err
	}
	if p.Can(herald.ActCampaignsRead) {
		if d.Campaigns, err = h.d.Campaigns.List(ctx, p.Actor); err != nil {
			return err
		}
	}
	p.Title = "New template"
	if f.ID != 0 {
		p.Title = "Template “" + f.Name + "”"
	}
	h.render(w, r, status, templateEditPage(p, d))
	return nil
}

func (h *Handler) templateSave(w http.ResponseWriter, r *http.Request, p *page) error {
	ctx := r.Context()
	if err := r.ParseForm(); err != nil {
		return herald.Errorf(herald.CodeInvalid, "the form could not be read: %v", err)
	}
	f := templateForm{}
	if r.PathValue("template") != "" {
		id, err := pathID(r, "template", "template")
		if err != nil {
			return err
		}
		t, err := h.d.Templates.Get(ctx, p.Actor, id)
		if err != nil {
			return err
		}
		f.ID, f.Kept = id, t.Content
	}
	v := r.PostForm
	f.Name, f.Description, f.Title = strings.TrimSpace(v.Get("name")), crlf(v.Get("description")), strings.TrimSpace(v.Get("title"))
	f.Text, f.FirstComment, f.Thread = crlf(v.Get("text")), crlf(v.Get("first_comment")), nil
	for _, t := range v["thread"] {
		f.Thread = append(f.Thread, crlf(t))
	}
	f.Accounts, f.Labels = parseIDs(strings.Join(v["account"], ",")), parseIDs(strings.Join(v["label"], ","))
	f.Campaign, _ = strconv.ParseInt(v.Get("campaign"), 10, 64)
	var saved herald.Template
	var err error
	if f.ID == 0 {
		saved, err = h.d.Templates.Create(ctx, p.Actor, f.template())
	} else {
		saved, err = h.d.Templates.Update(ctx, p.Actor, f.ID, f.template())
	}
	if err != nil {
		if f.Err, err = refusal(err); err != nil {
			return err
		}
		return h.renderTemplate(w, r, p, statusOf(f.Err), f)
	}
	h.d.Sessions.Put(ctx, flashKey, fmt.Sprintf("Saved the template “%s”. Writers can start posts from it in the composer and the calendar.", saved.Name))
	http.Redirect(w, r, templatesURL(p.Current.ID)+"#template-"+itoa(saved.ID), http.StatusSeeOther)
	return nil
}

func (h *Handler) templateDelete(w http.ResponseWriter, r *http.Request, p *page) error {
	return h.deleteNamed(w, r, "template", templatesURL(p.Current.ID),
		func(ctx context.Context, id int64) (string, error) {
			t, err := h.d.Templates.Get(ctx, p.Actor, id)
			return t.Name, err
		},
		func(ctx context.Context, id int64) error { return h.d.Templates.Delete(ctx, p.Actor, id) },
		"Deleted the template “%s”. Posts made from it are unchanged.")
}

// crlf is text typed in a textarea with the browser's line breaks made \n.
func crlf(s string) string { return strings.ReplaceAll(s, "\r\n", "\n") }

// kitForm is the form of a new or one snippet or hashtag group.
type kitForm struct {
	ID         int64
	Name, Text string // a group's text is its tags, space-separated
	Err        *herald.Error
}

// kitRow is one snippet or hashtag group on its tab.
type kitRow struct {
	ID         int64
	Name, Text string
	Form       kitForm // a refused edit
	Open       bool
}

// kitsData is the snippets or the hashtag groups tab.
type kitsData struct {
	Kind      string // "snippets" or "hashtags"
	Query     string
	Rows      []kitRow
	New       kitForm
	CanManage bool
}

func (h *Handler) snippets(w http.ResponseWriter, r *http.Request, p *page) error {
	return h.renderSnippets(w, r, p, http.StatusOK, kitForm{})
}

func (h *Handler) renderSnippets(w http.ResponseWriter, r *http.Request, p *page, status int, refused kitForm) error {
	q := strings.TrimSpace(r.URL.Query().Get("q"))
	list, err := h.d.Templates.Snippets(r.Context(), p.Actor, q)
	if err != nil {
		return err
	}
	d := kitsData{Kind: "snippets", Query: q, CanManage: p.Can(herald.ActTemplatesManage)}
	for _, s := range list {
		d.Rows = append(d.Rows, kitRow{ID: s.ID, Name: s.Name, Text: s.Text, Form: kitForm{ID: s.ID, Name: s.Name, Text: s.Text}})
	}
	d.place(refused)
	p.Title = "Snippets"
	h.render(w, r, status, kitsPage(p, d))
	return nil
}

func (h *Handler) hashtags(w http.ResponseWriter, r *http.Request, p *page) error {
	return h.renderHashtags(w, r, p, http.StatusOK, kitForm{})
}

func (h *Handler) renderHashtags(w http.ResponseWriter, r *http.Request, p *page, status int, refused kitForm) error {
	q := strings.TrimSpace(r.URL.Query().Get("q"))
	list, err := h.d.Templates.HashtagGroups(r.Context(), p.Actor, q)
	if err != nil {
		return err
	}
	d := kitsData{Kind: "hashtags", Query: q, CanManage: p.Can(herald.ActTemplatesManage)}
	for _, g := range list {
		d.Rows = append(d.Rows, kitRow{ID: g.ID, Name: g.Name, Text: g.Text(), Form: kitForm{ID: g.ID, Name: g.Name, Text: g.Text()}})
	}
	d.place(refused)
	p.Title = "Hashtag groups"
	h.render(w, r, status, kitsPage(p, d))
	return nil
}

// place shows a refused form where it was typed: in its row, or as the
// new one.
func (d *kitsData) place(refused kitForm) {
	if refused.Err == nil {
		return
	}
	if refused.ID == 0 {
		d.New = refused
		return
	}
	for i := range d.Rows {
		if d.Rows[i].ID == refused.ID {
			d.Rows[i].Form, d.Rows[i].Open = refused, true
		}
	}
}

// kitFormOf reads a snippet or group form; id is the path's, 0 for new.
func kitFormOf(r *http.Request, name string) (kitForm, error) {
	f := kitForm{Name: strings.TrimSpace(r.PostFormValue("name")), Text: crlf(r.PostFormValue("text"))}
	if r.PathValue(name) != "" {
		id, err := pathID(r, name, strings.TrimSuffix(name, "s"))
		if err != nil {
			return f, err
		}
		f.ID = id
	}
	return f, nil
}

func (h *Handler) snippetSave(w http.ResponseWriter, r *http.Request, p *page) error {
	f, err := kitFormOf(r, "snippet")
	if err != nil {
		return err
	}
	s, err := h.d.Templates.SaveSnippet(r.Context(), p.Actor, f.ID, herald.Snippet{Name: f.Name, Text: f.Text})
	if err != nil {
		if f.Err, err = refusal(err); err != nil {
			return err
		}
		return h.renderSnippets(w, r, p, statusOf(f.Err), f)
	}
	h.d.Sessions.Put(r.Context(), flashKey, fmt.Sprintf("Saved the snippet “%s”. Type / in the composer to insert it.", s.Name))
	http.Redirect(w, r, snippetsURL(p.Current.ID)+"#snippets-"+itoa(s.ID), http.StatusSeeOther)
	return nil
}

func (h *Handler) hashtagSave(w http.ResponseWriter, r *http.Request, p *page) error {
	f, err := kitFormOf(r, "group")
	if err != nil {
		return err
	}
	g, err := h.d.Templates.SaveHashtagGroup(r.Context(), p.Actor, f.ID, herald.HashtagGroup{Name: f.Name, Hashtags: strings.Fields(f.Text)})
	if err != nil {
		if f.Err, err = refusal(err); err != nil {
			return err
		}
		return h.renderHashtags(w, r, p, statusOf(f.Err), f)
	}
	h.d.Sessions.Put(r.Context(), flashKey, fmt.Sprintf("Saved the hashtag group “%s”. Type # in the composer to insert it.", g.Name))
	http.Redirect(w, r, hashtagsURL(p.Current.ID)+"#hashtags-"+itoa(g.ID), http.StatusSeeOther)
	return nil
}

func (h *Handler) snippetDelete(w http.ResponseWriter, r *http.Request, p *page) error {
	return h.deleteNamed(w, r, "snippet", snippetsURL(p.Current.ID),
		func(ctx context.Context, id int64) (string, error) {
			s, err := h.d.Templates.Snippet(ctx, p.Actor, id)
			return s.Name, err
		},
		func(ctx context.Context, id int64) error { return h.d.Templates.DeleteSnippet(ctx, p.Actor, id) },
		"Deleted the snippet “%s”. Posts it was inserted in are unchanged.")
}

func (h *Handler) hashtagDelete(w http.ResponseWriter, r *http.Request, p *page) error {
	return h.deleteNamed(w, r, "group", hashtagsURL(p.Current.ID),
		func(ctx context.Context, id int64) (string, error) {
			g, err := h.d.Templates.HashtagGroup(ctx, p.Actor, id)
			return g.Name, err
		},
		func(ctx context.Context, id int64) error { return h.d.Templates.DeleteHashtagGroup(ctx, p.Actor, id) },
		"Deleted the hashtag group “%s”. Posts it was inserted in are unchanged.")
}

// kitChoice is one thing the composer may insert.
type kitChoice struct {
	Kind string `json:"kind"` // "snippet", "hashtags" or "tag"
	Name string `json:"name"`
	Text string `json:"text"`
}

// composeKits answers the composer's insertion lists: every snippet, and
// every hashtag group followed by the single tags they hold.
func (h *Handler) composeKits(w http.ResponseWriter, r *http.Request, p *page) error {
	if err := p.Actor.Require(herald.ActPostsWrite); err != nil {
		return err
	}
	snippets, err := h.d.Templates.Snippets(r.Context(), p.Actor, "")
	if err != nil {
		return err
	}
	groups, err := h.d.Templates.HashtagGroups(r.Context(), p.Actor, "")
	if err != nil {
		return err
	}
	out := struct {
		Snippets []kitChoice `json:"snippets"`
		Hashtags []kitChoice `json:"hashtags"`
	}{Snippets: []kitChoice{}, Hashtags: []kitChoice{}}
	for _, s := range snippets {
		out.Snippets = append(out.Snippets, kitChoice{Kind: "snippet", Name: s.Name, Text: s.Text})
	}
	seen := map[string]bool{}
	var tags []kitChoice
	for _, g := range groups {
		out.Hashtags = append(out.Hashtags, kitChoice{Kind: "hashtags", Name: g.Name, Text: g.Text()})
		for _, t := range g.Hashtags {
			if k := strings.ToLower(t); !seen[k] {
				seen[k] = true
				tags = append(tags, kitChoice{Kind: "tag", Name: t, Text: t})
			}
		}
	}
	out.Hashtags = append(out.Hashtags, tags...)
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "no-store")
	return json.NewEncoder(w).Encode(out)
}
