package web

import (
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/heraldsocial/herald/internal/herald"
	"github.com/heraldsocial/herald/internal/listen/trend"
)

// incidentRoutes registers the crisis pages: the incidents and one
// incident with its timeline, and the crisis detectors with their form,
// replay and drill. They answer not found while the server has no crisis
// service.
func (h *Handler) incidentRoutes(m *http.ServeMux) {
	m.Handle("GET /w/{ws}/incidents", h.inWorkspace(h.crisisOn(h.incidentsList)))
	m.Handle("GET /w/{ws}/incidents/{incident}", h.inWorkspace(h.crisisOn(h.incidentPage)))
	m.Handle("GET /w/{ws}/incidents/{incident}/log.csv", h.inWorkspace(h.crisisOn(h.incidentCSV)))
	m.Handle("POST /w/{ws}/incidents/{incident}/hold", h.inWorkspace(h.crisisOn(h.incidentHold)))
	m.Handle("POST /w/{ws}/incidents/{incident}/notes", h.inWorkspace(h.crisisOn(h.incidentNote)))
	m.Handle("POST /w/{ws}/incidents/{incident}/resolve", h.inWorkspace(h.crisisOn(h.incidentResolve)))
	m.Handle("GET /w/{ws}/crisis/detectors", h.inWorkspace(h.crisisOn(h.detectorsList)))
	m.Handle("GET /w/{ws}/crisis/detectors/new", h.inWorkspace(h.crisisOn(h.detectorNew)))
	m.Handle("POST /w/{ws}/crisis/detectors/new", h.inWorkspace(h.crisisOn(h.detectorCreate)))
	m.Handle("GET /w/{ws}/crisis/detectors/{detector}/edit", h.inWorkspace(h.crisisOn(h.detectorEdit)))
	m.Handle("POST /w/{ws}/crisis/detectors/{detector}/edit", h.inWorkspace(h.crisisOn(h.detectorUpdate)))
	m.Handle("POST /w/{ws}/crisis/detectors/{detector}/delete", h.inWorkspace(h.crisisOn(h.detectorDelete)))
	m.Handle("POST /w/{ws}/crisis/detectors/{detector}/drill", h.inWorkspace(h.crisisOn(h.detectorDrill)))
}

// crisisOn serves fn when the crisis service is set up.
func (h *Handler) crisisOn(fn workspaceFunc) workspaceFunc {
	return func(w http.ResponseWriter, r *http.Request, p *page) error {
		if h.d.Crisis == nil {
			return herald.Errorf(herald.CodeNotFound, "crisis detection is not set up on this server")
		}
		return fn(w, r, p)
	}
}

// incidentsURL is the incidents list; incidentURL one incident (with
// verb, one of its actions).
func incidentsURL(ws int64) string { return wsURL(ws) + "incidents" }

func incidentURL(ws, id int64, verb string) string {
	u := incidentsURL(ws) + "/" + itoa(id)
	if verb != "" {
		u += "/" + verb
	}
	return u
}

// detectorsURL is the detectors list; detectorURL a detector's action
// ("edit", "delete", "drill").
func detectorsURL(ws int64) string { return wsURL(ws) + "crisis/detectors" }

func detectorURL(ws, id int64, verb string) string {
	return detectorsURL(ws) + "/" + itoa(id) + "/" + verb
}

// incidentsData is the incidents list.
type incidentsData struct {
	Incidents []herald.Incident
	Loc       *time.Location
	CanManage bool // may manage detectors (posts.hold)
}

func (h *Handler) incidentsList(w http.ResponseWriter, r *http.Request, p *page) error {
	ins, err := h.d.Crisis.Incidents(r.Context(), p.Actor)
	if err != nil {
		return err
	}
	p.Title = "Incidents"
	h.render(w, r, http.StatusOK, incidentsPage(p, incidentsData{Incidents: ins, Loc: p.location(), CanManage: p.Can(herald.ActPostsHold)}))
	return nil
}

// incidentData is one incident's page.
type incidentData struct {
	Incident herald.Incident
	Events   []herald.IncidentEvent
	Names    map[int64]string // members by user id, for the timeline
	Loc      *time.Location
	// StreamURL is the listening stream of the detector's topic ("" when
	// listening is off).
	StreamURL  string
	CanHold    bool // posts.hold: hold, resolve
	CanNote    bool // posts.write
	Note       string
	NoteErr    *herald.Error
	Resume     bool // the resolve form's "resume" box
	Closing    string
	ResolveErr *herald.Error
	HoldErr    *herald.Error
	incidentRespond
}

