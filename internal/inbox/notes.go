package inbox

import (
	"context"
	"fmt"
	"strings"
	"unicode/utf8"

	"github.com/heraldsocial/herald/internal/herald"
	"github.com/heraldsocial/herald/internal/post"
)

// Internal notes: what the team says about an item among itself. A note
// is never sent to the platform, so the item's author never sees it.
// "@name" mentions a member as in posts' comments (post.Mentions), and
// the members mentioned are notified, the note's author excepted.

// Notes returns an item's notes, oldest first.
func (s *Service) Notes(ctx context.Context, actor herald.Actor, itemID int64) ([]herald.InboxNote, error) {
	if err := actor.Require(herald.ActPostsRead); err != nil {
		return nil, err
	}
	if _, err := s.store.GetInboxItem(ctx, actor.WorkspaceID, itemID); err != nil {
		return nil, fmt.Errorf("inbox: notes of %d: %w", itemID, err)
	}
	ns, err := s.store.ListInboxNotes(ctx, actor.WorkspaceID, itemID)
	if err != nil {
		return nil, fmt.Errorf("inbox: notes of %d: %w", itemID, err)
	}
	return ns, nil
}

// People returns the members a note can mention, by name.
func (s *Service) People(ctx context.Context, actor herald.Actor) ([]post.Person, error) {
	if err := actor.Require(herald.ActPostsRead); err != nil {
		return nil, err
	}
	return people(ctx, s.store, actor.WorkspaceID)
}

func people(ctx context.Context, tx herald.Tx, ws int64) ([]post.Person, error) {
	ms, err := tx.ListMembers(ctx, ws)
	if err != nil {
		return nil, fmt.Errorf("inbox: members: %w", err)
	}
	out := make([]post.Person, len(ms))
	for i, m := range ms {
		out[i] = post.PersonOf(m)
	}
	return out, nil
}

// AddNote adds the actor's note to an item and notifies the members it
// mentions. Anyone who may write posts may write notes.
func (s *Service) AddNote(ctx context.Context, actor herald.Actor, itemID int64, body string) (herald.InboxNote, error) {
	if err := actor.Require(herald.ActPostsWrite); err != nil {
		return herald.InboxNote{}, err
	}
	n := herald.InboxNote{WorkspaceID: actor.WorkspaceID, ItemID: itemID, AuthorID: actor.UserID,
		Body: strings.TrimSpace(body), CreatedAt: s.clock.Now()}
	var p herald.Problems
	switch l := utf8.RuneCountInString(n.Body); {
	case n.Body == "":
		p.Add("body", "is empty: write the note")
	case l > herald.MaxCommentLen:
		p.Add("body", "is %d characters; at most %d are allowed", l, herald.MaxCommentLen)
	}
	herald.CheckText(&p, "body", n.Body)
	if err := p.Err("the note is not valid"); err != nil {
		return herald.InboxNote{}, err
	}
	var it herald.InboxItem
	err := s.store.InTx(ctx, func(tx herald.Tx) error {
		var err error
		if it, err = tx.GetInboxItem(ctx, actor.WorkspaceID, itemID); err != nil {
			return err
		}
		ps, err := people(ctx, tx, actor.WorkspaceID)
		if err != nil {
			return err
		}
		n.Mentions = post.Mentions(n.Body, ps)
		for _, p := range ps {
			if p.UserID == actor.UserID {
				n.AuthorName = p.Name
			}
		}
		if err := tx.AddInboxNote(ctx, &n); err != nil {
			return err
		}
		e := herald.NewAudit(actor, "inbox.note", "inbox_item", itemID, nil,
			map[string]any{"note_id": n.ID, "mentions": n.Mentions}, n.CreatedAt)
		return tx.AppendAudit(ctx, &e)
	})
	if err != nil {
		return herald.InboxNote{}, fmt.Errorf("inbox: note on %d: %w", itemID, err)
	}
	var told []int64
	for _, id := range n.Mentions {
		if id != actor.UserID {
			told = append(told, id)
		}
	}
	if len(told) > 0 {
		s.notify(ctx, herald.Notification{Kind: herald.NotifyMentioned, WorkspaceID: actor.WorkspaceID,
			InboxItemID: itemID, AccountID: it.AccountID, UserIDs: told, ActorID: actor.UserID, Actor: n.AuthorName,
			Title: "Mentioned in a note on " + it.AuthorHandle + "'s message", Message: n.Body,
			Link: fmt.Sprintf("/w/%d/inbox/%d", actor.WorkspaceID, itemID),
			Key:  fmt.Sprintf("inbox-note:%d:mentioned", n.ID), At: n.CreatedAt})
	}
	return n, nil
}

// DeleteNote deletes a note of an item: its author may, and so may an
// admin or the owner.
func (s *Service) DeleteNote(ctx context.Context, actor herald.Actor, itemID, noteID int64) error {
	if err := actor.Require(herald.ActPostsWrite); err != nil {
		return err
	}
	err := s.store.InTx(ctx, func(tx herald.Tx) error {
		n, err := tx.GetInboxNote(ctx, actor.WorkspaceID, noteID)
		if err != nil {
			return err
		}
		if n.ItemID != itemID {
			return herald.NotFound("inbox note")
		}
		if n.AuthorID != actor.UserID && !actor.Role.Can(herald.ActMembersManage) {
			return herald.Errorf(herald.CodeForbidden, "only the note's author or an admin may delete it")
		}
		if err := tx.DeleteInboxNote(ctx, actor.WorkspaceID, noteID); err != nil {
			return err
		}
		e := herald.NewAudit(actor, "inbox.note_delete", "inbox_item", itemID, map[string]any{"note_id": noteID,
			"body": n.Body}, nil, s.clock.Now())
		return tx.AppendAudit(ctx, &e)
	})
	if err != nil {
		return fmt.Errorf("inbox: delete note %d: %w", noteID, err)
	}
	return nil
}
