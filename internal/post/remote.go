package post

import (
	"context"
	"fmt"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/heraldsocial/herald/internal/connector"
	"github.com/heraldsocial/herald/internal/herald"
)

// Changing published posts on their platforms. The target state machine has
// nothing after published: a deletion or an edit is recorded on the target
// (RemoteDeletedAt, EditedAt) and in the audit log, and the target stays
// published.

// remoteTarget is a published target with what it takes to reach its post
// on the platform.
type remoteTarget struct {
	post   herald.Post
	acct   connector.Account
	conn   connector.Publisher
	target herald.Target
}

// publishedTarget loads target targetID of post postID and checks that it
// is published, still on its platform, and known there by its id; then
// opens its account for the connector. Permissions are checked by the
// caller after the post is found (so another workspace's post is a 404).
func (s *Service) publishedTarget(ctx context.Context, actor herald.Actor, postID, targetID int64, verb string, acts ...herald.Action) (remoteTarget, error) {
	var rt remoteTarget
	if err := actor.Require(herald.ActPostsRead); err != nil {
		return rt, err
	}
	p, err := getPost(ctx, s.store, actor.WorkspaceID, postID)
	if err != nil {
		return rt, err
	}
	i, err := targetIn(p, targetID)
	if err != nil {
		return rt, err
	}
	for _, a := range acts {
		if err := actor.Require(a); err != nil {
			return rt, err
		}
	}
	t := p.Targets[i]
	switch {
	case t.State != herald.StatePublished:
		return rt, herald.Errorf(herald.CodeConflict,
			"target %d is %s: only a published post can be %s on its platform", t.ID, t.State, verb)
	case t.RemoteDeletedAt != nil:
		return rt, herald.Errorf(herald.CodeConflict,
			"target %d was already deleted from its platform at %s", t.ID, t.RemoteDeletedAt.Format(time.RFC3339))
	case t.RemoteID == "":
		return rt, herald.Errorf(herald.CodeConflict,
			"target %d was marked published by hand without its id on the platform, so Herald cannot find it there: do it on the platform", t.ID)
	}
	a, err := s.account(ctx, actor.WorkspaceID, t.AccountID)
	if err != nil {
		return rt, err
	}
	if s.conn.registry == nil {
		return rt, herald.Errorf(herald.CodeConflict, "this Herald server cannot reach the platforms")
	}
	c, ok := s.conn.registry.Get(a.Platform)
	if !ok {
		return rt, herald.Errorf(herald.CodeConflict, "this Herald server has no %s connector", a.Platform)
	}
	rt = remoteTarget{post: p, conn: c, target: t, acct: connector.Account{Account: a}}
	return rt, nil
}

// open opens the target's account credentials, refusing a disconnected
// account.
func (s *Service) open(rt *remoteTarget) error {
	a := rt.acct.Account
	if a.Credentials.Empty() || a.Status == herald.AccountRevoked || a.Status == herald.AccountExpired {
		return herald.Errorf(herald.CodeConflict, "the %s account %s must be reconnected first", a.Platform, a.Handle)
	}
	plain, err := s.conn.keys.Open(a.Credentials, a.CredentialsAAD())
	if err != nil {
		return fmt.Errorf("post: open the credentials of account %d: %w", a.ID, err)
	}
	rt.acct.Credentials = plain
	return nil
}

// DeleteRemote deletes a published target's post from its platform (with
// the thread parts and first comment Herald published after it, last
// first), and records when. The target stays published, with its remote
// id, for the history. A post already gone from the platform counts as
// deleted.
func (s *Service) DeleteRemote(ctx context.Context, actor herald.Actor, postID, targetID int64) error {
	rt, err := s.publishedTarget(ctx, actor, postID, targetID, "deleted", herald.ActPostsDelete)
	if err != nil {
		return err
	}
	d, ok := rt.conn.(connector.Deleter)
	if !ok {
		return herald.Errorf(herald.CodeInvalid,
			"%s does not support deleting from Herald: delete the post on the platform", rt.acct.Platform)
	}
	if err := s.open(&rt); err != nil {
		return err
	}
	t := rt.target
	refs := []herald.RemoteRef{t.Ref()}
	if len(t.Progress.Parts) > 1 {
		refs = append(refs, t.Progress.Parts[1:]...)
	}
	if t.Progress.FirstComment != nil {
		refs = append(refs, *t.Progress.FirstComment)
	}
	for i := len(refs) - 1; i >= 0; i-- {
		if refs[i].ID == "" {
			continue
		}
		if err := d.Delete(ctx, rt.acct, refs[i]); err != nil {
			return platformError(err, "the platform did not delete the post")
		}
	}
	now := s.clock.Now()
	err = s.store.InTx(ctx, func(tx herald.Tx) error {
		if err := tx.MarkTargetRemote(ctx, actor.WorkspaceID, t.ID, &now, nil, ""); err != nil {
			return err
		}
		e := herald.NewAudit(actor, "target.delete_remote", "target", t.ID,
			map[string]any{"remote_id": t.RemoteID, "remote_url": t.RemoteURL},
			map[string]any{"post_id": postID, "remote_deleted_at": now, "parts": len(refs)}, now)
		return tx.AppendAudit(ctx, &e)
	})
	if err != nil {
		// The post is gone from the platform; deleting again is harmless.
		return fmt.Errorf("post: record the deletion of target %d: %w", t.ID, err)
	}
	s.logger.InfoContext(ctx, "published post deleted from its platform", "workspace_id", actor.WorkspaceID,
		"post_id", postID, "target_id", t.ID, "remote_id", t.RemoteID)
	return nil
}

