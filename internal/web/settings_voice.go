package web

import (
	"fmt"
	"net/http"
	"strconv"
	"strings"

	"github.com/heraldsocial/herald/internal/herald"
	"github.com/heraldsocial/herald/internal/voice"
)

// voiceRoutes registers the Brand voice tab of the settings.
func (h *Handler) voiceRoutes(m *http.ServeMux) {
	m.Handle("GET /w/{ws}/settings/brand-voice", h.inWorkspace(h.settingsVoice))
	m.Handle("POST /w/{ws}/settings/brand-voice", h.inWorkspace(h.settingsVoiceSave))
	m.Handle("POST /w/{ws}/settings/brand-voice/try", h.inWorkspace(h.settingsVoiceTry))
}

// blankRows is how many empty rows the lists of banned words and required
// tags offer for new entries.
const blankRows = 3

// phraseRow is one banned word or phrase of the form. Index is its
// position among the rules sent to the service (for its problems), -1 for
// a row left empty.
type phraseRow struct {
	Index                     int
	Phrase, Replacement       string
	Severity                  herald.Severity
	PhraseErr, ReplacementErr string
}

// tagRow is one required tag of the form; Scope is "", "label:ID" or
// "campaign:ID".
type tagRow struct {
	Index         int
	Tag, Scope    string
	Severity      herald.Severity
	TagErr, Other string
}

// voiceForm is the Brand voice tab: every rule as typed, the labels and
// campaigns tags may be scoped to, and the "Try it" sample with what the
// rules found in it.
type voiceForm struct {
	Voice     string
	Banned    []phraseRow
	Tags      []tagRow
	Limits    map[string]string // the number and severity fields, by name
	Labels    []herald.Label
	Campaigns []herald.Campaign
	Err       *herald.Error
	Saved     herald.BrandRules
	Sample    string
	Findings  []voice.Finding
	Tried     bool
}

// limitFields are the single-value fields of the form, with the rule
// field their problems come under.
var limitFields = []struct{ name, field string }{
	{"max_emoji", "brand_rules.max_emoji.max"}, {"max_emoji_severity", "brand_rules.max_emoji.severity"},
	{"max_hashtags", "brand_rules.max_hashtags.max"}, {"max_hashtags_severity", "brand_rules.max_hashtags.severity"},
	{"link", "brand_rules.link.mode"}, {"link_severity", "brand_rules.link.severity"},
	{"shout_percent", "brand_rules.shouting.max_percent"}, {"shout_word_length", "brand_rules.shouting.min_word_length"},
	{"shout_severity", "brand_rules.shouting.severity"},
	{"readability", "brand_rules.readability.min_score"}, {"readability_severity", "brand_rules.readability.severity"},
}

// limitProblem is the problem of the limit field name.
func (f voiceForm) limitProblem(name string) string {
	for _, l := range limitFields {
		if l.name == name {
			return fieldProblem(f.Err, l.field)
		}
	}
	return ""
}

// voiceFormOf fills the form from stored rules.
func voiceFormOf(r herald.BrandRules) voiceForm {
	r = r.Normalized()
	f := voiceForm{Voice: r.Voice, Saved: r, Limits: map[string]string{}}
	for i, b := range r.Banned {
		f.Banned = append(f.Banned, phraseRow{Index: i, Phrase: b.Phrase, Replacement: b.Replacement, Severity: b.Severity})
	}
	for i, t := range r.RequiredTags {
		f.Tags = append(f.Tags, tagRow{Index: i, Tag: t.Tag, Scope: scopeValue(t), Severity: t.Severity})
	}
	count := func(name string, l *herald.CountLimit) {
		if l != nil {
			f.Limits[name], f.Limits[name+"_severity"] = strconv.Itoa(l.Max), string(l.Severity)
		}
	}
	count("max_emoji", r.MaxEmoji)
	count("max_hashtags", r.MaxHashtags)
	if r.Link != nil {
		f.Limits["link"], f.Limits["link_severity"] = string(r.Link.Mode), string(r.Link.Severity)
	}
	if s := r.Shouting; s != nil {
		f.Limits["shout_percent"], f.Limits["shout_severity"] = strconv.Itoa(s.MaxPercent), string(s.Severity)
		f.Limits["shout_word_length"] = strconv.Itoa(s.WordLength())
	}
	if s := r.Readability; s != nil {
		f.Limits["readability"], f.Limits["readability_severity"] = strconv.Itoa(s.MinScore), string(s.Severity)
	}
	return f
}

