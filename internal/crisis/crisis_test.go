package crisis_test

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/heraldsocial/herald/internal/crisis"
	"github.com/heraldsocial/herald/internal/herald"
	"github.com/heraldsocial/herald/internal/post"
	"github.com/heraldsocial/herald/internal/teststore"
)

type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *clock) set(t time.Time) {
	c.mu.Lock()
	c.t = t
	c.mu.Unlock()
}

type holder struct {
	mu             sync.Mutex
	holds, resumes int
	reason         string
	reapprove      bool
}

func (h *holder) CrisisHold(_ context.Context, a herald.Actor, reason string) (post.CrisisStatus, error) {
	if err := a.Require(herald.ActPostsHold); err != nil {
		return post.CrisisStatus{}, err
	}
	h.mu.Lock()
	defer h.mu.Unlock()
	h.holds++
	h.reason = reason
	return post.CrisisStatus{Holding: true, Held: 3, Changed: 3}, nil
}

func (h *holder) CrisisResume(_ context.Context, _ herald.Actor, _ []int64, reapprove bool) (post.CrisisStatus, error) {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.resumes++
	h.reapprove = reapprove
	return post.CrisisStatus{Changed: 3}, nil
}

func (h *holder) CrisisWaiting(context.Context, herald.Actor) (int, error) { return 3, nil }

type notifier struct {
	mu sync.Mutex
	ns []herald.Notification
}

func (n *notifier) Notify(_ context.Context, nt herald.Notification) {
	n.mu.Lock()
	n.ns = append(n.ns, nt)
	n.mu.Unlock()
}

type world struct {
	st     herald.Store
	clock  *clock
	hold   *holder
	notes  *notifier
	svc    *crisis.Service
	actor  herald.Actor
	topic  herald.ListenTopic
	serial int
}

func newWorld(t *testing.T, st herald.Store, start time.Time) *world {
	ctx := context.Background()
	w := &world{st: st, clock: &clock{t: start}, hold: &holder{}, notes: &notifier{}}
	w.svc = crisis.New(st, w.hold, w.notes, w.clock, nil)
	ws := herald.Workspace{Name: "W", TimeZone: "UTC"}
	if err := st.CreateWorkspace(ctx, &ws); err != nil {
		t.Fatal(err)
	}
	w.actor = herald.Actor{UserID: 1, WorkspaceID: ws.ID, Role: herald.RoleOwner}
	w.topic = herald.ListenTopic{WorkspaceID: ws.ID, Name: "Brand", Rules: herald.TopicRule{Any: []string{"acme"}}}
	if err := st.CreateListenTopic(ctx, &w.topic); err != nil {
		t.Fatal(err)
	}
	return w
}

// add stores n matches of the sentiment posted at the time.
func (w *world) add(t *testing.T, n int, sentiment string, at time.Time, text, replyTo string) {
	t.Helper()
	var ms []herald.ListenMatch
	for range n {
		w.serial++
		ms = append(ms, herald.ListenMatch{WorkspaceID: w.actor.WorkspaceID, Platform: herald.PlatformBluesky,
			RemoteID: fmt.Sprint("at://x/", w.serial), AuthorID: fmt.Sprint("did:", w.serial%7), AuthorFollowers: -1,
			Text: text, Sentiment: sentiment, ReplyTo: replyTo, PostedAt: at, Topics: []herald.TopicHit{{TopicID: w.topic.ID}}})
	}
	if _, err := w.st.AddListenMatches(context.Background(), ms); err != nil {
		t.Fatal(err)
	}
}

func (w *world) incidents(t *testing.T) []herald.Incident {
	t.Helper()
	ins, err := w.svc.Incidents(context.Background(), w.actor)
	if err != nil {
		t.Fatal(err)
	}
	return ins
}

