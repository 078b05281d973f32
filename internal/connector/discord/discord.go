// Package discord is Herald's connector for Discord channels through an
// incoming webhook, a thin hand-written client of the Discord HTTP API
// (v10): the person pastes the webhook's URL, and Herald executes it with
// ?wait=true so the message comes back, uploads files as multipart
// (payload_json and files[n]), starts a forum post with thread_name, sends
// thread parts as follow-up messages (in the same thread where there is
// one), edits and deletes its messages.
//
// Credentials are JSON:
//
//	{"webhook_id":"1234","token":"…","channel_id":"5678","guild_id":"9012",
//	 "name":"Herald","username":"Herald News"}
//
// Executing a webhook has no idempotency key (nonce and enforce_nonce
// exist only for bots creating messages) and a webhook can read back a
// message only by its id, so an ambiguous execution cannot be settled:
// the connector is neither a Reconciler nor an IdempotentPublisher, and
// the dispatcher leaves such a part unconfirmed for a person to check.
package discord

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"math"
	"net/http"
	"net/url"
	"sort"
	"strings"
	"time"

	"github.com/heraldsocial/herald/internal/connector"
)

// DefaultBaseURL is the Discord HTTP API, version 10.
const DefaultBaseURL = "https://discord.com/api/v10"

// Credentials are what the connector keeps for an account.
type Credentials struct {
	WebhookID string `json:"webhook_id"`
	Token     string `json:"token"`
	ChannelID string `json:"channel_id,omitempty"`
	GuildID   string `json:"guild_id,omitempty"`
	Name      string `json:"name,omitempty"`
	// Username is the name posts appear under (execute's username), ""
	// for the webhook's own name.
	Username string `json:"username,omitempty"`
}

// MarshalCredentials encodes credentials.
func MarshalCredentials(cr Credentials) []byte {
	b, _ := json.Marshal(cr) // strings always encode
	return b
}

// Connector talks to Discord. It is safe for concurrent use.
type Connector struct {
	client  *http.Client
	baseURL string
	now     func() time.Time
	log     *slog.Logger
}

// Option adjusts a Connector.
type Option func(*Connector)

// WithBaseURL sets the API's address (default https://discord.com/api/v10);
// tests point it at the fake. Webhook URLs people paste are only read for
// their id and token: requests always go to this address.
func WithBaseURL(u string) Option {
	return func(c *Connector) { c.baseURL = strings.TrimRight(u, "/") }
}

// WithClock sets the clock used to read rate-limit resets.
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

func creds(acct connector.Account) (Credentials, error) {
	var cr Credentials
	if err := json.Unmarshal(acct.Credentials, &cr); err != nil {
		return cr, &connector.Error{Class: connector.AuthRevoked,
			Message: "the account's stored Discord webhook cannot be read; reconnect the account", Err: err}
	}
	if cr.WebhookID == "" || cr.Token == "" {
		return cr, &connector.Error{Class: connector.AuthRevoked, Message: "the account has no Discord webhook; reconnect the account"}
	}
	return cr, nil
}

// request is one call on the webhook.
type request struct {
	method string
	path   string // after /webhooks/{id}/{token}
	query  url.Values
	json   any
	body   io.Reader
	ctype  string
	out    any
	// send marks the execution that posts: an error after it was sent may
	// have posted, so it is Ambiguous, not Transient.
	send bool
}

func (c *Connector) do(ctx context.Context, cr Credentials, rq request) error {
	body, ctype := rq.body, rq.ctype
	if rq.json != nil {
		b, err := json.Marshal(rq.json)
		if err != nil {
			return &connector.Error{Class: connector.Invalid, Message: "the request cannot be encoded", Err: err}
		}
		body, ctype = bytes.NewReader(b), "application/json"
	}
	u := c.baseURL + "/webhooks/" + url.PathEscape(cr.WebhookID) + "/" + url.PathEscape(cr.Token) + rq.path
	if len(rq.query) > 0 {
		u += "?" + rq.query.Encode()
	}
	req, err := http.NewRequestWithContext(ctx, rq.method, u, body)
	if err != nil {
		return &connector.Error{Class: connector.Invalid, Message: "the request cannot be built", Err: redact(err, cr.Token)}
	}
	if ctype != "" {
		req.Header.Set("Content-Type", ctype)
	}
	req.Header.Set("User-Agent", "DiscordBot (https://github.com/heraldsocial/herald, 1)")
	res, err := connector.Do(c.client, req, 0)
	if err != nil {
		redact(err, cr.Token)
		return fmt.Errorf("discord: %s webhook%s: %w", rq.method, rq.path, sharpen(err, rq.send))
	}
	if e := c.classify(res); e != nil {
		return fmt.Errorf("discord: %s webhook%s: %w", rq.method, rq.path, sharpen(e, rq.send))
	}
	if rq.out != nil {
		if err := json.Unmarshal(res.Body, rq.out); err != nil {
			class, msg := connector.Transient, fmt.Sprintf("Discord answered HTTP %d with a body that is not the expected JSON", res.Status)
			if rq.send {
				class, msg = connector.Ambiguous, msg+"; the message may have been posted"
			}
			return fmt.Errorf("discord: %s webhook%s: %w", rq.method, rq.path, &connector.Error{Class: class, Status: res.Status, Message: msg, Err: err})
		}
	}
	return nil
}

