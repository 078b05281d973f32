package bluesky

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"time"

	comatproto "github.com/bluesky-social/indigo/api/atproto"
	"github.com/bluesky-social/indigo/api/bsky"
	"github.com/bluesky-social/indigo/atproto/syntax"

	"github.com/heraldsocial/herald/internal/connector"
	"github.com/heraldsocial/herald/internal/herald"
)

// Delete removes a published post with deleteRecord; a post already gone
// counts as deleted (deleteRecord succeeds for a missing record).
func (c *Connector) Delete(ctx context.Context, acct connector.Account, ref herald.RemoteRef) error {
	s, err := c.current(acct)
	if err != nil {
		return err
	}
	u, err := syntax.ParseATURI(refURI(ref))
	if err != nil {
		return &connector.Error{Class: connector.Invalid, Message: fmt.Sprintf("%q is not a Bluesky post (an at:// URI)", ref.ID), Err: err}
	}
	if u.Authority().String() != s.did {
		return &connector.Error{Class: connector.Invalid, Message: fmt.Sprintf("the post %s belongs to another account", u)}
	}
	_, err = c.call(ctx, request{method: http.MethodPost, host: s.pds, nsid: "com.atproto.repo.deleteRecord", token: s.access,
		body:       map[string]string{"repo": s.did, "collection": u.Collection().String(), "rkey": u.RecordKey().String()},
		repeatable: true})
	return err
}

// metricsBatch is how many posts one getPosts call may ask for.
const metricsBatch = 25

// postView is the part of an AppView post view Herald reads.
type postView struct {
	URI    string `json:"uri"`
	CID    string `json:"cid"`
	Author struct {
		DID         string `json:"did"`
		Handle      string `json:"handle"`
		DisplayName string `json:"displayName"`
	} `json:"author"`
	LikeCount   *int64 `json:"likeCount"`
	RepostCount *int64 `json:"repostCount"`
	ReplyCount  *int64 `json:"replyCount"`
	QuoteCount  *int64 `json:"quoteCount"`
	IndexedAt   string `json:"indexedAt"`
	Record      struct {
		Text string `json:"text"`
	} `json:"record"`
}

