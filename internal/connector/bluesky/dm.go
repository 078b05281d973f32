package bluesky

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/bluesky-social/indigo/api/bsky"

	"github.com/heraldsocial/herald/internal/connector"
	"github.com/heraldsocial/herald/internal/herald"
)

// Direct messages on Bluesky belong to its chat service (the chat.bsky.*
// lexicons), which apps reach through the account's PDS: every call goes
// to the PDS with the header atproto-proxy: did:web:api.bsky.chat#bsky_chat
// and the PDS passes it on with a service token. The PDS does so only for
// a session whose app password was created with "Allow access to your
// direct messages"; any other app password is refused with 400
// InvalidToken "Bad token method".
//
// The first read (no cursor) lists the latest conversations
// (chat.bsky.convo.listConvos) and reads each one's latest messages
// (chat.bsky.convo.getMessages); its cursor is the newest conversation
// revision seen. Later reads follow the account's event log
// (chat.bsky.convo.getLog) from that revision and keep its
// logCreateMessage events. Answers are sent with
// chat.bsky.convo.sendMessage, which has no idempotency key: FindDM looks
// through the conversation for a message that already went out.

// ChatProxy is the atproto-proxy header of chat calls: Bluesky's chat
// service and the id of its service entry.
const ChatProxy = "did:web:api.bsky.chat#bsky_chat"

// Chat message limits (chat.bsky.convo.defs#messageInput).
const (
	// MaxDMGraphemes is how many grapheme clusters a chat message may have.
	MaxDMGraphemes = 1000
	// MaxDMBytes is how many UTF-8 bytes a chat message may have.
	MaxDMBytes = 10000
)

// The reasons DirectMessages gives when the PDS refuses chat.
const (
	// DMRefusedReason is the reason for an app password without the
	// direct-message privilege.
	DMRefusedReason = "the app password does not allow direct messages: create one with “Allow access to your direct messages” ticked and reconnect"
	// DMUnreachableReason is the reason for a PDS that does not pass chat
	// calls on to Bluesky's chat service.
	DMUnreachableReason = "the account's server does not reach Bluesky's chat service, so direct messages cannot be read"
)

const (
	// dmConvos is how many conversations the first read lists (one page).
	dmConvos = 50
	// dmFirstMessages is how many of each conversation's latest messages
	// the first read takes.
	dmFirstMessages = 20
	// dmLogPages is how many pages of the event log one read follows.
	dmLogPages = 20
	// dmFindPages is how many pages of 100 messages FindDM looks through.
	dmFindPages = 5
)

// The union types of chat answers.
const (
	typeMessageView        = "chat.bsky.convo.defs#messageView"
	typeDeletedMessageView = "chat.bsky.convo.defs#deletedMessageView"
	typeLogCreateMessage   = "chat.bsky.convo.defs#logCreateMessage"
)

// chatProfile is chat.bsky.actor.defs#profileViewBasic, the part Herald reads.
type chatProfile struct {
	DID         string `json:"did"`
	Handle      string `json:"handle"`
	DisplayName string `json:"displayName"`
}

// chatMessage is chat.bsky.convo.defs#messageView (or, with Type set so,
// #deletedMessageView, which has no text).
type chatMessage struct {
	Type   string `json:"$type"`
	ID     string `json:"id"`
	Rev    string `json:"rev"`
	Text   string `json:"text"`
	Sender struct {
		DID string `json:"did"`
	} `json:"sender"`
	SentAt string `json:"sentAt"`
}

// live reports whether m is a message with text (not a deleted one).
func (m chatMessage) live() bool { return m.Type != typeDeletedMessageView && m.ID != "" }

// sent is when the message was sent (zero if the time does not parse).
func (m chatMessage) sent() time.Time {
	t, _ := time.Parse(time.RFC3339Nano, m.SentAt)
	return t
}

// convoView is chat.bsky.convo.defs#convoView, the part Herald reads.
type convoView struct {
	ID          string        `json:"id"`
	Rev         string        `json:"rev"`
	Members     []chatProfile `json:"members"`
	LastMessage *chatMessage  `json:"lastMessage"`
}

// logEntry is one event of chat.bsky.convo.getLog; Herald reads
// #logCreateMessage only.
type logEntry struct {
	Type    string      `json:"$type"`
	Rev     string      `json:"rev"`
	ConvoID string      `json:"convoId"`
	Message chatMessage `json:"message"`
}

