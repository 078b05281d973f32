package web

// Saving from the composer: drafts, the actions, autosave and live checks.

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"unicode"

	"github.com/heraldsocial/herald/internal/herald"
	"github.com/heraldsocial/herald/internal/post"
)

// problemText is an error in one line: its message and details.
func problemText(err error) string {
	he := publicError(err)
	s := he.Message
	for _, d := range he.Details {
		s += "; " + d.Field + " " + d.Problem
	}
	return s
}

// applyOp runs a thread edit asked for without JavaScript: "add",
// "remove:i", "up:i", "down:i", "split:i" or "unmedia:i:id"; or picks a
// suggested time, "at:2006-01-02T15:04".
func applyOp(f *composeForm, op string, r *http.Request) {
	if bestAt(f, op) {
		return
	}
	verb, rest, _ := strings.Cut(op, ":")
	idxS, extra, _ := strings.Cut(rest, ":")
	i, err := strconv.Atoi(idxS)
	valid := err == nil && i >= 0 && i < len(f.Parts)
	switch {
	case verb == "add":
		if len(f.Parts) <= herald.MaxThreadParts {
			f.Parts = append(f.Parts, partForm{})
		}
	case !valid:
	case verb == "remove" && i > 0:
		f.Parts = slices.Delete(f.Parts, i, i+1)
	case verb == "up" && i > 0:
		f.Parts[i-1], f.Parts[i] = f.Parts[i], f.Parts[i-1]
	case verb == "down" && i+1 < len(f.Parts):
		f.Parts[i+1], f.Parts[i] = f.Parts[i], f.Parts[i+1]
	case verb == "split":
		runes := []rune(f.Parts[i].Text)
		at, err := strconv.Atoi(r.Form.Get("split_" + idxS))
		if err != nil || at <= 0 || at >= len(runes) {
			at = splitPoint(runes)
		}
		head := strings.TrimRightFunc(string(runes[:at]), unicode.IsSpace)
		tail := strings.TrimLeftFunc(string(runes[at:]), unicode.IsSpace)
		f.Parts[i].Text = head
		f.Parts = slices.Insert(f.Parts, i+1, partForm{Text: tail})
	case verb == "unmedia":
		id, _ := strconv.ParseInt(extra, 10, 64)
		f.Parts[i].MediaIDs = slices.DeleteFunc(slices.Clone(f.Parts[i].MediaIDs), func(x int64) bool { return x == id })
	}
}

// splitPoint is where to split a text without a cursor: the space
// nearest the middle.
func splitPoint(runes []rune) int {
	mid := len(runes) / 2
	for d := 0; d <= mid; d++ {
		for _, i := range []int{mid - d, mid + d} {
			if i > 0 && i < len(runes) && unicode.IsSpace(runes[i]) {
				return i
			}
		}
	}
	return mid
}

// save creates the post (a draft) or updates it, returning it. A new
// post's composer session (its draft key) creates one post at most: once
// it has, saving again updates that post.
func (h *Handler) save(ctx context.Context, p *page, f composeForm, po herald.Post) (herald.Post, error) {
	if f.PostID != 0 {
		return h.d.Posts.Update(ctx, p.Actor, po, f.Version, true)
	}
	release := h.drafts.lock(f.Key)
	defer release()
	if id := h.drafts.get(f.Key, p.Actor); id != 0 {
		po.ID, po.Version = id, 0
		saved, err := h.d.Posts.Update(ctx, p.Actor, po, 0, false)
		if he := publicError(err); err == nil || he.Code != herald.CodeNotFound {
			return saved, err
		}
		// Deleted since: this session's next draft is a new one.
	}
	saved, err := h.d.Posts.Create(ctx, p.Actor, po, post.ActionDraft)
	if err == nil {
		h.drafts.put(f.Key, p.Actor, saved.ID, h.d.Clock.Now())
	}
	return saved, err
}

