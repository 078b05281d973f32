package blueskyfake

import (
	"fmt"
	"net/http"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/bluesky-social/indigo/atproto/syntax"
	"github.com/rivo/uniseg"
)

// Chat: the fake plays Bluesky's chat service behind its PDS. Chat calls
// (chat.bsky.*) must carry the header atproto-proxy:
// did:web:api.bsky.chat#bsky_chat, as on Bluesky, where the PDS passes
// them on to the chat service; without it the PDS would send them to its
// AppView, which answers 501 MethodNotImplemented, and with another
// service the PDS cannot resolve it answers 400 InvalidRequest. Only
// sessions of the main password or of an app password with access to
// direct messages may call chat: others get 400 InvalidToken "Bad token
// method".
//
//	GET  /xrpc/chat.bsky.convo.listConvos          ?limit=&cursor=: newest first by rev
//	GET  /xrpc/chat.bsky.convo.getConvo            ?convoId=
//	GET  /xrpc/chat.bsky.convo.getConvoForMembers  ?members= (DIDs): found or begun
//	GET  /xrpc/chat.bsky.convo.getMessages         ?convoId=&limit=&cursor=: newest first
//	GET  /xrpc/chat.bsky.convo.getLog              ?cursor=: the account's events after cursor, oldest first
//	POST /xrpc/chat.bsky.convo.sendMessage         {"convoId","message":{"text","facets"?}}

// ChatProxy is the atproto-proxy header chat calls must carry.
const ChatProxy = "did:web:api.bsky.chat#bsky_chat"

// Chat message limits (chat.bsky.convo.defs#messageInput).
const (
	maxChatGraphemes = 1000
	maxChatBytes     = 10000
)

// convo is a chat conversation.
type convo struct {
	id      string
	members []string // DIDs
	rev     string
	msgs    []*chatMsg // oldest first
}

// chatMsg is a chat message.
type chatMsg struct {
	id, rev, sender, text string
	sentAt                time.Time
}

// chatEvent is an entry of the chat event log (logBeginConvo or
// logCreateMessage).
type chatEvent struct {
	rev   string
	convo *convo
	msg   *chatMsg // nil for the beginning of a conversation
}

// nextRev returns a new revision (a TID), later than every earlier one.
// The lock must be held.
func (s *Server) nextRev() string {
	us := max(s.cfg.Now().UnixMicro(), s.lastRev+1)
	s.lastRev = us
	return syntax.NewTID(us, 0).String()
}

// convoFor returns the conversation of exactly these members, beginning
// it when there is none. The lock must be held.
func (s *Server) convoFor(members []string) *convo {
	ms := slices.Clone(members)
	slices.Sort(ms)
	ms = slices.Compact(ms)
	for _, cv := range s.convos {
		if slices.Equal(cv.members, ms) {
			return cv
		}
	}
	cv := &convo{id: randomString(12), members: ms, rev: s.nextRev()}
	s.convos[cv.id] = cv
	s.chatLog = append(s.chatLog, chatEvent{rev: cv.rev, convo: cv})
	return cv
}

// addMessage appends a message to a conversation. The lock must be held.
func (s *Server) addMessage(cv *convo, sender, text string) *chatMsg {
	m := &chatMsg{id: syntax.NewTIDFromTime(s.cfg.Now(), 1).String() + randomString(4), rev: s.nextRev(),
		sender: sender, text: text, sentAt: s.cfg.Now().UTC()}
	cv.msgs = append(cv.msgs, m)
	cv.rev = m.rev
	s.chatLog = append(s.chatLog, chatEvent{rev: m.rev, convo: cv, msg: m})
	return m
}

// DirectMessage makes from send text to to privately (in their
// conversation, begun if need be) and returns the conversation's and the
// message's ids.
func (s *Server) DirectMessage(from, to, text string) (convoID, msgID string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	cv := s.convoFor([]string{from, to})
	return cv.id, s.addMessage(cv, from, text).id
}

// DirectSent returns the texts did sent in the conversation, oldest first.
func (s *Server) DirectSent(did, convoID string) []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	cv, ok := s.convos[convoID]
	if !ok {
		return nil
	}
	var out []string
	for _, m := range cv.msgs {
		if m.sender == did {
			out = append(out, m.text)
		}
	}
	return out
}

