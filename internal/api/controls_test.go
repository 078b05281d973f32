package api_test

import (
	"context"
	"net/http"
	"slices"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/heraldsocial/herald/internal/herald"
)

// scenario is one request of a table and the status it must get.
type scenario struct {
	name      string
	method    string
	path      string
	token     string
	body      any
	status    int
	wantField string // a details[].field the error must name
}

// runScenarios sends each request in order and checks its status.
func runScenarios(t *testing.T, h *harness, cases []scenario) {
	t.Helper()
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			res := h.do(c.method, c.path, c.token, c.body)
			mustStatus(t, res, c.status)
			if c.wantField != "" && !slices.Contains(errorFields(t, res), c.wantField) {
				t.Fatalf("fields %v, want %q; body %s", errorFields(t, res), c.wantField, res.Body)
			}
		})
	}
}

// newPost creates a post through the API with one target per account,
// each at scheduled (nil: no time), with action.
func (w *pubWorld) newPost(t *testing.T, token, action string, scheduled *time.Time, accounts ...herald.Account) herald.Post {
	t.Helper()
	var targets []map[string]any
	for _, a := range accounts {
		tb := map[string]any{"account_id": a.ID}
		if scheduled != nil {
			tb["scheduled_at"] = scheduled.Format(time.RFC3339)
		}
		targets = append(targets, tb)
	}
	res := w.h.do(http.MethodPost, pubPath(w.a, "/posts"), token, map[string]any{"text": "controls", "action": action, "targets": targets})
	mustStatus(t, res, 201)
	var p herald.Post
	res.JSON(t, &p)
	return p
}

// settleAs claims a due target for a fake instance and completes it with
// to and outcome, as the dispatcher would, recording an attempt.
func settleAs(t *testing.T, h *harness, ws herald.Workspace, targetID int64, to herald.TargetState, outcome herald.AttemptOutcome) {
	t.Helper()
	ctx := context.Background()
	now := time.Now().UTC().Add(time.Second).Truncate(time.Microsecond)
	claims, err := h.store.ClaimTargets(ctx, []int64{targetID}, "test-instance", now, now.Add(time.Minute))
	if err != nil || len(claims) != 1 {
		t.Fatalf("claim target %d: %d claims, %v", targetID, len(claims), err)
	}
	skipped, err := h.store.CompleteTargets(ctx, []herald.Completion{{WorkspaceID: ws.ID, TargetID: targetID,
		AttemptID: claims[0].AttemptID, Owner: "test-instance", To: to, Outcome: outcome, HTTPStatus: 422,
		Error: "the platform said no", FinishedAt: now.Add(time.Second), DurationMS: 1000}})
	if err != nil || len(skipped) != 0 {
		t.Fatalf("complete target %d: skipped %v, %v", targetID, skipped, err)
	}
}

func targetState(t *testing.T, h *harness, ws herald.Workspace, id int64) herald.Target {
	t.Helper()
	tg, err := h.store.GetTarget(context.Background(), ws.ID, id)
	if err != nil {
		t.Fatal(err)
	}
	return tg
}

