package mastodon_test

import (
	"errors"
	"testing"

	"github.com/heraldsocial/herald/internal/connector/mastodon/mastodonfake"
	"github.com/heraldsocial/herald/internal/listen/mastodon"
)

func TestSearchAndCapabilities(t *testing.T) {
	in := newInstance(t, mastodonfake.DefaultConfig())
	fan, _ := in.srv.AddAccount("fan", "A Fan")
	for range 3 {
		in.srv.Post(fan.ID, "Acme rockets launch today #acme", "")
	}
	in.srv.Post(fan.ID, "nothing to see", "")
	s := in.source(t, nil)
	got, err := s.Search(t.Context(), "acme rockets", 2)
	if err != nil || len(got) != 2 || got[0].Text != "Acme rockets launch today #acme" || got[0].AuthorID == "" {
		t.Fatalf("search: %v %+v", err, got)
	}
	got, err = s.Search(t.Context(), "rockets", 50) // more than one page is asked for; three exist
	if err != nil || len(got) != 3 {
		t.Fatalf("search all: %v, %d posts", err, len(got))
	}
	caps, err := s.Capabilities(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	for name, c := range map[string]mastodon.Capability{"timeline": caps.HashtagTimeline, "streaming": caps.Streaming, "search": caps.StatusSearch} {
		if !c.Supported || !c.Known || c.Note == "" {
			t.Errorf("%s: %+v, want supported", name, c)
		}
	}

	// A server without full-text search, and without streaming.
	cfg := mastodonfake.DefaultConfig()
	cfg.NoStatusSearch, cfg.NoStreaming = true, true
	in.srv.Configure(cfg)
	got, err = s.Search(t.Context(), "acme rockets", 5)
	if err != nil || len(got) != 0 {
		t.Fatalf("search without full-text search: %v %v", err, got)
	}
	caps, err = s.Capabilities(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	if !caps.HashtagTimeline.Supported || caps.Streaming.Supported || !caps.Streaming.Known ||
		caps.StatusSearch.Supported || !caps.StatusSearch.Known {
		t.Errorf("capabilities %+v", caps)
	}
	t.Logf("what this source can and cannot see: %+v", caps)

	anon := in.source(t, func(c *mastodon.Config) { c.Token = "" })
	if _, err := anon.Search(t.Context(), "acme", 5); !errors.Is(err, mastodon.ErrNoStatusSearch) {
		t.Errorf("anonymous search: %v, want ErrNoStatusSearch", err)
	}
	if b, err := anon.Poll(t.Context(), ""); err != nil || len(b.Posts) != 3 {
		t.Errorf("anonymous poll: %v, %d posts", err, len(b.Posts))
	}
}