// checkAction adds the problems that keep the button pressed from doing
// its work (no time to schedule at, nothing to publish, a time that has
// passed) next to their fields. It reports whether the form may still be
// saved as a draft: not when it is empty, nor when its time is refused.
func (h *Handler) checkAction(v *composeView, action string) (saveable bool) {
	pr := v.Problems
	empty := !v.F.meaningful()
	switch action {
	case doSchedule:
		if v.F.At == "" {
			pr["at"] = append(pr["at"], "Pick a date and time to schedule the post, or add it to the queue.")
		}
		fallthrough
	case doQueue, doPublishNow, doSubmit:
		if empty {
			pr["part-0"] = append(pr["part-0"], "Write the post first: there is nothing to publish yet.")
		}
		if len(v.F.Accounts) == 0 {
			pr["accounts"] = append(pr["accounts"], "Choose at least one account to publish to.")
		}
	case doDraft:
		if empty && v.F.PostID == 0 {
			pr["part-0"] = append(pr["part-0"], "Nothing to save yet: write the post, or give it a title.")
		}
	}
	if msg := h.pastTime(*v, action); msg != "" {
		pr["at"] = append(pr["at"], msg)
		return false
	}
	return !empty || v.F.PostID != 0
}

// composeSave is the composer's form: save the draft, then do what the
// button pressed says. Without JavaScript it also edits the thread.
// Editing a post (POST /w/{ws}/posts/{post}/edit) saves that post.
func (h *Handler) composeSave(w http.ResponseWriter, r *http.Request, p *page) error {
	if err := p.Actor.Require(herald.ActPostsWrite); err != nil {
		return err
	}
	if err := h.parseComposeForm(w, r); err != nil {
		return err
	}
	ctx := r.Context()
	f := readForm(r)
	if r.PathValue("post") != "" {
		id, err := pathID(r, "post", "post")
		if err != nil {
			return err
		}
		f.PostID = id
	}
	v, err := h.loadView(ctx, p, f)
	if err != nil {
		return err
	}
	if v.Post != nil {
		if err := editable(*v.Post); err != nil {
			return h.saveFailed(w, r, p, v, err)
		}
	}
	h.applyUploads(r, p, &v.F, v.Media, v.Problems)
	h.applyAlt(ctx, p, v.F, v.Media, v.Problems)
	if op := r.Form.Get("op"); op != "" {
		applyOp(&v.F, op, r)
		return h.reshow(w, r, p, v, http.StatusOK)
	}
	action := r.Form.Get("action")
	switch action {
	case "":
		action = doDraft
	case doDraft, doSubmit, doSchedule, doQueue, doPublishNow:
	default:
		return herald.Errorf(herald.CodeInvalid, "%q is not something the composer does", action)
	}
	po := v.F.toPost(v.Accounts, v.Loc, v.Problems)
	if len(v.Problems) > 0 {
		return h.reshow(w, r, p, v, http.StatusUnprocessableEntity)
	}
	if !h.checkAction(&v, action) {
		return h.reshow(w, r, p, v, http.StatusUnprocessableEntity)
	}
	wasDraft := v.Post == nil || allDrafts(*v.Post)
	saved, err := h.save(ctx, p, v.F, po)
	if err != nil {
		return h.saveFailed(w, r, p, v, err)
	}
	v.F.PostID, v.F.Version, v.Post = saved.ID, saved.Version, &saved
	if len(v.Problems) > 0 {
		return h.reshow(w, r, p, v, http.StatusUnprocessableEntity)
	}
	var done string
	switch action {
	case doDraft:
		if wasDraft {
			h.d.Sessions.Put(ctx, flashKey, "Draft saved at "+fmtClock(h.d.Clock.Now().In(v.Loc))+".")
			http.Redirect(w, r, editURL(p.Current.ID, saved.ID), http.StatusSeeOther)
			return nil
		}
		done = "Changes saved."
		if allDrafts(saved) {
			done = "Changes saved. What it says changed after approval, so it is a draft again: submit it for approval when it is ready."
		}
	case doSubmit:
		saved, err = h.d.Posts.Submit(ctx, p.Actor, saved.ID, "")
		done = "Submitted for approval: a reviewer will look at it."
	case doSchedule:
		saved, err = h.d.Posts.Schedule(ctx, p.Actor, saved.ID, nil, "")
		done = "Scheduled."
		if err == nil && len(saved.Targets) > 0 && saved.Targets[0].ScheduledAt != nil {
			done = "Scheduled for " + fmtTime(*saved.Targets[0].ScheduledAt, v.Loc) + "."
		}
	case doQueue:
		saved, err = h.d.Posts.Queue(ctx, p.Actor, saved.ID, "")
		done = "Added to the queue."
		if err == nil && len(saved.Targets) > 0 && saved.Targets[0].ScheduledAt != nil {
			done = "Added to the queue: it publishes " + fmtTime(*saved.Targets[0].ScheduledAt, v.Loc) + "."
		}
	case doPublishNow:
		saved, err = h.d.Posts.PublishNow(ctx, p.Actor, saved.ID, "")
		done = "Publishing now."
	}
	if err != nil {
		if po, gerr := h.d.Posts.Get(ctx, p.Actor, v.F.PostID); gerr == nil {
			v.F.Version, v.Post = po.Version, &po
		}
		return h.saveFailed(w, r, p, v, err)
	}
	h.d.Sessions.Put(ctx, flashKey, done)
	http.Redirect(w, r, postURL(p.Current.ID, saved.ID), http.StatusSeeOther)
	return nil
}

