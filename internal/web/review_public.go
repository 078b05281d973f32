package web

import (
	"cmp"
	"errors"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/heraldsocial/herald/internal/auth"
	"github.com/heraldsocial/herald/internal/herald"
	"github.com/heraldsocial/herald/internal/review"
)

// The review pages are served without a session login: the secret
// address is the credential (and, when the link has one, its password,
// remembered in the visitor's session under reviewUnlockedKey).

// reviewUnlockedKey is the session key that says the visitor gave the
// password of link id.
func reviewUnlockedKey(id int64) string { return "review_unlocked_" + strconv.FormatInt(id, 10) }

// reviewPostView is one post on the review page.
type reviewPostView struct {
	Post     herald.Post
	When     string
	State    string // the targets' states in words
	Previews []targetPreview
	Last     *herald.ReviewDecision // the latest decision through this link
	Err      *herald.Error          // a refused decision, with the comment kept
	Comment  string
}

// reviewData is the review page.
type reviewData struct {
	Token     string
	Link      herald.ReviewLink
	Workspace string
	Zone      string
	Expires   string
	Posts     []reviewPostView
	Err       *herald.Error // the password form's error
	Locked    bool
}

// reviewBase is the review page's path, for its forms and links.
func (d reviewData) reviewBase() string { return review.Path(d.Token) }

// open opens the link of the request's token and answers the request
// itself when it cannot be shown (unknown, expired, revoked); ok reports
// whether the caller goes on.
func (h *Handler) openReview(w http.ResponseWriter, r *http.Request) (review.Visit, bool) {
	w.Header().Set("X-Robots-Tag", "noindex")
	if h.d.Reviews == nil {
		h.reviewFail(w, r, herald.NotFound("review link"))
		return review.Visit{}, false
	}
	v, err := h.d.Reviews.Open(r.Context(), r.PathValue("token"))
	if err != nil {
		h.reviewFail(w, r, err)
		return review.Visit{}, false
	}
	return v, true
}

// unlocked reports whether the visitor may see v (no password, or given).
func (h *Handler) unlocked(r *http.Request, v review.Visit) bool {
	return !v.Link.HasPassword() || h.d.Sessions.GetBool(r.Context(), reviewUnlockedKey(v.Link.ID))
}

// reviewFail answers an error on a review page: a gone link is 410 with
// when and whom to ask; an unknown one 404, naming nothing.
func (h *Handler) reviewFail(w http.ResponseWriter, r *http.Request, err error) {
	var gone *review.GoneError
	if errors.As(err, &gone) {
		h.render(w, r, http.StatusGone, reviewGonePage(h.anon("This review link no longer works"), gone))
		return
	}
	if errors.Is(err, herald.ErrNotFound) {
		h.render(w, r, http.StatusNotFound, reviewMissingPage(h.anon("Review link not found")))
		return
	}
	h.fail(w, r, h.anon(""), err)
}

// goneWords says why a link no longer works and what to do.
func goneWords(g *review.GoneError) string {
	verb := "expired"
	if g.Status == herald.ReviewLinkRevoked {
		verb = "was revoked"
	}
	ask := "whoever sent it to you"
	if g.Contact != "" {
		ask = g.Contact
	}
	return "This review link " + verb + " on " + g.At.UTC().Format("2 January 2006 at 15:04 UTC") +
		". Ask " + ask + " for a new one."
}

func (h *Handler) reviewPage(w http.ResponseWriter, r *http.Request) {
	v, ok := h.openReview(w, r)
	if !ok {
		return
	}
	h.renderReview(w, r, v, reviewRefusal{Status: http.StatusOK})
}

// reviewRefusal is how the review page answers a refused decision: its
// status, and the error and comment to show at the post (or, for a post
// the page does not show, a message on top).
type reviewRefusal struct {
	Status  int
	Post    int64
	Err     *herald.Error
	Comment string
	Message string
}

// renderReview renders the review page of v, with a refused decision.
func (h *Handler) renderReview(w http.ResponseWriter, r *http.Request, v review.Visit, rf reviewRefusal) {
	status := rf.Status
	ctx := r.Context()
	loc := v.Location()
	d := reviewData{Token: r.PathValue("token"), Link: v.Link, Workspace: v.Workspace.Name, Zone: v.Workspace.TimeZone,
		Expires: fmtTime(v.Link.ExpiresAt, loc)}
	p := h.anon("Review: " + v.Link.Name)
	p.Flash = cmp.Or(rf.Message, h.d.Sessions.PopString(ctx, flashKey))
	if !h.unlocked(r, v) {
		d.Locked = true
		h.render(w, r, status, reviewPasswordPage(p, d))
		return
	}
	views, err := h.reviewPosts(r, v, d.reviewBase())
	if err != nil {
		h.reviewFail(w, r, err)
		return
	}
	for i := range views {
		if views[i].Post.ID == rf.Post {
			views[i].Err, views[i].Comment = rf.Err, rf.Comment
		}
	}
	d.Posts = views
	h.render(w, r, status, reviewPageView(p, d))
}

