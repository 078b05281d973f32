package post

import (
	"context"
	"time"

	"github.com/heraldsocial/herald/internal/connector"
	"github.com/heraldsocial/herald/internal/herald"
)

// Answering a direct message goes through the platform's direct-message
// abilities (connector.DMSender, connector.DMFinder), in the item's
// conversation, and never through Replier: on most platforms a reply is a
// public post.

// dmFindSkew is how long before the reply was recorded FindDM looks, for
// clocks that differ between Herald and the platform.
const dmFindSkew = 5 * time.Minute

// canAnswer reports whether Herald can answer the item on c.
func canAnswer(c connector.Publisher, it herald.InboxItem) bool {
	if it.Direct {
		_, ok := c.(connector.DMSender)
		return ok && it.ConversationID != ""
	}
	_, ok := c.(connector.Replier)
	return ok
}

// answer sends part as the answer to the item (to is its reference for
// the account answering): a message in its conversation for a direct
// item, a reply otherwise.
func answer(ctx context.Context, c connector.Publisher, acct connector.Account, it herald.InboxItem, to herald.RemoteRef,
	part connector.Part) (herald.RemoteRef, error) {
	if it.Direct {
		return c.(connector.DMSender).SendDM(ctx, acct, it.ConversationID, to, part)
	}
	return c.(connector.Replier).Reply(ctx, acct, to, part)
}

// settleDM asks the platform whether the account already sent the answer
// r in the item's conversation, holding attempt r, and sends it only when
// it did not. Without a finder a person decides.
func (s *Service) settleDM(ctx context.Context, it herald.InboxItem, acct connector.Account, c connector.Publisher,
	r herald.Reply, part connector.Part) (herald.Reply, error) {
	f, ok := c.(connector.DMFinder)
	if !ok {
		return s.unconfirmReply(ctx, r, "the platform cannot be asked whether it has the message")
	}
	callCtx, cancel := context.WithTimeout(context.WithoutCancel(ctx), ReplyCallTimeout)
	ref, found, err := f.FindDM(callCtx, acct, it.ConversationID, part.Text, r.CreatedAt.Add(-dmFindSkew))
	cancel()
	switch {
	case err != nil && connector.ClassOf(err) == connector.Invalid:
		return s.unconfirmReply(ctx, r, "the platform cannot be asked whether it has the message: "+errorText(err))
	case err != nil:
		s.finishReply(ctx, r, herald.ReplyUnsettled, herald.RemoteRef{}, "checking whether it was sent failed: "+errorText(err))
		r.State = herald.ReplyUnsettled
		return r, platformError(err, "checking whether the earlier message was sent failed")
	case found:
		return s.replySent(ctx, it, r, ref), nil
	}
	return s.sendReply(ctx, it, acct, c, r, part)
}
