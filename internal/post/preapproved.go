package post

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/heraldsocial/herald/internal/connector"
	"github.com/heraldsocial/herald/internal/herald"
)

// Texts approved in advance (the crisis playbook's holding statements and
// replies) go out without another review, in the name of whoever approved
// them, and only where the caller (package crisis) has checked the rule
// that allows it: an incident is open and the text is exactly the approved
// one. The post's history and the audit log say whose approval it carries
// and why.

// Preapproval is the approval a text carries from before.
type Preapproval struct {
	// ApproverID is the member who approved the text; they must still be
	// able to approve posts in the workspace.
	ApproverID int64
	// Reason is recorded as the approval's comment: "Pre-approved statement
	// “Holding” for incident 12".
	Reason string
}

// approver returns the actor the approval is given in the name of, or a
// clear error when that member can no longer approve here.
func (s *Service) approver(ctx context.Context, tx herald.Tx, workspaceID int64, pa Preapproval) (herald.Actor, error) {
	lapsed := func(why string) error {
		return herald.Errorf(herald.CodeConflict, "the text's approval has lapsed: %s; approve the text again", why)
	}
	if pa.ApproverID == 0 {
		return herald.Actor{}, lapsed("nobody approved it")
	}
	m, err := tx.GetMembership(ctx, workspaceID, pa.ApproverID)
	if errors.Is(err, herald.ErrNotFound) {
		return herald.Actor{}, lapsed("whoever approved it is no longer a member of the workspace")
	}
	if err != nil {
		return herald.Actor{}, fmt.Errorf("post: the approver: %w", err)
	}
	if !m.Role.Can(herald.ActPostsApprove) || !m.Role.Can(herald.ActPostsHold) {
		return herald.Actor{}, lapsed("whoever approved it can no longer approve posts here")
	}
	return herald.Actor{UserID: pa.ApproverID, WorkspaceID: workspaceID, Role: m.Role}, nil
}

// PublishPreapproved writes a post of a text approved in advance and
// publishes it now: written and submitted by the actor, approved in the
// name of the text's approver, then published at once by the actor. All
// or nothing; the platforms' limits and the brand voice rules apply as for
// any post. The actor needs only to write posts.
func (s *Service) PublishPreapproved(ctx context.Context, actor herald.Actor, in herald.Post, pa Preapproval) (herald.Post, error) {
	if err := actor.Require(herald.ActPostsWrite); err != nil {
		return herald.Post{}, err
	}
	reason, err := checkReason("reason", pa.Reason, true)
	if err != nil {
		return herald.Post{}, err
	}
	var p herald.Post
	err = s.store.InTx(ctx, func(tx herald.Tx) error {
		ws, err := getWorkspace(ctx, tx, actor.WorkspaceID)
		if err != nil {
			return err
		}
		by, err := s.approver(ctx, tx, actor.WorkspaceID, pa)
		if err != nil {
			return err
		}
		now := s.clock.Now()
		if p, err = s.createIn(ctx, tx, actor, ws, in, ActionDraft, now, &refSet{}); err != nil {
			return err
		}
		if err := refuseBlocked(ctx, tx, ws, p, publishNowMove.verb); err != nil {
			return err
		}
		if err := s.apply(ctx, tx, actor, ws, &p, submitMove, reason, nil, now); err != nil {
			return err
		}
		if err := s.apply(ctx, tx, by, ws, &p, approveMove, reason, nil, now); err != nil {
			return err
		}
		return s.apply(ctx, tx, actor, ws, &p, publishNowMove, reason, nil, now)
	})
	if err != nil {
		return herald.Post{}, fmt.Errorf("post: publish a pre-approved text: %w", err)
	}
	s.wake()
	s.logger.InfoContext(ctx, "pre-approved post published", "workspace_id", p.WorkspaceID, "post_id", p.ID,
		"approver", pa.ApproverID, "targets", len(p.Targets))
	return p, nil
}

