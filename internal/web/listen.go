package web

import (
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/heraldsocial/herald/internal/herald"
	"github.com/heraldsocial/herald/internal/listen"
)

// listenRoutes registers the listening pages: the topics, a topic's form
// with its preview, and a topic's page (or every topic's) with its
// stream. They answer not found while the server has no listening service.
func (h *Handler) listenRoutes(m *http.ServeMux) {
	m.Handle("GET /w/{ws}/listen", h.inWorkspace(h.listening(h.listenTopics)))
	m.Handle("GET /w/{ws}/listen/new", h.inWorkspace(h.listening(h.listenNew)))
	m.Handle("POST /w/{ws}/listen/new", h.inWorkspace(h.listening(h.listenCreate)))
	m.Handle("GET /w/{ws}/listen/all", h.inWorkspace(h.listening(h.listenTopicPage)))
	m.Handle("GET /w/{ws}/listen/{topic}", h.inWorkspace(h.listening(h.listenTopicPage)))
	m.Handle("GET /w/{ws}/listen/{topic}/edit", h.inWorkspace(h.listening(h.listenEdit)))
	m.Handle("POST /w/{ws}/listen/{topic}/edit", h.inWorkspace(h.listening(h.listenUpdate)))
	m.Handle("POST /w/{ws}/listen/{topic}/delete", h.inWorkspace(h.listening(h.listenDelete)))
	m.Handle("POST /w/{ws}/listen/settings", h.inWorkspace(h.listening(h.listenSettings)))
}

// listening serves fn when listening is on.
func (h *Handler) listening(fn workspaceFunc) workspaceFunc {
	return func(w http.ResponseWriter, r *http.Request, p *page) error {
		if h.d.Listen == nil {
			return herald.Errorf(herald.CodeNotFound, "listening is not set up on this server")
		}
		return fn(w, r, p)
	}
}

// listenURL is the topics list; listenTopicURL a topic's page (0: every
// topic's) or, with verb, its edit or delete address.
func listenURL(ws int64) string { return wsURL(ws) + "listen" }

func listenTopicURL(ws, id int64, verb string) string {
	u := listenURL(ws) + "/"
	if id == 0 {
		u += "all"
	} else {
		u += itoa(id)
	}
	if verb != "" {
		u += "/" + verb
	}
	return u
}

// listenTopicsData is the topics list.
type listenTopicsData struct {
	Topics      []herald.ListenTopic
	CanManage   bool
	Competitors bool // the competitors page is on
	// Sources say what reads posts for the workspace and what each can
	// and cannot see.
	Sources []listen.SourceNote
	// KeepDays is the retention as saved, or as posted when refused
	// (KeepErr).
	KeepDays string
	KeepErr  *herald.Error
}

func (h *Handler) listenTopics(w http.ResponseWriter, r *http.Request, p *page) error {
	return h.renderListenTopics(w, r, p, http.StatusOK, listenTopicsData{})
}

func (h *Handler) renderListenTopics(w http.ResponseWriter, r *http.Request, p *page, status int, d listenTopicsData) error {
	ctx := r.Context()
	var err error
	if d.Topics, err = h.d.Listen.Topics(ctx, p.Actor); err != nil {
		return err
	}
	if d.Sources, err = h.d.Listen.Sources(ctx, p.Actor); err != nil {
		return err
	}
	if d.KeepErr == nil {
		st, err := h.d.Listen.Settings(ctx, p.Actor)
		if err != nil {
			return err
		}
		d.KeepDays = strconv.Itoa(st.KeepDays)
	}
	d.CanManage, d.Competitors = p.Can(herald.ActListenManage), h.d.Competitors != nil
	p.Title = "Listening"
	h.render(w, r, status, listenTopicsPage(p, d))
	return nil
}

// listenSettings saves how long the workspace keeps its matches.
func (h *Handler) listenSettings(w http.ResponseWriter, r *http.Request, p *page) error {
	if err := p.Actor.Require(herald.ActListenManage); err != nil {
		return err
	}
	v := strings.TrimSpace(r.PostFormValue("keep_days"))
	days, err := strconv.Atoi(v)
	if err == nil {
		_, err = h.d.Listen.SetKeepDays(r.Context(), p.Actor, days)
	} else {
		err = herald.Problems{{Field: "keep_days", Problem: fmt.Sprintf("is %q; write a number of days", v)}}.Err("the listening settings are not valid")
	}
	if err != nil {
		d := listenTopicsData{KeepDays: v}
		if d.KeepErr, err = refusal(err); err != nil {
			return err
		}
		return h.renderListenTopics(w, r, p, statusOf(d.KeepErr), d)
	}
	h.d.Sessions.Put(r.Context(), flashKey, fmt.Sprintf("Matches are kept %d days; older ones are deleted within the hour.", days))
	http.Redirect(w, r, listenURL(p.Current.ID)+"#listen-keep", http.StatusSeeOther)
	return nil
}