// authChat checks a chat call as the PDS does: the proxy header, then the
// session, then its privilege. It answers the error itself and returns ""
// when the call does not pass.
func (s *Server) authChat(w http.ResponseWriter, r *http.Request) string {
	switch proxy := r.Header.Get("atproto-proxy"); {
	case proxy == "":
		// The PDS's default service, its AppView, has no chat methods.
		xerr(w, http.StatusNotImplemented, "MethodNotImplemented", "Method Not Implemented")
		return ""
	case !strings.Contains(proxy, "#"):
		xerr(w, http.StatusBadRequest, "InvalidRequest", "no service id specified")
		return ""
	case proxy != ChatProxy:
		xerr(w, http.StatusBadRequest, "InvalidRequest", "could not resolve proxy did service url")
		return ""
	}
	did := s.auth(w, r, false)
	if did == "" {
		return ""
	}
	raw := strings.TrimPrefix(r.Header.Get("Authorization"), "Bearer ")
	s.mu.Lock()
	scope := s.tokens[raw].scope
	s.mu.Unlock()
	if !privileged(scope) {
		xerr(w, http.StatusBadRequest, "InvalidToken", "Bad token method")
		return ""
	}
	return did
}

// limitParam reads a limit parameter (1–100, def when absent), answering
// 400 when it is out of range.
func limitParam(w http.ResponseWriter, r *http.Request, def int) (int, bool) {
	v := r.URL.Query().Get("limit")
	if v == "" {
		return def, true
	}
	n, err := strconv.Atoi(v)
	if err != nil || n < 1 || n > 100 {
		xerr(w, http.StatusBadRequest, "InvalidRequest", "Error: limit must be an integer between 1 and 100")
		return 0, false
	}
	return n, true
}

// memberConvo finds a conversation the account is in, answering 400 when
// there is none. The lock must be held.
func (s *Server) memberConvo(w http.ResponseWriter, did, id string) (*convo, bool) {
	cv, ok := s.convos[id]
	if !ok || !slices.Contains(cv.members, did) {
		xerr(w, http.StatusBadRequest, "InvalidConvo", "Convo not found")
		return nil, false
	}
	return cv, true
}

// messageView is chat.bsky.convo.defs#messageView.
func messageView(m *chatMsg) map[string]any {
	return map[string]any{"$type": "chat.bsky.convo.defs#messageView", "id": m.id, "rev": m.rev, "text": m.text,
		"sender": map[string]string{"did": m.sender}, "sentAt": m.sentAt.Format("2006-01-02T15:04:05.000Z")}
}

// convoView is chat.bsky.convo.defs#convoView. The lock must be held.
func (s *Server) convoView(cv *convo) map[string]any {
	members := make([]map[string]any, 0, len(cv.members))
	for _, did := range cv.members {
		p := map[string]any{"did": did, "handle": "handle.invalid"}
		if a, ok := s.accounts[did]; ok {
			p["handle"], p["displayName"] = a.handle, a.displayName
		}
		members = append(members, p)
	}
	out := map[string]any{"id": cv.id, "rev": cv.rev, "members": members, "muted": false, "status": "accepted", "unreadCount": 0}
	if n := len(cv.msgs); n > 0 {
		out["lastMessage"] = messageView(cv.msgs[n-1])
	}
	return out
}

func (s *Server) listConvos(w http.ResponseWriter, r *http.Request) {
	did := s.authChat(w, r)
	if did == "" {
		return
	}
	limit, ok := limitParam(w, r, 50)
	if !ok {
		return
	}
	cursor := r.URL.Query().Get("cursor")
	s.mu.Lock()
	defer s.mu.Unlock()
	var mine []*convo
	for _, cv := range s.convos {
		if slices.Contains(cv.members, did) && (cursor == "" || cv.rev < cursor) {
			mine = append(mine, cv)
		}
	}
	sort.Slice(mine, func(i, j int) bool { return mine[i].rev > mine[j].rev })
	out := map[string]any{}
	if len(mine) > limit {
		mine = mine[:limit]
		out["cursor"] = mine[limit-1].rev
	}
	views := make([]map[string]any, 0, len(mine))
	for _, cv := range mine {
		views = append(views, s.convoView(cv))
	}
	out["convos"] = views
	writeJSON(w, out)
}

