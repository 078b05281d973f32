package template

// Using a template: the post it makes, placeholders filled.

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/heraldsocial/herald/internal/herald"
	"github.com/heraldsocial/herald/internal/placeholder"
	"github.com/heraldsocial/herald/internal/post"
)

// Use says how a template is used: when the post goes out and, when
// AccountIDs is not empty, to which accounts instead of the template's.
type Use struct {
	At         *time.Time
	AccountIDs []int64
}

// Filled is a post made from a template, not yet saved, and what of the
// template could not be kept.
type Filled struct {
	Post herald.Post
	// The main content as filled, which the targets' variants repeat (and
	// which a post without accounts yet cannot hold): the composer shows it.
	MediaIDs []int64
	Thread   []herald.ThreadPart
	// Dropped says, for people, which labels, campaign, media or
	// accounts the template names that no longer exist in the workspace.
	Dropped []string
}

// Fill makes the post template id describes, its placeholders filled
// for u.At (nil: today, no time) in the workspace's zone, every target
// scheduled at u.At. Labels, a campaign, media and accounts that were
// deleted since the template was saved are left out and named in
// Dropped. Nothing is saved.
func (s *Service) Fill(ctx context.Context, actor herald.Actor, id int64, u Use) (Filled, error) {
	at := u.At
	if err := actor.Require(herald.ActPostsWrite); err != nil {
		return Filled{}, err
	}
	t, err := get(ctx, s.store.GetTemplate, actor.WorkspaceID, id, "template")
	if err != nil {
		return Filled{}, err
	}
	ws, err := s.store.GetWorkspace(ctx, actor.WorkspaceID)
	if err != nil {
		return Filled{}, fmt.Errorf("template: fill %d: %w", id, err)
	}
	loc, err := ws.Location()
	if err != nil {
		return Filled{}, fmt.Errorf("template: fill %d: %w", id, err)
	}
	var f Filled
	c := t.Content
	p := herald.Post{LabelIDs: []int64{}}
	campaign := ""
	if c.CampaignID != nil {
		cp, err := s.store.GetCampaign(ctx, actor.WorkspaceID, *c.CampaignID)
		switch {
		case errors.Is(err, herald.ErrNotFound):
			f.Dropped = append(f.Dropped, fmt.Sprintf("campaign %d no longer exists", *c.CampaignID))
		case err != nil:
			return Filled{}, fmt.Errorf("template: fill %d: %w", id, err)
		default:
			campaign = cp.Name
			p.CampaignID = &cp.ID
		}
	}
	labels, err := s.store.ListLabels(ctx, actor.WorkspaceID)
	if err != nil {
		return Filled{}, fmt.Errorf("template: fill %d: %w", id, err)
	}
	for _, l := range c.LabelIDs {
		if slices.ContainsFunc(labels, func(x herald.Label) bool { return x.ID == l }) {
			p.LabelIDs = append(p.LabelIDs, l)
		} else {
			f.Dropped = append(f.Dropped, fmt.Sprintf("label %d no longer exists", l))
		}
	}
	media, err := s.keepMedia(ctx, actor.WorkspaceID, c, &f)
	if err != nil {
		return Filled{}, fmt.Errorf("template: fill %d: %w", id, err)
	}
	values := fillValues(ws.Name, campaign, s.clock.Now(), at, loc)
	fill := func(text string) string { return placeholder.Fill(text, values) }
	p.Title, p.Text = fill(c.Title), fill(c.Text)
	var thread []herald.ThreadPart
	for _, part := range c.Thread {
		thread = append(thread, herald.ThreadPart{Text: fill(part.Text), MediaIDs: media(part.MediaIDs)})
	}
	accounts, err := s.store.ListAccounts(ctx, actor.WorkspaceID)
	if err != nil {
		return Filled{}, fmt.Errorf("template: fill %d: %w", id, err)
	}
	if len(u.AccountIDs) > 0 {
		c.AccountIDs = u.AccountIDs
	}
	for _, aid := range c.AccountIDs {
		i := slices.IndexFunc(accounts, func(a herald.Account) bool { return a.ID == aid })
		if i < 0 {
			f.Dropped = append(f.Dropped, fmt.Sprintf("account %d is no longer connected", aid))
			continue
		}
		v := c.Variant(aid, accounts[i].Platform)
		tg := herald.Target{AccountID: aid, ScheduledAt: at, Variant: herald.Variant{Text: fill(v.Text),
			MediaIDs: media(c.MediaIDs), Thread: slices.Clone(thread), FirstComment: fill(v.FirstComment),
			Options: v.Options}}
		if tg.Variant.FirstComment == "" {
			tg.Variant.FirstComment = fill(c.FirstComment)
		}
		p.Targets = append(p.Targets, tg)
	}
	f.Post, f.MediaIDs, f.Thread = p, media(c.MediaIDs), thread
	return f, nil
}

// keepMedia returns a filter keeping the media ids of the workspace,
// noting in f the ones that were deleted.
func (s *Service) keepMedia(ctx context.Context, ws int64, c herald.TemplateContent, f *Filled) (func([]int64) []int64, error) {
	gone := map[int64]bool{}
	ids := slices.Clone(c.MediaIDs)
	for _, part := range c.Thread {
		ids = append(ids, part.MediaIDs...)
	}
	for _, id := range ids {
		if _, seen := gone[id]; seen {
			continue
		}
		_, err := s.store.GetMedia(ctx, ws, id)
		switch {
		case errors.Is(err, herald.ErrNotFound):
			gone[id] = true
			f.Dropped = append(f.Dropped, fmt.Sprintf("media %d is no longer in the library", id))
		case err != nil:
			return nil, err
		default:
			gone[id] = false
		}
	}
	return func(in []int64) []int64 {
		return slices.DeleteFunc(slices.Clone(in), func(id int64) bool { return gone[id] })
	}, nil
}

// fillValues are the placeholders' values for a post at at (nil: today
// at now, without a time) in loc.
func fillValues(workspace, campaign string, now time.Time, at *time.Time, loc *time.Location) map[string]string {
	day, clock := now.In(loc), ""
	if at != nil {
		day = at.In(loc)
		clock = day.Format("15:04")
	}
	return map[string]string{
		"date": day.Format("2 January 2006"), "weekday": day.Weekday().String(), "month": day.Month().String(),
		"year": day.Format("2006"), "time": clock, "workspace": workspace, "campaign": campaign,
	}
}

// NewPost saves the post Fill makes as a draft (a template without
// accounts, used without any, makes a post without targets, which keeps
// only the main text), through the post
// service (which checks it like any other post and records it in the
// audit log).
func (s *Service) NewPost(ctx context.Context, actor herald.Actor, id int64, u Use) (herald.Post, []string, error) {
	f, err := s.Fill(ctx, actor, id, u)
	if err != nil {
		return herald.Post{}, nil, err
	}
	p, err := s.posts.Create(ctx, actor, f.Post, post.ActionDraft)
	if err != nil {
		return herald.Post{}, nil, fmt.Errorf("template: new post from %d: %w", id, err)
	}
	s.logger.InfoContext(ctx, "post created from a template", "workspace_id", actor.WorkspaceID, "template_id", id, "post_id", p.ID)
	return p, f.Dropped, nil
}
