// Package discordfake is a fake Discord HTTP API (v10) for tests,
// benchmarks and UI tests, serving the incoming webhook endpoints Herald
// uses under /api/v10:
//
//	GET    /webhooks/{id}/{token}                      the webhook (type 1, incoming)
//	POST   /webhooks/{id}/{token}?wait=&thread_id=     execute: JSON, or multipart with
//	                                                   payload_json and files[n]
//	PATCH  /webhooks/{id}/{token}/messages/{message_id} edit
//	DELETE /webhooks/{id}/{token}/messages/{message_id} delete (204)
//
// It keeps webhooks, channels (text or forum), threads and messages in
// memory and follows Discord's rules: content up to 2,000 characters, 10
// embeds, 10 files; forum channels need thread_name or thread_id, text
// channels refuse thread_name; a forum post's thread has the starter
// message's id. Errors are Discord's ({"code","message","errors"}, and
// for 429 "retry_after" in seconds with "global"); every answer carries
// X-RateLimit-Limit, -Remaining, -Reset, -Reset-After and -Bucket.
//
// With a Contract (LoadContract), every request and answer is checked
// against Discord's OpenAPI document; mismatches are kept
// (ContractErrors).
package discordfake

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

// Webhook is an incoming webhook.
type Webhook struct {
	ID        string
	Token     string
	Name      string
	ChannelID string
	GuildID   string
}

// Message is a message as the fake keeps it.
type Message struct {
	ID        string
	ChannelID string // the channel, or the thread it is in
	WebhookID string
	Content   string
	Username  string
	Flags     int
	Files     []File
	Deleted   bool
	Edited    bool
	CreatedAt time.Time
}

// File is an attachment.
type File struct {
	Name        string
	Description string
	Data        []byte
}

// Fault makes the fake misbehave.
type Fault struct {
	// Op is "execute", "get", "edit", "delete" or "*".
	Op string
	// Status, Header and Body are answered instead (Raw: not Discord's
	// JSON, so not checked against the document).
	Status int
	Header http.Header
	Body   string
	Raw    bool
	// Drop carries the request out, then closes the connection unanswered.
	Drop  bool
	Times int
}

// Server is the fake. It is an http.Handler; its methods are safe for
// concurrent use.
type Server struct {
	contract *Contract
	now      func() time.Time

	mu       sync.Mutex
	seq      int64
	webhooks map[string]*Webhook
	forums   map[string]bool   // channel id → forum
	threads  map[string]string // thread id → parent channel id
	messages []*Message
	faults   []Fault
	mismatch []string
}

// Option adjusts a Server.
type Option func(*Server)

// WithContract checks every request and answer against c.
func WithContract(c *Contract) Option { return func(s *Server) { s.contract = c } }

// New returns an empty fake.
func New(opts ...Option) *Server {
	s := &Server{now: time.Now, seq: 1300000000000000000, webhooks: map[string]*Webhook{},
		forums: map[string]bool{}, threads: map[string]string{}}
	for _, o := range opts {
		o(s)
	}
	return s
}

func (s *Server) id() string {
	s.seq += 4194304 + s.seq%5
	return strconv.FormatInt(s.seq, 10)
}

// AddWebhook makes a channel (a forum when forum is set) with an incoming
// webhook named name.
func (s *Server) AddWebhook(name string, forum bool) Webhook {
	s.mu.Lock()
	defer s.mu.Unlock()
	w := &Webhook{ID: s.id(), Name: name, ChannelID: s.id(), GuildID: s.id()}
	w.Token = "tok-" + w.ID + "-" + strings.Repeat("x", 40)
	s.webhooks[w.ID] = w
	s.forums[w.ChannelID] = forum
	return *w
}

// DeleteWebhook deletes a webhook, as a server admin may.
func (s *Server) DeleteWebhook(id string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	delete(s.webhooks, id)
}

// Messages returns the messages a webhook posted, oldest first (deleted
// ones included).
func (s *Server) Messages(webhookID string) []Message {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []Message
	for _, m := range s.messages {
		if m.WebhookID == webhookID {
			c := *m
			out = append(out, c)
		}
	}
	return out
}

