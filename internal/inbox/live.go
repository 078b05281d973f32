package inbox

import (
	"context"
	"fmt"

	"github.com/heraldsocial/herald/internal/herald"
)

// Watch returns the live feed of the actor's workspace's inbox: an event
// for every new item, state change, assignment and first response, by any
// writer (every instance on PostgreSQL), until ctx ends. Whoever may read
// the inbox may watch it.
func (s *Service) Watch(ctx context.Context, actor herald.Actor) (<-chan herald.InboxEvent, error) {
	if err := actor.Require(herald.ActPostsRead); err != nil {
		return nil, err
	}
	ch, err := s.store.WatchInbox(ctx, actor.WorkspaceID)
	if err != nil {
		return nil, fmt.Errorf("inbox: watch workspace %d: %w", actor.WorkspaceID, err)
	}
	return ch, nil
}
