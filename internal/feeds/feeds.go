// Package feeds is the use-case of a workspace's RSS and Atom feeds: adding,
// changing and removing them, and polling them so that each new entry
// becomes a post (a draft, or a post in the chosen accounts' queues) once
// and only once, however many Herald instances poll at the same time.
package feeds

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"time"

	"github.com/heraldsocial/herald/internal/herald"
	"github.com/heraldsocial/herald/internal/post"
)

// Defaults for Config's zero fields.
const (
	DefaultInterval    = 15 * time.Minute
	DefaultMaxBackoff  = 6 * time.Hour
	DefaultMaxPerPoll  = 10
	DefaultConcurrency = 4
	DefaultDueBatch    = 100
	// MaxRetryAfter bounds how long a server's Retry-After may hold a feed.
	MaxRetryAfter = 24 * time.Hour
)

// Posts writes the posts entries become. post.Service implements it.
type Posts interface {
	CreateInTx(ctx context.Context, tx herald.Tx, actor herald.Actor, in herald.Post, action post.Action) (herald.Post, error)
	Wake()
}

// Config sets the polling policy; zero fields take their defaults.
type Config struct {
	// Interval is the time between two polls of a feed that answered
	// (default 15m).
	Interval time.Duration
	// MaxBackoff caps the wait after failed polls, which doubles from
	// Interval with every failure in a row (default 6h).
	MaxBackoff time.Duration
	// MaxPerPoll is the most posts one poll of a feed makes (default 10);
	// further new entries wait for the next poll.
	MaxPerPoll int
	// Concurrency is how many due feeds are polled at once (default 4).
	Concurrency int
	// UserAgent is sent with every request.
	UserAgent string
}

func (c Config) withDefaults() Config {
	if c.Interval <= 0 {
		c.Interval = DefaultInterval
	}
	if c.MaxBackoff <= 0 {
		c.MaxBackoff = DefaultMaxBackoff
	}
	if c.MaxPerPoll <= 0 {
		c.MaxPerPoll = DefaultMaxPerPoll
	}
	if c.Concurrency <= 0 {
		c.Concurrency = DefaultConcurrency
	}
	if c.UserAgent == "" {
		c.UserAgent = "Herald feed reader"
	}
	return c
}

// Service is the feeds use-case. It is safe for concurrent use.
type Service struct {
	store  herald.Store
	posts  Posts
	client *http.Client
	clock  herald.Clock
	logger *slog.Logger
	cfg    Config
}

// New returns a Service. client fetches the feeds: give it the outbound
// client (NewClient), which refuses private addresses, redirects included,
// and bounds time and size.
func New(store herald.Store, posts Posts, client *http.Client, clock herald.Clock, logger *slog.Logger, cfg Config) *Service {
	if logger == nil {
		logger = slog.New(slog.DiscardHandler)
	}
	return &Service{store: store, posts: posts, client: client, clock: clock, logger: logger, cfg: cfg.withDefaults()}
}

// Patch changes some of a feed's settings; nil fields stay as they are.
type Patch struct {
	URL        *string
	Name       *string
	Mode       *herald.FeedMode
	AccountIDs *[]int64
	Template   *string
	LabelIDs   *[]int64
	// CampaignID sets the campaign; with ClearCampaign the feed has none.
	CampaignID    *int64
	ClearCampaign bool
	Paused        *bool
}

// List returns the workspace's feeds by name.
func (s *Service) List(ctx context.Context, actor herald.Actor) ([]herald.Feed, error) {
	if err := actor.Require(herald.ActPostsRead); err != nil {
		return nil, err
	}
	fs, err := s.store.ListFeeds(ctx, actor.WorkspaceID)
	if err != nil {
		return nil, fmt.Errorf("feeds: list: %w", err)
	}
	return fs, nil
}

// Get returns one feed of the actor's workspace.
func (s *Service) Get(ctx context.Context, actor herald.Actor, id int64) (herald.Feed, error) {
	if err := actor.Require(herald.ActPostsRead); err != nil {
		return herald.Feed{}, err
	}
	return get(ctx, s.store, actor.WorkspaceID, id)
}

