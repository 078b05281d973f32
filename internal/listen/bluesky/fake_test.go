package bluesky

import (
	"bytes"
	"context"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	comatproto "github.com/bluesky-social/indigo/api/atproto"
	"github.com/bluesky-social/indigo/api/bsky"
	lexutil "github.com/bluesky-social/indigo/lex/util"
	"github.com/ipfs/go-cid"
	"github.com/multiformats/go-multihash"
	cbg "github.com/whyrusleeping/cbor-gen"
	"golang.org/x/net/websocket"

	"github.com/heraldsocial/herald/internal/listen/source"
)

// mustCBOR encodes v with its generated MarshalCBOR.
func mustCBOR(tb testing.TB, v cbg.CBORMarshaler) []byte {
	tb.Helper()
	var buf bytes.Buffer
	if err := v.MarshalCBOR(&buf); err != nil {
		tb.Fatal(err)
	}
	return buf.Bytes()
}

// block is one CAR block.
type block struct {
	cid  cid.Cid
	data []byte
}

// mustBlock makes the DAG-CBOR block of data.
func mustBlock(tb testing.TB, data []byte) block {
	tb.Helper()
	c, err := cid.Prefix{Version: 1, Codec: cid.DagCBOR, MhType: multihash.SHA2_256, MhLength: -1}.Sum(data)
	if err != nil {
		tb.Fatal(err)
	}
	return block{cid: c, data: data}
}

// carFile writes a CAR v1 file with root and blocks, the way a PDS writes
// a commit's blocks.
func carFile(tb testing.TB, root cid.Cid, blocks ...block) []byte {
	tb.Helper()
	var hdr bytes.Buffer
	cw := cbg.NewCborWriter(&hdr)
	must := func(err error) {
		if err != nil {
			tb.Fatal(err)
		}
	}
	must(cw.WriteMajorTypeHeader(cbg.MajMap, 2))
	_, err := cborString(cw, "roots")
	must(err)
	must(cw.WriteMajorTypeHeader(cbg.MajArray, 1))
	must(cbg.WriteCid(cw, root))
	_, err = cborString(cw, "version")
	must(err)
	must(cw.WriteMajorTypeHeader(cbg.MajUnsignedInt, 1))
	var out bytes.Buffer
	writeSection := func(b []byte) {
		out.Write(uvarint(uint64(len(b))))
		out.Write(b)
	}
	writeSection(hdr.Bytes())
	for _, b := range blocks {
		writeSection(append(b.cid.Bytes(), b.data...))
	}
	return out.Bytes()
}

func uvarint(v uint64) []byte {
	var b []byte
	for v >= 0x80 {
		b = append(b, byte(v)|0x80)
		v >>= 7
	}
	return append(b, byte(v))
}

// frameHead is the CBOR {op, t} header of a frame.
func frameHead(op int, typ string) []byte {
	var buf bytes.Buffer
	cw := cbg.NewCborWriter(&buf)
	n := uint64(1)
	if typ != "" {
		n = 2
	}
	_ = cw.WriteMajorTypeHeader(cbg.MajMap, n)
	_, _ = cborString(cw, "op")
	if op < 0 {
		_ = cw.WriteMajorTypeHeader(cbg.MajNegativeInt, uint64(-op-1))
	} else {
		_ = cw.WriteMajorTypeHeader(cbg.MajUnsignedInt, uint64(op))
	}
	if typ != "" {
		_, _ = cborString(cw, "t")
		_, _ = cborString(cw, typ)
	}
	return buf.Bytes()
}

// frame is a message frame of type typ with body.
func frame(tb testing.TB, typ string, body []byte) []byte {
	return append(frameHead(opMessage, typ), body...)
}

// postRecord is a post with the usual parts filled.
func postRecord(text string) *bsky.FeedPost {
	return &bsky.FeedPost{LexiconTypeID: postCollection, Text: text, CreatedAt: "2026-03-01T10:00:00.000Z", Langs: []string{"en"}}
}

// commitFrame is a #commit frame of did at seq creating the given records
// (rkey → record) with a real CAR slice; extra blocks may be added.
func commitFrame(tb testing.TB, did string, seq int64, recs map[string][]byte, extraOps ...*comatproto.SyncSubscribeRepos_RepoOp) []byte {
	tb.Helper()
	commit := mustBlock(tb, []byte{0xa1, 0x61, 'v', 0x03}) // stands in for the signed commit
	blocks := []block{commit}
	var ops []*comatproto.SyncSubscribeRepos_RepoOp
	for rkey, data := range recs {
		b := mustBlock(tb, data)
		blocks = append(blocks, b)
		l := lexutil.LexLink(b.cid)
		ops = append(ops, &comatproto.SyncSubscribeRepos_RepoOp{Action: "create", Path: postCollection + "/" + rkey, Cid: &l})
	}
	ops = append(ops, extraOps...)
	evt := &comatproto.SyncSubscribeRepos_Commit{
		Repo: did, Seq: seq, Rev: "3l" + strconv.FormatInt(seq, 10), Time: "2026-03-01T10:00:00Z",
		Commit: lexutil.LexLink(commit.cid), Blobs: []lexutil.LexLink{}, Ops: ops,
		Blocks: carFile(tb, commit.cid, blocks...),
	}
	return frame(tb, "#commit", mustCBOR(tb, evt))
}

