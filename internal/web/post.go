package web

import (
	"context"
	"errors"
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
	Account  string // "@handle on platform"
	Handle   string // "" when the account is gone
	Platform herald.Platform
	Text     string // what it publishes: its own text, else the post's
	// Parts are what it publishes, in order: the post itself, then each
	// later part of its thread; FirstComment follows them.
	Parts        []partView
	FirstComment string
	Attempts     []herald.Attempt
	History      []herald.TargetTransition
	// Advice says, for its last error, what to do about it.
	Advice advice
	// ApprovedBy and ApprovedAt say who approved it last, if anyone did.
	ApprovedBy string
	ApprovedAt *time.Time
	// What the viewer may do to it now.
	CanRetry, CanResolve, CanResume, CanDeleteRemote, CanEditRemote bool
}

// Thread reports whether the target publishes more than one part.
func (tv targetView) Thread() bool { return len(tv.Parts) > 1 }

// partView is one part of a target: its text and its media, in order.
type partView struct {
	Text  string
	Media []partMedia
}

// partMedia is one file of a part; Gone when the library no longer has it.
type partMedia struct {
	ID    int64
	Asset herald.MediaAsset
	Gone  bool
}

// postView is the post page's body.
type postView struct {
	Post    herald.Post
	Targets []targetView
	Loc     *time.Location
	People  map[int64]string // who moved targets, by user id
	// What the viewer may do to the whole post now.
	CanApprove, CanRequestChanges, CanCancel, CanDuplicate, CanEdit, CanPublishNow, CanUnschedule bool
	// EditResubmits says that saving an edit sends approved or scheduled
	// targets back to draft, to be approved again.
	EditResubmits bool
	Thread        threadView
	// Evergreen is the Evergreen panel (nil where it is not shown).
	Evergreen *evergreenPanel
	// Reviews are the decisions clients made on the post through review links.
	Reviews []herald.ReviewDecision
	// Performance is each published target's counts since publishing
	// (empty where none is published or the viewer may not read
	// analytics).
	Performance []performanceView
}

