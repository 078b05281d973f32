package workspace

import (
	"context"
	"errors"
	"fmt"

	"github.com/heraldsocial/herald/internal/herald"
)

// BrandVoice returns the actor's workspace's brand voice rules in their
// current form (older banned words and required hashtags folded in as
// blocks). Every member may read them.
func (s *Service) BrandVoice(ctx context.Context, actor herald.Actor) (herald.BrandRules, error) {
	w, err := s.Get(ctx, actor)
	if err != nil {
		return herald.BrandRules{}, err
	}
	return w.BrandRules.Normalized(), nil
}

// SetBrandVoice replaces the workspace's brand voice rules as a whole,
// keeping its approval switch (a setting of the workflow, not of the
// voice). Admins and owners may.
func (s *Service) SetBrandVoice(ctx context.Context, actor herald.Actor, rules herald.BrandRules) (herald.BrandRules, error) {
	w, err := s.update(ctx, actor, "workspace.brand_voice", func(w *herald.Workspace) {
		approval := w.BrandRules.RequireApproval
		w.BrandRules = rules.Normalized()
		w.BrandRules.RequireApproval = approval
	})
	if err != nil {
		return herald.BrandRules{}, err
	}
	return w.BrandRules, nil
}

// checkRuleRefs refuses required tags newly scoped to a label or campaign
// that is not in the workspace. Scopes the rules had before are not read
// again: a label deleted since leaves its rule asking nothing, and must
// not stop the workspace from being renamed.
func checkRuleRefs(ctx context.Context, tx herald.Tx, before, w herald.Workspace) error {
	had := map[[2]int64]bool{}
	for _, t := range before.BrandRules.RequiredTags {
		had[[2]int64{t.LabelID, t.CampaignID}] = true
	}
	var labels map[int64]bool
	var p herald.Problems
	for i, t := range w.BrandRules.RequiredTags {
		field := fmt.Sprintf("brand_rules.required_tags[%d]", i)
		if had[[2]int64{t.LabelID, t.CampaignID}] {
			continue
		}
		if t.LabelID > 0 {
			if labels == nil {
				ls, err := tx.ListLabels(ctx, w.ID)
				if err != nil {
					return fmt.Errorf("list labels: %w", err)
				}
				labels = map[int64]bool{}
				for _, l := range ls {
					labels[l.ID] = true
				}
			}
			if !labels[t.LabelID] {
				p.Add(field+".label_id", "label %d does not exist in this workspace: choose one of its labels", t.LabelID)
			}
		}
		if t.CampaignID > 0 {
			if _, err := tx.GetCampaign(ctx, w.ID, t.CampaignID); err != nil {
				if !errors.Is(err, herald.ErrNotFound) {
					return fmt.Errorf("get campaign %d: %w", t.CampaignID, err)
				}
				p.Add(field+".campaign_id", "campaign %d does not exist in this workspace: choose one of its campaigns", t.CampaignID)
			}
		}
	}
	return p.Err("the brand voice rules are not valid")
}