// Metrics reads likes, reposts, replies and quotes with app.bsky.feed.getPosts
// (through the PDS, which asks the AppView), 25 posts per call. Bluesky
// does not publish impressions (-1). Posts the AppView no longer has are
// absent from the result.
func (c *Connector) Metrics(ctx context.Context, acct connector.Account, refs []herald.RemoteRef) (map[string]connector.Metrics, error) {
	s, err := c.current(acct)
	if err != nil {
		return nil, err
	}
	uris, byURI := urisOf(refs)
	out := map[string]connector.Metrics{}
	err = c.getPosts(ctx, s, uris, func(p postView) {
		m := connector.Metrics{Likes: count(p.LikeCount), Reposts: count(p.RepostCount), Replies: count(p.ReplyCount),
			Quotes: count(p.QuoteCount), Impressions: -1, At: c.now().UTC()}
		for _, id := range byURI[p.URI] {
			out[id] = m
		}
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// urisOf returns the post URIs refs name, each once in their order, and
// the ref ids asking for each.
func urisOf(refs []herald.RemoteRef) (uris []string, byURI map[string][]string) {
	byURI = map[string][]string{}
	for _, r := range refs {
		uri := refURI(r)
		if uri == "" {
			continue
		}
		if _, seen := byURI[uri]; !seen {
			uris = append(uris, uri)
		}
		byURI[uri] = append(byURI[uri], r.ID)
	}
	return uris, byURI
}

// getPosts reads uris with app.bsky.feed.getPosts, metricsBatch at a time,
// and calls fn with each post the AppView has.
func (c *Connector) getPosts(ctx context.Context, s session, uris []string, fn func(postView)) error {
	for batch := range slices.Chunk(uris, metricsBatch) {
		var res struct {
			Posts []postView `json:"posts"`
		}
		_, err := c.call(ctx, request{method: http.MethodGet, host: s.pds, nsid: "app.bsky.feed.getPosts", token: s.access,
			query: url.Values{"uris": batch}, out: &res})
		if err != nil {
			return err
		}
		for _, p := range res.Posts {
			fn(p)
		}
	}
	return nil
}

// CheckPosts reads posts received in the inbox as they are now, with
// app.bsky.feed.getPosts (25 a call): a post the AppView no longer
// returns is gone (deleted, or hidden from the account by a block or a
// takedown). Bluesky posts cannot be edited, so only their text is read.
func (c *Connector) CheckPosts(ctx context.Context, acct connector.Account, refs []herald.RemoteRef) (map[string]connector.PostState, error) {
	s, err := c.current(acct)
	if err != nil {
		return nil, err
	}
	uris, byURI := urisOf(refs)
	found := map[string]postView{}
	if err := c.getPosts(ctx, s, uris, func(p postView) { found[p.URI] = p }); err != nil {
		return nil, err
	}
	out := make(map[string]connector.PostState, len(refs))
	for uri, ids := range byURI {
		ps := connector.PostState{Gone: true}
		if p, ok := found[uri]; ok {
			ps = connector.PostState{Text: p.Record.Text}
		}
		for _, id := range ids {
			out[id] = ps
		}
	}
	return out, nil
}

func count(n *int64) int64 {
	if n == nil {
		return 0
	}
	return *n
}

// notification is the part of a listNotifications item Herald reads.
type notification struct {
	URI    string `json:"uri"`
	CID    string `json:"cid"`
	Author struct {
		DID         string `json:"did"`
		Handle      string `json:"handle"`
		DisplayName string `json:"displayName"`
	} `json:"author"`
	Reason    string `json:"reason"`
	IndexedAt string `json:"indexedAt"`
	Record    struct {
		Type      string `json:"$type"`
		Text      string `json:"text"`
		CreatedAt string `json:"createdAt"`
		Reply     *struct {
			Root   strongRef `json:"root"`
			Parent strongRef `json:"parent"`
		} `json:"reply"`
	} `json:"record"`
}

// inboxReasons are the notifications that are mentions in Herald's sense.
func inboxReasons() []string { return []string{"mention", "reply", "quote"} }

// mentionPages is how many pages of notifications one Mentions call reads
// at most (50 each): the first sync does not pull the whole history.
const mentionPages = 4

// Mentions reads mentions, replies and quotes since cursor, oldest first,
// with app.bsky.notification.listNotifications. Bluesky's own cursor pages
// backwards in time, so Herald's cursor is the newest notification seen:
// its indexedAt and URI ("2026-01-02T03:04:05.678Z at://…"). An empty
// cursor reads the newest pages only.
func (c *Connector) Mentions(ctx context.Context, acct connector.Account, cursor string) ([]connector.Mention, string, error) {
	s, err := c.current(acct)
	if err != nil {
		return nil, "", err
	}
	since, seen, page, newest := parseInboxCursor(cursor)
	var got []notification
	done, more := false, false
	for i := range mentionPages {
		q := url.Values{"limit": {"50"}, "reasons": inboxReasons()}
		if page != "" {
			q.Set("cursor", page)
		}
		var res struct {
			Cursor        string         `json:"cursor"`
			Notifications []notification `json:"notifications"`
		}
		if _, err := c.call(ctx, request{method: http.MethodGet, host: s.pds, nsid: "app.bsky.notification.listNotifications",
			token: s.access, query: q, out: &res}); err != nil {
			return nil, "", err
		}
		for _, n := range res.Notifications {
			at, err := time.Parse(time.RFC3339Nano, n.IndexedAt)
			if err != nil {
				continue
			}
			if !since.IsZero() && (at.Before(since) || at.Equal(since) && (seen == n.URI || seen == "")) {
				done = true
				break
			}
			got = append(got, n)
		}
		if done || res.Cursor == "" || len(res.Notifications) == 0 {
			break
		}
		page = res.Cursor
		if i == mentionPages-1 {
			more = true
		}
	}
	var out []connector.Mention
	next := ""
	for i := len(got) - 1; i >= 0; i-- {
		n := got[i]
		if !slices.Contains(inboxReasons(), n.Reason) || n.URI == "" {
			continue
		}
		m := connector.Mention{
			RemoteID: n.URI, AuthorID: n.Author.DID, AuthorHandle: n.Author.Handle, AuthorName: n.Author.DisplayName,
			Text: n.Record.Text,
			Meta: map[string]string{"uri": n.URI, "cid": n.CID, "reason": n.Reason},
		}
		if u, err := syntax.ParseATURI(n.URI); err == nil {
			m.URL = c.postURL(firstNonEmpty(n.Author.Handle, n.Author.DID), u.RecordKey().String())
		}
		if r := n.Record.Reply; r != nil {
			m.ReplyTo = r.Parent.URI
			m.Meta["root_uri"], m.Meta["root_cid"] = r.Root.URI, r.Root.CID
		}
		m.CreatedAt, _ = time.Parse(time.RFC3339Nano, firstNonEmpty(n.Record.CreatedAt, n.IndexedAt))
		out = append(out, m)
	}
	switch {
	case newest != "":
		next = newest // a span left from before: the newest seen then
	case len(got) > 0:
		next = got[0].IndexedAt + " " + got[0].URI // the newest seen, whatever its reason
	}
	if more && !since.IsZero() {
		// More came in than the pages read hold: the rest, older, lies
		// between the page reached and the old cursor; read it next.
		old := since.Format(time.RFC3339Nano) + " " + seen
		return out, connector.Gap{Since: old, Resume: page, Newest: next}.String(), nil
	}
	return out, next, nil
}

// parseInboxCursor reads Herald's notification cursor: the newest
// notification seen ("<indexedAt> <uri>"), or a connector.Gap holding that
// cursor, the listNotifications page to go on from and the newest seen.
func parseInboxCursor(cursor string) (since time.Time, seen, page, newest string) {
	if g, ok := connector.ParseGap(cursor); ok {
		since, seen, _, _ = parseInboxCursor(g.Since)
		return since, seen, g.Resume, g.Newest
	}
	ts, uri, _ := strings.Cut(strings.TrimSpace(cursor), " ")
	t, err := time.Parse(time.RFC3339Nano, ts)
	if err != nil {
		return time.Time{}, "", "", ""
	}
	return t, uri, "", ""
}

// Reply answers a post (a mention in the inbox, or any post) from the
// account. The reply's root is the answered post's root when it is itself
// a reply. A part without a key gets one from its content, so sending the
// same reply twice publishes it once.
func (c *Connector) Reply(ctx context.Context, acct connector.Account, to herald.RemoteRef, p connector.Part) (herald.RemoteRef, error) {
	p.ReplyTo = &to
	p.Comment = false
	if to.Meta["root_uri"] != "" && to.Meta["root_cid"] != "" {
		p.Root = &herald.RemoteRef{ID: to.Meta["root_uri"], Meta: map[string]string{"uri": to.Meta["root_uri"], "cid": to.Meta["root_cid"]}}
	} else {
		p.Root = nil
	}
	return c.Publish(ctx, acct, p)
}

// Like likes a post with an app.bsky.feed.like record whose key derives
// from the post, so liking twice is one like.
func (c *Connector) Like(ctx context.Context, acct connector.Account, ref herald.RemoteRef) error {
	s, err := c.current(acct)
	if err != nil {
		return err
	}
	subject, err := c.strong(ctx, s, ref)
	if err != nil {
		return err
	}
	rec := &bsky.FeedLike{LexiconTypeID: collLike, CreatedAt: c.nowString(),
		Subject: &comatproto.RepoStrongRef{Uri: subject.URI, Cid: subject.CID}}
	rkey := RecordKey(s.did, "like:"+subject.URI, 0)
	_, err = c.call(ctx, request{method: http.MethodPost, host: s.pds, nsid: "com.atproto.repo.putRecord", token: s.access,
		body: putInput{Repo: s.did, Collection: collLike, RKey: rkey, Record: rec}, repeatable: true})
	if isError(err, "InvalidSwap") {
		return nil // liked already
	}
	return err
}

// Repost reposts a post from the account: an app.bsky.feed.repost record
// whose key derives from the post, written with putRecord, so reposting
// again changes nothing.
func (c *Connector) Repost(ctx context.Context, acct connector.Account, ref herald.RemoteRef) error {
	s, err := c.current(acct)
	if err != nil {
		return err
	}
	subject, err := c.strong(ctx, s, ref)
	if err != nil {
		return err
	}
	rec := &bsky.FeedRepost{LexiconTypeID: collRepost, CreatedAt: c.nowString(),
		Subject: &comatproto.RepoStrongRef{Uri: subject.URI, Cid: subject.CID}}
	rkey := RecordKey(s.did, "repost:"+subject.URI, 0)
	_, err = c.call(ctx, request{method: http.MethodPost, host: s.pds, nsid: "com.atproto.repo.putRecord", token: s.access,
		body: putInput{Repo: s.did, Collection: collRepost, RKey: rkey, Record: rec}, repeatable: true})
	if isError(err, "InvalidSwap") {
		return nil // reposted already
	}
	return err
}

// CanAnswerAs lets any Bluesky account answer an item: a post's AT URI and
// CID are the same from every PDS.
func (c *Connector) CanAnswerAs(item, other herald.Account) bool { return true }
