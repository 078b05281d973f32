package review

import (
	"cmp"
	"context"
	"crypto/subtle"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/heraldsocial/herald/internal/auth"
	"github.com/heraldsocial/herald/internal/herald"
	"github.com/heraldsocial/herald/internal/post"
)

// MaxPosts is how many posts one review page shows at most.
const MaxPosts = herald.MaxPageLimit

// Visible are the states of a target a client reviews: written, waiting
// for review, approved, or scheduled. Published, failing and cancelled
// targets are not shown (there is nothing left to decide).
var Visible = []herald.TargetState{herald.StateDraft, herald.StateInReview, herald.StateApproved, herald.StateScheduled}

// Visit is a review link opened with its token: the link, its workspace,
// and the actor the client acts as (the client role, named after the
// link).
type Visit struct {
	Link      herald.ReviewLink
	Workspace herald.Workspace
	Actor     herald.Actor
}

// Location is the workspace's zone, in which the page shows times.
func (v Visit) Location() *time.Location {
	if loc, err := v.Workspace.Location(); err == nil {
		return loc
	}
	return time.UTC
}

// GoneError says a review link no longer works: it expired or was
// revoked. It names only the link, when, and who made it.
type GoneError struct {
	Status  string    // herald.ReviewLinkExpired or herald.ReviewLinkRevoked
	At      time.Time // when it expired or was revoked
	Name    string    // the link's name
	Contact string    // who made it, to ask for a new one ("" when unknown)
}

func (e *GoneError) Error() string {
	return fmt.Sprintf("review link %s on %s", e.Status, e.At.UTC().Format(time.RFC3339))
}

// Open finds the review link of token. An unknown token is not found
// (whatever the workspace); an expired or revoked one is a *GoneError.
func (s *Service) Open(ctx context.Context, token string) (Visit, error) {
	gone := herald.NotFound("review link")
	if !strings.HasPrefix(token, TokenPrefix) || len(token) > 100 {
		return Visit{}, gone
	}
	h := hashToken(token)
	l, err := s.store.GetReviewLinkByHash(ctx, h)
	if errors.Is(err, herald.ErrNotFound) {
		return Visit{}, gone
	}
	if err != nil {
		return Visit{}, fmt.Errorf("review: find link: %w", err)
	}
	if subtle.ConstantTimeCompare(l.TokenHash, h) != 1 {
		return Visit{}, gone
	}
	if st := l.Status(s.clock.Now()); st != herald.ReviewLinkActive {
		ge := &GoneError{Status: st, At: l.ExpiresAt, Name: l.Name}
		if l.RevokedAt != nil {
			ge.At = *l.RevokedAt
		}
		if u, err := s.store.GetUser(ctx, l.CreatedBy); err == nil {
			ge.Contact = u.Name
		}
		return Visit{}, ge
	}
	ws, err := s.store.GetWorkspace(ctx, l.WorkspaceID)
	if err != nil {
		return Visit{}, fmt.Errorf("review: workspace of link %d: %w", l.ID, err)
	}
	return Visit{Link: l, Workspace: ws, Actor: herald.Actor{WorkspaceID: l.WorkspaceID, Role: herald.RoleClient,
		ReviewLinkID: l.ID, Name: l.Name}}, nil
}

// CheckPassword checks the password of v's link, if it has one, from
// remoteAddr. Wrong guesses are limited per link and address, per
// address and per link (auth.Guesses); too many are a rate-limited error
// saying when to try again.
func (s *Service) CheckPassword(ctx context.Context, v Visit, password, remoteAddr string) error {
	if !v.Link.HasPassword() {
		return nil
	}
	right, err := s.guesses.Guess("review_link:"+strconv.FormatInt(v.Link.ID, 10), remoteAddr, func() (bool, error) {
		return auth.CheckPassword(v.Link.PasswordHash, password)
	})
	if err != nil {
		if herald.ErrorCode(err) == herald.CodeRateLimited {
			s.logger.WarnContext(ctx, "review link password: too many wrong guesses", "link_id", v.Link.ID)
		}
		return fmt.Errorf("review: password: %w", err)
	}
	if !right {
		return &herald.Error{Code: herald.CodeUnauthorized, Message: "that is not the password of this review link",
			Details: []herald.FieldProblem{{Field: "password", Problem: "is not right: check it with whoever sent you the link"}}}
	}
	return nil
}

