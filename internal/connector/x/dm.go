package x

import (
	"context"
	"errors"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/heraldsocial/herald/internal/connector"
	"github.com/heraldsocial/herald/internal/herald"
)

// Direct messages on X are DM events: GET /2/dm_events lists the
// account's message events newest first, POST
// /2/dm_conversations/{id}/messages answers in a conversation and GET
// /2/dm_conversations/{id}/dm_events lists one conversation's events. They
// need the scopes dm.read and dm.write, and an X API access level that
// includes direct messages.

var (
	_ connector.DMReader = (*Connector)(nil)
	_ connector.DMSender = (*Connector)(nil)
	_ connector.DMFinder = (*Connector)(nil)
)

// DMTextLimit is the most characters a direct message on X may have.
const DMTextLimit = 10000

// dmPages is how many pages of 100 events one DirectMessages call reads at
// most.
const dmPages = 10

// DMRefusedReason is what the inbox says of an X account whose token
// cannot reach its direct messages.
const DMRefusedReason = "X did not allow this account's direct messages: reconnect it to grant direct-message access (needs an X API access level with DMs)"

// dmEventFields are the event fields asked for. sender_id and
// participant_ids are not among the values the OpenAPI document allows for
// dm_event.fields; they come with their expansions instead.
const dmEventFields = "id,text,event_type,created_at,dm_conversation_id"

// dmEvent is the part of a DM event the connector reads.
type dmEvent struct {
	ID             string   `json:"id"`
	EventType      string   `json:"event_type"`
	Text           string   `json:"text"`
	CreatedAt      string   `json:"created_at"`
	SenderID       string   `json:"sender_id"`
	ConversationID string   `json:"dm_conversation_id"`
	ParticipantIDs []string `json:"participant_ids"`
}

func (ev dmEvent) created() (time.Time, bool) {
	t, err := time.Parse(time.RFC3339, ev.CreatedAt)
	return t.UTC(), err == nil
}

// dmPage is an answer of the event lists.
type dmPage struct {
	Data     []dmEvent `json:"data"`
	Includes struct {
		Users []xUser `json:"users"`
	} `json:"includes"`
	Meta struct {
		NextToken string `json:"next_token"`
	} `json:"meta"`
}

// dmQuery is the query of the event lists.
func dmQuery() url.Values {
	return url.Values{
		"dm_event.fields": {dmEventFields},
		"event_types":     {"MessageCreate"},
		"expansions":      {"sender_id,participant_ids"},
		"user.fields":     {"username,name,profile_image_url"},
		"max_results":     {"100"},
	}
}

// idAfter reports whether X id a is newer than b: ids are snowflakes,
// decimal numbers, so a longer one is larger.
func idAfter(a, b string) bool {
	if len(a) != len(b) {
		return len(a) > len(b)
	}
	return a > b
}

// conversationURL is where people see a conversation.
func conversationURL(id string) string {
	return "https://x.com/messages/" + url.PathEscape(id)
}

// dmRefusal turns X's refusal of the account's direct messages into a
// *connector.DMRefusedError. Only a 403 can be one: a 429, 5xx or 401
// stays the ordinary error. A 403 that names the token's access (a
// missing scope, client-forbidden or client-not-enrolled: the app's access
// level, unsupported-authentication) is a refusal; so is any other 403
// when listing the account's own messages (all refused), unless it says
// the account is suspended or locked, which is the account's trouble, not
// its messages'. The refusal's error is Invalid, not AuthRevoked: the
// account's other abilities go on.
func dmRefusal(res *connector.Response, err error, listing bool) error {
	var e *connector.Error
	if err == nil || res == nil || res.Status != http.StatusForbidden || !errors.As(err, &e) || e.Status != http.StatusForbidden ||
		(e.Class != connector.AuthRevoked && e.Class != connector.Invalid) {
		return err // not X's own 403: an HTML page from a proxy, say
	}
	p := parseProblem(res.Body)
	lower := strings.ToLower(p.Type + " " + p.Reason + " " + p.text())
	if strings.Contains(lower, "suspended") || strings.Contains(lower, "locked") {
		return err
	}
	access := false
	for _, s := range []string{"client-forbidden", "client-not-enrolled", "unsupported-authentication", "scope", "access level"} {
		if strings.Contains(lower, s) {
			access = true
			break
		}
	}
	if !access && !listing {
		return err
	}
	return &connector.DMRefusedError{Reason: DMRefusedReason,
		Err: &connector.Error{Class: connector.Invalid, Status: e.Status, Message: e.Message, Err: err}}
}

