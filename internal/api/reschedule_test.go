package api_test

import (
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/heraldsocial/herald/internal/herald"
)

// TestRescheduleIfMatch checks that a reschedule sent with the ETag the
// caller read moves the post, and one sent with a stale ETag moves nothing.
func TestRescheduleIfMatch(t *testing.T) {
	forEachStore(t, func(t *testing.T, h *harness) {
		w := newPubWorld(t, h)
		later := time.Now().Add(3 * time.Hour).UTC().Truncate(time.Second)
		p := w.newPost(t, w.editorTok, "schedule", &later, w.aAcct)
		path := pubPath(w.a, "/posts/%d", p.ID)
		res := h.do(http.MethodGet, path, w.editorTok, nil)
		mustStatus(t, res, 200)
		tag := res.Header.Get("ETag")

		first := time.Now().Add(5 * time.Hour).UTC().Truncate(time.Second)
		res = h.do(http.MethodPost, path+"/reschedule", w.editorTok, map[string]any{"scheduled_at": first.Format(time.RFC3339)}, "If-Match", tag)
		mustStatus(t, res, 200)
		if res.Header.Get("ETag") == tag {
			t.Fatalf("the ETag did not change after a reschedule: %s", tag)
		}

		second := time.Now().Add(7 * time.Hour).UTC().Truncate(time.Second)
		res = h.do(http.MethodPost, path+"/reschedule", w.managerTok, map[string]any{"scheduled_at": second.Format(time.RFC3339)}, "If-Match", tag)
		mustStatus(t, res, http.StatusPreconditionFailed)
		if body := string(res.Body); !strings.Contains(body, "reload") {
			t.Fatalf("the refusal does not say what to do: %s", body)
		}
		if got := targetState(t, h, w.a, p.Targets[0].ID); !got.ScheduledAt.Equal(first) {
			t.Fatalf("the stale reschedule moved the target to %v", got.ScheduledAt)
		}
		res = h.do(http.MethodPost, path+"/reschedule", w.managerTok, map[string]any{"scheduled_at": second.Format(time.RFC3339)}, "If-Match", "nonsense")
		mustStatus(t, res, http.StatusBadRequest)
		// Without If-Match, the reschedule works as before.
		res = h.do(http.MethodPost, path+"/reschedule", w.managerTok, map[string]any{"scheduled_at": second.Format(time.RFC3339)})
		mustStatus(t, res, 200)
		var got herald.Post
		res.JSON(t, &got)
		if !got.Targets[0].ScheduledAt.Equal(second) {
			t.Fatalf("rescheduled to %v, want %v", got.Targets[0].ScheduledAt, second)
		}
	})
}
