package bluesky

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	comatproto "github.com/bluesky-social/indigo/api/atproto"
	"github.com/bluesky-social/indigo/api/bsky"
	"github.com/bluesky-social/indigo/atproto/syntax"
	lexutil "github.com/bluesky-social/indigo/lex/util"

	"github.com/heraldsocial/herald/internal/connector"
	"github.com/heraldsocial/herald/internal/herald"
)

// Collections Herald writes.
const (
	collPost = "app.bsky.feed.post"
	collLike = "app.bsky.feed.like"
	// collRepost is a repost record's collection.
	collRepost = "app.bsky.feed.repost"
)

// rkeyTries is how many record keys a part may use: the first is taken
// unless a record with other content already sits there (a post by another
// Herald installation, or by this one before its database was reset), in
// which case the next key in the part's fixed sequence is tried.
const rkeyTries = 4

// tidEpoch is the earliest time a derived record key's TID says
// (2022-11-01, before Bluesky opened); derived keys spread over the 2.2
// years after it, so they never claim to come from the future.
const tidEpoch = 1667260800_000000

// RecordKey is the record key (a TID) of the n-th try of the part with key
// on the account did: the same arguments always give the same key.
func RecordKey(did, key string, n int) string {
	h := sha256.Sum256([]byte("herald/bluesky/rkey\x00" + did + "\x00" + key + "\x00" + strconv.Itoa(n)))
	v := binary.BigEndian.Uint64(h[:8])
	micros := int64(tidEpoch + v>>18) // 46 bits of time
	return syntax.NewTID(micros, uint(v&0x3FF)).String()
}

// partKey is the key a part's record keys derive from: Part.Key, or for a
// part without one (a reply written in the inbox) its content, so the same
// reply sent twice is one post.
func partKey(p connector.Part) string {
	if p.Key != "" {
		return p.Key
	}
	h := sha256.New()
	h.Write([]byte(p.Text))
	if p.ReplyTo != nil {
		h.Write([]byte{0})
		h.Write([]byte(refURI(*p.ReplyTo)))
	}
	return "content:" + hex.EncodeToString(h.Sum(nil))
}

// Publish writes one part as an app.bsky.feed.post record: images are
// uploaded as blobs, links, mentions and hashtags become facets, the first
// link becomes a link card when there are no images, and a thread part or
// first comment carries reply refs to its root and parent.
func (c *Connector) Publish(ctx context.Context, acct connector.Account, p connector.Part) (herald.RemoteRef, error) {
	s, err := c.current(acct)
	if err != nil {
		return herald.RemoteRef{}, err
	}
	if _, problems, err := c.Validate(ctx, acct, p); err != nil {
		return herald.RemoteRef{}, err
	} else if len(problems) > 0 {
		return herald.RemoteRef{}, &connector.Error{Class: connector.Invalid, Message: problemsMessage(problems)}
	}
	rec, err := c.buildPost(ctx, s, p)
	if err != nil {
		return herald.RemoteRef{}, err
	}
	return c.putPost(ctx, s, p, rec)
}

func problemsMessage(problems []connector.Problem) string {
	parts := make([]string, len(problems))
	for i, pr := range problems {
		parts[i] = pr.Field + " " + pr.Problem
	}
	return "the post does not fit Bluesky's rules: " + strings.Join(parts, "; ")
}

