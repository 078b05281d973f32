package post

import (
	"context"

	"github.com/heraldsocial/herald/internal/connector"
	"github.com/heraldsocial/herald/internal/herald"
)

// ItemAbilities are what the platform of an inbox item lets Herald do
// with it, for showing only the buttons that work.
type ItemAbilities struct {
	Like   bool `json:"like"`
	Repost bool `json:"repost"`
	// Hide: the item replies to one of the account's posts and the
	// platform lets a post's author hide replies.
	Hide bool `json:"hide"`
}

// Abilities returns what Herald can do with the item on its platform.
func (s *Service) Abilities(ctx context.Context, actor herald.Actor, it herald.InboxItem) (ItemAbilities, error) {
	if err := actor.Require(herald.ActPostsRead); err != nil {
		return ItemAbilities{}, err
	}
	if s.conn.registry == nil {
		return ItemAbilities{}, nil
	}
	a, err := s.account(ctx, actor.WorkspaceID, it.AccountID)
	if err != nil {
		return ItemAbilities{}, err
	}
	c, ok := s.conn.registry.Get(a.Platform)
	if !ok {
		return ItemAbilities{}, nil
	}
	var ab ItemAbilities
	_, ab.Like = c.(connector.Liker)
	if !it.Direct {
		_, ab.Repost = c.(connector.Reposter)
		_, hider := c.(connector.ReplyHider)
		ab.Hide = hider && it.TargetID != nil
	}
	return ab, nil
}

// Repost reposts (boosts, retweets) an inbox item from the account it
// came to. Reposting twice is harmless.
func (s *Service) Repost(ctx context.Context, actor herald.Actor, itemID int64) error {
	if err := actor.Require(herald.ActPostsWrite); err != nil {
		return err
	}
	it, acct, c, err := s.inboxItem(ctx, actor, itemID)
	if err != nil {
		return err
	}
	if it.Direct {
		return herald.Errorf(herald.CodeInvalid, "a direct message is private: it cannot be reposted")
	}
	r, ok := c.(connector.Reposter)
	if !ok {
		return herald.Errorf(herald.CodeInvalid, "Herald cannot repost on %s", acct.Platform)
	}
	if err := r.Repost(ctx, acct, it.Ref()); err != nil {
		return platformError(err, "the platform did not repost it")
	}
	e := herald.NewAudit(actor, "inbox.repost", "inbox_item", it.ID, nil, map[string]string{"remote_id": it.RemoteID}, s.clock.Now())
	if err := s.store.AppendAudit(ctx, &e); err != nil {
		s.logger.ErrorContext(ctx, "repost not audited", "inbox_item_id", it.ID, "error", err)
	}
	return nil
}

// HideReply hides (or shows again) a reply to one of the account's posts
// in the post's thread, where the platform allows it; the reply stays on
// the platform under its author, and in the inbox.
func (s *Service) HideReply(ctx context.Context, actor herald.Actor, itemID int64, hidden bool) error {
	if err := actor.Require(herald.ActPostsSchedule); err != nil {
		return err
	}
	it, acct, c, err := s.inboxItem(ctx, actor, itemID)
	if err != nil {
		return err
	}
	if it.Direct || it.TargetID == nil {
		return herald.Errorf(herald.CodeInvalid, "only replies to the account's own posts can be hidden")
	}
	h, ok := c.(connector.ReplyHider)
	if !ok {
		return herald.Errorf(herald.CodeInvalid, "%s does not let Herald hide replies", acct.Platform)
	}
	if err := h.HideReply(ctx, acct, it.Ref(), hidden); err != nil {
		return platformError(err, "the platform did not change the reply")
	}
	action := "inbox.hide"
	if !hidden {
		action = "inbox.unhide"
	}
	e := herald.NewAudit(actor, action, "inbox_item", it.ID, nil, map[string]string{"remote_id": it.RemoteID}, s.clock.Now())
	if err := s.store.AppendAudit(ctx, &e); err != nil {
		s.logger.ErrorContext(ctx, "hiding not audited", "inbox_item_id", it.ID, "error", err)
	}
	return nil
}