// listenRuleWords says in words what a topic listens for.
func listenRuleWords(t herald.ListenTopic) string {
	r := t.Rules
	var ws []string
	add := func(label, sep string, vals []string) {
		if len(vals) > 0 {
			ws = append(ws, label+" "+strings.Join(vals, sep))
		}
	}
	add("any of", ", ", r.Any)
	add("all of", ", ", r.All)
	add("none of", ", ", r.None)
	add("hashtags", ", ", r.Hashtags)
	add("by or mentioning", ", ", r.Accounts)
	if len(r.Languages) > 0 {
		l := "in " + strings.Join(r.Languages, ", ")
		if r.StrictLanguage {
			l += " (strictly)"
		}
		ws = append(ws, l)
	}
	if len(ws) == 0 {
		return "no rules"
	}
	return strings.Join(ws, "; ")
}

// listenForm is a topic's form as typed: rule lists one entry a line,
// languages comma-separated.
type listenForm struct {
	ID                                       int64
	Name, Any, All, None, Hashtags, Accounts string
	Languages                                string
	Strict, Paused                           bool
	Err                                      *herald.Error
}

// listenFormData is the form page, with a preview after "Preview".
type listenFormData struct {
	Form    listenForm
	Preview *listen.PreviewResult
}

// splitLines splits text into its trimmed, non-empty lines.
func splitLines(s string) []string {
	var out []string
	for _, l := range strings.Split(s, "\n") {
		if l = strings.TrimSpace(l); l != "" {
			out = append(out, l)
		}
	}
	return out
}

// listenFormFrom reads the posted form.
func listenFormFrom(r *http.Request) listenForm {
	v := r.PostFormValue
	return listenForm{Name: strings.TrimSpace(v("name")), Any: v("any"), All: v("all"), None: v("none"),
		Hashtags: v("hashtags"), Accounts: v("accounts"), Languages: v("languages"),
		Strict: v("strict_language") == "true", Paused: v("paused") == "true"}
}

// topic is the service's form of f.
func (f listenForm) topic() herald.ListenTopic {
	return herald.ListenTopic{ID: f.ID, Name: f.Name, Paused: f.Paused, Rules: herald.TopicRule{
		Any: splitLines(f.Any), All: splitLines(f.All), None: splitLines(f.None), Hashtags: splitLines(f.Hashtags),
		Accounts: splitLines(f.Accounts), Languages: splitList(f.Languages), StrictLanguage: f.Strict}}
}

// listenFormOf fills the form from a stored topic.
func listenFormOf(t herald.ListenTopic) listenForm {
	r := t.Rules
	return listenForm{ID: t.ID, Name: t.Name, Any: strings.Join(r.Any, "\n"), All: strings.Join(r.All, "\n"),
		None: strings.Join(r.None, "\n"), Hashtags: strings.Join(r.Hashtags, "\n"), Accounts: strings.Join(r.Accounts, "\n"),
		Languages: strings.Join(r.Languages, ", "), Strict: r.StrictLanguage, Paused: t.Paused}
}

func (h *Handler) renderListenForm(w http.ResponseWriter, r *http.Request, p *page, status int, d listenFormData) error {
	p.Title = "New listening topic"
	if d.Form.ID != 0 {
		p.Title = "Edit listening topic"
	}
	h.render(w, r, status, listenFormPage(p, d))
	return nil
}

func (h *Handler) listenNew(w http.ResponseWriter, r *http.Request, p *page) error {
	if err := p.Actor.Require(herald.ActListenManage); err != nil {
		return err
	}
	return h.renderListenForm(w, r, p, http.StatusOK, listenFormData{})
}

func (h *Handler) listenEdit(w http.ResponseWriter, r *http.Request, p *page) error {
	if err := p.Actor.Require(herald.ActListenManage); err != nil {
		return err
	}
	id, err := pathID(r, "topic", "listening topic")
	if err != nil {
		return err
	}
	t, err := h.d.Listen.Topic(r.Context(), p.Actor, id)
	if err != nil {
		return err
	}
	return h.renderListenForm(w, r, p, http.StatusOK, listenFormData{Form: listenFormOf(t)})
}

func (h *Handler) listenCreate(w http.ResponseWriter, r *http.Request, p *page) error {
	return h.listenSave(w, r, p, 0)
}

func (h *Handler) listenUpdate(w http.ResponseWriter, r *http.Request, p *page) error {
	id, err := pathID(r, "topic", "listening topic")
	if err != nil {
		return err
	}
	return h.listenSave(w, r, p, id)
}

