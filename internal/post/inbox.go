package post

import (
	"context"
	"errors"
	"fmt"

	"github.com/heraldsocial/herald/internal/connector"
	"github.com/heraldsocial/herald/internal/herald"
)

// Notifier is told about inbox items assigned to people, posts sent for
// review and posts approved.
type Notifier interface {
	Notify(ctx context.Context, n herald.Notification)
}

// WithNotifier tells assignees about the inbox items given to them,
// approvers about posts waiting for them, and authors about approvals.
func WithNotifier(n Notifier) Option {
	return func(s *Service) { s.notifier = n }
}

// MaxInboxBatch bounds how many inbox items one bulk change names.
const MaxInboxBatch = 200

// InboxLink is the path of an inbox item's page.
func InboxLink(workspaceID, itemID int64) string {
	return fmt.Sprintf("/w/%d/inbox/%d", workspaceID, itemID)
}

// ListInbox returns the workspace's mentions and replies that f selects
// (its WorkspaceID is the actor's), newest first.
func (s *Service) ListInbox(ctx context.Context, actor herald.Actor, f herald.InboxFilter) ([]herald.InboxItem, string, error) {
	if err := actor.Require(herald.ActPostsRead); err != nil {
		return nil, "", err
	}
	var p herald.Problems
	if f.State != "" && !f.State.Valid() {
		p.Add("state", "is %q; use open, pending or done", f.State)
	}
	if f.Kind != "" && f.Kind != herald.InboxReply && f.Kind != herald.InboxMention && f.Kind != herald.InboxDM {
		p.Add("kind", "is %q; use reply, mention or dm", f.Kind)
	}
	if f.Platform != "" && !f.Platform.Valid() {
		p.Add("platform", "is %q, not a platform Herald knows", f.Platform)
	}
	if f.Since != nil && f.Until != nil && !f.Until.After(*f.Since) {
		p.Add("until", "must be after since")
	}
	if len(p) > 0 {
		return nil, "", p.Err("the inbox filter is not valid")
	}
	if f.AccountID != 0 {
		if _, err := s.account(ctx, actor.WorkspaceID, f.AccountID); err != nil {
			return nil, "", err
		}
	}
	f.WorkspaceID, f.Page = actor.WorkspaceID, f.Page.Normalize()
	items, next, err := s.store.ListInbox(ctx, f)
	if err != nil {
		return nil, "", fmt.Errorf("post: list inbox: %w", err)
	}
	return items, next, nil
}

// GetInboxItem returns one item of the actor's workspace.
func (s *Service) GetInboxItem(ctx context.Context, actor herald.Actor, id int64) (herald.InboxItem, error) {
	if err := actor.Require(herald.ActPostsRead); err != nil {
		return herald.InboxItem{}, err
	}
	return s.getInboxItem(ctx, actor.WorkspaceID, id)
}

func (s *Service) getInboxItem(ctx context.Context, workspaceID, id int64) (herald.InboxItem, error) {
	it, err := s.store.GetInboxItem(ctx, workspaceID, id)
	if errors.Is(err, herald.ErrNotFound) {
		return it, &herald.Error{Code: herald.CodeNotFound,
			Message: fmt.Sprintf("inbox item %d not found in this workspace", id), Err: err}
	}
	if err != nil {
		return it, fmt.Errorf("post: get inbox item %d: %w", id, err)
	}
	return it, nil
}

// CountOpenInbox counts the open items of the actor's workspace.
func (s *Service) CountOpenInbox(ctx context.Context, actor herald.Actor) (int, error) {
	if err := actor.Require(herald.ActPostsRead); err != nil {
		return 0, err
	}
	n, err := s.store.CountOpenInbox(ctx, actor.WorkspaceID)
	if err != nil {
		return 0, fmt.Errorf("post: count open inbox items: %w", err)
	}
	return n, nil
}

// inboxBatch loads the items ids names (at least one, at most
// MaxInboxBatch, each in the workspace), without repeats.
func (s *Service) inboxBatch(ctx context.Context, actor herald.Actor, ids []int64) ([]herald.InboxItem, error) {
	if err := actor.Require(herald.ActPostsSchedule); err != nil {
		return nil, err
	}
	switch {
	case len(ids) == 0:
		return nil, herald.Problems{{Field: "ids", Problem: "name at least one inbox item"}}.Err("no inbox item given")
	case len(ids) > MaxInboxBatch:
		return nil, herald.Problems{{Field: "ids", Problem: fmt.Sprintf("name %d items; at most %d are allowed at once", len(ids), MaxInboxBatch)}}.
			Err("too many inbox items at once")
	}
	seen := map[int64]bool{}
	out := make([]herald.InboxItem, 0, len(ids))
	for _, id := range ids {
		if seen[id] {
			continue
		}
		seen[id] = true
		it, err := s.getInboxItem(ctx, actor.WorkspaceID, id)
		if err != nil {
			return nil, err
		}
		out = append(out, it)
	}
	return out, nil
}

