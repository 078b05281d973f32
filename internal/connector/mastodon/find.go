package mastodon

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"time"

	"golang.org/x/net/html"

	"github.com/heraldsocial/herald/internal/connector"
	"github.com/heraldsocial/herald/internal/herald"
)

// Find rules (see docs/platforms/mastodon.md).
const (
	// findSkew allows for the instance's clock being behind Herald's.
	findSkew = 2 * time.Minute
	// findSources is how many near matches Find checks against their
	// source text (GET /api/v1/statuses/:id/source) at most.
	findSources = 10
)

// Find looks for a part among the account's recent statuses
// (GET /api/v1/accounts/:id/statuses, newest first, up to 5 pages of 40).
// A status is the part when all of these hold:
//
//   - it was created no earlier than two minutes before this process first
//     sent the part's key, or, when this process never sent it (after a
//     restart), within the find window (WithFindWindow, default 6h);
//   - it replies to the same status (the part before, or nothing);
//   - it has as many media attachments, and the same content warning;
//   - it was posted by Herald's app, where the instance shows the app;
//   - its text is the part's text: the status's HTML content turned back
//     into text equals the part's text once both have their whitespace
//     collapsed and remote mentions (@user@domain) shortened to @user, as
//     Mastodon renders them; or, where the instance formats text (Markdown
//     on some servers), its source (GET /api/v1/statuses/:id/source)
//     equals the part's text exactly.
//
// Of several matches the oldest wins. When Find cannot tell, it says why
// with an Invalid error (the dispatcher then marks the part unconfirmed,
// never sending it again blindly): the server cannot list the account's
// statuses (404, 410, 501), a page repeats (the server ignores max_id), or
// the pages run out before reaching the time the part was first sent (the
// account posted more since than Find reads).
func (c *Connector) Find(ctx context.Context, acct connector.Account, p connector.Part) (herald.RemoteRef, bool, error) {
	cr, err := creds(acct)
	if err != nil {
		return herald.RemoteRef{}, false, err
	}
	since := c.now().Add(-c.findWindow)
	if t, ok := c.sentAt(p.Key); ok {
		since = t.Add(-findSkew)
	}
	remoteID := acct.RemoteID
	if remoteID == "" {
		var me account
		if _, err := c.call(ctx, cr.Instance, request{method: http.MethodGet, path: "/api/v1/accounts/verify_credentials", token: cr.AccessToken}, &me); err != nil {
			return herald.RemoteRef{}, false, err
		}
		remoteID = string(me.ID)
	}
	if p.ReplyTo != nil {
		to, err := c.local(ctx, cr, *p.ReplyTo)
		if err != nil {
			return herald.RemoteRef{}, false, err
		}
		p.ReplyTo = &to
		p.Text = replyText(*p.ReplyTo, p.Text) // as Reply sent it
	}
	want := fingerprint(p.Text)
	reply := replyTarget(p)
	var near []status // all but the text match
	var found *status
	maxID := ""
	seen := map[flexID]bool{}
	reached := false // a status older than since, or the end of the history
pages:
	for range c.findPages {
		q := url.Values{"limit": {"40"}, "exclude_reblogs": {"true"}}
		if maxID != "" {
			q.Set("max_id", maxID)
		}
		var page []status
		_, err := c.call(ctx, cr.Instance, request{method: http.MethodGet,
			path: "/api/v1/accounts/" + url.PathEscape(remoteID) + "/statuses?" + q.Encode(), token: cr.AccessToken}, &page)
		if err != nil {
			if s := statusOf(err); s == http.StatusNotFound || s == http.StatusGone || s == http.StatusNotImplemented {
				return herald.RemoteRef{}, false, &connector.Error{Class: connector.Invalid, Status: s,
					Message: "the instance does not list the account's recent posts, so whether it was published cannot be checked", Err: err}
			}
			return herald.RemoteRef{}, false, err
		}
		for i := range page {
			st := page[i]
			if seen[st.ID] {
				return herald.RemoteRef{}, false, &connector.Error{Class: connector.Invalid,
					Message: fmt.Sprintf("the instance answered the same posts again when asked for older ones (it ignores max_id), so whether the post was published cannot be checked (%s)", cannotTell)}
			}
			seen[st.ID] = true
			t, ok := st.created()
			if ok && t.Before(since) {
				reached = true
				break pages
			}
			if !c.sameShape(st, p, reply) {
				continue
			}
			if fingerprint(HTMLText(st.Content)) == want {
				found = &page[i] // newest first: the last match is the oldest
			} else if len(near) < findSources {
				near = append(near, st)
			}
		}
		if len(page) < 40 {
			reached = true
			break
		}
		maxID = string(page[len(page)-1].ID)
	}
	if found != nil {
		return found.ref(), true, nil
	}
	for i := len(near) - 1; i >= 0; i-- { // oldest first
		var src struct {
			Text string `json:"text"`
		}
		_, err := c.call(ctx, cr.Instance, request{method: http.MethodGet, path: "/api/v1/statuses/" + url.PathEscape(string(near[i].ID)) + "/source", token: cr.AccessToken}, &src)
		if statusOf(err) == http.StatusNotFound {
			break // the server has no source endpoint (or the status is gone)
		}
		if err != nil {
			return herald.RemoteRef{}, false, err
		}
		if src.Text == p.Text {
			return near[i].ref(), true, nil
		}
	}
	if !reached {
		return herald.RemoteRef{}, false, &connector.Error{Class: connector.Invalid,
			Message: fmt.Sprintf("the account posted more since %s than Herald reads back (%d pages of 40), so whether the post was published cannot be checked (%s)",
				since.UTC().Format(time.RFC3339), c.findPages, cannotTell)}
	}
	return herald.RemoteRef{}, false, nil
}

