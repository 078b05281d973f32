package api_test

import (
	"context"
	"net/http"
	"sync/atomic"
	"testing"

	"github.com/heraldsocial/herald/internal/herald"
)

// countingStore counts media look-ups.
type countingStore struct {
	herald.Store
	media atomic.Int64
}

func (c *countingStore) GetMedia(ctx context.Context, workspaceID, id int64) (herald.MediaAsset, error) {
	c.media.Add(1)
	return c.Store.GetMedia(ctx, workspaceID, id)
}

func TestValidatePostWorkIsBounded(t *testing.T) {
	st := &countingStore{Store: openSQLite(t)}
	h := newHarness(t, st)
	w := newEngageWorld(t, h)
	acct := w.connectPassword(t, "alice")
	draft := func(targets, parts, media int) map[string]any {
		ids := make([]int64, media)
		for i := range ids {
			ids[i] = int64(9000 + i)
		}
		thread := make([]map[string]any, parts)
		for i := range thread {
			thread[i] = map[string]any{"text": "part", "media_ids": ids}
		}
		ts := make([]map[string]any, targets)
		for i := range ts {
			ts[i] = map[string]any{"account_id": acct.ID, "variant": map[string]any{"text": "hello", "media_ids": ids, "thread": thread}}
		}
		return map[string]any{"text": "hello", "targets": ts}
	}

	// 100 targets × 50 parts × 20 media: refused before any look-up.
	st.media.Store(0)
	r := h.do("POST", w.path(w.ws, "/posts/validate"), w.contribTok, draft(100, 50, 20))
	mustStatus(t, r, http.StatusUnprocessableEntity)
	if r.ErrorCode() != "invalid" || !contains(string(r.Body), "too large to check at once") {
		t.Errorf("refusal body: %s", r.Body)
	}
	if n := st.media.Load(); n != 0 {
		t.Errorf("%d media look-ups for a refused draft", n)
	}

	// A draft within bounds looks each media asset up once.
	st.media.Store(0)
	r = h.do("POST", w.path(w.ws, "/posts/validate"), w.contribTok, draft(5, 4, 3))
	mustStatus(t, r, http.StatusOK)
	if n := st.media.Load(); n != 3 {
		t.Errorf("%d media look-ups for 3 distinct assets referenced %d times", n, 5*5*3)
	}
}

func contains(s, sub string) bool {
	for i := 0; i+len(sub) <= len(s); i++ {
		if s[i:i+len(sub)] == sub {
			return true
		}
	}
	return false
}
