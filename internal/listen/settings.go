package listen

import (
	"context"
	"fmt"

	"github.com/heraldsocial/herald/internal/herald"
)

// Settings returns the workspace's listening settings.
func (s *Service) Settings(ctx context.Context, actor herald.Actor) (herald.ListenSettings, error) {
	if err := actor.Require(herald.ActAnalyticsRead); err != nil {
		return herald.ListenSettings{}, err
	}
	st, err := s.store.ListenSettings(ctx, actor.WorkspaceID)
	if err != nil {
		return herald.ListenSettings{}, fmt.Errorf("listen: settings: %w", err)
	}
	return st, nil
}

// SetKeepDays sets how many days the workspace keeps its matches; the
// prune_listen job deletes older ones within the hour.
func (s *Service) SetKeepDays(ctx context.Context, actor herald.Actor, days int) (herald.ListenSettings, error) {
	if err := actor.Require(herald.ActListenManage); err != nil {
		return herald.ListenSettings{}, err
	}
	if days < herald.MinListenKeepDays || days > herald.MaxListenKeepDays {
		return herald.ListenSettings{}, herald.Problems{{Field: "keep_days",
			Problem: fmt.Sprintf("is %d; keep matches from %d to %d days", days, herald.MinListenKeepDays, herald.MaxListenKeepDays)}}.
			Err("the listening settings are not valid")
	}
	before, err := s.store.ListenSettings(ctx, actor.WorkspaceID)
	if err != nil {
		return herald.ListenSettings{}, fmt.Errorf("listen: settings: %w", err)
	}
	st := herald.ListenSettings{WorkspaceID: actor.WorkspaceID, KeepDays: days}
	if err := s.store.PutListenSettings(ctx, st); err != nil {
		return herald.ListenSettings{}, fmt.Errorf("listen: settings: %w", err)
	}
	e := herald.NewAudit(actor, "listen.settings", "workspace", actor.WorkspaceID, before, st, s.clock.Now())
	if err := s.store.AppendAudit(ctx, &e); err != nil {
		s.logger.ErrorContext(ctx, "audit the listening settings", "error", err)
	}
	return st, nil
}