func (s *Server) getConvo(w http.ResponseWriter, r *http.Request) {
	did := s.authChat(w, r)
	if did == "" {
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	cv, ok := s.memberConvo(w, did, r.URL.Query().Get("convoId"))
	if !ok {
		return
	}
	writeJSON(w, map[string]any{"convo": s.convoView(cv)})
}

func (s *Server) getConvoForMembers(w http.ResponseWriter, r *http.Request) {
	did := s.authChat(w, r)
	if did == "" {
		return
	}
	members := r.URL.Query()["members"]
	if len(members) == 0 || len(members) > 10 || !slices.Contains(members, did) {
		xerr(w, http.StatusBadRequest, "InvalidRequest", "members must include the requester and at most 10 accounts")
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, m := range members {
		if _, ok := s.accounts[m]; !ok {
			xerr(w, http.StatusBadRequest, "InvalidRequest", "Unknown member "+m)
			return
		}
	}
	writeJSON(w, map[string]any{"convo": s.convoView(s.convoFor(members))})
}

func (s *Server) getMessages(w http.ResponseWriter, r *http.Request) {
	did := s.authChat(w, r)
	if did == "" {
		return
	}
	limit, ok := limitParam(w, r, 50)
	if !ok {
		return
	}
	cursor := r.URL.Query().Get("cursor")
	s.mu.Lock()
	defer s.mu.Unlock()
	cv, ok := s.memberConvo(w, did, r.URL.Query().Get("convoId"))
	if !ok {
		return
	}
	out := map[string]any{}
	views := []map[string]any{}
	for i := len(cv.msgs) - 1; i >= 0; i-- {
		m := cv.msgs[i]
		if cursor != "" && m.rev >= cursor {
			continue
		}
		if len(views) == limit {
			out["cursor"] = cv.msgs[i+1].rev
			break
		}
		views = append(views, messageView(m))
	}
	out["messages"] = views
	writeJSON(w, out)
}

// logPage is how many events one getLog answer carries at most.
const logPage = 50

func (s *Server) getLog(w http.ResponseWriter, r *http.Request) {
	did := s.authChat(w, r)
	if did == "" {
		return
	}
	cursor := r.URL.Query().Get("cursor")
	s.mu.Lock()
	defer s.mu.Unlock()
	logs := []map[string]any{}
	last := cursor
	for _, e := range s.chatLog {
		if e.rev <= cursor || !slices.Contains(e.convo.members, did) {
			continue
		}
		if len(logs) == logPage {
			break
		}
		if e.msg == nil {
			logs = append(logs, map[string]any{"$type": "chat.bsky.convo.defs#logBeginConvo", "rev": e.rev, "convoId": e.convo.id})
		} else {
			logs = append(logs, map[string]any{"$type": "chat.bsky.convo.defs#logCreateMessage", "rev": e.rev, "convoId": e.convo.id,
				"message": messageView(e.msg)})
		}
		last = e.rev
	}
	out := map[string]any{"logs": logs}
	if last != "" {
		out["cursor"] = last
	}
	writeJSON(w, out)
}

func (s *Server) sendMessage(w http.ResponseWriter, r *http.Request) {
	did := s.authChat(w, r)
	if did == "" {
		return
	}
	var in struct {
		ConvoID string `json:"convoId"`
		Message *struct {
			Text   *string `json:"text"`
			Facets []any   `json:"facets"`
		} `json:"message"`
	}
	if !decode(w, r, &in) {
		return
	}
	switch {
	case in.ConvoID == "" || in.Message == nil:
		xerr(w, http.StatusBadRequest, "InvalidRequest", `Input must have the properties "convoId", "message"`)
		return
	case in.Message.Text == nil:
		xerr(w, http.StatusBadRequest, "InvalidRequest", `Input/message must have the property "text"`)
		return
	case len(*in.Message.Text) > maxChatBytes:
		xerr(w, http.StatusBadRequest, "InvalidRequest", fmt.Sprintf("Input/message/text must not be longer than %d characters", maxChatBytes))
		return
	case uniseg.GraphemeClusterCount(*in.Message.Text) > maxChatGraphemes:
		xerr(w, http.StatusBadRequest, "InvalidRequest", fmt.Sprintf("Input/message/text must not be longer than %d graphemes", maxChatGraphemes))
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	cv, ok := s.memberConvo(w, did, in.ConvoID)
	if !ok {
		return
	}
	writeJSON(w, messageView(s.addMessage(cv, did, *in.Message.Text)))
}
