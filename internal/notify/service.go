package notify

import (
	"context"
	"crypto/rand"
	"fmt"
	"log/slog"
	"slices"
	"time"

	"github.com/heraldsocial/herald/internal/herald"
)

// storeTimeout bounds the feed and channel writes of one notification.
const storeTimeout = 10 * time.Second

// Channels hands a notification to the workspace's channels: Slack,
// Discord and signed webhooks (webhook.(*Service) does).
type Channels interface {
	Deliver(ctx context.Context, n herald.Notification) error
}

// Service is where every notification Herald makes goes. Notify logs it
// and sends it to the operator's webhook (the Notifier), puts it in the
// feed of each member it is for (the bell), and hands it to the
// workspace's channels. The feed and the channels keep one copy per
// event key, so an event told twice is told once.
//
// The members' side reads and marks their own feed. Service is safe for
// concurrent use.
type Service struct {
	store    herald.Store
	clock    herald.Clock
	log      *slog.Logger
	hook     *Notifier
	channels Channels
}

// ServiceDeps are what the service works with.
type ServiceDeps struct {
	Store herald.Store
	// Hook logs every notification and posts it to the operator's
	// webhook (nil: a Notifier that only logs).
	Hook *Notifier
	// Channels delivers to the workspace's channels (nil: none).
	Channels Channels
	Clock    herald.Clock
	Logger   *slog.Logger
}

// NewService returns the notification service.
func NewService(d ServiceDeps) *Service {
	if d.Logger == nil {
		d.Logger = slog.New(slog.DiscardHandler)
	}
	if d.Clock == nil {
		d.Clock = herald.SystemClock{}
	}
	if d.Hook == nil {
		d.Hook = New(d.Logger, "", nil)
	}
	return &Service{store: d.Store, clock: d.Clock, log: d.Logger.With(slog.String("component", "notify")),
		hook: d.Hook, channels: d.Channels}
}

// Notify tells everyone n is for. It must be called outside any
// transaction; it waits for the database (never for a channel's
// receiver, whose delivery the background jobs attempt) and logs what it
// could not store, so the caller's work never fails for a notification.
func (s *Service) Notify(ctx context.Context, n herald.Notification) {
	if n.At.IsZero() {
		n.At = s.clock.Now()
	}
	if n.Key == "" {
		n.Key = "once:" + rand.Text()
	}
	s.hook.Notify(ctx, n)
	if n.WorkspaceID == 0 {
		return
	}
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), storeTimeout)
	defer cancel()
	if err := s.toFeeds(ctx, &n); err != nil {
		s.log.ErrorContext(ctx, "notification not put in the members' feeds", slog.String("kind", string(n.Kind)),
			slog.Int64("workspace_id", n.WorkspaceID), slog.String("key", n.Key), slog.Any("error", err))
	}
	if s.channels == nil {
		return
	}
	if err := s.channels.Deliver(ctx, n); err != nil {
		s.log.ErrorContext(ctx, "notification not handed to the workspace's channels", slog.String("kind", string(n.Kind)),
			slog.Int64("workspace_id", n.WorkspaceID), slog.String("key", n.Key), slog.Any("error", err))
	}
}

// toFeeds puts n in the feed of each member it is for.
func (s *Service) toFeeds(ctx context.Context, n *herald.Notification) error {
	members, err := s.store.ListMembers(ctx, n.WorkspaceID)
	if err != nil {
		return fmt.Errorf("notify: members of workspace %d: %w", n.WorkspaceID, err)
	}
	if err := s.aboutPost(ctx, n); err != nil {
		return err
	}
	to, err := s.recipients(ctx, *n, members)
	if err != nil {
		return err
	}
	if len(to) == 0 {
		return nil
	}
	feed := make([]herald.UserNotification, len(to))
	for i, id := range to {
		feed[i] = herald.UserNotification{UserID: id, Notification: *n}
		feed[i].UserIDs = nil
	}
	if _, err := s.store.AddNotifications(ctx, feed); err != nil {
		return fmt.Errorf("notify: feeds: %w", err)
	}
	return nil
}

// aboutPost finds the post a publishing notification is about when it
// names only the target, and gives a notification without a link the
// page where it is acted on.
func (s *Service) aboutPost(ctx context.Context, n *herald.Notification) error {
	if n.PostID == 0 && n.TargetID != 0 {
		t, err := s.store.GetTarget(ctx, n.WorkspaceID, n.TargetID)
		switch {
		case herald.ErrorCode(err) == herald.CodeNotFound:
			return nil // deleted meanwhile
		case err != nil:
			return fmt.Errorf("notify: target %d: %w", n.TargetID, err)
		}
		n.PostID = t.PostID
	}
	switch {
	case n.Link != "":
	case n.PostID != 0:
		n.Link = fmt.Sprintf("/w/%d/posts/%d", n.WorkspaceID, n.PostID)
	case n.AccountID != 0 && actionFor(n.Kind) == herald.ActAccountsManage:
		n.Link = fmt.Sprintf("/w/%d/accounts", n.WorkspaceID)
	}
	return nil
}

