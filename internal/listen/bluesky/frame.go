package bluesky

import (
	"bytes"
	"container/list"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"sync"
	"time"

	comatproto "github.com/bluesky-social/indigo/api/atproto"
	"github.com/bluesky-social/indigo/api/bsky"
	"github.com/ipfs/go-cid"
	cbg "github.com/whyrusleeping/cbor-gen"

	"github.com/heraldsocial/herald/internal/listen/source"
)

// Frame header ops of the event stream: a message, or an error after
// which the server closes the stream.
const (
	opMessage = 1
	opError   = -1
)

// frameHeader is the CBOR map that starts every frame: {op, t}.
type frameHeader struct {
	op  int64
	typ string
}

// decodeFrame turns one firehose message into an item; ok is false for a
// frame that carries neither posts nor a position. Anything that does not
// decode is counted and logged, never returned: one bad frame must not cost
// the stream.
func (f *Firehose) decodeFrame(ctx context.Context, log *slog.Logger, msg []byte, seen time.Time) (item, bool) {
	cr := cbg.NewCborReader(bytes.NewReader(msg))
	h, err := readFrameHeader(cr)
	if err != nil {
		f.malformed(ctx, log, "frame header", err)
		return item{}, false
	}
	switch h.op {
	case opError:
		fields, err := readStringMap(cr)
		if err != nil {
			f.malformed(ctx, log, "error frame", err)
			return item{}, false
		}
		log.WarnContext(ctx, "bluesky firehose: the server sent an error",
			"error_name", fields["error"], "message", fields["message"])
		// A cursor ahead of the server's stream will never be valid
		// there: the next connection starts live.
		return item{live: fields["error"] == "FutureCursor"}, fields["error"] == "FutureCursor"
	case opMessage:
	default:
		f.malformed(ctx, log, "frame header", fmt.Errorf("op %d", h.op))
		return item{}, false
	}

	switch h.typ {
	case "#commit":
		var evt comatproto.SyncSubscribeRepos_Commit
		if err := evt.UnmarshalCBOR(cr); err != nil {
			f.malformed(ctx, log, "commit", err)
			return item{}, false
		}
		return item{posts: f.commitPosts(ctx, log, &evt, seen), cursor: seqCursor(evt.Seq)}, true
	case "#identity":
		var evt comatproto.SyncSubscribeRepos_Identity
		if err := evt.UnmarshalCBOR(cr); err != nil {
			f.malformed(ctx, log, "identity", err)
			return item{}, false
		}
		if evt.Handle != nil && *evt.Handle != "" && *evt.Handle != "handle.invalid" {
			f.handles.put(evt.Did, *evt.Handle)
		}
		return item{cursor: seqCursor(evt.Seq)}, true
	case "#account":
		var evt comatproto.SyncSubscribeRepos_Account
		if err := evt.UnmarshalCBOR(cr); err != nil {
			f.malformed(ctx, log, "account", err)
			return item{}, false
		}
		return item{cursor: seqCursor(evt.Seq)}, true
	case "#sync":
		var evt comatproto.SyncSubscribeRepos_Sync
		if err := evt.UnmarshalCBOR(cr); err != nil {
			f.malformed(ctx, log, "sync", err)
			return item{}, false
		}
		return item{cursor: seqCursor(evt.Seq)}, true
	case "#info":
		var evt comatproto.SyncSubscribeRepos_Info
		if err := evt.UnmarshalCBOR(cr); err != nil {
			f.malformed(ctx, log, "info", err)
			return item{}, false
		}
		var m string
		if evt.Message != nil {
			m = *evt.Message
		}
		// OutdatedCursor: the cursor is older than the server keeps; it
		// streams from its oldest event, and what came before is gone.
		log.WarnContext(ctx, "bluesky firehose: info from the server", "name", evt.Name, "message", m)
		return item{}, false
	default:
		// New event types are to be ignored, says the protocol.
		log.DebugContext(ctx, "bluesky firehose: event type skipped", "type", h.typ)
		return item{}, false
	}
}

// malformed counts and logs something that did not decode.
func (f *Firehose) malformed(ctx context.Context, log *slog.Logger, what string, err error) {
	f.stats.malformed.Add(1)
	log.WarnContext(ctx, "bluesky firehose: skipped what does not decode", "what", what, "error", err)
}

