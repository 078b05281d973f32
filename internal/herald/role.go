package herald

import "context"

// Role is a member's role in one workspace.
type Role string

// Roles, from most to least powerful.
const (
	RoleOwner       Role = "owner"       // everything, including deleting the workspace
	RoleAdmin       Role = "admin"       // everything but deleting the workspace
	RoleManager     Role = "manager"     // runs publishing: approves, schedules, connects accounts
	RoleEditor      Role = "editor"      // writes and schedules posts without approval
	RoleContributor Role = "contributor" // writes posts; they need approval before scheduling
	RoleAnalyst     Role = "analyst"     // reads posts, campaigns and numbers
	RoleClient      Role = "client"      // reads and approves, as an agency's client does
)

// Roles lists every role, most powerful first.
var Roles = []Role{RoleOwner, RoleAdmin, RoleManager, RoleEditor, RoleContributor, RoleAnalyst, RoleClient}

// Valid reports whether r is a known role.
func (r Role) Valid() bool { return r.rank() > 0 }

// rank orders roles for "may grant at most your own role"; higher is stronger.
func (r Role) rank() int {
	switch r {
	case RoleOwner:
		return 7
	case RoleAdmin:
		return 6
	case RoleManager:
		return 5
	case RoleEditor:
		return 4
	case RoleContributor:
		return 3
	case RoleAnalyst:
		return 2
	case RoleClient:
		return 1
	}
	return 0
}

// AtLeast reports whether r is as strong as other.
func (r Role) AtLeast(other Role) bool { return r.rank() >= other.rank() }

// Min returns the weaker of r and other (an API token's role is capped by its
// owner's current membership role).
func (r Role) Min(other Role) Role {
	if r.rank() <= other.rank() {
		return r
	}
	return other
}

// Action is something a member may or may not do in a workspace.
type Action string

// Actions checked by the services.
const (
	ActWorkspaceRead   Action = "workspace.read"
	ActWorkspaceUpdate Action = "workspace.update"
	ActWorkspaceDelete Action = "workspace.delete"
	ActMembersRead     Action = "members.read"
	ActMembersManage   Action = "members.manage" // invite, change roles, remove
	ActAccountsRead    Action = "accounts.read"
	ActAccountsManage  Action = "accounts.manage" // connect, update, pause, disconnect
	ActPostsRead       Action = "posts.read"
	ActPostsWrite      Action = "posts.write"    // create and edit drafts, submit for review
	ActPostsSchedule   Action = "posts.schedule" // schedule or publish without approval
	ActPostsApprove    Action = "posts.approve"  // approve or request changes
	ActPostsDelete     Action = "posts.delete"
	ActPostsHold       Action = "posts.hold" // pause/resume, the crisis switch
	ActMediaRead       Action = "media.read"
	ActMediaWrite      Action = "media.write"
	ActLabelsManage    Action = "labels.manage"
	ActCampaignsRead   Action = "campaigns.read"
	ActCampaignsManage Action = "campaigns.manage"
	ActAnalyticsRead   Action = "analytics.read"
	ActReportsManage   Action = "reports.manage"
	ActAuditRead       Action = "audit.read"
	ActTokensCreate    Action = "tokens.create" // create tokens for oneself (role capped at one's own)
	ActTokensManage    Action = "tokens.manage" // list and revoke everyone's tokens
	// ActTemplatesManage creates, edits and deletes templates, snippets
	// and hashtag groups (using them is posts.write).
	ActTemplatesManage Action = "templates.manage"
	// ActWebhooksManage adds, changes and removes the workspace's
	// notification channels (Slack, Discord, signed webhooks), reads their
	// delivery logs and sends test notifications.
	ActWebhooksManage Action = "webhooks.manage"
	// ActInboxRulesManage creates, edits, reorders and deletes the
	// workspace's inbox rules (everyone who reads posts sees them).
	ActInboxRulesManage Action = "inbox_rules.manage"
	// ActListenManage creates, edits, pauses and deletes the workspace's
	// listening topics (reading what they found is analytics.read).
	ActListenManage Action = "listen.manage"
)

