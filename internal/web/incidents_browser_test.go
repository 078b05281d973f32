package web

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/heraldsocial/herald/internal/crisis"
	"github.com/heraldsocial/herald/internal/herald"
)

// incidentView is what an incident's page shows.
type incidentView struct {
	Title      string   `json:"title"`
	Status     string   `json:"status"`
	Notice     string   `json:"notice"`
	Why        string   `json:"why"`
	HoldButton bool     `json:"holdButton"`
	HeldAt     bool     `json:"heldAt"`
	Resolved   string   `json:"resolved"`
	Kinds      []string `json:"kinds"`
	Events     []string `json:"events"`
	Resume     bool     `json:"resume"`
	ResumeBox  bool     `json:"resumeBox"`
	Overflow   bool     `json:"overflow"`
}

const incidentViewJS = `(() => {
	const text = (sel) => { const el = document.querySelector(sel); return el ? el.textContent.trim().replace(/\s+/g, " ") : ""; };
	const box = document.querySelector("#incident-resume");
	return {
		title: text("h1"),
		status: text("#incident-status"),
		notice: text("main .notice"),
		why: text("#incident-why"),
		holdButton: !!document.querySelector("#incident-hold-button"),
		heldAt: !!document.querySelector("#incident-held-at"),
		resolved: text("#incident-resolved"),
		kinds: [...document.querySelectorAll("#incident-events li .badge")].map((b) => b.textContent.trim()),
		events: [...document.querySelectorAll("#incident-events li")].map((li) => li.textContent.trim().replace(/\s+/g, " ")),
		resume: !!box && box.checked,
		resumeBox: !!box,
		overflow: document.documentElement.scrollWidth > window.innerWidth + 1,
	};
})()`

// untilTrue polls the JavaScript expression until it is truthy, through
// the page loads a form's submission causes (chromedp.Poll stops at a
// navigation).
func untilTrue(expr string) chromedp.Action[chromedp.Void] {
	return chromedp.Func(func(ctx context.Context, t *chromedp.Target) error {
		var last error
		for {
			ok, err := chromedp.Evaluate[bool](expr)(ctx, t)
			if err == nil && ok {
				return nil
			}
			if err != nil {
				last = err
			}
			select {
			case <-ctx.Done():
				return fmt.Errorf("waiting for %s: %w", expr, errors.Join(ctx.Err(), last))
			case <-time.After(50 * time.Millisecond):
			}
		}
	})
}

