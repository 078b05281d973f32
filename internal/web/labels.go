package web

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"strings"

	"github.com/heraldsocial/herald/internal/herald"
	"github.com/heraldsocial/herald/internal/label"
)

// organiseRoutes registers the pages that create, change and delete the
// workspace's labels and campaigns.
func (h *Handler) organiseRoutes(m *http.ServeMux) {
	m.Handle("GET /w/{ws}/labels", h.inWorkspace(h.labels))
	m.Handle("POST /w/{ws}/labels", h.inWorkspace(h.labelCreate))
	m.Handle("POST /w/{ws}/labels/{label}", h.inWorkspace(h.labelUpdate))
	m.Handle("POST /w/{ws}/labels/{label}/delete", h.inWorkspace(h.labelDelete))
	m.Handle("GET /w/{ws}/campaigns", h.inWorkspace(h.campaigns))
	m.Handle("POST /w/{ws}/campaigns", h.inWorkspace(h.campaignCreate))
	m.Handle("POST /w/{ws}/campaigns/{campaign}", h.inWorkspace(h.campaignUpdate))
	m.Handle("POST /w/{ws}/campaigns/{campaign}/delete", h.inWorkspace(h.campaignDelete))
}

// labelsURL is the labels page; campaignsURL the campaigns page.
func labelsURL(ws int64) string    { return wsURL(ws) + "labels" }
func campaignsURL(ws int64) string { return wsURL(ws) + "campaigns" }

// swatch is one colour of the label palette. Its class (static/organise.css)
// paints the swatch: the page's policy allows no inline style.
type swatch struct{ Name, Hex string }

// palette is the label colours offered first: distinct from one another,
// each dark enough for white text in the calendar.
var palette = []swatch{
	{"Blue", "#1d4ed8"}, {"Teal", "#0f766e"}, {"Green", "#15803d"}, {"Olive", "#4d7c0f"},
	{"Amber", "#b45309"}, {"Red", "#b91c1c"}, {"Pink", "#be185d"}, {"Purple", "#7e22ce"},
	{"Indigo", "#4338ca"}, {"Grey", "#6b7280"},
}

// swatchClass is the class of a palette colour.
func swatchClass(s swatch) string { return "swatch-" + strings.ToLower(s.Name) }

// inPalette reports whether colour is one of the palette's.
func inPalette(colour string) bool {
	for _, s := range palette {
		if strings.EqualFold(s.Hex, colour) {
			return true
		}
	}
	return false
}

// labelForm is what the new-label form or one label's edit form holds.
type labelForm struct {
	Name, Color string
	Err         *herald.Error
}

// labelRow is one label on the page, with how many posts carry it.
type labelRow struct {
	L    herald.Label
	Uses int
	Form labelForm // the refused edit, when this row's form was refused
	Open bool      // the edit form is shown open
}

// labelsData is the labels page.
type labelsData struct {
	Rows      []labelRow
	New       labelForm
	CanManage bool
}

func (h *Handler) labels(w http.ResponseWriter, r *http.Request, p *page) error {
	return h.renderLabels(w, r, p, http.StatusOK, labelsData{New: labelForm{Color: palette[0].Hex}}, 0, labelForm{})
}

// renderLabels renders the labels page; a refused edit of label editing
// is shown in its row.
func (h *Handler) renderLabels(w http.ResponseWriter, r *http.Request, p *page, status int, d labelsData, editing int64, edit labelForm) error {
	ctx := r.Context()
	ls, err := h.d.Labels.List(ctx, p.Actor)
	if err != nil {
		return err
	}
	d.CanManage = p.Can(herald.ActLabelsManage)
	for _, l := range ls {
		row := labelRow{L: l, Form: labelForm{Name: l.Name, Color: l.Color}}
		if row.Uses, err = h.countPosts(ctx, p.Actor, herald.PostFilter{LabelID: l.ID}); err != nil {
			return err
		}
		if l.ID == editing {
			row.Form, row.Open = edit, true
		}
		d.Rows = append(d.Rows, row)
	}
	p.Title = "Labels"
	h.render(w, r, status, labelsPage(p, d))
	return nil
}

// countPosts counts the posts f finds.
func (h *Handler) countPosts(ctx context.Context, actor herald.Actor, f herald.PostFilter) (int, error) {
	n := 0
	err := h.eachPost(ctx, actor, f, func(herald.Post) { n++ })
	return n, err
}

// eachPost calls fn with every post f finds, a page at a time.
func (h *Handler) eachPost(ctx context.Context, actor herald.Actor, f herald.PostFilter, fn func(herald.Post)) error {
	f.Page = herald.Page{Limit: herald.MaxPageLimit}
	for {
		ps, next, err := h.d.Posts.List(ctx, actor, f)
		if err != nil {
			return err
		}
		for _, po := range ps {
			fn(po)
		}
		if next == "" {
			return nil
		}
		f.Cursor = next
	}
}