// Who names an event's actor: Herald itself or the member.
func (d incidentData) Who(id int64) string {
	if id == 0 {
		return "Herald"
	}
	if n := d.Names[id]; n != "" {
		return n
	}
	return "A former member"
}

func (h *Handler) renderIncident(w http.ResponseWriter, r *http.Request, p *page, status int, d incidentData) error {
	ctx := r.Context()
	id, err := pathID(r, "incident", "incident")
	if err != nil {
		return err
	}
	if d.Incident, d.Events, err = h.d.Crisis.Incident(ctx, p.Actor, id); err != nil {
		return err
	}
	d.Loc, d.CanHold, d.CanNote = p.location(), p.Can(herald.ActPostsHold), p.Can(herald.ActPostsWrite)
	_, d.Names = h.members(r, p)
	if d.ResolveErr == nil { // the resolve form was not posted: resume what is held
		d.Resume = d.Incident.HeldAt != nil
	}
	if h.d.Listen != nil {
		var topic int64
		if d.Incident.DetectorID != 0 {
			if det, err := h.d.Crisis.Detector(ctx, p.Actor, d.Incident.DetectorID); err == nil {
				topic = det.TopicID
			}
		}
		d.StreamURL = listenTopicURL(p.Current.ID, topic, "")
	}
	if err := h.respond(r, p, &d); err != nil {
		return err
	}
	p.Title = "Incident: " + d.Incident.Title
	h.render(w, r, status, incidentPageView(p, d))
	return nil
}

func (h *Handler) incidentPage(w http.ResponseWriter, r *http.Request, p *page) error {
	return h.renderIncident(w, r, p, http.StatusOK, incidentData{})
}

func (h *Handler) incidentHold(w http.ResponseWriter, r *http.Request, p *page) error {
	if err := p.Actor.Require(herald.ActPostsHold); err != nil {
		return err
	}
	id, err := pathID(r, "incident", "incident")
	if err != nil {
		return err
	}
	in, err := h.d.Crisis.Hold(r.Context(), p.Actor, id)
	if err != nil {
		d := incidentData{}
		if d.HoldErr, err = refusal(err); err != nil {
			return err
		}
		return h.renderIncident(w, r, p, statusOf(d.HoldErr), d)
	}
	h.d.Sessions.Put(r.Context(), flashKey, "Held every scheduled post. Nothing scheduled publishes until the incident is resolved with “resume”.")
	http.Redirect(w, r, incidentURL(p.Current.ID, in.ID, ""), http.StatusSeeOther)
	return nil
}

func (h *Handler) incidentNote(w http.ResponseWriter, r *http.Request, p *page) error {
	if err := p.Actor.Require(herald.ActPostsWrite); err != nil {
		return err
	}
	id, err := pathID(r, "incident", "incident")
	if err != nil {
		return err
	}
	text := r.PostFormValue("note")
	if _, err := h.d.Crisis.Note(r.Context(), p.Actor, id, text); err != nil {
		d := incidentData{Note: text}
		if d.NoteErr, err = refusal(err); err != nil {
			return err
		}
		return h.renderIncident(w, r, p, statusOf(d.NoteErr), d)
	}
	h.d.Sessions.Put(r.Context(), flashKey, "Added your note to the timeline.")
	http.Redirect(w, r, incidentURL(p.Current.ID, id, "")+"#incident-timeline", http.StatusSeeOther)
	return nil
}

func (h *Handler) incidentResolve(w http.ResponseWriter, r *http.Request, p *page) error {
	if err := p.Actor.Require(herald.ActPostsHold); err != nil {
		return err
	}
	id, err := pathID(r, "incident", "incident")
	if err != nil {
		return err
	}
	resume, closing := r.PostFormValue("resume") == "true", r.PostFormValue("note")
	in, err := h.d.Crisis.Resolve(r.Context(), p.Actor, id, resume, closing)
	if err != nil {
		d := incidentData{Resume: resume, Closing: closing}
		if d.ResolveErr, err = refusal(err); err != nil {
			return err
		}
		return h.renderIncident(w, r, p, statusOf(d.ResolveErr), d)
	}
	msg := "Resolved the incident."
	if resume && in.HeldAt != nil {
		msg += " The held posts are back in review: each needs approval again."
	}
	h.d.Sessions.Put(r.Context(), flashKey, msg)
	http.Redirect(w, r, incidentURL(p.Current.ID, id, ""), http.StatusSeeOther)
	return nil
}

// detectorsData is the detectors list.
type detectorsData struct {
	Detectors []herald.Detector
	Topics    map[int64]string
	Loc       *time.Location
	CanManage bool
}

