package web

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode"

	"github.com/heraldsocial/herald/internal/herald"
)

// composeRoutes registers the pages of the composer: drafting, previews per platform, validation and scheduling.
func (h *Handler) composeRoutes(m *http.ServeMux) {
	m.Handle("GET /w/{ws}/compose", h.inWorkspace(h.composeNew))
	m.Handle("POST /w/{ws}/compose", h.inWorkspace(h.composeSave))
	m.Handle("GET /w/{ws}/posts/{post}/edit", h.inWorkspace(h.composeEdit))
	m.Handle("POST /w/{ws}/posts/{post}/edit", h.inWorkspace(h.composeSave))
	m.Handle("POST /w/{ws}/compose/check", h.inWorkspace(h.composeCheck))
	m.Handle("POST /w/{ws}/compose/autosave", h.inWorkspace(h.composeAutosave))
	m.Handle("POST /w/{ws}/compose/media", h.inWorkspace(h.composeUpload))
	m.Handle("GET /w/{ws}/compose/media/{media}", h.inWorkspace(h.composeMediaItem))
	m.Handle("GET /w/{ws}/compose/library", h.inWorkspace(h.composeLibrary))
	m.Handle("GET /w/{ws}/compose/best", h.inWorkspace(h.composeBest))
	h.draftRoutes(m)
}

// composeActions are the buttons of the composer, in the order shown.
const (
	doDraft      = "draft"
	doSubmit     = "submit"
	doSchedule   = "schedule"
	doQueue      = "queue"
	doPublishNow = "publish_now"
)

// weekdays are the RRULE day codes with their names, Monday first.
var weekdays = []struct{ Code, Name, Short string }{
	{"MO", "Monday", "Mon"}, {"TU", "Tuesday", "Tue"}, {"WE", "Wednesday", "Wed"}, {"TH", "Thursday", "Thu"},
	{"FR", "Friday", "Fri"}, {"SA", "Saturday", "Sat"}, {"SU", "Sunday", "Sun"},
}

// partForm is one part of the thread as typed: part 0 is the post itself.
type partForm struct {
	Text     string
	MediaIDs []int64
}

// variantForm is what one account publishes differently from the base.
type variantForm struct {
	Text, FirstComment, Visibility, Spoiler string
	// Extra are the options the platform's connector describes, by key.
	Extra map[string]string
}

// options are the platform options typed, nil when none.
func (vf variantForm) options() map[string]string {
	opts := map[string]string{}
	if vf.Visibility != "" {
		opts["visibility"] = vf.Visibility
	}
	if vf.Spoiler != "" {
		opts["spoiler_text"] = vf.Spoiler
	}
	for k, v := range vf.Extra {
		opts[k] = v
	}
	if len(opts) == 0 {
		return nil
	}
	return opts
}

// composeForm is the composer's form, as typed.
type composeForm struct {
	PostID, Version int64
	// Key names the composer session of a new post, so that it creates
	// one draft at most however often it is saved.
	Key        string
	Title      string
	Parts      []partForm
	Accounts   []int64
	Variants   map[int64]variantForm
	At         string // "2006-01-02T15:04" in the workspace zone
	Repeat     string // "", daily, weekly, monthly
	Interval   int
	Days       []string
	Ends       string // never, count, until
	Count      int
	Until      string // "2006-01-02"
	LabelIDs   []int64
	CampaignID int64
	Alt        map[int64][]string // alt texts typed, by media id
	Track      string             // "", on, off: tracked links
	UTM        herald.UTM
}

type utmField struct{ Name, Label, Value, Placeholder string }

// utmFields are the UTM parameters the composer and the link builder offer.
func utmFields(u herald.UTM) []utmField {
	return []utmField{
		{"source", "utm_source", u.Source, "the platform, e.g. mastodon"},
		{"medium", "utm_medium", u.Medium, "social"},
		{"campaign", "utm_campaign", u.Campaign, "the campaign's name as a slug"},
		{"content", "utm_content", u.Content, "the post's number"},
		{"term", "utm_term", u.Term, ""},
	}
}

