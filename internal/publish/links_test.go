package publish_test

import (
	"context"
	"errors"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/heraldsocial/herald/internal/connector/fake/fakeserver"
	"github.com/heraldsocial/herald/internal/herald"
)

// shortener stands in for links.Service: it fails its first call, then
// turns every https://shop.example.com address into the same short link.
type shortener struct {
	mu    sync.Mutex
	calls int
}

func (s *shortener) TrackLinks(_ context.Context, _ herald.Target, pl herald.Platform, texts []string) ([]string, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.calls++
	if s.calls == 1 {
		return nil, errors.New("the database is busy")
	}
	out := make([]string, len(texts))
	for i, t := range texts {
		out[i] = strings.ReplaceAll(t, "https://shop.example.com/sale", "https://h.example/l/Ab3dE5gH")
	}
	return out, nil
}

// TestTrackedLinksArePublished publishes every part with its addresses
// turned into short links; when the links cannot be made the attempt is
// transient (nothing is sent) and the next one publishes once.
func TestTrackedLinksArePublished(t *testing.T) {
	eachStore(t, func(t *testing.T, open func(*testing.T) testStore) {
		h := newHarness(t, open(t), fakeserver.Config{})
		links := &shortener{}
		h.links = links
		acct := h.account(t, "alice", "", "")
		tg := h.schedule(t, acct, time.Now(), herald.Variant{
			Text:         "Sale! https://shop.example.com/sale",
			Thread:       []herald.ThreadPart{{Text: "no link here"}},
			FirstComment: "again: https://shop.example.com/sale",
		})
		h.start(t, testConfig("one"), h.registry(nil))
		h.waitState(t, tg.ID, herald.StatePublished)
		as := h.attempts(t, tg.ID)
		if len(as) != 2 || as[0].Outcome != herald.OutcomeTransient || as[1].Outcome != herald.OutcomePublished {
			t.Fatalf("attempts = %+v", as)
		}
		posts := h.posts(tg.ID)
		if len(posts) != 3 {
			t.Fatalf("%d posts, want 3: %+v", len(posts), posts)
		}
		texts := map[string]bool{}
		for _, p := range posts {
			texts[p.Text] = true
		}
		for _, want := range []string{"Sale! https://h.example/l/Ab3dE5gH", "no link here", "again: https://h.example/l/Ab3dE5gH"} {
			if !texts[want] {
				t.Errorf("no post %q among %v", want, texts)
			}
		}
		h.noDuplicates(t)
	})
}
