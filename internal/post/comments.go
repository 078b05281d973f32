package post

import (
	"context"
	"fmt"
	"regexp"
	"slices"
	"strings"
	"time"

	"github.com/heraldsocial/herald/internal/herald"
)

// Comments on posts. Anyone who writes or approves posts may comment; the
// author of a comment, or an admin, may delete it. "@name" in a comment
// mentions the member whose display name without spaces, or whose e-mail
// address before the @, is name (ignoring case); anything else stays text.

// Person is a member of the workspace as comments name them.
type Person struct {
	UserID int64  `json:"user_id"`
	Name   string `json:"name"`
	// Handle is what to type after @ to mention them: their name without
	// spaces, lower-cased.
	Handle string `json:"handle"`
	// Alias is the other name that mentions them: the part of their
	// e-mail address before the @, lower-cased.
	Alias string `json:"alias"`
}

// matches reports whether @word mentions p.
func (p Person) matches(word string) bool {
	w := strings.ToLower(word)
	return w != "" && (w == p.Handle || w == p.Alias)
}

// PersonOf returns a member as comments name them (tasks' comments
// mention people the same way posts' comments do).
func PersonOf(m herald.Member) Person { return personOf(m) }

func personOf(m herald.Member) Person {
	local, _, _ := strings.Cut(m.Email, "@")
	return Person{UserID: m.UserID, Name: m.Name,
		Handle: strings.ToLower(strings.Join(strings.Fields(m.Name), "")), Alias: strings.ToLower(local)}
}

// mentionPattern finds "@word" not inside another word or an e-mail
// address; group 2 is the word.
var mentionPattern = regexp.MustCompile(`(^|[^\p{L}\p{N}_.@+-])@([\p{L}\p{N}_][\p{L}\p{N}_.'-]*)`)

// Segment is a piece of a comment's body: plain text, or a mention of a
// member.
type Segment struct {
	Text    string
	Mention *Person
}

// Segments splits body into text and the mentions of people in it, for
// showing mentions apart. Unresolved @words stay text.
func Segments(body string, people []Person) []Segment {
	var out []Segment
	last := 0
	for _, m := range mentionPattern.FindAllStringSubmatchIndex(body, -1) {
		start, end := m[4]-1, m[5] // the @ and the end of the word
		word := strings.TrimRight(body[m[4]:end], ".'-")
		end = m[4] + len(word)
		i := slices.IndexFunc(people, func(p Person) bool { return p.matches(word) })
		if i < 0 {
			continue
		}
		if start > last {
			out = append(out, Segment{Text: body[last:start]})
		}
		p := people[i]
		out = append(out, Segment{Text: body[start:end], Mention: &p})
		last = end
	}
	if last < len(body) {
		out = append(out, Segment{Text: body[last:]})
	}
	return out
}

// Mentions returns the user ids body mentions among people, ascending,
// without repeats. Every member a word matches is mentioned.
func Mentions(body string, people []Person) []int64 {
	ids := []int64{}
	for _, m := range mentionPattern.FindAllStringSubmatch(body, -1) {
		word := strings.TrimRight(m[2], ".'-")
		for _, p := range people {
			if p.matches(word) {
				ids = append(ids, p.UserID)
			}
		}
	}
	slices.Sort(ids)
	return slices.Compact(ids)
}

// People returns the workspace's members as comments name them, by name.
// Anyone who reads posts may see them: they are whom a comment can mention.
func (s *Service) People(ctx context.Context, actor herald.Actor) ([]Person, error) {
	if err := actor.Require(herald.ActPostsRead); err != nil {
		return nil, err
	}
	return people(ctx, s.store, actor.WorkspaceID)
}

func people(ctx context.Context, tx herald.Tx, workspaceID int64) ([]Person, error) {
	members, err := tx.ListMembers(ctx, workspaceID)
	if err != nil {
		return nil, fmt.Errorf("post: list members: %w", err)
	}
	out := make([]Person, 0, len(members))
	for _, m := range members {
		out = append(out, personOf(m))
	}
	return out, nil
}

// mayComment refuses roles that only read.
func mayComment(actor herald.Actor) error {
	if actor.Role.Can(herald.ActPostsWrite) || actor.Role.Can(herald.ActPostsApprove) {
		return nil
	}
	return herald.Errorf(herald.CodeForbidden, "the %s role cannot comment on posts: it only reads them", actor.Role)
}

// AddComment adds a comment by the actor to post postID, mentioning the
// members it names with @name.
func (s *Service) AddComment(ctx context.Context, actor herald.Actor, postID int64, body string) (herald.PostComment, error) {
	if err := actor.Require(herald.ActPostsRead); err != nil {
		return herald.PostComment{}, err
	}
	var c herald.PostComment
	err := s.store.InTx(ctx, func(tx herald.Tx) error {
		if _, err := getPost(ctx, tx, actor.WorkspaceID, postID); err != nil {
			return err
		}
		if err := mayComment(actor); err != nil {
			return err
		}
		var err error
		c, err = s.comment(ctx, tx, actor, postID, body, s.clock.Now())
		return err
	})
	if err != nil {
		return herald.PostComment{}, fmt.Errorf("post: comment on %d: %w", postID, err)
	}
	s.logger.InfoContext(ctx, "post commented", "workspace_id", actor.WorkspaceID, "post_id", postID,
		"comment_id", c.ID, "mentions", len(c.Mentions))
	return c, nil
}

