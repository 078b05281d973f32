// Package source defines what a listening source gives Herald: public posts
// from a platform, each with enough about its author and its place in a
// conversation to match it against topics, store it once and reply to it.
// The sources themselves (the Bluesky firehose, Mastodon hashtag timelines
// and search, X recent search) live in packages of their own and deliver
// Posts in batches to a Sink.
package source

import (
	"context"
	"time"
)

// Post is one public post a source saw.
type Post struct {
	// Platform is the platform's kind as Herald names it ("bluesky",
	// "mastodon", "x").
	Platform string
	// RemoteID identifies the post on its platform and is what Herald
	// deduplicates on: the at:// URI on Bluesky, the status's URI
	// (ActivityPub id) on Mastodon-API servers, the post id on X.
	RemoteID string
	// CID is the Bluesky record's CID (for replies and quotes), "" elsewhere.
	CID string
	// URL is where a person reads the post in a browser, "" when unknown.
	URL string
	// AuthorID is the author's stable id: a DID on Bluesky, the account's
	// user@host on Mastodon-API servers, the user id on X.
	AuthorID string
	// AuthorHandle is the author's handle as shown (alice.bsky.social,
	// alice@example.social, alice), "" when the source does not give it.
	AuthorHandle string
	// AuthorName is the author's display name, "" when not given.
	AuthorName string
	// AuthorFollowers is the author's follower count where the source gives
	// it, -1 when it does not.
	AuthorFollowers int64
	// Text is the post's text (plain; HTML already turned into text).
	Text string
	// Languages are the languages the author or platform declared (BCP 47),
	// most likely first; none when not declared.
	Languages []string
	// Tags are the hashtags the platform reports on the post (without '#'),
	// beside those written in the text.
	Tags []string
	// Mentions are the accounts the post mentions, in the AuthorID form
	// (DIDs on Bluesky, user@host on Mastodon-API servers).
	Mentions []string
	// ReplyTo is the RemoteID of the post this one answers, "" for a post
	// that starts a thread; ReplyRoot the RemoteID of the thread's first
	// post.
	ReplyTo, ReplyRoot string
	// PostedAt is when the author says it was written (Bluesky's createdAt,
	// Mastodon's created_at); SeenAt when the source received it.
	PostedAt, SeenAt time.Time
}

// Batch is what a source delivers at once: posts and the position in the
// source's stream after them. A source resumes from the last Cursor its
// Sink accepted, so a post is delivered again after a crash rather than
// lost; Herald stores each RemoteID once.
type Batch struct {
	// Source names the stream the cursor belongs to, such as
	// "bluesky-firehose:pds.example.com" or "mastodon-tag:example.social#acme".
	Source string
	Posts  []Post
	// Cursor is the position after the batch ("" when the source has none).
	Cursor string
}

// Sink takes batches. Accept returns only after the batch is stored (or
// found already stored); an error stops the source, which resumes from the
// last accepted cursor when started again.
type Sink interface {
	Accept(ctx context.Context, b Batch) error
}

// SinkFunc adapts a function to Sink.
type SinkFunc func(ctx context.Context, b Batch) error

// Accept calls f.
func (f SinkFunc) Accept(ctx context.Context, b Batch) error { return f(ctx, b) }

// Cursors keeps each source's last accepted cursor.
type Cursors interface {
	// Cursor returns the source's last cursor, "" when it has none.
	Cursor(ctx context.Context, source string) (string, error)
}