func (h *Handler) detectorsList(w http.ResponseWriter, r *http.Request, p *page) error {
	ctx := r.Context()
	ds, err := h.d.Crisis.Detectors(ctx, p.Actor)
	if err != nil {
		return err
	}
	d := detectorsData{Detectors: ds, Topics: map[int64]string{}, Loc: p.location(), CanManage: p.Can(herald.ActPostsHold)}
	ts, err := h.crisisTopics(r, p)
	if err != nil {
		return err
	}
	for _, t := range ts {
		d.Topics[t.ID] = t.Name
	}
	p.Title = "Crisis detectors"
	h.render(w, r, http.StatusOK, detectorsPage(p, d))
	return nil
}

// crisisTopics are the workspace's listening topics (none without
// listening).
func (h *Handler) crisisTopics(r *http.Request, p *page) ([]herald.ListenTopic, error) {
	if h.d.Listen == nil {
		return nil, nil
	}
	return h.d.Listen.Topics(r.Context(), p.Actor)
}

// detectorRule says in words when a detector fires.
func detectorRule(d herald.Detector, topics map[int64]string) string {
	where := "every listening topic"
	if d.TopicID != 0 {
		where = "the topic “" + topics[d.TopicID] + "”"
		if topics[d.TopicID] == "" {
			where = "a deleted topic"
		}
	}
	switch d.Kind {
	case herald.DetectSpike:
		what := "matches"
		if d.Sentiment != "" {
			what = d.Sentiment + " matches"
		}
		return fmt.Sprintf("Fires when %s of %s in the last %s reach %g × their usual level over the %s before, and at least %d.",
			what, where, fmtSpan(d.Window), d.Multiple, fmtSpan(d.Baseline), d.MinCount)
	case herald.DetectPhrase:
		return fmt.Sprintf("Fires when a match of %s says %s.", where, quoteList(d.Phrases))
	case herald.DetectReplies:
		return fmt.Sprintf("Fires when at least %d matches of %s answer one post within %s.", d.MinCount, where, fmtSpan(d.Window))
	}
	return ""
}

// quoteList is "“a”, “b” or “c”".
func quoteList(ss []string) string {
	q := make([]string, len(ss))
	for i, s := range ss {
		q[i] = "“" + s + "”"
	}
	if len(q) <= 1 {
		return strings.Join(q, "")
	}
	return strings.Join(q[:len(q)-1], ", ") + " or " + q[len(q)-1]
}

// fmtSpan is a duration in words: "15 minutes", "24 hours", "1 hour 30 minutes".
func fmtSpan(d time.Duration) string {
	h, m := int64(d/time.Hour), int64(d%time.Hour/time.Minute)
	var parts []string
	if h > 0 {
		parts = append(parts, count(int(h), "hour"))
	}
	if m > 0 || h == 0 {
		parts = append(parts, count(int(m), "minute"))
	}
	return strings.Join(parts, " ")
}

// detectorForm is a detector's form as typed.
type detectorForm struct {
	ID                                            int64
	Name, Kind, Topic, Sentiment, Hold            string
	Window, Baseline, Multiple, MinCount, Phrases string
	Enabled                                       bool
	Err                                           *herald.Error
}

// newDetectorForm is the form of a new detector: a negative spike with the
// defaults.
func newDetectorForm() detectorForm {
	return detectorForm{Kind: string(herald.DetectSpike), Sentiment: herald.SentimentNegative, Hold: string(herald.HoldPropose),
		Window: "15", Baseline: "24", Multiple: "3", Enabled: true}
}

// detectorFormOf fills the form from a stored detector.
func detectorFormOf(d herald.Detector) detectorForm {
	f := detectorForm{ID: d.ID, Name: d.Name, Kind: string(d.Kind), Sentiment: d.Sentiment, Hold: string(d.Hold),
		Window: strconv.FormatInt(int64(d.Window/time.Minute), 10), Phrases: strings.Join(d.Phrases, "\n"), Enabled: d.Enabled}
	if d.TopicID != 0 {
		f.Topic = itoa(d.TopicID)
	}
	if d.Kind == herald.DetectSpike {
		f.Baseline = strconv.FormatFloat(d.Baseline.Hours(), 'g', -1, 64)
		f.Multiple = strconv.FormatFloat(d.Multiple, 'g', -1, 64)
	} else {
		f.Baseline, f.Multiple = "24", "3"
	}
	if d.Kind != herald.DetectPhrase {
		f.MinCount = strconv.Itoa(d.MinCount)
	}
	return f
}

