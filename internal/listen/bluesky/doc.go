// Package bluesky is Herald's listening source for Bluesky: it reads public
// posts from a PDS's or relay's firehose (com.atproto.sync.subscribeRepos),
// from a Jetstream instance, or from an AppView's app.bsky.feed.searchPosts,
// and hands them to a source.Sink as source.Posts.
//
// The firehose and Jetstream readers keep no state of their own: they start
// from the cursor source.Cursors has for them and, after any disconnect,
// from the last cursor their Sink accepted, so a post is delivered again
// rather than lost. Commits on the firehose are decoded but not verified
// (no signature or MST proof checks): point the source at a PDS or relay
// you trust.
//
// The WebSocket client is golang.org/x/net/websocket and the CAR slices of
// commits are read here, so the package needs no module beyond those
// go.sum already holds: indigo's lexicon types (api/atproto, api/bsky) and
// cbor-gen for the frame header. indigo's events and repo packages would
// pull in modules (gorilla/websocket among them) that go.sum lacks.
package bluesky
