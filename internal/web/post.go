package web

import (
	"context"
	"net/http"
	"slices"
	"strings"
	"time"

	"github.com/heraldsocial/herald/internal/herald"
	"github.com/heraldsocial/herald/internal/post"
)

// targetView is one target's card on the post page.
type targetView struct {
	T        herald.Target
	Account  string
	Text     string // what it publishes: its own text, else the post's
	Attempts []herald.Attempt
	History  []herald.TargetTransition
	// What the viewer may do to it now.
	CanRetry, CanResolve, CanResume bool
}

// postView is the post page's body.
type postView struct {
	Post    herald.Post
	Targets []targetView
	Loc     *time.Location
	People  map[int64]string // who moved targets, by user id
	// What the viewer may do to the whole post now.
	CanApprove, CanRequestChanges, CanCancel bool
}

// anyIn reports whether a target of p is in one of states.
func anyIn(p herald.Post, states ...herald.TargetState) bool {
	for _, t := range p.Targets {
		if slices.Contains(states, t.State) {
			return true
		}
	}
	return false
}

// view loads what the post page shows about po: accounts, each target's
// history and attempts, and the actions the viewer's role and the states
// allow.
func (h *Handler) view(ctx context.Context, p *page, po herald.Post) (postView, error) {
	loc, err := p.Current.Location()
	if err != nil {
		return postView{}, err
	}
	accts, err := h.d.Accounts.List(ctx, p.Actor)
	if err != nil {
		return postView{}, err
	}
	names := accountNames(accts)
	v := postView{Post: po, Loc: loc, People: map[int64]string{}}
	if p.Can(herald.ActMembersRead) {
		members, err := h.d.Workspaces.ListMembers(ctx, p.Actor)
		if err != nil {
			return postView{}, err
		}
		for _, m := range members {
			v.People[m.UserID] = m.Name
		}
	}
	schedule := p.Can(herald.ActPostsSchedule)
	for _, t := range po.Targets {
		tv := targetView{T: t, Account: names[t.AccountID], Text: t.Variant.Text,
			CanRetry:   schedule && t.State == herald.StateFailed,
			CanResolve: schedule && t.State == herald.StateUnconfirmed,
			CanResume:  p.Can(herald.ActPostsHold) && t.State == herald.StateHeld,
		}
		if tv.Account == "" {
			tv.Account = "an account that is gone"
		}
		if strings.TrimSpace(tv.Text) == "" {
			tv.Text = po.Text
		}
		if tv.History, err = h.d.Posts.Transitions(ctx, p.Actor, t.ID); err != nil {
			return postView{}, err
		}
		if tv.Attempts, err = h.d.Posts.Attempts(ctx, p.Actor, po.ID, t.ID); err != nil {
			return postView{}, err
		}
		v.Targets = append(v.Targets, tv)
	}
	v.CanApprove = p.Can(herald.ActPostsApprove) && anyIn(po, herald.StateInReview)
	v.CanRequestChanges = p.Can(herald.ActPostsApprove) && anyIn(po, herald.StateInReview, herald.StateApproved)
	v.CanCancel = p.Can(herald.ActPostsWrite) && anyIn(po, herald.StateDraft, herald.StateInReview, herald.StateApproved,
		herald.StateScheduled, herald.StateRetrying, herald.StateUnconfirmed, herald.StateFailed, herald.StateHeld)
	return v, nil
}

func (h *Handler) postDetail(w http.ResponseWriter, r *http.Request, p *page) error {
	id, err := pathID(r, "post", "post")
	if err != nil {
		return err
	}
	po, err := h.d.Posts.Get(r.Context(), p.Actor, id)
	if err != nil {
		return err
	}
	v, err := h.view(r.Context(), p, po)
	if err != nil {
		return err
	}
	p.Title = postTitle(po)
	h.render(w, r, http.StatusOK, postPage(p, v))
	return nil
}

// postTitle names a post: its title, else the start of its text.
func postTitle(po herald.Post) string {
	if po.Title != "" {
		return po.Title
	}
	text := strings.Join(strings.Fields(po.Text), " ")
	if text == "" && len(po.Targets) > 0 {
		text = strings.Join(strings.Fields(po.Targets[0].Variant.Text), " ")
	}
	if r := []rune(text); len(r) > 60 {
		return string(r[:59]) + "…"
	}
	if text == "" {
		return "Untitled post"
	}
	return text
}

