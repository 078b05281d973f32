package post

import (
	"context"
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
	if err != nil {
		return t, true, platformError(err, "the conversation could not be read from the platform")
	}
	return t, true, nil
}