// redact removes the webhook token from a URL error: the token is in the
// path, and anyone holding it can post.
func redact(err error, token string) error {
	var ue *url.Error
	if errors.As(err, &ue) {
		ue.URL = strings.ReplaceAll(ue.URL, token, "<token>")
	}
	return err
}

func sharpen(err error, send bool) error {
	var e *connector.Error
	if !send || !errors.As(err, &e) || e.Class != connector.Transient || e.Status == 0 {
		return err
	}
	a := *e
	a.Class = connector.Ambiguous
	a.Message += "; the message may have been posted"
	return &a
}

// apiError is Discord's error body: a JSON error code, a message, and
// for invalid forms the fields' errors; for 429 retry_after (seconds, with
// decimals) and global.
type apiError struct {
	Code       int             `json:"code"`
	Message    string          `json:"message"`
	Errors     json.RawMessage `json:"errors"`
	RetryAfter *float64        `json:"retry_after"`
	Global     bool            `json:"global"`
}

// JSON error codes Herald acts on.
const (
	codeUnknownWebhook = 10015
	codeUnknownMessage = 10008
	codeInvalidToken   = 50027
)

// classify maps a Discord answer to a class (nil below 400):
//
//	429                                  → RateLimited, wait retry_after from the body
//	                                       (else Retry-After, X-RateLimit-Reset-After)
//	401, 403, 404 Unknown Webhook (10015) → AuthRevoked: the webhook was deleted or its token reset
//	400, other 404                       → Invalid, with Discord's message and the field's error
//	5xx, non-JSON bodies                 → Transient
func (c *Connector) classify(res *connector.Response) *connector.Error {
	e := connector.Classify(res.Status, res.Header, res.Body, c.now())
	if e == nil {
		return nil
	}
	var a apiError
	if json.Unmarshal(res.Body, &a) != nil {
		return e
	}
	if a.Message != "" {
		e.Message = a.Message
		if detail := fieldErrors(a.Errors); detail != "" {
			e.Message += ": " + detail
		}
	}
	switch {
	case res.Status == http.StatusTooManyRequests:
		e.Class = connector.RateLimited
		if a.RetryAfter != nil && *a.RetryAfter > 0 {
			e.RetryAfter = time.Duration(math.Round(*a.RetryAfter*1000)) * time.Millisecond
		} else if v := res.Header.Get("X-RateLimit-Reset-After"); e.RetryAfter == 0 && v != "" {
			var f float64
			if _, err := fmt.Sscan(v, &f); err == nil && f > 0 {
				e.RetryAfter = time.Duration(math.Round(f*1000)) * time.Millisecond
			}
		}
		if scope := res.Header.Get("X-RateLimit-Scope"); scope != "" || a.Global {
			if a.Global {
				scope = "global"
			}
			e.Message += " (" + scope + " rate limit)"
		}
	case res.Status >= 500:
	case res.Status == http.StatusUnauthorized, res.Status == http.StatusForbidden, a.Code == codeUnknownWebhook, a.Code == codeInvalidToken:
		e.Class = connector.AuthRevoked
		e.Message += " (the webhook was deleted or its URL changed in Discord; connect it again with its current URL)"
	}
	return e
}

// fieldErrors flattens Discord's nested form errors
// ({"content":{"_errors":[{"code":…,"message":…}]}}) into "content: …".
func fieldErrors(raw json.RawMessage) string {
	var out []string
	var walk func(path string, v any)
	walk = func(path string, v any) {
		m, ok := v.(map[string]any)
		if !ok {
			return
		}
		keys := make([]string, 0, len(m))
		for k := range m {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		for _, k := range keys {
			if k == "_errors" {
				list, _ := m[k].([]any)
				for _, it := range list {
					if em, ok := it.(map[string]any); ok {
						msg, _ := em["message"].(string)
						out = append(out, strings.TrimPrefix(path, ".")+": "+msg)
					}
				}
				continue
			}
			walk(path+"."+k, m[k])
		}
	}
	var v any
	if len(raw) > 0 && json.Unmarshal(raw, &v) == nil {
		walk("", v)
	}
	return strings.Join(out, "; ")
}

func invalid(format string, args ...any) error {
	return &connector.Error{Class: connector.Invalid, Message: fmt.Sprintf(format, args...)}
}
