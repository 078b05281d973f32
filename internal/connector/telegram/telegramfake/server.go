// Package telegramfake is a fake Telegram Bot API server for tests,
// benchmarks and UI tests: a real HTTP handler at /bot<token>/<method>
// that keeps bots, chats, members and messages in memory, answers in the
// Bot API's envelope ({"ok":true,"result":…} or {"ok":false,
// "error_code":…,"description":…,"parameters":{"retry_after":…}}), and can
// be told to misbehave (Inject).
//
// # Methods
//
//	getMe, getChat, getChatMember
//	sendMessage, sendPhoto, sendVideo, sendAnimation, sendMediaGroup (2–10 photos and videos)
//	pinChatMessage, deleteMessage, deleteMessages, editMessageText, editMessageCaption
//
// Parameters come as JSON or as a multipart form (files, and JSON-encoded
// objects in text fields), as the Bot API takes them. Text in parse_mode
// HTML is parsed the way Telegram does (tags it knows, the four named
// entities and numeric ones; a bare < or & is refused with "can't parse
// entities"), and lengths are counted after parsing in UTF-16 units:
// 4096 for text, 1024 for a caption. A bot posts only where it is an
// administrator (with can_post_messages in a channel) or the creator, and
// deletes only within 48 hours.
//
// With a Contract (LoadContract), every call and every answer is checked
// against the Bot API's method and type list; mismatches are kept for the
// test to report (ContractErrors).
package telegramfake

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"
)

// Bot is a bot made with @BotFather.
type Bot struct {
	ID        int64
	Username  string
	FirstName string
	Token     string
}

// Member is a bot's place in a chat.
type Member struct {
	// Status is creator, administrator, member, restricted, left or kicked.
	Status  string
	CanPost bool // can_post_messages (channels)
	CanEdit bool // can_edit_messages (channels)
	CanPin  bool // can_pin_messages (groups)
}

// Chat is a channel or group.
type Chat struct {
	ID       int64
	Type     string // channel, supergroup, group
	Title    string
	Username string
	members  map[int64]Member
	next     int64
}

// Message is a message as the fake keeps it.
type Message struct {
	ID           int64
	ChatID       int64
	FromBot      int64 // the bot that sent it, 0 for a person
	Text         string
	Kind         string // text, photo, video, animation
	Files        [][]byte
	MediaGroupID string
	ReplyTo      int64
	Silent       bool
	Pinned       bool
	Deleted      bool
	Date         time.Time
}

// Fault makes the fake misbehave on a method.
type Fault struct {
	// Method is a Bot API method, "send" for any send* method, or "*" for
	// any call.
	Method string
	// ErrorCode, Description and RetryAfter are answered as a Bot API error.
	ErrorCode   int
	Description string
	RetryAfter  int
	// Status and Body answer something that is not the Bot API's
	// envelope (a proxy's HTML page).
	Status int
	Body   string
	// Drop carries the call out, then closes the connection without an answer.
	Drop bool
	// Times is how many calls it applies to (0: one).
	Times int
}

// Server is the fake Bot API. It is an http.Handler; its methods are safe
// for concurrent use.
type Server struct {
	contract *Contract
	now      func() time.Time

	mu       sync.Mutex
	seq      int64
	bots     map[string]*Bot // by token
	chats    map[int64]*Chat
	messages []*Message
	faults   []Fault
	calls    map[string]int
	mismatch []string
}

// Option adjusts a Server.
type Option func(*Server)

// WithContract checks every call and answer against c.
func WithContract(c *Contract) Option { return func(s *Server) { s.contract = c } }

// WithClock sets the clock (default time.Now).
func WithClock(now func() time.Time) Option { return func(s *Server) { s.now = now } }

// New returns an empty fake.
func New(opts ...Option) *Server {
	s := &Server{now: time.Now, seq: 7000000000, bots: map[string]*Bot{}, chats: map[int64]*Chat{}, calls: map[string]int{}}
	for _, o := range opts {
		o(s)
	}
	return s
}

// AddBot makes a bot and returns it with its token.
func (s *Server) AddBot(username string) Bot {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.seq++
	b := &Bot{ID: s.seq, Username: username, FirstName: strings.TrimSuffix(username, "_bot")}
	b.Token = fmt.Sprintf("%d:AAH%032d", b.ID, s.seq*7919)
	s.bots[b.Token] = b
	return *b
}

// RevokeToken makes a bot's token invalid, as /revoke in @BotFather does.
func (s *Server) RevokeToken(token string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	delete(s.bots, token)
}

