package inbox

import (
	"context"
	"fmt"
	"regexp"
	"slices"
	"strings"
	"unicode/utf8"

	"github.com/heraldsocial/herald/internal/herald"
)

// Saved replies: the workspace's ready answers. A body may hold the
// variables of herald.SavedReplyVariables, written {{author.name}} (spaces
// inside the braces allowed); an unknown variable or an unclosed {{ is
// refused when the reply is saved, so a filled-in answer never shows
// braces to a customer.

// MaxSavedReplyName bounds a saved reply's name, in characters.
const MaxSavedReplyName = 100

// variablePattern finds {{ name }}; group 1 is the name.
var variablePattern = regexp.MustCompile(`\{\{\s*([^{}]*?)\s*\}\}`)

// SavedReplyInput is what a person writes to make or change a saved reply.
type SavedReplyInput struct {
	Name string `json:"name"`
	Body string `json:"body"`
}

// checkSavedReply reports what is wrong with in.
func checkSavedReply(in SavedReplyInput) error {
	var p herald.Problems
	switch n := utf8.RuneCountInString(in.Name); {
	case in.Name == "":
		p.Add("name", "is empty: name the reply so it can be found with /")
	case n > MaxSavedReplyName:
		p.Add("name", "is %d characters; at most %d are allowed", n, MaxSavedReplyName)
	}
	switch n := utf8.RuneCountInString(in.Body); {
	case in.Body == "":
		p.Add("body", "is empty: write the reply")
	case n > herald.MaxCommentLen:
		p.Add("body", "is %d characters; at most %d are allowed", n, herald.MaxCommentLen)
	}
	herald.CheckText(&p, "name", in.Name)
	herald.CheckText(&p, "body", in.Body)
	known := make([]string, len(herald.SavedReplyVariables))
	for i, v := range herald.SavedReplyVariables {
		known[i] = v.Name
	}
	for _, m := range variablePattern.FindAllStringSubmatch(in.Body, -1) {
		if !slices.Contains(known, m[1]) {
			p.Add("body", "uses the unknown variable {{%s}}: use one of {{%s}}", m[1], strings.Join(known, "}}, {{"))
		}
	}
	if rest := variablePattern.ReplaceAllString(in.Body, ""); strings.Contains(rest, "{{") || strings.Contains(rest, "}}") {
		p.Add("body", "has a {{ or }} that does not enclose a variable: write variables as {{author.name}}")
	}
	return p.Err("the saved reply is not valid")
}

// SavedReplies returns the workspace's saved replies by name. Anyone who
// reads the inbox sees them.
func (s *Service) SavedReplies(ctx context.Context, actor herald.Actor) ([]herald.SavedReply, error) {
	if err := actor.Require(herald.ActPostsRead); err != nil {
		return nil, err
	}
	rs, err := s.store.ListSavedReplies(ctx, actor.WorkspaceID)
	if err != nil {
		return nil, fmt.Errorf("inbox: saved replies: %w", err)
	}
	return rs, nil
}

// SavedReply returns one saved reply.
func (s *Service) SavedReply(ctx context.Context, actor herald.Actor, id int64) (herald.SavedReply, error) {
	if err := actor.Require(herald.ActPostsRead); err != nil {
		return herald.SavedReply{}, err
	}
	r, err := s.store.GetSavedReply(ctx, actor.WorkspaceID, id)
	if err != nil {
		return herald.SavedReply{}, fmt.Errorf("inbox: saved reply %d: %w", id, err)
	}
	return r, nil
}

// CreateSavedReply saves a new reply; those who manage templates may.
func (s *Service) CreateSavedReply(ctx context.Context, actor herald.Actor, in SavedReplyInput) (herald.SavedReply, error) {
	if err := actor.Require(herald.ActTemplatesManage); err != nil {
		return herald.SavedReply{}, err
	}
	in.Name, in.Body = strings.TrimSpace(in.Name), strings.TrimSpace(in.Body)
	if err := checkSavedReply(in); err != nil {
		return herald.SavedReply{}, err
	}
	r := herald.SavedReply{WorkspaceID: actor.WorkspaceID, Name: in.Name, Body: in.Body, CreatedBy: actor.UserID,
		CreatedAt: s.clock.Now()}
	err := s.store.InTx(ctx, func(tx herald.Tx) error {
		if err := tx.CreateSavedReply(ctx, &r); err != nil {
			return err
		}
		e := herald.NewAudit(actor, "saved_reply.create", "saved_reply", r.ID, nil, r, r.CreatedAt)
		return tx.AppendAudit(ctx, &e)
	})
	if err != nil {
		return herald.SavedReply{}, fmt.Errorf("inbox: create saved reply: %w", err)
	}
	return r, nil
}

