package herald

import (
	"context"
	"fmt"
	"net/url"
	"slices"
	"strings"
	"time"
	"unicode/utf8"
)

// FeedMode is what a feed's new entries become.
type FeedMode string

// Feed modes.
const (
	FeedDraft FeedMode = "draft" // a draft post per entry
	FeedQueue FeedMode = "queue" // a post in each account's next free posting slot
)

// Valid reports whether m is a known mode.
func (m FeedMode) Valid() bool { return m == FeedDraft || m == FeedQueue }

// Bounds of a feed's settings.
const (
	MaxFeedURLLen      = 2000
	MaxFeedNameLen     = 200
	MaxFeedTemplateLen = 5000
	MaxFeedAccounts    = 50
)

// FeedPlaceholders are the names a feed's template may use, as {{name}}.
var FeedPlaceholders = []string{"title", "url", "summary"}

// DefaultFeedTemplate is the template of a feed that gives none.
const DefaultFeedTemplate = "{{title}} {{url}}"

// Feed is an RSS or Atom feed whose new entries become posts of a
// workspace. The polling fields (ETag … Failures) are the poller's and are
// saved with SaveFeedPoll only.
type Feed struct {
	ID          int64    `json:"id"`
	WorkspaceID int64    `json:"workspace_id"`
	URL         string   `json:"url"`
	Name        string   `json:"name"`
	Mode        FeedMode `json:"mode"`
	AccountIDs  []int64  `json:"account_ids"`
	Template    string   `json:"template"`
	LabelIDs    []int64  `json:"label_ids"`
	CampaignID  *int64   `json:"campaign_id,omitempty"`
	Paused      bool     `json:"paused"`
	// OwnerID is the member who last saved the feed: its posts are made in
	// their name and with their role (so the workspace's approval rule
	// applies as it would to them).
	OwnerID int64 `json:"owner_id"`
	FeedPoll
	// EntriesUsed is how many entries became posts (read-only).
	EntriesUsed int       `json:"entries_used"`
	CreatedAt   time.Time `json:"created_at"`
	UpdatedAt   time.Time `json:"updated_at"`
}

// FeedPoll is the state of a feed's polling.
type FeedPoll struct {
	ETag         string     `json:"etag,omitempty"`
	LastModified string     `json:"last_modified,omitempty"`
	LastPolledAt *time.Time `json:"last_polled_at,omitempty"`
	// LastError says, in words, why the last poll failed; "" after a good one.
	LastError  string    `json:"last_error,omitempty"`
	NextPollAt time.Time `json:"next_poll_at"`
	// Failures counts the polls that failed in a row (the back-off grows with it).
	Failures int `json:"failures"`
}

// Validate checks the feed's settings and normalises them (trimmed text,
// sorted unique ids, the default template for an empty one).
func (f *Feed) Validate() error {
	var p Problems
	f.URL = strings.TrimSpace(f.URL)
	f.Name = strings.TrimSpace(f.Name)
	if strings.TrimSpace(f.Template) == "" {
		f.Template = DefaultFeedTemplate
	}
	if f.URL == "" {
		p.Add("url", "is required: the address of an RSS or Atom feed")
	} else if len(f.URL) > MaxFeedURLLen {
		p.Add("url", "is %d characters; at most %d are allowed", len(f.URL), MaxFeedURLLen)
	} else if u, err := url.Parse(f.URL); err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		p.Add("url", "%q is not an http:// or https:// address", f.URL)
	} else if u.User != nil {
		p.Add("url", "must not hold a user name or password")
	}
	if n := utf8.RuneCountInString(f.Name); n > MaxFeedNameLen {
		p.Add("name", "is %d characters; at most %d are allowed", n, MaxFeedNameLen)
	}
	CheckLine(&p, "name", f.Name)
	if !f.Mode.Valid() {
		p.Add("mode", "%q is not draft or queue", f.Mode)
	}
	f.AccountIDs = uniqueIDs(f.AccountIDs)
	f.LabelIDs = uniqueIDs(f.LabelIDs)
	if len(f.AccountIDs) == 0 {
		p.Add("account_ids", "choose at least one account to post to")
	} else if len(f.AccountIDs) > MaxFeedAccounts {
		p.Add("account_ids", "has %d accounts; at most %d are allowed", len(f.AccountIDs), MaxFeedAccounts)
	}
	if n := utf8.RuneCountInString(f.Template); n > MaxFeedTemplateLen {
		p.Add("template", "is %d characters; at most %d are allowed", n, MaxFeedTemplateLen)
	}
	CheckText(&p, "template", f.Template)
	if err := CheckFeedTemplate(f.Template); err != "" {
		p.Add("template", "%s", err)
	}
	return p.Err("the feed is not valid")
}

