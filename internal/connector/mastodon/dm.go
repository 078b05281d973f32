package mastodon

import (
	"context"
	"net/http"
	"net/url"
	"sort"
	"time"

	"github.com/heraldsocial/herald/internal/connector"
	"github.com/heraldsocial/herald/internal/herald"
)

// Direct messages on Mastodon are statuses with visibility direct. They
// are read per conversation (GET /api/v1/conversations, then the thread
// of each conversation's last status with GET /api/v1/statuses/:id/context)
// and answered with a direct reply that mentions the author.

// conversation is the part of a Mastodon conversation the connector reads.
type conversation struct {
	ID         flexID  `json:"id"`
	LastStatus *status `json:"last_status"`
}

// statusContext is GET /api/v1/statuses/:id/context's answer.
type statusContext struct {
	Ancestors   []status `json:"ancestors"`
	Descendants []status `json:"descendants"`
}

// dmPages is how many pages of 40 conversations one DirectMessages call reads.
const dmPages = 5

// conversations reads the account's conversations newest first (by last
// status), from maxID ("" for the newest), stopping at the first one whose
// last status is not newer than cursor; with no cursor only the first page
// is read. more is the max_id to go on from when dmPages pages did not
// reach the cursor ("" when they did).
func (c *Connector) conversations(ctx context.Context, cr Credentials, cursor, maxID string) (out []conversation, more string, err error) {
	for page := range dmPages {
		q := url.Values{"limit": {"40"}}
		if maxID != "" {
			q.Set("max_id", maxID)
		}
		var got []conversation
		_, err := c.call(ctx, cr.Instance, request{method: http.MethodGet, path: "/api/v1/conversations?" + q.Encode(), token: cr.AccessToken}, &got)
		if err != nil {
			if statusOf(err) == http.StatusForbidden {
				return nil, "", &connector.DMRefusedError{Reason: "reconnect to allow direct messages", Err: err}
			}
			return nil, "", err
		}
		for _, cv := range got {
			if cv.LastStatus == nil {
				continue
			}
			if cursor != "" && !idLess(cursor, string(cv.LastStatus.ID)) {
				return out, "", nil
			}
			out = append(out, cv)
			maxID = string(cv.LastStatus.ID)
		}
		if len(got) < 40 || cursor == "" || maxID == "" {
			break
		}
		if page == dmPages-1 {
			return out, maxID, nil
		}
	}
	return out, "", nil
}

// thread returns every status of the conversation whose last status is
// last, oldest first.
func (c *Connector) thread(ctx context.Context, cr Credentials, last status) ([]status, error) {
	var tc statusContext
	_, err := c.call(ctx, cr.Instance, request{method: http.MethodGet,
		path: "/api/v1/statuses/" + url.PathEscape(string(last.ID)) + "/context", token: cr.AccessToken}, &tc)
	if statusOf(err) == http.StatusNotFound {
		return []status{last}, nil // deleted meanwhile: the last status is what there is
	}
	if err != nil {
		return nil, err
	}
	all := append(append(tc.Ancestors, last), tc.Descendants...)
	sort.SliceStable(all, func(i, j int) bool { return idLess(string(all[i].ID), string(all[j].ID)) })
	return all, nil
}

