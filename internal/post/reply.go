package post

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/heraldsocial/herald/internal/connector"
	"github.com/heraldsocial/herald/internal/herald"
)

// MaxReplyLen bounds a reply's text before the platform's own limit.
const MaxReplyLen = 10_000

// Replies are sent exactly once. Each is recorded (herald.Reply, state
// sending) before the platform is called, under a key made from the item,
// the person and the text, or from the caller's own request key: the same
// reply asked for twice (a double click, a retry after a timeout) is one
// reply. A send without a clear answer leaves it unsettled, and nothing
// sends it again before the platform is asked: where the platform
// deduplicates the key it is repeated, otherwise it is looked up; when
// nothing can tell, a person decides (unconfirmed). SettleReplies does the
// same for replies whose sender died mid-call.
const (
	// ReplyLease is how long an attempt holds a reply: past it, an attempt
	// that never finished (its process died) is taken over. It outlasts
	// ReplyCallTimeout.
	ReplyLease = 3 * time.Minute
	// ReplyCallTimeout bounds one platform call of a reply.
	ReplyCallTimeout = time.Minute
	// MaxReplyAttempts is how many sends and checks a reply gets before
	// a person must decide.
	MaxReplyAttempts = 6
)

// Audit actions of replies: a reply the platform took, and one whose send
// had no clear answer (it may be on the platform).
const (
	actionReply          = "inbox.reply"
	actionReplyUnsettled = "inbox.reply_unsettled"
	actionReplyResolved  = "inbox.reply_resolved"
)

// WithSingleInstance says that this server is the only one using its
// database (SQLite holds the data folder's lock) since start: a reply still
// sending from before then was left by a dead process and is settled at
// once instead of after its lease.
func WithSingleInstance(start time.Time) Option {
	return func(s *Service) { s.replyOrphans = start }
}

// replyKey is the reply's key: from the caller's request key when given,
// else from the item, the person and the text; a reply sent as another
// account (asID, 0 for the item's own) is another reply.
func replyKey(installation string, itemID, userID, asID int64, text, requestKey string) string {
	as := ""
	if asID != 0 {
		as = fmt.Sprintf("-as-%d", asID)
	}
	if requestKey != "" {
		sum := sha256.Sum256([]byte(requestKey))
		return fmt.Sprintf("reply-%s-%d-r-%s%s", installation, itemID, hex.EncodeToString(sum[:12]), as)
	}
	sum := sha256.Sum256([]byte(text))
	return fmt.Sprintf("reply-%s-%d-%d-%s%s", installation, itemID, userID, hex.EncodeToString(sum[:8]), as)
}

// Reply answers an inbox item from the account it came to, at once. The
// result is the reply as recorded: sent (with its reference on the
// platform), or unsettled when the platform did not answer in time (Herald
// checks before anything is sent again). requestKey, when not empty, names
// this request: asking again with it returns the same reply.
func (s *Service) Reply(ctx context.Context, actor herald.Actor, itemID int64, text, requestKey string) (herald.Reply, error) {
	return s.ReplyAs(ctx, actor, itemID, 0, text, requestKey)
}

// ReplyAs is Reply from the account asID (0: the item's own), one of
// those AnswerAccounts lists.
func (s *Service) ReplyAs(ctx context.Context, actor herald.Actor, itemID, asID int64, text, requestKey string) (herald.Reply, error) {
	return s.replyAs(ctx, actor, herald.ActPostsSchedule, itemID, asID, text, requestKey)
}

