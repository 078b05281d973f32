package herald

import (
	"context"
	"net/url"
	"slices"
	"strings"
	"time"
	"unicode/utf8"
)

// WebhookKind is the kind of receiver a workspace notification channel
// posts to, which decides the payload's shape.
type WebhookKind string

// Webhook kinds.
const (
	WebhookSlack   WebhookKind = "slack"   // a Slack incoming webhook
	WebhookDiscord WebhookKind = "discord" // a Discord channel webhook
	WebhookGeneric WebhookKind = "generic" // Herald's own JSON, signed
)

// WebhookKinds lists the kinds in the order forms show them.
var WebhookKinds = []WebhookKind{WebhookSlack, WebhookDiscord, WebhookGeneric}

// Valid reports whether k is a known kind.
func (k WebhookKind) Valid() bool { return slices.Contains(WebhookKinds, k) }

// Bounds of an endpoint's settings.
const (
	MaxWebhookURLLen  = 2000
	MaxWebhookNameLen = 200
)

// WebhookEndpoint is one of a workspace's notification channels: every
// notification of the kinds it wants is posted to its URL.
type WebhookEndpoint struct {
	ID          int64       `json:"id"`
	WorkspaceID int64       `json:"workspace_id"`
	Kind        WebhookKind `json:"kind"`
	Name        string      `json:"name"`
	URL         string      `json:"url"`
	// Kinds are the notification kinds it gets; empty: every kind.
	Kinds   []NotificationKind `json:"kinds"`
	Enabled bool               `json:"enabled"`
	// Secret is the signing secret of a generic endpoint, sealed.
	Secret    Sealed    `json:"-"`
	CreatedBy int64     `json:"created_by"`
	CreatedAt time.Time `json:"created_at"`
	UpdatedAt time.Time `json:"updated_at"`
}

// Wants reports whether the endpoint gets notifications of kind k.
func (e WebhookEndpoint) Wants(k NotificationKind) bool {
	return e.Enabled && (len(e.Kinds) == 0 || slices.Contains(e.Kinds, k))
}

// Validate checks the endpoint's settings and normalises them (trimmed
// text, kinds in NotificationKinds order without repeats).
func (e *WebhookEndpoint) Validate() error {
	var p Problems
	e.Name = strings.TrimSpace(e.Name)
	e.URL = strings.TrimSpace(e.URL)
	if !e.Kind.Valid() {
		p.Add("kind", "%q is not slack, discord or generic", e.Kind)
	}
	if e.Name == "" {
		p.Add("name", "is required: a name to tell this channel from others")
	} else if n := utf8.RuneCountInString(e.Name); n > MaxWebhookNameLen {
		p.Add("name", "is %d characters; at most %d are allowed", n, MaxWebhookNameLen)
	}
	CheckLine(&p, "name", e.Name)
	if e.URL == "" {
		p.Add("url", "is required: the webhook address the receiver gave you")
	} else if len(e.URL) > MaxWebhookURLLen {
		p.Add("url", "is %d characters; at most %d are allowed", len(e.URL), MaxWebhookURLLen)
	} else if u, err := url.Parse(e.URL); err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		p.Add("url", "%q is not an http:// or https:// address", e.URL)
	} else if u.User != nil {
		p.Add("url", "must not hold a user name or password")
	} else if u.Fragment != "" {
		p.Add("url", "must not hold a #fragment")
	}
	var kinds []NotificationKind
	for _, k := range NotificationKinds {
		if slices.Contains(e.Kinds, k) {
			kinds = append(kinds, k)
		}
	}
	for _, k := range e.Kinds {
		if !slices.Contains(NotificationKinds, k) {
			p.Add("kinds", "%q is not a notification kind", k)
		}
	}
	if kinds == nil {
		kinds = []NotificationKind{}
	}
	e.Kinds = kinds
	return p.Err("the webhook is not valid")
}

// DeliveryState is where a delivery stands.
type DeliveryState string

// Delivery states.
const (
	DeliveryPending   DeliveryState = "pending"   // waiting for its next attempt
	DeliverySending   DeliveryState = "sending"   // an attempt is under way (leased)
	DeliveryDelivered DeliveryState = "delivered" // the receiver took it (2xx)
	DeliveryFailed    DeliveryState = "failed"    // given up: refused, or out of attempts
)

