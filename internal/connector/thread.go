package connector

import (
	"context"
	"time"

	"github.com/heraldsocial/herald/internal/herald"
)

// ThreadPost is one post of a conversation as the platform shows it.
type ThreadPost struct {
	RemoteID     string
	URL          string
	AuthorID     string
	AuthorHandle string
	AuthorName   string
	// AuthorAvatar is the address of the author's picture ("" when none).
	AuthorAvatar string
	// AuthorFollowers is the author's follower count, -1 where the
	// platform does not give it with the post.
	AuthorFollowers int64
	Text            string
	CreatedAt       time.Time
	ReplyTo         string // remote id of the post it answers, if any
	// EditedAt is when the author last edited the post (nil: never, or
	// the platform does not say).
	EditedAt *time.Time
}

// Thread is a post in its conversation: the posts it answers (oldest
// first, up to the start) and the replies under it (in the platform's
// order, nested ones included).
type Thread struct {
	Ancestors []ThreadPost
	Post      ThreadPost
	Replies   []ThreadPost
}

// ThreadReader reads the conversation a post belongs to, as the account
// sees it. A post no longer on the platform (deleted, or hidden from the
// account) is an *Error with Status 404.
type ThreadReader interface {
	Thread(ctx context.Context, acct Account, ref herald.RemoteRef) (Thread, error)
}
