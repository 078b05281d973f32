package post

import (
	"context"
	"testing"

	"github.com/heraldsocial/herald/internal/connector"
	"github.com/heraldsocial/herald/internal/herald"
)

// plainEditor edits text only and would drop media.
type plainEditor struct{}

func (plainEditor) Publish(context.Context, connector.Account, connector.Part) (herald.RemoteRef, error) {
	return herald.RemoteRef{}, nil
}

// keepingEditor keeps the media a post has when the edit carries none.
type keepingEditor struct{ plainEditor }

func (keepingEditor) EditKeepsMedia() bool { return true }

func TestMediaEditable(t *testing.T) {
	withMedia := herald.Target{ID: 3, Variant: herald.Variant{MediaIDs: []int64{9}}}
	if err := mediaEditable(plainEditor{}, withMedia); err == nil {
		t.Error("a connector that would drop the media edits a post with media")
	}
	if err := mediaEditable(keepingEditor{}, withMedia); err != nil {
		t.Errorf("a connector that keeps media refused: %v", err)
	}
	if err := mediaEditable(plainEditor{}, herald.Target{ID: 4}); err != nil {
		t.Errorf("a post without media refused: %v", err)
	}
}

// textEditor edits text and drops media.
type textEditor struct{ plainEditor }

func (textEditor) Edit(context.Context, connector.Account, herald.RemoteRef, connector.Part) (herald.RemoteRef, error) {
	return herald.RemoteRef{}, nil
}

// mediaEditor edits text and keeps media.
type mediaEditor struct{ textEditor }

func (mediaEditor) EditKeepsMedia() bool { return true }

func TestEditsRemote(t *testing.T) {
	reg := connector.NewRegistry()
	reg.Register(herald.PlatformMastodon, mediaEditor{})
	reg.Register(herald.PlatformX, textEditor{})
	reg.Register(herald.PlatformBluesky, plainEditor{})
	s := New(nil, herald.SystemClock{}, nil, WithConnectors(reg, nil))
	plain := herald.Target{ID: 1}
	withMedia := herald.Target{ID: 2, Variant: herald.Variant{MediaIDs: []int64{9}}}
	for _, c := range []struct {
		platform herald.Platform
		t        herald.Target
		want     bool
	}{
		{herald.PlatformMastodon, plain, true},
		{herald.PlatformMastodon, withMedia, true},
		{herald.PlatformX, plain, true},
		{herald.PlatformX, withMedia, false},
		{herald.PlatformBluesky, plain, false},
		{herald.PlatformThreads, plain, false},
	} {
		if got := s.EditsRemote(c.platform, c.t); got != c.want {
			t.Errorf("EditsRemote(%s, target %d) = %v, want %v", c.platform, c.t.ID, got, c.want)
		}
	}
	if New(nil, herald.SystemClock{}, nil).EditsRemote(herald.PlatformMastodon, plain) {
		t.Error("a server without connectors says it can edit")
	}
}