// replyAs is ReplyAs for an actor allowed need: schedule for a reply of
// one's own words, write for a text approved in advance (ReplyPreapproved).
func (s *Service) replyAs(ctx context.Context, actor herald.Actor, need herald.Action, itemID, asID int64, text, requestKey string) (herald.Reply, error) {
	if err := actor.Require(need); err != nil {
		return herald.Reply{}, err
	}
	text = strings.TrimSpace(text)
	switch n := utf8.RuneCountInString(text); {
	case n == 0:
		return herald.Reply{}, &herald.Error{Code: herald.CodeInvalid, Message: "the reply is empty",
			Details: []herald.FieldProblem{{Field: "text", Problem: "is required"}}}
	case n > MaxReplyLen:
		return herald.Reply{}, &herald.Error{Code: herald.CodeInvalid, Message: "the reply is too long",
			Details: []herald.FieldProblem{{Field: "text", Problem: fmt.Sprintf("is %d characters; at most %d are allowed", n, MaxReplyLen)}}}
	}
	var pr herald.Problems
	herald.CheckText(&pr, "text", text)
	if err := pr.Err("the reply cannot be sent"); err != nil {
		return herald.Reply{}, err
	}
	if len(requestKey) > 200 {
		return herald.Reply{}, herald.Errorf(herald.CodeInvalid, "the request key is %d bytes; at most 200 are allowed", len(requestKey))
	}
	it, err := s.getInboxItem(ctx, actor.WorkspaceID, itemID)
	if err != nil {
		return herald.Reply{}, err
	}
	own, err := s.account(ctx, actor.WorkspaceID, it.AccountID)
	if err != nil {
		return herald.Reply{}, err
	}
	from, err := s.answerFrom(ctx, actor.WorkspaceID, it, own, asID)
	if err != nil {
		return herald.Reply{}, err
	}
	acct, c, err := s.openAccount(from)
	if err != nil {
		return herald.Reply{}, err
	}
	if !canAnswer(c, it) {
		return herald.Reply{}, herald.Errorf(herald.CodeInvalid, "Herald cannot reply on %s", acct.Platform)
	}
	inst, err := s.store.InstallationID(ctx)
	if err != nil {
		return herald.Reply{}, fmt.Errorf("post: read the installation id: %w", err)
	}
	var as *int64
	if from.ID != own.ID {
		as = &from.ID
	} else {
		asID = 0
	}
	part := connector.Part{WorkspaceID: actor.WorkspaceID, Text: text,
		Key: replyKey(inst, it.ID, actor.UserID, asID, text, requestKey)}
	if err := s.validateReply(ctx, acct, c, it, part); err != nil {
		return herald.Reply{}, err
	}
	if it.DeletedAt != nil {
		return s.replyToDeleted(ctx, it, part.Key, text)
	}
	now := s.clock.Now()
	lease := now.Add(ReplyLease)
	rec := herald.Reply{WorkspaceID: actor.WorkspaceID, ItemID: it.ID, Key: part.Key, Text: text, AccountID: as,
		LeaseUntil: &lease, CreatedAt: now}
	if actor.UserID != 0 {
		rec.UserID = &actor.UserID
	}
	existing, created, err := s.store.BeginReply(ctx, &rec)
	if err != nil {
		return herald.Reply{}, fmt.Errorf("post: record the reply to inbox item %d: %w", it.ID, err)
	}
	if created {
		return s.sendReply(ctx, it, acct, c, rec, part)
	}
	if existing.Text != text {
		return herald.Reply{}, herald.Errorf(herald.CodeConflict, "this request key was already used for another reply")
	}
	switch existing.State {
	case herald.ReplySent:
		return existing, nil
	case herald.ReplyUnconfirmed:
		return existing, cannotTell(existing)
	}
	claimed, ok, err := s.store.ClaimReply(ctx, actor.WorkspaceID, existing.ID, existing.Attempts+1, lease, now, s.replyOrphans)
	if err != nil {
		return herald.Reply{}, fmt.Errorf("post: claim reply %d: %w", existing.ID, err)
	}
	if !ok {
		if claimed.State == herald.ReplySent {
			return claimed, nil
		}
		return claimed, herald.Errorf(herald.CodeConflict, "this reply is being sent now; it shows on the item once the platform confirms it")
	}
	if existing.State == herald.ReplyFailed {
		// Refused before: nothing is on the platform.
		return s.sendReply(ctx, it, acct, c, claimed, part)
	}
	return s.settleReply(ctx, it, acct, c, claimed, part)
}

