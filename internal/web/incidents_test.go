package web

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/heraldsocial/herald/internal/crisis"
	"github.com/heraldsocial/herald/internal/herald"
)

// withCrisis turns the incident and detector pages on in e (their routes
// are always registered; they answer not found without the service).
func (e *env) withCrisis() *crisis.Service {
	e.t.Helper()
	s := crisis.New(e.store, e.posts, e.notes, herald.SystemClock{}, nil)
	e.web.d.Crisis = s
	return s
}

// detectorValues is a detector form as posted.
func detectorValues(name, kind, action string, extra ...string) url.Values {
	v := url.Values{"name": {name}, "kind": {kind}, "sentiment": {"negative"}, "window": {"15"}, "baseline": {"24"},
		"multiple": {"3"}, "min_count": {""}, "hold": {"propose"}, "enabled": {"true"}, "action": {action}}
	for i := 0; i+1 < len(extra); i += 2 {
		v.Set(extra[i], extra[i+1])
	}
	return v
}

// TestDetectorPages creates a detector through the form (after a refused
// one that keeps its input), replays it, edits and deletes another, and
// checks the pages answer not found without the service.
func TestDetectorPages(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	owner, w := e.owner("ana@example.com", "Acme")
	b := e.browser()
	b.signIn("ana@example.com")
	base := detectorsURL(w.ID)

	if a := b.get(base); a.Status != http.StatusNotFound {
		t.Fatalf("detectors without a service: %d", a.Status)
	}
	if a := b.get(incidentsURL(w.ID)); a.Status != http.StatusNotFound {
		t.Fatalf("incidents without a service: %d", a.Status)
	}
	wantNot(t, b.get(wsURL(w.ID)+"crisis"), `id="crisis-incidents"`)
	e.withCrisis()
	lsvc := e.withListen()
	actor := herald.Actor{UserID: owner.ID, WorkspaceID: w.ID, Role: herald.RoleOwner}
	topic, err := lsvc.Create(ctx, actor, herald.ListenTopic{Name: "Brand", Rules: herald.TopicRule{Any: []string{"acme"}}})
	if err != nil {
		t.Fatal(err)
	}

	want(t, b.get(wsURL(w.ID)+"crisis"), http.StatusOK, `id="crisis-incidents"`, `id="crisis-detectors"`)
	want(t, b.get(base), http.StatusOK, `id="detectors-empty"`, `id="detector-new"`)
	want(t, b.get(incidentsURL(w.ID)), http.StatusOK, `id="incidents-empty"`, `id="incidents-empty-detectors"`)
	a := b.get(base + "/new")
	want(t, a, http.StatusOK, `id="detector-form"`, `value="15"`, `value="24"`, `<option value="negative" selected`,
		">Brand</option>", "at least multiple × its usual level", `id="detector-replay"`)

	// Refused: an empty name, a window that is not a number; the input is
	// kept.
	a = b.post(base+"/new", detectorValues("", "spike", "save", "window", "soon", "topic_id", itoa(topic.ID)))
	want(t, a, http.StatusUnprocessableEntity, `id="detector-window-problem"`, `value="soon"`)
	a = b.post(base+"/new", detectorValues("", "spike", "save", "multiple", "500", "topic_id", itoa(topic.ID)))
	want(t, a, http.StatusUnprocessableEntity, `id="detector-name-problem"`, "is empty; name the detector",
		`id="detector-multiple-problem"`, `value="500"`, `<option value="`+itoa(topic.ID)+`" selected>Brand`)
	a = b.post(base+"/new", detectorValues("Recall", "phrase", "save", "phrases", ""))
	want(t, a, http.StatusUnprocessableEntity, `id="detector-phrases-problem"`, `value="Recall"`)

	// Replay: nothing stored, it would not have fired; then a burst of
	// negative matches an hour ago, and it would have.
	a = b.post(base+"/new", detectorValues("Negative spike", "spike", "replay", "topic_id", itoa(topic.ID)))
	want(t, a, http.StatusOK, `id="detector-replay-none"`, "Would not have fired in the last 7 days", `value="Negative spike"`)
	var ms []herald.ListenMatch
	burst := time.Now().Add(-time.Hour)
	for i := range 30 {
		ms = append(ms, listenMatch(w.ID, topic.ID, itoa(int64(i)), "bob", "Acme is awful "+itoa(int64(i)), "negative",
			burst.Add(time.Duration(i)*10*time.Second), "acme"))
	}
	if _, err := e.store.AddListenMatches(ctx, ms); err != nil {
		t.Fatal(err)
	}
	a = b.post(base+"/new", detectorValues("Negative spike", "spike", "replay", "topic_id", itoa(topic.ID)))
	want(t, a, http.StatusOK, `id="detector-replay-firings"`, "Would have fired at ", "Europe/Paris")
	a = b.post(base+"/new", detectorValues("Recall", "phrase", "replay", "phrases", "recall"))
	want(t, a, http.StatusOK, `id="detector-replay-kind"`, "works for spike detectors")
	if ds, _ := e.store.ListDetectors(ctx, w.ID); len(ds) != 0 {
		t.Fatalf("a replay saved a detector: %v", ds)
	}

	// Saved.
	a = b.post(base+"/new", detectorValues("Negative spike", "spike", "save", "topic_id", itoa(topic.ID), "multiple", "4"))
	if a.Status != http.StatusSeeOther || a.Location != base {
		t.Fatalf("create: %d %q\n%s", a.Status, a.Location, a.Body)
	}
	ds, err := e.store.ListDetectors(ctx, w.ID)
	if err != nil || len(ds) != 1 {
		t.Fatalf("detectors %v %v", ds, err)
	}
	d := ds[0]
	if d.Kind != herald.DetectSpike || d.TopicID != topic.ID || d.Window != 15*time.Minute || d.Baseline != 24*time.Hour ||
		d.Multiple != 4 || d.MinCount != 20 || d.Sentiment != "negative" || d.Hold != herald.HoldPropose || !d.Enabled {
		t.Fatalf("stored detector %+v", d)
	}
	want(t, b.get(base), http.StatusOK, "Saved the detector", "Negative spike", "4 × their usual level", "the topic “Brand”",
		`id="edit-detector-`+itoa(d.ID)+`"`, `id="drill-detector-`+itoa(d.ID)+`"`)
	// The same name again is a conflict said next to the name.
	a = b.post(base+"/new", detectorValues("negative spike", "spike", "save"))
	want(t, a, http.StatusConflict, `id="detector-name-problem"`, "is taken by another detector")

	// A phrase detector, edited and deleted.
	a = b.post(base+"/new", detectorValues("Recall", "phrase", "save", "phrases", "recall\ndata breach", "hold", "auto"))
	if a.Status != http.StatusSeeOther {
		t.Fatalf("create phrase: %d\n%s", a.Status, a.Body)
	}
	ds, _ = e.store.ListDetectors(ctx, w.ID)
	var rc herald.Detector
	for _, x := range ds {
		if x.Name == "Recall" {
			rc = x
		}
	}
	if strings.Join(rc.Phrases, "|") != "recall|data breach" || rc.Hold != herald.HoldAuto {
		t.Fatalf("phrase detector %+v", rc)
	}
	a = b.get(detectorURL(w.ID, rc.ID, "edit"))
	want(t, a, http.StatusOK, `value="Recall"`, ">recall\ndata breach</textarea>", `id="delete-detector"`)
	v := detectorValues("Recall", "phrase", "save", "phrases", "recall", "hold", "auto")
	v.Del("enabled")
	if a := b.post(detectorURL(w.ID, rc.ID, "edit"), v); a.Status != http.StatusSeeOther {
		t.Fatalf("update: %d\n%s", a.Status, a.Body)
	}
	want(t, b.get(base), http.StatusOK, "It is off", `id="detector-off-`+itoa(rc.ID)+`"`)
	if a := b.post(detectorURL(w.ID, rc.ID, "delete"), nil); a.Status != http.StatusSeeOther || a.Location != base {
		t.Fatalf("delete: %d %q", a.Status, a.Location)
	}
	want(t, b.get(base), http.StatusOK, "Deleted the detector")
	if a := b.get(detectorURL(w.ID, rc.ID, "edit")); a.Status != http.StatusNotFound {
		t.Fatalf("a deleted detector's form: %d", a.Status)
	}
}