// messageInput is chat.bsky.convo.defs#messageInput.
type messageInput struct {
	Text   string                `json:"text"`
	Facets []*bsky.RichtextFacet `json:"facets,omitempty"`
}

// chat makes one chat call through the PDS, turning a refusal of chat
// into a *connector.DMRefusedError.
func (c *Connector) chat(ctx context.Context, s session, method, nsid string, q url.Values, body, out any) error {
	_, err := c.call(ctx, request{method: method, host: s.pds, nsid: nsid, query: q, token: s.access, body: body, out: out, proxy: ChatProxy})
	return chatRefusal(err)
}

// chatRefusal wraps err in a *connector.DMRefusedError when it says that
// the session may not use chat (an app password without the privilege), or
// that the PDS does not reach the chat service (no such method behind it,
// or a proxy DID it cannot resolve).
func chatRefusal(err error) error {
	var xe *xrpcErr
	if err == nil || !errors.As(err, &xe) {
		return err
	}
	switch {
	case xe.refused:
		return &connector.DMRefusedError{Reason: DMRefusedReason, Err: err}
	case xe.err.Status == http.StatusNotImplemented, xe.name == "MethodNotImplemented", xe.name == "XRPCNotSupported",
		strings.HasPrefix(xe.message, "could not resolve proxy did"):
		return &connector.DMRefusedError{Reason: DMUnreachableReason, Err: err}
	}
	return err
}

// DirectMessages reads the chat messages other people sent the account,
// oldest first. With no cursor it reads the latest messages of the latest
// conversations and returns the newest conversation revision as the
// cursor; with one it follows the chat event log from there and returns
// the log's new cursor ("" when nothing new came). The account's own
// messages and deleted ones are left out. An app password without access
// to direct messages gives a *connector.DMRefusedError.
func (c *Connector) DirectMessages(ctx context.Context, acct connector.Account, cursor string) ([]connector.DirectMessage, string, error) {
	s, err := c.current(acct)
	if err != nil {
		return nil, "", err
	}
	var out []connector.DirectMessage
	next := ""
	if cursor == "" {
		out, next, err = c.firstDMs(ctx, s)
	} else {
		out, next, err = c.loggedDMs(ctx, s, cursor)
	}
	if err != nil {
		return nil, "", err
	}
	// Oldest first: by time sent, then by revision (a TID, in the order
	// the chat service took the messages) for messages of one instant.
	sort.SliceStable(out, func(i, j int) bool {
		if !out[i].CreatedAt.Equal(out[j].CreatedAt) {
			return out[i].CreatedAt.Before(out[j].CreatedAt)
		}
		return out[i].Meta["rev"] < out[j].Meta["rev"]
	})
	if next == cursor {
		next = ""
	}
	return out, next, nil
}

// firstDMs reads the latest page of conversations and each one's latest
// messages. The cursor is the newest conversation revision: the event log
// from there brings what came after this read's listing.
func (c *Connector) firstDMs(ctx context.Context, s session) ([]connector.DirectMessage, string, error) {
	var list struct {
		Cursor string      `json:"cursor"`
		Convos []convoView `json:"convos"`
	}
	if err := c.chat(ctx, s, http.MethodGet, "chat.bsky.convo.listConvos", url.Values{"limit": {strconv.Itoa(dmConvos)}}, nil, &list); err != nil {
		return nil, "", err
	}
	next := ""
	var out []connector.DirectMessage
	seen := map[string]bool{}
	for _, cv := range list.Convos {
		if cv.Rev > next {
			next = cv.Rev
		}
		if cv.ID == "" || cv.LastMessage == nil {
			continue // no messages yet
		}
		msgs, _, err := c.convoMessages(ctx, s, cv.ID, "", dmFirstMessages)
		if err != nil {
			return nil, "", err
		}
		members := membersOf(cv)
		for _, m := range msgs {
			if !m.live() || m.Sender.DID == s.did || seen[m.ID] {
				continue
			}
			seen[m.ID] = true
			out = append(out, c.directMessage(cv.ID, m, members))
		}
	}
	return out, next, nil
}