// replyToDeleted answers a reply to an item gone from its platform: the
// reply asked for before, when this repeats a request whose reply was
// sent or may have been; otherwise a refusal, recording nothing.
func (s *Service) replyToDeleted(ctx context.Context, it herald.InboxItem, key, text string) (herald.Reply, error) {
	rs, err := s.store.ListReplies(ctx, it.WorkspaceID, it.ID)
	if err != nil {
		return herald.Reply{}, fmt.Errorf("post: replies to inbox item %d: %w", it.ID, err)
	}
	for _, r := range rs {
		if r.Key != key || r.Text != text {
			continue
		}
		switch r.State {
		case herald.ReplySent:
			return r, nil
		case herald.ReplyUnconfirmed:
			return r, cannotTell(r)
		}
	}
	return herald.Reply{}, herald.Errorf(herald.CodeConflict,
		"the post is no longer on the platform (deleted, or hidden from the account), so it cannot be answered")
}

// validateReply checks the reply against the platform's rules.
func (s *Service) validateReply(ctx context.Context, acct connector.Account, c connector.Publisher, it herald.InboxItem, part connector.Part) error {
	v, ok := c.(connector.Validator)
	if !ok {
		return nil
	}
	reply := part
	reply.ReplyTo = new(herald.RemoteRef)
	*reply.ReplyTo = it.Ref()
	_, probs, err := v.Validate(ctx, acct, reply)
	if err != nil || len(probs) == 0 {
		return nil
	}
	var pr herald.Problems
	for _, p := range probs {
		pr.Add(p.Field, "%s", p.Problem)
	}
	return pr.Err("the platform would refuse the reply")
}

// cannotTell is the answer for a reply nothing can settle.
func cannotTell(r herald.Reply) error {
	return &herald.Error{Code: herald.CodeConflict,
		Message: "this reply was sent before without a clear answer, and Herald cannot check whether the platform published it; " +
			"look at the conversation on the platform, then mark the reply as sent or send it again (a reply with other words is sent as usual)",
		Err: fmt.Errorf("reply %d is unconfirmed: %s", r.ID, r.Error)}
}

// settleReply asks the platform about a reply whose earlier send had no
// clear answer, holding attempt r, and sends it only when that is safe.
func (s *Service) settleReply(ctx context.Context, it herald.InboxItem, acct connector.Account, c connector.Publisher,
	r herald.Reply, part connector.Part) (herald.Reply, error) {
	if ip, ok := c.(connector.IdempotentPublisher); ok && ip.Idempotent(ctx, acct) {
		return s.sendReply(ctx, it, acct, c, r, part)
	}
	if it.Direct {
		return s.settleDM(ctx, it, acct, c, r, part)
	}
	rec, ok := c.(connector.Reconciler)
	if !ok {
		return s.unconfirmReply(ctx, r, "the platform cannot be asked whether it has the reply")
	}
	look := part
	to, err := s.replyTo(ctx, it, r)
	if err != nil {
		return r, err
	}
	look.ReplyTo = &to
	callCtx, cancel := context.WithTimeout(context.WithoutCancel(ctx), ReplyCallTimeout)
	ref, found, err := rec.Find(callCtx, acct, look)
	cancel()
	switch {
	case err != nil && connector.ClassOf(err) == connector.Invalid:
		return s.unconfirmReply(ctx, r, "the platform cannot be asked whether it has the reply: "+errorText(err))
	case err != nil:
		s.finishReply(ctx, r, herald.ReplyUnsettled, herald.RemoteRef{}, "checking whether it was published failed: "+errorText(err))
		r.State = herald.ReplyUnsettled
		return r, platformError(err, "checking whether the earlier reply was published failed")
	case found:
		return s.replySent(ctx, it, r, ref), nil
	}
	return s.sendReply(ctx, it, acct, c, r, part)
}

