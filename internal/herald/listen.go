package herald

import (
	"context"
	"encoding/base64"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"
)

// ListenTopic is what a workspace listens for in public posts: terms,
// hashtags and accounts with any / all / none rules and a language filter
// (the rules are internal/listen/topic's, which checks them).
type ListenTopic struct {
	ID          int64     `json:"id"`
	WorkspaceID int64     `json:"workspace_id"`
	Name        string    `json:"name"` // unique per workspace, case-insensitively
	Rules       TopicRule `json:"rules"`
	// Paused topics keep their matches but match nothing new.
	Paused    bool      `json:"paused"`
	CreatedBy int64     `json:"created_by"`
	CreatedAt time.Time `json:"created_at"`
	UpdatedAt time.Time `json:"updated_at"`
}

// TopicRule are a topic's conditions; every list that is given must hold.
type TopicRule struct {
	Any       []string `json:"any,omitempty"`       // at least one term appears
	All       []string `json:"all,omitempty"`       // every term appears
	None      []string `json:"none,omitempty"`      // no term appears
	Hashtags  []string `json:"hashtags,omitempty"`  // at least one tag is on the post
	Accounts  []string `json:"accounts,omitempty"`  // by or mentioning one of them
	Languages []string `json:"languages,omitempty"` // the post's language is one of them
	// StrictLanguage refuses posts whose language is unknown when
	// Languages are given.
	StrictLanguage bool `json:"strict_language,omitempty"`
}

// ListenMatch is a public post that matched at least one of a workspace's
// topics, stored once per workspace, platform and remote id.
type ListenMatch struct {
	ID          int64    `json:"id"`
	WorkspaceID int64    `json:"workspace_id"`
	Platform    Platform `json:"platform"`
	// RemoteID is the post's id on its platform (an at:// URI on Bluesky,
	// the status URI on Mastodon-API servers).
	RemoteID string `json:"remote_id"`
	CID      string `json:"cid,omitempty"` // Bluesky's record CID, to reply
	URL      string `json:"url,omitempty"`
	// AuthorID is the author's stable id (DID, user@host); AuthorHandle and
	// AuthorName as shown; AuthorFollowers -1 when the source does not give
	// it (a reach hint).
	AuthorID        string `json:"author_id"`
	AuthorHandle    string `json:"author_handle,omitempty"`
	AuthorName      string `json:"author_name,omitempty"`
	AuthorFollowers int64  `json:"author_followers"`
	Text            string `json:"text"`
	// Language is the declared or detected language (ISO 639-1), "" when
	// unknown; Sentiment and Score as the inbox computes them.
	Language  string    `json:"language,omitempty"`
	Sentiment string    `json:"sentiment"` // positive, neutral or negative
	Score     float64   `json:"score"`
	ReplyTo   string    `json:"reply_to,omitempty"` // the RemoteID it answers
	PostedAt  time.Time `json:"posted_at"`
	SeenAt    time.Time `json:"seen_at"`
	// Topics are the workspace's topics it matched, with the terms found.
	Topics []TopicHit `json:"topics"`
}

// TopicHit is one topic a match matched and its evidence: the terms,
// hashtags and accounts that made it match.
type TopicHit struct {
	TopicID int64    `json:"topic_id"`
	Terms   []string `json:"terms,omitempty"`
}

// ListenFilter selects a workspace's matches, newest first.
type ListenFilter struct {
	WorkspaceID int64
	TopicID     int64  // 0: any topic
	Sentiment   string // positive, neutral, negative; "" any
	Language    string
	AuthorID    string
	Query       string    // in the text, case-insensitively
	From, To    time.Time // PostedAt in [From, To); zero times do not bound
	Page
}

// ListenVolume is one hour's matches by sentiment.
type ListenVolume struct {
	Hour     time.Time `json:"hour"` // UTC, on the hour
	Positive int       `json:"positive"`
	Neutral  int       `json:"neutral"`
	Negative int       `json:"negative"`
}

// Total is the hour's matches.
func (v ListenVolume) Total() int { return v.Positive + v.Neutral + v.Negative }

// ListenAuthor is an author's matches over a period.
type ListenAuthor struct {
	AuthorID        string   `json:"author_id"`
	Platform        Platform `json:"platform"`
	AuthorHandle    string   `json:"author_handle,omitempty"`
	AuthorName      string   `json:"author_name,omitempty"`
	AuthorFollowers int64    `json:"author_followers"` // the latest known, -1 when never given
	Matches         int      `json:"matches"`
	Negative        int      `json:"negative"`
}