// recipients are the members n is for: those it names, else those whose
// role acts on its kind; never the member who caused it.
func (s *Service) recipients(ctx context.Context, n herald.Notification, members []herald.Member) ([]int64, error) {
	role := make(map[int64]herald.Role, len(members))
	for _, m := range members {
		role[m.UserID] = m.Role
	}
	var to []int64
	add := func(id int64) {
		if _, ok := role[id]; ok && id != n.ActorID && !slices.Contains(to, id) {
			to = append(to, id)
		}
	}
	if len(n.UserIDs) > 0 {
		for _, id := range n.UserIDs {
			add(id)
		}
		return to, nil
	}
	act := actionFor(n.Kind)
	if author, err := s.author(ctx, n); err != nil {
		return nil, err
	} else if author != 0 {
		add(author)
		if role[author].Can(act) {
			return to, nil // the author can act on it themselves
		}
	}
	for _, m := range members {
		if m.Role.Can(act) {
			add(m.UserID)
		}
	}
	return to, nil
}

// author is the author of the post a publishing notification is about.
func (s *Service) author(ctx context.Context, n herald.Notification) (int64, error) {
	switch n.Kind {
	case herald.NotifyTargetFailed, herald.NotifyTargetUnconfirmed, herald.NotifyTargetOverdue:
	default:
		return 0, nil
	}
	if n.PostID == 0 {
		return 0, nil
	}
	p, err := s.store.GetPost(ctx, n.WorkspaceID, n.PostID)
	switch {
	case herald.ErrorCode(err) == herald.CodeNotFound:
		return 0, nil
	case err != nil:
		return 0, fmt.Errorf("notify: post %d: %w", n.PostID, err)
	}
	return p.AuthorID, nil
}

// actionFor is what a member's role must allow to act on a notification
// of kind k that names no one.
func actionFor(k herald.NotificationKind) herald.Action {
	switch k {
	case herald.NotifyTargetFailed, herald.NotifyTargetUnconfirmed, herald.NotifyTargetOverdue,
		herald.NotifyInboxOverdue, herald.NotifyInboxAssigned:
		return herald.ActPostsSchedule
	case herald.NotifyAccountExpiring, herald.NotifyAccountExpired, herald.NotifyAccountRevoked:
		return herald.ActAccountsManage
	case herald.NotifyApprovalRequested:
		return herald.ActPostsApprove
	case herald.NotifyBudgetOverPlan:
		return herald.ActCampaignsManage
	case herald.NotifyCrisisDetected:
		return herald.ActPostsHold
	}
	return herald.ActWorkspaceUpdate
}

// List returns a page of the actor's own feed in the workspace.
func (s *Service) List(ctx context.Context, actor herald.Actor, f herald.NotificationFilter) (herald.NotificationPage, error) {
	if err := own(actor); err != nil {
		return herald.NotificationPage{}, err
	}
	for _, k := range f.Kinds {
		if !slices.Contains(herald.NotificationKinds, k) {
			return herald.NotificationPage{}, herald.Problems{{Field: "kind",
				Problem: fmt.Sprintf("%q is not a kind of notification; use one of %v", k, herald.NotificationKinds)}}.
				Err("the filter is not valid")
		}
	}
	p, err := s.store.ListNotifications(ctx, actor.WorkspaceID, actor.UserID, f)
	if err != nil {
		return herald.NotificationPage{}, fmt.Errorf("notify: feed: %w", err)
	}
	return p, nil
}

// Unread counts the actor's unread notifications in the workspace.
func (s *Service) Unread(ctx context.Context, actor herald.Actor) (int, error) {
	if err := own(actor); err != nil {
		return 0, err
	}
	n, err := s.store.CountUnreadNotifications(ctx, actor.WorkspaceID, actor.UserID)
	if err != nil {
		return 0, fmt.Errorf("notify: unread: %w", err)
	}
	return n, nil
}

// Mark marks the actor's notifications ids read (or unread again) and
// says how many changed; ids that are not the actor's are left alone.
func (s *Service) Mark(ctx context.Context, actor herald.Actor, ids []int64, read bool) (int, error) {
	if err := own(actor); err != nil {
		return 0, err
	}
	if len(ids) == 0 {
		return 0, herald.Problems{{Field: "ids", Problem: "is empty; name the notifications to mark"}}.Err("nothing to mark")
	}
	if len(ids) > 500 {
		return 0, herald.Problems{{Field: "ids", Problem: fmt.Sprintf("has %d ids; at most 500 at once", len(ids))}}.Err("too many to mark")
	}
	n, err := s.store.MarkNotifications(ctx, actor.WorkspaceID, actor.UserID, ids, read, s.clock.Now())
	if err != nil {
		return 0, fmt.Errorf("notify: mark: %w", err)
	}
	return n, nil
}

// MarkAllRead marks every unread notification of the actor's in the
// workspace read and says how many there were.
func (s *Service) MarkAllRead(ctx context.Context, actor herald.Actor) (int, error) {
	if err := own(actor); err != nil {
		return 0, err
	}
	n, err := s.store.MarkNotifications(ctx, actor.WorkspaceID, actor.UserID, nil, true, s.clock.Now())
	if err != nil {
		return 0, fmt.Errorf("notify: mark all read: %w", err)
	}
	return n, nil
}

// own refuses callers who have no feed of their own: a token acting for
// no person.
func own(actor herald.Actor) error {
	if actor.UserID == 0 {
		return herald.Errorf(herald.CodeForbidden, "notifications belong to a person; this caller acts for no one")
	}
	return actor.Require(herald.ActWorkspaceRead)
}