// Posts returns the posts in the link's scope that have a target to
// review (Visible), by their first scheduled time (posts without one
// last), at most MaxPosts.
func (s *Service) Posts(ctx context.Context, v Visit) ([]herald.Post, error) {
	f := herald.PostFilter{States: Visible, Page: herald.Page{Limit: MaxPosts}}
	if v.Link.CampaignID != nil {
		f.CampaignID = *v.Link.CampaignID
	} else {
		f.From, f.To = v.Link.From, v.Link.To
	}
	ps, _, err := s.posts.List(ctx, v.Actor, f)
	if err != nil {
		return nil, fmt.Errorf("review: posts of link %d: %w", v.Link.ID, err)
	}
	out := ps[:0]
	for _, p := range ps {
		if inScope(v.Link, p) {
			out = append(out, p)
		}
	}
	slices.SortStableFunc(out, func(a, b herald.Post) int {
		ta, tb := firstTime(a), firstTime(b)
		switch {
		case ta == nil && tb == nil:
			return cmp.Compare(a.ID, b.ID)
		case ta == nil:
			return 1
		case tb == nil:
			return -1
		}
		return cmp.Or(ta.Compare(*tb), cmp.Compare(a.ID, b.ID))
	})
	return out, nil
}

// firstTime is the earliest scheduled time of p's targets.
func firstTime(p herald.Post) *time.Time {
	var first *time.Time
	for _, t := range p.Targets {
		if t.ScheduledAt != nil && (first == nil || t.ScheduledAt.Before(*first)) {
			first = t.ScheduledAt
		}
	}
	return first
}

// inScope reports whether link l shows post p: its campaign, or a
// target scheduled in its range, and a target in a Visible state.
func inScope(l herald.ReviewLink, p herald.Post) bool {
	visible, inRange := false, false
	for _, t := range p.Targets {
		visible = visible || slices.Contains(Visible, t.State)
		if l.From != nil && l.To != nil && t.ScheduledAt != nil && !t.ScheduledAt.Before(*l.From) && t.ScheduledAt.Before(*l.To) {
			inRange = true
		}
	}
	if l.CampaignID != nil {
		return visible && p.CampaignID != nil && *p.CampaignID == *l.CampaignID
	}
	return visible && inRange
}

// Post returns one post of the link's scope; any other is not found.
func (s *Service) Post(ctx context.Context, v Visit, id int64) (herald.Post, error) {
	p, err := s.posts.Get(ctx, v.Actor, id)
	if err != nil {
		return herald.Post{}, fmt.Errorf("review: post %d: %w", id, err)
	}
	if !inScope(v.Link, p) {
		return herald.Post{}, herald.NotFound("post")
	}
	return p, nil
}

// MediaInScope reports whether media id is used by a post the link shows.
func (s *Service) MediaInScope(ctx context.Context, v Visit, id int64) (bool, error) {
	ps, err := s.Posts(ctx, v)
	if err != nil {
		return false, err
	}
	for _, p := range ps {
		for _, t := range p.Targets {
			if slices.Contains(t.Variant.MediaIDs, id) {
				return true, nil
			}
			for _, th := range t.Variant.Thread {
				if slices.Contains(th.MediaIDs, id) {
					return true, nil
				}
			}
		}
	}
	return false, nil
}

