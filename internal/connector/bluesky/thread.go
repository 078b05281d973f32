package bluesky

import (
	"context"
	"encoding/json"
	"net/http"
	"net/url"
	"strconv"
	"time"

	"github.com/bluesky-social/indigo/atproto/syntax"

	"github.com/heraldsocial/herald/internal/connector"
	"github.com/heraldsocial/herald/internal/herald"
)

// threadView is app.bsky.feed.defs#threadViewPost as Herald reads it: a
// blocked or missing post has no "post" and ends the walk.
type threadView struct {
	Post *struct {
		URI    string `json:"uri"`
		Author struct {
			DID         string `json:"did"`
			Handle      string `json:"handle"`
			DisplayName string `json:"displayName"`
			Avatar      string `json:"avatar"`
		} `json:"author"`
		Record struct {
			Text      string `json:"text"`
			CreatedAt string `json:"createdAt"`
			Reply     *struct {
				Parent strongRef `json:"parent"`
			} `json:"reply"`
		} `json:"record"`
		IndexedAt string `json:"indexedAt"`
	} `json:"post"`
	Parent  json.RawMessage `json:"parent"`
	Replies []threadView    `json:"replies"`
}

// threadDepth and threadParents bound how much of a thread is read.
const (
	threadDepth   = 6
	threadParents = 20
)

func (c *Connector) threadPost(v threadView) (connector.ThreadPost, bool) {
	if v.Post == nil {
		return connector.ThreadPost{}, false
	}
	p := v.Post
	tp := connector.ThreadPost{RemoteID: p.URI, AuthorID: p.Author.DID, AuthorHandle: p.Author.Handle,
		AuthorName: p.Author.DisplayName, AuthorAvatar: p.Author.Avatar, AuthorFollowers: -1, Text: p.Record.Text}
	if u, err := syntax.ParseATURI(p.URI); err == nil {
		tp.URL = c.postURL(firstNonEmpty(p.Author.Handle, p.Author.DID), u.RecordKey().String())
	}
	if p.Record.Reply != nil {
		tp.ReplyTo = p.Record.Reply.Parent.URI
	}
	tp.CreatedAt, _ = time.Parse(time.RFC3339Nano, firstNonEmpty(p.Record.CreatedAt, p.IndexedAt))
	return tp, true
}

// Thread reads a post in its thread with app.bsky.feed.getPostThread: up
// to 20 posts above it and 6 levels of replies below.
func (c *Connector) Thread(ctx context.Context, acct connector.Account, ref herald.RemoteRef) (connector.Thread, error) {
	s, err := c.current(acct)
	if err != nil {
		return connector.Thread{}, err
	}
	q := url.Values{"uri": {ref.ID}, "depth": {strconv.Itoa(threadDepth)}, "parentHeight": {strconv.Itoa(threadParents)}}
	var res struct {
		Thread threadView `json:"thread"`
	}
	if _, err := c.call(ctx, request{method: http.MethodGet, host: s.pds, nsid: "app.bsky.feed.getPostThread",
		token: s.access, query: q, out: &res}); err != nil {
		if isError(err, "NotFound") {
			return connector.Thread{}, &connector.Error{Class: connector.Invalid, Status: http.StatusNotFound,
				Message: "the post is not on Bluesky any more", Err: err}
		}
		return connector.Thread{}, err
	}
	var t connector.Thread
	post, ok := c.threadPost(res.Thread)
	if !ok {
		return t, &connector.Error{Class: connector.Invalid, Status: http.StatusNotFound,
			Message: "the post is not visible on Bluesky (deleted or blocked)"}
	}
	t.Post = post
	for raw := res.Thread.Parent; len(raw) > 0 && len(t.Ancestors) < threadParents; {
		var parent threadView
		if json.Unmarshal(raw, &parent) != nil {
			break
		}
		p, ok := c.threadPost(parent)
		if !ok {
			break
		}
		t.Ancestors = append([]connector.ThreadPost{p}, t.Ancestors...)
		raw = parent.Parent
	}
	var walk func(vs []threadView)
	walk = func(vs []threadView) {
		for _, v := range vs {
			if p, ok := c.threadPost(v); ok {
				t.Replies = append(t.Replies, p)
				walk(v.Replies)
			}
		}
	}
	walk(res.Thread.Replies)
	return t, nil
}
