package api_test

import (
	"context"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/heraldsocial/herald/internal/herald"
)

func TestAccountScheduleAndQueue(t *testing.T) {
	forEachStore(t, func(t *testing.T, h *harness) {
		w := newPubWorld(t, h)
		sched := pubPath(w.a, "/accounts/%d/schedule", w.aAcct.ID)
		slots := map[string]any{"slots": []map[string]any{
			{"day": "monday", "time": "09:00"}, {"day": "tuesday", "time": "09:00"}, {"day": "wednesday", "time": "09:00"},
			{"day": "thursday", "time": "09:00"}, {"day": "friday", "time": "09:00"}, {"day": "saturday", "time": "09:00"},
			{"day": "sunday", "time": "09:00"}}}
		runScenarios(t, h, []scenario{
			{"read: analyst", http.MethodGet, sched, w.analystTok, nil, 200, ""},
			{"write: editor", http.MethodPut, sched, w.editorTok, slots, 403, ""},
			{"write: other workspace", http.MethodPut, pubPath(w.a, "/accounts/%d/schedule", w.bAcct.ID), w.managerTok, slots, 404, ""},
			{"read: other workspace", http.MethodGet, pubPath(w.a, "/accounts/%d/schedule", w.bAcct.ID), w.managerTok, nil, 404, ""},
			{"unknown day", http.MethodPut, sched, w.managerTok, map[string]any{"slots": []map[string]any{{"day": "funday", "time": "09:00"}}}, 422, ""},
			{"bad time", http.MethodPut, sched, w.managerTok, map[string]any{"slots": []map[string]any{{"day": "monday", "time": "29:99"}}}, 422, "slots[0].time"},
			{"duplicate slot", http.MethodPut, sched, w.managerTok, map[string]any{"slots": []map[string]any{
				{"day": "monday", "time": "09:00"}, {"day": "monday", "time": "09:00"}}}, 422, "slots[1]"},
			{"unknown field", http.MethodPut, sched, w.managerTok, map[string]any{"slots": []any{}, "zone": "UTC"}, 422, ""},
			{"set", http.MethodPut, sched, w.managerTok, slots, 200, ""},
		})
		var got struct {
			Slots []herald.PostingSlot `json:"slots"`
		}
		res := h.do(http.MethodGet, sched, w.analystTok, nil)
		mustStatus(t, res, 200)
		res.JSON(t, &got)
		if len(got.Slots) != 7 || got.Slots[0] != (herald.PostingSlot{Day: "monday", Time: "09:00"}) {
			t.Fatalf("schedule %s", res.Body)
		}

		// Queueing on an account without slots says what to do.
		res = h.do(http.MethodPost, pubPath(w.a, "/posts"), w.editorTok, map[string]any{"text": "q", "action": "queue",
			"targets": []map[string]any{{"account_id": w.aAcct2.ID}}})
		mustStatus(t, res, 422)
		if want := "has no posting schedule: add time slots first"; !strings.Contains(string(res.Body), want) {
			t.Fatalf("body %s", res.Body)
		}
		paris, err := time.LoadLocation("Europe/Paris")
		if err != nil {
			t.Fatal(err)
		}
		// Two queued posts take the next two daily 09:00 slots.
		var times []time.Time
		for range 2 {
			p := w.newPost(t, w.editorTok, "queue", nil, w.aAcct)
			tg := p.Targets[0]
			if tg.State != herald.StateScheduled || tg.ScheduledAt == nil {
				t.Fatalf("queued target %s at %v", tg.State, tg.ScheduledAt)
			}
			local := tg.ScheduledAt.In(paris)
			if local.Hour() != 9 || local.Minute() != 0 || !tg.ScheduledAt.After(time.Now()) ||
				tg.ScheduledAt.After(time.Now().Add(49*time.Hour)) {
				t.Fatalf("queued at %v (%v local)", tg.ScheduledAt, local)
			}
			times = append(times, *tg.ScheduledAt)
		}
		if gap := times[1].Sub(times[0]); gap < 23*time.Hour || gap > 25*time.Hour {
			t.Fatalf("queued at %v then %v: want consecutive days", times[0], times[1])
		}
		// The queue action on an existing post.
		d := w.newPost(t, w.editorTok, "draft", nil, w.aAcct)
		qpath := pubPath(w.a, "/posts/%d/queue", d.ID)
		runScenarios(t, h, []scenario{
			{"queue: analyst", http.MethodPost, qpath, w.analystTok, nil, 403, ""},
			{"queue: contributor's draft needs approval", http.MethodPost, qpath, w.contribTok, nil, 403, ""},
			{"queue: other workspace", http.MethodPost, pubPath(w.a, "/posts/%d/queue", w.bPost.ID), w.editorTok, nil, 404, ""},
			{"queue", http.MethodPost, qpath, w.editorTok, nil, 200, ""},
		})
		third := targetState(t, h, w.a, d.Targets[0].ID)
		if third.ScheduledAt == nil || third.ScheduledAt.Sub(times[1]) < 23*time.Hour {
			t.Fatalf("third queued at %v, after %v", third.ScheduledAt, times[1])
		}
	})
}