// TestIncidentPages runs a drill and handles its incident (note,
// resolve), holds through an incident that offers the hold, and checks
// what an editor may do.
func TestIncidentPages(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	owner, w := e.owner("ana@example.com", "Acme")
	e.member(w, "ed@example.com", herald.RoleEditor)
	acct := e.account(owner, w, "@acme")
	e.scheduled(owner, w, acct, "Launch", time.Now().Add(time.Hour))
	svc := e.withCrisis()
	actor := herald.Actor{UserID: owner.ID, WorkspaceID: w.ID, Role: herald.RoleOwner}
	det, err := svc.CreateDetector(ctx, actor, herald.Detector{Name: "Negative spike", Kind: herald.DetectSpike,
		Sentiment: "negative", Enabled: true})
	if err != nil {
		t.Fatal(err)
	}
	b := e.browser()
	b.signIn("ana@example.com")

	// A drill: its incident, with the timeline so far.
	a := b.post(detectorURL(w.ID, det.ID, "drill"), nil)
	if a.Status != http.StatusSeeOther || !strings.HasPrefix(a.Location, incidentsURL(w.ID)+"/") {
		t.Fatalf("drill: %d %q\n%s", a.Status, a.Location, a.Body)
	}
	drillURL := a.Location
	a = b.get(drillURL)
	want(t, a, http.StatusOK, "Drill started", "Drill: Negative spike", `id="incident-drill"`, "a synthetic spike",
		">detected<", ">alerted<", ">note<", "nothing was held", "Herald", `id="incident-resolve"`, `id="incident-note-add"`,
		"0 matches as evidence")
	wantNot(t, a, `id="incident-hold-button"`)
	want(t, b.get(incidentsURL(w.ID)), http.StatusOK, "Drill: Negative spike", ">drill<", ">open<")

	// A note, a refused empty one, then resolve.
	want(t, b.post(drillURL+"/notes", url.Values{"note": {"  "}}), http.StatusUnprocessableEntity, `id="incident-note-problem"`)
	if a := b.post(drillURL+"/notes", url.Values{"note": {"Checked the alert <reached> Slack"}}); a.Status != http.StatusSeeOther {
		t.Fatalf("note: %d\n%s", a.Status, a.Body)
	}
	want(t, b.get(drillURL), http.StatusOK, "Checked the alert &lt;reached&gt; Slack", `">ana</span>`)
	a = b.get(drillURL)
	if !strings.Contains(a.Body, `id="incident-resume"`) || strings.Contains(a.Body, `id="incident-resume" checked`) {
		t.Errorf("nothing is held: the resume box is there and not checked")
	}
	if a := b.post(drillURL+"/resolve", url.Values{"note": {"Drill went fine"}}); a.Status != http.StatusSeeOther {
		t.Fatalf("resolve: %d\n%s", a.Status, a.Body)
	}
	a = b.get(drillURL)
	want(t, a, http.StatusOK, "Resolved the incident.", ">resolved<", `id="incident-resolved"`, "Drill went fine", ">resolved</span>")
	wantNot(t, a, `id="incident-resolve"`)
	// The log as CSV: the opening, then every entry; a note that would be
	// a formula in a spreadsheet is neutralised.
	if a := b.post(drillURL+"/notes", url.Values{"note": {"=HYPERLINK(\"x\")"}}); a.Status != http.StatusSeeOther {
		t.Fatalf("note: %d", a.Status)
	}
	a = b.get(drillURL + "/log.csv")
	want(t, a, http.StatusOK, "time (UTC),kind,who,what", ",opened,Herald,Drill: Negative spike (drill): a synthetic spike",
		",detected,Herald,", ",note,ana,Checked the alert <reached> Slack", ",resolved,ana,Resolved", `,note,ana,"'=HYPERLINK(""x"")"`)

	// An incident that offers the hold.
	in := herald.Incident{WorkspaceID: w.ID, DetectorID: det.ID, Title: "Negative spike", Status: herald.IncidentOpen,
		Why: "64 negative mentions in the last 15 minutes", Evidence: []int64{1, 2, 3}, HoldProposed: true, OpenedAt: time.Now()}
	if err := e.store.CreateIncident(ctx, &in, []herald.IncidentEvent{{Kind: herald.EventDetected, At: time.Now(), Message: "Detected: 64 negative mentions"}}); err != nil {
		t.Fatal(err)
	}
	inURL := incidentURL(w.ID, in.ID, "")
	a = b.get(incidentsURL(w.ID))
	want(t, a, http.StatusOK, `id="incident-offered-`+itoa(in.ID)+`"`)
	if i, j := strings.Index(a.Body, `id="incident-`+itoa(in.ID)+`"`), strings.Index(a.Body, "Drill: Negative spike"); i < 0 || j < 0 || i > j {
		t.Errorf("the open incident is not listed first")
	}

	// The editor reads and notes, but neither holds nor resolves nor
	// manages detectors.
	ed := e.browser()
	ed.signIn("ed@example.com")
	a = ed.get(inURL)
	want(t, a, http.StatusOK, "64 negative mentions", "3 matches as evidence", `id="incident-hold-offered"`, `id="incident-note-add"`)
	wantNot(t, a, `id="incident-hold-button"`, `id="incident-resolve"`)
	if a := ed.post(inURL+"/hold", nil); a.Status != http.StatusForbidden {
		t.Fatalf("an editor holds: %d", a.Status)
	}
	if a := ed.post(inURL+"/resolve", url.Values{"resume": {"true"}}); a.Status != http.StatusForbidden {
		t.Fatalf("an editor resolves: %d", a.Status)
	}
	a = ed.get(detectorsURL(w.ID))
	want(t, a, http.StatusOK, "Negative spike")
	wantNot(t, a, `id="detector-new"`, `id="edit-detector-`, `id="drill-detector-`)
	if a := ed.get(detectorURL(w.ID, det.ID, "edit")); a.Status != http.StatusForbidden {
		t.Fatalf("an editor opens a detector's form: %d", a.Status)
	}
	for _, path := range []string{detectorsURL(w.ID) + "/new", detectorURL(w.ID, det.ID, "edit"), detectorURL(w.ID, det.ID, "delete"),
		detectorURL(w.ID, det.ID, "drill")} {
		if a := ed.post(path, detectorValues("Mine", "spike", "save")); a.Status != http.StatusForbidden {
			t.Fatalf("an editor posts %s: %d", path, a.Status)
		}
	}
	if a := ed.post(inURL+"/notes", url.Values{"note": {"Watching replies"}}); a.Status != http.StatusSeeOther {
		t.Fatalf("an editor notes: %d", a.Status)
	}

	// The owner holds: the post service holds the scheduled post.
	a = b.get(inURL)
	want(t, a, http.StatusOK, `id="incident-hold-button"`, "Hold all scheduled posts", "Watching replies")
	if a := b.post(inURL+"/hold", nil); a.Status != http.StatusSeeOther || a.Location != inURL {
		t.Fatalf("hold: %d %q\n%s", a.Status, a.Location, a.Body)
	}
	st, err := e.posts.Crisis(ctx, actor)
	if err != nil || !st.Holding || st.Held != 1 {
		t.Fatalf("crisis after the hold: %+v %v", st, err)
	}
	a = b.get(inURL)
	want(t, a, http.StatusOK, "Held every scheduled post", `id="incident-held-at"`, ">held<", "Held 1 scheduled post target",
		`id="incident-resume" checked`)
	wantNot(t, a, `id="incident-hold-button"`)
	// Resolved with resume: the held post goes back to review.
	if a := b.post(inURL+"/resolve", url.Values{"resume": {"true"}}); a.Status != http.StatusSeeOther {
		t.Fatalf("resolve with resume: %d\n%s", a.Status, a.Body)
	}
	want(t, b.get(inURL), http.StatusOK, "back in review", ">resumed<", ">resolved<")
	if st, _ := e.posts.Crisis(ctx, actor); st.Holding {
		t.Errorf("still holding after resolve with resume: %+v", st)
	}
	// Resolving again is refused on the page.
	want(t, b.post(inURL+"/resolve", nil), http.StatusConflict)
}