// listenSave previews or saves the posted form (id 0: a new topic).
func (h *Handler) listenSave(w http.ResponseWriter, r *http.Request, p *page, id int64) error {
	if err := p.Actor.Require(herald.ActListenManage); err != nil {
		return err
	}
	ctx := r.Context()
	if id != 0 {
		if _, err := h.d.Listen.Topic(ctx, p.Actor, id); err != nil {
			return err
		}
	}
	f := listenFormFrom(r)
	f.ID = id
	if r.PostFormValue("action") == "preview" {
		res, err := h.d.Listen.Preview(ctx, p.Actor, f.topic(), 20)
		if err != nil {
			if f.Err, err = refusal(err); err != nil {
				return err
			}
			return h.renderListenForm(w, r, p, statusOf(f.Err), listenFormData{Form: f})
		}
		return h.renderListenForm(w, r, p, http.StatusOK, listenFormData{Form: f, Preview: &res})
	}
	var t herald.ListenTopic
	var err error
	if id == 0 {
		t, err = h.d.Listen.Create(ctx, p.Actor, f.topic())
	} else {
		t, err = h.d.Listen.Update(ctx, p.Actor, id, f.topic())
	}
	if err != nil {
		if f.Err, err = refusal(err); err != nil {
			return err
		}
		return h.renderListenForm(w, r, p, statusOf(f.Err), listenFormData{Form: f})
	}
	msg := fmt.Sprintf("Saved the topic “%s”. It matches new public posts from now on.", t.Name)
	if t.Paused {
		msg = fmt.Sprintf("Saved the topic “%s”. It is paused: it matches nothing new until you resume it.", t.Name)
	}
	h.d.Sessions.Put(ctx, flashKey, msg)
	http.Redirect(w, r, listenTopicURL(p.Current.ID, t.ID, ""), http.StatusSeeOther)
	return nil
}

func (h *Handler) listenDelete(w http.ResponseWriter, r *http.Request, p *page) error {
	if err := p.Actor.Require(herald.ActListenManage); err != nil {
		return err
	}
	id, err := pathID(r, "topic", "listening topic")
	if err != nil {
		return err
	}
	ctx := r.Context()
	t, err := h.d.Listen.Topic(ctx, p.Actor, id)
	if err != nil {
		return err
	}
	if err := h.d.Listen.Delete(ctx, p.Actor, id); err != nil {
		return err
	}
	h.d.Sessions.Put(ctx, flashKey, fmt.Sprintf("Deleted the topic “%s” and the matches only it found.", t.Name))
	http.Redirect(w, r, listenURL(p.Current.ID), http.StatusSeeOther)
	return nil
}

// listenPeriods are the topic page's periods, by their address value.
var listenPeriods = []struct {
	Key, Label string
	Span       time.Duration
}{
	{"1d", "Last 24 hours", 24 * time.Hour},
	{"7d", "Last 7 days", 7 * 24 * time.Hour},
	{"30d", "Last 30 days", 30 * 24 * time.Hour},
}

// listenStreamFilter is the stream's filter as the address gives it.
type listenStreamFilter struct {
	Period, Sentiment, Language, Q, Cursor string
}

// url is the topic page's address with the filter (and cursor when set).
func (f listenStreamFilter) url(ws, topicID int64, period, cursor string) string {
	v := url.Values{}
	if period != "" && period != "7d" {
		v.Set("period", period)
	}
	if f.Sentiment != "" {
		v.Set("sentiment", f.Sentiment)
	}
	if f.Language != "" {
		v.Set("language", f.Language)
	}
	if f.Q != "" {
		v.Set("q", f.Q)
	}
	if cursor != "" {
		v.Set("cursor", cursor)
	}
	u := listenTopicURL(ws, topicID, "")
	if len(v) > 0 {
		u += "?" + v.Encode()
	}
	return u
}

// listenDay is one day's matches in the workspace's zone.
type listenDay struct {
	Day                         time.Time
	Positive, Neutral, Negative int
}

// Total is the day's matches.
func (d listenDay) Total() int { return d.Positive + d.Neutral + d.Negative }

// listenDays sums hourly volume per day of loc, every day from from to to
// listed, oldest first.
func listenDays(vs []herald.ListenVolume, from, to time.Time, loc *time.Location) []listenDay {
	dayOf := func(t time.Time) time.Time {
		y, m, d := t.In(loc).Date()
		return time.Date(y, m, d, 0, 0, 0, 0, loc)
	}
	var out []listenDay
	index := map[time.Time]int{}
	for d := dayOf(from); !d.After(dayOf(to)); d = d.AddDate(0, 0, 1) {
		index[d] = len(out)
		out = append(out, listenDay{Day: d})
	}
	for _, v := range vs {
		i, ok := index[dayOf(v.Hour)]
		if !ok {
			continue
		}
		out[i].Positive += v.Positive
		out[i].Neutral += v.Neutral
		out[i].Negative += v.Negative
	}
	return out
}

