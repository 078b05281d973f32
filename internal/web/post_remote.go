package web

import (
	"net/http"

	"github.com/heraldsocial/herald/internal/herald"
)

// Changing a published post on its platform: deleting it there, and
// editing its text where the platform allows it.

// remoteTarget finds published target {target} of post {post} for the
// delete-from-platform pages.
func (h *Handler) remoteTarget(r *http.Request, p *page) (postView, targetView, error) {
	postID, err := pathID(r, "post", "post")
	if err != nil {
		return postView{}, targetView{}, err
	}
	targetID, err := pathID(r, "target", "target")
	if err != nil {
		return postView{}, targetView{}, err
	}
	po, err := h.d.Posts.Get(r.Context(), p.Actor, postID)
	if err != nil {
		return postView{}, targetView{}, err
	}
	v, err := h.view(r.Context(), p, po)
	if err != nil {
		return postView{}, targetView{}, err
	}
	for _, tv := range v.Targets {
		if tv.T.ID == targetID {
			return v, tv, nil
		}
	}
	return postView{}, targetView{}, herald.Errorf(herald.CodeNotFound, "target %d is not a target of post %d", targetID, postID)
}

// deleteRemoteForm is the confirmation step before deleting a published
// post from its platform.
func (h *Handler) deleteRemoteForm(w http.ResponseWriter, r *http.Request, p *page) error {
	v, tv, err := h.remoteTarget(r, p)
	if err != nil {
		return err
	}
	if err := p.Actor.Require(herald.ActPostsDelete); err != nil {
		return err
	}
	if !tv.CanDeleteRemote {
		return herald.Errorf(herald.CodeConflict, "this target is %s and has nothing on its platform to delete", stateLabel(tv.T.State))
	}
	p.Title = "Delete from the platform"
	h.render(w, r, http.StatusOK, deleteRemotePage(p, v, tv))
	return nil
}

// deleteRemote deletes a published post from its platform.
func (h *Handler) deleteRemote(w http.ResponseWriter, r *http.Request, p *page) error {
	postID, err := pathID(r, "post", "post")
	if err != nil {
		return err
	}
	targetID, err := pathID(r, "target", "target")
	if err != nil {
		return err
	}
	if err := h.d.Posts.DeleteRemote(r.Context(), p.Actor, postID, targetID); err != nil {
		return err
	}
	h.d.Sessions.Put(r.Context(), flashKey, "Deleted from the platform. Herald keeps its record here.")
	http.Redirect(w, r, postURL(p.Current.ID, postID), http.StatusSeeOther)
	return nil
}

// editRemoteData is the form that edits a published post on its platform.
type editRemoteData struct {
	V    postView
	TV   targetView
	Text string
	Err  *herald.Error
}

// editRemoteTarget finds the target of the edit-on-platform pages and
// checks the viewer may edit it there.
func (h *Handler) editRemoteTarget(r *http.Request, p *page) (postView, targetView, error) {
	v, tv, err := h.remoteTarget(r, p)
	if err != nil {
		return v, tv, err
	}
	if err := p.Actor.Require(herald.ActPostsWrite); err != nil {
		return v, tv, err
	}
	if err := p.Actor.Require(herald.ActPostsSchedule); err != nil {
		return v, tv, err
	}
	if !tv.CanEditRemote {
		if tv.T.State != herald.StatePublished || tv.T.RemoteDeletedAt != nil || tv.T.RemoteID == "" {
			return v, tv, herald.Errorf(herald.CodeConflict, "this target is %s and has nothing on its platform to edit", stateLabel(tv.T.State))
		}
		return v, tv, herald.Errorf(herald.CodeInvalid,
			"%s posts cannot be edited from Herald here (or not with their media): edit it on the platform", platformName(tv.Platform))
	}
	return v, tv, nil
}

// editRemoteForm shows the published post's text to edit on its platform.
func (h *Handler) editRemoteForm(w http.ResponseWriter, r *http.Request, p *page) error {
	v, tv, err := h.editRemoteTarget(r, p)
	if err != nil {
		return err
	}
	p.Title = "Edit on " + platformName(tv.Platform)
	h.render(w, r, http.StatusOK, editRemotePage(p, editRemoteData{V: v, TV: tv, Text: tv.Text}))
	return nil
}

// editRemote edits the published post on its platform; a refused text is
// shown again in the form with what to fix.
func (h *Handler) editRemote(w http.ResponseWriter, r *http.Request, p *page) error {
	v, tv, err := h.editRemoteTarget(r, p)
	if err != nil {
		return err
	}
	in := editRemoteData{V: v, TV: tv, Text: r.PostFormValue("text")}
	if _, err := h.d.Posts.EditRemote(r.Context(), p.Actor, v.Post.ID, tv.T.ID, in.Text); err != nil {
		he := publicError(err)
		if he.Code == herald.CodeInternal || he.Code == herald.CodeForbidden || he.Code == herald.CodeNotFound {
			return err
		}
		in.Err = he
		p.Title = "Edit on " + platformName(tv.Platform)
		h.render(w, r, statusOf(he), editRemotePage(p, in))
		return nil
	}
	h.d.Sessions.Put(r.Context(), flashKey, "Edited on "+platformName(tv.Platform)+": the post there has the new text.")
	http.Redirect(w, r, postURL(p.Current.ID, v.Post.ID), http.StatusSeeOther)
	return nil
}