// fakeEvent is one event the fake firehose holds, at its seq.
type fakeEvent struct {
	seq   int64
	frame []byte
}

// fakeFirehose serves com.atproto.sync.subscribeRepos from a list of
// events, honouring ?cursor= (events after it) and, when dropEvery is set,
// closing the connection after that many frames.
type fakeFirehose struct {
	events    []fakeEvent
	dropEvery int
	srv       *httptest.Server

	mu      sync.Mutex
	cursors []string // the cursor of each connection, "" for none
}

func newFakeFirehose(tb testing.TB, dropEvery int, events ...fakeEvent) *fakeFirehose {
	tb.Helper()
	f := &fakeFirehose{events: events, dropEvery: dropEvery}
	mux := http.NewServeMux()
	mux.Handle("GET "+subscribeReposPath, websocket.Server{Handler: f.serve})
	f.srv = httptest.NewServer(mux)
	tb.Cleanup(f.srv.Close)
	return f
}

func (f *fakeFirehose) serve(ws *websocket.Conn) {
	defer ws.Close()
	cur := ws.Request().URL.Query().Get("cursor")
	f.mu.Lock()
	f.cursors = append(f.cursors, cur)
	f.mu.Unlock()
	after := int64(-1)
	if cur != "" {
		after, _ = strconv.ParseInt(cur, 10, 64)
	}
	sent := 0
	for _, e := range f.events {
		if e.seq <= after {
			continue
		}
		if err := websocket.Message.Send(ws, e.frame); err != nil {
			return
		}
		sent++
		if f.dropEvery > 0 && sent >= f.dropEvery {
			return
		}
	}
	// All sent: stay open until the client goes.
	var b []byte
	for websocket.Message.Receive(ws, &b) == nil {
	}
}

func (f *fakeFirehose) connCursors() []string {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]string(nil), f.cursors...)
}

// collector is a Sink that records every batch.
type collector struct {
	mu      sync.Mutex
	batches []source.Batch
	fail    error
	notify  chan struct{}
}

func newCollector() *collector { return &collector{notify: make(chan struct{}, 1)} }

func (c *collector) Accept(_ context.Context, b source.Batch) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.fail != nil {
		return c.fail
	}
	c.batches = append(c.batches, b)
	select {
	case c.notify <- struct{}{}:
	default:
	}
	return nil
}

func (c *collector) posts() []source.Post {
	c.mu.Lock()
	defer c.mu.Unlock()
	var out []source.Post
	for _, b := range c.batches {
		out = append(out, b.Posts...)
	}
	return out
}

func (c *collector) accepted() []source.Batch {
	c.mu.Lock()
	defer c.mu.Unlock()
	return append([]source.Batch(nil), c.batches...)
}

// waitFor waits until ok holds for the collected posts.
func (c *collector) waitFor(tb testing.TB, within time.Duration, ok func([]source.Post) bool) []source.Post {
	tb.Helper()
	deadline := time.After(within)
	for {
		if p := c.posts(); ok(p) {
			return p
		}
		select {
		case <-c.notify:
		case <-time.After(20 * time.Millisecond):
		case <-deadline:
			tb.Fatalf("timed out; have %d posts", len(c.posts()))
		}
	}
}

// fixedCursors is a source.Cursors with one cursor for every source.
type fixedCursors string

func (f fixedCursors) Cursor(context.Context, string) (string, error) { return string(f), nil }

// fastTuning keeps tests quick.
var fastTuning = Tuning{MinBackoff: 5 * time.Millisecond, MaxBackoff: 20 * time.Millisecond, BatchDelay: 20 * time.Millisecond, CursorEvery: 50 * time.Millisecond, IdleTimeout: 10 * time.Second}

// runInBackground runs r until the test ends and returns its result chan.
func runInBackground(tb testing.TB, run func(context.Context, source.Sink) error, sink source.Sink) (context.CancelFunc, <-chan error) {
	tb.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	finished := make(chan struct{})
	go func() {
		defer close(finished)
		done <- run(ctx, sink)
	}()
	tb.Cleanup(func() {
		cancel()
		select {
		case <-finished:
		case <-time.After(5 * time.Second):
			tb.Error("Run did not return after cancel")
		}
	})
	return cancel, done
}

// testLogger logs through t.
func testLogger(tb testing.TB) *slog.Logger {
	return slog.New(slog.NewTextHandler(tLogWriter{tb}, &slog.HandlerOptions{Level: slog.LevelDebug}))
}

type tLogWriter struct{ tb testing.TB }

func (w tLogWriter) Write(p []byte) (int, error) {
	w.tb.Log(strings.TrimRight(string(p), "\n"))
	return len(p), nil
}

// cborString writes s as a CBOR text string.
func cborString(cw *cbg.CborWriter, s string) (int, error) {
	if err := cw.WriteMajorTypeHeader(cbg.MajTextString, uint64(len(s))); err != nil {
		return 0, err
	}
	return cw.WriteString(s)
}
