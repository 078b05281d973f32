package feeds

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"
	"time"
	"unicode/utf8"

	"github.com/heraldsocial/herald/internal/feed"
	"github.com/heraldsocial/herald/internal/herald"
	"github.com/heraldsocial/herald/internal/post"
)

// MaxSummary is how much of an entry's summary {{summary}} holds, in
// characters; a longer one is cut at a word and ends with "…".
const MaxSummary = 280

// Result is what a poll did (or, for a preview, would do).
type Result struct {
	FeedID int64 `json:"feed_id"`
	// Preview is true when nothing was written.
	Preview bool `json:"preview"`
	// NotModified: the server said the feed had not changed (304).
	NotModified bool `json:"not_modified"`
	// Entries is how many entries the document holds.
	Entries int `json:"entries"`
	// Posts are the entries that became posts (or would).
	Posts []EntryPost `json:"posts" nullable:"false"`
	// Skipped counts entries passed over: on a feed's first read, those
	// not newer than the feed.
	Skipped int `json:"skipped"`
	// AlreadyUsed counts entries another poll used first.
	AlreadyUsed int `json:"already_used"`
	// Waiting counts new entries left for the next poll (over MaxPerPoll).
	Waiting int `json:"waiting"`
}

// EntryPost is an entry and the post it became (or would become).
type EntryPost struct {
	Key         string             `json:"key"`
	Title       string             `json:"title"`
	URL         string             `json:"url"`
	Text        string             `json:"text"`
	PostID      int64              `json:"post_id,omitempty"`
	State       herald.TargetState `json:"state,omitempty"`
	ScheduledAt *time.Time         `json:"scheduled_at,omitempty"`
}

// Poll polls one feed now, for someone who asked ("Check now"): new
// entries become posts as the poller would make them, and the result says
// which. A feed that cannot be read is an error in words (and its state
// says so too). A paused feed is refused: resume it or preview it.
func (s *Service) Poll(ctx context.Context, actor herald.Actor, id int64) (Result, error) {
	if err := requireManage(actor); err != nil {
		return Result{}, err
	}
	f, err := get(ctx, s.store, actor.WorkspaceID, id)
	if err != nil {
		return Result{}, err
	}
	if f.Paused {
		return Result{}, herald.Errorf(herald.CodeConflict, "feed %d is paused: resume it to use its entries, or preview it", id)
	}
	return s.poll(ctx, f)
}

// Preview fetches the feed now and says which posts its next poll would
// make, with their text, writing nothing.
func (s *Service) Preview(ctx context.Context, actor herald.Actor, id int64) (Result, error) {
	if err := requireManage(actor); err != nil {
		return Result{}, err
	}
	f, err := get(ctx, s.store, actor.WorkspaceID, id)
	if err != nil {
		return Result{}, err
	}
	got, err := s.fetch(ctx, f, false)
	if err != nil {
		var fe *fetchError
		if errors.As(err, &fe) {
			return Result{}, fe.public()
		}
		return Result{}, err
	}
	plan, err := s.plan(ctx, f, got.doc)
	if err != nil {
		return Result{}, err
	}
	res := Result{FeedID: f.ID, Preview: true, Entries: len(got.doc.Entries), Skipped: len(plan.skip),
		Waiting: plan.waiting, Posts: []EntryPost{}}
	for _, e := range plan.post {
		res.Posts = append(res.Posts, EntryPost{Key: e.Key(), Title: e.Title, URL: e.Link, Text: render(f.Template, e)})
	}
	return res, nil
}

// PollDue polls every feed due at now, a few at a time, and returns how
// many it polled. A feed's own failure is recorded on the feed (and
// logged), not returned.
func (s *Service) PollDue(ctx context.Context, now time.Time) (int, error) {
	due, err := s.store.DueFeeds(ctx, now, DefaultDueBatch)
	if err != nil {
		return 0, fmt.Errorf("feeds: due feeds: %w", err)
	}
	sem := make(chan struct{}, s.cfg.Concurrency)
	var wg sync.WaitGroup
	for _, f := range due {
		if ctx.Err() != nil {
			break
		}
		sem <- struct{}{}
		wg.Go(func() {
			defer func() { <-sem }()
			if _, err := s.poll(ctx, f); err != nil {
				s.logger.WarnContext(ctx, "feed poll failed", "workspace_id", f.WorkspaceID, "feed_id", f.ID, "error", err)
			}
		})
	}
	wg.Wait()
	return len(due), ctx.Err()
}

