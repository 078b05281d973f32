package mastodon

import (
	"context"
	"net/http"
	"net/url"
	"regexp"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/heraldsocial/herald/internal/connector"
	"github.com/heraldsocial/herald/internal/herald"
)

// Metrics reads favourites, boosts, replies and (Mastodon ≥ 4.4) quotes of
// each status with GET /api/v1/statuses/:id: the API has no call that
// reads many statuses by id on every server version, so it makes one
// request per status, at most WithConcurrency at once. Mastodon does not
// count impressions (-1). Statuses the instance no longer has are absent.
// The first other failure stops the rest and is returned.
func (c *Connector) Metrics(ctx context.Context, acct connector.Account, refs []herald.RemoteRef) (map[string]connector.Metrics, error) {
	out := make(map[string]connector.Metrics, len(refs))
	err := c.eachStatus(ctx, acct, refs, "reading counts", func(id string, st *status) {
		if st == nil {
			return
		}
		m := connector.Metrics{Likes: st.FavouritesCount, Reposts: st.ReblogsCount, Replies: st.RepliesCount,
			Quotes: -1, Impressions: -1, At: c.now().UTC()}
		if st.QuotesCount != nil {
			m.Quotes = *st.QuotesCount
		}
		out[id] = m
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// CheckPosts reads each status as the account sees it now (GET
// /api/v1/statuses/:id, a few at once): its text and when it was last
// edited, or gone when the server answers 404 (deleted, or no longer
// visible to the account).
func (c *Connector) CheckPosts(ctx context.Context, acct connector.Account, refs []herald.RemoteRef) (map[string]connector.PostState, error) {
	out := make(map[string]connector.PostState, len(refs))
	err := c.eachStatus(ctx, acct, refs, "checking posts", func(id string, st *status) {
		if st == nil {
			out[id] = connector.PostState{Gone: true}
			return
		}
		ps := connector.PostState{Text: HTMLText(st.Content)}
		if st.EditedAt != nil {
			if t, err := time.Parse(time.RFC3339Nano, *st.EditedAt); err == nil {
				t = t.UTC()
				ps.EditedAt = &t
			}
		}
		out[id] = ps
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// eachStatus reads the statuses refs name, c.concurrency at a time, and
// calls fn with each (nil when the server answers 404), one call at a
// time. The first other error stops the reading and is returned.
func (c *Connector) eachStatus(ctx context.Context, acct connector.Account, refs []herald.RemoteRef, what string, fn func(id string, st *status)) error {
	cr, err := creds(acct)
	if err != nil {
		return err
	}
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	var (
		mu       sync.Mutex
		firstErr error
		wg       sync.WaitGroup
		sem      = make(chan struct{}, c.concurrency)
	)
	for _, r := range refs {
		if r.ID == "" {
			continue
		}
		select {
		case sem <- struct{}{}:
		case <-ctx.Done():
		}
		if ctx.Err() != nil {
			break
		}
		wg.Add(1)
		go func(id string) {
			defer wg.Done()
			defer func() { <-sem }()
			var st status
			_, err := c.call(ctx, cr.Instance, request{method: http.MethodGet, path: "/api/v1/statuses/" + url.PathEscape(id), token: cr.AccessToken}, &st)
			mu.Lock()
			defer mu.Unlock()
			switch {
			case statusOf(err) == http.StatusNotFound:
				fn(id, nil)
			case err != nil:
				if firstErr == nil {
					firstErr = err
					cancel()
				}
			default:
				fn(id, &st)
			}
		}(r.ID)
	}
	wg.Wait()
	if firstErr != nil {
		return firstErr
	}
	if err := ctx.Err(); err != nil {
		return &connector.Error{Class: connector.Transient, Message: what + " was stopped", Err: err}
	}
	return nil
}

// notification is the part of a Mastodon notification the connector reads.
type notification struct {
	ID     flexID  `json:"id"`
	Type   string  `json:"type"`
	Status *status `json:"status"`
}

// mentionPages is how many pages of notifications one Mentions call reads.
const mentionPages = 10

// linkPrevRE finds the URL of a Link header's rel="prev" page.
var linkPrevRE = regexp.MustCompile(`<([^>]*)>\s*;\s*rel="?prev"?`)

// Mentions reads mention notifications (GET /api/v1/notifications with
// types[]=mention, which covers replies) newer than cursor, oldest first.
// The cursor is a notification id; pages are followed forward with min_id
// from the Link header (rel="prev"), up to 10 pages of 80 per call, and
// the newest id read is the next cursor. With no cursor only the latest
// page is read, so connecting an account does not pull its whole history.
func (c *Connector) Mentions(ctx context.Context, acct connector.Account, cursor string) ([]connector.Mention, string, error) {
	cr, err := creds(acct)
	if err != nil {
		return nil, "", err
	}
	domain := c.domain(ctx, cr)
	var all []notification
	next := cursor
	for range mentionPages {
		q := url.Values{"types[]": {"mention"}, "limit": {"80"}}
		if next != "" {
			q.Set("min_id", next)
		}
		var page []notification
		res, err := c.call(ctx, cr.Instance, request{method: http.MethodGet, path: "/api/v1/notifications?" + q.Encode(), token: cr.AccessToken}, &page)
		if err != nil {
			return nil, "", err
		}
		if len(page) == 0 {
			break
		}
		all = append(all, page...)
		newest := next
		for _, n := range page {
			if idLess(newest, string(n.ID)) {
				newest = string(n.ID)
			}
		}
		if prev := prevMinID(res.Header.Get("Link")); prev != "" && idLess(newest, prev) {
			newest = prev
		}
		if newest == next || cursor == "" || len(page) < 80 {
			next = newest
			break
		}
		next = newest
	}
	sort.Slice(all, func(i, j int) bool { return idLess(string(all[i].ID), string(all[j].ID)) })
	var out []connector.Mention
	seen := map[string]bool{}
	for _, n := range all {
		// Direct statuses are read by DirectMessages, with their conversation.
		if n.Type != "mention" || n.Status == nil || n.Status.Visibility == "direct" || seen[string(n.ID)] {
			continue
		}
		seen[string(n.ID)] = true
		out = append(out, mentionOf(n, domain))
	}
	if next == cursor {
		next = ""
	}
	return out, next, nil
}

func mentionOf(n notification, domain string) connector.Mention {
	st := n.Status
	acctName := st.Account.Acct
	handle := acctName
	if handle != "" && !strings.Contains(handle, "@") {
		handle += "@" + domain
	}
	m := connector.Mention{
		RemoteID: string(st.ID), URL: st.ref().URL, AuthorID: string(st.Account.ID), AuthorHandle: "@" + handle,
		AuthorName: st.Account.DisplayName, Text: HTMLText(st.Content),
		Meta: map[string]string{"notification_id": string(n.ID), "acct": acctName, "visibility": st.Visibility},
	}
	if st.SpoilerText != "" {
		m.Meta["spoiler_text"] = st.SpoilerText
	}
	if st.InReplyToID != nil {
		m.ReplyTo = string(*st.InReplyToID)
	}
	if t, ok := st.created(); ok {
		m.CreatedAt = t.UTC()
	}
	return m
}

// prevMinID returns the min_id of the Link header's rel="prev" URL.
func prevMinID(link string) string {
	m := linkPrevRE.FindStringSubmatch(link)
	if m == nil {
		return ""
	}
	u, err := url.Parse(m[1])
	if err != nil {
		return ""
	}
	return u.Query().Get("min_id")
}

// idLess orders ids as Mastodon servers make them: numeric strings
// (Mastodon's snowflakes) by length then value, fixed-length ULIDs
// (GoToSocial) as strings; "" comes first.
func idLess(a, b string) bool {
	if len(a) != len(b) {
		return len(a) < len(b)
	}
	return a < b
}

// CanAnswerAs lets any other Mastodon account answer an item. A status id
// is its server's own: an account on another server first finds the post
// on its own server (see local), which fails, saying so, when that server
// cannot see it (followers-only, or blocked).
func (c *Connector) CanAnswerAs(item, other herald.Account) bool {
	_, errA := NormalizeInstance(item.InstanceURL)
	_, errB := NormalizeInstance(other.InstanceURL)
	return errA == nil && errB == nil
}
