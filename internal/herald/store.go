package herald

import (
	"context"
	"time"
)

// The store contract. internal/sqlite and internal/postgres implement it and
// internal/storetest checks both against it. Rules every implementation keeps:
//
//   - Not found is ErrNotFound (wrapped or not), never a zero value and nil.
//     Every workspace-scoped read, update and delete takes the workspace id
//     and answers ErrNotFound for an object of another workspace.
//   - A unique or foreign-key violation is ErrConflict (wrapped, with a
//     message naming what clashed).
//   - Create methods set the ID (and CreatedAt/UpdatedAt from the values the
//     caller put in, which the caller sets from its Clock; a zero time is set
//     to the store's now).
//   - Times go in and come out as UTC instants with microsecond precision,
//     exactly as given.
//   - Listing methods return items in a stable order and a next cursor, ""
//     on the last page.

// WorkspaceStore keeps workspaces.
type WorkspaceStore interface {
	CreateWorkspace(ctx context.Context, w *Workspace) error
	GetWorkspace(ctx context.Context, id int64) (Workspace, error)
	UpdateWorkspace(ctx context.Context, w *Workspace) error // name, zone, brand rules, UpdatedAt
	DeleteWorkspace(ctx context.Context, id int64) error     // and everything in it
	// ListUserWorkspaces returns the workspaces userID is a member of, by name.
	ListUserWorkspaces(ctx context.Context, userID int64) ([]UserWorkspace, error)
	// GetWorkspaceLogo returns the workspace's logo; ErrNotFound when it
	// has none.
	GetWorkspaceLogo(ctx context.Context, workspaceID int64) (WorkspaceLogo, error)
	// PutWorkspaceLogo saves l as its workspace's logo, replacing any;
	// ErrConflict when the workspace does not exist.
	PutWorkspaceLogo(ctx context.Context, l *WorkspaceLogo) error
	// DeleteWorkspaceLogo removes the workspace's logo; ErrNotFound when
	// it has none.
	DeleteWorkspaceLogo(ctx context.Context, workspaceID int64) error
}

// UserStore keeps users. Emails are unique (stored lower-cased).
type UserStore interface {
	CreateUser(ctx context.Context, u *User) error
	GetUser(ctx context.Context, id int64) (User, error)
	GetUserByEmail(ctx context.Context, email string) (User, error)
	UpdateUser(ctx context.Context, u *User) error // name, email, password hash, last login, UpdatedAt
	CountUsers(ctx context.Context) (int, error)
}

// MembershipStore keeps who belongs to which workspace with which role.
type MembershipStore interface {
	AddMember(ctx context.Context, m *Membership) error // ErrConflict if already a member
	GetMembership(ctx context.Context, workspaceID, userID int64) (Membership, error)
	ListMembers(ctx context.Context, workspaceID int64) ([]Member, error) // by name
	UpdateMemberRole(ctx context.Context, workspaceID, userID int64, role Role) error
	RemoveMember(ctx context.Context, workspaceID, userID int64) error
	CountMembersWithRole(ctx context.Context, workspaceID int64, role Role) (int, error)
	// LockOwners locks the workspace's owner memberships until the
	// transaction ends and returns how many there are. A change that may
	// take away an owner (a demotion, a removal) calls it first, inside
	// its transaction, so two owners demoting each other at once cannot
	// both see the other still there: the second waits and counts again.
	LockOwners(ctx context.Context, workspaceID int64) (int, error)
}

// InvitationStore keeps pending and accepted invitations.
type InvitationStore interface {
	CreateInvitation(ctx context.Context, inv *Invitation) error
	GetInvitation(ctx context.Context, workspaceID, id int64) (Invitation, error)
	GetInvitationByTokenHash(ctx context.Context, hash []byte) (Invitation, error)
	ListInvitations(ctx context.Context, workspaceID int64) ([]Invitation, error) // not yet accepted, newest first
	// AcceptInvitation marks it accepted by userID; ErrConflict if it already was.
	AcceptInvitation(ctx context.Context, id, userID int64, at time.Time) error
	DeleteInvitation(ctx context.Context, workspaceID, id int64) error
}

