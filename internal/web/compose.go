package web

import (
	"context"
	"encoding/json"
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
	"github.com/heraldsocial/herald/internal/media"
	"github.com/heraldsocial/herald/internal/post"
)

// composeRoutes registers the pages of the composer: drafting, previews per platform, validation and scheduling.
func (h *Handler) composeRoutes(m *http.ServeMux) {
	m.Handle("GET /w/{ws}/compose", h.inWorkspace(h.composeNew))
	m.Handle("POST /w/{ws}/compose", h.inWorkspace(h.composeSave))
	m.Handle("GET /w/{ws}/posts/{post}/edit", h.inWorkspace(h.composeEdit))
	m.Handle("POST /w/{ws}/compose/check", h.inWorkspace(h.composeCheck))
	m.Handle("POST /w/{ws}/compose/autosave", h.inWorkspace(h.composeAutosave))
	m.Handle("POST /w/{ws}/compose/media", h.inWorkspace(h.composeUpload))
	m.Handle("GET /w/{ws}/compose/media/{media}", h.inWorkspace(h.composeMediaItem))
	m.Handle("GET /w/{ws}/compose/library", h.inWorkspace(h.composeLibrary))
}

// uploadSlack is room for the form fields around uploaded files.
const uploadSlack = 1 << 20

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
}

// composeForm is the composer's form, as typed.
type composeForm struct {
	PostID, Version int64
	Title           string
	Parts           []partForm
	Accounts        []int64
	Variants        map[int64]variantForm
	At              string // "2006-01-02T15:04" in the workspace zone
	Repeat          string // "", daily, weekly, monthly
	Interval        int
	Days            []string
	Ends            string // never, count, until
	Count           int
	Until           string // "2006-01-02"
	LabelIDs        []int64
	CampaignID      int64
	Alt             map[int64][]string // alt texts typed, by media id
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
	// What the viewer may do.
	CanSchedule, CanSubmit, CanUpload bool
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
	f.PostID, _ = strconv.ParseInt(v.Get("post_id"), 10, 64)
	f.Version, _ = strconv.ParseInt(v.Get("version"), 10, 64)
	f.Interval, _ = strconv.Atoi(v.Get("interval"))
	f.Count, _ = strconv.Atoi(v.Get("count"))
	f.CampaignID, _ = strconv.ParseInt(v.Get("campaign"), 10, 64)
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
			Spoiler: strings.TrimSpace(v.Get("v_spoiler_" + k))}
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
		if platformOptions(platforms[id]) {
			opts := map[string]string{}
			if vf.Visibility != "" {
				opts["visibility"] = vf.Visibility
			}
			if vf.Spoiler != "" {
				opts["spoiler_text"] = vf.Spoiler
			}
			if len(opts) > 0 {
				v.Options = opts
			}
		}
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
			Visibility: t.Variant.Options["visibility"], Spoiler: t.Variant.Options["spoiler_text"]}
	}
	f.readRRule(p.Recurrence, loc)
	return f
}

// rrule builds the RRULE the recurrence fields describe ("" for none).
func (f composeForm) rrule(loc *time.Location) (string, error) {
	var freq string
	switch f.Repeat {
	case "", "none":
		return "", nil
	case "daily":
		freq = "DAILY"
	case "weekly":
		freq = "WEEKLY"
	case "monthly":
		freq = "MONTHLY"
	default:
		return "", fmt.Errorf("%q is not one of daily, weekly, monthly", f.Repeat)
	}
	parts := []string{"FREQ=" + freq}
	if f.Interval > 1 {
		if f.Interval > 365 {
			return "", errors.New("the interval is at most 365")
		}
		parts = append(parts, "INTERVAL="+strconv.Itoa(f.Interval))
	}
	if freq == "WEEKLY" && len(f.Days) > 0 {
		var days []string
		for _, w := range weekdays {
			if f.hasDay(w.Code) {
				days = append(days, w.Code)
			}
		}
		parts = append(parts, "BYDAY="+strings.Join(days, ","))
	}
	switch f.Ends {
	case "count":
		if f.Count < 1 || f.Count > 1000 {
			return "", errors.New("say how many times, from 1 to 1000")
		}
		parts = append(parts, "COUNT="+strconv.Itoa(f.Count))
	case "until":
		d, err := time.ParseInLocation("2006-01-02", f.Until, loc)
		if err != nil {
			return "", errors.New("pick the last day the series repeats")
		}
		end := d.AddDate(0, 0, 1).Add(-time.Second).UTC()
		parts = append(parts, "UNTIL="+end.Format("20060102T150405Z"))
	}
	return strings.Join(parts, ";"), nil
}