// poll fetches f conditionally, turns its new entries into posts, and
// saves the polling state: the validators and next poll on success, the
// error in words and a longer wait on failure.
func (s *Service) poll(ctx context.Context, f herald.Feed) (Result, error) {
	res := Result{FeedID: f.ID, Posts: []EntryPost{}}
	got, err := s.fetch(ctx, f, true)
	if err == nil && !got.notModified {
		res.Entries = len(got.doc.Entries)
		err = s.use(ctx, f, got.doc, &res)
	}
	now := s.clock.Now().UTC().Truncate(time.Microsecond)
	state := f.FeedPoll
	state.LastPolledAt = &now
	if err == nil {
		res.NotModified = got.notModified
		state.ETag, state.LastModified = got.etag, got.lastModified
		state.LastError, state.Failures = "", 0
		state.NextPollAt = now.Add(s.cfg.Interval)
	} else {
		state.Failures++
		state.LastError = words(err)
		wait := s.backoff(state.Failures)
		var fe *fetchError
		if errors.As(err, &fe) && fe.retryAfter > wait {
			wait = fe.retryAfter
		}
		state.NextPollAt = now.Add(wait)
	}
	if serr := s.store.SaveFeedPoll(ctx, f.WorkspaceID, f.ID, state); serr != nil && !errors.Is(serr, herald.ErrNotFound) {
		return res, errors.Join(err, fmt.Errorf("feeds: save poll of %d: %w", f.ID, serr))
	}
	if len(res.Posts) > 0 {
		s.posts.Wake()
		s.logger.InfoContext(ctx, "feed entries used", "workspace_id", f.WorkspaceID, "feed_id", f.ID, "posts", len(res.Posts))
	}
	if err != nil {
		var fe *fetchError
		if errors.As(err, &fe) {
			return res, fe.public()
		}
		return res, err
	}
	return res, nil
}

// backoff is the wait after failures polls failed in a row.
func (s *Service) backoff(failures int) time.Duration {
	d := s.cfg.Interval
	for i := 1; i < failures && d < s.cfg.MaxBackoff; i++ {
		d *= 2
	}
	return min(d, s.cfg.MaxBackoff)
}

// words is an error as the feed's page shows it.
func words(err error) string {
	var fe *fetchError
	if errors.As(err, &fe) {
		return fe.words
	}
	var he *herald.Error
	if errors.As(err, &he) && he.Code != herald.CodeInternal {
		msg := he.Message
		for _, d := range he.Details {
			msg += "; " + d.Field + ": " + d.Problem
		}
		return msg
	}
	return "an internal error stopped the poll; the server log has the details"
}

// plan is what to do with a document's entries.
type plan struct {
	post    []feed.Entry // oldest first, at most MaxPerPoll
	skip    []feed.Entry // passed over for good
	waiting int          // new entries beyond MaxPerPoll
	already int          // entries the feed used before
}

// plan sorts a document's entries: those the feed has seen are left
// alone; on the feed's first read (nothing recorded yet) only entries
// dated after the feed's creation become posts and the rest are passed
// over; afterwards every new entry becomes a post, oldest first.
func (s *Service) plan(ctx context.Context, f herald.Feed, doc *feed.Feed) (plan, error) {
	var p plan
	keys := make([]string, 0, len(doc.Entries))
	for _, e := range doc.Entries {
		keys = append(keys, e.Key())
	}
	seen, err := s.store.SeenFeedEntries(ctx, f.WorkspaceID, f.ID, keys)
	if err != nil {
		return p, fmt.Errorf("feeds: seen entries of %d: %w", f.ID, err)
	}
	first := false
	if len(seen) == 0 {
		recorded, err := s.store.ListFeedEntries(ctx, f.WorkspaceID, f.ID, 1)
		if err != nil {
			return p, fmt.Errorf("feeds: entries of %d: %w", f.ID, err)
		}
		first = len(recorded) == 0
	}
	var fresh []feed.Entry
	inDoc := map[string]bool{}
	for _, e := range doc.Entries {
		k := e.Key()
		switch {
		case seen[k]:
			p.already++
		case inDoc[k]: // the same entry twice in one document
		case first && !e.Date().After(f.CreatedAt):
			p.skip = append(p.skip, e)
		default:
			fresh = append(fresh, e)
		}
		inDoc[k] = true
	}
	// Feeds list the newest first; posts go out oldest first.
	slices.Reverse(fresh)
	if !slices.ContainsFunc(fresh, func(e feed.Entry) bool { return e.Date().IsZero() }) {
		slices.SortStableFunc(fresh, func(a, b feed.Entry) int { return a.Date().Compare(b.Date()) })
	}
	if len(fresh) > s.cfg.MaxPerPoll {
		p.waiting = len(fresh) - s.cfg.MaxPerPoll
		fresh = fresh[:s.cfg.MaxPerPoll]
	}
	p.post = fresh
	return p, nil
}

// errUsed is an entry another poll recorded first.
var errUsed = errors.New("feeds: entry already used")