// loggedDMs follows the chat event log from cursor and keeps the messages
// others sent; the conversations' members (for the authors' handles and
// names) are read once each with chat.bsky.convo.getConvo.
func (c *Connector) loggedDMs(ctx context.Context, s session, cursor string) ([]connector.DirectMessage, string, error) {
	cur := cursor
	var out []connector.DirectMessage
	seen := map[string]bool{}
	convos := map[string]map[string]chatProfile{}
	for range dmLogPages {
		var res struct {
			Cursor string     `json:"cursor"`
			Logs   []logEntry `json:"logs"`
		}
		if err := c.chat(ctx, s, http.MethodGet, "chat.bsky.convo.getLog", url.Values{"cursor": {cur}}, nil, &res); err != nil {
			return nil, "", err
		}
		for _, l := range res.Logs {
			m := l.Message
			if l.Type != typeLogCreateMessage || l.ConvoID == "" || !m.live() || m.Sender.DID == s.did || seen[m.ID] {
				continue
			}
			seen[m.ID] = true
			members, ok := convos[l.ConvoID]
			if !ok {
				var err error
				if members, err = c.convoMembers(ctx, s, l.ConvoID); err != nil {
					return nil, "", err
				}
				convos[l.ConvoID] = members
			}
			out = append(out, c.directMessage(l.ConvoID, m, members))
		}
		if len(res.Logs) == 0 || res.Cursor == "" || res.Cursor == cur {
			break
		}
		cur = res.Cursor
	}
	return out, cur, nil
}

// convoMessages reads one page of a conversation's messages, newest first.
func (c *Connector) convoMessages(ctx context.Context, s session, convoID, page string, limit int) ([]chatMessage, string, error) {
	q := url.Values{"convoId": {convoID}, "limit": {strconv.Itoa(limit)}}
	if page != "" {
		q.Set("cursor", page)
	}
	var res struct {
		Cursor   string        `json:"cursor"`
		Messages []chatMessage `json:"messages"`
	}
	if err := c.chat(ctx, s, http.MethodGet, "chat.bsky.convo.getMessages", q, nil, &res); err != nil {
		return nil, "", err
	}
	return res.Messages, res.Cursor, nil
}

// convoMembers reads a conversation's members by DID. A conversation the
// chat service no longer shows the account (it left) gives none: its
// messages keep their authors' DIDs.
func (c *Connector) convoMembers(ctx context.Context, s session, convoID string) (map[string]chatProfile, error) {
	var res struct {
		Convo convoView `json:"convo"`
	}
	err := c.chat(ctx, s, http.MethodGet, "chat.bsky.convo.getConvo", url.Values{"convoId": {convoID}}, nil, &res)
	if err != nil {
		if connector.DMRefused(err) == "" && connector.ClassOf(err) == connector.Invalid {
			c.log.DebugContext(ctx, "bluesky conversation members not read", "convo", convoID, "error", err)
			return map[string]chatProfile{}, nil
		}
		return nil, err
	}
	return membersOf(res.Convo), nil
}

// membersOf indexes a conversation's members by DID.
func membersOf(cv convoView) map[string]chatProfile {
	out := make(map[string]chatProfile, len(cv.Members))
	for _, p := range cv.Members {
		out[p.DID] = p
	}
	return out
}

// directMessage is the inbox's form of a chat message in a conversation.
func (c *Connector) directMessage(convoID string, m chatMessage, members map[string]chatProfile) connector.DirectMessage {
	p := members[m.Sender.DID]
	return connector.DirectMessage{
		Mention: connector.Mention{
			RemoteID:     m.ID,
			URL:          c.convoURL(convoID),
			AuthorID:     m.Sender.DID,
			AuthorHandle: firstNonEmpty(p.Handle, m.Sender.DID),
			AuthorName:   firstNonEmpty(p.DisplayName, p.Handle, m.Sender.DID),
			Text:         m.Text,
			CreatedAt:    m.sent(),
			Meta:         map[string]string{"convo_id": convoID, "rev": m.Rev},
		},
		ConversationID: convoID,
	}
}

// convoURL is where people see a conversation in the web app.
func (c *Connector) convoURL(convoID string) string {
	return c.webURL + "/messages/" + url.PathEscape(convoID)
}