// readUTM reads the UTM fields of a form.
func readUTM(v url.Values) herald.UTM {
	return herald.UTM{Source: strings.TrimSpace(v.Get("utm_source")), Medium: strings.TrimSpace(v.Get("utm_medium")),
		Campaign: strings.TrimSpace(v.Get("utm_campaign")), Content: strings.TrimSpace(v.Get("utm_content")),
		Term: strings.TrimSpace(v.Get("utm_term"))}
}

// links is the post's link tracking the form describes, nil for the
// workspace's default.
func (f composeForm) links() *herald.LinkTracking {
	l := &herald.LinkTracking{UTM: f.UTM}
	switch f.Track {
	case "on":
		l.Track = new(true)
	case "off":
		l.Track = new(false)
	}
	if l.Track == nil && l.UTM == (herald.UTM{}) {
		return nil
	}
	return l
}

// composeView is everything the composer page shows.
type composeView struct {
	F         composeForm
	Post      *herald.Post // the stored post when editing
	Accounts  []herald.Account
	Labels    []herald.Label
	Campaigns []herald.Campaign
	Media     map[int64]herald.MediaAsset
	Library   []herald.MediaAsset
	LibNext   string
	Problems  map[string][]string // by slot: title, at, repeat, accounts, part-0, …
	Err       *herald.Error
	Check     checkView
	Loc       *time.Location
	// Stale is set when the post changed elsewhere since the page read it.
	Stale bool
	// Autosave is set when the post is saved as typed: new posts and
	// drafts; a post on its way out changes only with its buttons.
	Autosave bool
	// What the viewer may do.
	CanSchedule, CanSubmit, CanUpload bool
	// Kits is the templates the composer offers.
	Kits kitsView
	// Options are the platform options of each account that has some.
	Options map[int64]accountOptions
	// Best are the suggested times to post (see compose_best.go).
	Best bestTimesView
}

// problems returns the problems shown next to slot.
func (v composeView) problems(slot string) []string { return v.Problems[slot] }

// selected reports whether account id is chosen.
func (f composeForm) selected(id int64) bool { return slices.Contains(f.Accounts, id) }

// variant is account id's variant.
func (f composeForm) variant(id int64) variantForm { return f.Variants[id] }

// hasDay reports whether the weekly rule includes day code.
func (f composeForm) hasDay(code string) bool { return slices.Contains(f.Days, code) }

// meaningful reports whether something worth keeping was typed.
func (f composeForm) meaningful() bool {
	if strings.TrimSpace(f.Title) != "" {
		return true
	}
	for _, p := range f.Parts {
		if strings.TrimSpace(p.Text) != "" || len(p.MediaIDs) > 0 {
			return true
		}
	}
	for _, v := range f.Variants {
		if strings.TrimSpace(v.Text) != "" {
			return true
		}
	}
	return false
}

// parseIDs reads comma- or space-separated positive ids.
func parseIDs(s string) []int64 {
	var out []int64
	for _, f := range strings.FieldsFunc(s, func(r rune) bool { return r == ',' || unicode.IsSpace(r) }) {
		if id, err := strconv.ParseInt(f, 10, 64); err == nil && id > 0 && !slices.Contains(out, id) {
			out = append(out, id)
		}
	}
	return out
}

func joinIDs(ids []int64) string {
	s := make([]string, len(ids))
	for i, id := range ids {
		s[i] = itoa(id)
	}
	return strings.Join(s, ",")
}

