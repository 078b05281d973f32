package xfake

import (
	"encoding/base32"
	"encoding/binary"
	"encoding/json"
	"net/http"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/heraldsocial/herald/internal/connector"
)

// Direct messages, as the document's Direct Messages operations describe
// them:
//
//	GET  /2/dm_events                               the user's message events, newest first
//	GET  /2/dm_conversations/{id}/dm_events         one conversation's, newest first
//	POST /2/dm_conversations/{id}/messages          {"text"}; 201 {"data":{"dm_conversation_id","dm_event_id"}}
//
// A one-to-one conversation's id is "<smaller user id>-<larger user id>",
// as on X. Reading needs the scopes tweet.read, users.read and dm.read,
// sending dm.write instead of dm.read; a token without them is answered
// 403. With Config.NoDMAccess the app's access level does not include
// direct messages: every direct-message endpoint answers 403
// client-forbidden (reason client-not-enrolled), as X does.

// DMTextLimit is the most characters a direct message may have.
const DMTextLimit = 10000

// DM is a direct message as the fake keeps it.
type DM struct {
	ID             string
	ConversationID string
	SenderID       string
	ParticipantIDs []string
	Text           string
	CreatedAt      time.Time
}

// ConversationID returns the id of the one-to-one conversation between
// two users: the smaller id, "-", the larger.
func ConversationID(a, b string) string {
	if idAfter(a, b) {
		a, b = b, a
	}
	return a + "-" + b
}

// SendDM makes fromID send text to toID privately, in their one-to-one
// conversation, and returns the message.
func (s *Server) SendDM(fromID, toID, text string) DM {
	s.mu.Lock()
	defer s.mu.Unlock()
	return *s.addDM(ConversationID(fromID, toID), fromID, []string{fromID, toID}, text)
}

// addDM stores a message. Callers hold s.mu.
func (s *Server) addDM(conv, senderID string, participants []string, text string) *DM {
	m := &DM{ID: s.nextID(), ConversationID: conv, SenderID: senderID,
		ParticipantIDs: participants, Text: text, CreatedAt: s.now().UTC()}
	s.dms = append(s.dms, m)
	return m
}

// DMs returns the messages of a conversation, oldest first.
func (s *Server) DMs(conversationID string) []DM {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []DM
	for _, m := range s.dms {
		if m.ConversationID == conversationID {
			out = append(out, *m)
		}
	}
	return out
}

// BackdateDM moves a message's creation time d into the past.
func (s *Server) BackdateDM(id string, d time.Duration) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, m := range s.dms {
		if m.ID == id {
			m.CreatedAt = m.CreatedAt.Add(-d)
		}
	}
}

// DropDMScopes takes dm.read and dm.write from an access token, as a token
// granted before Herald asked for them: direct-message endpoints then
// answer it 403.
func (s *Server) DropDMScopes(access string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if t, ok := s.tokens[access]; ok {
		t.Scopes = slices.DeleteFunc(slices.Clone(t.Scopes), func(sc string) bool { return sc == "dm.read" || sc == "dm.write" })
	}
}

// DirectMessage makes another user send text to the account privately
// (conformance.DMFake) and returns the message's id.
func (s *Server) DirectMessage(acct connector.Account, text string) string {
	s.mu.Lock()
	var from string
	for _, id := range s.order {
		if id != acct.RemoteID && s.users[id].Username == "dm_friend" {
			from = id
		}
	}
	s.mu.Unlock()
	if from == "" {
		from = s.AddUser("dm_friend", "A friend").ID
	}
	return s.SendDM(from, acct.RemoteID, text).ID
}

// DirectSent returns the texts the account sent in the conversation,
// oldest first (conformance.DMFake).
func (s *Server) DirectSent(acct connector.Account, conversationID string) []string {
	var out []string
	for _, m := range s.DMs(conversationID) {
		if m.SenderID == acct.RemoteID {
			out = append(out, m.Text)
		}
	}
	return out
}