// DirectMessages reads the messages other people sent the account newer
// than cursor (the newest event id seen), oldest first, each with its
// conversation's id. Events come newest first: pages are read until one
// at or below the cursor, at most ten pages of 100 (with no cursor, the
// first page only); the next cursor is the newest event id read, the
// account's own messages included, "" when there was none. When ten pages
// do not reach the cursor, the returned cursor keeps what is left to read
// (a connector.Gap whose Resume is the page token reached) and the next
// call reads on from that page down to the old cursor before going on
// from the newest.
func (c *Connector) DirectMessages(ctx context.Context, acct connector.Account, cursor string) ([]connector.DirectMessage, string, error) {
	cr, err := creds(acct)
	if err != nil {
		return nil, "", err
	}
	uid, err := c.userID(ctx, cr)
	if err != nil {
		return nil, "", err
	}
	since, token, newest := cursor, "", ""
	if g, ok := connector.ParseGap(cursor); ok {
		since, token, newest = g.Since, g.Resume, g.Newest
	}
	q := dmQuery()
	if token != "" {
		q.Set("pagination_token", token)
	}
	next := since
	if newest != "" {
		next = newest
	}
	var out []connector.DirectMessage
	seen := map[string]bool{}
	reached, more := false, ""
	for page := 0; page < dmPages && !reached; page++ {
		var ans dmPage
		res, err := c.call(ctx, cr, request{method: http.MethodGet, path: "/2/dm_events", query: q, out: &ans})
		if err != nil {
			return nil, "", dmRefusal(res, err, true)
		}
		users := map[string]xUser{}
		for _, u := range ans.Includes.Users {
			users[u.ID] = u
		}
		for _, ev := range ans.Data {
			if ev.ID == "" || seen[ev.ID] {
				continue // a page that shifted under new messages repeats some
			}
			if since != "" && !idAfter(ev.ID, since) {
				reached = true
				break
			}
			seen[ev.ID] = true
			if idAfter(ev.ID, next) {
				next = ev.ID
			}
			if (ev.EventType != "" && ev.EventType != "MessageCreate") || ev.SenderID == uid {
				continue // a join or leave, or the account's own side
			}
			out = append(out, dmOf(ev, users[ev.SenderID]))
		}
		if ans.Meta.NextToken == "" || since == "" {
			break
		}
		q.Set("pagination_token", ans.Meta.NextToken)
		if page == dmPages-1 && !reached {
			more = ans.Meta.NextToken
			c.log.InfoContext(ctx, "x direct messages: more new messages than one read takes; the next read goes on",
				"pages", dmPages, "cursor", since)
		}
	}
	slices.SortStableFunc(out, func(a, b connector.DirectMessage) int {
		switch {
		case a.RemoteID == b.RemoteID:
			return 0
		case idAfter(b.RemoteID, a.RemoteID):
			return -1
		}
		return 1
	})
	if more != "" {
		return out, connector.Gap{Since: since, Resume: more, Newest: next}.String(), nil
	}
	if next == cursor {
		next = ""
	}
	return out, next, nil
}

// dmOf turns an event into a direct message.
func dmOf(ev dmEvent, sender xUser) connector.DirectMessage {
	m := connector.Mention{RemoteID: ev.ID, AuthorID: ev.SenderID, AuthorName: sender.Name,
		Text: unescape(ev.Text), Meta: map[string]string{}}
	if sender.Username != "" {
		m.AuthorHandle = "@" + sender.Username
	}
	if ev.ConversationID != "" {
		m.URL = conversationURL(ev.ConversationID)
		m.Meta["conversation_id"] = ev.ConversationID
	}
	if t, ok := ev.created(); ok {
		m.CreatedAt = t
	}
	return connector.DirectMessage{Mention: m, ConversationID: ev.ConversationID}
}