// sendReply sends the reply, holding attempt r, and records the outcome.
// The call does not end with the caller's request: its outcome is always
// recorded.
func (s *Service) sendReply(ctx context.Context, it herald.InboxItem, acct connector.Account, c connector.Publisher,
	r herald.Reply, part connector.Part) (herald.Reply, error) {
	to, err := s.replyTo(ctx, it, r)
	if err != nil {
		return r, err
	}
	callCtx, cancel := context.WithTimeout(context.WithoutCancel(ctx), ReplyCallTimeout)
	ref, err := answer(callCtx, c, acct, it, to, part)
	cancel()
	if err == nil {
		return s.replySent(ctx, it, r, ref), nil
	}
	class := connector.ClassOf(err)
	var ce *connector.Error
	if class == connector.Ambiguous || !errors.As(err, &ce) {
		// No clear answer (or no answer at all): it may be on the platform.
		s.finishReply(ctx, r, herald.ReplyUnsettled, herald.RemoteRef{}, errorText(err))
		s.auditReply(ctx, r, actionReplyUnsettled, map[string]string{"key": part.Key, "text": r.Text})
		r.State, r.Error = herald.ReplyUnsettled, errorText(err)
		return r, nil
	}
	s.finishReply(ctx, r, herald.ReplyFailed, herald.RemoteRef{}, errorText(err))
	return r, platformError(err, "the platform did not publish the reply")
}

// replySent records a confirmed reply, its audit entry and the item's
// first response.
func (s *Service) replySent(ctx context.Context, it herald.InboxItem, r herald.Reply, ref herald.RemoteRef) herald.Reply {
	ctx = context.WithoutCancel(ctx)
	now := s.clock.Now()
	s.finishReply(ctx, r, herald.ReplySent, ref, "")
	s.auditReply(ctx, r, actionReply, map[string]string{"remote_id": ref.ID, "url": ref.URL, "text": r.Text, "key": r.Key})
	if err := s.store.MarkInboxResponded(ctx, it.WorkspaceID, it.ID, now); err != nil {
		// The reply is out: failing now would invite a second one.
		s.logger.ErrorContext(ctx, "first response not recorded", "inbox_item_id", it.ID, "error", err)
	}
	r.State, r.RemoteID, r.URL, r.Error, r.SentAt, r.LeaseUntil = herald.ReplySent, ref.ID, ref.URL, "", &now, nil
	return r
}

// unconfirmReply leaves the reply to a person.
func (s *Service) unconfirmReply(ctx context.Context, r herald.Reply, why string) (herald.Reply, error) {
	s.finishReply(ctx, r, herald.ReplyUnconfirmed, herald.RemoteRef{}, why)
	r.State, r.Error = herald.ReplyUnconfirmed, why
	return r, cannotTell(r)
}

// finishReply records attempt r's outcome. A failure is only logged: the
// reply stays sending until its lease runs out, and is then checked again.
func (s *Service) finishReply(ctx context.Context, r herald.Reply, state herald.ReplyState, ref herald.RemoteRef, msg string) {
	ok, err := s.store.FinishReply(context.WithoutCancel(ctx), r.WorkspaceID, r.ID, r.Attempts, state, ref, msg, s.clock.Now())
	if err != nil || !ok {
		s.logger.ErrorContext(ctx, "reply outcome not recorded", "reply_id", r.ID, "attempt", r.Attempts,
			"state", string(state), "recorded", ok, "error", err)
	}
}

// auditReply records a reply's outcome in the audit log, as done by the
// person who asked for it. A failure is only logged.
func (s *Service) auditReply(ctx context.Context, r herald.Reply, action string, after map[string]string) {
	actor := herald.Actor{WorkspaceID: r.WorkspaceID}
	if r.UserID != nil {
		actor.UserID = *r.UserID
	}
	e := herald.NewAudit(actor, action, "inbox_item", r.ItemID, nil, after, s.clock.Now())
	if err := s.store.AppendAudit(context.WithoutCancel(ctx), &e); err != nil {
		s.logger.ErrorContext(ctx, "reply not audited", "inbox_item_id", r.ItemID, "action", action, "error", err)
	}
}

// errorText is an error's message for the reply's record.
func errorText(err error) string {
	var ce *connector.Error
	if errors.As(err, &ce) && ce.Message != "" {
		return ce.Message
	}
	return err.Error()
}