// saveFailed shows the form again with err's problems next to their
// fields; errors that are not about the form become an error page.
func (h *Handler) saveFailed(w http.ResponseWriter, r *http.Request, p *page, v composeView, err error) error {
	he := publicError(err)
	switch he.Code {
	case herald.CodeInvalid, herald.CodeConflict, herald.CodePreconditionFailed, herald.CodeForbidden:
	default:
		return err
	}
	v.Err = he
	general := false
	for _, d := range he.Details {
		slot := slotOf(d.Field, v.F)
		problem := d.Problem
		if slot == "at" && strings.Contains(problem, "in the past") {
			if at, err := v.F.at(v.Loc); err == nil && at != nil {
				problem = passedWords(*at, h.d.Clock.Now(), v.Loc)
			}
		}
		if slot == "at" && strings.HasPrefix(problem, "is required") {
			problem = "Pick a date and time to schedule the post, or add it to the queue."
		}
		general = general || slot == "general"
		if !slices.Contains(v.Problems[slot], problem) {
			v.Problems[slot] = append(v.Problems[slot], problem)
		}
	}
	switch {
	case he.Code == herald.CodePreconditionFailed || (he.Code == herald.CodeConflict && strings.Contains(he.Message, "changed by someone else")):
		v.Stale = true
		v.Err = &herald.Error{Code: he.Code, Message: "Not saved: someone changed this post after you opened it. " +
			"Your text is still below: copy what you need, open the post again and make your change there."}
	case he.Code == herald.CodeInvalid && len(he.Details) > 0 && !general:
		v.Err = nil // the notes next to the fields say it all
	}
	return h.reshow(w, r, p, v, statusOf(he))
}

// slotOf maps a problem's field ("targets[0].variant.thread[1].text") to
// the place in the form it is shown.
func slotOf(field string, f composeForm) string {
	switch {
	case field == "title":
		return "title"
	case field == "text":
		return "part-0"
	case field == "recurrence":
		return "repeat"
	case field == "campaign_id":
		return "campaign"
	case strings.HasPrefix(field, "label_ids"):
		return "labels"
	case strings.HasPrefix(field, "links"):
		return "links"
	case field == "targets":
		return "accounts"
	}
	var i int
	var rest string
	if n, _ := fmt.Sscanf(field, "targets[%d].", &i); n == 1 {
		_, rest, _ = strings.Cut(field, "].")
		acct := ""
		if i >= 0 && i < len(f.Accounts) {
			acct = itoa(f.Accounts[i])
		}
		switch {
		case rest == "scheduled_at":
			return "at"
		case rest == "variant.text":
			return "variant-" + acct
		case rest == "variant.first_comment":
			return "comment-" + acct
		case strings.HasPrefix(rest, "variant.options"):
			return "options-" + acct
		case rest == "variant.media_ids":
			return "part-0"
		case strings.HasPrefix(rest, "variant.thread["):
			var j int
			if n, _ := fmt.Sscanf(rest, "variant.thread[%d]", &j); n == 1 {
				return "part-" + strconv.Itoa(j+1)
			}
		case rest == "account_id":
			return "accounts"
		}
	}
	return "general"
}

// reshow renders the composer again with the form as typed.
func (h *Handler) reshow(w http.ResponseWriter, r *http.Request, p *page, v composeView, status int) error {
	if err := h.loadMedia(r.Context(), p, v.F, v.Media); err != nil {
		return err
	}
	h.withBest(r.Context(), p, &v)
	if err := h.check(r.Context(), p, &v); err != nil {
		return err
	}
	if v.F.PostID != 0 && v.Post == nil {
		if po, err := h.d.Posts.Get(r.Context(), p.Actor, v.F.PostID); err == nil {
			v.Post = &po
		}
	}
	p.Title = "New post"
	if v.F.PostID != 0 {
		p.Title = "Edit post"
	}
	h.render(w, r, status, composePage(p, v))
	return nil
}