// readRRule fills the recurrence fields from a stored rule.
func (f *composeForm) readRRule(rule string, loc *time.Location) {
	if rule == "" {
		return
	}
	for _, kv := range strings.Split(rule, ";") {
		k, v, _ := strings.Cut(kv, "=")
		switch strings.ToUpper(k) {
		case "FREQ":
			f.Repeat = strings.ToLower(v)
		case "INTERVAL":
			f.Interval, _ = strconv.Atoi(v)
		case "BYDAY":
			f.Days = strings.Split(strings.ToUpper(v), ",")
		case "COUNT":
			f.Ends = "count"
			f.Count, _ = strconv.Atoi(v)
		case "UNTIL":
			if t, err := time.Parse("20060102T150405Z", v); err == nil {
				f.Ends = "until"
				f.Until = t.In(loc).Format("2006-01-02")
			}
		}
	}
}

// repeatSentence says in words what the recurrence fields mean.
func (f composeForm) repeatSentence(loc *time.Location) string {
	if f.Repeat == "" || f.Repeat == "none" {
		return "Does not repeat."
	}
	if _, err := f.rrule(loc); err != nil {
		return ""
	}
	n := max(f.Interval, 1)
	unit := map[string]string{"daily": "day", "weekly": "week", "monthly": "month"}[f.Repeat]
	s := "Every " + unit
	if n > 1 {
		s = fmt.Sprintf("Every %d %ss", n, unit)
	}
	at, _ := f.at(loc)
	switch f.Repeat {
	case "weekly":
		var names []string
		for _, w := range weekdays {
			if f.hasDay(w.Code) {
				names = append(names, w.Name)
			}
		}
		if len(names) == 0 && at != nil {
			names = []string{at.Weekday().String()}
		}
		if len(names) > 0 {
			s += " on " + andList(names)
		}
	case "monthly":
		if at != nil {
			s += " on day " + strconv.Itoa(at.Day())
		}
	}
	if at != nil {
		s += " at " + at.Format("15:04")
	}
	switch f.Ends {
	case "count":
		if f.Count == 1 {
			s += ", once"
		} else {
			s += fmt.Sprintf(", %d times", f.Count)
		}
	case "until":
		if d, err := time.ParseInLocation("2006-01-02", f.Until, loc); err == nil {
			s += ", until " + d.Format("Mon 2 Jan 2006")
		}
	}
	return s + "."
}

