package connector

import (
	"context"
	"errors"
	"time"

	"github.com/heraldsocial/herald/internal/herald"
)

// Connecting an account. A platform offers one of two ways in:
// an OAuth authorization-code flow (Authorizer), or an identifier and a
// password the person types (PasswordConnector, e.g. a Bluesky app password).

// AuthStart asks an Authorizer to begin a connection.
type AuthStart struct {
	WorkspaceID int64
	// Instance is the server the person named (Mastodon); "" where the
	// platform has one (X).
	Instance string
	// RedirectURL is Herald's callback, registered with the platform.
	RedirectURL string
	// State is Herald's random, single-use value for the redirect.
	State string
}

// AuthRedirect is where to send the person, and what the connector must get
// back at the callback (PKCE verifier, instance, registered client).
type AuthRedirect struct {
	URL string
	// Secret is kept sealed by Herald with the state until the callback and
	// handed back to Exchange unchanged.
	Secret []byte
}

// Connected is the result of a finished connection: the profile and the
// credentials to seal.
type Connected struct {
	Account     herald.Account // Platform, RemoteID, Handle, DisplayName, AvatarURL, InstanceURL, TokenExpiresAt
	Credentials []byte
}

// Authorizer connects accounts through OAuth's authorization-code flow.
type Authorizer interface {
	// Begin returns the platform's authorization URL (registering Herald's
	// app on the instance first where the platform needs it).
	Begin(ctx context.Context, s AuthStart) (AuthRedirect, error)
	// Exchange trades the code for tokens, verifies them and reads the profile.
	Exchange(ctx context.Context, s AuthStart, secret []byte, code string) (Connected, error)
}

// PasswordConnector connects accounts from an identifier and a password.
type PasswordConnector interface {
	ConnectWithPassword(ctx context.Context, identifier, password string) (Connected, error)
}

// Validating drafts.

// Problem is one thing wrong with a part for a platform.
type Problem struct {
	Field   string `json:"field"` // "text", "media[1]", "thread[0].text", "first_comment", "options.visibility"
	Problem string `json:"problem"`
	// Measured and Limit are set for length problems (the platform's own count).
	Measured int `json:"measured,omitempty"`
	Limit    int `json:"limit,omitempty"`
}

// Validator checks a part against the platform's rules as this account sees
// them (instance limits, media rules), counting text the platform's way. It
// returns the problems (none: publishable) and the text's length as the
// platform counts it, for the composer's counter.
type Validator interface {
	Validate(ctx context.Context, acct Account, p Part) (length int, problems []Problem, err error)
}

// Editing and measuring published posts.

// Editor changes a published post's text where the platform allows it.
type Editor interface {
	Edit(ctx context.Context, acct Account, ref herald.RemoteRef, p Part) (herald.RemoteRef, error)
}

// Metrics are a post's counts at one moment. A count the platform does not
// give is -1.
type Metrics struct {
	Likes       int64
	Reposts     int64
	Replies     int64
	Quotes      int64
	Impressions int64
	At          time.Time
}

// MetricsReader reads counts for published posts, many at once where the
// platform allows it. The result is keyed by RemoteRef.ID; posts the
// platform no longer has are absent.
type MetricsReader interface {
	Metrics(ctx context.Context, acct Account, refs []herald.RemoteRef) (map[string]Metrics, error)
}

// Audience is an account's own public counts at one moment: who follows
// it, whom it follows and how many posts it has. A count the platform does
// not give is -1.
type Audience struct {
	Followers int64
	Following int64
	Posts     int64
}

// AudienceReader reads the connected account's audience counts, for the
// daily account snapshots and the followers a post was published to.
type AudienceReader interface {
	Audience(ctx context.Context, acct Account) (Audience, error)
}

// Engagement: mentions, replies, likes.

// Mention is a post by someone else that mentions or replies to the account.
type Mention struct {
	RemoteID     string            // the mentioning post
	URL          string            // where people see it
	AuthorID     string            // the author's platform id
	AuthorHandle string            // @handle
	AuthorName   string            // display name
	Text         string            // plain text
	ReplyTo      string            // remote id of the post it replies to, if any
	CreatedAt    time.Time         // as the platform says
	Meta         map[string]string // platform specifics (Bluesky uri and cid, …)
}

// InboxReader reads mentions and replies since a cursor, oldest first, and
// returns the cursor to pass next time ("" keeps the old one).
type InboxReader interface {
	Mentions(ctx context.Context, acct Account, cursor string) (mentions []Mention, next string, err error)
}

// InboxWatcher holds a live connection to the platform's push stream for
// the account (the Mastodon streaming API's user stream) and tells on
// what it hears: that something for the inbox came in (a mention, a
// reply, a direct message), so that the account is read at once instead
// of at its next poll, and that a post the account received was edited or
// deleted. It returns when ctx ends (nil) or the stream fails or closes
// (the error says why; ErrNoStream when the server offers no stream); the
// caller reconnects with backoff and keeps polling meanwhile.
type InboxWatcher interface {
	WatchInbox(ctx context.Context, acct Account, on InboxSignals) error
}