// uniqueIDs returns ids sorted without duplicates or non-positive values,
// never nil.
func uniqueIDs(ids []int64) []int64 {
	out := make([]int64, 0, len(ids))
	for _, id := range ids {
		if id > 0 {
			out = append(out, id)
		}
	}
	slices.Sort(out)
	return slices.Compact(out)
}

// CheckFeedTemplate returns what is wrong with a template ("" when
// nothing): a placeholder that is not one of FeedPlaceholders, named, or
// a "{{" that is never closed.
func CheckFeedTemplate(tpl string) string {
	var unknown []string
	rest := tpl
	for {
		i := strings.Index(rest, "{{")
		if i < 0 {
			break
		}
		j := strings.Index(rest[i+2:], "}}")
		if j < 0 {
			return fmt.Sprintf("has a {{ that is never closed with }}; the placeholders are %s", placeholderList())
		}
		name := strings.TrimSpace(rest[i+2 : i+2+j])
		if !slices.Contains(FeedPlaceholders, name) && !slices.Contains(unknown, "{{"+name+"}}") {
			unknown = append(unknown, "{{"+name+"}}")
		}
		rest = rest[i+2+j+2:]
	}
	switch len(unknown) {
	case 0:
		return ""
	case 1:
		return fmt.Sprintf("uses the unknown placeholder %s; the placeholders are %s", unknown[0], placeholderList())
	}
	return fmt.Sprintf("uses the unknown placeholders %s; the placeholders are %s", strings.Join(unknown, ", "), placeholderList())
}

func placeholderList() string {
	out := make([]string, len(FeedPlaceholders))
	for i, n := range FeedPlaceholders {
		out[i] = "{{" + n + "}}"
	}
	return strings.Join(out, ", ")
}

// RenderFeedTemplate fills a checked template's placeholders with values
// (by name); text outside placeholders is kept as written.
func RenderFeedTemplate(tpl string, values map[string]string) string {
	var b strings.Builder
	rest := tpl
	for {
		i := strings.Index(rest, "{{")
		if i < 0 {
			b.WriteString(rest)
			return b.String()
		}
		j := strings.Index(rest[i+2:], "}}")
		if j < 0 {
			b.WriteString(rest)
			return b.String()
		}
		b.WriteString(rest[:i])
		b.WriteString(values[strings.TrimSpace(rest[i+2:i+2+j])])
		rest = rest[i+2+j+2:]
	}
}

// FeedEntry is an entry of a feed that Herald has seen: it became a post
// (PostID, until that post is deleted) or was passed over (Skipped: older
// than the feed when it was first read). (FeedID, Key) is unique, which is
// what makes every entry used at most once.
type FeedEntry struct {
	FeedID      int64      `json:"feed_id"`
	WorkspaceID int64      `json:"workspace_id"`
	Key         string     `json:"key"`
	Title       string     `json:"title"`
	URL         string     `json:"url"`
	PostID      *int64     `json:"post_id,omitempty"`
	Skipped     bool       `json:"skipped"`
	PublishedAt *time.Time `json:"published_at,omitempty"`
	CreatedAt   time.Time  `json:"created_at"`
}

// FeedStore keeps feeds and the entries they have used.
type FeedStore interface {
	CreateFeed(ctx context.Context, f *Feed) error
	GetFeed(ctx context.Context, workspaceID, id int64) (Feed, error)
	ListFeeds(ctx context.Context, workspaceID int64) ([]Feed, error) // by name, then id
	// UpdateFeed saves the settings (URL, name, mode, accounts, template,
	// labels, campaign, paused, owner, UpdatedAt), not the polling state.
	UpdateFeed(ctx context.Context, f *Feed) error
	DeleteFeed(ctx context.Context, workspaceID, id int64) error // and its entries
	// SaveFeedPoll saves the polling state of feed id.
	SaveFeedPoll(ctx context.Context, workspaceID, id int64, p FeedPoll) error
	// AddFeedEntry records an entry; ErrConflict if the feed has it already.
	AddFeedEntry(ctx context.Context, e *FeedEntry) error
	// SeenFeedEntries returns which of keys the feed has recorded.
	SeenFeedEntries(ctx context.Context, workspaceID, feedID int64, keys []string) (map[string]bool, error)
	// ListFeedEntries returns the feed's latest recorded entries, newest first.
	ListFeedEntries(ctx context.Context, workspaceID, feedID int64, limit int) ([]FeedEntry, error)
}

// FeedPollStore finds the feeds due for a poll, in every workspace.
type FeedPollStore interface {
	// DueFeeds returns up to limit feeds that are not paused and whose
	// NextPollAt is not after now, the most overdue first.
	DueFeeds(ctx context.Context, now time.Time, limit int) ([]Feed, error)
}