// readForm reads the composer's form from r (already parsed).
func readForm(r *http.Request) composeForm {
	v := r.Form
	f := composeForm{Title: strings.TrimSpace(v.Get("title")), At: strings.TrimSpace(v.Get("at")),
		Repeat: v.Get("repeat"), Ends: v.Get("ends"), Until: strings.TrimSpace(v.Get("until")),
		Variants: map[int64]variantForm{}, Alt: map[int64][]string{}}
	f.Key = draftKeyOf(v.Get("draft_key"))
	f.PostID, _ = strconv.ParseInt(v.Get("post_id"), 10, 64)
	f.Version, _ = strconv.ParseInt(v.Get("version"), 10, 64)
	f.Interval, _ = strconv.Atoi(v.Get("interval"))
	f.Count, _ = strconv.Atoi(v.Get("count"))
	f.CampaignID, _ = strconv.ParseInt(v.Get("campaign"), 10, 64)
	if t := v.Get("links_track"); t == "on" || t == "off" {
		f.Track = t
	}
	f.UTM = readUTM(v)
	texts, medias := v["text"], v["media"]
	for i, t := range texts {
		p := partForm{Text: strings.ReplaceAll(t, "\r\n", "\n")}
		if i < len(medias) {
			p.MediaIDs = parseIDs(medias[i])
		}
		f.Parts = append(f.Parts, p)
	}
	if len(f.Parts) == 0 {
		f.Parts = []partForm{{}}
	}
	f.Accounts = parseIDs(strings.Join(v["account"], ","))
	for _, id := range f.Accounts {
		k := itoa(id)
		f.Variants[id] = variantForm{Text: strings.ReplaceAll(v.Get("v_text_"+k), "\r\n", "\n"),
			FirstComment: strings.TrimSpace(v.Get("v_comment_" + k)), Visibility: v.Get("v_visibility_" + k),
			Spoiler: strings.TrimSpace(v.Get("v_spoiler_" + k)), Extra: readExtraOptions(v, id)}
	}
	for _, d := range v["byday"] {
		if slices.ContainsFunc(weekdays, func(w struct{ Code, Name, Short string }) bool { return w.Code == d }) && !slices.Contains(f.Days, d) {
			f.Days = append(f.Days, d)
		}
	}
	f.LabelIDs = parseIDs(strings.Join(v["label"], ","))
	for k, vals := range v {
		if id, ok := strings.CutPrefix(k, "alt_"); ok {
			if n, err := strconv.ParseInt(id, 10, 64); err == nil && n > 0 {
				f.Alt[n] = vals
			}
		}
	}
	return f
}

// platformOptions reports whether platform pl takes a visibility and a
// content warning.
func platformOptions(pl herald.Platform) bool {
	return pl == herald.PlatformMastodon || pl == herald.PlatformFake
}

// toPost builds the post the form describes. Problems with the form's own
// fields (a time that does not parse) go to pr.
func (f composeForm) toPost(accts []herald.Account, loc *time.Location, pr map[string][]string) herald.Post {
	p := herald.Post{ID: f.PostID, Version: f.Version, Title: f.Title, Text: f.Parts[0].Text, LabelIDs: f.LabelIDs}
	if p.LabelIDs == nil {
		p.LabelIDs = []int64{}
	}
	if f.CampaignID > 0 {
		id := f.CampaignID
		p.CampaignID = &id
	}
	at, err := f.at(loc)
	if err != nil {
		pr["at"] = append(pr["at"], err.Error())
	}
	rule, err := f.rrule(loc)
	if err != nil {
		pr["repeat"] = append(pr["repeat"], err.Error())
	}
	p.Recurrence = rule
	p.Links = f.links()
	platforms := map[int64]herald.Platform{}
	for _, a := range accts {
		platforms[a.ID] = a.Platform
	}
	for _, id := range f.Accounts {
		vf := f.Variants[id]
		v := herald.Variant{Text: vf.Text, MediaIDs: f.Parts[0].MediaIDs, FirstComment: vf.FirstComment}
		if strings.TrimSpace(v.Text) == "" {
			v.Text = ""
		}
		for _, part := range f.Parts[1:] {
			v.Thread = append(v.Thread, herald.ThreadPart{Text: part.Text, MediaIDs: part.MediaIDs})
		}
		if !platformOptions(platforms[id]) {
			vf.Visibility, vf.Spoiler = "", "" // no fields for them there
		} else {
			vf.Extra = withoutOwnOptions(vf.Extra)
		}
		v.Options = vf.options()
		t := herald.Target{AccountID: id, Variant: v}
		if at != nil {
			when := *at
			t.ScheduledAt = &when
		}
		p.Targets = append(p.Targets, t)
	}
	return p
}

// at is the chosen time as an instant, nil when none is chosen.
func (f composeForm) at(loc *time.Location) (*time.Time, error) {
	if f.At == "" {
		return nil, nil
	}
	for _, layout := range []string{"2006-01-02T15:04", "2006-01-02T15:04:05", "2006-01-02 15:04"} {
		if t, err := time.ParseInLocation(layout, f.At, loc); err == nil {
			return &t, nil
		}
	}
	return nil, fmt.Errorf("%q is not a date and time: pick one, such as 2026-05-01 09:00", f.At)
}

