package web

// The composer and templates: start a post from one, save one from the
// composer.

import (
	"context"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/heraldsocial/herald/internal/herald"
	"github.com/heraldsocial/herald/internal/template"
)

// kitsView is what the composer shows of templates.
type kitsView struct {
	Templates []herald.Template
	// CanSave: the viewer may save the post as a template.
	CanSave bool
	// The "save as template" name as typed, and why it was refused.
	Name    string
	Problem string
	// Dropped is what the template used names that no longer exists.
	Dropped []string
}

// loadKits loads the templates the composer offers.
func (h *Handler) loadKits(ctx context.Context, p *page) (kitsView, error) {
	ts, err := h.d.Templates.List(ctx, p.Actor, "")
	if err != nil {
		return kitsView{}, err
	}
	return kitsView{Templates: ts, CanSave: p.Can(herald.ActTemplatesManage)}, nil
}

// applyTemplate fills f from the template the composer's address names
// (?template=id), for f's time; it returns what the template names that
// no longer exists.
func (h *Handler) applyTemplate(r *http.Request, p *page, f *composeForm, loc *time.Location) ([]string, error) {
	s := r.URL.Query().Get("template")
	if s == "" {
		return nil, nil
	}
	id, err := strconv.ParseInt(s, 10, 64)
	if err != nil || id <= 0 {
		return nil, herald.Errorf(herald.CodeNotFound, "template %q not found: ids are positive whole numbers", s)
	}
	at, err := f.at(loc)
	if err != nil {
		at = nil
	}
	filled, err := h.d.Templates.Fill(r.Context(), p.Actor, id, template.Use{At: at})
	if err != nil {
		return nil, err
	}
	po := filled.Post
	f.Title, f.LabelIDs, f.CampaignID = po.Title, po.LabelIDs, 0
	if po.CampaignID != nil {
		f.CampaignID = *po.CampaignID
	}
	f.Parts = []partForm{{Text: po.Text, MediaIDs: filled.MediaIDs}}
	for _, part := range filled.Thread {
		f.Parts = append(f.Parts, partForm{Text: part.Text, MediaIDs: part.MediaIDs})
	}
	if len(po.Targets) > 0 {
		f.Accounts = nil
	}
	for _, t := range po.Targets {
		f.Accounts = append(f.Accounts, t.AccountID)
		f.Variants[t.AccountID] = variantForm{Text: t.Variant.Text, FirstComment: t.Variant.FirstComment,
			Visibility: t.Variant.Options["visibility"], Spoiler: t.Variant.Options["spoiler_text"],
			Extra: extraOptions(t.Variant.Options)}
	}
	return filled.Dropped, nil
}

// templateContent is the composer's form as a template's content.
func (f composeForm) templateContent() herald.TemplateContent {
	c := herald.TemplateContent{Title: f.Title, Text: f.Parts[0].Text, MediaIDs: f.Parts[0].MediaIDs,
		AccountIDs: f.Accounts, LabelIDs: f.LabelIDs}
	if f.CampaignID > 0 {
		id := f.CampaignID
		c.CampaignID = &id
	}
	for _, part := range f.Parts[1:] {
		if strings.TrimSpace(part.Text) != "" || len(part.MediaIDs) > 0 {
			c.Thread = append(c.Thread, herald.ThreadPart{Text: part.Text, MediaIDs: part.MediaIDs})
		}
	}
	for _, id := range f.Accounts {
		vf := f.Variants[id]
		v := herald.TemplateVariant{AccountID: id, FirstComment: vf.FirstComment, Options: vf.options()}
		if strings.TrimSpace(vf.Text) != "" {
			v.Text = vf.Text
		}
		if v.Text != "" || v.FirstComment != "" || v.Options != nil {
			c.Variants = append(c.Variants, v)
		}
	}
	return c
}

// composeSaveTemplate saves the composer's post as a new template (the
// composer's "Save as template"). A refused name or placeholder is shown
// next to the name, with the post as typed.
func (h *Handler) composeSaveTemplate(w http.ResponseWriter, r *http.Request, p *page) error {
	if err := p.Actor.Require(herald.ActTemplatesManage); err != nil {
		return err
	}
	if err := h.parseComposeForm(w, r); err != nil {
		return err
	}
	ctx := r.Context()
	f := readForm(r)
	name := strings.TrimSpace(r.Form.Get("template_name"))
	t, err := h.d.Templates.Create(ctx, p.Actor, herald.Template{Name: name, Content: f.templateContent()})
	if err != nil {
		he, err := refusal(err)
		if err != nil {
			return err
		}
		v, err := h.loadView(ctx, p, f)
		if err != nil {
			return err
		}
		v.Kits.Name, v.Kits.Problem = name, problemText(he)
		return h.reshow(w, r, p, v, statusOf(he))
	}
	h.d.Sessions.Put(ctx, flashKey, fmt.Sprintf("Saved the template “%s”: start new posts from it here or in the calendar.", t.Name))
	back := composeURL(p.Current.ID, "")
	if f.PostID != 0 {
		back = editURL(p.Current.ID, f.PostID)
	}
	http.Redirect(w, r, back, http.StatusSeeOther)
	return nil
}