func scopeValue(t herald.RequiredTag) string {
	switch {
	case t.LabelID > 0:
		return "label:" + strconv.FormatInt(t.LabelID, 10)
	case t.CampaignID > 0:
		return "campaign:" + strconv.FormatInt(t.CampaignID, 10)
	}
	return ""
}

// voiceFormFrom reads the posted form: the rules to save, and problems
// with what could not be read as typed (under the rules' own field names).
func voiceFormFrom(r *http.Request) (voiceForm, herald.BrandRules, herald.Problems) {
	f := voiceForm{Voice: strings.TrimSpace(r.PostFormValue("voice")), Limits: map[string]string{}}
	rules := herald.BrandRules{Voice: f.Voice}
	var pr herald.Problems
	phrases, repl, sev := r.PostForm["banned_phrase"], r.PostForm["banned_replacement"], r.PostForm["banned_severity"]
	for i := range phrases {
		row := phraseRow{Index: -1, Phrase: strings.TrimSpace(phrases[i]), Replacement: strings.TrimSpace(at(repl, i)),
			Severity: herald.Severity(at(sev, i))}
		if row.Phrase != "" || row.Replacement != "" {
			row.Index = len(rules.Banned)
			rules.Banned = append(rules.Banned, herald.BannedPhrase{Phrase: row.Phrase, Replacement: row.Replacement, Severity: row.Severity})
		}
		f.Banned = append(f.Banned, row)
	}
	tags, scopes, tsev := r.PostForm["tag"], r.PostForm["tag_scope"], r.PostForm["tag_severity"]
	for i := range tags {
		row := tagRow{Index: -1, Tag: strings.TrimSpace(tags[i]), Scope: at(scopes, i), Severity: herald.Severity(at(tsev, i))}
		if row.Tag != "" {
			row.Index = len(rules.RequiredTags)
			t := herald.RequiredTag{Tag: row.Tag, Severity: row.Severity}
			kind, id, _ := strings.Cut(row.Scope, ":")
			n, err := strconv.ParseInt(id, 10, 64)
			switch {
			case row.Scope == "":
			case err != nil || n <= 0 || (kind != "label" && kind != "campaign"):
				pr.Add(fmt.Sprintf("brand_rules.required_tags[%d]", row.Index), "choose every post, a label or a campaign")
			case kind == "label":
				t.LabelID = n
			default:
				t.CampaignID = n
			}
			rules.RequiredTags = append(rules.RequiredTags, t)
		}
		f.Tags = append(f.Tags, row)
	}
	for _, l := range limitFields {
		f.Limits[l.name] = strings.TrimSpace(r.PostFormValue(l.name))
	}
	num := func(name, field string) (int, bool) {
		v := f.Limits[name]
		if v == "" {
			return 0, false
		}
		n, err := strconv.Atoi(v)
		if err != nil {
			pr.Add(field, "%q is not a whole number", v)
			return 0, false
		}
		return n, true
	}
	sev1 := func(name string) herald.Severity { return herald.Severity(f.Limits[name]) }
	if n, ok := num("max_emoji", "brand_rules.max_emoji.max"); ok {
		rules.MaxEmoji = &herald.CountLimit{Max: n, Severity: sev1("max_emoji_severity")}
	}
	if n, ok := num("max_hashtags", "brand_rules.max_hashtags.max"); ok {
		rules.MaxHashtags = &herald.CountLimit{Max: n, Severity: sev1("max_hashtags_severity")}
	}
	if m := f.Limits["link"]; m != "" {
		rules.Link = &herald.LinkRule{Mode: herald.LinkMode(m), Severity: sev1("link_severity")}
	}
	if n, ok := num("shout_percent", "brand_rules.shouting.max_percent"); ok {
		rules.Shouting = &herald.ShoutingRule{MaxPercent: n, Severity: sev1("shout_severity")}
		if l, ok := num("shout_word_length", "brand_rules.shouting.min_word_length"); ok {
			rules.Shouting.MinWordLength = l
		}
	}
	if n, ok := num("readability", "brand_rules.readability.min_score"); ok {
		rules.Readability = &herald.ReadabilityRule{MinScore: n, Severity: sev1("readability_severity")}
	}
	f.Sample = r.PostFormValue("sample")
	return f, rules, pr
}