// TokenStore keeps API tokens (hashed).
type TokenStore interface {
	CreateToken(ctx context.Context, t *APIToken) error
	GetToken(ctx context.Context, workspaceID, id int64) (APIToken, error)
	GetTokenByHash(ctx context.Context, hash []byte) (APIToken, error)
	// ListTokens lists a workspace's tokens, newest first; userID 0 means every user's.
	ListTokens(ctx context.Context, workspaceID, userID int64) ([]APIToken, error)
	RevokeToken(ctx context.Context, workspaceID, id int64, at time.Time) error
	TouchToken(ctx context.Context, id int64, at time.Time) error // sets LastUsedAt
	// RevokeUserTokens revokes every active token of userID in every
	// workspace and returns how many it revoked.
	RevokeUserTokens(ctx context.Context, userID int64, at time.Time) (int64, error)
}

// SessionStore keeps browser sessions for alexedwards/scs. A session's key
// is what the auth layer gives: a hash of the cookie's token, never the
// token itself. userID is the signed-in user, 0 for an anonymous session.
type SessionStore interface {
	FindSession(ctx context.Context, key string) (data []byte, found bool, err error)                 // expired ones are not found
	CommitSession(ctx context.Context, key string, userID int64, data []byte, expiry time.Time) error // insert or replace
	DeleteSession(ctx context.Context, key string) error                                              // no error if absent
	// DeleteUserSessions ends every session of userID except the one with
	// key exceptKey ("" for none) and returns how many it ended.
	DeleteUserSessions(ctx context.Context, userID int64, exceptKey string) (int64, error)
	DeleteExpiredSessions(ctx context.Context, now time.Time) (int64, error)
}

// AccountStore keeps connected social accounts. (workspace, platform,
// remote id) is unique.
type AccountStore interface {
	CreateAccount(ctx context.Context, a *Account) error
	GetAccount(ctx context.Context, workspaceID, id int64) (Account, error)
	// LockAccount is GetAccount that also locks the account until the
	// transaction ends, for a read-compare-write (the token refresh) that
	// must not overwrite a change committed between its read and its
	// write: a concurrent writer waits, then applies its change after.
	LockAccount(ctx context.Context, workspaceID, id int64) (Account, error)
	ListAccounts(ctx context.Context, workspaceID int64) ([]Account, error) // by platform, then handle
	UpdateAccount(ctx context.Context, a *Account) error                    // every field but ids, platform and CreatedAt
}

// PostStore keeps posts with their targets and target history.
type PostStore interface {
	// CreatePost inserts the post, its labels and its targets (setting their
	// IDs, PostID, WorkspaceID), with Version 1 for the post and each target.
	// A second post for the same (SeriesID, OccurrenceAt) is ErrConflict.
	// UpdatePost saves Recurrence, SeriesID and OccurrenceAt too.
	CreatePost(ctx context.Context, p *Post) error
	GetPost(ctx context.Context, workspaceID, id int64) (Post, error) // with labels and targets (by id)
	// UpdatePost saves the post's fields, labels and targets if the stored
	// version is still expectedVersion (else ErrConflict), and bumps Version.
	// Targets with ID 0 are inserted, targets missing from p.Targets are
	// deleted, the others have their variant and ScheduledAt saved and their
	// Version bumped (state changes go through TransitionTarget).
	UpdatePost(ctx context.Context, p *Post, expectedVersion int64) error
	DeletePost(ctx context.Context, workspaceID, id int64) error
	// ListPosts returns posts matching f, newest first (by id), with their targets.
	ListPosts(ctx context.Context, f PostFilter) (posts []Post, next string, err error)
	GetTarget(ctx context.Context, workspaceID, id int64) (Target, error)
	// TransitionTarget saves t's state and the fields a transition may change
	// (ScheduledAt, RemoteID, RemoteURL, LastError, PublishedAt, UpdatedAt)
	// and appends tr, if the stored target still has state tr.From and
	// version t.Version; else ErrConflict. It bumps t.Version.
	TransitionTarget(ctx context.Context, t *Target, tr TargetTransition) error
	ListTargetTransitions(ctx context.Context, workspaceID, targetID int64) ([]TargetTransition, error) // oldest first
	// ListRecurringPosts returns, in every workspace, the first posts of
	// series that still recur (SeriesID set to their own id and a non-empty
	// Recurrence), by id, with their labels and targets.
	ListRecurringPosts(ctx context.Context) ([]Post, error)
}

// RemoteStore records what people did to published posts on their
// platforms through Herald.
type RemoteStore interface {
	// MarkTargetRemote sets the target's RemoteDeletedAt and EditedAt
	// (each only when not nil), its RemoteURL (only when not "") and its
	// UpdatedAt (to deletedAt, else editedAt, when one is given), leaving
	// everything else, its version included, as it is. A target of
	// another workspace is ErrNotFound.
	MarkTargetRemote(ctx context.Context, workspaceID, targetID int64, deletedAt, editedAt *time.Time, remoteURL string) error
}

