package metagraph

import (
	"context"
	"log/slog"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/heraldsocial/herald/internal/connector"
)

// An inbox that reads several of Meta's edges (replies and mentions,
// comments and tags) keeps one mark per edge in its cursor.

// InboxMark is where one source of an inbox left off: the newest item's
// second and the ids seen at that second.
type InboxMark struct {
	At   int64
	Seen []string
}

// ParseInboxMark reads "unix|id,id"; anything else is the zero mark (read
// from the start).
func ParseInboxMark(s string) InboxMark {
	t, ids, _ := strings.Cut(s, "|")
	n, err := strconv.ParseInt(t, 10, 64)
	if err != nil {
		return InboxMark{}
	}
	if ids == "" {
		return InboxMark{At: n}
	}
	return InboxMark{At: n, Seen: strings.Split(ids, ",")}
}

// String is the mark as ParseInboxMark reads it ("" for the zero mark).
func (m InboxMark) String() string {
	if m.At == 0 && len(m.Seen) == 0 {
		return ""
	}
	return strconv.FormatInt(m.At, 10) + "|" + strings.Join(m.Seen, ",")
}

// Passed reports whether an item of id at t is at or before the mark.
func (m InboxMark) Passed(id string, t time.Time) bool {
	return t.Unix() < m.At || (t.Unix() == m.At && slices.Contains(m.Seen, id))
}

// Advance returns the mark after items (oldest first, all past m).
func (m InboxMark) Advance(items []connector.Mention) InboxMark {
	if len(items) == 0 {
		return m
	}
	last := items[len(items)-1].CreatedAt.Unix()
	next := InboxMark{At: last}
	if last == m.At {
		next.Seen = slices.Clone(m.Seen)
	}
	for _, it := range items {
		if it.CreatedAt.Unix() == last {
			next.Seen = append(next.Seen, it.RemoteID)
		}
	}
	return next
}

// ParseInboxCursor reads a cursor of marks, one a source, written
// "<key>=<mark>;<key>=<mark>" in the order of keys. A cursor that does
// not start with the first key's "<key>=" was stored when the inbox had
// that source alone ("unix|ids"): it is the first source's mark, and the
// other sources start afresh.
func ParseInboxCursor(s string, keys ...string) []InboxMark {
	marks := make([]InboxMark, len(keys))
	if len(keys) == 0 {
		return marks
	}
	if !strings.HasPrefix(s, keys[0]+"=") {
		marks[0] = ParseInboxMark(s)
		return marks
	}
	for _, part := range strings.Split(s, ";") {
		k, v, _ := strings.Cut(part, "=")
		if i := slices.Index(keys, k); i >= 0 {
			marks[i] = ParseInboxMark(v)
		}
	}
	return marks
}

// FormatInboxCursor writes marks (in the order of keys) as
// ParseInboxCursor reads them.
func FormatInboxCursor(keys []string, marks []InboxMark) string {
	parts := make([]string, len(keys))
	for i, k := range keys {
		var m InboxMark
		if i < len(marks) {
			m = marks[i]
		}
		parts[i] = k + "=" + m.String()
	}
	return strings.Join(parts, ";")
}

// MergeInbox returns first with the items of more whose ids it does not
// hold, all oldest first (first's own before more's at the same time).
func MergeInbox(first, more []connector.Mention) []connector.Mention {
	seen := map[string]bool{}
	all := slices.Clone(first)
	for _, m := range first {
		seen[m.RemoteID] = true
	}
	for _, m := range more {
		if !seen[m.RemoteID] {
			seen[m.RemoteID] = true
			all = append(all, m)
		}
	}
	slices.SortStableFunc(all, func(a, b connector.Mention) int { return a.CreatedAt.Compare(b.CreatedAt) })
	return all
}

// PermissionMissing reports whether err is Meta refusing a call for a
// permission the token lacks: code 10, or a code from 200 to 299.
func PermissionMissing(err error) bool {
	code, _, ok := Codes(err)
	return ok && (code == CodePermissionDenied || (code >= 200 && code <= 299))
}

// Refusals remembers the accounts for which an inbox source was refused
// for a missing permission, so that it is logged once per account (again
// only after the source worked meanwhile). The zero value is ready; it is
// safe for concurrent use.
type Refusals struct{ m sync.Map }

// InboxSources are the two sources of an inbox: Main (replies, comments)
// and Extra (mentions, tags), read past their marks.
type InboxSources struct {
	Keys        [2]string // the cursor's names of Main's and Extra's marks
	Main, Extra func(ctx context.Context, m InboxMark) ([]connector.Mention, error)
	// Account names whose inbox it is, in Refusals and the log.
	Account string
	// When Extra is refused for a missing permission, Refused is logged
	// (once per account, through Log) and the inbox holds Main's items.
	Refusals *Refusals
	Log      *slog.Logger
	Refused  string
}

// ReadInbox reads both sources past their marks in cursor, merges them
// (an item in both comes once, as Main's), oldest first, and returns the
// cursor that follows ("" when it stays the same).
func ReadInbox(ctx context.Context, cursor string, s InboxSources) ([]connector.Mention, string, error) {
	keys := s.Keys[:]
	marks := ParseInboxCursor(cursor, keys...)
	main, err := s.Main(ctx, marks[0])
	if err != nil {
		return nil, "", err
	}
	extra, err := s.Extra(ctx, marks[1])
	switch {
	case PermissionMissing(err):
		if _, logged := s.Refusals.m.LoadOrStore(s.Account, true); !logged {
			s.Log.WarnContext(ctx, s.Refused, slog.String("account", s.Account), slog.String("error", err.Error()))
		}
		extra = nil
	case err != nil:
		return nil, "", err
	default:
		s.Refusals.m.Delete(s.Account)
	}
	next := FormatInboxCursor(keys, []InboxMark{marks[0].Advance(main), marks[1].Advance(extra)})
	all := MergeInbox(main, extra)
	if next == FormatInboxCursor(keys, marks) {
		return all, "", nil
	}
	return all, next, nil
}

// CursorPage is one page of a cursor-paged edge.
type CursorPage[T any] struct {
	Data   []T `json:"data"`
	Paging struct {
		Cursors struct {
			Before string `json:"before"`
			After  string `json:"after"`
		} `json:"cursors"`
	} `json:"paging"`
}

// EachPage walks an edge paged with before and after cursors but no next
// link (Threads mentions, Instagram tags): fetch reads the page after a
// cursor ("" for the first), and each is called for every item until it
// returns false. It stops at an empty page, a missing or repeated after
// cursor, or after most pages, and reports whether most cut it short.
func EachPage[T any](most int, fetch func(after string) (CursorPage[T], error), each func(T) bool) (bool, error) {
	after := ""
	for range most {
		p, err := fetch(after)
		if err != nil {
			return false, err
		}
		for _, it := range p.Data {
			if !each(it) {
				return false, nil
			}
		}
		next := p.Paging.Cursors.After
		if len(p.Data) == 0 || next == "" || next == after {
			return false, nil
		}
		after = next
	}
	return true, nil
}
