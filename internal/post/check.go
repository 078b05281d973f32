package post

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/heraldsocial/herald/internal/herald"
)

// check validates p as it is about to be stored: the domain rules, that
// everything it refers to is in the workspace, that new schedule times are
// in the future, and the workspace's brand rules. before is the stored post
// on an edit (nil on create); times it already had are not re-checked.
func (s *Service) check(ctx context.Context, tx herald.Tx, ws herald.Workspace, p *herald.Post, before *herald.Post, now time.Time) error {
	return s.checkWith(ctx, tx, ws, p, before, now, &refSet{})
}

// checkWith is check with what is known of the workspace's accounts,
// labels, campaigns and media kept in refs, so a batch of posts checked in
// one transaction reads each once.
func (s *Service) checkWith(ctx context.Context, tx herald.Tx, ws herald.Workspace, p *herald.Post, before *herald.Post, now time.Time, refs *refSet) error {
	var pr herald.Problems
	if err := p.Validate(); err != nil {
		var he *herald.Error
		if !errors.As(err, &he) {
			return err
		}
		pr = append(pr, he.Details...)
	}
	if err := checkRefs(ctx, tx, p, &pr, refs); err != nil {
		return err
	}
	checkTimes(p, before, now, &pr)
	if _, err := checkVoice(ctx, tx, ws, p, &pr); err != nil {
		return err
	}
	return pr.Err("the post is not valid")
}

// refSet is what checkRefs has read of a workspace, inside one
// transaction; the zero value has read nothing yet.
type refSet struct {
	accounts  map[int64]bool // nil until read
	labels    map[int64]bool // nil until read
	campaigns map[int64]bool
	media     map[int64]bool
}

// checkRefs adds a problem for each account, media asset, label or campaign
// p names that is not in its workspace.
func checkRefs(ctx context.Context, tx herald.Tx, p *herald.Post, pr *herald.Problems, refs *refSet) error {
	if refs.accounts == nil {
		accounts, err := tx.ListAccounts(ctx, p.WorkspaceID)
		if err != nil {
			return fmt.Errorf("post: list accounts: %w", err)
		}
		refs.accounts = map[int64]bool{}
		for _, a := range accounts {
			refs.accounts[a.ID] = true
		}
	}
	known := refs.accounts
	if refs.media == nil {
		refs.media = map[int64]bool{}
	}
	media := refs.media
	mediaOK := func(id int64) (bool, error) {
		if ok, seen := media[id]; seen {
			return ok, nil
		}
		_, err := tx.GetMedia(ctx, p.WorkspaceID, id)
		switch {
		case errors.Is(err, herald.ErrNotFound):
			media[id] = false
		case err != nil:
			return false, fmt.Errorf("post: get media %d: %w", id, err)
		default:
			media[id] = true
		}
		return media[id], nil
	}
	for i, t := range p.Targets {
		if t.AccountID > 0 && !known[t.AccountID] {
			pr.Add(fmt.Sprintf("targets[%d].account_id", i), "account %d does not exist in this workspace", t.AccountID)
		}
		check := func(field string, ids []int64) error {
			for _, id := range ids {
				ok, err := mediaOK(id)
				if err != nil {
					return err
				}
				if !ok {
					pr.Add(field, "media %d does not exist in this workspace", id)
				}
			}
			return nil
		}
		if err := check(fmt.Sprintf("targets[%d].variant.media_ids", i), t.Variant.MediaIDs); err != nil {
			return err
		}
		for j, part := range t.Variant.Thread {
			if err := check(fmt.Sprintf("targets[%d].variant.thread[%d].media_ids", i, j), part.MediaIDs); err != nil {
				return err
			}
		}
	}
	if len(p.LabelIDs) > 0 {
		if refs.labels == nil {
			labels, err := tx.ListLabels(ctx, p.WorkspaceID)
			if err != nil {
				return fmt.Errorf("post: list labels: %w", err)
			}
			refs.labels = map[int64]bool{}
			for _, l := range labels {
				refs.labels[l.ID] = true
			}
		}
		for i, id := range p.LabelIDs {
			if !refs.labels[id] {
				pr.Add(fmt.Sprintf("label_ids[%d]", i), "label %d does not exist in this workspace", id)
			}
		}
	}
	if p.CampaignID != nil {
		if refs.campaigns == nil {
			refs.campaigns = map[int64]bool{}
		}
		ok, seen := refs.campaigns[*p.CampaignID]
		if !seen {
			_, err := tx.GetCampaign(ctx, p.WorkspaceID, *p.CampaignID)
			switch {
			case errors.Is(err, herald.ErrNotFound):
			case err != nil:
				return fmt.Errorf("post: get campaign %d: %w", *p.CampaignID, err)
			default:
				ok = true
			}
			refs.campaigns[*p.CampaignID] = ok
		}
		if !ok {
			pr.Add("campaign_id", "campaign %d does not exist in this workspace", *p.CampaignID)
		}
	}
	return nil
}

// checkTimes refuses schedule times that are not in the future, unless the
// target already had that time (an edit of its text keeps a past time of a
// published or failed target), and a scheduled target without a time.
func checkTimes(p *herald.Post, before *herald.Post, now time.Time, pr *herald.Problems) {
	old := map[int64]*time.Time{}
	if before != nil {
		for _, t := range before.Targets {
			old[t.ID] = t.ScheduledAt
		}
	}
	for i, t := range p.Targets {
		field := fmt.Sprintf("targets[%d].scheduled_at", i)
		if t.ScheduledAt == nil {
			if t.State == herald.StateScheduled {
				pr.Add(field, "is required while the target is scheduled: unschedule it first")
			}
			continue
		}
		if prev, ok := old[t.ID]; ok && t.ID != 0 && sameTime(prev, t.ScheduledAt) {
			continue
		}
		if !t.ScheduledAt.After(now) {
			pr.Add(field, "%s is in the past: choose a time after %s", t.ScheduledAt.Format(time.RFC3339), now.Format(time.RFC3339))
		}
	}
}