func at(list []string, i int) string {
	if i < len(list) {
		return list[i]
	}
	return ""
}

// withBlanks adds the empty rows for new entries, and each row's problems.
func (f *voiceForm) withBlanks() {
	for i := 0; i < blankRows; i++ {
		f.Banned = append(f.Banned, phraseRow{Index: -1, Severity: herald.SeverityWarning})
		f.Tags = append(f.Tags, tagRow{Index: -1, Severity: herald.SeverityBlock})
	}
	if f.Err == nil {
		return
	}
	for i := range f.Banned {
		if k := f.Banned[i].Index; k >= 0 {
			base := fmt.Sprintf("brand_rules.banned[%d]", k)
			f.Banned[i].PhraseErr = joinProblems(fieldProblem(f.Err, base+".phrase"), fieldProblem(f.Err, base+".severity"))
			f.Banned[i].ReplacementErr = fieldProblem(f.Err, base+".replacement")
		}
	}
	for i := range f.Tags {
		if k := f.Tags[i].Index; k >= 0 {
			base := fmt.Sprintf("brand_rules.required_tags[%d]", k)
			f.Tags[i].TagErr = fieldProblem(f.Err, base+".tag")
			f.Tags[i].Other = joinProblems(fieldProblem(f.Err, base), fieldProblem(f.Err, base+".label_id"),
				fieldProblem(f.Err, base+".campaign_id"), fieldProblem(f.Err, base+".severity"))
		}
	}
}

func joinProblems(ps ...string) string {
	var out []string
	for _, p := range ps {
		if p != "" {
			out = append(out, p)
		}
	}
	return strings.Join(out, "; ")
}

// scopes lists the labels and campaigns a tag may be scoped to (what the
// viewer may read).
func (h *Handler) scopes(r *http.Request, p *page, f *voiceForm) {
	if ls, err := h.d.Labels.List(r.Context(), p.Actor); err == nil {
		f.Labels = ls
	}
	if cs, err := h.d.Campaigns.List(r.Context(), p.Actor); err == nil {
		f.Campaigns = cs
	}
}

func (h *Handler) settingsVoice(w http.ResponseWriter, r *http.Request, p *page) error {
	rules, err := h.d.Workspaces.BrandVoice(r.Context(), p.Actor)
	if err != nil {
		return err
	}
	f := voiceFormOf(rules)
	h.renderVoice(w, r, p, http.StatusOK, f)
	return nil
}

func (h *Handler) renderVoice(w http.ResponseWriter, r *http.Request, p *page, status int, f voiceForm) {
	h.scopes(r, p, &f)
	f.withBlanks()
	p.Title = "Brand voice"
	h.render(w, r, status, settingsVoicePage(p, f))
}

func (h *Handler) settingsVoiceSave(w http.ResponseWriter, r *http.Request, p *page) error {
	ctx := r.Context()
	if err := p.Actor.Require(herald.ActWorkspaceUpdate); err != nil {
		return err
	}
	f, rules, pr := voiceFormFrom(r)
	if saved, err := h.d.Workspaces.BrandVoice(ctx, p.Actor); err == nil {
		f.Saved = saved
	} else {
		return err
	}
	err := pr.Err("the brand voice rules were not saved")
	if err == nil {
		_, err = h.d.Workspaces.SetBrandVoice(ctx, p.Actor, rules)
	}
	if err != nil {
		he := publicError(err)
		if he.Code != herald.CodeInvalid {
			return err
		}
		he.Message = "The brand voice rules were not saved: fix the fields marked below."
		f.Err = he
		h.renderVoice(w, r, p, statusOf(he), f)
		return nil
	}
	h.d.Sessions.Put(ctx, flashKey, "Saved the brand voice rules.")
	http.Redirect(w, r, settingsURL(p.Current.ID, "brand-voice"), http.StatusSeeOther)
	return nil
}