func detectorFormFrom(r *http.Request) detectorForm {
	v := r.PostFormValue
	return detectorForm{Name: strings.TrimSpace(v("name")), Kind: v("kind"), Topic: v("topic_id"), Sentiment: v("sentiment"),
		Hold: v("hold"), Window: strings.TrimSpace(v("window")), Baseline: strings.TrimSpace(v("baseline")),
		Multiple: strings.TrimSpace(v("multiple")), MinCount: strings.TrimSpace(v("min_count")), Phrases: v("phrases"),
		Enabled: v("enabled") == "true"}
}

// detector is the service's form of f, or the fields that are not numbers.
func (f detectorForm) detector() (herald.Detector, error) {
	var p herald.Problems
	num := func(field, s string) float64 {
		if s == "" {
			return 0
		}
		n, err := strconv.ParseFloat(strings.ReplaceAll(s, ",", "."), 64)
		if err != nil || n < 0 {
			p.Add(field, "is %q; give a positive number", s)
			return 0
		}
		return n
	}
	d := herald.Detector{ID: f.ID, Name: f.Name, Kind: herald.DetectorKind(f.Kind), Sentiment: f.Sentiment,
		Hold: herald.HoldMode(f.Hold), Enabled: f.Enabled, Phrases: splitLines(f.Phrases)}
	if f.Topic != "" && f.Topic != "0" {
		id, err := strconv.ParseInt(f.Topic, 10, 64)
		if err != nil || id <= 0 {
			p.Add("topic_id", "is %q; pick a topic from the list", f.Topic)
		}
		d.TopicID = id
	}
	d.Window = time.Duration(num("window", f.Window) * float64(time.Minute)).Round(time.Second)
	if d.Kind == herald.DetectSpike {
		d.Baseline = time.Duration(num("baseline", f.Baseline) * float64(time.Hour)).Round(time.Second)
		d.Multiple = num("multiple", f.Multiple)
	}
	if d.Kind != herald.DetectPhrase {
		mc := num("min_count", f.MinCount)
		if mc != float64(int(mc)) {
			p.Add("min_count", "is %q; give a whole number", f.MinCount)
		}
		d.MinCount = int(mc)
	}
	if d.Kind != herald.DetectPhrase {
		d.Phrases = nil
	}
	return d, p.Err("the crisis detector is not valid")
}

// detectorFormData is the form page, with a replay's outcome after "Test".
type detectorFormData struct {
	Form    detectorForm
	Topics  []herald.ListenTopic
	Loc     *time.Location
	Zone    string // the workspace's time zone, to say so
	Replay  bool   // a replay ran (or was asked for a kind it cannot)
	Firings []trend.Firing
}

func (h *Handler) renderDetectorForm(w http.ResponseWriter, r *http.Request, p *page, status int, d detectorFormData) error {
	var err error
	if d.Topics, err = h.crisisTopics(r, p); err != nil {
		return err
	}
	d.Loc, d.Zone = p.location(), p.Current.TimeZone
	p.Title = "New crisis detector"
	if d.Form.ID != 0 {
		p.Title = "Edit crisis detector"
	}
	h.render(w, r, status, detectorFormPage(p, d))
	return nil
}

func (h *Handler) detectorNew(w http.ResponseWriter, r *http.Request, p *page) error {
	if err := p.Actor.Require(herald.ActPostsHold); err != nil {
		return err
	}
	return h.renderDetectorForm(w, r, p, http.StatusOK, detectorFormData{Form: newDetectorForm()})
}

func (h *Handler) detectorEdit(w http.ResponseWriter, r *http.Request, p *page) error {
	if err := p.Actor.Require(herald.ActPostsHold); err != nil {
		return err
	}
	id, err := pathID(r, "detector", "crisis detector")
	if err != nil {
		return err
	}
	d, err := h.d.Crisis.Detector(r.Context(), p.Actor, id)
	if err != nil {
		return err
	}
	return h.renderDetectorForm(w, r, p, http.StatusOK, detectorFormData{Form: detectorFormOf(d)})
}

func (h *Handler) detectorCreate(w http.ResponseWriter, r *http.Request, p *page) error {
	return h.detectorSave(w, r, p, 0)
}

func (h *Handler) detectorUpdate(w http.ResponseWriter, r *http.Request, p *page) error {
	id, err := pathID(r, "detector", "crisis detector")
	if err != nil {
		return err
	}
	return h.detectorSave(w, r, p, id)
}

// replaySpan is how far back "Test" replays a detector.
const replaySpan = 7 * 24 * time.Hour

