package listen

import (
	"cmp"
	"context"
	"fmt"
	"log/slog"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/heraldsocial/herald/internal/herald"
	"github.com/heraldsocial/herald/internal/inbox/analysis"
	"github.com/heraldsocial/herald/internal/listen/source"
	"github.com/heraldsocial/herald/internal/listen/topic"
)

// ReloadEvery is how often an Ingest reads the topics again, so topics
// changed through another instance take effect within it (changes through
// this one take effect at once).
const ReloadEvery = 15 * time.Second

// Ingest is the sources' Sink: it matches each post against every
// workspace's active topics, analyses the matching ones (sentiment and,
// when the author declared none, language) and stores them, once per
// workspace, then saves the source's cursor. It is safe for concurrent
// use by several sources.
type Ingest struct {
	store    herald.Store
	clock    herald.Clock
	logger   *slog.Logger
	analyzer *analysis.Analyzer

	mu      sync.Mutex
	matcher *topic.Matcher
	owner   map[int64]int64 // topic → workspace
	loaded  time.Time
	stale   bool
}

// NewIngest returns an Ingest over store.
func NewIngest(store herald.Store, clock herald.Clock, logger *slog.Logger) *Ingest {
	if logger == nil {
		logger = slog.New(slog.DiscardHandler)
	}
	return &Ingest{store: store, clock: clock, logger: logger, analyzer: analysis.New()}
}

// Changed makes the next batch read the topics again.
func (in *Ingest) Changed() {
	in.mu.Lock()
	in.stale = true
	in.mu.Unlock()
}

// current returns the compiled topics, reading them again when stale.
func (in *Ingest) current(ctx context.Context) (*topic.Matcher, map[int64]int64, error) {
	in.mu.Lock()
	defer in.mu.Unlock()
	now := in.clock.Now()
	if in.matcher != nil && !in.stale && now.Sub(in.loaded) < ReloadEvery {
		return in.matcher, in.owner, nil
	}
	ts, err := in.store.ActiveListenTopics(ctx)
	if err != nil {
		return nil, nil, fmt.Errorf("listen: topics: %w", err)
	}
	owner := make(map[int64]int64, len(ts))
	compiled := make([]topic.Topic, 0, len(ts))
	for _, t := range ts {
		// A topic saved before a limit tightened is left out rather than
		// stopping every other workspace's listening.
		if err := Compiled(t).Validate(); err != nil {
			in.logger.WarnContext(ctx, "listening topic skipped", "topic_id", t.ID, "error", err)
			continue
		}
		owner[t.ID] = t.WorkspaceID
		compiled = append(compiled, Compiled(t))
	}
	m, err := topic.Compile(compiled)
	if err != nil {
		return nil, nil, fmt.Errorf("listen: compile topics: %w", err)
	}
	in.matcher, in.owner, in.loaded, in.stale = m, owner, now, false
	return m, owner, nil
}

// Match returns the matches a batch's posts make, one per post and
// workspace, analysed, without storing them.
func (in *Ingest) Match(ctx context.Context, posts []source.Post) ([]herald.ListenMatch, error) {
	m, owner, err := in.current(ctx)
	if err != nil {
		return nil, err
	}
	now := in.clock.Now()
	var out []herald.ListenMatch
	for _, p := range posts {
		lang := ""
		if len(p.Languages) > 0 {
			lang = strings.ToLower(p.Languages[0])
		}
		tp := topic.Post{Text: p.Text, Author: p.AuthorID, Mentions: p.Mentions, Tags: p.Tags, Language: lang}
		if h := p.AuthorHandle; h != "" {
			// The author by handle: Accounts holds "by or mentioning", so
			// a handle among the mentions matches the same topics. X
			// handles have no host: topics name them user@x.com.
			if p.Platform == "x" && !strings.Contains(h, "@") {
				h += "@x.com"
			}
			tp.Mentions = append(slices.Clip(tp.Mentions), h)
		}
		hits := m.Match(tp)
		if len(hits) == 0 {
			continue
		}
		r := in.analyzer.Tone(p.Text)
		if lang == "" {
			lang = analysis.Language(p.Text)
		} else if i := strings.IndexByte(lang, '-'); i > 0 {
			lang = lang[:i]
		}
		byWS := map[int64][]herald.TopicHit{}
		var order []int64
		for _, h := range hits {
			ws := owner[h.TopicID]
			if _, ok := byWS[ws]; !ok {
				order = append(order, ws)
			}
			byWS[ws] = append(byWS[ws], herald.TopicHit{TopicID: h.TopicID, Terms: h.Terms})
		}
		seen := p.SeenAt
		if seen.IsZero() {
			seen = now
		}
		posted := p.PostedAt
		// A post dated in the future (a wrong clock, a forged date) counts
		// when it was seen.
		if posted.IsZero() || posted.After(seen.Add(5*time.Minute)) {
			posted = seen
		}
		for _, ws := range order {
			followers := p.AuthorFollowers
			out = append(out, herald.ListenMatch{WorkspaceID: ws, Platform: herald.Platform(p.Platform), RemoteID: p.RemoteID,
				CID: p.CID, URL: p.URL, AuthorID: p.AuthorID, AuthorHandle: p.AuthorHandle, AuthorName: p.AuthorName,
				AuthorFollowers: followers, Text: p.Text, Language: lang, Sentiment: string(r.Sentiment), Score: r.Score,
				ReplyTo: p.ReplyTo, PostedAt: posted.UTC(), SeenAt: seen.UTC(), Topics: byWS[ws]})
		}
	}
	return out, nil
}

// Accept stores a batch's matches and then its cursor, so a crash
// between the two delivers the batch again, which stores nothing twice.
func (in *Ingest) Accept(ctx context.Context, b source.Batch) error {
	ms, err := in.Match(ctx, b.Posts)
	if err != nil {
		return err
	}
	if len(ms) > 0 {
		if _, err := in.store.AddListenMatches(ctx, ms); err != nil {
			return fmt.Errorf("listen: store matches of %s: %w", b.Source, err)
		}
	}
	if b.Cursor != "" && b.Source != "" {
		if err := in.store.PutListenCursor(ctx, b.Source, b.Cursor, in.clock.Now()); err != nil {
			return fmt.Errorf("listen: cursor of %s: %w", b.Source, err)
		}
	}
	return nil
}

// Cursor returns a source's last accepted cursor (source.Cursors).
func (in *Ingest) Cursor(ctx context.Context, src string) (string, error) {
	return in.store.ListenCursor(ctx, src)
}

var _ source.Sink = (*Ingest)(nil)
var _ source.Cursors = (*Ingest)(nil)

// topTerms returns the n terms held by the most matches, most first, ties
// by term.
func topTerms(counts map[string]int, n int) []TermCount {
	out := make([]TermCount, 0, len(counts))
	for t, c := range counts {
		if c > 1 {
			out = append(out, TermCount{Term: t, Matches: c})
		}
	}
	slices.SortFunc(out, func(a, b TermCount) int {
		return cmp.Or(cmp.Compare(b.Matches, a.Matches), cmp.Compare(a.Term, b.Term))
	})
	return out[:min(n, len(out))]
}