// EditRemote replaces the text of a published target's post on its
// platform, where the platform allows editing, after checking it against
// the platform's rules, and saves it as the target's text. Only the post
// itself changes (not later thread parts or the first comment). A post with
// media is edited only where the connector keeps the media it has
// (mediaKeepingEditor); elsewhere the platform would need its files sent
// again, and the edit is refused.
func (s *Service) EditRemote(ctx context.Context, actor herald.Actor, postID, targetID int64, text string) (herald.Post, error) {
	text = strings.TrimSpace(text)
	switch n := utf8.RuneCountInString(text); {
	case n == 0:
		return herald.Post{}, &herald.Error{Code: herald.CodeInvalid, Message: "the new text is empty",
			Details: []herald.FieldProblem{{Field: "text", Problem: "is required"}}}
	case n > herald.MaxTextLen:
		return herald.Post{}, &herald.Error{Code: herald.CodeInvalid, Message: "the new text is too long",
			Details: []herald.FieldProblem{{Field: "text", Problem: fmt.Sprintf("is %d characters; at most %d are allowed", n, herald.MaxTextLen)}}}
	}
	rt, err := s.publishedTarget(ctx, actor, postID, targetID, "edited", herald.ActPostsWrite, herald.ActPostsSchedule)
	if err != nil {
		return herald.Post{}, err
	}
	ed, ok := rt.conn.(connector.Editor)
	if !ok {
		return herald.Post{}, herald.Errorf(herald.CodeInvalid,
			"%s does not support editing from Herald: delete the post and publish a new one, or edit it on the platform", rt.acct.Platform)
	}
	t := rt.target
	if err := mediaEditable(rt.conn, t); err != nil {
		return herald.Post{}, err
	}
	if err := s.open(&rt); err != nil {
		return herald.Post{}, err
	}
	part := connector.Part{WorkspaceID: actor.WorkspaceID, TargetID: t.ID, Text: text, Options: t.Variant.Options}
	if v, ok := rt.conn.(connector.Validator); ok {
		_, probs, err := v.Validate(ctx, rt.acct, part)
		if err != nil {
			return herald.Post{}, platformError(err, "the platform could not check the new text")
		}
		if len(probs) > 0 {
			var pr herald.Problems
			for _, p := range probs {
				pr.Add(p.Field, "%s", p.Problem)
			}
			return herald.Post{}, pr.Err("the platform would refuse the new text")
		}
	}
	ref, err := ed.Edit(ctx, rt.acct, t.Ref(), part)
	if err != nil {
		return herald.Post{}, platformError(err, "the platform did not edit the post")
	}
	before := effectiveText(rt.post, t)
	var p herald.Post
	err = s.store.InTx(ctx, func(tx herald.Tx) error {
		var err error
		p, err = getPost(ctx, tx, actor.WorkspaceID, postID)
		if err != nil {
			return err
		}
		i, err := targetIn(p, targetID)
		if err != nil {
			return err
		}
		now := s.clock.Now()
		p.Targets[i].Variant.Text = text
		p.Targets[i].UpdatedAt, p.UpdatedAt = now, now
		if err := tx.UpdatePost(ctx, &p, p.Version); err != nil {
			return err
		}
		url := ""
		if ref.URL != "" && ref.URL != t.RemoteURL {
			url = ref.URL
		}
		if err := tx.MarkTargetRemote(ctx, actor.WorkspaceID, targetID, nil, &now, url); err != nil {
			return err
		}
		e := herald.NewAudit(actor, "target.edit_remote", "target", targetID,
			map[string]any{"text": before}, map[string]any{"post_id": postID, "text": text, "remote_id": t.RemoteID}, now)
		if err := tx.AppendAudit(ctx, &e); err != nil {
			return err
		}
		p, err = getPost(ctx, tx, actor.WorkspaceID, postID)
		return err
	})
	if err != nil {
		// The platform has the new text; editing again with it is harmless.
		return herald.Post{}, fmt.Errorf("post: record the edit of target %d: %w", targetID, err)
	}
	s.logger.InfoContext(ctx, "published post edited on its platform", "workspace_id", actor.WorkspaceID,
		"post_id", postID, "target_id", targetID, "remote_id", t.RemoteID)
	return p, nil
}

// mediaKeepingEditor is an Editor whose Edit keeps a post's media when the
// part carries none (Mastodon sends the attachments' ids back), so the
// text of a post with media can be edited.
type mediaKeepingEditor interface {
	EditKeepsMedia() bool
}

// mediaEditable refuses the edit of a target with media unless the
// connector keeps the media the post has.
func mediaEditable(c connector.Publisher, t herald.Target) error {
	if mk, ok := c.(mediaKeepingEditor); len(t.Variant.MediaIDs) > 0 && (!ok || !mk.EditKeepsMedia()) {
		return herald.Errorf(herald.CodeInvalid,
			"target %d has media, which the platform would need sent again with the edit: edit this post on the platform", t.ID)
	}
	return nil
}

// EditsRemote reports whether a published target on an account of
// platform could have its text edited on the platform from this server:
// its connector is here, edits published posts, and keeps the post's
// media. Whether the target itself is published and the viewer may edit
// is for the caller (EditRemote checks both again).
func (s *Service) EditsRemote(platform herald.Platform, t herald.Target) bool {
	if s.conn.registry == nil {
		return false
	}
	c, ok := s.conn.registry.Get(platform)
	if !ok {
		return false
	}
	if _, ok := c.(connector.Editor); !ok {
		return false
	}
	return mediaEditable(c, t) == nil
}