// ReplyPreapproved sends a text approved in advance as a reply to inbox
// item itemID through the exactly-once reply path (see Reply). The actor
// needs only to write posts; the caller has checked the rule that allows
// it. The approver must still be able to approve posts.
func (s *Service) ReplyPreapproved(ctx context.Context, actor herald.Actor, itemID int64, text, requestKey string, pa Preapproval) (herald.Reply, error) {
	if _, err := s.approver(ctx, s.store, actor.WorkspaceID, pa); err != nil {
		return herald.Reply{}, err
	}
	return s.replyAs(ctx, actor, herald.ActPostsWrite, itemID, 0, text, requestKey)
}

// MatchItem makes a listening match an inbox item of the workspace's
// account accountID (once: the same match and account give the same item),
// so that it is answered through the inbox's reply path and the inbox
// keeps the conversation. The account must be a connected account of the
// match's platform.
func (s *Service) MatchItem(ctx context.Context, actor herald.Actor, m herald.ListenMatch, accountID int64) (herald.InboxItem, error) {
	if err := actor.Require(herald.ActPostsWrite); err != nil {
		return herald.InboxItem{}, err
	}
	bad := func(msg string) error {
		return &herald.Error{Code: herald.CodeInvalid, Message: msg,
			Details: []herald.FieldProblem{{Field: "account_id", Problem: "cannot answer this post"}}}
	}
	a, err := s.account(ctx, actor.WorkspaceID, accountID)
	if err != nil {
		return herald.InboxItem{}, err
	}
	switch {
	case m.WorkspaceID != actor.WorkspaceID:
		return herald.InboxItem{}, herald.NotFound("listening match")
	case a.Platform != m.Platform:
		return herald.InboxItem{}, bad(fmt.Sprintf("the post is on %s and %s is a %s account: choose a %s account",
			m.Platform.Name(), a.Handle, a.Platform.Name(), m.Platform.Name()))
	case a.Credentials.Empty() || a.Status == herald.AccountRevoked || a.Status == herald.AccountExpired:
		return herald.InboxItem{}, bad(fmt.Sprintf("%s must be reconnected before it can reply", a.Handle))
	}
	it := herald.InboxItem{WorkspaceID: actor.WorkspaceID, AccountID: a.ID, RemoteID: m.RemoteID, URL: m.URL,
		AuthorID: m.AuthorID, AuthorHandle: m.AuthorHandle, AuthorName: m.AuthorName, Text: m.Text,
		ReplyToRemoteID: m.ReplyTo, CreatedAt: m.PostedAt, FetchedAt: s.clock.Now(),
		InboxAnalysis: herald.InboxAnalysis{Sentiment: m.Sentiment, SentimentScore: m.Score, Language: m.Language}}
	switch m.Platform {
	case herald.PlatformBluesky:
		it.Meta = map[string]string{"uri": m.RemoteID, "cid": m.CID}
	case herald.PlatformMastodon:
		// A match is known by its address (the status URI), not by any
		// server's own id: the account's server finds it first.
		it.Meta = map[string]string{"uri": m.RemoteID, connector.MetaByAddress: "1"}
	}
	if strings.TrimSpace(it.AuthorHandle) == "" {
		it.AuthorHandle = m.AuthorID
	}
	if _, err := s.store.AddInboxItems(ctx, []herald.InboxItem{it}); err != nil {
		return herald.InboxItem{}, fmt.Errorf("post: the match as an inbox item: %w", err)
	}
	got, err := s.store.FindInboxItem(ctx, a.ID, m.RemoteID)
	if err != nil {
		return herald.InboxItem{}, fmt.Errorf("post: the match's inbox item: %w", err)
	}
	return got, nil
}

// ReplyToMatch answers a listening match from the account accountID in the
// actor's own words (Reply's rules: the actor must be able to schedule),
// through the inbox: see MatchItem and Reply.
func (s *Service) ReplyToMatch(ctx context.Context, actor herald.Actor, m herald.ListenMatch, accountID int64, text, requestKey string) (herald.Reply, herald.InboxItem, error) {
	if err := actor.Require(herald.ActPostsSchedule); err != nil {
		return herald.Reply{}, herald.InboxItem{}, err
	}
	it, err := s.MatchItem(ctx, actor, m, accountID)
	if err != nil {
		return herald.Reply{}, herald.InboxItem{}, err
	}
	r, err := s.Reply(ctx, actor, it.ID, text, requestKey)
	return r, it, err
}
