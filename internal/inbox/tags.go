package inbox

import (
	"context"
	"fmt"

	"github.com/heraldsocial/herald/internal/herald"
)

// triage checks that the actor may change items (the role that may reply).
func triage(actor herald.Actor, ids []int64) error {
	if err := actor.Require(herald.ActPostsSchedule); err != nil {
		return err
	}
	if len(ids) == 0 {
		return herald.Problems{{Field: "ids", Problem: "choose at least one item"}}.Err("nothing to change")
	}
	return nil
}

// AddTags tags the items; tags are trimmed and unique per item ignoring case.
func (s *Service) AddTags(ctx context.Context, actor herald.Actor, ids []int64, tags []string) error {
	if err := triage(actor, ids); err != nil {
		return err
	}
	var p herald.Problems
	tags = validTags(&p, "add_tags", tags)
	if len(tags) == 0 && len(p) == 0 {
		p.Add("add_tags", "write at least one tag")
	}
	if err := p.Err("the tags cannot be added"); err != nil {
		return err
	}
	if err := s.store.AddInboxTags(ctx, actor.WorkspaceID, ids, tags); err != nil {
		return fmt.Errorf("inbox: add tags: %w", err)
	}
	return nil
}

// RemoveTags removes the tags (ignoring case) from the items.
func (s *Service) RemoveTags(ctx context.Context, actor herald.Actor, ids []int64, tags []string) error {
	if err := triage(actor, ids); err != nil {
		return err
	}
	var p herald.Problems
	tags = validTags(&p, "remove_tags", tags)
	if err := p.Err("the tags cannot be removed"); err != nil {
		return err
	}
	if err := s.store.RemoveInboxTags(ctx, actor.WorkspaceID, ids, tags); err != nil {
		return fmt.Errorf("inbox: remove tags: %w", err)
	}
	return nil
}

// SetPriority sets the items' priority.
func (s *Service) SetPriority(ctx context.Context, actor herald.Actor, ids []int64, p herald.InboxPriority) error {
	if err := triage(actor, ids); err != nil {
		return err
	}
	if !p.Valid() {
		return herald.Problems{{Field: "priority", Problem: "choose normal, high or urgent"}}.Err("unknown priority")
	}
	if err := s.store.SetInboxPriority(ctx, actor.WorkspaceID, ids, p); err != nil {
		return fmt.Errorf("inbox: set priority: %w", err)
	}
	return nil
}

// TagNames returns the tags in use in the workspace, for filters and
// suggestions.
func (s *Service) TagNames(ctx context.Context, actor herald.Actor) ([]string, error) {
	if err := actor.Require(herald.ActPostsRead); err != nil {
		return nil, err
	}
	names, err := s.store.ListInboxTagNames(ctx, actor.WorkspaceID)
	if err != nil {
		return nil, fmt.Errorf("inbox: tag names: %w", err)
	}
	return names, nil
}

// RuleHits returns what rules did to an item, oldest first.
func (s *Service) RuleHits(ctx context.Context, actor herald.Actor, itemID int64) ([]herald.InboxRuleHit, error) {
	if err := actor.Require(herald.ActPostsRead); err != nil {
		return nil, err
	}
	if _, err := s.store.GetInboxItem(ctx, actor.WorkspaceID, itemID); err != nil {
		return nil, fmt.Errorf("inbox: rule hits: %w", err)
	}
	hits, err := s.store.ListInboxRuleHits(ctx, actor.WorkspaceID, itemID)
	if err != nil {
		return nil, fmt.Errorf("inbox: rule hits: %w", err)
	}
	return hits, nil
}
