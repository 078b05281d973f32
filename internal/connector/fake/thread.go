package fake

import (
	"context"
	"net/http"
	"net/url"
	"time"

	"github.com/heraldsocial/herald/internal/connector"
	"github.com/heraldsocial/herald/internal/herald"
)

// threadStatus is a status as the thread endpoints give it.
type threadStatus struct {
	ID          string  `json:"id"`
	URL         string  `json:"url"`
	CreatedAt   string  `json:"created_at"`
	Content     string  `json:"content"`
	InReplyToID *string `json:"in_reply_to_id"`
	EditedAt    *string `json:"edited_at"`
	Account     profile `json:"account"`
}

func (c *Connector) threadPost(st threadStatus) connector.ThreadPost {
	created, err := time.Parse(time.RFC3339Nano, st.CreatedAt)
	if err != nil {
		created = c.now()
	}
	p := connector.ThreadPost{RemoteID: st.ID, URL: st.URL, AuthorID: st.Account.ID, AuthorHandle: "@" + st.Account.Acct,
		AuthorName: st.Account.DisplayName, AuthorFollowers: -1, Text: plainText(st.Content),
		CreatedAt: created.UTC().Truncate(time.Microsecond)}
	if st.InReplyToID != nil {
		p.ReplyTo = *st.InReplyToID
	}
	if st.EditedAt != nil {
		if t, err := time.Parse(time.RFC3339Nano, *st.EditedAt); err == nil {
			t = t.UTC().Truncate(time.Microsecond)
			p.EditedAt = &t
		}
	}
	return p
}

// Thread reads the post and its conversation (GET /api/v1/statuses/{id}
// and its /context).
func (c *Connector) Thread(ctx context.Context, acct connector.Account, ref herald.RemoteRef) (connector.Thread, error) {
	cr, err := creds(acct)
	if err != nil {
		return connector.Thread{}, err
	}
	path := "/api/v1/statuses/" + url.PathEscape(ref.ID)
	var st threadStatus
	if _, err := c.call(ctx, cr, http.MethodGet, path, nil, "", nil, &st); err != nil {
		return connector.Thread{}, err
	}
	var around struct {
		Ancestors   []threadStatus `json:"ancestors"`
		Descendants []threadStatus `json:"descendants"`
	}
	if _, err := c.call(ctx, cr, http.MethodGet, path+"/context", nil, "", nil, &around); err != nil {
		return connector.Thread{}, err
	}
	t := connector.Thread{Post: c.threadPost(st)}
	for _, a := range around.Ancestors {
		t.Ancestors = append(t.Ancestors, c.threadPost(a))
	}
	for _, d := range around.Descendants {
		t.Replies = append(t.Replies, c.threadPost(d))
	}
	return t, nil
}
