package fakeserver

import (
	"encoding/json"
	"fmt"
	"net/http"
	"time"

	"github.com/heraldsocial/herald/internal/herald"
)

// Defaults for Config's zero fields.
const (
	DefaultMaxChars      = 500
	DefaultMaxMedia      = 4
	DefaultMaxMediaBytes = 16 << 20
	DefaultRateWindow    = 5 * time.Minute
	DefaultTokenLifetime = 2 * time.Hour
	DefaultErrorStatus   = http.StatusServiceUnavailable
	// MaxDescription is the longest media description (alt text) accepted.
	MaxDescription = 1500
	// MaxLookupLimit is the most statuses one account lookup returns.
	MaxLookupLimit = 40
)

// Config is how the platform behaves. The zero value is a well-behaved
// platform without idempotency, lookups or rate limits, where any bearer
// token is accepted; zero limits take their defaults.
type Config struct {
	// Latency delays every API answer (after the request is recorded).
	Latency time.Duration
	// ErrorRate is the fraction of API requests answered with ErrorStatus
	// before anything is recorded.
	ErrorRate float64
	// ErrorStatus is the status of injected errors (500–599; default 503).
	ErrorStatus int
	// ErrorHTML makes injected errors an HTML page, as a proxy in front of
	// a platform sends, instead of the API's JSON.
	ErrorHTML bool
	// TimeoutRate is the fraction of posts that are accepted and recorded
	// and then not answered in time: the answer waits TimeoutDelay, or the
	// connection is closed without an answer when TimeoutDelay is 0.
	TimeoutRate  float64
	TimeoutDelay time.Duration
	// TimeoutsPerPost bounds how many requests for one post (by its
	// X-Herald-Key, else its Idempotency-Key) are held back by
	// TimeoutRate; later ones are answered. 0: no bound. A fault test
	// that must settle within a bound uses it, since the publisher's
	// backoff after k ambiguous answers in a row grows as 2^k.
	TimeoutsPerPost int
	// RateLimit is how many API requests one account may make per
	// RateWindow (0: unlimited). Over it: 429 with Retry-After.
	RateLimit  int
	RateWindow time.Duration
	// Idempotency honours the Idempotency-Key header: a repeated key (per
	// account) answers with the first post instead of making another.
	Idempotency bool
	// Lookup enables GET /api/v1/accounts/{id}/statuses, which
	// reconciliation relies on.
	Lookup bool
	// MaxChars is the longest status text in characters (default 500).
	MaxChars int
	// MaxMedia is how many media a status may carry (default 4).
	MaxMedia int
	// MaxMediaBytes is the largest upload (default 16 MiB).
	MaxMediaBytes int64
	// ProcessingDelay is how long an upload stays "processing" (answered
	// 202) before it can be attached.
	ProcessingDelay time.Duration
	// TokenLifetime is the lifetime of tokens issued by POST /oauth/token
	// (default 2h).
	TokenLifetime time.Duration
	// Tokens are the valid bearer tokens. When there are none, any
	// non-empty bearer token is accepted and is itself the account id.
	Tokens []Token
}

// Token is a bearer token the platform knows.
type Token struct {
	Account      string    `json:"account"`
	AccessToken  string    `json:"access_token"`
	RefreshToken string    `json:"refresh_token,omitempty"`
	ExpiresAt    time.Time `json:"expires_at,omitzero"` // zero: never
	Revoked      bool      `json:"revoked,omitempty"`
}

// DefaultConfig is a platform that behaves like a healthy Mastodon
// instance: idempotency keys honoured, recent posts listed, default limits.
func DefaultConfig() Config {
	return Config{Idempotency: true, Lookup: true}
}

// Validate checks the configuration, naming each bad field.
func (c Config) Validate() error {
	var p herald.Problems
	if c.Latency < 0 {
		p.Add("latency", "must not be negative")
	}
	if c.ErrorRate < 0 || c.ErrorRate > 1 || c.ErrorRate != c.ErrorRate {
		p.Add("error_rate", "must be between 0 and 1")
	}
	if c.ErrorStatus != 0 && (c.ErrorStatus < 500 || c.ErrorStatus > 599) {
		p.Add("error_status", "must be a 5xx status, not %d", c.ErrorStatus)
	}
	if c.TimeoutRate < 0 || c.TimeoutRate > 1 || c.TimeoutRate != c.TimeoutRate {
		p.Add("timeout_rate", "must be between 0 and 1")
	}
	if c.TimeoutsPerPost < 0 {
		p.Add("timeouts_per_post", "must not be negative")
	}
	if c.ErrorRate+c.TimeoutRate > 1 {
		p.Add("timeout_rate", "error_rate plus timeout_rate must not exceed 1")
	}
	if c.TimeoutDelay < 0 {
		p.Add("timeout_delay", "must not be negative (0 closes the connection without an answer)")
	}
	if c.RateLimit < 0 {
		p.Add("rate_limit", "must not be negative (0: unlimited)")
	}
	if c.RateWindow < 0 {
		p.Add("rate_window", "must not be negative")
	}
	if c.MaxChars < 0 {
		p.Add("max_chars", "must not be negative")
	}
	if c.MaxMedia < 0 {
		p.Add("max_media", "must not be negative")
	}
	if c.MaxMediaBytes < 0 {
		p.Add("max_media_bytes", "must not be negative")
	}
	if c.ProcessingDelay < 0 {
		p.Add("processing_delay", "must not be negative")
	}
	if c.TokenLifetime < 0 {
		p.Add("token_lifetime", "must not be negative")
	}
	seen := map[string]bool{}
	for i, t := range c.Tokens {
		if t.Account == "" {
			p.Add(fmt.Sprintf("tokens[%d].account", i), "is required")
		}
		if t.AccessToken == "" {
			p.Add(fmt.Sprintf("tokens[%d].access_token", i), "is required")
		} else if seen[t.AccessToken] {
			p.Add(fmt.Sprintf("tokens[%d].access_token", i), "is listed twice")
		}
		seen[t.AccessToken] = true
	}
	return p.Err("the fake platform's configuration is not valid")
}