// composeCheck answers the live checks: counters, problems and previews.
func (h *Handler) composeCheck(w http.ResponseWriter, r *http.Request, p *page) error {
	if err := p.Actor.Require(herald.ActPostsWrite); err != nil {
		return err
	}
	if err := h.parseComposeForm(w, r); err != nil {
		return err
	}
	f := readForm(r)
	loc, err := p.Current.Location()
	if err != nil {
		return err
	}
	v := composeView{F: f, Loc: loc, Problems: map[string][]string{}, Media: map[int64]herald.MediaAsset{}}
	if v.Accounts, err = h.d.Accounts.List(r.Context(), p.Actor); err != nil {
		return err
	}
	if err := h.loadMedia(r.Context(), p, f, v.Media); err != nil {
		return err
	}
	for id, vals := range f.Alt {
		if m, ok := v.Media[id]; ok && len(vals) > 0 {
			m.AltText = strings.TrimSpace(vals[0])
			v.Media[id] = m
		}
	}
	if err := h.check(r.Context(), p, &v); err != nil {
		return err
	}
	h.render(w, r, http.StatusOK, checkFragment(p, v))
	return nil
}

// autosaveAnswer is the autosave endpoint's JSON answer.
type autosaveAnswer struct {
	ID       int64  `json:"id,omitempty"`
	Version  int64  `json:"version,omitempty"`
	Saved    string `json:"saved,omitempty"`
	EditURL  string `json:"edit_url,omitempty"`
	Skipped  bool   `json:"skipped,omitempty"`
	Error    string `json:"error,omitempty"`
	Conflict bool   `json:"conflict,omitempty"`
}

// composeAutosave saves the draft as typed: created on the first
// meaningful input (once per composer session), then updated at the
// version the page holds. A post changed elsewhere is not overwritten;
// posts that are no longer drafts are saved only by their buttons.
func (h *Handler) composeAutosave(w http.ResponseWriter, r *http.Request, p *page) error {
	answer := func(status int, a autosaveAnswer) error {
		w.Header().Set("Content-Type", "application/json")
		w.Header().Set("Cache-Control", "no-store")
		w.WriteHeader(status)
		return json.NewEncoder(w).Encode(a)
	}
	fail := func(err error) error {
		he := publicError(err)
		if he.Code == herald.CodeInternal {
			h.d.Logger.ErrorContext(r.Context(), "autosave failed", "error", err)
		}
		msg := he.Message
		if len(he.Details) > 0 {
			msg += ": " + he.Details[0].Field + " " + he.Details[0].Problem
		}
		conflict := he.Code == herald.CodeConflict || he.Code == herald.CodePreconditionFailed
		if conflict {
			msg = "Not saved: this post was changed elsewhere since you opened it. Your text is still here: copy what you need, then reload."
		}
		return answer(statusOf(he), autosaveAnswer{Error: msg, Conflict: conflict})
	}
	if err := p.Actor.Require(herald.ActPostsWrite); err != nil {
		return fail(err)
	}
	if err := h.parseComposeForm(w, r); err != nil {
		return fail(err)
	}
	f := readForm(r)
	if f.PostID == 0 && !f.meaningful() {
		return answer(http.StatusOK, autosaveAnswer{Skipped: true})
	}
	if f.PostID != 0 {
		// Only drafts are saved as typed: a half-typed change must not go
		// out on a scheduled post, nor undo an approval keystroke by keystroke.
		po, err := h.d.Posts.Get(r.Context(), p.Actor, f.PostID)
		if err != nil {
			return fail(err)
		}
		if !allDrafts(po) {
			return answer(http.StatusOK, autosaveAnswer{Skipped: true})
		}
	}
	loc, err := p.Current.Location()
	if err != nil {
		return fail(err)
	}
	accts, err := h.d.Accounts.List(r.Context(), p.Actor)
	if err != nil {
		return fail(err)
	}
	assets := map[int64]herald.MediaAsset{}
	if err := h.loadMedia(r.Context(), p, f, assets); err != nil {
		return fail(err)
	}
	pr := map[string][]string{}
	h.applyAlt(r.Context(), p, f, assets, pr)
	po := f.toPost(accts, loc, pr)
	saved, err := h.save(r.Context(), p, f, po)
	if err != nil {
		return fail(err)
	}
	return answer(http.StatusOK, autosaveAnswer{ID: saved.ID, Version: saved.Version,
		Saved: "Saved " + fmtClock(h.d.Clock.Now().In(loc)), EditURL: editURL(p.Current.ID, saved.ID)})
}
