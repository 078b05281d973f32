package listen

import (
	"context"
	"errors"
	"fmt"

	"github.com/heraldsocial/herald/internal/herald"
)

// Match returns one of the workspace's stored matches with its topics.
func (s *Service) Match(ctx context.Context, actor herald.Actor, id int64) (herald.ListenMatch, error) {
	if err := actor.Require(herald.ActAnalyticsRead); err != nil {
		return herald.ListenMatch{}, err
	}
	m, err := s.store.GetListenMatch(ctx, actor.WorkspaceID, id)
	if errors.Is(err, herald.ErrNotFound) {
		return herald.ListenMatch{}, herald.NotFound("listening match")
	}
	if err != nil {
		return herald.ListenMatch{}, fmt.Errorf("listen: match %d: %w", id, err)
	}
	return m, nil
}
