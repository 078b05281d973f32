// Package telegram is Herald's connector for Telegram channels and groups,
// a thin hand-written client of the Telegram Bot API: the person types the
// channel (@username or numeric chat id) and the token of a bot that is an
// administrator there; Herald posts as that bot with sendMessage,
// sendPhoto, sendVideo, sendAnimation and sendMediaGroup, threads as
// replies, pins where asked, and deletes with deleteMessage.
//
// Credentials are JSON:
//
//	{"token":"123456:ABC…","chat_id":-1001234567890,"chat_username":"heraldnews",
//	 "chat_type":"channel","bot_id":123456,"bot_username":"herald_bot"}
//
// The Bot API has no idempotency key and no way for a bot to read a
// channel's recent messages, so an ambiguous send cannot be settled: the
// connector is neither a Reconciler nor an IdempotentPublisher, and the
// dispatcher leaves such a part unconfirmed for a person to check.
package telegram

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/heraldsocial/herald/internal/connector"
)

// DefaultBaseURL is where the Bot API lives.
const DefaultBaseURL = "https://api.telegram.org"

// Credentials are what the connector keeps for an account.
type Credentials struct {
	Token        string `json:"token"`
	ChatID       int64  `json:"chat_id"`
	ChatUsername string `json:"chat_username,omitempty"`
	ChatType     string `json:"chat_type,omitempty"`
	BotID        int64  `json:"bot_id,omitempty"`
	BotUsername  string `json:"bot_username,omitempty"`
}

// MarshalCredentials encodes credentials.
func MarshalCredentials(cr Credentials) []byte {
	b, _ := json.Marshal(cr) // strings and numbers always encode
	return b
}

// Connector talks to the Bot API. It is safe for concurrent use.
type Connector struct {
	client  *http.Client
	baseURL string
	now     func() time.Time
	log     *slog.Logger
}

// Option adjusts a Connector.
type Option func(*Connector)

// WithBaseURL sets the Bot API's address (default https://api.telegram.org,
// or a local Bot API server); tests point it at the fake.
func WithBaseURL(u string) Option {
	return func(c *Connector) { c.baseURL = strings.TrimRight(u, "/") }
}

// WithClock sets the clock used to read rate-limit waits.
func WithClock(now func() time.Time) Option { return func(c *Connector) { c.now = now } }

// WithLogger sets the logger (default: discard).
func WithLogger(l *slog.Logger) Option { return func(c *Connector) { c.log = l } }

// New returns a connector that uses client (nil: http.DefaultClient).
func New(client *http.Client, opts ...Option) *Connector {
	if client == nil {
		client = http.DefaultClient
	}
	c := &Connector{client: client, baseURL: DefaultBaseURL, now: time.Now, log: slog.New(slog.DiscardHandler)}
	for _, o := range opts {
		o(c)
	}
	return c
}

var (
	_ connector.Publisher         = (*Connector)(nil)
	_ connector.PasswordConnector = (*Connector)(nil)
	_ connector.Deleter           = (*Connector)(nil)
	_ connector.Editor            = (*Connector)(nil)
	_ connector.Limiter           = (*Connector)(nil)
	_ connector.Validator         = (*Connector)(nil)
)

// creds opens an account's credentials.
func creds(acct connector.Account) (Credentials, error) {
	var cr Credentials
	if err := json.Unmarshal(acct.Credentials, &cr); err != nil {
		return cr, &connector.Error{Class: connector.AuthRevoked,
			Message: "the account's stored Telegram credentials cannot be read; reconnect the account", Err: err}
	}
	if cr.Token == "" || cr.ChatID == 0 {
		return cr, &connector.Error{Class: connector.AuthRevoked, Message: "the account has no Telegram bot token or chat; reconnect the account"}
	}
	return cr, nil
}

// answer is the Bot API's envelope.
type answer struct {
	OK          bool            `json:"ok"`
	Result      json.RawMessage `json:"result"`
	ErrorCode   int             `json:"error_code"`
	Description string          `json:"description"`
	Parameters  *struct {
		RetryAfter      int   `json:"retry_after"`
		MigrateToChatID int64 `json:"migrate_to_chat_id"`
	} `json:"parameters"`
}

// call is one Bot API method call: params as JSON, or a multipart form
// (body with ctype) when files are uploaded. send marks the calls that
// publish: a server error after them may have published, so it is
// Ambiguous, not Transient.
type call struct {
	method string
	params any
	body   io.Reader
	ctype  string
	out    any
	send   bool
}