func TestPublishNowAndReschedule(t *testing.T) {
	forEachStore(t, func(t *testing.T, h *harness) {
		w := newPubWorld(t, h)
		later := time.Now().Add(3 * time.Hour).UTC().Truncate(time.Second)
		p := w.newPost(t, w.editorTok, "schedule", &later, w.aAcct, w.aAcct2)
		path := pubPath(w.a, "/posts/%d", p.ID)
		bPath := pubPath(w.a, "/posts/%d", w.bPost.ID)
		other := w.newPost(t, w.editorTok, "draft", nil, w.aAcct)
		newTime := time.Now().Add(5 * time.Hour).UTC().Truncate(time.Second)
		runScenarios(t, h, []scenario{
			{"analyst cannot publish now", http.MethodPost, path + "/publish-now", w.analystTok, nil, 403, ""},
			{"other workspace's post", http.MethodPost, bPath + "/publish-now", w.editorTok, nil, 404, ""},
			{"comment too long", http.MethodPost, path + "/publish-now", w.editorTok, map[string]any{"comment": strings.Repeat("x", 2001)}, 422, ""},
			{"reschedule into the past", http.MethodPost, path + "/reschedule", w.editorTok,
				map[string]any{"scheduled_at": "2001-01-01T00:00:00Z"}, 422, "scheduled_at"},
			{"reschedule without a time", http.MethodPost, path + "/reschedule", w.editorTok, map[string]any{}, 422, ""},
			{"reschedule a target of another post", http.MethodPost, path + "/reschedule", w.editorTok,
				map[string]any{"scheduled_at": newTime.Format(time.RFC3339), "target_ids": []int64{other.Targets[0].ID}}, 422, "target_ids[0]"},
			{"reschedule: analyst", http.MethodPost, path + "/reschedule", w.analystTok,
				map[string]any{"scheduled_at": newTime.Format(time.RFC3339)}, 403, ""},
			{"reschedule: other workspace", http.MethodPost, bPath + "/reschedule", w.editorTok,
				map[string]any{"scheduled_at": newTime.Format(time.RFC3339)}, 404, ""},
			{"reschedule a draft", http.MethodPost, pubPath(w.a, "/posts/%d/reschedule", other.ID), w.editorTok,
				map[string]any{"scheduled_at": newTime.Format(time.RFC3339)}, 409, ""},
			{"reschedule one target", http.MethodPost, path + "/reschedule", w.editorTok,
				map[string]any{"scheduled_at": newTime.Format(time.RFC3339), "target_ids": []int64{p.Targets[1].ID}}, 200, ""},
		})
		if got := targetState(t, h, w.a, p.Targets[1].ID); !got.ScheduledAt.Equal(newTime) || !got.DueAt.Equal(newTime) {
			t.Fatalf("rescheduled target at %v due %v, want %v", got.ScheduledAt, got.DueAt, newTime)
		}
		if got := targetState(t, h, w.a, p.Targets[0].ID); !got.ScheduledAt.Equal(later) {
			t.Fatalf("unlisted target moved to %v", got.ScheduledAt)
		}

		before := time.Now().UTC()
		res := h.do(http.MethodPost, path+"/publish-now", w.editorTok, map[string]any{"comment": "breaking news"})
		mustStatus(t, res, 200)
		res.JSON(t, &p)
		for _, tg := range p.Targets {
			if tg.State != herald.StateScheduled || tg.ScheduledAt.Before(before.Add(-time.Second)) || tg.ScheduledAt.After(time.Now()) {
				t.Fatalf("target after publish now: %s at %v", tg.State, tg.ScheduledAt)
			}
		}
		due, err := h.store.NextDue(context.Background(), time.Now().Add(time.Second), 10)
		if err != nil {
			t.Fatal(err)
		}
		if len(due) != 2 {
			t.Fatalf("due after publish now: %+v", due)
		}
		// A draft is scheduled now by a role that needs no approval, not by a contributor.
		d := w.newPost(t, w.contribTok, "draft", nil, w.aAcct)
		mustStatus(t, h.do(http.MethodPost, pubPath(w.a, "/posts/%d/publish-now", d.ID), w.contribTok, nil), 403)
		mustStatus(t, h.do(http.MethodPost, pubPath(w.a, "/posts/%d/publish-now", d.ID), w.editorTok, nil), 200)
		// Nothing left to publish: cancelled targets stay cancelled.
		mustStatus(t, h.do(http.MethodPost, pubPath(w.a, "/posts/%d/cancel", other.ID), w.editorTok, nil), 200)
		mustStatus(t, h.do(http.MethodPost, pubPath(w.a, "/posts/%d/publish-now", other.ID), w.editorTok, nil), 409)
	})
}