// postActionKind is an action on a whole post.
type postActionKind int

// Actions on a whole post.
const (
	actApprove postActionKind = iota
	actRequestChanges
	actCancel
)

// postAction runs an action on the whole post {post}: with htmx it
// answers the post's new body, else it redirects to the post page.
func (h *Handler) postAction(kind postActionKind) workspaceFunc {
	return func(w http.ResponseWriter, r *http.Request, p *page) error {
		ctx := r.Context()
		id, err := pathID(r, "post", "post")
		if err != nil {
			return err
		}
		comment := r.PostFormValue("comment")
		var po herald.Post
		var done string
		switch kind {
		case actApprove:
			po, err = h.d.Posts.Approve(ctx, p.Actor, id, comment)
			done = "Approved."
		case actRequestChanges:
			po, err = h.d.Posts.RequestChanges(ctx, p.Actor, id, comment)
			done = "Sent back for changes."
		case actCancel:
			po, err = h.d.Posts.Cancel(ctx, p.Actor, id, comment)
			done = "Cancelled: nothing of this post will be published."
		}
		if err != nil {
			return err
		}
		return h.afterAction(w, r, p, po, 0, done)
	}
}

// targetActionKind is an action on one target.
type targetActionKind int

// Actions on one target.
const (
	actRetry targetActionKind = iota
	actResolve
	actResume
)

// targetAction runs an action on target {target} of post {post}: with
// htmx it answers the target's new card, else it redirects to the post page.
func (h *Handler) targetAction(kind targetActionKind) workspaceFunc {
	return func(w http.ResponseWriter, r *http.Request, p *page) error {
		ctx := r.Context()
		postID, err := pathID(r, "post", "post")
		if err != nil {
			return err
		}
		targetID, err := pathID(r, "target", "target")
		if err != nil {
			return err
		}
		var po herald.Post
		var done string
		switch kind {
		case actRetry:
			po, err = h.d.Posts.Retry(ctx, p.Actor, postID, targetID)
			done = "Sent again: it publishes in a moment."
		case actResolve:
			outcome := post.Outcome(r.PostFormValue("outcome"))
			po, err = h.d.Posts.Resolve(ctx, p.Actor, postID, targetID, outcome, r.PostFormValue("remote_url"))
			done = "Marked " + string(outcome) + "."
		case actResume:
			// Resolve the post first: a target of another post (or
			// workspace) is not found here.
			if po, err = h.d.Posts.Get(ctx, p.Actor, postID); err != nil {
				return err
			}
			if !slices.ContainsFunc(po.Targets, func(t herald.Target) bool { return t.ID == targetID }) {
				return herald.Errorf(herald.CodeNotFound, "target %d is not a target of post %d", targetID, postID)
			}
			if _, err = h.d.Posts.CrisisResume(ctx, p.Actor, []int64{targetID}, false); err == nil {
				po, err = h.d.Posts.Get(ctx, p.Actor, postID)
			}
			done = "Resumed: it publishes at its time."
		}
		if err != nil {
			return err
		}
		return h.afterAction(w, r, p, po, targetID, done)
	}
}

// afterAction answers a successful action: for htmx, the new card of
// targetID (or, when 0, the post's body) and the crisis banner out of
// band; otherwise a flash message and a redirect to the post page.
func (h *Handler) afterAction(w http.ResponseWriter, r *http.Request, p *page, po herald.Post, targetID int64, done string) error {
	if !isHTMX(r) {
		h.d.Sessions.Put(r.Context(), flashKey, done)
		http.Redirect(w, r, postURL(p.Current.ID, po.ID), http.StatusSeeOther)
		return nil
	}
	v, err := h.view(r.Context(), p, po)
	if err != nil {
		return err
	}
	if p.Crisis, err = h.d.Posts.Crisis(r.Context(), p.Actor); err != nil {
		return err
	}
	for _, tv := range v.Targets {
		if tv.T.ID == targetID {
			h.render(w, r, http.StatusOK, targetSwap(p, v, tv, done))
			return nil
		}
	}
	h.render(w, r, http.StatusOK, postBodySwap(p, v, done))
	return nil
}