// notEnrolled answers as X does when the app's access level does not
// include an endpoint: a client-forbidden problem, with the document's
// Error fields alongside (the document lists no such problem type).
func (s *Server) notEnrolled(w http.ResponseWriter) bool {
	if !s.cfg.NoDMAccess {
		return false
	}
	writeJSON(w, http.StatusForbidden, map[string]any{
		"title":               "Client Forbidden",
		"type":                "https://api.x.com/2/problems/client-forbidden",
		"reason":              "client-not-enrolled",
		"detail":              "When authenticating requests to the Twitter API v2 endpoints, you must use keys and tokens from a Twitter developer App that is attached to a Project. You can create a project via the developer portal.",
		"registration_url":    "https://developer.x.com/en/docs/projects/overview",
		"required_enrollment": "Appropriate Level of API Access",
		"code":                http.StatusForbidden, "message": "Forbidden"})
	return true
}

// participant reports whether userID takes part in the conversation conv:
// a one-to-one id naming them, or a conversation they have messages in.
// Callers hold s.mu.
func (s *Server) participant(conv, userID string) bool {
	if a, b, ok := strings.Cut(conv, "-"); ok {
		other := a
		if a == userID {
			other = b
		} else if b != userID {
			return false
		}
		_, known := s.users[other]
		return known && ConversationID(a, b) == conv
	}
	for _, m := range s.dms {
		if m.ConversationID == conv && slices.Contains(m.ParticipantIDs, userID) {
			return true
		}
	}
	return false
}

var conversationIDRE = regexp.MustCompile(`^([0-9]{1,19}-[0-9]{1,19}|[0-9]{15,19})$`)

