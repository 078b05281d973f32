package web

import (
	"cmp"
	"context"
	"net/http"
	"slices"
	"strings"
	"time"

	"github.com/heraldsocial/herald/internal/herald"
	"github.com/heraldsocial/herald/internal/post"
)

// maxQueuePages bounds how many pages of posts awaiting approval the queue
// reads to find the oldest; beyond it, the page says there are more.
const maxQueuePages = 5

// queueShown is how many posts each list of the queue shows.
const queueShown = 50

// returnedScan is how many of the newest drafts the queue looks through for
// posts sent back for changes.
const returnedScan = 50

// queueItem is one post in the approvals queue.
type queueItem struct {
	Post     herald.Post
	Author   string
	Mine     bool // the viewer wrote it
	Accounts []herald.Account
	At       *time.Time // its earliest scheduled time, if any
	Excerpt  string
	Reason   string // why it came back, for posts sent back for changes
	By       string // who sent it back
	// A refused decision on this post: the problem and what was typed.
	Err     *herald.Error
	Comment string
}

// approvalsData is the approvals page.
type approvalsData struct {
	Waiting     []queueItem
	MoreWaiting bool
	Returned    []queueItem
	CanApprove  bool
	Loc         *time.Location
	// Err is a refused decision on a post no longer in the queue.
	Err *herald.Error
}

// approvalRoutes registers the pages of the approvals queue and the comments on posts.
func (h *Handler) approvalRoutes(m *http.ServeMux) {
	m.Handle("GET /w/{ws}/approvals", h.inWorkspace(h.approvals))
	m.Handle("POST /w/{ws}/approvals/{post}/approve", h.inWorkspace(h.decide(actApprove)))
	m.Handle("POST /w/{ws}/approvals/{post}/request-changes", h.inWorkspace(h.decide(actRequestChanges)))
	m.Handle("POST /w/{ws}/posts/{post}/comments", h.inWorkspace(h.addComment))
	m.Handle("POST /w/{ws}/posts/{post}/comments/{comment}/delete", h.inWorkspace(h.deleteComment))
	m.Handle("POST /w/{ws}/posts/{post}/duplicate", h.inWorkspace(h.duplicatePost))
	m.Handle("GET /w/{ws}/posts/{post}/targets/{target}/delete-remote", h.inWorkspace(h.deleteRemoteForm))
	m.Handle("POST /w/{ws}/posts/{post}/targets/{target}/delete-remote", h.inWorkspace(h.deleteRemote))
}

func approvalsURL(ws int64) string { return wsURL(ws) + "approvals" }

// peopleNames names the workspace's members by user id.
func (h *Handler) peopleNames(ctx context.Context, p *page) (map[int64]string, []post.Person, error) {
	ps, err := h.d.Posts.People(ctx, p.Actor)
	if err != nil {
		return nil, nil, err
	}
	names := make(map[int64]string, len(ps))
	for _, x := range ps {
		names[x.UserID] = x.Name
	}
	return names, ps, nil
}

func (h *Handler) approvals(w http.ResponseWriter, r *http.Request, p *page) error {
	data, err := h.queue(r.Context(), p)
	if err != nil {
		return err
	}
	p.Title = "Approvals"
	h.render(w, r, http.StatusOK, approvalsPage(p, data))
	return nil
}