// withDefaults fills zero limits.
func (c Config) withDefaults() Config {
	if c.MaxChars == 0 {
		c.MaxChars = DefaultMaxChars
	}
	if c.MaxMedia == 0 {
		c.MaxMedia = DefaultMaxMedia
	}
	if c.MaxMediaBytes == 0 {
		c.MaxMediaBytes = DefaultMaxMediaBytes
	}
	if c.RateWindow == 0 {
		c.RateWindow = DefaultRateWindow
	}
	if c.TokenLifetime == 0 {
		c.TokenLifetime = DefaultTokenLifetime
	}
	if c.ErrorStatus == 0 {
		c.ErrorStatus = DefaultErrorStatus
	}
	return c
}

// configJSON is Config on the wire: durations as Go duration strings
// ("250ms"), names in snake_case.
type configJSON struct {
	Latency         string  `json:"latency,omitempty"`
	ErrorRate       float64 `json:"error_rate,omitempty"`
	ErrorStatus     int     `json:"error_status,omitempty"`
	ErrorHTML       bool    `json:"error_html,omitempty"`
	TimeoutRate     float64 `json:"timeout_rate,omitempty"`
	TimeoutDelay    string  `json:"timeout_delay,omitempty"`
	TimeoutsPerPost int     `json:"timeouts_per_post,omitempty"`
	RateLimit       int     `json:"rate_limit,omitempty"`
	RateWindow      string  `json:"rate_window,omitempty"`
	Idempotency     bool    `json:"idempotency"`
	Lookup          bool    `json:"lookup"`
	MaxChars        int     `json:"max_chars,omitempty"`
	MaxMedia        int     `json:"max_media,omitempty"`
	MaxMediaBytes   int64   `json:"max_media_bytes,omitempty"`
	ProcessingDelay string  `json:"processing_delay,omitempty"`
	TokenLifetime   string  `json:"token_lifetime,omitempty"`
	Tokens          []Token `json:"tokens,omitempty"`
}

// MarshalJSON encodes durations as strings such as "250ms".
func (c Config) MarshalJSON() ([]byte, error) {
	d := func(v time.Duration) string {
		if v == 0 {
			return ""
		}
		return v.String()
	}
	return json.Marshal(configJSON{
		Latency: d(c.Latency), ErrorRate: c.ErrorRate, ErrorStatus: c.ErrorStatus, ErrorHTML: c.ErrorHTML,
		TimeoutRate: c.TimeoutRate, TimeoutDelay: d(c.TimeoutDelay), TimeoutsPerPost: c.TimeoutsPerPost, RateLimit: c.RateLimit,
		RateWindow: d(c.RateWindow), Idempotency: c.Idempotency, Lookup: c.Lookup,
		MaxChars: c.MaxChars, MaxMedia: c.MaxMedia, MaxMediaBytes: c.MaxMediaBytes,
		ProcessingDelay: d(c.ProcessingDelay), TokenLifetime: d(c.TokenLifetime), Tokens: c.Tokens,
	})
}

// UnmarshalJSON decodes the form MarshalJSON writes. A bad duration is a
// herald.Error naming the field.
func (c *Config) UnmarshalJSON(b []byte) error {
	var w configJSON
	if err := json.Unmarshal(b, &w); err != nil {
		return &herald.Error{Code: herald.CodeBadRequest, Message: "the configuration is not valid JSON: " + err.Error(), Err: err}
	}
	var p herald.Problems
	d := func(field, s string) time.Duration {
		if s == "" {
			return 0
		}
		v, err := time.ParseDuration(s)
		if err != nil {
			p.Add(field, "%q is not a duration such as \"250ms\" or \"2s\"", s)
		}
		return v
	}
	*c = Config{
		Latency: d("latency", w.Latency), ErrorRate: w.ErrorRate, ErrorStatus: w.ErrorStatus, ErrorHTML: w.ErrorHTML,
		TimeoutRate: w.TimeoutRate, TimeoutDelay: d("timeout_delay", w.TimeoutDelay), TimeoutsPerPost: w.TimeoutsPerPost, RateLimit: w.RateLimit,
		RateWindow: d("rate_window", w.RateWindow), Idempotency: w.Idempotency, Lookup: w.Lookup,
		MaxChars: w.MaxChars, MaxMedia: w.MaxMedia, MaxMediaBytes: w.MaxMediaBytes,
		ProcessingDelay: d("processing_delay", w.ProcessingDelay), TokenLifetime: d("token_lifetime", w.TokenLifetime),
		Tokens: w.Tokens,
	}
	return p.Err("the fake platform's configuration is not valid")
}