// DirectMessages reads the direct statuses other people sent the account
// newer than cursor (a status id), oldest first, each with its
// conversation's id; the newest status id read is the next cursor. With no
// cursor only the latest page of conversations is read. When more
// conversations changed than one read takes, the cursor keeps the read
// unfinished and the next call goes on from where this one stopped,
// before going on from the newest.
func (c *Connector) DirectMessages(ctx context.Context, acct connector.Account, cursor string) ([]connector.DirectMessage, string, error) {
	cr, err := creds(acct)
	if err != nil {
		return nil, "", err
	}
	domain := c.domain(ctx, cr)
	full, from, newest := cursor, "", ""
	if g, ok := connector.ParseGap(cursor); ok {
		cursor, from, newest = g.Since, g.Resume, g.Newest
	}
	convs, more, err := c.conversations(ctx, cr, cursor, from)
	if err != nil {
		return nil, "", err
	}
	next := cursor
	var out []connector.DirectMessage
	seen := map[flexID]bool{}
	for _, cv := range convs {
		statuses, err := c.thread(ctx, cr, *cv.LastStatus)
		if err != nil {
			return nil, "", err
		}
		for _, st := range statuses {
			id := string(st.ID)
			if st.Visibility != "direct" || seen[st.ID] || (cursor != "" && !idLess(cursor, id)) {
				continue
			}
			seen[st.ID] = true
			if idLess(next, id) {
				next = id
			}
			if acct.RemoteID != "" && string(st.Account.ID) == acct.RemoteID {
				continue // the account's own side of the conversation
			}
			m := mentionOf(notification{Status: &st}, domain)
			delete(m.Meta, "notification_id")
			m.Meta["conversation_id"] = string(cv.ID)
			out = append(out, connector.DirectMessage{Mention: m, ConversationID: string(cv.ID)})
		}
	}
	sort.SliceStable(out, func(i, j int) bool { return idLess(out[i].RemoteID, out[j].RemoteID) })
	if newest != "" && idLess(next, newest) {
		next = newest
	}
	if more != "" {
		return out, connector.Gap{Since: cursor, Resume: more, Newest: next}.String(), nil
	}
	if next == cursor || next == full {
		next = ""
	}
	return out, next, nil
}

// replyOptions are the options of a reply to the status to: a reply to a
// direct status is direct too, whatever the part asked, so that answering
// a private message never makes it public.
func replyOptions(to herald.RemoteRef, opts map[string]string) map[string]string {
	if to.Meta["visibility"] != "direct" {
		return opts
	}
	out := make(map[string]string, len(opts)+1)
	for k, v := range opts {
		out[k] = v
	}
	out["visibility"] = "direct"
	return out
}

// SendDM answers the direct status to with a direct reply that mentions
// its author (see Reply, which sends it with Idempotency-Key and settles
// an earlier attempt first).
func (c *Connector) SendDM(ctx context.Context, acct connector.Account, conversationID string, to herald.RemoteRef, p connector.Part) (herald.RemoteRef, error) {
	meta := make(map[string]string, len(to.Meta)+1)
	for k, v := range to.Meta {
		meta[k] = v
	}
	meta["visibility"] = "direct"
	to.Meta = meta
	return c.Reply(ctx, acct, to, p)
}

// FindDM looks through the conversation's thread for a direct status of
// the account with text (as SendDM would have sent it, loosely compared)
// created at or after since.
func (c *Connector) FindDM(ctx context.Context, acct connector.Account, conversationID, text string, since time.Time) (herald.RemoteRef, bool, error) {
	cr, err := creds(acct)
	if err != nil {
		return herald.RemoteRef{}, false, err
	}
	convs, _, err := c.conversations(ctx, cr, "", "")
	if err != nil {
		return herald.RemoteRef{}, false, err
	}
	for _, cv := range convs {
		if string(cv.ID) != conversationID {
			continue
		}
		statuses, err := c.thread(ctx, cr, *cv.LastStatus)
		if err != nil {
			return herald.RemoteRef{}, false, err
		}
		want := fingerprint(text)
		for _, st := range statuses {
			t, ok := st.created()
			if string(st.Account.ID) != acct.RemoteID || st.Visibility != "direct" || (ok && t.Before(since)) {
				continue
			}
			// The sent text may start with the author's handle (see replyText).
			got := fingerprint(HTMLText(st.Content))
			if got == want || stripLeadingMention(got) == want {
				return st.ref(), true, nil
			}
		}
		return herald.RemoteRef{}, false, nil
	}
	return herald.RemoteRef{}, false, &connector.Error{Class: connector.Invalid,
		Message: "the conversation is not among the account's latest ones, so whether the message was sent cannot be checked; look at it on the server before answering again"}
}

// stripLeadingMention drops the @handle a reply starts with.
func stripLeadingMention(s string) string {
	if m := mentionRE.FindStringSubmatchIndex(s); m != nil && m[0] == 0 && mentionStart(s, 0) {
		return fingerprint(s[m[1]:])
	}
	return s
}

// domain is the instance's own domain (as handles name it), from its
// instance information, or its address's host when that is not read.
func (c *Connector) domain(ctx context.Context, cr Credentials) string {
	if info, err := c.instance(ctx, cr.Instance, cr.AccessToken); err == nil && info.Domain != "" {
		return info.Domain
	}
	return hostOf(cr.Instance)
}