// ListenStore keeps listening topics, their matches and the sources'
// cursors.
type ListenStore interface {
	CreateListenTopic(ctx context.Context, t *ListenTopic) error
	GetListenTopic(ctx context.Context, workspaceID, id int64) (ListenTopic, error)
	ListListenTopics(ctx context.Context, workspaceID int64) ([]ListenTopic, error) // by name
	// ActiveListenTopics returns every workspace's topics that are not
	// paused, by id.
	ActiveListenTopics(ctx context.Context) ([]ListenTopic, error)
	UpdateListenTopic(ctx context.Context, t *ListenTopic) error // name, rules, paused, UpdatedAt
	// DeleteListenTopic deletes the topic and the matches that matched no
	// other topic of the workspace.
	DeleteListenTopic(ctx context.Context, workspaceID, id int64) error
	// AddListenMatches stores matches in one transaction and returns how
	// many were new. A match already stored (same workspace, platform and
	// remote id) gains the topics it lacks and keeps the rest; a topic
	// already on it is not counted twice. The hourly volume and the daily
	// authors of each topic are kept current. A match whose topic is not
	// of its workspace (or no longer exists) is stored without that topic,
	// and not at all when none of its topics is left.
	AddListenMatches(ctx context.Context, ms []ListenMatch) (int, error)
	// GetListenMatch returns the workspace's match with its topics.
	GetListenMatch(ctx context.Context, workspaceID, id int64) (ListenMatch, error)
	// ListListenMatches returns matches newest first (PostedAt, then id),
	// with their topics, and the cursor of the next page ("" at the end).
	ListListenMatches(ctx context.Context, f ListenFilter) ([]ListenMatch, string, error)
	// ListenVolume returns the topic's (0: any topic of the workspace,
	// each match once) matches per hour in [from, to), hours without any
	// left out, oldest first.
	ListenVolume(ctx context.Context, workspaceID, topicID int64, from, to time.Time) ([]ListenVolume, error)
	// TopListenAuthors returns the authors with the most matches of the
	// topic (0: any topic, each match once) on the UTC days that [from, to)
	// touches, most first, at most limit.
	TopListenAuthors(ctx context.Context, workspaceID, topicID int64, from, to time.Time, limit int) ([]ListenAuthor, error)
	// DeleteListenMatchesBefore deletes up to limit of the workspace's
	// matches posted before the time, with their volume and author rows
	// before it, and returns how many matches went.
	DeleteListenMatchesBefore(ctx context.Context, workspaceID int64, before time.Time, limit int) (int, error)
	// ListenWorkspaces returns the workspaces that have topics, by id.
	ListenWorkspaces(ctx context.Context) ([]int64, error)
	// ListenCursor returns a source's last cursor, "" when it has none.
	ListenCursor(ctx context.Context, source string) (string, error)
	// PutListenCursor saves a source's cursor.
	PutListenCursor(ctx context.Context, source, cursor string, at time.Time) error
	// ListenTerms returns the topic's (0: every topic) computed terms,
	// ErrNotFound when they were never computed.
	ListenTerms(ctx context.Context, workspaceID, topicID int64) (ListenTerms, error)
	// PutListenTerms saves the topic's computed terms in place of the
	// previous ones, unless those were computed later. Terms of a topic
	// that is not the workspace's (or no longer exists) are not kept.
	// DeleteListenTopic deletes the topic's.
	PutListenTerms(ctx context.Context, t ListenTerms) error
	// DueListenTerms returns the workspace's topics, with 0 for every
	// topic, whose terms are due, the never computed first, then the
	// longest ago, then by topic id. Due are terms never computed, computed
	// before the topic's newest match was stored (LastMatchID below it),
	// before the topic last changed, or before staleBefore. The newest
	// match of every topic is the newest of any topic's.
	DueListenTerms(ctx context.Context, workspaceID int64, staleBefore time.Time) ([]ListenTermsDue, error)
}

// EncodeListenCursor is the cursor of the page of matches after the one
// posted at postedAt with the id.
func EncodeListenCursor(postedAt time.Time, id int64) string {
	return base64.RawURLEncoding.EncodeToString([]byte(strconv.FormatInt(postedAt.UnixMicro(), 10) + "." + strconv.FormatInt(id, 10)))
}

// DecodeListenCursor reads a cursor EncodeListenCursor made; "" gives zero
// values, anything else not made by it a CodeBadRequest error.
func DecodeListenCursor(c string) (postedAt time.Time, id int64, err error) {
	if c == "" {
		return time.Time{}, 0, nil
	}
	bad := &Error{Code: CodeBadRequest, Message: "cursor is not valid: use the next value a previous page returned",
		Details: []FieldProblem{{Field: "cursor", Problem: "is not a cursor this server returned"}}}
	b, err := base64.RawURLEncoding.DecodeString(c)
	if err != nil {
		return time.Time{}, 0, bad
	}
	at, rest, ok := strings.Cut(string(b), ".")
	if !ok {
		return time.Time{}, 0, bad
	}
	us, err1 := strconv.ParseInt(at, 10, 64)
	id, err2 := strconv.ParseInt(rest, 10, 64)
	if err1 != nil || err2 != nil || id <= 0 {
		return time.Time{}, 0, bad
	}
	return time.UnixMicro(us).UTC(), id, nil
}