// TestSpikeOpensOneIncidentAndHolds: a day of quiet negative mentions,
// then a burst: the detector, evaluated every 30 s as the job does, opens
// one incident within 60 s of the burst's start, alerts, holds at once
// (hold auto), and does not open a second one while the burst goes on;
// after a quiet window it is armed again.
func TestSpikeOpensOneIncidentAndHolds(t *testing.T) {
	teststore.Each(t, func(t *testing.T, st herald.Store) {
		ctx := context.Background()
		start := time.Date(2026, 11, 2, 0, 0, 0, 0, time.UTC)
		w := newWorld(t, st, start)
		d, err := w.svc.CreateDetector(ctx, w.actor, herald.Detector{Name: "Negative spike", Kind: herald.DetectSpike,
			TopicID: w.topic.ID, Sentiment: "negative", Hold: herald.HoldAuto, Enabled: true})
		if err != nil {
			t.Fatal(err)
		}
		if d.Window != 15*time.Minute || d.Baseline != 24*time.Hour || d.Multiple != 3 || d.MinCount != 20 {
			t.Fatalf("defaults: %+v", d)
		}
		// A day of one negative mention every 5 minutes, and positive noise.
		for m := 0; m < 24*60; m += 5 {
			w.add(t, 1, "negative", start.Add(time.Duration(m)*time.Minute), "acme is meh", "")
			w.add(t, 2, "positive", start.Add(time.Duration(m)*time.Minute+time.Second), "acme is great", "")
		}
		burst := start.Add(24*time.Hour + 10*time.Second)
		var opened time.Time
		for now := start.Add(24 * time.Hour); now.Before(burst.Add(20 * time.Minute)); now = now.Add(crisis.Step) {
			if !now.Before(burst) {
				// 25 angry posts every 30 s from the burst on.
				w.add(t, 25, "negative", now.Add(time.Second), "acme stole my data", "")
			}
			w.clock.set(now.Add(crisis.Step))
			if err := w.svc.Evaluate(ctx); err != nil {
				t.Fatal(err)
			}
			if opened.IsZero() && len(w.incidents(t)) > 0 {
				opened = w.clock.Now()
			}
		}
		ins := w.incidents(t)
		if len(ins) != 1 {
			t.Fatalf("%d incidents, want one for the episode", len(ins))
		}
		if lag := opened.Sub(burst); lag > 60*time.Second {
			t.Fatalf("detected %s after the burst began, want at most 60 s", lag)
		}
		in, tl, err := w.svc.Incident(ctx, w.actor, ins[0].ID)
		if err != nil {
			t.Fatal(err)
		}
		if in.HeldAt == nil || in.HoldProposed || w.hold.holds != 1 || !strings.Contains(in.Why, "negative mentions") ||
			len(in.Evidence) == 0 || in.Drill {
			t.Fatalf("incident %+v, holds %d", in, w.hold.holds)
		}
		kinds := ""
		for _, e := range tl {
			kinds += string(e.Kind) + " "
		}
		if !strings.HasPrefix(kinds, "detected alerted held") {
			t.Fatalf("timeline %q", kinds)
		}
		if len(w.notes.ns) != 1 || w.notes.ns[0].Kind != herald.NotifyCrisisDetected || !strings.Contains(w.notes.ns[0].Link, "/incidents/") {
			t.Fatalf("notifications %+v", w.notes.ns)
		}
		// Replay finds the same episode.
		firings, err := w.svc.Replay(ctx, w.actor, d, burst.Add(-time.Hour), burst.Add(20*time.Minute))
		if err != nil {
			t.Fatal(err)
		}
		if len(firings) != 1 || firings[0].At.Sub(burst) > 60*time.Second {
			t.Fatalf("replay %+v", firings)
		}
		// Resolve with resume: held posts back to review.
		res, err := w.svc.Resolve(ctx, w.actor, in.ID, true, "Statement published")
		if err != nil {
			t.Fatal(err)
		}
		if res.Status != herald.IncidentResolved || w.hold.resumes != 1 || !w.hold.reapprove {
			t.Fatalf("resolved %+v resumes %d reapprove %v", res, w.hold.resumes, w.hold.reapprove)
		}
		if _, err := w.svc.Resolve(ctx, w.actor, in.ID, true, ""); !errors.Is(err, herald.ErrConflict) {
			t.Fatalf("resolving twice: %v", err)
		}
	})
}