func (s *Server) dmEvents(w http.ResponseWriter, r *http.Request, u User) {
	if s.notEnrolled(w) {
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	var list []*DM
	for i := len(s.dms) - 1; i >= 0; i-- {
		if slices.Contains(s.dms[i].ParticipantIDs, u.ID) {
			list = append(list, s.dms[i])
		}
	}
	s.dmPage(w, r, list)
}

func (s *Server) conversationEvents(w http.ResponseWriter, r *http.Request, u User) {
	if s.notEnrolled(w) {
		return
	}
	conv := r.PathValue("id")
	if !conversationIDRE.MatchString(conv) {
		problem(w, http.StatusBadRequest, ProblemInvalidRequest, "Invalid Request",
			"The `id` path parameter value ["+conv+"] is not a conversation id", map[string]any{"parameter": "id", "value": conv})
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if !s.participant(conv, u.ID) {
		problem(w, http.StatusForbidden, ProblemNotAuthorizedForRes, "Forbidden",
			"Sorry, you are not authorized to see the conversation with id: ["+conv+"].",
			map[string]any{"resource_type": "dm_conversation", "resource_id": conv, "parameter": "id", "value": conv, "section": "data"})
		return
	}
	var list []*DM
	for i := len(s.dms) - 1; i >= 0; i-- {
		if s.dms[i].ConversationID == conv {
			list = append(list, s.dms[i])
		}
	}
	s.dmPage(w, r, list)
}

// dmToken is a pagination token: base32hex of the offset, 16 characters
// as the document asks for at least.
func dmToken(offset int) string {
	var b [10]byte
	binary.BigEndian.PutUint64(b[2:], uint64(offset))
	return base32.HexEncoding.WithPadding(base32.NoPadding).EncodeToString(b[:])
}

func dmOffset(tok string) (int, bool) {
	b, err := base32.HexEncoding.WithPadding(base32.NoPadding).DecodeString(tok)
	if err != nil || len(b) != 10 {
		return 0, false
	}
	return int(binary.BigEndian.Uint64(b[2:])), true
}

// list reads a comma-separated query parameter.
func list(r *http.Request, name string) map[string]bool {
	out := map[string]bool{}
	for _, f := range strings.Split(r.URL.Query().Get(name), ",") {
		if f != "" {
			out[f] = true
		}
	}
	return out
}

// dmPage cuts a newest-first list of messages as the event lists do: the
// default fields are id, event_type and text; sender_id and
// participant_ids come with their expansion (or, as X's guide says, when
// asked for as fields); expanded users are in includes.users. Callers
// hold s.mu.
func (s *Server) dmPage(w http.ResponseWriter, r *http.Request, all []*DM) {
	q := r.URL.Query()
	limit := 100
	if v := q.Get("max_results"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 || n > 100 {
			problem(w, http.StatusBadRequest, ProblemInvalidRequest, "Invalid Request",
				"The `max_results` query parameter value ["+v+"] is not between 1 and 100", map[string]any{"parameter": "max_results", "value": v})
			return
		}
		limit = n
	}
	if types := list(r, "event_types"); len(types) > 0 && !types["MessageCreate"] {
		all = nil // the fake keeps messages only, no joins or leaves
	}
	offset := 0
	if v := q.Get("pagination_token"); v != "" {
		n, ok := dmOffset(v)
		if !ok || n > len(all) {
			problem(w, http.StatusBadRequest, ProblemInvalidRequest, "Invalid Request",
				"The `pagination_token` query parameter value ["+v+"] is not valid", map[string]any{"parameter": "pagination_token", "value": v})
			return
		}
		offset = n
	}
	f, exp := list(r, "dm_event.fields"), list(r, "expansions")
	page := all[offset:min(offset+limit, len(all))]
	meta := map[string]any{"result_count": len(page)}
	body := map[string]any{"meta": meta}
	if len(page) > 0 {
		data := make([]map[string]any, 0, len(page))
		seen := map[string]bool{}
		var users []map[string]any
		include := func(id string) {
			if u, ok := s.users[id]; ok && !seen[id] {
				seen[id] = true
				users = append(users, s.userJSON(*u))
			}
		}
		for _, m := range page {
			ev := map[string]any{"id": m.ID, "event_type": "MessageCreate", "text": m.Text}
			if f["created_at"] {
				ev["created_at"] = m.CreatedAt.Format("2006-01-02T15:04:05.000Z")
			}
			if f["dm_conversation_id"] {
				ev["dm_conversation_id"] = m.ConversationID
			}
			if f["sender_id"] || exp["sender_id"] {
				ev["sender_id"] = m.SenderID
			}
			if f["participant_ids"] || exp["participant_ids"] {
				ev["participant_ids"] = m.ParticipantIDs
			}
			if exp["sender_id"] {
				include(m.SenderID)
			}
			if exp["participant_ids"] {
				for _, id := range m.ParticipantIDs {
					include(id)
				}
			}
			data = append(data, ev)
		}
		body["data"] = data
		if len(users) > 0 {
			body["includes"] = map[string]any{"users": users}
		}
	}
	if offset+limit < len(all) {
		meta["next_token"] = dmToken(offset + limit)
	}
	if offset > 0 {
		meta["previous_token"] = dmToken(max(0, offset-limit))
	}
	writeJSON(w, http.StatusOK, body)
}

func (s *Server) sendDM(w http.ResponseWriter, r *http.Request, u User) {
	if s.notEnrolled(w) {
		return
	}
	var req struct {
		Text *string `json:"text"`
	}
	dec := json.NewDecoder(r.Body)
	dec.DisallowUnknownFields()
	if err := dec.Decode(&req); err != nil {
		invalidRequest(w, "The request body is not valid JSON for this endpoint: "+err.Error())
		return
	}
	if req.Text == nil || strings.TrimSpace(*req.Text) == "" {
		invalidRequest(w, "A direct message needs text or attachments.")
		return
	}
	if utf8.RuneCountInString(*req.Text) > DMTextLimit {
		problem(w, http.StatusBadRequest, ProblemInvalidRequest, "Invalid Request",
			"The text of a direct message must be at most 10000 characters.", map[string]any{"parameter": "text"})
		return
	}
	conv := r.PathValue("id")
	s.mu.Lock()
	defer s.mu.Unlock()
	if !s.participant(conv, u.ID) {
		plainProblem(w, http.StatusForbidden, "You cannot send messages to this conversation.")
		return
	}
	var participants []string
	if a, b, ok := strings.Cut(conv, "-"); ok {
		participants = []string{a, b}
	} else {
		for _, m := range s.dms {
			if m.ConversationID == conv {
				participants = m.ParticipantIDs
			}
		}
	}
	m := s.addDM(conv, u.ID, participants, *req.Text)
	writeJSON(w, http.StatusCreated, map[string]any{"data": map[string]any{"dm_conversation_id": m.ConversationID, "dm_event_id": m.ID}})
}