// Entries returns the feed's latest used or passed-over entries, newest first.
func (s *Service) Entries(ctx context.Context, actor herald.Actor, id int64, limit int) ([]herald.FeedEntry, error) {
	if _, err := s.Get(ctx, actor, id); err != nil {
		return nil, err
	}
	es, err := s.store.ListFeedEntries(ctx, actor.WorkspaceID, id, min(max(limit, 1), 200))
	if err != nil {
		return nil, fmt.Errorf("feeds: entries of %d: %w", id, err)
	}
	return es, nil
}

func get(ctx context.Context, tx herald.Tx, workspaceID, id int64) (herald.Feed, error) {
	f, err := tx.GetFeed(ctx, workspaceID, id)
	if errors.Is(err, herald.ErrNotFound) {
		return herald.Feed{}, &herald.Error{Code: herald.CodeNotFound, Message: fmt.Sprintf("feed %d not found in this workspace", id), Err: err}
	}
	if err != nil {
		return herald.Feed{}, fmt.Errorf("feeds: get %d: %w", id, err)
	}
	return f, nil
}

// requireManage checks the actor may manage feeds: editors and up, who
// both write and schedule posts.
func requireManage(actor herald.Actor) error {
	if err := actor.Require(herald.ActPostsWrite); err != nil {
		return err
	}
	return actor.Require(herald.ActPostsSchedule)
}

// Create adds a feed to the actor's workspace. Its posts are made in the
// actor's name; it is first polled by the next run of the poller.
func (s *Service) Create(ctx context.Context, actor herald.Actor, f herald.Feed) (herald.Feed, error) {
	if err := requireManage(actor); err != nil {
		return herald.Feed{}, err
	}
	now := s.clock.Now().UTC().Truncate(time.Microsecond)
	f = herald.Feed{WorkspaceID: actor.WorkspaceID, URL: f.URL, Name: f.Name, Mode: f.Mode, AccountIDs: f.AccountIDs,
		Template: f.Template, LabelIDs: f.LabelIDs, CampaignID: f.CampaignID, Paused: f.Paused, OwnerID: actor.UserID,
		FeedPoll: herald.FeedPoll{NextPollAt: now}, CreatedAt: now, UpdatedAt: now}
	if err := f.Validate(); err != nil {
		return herald.Feed{}, err
	}
	err := s.store.InTx(ctx, func(tx herald.Tx) error {
		if err := checkRefs(ctx, tx, &f); err != nil {
			return err
		}
		if err := tx.CreateFeed(ctx, &f); err != nil {
			return err
		}
		e := herald.NewAudit(actor, "feed.create", "feed", f.ID, nil, f, now)
		return tx.AppendAudit(ctx, &e)
	})
	if err != nil {
		return herald.Feed{}, fmt.Errorf("feeds: create: %w", err)
	}
	s.logger.InfoContext(ctx, "feed created", "workspace_id", f.WorkspaceID, "feed_id", f.ID)
	return f, nil
}

