package post

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/heraldsocial/herald/internal/connector"
	"github.com/heraldsocial/herald/internal/herald"
)

// TargetMetrics returns a published target's metric snapshots, oldest
// first (counts a platform does not give are -1).
func (s *Service) TargetMetrics(ctx context.Context, actor herald.Actor, postID, targetID int64) ([]herald.MetricSnapshot, error) {
	if err := actor.Require(herald.ActAnalyticsRead); err != nil {
		return nil, err
	}
	t, err := s.store.GetTarget(ctx, actor.WorkspaceID, targetID)
	if errors.Is(err, herald.ErrNotFound) || (err == nil && t.PostID != postID) {
		return nil, &herald.Error{Code: herald.CodeNotFound,
			Message: fmt.Sprintf("post %d has no target %d in this workspace", postID, targetID), Err: err}
	}
	if err != nil {
		return nil, fmt.Errorf("post: metrics: get target %d: %w", targetID, err)
	}
	ms, err := s.store.ListMetricSnapshots(ctx, actor.WorkspaceID, targetID)
	if err != nil {
		return nil, fmt.Errorf("post: metrics of target %d: %w", targetID, err)
	}
	return ms, nil
}

// account returns an account of the workspace or a not-found error naming it.
func (s *Service) account(ctx context.Context, workspaceID, id int64) (herald.Account, error) {
	a, err := s.store.GetAccount(ctx, workspaceID, id)
	if errors.Is(err, herald.ErrNotFound) {
		return herald.Account{}, &herald.Error{Code: herald.CodeNotFound,
			Message: fmt.Sprintf("account %d not found in this workspace", id), Err: err}
	}
	if err != nil {
		return herald.Account{}, fmt.Errorf("post: get account %d: %w", id, err)
	}
	return a, nil
}

// inboxItem loads an item and its account, opened for the connector.
func (s *Service) inboxItem(ctx context.Context, actor herald.Actor, id int64) (herald.InboxItem, connector.Account, connector.Publisher, error) {
	it, err := s.getInboxItem(ctx, actor.WorkspaceID, id)
	if err != nil {
		return it, connector.Account{}, nil, err
	}
	a, err := s.account(ctx, actor.WorkspaceID, it.AccountID)
	if err != nil {
		return it, connector.Account{}, nil, err
	}
	if a.Credentials.Empty() || a.Status == herald.AccountRevoked || a.Status == herald.AccountExpired {
		return it, connector.Account{}, nil, herald.Errorf(herald.CodeConflict,
			"the %s account %s must be reconnected first", a.Platform, a.Handle)
	}
	if s.conn.registry == nil {
		return it, connector.Account{}, nil, herald.Errorf(herald.CodeConflict, "this Herald server cannot reach the platforms")
	}
	c, ok := s.conn.registry.Get(a.Platform)
	if !ok {
		return it, connector.Account{}, nil, herald.Errorf(herald.CodeConflict, "this Herald server has no %s connector", a.Platform)
	}
	plain, err := s.conn.keys.Open(a.Credentials, a.CredentialsAAD())
	if err != nil {
		return it, connector.Account{}, nil, fmt.Errorf("post: open the credentials of account %d: %w", a.ID, err)
	}
	return it, connector.Account{Account: a, Credentials: plain}, c, nil
}

// MaxReplyLen bounds a reply's text before the platform's own limit.
const MaxReplyLen = 10_000