func TestRetryResolveAttempts(t *testing.T) {
	forEachStore(t, func(t *testing.T, h *harness) {
		w := newPubWorld(t, h)
		p := w.newPost(t, w.editorTok, "draft", nil, w.aAcct, w.aAcct2)
		mustStatus(t, h.do(http.MethodPost, pubPath(w.a, "/posts/%d/publish-now", p.ID), w.editorTok, nil), 200)
		failed, unsure := p.Targets[0].ID, p.Targets[1].ID
		settleAs(t, h, w.a, failed, herald.StateFailed, herald.OutcomeInvalid)
		settleAs(t, h, w.a, unsure, herald.StateUnconfirmed, herald.OutcomeAmbiguous)
		tp := func(id int64, verb string) string { return pubPath(w.a, "/posts/%d/targets/%d/%s", p.ID, id, verb) }
		bTarget := w.bPost.Targets[0].ID
		runScenarios(t, h, []scenario{
			{"attempts: other workspace", http.MethodGet, pubPath(w.a, "/posts/%d/targets/%d/attempts", w.bPost.ID, bTarget), w.editorTok, nil, 404, ""},
			{"attempts: target of another post", http.MethodGet, tp(bTarget, "attempts"), w.editorTok, nil, 404, ""},
			{"retry: contributor", http.MethodPost, tp(failed, "retry"), w.contribTok, nil, 403, ""},
			{"retry: other workspace", http.MethodPost, pubPath(w.a, "/posts/%d/targets/%d/retry", w.bPost.ID, bTarget), w.editorTok, nil, 404, ""},
			{"retry an unconfirmed target", http.MethodPost, tp(unsure, "retry"), w.editorTok, nil, 409, ""},
			{"retry", http.MethodPost, tp(failed, "retry"), w.editorTok, nil, 200, ""},
			{"retry twice", http.MethodPost, tp(failed, "retry"), w.editorTok, nil, 409, ""},
			{"resolve: unknown outcome", http.MethodPost, tp(unsure, "resolve"), w.editorTok, map[string]any{"outcome": "maybe"}, 422, ""},
			{"resolve: url with failed", http.MethodPost, tp(unsure, "resolve"), w.editorTok,
				map[string]any{"outcome": "failed", "remote_url": "https://example.social/1"}, 422, "remote_url"},
			{"resolve: bad url", http.MethodPost, tp(unsure, "resolve"), w.editorTok,
				map[string]any{"outcome": "published", "remote_url": "javascript:alert(1)"}, 422, "remote_url"},
			{"resolve: contributor", http.MethodPost, tp(unsure, "resolve"), w.contribTok, map[string]any{"outcome": "published"}, 403, ""},
			{"resolve: other workspace", http.MethodPost, pubPath(w.a, "/posts/%d/targets/%d/resolve", w.bPost.ID, bTarget), w.editorTok,
				map[string]any{"outcome": "published"}, 404, ""},
			{"resolve a scheduled target", http.MethodPost, tp(failed, "resolve"), w.editorTok, map[string]any{"outcome": "published"}, 409, ""},
			{"resolve as published", http.MethodPost, tp(unsure, "resolve"), w.managerTok,
				map[string]any{"outcome": "published", "remote_url": "https://example.social/@acme/1"}, 200, ""},
		})
		if got := targetState(t, h, w.a, failed); got.State != herald.StateScheduled || got.DueAt == nil {
			t.Fatalf("retried target: %s due %v", got.State, got.DueAt)
		}
		if got := targetState(t, h, w.a, unsure); got.State != herald.StatePublished || got.RemoteURL != "https://example.social/@acme/1" {
			t.Fatalf("resolved target: %s %q", got.State, got.RemoteURL)
		}
		var attempts struct {
			Items []herald.Attempt `json:"items"`
		}
		res := h.do(http.MethodGet, tp(failed, "attempts"), w.analystTok, nil)
		mustStatus(t, res, 200)
		res.JSON(t, &attempts)
		if len(attempts.Items) != 1 || attempts.Items[0].Outcome != herald.OutcomeInvalid || attempts.Items[0].HTTPStatus != 422 ||
			attempts.Items[0].Error != "the platform said no" {
			t.Fatalf("attempts %s", res.Body)
		}
		// The other outcomes of an unconfirmed target.
		q := w.newPost(t, w.editorTok, "draft", nil, w.aAcct, w.aAcct2)
		mustStatus(t, h.do(http.MethodPost, pubPath(w.a, "/posts/%d/publish-now", q.ID), w.editorTok, nil), 200)
		settleAs(t, h, w.a, q.Targets[0].ID, herald.StateUnconfirmed, herald.OutcomeAmbiguous)
		settleAs(t, h, w.a, q.Targets[1].ID, herald.StateUnconfirmed, herald.OutcomeAmbiguous)
		for i, outcome := range []string{"failed", "retry"} {
			res := h.do(http.MethodPost, pubPath(w.a, "/posts/%d/targets/%d/resolve", q.ID, q.Targets[i].ID), w.editorTok,
				map[string]any{"outcome": outcome})
			mustStatus(t, res, 200)
		}
		if a, b := targetState(t, h, w.a, q.Targets[0].ID), targetState(t, h, w.a, q.Targets[1].ID); a.State != herald.StateFailed ||
			b.State != herald.StateScheduled {
			t.Fatalf("resolved: %s, %s", a.State, b.State)
		}
	})
}