// use records the document's passed-over entries and makes a post of each
// new one, each in its own transaction together with its entry record.
func (s *Service) use(ctx context.Context, f herald.Feed, doc *feed.Feed, res *Result) error {
	p, err := s.plan(ctx, f, doc)
	if err != nil {
		return err
	}
	res.Skipped, res.Waiting, res.AlreadyUsed = len(p.skip), p.waiting, p.already
	now := s.clock.Now().UTC().Truncate(time.Microsecond)
	for _, e := range p.skip {
		err := s.store.InTx(ctx, func(tx herald.Tx) error {
			return record(ctx, tx, f, e, nil, true, now)
		})
		if err != nil && !errors.Is(err, errUsed) {
			return err
		}
	}
	if len(p.post) == 0 {
		return nil
	}
	actor, action, err := s.author(ctx, f)
	if err != nil {
		return err
	}
	for _, e := range p.post {
		var made herald.Post
		text := render(f.Template, e)
		err := s.store.InTx(ctx, func(tx herald.Tx) error {
			in := herald.Post{Title: title(e.Title), Text: text, CampaignID: f.CampaignID, LabelIDs: f.LabelIDs}
			for _, id := range f.AccountIDs {
				in.Targets = append(in.Targets, herald.Target{AccountID: id})
			}
			var err error
			if made, err = s.posts.CreateInTx(ctx, tx, actor, in, action); err != nil {
				return err
			}
			return record(ctx, tx, f, e, &made.ID, false, now)
		})
		if errors.Is(err, errUsed) {
			res.AlreadyUsed++
			continue
		}
		if err != nil {
			var he *herald.Error
			if errors.As(err, &he) && he.Code != herald.CodeInternal {
				return &herald.Error{Code: he.Code, Message: fmt.Sprintf("the entry “%s” could not become a post: %s", e.Title, he.Message),
					Details: he.Details, Err: err}
			}
			return fmt.Errorf("feeds: entry %q: %w", e.Key(), err)
		}
		ep := EntryPost{Key: e.Key(), Title: e.Title, URL: e.Link, Text: text, PostID: made.ID}
		if len(made.Targets) > 0 {
			ep.State, ep.ScheduledAt = made.Targets[0].State, made.Targets[0].ScheduledAt
		}
		res.Posts = append(res.Posts, ep)
	}
	return nil
}

// record adds the entry to the feed's seen-set; errUsed if it was there.
func record(ctx context.Context, tx herald.Tx, f herald.Feed, e feed.Entry, postID *int64, skipped bool, now time.Time) error {
	fe := herald.FeedEntry{FeedID: f.ID, WorkspaceID: f.WorkspaceID, Key: e.Key(), Title: title(e.Title),
		URL: e.Link, PostID: postID, Skipped: skipped, CreatedAt: now}
	if d := e.Date(); !d.IsZero() {
		d = d.UTC().Truncate(time.Microsecond)
		fe.PublishedAt = &d
	}
	err := tx.AddFeedEntry(ctx, &fe)
	if errors.Is(err, herald.ErrConflict) {
		return errUsed
	}
	return err
}

// author is who the feed's posts are made by (its owner, with their role
// now) and what becomes of them: drafts, or the queue, or review when the
// owner's posts need approval in the workspace.
func (s *Service) author(ctx context.Context, f herald.Feed) (herald.Actor, post.Action, error) {
	m, err := s.store.GetMembership(ctx, f.WorkspaceID, f.OwnerID)
	if errors.Is(err, herald.ErrNotFound) {
		return herald.Actor{}, "", herald.Errorf(herald.CodeConflict,
			"the feed's owner (user %d) is no longer a member of the workspace: an editor should save the feed to take it over", f.OwnerID)
	}
	if err != nil {
		return herald.Actor{}, "", fmt.Errorf("feeds: owner of %d: %w", f.ID, err)
	}
	actor := herald.Actor{UserID: f.OwnerID, WorkspaceID: f.WorkspaceID, Role: m.Role}
	if requireManage(actor) != nil {
		return herald.Actor{}, "", herald.Errorf(herald.CodeConflict,
			"the feed's owner is now a %s, who cannot manage feeds: an editor should save the feed to take it over", m.Role)
	}
	if f.Mode == herald.FeedDraft {
		return actor, post.ActionDraft, nil
	}
	ws, err := s.store.GetWorkspace(ctx, f.WorkspaceID)
	if err != nil {
		return herald.Actor{}, "", fmt.Errorf("feeds: workspace of %d: %w", f.ID, err)
	}
	if post.NeedsApproval(actor, ws) {
		return actor, post.ActionSubmit, nil
	}
	return actor, post.ActionQueue, nil
}

// render fills the feed's template for an entry.
func render(tpl string, e feed.Entry) string {
	return strings.TrimSpace(herald.RenderFeedTemplate(tpl, map[string]string{
		"title": e.Title, "url": e.Link, "summary": cut(e.Summary, MaxSummary)}))
}

// title is an entry title short enough for a post's internal title.
func title(s string) string { return cut(s, 200) }

// cut shortens s to at most n characters, at a word when it can, ending
// with "…".
func cut(s string, n int) string {
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	r := []rune(s)[:n-1]
	out := string(r)
	if i := strings.LastIndexByte(out, ' '); i > len(out)/2 {
		out = out[:i]
	}
	return strings.TrimRight(out, " ,.;:") + "…"
}