// ListenHour is the UTC hour t falls in, as ListenVolume counts it.
func ListenHour(t time.Time) time.Time { return t.UTC().Truncate(time.Hour) }

// ListenDay is the UTC day t falls in, as TopListenAuthors counts it.
func ListenDay(t time.Time) time.Time {
	y, m, d := t.UTC().Date()
	return time.Date(y, m, d, 0, 0, 0, 0, time.UTC)
}

// ListenTopicClash is the conflict message of a topic name already taken.
func ListenTopicClash(name string) string {
	return fmt.Sprintf("a listening topic named %q already exists", name)
}

// CheckListenMatches refuses a batch with a match a store cannot keep
// (CodeInvalid, nothing stored): no workspace, platform, remote id or
// author, an unknown sentiment, no posting time.
func CheckListenMatches(ms []ListenMatch) error {
	var p Problems
	for i, m := range ms {
		f := fmt.Sprintf("matches[%d]", i)
		switch {
		case m.WorkspaceID <= 0:
			p.Add(f+".workspace_id", "is missing")
		case m.Platform == "":
			p.Add(f+".platform", "is missing")
		case m.RemoteID == "":
			p.Add(f+".remote_id", "is missing")
		case m.AuthorID == "":
			p.Add(f+".author_id", "is missing")
		case m.PostedAt.IsZero():
			p.Add(f+".posted_at", "is missing")
		case m.Sentiment != "positive" && m.Sentiment != "neutral" && m.Sentiment != "negative":
			p.Add(f+".sentiment", "is %q; use positive, neutral or negative", m.Sentiment)
		}
	}
	return p.Err("the listening matches are not valid")
}

// ListenTopicIDs returns the topics the matches name, each once.
func ListenTopicIDs(ms []ListenMatch) []int64 {
	seen := map[int64]bool{}
	var ids []int64
	for _, m := range ms {
		for _, h := range m.Topics {
			if !seen[h.TopicID] {
				seen[h.TopicID] = true
				ids = append(ids, h.TopicID)
			}
		}
	}
	return ids
}

// KeepTopics returns the hits whose topic belongs to the workspace (owners
// maps a topic to its workspace), each topic once.
func KeepTopics(hits []TopicHit, workspaceID int64, owners map[int64]int64) []TopicHit {
	var out []TopicHit
	for _, h := range hits {
		if owners[h.TopicID] != workspaceID || slices.ContainsFunc(out, func(o TopicHit) bool { return o.TopicID == h.TopicID }) {
			continue
		}
		out = append(out, h)
	}
	return out
}

// ListenVolumeKey is one row of the hourly volume rollup.
type ListenVolumeKey struct {
	TopicID int64
	Hour    time.Time
}

// ListenAuthorKey is one row of the daily authors rollup.
type ListenAuthorKey struct {
	TopicID  int64
	Day      time.Time
	Platform Platform
	AuthorID string
}

// ListenTally gathers a batch's changes to one workspace's rollups, so a
// store writes each row once.
type ListenTally struct {
	Volume  map[ListenVolumeKey]*ListenVolume
	Authors map[ListenAuthorKey]*ListenAuthor
	// Removes is set when a count went down, so rows at zero may be left.
	Removes bool
}

// Add counts m (sign 1) or takes it out (sign -1) for the topic (0: the
// workspace's any-topic rows).
func (t *ListenTally) Add(topicID int64, m ListenMatch, sign int) {
	if t.Volume == nil {
		t.Volume = map[ListenVolumeKey]*ListenVolume{}
		t.Authors = map[ListenAuthorKey]*ListenAuthor{}
	}
	if sign < 0 {
		t.Removes = true
	}
	vk := ListenVolumeKey{topicID, ListenHour(m.PostedAt)}
	v := t.Volume[vk]
	if v == nil {
		v = &ListenVolume{Hour: vk.Hour}
		t.Volume[vk] = v
	}
	neg := 0
	switch m.Sentiment {
	case "positive":
		v.Positive += sign
	case "negative":
		v.Negative += sign
		neg = sign
	default:
		v.Neutral += sign
	}
	ak := ListenAuthorKey{topicID, ListenDay(m.PostedAt), m.Platform, m.AuthorID}
	a := t.Authors[ak]
	if a == nil {
		a = &ListenAuthor{AuthorID: m.AuthorID, Platform: m.Platform, AuthorFollowers: -1}
		t.Authors[ak] = a
	}
	if m.AuthorHandle != "" {
		a.AuthorHandle = m.AuthorHandle
	}
	if m.AuthorName != "" {
		a.AuthorName = m.AuthorName
	}
	if m.AuthorFollowers >= 0 {
		a.AuthorFollowers = m.AuthorFollowers
	}
	a.Matches += sign
	a.Negative += neg
}

// NonNil returns s, or an empty slice for nil, so that JSON says [] rather
// than null.
func NonNil[T any](s []T) []T {
	if s == nil {
		return []T{}
	}
	return s
}
