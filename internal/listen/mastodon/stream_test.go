package mastodon_test

import (
	"context"
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/heraldsocial/herald/internal/connector/mastodon/mastodonfake"
	"github.com/heraldsocial/herald/internal/listen/mastodon"
)

// runStream runs s.Stream from cursor into a collector until the test
// ends, and checks it returned nil after the cancel.
func runStream(t *testing.T, s *mastodon.Source, cursor string) *collector {
	t.Helper()
	sink := &collector{}
	ctx, cancel := context.WithCancel(t.Context())
	done := make(chan error, 1)
	go func() { done <- s.Stream(ctx, cursor, sink) }()
	t.Cleanup(func() {
		cancel()
		select {
		case err := <-done:
			if err != nil {
				t.Errorf("Stream after cancel: %v", err)
			}
		case <-time.After(5 * time.Second):
			t.Error("Stream did not return after cancel")
		}
	})
	return sink
}

func TestStreamDeliversNewPosts(t *testing.T) {
	in := newInstance(t, mastodonfake.DefaultConfig())
	fan, _ := in.srv.AddAccount("fan", "A Fan")
	from := in.srv.Post(fan.ID, "before #acme", "")
	missed := in.srv.Post(fan.ID, "while away #acme", "") // after the cursor: caught up
	s := in.source(t, nil)
	sink := runStream(t, s, from)
	waitFor(t, "the catch-up", func() bool { return len(sink.texts()) == 1 })
	time.Sleep(200 * time.Millisecond) // the stream is open
	in.srv.Post(fan.ID, "live #acme", "")
	in.srv.Post(fan.ID, "live, no tag", "")
	waitFor(t, "the live post", func() bool { return len(sink.texts()) >= 2 })
	time.Sleep(300 * time.Millisecond)
	if got := sink.texts(); !slices.Equal(got, []string{"while away #acme", "live #acme"}) {
		t.Fatalf("delivered %q", got)
	}
	sink.mu.Lock()
	defer sink.mu.Unlock()
	if sink.cursors[0] != missed || sink.names[0] != s.Name() {
		t.Errorf("first batch cursor %s source %s", sink.cursors[0], sink.names[0])
	}
	if streamed := in.srv.Requests(); !slices.Contains(streamed, "GET /api/v1/streaming/hashtag") {
		t.Errorf("the stream was not opened: %v", streamed)
	}
}

// TestStreamSurvivesDrops: the server drops the stream every 600 ms while
// posts keep coming; every post arrives exactly once.
func TestStreamSurvivesDrops(t *testing.T) {
	cfg := mastodonfake.DefaultConfig()
	cfg.StreamMaxAge = 600 * time.Millisecond
	in := newInstance(t, cfg)
	fan, _ := in.srv.AddAccount("fan", "A Fan")
	from := in.srv.Post(fan.ID, "start", "")
	s := in.source(t, func(c *mastodon.Config) {
		c.MinBackoff, c.MaxBackoff, c.PageSize = 100*time.Millisecond, 400*time.Millisecond, 5
	})
	sink := runStream(t, s, from)
	var want []string
	for i := range 40 { // two seconds and more: several drops
		text := fmt.Sprintf("post %d #acme", i)
		in.srv.Post(fan.ID, text, "")
		want = append(want, text)
		time.Sleep(60 * time.Millisecond)
	}
	waitFor(t, "every post", func() bool { return len(sink.texts()) >= len(want) })
	time.Sleep(800 * time.Millisecond) // a reconnect's catch-up repeats nothing
	exactlyOnce(t, sink.texts(), want)
	opened := 0
	for _, r := range in.srv.Requests() {
		if r == "GET /api/v1/streaming/hashtag" {
			opened++
		}
	}
	if opened < 3 {
		t.Errorf("the stream was opened %d times: the drops were not exercised", opened)
	}
}

func TestStreamFallsBackToPolling(t *testing.T) {
	for name, cfg := range map[string]mastodonfake.Config{"no streaming": func() mastodonfake.Config {
		c := mastodonfake.DefaultConfig()
		c.NoStreaming = true
		return c
	}(), "gotosocial": mastodonfake.GoToSocialConfig()} {
		t.Run(name, func(t *testing.T) {
			in := newInstance(t, cfg)
			fan, _ := in.srv.AddAccount("fan", "A Fan")
			from := in.srv.Post(fan.ID, "start", "")
			s := in.source(t, func(c *mastodon.Config) { c.PollInterval = 100 * time.Millisecond })
			sink := runStream(t, s, from)
			in.srv.Post(fan.ID, "one #acme", "")
			waitFor(t, "the first post", func() bool { return len(sink.texts()) == 1 })
			in.srv.Post(fan.ID, "two #acme", "")
			waitFor(t, "the second post", func() bool { return len(sink.texts()) == 2 })
			time.Sleep(300 * time.Millisecond)
			exactlyOnce(t, sink.texts(), []string{"one #acme", "two #acme"})
		})
	}
}

// TestStreamTriedAgainAfterPolling: a server that had no stream is polled,
// and the stream is tried again after StreamRecheck: once the server
// offers it, the source streams, and every post is delivered once.
func TestStreamTriedAgainAfterPolling(t *testing.T) {
	cfg := mastodonfake.DefaultConfig()
	cfg.NoStreaming = true
	in := newInstance(t, cfg)
	fan, _ := in.srv.AddAccount("fan", "A Fan")
	from := in.srv.Post(fan.ID, "start", "")
	s := in.source(t, func(c *mastodon.Config) {
		c.PollInterval, c.StreamRecheck = 100*time.Millisecond, 300*time.Millisecond
	})
	sink := runStream(t, s, from)
	in.srv.Post(fan.ID, "one #acme", "")
	waitFor(t, "the polled post", func() bool { return len(sink.texts()) == 1 })
	opened := func() int {
		n := 0
		for _, r := range in.srv.Requests() {
			if r == "GET /api/v1/streaming/hashtag" {
				n++
			}
		}
		return n
	}
	before := opened() // the attempt the server refused
	if before == 0 {
		t.Fatal("the stream was never tried")
	}
	cfg.NoStreaming = false
	in.srv.Configure(cfg)
	waitFor(t, "the stream tried again", func() bool { return opened() > before })
	in.srv.Post(fan.ID, "two #acme", "")
	waitFor(t, "the streamed post", func() bool { return len(sink.texts()) == 2 })
	time.Sleep(300 * time.Millisecond)
	exactlyOnce(t, sink.texts(), []string{"one #acme", "two #acme"})
}