// queue loads the approvals page: the oldest posts awaiting approval, and
// the newest drafts that a reviewer sent back.
func (h *Handler) queue(ctx context.Context, p *page) (approvalsData, error) {
	loc, err := p.Current.Location()
	if err != nil {
		return approvalsData{}, err
	}
	accts, err := h.d.Accounts.List(ctx, p.Actor)
	if err != nil {
		return approvalsData{}, err
	}
	accountOf := accountsByID(accts)
	people, _, err := h.peopleNames(ctx, p)
	if err != nil {
		return approvalsData{}, err
	}
	data := approvalsData{Loc: loc, CanApprove: p.Can(herald.ActPostsApprove)}
	item := func(po herald.Post, states ...herald.TargetState) queueItem {
		it := queueItem{Post: po, Author: cmp.Or(people[po.AuthorID], "a former member"), Mine: po.AuthorID == p.Actor.UserID,
			Excerpt: excerpt(po, 280)}
		for _, t := range po.Targets {
			if !slices.Contains(states, t.State) {
				continue
			}
			it.Accounts = append(it.Accounts, accountOf(t.AccountID))
			if t.ScheduledAt != nil && (it.At == nil || t.ScheduledAt.Before(*it.At)) {
				it.At = t.ScheduledAt
			}
		}
		return it
	}

	// Posts awaiting approval, oldest first: the listing is newest first,
	// so read its pages (a bounded number) and turn them round.
	f := herald.PostFilter{States: []herald.TargetState{herald.StateInReview}, Page: herald.Page{Limit: herald.MaxPageLimit}}
	var waiting []herald.Post
	for range maxQueuePages {
		posts, next, err := h.d.Posts.List(ctx, p.Actor, f)
		if err != nil {
			return approvalsData{}, err
		}
		waiting = append(waiting, posts...)
		if f.Cursor = next; next == "" {
			break
		}
	}
	slices.Reverse(waiting)
	data.MoreWaiting = f.Cursor != "" || len(waiting) > queueShown
	for _, po := range waiting[:min(len(waiting), queueShown)] {
		data.Waiting = append(data.Waiting, item(po, herald.StateInReview))
	}

	// Drafts whose last move was a reviewer sending them back.
	drafts, _, err := h.d.Posts.List(ctx, p.Actor, herald.PostFilter{States: []herald.TargetState{herald.StateDraft},
		Page: herald.Page{Limit: returnedScan}})
	if err != nil {
		return approvalsData{}, err
	}
	for _, po := range drafts {
		i := slices.IndexFunc(po.Targets, func(t herald.Target) bool { return t.State == herald.StateDraft })
		hist, err := h.d.Posts.Transitions(ctx, p.Actor, po.Targets[i].ID)
		if err != nil {
			return approvalsData{}, err
		}
		if !post.ChangesRequested(hist) {
			continue
		}
		it := item(po, herald.StateDraft)
		last := hist[len(hist)-1]
		it.Reason = strings.TrimPrefix(strings.TrimPrefix(last.Reason, "Changes requested"), ": ")
		it.By = mover(people, last)
		data.Returned = append(data.Returned, it)
	}
	// The viewer's own posts first: they are the ones to fix.
	slices.SortStableFunc(data.Returned, func(a, b queueItem) int {
		if a.Mine != b.Mine {
			if a.Mine {
				return -1
			}
			return 1
		}
		return 0
	})
	return data, nil
}

// excerpt is the start of a post's text, at most n characters, on one line.
func excerpt(po herald.Post, n int) string {
	text := po.Text
	if strings.TrimSpace(text) == "" {
		for _, t := range po.Targets {
			if strings.TrimSpace(t.Variant.Text) != "" {
				text = t.Variant.Text
				break
			}
		}
	}
	text = strings.Join(strings.Fields(text), " ")
	if r := []rune(text); len(r) > n {
		return string(r[:n-1]) + "…"
	}
	return text
}

// decide approves a post from the queue, or sends it back with what
// should change, then returns to the queue. A refusal is shown on the
// queue next to that post's comment.
func (h *Handler) decide(kind postActionKind) workspaceFunc {
	return func(w http.ResponseWriter, r *http.Request, p *page) error {
		ctx := r.Context()
		id, err := pathID(r, "post", "post")
		if err != nil {
			return err
		}
		comment := strings.TrimSpace(r.PostFormValue("comment"))
		var done string
		switch kind {
		case actApprove:
			var po herald.Post
			po, err = h.d.Posts.Approve(ctx, p.Actor, id, comment)
			done = "Approved “" + postTitle(po) + "”."
			if err == nil && anyIn(po, herald.StateApproved) && p.Can(herald.ActPostsSchedule) {
				// Approval is the last step: a reviewer who may schedule
				// sends it on at its time at once.
				if po2, serr := h.d.Posts.Schedule(ctx, p.Actor, id, nil, ""); serr == nil {
					po = po2
					done = "Approved and scheduled “" + postTitle(po) + "”."
				} else {
					done += " It could not be scheduled yet: " + publicError(serr).Message + "."
				}
			}
		case actRequestChanges:
			if comment == "" {
				err = &herald.Error{Code: herald.CodeInvalid, Message: "say what should change",
					Details: []herald.FieldProblem{{Field: "comment", Problem: "is required: tell the author what should change"}}}
				break
			}
			var po herald.Post
			po, err = h.d.Posts.RequestChanges(ctx, p.Actor, id, comment)
			done = "Sent “" + postTitle(po) + "” back for changes."
		}
		if err != nil {
			he := publicError(err)
			if he.Code != herald.CodeInvalid && he.Code != herald.CodeConflict {
				return err
			}
			data, qerr := h.queue(ctx, p)
			if qerr != nil {
				return qerr
			}
			data.Err = he
			for i := range data.Waiting {
				if data.Waiting[i].Post.ID == id {
					data.Waiting[i].Err, data.Waiting[i].Comment = he, comment
					data.Err = nil
				}
			}
			p.Title = "Approvals"
			h.render(w, r, statusOf(he), approvalsPage(p, data))
			return nil
		}
		h.d.Sessions.Put(ctx, flashKey, done)
		http.Redirect(w, r, approvalsURL(p.Current.ID), http.StatusSeeOther)
		return nil
	}
}