// TestQuietWeekNoAlarm: a week of ordinary noise fires nothing.
func TestQuietWeekNoAlarm(t *testing.T) {
	st := teststore.SQLite(t)
	ctx := context.Background()
	start := time.Date(2026, 11, 2, 0, 0, 0, 0, time.UTC)
	w := newWorld(t, st, start)
	if _, err := w.svc.CreateDetector(ctx, w.actor, herald.Detector{Name: "Spike", Kind: herald.DetectSpike, Sentiment: "negative",
		Hold: herald.HoldPropose, Enabled: true}); err != nil {
		t.Fatal(err)
	}
	for h := 0; h < 7*24; h++ {
		n := 2 + h%5 // a daily rhythm of 2 to 6 negative mentions an hour
		for i := range n {
			w.add(t, 1, "negative", start.Add(time.Duration(h)*time.Hour+time.Duration(i)*7*time.Minute), "acme meh", "")
		}
		w.clock.set(start.Add(time.Duration(h+1) * time.Hour))
		if err := w.svc.Evaluate(ctx); err != nil {
			t.Fatal(err)
		}
	}
	if ins := w.incidents(t); len(ins) != 0 {
		t.Fatalf("false alarm: %+v", ins[0])
	}
}

// TestPhraseRepliesProposeAndDrill: a watched phrase opens an incident
// that offers the hold (one click holds); a pile-on of replies opens one;
// a drill runs the same path and holds nothing.
func TestPhraseRepliesProposeAndDrill(t *testing.T) {
	teststore.Each(t, func(t *testing.T, st herald.Store) {
		ctx := context.Background()
		now := time.Date(2026, 11, 2, 12, 0, 0, 0, time.UTC)
		w := newWorld(t, st, now)
		phrase, err := w.svc.CreateDetector(ctx, w.actor, herald.Detector{Name: "Recall", Kind: herald.DetectPhrase,
			Phrases: []string{"product recall", "data breach"}, Enabled: true})
		if err != nil {
			t.Fatal(err)
		}
		w.add(t, 1, "negative", now.Add(-time.Minute), "Is there an ACME Data-Breach??", "")
		if err := w.svc.Evaluate(ctx); err != nil {
			t.Fatal(err)
		}
		ins := w.incidents(t)
		if len(ins) != 1 || !ins[0].HoldProposed || ins[0].HeldAt != nil || !strings.Contains(ins[0].Why, `"data breach"`) {
			t.Fatalf("phrase incidents %+v", ins)
		}
		if w.hold.holds != 0 {
			t.Fatal("a proposed hold was applied")
		}
		editor := w.actor
		editor.Role = herald.RoleEditor
		if _, err := w.svc.Hold(ctx, editor, ins[0].ID); !errors.Is(err, herald.ErrForbidden) {
			t.Fatalf("an editor held posts: %v", err)
		}
		held, err := w.svc.Hold(ctx, w.actor, ins[0].ID)
		if err != nil || held.HeldAt == nil || held.HoldProposed || w.hold.holds != 1 {
			t.Fatalf("hold: %+v %v", held, err)
		}
		if _, err := w.svc.Note(ctx, w.actor, ins[0].ID, "  Legal informed  "); err != nil {
			t.Fatal(err)
		}
		if _, err := w.svc.Note(ctx, w.actor, ins[0].ID, " "); !errors.Is(err, herald.ErrInvalid) {
			t.Fatalf("an empty note: %v", err)
		}

		if _, err := w.svc.CreateDetector(ctx, w.actor, herald.Detector{Name: "Pile-on", Kind: herald.DetectReplies, MinCount: 5,
			Window: 10 * time.Minute, Enabled: true, Hold: herald.HoldPropose}); err != nil {
			t.Fatal(err)
		}
		w.add(t, 6, "negative", now.Add(-2*time.Minute), "acme shame", "at://did:plc:acme/app.bsky.feed.post/1")
		w.clock.set(now.Add(crisis.Step))
		if err := w.svc.Evaluate(ctx); err != nil {
			t.Fatal(err)
		}
		ins = w.incidents(t)
		if len(ins) != 2 || !strings.Contains(ins[0].Why+ins[1].Why, "at://did:plc:acme/app.bsky.feed.post/1") {
			t.Fatalf("pile-on incidents %+v", ins)
		}

		drill, err := w.svc.Drill(ctx, w.actor, phrase.ID)
		if err != nil {
			t.Fatal(err)
		}
		_, tl, _ := w.svc.Incident(ctx, w.actor, drill.ID)
		if !drill.Drill || drill.HeldAt != nil || drill.HoldProposed || w.hold.holds != 1 || len(tl) != 3 ||
			!strings.Contains(tl[2].Message, "nothing was held") {
			t.Fatalf("drill %+v timeline %+v", drill, tl)
		}
		if _, err := w.svc.Hold(ctx, w.actor, drill.ID); !errors.Is(err, herald.ErrConflict) {
			t.Fatalf("holding for a drill: %v", err)
		}
		last := w.notes.ns[len(w.notes.ns)-1]
		if !strings.HasPrefix(last.Title, "Crisis: Drill: ") || !strings.Contains(last.Message, "drill") {
			t.Fatalf("drill notification %+v", last)
		}
	})
}