// ThreadParent returns a thread's parent channel.
func (s *Server) ThreadParent(threadID string) (string, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	p, ok := s.threads[threadID]
	return p, ok
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

func (s *Server) takeFault(op string) (Fault, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for i, f := range s.faults {
		if f.Op == op || f.Op == "*" {
			s.faults[i].Times--
			if s.faults[i].Times <= 0 {
				s.faults = append(s.faults[:i], s.faults[i+1:]...)
			}
			return f, true
		}
	}
	return Fault{}, false
}

// ContractErrors returns every mismatch with the document seen so far.
func (s *Server) ContractErrors() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]string(nil), s.mismatch...)
}

func (s *Server) recordMismatch(msg string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.mismatch = append(s.mismatch, msg)
}

// answer is a buffered reply, checked before it is sent.
type answer struct {
	status int
	header http.Header
	body   []byte
	raw    bool
	drop   bool
}

// ServeHTTP answers one request.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	var buf bytes.Buffer
	if r.Body != nil {
		if _, err := buf.ReadFrom(r.Body); err != nil {
			http.Error(w, "cannot read the request body", http.StatusBadRequest)
			return
		}
	}
	body := buf.Bytes()
	checked := s.contract != nil && s.contract.Covers(r)
	if checked {
		for _, e := range s.contract.CheckRequest(r, body) {
			s.recordMismatch("request " + r.Method + " " + r.URL.Path + ": " + e)
		}
	}
	a := s.route(r, body)
	if a.header == nil {
		a.header = http.Header{}
	}
	if !a.raw {
		// A proxy's page carries none of Discord's headers.
		s.rateHeaders(a.header)
	}
	if checked && !a.raw && !a.drop {
		for _, e := range s.contract.CheckResponse(r, body, a.status, a.header, a.body) {
			s.recordMismatch(fmt.Sprintf("response %d to %s %s: %s", a.status, r.Method, r.URL.Path, e))
		}
	}
	if a.drop {
		conn, _, err := http.NewResponseController(w).Hijack()
		if err != nil {
			panic(http.ErrAbortHandler)
		}
		_ = conn.Close()
		return
	}
	for k, v := range a.header {
		w.Header()[k] = v
	}
	w.WriteHeader(a.status)
	_, _ = w.Write(a.body)
}

// rateHeaders sets the per-route headers Discord sends on every answer:
// five executions per two seconds per webhook, as its bucket does.
func (s *Server) rateHeaders(h http.Header) {
	if h.Get("X-RateLimit-Limit") != "" {
		return
	}
	reset := float64(s.now().Add(2*time.Second).UnixMilli()) / 1000
	h.Set("X-RateLimit-Limit", "5")
	h.Set("X-RateLimit-Remaining", "4")
	h.Set("X-RateLimit-Reset", strconv.FormatFloat(reset, 'f', 3, 64))
	h.Set("X-RateLimit-Reset-After", "2.000")
	h.Set("X-RateLimit-Bucket", "webhook-execute")
}

func jsonAnswer(status int, v any) answer {
	b, _ := json.Marshal(v)
	return answer{status: status, header: http.Header{"Content-Type": {"application/json"}}, body: b}
}

// apiErr is Discord's error body.
func apiErr(status, code int, msg string, fields map[string]string) answer {
	body := map[string]any{"code": code, "message": msg}
	if len(fields) > 0 {
		errs := map[string]any{}
		for f, m := range fields {
			// The document types a field error's code as an integer
			// (Discord also sends names such as BASE_TYPE_MAX_LENGTH).
			errs[f] = map[string]any{"_errors": []any{map[string]any{"code": code, "message": m}}}
		}
		body["errors"] = errs
	}
	return jsonAnswer(status, body)
}

// RateLimited is the answer to a request over the limit: 429 with
// retry_after in seconds, global false, and the headers of a per-webhook
// limit.
func RateLimited(retryAfter float64) Fault {
	b, _ := json.Marshal(map[string]any{"message": "You are being rate limited.", "retry_after": retryAfter, "global": false, "code": 0})
	return Fault{Op: "execute", Status: http.StatusTooManyRequests, Body: string(b), Header: http.Header{
		"Content-Type":            {"application/json"},
		"Retry-After":             {strconv.Itoa(int(retryAfter + 0.999))},
		"X-RateLimit-Limit":       {"5"},
		"X-RateLimit-Remaining":   {"0"},
		"X-RateLimit-Reset-After": {strconv.FormatFloat(retryAfter, 'f', 3, 64)},
		"X-RateLimit-Bucket":      {"webhook-execute"},
		"X-RateLimit-Scope":       {"user"},
	}}
}
