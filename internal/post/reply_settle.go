package post

import (
	"context"
	"errors"
	"fmt"

	"github.com/heraldsocial/herald/internal/connector"
	"github.com/heraldsocial/herald/internal/herald"
)

// settleBatch bounds the replies one SettleReplies run takes.
const settleBatch = 100

// SettleReplies checks with the platforms every reply whose send had no
// clear answer, or whose sender died mid-call, and sends those the
// platform does not have, the same way Reply does: exactly once. A reply
// nothing can settle, or one past MaxReplyAttempts, is left to a person
// (unconfirmed). It returns how many replies it settled as sent or
// unconfirmed. The settle_replies job calls it.
func (s *Service) SettleReplies(ctx context.Context) (int, error) {
	now := s.clock.Now()
	rs, err := s.store.RepliesToSettle(ctx, now, s.replyOrphans, settleBatch)
	if err != nil {
		return 0, fmt.Errorf("post: replies to settle: %w", err)
	}
	settled := 0
	for _, r := range rs {
		if ctx.Err() != nil {
			return settled, ctx.Err()
		}
		got, err := s.settleOne(ctx, r)
		if err != nil {
			s.logger.WarnContext(ctx, "reply not settled; checked again next run", "reply_id", r.ID, "error", err)
		}
		if got.State == herald.ReplySent || got.State == herald.ReplyUnconfirmed {
			settled++
		}
	}
	return settled, nil
}

// settleOne claims one reply and settles it.
func (s *Service) settleOne(ctx context.Context, r herald.Reply) (herald.Reply, error) {
	now := s.clock.Now()
	claimed, ok, err := s.store.ClaimReply(ctx, r.WorkspaceID, r.ID, r.Attempts+1, now.Add(ReplyLease), now, s.replyOrphans)
	if err != nil || !ok {
		return claimed, err
	}
	if claimed.Attempts > MaxReplyAttempts {
		return s.unconfirmReply(ctx, claimed, fmt.Sprintf("the platform gave no clear answer %d times", claimed.Attempts-1))
	}
	actor := herald.Actor{WorkspaceID: r.WorkspaceID}
	if r.UserID != nil {
		actor.UserID = *r.UserID
	}
	it, err := s.getInboxItem(ctx, r.WorkspaceID, r.ItemID)
	var acct connector.Account
	var c connector.Publisher
	if err == nil {
		acct, c, err = s.replyAccount(ctx, r.WorkspaceID, it, r)
	}
	if err != nil {
		// The account must be reconnected, or its connector is gone: try
		// again later, up to MaxReplyAttempts.
		s.finishReply(ctx, claimed, herald.ReplyUnsettled, herald.RemoteRef{}, errorMessage(err))
		claimed.State = herald.ReplyUnsettled
		return claimed, err
	}
	if !canAnswer(c, it) {
		return s.unconfirmReply(ctx, claimed, fmt.Sprintf("Herald cannot reply on %s any more", acct.Platform))
	}
	part := connector.Part{WorkspaceID: r.WorkspaceID, Text: r.Text, Key: r.Key}
	return s.settleReply(ctx, it, acct, c, claimed, part)
}

// errorMessage is an error's words for people.
func errorMessage(err error) string {
	var he *herald.Error
	if errors.As(err, &he) {
		return he.Message
	}
	return err.Error()
}

// ListReplies returns the replies Herald sent or tried to send to an
// inbox item, oldest first.
func (s *Service) ListReplies(ctx context.Context, actor herald.Actor, itemID int64) ([]herald.Reply, error) {
	if err := actor.Require(herald.ActPostsRead); err != nil {
		return nil, err
	}
	if _, err := s.getInboxItem(ctx, actor.WorkspaceID, itemID); err != nil {
		return nil, err
	}
	rs, err := s.store.ListReplies(ctx, actor.WorkspaceID, itemID)
	if err != nil {
		return nil, fmt.Errorf("post: replies of inbox item %d: %w", itemID, err)
	}
	return rs, nil
}

// ReplyDecision is what a person decides about an unconfirmed reply.
type ReplyDecision string

// Decisions about an unconfirmed reply.
const (
	// ReplyIsOut: the person found it on the platform.
	ReplyIsOut ReplyDecision = "sent"
	// ReplySendAgain: the person found it missing; Herald sends it again.
	ReplySendAgain ReplyDecision = "send_again"
)

// ResolveReply settles an unconfirmed reply as a person decided, after
// looking at the platform: it is out (recorded as sent, without a
// reference), or it is missing (sent again now).
func (s *Service) ResolveReply(ctx context.Context, actor herald.Actor, itemID, replyID int64, d ReplyDecision) (herald.Reply, error) {
	if err := actor.Require(herald.ActPostsSchedule); err != nil {
		return herald.Reply{}, err
	}
	if d != ReplyIsOut && d != ReplySendAgain {
		return herald.Reply{}, &herald.Error{Code: herald.CodeInvalid, Message: "the decision is not known",
			Details: []herald.FieldProblem{{Field: "decision", Problem: `must be "sent" or "send_again"`}}}
	}
	rs, err := s.ListReplies(ctx, actor, itemID)
	if err != nil {
		return herald.Reply{}, err
	}
	var r herald.Reply
	for _, x := range rs {
		if x.ID == replyID {
			r = x
		}
	}
	if r.ID == 0 {
		return herald.Reply{}, herald.Errorf(herald.CodeNotFound, "inbox item %d has no reply %d", itemID, replyID)
	}
	if r.State != herald.ReplyUnconfirmed {
		return r, herald.Errorf(herald.CodeConflict, "the reply is %s, not waiting for a decision", r.State)
	}
	it, err := s.getInboxItem(ctx, actor.WorkspaceID, itemID)
	var acct connector.Account
	var c connector.Publisher
	if err == nil {
		acct, c, err = s.replyAccount(ctx, actor.WorkspaceID, it, r)
	}
	if err != nil && d == ReplySendAgain {
		return r, err
	}
	now := s.clock.Now()
	claimed, ok, err := s.store.ClaimReply(ctx, actor.WorkspaceID, r.ID, r.Attempts+1, now.Add(ReplyLease), now, s.replyOrphans)
	if err != nil {
		return r, fmt.Errorf("post: claim reply %d: %w", r.ID, err)
	}
	if !ok {
		return claimed, herald.Errorf(herald.CodeConflict, "someone else is deciding about this reply; reload the page")
	}
	e := herald.NewAudit(actor, actionReplyResolved, "inbox_item", itemID, nil,
		map[string]string{"reply_id": fmt.Sprint(r.ID), "decision": string(d)}, now)
	if err := s.store.AppendAudit(ctx, &e); err != nil {
		s.logger.ErrorContext(ctx, "reply decision not audited", "reply_id", r.ID, "error", err)
	}
	if d == ReplyIsOut {
		s.finishReply(ctx, claimed, herald.ReplySent, herald.RemoteRef{}, "")
		if err := s.store.MarkInboxResponded(ctx, actor.WorkspaceID, itemID, now); err != nil {
			s.logger.ErrorContext(ctx, "first response not recorded", "inbox_item_id", itemID, "error", err)
		}
		claimed.State, claimed.SentAt, claimed.LeaseUntil = herald.ReplySent, &now, nil
		return claimed, nil
	}
	if !canAnswer(c, it) {
		return s.unconfirmReply(ctx, claimed, fmt.Sprintf("Herald cannot reply on %s", acct.Platform))
	}
	return s.sendReply(ctx, it, acct, c, claimed, connector.Part{WorkspaceID: actor.WorkspaceID, Text: r.Text, Key: r.Key})
}