// AddChat makes a channel or group (typ channel, supergroup or group);
// username "" makes it private.
func (s *Server) AddChat(typ, title, username string) Chat {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.seq++
	id := -1000000000000 - s.seq
	if typ == "group" {
		id = -s.seq
	}
	c := &Chat{ID: id, Type: typ, Title: title, Username: username, members: map[int64]Member{}}
	s.chats[id] = c
	return *c
}

// SetMember sets a bot's place in a chat.
func (s *Server) SetMember(chatID, botID int64, m Member) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if c, ok := s.chats[chatID]; ok {
		c.members[botID] = m
	}
}

// Messages returns a chat's messages, oldest first, deleted ones included.
func (s *Server) Messages(chatID int64) []Message {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []Message
	for _, m := range s.messages {
		if m.ChatID == chatID {
			out = append(out, *m)
		}
	}
	return out
}

// Post adds a message from a person (a group member answering, say).
func (s *Server) Post(chatID int64, text string, replyTo int64) Message {
	s.mu.Lock()
	defer s.mu.Unlock()
	return *s.add(&Message{ChatID: chatID, Text: text, Kind: "text", ReplyTo: replyTo})
}

// Age moves a message's date d into the past.
func (s *Server) Age(chatID, id int64, d time.Duration) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if m := s.find(chatID, id); m != nil {
		m.Date = m.Date.Add(-d)
	}
}

// Calls returns how many calls of method reached the fake.
func (s *Server) Calls(method string) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.calls[method]
}

// Inject adds a fault.
func (s *Server) Inject(f Fault) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if f.Times <= 0 {
		f.Times = 1
	}
	s.faults = append(s.faults, f)
}

// ContractErrors returns every mismatch with the Bot API list seen so far.
func (s *Server) ContractErrors() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]string(nil), s.mismatch...)
}

func (s *Server) recordMismatch(format string, args ...any) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.mismatch = append(s.mismatch, fmt.Sprintf(format, args...))
}

// add stores a message with the chat's next id. Callers hold s.mu.
func (s *Server) add(m *Message) *Message {
	c := s.chats[m.ChatID]
	c.next++
	m.ID = c.next
	m.Date = s.now()
	s.messages = append(s.messages, m)
	return m
}

// find returns a live message. Callers hold s.mu.
func (s *Server) find(chatID, id int64) *Message {
	for _, m := range s.messages {
		if m.ChatID == chatID && m.ID == id && !m.Deleted {
			return m
		}
	}
	return nil
}

func (s *Server) takeFault(method string) (Fault, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for i, f := range s.faults {
		if f.Method == method || f.Method == "*" || (f.Method == "send" && strings.HasPrefix(method, "send")) {
			s.faults[i].Times--
			if s.faults[i].Times <= 0 {
				s.faults = append(s.faults[:i], s.faults[i+1:]...)
			}
			return f, true
		}
	}
	return Fault{}, false
}

// apiError is a Bot API error.
type apiError struct {
	Code        int
	Description string
	RetryAfter  int
}

func badRequest(format string, args ...any) *apiError {
	return &apiError{Code: 400, Description: "Bad Request: " + fmt.Sprintf(format, args...)}
}

// ServeHTTP answers one call.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	rest, ok := strings.CutPrefix(r.URL.Path, "/bot")
	token, method, ok2 := strings.Cut(rest, "/")
	if !ok || !ok2 || method == "" {
		writeEnvelope(w, http.StatusNotFound, map[string]any{"ok": false, "error_code": 404, "description": "Not Found"})
		return
	}
	s.mu.Lock()
	s.calls[method]++
	s.mu.Unlock()
	p, err := readParams(r)
	if err != nil {
		s.answerError(w, method, badRequest("%v", err))
		return
	}
	if s.contract != nil {
		for _, e := range s.contract.CheckRequest(method, p.Params) {
			s.recordMismatch("request %s", e)
		}
	}
	f, faulted := s.takeFault(method)
	if faulted && !f.Drop {
		switch {
		case f.Status != 0:
			w.Header().Set("Content-Type", "text/html")
			w.WriteHeader(f.Status)
			_, _ = w.Write([]byte(f.Body))
		default:
			s.answerError(w, method, &apiError{Code: f.ErrorCode, Description: f.Description, RetryAfter: f.RetryAfter})
		}
		return
	}
	result, aerr := s.dispatch(token, method, p)
	if faulted && f.Drop {
		hangUp(w)
		return
	}
	if aerr != nil {
		s.answerError(w, method, aerr)
		return
	}
	b, err := json.Marshal(result)
	if err != nil {
		s.answerError(w, method, &apiError{Code: 500, Description: "Internal Server Error: " + err.Error()})
		return
	}
	if s.contract != nil {
		for _, e := range s.contract.CheckResult(method, b) {
			s.recordMismatch("answer %s", e)
		}
	}
	writeEnvelope(w, http.StatusOK, map[string]any{"ok": true, "result": json.RawMessage(b)})
}