// InboxSignals are the calls an InboxWatcher makes; a nil one is not
// called. They must return quickly: the stream waits for them.
type InboxSignals struct {
	// Arrived: something new came in; read the account.
	Arrived func()
	// Edited: the post remoteID now reads text, edited at at.
	Edited func(remoteID, text string, at time.Time)
	// Deleted: the post remoteID is gone.
	Deleted func(remoteID string)
}

// Arrive signals that something arrived.
func (on InboxSignals) Arrive() {
	if on.Arrived != nil {
		on.Arrived()
	}
}

// Edit signals an edited post.
func (on InboxSignals) Edit(remoteID, text string, at time.Time) {
	if on.Edited != nil && remoteID != "" {
		on.Edited(remoteID, text, at)
	}
}

// Delete signals a deleted post.
func (on InboxSignals) Delete(remoteID string) {
	if on.Deleted != nil && remoteID != "" {
		on.Deleted(remoteID)
	}
}

// PostState is how a post received in the inbox stands on its platform
// now.
type PostState struct {
	// Gone: the platform says the post is not there (deleted, or no
	// longer visible to the account).
	Gone bool
	// Text is the post's text now (when not gone).
	Text string
	// EditedAt is when its author last edited it (nil: never, or the
	// platform does not say).
	EditedAt *time.Time
}

// PostChecker reads posts received in the inbox as they are now, so that
// the inbox learns of edits and deletions without a stream. The answer is
// keyed by RemoteRef.ID; a post missing from it could not be told about
// this time. A failure of the whole call is an error.
type PostChecker interface {
	CheckPosts(ctx context.Context, acct Account, refs []herald.RemoteRef) (map[string]PostState, error)
}

// ErrNoStream is WatchInbox's error for a server without a push stream.
var ErrNoStream = errors.New("the server offers no streaming API")

// Replier answers a mention (or any post) from the account.
type Replier interface {
	Reply(ctx context.Context, acct Account, to herald.RemoteRef, p Part) (herald.RemoteRef, error)
}

// MetaReadOn is the RemoteRef.Meta key that names the server a reference
// was read on, set when another account is to act on it: on a platform
// whose post ids are each server's own (Mastodon), the connector first
// finds the post on its account's server.
const MetaReadOn = "read_on"

// MetaByAddress is the RemoteRef.Meta key set (to "1") on a reference whose
// ID is not any server's own id but the post's address (a listening match
// read from an ActivityPub URI): the connector finds the post by its
// address on its account's server, wherever the post was read.
const MetaByAddress = "by_address"

// AnswerAs is a Replier whose items one account can answer from another
// account of the same platform ("answer as"): CanAnswerAs reports whether
// a reference taken from item's inbox means the same post to other
// (Bluesky AT URIs and X tweet ids are global; a Mastodon status id only
// on its own server). Direct messages are always answered from the
// account they came to.
type AnswerAs interface {
	CanAnswerAs(item, other herald.Account) bool
}

// Liker likes (favourites) a post from the account.
type Liker interface {
	Like(ctx context.Context, acct Account, ref herald.RemoteRef) error
}

// Reposter reposts (boosts, retweets) a post from the account. Reposting
// a post the account already reposted is not an error.
type Reposter interface {
	Repost(ctx context.Context, acct Account, ref herald.RemoteRef) error
}

// ReplyHider hides (or shows again) a reply to one of the account's own
// posts from its thread, where the platform lets a post's author do so
// (X hidden replies). It is not deletion: the reply stays on the
// platform under its author.
type ReplyHider interface {
	HideReply(ctx context.Context, acct Account, ref herald.RemoteRef, hidden bool) error
}

// Composer options.

// OptionKind is how the composer asks for an option.
type OptionKind string

// Option kinds.
const (
	OptionText     OptionKind = "text"     // one line
	OptionTextarea OptionKind = "textarea" // several lines
	OptionSelect   OptionKind = "select"   // one of Choices
	OptionCheckbox OptionKind = "checkbox" // "true" when ticked, "" when not
	OptionDateTime OptionKind = "datetime" // RFC 3339, entered in the workspace's zone
)

// Choice is one value of a select option.
type Choice struct {
	Value string `json:"value"`
	Label string `json:"label"`
}

// OptionField is one platform option the composer shows for an account's
// variant (a Pinterest board, YouTube's title and privacy, a silent
// Telegram message). Its value travels in Part.Options under Key, and the
// connector's Validator checks it.
type OptionField struct {
	Key      string     `json:"key"`
	Label    string     `json:"label"`
	Hint     string     `json:"hint,omitempty"`
	Kind     OptionKind `json:"kind"`
	Choices  []Choice   `json:"choices,omitempty"`
	Default  string     `json:"default,omitempty"`
	Required bool       `json:"required,omitempty"`
	MaxLen   int        `json:"max_len,omitempty"`
}

// OptionDescriber lists the options of posts to an account. Choices may
// come from the account itself (its boards, its pages), so it may ask the
// platform.
type OptionDescriber interface {
	OptionFields(ctx context.Context, acct Account) ([]OptionField, error)
}