// do sends one call with the bot token and classifies the answer. The token
// is part of the URL: it is removed from every error.
func (c *Connector) do(ctx context.Context, token string, rq call) error {
	body, ctype := rq.body, rq.ctype
	if rq.params != nil {
		b, err := json.Marshal(rq.params)
		if err != nil {
			return &connector.Error{Class: connector.Invalid, Message: "the request cannot be encoded", Err: err}
		}
		body, ctype = bytes.NewReader(b), "application/json"
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, c.baseURL+"/bot"+token+"/"+rq.method, body)
	if err != nil {
		return &connector.Error{Class: connector.Invalid, Message: "the request cannot be built", Err: redact(err, token)}
	}
	if ctype != "" {
		req.Header.Set("Content-Type", ctype)
	}
	res, err := connector.Do(c.client, req, 0)
	if err != nil {
		redact(err, token)
		return fmt.Errorf("telegram: %s: %w", rq.method, sharpen(err, rq.send))
	}
	var a answer
	jerr := json.Unmarshal(res.Body, &a)
	if res.Status >= 400 || (jerr == nil && !a.OK) {
		return fmt.Errorf("telegram: %s: %w", rq.method, sharpen(c.classify(res, a, jerr == nil), rq.send))
	}
	if jerr == nil && rq.out != nil {
		jerr = json.Unmarshal(a.Result, rq.out)
	}
	if jerr != nil {
		class, msg := connector.Transient, fmt.Sprintf("Telegram answered HTTP %d with a body that is not the expected JSON", res.Status)
		if rq.send {
			class, msg = connector.Ambiguous, msg+"; the message may have been sent"
		}
		return fmt.Errorf("telegram: %s: %w", rq.method, &connector.Error{Class: class, Status: res.Status, Message: msg, Err: jerr})
	}
	return nil
}

// redact removes the bot token from a URL error (the token is in the
// path), so that it never reaches logs or people. It returns err.
func redact(err error, token string) error {
	var ue *url.Error
	if errors.As(err, &ue) {
		ue.URL = strings.ReplaceAll(ue.URL, token, "<token>")
	}
	return err
}

// sharpen makes a transient failure of a send ambiguous once the request
// reached a server: a 5xx or a proxy's page says nothing about whether
// Telegram posted the message.
func sharpen(err error, send bool) error {
	var e *connector.Error
	if !send || !errors.As(err, &e) || e.Class != connector.Transient || e.Status == 0 {
		return err
	}
	a := *e
	a.Class = connector.Ambiguous
	a.Message += "; the message may have been sent"
	return &a
}

// classify maps a Bot API error to a class:
//
//	429                                    → RateLimited, wait parameters.retry_after
//	401 (token revoked in @BotFather)      → AuthRevoked
//	403 (bot kicked, blocked, not a member) → AuthRevoked
//	400 chat not found / not enough rights /
//	    need administrator rights          → AuthRevoked: the bot lost its place
//	400 migrate_to_chat_id                 → AuthRevoked: the group became a supergroup
//	other 400                              → Invalid, with Telegram's description
//	5xx, non-JSON bodies                   → Transient
func (c *Connector) classify(res *connector.Response, a answer, isJSON bool) *connector.Error {
	status := res.Status
	if isJSON && a.ErrorCode != 0 {
		status = a.ErrorCode
	}
	if status < 400 {
		status = http.StatusBadRequest
	}
	e := connector.Classify(status, res.Header, res.Body, c.now())
	if !isJSON {
		return e
	}
	e.Message = a.Description
	if e.Message == "" {
		e.Message = fmt.Sprintf("Telegram refused the request (error %d)", status)
	}
	lower := strings.ToLower(a.Description)
	switch {
	case status == http.StatusTooManyRequests:
		e.Class = connector.RateLimited
		if a.Parameters != nil && a.Parameters.RetryAfter > 0 {
			e.RetryAfter = time.Duration(a.Parameters.RetryAfter) * time.Second
		}
	case status >= 500:
		e.Class = connector.Transient
	case status == http.StatusUnauthorized:
		e.Class = connector.AuthRevoked
		e.Message += " (the bot token was revoked or replaced in @BotFather; reconnect with the new token)"
	case status == http.StatusForbidden:
		e.Class = connector.AuthRevoked
		e.Message += " (the bot was removed from the chat or lost its rights; add it again as an administrator allowed to post)"
	case a.Parameters != nil && a.Parameters.MigrateToChatID != 0:
		e.Class = connector.AuthRevoked
		e.Message += fmt.Sprintf(" (the group became a supergroup with id %d; reconnect it with that id)", a.Parameters.MigrateToChatID)
	case strings.Contains(lower, "chat not found"), strings.Contains(lower, "not enough rights"),
		strings.Contains(lower, "need administrator rights"), strings.Contains(lower, "have no rights to send"):
		e.Class = connector.AuthRevoked
	default:
		e.Class = connector.Invalid
	}
	return e
}

// chatRef is the chat_id to send: the numeric id.
func chatRef(cr Credentials) int64 { return cr.ChatID }

// messageURL is where people see a message: t.me/<username>/<id> for a
// public chat, t.me/c/<internal id>/<id> for a private supergroup or
// channel (members only), none for a basic group.
func messageURL(cr Credentials, id int64) string {
	if cr.ChatUsername != "" {
		return "https://t.me/" + cr.ChatUsername + "/" + strconv.FormatInt(id, 10)
	}
	if s := strconv.FormatInt(cr.ChatID, 10); strings.HasPrefix(s, "-100") {
		return "https://t.me/c/" + s[4:] + "/" + strconv.FormatInt(id, 10)
	}
	return ""
}

// invalid returns a connector error for bad input Herald caught itself.
func invalid(format string, args ...any) error {
	return &connector.Error{Class: connector.Invalid, Message: fmt.Sprintf(format, args...)}
}