// Reply answers an inbox item from the account it came to, at once, and
// returns the reply's reference on the platform.
func (s *Service) Reply(ctx context.Context, actor herald.Actor, itemID int64, text string) (herald.RemoteRef, error) {
	if err := actor.Require(herald.ActPostsSchedule); err != nil {
		return herald.RemoteRef{}, err
	}
	text = strings.TrimSpace(text)
	switch n := utf8.RuneCountInString(text); {
	case n == 0:
		return herald.RemoteRef{}, &herald.Error{Code: herald.CodeInvalid, Message: "the reply is empty",
			Details: []herald.FieldProblem{{Field: "text", Problem: "is required"}}}
	case n > MaxReplyLen:
		return herald.RemoteRef{}, &herald.Error{Code: herald.CodeInvalid, Message: "the reply is too long",
			Details: []herald.FieldProblem{{Field: "text", Problem: fmt.Sprintf("is %d characters; at most %d are allowed", n, MaxReplyLen)}}}
	}
	it, acct, c, err := s.inboxItem(ctx, actor, itemID)
	if err != nil {
		return herald.RemoteRef{}, err
	}
	r, ok := c.(connector.Replier)
	if !ok {
		return herald.RemoteRef{}, herald.Errorf(herald.CodeInvalid, "Herald cannot reply on %s", acct.Platform)
	}
	inst, err := s.store.InstallationID(ctx)
	if err != nil {
		return herald.RemoteRef{}, fmt.Errorf("post: read the installation id: %w", err)
	}
	sum := sha256.Sum256([]byte(text))
	part := connector.Part{WorkspaceID: actor.WorkspaceID, Text: text,
		Key: fmt.Sprintf("reply-%s-%d-%d-%s", inst, it.ID, actor.UserID, hex.EncodeToString(sum[:8]))}
	if v, ok := c.(connector.Validator); ok {
		reply := part
		reply.ReplyTo = new(herald.RemoteRef)
		*reply.ReplyTo = it.Ref()
		_, probs, err := v.Validate(ctx, acct, reply)
		if err == nil && len(probs) > 0 {
			var pr herald.Problems
			for _, p := range probs {
				pr.Add(p.Field, "%s", p.Problem)
			}
			return herald.RemoteRef{}, pr.Err("the platform would refuse the reply")
		}
	}
	ref, found, err := s.settleReply(ctx, actor, it, acct, c, part)
	if err != nil {
		return herald.RemoteRef{}, err
	}
	if !found {
		ref, err = r.Reply(ctx, acct, it.Ref(), part)
		if err != nil {
			if connector.ClassOf(err) == connector.Ambiguous {
				s.auditReply(ctx, actor, it.ID, actionReplyUnsettled, map[string]string{"key": part.Key, "text": text})
			}
			return herald.RemoteRef{}, platformError(err, "the platform did not publish the reply")
		}
	}
	s.auditReply(ctx, actor, it.ID, actionReply, map[string]string{"remote_id": ref.ID, "url": ref.URL, "text": text, "key": part.Key})
	if err := s.store.MarkInboxResponded(ctx, actor.WorkspaceID, it.ID, s.clock.Now()); err != nil {
		// The reply is out: failing now would invite a second one.
		s.logger.ErrorContext(ctx, "first response not recorded", "inbox_item_id", it.ID, "error", err)
	}
	return ref, nil
}

// Audit actions of replies: a reply the platform took, and one whose send
// had no clear answer (it may be on the platform).
const (
	actionReply          = "inbox.reply"
	actionReplyUnsettled = "inbox.reply_unsettled"
)

// auditReply records a reply's outcome. A failure is only logged: the
// reply is out (or may be), and failing now would invite a second one.
func (s *Service) auditReply(ctx context.Context, actor herald.Actor, itemID int64, action string, after map[string]string) {
	e := herald.NewAudit(actor, action, "inbox_item", itemID, nil, after, s.clock.Now())
	if err := s.store.AppendAudit(ctx, &e); err != nil {
		s.logger.ErrorContext(ctx, "reply not audited", "inbox_item_id", itemID, "action", action, "error", err)
	}
}

