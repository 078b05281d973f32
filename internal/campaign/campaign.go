// Package campaign manages a workspace's campaigns: groups of posts working
// toward one goal over a period.
package campaign

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strings"

	"github.com/heraldsocial/herald/internal/herald"
)

// Service is the campaign use-case. It is safe for concurrent use.
type Service struct {
	store  herald.Store
	clock  herald.Clock
	logger *slog.Logger
}

// New returns a Service over store.
func New(store herald.Store, clock herald.Clock, logger *slog.Logger) *Service {
	if logger == nil {
		logger = slog.New(slog.DiscardHandler)
	}
	return &Service{store: store, clock: clock, logger: logger}
}

// Patch changes some of a campaign's fields; nil fields stay as they are.
// An empty Goal, StartDate or EndDate clears that field.
type Patch struct {
	Name      *string
	Goal      *string
	StartDate *string
	EndDate   *string
}

// List returns the workspace's campaigns, newest first.
func (s *Service) List(ctx context.Context, actor herald.Actor) ([]herald.Campaign, error) {
	if err := actor.Require(herald.ActCampaignsRead); err != nil {
		return nil, err
	}
	cs, err := s.store.ListCampaigns(ctx, actor.WorkspaceID)
	if err != nil {
		return nil, fmt.Errorf("campaign: list: %w", err)
	}
	return cs, nil
}

// Get returns one campaign of the actor's workspace.
func (s *Service) Get(ctx context.Context, actor herald.Actor, id int64) (herald.Campaign, error) {
	if err := actor.Require(herald.ActCampaignsRead); err != nil {
		return herald.Campaign{}, err
	}
	return get(ctx, s.store, actor.WorkspaceID, id)
}

func get(ctx context.Context, tx herald.Tx, workspaceID, id int64) (herald.Campaign, error) {
	c, err := tx.GetCampaign(ctx, workspaceID, id)
	if errors.Is(err, herald.ErrNotFound) {
		return herald.Campaign{}, herald.NotFound("campaign")
	}
	if err != nil {
		return herald.Campaign{}, fmt.Errorf("campaign: get %d: %w", id, err)
	}
	return c, nil
}

// Create adds a campaign to the actor's workspace. The name must be
// unused in the workspace (case-insensitively): two campaigns of one name
// could not be told apart in the composer.
func (s *Service) Create(ctx context.Context, actor herald.Actor, c herald.Campaign) (herald.Campaign, error) {
	if err := actor.Require(herald.ActCampaignsManage); err != nil {
		return herald.Campaign{}, err
	}
	c.ID = 0
	c.WorkspaceID = actor.WorkspaceID
	if err := c.Validate(); err != nil {
		return herald.Campaign{}, err
	}
	now := s.clock.Now()
	c.CreatedAt, c.UpdatedAt = now, now
	err := s.store.InTx(ctx, func(tx herald.Tx) error {
		if err := unique(ctx, tx, c); err != nil {
			return err
		}
		if err := tx.CreateCampaign(ctx, &c); err != nil {
			return err
		}
		e := herald.NewAudit(actor, "campaign.create", "campaign", c.ID, nil, c, now)
		return tx.AppendAudit(ctx, &e)
	})
	if err != nil {
		return herald.Campaign{}, fmt.Errorf("campaign: create: %w", err)
	}
	s.logger.InfoContext(ctx, "campaign created", "workspace_id", c.WorkspaceID, "campaign_id", c.ID)
	return c, nil
}

// Update changes some of a campaign's fields.
func (s *Service) Update(ctx context.Context, actor herald.Actor, id int64, p Patch) (herald.Campaign, error) {
	if err := actor.Require(herald.ActCampaignsManage); err != nil {
		return herald.Campaign{}, err
	}
	var after herald.Campaign
	err := s.store.InTx(ctx, func(tx herald.Tx) error {
		before, err := get(ctx, tx, actor.WorkspaceID, id)
		if err != nil {
			return err
		}
		after = before
		set(&after.Name, p.Name)
		set(&after.Goal, p.Goal)
		set(&after.StartDate, p.StartDate)
		set(&after.EndDate, p.EndDate)
		if err := after.Validate(); err != nil {
			return err
		}
		if after.Name == before.Name && after.Goal == before.Goal &&
			after.StartDate == before.StartDate && after.EndDate == before.EndDate {
			return nil
		}
		if !strings.EqualFold(after.Name, before.Name) {
			if err := unique(ctx, tx, after); err != nil {
				return err
			}
		}
		after.UpdatedAt = s.clock.Now()
		if err := tx.UpdateCampaign(ctx, &after); err != nil {
			return err
		}
		e := herald.NewAudit(actor, "campaign.update", "campaign", id, before, after, after.UpdatedAt)
		return tx.AppendAudit(ctx, &e)
	})
	if err != nil {
		return herald.Campaign{}, fmt.Errorf("campaign: update %d: %w", id, err)
	}
	return after, nil
}

// Delete removes a campaign; its posts stay, no longer linked to it.
func (s *Service) Delete(ctx context.Context, actor herald.Actor, id int64) error {
	if err := actor.Require(herald.ActCampaignsManage); err != nil {
		return err
	}
	err := s.store.InTx(ctx, func(tx herald.Tx) error {
		before, err := get(ctx, tx, actor.WorkspaceID, id)
		if err != nil {
			return err
		}
		if err := tx.DeleteCampaign(ctx, actor.WorkspaceID, id); err != nil {
			return err
		}
		e := herald.NewAudit(actor, "campaign.delete", "campaign", id, before, nil, s.clock.Now())
		return tx.AppendAudit(ctx, &e)
	})
	if err != nil {
		return fmt.Errorf("campaign: delete %d: %w", id, err)
	}
	s.logger.InfoContext(ctx, "campaign deleted", "workspace_id", actor.WorkspaceID, "campaign_id", id)
	return nil
}

// unique refuses c's name when another campaign of its workspace has it.
func unique(ctx context.Context, tx herald.Tx, c herald.Campaign) error {
	cs, err := tx.ListCampaigns(ctx, c.WorkspaceID)
	if err != nil {
		return fmt.Errorf("campaign: list: %w", err)
	}
	for _, o := range cs {
		if o.ID != c.ID && strings.EqualFold(o.Name, c.Name) {
			return &herald.Error{Code: herald.CodeConflict,
				Message: fmt.Sprintf("a campaign named %q already exists in this workspace: choose another name", c.Name),
				Details: []herald.FieldProblem{{Field: "name", Problem: "is already used by another campaign"}}}
		}
	}
	return nil
}

func set(dst *string, v *string) {
	if v != nil {
		*dst = *v
	}
}