// Decide records the client's verdict on post postID, with a comment
// (required to ask for changes), and applies it through the post service
// as a reviewer with the client role: approving moves the targets in
// review to approved, asking for changes sends them back to draft. A post
// in no state the verdict can move (published, a draft not submitted, …)
// keeps its state; the verdict and comment are recorded all the same and
// Note says what happened. The post's author is notified either way.
func (s *Service) Decide(ctx context.Context, v Visit, postID int64, verdict herald.ReviewVerdict, comment string) (herald.ReviewDecision, error) {
	comment = strings.TrimSpace(comment)
	var pr herald.Problems
	if !verdict.Valid() {
		pr.Add("verdict", "%q is not a verdict: approve or request_changes", verdict)
	}
	switch n := utf8.RuneCountInString(comment); {
	case verdict == herald.VerdictRequestChanges && comment == "":
		pr.Add("comment", "is empty: say what should change")
	case n > post.MaxReasonLen:
		pr.Add("comment", "is %d characters; at most %d are allowed", n, post.MaxReasonLen)
	default:
		herald.CheckText(&pr, "comment", comment)
	}
	if err := pr.Err("the decision is not valid"); err != nil {
		return herald.ReviewDecision{}, err
	}
	before, err := s.Post(ctx, v, postID)
	if err != nil {
		return herald.ReviewDecision{}, err
	}
	d := herald.ReviewDecision{WorkspaceID: v.Link.WorkspaceID, LinkID: v.Link.ID, LinkName: v.Link.Name,
		PostID: postID, Verdict: verdict, Comment: comment, Outcome: herald.ReviewApplied}
	var after herald.Post
	if verdict == herald.VerdictApprove {
		after, err = s.posts.Approve(ctx, v.Actor, postID, comment)
	} else {
		after, err = s.posts.RequestChanges(ctx, v.Actor, postID, comment)
	}
	switch code := herald.ErrorCode(err); {
	case err == nil && !moved(before, after):
		d.Outcome, d.Note = herald.ReviewRecorded, "nothing changed: "+states(after)
	case err == nil:
		d.Note = "the post is now " + states(after)
	case code == herald.CodeConflict || code == herald.CodeInvalid || code == herald.CodeForbidden:
		var he *herald.Error
		errors.As(err, &he)
		d.Outcome, d.Note = herald.ReviewRecorded, "the post was left as it is: "+he.Message
	default:
		return herald.ReviewDecision{}, fmt.Errorf("review: decide on post %d: %w", postID, err)
	}
	d.At = s.clock.Now()
	err = s.store.InTx(ctx, func(tx herald.Tx) error {
		if err := tx.CreateReviewDecision(ctx, &d); err != nil {
			return err
		}
		e := herald.NewAudit(v.Actor, "review.decide", "post", postID, nil, d, d.At)
		return tx.AppendAudit(ctx, &e)
	})
	if err != nil {
		return herald.ReviewDecision{}, fmt.Errorf("review: record decision on post %d: %w", postID, err)
	}
	s.logger.InfoContext(ctx, "review decision", "workspace_id", d.WorkspaceID, "link_id", d.LinkID,
		"post_id", postID, "verdict", string(verdict), "outcome", d.Outcome)
	s.notify(ctx, before, d)
	return d, nil
}

// moved reports whether any target changed state.
func moved(before, after herald.Post) bool {
	was := map[int64]herald.TargetState{}
	for _, t := range before.Targets {
		was[t.ID] = t.State
	}
	for _, t := range after.Targets {
		if was[t.ID] != t.State {
			return true
		}
	}
	return false
}

// states says in words which states a post's targets are in.
func states(p herald.Post) string {
	var out []string
	for _, t := range p.Targets {
		st := strings.ReplaceAll(string(t.State), "_", " ")
		if !slices.Contains(out, st) {
			out = append(out, st)
		}
	}
	if len(out) == 0 {
		return "without accounts"
	}
	return strings.Join(out, ", ")
}

// notify tells the post's author about decision d.
func (s *Service) notify(ctx context.Context, p herald.Post, d herald.ReviewDecision) {
	if s.notifier == nil || p.AuthorID == 0 {
		return
	}
	title := p.Title
	if title == "" {
		title = p.Text
	}
	if r := []rune(title); len(r) > 60 {
		title = string(r[:59]) + "…"
	}
	n := herald.Notification{Kind: herald.NotifyApprovalGiven, WorkspaceID: d.WorkspaceID, PostID: d.PostID,
		UserIDs: []int64{p.AuthorID}, Actor: d.LinkName, Link: fmt.Sprintf("/w/%d/posts/%d", d.WorkspaceID, d.PostID),
		Key: "review_decision:" + strconv.FormatInt(d.ID, 10), At: d.At}
	if d.Verdict == herald.VerdictApprove {
		n.Title = fmt.Sprintf("%s approved “%s”", d.LinkName, title)
	} else {
		n.Kind = herald.NotifyChangesRequested
		n.Title = fmt.Sprintf("%s asked for changes to “%s”", d.LinkName, title)
	}
	n.Message = n.Title + " through their review link"
	if d.Comment != "" {
		n.Message += ": " + d.Comment
	}
	n.Message += " (" + d.Note + ")."
	s.notifier.Notify(ctx, n)
}

// LinkDecisions returns what was decided through v's link, newest first.
func (s *Service) LinkDecisions(ctx context.Context, v Visit) ([]herald.ReviewDecision, error) {
	ds, err := s.store.ListReviewDecisions(ctx, herald.ReviewDecisionFilter{WorkspaceID: v.Link.WorkspaceID, LinkID: v.Link.ID})
	if err != nil {
		return nil, fmt.Errorf("review: decisions of link %d: %w", v.Link.ID, err)
	}
	return ds, nil
}