// EditLabel names the Edit button for what the post is now.
func (v postView) EditLabel() string {
	for _, t := range v.Post.Targets {
		if t.State != herald.StateDraft && t.State != herald.StateCancelled {
			return "Edit"
		}
	}
	return "Edit draft"
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

// mayEdit reports whether the viewer may open po in the composer: a
// target is still a draft, in review or approved, or is scheduled and the
// viewer is its author or may release posts (the service's rules for
// taking a scheduled post back with an edit).
func mayEdit(p *page, po herald.Post) bool {
	// The composer edits a post only while no target is being or has
	// been published.
	if !p.Can(herald.ActPostsWrite) || editable(po) != nil {
		return false
	}
	if anyIn(po, herald.StateDraft, herald.StateInReview, herald.StateApproved) {
		return true
	}
	return anyIn(po, herald.StateScheduled) && (po.AuthorID == p.Actor.UserID || mayRelease(p))
}

// mayUnschedule reports whether the viewer may move po back to draft: a
// target is scheduled, none is in a state Unschedule refuses, and the
// viewer may take released posts back.
func mayUnschedule(p *page, po herald.Post) bool {
	return p.Can(herald.ActPostsWrite) && mayRelease(p) && anyIn(po, herald.StateScheduled) &&
		!anyIn(po, herald.StatePublishing, herald.StateRetrying, herald.StateHeld, herald.StateUnconfirmed)
}

// view loads what the post page shows about po: accounts, each target's
// parts, media, history and attempts, and the actions the viewer's role
// and the states allow.
func (h *Handler) view(ctx context.Context, p *page, po herald.Post) (postView, error) {
	loc, err := p.Current.Location()
	if err != nil {
		return postView{}, err
	}
	accts, err := h.d.Accounts.List(ctx, p.Actor)
	if err != nil {
		return postView{}, err
	}
	byID := make(map[int64]herald.Account, len(accts))
	for _, a := range accts {
		byID[a.ID] = a
	}
	people, ps, err := h.peopleNames(ctx, p)
	if err != nil {
		return postView{}, err
	}
	media, err := h.postMedia(ctx, p, po)
	if err != nil {
		return postView{}, err
	}
	v := postView{Post: po, Loc: loc, People: people}
	schedule := mayRelease(p)
	editRemote := p.Can(herald.ActPostsWrite) && p.Can(herald.ActPostsSchedule)
	for _, t := range po.Targets {
		acct, known := byID[t.AccountID]
		tv := targetView{T: t, Text: t.Variant.Text, Platform: acct.Platform, FirstComment: t.Variant.FirstComment,
			CanRetry:   schedule && t.State == herald.StateFailed,
			CanResolve: schedule && t.State == herald.StateUnconfirmed,
			CanResume:  p.Can(herald.ActPostsHold) && t.State == herald.StateHeld,
			CanDeleteRemote: p.Can(herald.ActPostsDelete) && t.State == herald.StatePublished &&
				t.RemoteDeletedAt == nil && t.RemoteID != "",
		}
		tv.CanEditRemote = editRemote && known && t.State == herald.StatePublished && t.RemoteDeletedAt == nil &&
			t.RemoteID != "" && h.d.Posts.EditsRemote(acct.Platform, t)
		tv.Account = "an account that is gone"
		if known {
			tv.Account, tv.Handle = accountName(acct), acct.Handle
		}
		if strings.TrimSpace(tv.Text) == "" {
			tv.Text = po.Text
		}
		tv.Parts = append(tv.Parts, partView{Text: tv.Text, Media: partMedias(media, t.Variant.MediaIDs)})
		for _, part := range t.Variant.Thread {
			tv.Parts = append(tv.Parts, partView{Text: part.Text, Media: partMedias(media, part.MediaIDs)})
		}
		if tv.History, err = h.d.Posts.Transitions(ctx, p.Actor, t.ID); err != nil {
			return postView{}, err
		}
		if tv.Attempts, err = h.d.Posts.Attempts(ctx, p.Actor, po.ID, t.ID); err != nil {
			return postView{}, err
		}
		for _, tr := range tv.History {
			if tr.To == herald.StateApproved {
				tv.ApprovedBy, tv.ApprovedAt = mover(people, tr), &tr.At
			}
		}
		tv.Advice = adviceFor(p.Current.ID, t, tv.Attempts)
		v.Targets = append(v.Targets, tv)
	}
	if v.Thread, err = h.thread(ctx, p, po.ID, ps); err != nil {
		return postView{}, err
	}
	if h.d.Reviews != nil {
		if v.Reviews, err = h.d.Reviews.Decisions(ctx, p.Actor, 0, po.ID); err != nil {
			return postView{}, err
		}
	}
	v.CanDuplicate = p.Can(herald.ActPostsWrite)
	v.CanEdit = mayEdit(p, po)
	v.EditResubmits = v.CanEdit && needsApproval(p) && anyIn(po, herald.StateApproved, herald.StateScheduled)
	v.CanUnschedule = mayUnschedule(p, po)
	v.CanApprove = p.Can(herald.ActPostsApprove) && anyIn(po, herald.StateInReview)
	v.CanPublishNow = p.Can(herald.ActPostsWrite) && (anyIn(po, herald.StateApproved) || schedule && anyIn(po, herald.StateScheduled))
	v.CanRequestChanges = p.Can(herald.ActPostsApprove) && anyIn(po, herald.StateInReview, herald.StateApproved)
	v.CanCancel = p.Can(herald.ActPostsWrite) && (anyIn(po, herald.StateDraft, herald.StateInReview, herald.StateApproved) ||
		schedule && anyIn(po, herald.StateScheduled, herald.StateRetrying, herald.StateUnconfirmed, herald.StateFailed, herald.StateHeld))
	return v, nil
}

// postMedia loads every file po's targets use, by id. A file deleted from
// the library since is left out (the page says it is gone).
func (h *Handler) postMedia(ctx context.Context, p *page, po herald.Post) (map[int64]herald.MediaAsset, error) {
	out := map[int64]herald.MediaAsset{}
	for _, t := range po.Targets {
		for _, id := range t.Variant.MediaIDsAll() {
			if _, ok := out[id]; ok {
				continue
			}
			m, err := h.d.Media.Get(ctx, p.Actor, id)
			var he *herald.Error
			if errors.As(err, &he) && he.Code == herald.CodeNotFound {
				continue
			}
			if err != nil {
				return nil, err
			}
			out[id] = m
		}
	}
	return out, nil
}

// partMedias are the files ids names, in order.
func partMedias(media map[int64]herald.MediaAsset, ids []int64) []partMedia {
	out := make([]partMedia, 0, len(ids))
	for _, id := range ids {
		m, ok := media[id]
		out = append(out, partMedia{ID: id, Asset: m, Gone: !ok})
	}
	return out
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
	if v.Evergreen, err = h.evergreenPanelFor(r.Context(), p, po); err != nil {
		return err
	}
	if v.Performance, err = h.performance(r.Context(), p, po, v.Targets); err != nil {
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

// summaryLen bounds postSummary.
const summaryLen = 280

// postSummary is the start of a post's text (else its first target's),
// longer than postTitle, on one line.
func postSummary(po herald.Post) string {
	text := strings.Join(strings.Fields(po.Text), " ")
	if text == "" && len(po.Targets) > 0 {
		text = strings.Join(strings.Fields(po.Targets[0].Variant.Text), " ")
	}
	if r := []rune(text); len(r) > summaryLen {
		return string(r[:summaryLen-1]) + "…"
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
	actPublishNow
	actUnschedule
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
		case actPublishNow:
			po, err = h.d.Posts.PublishNow(ctx, p.Actor, id, comment)
			done = "Sent for publishing now: reload this page in a moment to see the result."
		case actUnschedule:
			po, err = h.d.Posts.Unschedule(ctx, p.Actor, id, comment)
			done = "Unscheduled: it is a draft again and will not publish until it is scheduled."
		}
		if err != nil {
			return err
		}
		if back := r.PostFormValue("back"); back != "" && !isHTMX(r) {
			h.d.Sessions.Put(ctx, flashKey, done)
			http.Redirect(w, r, localPath(back), http.StatusSeeOther)
			return nil
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

// advice is what to do about a target's last error, in words and,
// where it helps, with a link.
type advice struct {
	Text, Link, LinkText string
}

// adviceFor tells what to do about t's last error from the class of its
// last failed attempt.
func adviceFor(ws int64, t herald.Target, attempts []herald.Attempt) advice {
	if t.LastError == "" || t.State == herald.StatePublished {
		return advice{}
	}
	var outcome herald.AttemptOutcome
	for i := len(attempts) - 1; i >= 0; i-- {
		if o := attempts[i].Outcome; o != "" && o != herald.OutcomePublished && o != herald.OutcomeReconciled {
			outcome = o
			break
		}
	}
	switch outcome {
	case herald.OutcomeRateLimited:
		return advice{Text: "The platform is limiting how often this account posts. Wait: Herald tries again by itself once the limit resets; retrying sooner will not help."}
	case herald.OutcomeTransient, herald.OutcomeLeaseLost:
		return advice{Text: "A passing problem on the way to the platform. Herald retries by itself; if it has given up, retry now."}
	case herald.OutcomeAuthExpired, herald.OutcomeAuthRevoked:
		return advice{Text: "The platform no longer accepts this account's sign-in. Reconnect the account, then retry.",
			Link: wsURL(ws) + "accounts", LinkText: "Reconnect the account"}
	case herald.OutcomeInvalid:
		return advice{Text: "The platform refused the content as it is. Edit the post to fix what it names, then retry.",
			Link: postURL(ws, t.PostID) + "/edit", LinkText: "Edit the post"}
	case herald.OutcomeAmbiguous:
		return advice{Text: "Herald cannot tell whether the platform published it. Look at the account on the platform, then say what happened below."}
	}
	if t.State == herald.StateFailed {
		return advice{Text: "Read the platform's answer: fix what it names (edit the post, or reconnect the account), then retry."}
	}
	return advice{}
}

// duplicatePost makes a new draft with the post's content and accounts,
// then opens it in the composer.
func (h *Handler) duplicatePost(w http.ResponseWriter, r *http.Request, p *page) error {
	ctx := r.Context()
	id, err := pathID(r, "post", "post")
	if err != nil {
		return err
	}
	po, err := h.d.Posts.Get(ctx, p.Actor, id)
	if err != nil {
		return err
	}
	copyOf := herald.Post{Title: po.Title, Text: po.Text, LabelIDs: po.LabelIDs, CampaignID: po.CampaignID}
	if copyOf.Title != "" {
		copyOf.Title = "Copy of " + copyOf.Title
		if r := []rune(copyOf.Title); len(r) > 200 {
			copyOf.Title = string(r[:200])
		}
	}
	// Times that have passed are left for the composer to set.
	soon := h.d.Clock.Now().Add(time.Minute)
	for _, t := range po.Targets {
		nt := herald.Target{AccountID: t.AccountID, Variant: t.Variant}
		if t.ScheduledAt != nil && t.ScheduledAt.After(soon) {
			at := *t.ScheduledAt
			nt.ScheduledAt = &at
		}
		copyOf.Targets = append(copyOf.Targets, nt)
	}
	dup, err := h.d.Posts.Create(ctx, p.Actor, copyOf, post.ActionDraft)
	if err != nil {
		return err
	}
	h.d.Sessions.Put(ctx, flashKey, "Duplicated: this is the new draft, a copy of “"+postTitle(po)+"”.")
	http.Redirect(w, r, postURL(p.Current.ID, dup.ID)+"/edit", http.StatusSeeOther)
	return nil
}

// unscheduleForm is the confirmation step before moving a scheduled post
// back to draft, for where the post page's own is not at hand (the
// calendar's item menu); back is where to return afterwards.
func (h *Handler) unscheduleForm(w http.ResponseWriter, r *http.Request, p *page) error {
	id, err := pathID(r, "post", "post")
	if err != nil {
		return err
	}
	po, err := h.d.Posts.Get(r.Context(), p.Actor, id)
	if err != nil {
		return err
	}
	if err := p.Actor.Require(herald.ActPostsWrite); err != nil {
		return err
	}
	if !mayUnschedule(p, po) {
		return herald.Errorf(herald.CodeConflict, "“%s” cannot be unscheduled now: only a scheduled post can, by someone who schedules posts without approval", postTitle(po))
	}
	back := ""
	if b := r.URL.Query().Get("back"); b != "" {
		back = localPath(b)
	}
	p.Title = "Unschedule"
	h.render(w, r, http.StatusOK, unschedulePage(p, po, back))
	return nil
}