// cannotTell ends Find's explanations.
const cannotTell = "look at the account on the server before publishing again"

// sameShape compares everything but the text.
func (c *Connector) sameShape(st status, p connector.Part, reply string) bool {
	if st.Reblog != nil {
		return false
	}
	inReply := ""
	if st.InReplyToID != nil {
		inReply = string(*st.InReplyToID)
	}
	if inReply != reply || len(st.MediaAttachments) != len(p.Media) || st.SpoilerText != p.Options["spoiler_text"] {
		return false
	}
	return st.Application == nil || st.Application.Name == "" || st.Application.Name == c.appName
}

// fingerprint is text compared loosely: remote mentions shortened, runs
// of whitespace made one space.
func fingerprint(s string) string {
	var b strings.Builder
	last := 0
	for _, m := range mentionRE.FindAllStringSubmatchIndex(s, -1) {
		if !mentionStart(s, m[0]) {
			continue
		}
		b.WriteString(s[last:m[0]])
		b.WriteString("@" + s[m[2]:m[3]])
		last = m[1]
	}
	b.WriteString(s[last:])
	return strings.Join(strings.Fields(b.String()), " ")
}

// HTMLText turns a status's HTML content into plain text: paragraphs and
// line breaks become new lines, entities are decoded, and the hidden parts
// of shortened links are kept (so a link reads in full).
func HTMLText(s string) string {
	z := html.NewTokenizer(strings.NewReader(s))
	var b strings.Builder
	paragraphs := 0
	for {
		switch z.Next() {
		case html.ErrorToken:
			return strings.TrimSpace(b.String())
		case html.TextToken:
			b.Write(z.Text())
		case html.StartTagToken, html.SelfClosingTagToken:
			name, _ := z.TagName()
			switch string(name) {
			case "br":
				b.WriteByte('\n')
			case "p":
				if paragraphs > 0 {
					b.WriteString("\n\n")
				}
				paragraphs++
			}
		}
	}
}