// andList joins "a, b and c".
func andList(s []string) string {
	if len(s) <= 1 {
		return strings.Join(s, "")
	}
	return strings.Join(s[:len(s)-1], ", ") + " and " + s[len(s)-1]
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

// loadMedia fills into with every asset the form uses; ids that are not
// in the workspace are left out (validation names them).
func (h *Handler) loadMedia(ctx context.Context, p *page, f composeForm, into map[int64]herald.MediaAsset) error {
	for _, part := range f.Parts {
		for _, id := range part.MediaIDs {
			if _, ok := into[id]; ok {
				continue
			}
			m, err := h.d.Media.Get(ctx, p.Actor, id)
			var he *herald.Error
			if errors.As(err, &he) && (he.Code == herald.CodeNotFound || he.Code == herald.CodeForbidden) {
				continue
			}
			if err != nil {
				return err
			}
			into[id] = m
		}
	}
	return nil
}

func (h *Handler) composeNew(w http.ResponseWriter, r *http.Request, p *page) error {
	if err := p.Actor.Require(herald.ActPostsWrite); err != nil {
		return err
	}
	loc, err := p.Current.Location()
	if err != nil {
		return err
	}
	f := composeForm{Parts: []partForm{{}}, Variants: map[int64]variantForm{}, Alt: map[int64][]string{}}
	q := r.URL.Query()
	if at := q.Get("at"); at != "" {
		if t, err := time.Parse(time.RFC3339, at); err == nil {
			f.At = t.In(loc).Format("2006-01-02T15:04")
		}
	}
	v, err := h.loadView(r.Context(), p, f)
	if err != nil {
		return err
	}
	for _, s := range q["account"] {
		id, _ := strconv.ParseInt(s, 10, 64)
		if slices.ContainsFunc(v.Accounts, func(a herald.Account) bool { return a.ID == id }) && !v.F.selected(id) {
			v.F.Accounts = append(v.F.Accounts, id)
		}
	}
	if len(v.F.Accounts) == 0 && len(v.Accounts) == 1 {
		v.F.Accounts = []int64{v.Accounts[0].ID}
	}
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
	for _, t := range po.Targets {
		if !t.State.Editable() || t.State == herald.StatePublished {
			return herald.Errorf(herald.CodeConflict, "post %d is %s on an account and can no longer be edited here: see the post's page", id, stateLabel(t.State))
		}
	}
	loc, err := p.Current.Location()
	if err != nil {
		return err
	}
	v, err := h.loadView(r.Context(), p, formFromPost(po, loc))
	if err != nil {
		return err
	}
	if err := h.check(r.Context(), p, &v); err != nil {
		return err
	}
	p.Title = "Edit " + postTitle(po)
	h.render(w, r, http.StatusOK, composePage(p, v))
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

// applyAlt saves alt texts typed for the form's media.
func (h *Handler) applyAlt(ctx context.Context, p *page, f composeForm, assets map[int64]herald.MediaAsset, pr map[string][]string) {
	for id, vals := range f.Alt {
		m, ok := assets[id]
		if !ok {
			continue
		}
		for _, alt := range vals {
			alt = strings.TrimSpace(alt)
			if alt == m.AltText {
				continue
			}
			updated, err := h.d.Media.Update(ctx, p.Actor, id, media.Patch{AltText: &alt})
			if err != nil {
				pr["media-"+itoa(id)] = append(pr["media-"+itoa(id)], publicError(err).Message)
				break
			}
			assets[id] = updated
			break
		}
	}
}

// applyUploads adds files chosen in the form without JavaScript (file_0,
// file_1, … for each part) and library picks (add_media, to the post).
func (h *Handler) applyUploads(r *http.Request, p *page, f *composeForm, assets map[int64]herald.MediaAsset, pr map[string][]string) {
	if r.MultipartForm != nil {
		for i := range f.Parts {
			for _, fh := range r.MultipartForm.File["file_"+strconv.Itoa(i)] {
				if fh.Size == 0 && fh.Filename == "" {
					continue
				}
				file, err := fh.Open()
				if err != nil {
					pr["part-"+strconv.Itoa(i)] = append(pr["part-"+strconv.Itoa(i)], "the file could not be read: "+err.Error())
					continue
				}
				m, err := h.d.Media.Upload(r.Context(), p.Actor, fh.Filename, file, "")
				file.Close()
				if err != nil {
					pr["part-"+strconv.Itoa(i)] = append(pr["part-"+strconv.Itoa(i)], fh.Filename+": "+problemText(err))
					continue
				}
				assets[m.ID] = m
				if !slices.Contains(f.Parts[i].MediaIDs, m.ID) {
					f.Parts[i].MediaIDs = append(f.Parts[i].MediaIDs, m.ID)
				}
			}
		}
	}
	for _, id := range parseIDs(strings.Join(r.Form["add_media"], ",")) {
		if _, ok := assets[id]; !ok {
			m, err := h.d.Media.Get(r.Context(), p.Actor, id)
			if err != nil {
				pr["part-0"] = append(pr["part-0"], problemText(err))
				continue
			}
			assets[id] = m
		}
		if !slices.Contains(f.Parts[0].MediaIDs, id) {
			f.Parts[0].MediaIDs = append(f.Parts[0].MediaIDs, id)
		}
	}
}

// problemText is an error in one line: its message and details.
func problemText(err error) string {
	he := publicError(err)
	s := he.Message
	for _, d := range he.Details {
		s += "; " + d.Field + " " + d.Problem
	}
	return s
}

// applyOp runs a thread edit asked for without JavaScript: "add",
// "remove:i", "up:i", "down:i", "split:i" or "unmedia:i:id".
func applyOp(f *composeForm, op string, r *http.Request) {
	verb, rest, _ := strings.Cut(op, ":")
	idxS, extra, _ := strings.Cut(rest, ":")
	i, err := strconv.Atoi(idxS)
	valid := err == nil && i >= 0 && i < len(f.Parts)
	switch {
	case verb == "add":
		if len(f.Parts) <= herald.MaxThreadParts {
			f.Parts = append(f.Parts, partForm{})
		}
	case !valid:
	case verb == "remove" && i > 0:
		f.Parts = slices.Delete(f.Parts, i, i+1)
	case verb == "up" && i > 0:
		f.Parts[i-1], f.Parts[i] = f.Parts[i], f.Parts[i-1]
	case verb == "down" && i+1 < len(f.Parts):
		f.Parts[i+1], f.Parts[i] = f.Parts[i], f.Parts[i+1]
	case verb == "split":
		runes := []rune(f.Parts[i].Text)
		at, err := strconv.Atoi(r.Form.Get("split_" + idxS))
		if err != nil || at <= 0 || at >= len(runes) {
			at = splitPoint(runes)
		}
		head := strings.TrimRightFunc(string(runes[:at]), unicode.IsSpace)
		tail := strings.TrimLeftFunc(string(runes[at:]), unicode.IsSpace)
		f.Parts[i].Text = head
		f.Parts = slices.Insert(f.Parts, i+1, partForm{Text: tail})
	case verb == "unmedia":
		id, _ := strconv.ParseInt(extra, 10, 64)
		f.Parts[i].MediaIDs = slices.DeleteFunc(slices.Clone(f.Parts[i].MediaIDs), func(x int64) bool { return x == id })
	}
}

// splitPoint is where to split a text without a cursor: the space
// nearest the middle.
func splitPoint(runes []rune) int {
	mid := len(runes) / 2
	for d := 0; d <= mid; d++ {
		for _, i := range []int{mid - d, mid + d} {
			if i > 0 && i < len(runes) && unicode.IsSpace(runes[i]) {
				return i
			}
		}
	}
	return mid
}

// save creates the post (a draft) or updates it, returning it.
func (h *Handler) save(ctx context.Context, p *page, f composeForm, po herald.Post) (herald.Post, error) {
	if f.PostID == 0 {
		return h.d.Posts.Create(ctx, p.Actor, po, post.ActionDraft)
	}
	return h.d.Posts.Update(ctx, p.Actor, po, f.Version, true)
}

// composeSave is the composer's form: save the draft, then do what the
// button pressed says. Without JavaScript it also edits the thread.
func (h *Handler) composeSave(w http.ResponseWriter, r *http.Request, p *page) error {
	if err := p.Actor.Require(herald.ActPostsWrite); err != nil {
		return err
	}
	if err := h.parseComposeForm(w, r); err != nil {
		return err
	}
	ctx := r.Context()
	f := readForm(r)
	v, err := h.loadView(ctx, p, f)
	if err != nil {
		return err
	}
	h.applyUploads(r, p, &v.F, v.Media, v.Problems)
	h.applyAlt(ctx, p, v.F, v.Media, v.Problems)
	if op := r.Form.Get("op"); op != "" {
		applyOp(&v.F, op, r)
		return h.reshow(w, r, p, v, http.StatusOK)
	}
	action := r.Form.Get("action")
	if action == "" {
		action = doDraft
	}
	po := v.F.toPost(v.Accounts, v.Loc, v.Problems)
	if len(v.Problems) > 0 {
		return h.reshow(w, r, p, v, http.StatusUnprocessableEntity)
	}
	switch action {
	case doSchedule:
		if v.F.At == "" {
			v.Problems["at"] = append(v.Problems["at"], "pick a date and time to schedule, or add it to the queue")
		}
		fallthrough
	case doQueue, doPublishNow, doSubmit:
		if len(v.F.Accounts) == 0 {
			v.Problems["accounts"] = append(v.Problems["accounts"], "choose at least one account to publish to")
		}
	case doDraft:
	default:
		return herald.Errorf(herald.CodeInvalid, "%q is not something the composer does", action)
	}
	saved, err := h.save(ctx, p, v.F, po)
	if err != nil {
		return h.saveFailed(w, r, p, v, err)
	}
	v.F.PostID, v.F.Version = saved.ID, saved.Version
	if len(v.Problems) > 0 {
		return h.reshow(w, r, p, v, http.StatusUnprocessableEntity)
	}
	var done string
	switch action {
	case doDraft:
		h.d.Sessions.Put(ctx, flashKey, "Draft saved at "+fmtClock(h.d.Clock.Now().In(v.Loc))+".")
		http.Redirect(w, r, editURL(p.Current.ID, saved.ID), http.StatusSeeOther)
		return nil
	case doSubmit:
		saved, err = h.d.Posts.Submit(ctx, p.Actor, saved.ID, "")
		done = "Submitted for approval: a reviewer will look at it."
	case doSchedule:
		saved, err = h.d.Posts.Schedule(ctx, p.Actor, saved.ID, nil, "")
		done = "Scheduled."
		if err == nil && len(saved.Targets) > 0 && saved.Targets[0].ScheduledAt != nil {
			done = "Scheduled for " + fmtTime(*saved.Targets[0].ScheduledAt, v.Loc) + "."
		}
	case doQueue:
		saved, err = h.d.Posts.Queue(ctx, p.Actor, saved.ID, "")
		done = "Added to the queue."
		if err == nil && len(saved.Targets) > 0 && saved.Targets[0].ScheduledAt != nil {
			done = "Added to the queue: it publishes " + fmtTime(*saved.Targets[0].ScheduledAt, v.Loc) + "."
		}
	case doPublishNow:
		saved, err = h.d.Posts.PublishNow(ctx, p.Actor, saved.ID, "")
		done = "Publishing now."
	}
	if err != nil {
		if po, gerr := h.d.Posts.Get(ctx, p.Actor, v.F.PostID); gerr == nil {
			v.F.Version = po.Version
		}
		return h.saveFailed(w, r, p, v, err)
	}
	h.d.Sessions.Put(ctx, flashKey, done)
	http.Redirect(w, r, postURL(p.Current.ID, saved.ID), http.StatusSeeOther)
	return nil
}

// saveFailed shows the form again with err's problems next to their
// fields; errors that are not about the form become an error page.
func (h *Handler) saveFailed(w http.ResponseWriter, r *http.Request, p *page, v composeView, err error) error {
	he := publicError(err)
	switch he.Code {
	case herald.CodeInvalid, herald.CodeConflict, herald.CodePreconditionFailed, herald.CodeForbidden:
	default:
		return err
	}
	v.Err = he
	for _, d := range he.Details {
		slot := slotOf(d.Field, v.F)
		v.Problems[slot] = append(v.Problems[slot], d.Problem)
	}
	return h.reshow(w, r, p, v, statusOf(he))
}

// slotOf maps a problem's field ("targets[0].variant.thread[1].text") to
// the place in the form it is shown.
func slotOf(field string, f composeForm) string {
	switch {
	case field == "title":
		return "title"
	case field == "text":
		return "part-0"
	case field == "recurrence":
		return "repeat"
	case field == "campaign_id":
		return "campaign"
	case strings.HasPrefix(field, "label_ids"):
		return "labels"
	case field == "targets":
		return "accounts"
	}
	var i int
	var rest string
	if n, _ := fmt.Sscanf(field, "targets[%d].", &i); n == 1 {
		_, rest, _ = strings.Cut(field, "].")
		acct := ""
		if i >= 0 && i < len(f.Accounts) {
			acct = itoa(f.Accounts[i])
		}
		switch {
		case rest == "scheduled_at":
			return "at"
		case rest == "variant.text":
			return "variant-" + acct
		case rest == "variant.first_comment":
			return "comment-" + acct
		case strings.HasPrefix(rest, "variant.options"):
			return "options-" + acct
		case rest == "variant.media_ids":
			return "part-0"
		case strings.HasPrefix(rest, "variant.thread["):
			var j int
			if n, _ := fmt.Sscanf(rest, "variant.thread[%d]", &j); n == 1 {
				return "part-" + strconv.Itoa(j+1)
			}
		case rest == "account_id":
			return "accounts"
		}
	}
	return "general"
}

// reshow renders the composer again with the form as typed.
func (h *Handler) reshow(w http.ResponseWriter, r *http.Request, p *page, v composeView, status int) error {
	if err := h.loadMedia(r.Context(), p, v.F, v.Media); err != nil {
		return err
	}
	if err := h.check(r.Context(), p, &v); err != nil {
		return err
	}
	if v.F.PostID != 0 && v.Post == nil {
		if po, err := h.d.Posts.Get(r.Context(), p.Actor, v.F.PostID); err == nil {
			v.Post = &po
		}
	}
	p.Title = "New post"
	if v.F.PostID != 0 {
		p.Title = "Edit post"
	}
	h.render(w, r, status, composePage(p, v))
	return nil
}

// editURL is the composer of a stored post.
func editURL(ws, id int64) string { return postURL(ws, id) + "/edit" }

// composeURL is the composer's own address plus suffix.
func composeURL(ws int64, suffix string) string { return wsURL(ws) + "compose" + suffix }

// composeCheck answers the live checks: counters, problems and previews.
func (h *Handler) composeCheck(w http.ResponseWriter, r *http.Request, p *page) error {
	if err := p.Actor.Require(herald.ActPostsWrite); err != nil {
		return err
	}
	if err := h.parseComposeForm(w, r); err != nil {
		return err
	}
	f := readForm(r)
	loc, err := p.Current.Location()
	if err != nil {
		return err
	}
	v := composeView{F: f, Loc: loc, Problems: map[string][]string{}, Media: map[int64]herald.MediaAsset{}}
	if v.Accounts, err = h.d.Accounts.List(r.Context(), p.Actor); err != nil {
		return err
	}
	if err := h.loadMedia(r.Context(), p, f, v.Media); err != nil {
		return err
	}
	for id, vals := range f.Alt {
		if m, ok := v.Media[id]; ok && len(vals) > 0 {
			m.AltText = strings.TrimSpace(vals[0])
			v.Media[id] = m
		}
	}
	if err := h.check(r.Context(), p, &v); err != nil {
		return err
	}
	h.render(w, r, http.StatusOK, checkFragment(p, v))
	return nil
}

// autosaveAnswer is the autosave endpoint's JSON answer.
type autosaveAnswer struct {
	ID       int64  `json:"id,omitempty"`
	Version  int64  `json:"version,omitempty"`
	Saved    string `json:"saved,omitempty"`
	EditURL  string `json:"edit_url,omitempty"`
	Skipped  bool   `json:"skipped,omitempty"`
	Error    string `json:"error,omitempty"`
	Conflict bool   `json:"conflict,omitempty"`
}

// composeAutosave saves the draft as typed: created on the first
// meaningful input, then updated at the version the page holds. A post
// changed elsewhere is not overwritten.
func (h *Handler) composeAutosave(w http.ResponseWriter, r *http.Request, p *page) error {
	answer := func(status int, a autosaveAnswer) error {
		w.Header().Set("Content-Type", "application/json")
		w.Header().Set("Cache-Control", "no-store")
		w.WriteHeader(status)
		return json.NewEncoder(w).Encode(a)
	}
	fail := func(err error) error {
		he := publicError(err)
		if he.Code == herald.CodeInternal {
			h.d.Logger.ErrorContext(r.Context(), "autosave failed", "error", err)
		}
		msg := he.Message
		if len(he.Details) > 0 {
			msg += ": " + he.Details[0].Field + " " + he.Details[0].Problem
		}
		conflict := he.Code == herald.CodeConflict || he.Code == herald.CodePreconditionFailed
		if conflict {
			msg = "Not saved: this post was changed elsewhere since you opened it. Your text is still here: copy what you need, then reload."
		}
		return answer(statusOf(he), autosaveAnswer{Error: msg, Conflict: conflict})
	}
	if err := p.Actor.Require(herald.ActPostsWrite); err != nil {
		return fail(err)
	}
	if err := h.parseComposeForm(w, r); err != nil {
		return fail(err)
	}
	f := readForm(r)
	if f.PostID == 0 && !f.meaningful() {
		return answer(http.StatusOK, autosaveAnswer{Skipped: true})
	}
	loc, err := p.Current.Location()
	if err != nil {
		return fail(err)
	}
	accts, err := h.d.Accounts.List(r.Context(), p.Actor)
	if err != nil {
		return fail(err)
	}
	assets := map[int64]herald.MediaAsset{}
	if err := h.loadMedia(r.Context(), p, f, assets); err != nil {
		return fail(err)
	}
	pr := map[string][]string{}
	h.applyAlt(r.Context(), p, f, assets, pr)
	po := f.toPost(accts, loc, pr)
	saved, err := h.save(r.Context(), p, f, po)
	if err != nil {
		return fail(err)
	}
	return answer(http.StatusOK, autosaveAnswer{ID: saved.ID, Version: saved.Version,
		Saved: "Saved " + fmtClock(h.d.Clock.Now().In(loc)), EditURL: editURL(p.Current.ID, saved.ID)})
}

// mediaItemData is one attached image in the composer.
type mediaItemData struct {
	WS    int64
	Part  int
	Asset herald.MediaAsset
	Err   string
}

// composeUpload takes one dropped, pasted or chosen file and answers its
// item for the part it was added to.
func (h *Handler) composeUpload(w http.ResponseWriter, r *http.Request, p *page) error {
	r.Body = http.MaxBytesReader(w, r.Body, h.d.Media.MaxBytes()+uploadSlack)
	part, _ := strconv.Atoi(r.URL.Query().Get("part"))
	fail := func(msg string) error {
		h.render(w, r, http.StatusUnprocessableEntity, uploadError(msg))
		return nil
	}
	file, fh, err := r.FormFile("file")
	if err != nil {
		var mbe *http.MaxBytesError
		if errors.As(err, &mbe) {
			return fail(fmt.Sprintf("The file is too large: files may be at most %d MB.", h.d.Media.MaxBytes()>>20))
		}
		return fail("No file was received: choose an image or video.")
	}
	defer file.Close()
	m, err := h.d.Media.Upload(r.Context(), p.Actor, fh.Filename, file, r.FormValue("alt"))
	if err != nil {
		he := publicError(err)
		if he.Code == herald.CodeInternal || he.Code == herald.CodeUnauthorized {
			return err
		}
		return fail(fh.Filename + ": " + problemText(err))
	}
	h.render(w, r, http.StatusOK, mediaItem(mediaItemData{WS: p.Current.ID, Part: part, Asset: m}))
	return nil
}

// composeMediaItem answers a library item as an attached image of a part.
func (h *Handler) composeMediaItem(w http.ResponseWriter, r *http.Request, p *page) error {
	id, err := pathID(r, "media", "media")
	if err != nil {
		return err
	}
	m, err := h.d.Media.Get(r.Context(), p.Actor, id)
	if err != nil {
		return err
	}
	part, _ := strconv.Atoi(r.URL.Query().Get("part"))
	h.render(w, r, http.StatusOK, mediaItem(mediaItemData{WS: p.Current.ID, Part: part, Asset: m}))
	return nil
}

// composeLibrary answers a page of the library to pick from.
func (h *Handler) composeLibrary(w http.ResponseWriter, r *http.Request, p *page) error {
	q := r.URL.Query()
	if !q.Has("q") {
		q.Set("q", q.Get("library_q"))
	}
	items, next, err := h.d.Media.List(r.Context(), p.Actor, q.Get("q"), herald.Page{Cursor: q.Get("cursor"), Limit: libraryPageSize})
	if err != nil {
		return err
	}
	h.render(w, r, http.StatusOK, libraryItems(p, items, next, q.Get("q"), q.Get("cursor") != ""))
	return nil
}

// libraryMore is the address of the library page after next.
func libraryMore(ws int64, query, next string) string {
	return composeURL(ws, "/library?"+url.Values{"q": {query}, "cursor": {next}}.Encode())
}
