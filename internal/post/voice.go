package post

import (
	"context"
	"fmt"

	"github.com/heraldsocial/herald/internal/herald"
	"github.com/heraldsocial/herald/internal/voice"
)

// namer reads the labels and campaigns brand voice rules name (a Store
// or a Tx).
type namer interface {
	ListLabels(ctx context.Context, workspaceID int64) ([]herald.Label, error)
	ListCampaigns(ctx context.Context, workspaceID int64) ([]herald.Campaign, error)
}

// voiceNames reads the names of the labels and campaigns the workspace's
// rules are scoped to, for the findings' messages; nothing is read when
// no rule is scoped.
func voiceNames(ctx context.Context, q namer, ws herald.Workspace) (voice.Names, error) {
	var labels, campaigns bool
	for _, t := range ws.BrandRules.RequiredTags {
		labels = labels || t.LabelID > 0
		campaigns = campaigns || t.CampaignID > 0
	}
	var n voice.Names
	if labels {
		ls, err := q.ListLabels(ctx, ws.ID)
		if err != nil {
			return n, fmt.Errorf("post: brand voice: list labels: %w", err)
		}
		n.Labels = map[int64]string{}
		for _, l := range ls {
			n.Labels[l.ID] = l.Name
		}
	}
	if campaigns {
		cs, err := q.ListCampaigns(ctx, ws.ID)
		if err != nil {
			return n, fmt.Errorf("post: brand voice: list campaigns: %w", err)
		}
		n.Campaigns = map[int64]string{}
		for _, c := range cs {
			n.Campaigns[c.ID] = c.Name
		}
	}
	return n, nil
}

// checkVoice applies the workspace's brand voice rules to p: blocks become
// problems (the post is refused), and every finding is returned.
func checkVoice(ctx context.Context, q namer, ws herald.Workspace, p *herald.Post, pr *herald.Problems) ([]voice.Finding, error) {
	if ws.BrandRules.Empty() {
		return nil, nil
	}
	names, err := voiceNames(ctx, q, ws)
	if err != nil {
		return nil, err
	}
	return applyVoice(ws, names, p, pr), nil
}

// applyVoice is checkVoice with the names already read, for a batch that
// reads them once.
func applyVoice(ws herald.Workspace, names voice.Names, p *herald.Post, pr *herald.Problems) []voice.Finding {
	if ws.BrandRules.Empty() {
		return nil
	}
	fs := voice.Check(ws.BrandRules, *p, names)
	*pr = append(*pr, voice.Problems(fs)...)
	return fs
}

// refuseBlocked refuses to move p forward (to review, approval or
// publishing) while it breaks a brand voice rule that blocks: the rules
// may have changed since the post was saved.
func refuseBlocked(ctx context.Context, q namer, ws herald.Workspace, p herald.Post, verb string) error {
	var pr herald.Problems
	if _, err := checkVoice(ctx, q, ws, &p, &pr); err != nil {
		return err
	}
	return pr.Err(fmt.Sprintf("post %d cannot be %s: it breaks the workspace's brand voice rules; edit it first", p.ID, verb))
}

// forward reports whether mv moves targets toward publishing.
func forward(mv move) bool {
	return mv.to == herald.StateInReview || mv.to == herald.StateApproved || mv.to == herald.StateScheduled
}