// settingsVoiceTry checks the sample against the rules: the rules as
// typed in the form for those who may change them, else the saved ones.
// Asked by htmx it answers the result alone, else the whole page.
func (h *Handler) settingsVoiceTry(w http.ResponseWriter, r *http.Request, p *page) error {
	ctx := r.Context()
	saved, err := h.d.Workspaces.BrandVoice(ctx, p.Actor)
	if err != nil {
		return err
	}
	var f voiceForm
	rules := saved
	if p.Can(herald.ActWorkspaceUpdate) && r.PostFormValue("from") == "form" {
		var pr herald.Problems
		f, rules, pr = voiceFormFrom(r)
		ws := herald.Workspace{Name: "check", TimeZone: "UTC", BrandRules: rules}
		if err := ws.Validate(); err != nil {
			pr = append(pr, publicError(err).Details...)
		}
		if len(pr) > 0 {
			f.Err = &herald.Error{Code: herald.CodeInvalid, Message: "Some rules are not well formed: the sample was checked with the saved rules.", Details: pr}
			rules = saved
		} else {
			rules = ws.BrandRules
		}
	} else {
		f = voiceFormOf(saved)
		f.Sample = r.PostFormValue("sample")
	}
	f.Saved = saved
	f.Findings = voice.CheckText(rules, f.Sample)
	f.Tried = true
	if r.Header.Get("HX-Request") == "true" {
		h.render(w, r, http.StatusOK, voiceTryResult(f))
		return nil
	}
	h.renderVoice(w, r, p, http.StatusOK, f)
	return nil
}

// severityWords is what a severity does, for people.
func severityWords(s herald.Severity) string {
	if s == herald.SeverityBlock {
		return "block"
	}
	return "warn"
}

// scopeWords says which posts a required tag is asked of.
func (f voiceForm) scopeWords(t herald.RequiredTag) string {
	switch {
	case t.LabelID > 0:
		for _, l := range f.Labels {
			if l.ID == t.LabelID {
				return "posts labelled " + l.Name
			}
		}
		return "posts with a label that was deleted"
	case t.CampaignID > 0:
		for _, c := range f.Campaigns {
			if c.ID == t.CampaignID {
				return "posts of the campaign " + c.Name
			}
		}
		return "posts of a campaign that was deleted"
	}
	return "every post"
}

// limitWords are the saved limits in words, for those who only read them.
func (f voiceForm) limitWords() []string {
	r := f.Saved
	var out []string
	if l := r.MaxEmoji; l != nil {
		out = append(out, fmt.Sprintf("At most %d emoji in one post (%s).", l.Max, severityWords(l.Severity)))
	}
	if l := r.MaxHashtags; l != nil {
		out = append(out, fmt.Sprintf("At most %d hashtags in one post (%s).", l.Max, severityWords(l.Severity)))
	}
	if l := r.Link; l != nil {
		out = append(out, fmt.Sprintf("A link is %s (%s).", l.Mode, severityWords(l.Severity)))
	}
	if s := r.Shouting; s != nil {
		out = append(out, fmt.Sprintf("At most %d%% capital letters in words of %d letters or more (%s).", s.MaxPercent, s.WordLength(), severityWords(s.Severity)))
	}
	if s := r.Readability; s != nil {
		out = append(out, fmt.Sprintf("A Flesch reading ease of at least %d, for English text (%s).", s.MinScore, severityWords(s.Severity)))
	}
	return out
}

// findingField is the part a finding is about, as fieldWords names it:
// the composer numbers a thread's parts from 1, the post itself.
func findingField(f voice.Finding) string {
	if j, ok := strings.CutPrefix(f.Part, "thread["); ok {
		if n, err := strconv.Atoi(strings.TrimSuffix(j, "]")); err == nil {
			return "thread part " + strconv.Itoa(n+2)
		}
	}
	return f.Part
}

// voiceItem is a finding placed on the page: Input is the id of the text
// field its one-click fix edits ("" for none).
type voiceItem struct {
	F     voice.Finding
	Input string
}

func voiceItems(fs []voice.Finding) []voiceItem {
	out := make([]voiceItem, 0, len(fs))
	for _, f := range fs {
		out = append(out, voiceItem{F: f})
	}
	return out
}