// detectorSave replays or saves the posted form (id 0: a new detector).
func (h *Handler) detectorSave(w http.ResponseWriter, r *http.Request, p *page, id int64) error {
	if err := p.Actor.Require(herald.ActPostsHold); err != nil {
		return err
	}
	ctx := r.Context()
	if id != 0 {
		if _, err := h.d.Crisis.Detector(ctx, p.Actor, id); err != nil {
			return err
		}
	}
	f := detectorFormFrom(r)
	f.ID = id
	det, err := f.detector()
	if err != nil {
		f.Err = publicError(err)
		return h.renderDetectorForm(w, r, p, statusOf(f.Err), detectorFormData{Form: f})
	}
	if r.PostFormValue("action") == "replay" {
		d := detectorFormData{Form: f, Replay: true}
		if det.Kind != herald.DetectSpike {
			return h.renderDetectorForm(w, r, p, http.StatusOK, d)
		}
		now := h.d.Clock.Now()
		if d.Firings, err = h.d.Crisis.Replay(ctx, p.Actor, det, now.Add(-replaySpan), now); err != nil {
			if d.Form.Err, err = refusal(err); err != nil {
				return err
			}
			d.Replay = false
			return h.renderDetectorForm(w, r, p, statusOf(d.Form.Err), d)
		}
		return h.renderDetectorForm(w, r, p, http.StatusOK, d)
	}
	var saved herald.Detector
	if id == 0 {
		saved, err = h.d.Crisis.CreateDetector(ctx, p.Actor, det)
	} else {
		saved, err = h.d.Crisis.UpdateDetector(ctx, p.Actor, id, det)
	}
	if err != nil {
		if f.Err, err = refusal(err); err != nil {
			return err
		}
		return h.renderDetectorForm(w, r, p, statusOf(f.Err), detectorFormData{Form: f})
	}
	msg := fmt.Sprintf("Saved the detector “%s”. It watches new listening matches from now on.", saved.Name)
	if !saved.Enabled {
		msg = fmt.Sprintf("Saved the detector “%s”. It is off: it watches nothing until you turn it on.", saved.Name)
	}
	h.d.Sessions.Put(ctx, flashKey, msg)
	http.Redirect(w, r, detectorsURL(p.Current.ID), http.StatusSeeOther)
	return nil
}

func (h *Handler) detectorDelete(w http.ResponseWriter, r *http.Request, p *page) error {
	if err := p.Actor.Require(herald.ActPostsHold); err != nil {
		return err
	}
	id, err := pathID(r, "detector", "crisis detector")
	if err != nil {
		return err
	}
	ctx := r.Context()
	d, err := h.d.Crisis.Detector(ctx, p.Actor, id)
	if err != nil {
		return err
	}
	if err := h.d.Crisis.DeleteDetector(ctx, p.Actor, id); err != nil {
		return err
	}
	h.d.Sessions.Put(ctx, flashKey, fmt.Sprintf("Deleted the detector “%s”. Its incidents stay.", d.Name))
	http.Redirect(w, r, detectorsURL(p.Current.ID), http.StatusSeeOther)
	return nil
}

func (h *Handler) detectorDrill(w http.ResponseWriter, r *http.Request, p *page) error {
	if err := p.Actor.Require(herald.ActPostsHold); err != nil {
		return err
	}
	id, err := pathID(r, "detector", "crisis detector")
	if err != nil {
		return err
	}
	in, err := h.d.Crisis.Drill(r.Context(), p.Actor, id)
	if err != nil {
		return err
	}
	h.d.Sessions.Put(r.Context(), flashKey, "Drill started: the people who can hold posts were alerted as for a real incident. Nothing was held.")
	http.Redirect(w, r, incidentURL(p.Current.ID, in.ID, ""), http.StatusSeeOther)
	return nil
}

// incidentStatusClass is an incident status's badge class.
func incidentStatusClass(s herald.IncidentStatus) string {
	if s == herald.IncidentOpen {
		return "state failed"
	}
	return "state published"
}

// firingWhen is a replay firing's time in loc.
func firingWhen(f trend.Firing, loc *time.Location) string { return fmtTime(f.At, loc) }

// detectorKinds are the form's kinds, with what each watches.
var detectorKinds = []struct{ Value, Label, Hint string }{
	{string(herald.DetectSpike), "Spike", "many more matches than usual"},
	{string(herald.DetectPhrase), "Phrase", "a watched phrase appears"},
	{string(herald.DetectReplies), "Replies", "a pile-on of replies under one post"},
}

// evidenceCount is "1 match" or "3 matches".
func evidenceCount(n int) string {
	if n == 1 {
		return "1 match"
	}
	return strconv.Itoa(n) + " matches"
}