// Actions lists every action (for the permission table and its tests).
var Actions = []Action{ActWorkspaceRead, ActWorkspaceUpdate, ActWorkspaceDelete, ActMembersRead,
	ActMembersManage, ActAccountsRead, ActAccountsManage, ActPostsRead, ActPostsWrite,
	ActPostsSchedule, ActPostsApprove, ActPostsDelete, ActPostsHold, ActMediaRead, ActMediaWrite,
	ActLabelsManage, ActCampaignsRead, ActCampaignsManage, ActAnalyticsRead, ActAuditRead,
	ActTokensCreate, ActTokensManage, ActTemplatesManage, ActWebhooksManage, ActInboxRulesManage, ActReportsManage, ActListenManage}

// permissions is the table services enforce. Owner may do everything.
var permissions = map[Role][]Action{
	RoleAdmin: {ActWorkspaceRead, ActWorkspaceUpdate, ActMembersRead, ActMembersManage,
		ActAccountsRead, ActAccountsManage, ActPostsRead, ActPostsWrite, ActPostsSchedule,
		ActPostsApprove, ActPostsDelete, ActPostsHold, ActMediaRead, ActMediaWrite, ActLabelsManage,
		ActCampaignsRead, ActCampaignsManage, ActAnalyticsRead, ActAuditRead, ActTokensCreate,
		ActTokensManage, ActTemplatesManage, ActWebhooksManage, ActInboxRulesManage, ActReportsManage, ActListenManage},
	RoleManager: {ActWorkspaceRead, ActMembersRead, ActAccountsRead, ActAccountsManage,
		ActPostsRead, ActPostsWrite, ActPostsSchedule, ActPostsApprove, ActPostsDelete, ActPostsHold,
		ActMediaRead, ActMediaWrite, ActLabelsManage, ActCampaignsRead, ActCampaignsManage,
		ActAnalyticsRead, ActAuditRead, ActTokensCreate, ActTemplatesManage, ActWebhooksManage,
		ActInboxRulesManage, ActReportsManage, ActListenManage},
	RoleEditor: {ActWorkspaceRead, ActMembersRead, ActAccountsRead, ActPostsRead, ActPostsWrite,
		ActPostsSchedule, ActPostsDelete, ActMediaRead, ActMediaWrite, ActLabelsManage,
		ActCampaignsRead, ActAnalyticsRead, ActTokensCreate, ActTemplatesManage},
	RoleContributor: {ActWorkspaceRead, ActMembersRead, ActAccountsRead, ActPostsRead,
		ActPostsWrite, ActMediaRead, ActMediaWrite, ActCampaignsRead, ActTokensCreate},
	RoleAnalyst: {ActWorkspaceRead, ActMembersRead, ActAccountsRead, ActPostsRead, ActMediaRead,
		ActCampaignsRead, ActAnalyticsRead, ActTokensCreate},
	RoleClient: {ActWorkspaceRead, ActAccountsRead, ActPostsRead, ActPostsApprove, ActMediaRead,
		ActCampaignsRead, ActAnalyticsRead},
}

// Can reports whether role r may perform a.
func (r Role) Can(a Action) bool {
	if r == RoleOwner {
		return true
	}
	for _, x := range permissions[r] {
		if x == a {
			return true
		}
	}
	return false
}

// Actor is who performs a service call in a workspace: a user, possibly
// through an API token, with the role that applies (for a token, the
// weaker of the token's role and the user's membership role).
type Actor struct {
	UserID      int64
	TokenID     int64 // 0 for a browser session
	WorkspaceID int64
	Role        Role
	// ReviewLinkID is set when someone outside the workspace acts through
	// a review link (UserID is then 0); Name is the link's name, which the
	// audit log and the post's history show instead of a member's.
	ReviewLinkID int64
	Name         string
}

// Require returns nil if the actor's role allows a, or a forbidden error that
// names the action and the role.
func (a Actor) Require(act Action) error {
	if a.Role.Can(act) {
		return nil
	}
	return &Error{Code: CodeForbidden, Message: "the " + string(a.Role) + " role cannot do " + string(act)}
}

// Principal is an authenticated caller before a workspace is chosen.
type Principal struct {
	UserID int64
	// Token is set when the caller authenticated with an API token; a token
	// works only in its own workspace.
	Token *APIToken
}

type principalKey struct{}

// WithPrincipal returns a context carrying p.
func WithPrincipal(ctx context.Context, p Principal) context.Context {
	return context.WithValue(ctx, principalKey{}, p)
}

// PrincipalFrom returns the principal in ctx, if any.
func PrincipalFrom(ctx context.Context) (Principal, bool) {
	p, ok := ctx.Value(principalKey{}).(Principal)
	return p, ok
}