// MediaStore keeps media asset records.
type MediaStore interface {
	CreateMedia(ctx context.Context, m *MediaAsset) error
	GetMedia(ctx context.Context, workspaceID, id int64) (MediaAsset, error)
	GetMediaByHash(ctx context.Context, workspaceID int64, sha256 string) (MediaAsset, error)
	ListMedia(ctx context.Context, f MediaFilter) (media []MediaAsset, next string, err error) // newest first
	UpdateMedia(ctx context.Context, m *MediaAsset) error                                      // filename, alt text, tags, UpdatedAt
	DeleteMedia(ctx context.Context, workspaceID, id int64) error
	// MediaUsage returns up to limit targets of the workspace whose variant
	// or thread uses media id: those that may still publish first, then
	// the newest posts first.
	MediaUsage(ctx context.Context, workspaceID, id int64, limit int) ([]MediaUse, error)
}

// LabelStore keeps labels. Names are unique per workspace, case-insensitively.
type LabelStore interface {
	CreateLabel(ctx context.Context, l *Label) error
	GetLabel(ctx context.Context, workspaceID, id int64) (Label, error)
	ListLabels(ctx context.Context, workspaceID int64) ([]Label, error) // by name
	UpdateLabel(ctx context.Context, l *Label) error
	DeleteLabel(ctx context.Context, workspaceID, id int64) error // and its uses on posts
}

// CampaignStore keeps campaigns.
type CampaignStore interface {
	CreateCampaign(ctx context.Context, c *Campaign) error
	GetCampaign(ctx context.Context, workspaceID, id int64) (Campaign, error)
	ListCampaigns(ctx context.Context, workspaceID int64) ([]Campaign, error) // newest first
	UpdateCampaign(ctx context.Context, c *Campaign) error
	DeleteCampaign(ctx context.Context, workspaceID, id int64) error // posts keep existing, unlinked
}

// EvergreenStore keeps evergreen posts, their recycled copies and each
// workspace's recycling policy.
type EvergreenStore interface {
	// GetEvergreenSettings returns the workspace's policy, ErrNotFound if
	// it never saved one.
	GetEvergreenSettings(ctx context.Context, workspaceID int64) (EvergreenSettings, error)
	PutEvergreenSettings(ctx context.Context, s *EvergreenSettings) error // insert or replace
	// ListEvergreenWorkspaces returns the ids of the workspaces whose
	// policy is enabled, in order.
	ListEvergreenWorkspaces(ctx context.Context) ([]int64, error)
	// PutEvergreen marks a post evergreen or replaces its variants
	// (CreatedAt kept from the first marking). ErrConflict if the post is
	// not in the workspace.
	PutEvergreen(ctx context.Context, e *EvergreenPost) error
	GetEvergreen(ctx context.Context, workspaceID, postID int64) (EvergreenPost, error)
	ListEvergreen(ctx context.Context, workspaceID int64) ([]EvergreenPost, error) // by post id
	DeleteEvergreen(ctx context.Context, workspaceID, postID int64) error          // its copies stay
	// CreateEvergreenCopy records a copy and sets its ID; ErrConflict when
	// (origin, account, slot) or (account, slot) already has one.
	CreateEvergreenCopy(ctx context.Context, c *EvergreenCopy) error
	// ListEvergreenCopies returns the workspace's copies of originID (every
	// origin's for 0), by slot.
	ListEvergreenCopies(ctx context.Context, workspaceID, originID int64) ([]EvergreenCopy, error)
	// ListAccountEvergreenCopies returns the copies on accountID whose slot
	// is in [from, to), by slot.
	ListAccountEvergreenCopies(ctx context.Context, workspaceID, accountID int64, from, to time.Time) ([]EvergreenCopy, error)
	// GetEvergreenCopyByPost returns the copy whose post is postID.
	GetEvergreenCopyByPost(ctx context.Context, workspaceID, postID int64) (EvergreenCopy, error)
}

// CalendarFeedStore keeps people's secret calendar feed addresses (hashed).
type CalendarFeedStore interface {
	CreateCalendarFeed(ctx context.Context, f *CalendarFeed) error
	// GetCalendarFeedByHash returns the feed with that token hash, revoked
	// or not.
	GetCalendarFeedByHash(ctx context.Context, hash []byte) (CalendarFeed, error)
	// GetCalendarFeed returns userID's unrevoked feed in the workspace.
	GetCalendarFeed(ctx context.Context, workspaceID, userID int64) (CalendarFeed, error)
	// RevokeCalendarFeeds revokes userID's unrevoked feeds in the
	// workspace and returns how many.
	RevokeCalendarFeeds(ctx context.Context, workspaceID, userID int64, at time.Time) (int64, error)
}