// TestBrowserIncident takes an incident from detection to resolution in a
// browser: a spike detector made through its form (offering the hold), a
// burst of negative matches that the detectors' run turns into an
// incident, then on the incident's page the hold of the scheduled post, a
// note, and the resolution that resumes the post through review, each
// seen in the timeline. The harness fails the test on any policy
// violation or console error.
func TestBrowserIncident(t *testing.T) {
	ctx := chrome(t, "Europe/Paris")
	e := newEnv(t)
	bg := context.Background()
	owner, w := e.owner("ana@example.com", "Acme")
	acct := e.account(owner, w, "@acme")
	scheduled := e.scheduled(owner, w, acct, "Big launch tomorrow", time.Now().Add(3*time.Hour))
	svc := e.withCrisis()
	lsvc := e.withListen()
	actor := herald.Actor{UserID: owner.ID, WorkspaceID: w.ID, Role: herald.RoleOwner}
	topic, err := lsvc.Create(bg, actor, herald.ListenTopic{Name: "Brand", Rules: herald.TopicRule{Any: []string{"acme"}}})
	if err != nil {
		t.Fatal(err)
	}
	// The playbook, written and approved before: a holding statement (by
	// an editor, approved by the owner) and a checklist step for ana.
	editor := e.member(w, "eve@example.com", herald.RoleEditor)
	statement, err := svc.CreatePlaybookEntry(bg, herald.Actor{UserID: editor.ID, WorkspaceID: w.ID, Role: herald.RoleEditor},
		crisis.PlaybookInput{Kind: herald.PlaybookStatement, Title: "Holding", Body: "We know and are on it."})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := svc.ApprovePlaybookEntry(bg, actor, statement.ID); err != nil {
		t.Fatal(err)
	}
	if _, err := svc.SetPlaybookSteps(bg, actor, []herald.PlaybookStep{{Title: "Tell legal", OwnerID: owner.ID}}); err != nil {
		t.Fatal(err)
	}

	var loc, text string
	run(t, ctx, "sign in on a desktop and open the detectors from the crisis page", append(append([]chromedp.Action[chromedp.Void]{
		chromedp.EmulateViewport(1280, 900)},
		signInAt(fmt.Sprintf("%s/w/%d/crisis", e.srv.URL, w.ID), "ana@example.com")...),
		chromedp.WaitVisible(chromedp.CSS("#crisis-detectors")),
		chromedp.Click(chromedp.CSS("#crisis-detectors")),
		chromedp.WaitVisible(chromedp.CSS("#detectors-empty")),
		chromedp.Click(chromedp.CSS("#detector-new")),
		chromedp.WaitVisible(chromedp.CSS("#detector-form")),
	)...)

	run(t, ctx, "create a spike detector that offers the hold",
		chromedp.SendKeys(chromedp.CSS("#detector-name"), "Negative spike"),
		chromedp.Click(chromedp.CSS("#detector-kind-spike")),
		chromedp.SetValue(chromedp.CSS("#detector-topic"), itoa(topic.ID)),
		chromedp.SetValue(chromedp.CSS("#detector-sentiment"), "negative"),
		chromedp.Click(chromedp.CSS("#detector-hold-propose")),
		waitFor(`document.querySelector("#detector-enabled").checked`),
		chromedp.Click(chromedp.CSS("#detector-save")),
		chromedp.WaitVisible(chromedp.CSS("#detectors")),
		into(&text, chromedp.Text(chromedp.CSS("#detectors"))),
	)
	ds, err := e.store.ListDetectors(bg, w.ID)
	if err != nil || len(ds) != 1 {
		t.Fatalf("detectors %+v %v", ds, err)
	}
	det := ds[0]
	if det.Name != "Negative spike" || det.Kind != herald.DetectSpike || det.TopicID != topic.ID || det.Sentiment != "negative" ||
		det.Hold != herald.HoldPropose || !det.Enabled || det.Window != 15*time.Minute || det.MinCount != 20 {
		t.Fatalf("stored detector %+v", det)
	}
	if !strings.Contains(text, "Negative spike") || !strings.Contains(text, "offers the hold") || !strings.Contains(text, "“Brand”") {
		t.Fatalf("the detectors list: %q", text)
	}

	// A burst of negative mentions in the last few minutes, then the
	// detectors' run (the check_crisis job) opens an incident.
	var ms []herald.ListenMatch
	burst := time.Now().Add(-8 * time.Minute)
	for i := range 30 {
		ms = append(ms, listenMatch(w.ID, topic.ID, itoa(int64(i)), "bob", "Acme lost my order "+itoa(int64(i)), "negative",
			burst.Add(time.Duration(i)*10*time.Second), "acme"))
	}
	if _, err := e.store.AddListenMatches(bg, ms); err != nil {
		t.Fatal(err)
	}
	if err := svc.Evaluate(bg); err != nil {
		t.Fatal(err)
	}
	ins, err := e.store.ListIncidents(bg, w.ID, 10)
	if err != nil || len(ins) != 1 {
		t.Fatalf("incidents after the run: %+v %v", ins, err)
	}
	in := ins[0]
	if !in.HoldProposed || in.HeldAt != nil || in.Drill || len(in.Evidence) != 30 {
		t.Fatalf("the incident %+v", in)
	}
	if got := targetState(t, e, w.ID, scheduled.ID); got != herald.StateScheduled {
		t.Fatalf("before the hold the target is %s", got)
	}

	var v incidentView
	run(t, ctx, "open the incident from the list",
		chromedp.Click(chromedp.CSS("#detectors-incidents")),
		chromedp.WaitVisible(chromedp.CSS(fmt.Sprintf("#incident-offered-%d", in.ID))),
		chromedp.Click(chromedp.CSS(fmt.Sprintf("#incident-link-%d", in.ID))),
		chromedp.WaitVisible(chromedp.CSS("#incident-hold-button")),
		into(&loc, chromedp.Location()),
		into(&v, chromedp.Evaluate[incidentView](incidentViewJS)),
	)
	if !strings.HasSuffix(loc, incidentURL(w.ID, in.ID, "")) || v.Title != "Negative spike" || !strings.HasPrefix(v.Status, "open") ||
		!strings.Contains(v.Why, "30 negative mentions") || strings.Join(v.Kinds, ",") != "detected,alerted,alerted" || v.HeldAt || v.Resume ||
		!v.ResumeBox {
		t.Fatalf("the incident at %s: %+v", loc, v)
	}

	run(t, ctx, "hold all scheduled posts",
		chromedp.Click(chromedp.CSS("#incident-hold-button")),
		chromedp.WaitVisible(chromedp.CSS("#incident-held-at")),
		into(&v, chromedp.Evaluate[incidentView](incidentViewJS)),
	)
	if v.HoldButton || !strings.Contains(v.Status, "held") || !strings.Contains(v.Notice, "Held every scheduled post") ||
		strings.Join(v.Kinds, ",") != "detected,alerted,alerted,held" || !strings.Contains(v.Events[3], "Held 1 scheduled post target") ||
		!strings.Contains(v.Events[3], "ana") || !v.Resume {
		t.Fatalf("after the hold: %+v", v)
	}
	if got := targetState(t, e, w.ID, scheduled.ID); got != herald.StateHeld {
		t.Fatalf("after the hold the target is %s, want held", got)
	}
	var banner string
	run(t, ctx, "the banner says publishing is held", into(&banner, chromedp.Text(chromedp.CSS("#crisis-banner"))))
	if !strings.Contains(banner, "Publishing is held.") {
		t.Fatalf("banner %q", banner)
	}

	steps, err := e.store.ListIncidentSteps(bg, w.ID, in.ID)
	if err != nil || len(steps) != 1 {
		t.Fatalf("the incident's checklist %+v %v", steps, err)
	}
	run(t, ctx, "tick the checklist step and publish the approved statement",
		chromedp.Click(chromedp.CSS(fmt.Sprintf("#step-tick-%d", steps[0].ID))),
		chromedp.WaitVisible(chromedp.CSS(fmt.Sprintf("#step-done-%d", steps[0].ID))),
		chromedp.Click(chromedp.CSS(fmt.Sprintf("#statement-account-%d", acct.ID))),
		chromedp.Click(chromedp.CSS("#statement-publish")),
		untilTrue(`location.hash === "#incident-timeline" && document.readyState !== "loading" &&
			document.querySelectorAll("#incident-events li").length === 6`),
		into(&v, chromedp.Evaluate[incidentView](incidentViewJS)),
	)
	if strings.Join(v.Kinds, ",") != "detected,alerted,alerted,held,step,posted" || !strings.Contains(v.Events[4], "Done: Tell legal") ||
		!strings.Contains(v.Events[5], `pre-approved statement "Holding"`) || !strings.Contains(v.Notice, "without another review") {
		t.Fatalf("after the checklist and the statement: %+v", v)
	}
	ps, _, err := e.store.ListPosts(bg, herald.PostFilter{WorkspaceID: w.ID, States: []herald.TargetState{herald.StateScheduled},
		Page: herald.Page{Limit: 10}})
	if err != nil || len(ps) != 1 || ps[0].Text != "We know and are on it." {
		t.Fatalf("the statement is not scheduled to go out now: %+v %v", ps, err)
	}

	run(t, ctx, "add a note",
		chromedp.SendKeys(chromedp.CSS("#incident-note"), "Statement drafted <b>by legal</b>"),
		chromedp.Click(chromedp.CSS("#incident-note-add")),
		untilTrue(`location.hash === "#incident-timeline" && document.readyState !== "loading" &&
			document.querySelectorAll("#incident-events li").length === 7`),
		into(&v, chromedp.Evaluate[incidentView](incidentViewJS)),
	)
	if strings.Join(v.Kinds, ",") != "detected,alerted,alerted,held,step,posted,note" || !strings.Contains(v.Events[6], "Statement drafted <b>by legal</b>") ||
		!strings.Contains(v.Events[6], "ana") || !strings.Contains(v.Notice, "Added your note") {
		t.Fatalf("after the note: %+v", v)
	}

	run(t, ctx, "resolve, resuming the held posts through review",
		waitFor(`document.querySelector("#incident-resume").checked`),
		chromedp.SendKeys(chromedp.CSS("#incident-closing"), "Apology posted"),
		chromedp.Click(chromedp.CSS("#incident-resolve")),
		chromedp.WaitVisible(chromedp.CSS("#incident-resolved")),
		into(&v, chromedp.Evaluate[incidentView](incidentViewJS)),
	)
	if !strings.HasPrefix(v.Status, "resolved") || !strings.Contains(v.Resolved, "by ana") || v.ResumeBox ||
		!strings.Contains(v.Notice, "back in review") ||
		strings.Join(v.Kinds, ",") != "detected,alerted,alerted,held,step,posted,note,note,resumed,resolved" ||
		!strings.Contains(v.Events[7], "Apology posted") || !strings.Contains(v.Events[8], "Resumed 1 held post target") {
		t.Fatalf("after resolving: %+v", v)
	}
	if got := targetState(t, e, w.ID, scheduled.ID); got != herald.StateInReview {
		t.Fatalf("after resolving the target is %s, want in_review", got)
	}
	if st, err := e.posts.Crisis(bg, actor); err != nil || st.Holding {
		t.Fatalf("still holding after resolving: %+v %v", st, err)
	}

	run(t, ctx, "the resolved incident on a phone",
		chromedp.EmulateViewport(390, 844),
		chromedp.Navigate(e.srv.URL+incidentsURL(w.ID)),
		chromedp.WaitVisible(chromedp.CSS(fmt.Sprintf("#incident-%d", in.ID))),
		into(&text, chromedp.Text(chromedp.CSS(fmt.Sprintf("#incident-%d", in.ID)))),
		chromedp.Click(chromedp.CSS(fmt.Sprintf("#incident-link-%d", in.ID))),
		chromedp.WaitVisible(chromedp.CSS("#incident-resolved")),
		into(&v, chromedp.Evaluate[incidentView](incidentViewJS)),
	)
	if !strings.Contains(text, "resolved") || strings.Contains(text, "hold offered") || v.Overflow || len(v.Kinds) != 10 {
		t.Fatalf("on a phone: list %q, page %+v", text, v)
	}
	var banners int
	run(t, ctx, "no banner after resolving",
		into(&banners, chromedp.Evaluate[int](`document.querySelectorAll("#crisis-banner .banner").length`)))
	if banners != 0 {
		t.Fatal("the held banner is still shown after resolving with resume")
	}
}
