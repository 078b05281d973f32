package links

import (
	"context"
	"fmt"

	"github.com/heraldsocial/herald/internal/herald"
)

// ShortenerFor returns how the post's texts will be published as far as
// their length goes: Shorten when its links are tracked (by the post's
// choice, else the workspace's setting), nil when they are not. The post
// service's checks count the short links with it.
func (s *Service) ShortenerFor(ctx context.Context, workspaceID int64, p herald.Post) (func(string) string, error) {
	byDefault := true
	if p.Links == nil || p.Links.Track == nil {
		set, err := s.store.GetAnalyticsSettings(ctx, workspaceID)
		if err != nil {
			return nil, fmt.Errorf("links: read the settings of workspace %d: %w", workspaceID, err)
		}
		byDefault = set.TrackLinks
	}
	if !p.Links.Tracked(byDefault) {
		return nil, nil
	}
	return s.Shorten, nil
}