// comment stores a comment inside tx, with its audit entry.
func (s *Service) comment(ctx context.Context, tx herald.Tx, actor herald.Actor, postID int64, body string, now time.Time) (herald.PostComment, error) {
	c := herald.PostComment{WorkspaceID: actor.WorkspaceID, PostID: postID, AuthorID: actor.UserID,
		Body: strings.TrimSpace(body), CreatedAt: now}
	if err := c.Validate(); err != nil {
		return c, err
	}
	ps, err := people(ctx, tx, actor.WorkspaceID)
	if err != nil {
		return c, err
	}
	c.Mentions = Mentions(c.Body, ps)
	if err := tx.CreateComment(ctx, &c); err != nil {
		return c, err
	}
	for _, p := range ps {
		if p.UserID == c.AuthorID {
			c.AuthorName = p.Name
		}
	}
	e := herald.NewAudit(actor, "post.comment", "post", postID, nil,
		map[string]any{"comment_id": c.ID, "mentions": c.Mentions}, now)
	if err := tx.AppendAudit(ctx, &e); err != nil {
		return c, err
	}
	return c, nil
}

// ListComments returns one page of a post's comments, oldest first.
func (s *Service) ListComments(ctx context.Context, actor herald.Actor, postID int64, page herald.Page) ([]herald.PostComment, string, error) {
	if err := actor.Require(herald.ActPostsRead); err != nil {
		return nil, "", err
	}
	cs, next, err := s.store.ListComments(ctx, actor.WorkspaceID, postID, page.Normalize())
	if err != nil {
		if herald.ErrorCode(err) == herald.CodeNotFound {
			return nil, "", &herald.Error{Code: herald.CodeNotFound,
				Message: fmt.Sprintf("post %d not found in this workspace", postID), Err: err}
		}
		return nil, "", fmt.Errorf("post: list comments of %d: %w", postID, err)
	}
	return cs, next, nil
}

// DeleteComment deletes comment commentID of post postID: its author may,
// and so may an admin or the owner.
func (s *Service) DeleteComment(ctx context.Context, actor herald.Actor, postID, commentID int64) error {
	if err := actor.Require(herald.ActPostsRead); err != nil {
		return err
	}
	err := s.store.InTx(ctx, func(tx herald.Tx) error {
		c, err := tx.GetComment(ctx, actor.WorkspaceID, commentID)
		if herald.ErrorCode(err) == herald.CodeNotFound || (err == nil && c.PostID != postID) {
			return &herald.Error{Code: herald.CodeNotFound,
				Message: fmt.Sprintf("comment %d not found on post %d", commentID, postID), Err: err}
		}
		if err != nil {
			return err
		}
		if c.AuthorID != actor.UserID && !actor.Role.AtLeast(herald.RoleAdmin) {
			return herald.Errorf(herald.CodeForbidden, "only the comment's author or an admin can delete it")
		}
		if err := tx.DeleteComment(ctx, actor.WorkspaceID, commentID); err != nil {
			return err
		}
		e := herald.NewAudit(actor, "post.comment_delete", "post", postID,
			map[string]any{"comment_id": c.ID, "author_id": c.AuthorID, "body": c.Body}, nil, s.clock.Now())
		return tx.AppendAudit(ctx, &e)
	})
	if err != nil {
		return fmt.Errorf("post: delete comment %d: %w", commentID, err)
	}
	s.logger.InfoContext(ctx, "post comment deleted", "workspace_id", actor.WorkspaceID, "post_id", postID, "comment_id", commentID)
	return nil
}

// MentionsOfMe returns the newest comments of the workspace that mention
// the actor, at most limit.
func (s *Service) MentionsOfMe(ctx context.Context, actor herald.Actor, limit int) ([]herald.PostComment, error) {
	if err := actor.Require(herald.ActPostsRead); err != nil {
		return nil, err
	}
	cs, err := s.store.ListMentions(ctx, actor.WorkspaceID, actor.UserID, limit)
	if err != nil {
		return nil, fmt.Errorf("post: mentions of user %d: %w", actor.UserID, err)
	}
	return cs, nil
}

// ChangesRequested reports whether a target's history ends with a reviewer
// sending it back for changes.
func ChangesRequested(history []herald.TargetTransition) bool {
	if len(history) == 0 {
		return false
	}
	last := history[len(history)-1]
	return last.To == herald.StateDraft && strings.HasPrefix(last.Reason, requestChangesMove.thread)
}