// buildPost makes the record for p.
func (c *Connector) buildPost(ctx context.Context, s session, p connector.Part) (*bsky.FeedPost, error) {
	rec := &bsky.FeedPost{
		LexiconTypeID: collPost,
		Text:          p.Text,
		CreatedAt:     c.nowString(),
		Langs:         langs(p.Options),
	}
	if l := selfLabels(p.Options); len(l) > 0 {
		vals := make([]*comatproto.LabelDefs_SelfLabel, len(l))
		for i, v := range l {
			vals[i] = &comatproto.LabelDefs_SelfLabel{Val: v}
		}
		rec.Labels = &bsky.FeedPost_Labels{LabelDefs_SelfLabels: &comatproto.LabelDefs_SelfLabels{
			LexiconTypeID: "com.atproto.label.defs#selfLabels", Values: vals}}
	}
	reply, err := c.replyRef(ctx, s, p)
	if err != nil {
		return nil, err
	}
	rec.Reply = reply
	spans := DetectFacets(p.Text)
	rec.Facets = c.facets(ctx, s, spans)
	if len(p.Media) > 0 {
		imgs := &bsky.EmbedImages{LexiconTypeID: "app.bsky.embed.images"}
		for i, m := range p.Media {
			blob, err := c.uploadMedia(ctx, s, i, m)
			if err != nil {
				return nil, err
			}
			img := &bsky.EmbedImages_Image{Alt: m.Asset.AltText, Image: blob}
			if m.Asset.Width > 0 && m.Asset.Height > 0 {
				img.AspectRatio = &bsky.EmbedDefs_AspectRatio{Width: int64(m.Asset.Width), Height: int64(m.Asset.Height)}
			}
			imgs.Images = append(imgs.Images, img)
		}
		rec.Embed = &bsky.FeedPost_Embed{EmbedImages: imgs}
	} else if c.linkCards {
		for _, sp := range spans {
			if sp.Kind != FacetLink {
				continue
			}
			if card := c.linkCard(ctx, s, sp.Value); card != nil {
				rec.Embed = &bsky.FeedPost_Embed{EmbedExternal: &bsky.EmbedExternal{
					LexiconTypeID: "app.bsky.embed.external", External: card}}
			}
			break
		}
	}
	return rec, nil
}

// langs reads the post's languages from the "language" option (one, or up
// to three separated by commas).
func langs(opts map[string]string) []string {
	var out []string
	for _, l := range strings.Split(opts["language"], ",") {
		if l = strings.TrimSpace(l); l != "" {
			out = append(out, l)
		}
	}
	return out
}

// selfLabels reads the "labels" option: self-labels for sensitive media.
func selfLabels(opts map[string]string) []string {
	var out []string
	for _, l := range strings.Split(opts["labels"], ",") {
		if l = strings.TrimSpace(l); l != "" {
			out = append(out, l)
		}
	}
	return out
}

// selfLabelValues are the self-labels a post may carry (the "labels" option).
func selfLabelValues() []string { return []string{"sexual", "nudity", "porn", "graphic-media"} }

// facets turns detected spans into facets; a mention becomes a facet only
// when its handle resolves to a DID (otherwise it stays plain text). Handles
// are resolved by the account's PDS (or the configured resolver), as the
// official app does, so a post's text never makes Herald itself contact
// the hosts it names.
func (c *Connector) facets(ctx context.Context, s session, spans []Span) []*bsky.RichtextFacet {
	var out []*bsky.RichtextFacet
	resolved := map[string]string{}
	for _, sp := range spans {
		f := &bsky.RichtextFacet_Features_Elem{}
		switch sp.Kind {
		case FacetLink:
			f.RichtextFacet_Link = &bsky.RichtextFacet_Link{LexiconTypeID: "app.bsky.richtext.facet#link", Uri: sp.Value}
		case FacetTag:
			f.RichtextFacet_Tag = &bsky.RichtextFacet_Tag{LexiconTypeID: "app.bsky.richtext.facet#tag", Tag: sp.Value}
		case FacetMention:
			did, ok := resolved[sp.Value]
			if !ok {
				h, err := syntax.ParseHandle(sp.Value)
				if err == nil {
					if d, err := c.resolveHandleAt(ctx, firstNonEmpty(c.handleService, s.pds), h); err == nil {
						did = d.String()
					} else {
						c.log.DebugContext(ctx, "bluesky mention left as text", "handle", sp.Value, "error", err)
					}
				}
				resolved[sp.Value] = did
			}
			if did == "" {
				continue
			}
			f.RichtextFacet_Mention = &bsky.RichtextFacet_Mention{LexiconTypeID: "app.bsky.richtext.facet#mention", Did: did}
		}
		out = append(out, &bsky.RichtextFacet{
			Index:    &bsky.RichtextFacet_ByteSlice{ByteStart: int64(sp.Start), ByteEnd: int64(sp.End)},
			Features: []*bsky.RichtextFacet_Features_Elem{f},
		})
	}
	return out
}