// WebhookDelivery is one notification for one endpoint. (EndpointID, Key)
// is unique, so a repeated event is not delivered twice.
type WebhookDelivery struct {
	ID          int64 `json:"id"`
	WorkspaceID int64 `json:"workspace_id"`
	EndpointID  int64 `json:"endpoint_id"`
	// Key is the notification's Key (or one made for a keyless one).
	Key          string       `json:"key"`
	Notification Notification `json:"notification"`
	// Test marks a delivery made by "Send test".
	Test  bool          `json:"test"`
	State DeliveryState `json:"state"`
	// Attempts counts the attempts made so far.
	Attempts      int        `json:"attempts"`
	NextAttemptAt time.Time  `json:"next_attempt_at"`
	LeaseUntil    *time.Time `json:"-"`
	// LastError says, in words, why the last attempt did not deliver.
	LastError  string     `json:"last_error,omitempty"`
	FinishedAt *time.Time `json:"finished_at,omitempty"`
	CreatedAt  time.Time  `json:"created_at"`
	UpdatedAt  time.Time  `json:"updated_at"`
	// Log holds the attempts, oldest first (filled by ListWebhookDeliveries).
	Log []WebhookAttempt `json:"log"`
}

// WebhookAttempt is one POST of a delivery and what came back.
type WebhookAttempt struct {
	DeliveryID int64         `json:"delivery_id"`
	Number     int           `json:"number"`
	StartedAt  time.Time     `json:"started_at"`
	Duration   time.Duration `json:"duration_ns"`
	// Status is the HTTP status; 0 when no answer came.
	Status int `json:"status"`
	// Response is the start of the answer's body.
	Response string `json:"response,omitempty"`
	// Error says why no usable answer came (time-out, refused address).
	Error string `json:"error,omitempty"`
}

// WebhookStore keeps a workspace's notification channels and their
// deliveries.
type WebhookStore interface {
	CreateWebhookEndpoint(ctx context.Context, e *WebhookEndpoint) error
	GetWebhookEndpoint(ctx context.Context, workspaceID, id int64) (WebhookEndpoint, error)
	ListWebhookEndpoints(ctx context.Context, workspaceID int64) ([]WebhookEndpoint, error) // by name, then id
	// UpdateWebhookEndpoint saves name, URL, kinds, enabled, secret and
	// UpdatedAt (not the kind).
	UpdateWebhookEndpoint(ctx context.Context, e *WebhookEndpoint) error
	DeleteWebhookEndpoint(ctx context.Context, workspaceID, id int64) error // and its deliveries
	// CreateWebhookDelivery inserts d for an endpoint of d's workspace and
	// sets its ID; ErrConflict when the endpoint already has d.Key.
	CreateWebhookDelivery(ctx context.Context, d *WebhookDelivery) error
	GetWebhookDelivery(ctx context.Context, workspaceID, id int64) (WebhookDelivery, error)
	// ListWebhookDeliveries returns the endpoint's latest deliveries,
	// newest first, each with its attempts.
	ListWebhookDeliveries(ctx context.Context, workspaceID, endpointID int64, limit int) ([]WebhookDelivery, error)
	// ClaimWebhookDelivery marks delivery id sending until leaseUntil and
	// returns it, if it is pending and due by now, or sending under a
	// lease that ended by now; else ErrConflict.
	ClaimWebhookDelivery(ctx context.Context, workspaceID, id int64, now, leaseUntil time.Time) (WebhookDelivery, error)
	// RecordWebhookAttempt appends a to d's attempts and saves d's state,
	// Attempts, NextAttemptAt, LastError, FinishedAt and UpdatedAt, ending
	// its lease.
	RecordWebhookAttempt(ctx context.Context, d *WebhookDelivery, a *WebhookAttempt) error
}

// WebhookSweepStore finds deliveries whose job may have been lost, in
// every workspace.
type WebhookSweepStore interface {
	// UnfinishedWebhookDeliveries returns up to limit deliveries that are
	// pending and due by before, or sending under a lease that ended by
	// before, the oldest due first.
	UnfinishedWebhookDeliveries(ctx context.Context, before time.Time, limit int) ([]WebhookDelivery, error)
}