// UpdateSavedReply changes a saved reply's name and body.
func (s *Service) UpdateSavedReply(ctx context.Context, actor herald.Actor, id int64, in SavedReplyInput) (herald.SavedReply, error) {
	if err := actor.Require(herald.ActTemplatesManage); err != nil {
		return herald.SavedReply{}, err
	}
	in.Name, in.Body = strings.TrimSpace(in.Name), strings.TrimSpace(in.Body)
	if err := checkSavedReply(in); err != nil {
		return herald.SavedReply{}, err
	}
	var r herald.SavedReply
	err := s.store.InTx(ctx, func(tx herald.Tx) error {
		before, err := tx.GetSavedReply(ctx, actor.WorkspaceID, id)
		if err != nil {
			return err
		}
		r = before
		r.Name, r.Body, r.UpdatedAt = in.Name, in.Body, s.clock.Now()
		if err := tx.UpdateSavedReply(ctx, &r); err != nil {
			return err
		}
		e := herald.NewAudit(actor, "saved_reply.update", "saved_reply", id, before, r, r.UpdatedAt)
		return tx.AppendAudit(ctx, &e)
	})
	if err != nil {
		return herald.SavedReply{}, fmt.Errorf("inbox: update saved reply %d: %w", id, err)
	}
	return r, nil
}

// DeleteSavedReply deletes a saved reply; replies already sent with it
// stay as they were.
func (s *Service) DeleteSavedReply(ctx context.Context, actor herald.Actor, id int64) error {
	if err := actor.Require(herald.ActTemplatesManage); err != nil {
		return err
	}
	err := s.store.InTx(ctx, func(tx herald.Tx) error {
		before, err := tx.GetSavedReply(ctx, actor.WorkspaceID, id)
		if err != nil {
			return err
		}
		if err := tx.DeleteSavedReply(ctx, actor.WorkspaceID, id); err != nil {
			return err
		}
		e := herald.NewAudit(actor, "saved_reply.delete", "saved_reply", id, before, nil, s.clock.Now())
		return tx.AppendAudit(ctx, &e)
	})
	if err != nil {
		return fmt.Errorf("inbox: delete saved reply %d: %w", id, err)
	}
	return nil
}

// FilledReply is a saved reply with its variables filled in for an item.
type FilledReply struct {
	herald.SavedReply
	// Text is the body with every variable replaced, ready to send.
	Text string `json:"text"`
}

// FillSavedReplies returns the workspace's saved replies filled in for an
// item, answered by the actor from the item's account: what the reply
// box's / picker offers.
func (s *Service) FillSavedReplies(ctx context.Context, actor herald.Actor, itemID int64) ([]FilledReply, error) {
	if err := actor.Require(herald.ActPostsRead); err != nil {
		return nil, err
	}
	vars, err := s.variables(ctx, actor, itemID)
	if err != nil {
		return nil, err
	}
	rs, err := s.store.ListSavedReplies(ctx, actor.WorkspaceID)
	if err != nil {
		return nil, fmt.Errorf("inbox: saved replies: %w", err)
	}
	out := make([]FilledReply, len(rs))
	for i, r := range rs {
		out[i] = FilledReply{SavedReply: r, Text: fill(r.Body, vars)}
	}
	return out, nil
}

// FillSavedReply returns one saved reply filled in for an item.
func (s *Service) FillSavedReply(ctx context.Context, actor herald.Actor, id, itemID int64) (FilledReply, error) {
	r, err := s.SavedReply(ctx, actor, id)
	if err != nil {
		return FilledReply{}, err
	}
	vars, err := s.variables(ctx, actor, itemID)
	if err != nil {
		return FilledReply{}, err
	}
	return FilledReply{SavedReply: r, Text: fill(r.Body, vars)}, nil
}

// variables are the values of the saved replies' variables for an item.
func (s *Service) variables(ctx context.Context, actor herald.Actor, itemID int64) (map[string]string, error) {
	it, err := s.store.GetInboxItem(ctx, actor.WorkspaceID, itemID)
	if err != nil {
		return nil, fmt.Errorf("inbox: item %d: %w", itemID, err)
	}
	acct, err := s.store.GetAccount(ctx, actor.WorkspaceID, it.AccountID)
	if err != nil {
		return nil, fmt.Errorf("inbox: account of item %d: %w", itemID, err)
	}
	ws, err := s.store.GetWorkspace(ctx, actor.WorkspaceID)
	if err != nil {
		return nil, fmt.Errorf("inbox: workspace: %w", err)
	}
	me := ""
	if actor.UserID != 0 {
		if u, err := s.store.GetUser(ctx, actor.UserID); err == nil {
			me = u.Name
		}
	}
	handle := it.AuthorHandle
	if handle != "" && !strings.HasPrefix(handle, "@") {
		handle = "@" + handle
	}
	name := strings.TrimSpace(it.AuthorName)
	if name == "" {
		name = handle
	}
	accountName := strings.TrimSpace(acct.DisplayName)
	if accountName == "" {
		accountName = acct.Handle
	}
	return map[string]string{"author.name": name, "author.handle": handle, "account.name": accountName,
		"account.handle": acct.Handle, "me.name": me, "workspace.name": ws.Name}, nil
}

// fill replaces the variables of body with their values.
func fill(body string, vars map[string]string) string {
	return variablePattern.ReplaceAllStringFunc(body, func(m string) string {
		name := variablePattern.FindStringSubmatch(m)[1]
		if v, ok := vars[name]; ok {
			return v
		}
		return m
	})
}
