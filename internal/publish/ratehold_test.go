package publish_test

import (
	"fmt"
	"testing"
	"time"

	"github.com/heraldsocial/herald/internal/connector/fake/fakeserver"
	"github.com/heraldsocial/herald/internal/herald"
)

// After a 429 the account's held posts go out within the platform's
// budget: not all at the reset (a storm of 429s), and holding a post back
// writes no attempt.
func TestRateLimitReleasesHeldPostsWithinTheLimit(t *testing.T) {
	eachStore(t, func(t *testing.T, open func(*testing.T) testStore) {
		const (
			limit  = 3
			window = 2 * time.Second
			posts  = 12
		)
		h := newHarness(t, open(t), fakeserver.Config{RateLimit: limit, RateWindow: window})
		alice := h.account(t, "alice", "", "")
		start := time.Now().Add(500 * time.Millisecond)
		var ts []herald.Target
		for i := range posts {
			// One after another, faster than the limit: the fourth meets a
			// 429 and the rest come due while alice is blocked.
			ts = append(ts, h.schedule(t, alice, start.Add(time.Duration(i)*100*time.Millisecond), herald.Variant{Text: fmt.Sprintf("p%d", i)}))
		}
		h.start(t, testConfig("one"), h.registry(nil))
		for _, tg := range ts {
			h.waitState(t, tg.ID, herald.StatePublished)
		}
		refused := h.srv.Stats().RateLimited
		if refused == 0 {
			t.Fatal("the platform refused nothing: the limit was never met and the test proves nothing")
		}
		// The first 429, and at most a couple more where the estimate of
		// the platform's window was short: never one per held post.
		if refused > 3 {
			t.Errorf("the platform answered 429 %d times for %d posts, want at most 3", refused, posts)
		}
		attempts := 0
		for _, tg := range ts {
			if ps := h.posts(tg.ID); len(ps) != 1 {
				t.Errorf("target %d has %d posts, want 1", tg.ID, len(ps))
			}
			as := h.attempts(t, tg.ID)
			attempts += len(as)
			if len(as) > 2 {
				t.Errorf("target %d has %d attempts, want at most 2 (holding back writes none): %+v", tg.ID, len(as), as)
			}
		}
		// One attempt per post, and one more only for each post a 429
		// actually answered.
		if want := posts + int(refused); attempts > want {
			t.Errorf("%d attempts for %d posts and %d 429s, want at most %d", attempts, posts, refused, want)
		}
		h.noDuplicates(t)
	})
}