func TestPublishingPauseAndCrisis(t *testing.T) {
	forEachStore(t, func(t *testing.T, h *harness) {
		w := newPubWorld(t, h)
		later := time.Now().Add(2 * time.Hour).UTC().Truncate(time.Second)
		p := w.newPost(t, w.editorTok, "schedule", &later, w.aAcct)
		draft := w.newPost(t, w.editorTok, "draft", nil, w.aAcct2)
		pub, crisis := pubPath(w.a, "/publishing"), pubPath(w.a, "/crisis")
		runScenarios(t, h, []scenario{
			{"status: analyst", http.MethodGet, pub, w.analystTok, nil, 200, ""},
			{"pause: editor", http.MethodPost, pub + "/pause", w.editorTok, nil, 403, ""},
			{"pause: other workspace", http.MethodPost, pubPath(w.b, "/publishing/pause"), w.managerTok, nil, 404, ""},
			{"pause", http.MethodPost, pub + "/pause", w.managerTok, nil, 200, ""},
			{"pause again", http.MethodPost, pub + "/pause", w.managerTok, nil, 200, ""},
		})
		var st struct {
			Paused      bool       `json:"paused"`
			PausedSince *time.Time `json:"paused_since"`
			Held        int        `json:"held"`
		}
		res := h.do(http.MethodGet, pub, w.analystTok, nil)
		res.JSON(t, &st)
		if !st.Paused || st.PausedSince == nil {
			t.Fatalf("status %s", res.Body)
		}
		due, err := h.store.NextDue(context.Background(), later.Add(time.Hour), 10)
		if err != nil || len(due) != 0 {
			t.Fatalf("due while paused: %v %v", due, err)
		}
		res = h.do(http.MethodPost, pub+"/resume", w.managerTok, nil)
		mustStatus(t, res, 200)
		res.JSON(t, &st)
		if st.Paused {
			t.Fatalf("after resume %s", res.Body)
		}

		runScenarios(t, h, []scenario{
			{"hold without a reason", http.MethodPost, crisis + "/hold", w.managerTok, map[string]any{}, 422, ""},
			{"hold with a blank reason", http.MethodPost, crisis + "/hold", w.managerTok, map[string]any{"reason": "   "}, 422, "reason"},
			{"hold: editor", http.MethodPost, crisis + "/hold", w.editorTok, map[string]any{"reason": "x"}, 403, ""},
			{"hold: other workspace", http.MethodPost, pubPath(w.b, "/crisis/hold"), w.managerTok, map[string]any{"reason": "x"}, 404, ""},
			{"status: other workspace", http.MethodGet, pubPath(w.b, "/crisis"), w.managerTok, nil, 404, ""},
			{"hold", http.MethodPost, crisis + "/hold", w.managerTok, map[string]any{"reason": "outage at the warehouse"}, 200, ""},
		})
		var cs struct {
			Holding bool       `json:"holding"`
			Held    int        `json:"held"`
			Changed int        `json:"changed"`
			HeldBy  *int64     `json:"held_by"`
			HeldAt  *time.Time `json:"held_at"`
			Reason  string     `json:"reason"`
		}
		res = h.do(http.MethodGet, crisis, w.analystTok, nil)
		mustStatus(t, res, 200)
		res.JSON(t, &cs)
		if !cs.Holding || cs.Held != 1 || cs.HeldBy == nil || *cs.HeldBy != w.manager.ID || cs.HeldAt == nil ||
			cs.Reason != "outage at the warehouse" {
			t.Fatalf("crisis status %s", res.Body)
		}
		// Held targets are never due, even long after their time.
		if got := targetState(t, h, w.a, p.Targets[0].ID); got.State != herald.StateHeld || got.DueAt != nil {
			t.Fatalf("held target: %s due %v", got.State, got.DueAt)
		}
		due, err = h.store.NextDue(context.Background(), later.Add(24*time.Hour), 10)
		if err != nil || len(due) != 0 {
			t.Fatalf("due while held: %v %v", due, err)
		}
		if got := targetState(t, h, w.a, draft.Targets[0].ID); got.State != herald.StateDraft {
			t.Fatalf("a draft was held: %s", got.State)
		}
		res = h.do(http.MethodGet, pub, w.analystTok, nil)
		res.JSON(t, &st)
		if st.Held != 1 {
			t.Fatalf("publishing status %s", res.Body)
		}
		entries, _, err := h.store.ListAudit(context.Background(), herald.AuditFilter{WorkspaceID: w.a.ID})
		if err != nil || !slices.ContainsFunc(entries, func(e herald.AuditEntry) bool {
			return e.Action == "crisis.hold" && strings.Contains(string(e.After), `"held":1`)
		}) {
			t.Fatalf("no crisis.hold audit entry: %v", err)
		}

		runScenarios(t, h, []scenario{
			{"resume: editor", http.MethodPost, crisis + "/resume", w.editorTok, nil, 403, ""},
			{"resume another workspace's target", http.MethodPost, crisis + "/resume", w.managerTok,
				map[string]any{"target_ids": []int64{w.bPost.Targets[0].ID}}, 422, "target_ids[0]"},
			{"resume a target that is not held", http.MethodPost, crisis + "/resume", w.managerTok,
				map[string]any{"target_ids": []int64{draft.Targets[0].ID}}, 422, "target_ids[0]"},
			{"resume for review", http.MethodPost, crisis + "/resume", w.managerTok,
				map[string]any{"target_ids": []int64{p.Targets[0].ID}, "reapprove": true}, 200, ""},
		})
		if got := targetState(t, h, w.a, p.Targets[0].ID); got.State != herald.StateInReview {
			t.Fatalf("resumed for review: %s", got.State)
		}
		// Approve, schedule, hold again and resume everything.
		mustStatus(t, h.do(http.MethodPost, pubPath(w.a, "/posts/%d/approve", p.ID), w.managerTok, nil), 200)
		mustStatus(t, h.do(http.MethodPost, pubPath(w.a, "/posts/%d/schedule", p.ID), w.editorTok, nil), 200)
		mustStatus(t, h.do(http.MethodPost, crisis+"/hold", w.managerTok, map[string]any{"reason": "again"}), 200)
		res = h.do(http.MethodPost, crisis+"/resume", w.managerTok, nil)
		mustStatus(t, res, 200)
		res.JSON(t, &cs)
		if cs.Changed != 1 || cs.Holding {
			t.Fatalf("resume all %s", res.Body)
		}
		if got := targetState(t, h, w.a, p.Targets[0].ID); got.State != herald.StateScheduled || got.DueAt == nil {
			t.Fatalf("resumed: %s due %v", got.State, got.DueAt)
		}
	})
}