// settleReply decides whether the reply part may be sent. The same reply
// (same person, item and text: the same key) whose earlier send had no
// clear answer is not sent blindly again: where the platform is known to
// deduplicate the key it is sent again; otherwise it is looked up, and
// found means it is already out. When nothing can tell, the person is
// told to look on the platform; nothing is sent.
func (s *Service) settleReply(ctx context.Context, actor herald.Actor, it herald.InboxItem, acct connector.Account,
	c connector.Publisher, part connector.Part) (herald.RemoteRef, bool, error) {
	unsettled, err := s.replyUnsettled(ctx, actor.WorkspaceID, it.ID, part.Key)
	if err != nil || !unsettled {
		return herald.RemoteRef{}, false, err
	}
	if ip, ok := c.(connector.IdempotentPublisher); ok && ip.Idempotent(ctx, acct) {
		return herald.RemoteRef{}, false, nil
	}
	cannotTell := &herald.Error{Code: herald.CodeConflict,
		Message: "this reply was sent before without a clear answer, and Herald cannot check whether the platform published it; look at the conversation on the platform before replying again (a reply with other words is sent as usual)"}
	rec, ok := c.(connector.Reconciler)
	if !ok {
		return herald.RemoteRef{}, false, cannotTell
	}
	to := it.Ref()
	look := part
	look.ReplyTo = &to
	ref, found, err := rec.Find(ctx, acct, look)
	switch {
	case err != nil && connector.ClassOf(err) == connector.Invalid:
		cannotTell.Err = err
		return herald.RemoteRef{}, false, cannotTell
	case err != nil:
		return herald.RemoteRef{}, false, platformError(err, "checking whether the earlier reply was published failed")
	}
	return ref, found, nil
}

// replyUnsettled reports whether the latest send of the reply with this
// key had no clear answer (and no later send settled it).
func (s *Service) replyUnsettled(ctx context.Context, ws, itemID int64, key string) (bool, error) {
	entries, _, err := s.store.ListAudit(ctx, herald.AuditFilter{WorkspaceID: ws, ObjectType: "inbox_item", ObjectID: itemID,
		Page: herald.Page{Limit: 200}})
	if err != nil {
		return false, fmt.Errorf("post: read the replies of inbox item %d: %w", itemID, err)
	}
	for _, e := range entries { // newest first
		if e.Action != actionReply && e.Action != actionReplyUnsettled {
			continue
		}
		var after struct {
			Key string `json:"key"`
		}
		if json.Unmarshal(e.After, &after) != nil || after.Key != key {
			continue
		}
		return e.Action == actionReplyUnsettled, nil
	}
	return false, nil
}

// Like likes an inbox item from the account it came to.
func (s *Service) Like(ctx context.Context, actor herald.Actor, itemID int64) error {
	if err := actor.Require(herald.ActPostsWrite); err != nil {
		return err
	}
	it, acct, c, err := s.inboxItem(ctx, actor, itemID)
	if err != nil {
		return err
	}
	l, ok := c.(connector.Liker)
	if !ok {
		return herald.Errorf(herald.CodeInvalid, "Herald cannot like posts on %s", acct.Platform)
	}
	if err := l.Like(ctx, acct, it.Ref()); err != nil {
		return platformError(err, "the platform did not record the like")
	}
	e := herald.NewAudit(actor, "inbox.like", "inbox_item", it.ID, nil, map[string]string{"remote_id": it.RemoteID}, s.clock.Now())
	if err := s.store.AppendAudit(ctx, &e); err != nil {
		s.logger.ErrorContext(ctx, "like not audited", "inbox_item_id", it.ID, "error", err)
	}
	return nil
}

// platformError turns a connector's error into one people can act on.
func platformError(err error, what string) error {
	var ce *connector.Error
	if !errors.As(err, &ce) {
		return &herald.Error{Code: herald.CodeUnavailable, Message: what + ": the platform could not be reached; try again in a moment", Err: err}
	}
	msg := what
	if ce.Message != "" {
		msg += ": " + ce.Message
	}
	switch ce.Class {
	case connector.RateLimited:
		return &herald.Error{Code: herald.CodeRateLimited, Message: msg + fmt.Sprintf("; wait %s and try again", max(ce.RetryAfter, time.Second).Round(time.Second)), Err: err}
	case connector.Transient:
		return &herald.Error{Code: herald.CodeUnavailable, Message: msg + "; try again in a moment", Err: err}
	case connector.Ambiguous:
		return &herald.Error{Code: herald.CodeUnavailable, Message: msg + "; it may have gone through: check the platform before trying again", Err: err}
	case connector.AuthExpired, connector.AuthRevoked:
		return &herald.Error{Code: herald.CodeConflict, Message: msg + "; reconnect the account", Err: err}
	}
	return &herald.Error{Code: herald.CodeInvalid, Message: msg, Err: err}
}
