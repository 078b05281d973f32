package bluesky

import (
	"strings"
	"time"

	"github.com/bluesky-social/indigo/api/bsky"
	"github.com/bluesky-social/indigo/atproto/syntax"

	"github.com/heraldsocial/herald/internal/listen/source"
)

// Platform is the source.Post Platform of every post this package gives.
const Platform = "bluesky"

// postCollection is the NSID of a Bluesky post record.
const postCollection = "app.bsky.feed.post"

// postURI is the at:// URI of the post record rkey in did's repository.
func postURI(did, rkey string) string {
	return "at://" + did + "/" + postCollection + "/" + rkey
}

// postURL is where bsky.app shows the post; it takes a DID as well as a
// handle, and a DID never goes stale.
func postURL(did, rkey string) string {
	return "https://bsky.app/profile/" + did + "/post/" + rkey
}

// splitPostURI returns the DID and rkey of an at:// URI of a post, ok false
// for any other URI.
func splitPostURI(uri string) (did, rkey string, ok bool) {
	rest, found := strings.CutPrefix(uri, "at://")
	if !found {
		return "", "", false
	}
	parts := strings.Split(rest, "/")
	if len(parts) != 3 || parts[1] != postCollection || parts[0] == "" || parts[2] == "" {
		return "", "", false
	}
	return parts[0], parts[2], true
}

// newPost maps a post record written by did under rkey to a source.Post.
// Neither the firehose nor Jetstream tells follower counts, so
// AuthorFollowers is -1; the caller fills the author's handle and name
// when it knows them.
func newPost(did, rkey, cid string, rec *bsky.FeedPost, seen time.Time) source.Post {
	p := source.Post{
		Platform:        Platform,
		RemoteID:        postURI(did, rkey),
		CID:             cid,
		URL:             postURL(did, rkey),
		AuthorID:        did,
		AuthorFollowers: -1,
		Text:            rec.Text,
		Languages:       nonEmpty(rec.Langs),
		PostedAt:        parseCreatedAt(rec.CreatedAt, seen),
		SeenAt:          seen,
	}
	var tags, mentions []string
	tags = appendUnique(tags, rec.Tags...)
	for _, f := range rec.Facets {
		if f == nil {
			continue
		}
		for _, feat := range f.Features {
			switch {
			case feat == nil:
			case feat.RichtextFacet_Tag != nil:
				tags = appendUnique(tags, feat.RichtextFacet_Tag.Tag)
			case feat.RichtextFacet_Mention != nil:
				mentions = appendUnique(mentions, feat.RichtextFacet_Mention.Did)
			}
		}
	}
	p.Tags, p.Mentions = tags, mentions
	if rec.Reply != nil {
		if rec.Reply.Parent != nil {
			p.ReplyTo = rec.Reply.Parent.Uri
		}
		if rec.Reply.Root != nil {
			p.ReplyRoot = rec.Reply.Root.Uri
		}
	}
	return p
}

// appendUnique appends each non-empty value (without a leading '#') that
// list does not hold yet; posts carry few tags, so a scan is enough.
func appendUnique(list []string, values ...string) []string {
next:
	for _, v := range values {
		v = strings.TrimSpace(strings.TrimPrefix(v, "#"))
		if v == "" {
			continue
		}
		for _, have := range list {
			if have == v {
				continue next
			}
		}
		list = append(list, v)
	}
	return list
}

// nonEmpty returns the non-empty values of list, nil when there are none.
func nonEmpty(list []string) []string {
	var out []string
	for _, v := range list {
		if v = strings.TrimSpace(v); v != "" {
			out = append(out, v)
		}
	}
	return out
}

// parseCreatedAt reads a record's createdAt. Records are written by any
// client, so beside the datetime format the lexicon asks for it takes what
// clients are known to send (no zone, a space instead of T, more digits);
// what it cannot read becomes fallback, the time the post was seen.
func parseCreatedAt(raw string, fallback time.Time) time.Time {
	raw = strings.TrimSpace(raw)
	if raw == "" {
		return fallback
	}
	if t, err := syntax.ParseDatetimeTime(raw); err == nil {
		return t.UTC()
	}
	if dt, err := syntax.ParseDatetimeLenient(raw); err == nil {
		return dt.Time().UTC()
	}
	for _, layout := range []string{
		time.RFC3339Nano,
		"2006-01-02T15:04:05.999999999Z0700",
		"2006-01-02T15:04:05.999999999",
		"2006-01-02 15:04:05.999999999Z07:00",
		"2006-01-02 15:04:05.999999999",
		"2006-01-02",
	} {
		if t, err := time.Parse(layout, raw); err == nil {
			return t.UTC()
		}
	}
	return fallback
}
