package connector

import (
	"context"
	"errors"
	"time"
)

// Reading other people's public accounts (competitor tracking): a
// connected account lends its access to read a public profile and its
// recent posts with their public counts.

// ErrNoSuchProfile is wrapped by PublicReader.PublicProfile when the
// platform says the handle names no account.
var ErrNoSuchProfile = errors.New("connector: no such public profile")

// PublicProfile is a public account as the platform shows it to others.
// A count the platform does not give is -1, never 0.
type PublicProfile struct {
	RemoteID    string // stable id: account id on the instance read from, DID, user id
	Handle      string // as the platform spells it
	DisplayName string
	URL         string
	Followers   int64
	Following   int64
	Posts       int64
}

// PublicPost is one of a public account's own posts (no reposts) with its
// public counts, -1 where the platform does not give one.
type PublicPost struct {
	RemoteID string
	URL      string
	Text     string // plain text
	PostedAt time.Time
	Likes    int64
	Reposts  int64
	Replies  int64
	Quotes   int64
}

// Engagements is the post's likes, reposts, replies and quotes, the counts
// not given left out; -1 when none is given.
func (p PublicPost) Engagements() int64 {
	var sum int64
	given := false
	for _, n := range []int64{p.Likes, p.Reposts, p.Replies, p.Quotes} {
		if n >= 0 {
			sum += n
			given = true
		}
	}
	if !given {
		return -1
	}
	return sum
}

// PublicReader reads public accounts through a connected account.
type PublicReader interface {
	// PublicProfile looks the handle up; ErrNoSuchProfile (wrapped) when
	// the platform knows no such account, a *Error for other failures.
	PublicProfile(ctx context.Context, acct Account, handle string) (PublicProfile, error)
	// PublicPosts returns the account's (by PublicProfile's RemoteID) own
	// posts published at or after since, newest first, paging as needed
	// (at most a few hundred posts).
	PublicPosts(ctx context.Context, acct Account, remoteID string, since time.Time) ([]PublicPost, error)
}
