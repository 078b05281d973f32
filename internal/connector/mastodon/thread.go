package mastodon

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/heraldsocial/herald/internal/connector"
	"github.com/heraldsocial/herald/internal/herald"
)

// threadAccount is the author of a status in a thread, with the counts
// Mastodon gives along.
type threadAccount struct {
	account
	FollowersCount *int64 `json:"followers_count"`
}

// threadStatus is a status with its author's counts.
type threadStatus struct {
	status
	Account threadAccount `json:"account"`
}

func threadPost(st threadStatus, domain string) connector.ThreadPost {
	handle := st.Account.Acct
	if handle != "" && !strings.Contains(handle, "@") {
		handle += "@" + domain
	}
	p := connector.ThreadPost{RemoteID: string(st.ID), URL: st.ref().URL, AuthorID: string(st.Account.ID),
		AuthorHandle: "@" + handle, AuthorName: st.Account.DisplayName, AuthorAvatar: st.Account.Avatar,
		AuthorFollowers: -1, Text: HTMLText(st.Content)}
	if st.Account.FollowersCount != nil {
		p.AuthorFollowers = *st.Account.FollowersCount
	}
	if st.InReplyToID != nil {
		p.ReplyTo = string(*st.InReplyToID)
	}
	if t, ok := st.created(); ok {
		p.CreatedAt = t.UTC()
	}
	if st.EditedAt != nil {
		if t, err := time.Parse(time.RFC3339Nano, *st.EditedAt); err == nil {
			t = t.UTC()
			p.EditedAt = &t
		}
	}
	return p
}

// Thread reads a status and its conversation (GET /api/v1/statuses/:id
// and /api/v1/statuses/:id/context) as the account sees them.
func (c *Connector) Thread(ctx context.Context, acct connector.Account, ref herald.RemoteRef) (connector.Thread, error) {
	cr, err := creds(acct)
	if err != nil {
		return connector.Thread{}, err
	}
	domain := hostOf(cr.Instance)
	if info, err := c.instance(ctx, cr.Instance, cr.AccessToken); err == nil && info.Domain != "" {
		domain = info.Domain
	}
	path := "/api/v1/statuses/" + url.PathEscape(ref.ID)
	var st threadStatus
	if _, err := c.call(ctx, cr.Instance, request{method: http.MethodGet, path: path, token: cr.AccessToken}, &st); err != nil {
		return connector.Thread{}, err
	}
	var around struct {
		Ancestors   []threadStatus `json:"ancestors"`
		Descendants []threadStatus `json:"descendants"`
	}
	if _, err := c.call(ctx, cr.Instance, request{method: http.MethodGet, path: path + "/context", token: cr.AccessToken}, &around); err != nil {
		return connector.Thread{}, err
	}
	t := connector.Thread{Post: threadPost(st, domain)}
	for _, a := range around.Ancestors {
		t.Ancestors = append(t.Ancestors, threadPost(a, domain))
	}
	for _, d := range around.Descendants {
		t.Replies = append(t.Replies, threadPost(d, domain))
	}
	return t, nil
}
