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