// SetInboxState moves the items ids of the actor's workspace to state
// (done remembers who did it). Items already in the state stay as they are.
func (s *Service) SetInboxState(ctx context.Context, actor herald.Actor, ids []int64, state herald.InboxState) error {
	if !state.Valid() {
		return herald.Problems{{Field: "state", Problem: fmt.Sprintf("is %q; use open, pending or done", state)}}.Err("unknown inbox state")
	}
	items, err := s.inboxBatch(ctx, actor, ids)
	if err != nil {
		return err
	}
	now := s.clock.Now()
	var changed []int64
	for _, it := range items {
		if it.State != state {
			changed = append(changed, it.ID)
		}
	}
	if len(changed) == 0 {
		return nil
	}
	err = s.store.InTx(ctx, func(tx herald.Tx) error {
		if err := tx.SetInboxState(ctx, actor.WorkspaceID, changed, state, actor.UserID, now); err != nil {
			return err
		}
		for _, it := range items {
			if it.State == state {
				continue
			}
			e := herald.NewAudit(actor, "inbox.state", "inbox_item", it.ID, map[string]string{"state": string(it.State)},
				map[string]string{"state": string(state)}, now)
			if err := tx.AppendAudit(ctx, &e); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("post: set inbox state: %w", err)
	}
	return nil
}

// AssignInbox gives the items ids of the actor's workspace to userID, a
// member of the workspace (0: to nobody). The assignee is notified,
// unless they assigned the items to themselves.
func (s *Service) AssignInbox(ctx context.Context, actor herald.Actor, ids []int64, userID int64) error {
	items, err := s.inboxBatch(ctx, actor, ids)
	if err != nil {
		return err
	}
	var to *int64
	if userID != 0 {
		if _, err := s.store.GetMembership(ctx, actor.WorkspaceID, userID); errors.Is(err, herald.ErrNotFound) {
			return herald.Problems{{Field: "assigned_to", Problem: fmt.Sprintf("user %d is not a member of this workspace", userID)}}.
				Err("inbox items can only be assigned to members of the workspace")
		} else if err != nil {
			return fmt.Errorf("post: read the membership of user %d: %w", userID, err)
		}
		to = &userID
	}
	now := s.clock.Now()
	var fresh []herald.InboxItem // newly the assignee's
	err = s.store.InTx(ctx, func(tx herald.Tx) error {
		ids := make([]int64, len(items))
		for i, it := range items {
			ids[i] = it.ID
		}
		if err := tx.AssignInbox(ctx, actor.WorkspaceID, ids, to); err != nil {
			return err
		}
		for _, it := range items {
			before := int64(0)
			if it.AssignedTo != nil {
				before = *it.AssignedTo
			}
			if before == userID {
				continue
			}
			if userID != 0 {
				fresh = append(fresh, it)
			}
			e := herald.NewAudit(actor, "inbox.assign", "inbox_item", it.ID, map[string]int64{"assigned_to": before},
				map[string]int64{"assigned_to": userID}, now)
			if err := tx.AppendAudit(ctx, &e); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("post: assign inbox items: %w", err)
	}
	s.inboxAssigned(ctx, actor, userID, fresh)
	return nil
}

// inboxAssigned tells userID about the items now theirs, unless they
// assigned them to themselves.
func (s *Service) inboxAssigned(ctx context.Context, actor herald.Actor, userID int64, items []herald.InboxItem) {
	if s.notifier == nil || len(items) == 0 || userID == actor.UserID {
		return
	}
	now := s.clock.Now()
	n := herald.Notification{Kind: herald.NotifyInboxAssigned, WorkspaceID: actor.WorkspaceID, UserIDs: []int64{userID},
		ActorID: actor.UserID, At: now,
		Key: fmt.Sprintf("inbox:%d:assigned:%d:%d", items[0].ID, userID, now.UnixNano())}
	if len(items) == 1 {
		it := items[0]
		n.InboxItemID, n.AccountID, n.Link = it.ID, it.AccountID, InboxLink(actor.WorkspaceID, it.ID)
		n.Title = "Inbox item assigned to you: " + it.AuthorHandle
		n.Message = fmt.Sprintf("%s wrote: %q. It is yours to answer.", it.AuthorHandle, excerpt(it.Text, 140))
	} else {
		n.Link = fmt.Sprintf("/w/%d/inbox?assignee=me", actor.WorkspaceID)
		n.Title = fmt.Sprintf("%d inbox items assigned to you", len(items))
		n.Message = fmt.Sprintf("%d mentions and replies are yours to answer.", len(items))
	}
	s.notifier.Notify(ctx, n)
}

// excerpt cuts text to at most n runes, marking the cut.
func excerpt(text string, n int) string {
	r := []rune(text)
	if len(r) <= n {
		return text
	}
	return string(r[:n-1]) + "…"
}

// InboxTargetPost returns the id of our post the item replies to (0 when
// it replies to none, or the target is gone).
func (s *Service) InboxTargetPost(ctx context.Context, actor herald.Actor, it herald.InboxItem) (int64, error) {
	if err := actor.Require(herald.ActPostsRead); err != nil {
		return 0, err
	}
	if it.TargetID == nil || it.WorkspaceID != actor.WorkspaceID {
		return 0, nil
	}
	t, err := s.store.GetTarget(ctx, actor.WorkspaceID, *it.TargetID)
	if errors.Is(err, herald.ErrNotFound) {
		return 0, nil
	}
	if err != nil {
		return 0, fmt.Errorf("post: get target %d: %w", *it.TargetID, err)
	}
	return t.PostID, nil
}

// ReplyLimit returns how many characters a reply to the item may have on
// its platform, counted the platform's way (0: Herald does not know). It
// is for showing: Reply checks the text with the platform's Validate.
func (s *Service) ReplyLimit(ctx context.Context, actor herald.Actor, itemID int64) (int, error) {
	if err := actor.Require(herald.ActPostsRead); err != nil {
		return 0, err
	}
	_, acct, c, err := s.inboxItem(ctx, actor, itemID)
	if err != nil {
		return 0, err
	}
	l, ok := c.(connector.Limiter)
	if !ok {
		return 0, nil
	}
	lim, err := l.Limits(ctx, acct)
	if err != nil {
		return 0, platformError(err, "the platform's limits could not be read")
	}
	return lim.MaxChars, nil
}