// countingWaker counts wake-ups.
type countingWaker struct{ n atomic.Int64 }

func (c *countingWaker) Wake() { c.n.Add(1) }

func TestWakerIsToldOfDueTargets(t *testing.T) {
	forEachStore(t, func(t *testing.T, h *harness) {
		w := newPubWorld(t, h)
		var wk countingWaker
		h.svc.Posts.SetWaker(&wk)
		t.Cleanup(func() { h.svc.Posts.SetWaker(nil) })
		d := w.newPost(t, w.editorTok, "draft", nil, w.aAcct)
		if got := wk.n.Load(); got != 0 {
			t.Fatalf("a draft woke the dispatcher %d times", got)
		}
		mustStatus(t, h.do(http.MethodPost, pubPath(w.a, "/posts/%d/publish-now", d.ID), w.editorTok, nil), 200)
		if got := wk.n.Load(); got != 1 {
			t.Fatalf("publish now woke the dispatcher %d times, want 1", got)
		}
		mustStatus(t, h.do(http.MethodPost, pubPath(w.a, "/crisis/hold"), w.managerTok, map[string]any{"reason": "r"}), 200)
		mustStatus(t, h.do(http.MethodPost, pubPath(w.a, "/crisis/resume"), w.managerTok, nil), 200)
		if got := wk.n.Load(); got != 2 {
			t.Fatalf("after resume the dispatcher was woken %d times, want 2", got)
		}
	})
}