// labelFormOf reads a label form: a palette colour, or the custom one
// when "custom" is chosen.
func labelFormOf(r *http.Request) labelForm {
	in := labelForm{Name: strings.TrimSpace(r.PostFormValue("name")), Color: strings.TrimSpace(r.PostFormValue("color"))}
	if in.Color == "custom" {
		in.Color = strings.TrimSpace(r.PostFormValue("custom_color"))
	}
	in.Color = strings.ToLower(in.Color)
	return in
}

// refusal is err as a form shows it, when it is about the input (invalid
// or a conflict); other errors are returned for the error page.
func refusal(err error) (*herald.Error, error) {
	he := publicError(err)
	if he.Code == herald.CodeInvalid || he.Code == herald.CodeConflict {
		return he, nil
	}
	return nil, err
}

func (h *Handler) labelCreate(w http.ResponseWriter, r *http.Request, p *page) error {
	in := labelFormOf(r)
	if in.Color == "" {
		in.Color = palette[0].Hex
	}
	l, err := h.d.Labels.Create(r.Context(), p.Actor, herald.Label{Name: in.Name, Color: in.Color})
	if err != nil {
		if in.Err, err = refusal(err); err != nil {
			return err
		}
		return h.renderLabels(w, r, p, statusOf(in.Err), labelsData{New: in}, 0, labelForm{})
	}
	h.d.Sessions.Put(r.Context(), flashKey, fmt.Sprintf("Created the label “%s”. Writers can now put it on posts in the composer.", l.Name))
	http.Redirect(w, r, labelsURL(p.Current.ID)+"#label-"+itoa(l.ID), http.StatusSeeOther)
	return nil
}

func (h *Handler) labelUpdate(w http.ResponseWriter, r *http.Request, p *page) error {
	id, err := pathID(r, "label", "label")
	if err != nil {
		return err
	}
	in := labelFormOf(r)
	l, err := h.d.Labels.Update(r.Context(), p.Actor, id, label.Patch{Name: &in.Name, Color: &in.Color})
	if err != nil {
		if in.Err, err = refusal(err); err != nil {
			return err
		}
		return h.renderLabels(w, r, p, statusOf(in.Err), labelsData{New: labelForm{Color: palette[0].Hex}}, id, in)
	}
	h.d.Sessions.Put(r.Context(), flashKey, fmt.Sprintf("Saved the label “%s”.", l.Name))
	http.Redirect(w, r, labelsURL(p.Current.ID)+"#label-"+itoa(l.ID), http.StatusSeeOther)
	return nil
}

func (h *Handler) labelDelete(w http.ResponseWriter, r *http.Request, p *page) error {
	return h.deleteNamed(w, r, "label", labelsURL(p.Current.ID),
		func(ctx context.Context, id int64) (string, error) {
			l, err := h.d.Labels.Get(ctx, p.Actor, id)
			return l.Name, err
		},
		func(ctx context.Context, id int64) error { return h.d.Labels.Delete(ctx, p.Actor, id) },
		"Deleted the label “%s”. Its posts are unchanged but for the label.")
}

// deleteNamed deletes the {kind} of the path, named by name first for the
// message said (a format with its name) before going back to back.
func (h *Handler) deleteNamed(w http.ResponseWriter, r *http.Request, kind, back string,
	name func(context.Context, int64) (string, error), del func(context.Context, int64) error, said string) error {
	ctx := r.Context()
	id, err := pathID(r, kind, kind)
	if err != nil {
		return err
	}
	n, err := name(ctx, id)
	if err != nil {
		return err
	}
	if err := del(ctx, id); err != nil {
		return err
	}
	h.d.Sessions.Put(ctx, flashKey, fmt.Sprintf(said, n))
	http.Redirect(w, r, back, http.StatusSeeOther)
	return nil
}

// labelDeleteQuestion says what deleting a label does to the posts that
// carry it.
func labelDeleteQuestion(row labelRow) string {
	q := fmt.Sprintf("Delete the label “%s”? ", row.L.Name)
	switch row.Uses {
	case 0:
		return q + "No post carries it."
	case 1:
		return q + "The 1 post that carries it loses the label; its text, accounts and schedule do not change."
	}
	return q + fmt.Sprintf("The %d posts that carry it lose the label; their text, accounts and schedules do not change.", row.Uses)
}

// postsOfURL is the calendar's list of the posts with a label or in a
// campaign (key "label" or "campaign").
func postsOfURL(ws int64, key string, id int64) string {
	return calendarURL(ws, url.Values{"view": {viewList}, key: {itoa(id)}})
}

// uses says how many posts use a label or campaign.
func uses(n int) string {
	switch n {
	case 0:
		return "no posts yet"
	case 1:
		return "1 post"
	}
	return itoa(int64(n)) + " posts"
}

// customColor is the starting value of the "Other" colour input: the
// label's own colour when it is not in the palette.
func customColor(selected string) string {
	if hexColor.MatchString(selected) && !inPalette(selected) {
		return selected
	}
	return "#000000"
}