// reviewPosts builds the posts of v's page with their previews.
func (h *Handler) reviewPosts(r *http.Request, v review.Visit, base string) ([]reviewPostView, error) {
	ctx := r.Context()
	loc := v.Location()
	posts, err := h.d.Reviews.Posts(ctx, v)
	if err != nil {
		return nil, err
	}
	accts, err := h.d.Accounts.List(ctx, v.Actor)
	if err != nil {
		return nil, err
	}
	byID := map[int64]herald.Account{}
	for _, a := range accts {
		byID[a.ID] = a
	}
	decisions, err := h.d.Reviews.LinkDecisions(ctx, v)
	if err != nil {
		return nil, err
	}
	media := map[int64]herald.MediaAsset{}
	out := make([]reviewPostView, 0, len(posts))
	for _, po := range posts {
		pv := reviewPostView{Post: po}
		var states []string
		for _, t := range po.Targets {
			if !slices.Contains(review.Visible, t.State) {
				continue
			}
			if pv.When == "" && t.ScheduledAt != nil {
				pv.When = fmtTime(*t.ScheduledAt, loc)
			}
			if st := stateLabel(t.State); !slices.Contains(states, st) {
				states = append(states, st)
			}
			for _, id := range mediaOf(t) {
				if _, ok := media[id]; ok {
					continue
				}
				m, err := h.d.Media.Get(ctx, v.Actor, id)
				if errors.Is(err, herald.ErrNotFound) {
					continue
				}
				if err != nil {
					return nil, err
				}
				media[id] = m
			}
			a, ok := byID[t.AccountID]
			if !ok {
				a = herald.Account{ID: t.AccountID, Handle: "unknown", DisplayName: "An account that is gone"}
			}
			tp := targetPreview{Account: a, MediaBase: base + "/media/", Posts: previewPosts(po, t, a.Platform, media),
				Options: t.Variant.Options}
			if t.ScheduledAt != nil {
				tp.When = fmtTime(*t.ScheduledAt, loc)
			}
			pv.Previews = append(pv.Previews, tp)
		}
		pv.State = strings.Join(states, ", ")
		for i := range decisions {
			if decisions[i].PostID == po.ID {
				pv.Last = &decisions[i]
				break
			}
		}
		out = append(out, pv)
	}
	return out, nil
}

// mediaOf lists the media a target publishes.
func mediaOf(t herald.Target) []int64 {
	ids := slices.Clone(t.Variant.MediaIDs)
	for _, th := range t.Variant.Thread {
		ids = append(ids, th.MediaIDs...)
	}
	return ids
}

func (h *Handler) reviewPassword(w http.ResponseWriter, r *http.Request) {
	v, ok := h.openReview(w, r)
	if !ok {
		return
	}
	ctx := r.Context()
	err := h.d.Reviews.CheckPassword(ctx, v, r.PostFormValue("password"), r.RemoteAddr)
	if err != nil {
		if wait, ok := auth.RetryAfter(err); ok {
			w.Header().Set("Retry-After", strconv.Itoa(int((wait+time.Second-1)/time.Second)))
		}
		he := publicError(err)
		if he.Code == herald.CodeInternal {
			h.d.Logger.ErrorContext(ctx, "review link password", "error", err)
		}
		d := reviewData{Token: r.PathValue("token"), Link: v.Link, Locked: true, Err: he}
		h.render(w, r, statusOf(he), reviewPasswordPage(h.anon("Review: "+v.Link.Name), d))
		return
	}
	// A new session token on a change of privilege, as at sign-in.
	if err := h.d.Sessions.RenewToken(ctx); err != nil {
		h.reviewFail(w, r, err)
		return
	}
	h.d.Sessions.Put(ctx, reviewUnlockedKey(v.Link.ID), true)
	http.Redirect(w, r, review.Path(r.PathValue("token")), http.StatusSeeOther)
}

func (h *Handler) reviewDecide(w http.ResponseWriter, r *http.Request) {
	v, ok := h.openReview(w, r)
	if !ok {
		return
	}
	ctx := r.Context()
	if !h.unlocked(r, v) {
		http.Redirect(w, r, review.Path(r.PathValue("token")), http.StatusSeeOther)
		return
	}
	id, err := pathID(r, "post", "post")
	if err != nil {
		h.reviewFail(w, r, err)
		return
	}
	verdict := herald.ReviewVerdict(r.PostFormValue("verdict"))
	comment := r.PostFormValue("comment")
	d, err := h.d.Reviews.Decide(ctx, v, id, verdict, comment)
	if err != nil {
		he := publicError(err)
		switch he.Code {
		case herald.CodeInvalid:
			h.renderReview(w, r, v, reviewRefusal{Status: statusOf(he), Post: id, Err: he, Comment: comment})
		case herald.CodeNotFound:
			h.renderReview(w, r, v, reviewRefusal{Status: http.StatusNotFound,
				Message: "That post is not part of this review (any more): nothing was recorded."})
		default:
			h.reviewFail(w, r, err)
		}
		return
	}
	msg := "Thank you: the team was told you approved this post."
	if d.Verdict == herald.VerdictRequestChanges {
		msg = "Thank you: the team was told what to change."
	}
	if d.Outcome == herald.ReviewRecorded {
		msg = "Thank you: your decision was passed on to the team. The post itself did not change (" + d.Note + ")."
	}
	h.d.Sessions.Put(ctx, flashKey, msg)
	http.Redirect(w, r, review.Path(r.PathValue("token"))+"#post-"+itoa(id), http.StatusSeeOther)
}

// reviewMedia serves an image of a post the link shows.
func (h *Handler) reviewMedia(w http.ResponseWriter, r *http.Request) {
	v, ok := h.openReview(w, r)
	if !ok {
		return
	}
	fail := h.plainFail(w, r)
	if !h.unlocked(r, v) {
		fail(herald.NotFound("file"))
		return
	}
	id, err := pathID(r, "id", "media")
	if err != nil {
		fail(err)
		return
	}
	in, err := h.d.Reviews.MediaInScope(r.Context(), v, id)
	if err != nil {
		fail(err)
		return
	}
	if !in {
		fail(herald.NotFound("file"))
		return
	}
	h.serveMedia(w, r, v.Actor, id, fail)
}

// location is the workspace's zone of the page.
func (d reviewData) location() *time.Location {
	if loc, err := herald.LoadLocation(d.Zone); err == nil {
		return loc
	}
	return time.UTC
}