// formFromPost is the form showing a stored post.
func formFromPost(p herald.Post, loc *time.Location) composeForm {
	f := composeForm{PostID: p.ID, Version: p.Version, Title: p.Title, LabelIDs: p.LabelIDs,
		Variants: map[int64]variantForm{}, Alt: map[int64][]string{}}
	if p.CampaignID != nil {
		f.CampaignID = *p.CampaignID
	}
	f.Parts = []partForm{{Text: p.Text}}
	for i, t := range p.Targets {
		if t.State == herald.StateCancelled {
			continue
		}
		if i == 0 || len(f.Accounts) == 0 {
			f.Parts[0].MediaIDs = t.Variant.MediaIDs
			f.Parts = f.Parts[:1]
			for _, th := range t.Variant.Thread {
				f.Parts = append(f.Parts, partForm{Text: th.Text, MediaIDs: th.MediaIDs})
			}
			if t.ScheduledAt != nil {
				f.At = t.ScheduledAt.In(loc).Format("2006-01-02T15:04")
			}
		}
		f.Accounts = append(f.Accounts, t.AccountID)
		f.Variants[t.AccountID] = variantForm{Text: t.Variant.Text, FirstComment: t.Variant.FirstComment,
			Visibility: t.Variant.Options["visibility"], Spoiler: t.Variant.Options["spoiler_text"],
			Extra: extraOptions(t.Variant.Options)}
	}
	f.readRRule(p.Recurrence, loc)
	if p.Links != nil {
		f.UTM = p.Links.UTM
		if p.Links.Track != nil {
			f.Track = map[bool]string{true: "on", false: "off"}[*p.Links.Track]
		}
	}
	return f
}

// needsApproval reports whether the viewer's posts are reviewed before
// they are scheduled here.
func needsApproval(p *page) bool {
	return !p.Can(herald.ActPostsSchedule) || p.Current.BrandRules.RequireApproval
}

// mayRelease reports whether the viewer may change when (or whether) a
// scheduled, held, failed or unconfirmed target goes out: the post
// service's rule, so the pages offer only what it allows.
func mayRelease(p *page) bool {
	return !needsApproval(p) || (p.Can(herald.ActPostsSchedule) && p.Can(herald.ActPostsApprove))
}

// loadView loads what the composer shows besides the form.
func (h *Handler) loadView(ctx context.Context, p *page, f composeForm) (composeView, error) {
	loc, err := p.Current.Location()
	if err != nil {
		return composeView{}, err
	}
	v := composeView{F: f, Loc: loc, Problems: map[string][]string{}, Media: map[int64]herald.MediaAsset{},
		CanUpload: p.Can(herald.ActMediaWrite)}
	if v.Accounts, err = h.d.Accounts.List(ctx, p.Actor); err != nil {
		return v, err
	}
	v.Options = h.loadOptions(ctx, p, v.Accounts)
	if v.Labels, err = h.d.Labels.List(ctx, p.Actor); err != nil {
		return v, err
	}
	if p.Can(herald.ActCampaignsRead) {
		if v.Campaigns, err = h.d.Campaigns.List(ctx, p.Actor); err != nil {
			return v, err
		}
	}
	if p.Can(herald.ActMediaRead) {
		if v.Library, v.LibNext, err = h.d.Media.List(ctx, p.Actor, "", herald.Page{Limit: libraryPageSize}); err != nil {
			return v, err
		}
	}
	if err := h.loadMedia(ctx, p, f, v.Media); err != nil {
		return v, err
	}
	if v.Kits, err = h.loadKits(ctx, p); err != nil {
		return v, err
	}
	if f.PostID != 0 {
		po, err := h.d.Posts.Get(ctx, p.Actor, f.PostID)
		if err != nil {
			return v, err
		}
		v.Post = &po
	}
	approval := needsApproval(p)
	v.CanSchedule = !approval || (v.Post != nil && allApproved(*v.Post))
	v.CanSubmit = approval
	v.Autosave = v.Post == nil || allDrafts(*v.Post)
	return v, nil
}

// allApproved reports whether every live target of po is approved.
func allApproved(po herald.Post) bool {
	n := 0
	for _, t := range po.Targets {
		switch t.State {
		case herald.StateApproved:
			n++
		case herald.StateCancelled, herald.StatePublished:
		default:
			return false
		}
	}
	return n > 0
}