// listenTopicData is a topic's page (Topic.ID 0: every topic's).
type listenTopicData struct {
	Topic     herald.ListenTopic
	Names     map[int64]string // the workspace's topics, to name a match's hits
	Period    string
	From, To  time.Time
	Loc       *time.Location
	Overview  listen.Overview
	Rising    listen.RisingResult
	Days      []listenDay
	Filter    listenStreamFilter
	Matches   []herald.ListenMatch
	Next      string
	Err       *herald.Error // a filter that is not valid
	CanManage bool
	CanReply  bool // posts.schedule: answer a match in one's own words
}

// Total is the period's matches.
func (d listenTopicData) Total() int { return d.Overview.Totals.Total() }

func (h *Handler) listenTopicPage(w http.ResponseWriter, r *http.Request, p *page) error {
	ctx := r.Context()
	d := listenTopicData{Loc: p.location(), CanManage: p.Can(herald.ActListenManage), Names: map[int64]string{},
		CanReply: p.Can(herald.ActPostsSchedule) && h.d.Posts != nil}
	if r.PathValue("topic") != "" {
		id, err := pathID(r, "topic", "listening topic")
		if err != nil {
			return err
		}
		if d.Topic, err = h.d.Listen.Topic(ctx, p.Actor, id); err != nil {
			return err
		}
	}
	ts, err := h.d.Listen.Topics(ctx, p.Actor)
	if err != nil {
		return err
	}
	for _, t := range ts {
		d.Names[t.ID] = t.Name
	}
	q := r.URL.Query()
	d.Filter = listenStreamFilter{Sentiment: strings.TrimSpace(q.Get("sentiment")), Language: strings.TrimSpace(q.Get("language")),
		Q: strings.TrimSpace(q.Get("q")), Cursor: q.Get("cursor")}
	d.Period = "7d"
	span := 7 * 24 * time.Hour
	for _, pr := range listenPeriods {
		if pr.Key == q.Get("period") {
			d.Period, span = pr.Key, pr.Span
		}
	}
	d.Filter.Period = d.Period
	d.To = h.d.Clock.Now()
	d.From = herald.ListenHour(d.To.Add(-span))
	if d.Overview, err = h.d.Listen.Overview(ctx, p.Actor, d.Topic.ID, listen.Period{From: d.From, To: d.To}); err != nil {
		return err
	}
	d.Days = listenDays(d.Overview.Volume, d.From, d.To, d.Loc)
	if d.Rising, err = h.d.Listen.Rising(ctx, p.Actor, d.Topic.ID); err != nil {
		return err
	}
	status := http.StatusOK
	d.Matches, d.Next, err = h.d.Listen.Matches(ctx, p.Actor, herald.ListenFilter{TopicID: d.Topic.ID,
		Sentiment: d.Filter.Sentiment, Language: d.Filter.Language, Query: d.Filter.Q, From: d.From,
		Page: herald.Page{Limit: 25, Cursor: d.Filter.Cursor}})
	if err != nil {
		he := publicError(err)
		if he.Code != herald.CodeInvalid && he.Code != herald.CodeBadRequest {
			return err
		}
		d.Err, status = he, statusOf(he)
	}
	p.Title = "Listening: every topic"
	if d.Topic.ID != 0 {
		p.Title = "Listening: " + d.Topic.Name
	}
	h.render(w, r, status, listenTopicPageView(p, d))
	return nil
}

// hitTerms are the terms a match's hit on topicID found (0: every hit,
// each named after its topic).
func hitTerms(m herald.ListenMatch, topicID int64, names map[int64]string) string {
	var out []string
	for _, hit := range m.Topics {
		if topicID != 0 && hit.TopicID != topicID {
			continue
		}
		terms := strings.Join(hit.Terms, ", ")
		if topicID == 0 && len(m.Topics) > 1 && names[hit.TopicID] != "" {
			terms = names[hit.TopicID] + ": " + terms
		}
		if terms != "" {
			out = append(out, terms)
		}
	}
	return strings.Join(out, "; ")
}

// listenAuthorName is an author as the tables show them.
func listenAuthorName(handle, id string) string {
	if handle != "" {
		return handle
	}
	return id
}

// sentimentClass is a sentiment's badge class.
func sentimentClass(s string) string {
	switch s {
	case herald.SentimentPositive:
		return "state published"
	case herald.SentimentNegative:
		return "state failed"
	}
	return "state"
}

// orUTC is loc, or UTC when nil.
func orUTC(loc *time.Location) *time.Location {
	if loc == nil {
		return time.UTC
	}
	return loc
}

// listenPostURL is a match's address when it is an http(s) one, else "":
// the address comes from the platform and is shown only as a link out.
func listenPostURL(raw string) string {
	u, err := url.Parse(raw)
	if err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
		return ""
	}
	return u.String()
}