// strongRef is a post's uri and cid.
type strongRef struct {
	URI string `json:"uri"`
	CID string `json:"cid"`
}

// refURI is the AT URI of a remote reference: its ID, or Meta["uri"].
func refURI(r herald.RemoteRef) string {
	if strings.HasPrefix(r.ID, "at://") {
		return r.ID
	}
	return r.Meta["uri"]
}

// replyRef builds the reply refs of a thread part or first comment: the
// parent is the part before (or the post, for a comment), the root is the
// thread's first post.
func (c *Connector) replyRef(ctx context.Context, s session, p connector.Part) (*bsky.FeedPost_ReplyRef, error) {
	parentRef := p.ReplyTo
	if parentRef == nil && p.Comment {
		parentRef = p.Root
	}
	if parentRef == nil {
		if p.Index > 0 || p.Comment {
			return nil, &connector.Error{Class: connector.Invalid, Message: "a thread part or comment must say which post it answers"}
		}
		return nil, nil
	}
	parent, err := c.strong(ctx, s, *parentRef)
	if err != nil {
		return nil, err
	}
	root := parent
	switch {
	case p.Root != nil:
		if root, err = c.strong(ctx, s, *p.Root); err != nil {
			return nil, err
		}
	case parentRef.Meta["root_uri"] != "" && parentRef.Meta["root_cid"] != "":
		root = strongRef{URI: parentRef.Meta["root_uri"], CID: parentRef.Meta["root_cid"]}
	default:
		// The parent may itself be a reply: the root is its root.
		if r, ok, err := c.rootOf(ctx, s, parent); err != nil {
			return nil, err
		} else if ok {
			root = r
		}
	}
	return &bsky.FeedPost_ReplyRef{
		Parent: &comatproto.RepoStrongRef{Uri: parent.URI, Cid: parent.CID},
		Root:   &comatproto.RepoStrongRef{Uri: root.URI, Cid: root.CID},
	}, nil
}

// strong returns a reference's uri and cid, reading the cid from the
// record when the reference lacks it.
func (c *Connector) strong(ctx context.Context, s session, r herald.RemoteRef) (strongRef, error) {
	uri := refURI(r)
	if uri == "" {
		return strongRef{}, &connector.Error{Class: connector.Invalid, Message: fmt.Sprintf("%q is not a Bluesky post (an at:// URI)", r.ID)}
	}
	if cid := r.Meta["cid"]; cid != "" {
		return strongRef{URI: uri, CID: cid}, nil
	}
	got, ok, err := c.getPostRecord(ctx, s, uri)
	if err != nil {
		return strongRef{}, err
	}
	if !ok {
		return strongRef{}, &connector.Error{Class: connector.Invalid, Message: fmt.Sprintf("the post %s no longer exists on Bluesky", uri)}
	}
	return strongRef{URI: uri, CID: got.CID}, nil
}

// rootOf returns the root of the thread a post belongs to, if it is a reply.
func (c *Connector) rootOf(ctx context.Context, s session, post strongRef) (strongRef, bool, error) {
	got, ok, err := c.getPostRecord(ctx, s, post.URI)
	if err != nil || !ok || got.Value.Reply == nil || got.Value.Reply.Root.URI == "" {
		return strongRef{}, false, err
	}
	return got.Value.Reply.Root, true, nil
}

// record is getRecord's answer for a post, with the fields Herald reads.
type record struct {
	URI   string `json:"uri"`
	CID   string `json:"cid"`
	Value struct {
		Text  string `json:"text"`
		Reply *struct {
			Root   strongRef `json:"root"`
			Parent strongRef `json:"parent"`
		} `json:"reply"`
	} `json:"value"`
}