func TestValidate(t *testing.T) {
	for _, c := range []struct {
		name  string
		d     herald.Detector
		field string
	}{
		{"no name", herald.Detector{Kind: herald.DetectSpike, Window: time.Minute, Baseline: time.Hour, Multiple: 3, MinCount: 1, Hold: herald.HoldAuto}, "name"},
		{"unknown kind", herald.Detector{Name: "x", Kind: "rage", Window: time.Minute, MinCount: 1, Hold: herald.HoldAuto}, "kind"},
		{"short baseline", herald.Detector{Name: "x", Kind: herald.DetectSpike, Window: time.Hour, Baseline: time.Hour, Multiple: 3, MinCount: 1, Hold: herald.HoldAuto}, "baseline"},
		{"no phrases", herald.Detector{Name: "x", Kind: herald.DetectPhrase, Window: time.Hour, Hold: herald.HoldAuto}, "phrases"},
		{"window of a second", herald.Detector{Name: "x", Kind: herald.DetectReplies, Window: time.Second, MinCount: 5, Hold: herald.HoldAuto}, "window"},
		{"bad hold", herald.Detector{Name: "x", Kind: herald.DetectReplies, Window: time.Hour, MinCount: 5, Hold: "maybe"}, "hold"},
	} {
		err := crisis.Validate(c.d)
		var he *herald.Error
		if !errors.As(err, &he) || len(he.Details) == 0 || he.Details[0].Field != c.field {
			t.Errorf("%s: %v, want a problem with %s", c.name, err, c.field)
		}
	}
}

// failingIncidents is a store whose next CreateIncident fails.
type failingIncidents struct {
	herald.Store
	fail bool
}

func (f *failingIncidents) CreateIncident(ctx context.Context, in *herald.Incident, events []herald.IncidentEvent) error {
	if f.fail {
		f.fail = false
		return errors.New("disk full")
	}
	return f.Store.CreateIncident(ctx, in, events)
}

// TestFiringNotLostWhenTheIncidentFails: a firing whose incident cannot
// be stored leaves the detector armed, and the next run opens it.
func TestFiringNotLostWhenTheIncidentFails(t *testing.T) {
	ctx := context.Background()
	now := time.Date(2026, 11, 2, 12, 0, 0, 0, time.UTC)
	st := &failingIncidents{Store: teststore.SQLite(t), fail: true}
	w := newWorld(t, st, now)
	if _, err := w.svc.CreateDetector(ctx, w.actor, herald.Detector{Name: "Recall", Kind: herald.DetectPhrase,
		Phrases: []string{"product recall"}, Enabled: true}); err != nil {
		t.Fatal(err)
	}
	w.add(t, 1, "negative", now.Add(-time.Minute), "An ACME product recall?", "")
	if err := w.svc.Evaluate(ctx); err == nil {
		t.Fatal("the failed incident was not reported")
	}
	if ins := w.incidents(t); len(ins) != 0 {
		t.Fatalf("incidents after the failure %+v", ins)
	}
	w.clock.t = now.Add(crisis.Step)
	if err := w.svc.Evaluate(ctx); err != nil {
		t.Fatal(err)
	}
	if ins := w.incidents(t); len(ins) != 1 || !strings.Contains(ins[0].Why, "product recall") {
		t.Fatalf("the next run's incidents %+v", ins)
	}
}