// checkDM checks an answer against the chat message limits: text only,
// not empty, at most MaxDMGraphemes graphemes and MaxDMBytes bytes.
func checkDM(p connector.Part) error {
	switch n := Graphemes(p.Text); {
	case len(p.Media) > 0:
		return &connector.Error{Class: connector.Invalid, Message: "a Bluesky direct message carries text only: remove the media"}
	case strings.TrimSpace(p.Text) == "":
		return &connector.Error{Class: connector.Invalid, Message: "a Bluesky direct message needs text"}
	case n > MaxDMGraphemes:
		return &connector.Error{Class: connector.Invalid,
			Message: fmt.Sprintf("a Bluesky direct message may have at most %d characters; this one has %d", MaxDMGraphemes, n)}
	case len(p.Text) > MaxDMBytes:
		return &connector.Error{Class: connector.Invalid,
			Message: fmt.Sprintf("a Bluesky direct message may have at most %d bytes of text; this one has %d", MaxDMBytes, len(p.Text))}
	}
	return nil
}

// SendDM sends p's text in the conversation with
// chat.bsky.convo.sendMessage (links, tags and mentions as facets) and
// returns the new message. Chat has no idempotency key: a send whose
// answer was lost is Ambiguous, and FindDM settles it.
func (c *Connector) SendDM(ctx context.Context, acct connector.Account, conversationID string, to herald.RemoteRef, p connector.Part) (herald.RemoteRef, error) {
	if err := checkDM(p); err != nil {
		return herald.RemoteRef{}, err
	}
	convoID := firstNonEmpty(conversationID, to.Meta["convo_id"])
	if convoID == "" {
		return herald.RemoteRef{}, &connector.Error{Class: connector.Invalid, Message: "the direct message has no conversation to answer in"}
	}
	s, err := c.current(acct)
	if err != nil {
		return herald.RemoteRef{}, err
	}
	in := struct {
		ConvoID string       `json:"convoId"`
		Message messageInput `json:"message"`
	}{ConvoID: convoID, Message: messageInput{Text: p.Text, Facets: c.facets(ctx, s, DetectFacets(p.Text))}}
	var m chatMessage
	if err := c.chat(ctx, s, http.MethodPost, "chat.bsky.convo.sendMessage", nil, in, &m); err != nil {
		return herald.RemoteRef{}, err
	}
	if m.ID == "" {
		return herald.RemoteRef{}, missing("chat.bsky.convo.sendMessage", "message id", http.StatusOK, connector.Ambiguous)
	}
	return herald.RemoteRef{ID: m.ID, URL: c.convoURL(convoID), Meta: map[string]string{"convo_id": convoID, "rev": m.Rev}}, nil
}

// FindDM looks through the conversation's messages, newest first, for one
// the account sent with text (compared without surrounding space) at or
// after since; it stops at the first message older than since.
func (c *Connector) FindDM(ctx context.Context, acct connector.Account, conversationID, text string, since time.Time) (herald.RemoteRef, bool, error) {
	s, err := c.current(acct)
	if err != nil {
		return herald.RemoteRef{}, false, err
	}
	want := strings.TrimSpace(text)
	page := ""
	for range dmFindPages {
		msgs, next, err := c.convoMessages(ctx, s, conversationID, page, 100)
		if err != nil {
			return herald.RemoteRef{}, false, err
		}
		for _, m := range msgs {
			if t := m.sent(); !t.IsZero() && t.Before(since) {
				return herald.RemoteRef{}, false, nil
			}
			if m.live() && m.Sender.DID == s.did && strings.TrimSpace(m.Text) == want {
				return herald.RemoteRef{ID: m.ID, URL: c.convoURL(conversationID),
					Meta: map[string]string{"convo_id": conversationID, "rev": m.Rev}}, true, nil
			}
		}
		if next == "" || next == page || len(msgs) == 0 {
			return herald.RemoteRef{}, false, nil
		}
		page = next
	}
	return herald.RemoteRef{}, false, &connector.Error{Class: connector.Invalid,
		Message: "the conversation has too many messages since the answer was first sent to check whether it went out; look at it on Bluesky before answering again"}
}

var (
	_ connector.DMReader = (*Connector)(nil)
	_ connector.DMSender = (*Connector)(nil)
	_ connector.DMFinder = (*Connector)(nil)
)