// commitPosts returns the posts a commit creates. A create whose record
// is missing from the commit's blocks or is not a post is skipped.
func (f *Firehose) commitPosts(ctx context.Context, log *slog.Logger, evt *comatproto.SyncSubscribeRepos_Commit, seen time.Time) []source.Post {
	var (
		posts  []source.Post
		blocks map[cid.Cid][]byte
	)
	for _, op := range evt.Ops {
		if op == nil || op.Action != "create" {
			continue
		}
		rkey, ok := strings.CutPrefix(op.Path, postCollection+"/")
		if !ok || rkey == "" || strings.Contains(rkey, "/") {
			continue
		}
		if evt.TooBig {
			log.DebugContext(ctx, "bluesky firehose: commit too big to carry its records", "repo", evt.Repo, "seq", evt.Seq)
			return nil
		}
		if op.Cid == nil {
			f.malformed(ctx, log, "create op", errors.New("no cid"))
			continue
		}
		if blocks == nil {
			var err error
			if blocks, err = readCARBlocks(evt.Blocks); err != nil {
				f.malformed(ctx, log, "commit blocks", err)
				return nil
			}
		}
		c := cid.Cid(*op.Cid)
		data, ok := blocks[c]
		if !ok {
			f.malformed(ctx, log, "record", fmt.Errorf("%s: block %s not in the commit", op.Path, c))
			continue
		}
		var rec bsky.FeedPost
		if err := rec.UnmarshalCBOR(bytes.NewReader(data)); err != nil {
			f.malformed(ctx, log, "record", fmt.Errorf("%s: %w", op.Path, err))
			continue
		}
		if rec.LexiconTypeID != postCollection {
			f.malformed(ctx, log, "record", fmt.Errorf("%s: $type %q", op.Path, rec.LexiconTypeID))
			continue
		}
		p := newPost(evt.Repo, rkey, c.String(), &rec, seen)
		p.AuthorHandle = f.handles.get(evt.Repo)
		posts = append(posts, p)
	}
	return posts
}

// readFrameHeader reads the {op, t} map that starts a frame.
func readFrameHeader(cr *cbg.CborReader) (frameHeader, error) {
	var h frameHeader
	maj, n, err := cr.ReadHeader()
	if err != nil {
		return h, err
	}
	if maj != cbg.MajMap || n > 16 {
		return h, fmt.Errorf("header is CBOR type %d, not a map", maj)
	}
	seenOp := false
	for range n {
		key, err := cbg.ReadStringWithMax(cr, 64)
		if err != nil {
			return h, err
		}
		switch key {
		case "op":
			maj, v, err := cr.ReadHeader()
			if err != nil {
				return h, err
			}
			switch maj {
			case cbg.MajUnsignedInt:
				h.op = int64(v)
			case cbg.MajNegativeInt:
				h.op = -1 - int64(v)
			default:
				return h, fmt.Errorf("op is CBOR type %d", maj)
			}
			seenOp = true
		case "t":
			if h.typ, err = cbg.ReadStringWithMax(cr, 256); err != nil {
				return h, err
			}
		default:
			var skip cbg.Deferred
			if err := skip.UnmarshalCBOR(cr); err != nil {
				return h, err
			}
		}
	}
	if !seenOp {
		return h, errors.New("header has no op")
	}
	return h, nil
}

// readStringMap reads a CBOR map keeping its string values (an error
// frame's {error, message}); other values are skipped.
func readStringMap(cr *cbg.CborReader) (map[string]string, error) {
	maj, n, err := cr.ReadHeader()
	if err != nil {
		return nil, err
	}
	if maj != cbg.MajMap || n > 64 {
		return nil, fmt.Errorf("CBOR type %d, not a map", maj)
	}
	out := make(map[string]string, n)
	for range n {
		key, err := cbg.ReadStringWithMax(cr, 256)
		if err != nil {
			return nil, err
		}
		var v cbg.Deferred
		if err := v.UnmarshalCBOR(cr); err != nil {
			return nil, err
		}
		if s, err := cbg.ReadStringWithMax(bytes.NewReader(v.Raw), 8192); err == nil {
			out[key] = s
		}
	}
	return out, nil
}

// handleCacheSize bounds the DID → handle cache.
const handleCacheSize = 10000

// handleCache remembers the handles #identity events announced, the
// least recently used dropped first, so posts of recently active accounts
// carry a handle. It starts empty: the firehose tells a handle only when
// it changes or an account is created.
type handleCache struct {
	mu    sync.Mutex
	max   int
	order *list.List
	byDID map[string]*list.Element
}

type handleEntry struct{ did, handle string }

func (c *handleCache) init(size int) {
	c.max, c.order, c.byDID = size, list.New(), make(map[string]*list.Element)
}

func (c *handleCache) put(did, handle string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.byDID == nil {
		return
	}
	if e, ok := c.byDID[did]; ok {
		e.Value.(*handleEntry).handle = handle
		c.order.MoveToFront(e)
		return
	}
	c.byDID[did] = c.order.PushFront(&handleEntry{did: did, handle: handle})
	if c.order.Len() > c.max {
		last := c.order.Back()
		c.order.Remove(last)
		delete(c.byDID, last.Value.(*handleEntry).did)
	}
}

func (c *handleCache) get(did string) string {
	c.mu.Lock()
	defer c.mu.Unlock()
	e, ok := c.byDID[did]
	if !ok {
		return ""
	}
	c.order.MoveToFront(e)
	return e.Value.(*handleEntry).handle
}