func TestRecurringSeries(t *testing.T) {
	forEachStore(t, func(t *testing.T, h *harness) {
		ctx := context.Background()
		w := newPubWorld(t, h)
		first := time.Now().Add(time.Hour).UTC().Truncate(time.Second)
		create := func(rule string) response {
			return h.do(http.MethodPost, pubPath(w.a, "/posts"), w.editorTok, map[string]any{"text": "daily tip", "action": "schedule",
				"recurrence": rule, "targets": []map[string]any{{"account_id": w.aAcct.ID, "scheduled_at": first.Format(time.RFC3339)}}})
		}
		for _, bad := range []string{"FREQ=HOURLY", "every day", "DTSTART:20260101T000000Z\nFREQ=DAILY"} {
			res := create(bad)
			mustStatus(t, res, 422)
			if f := errorFields(t, res); len(f) == 0 || f[0] != "recurrence" {
				t.Fatalf("%q: fields %v", bad, f)
			}
		}
		res := create("FREQ=DAILY")
		mustStatus(t, res, 201)
		var head herald.Post
		res.JSON(t, &head)
		if head.SeriesID == nil || *head.SeriesID != head.ID || head.Recurrence != "FREQ=DAILY" || head.OccurrenceAt == nil ||
			!head.OccurrenceAt.Equal(first) {
			t.Fatalf("head %s", res.Body)
		}
		series := func() []herald.Post {
			t.Helper()
			posts, _, err := h.store.ListPosts(ctx, herald.PostFilter{WorkspaceID: w.a.ID, SeriesID: head.ID, Page: herald.Page{Limit: 200}})
			if err != nil {
				t.Fatal(err)
			}
			return posts
		}
		posts := series()
		// Daily from an hour from now: the occurrences of the next 30 days.
		if len(posts) != 30 {
			t.Fatalf("series has %d posts, want 30", len(posts))
		}
		paris, _ := time.LoadLocation("Europe/Paris")
		wantClock := first.In(paris).Format("15:04")
		for _, p := range posts {
			tg := p.Targets[0]
			if tg.State != herald.StateScheduled || tg.ScheduledAt.In(paris).Format("15:04") != wantClock || !tg.ScheduledAt.Equal(*p.OccurrenceAt) {
				t.Fatalf("occurrence %d: %s at %v (occurrence %v)", p.ID, tg.State, tg.ScheduledAt, p.OccurrenceAt)
			}
		}
		// Extending is idempotent, and goes on as time passes.
		n, err := h.svc.Posts.ExtendSeries(ctx, time.Now())
		if err != nil || n != 0 {
			t.Fatalf("extend now: %d, %v", n, err)
		}
		n, err = h.svc.Posts.ExtendSeries(ctx, time.Now().Add(48*time.Hour))
		if err != nil || n != 2 {
			t.Fatalf("extend two days later: %d, %v", n, err)
		}
		n, err = h.svc.Posts.ExtendSeries(ctx, time.Now().Add(48*time.Hour))
		if err != nil || n != 0 {
			t.Fatalf("extend again: %d, %v", n, err)
		}
		if got := len(series()); got != 32 {
			t.Fatalf("series has %d posts, want 32", got)
		}

		plain := w.newPost(t, w.editorTok, "draft", nil, w.aAcct)
		cancel := pubPath(w.a, "/posts/%d/series/cancel", posts[3].ID)
		runScenarios(t, h, []scenario{
			{"cancel: analyst", http.MethodPost, cancel, w.analystTok, nil, 403, ""},
			{"cancel: other workspace", http.MethodPost, pubPath(w.a, "/posts/%d/series/cancel", w.bPost.ID), w.editorTok, nil, 404, ""},
			{"cancel: not a series", http.MethodPost, pubPath(w.a, "/posts/%d/series/cancel", plain.ID), w.editorTok, nil, 409, ""},
			{"cancel: comment too long", http.MethodPost, cancel, w.editorTok, map[string]any{"comment": strings.Repeat("x", 2001)}, 422, ""},
		})
		res = h.do(http.MethodPost, cancel, w.editorTok, map[string]any{"comment": "campaign over"})
		mustStatus(t, res, 200)
		var out struct {
			SeriesID  int64   `json:"series_id"`
			Cancelled []int64 `json:"cancelled_post_ids"`
		}
		res.JSON(t, &out)
		if out.SeriesID != head.ID || len(out.Cancelled) != 32 {
			t.Fatalf("cancel %s", res.Body)
		}
		for _, p := range series() {
			if p.Targets[0].State != herald.StateCancelled {
				t.Fatalf("post %d still %s", p.ID, p.Targets[0].State)
			}
		}
		rec, err := h.store.ListRecurringPosts(ctx)
		if err != nil || len(rec) != 0 {
			t.Fatalf("still recurring: %v %v", rec, err)
		}
		if n, err := h.svc.Posts.ExtendSeries(ctx, time.Now().Add(5*24*time.Hour)); err != nil || n != 0 {
			t.Fatalf("extend after cancel: %d, %v", n, err)
		}
	})
}