// Update changes some of a feed's settings. The one who saves becomes the
// feed's owner. A new address starts its polling afresh (no validators, no
// back-off); resuming a paused feed polls it soon.
func (s *Service) Update(ctx context.Context, actor herald.Actor, id int64, p Patch) (herald.Feed, error) {
	if err := requireManage(actor); err != nil {
		return herald.Feed{}, err
	}
	var after herald.Feed
	err := s.store.InTx(ctx, func(tx herald.Tx) error {
		before, err := get(ctx, tx, actor.WorkspaceID, id)
		if err != nil {
			return err
		}
		after = before
		set(&after.URL, p.URL)
		set(&after.Name, p.Name)
		set(&after.Mode, p.Mode)
		set(&after.AccountIDs, p.AccountIDs)
		set(&after.Template, p.Template)
		set(&after.LabelIDs, p.LabelIDs)
		set(&after.Paused, p.Paused)
		if p.ClearCampaign {
			after.CampaignID = nil
		} else if p.CampaignID != nil {
			after.CampaignID = p.CampaignID
		}
		if err := after.Validate(); err != nil {
			return err
		}
		if err := checkRefs(ctx, tx, &after); err != nil {
			return err
		}
		now := s.clock.Now().UTC().Truncate(time.Microsecond)
		after.OwnerID, after.UpdatedAt = actor.UserID, now
		if err := tx.UpdateFeed(ctx, &after); err != nil {
			return err
		}
		switch {
		case after.URL != before.URL:
			after.FeedPoll = herald.FeedPoll{NextPollAt: now}
		case before.Paused && !after.Paused:
			after.NextPollAt, after.Failures = now, 0
		}
		if after.FeedPoll != before.FeedPoll {
			if err := tx.SaveFeedPoll(ctx, after.WorkspaceID, after.ID, after.FeedPoll); err != nil {
				return err
			}
		}
		e := herald.NewAudit(actor, "feed.update", "feed", id, before, after, now)
		return tx.AppendAudit(ctx, &e)
	})
	if err != nil {
		return herald.Feed{}, fmt.Errorf("feeds: update %d: %w", id, err)
	}
	return after, nil
}

// Delete removes a feed and its record of used entries; its posts stay.
func (s *Service) Delete(ctx context.Context, actor herald.Actor, id int64) error {
	if err := requireManage(actor); err != nil {
		return err
	}
	err := s.store.InTx(ctx, func(tx herald.Tx) error {
		before, err := get(ctx, tx, actor.WorkspaceID, id)
		if err != nil {
			return err
		}
		if err := tx.DeleteFeed(ctx, actor.WorkspaceID, id); err != nil {
			return err
		}
		e := herald.NewAudit(actor, "feed.delete", "feed", id, before, nil, s.clock.Now())
		return tx.AppendAudit(ctx, &e)
	})
	if err != nil {
		return fmt.Errorf("feeds: delete %d: %w", id, err)
	}
	return nil
}

func set[T any](dst *T, v *T) {
	if v != nil {
		*dst = *v
	}
}

// checkRefs checks that the feed's accounts, labels and campaign are the
// workspace's, and in queue mode that each account has posting slots.
func checkRefs(ctx context.Context, tx herald.Tx, f *herald.Feed) error {
	var pr herald.Problems
	accounts, err := tx.ListAccounts(ctx, f.WorkspaceID)
	if err != nil {
		return fmt.Errorf("feeds: list accounts: %w", err)
	}
	byID := map[int64]herald.Account{}
	for _, a := range accounts {
		byID[a.ID] = a
	}
	for _, id := range f.AccountIDs {
		a, ok := byID[id]
		switch {
		case !ok:
			pr.Add("account_ids", "account %d is not an account of this workspace", id)
		case f.Mode == herald.FeedQueue && len(a.PostingSchedule.Slots) == 0:
			pr.Add("account_ids", "account %d (%s) has no posting schedule: add time slots on the Accounts page, or make drafts", id, a.Handle)
		}
	}
	labels, err := tx.ListLabels(ctx, f.WorkspaceID)
	if err != nil {
		return fmt.Errorf("feeds: list labels: %w", err)
	}
	known := map[int64]bool{}
	for _, l := range labels {
		known[l.ID] = true
	}
	for _, id := range f.LabelIDs {
		if !known[id] {
			pr.Add("label_ids", "label %d is not a label of this workspace", id)
		}
	}
	if f.CampaignID != nil {
		if _, err := tx.GetCampaign(ctx, f.WorkspaceID, *f.CampaignID); errors.Is(err, herald.ErrNotFound) {
			pr.Add("campaign_id", "campaign %d is not a campaign of this workspace", *f.CampaignID)
		} else if err != nil {
			return fmt.Errorf("feeds: get campaign: %w", err)
		}
	}
	return pr.Err("the feed is not valid")
}