// AuditStore keeps the append-only audit log.
type AuditStore interface {
	AppendAudit(ctx context.Context, e *AuditEntry) error
	ListAudit(ctx context.Context, f AuditFilter) (entries []AuditEntry, next string, err error) // newest first
}

// Tx is every store, inside one transaction or not.
type Tx interface {
	WorkspaceStore
	UserStore
	MembershipStore
	InvitationStore
	TokenStore
	SessionStore
	AccountStore
	PostStore
	RemoteStore
	MediaStore
	LabelStore
	CampaignStore
	AuditStore
	ConnectStore
	InstanceSoftwareStore
	MetricsStore
	AnalyticsStore
	LinkStore
	ReportStore
	InboxStore
	DMStore
	InboxRuleStore
	InboxNoteStore
	SavedReplyStore
	InboxTargetStore
	ReplyStore
	InboxSyncStore
	InboxStreamStore
	CommentStore
	EvergreenStore
	CalendarFeedStore
	ReviewStore
	TemplateStore
	SnippetStore
	FeedStore
	WebhookStore
	TaskStore
	NotificationStore
	ListenStore
	CrisisStore
	CompetitorStore
	PlaybookStore
	ListenSettingsStore
}

// Store is a database: every store method (each call its own transaction),
// plus the dispatcher's publishing methods, the background jobs' queries,
// transactions, health and lifecycle.
type Store interface {
	Tx
	PublishStore
	InstanceStore
	JobStore
	FeedPollStore
	WebhookSweepStore
	InboxWatcher
	// InTx runs fn in one transaction, committed if fn returns nil and rolled
	// back otherwise. fn must use only the Tx it is given.
	InTx(ctx context.Context, fn func(tx Tx) error) error
	// Ping checks the database answers.
	Ping(ctx context.Context) error
	// MigrationsCurrent reports whether every embedded migration is applied.
	MigrationsCurrent(ctx context.Context) (bool, error)
	// InstallationID returns the installation's random id
	// (NewInstallationID), made on the first call and the same for every
	// later call by any process sharing the database. It keeps platform
	// keys of two installations apart.
	InstallationID(ctx context.Context) (string, error)
	// Dialect is "sqlite" or "postgres".
	Dialect() string
	Close() error
}

// TemplateStore keeps templates. Names are unique per workspace,
// case-insensitively.
type TemplateStore interface {
	CreateTemplate(ctx context.Context, t *Template) error
	GetTemplate(ctx context.Context, workspaceID, id int64) (Template, error)
	ListTemplates(ctx context.Context, f KitFilter) ([]Template, error) // by name; Query matches name and description
	UpdateTemplate(ctx context.Context, t *Template) error              // name, description, content, UpdatedAt
	DeleteTemplate(ctx context.Context, workspaceID, id int64) error
}

// SnippetStore keeps snippets and hashtag groups. Names are unique per
// workspace and kind, case-insensitively.
type SnippetStore interface {
	CreateSnippet(ctx context.Context, s *Snippet) error
	GetSnippet(ctx context.Context, workspaceID, id int64) (Snippet, error)
	ListSnippets(ctx context.Context, f KitFilter) ([]Snippet, error) // by name; Query matches name and text
	UpdateSnippet(ctx context.Context, s *Snippet) error              // name, text, UpdatedAt
	DeleteSnippet(ctx context.Context, workspaceID, id int64) error
	CreateHashtagGroup(ctx context.Context, g *HashtagGroup) error
	GetHashtagGroup(ctx context.Context, workspaceID, id int64) (HashtagGroup, error)
	ListHashtagGroups(ctx context.Context, f KitFilter) ([]HashtagGroup, error) // by name; Query matches name and tags
	UpdateHashtagGroup(ctx context.Context, g *HashtagGroup) error              // name, hashtags, UpdatedAt
	DeleteHashtagGroup(ctx context.Context, workspaceID, id int64) error
}

// WholeTx is a Tx that can leave out the savepoint a store may put around
// each of its multi-statement methods. A method that fails inside the
// Tx Whole returns may leave the transaction unusable, so only a caller
// that rolls the whole transaction back on any error (a batch that is
// all or nothing) asks for it.
type WholeTx interface {
	Whole() Tx
}
