package post

import (
	"context"
	"errors"
	"net/http"
	"time"

	"github.com/heraldsocial/herald/internal/connector"
	"github.com/heraldsocial/herald/internal/herald"
)

// ThreadTimeout bounds reading a conversation from its platform.
const ThreadTimeout = 10 * time.Second

// InboxThread reads the conversation an inbox item belongs to from its
// platform, as the account it came to sees it: the posts it answers and
// the replies under it. ok is false where Herald does not read
// conversations on that platform.
func (s *Service) InboxThread(ctx context.Context, actor herald.Actor, itemID int64) (t connector.Thread, ok bool, err error) {
	if err := actor.Require(herald.ActPostsRead); err != nil {
		return t, false, err
	}
	it, acct, c, err := s.inboxItem(ctx, actor, itemID)
	if err != nil {
		return t, false, err
	}
	tr, ok := c.(connector.ThreadReader)
	if !ok {
		return t, false, nil
	}
	ctx, cancel := context.WithTimeout(ctx, ThreadTimeout)
	defer cancel()
	t, err = tr.Thread(ctx, acct, it.Ref())
	var ce *connector.Error
	if errors.As(err, &ce) && ce.Status == http.StatusNotFound && it.DeletedAt == nil {
		now := s.clock.Now()
		s.changeInboxRemote(ctx, it, herald.InboxRemoteChange{DeletedAt: &now})
	}
	if err != nil {
		return t, true, platformError(err, "the conversation could not be read from the platform")
	}
	if e := t.Post.EditedAt; e != nil && (it.EditedAt == nil || e.After(*it.EditedAt)) && t.Post.Text != it.Text {
		s.changeInboxRemote(ctx, it, herald.InboxRemoteChange{Text: t.Post.Text, EditedAt: e})
	}
	return t, true, nil
}

// changeInboxRemote records what reading the platform showed of an item
// (edited, or gone); a failure only costs the record, so it is logged.
func (s *Service) changeInboxRemote(ctx context.Context, it herald.InboxItem, c herald.InboxRemoteChange) {
	if err := s.store.ChangeInboxRemote(ctx, it.WorkspaceID, it.ID, c); err != nil {
		s.logger.ErrorContext(ctx, "inbox item's change on its platform not recorded", "item_id", it.ID, "error", err)
	}
}
