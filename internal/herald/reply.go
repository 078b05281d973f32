package herald

import (
	"context"
	"time"
)

// ReplyState is where a reply to an inbox item stands. A reply is recorded
// (sending) before the platform is called, so a crash, a timeout or a
// second click never sends it twice: a reply whose send had no clear
// answer is settled by the platform's idempotency key or by looking it up
// before anything is sent again.
type ReplyState string

// Reply states.
const (
	// ReplySending: an attempt holds the reply until LeaseUntil.
	ReplySending ReplyState = "sending"
	// ReplySent: the platform confirmed it (RemoteID set).
	ReplySent ReplyState = "sent"
	// ReplyUnsettled: the last send had no clear answer; Herald checks
	// with the platform before sending again.
	ReplyUnsettled ReplyState = "unsettled"
	// ReplyUnconfirmed: nothing can tell whether the platform has it; a
	// person decides (mark it sent, or send it again).
	ReplyUnconfirmed ReplyState = "unconfirmed"
	// ReplyFailed: the platform refused it (Error says why); nothing is
	// on the platform.
	ReplyFailed ReplyState = "failed"
)

// Reply is one reply to an inbox item, from the account the item
// came to. Key is unique: the same reply asked for twice is one reply.
type Reply struct {
	ID          int64  `json:"id"`
	WorkspaceID int64  `json:"workspace_id"`
	ItemID      int64  `json:"item_id"`
	UserID      *int64 `json:"user_id,omitempty"` // who asked for it
	// AccountID is the account the reply is sent from when it is not the
	// one the item came to ("answer as"); nil: the item's own account.
	AccountID *int64     `json:"account_id,omitempty"`
	Key       string     `json:"-"`
	Text      string     `json:"text"`
	State     ReplyState `json:"state"`
	RemoteID  string     `json:"remote_id,omitempty"`
	URL       string     `json:"url,omitempty"`
	Error     string     `json:"error,omitempty"`
	// Attempts counts sends and checks; each claims the reply with the
	// next number, and only the attempt holding it may record its outcome.
	Attempts   int        `json:"attempts"`
	LeaseUntil *time.Time `json:"-"`
	CreatedAt  time.Time  `json:"created_at"`
	UpdatedAt  time.Time  `json:"updated_at"`
	SentAt     *time.Time `json:"sent_at,omitempty"`
}

// Ref is the reply's reference on the platform (empty until sent).
func (r Reply) Ref() RemoteRef { return RemoteRef{ID: r.RemoteID, URL: r.URL} }

// ReplyStore keeps replies to inbox items.
type ReplyStore interface {
	// BeginReply records r as the first attempt (state sending, Attempts
	// 1, leased until r.LeaseUntil), setting its ID, unless a reply with
	// r.Key exists: then that one is returned and created is false. The
	// item must be in r.WorkspaceID.
	BeginReply(ctx context.Context, r *Reply) (existing Reply, created bool, err error)
	// ClaimReply starts attempt number attempt (the reply's Attempts + 1
	// as the caller read it) on the workspace's reply id, leased until
	// lease: only while the reply is still at attempt-1 and not sent, and
	// not held by a lease still running at now, unless that attempt began
	// before orphanedBefore (see RepliesToSettle). ok is false when another
	// attempt got there first or the reply is sent.
	ClaimReply(ctx context.Context, workspaceID, id int64, attempt int, lease, now, orphanedBefore time.Time) (r Reply, ok bool, err error)
	// FinishReply records attempt's outcome (state, the platform's
	// reference for sent, the error for failed or unconfirmed) at at,
	// only while the reply is still at that attempt; ok says whether it was.
	FinishReply(ctx context.Context, workspaceID, id int64, attempt int, state ReplyState, ref RemoteRef, errMsg string, at time.Time) (ok bool, err error)
	// ListReplies returns an item's replies, oldest first.
	ListReplies(ctx context.Context, workspaceID, itemID int64) ([]Reply, error)
	// RepliesToSettle returns up to limit replies of any workspace that
	// need a check with the platform: unsettled ones, and those still
	// sending whose lease ran out before now or that began before
	// orphanedBefore (zero: none; a single-instance server passes its
	// start time, since nobody else can be sending them), oldest first.
	RepliesToSettle(ctx context.Context, now, orphanedBefore time.Time, limit int) ([]Reply, error)
}