func (s *Server) answerError(w http.ResponseWriter, method string, e *apiError) {
	body := map[string]any{"ok": false, "error_code": e.Code, "description": e.Description}
	params := map[string]any{}
	if e.RetryAfter > 0 {
		params["retry_after"] = e.RetryAfter
	}
	if len(params) > 0 {
		body["parameters"] = params
	}
	if s.contract != nil {
		var round map[string]any
		b, _ := json.Marshal(body)
		_ = json.Unmarshal(b, &round)
		for _, m := range s.contract.CheckError(round) {
			s.recordMismatch("answer %s: %s", method, m)
		}
	}
	writeEnvelope(w, e.Code, body)
}

func writeEnvelope(w http.ResponseWriter, status int, v any) {
	b, _ := json.Marshal(v)
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Content-Length", strconv.Itoa(len(b)))
	w.WriteHeader(status)
	_, _ = w.Write(b)
}

// hangUp closes the connection without an answer.
func hangUp(w http.ResponseWriter) {
	conn, _, err := http.NewResponseController(w).Hijack()
	if err != nil {
		panic(http.ErrAbortHandler)
	}
	_ = conn.Close()
}

// params are a call's parameters with the files of a multipart form.
type params struct {
	Params
	files map[string][]byte
}

// readParams reads a JSON body, a urlencoded or multipart form, or the
// query string, as the Bot API accepts.
func readParams(r *http.Request) (params, error) {
	p := params{Params: Params{Values: map[string]any{}, Files: map[string]bool{}}, files: map[string][]byte{}}
	ct := r.Header.Get("Content-Type")
	switch {
	case strings.HasPrefix(ct, "application/json"):
		var buf bytes.Buffer
		if _, err := buf.ReadFrom(r.Body); err != nil {
			return p, err
		}
		if buf.Len() > 0 {
			if err := json.Unmarshal(buf.Bytes(), &p.Values); err != nil {
				return p, fmt.Errorf("the JSON body cannot be read: %w", err)
			}
		}
	case strings.HasPrefix(ct, "multipart/form-data"):
		if err := r.ParseMultipartForm(64 << 20); err != nil {
			return p, fmt.Errorf("the form cannot be read: %w", err)
		}
		p.Form = true
		for k, v := range r.MultipartForm.Value {
			p.Values[k] = v[0]
		}
		for k, fhs := range r.MultipartForm.File {
			f, err := fhs[0].Open()
			if err != nil {
				return p, err
			}
			var buf bytes.Buffer
			_, err = buf.ReadFrom(f)
			f.Close()
			if err != nil {
				return p, err
			}
			p.files[k] = buf.Bytes()
			p.Files[k] = true
		}
	default:
		if err := r.ParseForm(); err != nil {
			return p, err
		}
		p.Form = len(r.Form) > 0
		for k, v := range r.Form {
			p.Values[k] = v[0]
		}
	}
	return p, nil
}

func (p params) str(name string) (string, bool) {
	switch v := p.Values[name].(type) {
	case string:
		return v, true
	case float64:
		return strconv.FormatFloat(v, 'f', -1, 64), true
	}
	return "", false
}

func (p params) int(name string) (int64, bool) {
	switch v := p.Values[name].(type) {
	case float64:
		return int64(v), true
	case string:
		n, err := strconv.ParseInt(v, 10, 64)
		return n, err == nil
	}
	return 0, false
}

func (p params) bool(name string) bool {
	switch v := p.Values[name].(type) {
	case bool:
		return v
	case string:
		return strings.EqualFold(v, "true")
	}
	return false
}

// object decodes an object or array parameter into out.
func (p params) object(name string, out any) (bool, error) {
	v, ok := p.Values[name]
	if !ok {
		return false, nil
	}
	var b []byte
	if s, isStr := v.(string); isStr {
		b = []byte(s)
	} else {
		b, _ = json.Marshal(v)
	}
	return true, json.Unmarshal(b, out)
}