// maxThread is how many comments the post page shows.
const maxThread = herald.MaxPageLimit

// commentView is one comment as the thread shows it.
type commentView struct {
	C         herald.PostComment
	Segments  []post.Segment
	CanDelete bool
}

// threadView is a post's comments, with the form to add one.
type threadView struct {
	PostID     int64
	Items      []commentView
	More       bool
	CanComment bool
	People     []post.Person // whom a comment can mention
	Err        *herald.Error
	Draft      string // what was typed, when it was refused
}

// thread loads the comments of post postID.
func (h *Handler) thread(ctx context.Context, p *page, postID int64, people []post.Person) (threadView, error) {
	cs, next, err := h.d.Posts.ListComments(ctx, p.Actor, postID, herald.Page{Limit: maxThread})
	if err != nil {
		return threadView{}, err
	}
	tv := threadView{PostID: postID, More: next != "", People: people,
		CanComment: p.Can(herald.ActPostsWrite) || p.Can(herald.ActPostsApprove)}
	admin := p.Actor.Role.AtLeast(herald.RoleAdmin)
	for _, c := range cs {
		tv.Items = append(tv.Items, commentView{C: c, Segments: post.Segments(c.Body, people),
			CanDelete: admin || c.AuthorID == p.Actor.UserID})
	}
	return tv, nil
}

// answerThread answers a change to the comments: for htmx the thread (and
// a message out of band), else a flash message and the post page.
func (h *Handler) answerThread(w http.ResponseWriter, r *http.Request, p *page, postID int64, done string, refused *herald.Error, draft string) error {
	ctx := r.Context()
	if refused == nil && !isHTMX(r) {
		h.d.Sessions.Put(ctx, flashKey, done)
		http.Redirect(w, r, postURL(p.Current.ID, postID)+"#comments", http.StatusSeeOther)
		return nil
	}
	if isHTMX(r) {
		_, people, err := h.peopleNames(ctx, p)
		if err != nil {
			return err
		}
		tv, err := h.thread(ctx, p, postID, people)
		if err != nil {
			return err
		}
		tv.Err, tv.Draft = refused, draft
		h.render(w, r, http.StatusOK, threadSwap(p, tv, done))
		return nil
	}
	po, err := h.d.Posts.Get(ctx, p.Actor, postID)
	if err != nil {
		return err
	}
	v, err := h.view(ctx, p, po)
	if err != nil {
		return err
	}
	v.Thread.Err, v.Thread.Draft = refused, draft
	p.Title = postTitle(po)
	h.render(w, r, statusOf(refused), postPage(p, v))
	return nil
}

func (h *Handler) addComment(w http.ResponseWriter, r *http.Request, p *page) error {
	id, err := pathID(r, "post", "post")
	if err != nil {
		return err
	}
	body := r.PostFormValue("body")
	if _, err := h.d.Posts.AddComment(r.Context(), p.Actor, id, body); err != nil {
		if he := publicError(err); he.Code == herald.CodeInvalid {
			return h.answerThread(w, r, p, id, "", he, body)
		}
		return err
	}
	return h.answerThread(w, r, p, id, "Comment added.", nil, "")
}

func (h *Handler) deleteComment(w http.ResponseWriter, r *http.Request, p *page) error {
	id, err := pathID(r, "post", "post")
	if err != nil {
		return err
	}
	cid, err := pathID(r, "comment", "comment")
	if err != nil {
		return err
	}
	if err := h.d.Posts.DeleteComment(r.Context(), p.Actor, id, cid); err != nil {
		return err
	}
	return h.answerThread(w, r, p, id, "Comment deleted.", nil, "")
}

// mention is a recent comment that mentions the viewer, for the home page.
type mention struct {
	C         herald.PostComment
	PostTitle string
	Segments  []post.Segment
}

// maxMentions is how many mentions the home page lists.
const maxMentions = 5

// mentionsOfViewer loads the newest comments that mention the viewer.
func (h *Handler) mentionsOfViewer(ctx context.Context, p *page) ([]mention, error) {
	cs, err := h.d.Posts.MentionsOfMe(ctx, p.Actor, maxMentions)
	if err != nil || len(cs) == 0 {
		return nil, err
	}
	people, err := h.d.Posts.People(ctx, p.Actor)
	if err != nil {
		return nil, err
	}
	titles := map[int64]string{}
	out := make([]mention, 0, len(cs))
	for _, c := range cs {
		if _, ok := titles[c.PostID]; !ok {
			po, err := h.d.Posts.Get(ctx, p.Actor, c.PostID)
			if err != nil {
				return nil, err
			}
			titles[c.PostID] = postTitle(po)
		}
		out = append(out, mention{C: c, PostTitle: titles[c.PostID], Segments: post.Segments(c.Body, people)})
	}
	return out, nil
}