// getPostRecord reads a post record by its AT URI (through the account's
// PDS, which answers for its own repositories and asks the AppView for
// others). ok is false when the record does not exist.
func (c *Connector) getPostRecord(ctx context.Context, s session, uri string) (record, bool, error) {
	u, err := syntax.ParseATURI(uri)
	if err != nil {
		return record{}, false, &connector.Error{Class: connector.Invalid, Message: fmt.Sprintf("%q is not an AT URI", uri), Err: err}
	}
	var rec record
	_, err = c.call(ctx, request{method: http.MethodGet, host: s.pds, nsid: "com.atproto.repo.getRecord", token: s.access,
		query: url.Values{"repo": {u.Authority().String()}, "collection": {u.Collection().String()}, "rkey": {u.RecordKey().String()}},
		out:   &rec})
	if isError(err, "RecordNotFound") {
		return record{}, false, nil
	}
	if err != nil {
		return record{}, false, err
	}
	if rec.CID == "" {
		return record{}, false, missing("com.atproto.repo.getRecord", "cid", http.StatusOK, connector.Transient)
	}
	return rec, true, nil
}

// putInput is com.atproto.repo.putRecord's input. SwapRecord is always
// sent: null means "only if no record is there yet", so a part can never
// overwrite another post.
type putInput struct {
	Repo       string  `json:"repo"`
	Collection string  `json:"collection"`
	RKey       string  `json:"rkey"`
	Record     any     `json:"record"`
	SwapRecord *string `json:"swapRecord"`
}

// putPost writes rec under the part's record key. A key already holding
// this part's post (an earlier attempt that got through) gives that post;
// a key holding something else moves on to the part's next key.
func (c *Connector) putPost(ctx context.Context, s session, p connector.Part, rec *bsky.FeedPost) (herald.RemoteRef, error) {
	key := partKey(p)
	for n := range rkeyTries {
		rkey := RecordKey(s.did, key, n)
		var out strongRef
		res, err := c.call(ctx, request{method: http.MethodPost, host: s.pds, nsid: "com.atproto.repo.putRecord", token: s.access,
			body: putInput{Repo: s.did, Collection: collPost, RKey: rkey, Record: rec}, out: &out})
		if err == nil {
			if out.URI == "" || out.CID == "" {
				return herald.RemoteRef{}, missing("com.atproto.repo.putRecord", "uri or cid", res.Status, connector.Ambiguous)
			}
			return c.postRef(s, rkey, out.URI, out.CID, p), nil
		}
		if !isError(err, "InvalidSwap") {
			return herald.RemoteRef{}, err
		}
		got, ok, gerr := c.getPostRecord(ctx, s, atURI(s.did, collPost, rkey))
		if gerr != nil {
			return herald.RemoteRef{}, connector.Repeatable(gerr)
		}
		if !ok {
			// Deleted between the two calls: write it again.
			continue
		}
		if samePart(got, p) {
			return c.postRef(s, rkey, got.URI, got.CID, p), nil
		}
	}
	return herald.RemoteRef{}, &connector.Error{Class: connector.Invalid,
		Message: "every record key reserved for this post already holds another post on the account"}
}

// Find looks for the part under its record keys: found when one holds a
// post with the part's text (and parent). The keys are tried in order, and
// a free key ends the search: the part was never written past it.
func (c *Connector) Find(ctx context.Context, acct connector.Account, p connector.Part) (herald.RemoteRef, bool, error) {
	s, err := c.current(acct)
	if err != nil {
		return herald.RemoteRef{}, false, err
	}
	key := partKey(p)
	for n := range rkeyTries {
		rkey := RecordKey(s.did, key, n)
		got, ok, err := c.getPostRecord(ctx, s, atURI(s.did, collPost, rkey))
		if err != nil {
			return herald.RemoteRef{}, false, err
		}
		if !ok {
			return herald.RemoteRef{}, false, nil
		}
		if samePart(got, p) {
			return c.postRef(s, rkey, got.URI, got.CID, p), true, nil
		}
	}
	return herald.RemoteRef{}, false, nil
}

