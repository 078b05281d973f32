package web

import (
	"net/http"
	"strconv"
	"strings"

	"github.com/heraldsocial/herald/internal/connector"
	"github.com/heraldsocial/herald/internal/herald"
)

// threadData is an inbox item's conversation as its platform has it.
type threadData struct {
	Item      herald.InboxItem
	Account   herald.Account
	Thread    connector.Thread
	Supported bool
	Err       *herald.Error
}

// inboxThread answers the conversation fragment the item's page loads
// after it shows, so that a slow platform never holds the page up.
func (h *Handler) inboxThread(w http.ResponseWriter, r *http.Request, p *page) error {
	it, err := h.inboxItemOf(r, p)
	if err != nil {
		return err
	}
	d := threadData{Item: it}
	if d.Account, err = h.d.Accounts.Get(r.Context(), p.Actor, it.AccountID); err != nil {
		return err
	}
	d.Thread, d.Supported, err = h.d.Posts.InboxThread(r.Context(), p.Actor, it.ID)
	if err != nil {
		// The platform's refusal or silence is said in place of the thread.
		switch he := publicError(err); he.Code {
		case herald.CodeUnavailable, herald.CodeRateLimited, herald.CodeInvalid, herald.CodeConflict:
			d.Err = he
		default:
			return err
		}
	}
	h.render(w, r, http.StatusOK, inboxThreadPart(d))
	return nil
}

// threadOurs reports whether a post of the thread is the account's own.
func threadOurs(a herald.Account, tp connector.ThreadPost) bool {
	return tp.AuthorID != "" && tp.AuthorID == a.RemoteID
}

// avatarURL is an author's picture where the page may show it (the page's
// policy allows images over HTTPS only).
func avatarURL(tp connector.ThreadPost) string {
	if strings.HasPrefix(tp.AuthorAvatar, "https://") {
		return tp.AuthorAvatar
	}
	return ""
}

// followers says an author's follower count, "" where it is not given.
func followers(tp connector.ThreadPost) string {
	switch {
	case tp.AuthorFollowers < 0:
		return ""
	case tp.AuthorFollowers == 1:
		return "1 follower"
	}
	return strconv.FormatInt(tp.AuthorFollowers, 10) + " followers"
}