// checkDM says what is wrong with a direct message before it is sent.
func checkDM(conversationID string, p connector.Part) error {
	switch {
	case strings.TrimSpace(conversationID) == "":
		return invalid("the direct message has no X conversation to go to")
	case len(p.Media) > 0:
		return invalid("Herald sends text-only direct messages on X; leave the media out")
	case strings.TrimSpace(p.Text) == "":
		return invalid("the direct message has no text")
	}
	if n := utf8.RuneCountInString(p.Text); n > DMTextLimit {
		return invalid("a direct message on X has at most %d characters; this one has %d", DMTextLimit, n)
	}
	return nil
}

// SendDM sends p's text in the conversation from the account and returns
// the new event. X has no idempotency key for messages: a send whose
// answer was lost is ambiguous, and FindDM settles it.
func (c *Connector) SendDM(ctx context.Context, acct connector.Account, conversationID string, to herald.RemoteRef, p connector.Part) (herald.RemoteRef, error) {
	if err := checkDM(conversationID, p); err != nil {
		return herald.RemoteRef{}, err
	}
	cr, err := creds(acct)
	if err != nil {
		return herald.RemoteRef{}, err
	}
	var ans struct {
		Data *struct {
			ConversationID string `json:"dm_conversation_id"`
			EventID        string `json:"dm_event_id"`
		} `json:"data"`
	}
	res, err := c.call(ctx, cr, request{method: http.MethodPost,
		path: "/2/dm_conversations/" + url.PathEscape(conversationID) + "/messages",
		json: map[string]string{"text": p.Text}, out: &ans, create: true})
	if err != nil {
		return herald.RemoteRef{}, dmRefusal(res, err, false)
	}
	if ans.Data == nil || ans.Data.EventID == "" {
		return herald.RemoteRef{}, &connector.Error{Class: connector.Ambiguous, Status: res.Status,
			Message: "X's answer names no message; the message may have been sent"}
	}
	conv := ans.Data.ConversationID
	if conv == "" {
		conv = conversationID
	}
	return herald.RemoteRef{ID: ans.Data.EventID, URL: conversationURL(conv),
		Meta: map[string]string{"conversation_id": conv}}, nil
}

// FindDM reads the conversation's events newest first (up to three pages
// of 100, stopping at events older than since) for a message of the
// account with text, created at or after since.
func (c *Connector) FindDM(ctx context.Context, acct connector.Account, conversationID, text string, since time.Time) (herald.RemoteRef, bool, error) {
	if strings.TrimSpace(conversationID) == "" {
		return herald.RemoteRef{}, false, invalid("no X conversation to look in")
	}
	cr, err := creds(acct)
	if err != nil {
		return herald.RemoteRef{}, false, err
	}
	uid, err := c.userID(ctx, cr)
	if err != nil {
		return herald.RemoteRef{}, false, err
	}
	want := strings.TrimSpace(text)
	q := dmQuery()
	path := "/2/dm_conversations/" + url.PathEscape(conversationID) + "/dm_events"
	for page := 0; page < c.findPages; page++ {
		var ans dmPage
		res, err := c.call(ctx, cr, request{method: http.MethodGet, path: path, query: q, out: &ans})
		if err != nil {
			return herald.RemoteRef{}, false, dmRefusal(res, err, false)
		}
		for _, ev := range ans.Data {
			t, ok := ev.created()
			if ok && t.Before(since) {
				return herald.RemoteRef{}, false, nil // newest first: the rest is older still
			}
			if ev.SenderID != uid || (ev.EventType != "" && ev.EventType != "MessageCreate") {
				continue
			}
			if got := strings.TrimSpace(ev.Text); got == want || strings.TrimSpace(unescape(ev.Text)) == want {
				conv := ev.ConversationID
				if conv == "" {
					conv = conversationID
				}
				return herald.RemoteRef{ID: ev.ID, URL: conversationURL(conv),
					Meta: map[string]string{"conversation_id": conv}}, true, nil
			}
		}
		if ans.Meta.NextToken == "" {
			return herald.RemoteRef{}, false, nil
		}
		q.Set("pagination_token", ans.Meta.NextToken)
	}
	return herald.RemoteRef{}, false, &connector.Error{Class: connector.Invalid,
		Message: "the conversation has too many messages since the answer was first sent to check whether it went out; look at it on X before answering again"}
}