// samePart reports whether a stored post is this part: the same text, in
// answer to the same post.
func samePart(got record, p connector.Part) bool {
	if got.Value.Text != p.Text {
		return false
	}
	parent := p.ReplyTo
	if parent == nil && p.Comment {
		parent = p.Root
	}
	switch {
	case parent == nil:
		return got.Value.Reply == nil
	case got.Value.Reply == nil:
		return false
	}
	return got.Value.Reply.Parent.URI == refURI(*parent)
}

func atURI(did, collection, rkey string) string {
	return "at://" + did + "/" + collection + "/" + rkey
}

// postRef is the reference Herald keeps for a published post.
func (c *Connector) postRef(s session, rkey, uri, cid string, p connector.Part) herald.RemoteRef {
	who := s.handle
	if who == "" {
		who = s.did
	}
	meta := map[string]string{"uri": uri, "cid": cid, "rkey": rkey}
	if p.Root != nil {
		if root := refURI(*p.Root); root != "" && p.Root.Meta["cid"] != "" {
			meta["root_uri"], meta["root_cid"] = root, p.Root.Meta["cid"]
		}
	}
	return herald.RemoteRef{ID: uri, URL: c.postURL(who, rkey), Meta: meta}
}

// blobAnswer is uploadBlob's answer.
type blobAnswer struct {
	Blob *lexutil.LexBlob `json:"blob"`
}

// uploadMedia uploads one image as a blob. Nothing is published by an
// upload, so its failures are never Ambiguous.
func (c *Connector) uploadMedia(ctx context.Context, s session, i int, m connector.Media) (*lexutil.LexBlob, error) {
	if m.Open == nil {
		return nil, &connector.Error{Class: connector.Invalid, Message: fmt.Sprintf("media[%d] (%s) has no file to upload", i, m.Asset.Filename)}
	}
	f, err := m.Open(ctx)
	if err != nil {
		return nil, &connector.Error{Class: connector.Transient, Message: fmt.Sprintf("media[%d] (%s) cannot be read", i, m.Asset.Filename), Err: err}
	}
	defer f.Close()
	data, err := io.ReadAll(io.LimitReader(f, c.maxImageBytes+1))
	if err != nil {
		return nil, &connector.Error{Class: connector.Transient, Message: fmt.Sprintf("media[%d] (%s) cannot be read", i, m.Asset.Filename), Err: err}
	}
	if int64(len(data)) > c.maxImageBytes {
		return nil, &connector.Error{Class: connector.Invalid,
			Message: fmt.Sprintf("media[%d] (%s) is larger than Bluesky's %d bytes per image", i, m.Asset.Filename, c.maxImageBytes)}
	}
	ct := m.Asset.ContentType
	if ct == "" {
		ct = http.DetectContentType(data)
	}
	return c.uploadBlob(ctx, s, data, ct)
}

// uploadBlob stores bytes on the account's PDS and returns the blob to
// reference from a record.
func (c *Connector) uploadBlob(ctx context.Context, s session, data []byte, contentType string) (*lexutil.LexBlob, error) {
	var out blobAnswer
	res, err := c.call(ctx, request{method: http.MethodPost, host: s.pds, nsid: "com.atproto.repo.uploadBlob", token: s.access,
		raw: bytes.NewReader(data), ctype: contentType, out: &out, repeatable: true})
	if err != nil {
		return nil, err
	}
	if out.Blob == nil || !out.Blob.Ref.Defined() {
		return nil, missing("com.atproto.repo.uploadBlob", "blob reference", res.Status, connector.Transient)
	}
	return out.Blob, nil
}

// nowString is a record timestamp.
func (c *Connector) nowString() string { return c.now().UTC().Format("2006-01-02T15:04:05.000Z") }