func (h *Handler) composeNew(w http.ResponseWriter, r *http.Request, p *page) error {
	if err := p.Actor.Require(herald.ActPostsWrite); err != nil {
		return err
	}
	loc, err := p.Current.Location()
	if err != nil {
		return err
	}
	f := composeForm{Key: newDraftKey(), Parts: []partForm{{}}, Variants: map[int64]variantForm{}, Alt: map[int64][]string{}}
	q := r.URL.Query()
	if at := q.Get("at"); at != "" {
		if t, err := time.Parse(time.RFC3339, at); err == nil {
			f.At = t.In(loc).Format("2006-01-02T15:04")
		}
	}
	dropped, err := h.applyTemplate(r, p, &f, loc)
	if err != nil {
		return err
	}
	v, err := h.loadView(r.Context(), p, f)
	if err != nil {
		return err
	}
	v.Kits.Dropped = dropped
	for _, s := range q["account"] {
		id, _ := strconv.ParseInt(s, 10, 64)
		if slices.ContainsFunc(v.Accounts, func(a herald.Account) bool { return a.ID == id }) && !v.F.selected(id) {
			v.F.Accounts = append(v.F.Accounts, id)
		}
	}
	if len(v.F.Accounts) == 0 && len(v.Accounts) == 1 {
		v.F.Accounts = []int64{v.Accounts[0].ID}
	}
	h.withBest(r.Context(), p, &v)
	if err := h.check(r.Context(), p, &v); err != nil {
		return err
	}
	p.Title = "New post"
	h.render(w, r, http.StatusOK, composePage(p, v))
	return nil
}

func (h *Handler) composeEdit(w http.ResponseWriter, r *http.Request, p *page) error {
	if err := p.Actor.Require(herald.ActPostsWrite); err != nil {
		return err
	}
	id, err := pathID(r, "post", "post")
	if err != nil {
		return err
	}
	po, err := h.d.Posts.Get(r.Context(), p.Actor, id)
	if err != nil {
		return err
	}
	if err := editable(po); err != nil {
		return err
	}
	loc, err := p.Current.Location()
	if err != nil {
		return err
	}
	v, err := h.loadView(r.Context(), p, formFromPost(po, loc))
	if err != nil {
		return err
	}
	h.withBest(r.Context(), p, &v)
	if err := h.check(r.Context(), p, &v); err != nil {
		return err
	}
	p.Title = "Edit " + postTitle(po)
	h.render(w, r, http.StatusOK, composePage(p, v))
	return nil
}

// editable refuses a post that is being or has been published on one of
// its accounts: the composer edits drafts, posts in review, approved and
// scheduled ones (and held, failed or unconfirmed ones), under the post
// service's approval and version rules.
func editable(po herald.Post) error {
	for _, t := range po.Targets {
		if !t.State.Editable() {
			return herald.Errorf(herald.CodeConflict,
				"post %d is %s on an account and can no longer be edited here: see the post's page", po.ID, stateLabel(t.State))
		}
	}
	return nil
}

// parseComposeForm parses the composer's form, files included, bounded
// in size.
func (h *Handler) parseComposeForm(w http.ResponseWriter, r *http.Request) error {
	r.Body = http.MaxBytesReader(w, r.Body, h.d.Media.MaxBytes()*4+uploadSlack)
	ct := r.Header.Get("Content-Type")
	var err error
	if strings.HasPrefix(ct, "multipart/") {
		err = r.ParseMultipartForm(32 << 20)
	} else {
		err = r.ParseForm()
	}
	if err != nil {
		var mbe *http.MaxBytesError
		if errors.As(err, &mbe) {
			return herald.Errorf(herald.CodeTooLarge, "the form is larger than %d bytes: upload large files one at a time", mbe.Limit)
		}
		return herald.Errorf(herald.CodeInvalid, "the form could not be read: %v", err)
	}
	return nil
}

// editURL is the composer of a stored post.
func editURL(ws, id int64) string { return postURL(ws, id) + "/edit" }

// composeURL is the composer's own address plus suffix.
func composeURL(ws int64, suffix string) string { return wsURL(ws) + "compose" + suffix }
