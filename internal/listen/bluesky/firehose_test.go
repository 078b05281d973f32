package bluesky

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"testing"
	"time"

	comatproto "github.com/bluesky-social/indigo/api/atproto"
	"github.com/bluesky-social/indigo/api/bsky"
	lexutil "github.com/bluesky-social/indigo/lex/util"

	"github.com/heraldsocial/herald/internal/listen/source"
)

const (
	aliceDID = "did:plc:alice000000000000000000"
	bobDID   = "did:plc:bob00000000000000000000"
)

func TestFirehosePostFields(t *testing.T) {
	rec := postRecord("Launch day for #acme with @bob")
	rec.Tags = []string{"Herald", "#launch"}
	rec.Langs = []string{"en", "fr"}
	rec.Facets = []*bsky.RichtextFacet{
		{Index: &bsky.RichtextFacet_ByteSlice{ByteStart: 16, ByteEnd: 21}, Features: []*bsky.RichtextFacet_Features_Elem{{RichtextFacet_Tag: &bsky.RichtextFacet_Tag{Tag: "acme"}}}},
		{Index: &bsky.RichtextFacet_ByteSlice{ByteStart: 27, ByteEnd: 31}, Features: []*bsky.RichtextFacet_Features_Elem{{RichtextFacet_Mention: &bsky.RichtextFacet_Mention{Did: bobDID}}}},
		{Index: &bsky.RichtextFacet_ByteSlice{ByteStart: 0, ByteEnd: 6}, Features: []*bsky.RichtextFacet_Features_Elem{{RichtextFacet_Link: &bsky.RichtextFacet_Link{Uri: "https://example.com"}}}},
	}
	rec.Reply = &bsky.FeedPost_ReplyRef{
		Parent: &comatproto.RepoStrongRef{Uri: "at://" + bobDID + "/app.bsky.feed.post/parent1", Cid: "bafyparent"},
		Root:   &comatproto.RepoStrongRef{Uri: "at://" + bobDID + "/app.bsky.feed.post/root1", Cid: "bafyroot"},
	}
	data := mustCBOR(t, rec)
	handle := "alice.test"
	fh := newFakeFirehose(t, 0,
		fakeEvent{seq: 10, frame: frame(t, "#identity", mustCBOR(t, &comatproto.SyncSubscribeRepos_Identity{Did: aliceDID, Handle: &handle, Seq: 10, Time: "2026-03-01T10:00:00Z"}))},
		fakeEvent{seq: 11, frame: commitFrame(t, aliceDID, 11, map[string][]byte{"3kpost1": data})},
	)
	f := &Firehose{Host: fh.srv.URL, Tuning: fastTuning, Logger: testLogger(t)}
	sink := newCollector()
	runInBackground(t, f.Run, sink)
	posts := sink.waitFor(t, 5*time.Second, func(p []source.Post) bool { return len(p) == 1 })
	p := posts[0]
	want := source.Post{
		Platform:        "bluesky",
		RemoteID:        "at://" + aliceDID + "/app.bsky.feed.post/3kpost1",
		CID:             mustBlock(t, data).cid.String(),
		URL:             "https://bsky.app/profile/" + aliceDID + "/post/3kpost1",
		AuthorID:        aliceDID,
		AuthorHandle:    handle,
		AuthorFollowers: -1,
		Text:            rec.Text,
		Languages:       []string{"en", "fr"},
		Tags:            []string{"Herald", "launch", "acme"},
		Mentions:        []string{bobDID},
		ReplyTo:         "at://" + bobDID + "/app.bsky.feed.post/parent1",
		ReplyRoot:       "at://" + bobDID + "/app.bsky.feed.post/root1",
		PostedAt:        time.Date(2026, 3, 1, 10, 0, 0, 0, time.UTC),
		SeenAt:          p.SeenAt,
	}
	if fmt.Sprintf("%#v", p) != fmt.Sprintf("%#v", want) {
		t.Errorf("post =\n%+v\nwant\n%+v", p, want)
	}
	if time.Since(p.SeenAt) > time.Minute || p.SeenAt.Location() != time.UTC {
		t.Errorf("SeenAt = %v; want just now in UTC", p.SeenAt)
	}
	b := sink.accepted()[0]
	if b.Source != f.Source() || b.Source != "bluesky-firehose:"+fh.srv.Listener.Addr().String() {
		t.Errorf("batch source = %q; want bluesky-firehose:%s", b.Source, fh.srv.Listener.Addr())
	}
	if b.Cursor != "11" {
		t.Errorf("batch cursor = %q; want 11", b.Cursor)
	}
}

// TestFirehoseSkipsMalformed sends what a broken or hostile server might,
// each followed by a good post that must still arrive.
func TestFirehoseSkipsMalformed(t *testing.T) {
	good := func(seq int64) fakeEvent {
		rkey := "good" + strconv.FormatInt(seq, 10)
		return fakeEvent{seq: seq, frame: commitFrame(t, aliceDID, seq, map[string][]byte{rkey: mustCBOR(t, postRecord(rkey))})}
	}
	badCAR := commitFrame(t, aliceDID, 3, nil)
	{ // a commit creating a post whose blocks are garbage
		l := lexutil.LexLink(mustBlock(t, []byte{0xa0}).cid)
		evt := &comatproto.SyncSubscribeRepos_Commit{Repo: aliceDID, Seq: 3, Commit: l, Blobs: []lexutil.LexLink{},
			Ops:    []*comatproto.SyncSubscribeRepos_RepoOp{{Action: "create", Path: postCollection + "/badcar", Cid: &l}},
			Blocks: []byte("this is not a CAR file")}
		badCAR = frame(t, "#commit", mustCBOR(t, evt))
	}
	like := mustCBOR(t, &bsky.FeedLike{LexiconTypeID: "app.bsky.feed.like", CreatedAt: "2026-03-01T10:00:00Z", Subject: &comatproto.RepoStrongRef{Uri: "at://x/y/z", Cid: "bafy"}})
	missing := lexutil.LexLink(mustBlock(t, []byte{0xa1, 0x61, 'x', 0x01}).cid)
	outdated := "cursor too old"
	events := []fakeEvent{
		good(1),
		{seq: 2, frame: []byte{0xff, 0x00, 0x13, 0x37}},          // garbage bytes
		{seq: 2, frame: frame(t, "#commit", []byte{0x01, 0x02})}, // a commit body that is not a map
		{seq: 2, frame: frame(t, "#info", mustCBOR(t, &comatproto.SyncSubscribeRepos_Info{Name: "OutdatedCursor", Message: &outdated}))},
		{seq: 2, frame: frame(t, "#somethingnew", []byte{0xa0})}, // a type from the future
		good(2),
		{seq: 3, frame: badCAR},
		good(4),
		{seq: 5, frame: commitFrame(t, aliceDID, 5, map[string][]byte{"notapost": like})},
		{seq: 6, frame: commitFrame(t, aliceDID, 6, nil, &comatproto.SyncSubscribeRepos_RepoOp{Action: "create", Path: postCollection + "/missing", Cid: &missing})},
		{seq: 7, frame: frame(t, "#account", mustCBOR(t, &comatproto.SyncSubscribeRepos_Account{Did: aliceDID, Seq: 7, Active: true, Time: "2026-03-01T10:00:00Z"}))},
		good(8),
	}
	fh := newFakeFirehose(t, 0, events...)
	f := &Firehose{Host: fh.srv.URL, Tuning: fastTuning}
	sink := newCollector()
	runInBackground(t, f.Run, sink)
	posts := sink.waitFor(t, 5*time.Second, func(p []source.Post) bool { return len(p) == 4 })
	var texts []string
	for _, p := range posts {
		texts = append(texts, p.Text)
	}
	if !slices.Equal(texts, []string{"good1", "good2", "good4", "good8"}) {
		t.Errorf("posts = %q", texts)
	}
	st := f.Stats()
	if st.Malformed != 5 { // garbage, bad commit body, bad CAR, a like as a post, a missing block
		t.Errorf("Malformed = %d; want 5 (%+v)", st.Malformed, st)
	}
	if st.Posts != 4 || st.Frames != int64(len(events)) || st.Reconnects != 0 {
		t.Errorf("stats = %+v; want 4 posts, %d frames, no reconnects", st, len(events))
	}
	b := sink.accepted()
	if last := b[len(b)-1].Cursor; last != "8" {
		t.Errorf("last cursor = %q; want 8", last)
	}
}

// TestFirehoseReconnects has the server drop the connection every few
// frames: every post must arrive exactly once, each connection resuming
// from the cursor the sink accepted last.
func TestFirehoseReconnects(t *testing.T) {
	const n = 60
	var events []fakeEvent
	for seq := int64(101); seq <= 100+n; seq++ {
		rkey := "p" + strconv.FormatInt(seq, 10)
		events = append(events, fakeEvent{seq: seq, frame: commitFrame(t, aliceDID, seq, map[string][]byte{rkey: mustCBOR(t, postRecord(rkey))})})
		if seq%10 == 0 { // and some events without posts
			events = append(events, fakeEvent{seq: seq, frame: frame(t, "#garbage", nil)})
		}
	}
	fh := newFakeFirehose(t, 7, events...)
	// Posts up to seq 100 were accepted before: the first connection asks
	// for what comes after.
	f := &Firehose{Host: fh.srv.URL, Tuning: fastTuning, Cursors: fixedCursors("100")}
	sink := newCollector()
	runInBackground(t, f.Run, sink)
	posts := sink.waitFor(t, 20*time.Second, func(p []source.Post) bool {
		seen := map[string]bool{}
		for _, q := range p {
			seen[q.RemoteID] = true
		}
		return len(seen) == n
	})
	if len(posts) != n {
		t.Errorf("got %d posts for %d distinct; want each exactly once", len(posts), n)
	}
	for i, p := range posts {
		want := "at://" + aliceDID + "/app.bsky.feed.post/p" + strconv.Itoa(101+i)
		if p.RemoteID != want {
			t.Fatalf("post %d = %s; want %s (a gap or a reordering)", i, p.RemoteID, want)
		}
	}
	cursors := fh.connCursors()
	if len(cursors) < n/7 || cursors[0] != "100" {
		t.Fatalf("connection cursors = %q; want the first 100 and one per drop", cursors)
	}
	accepted := map[string]bool{"100": true}
	for _, b := range sink.accepted() {
		accepted[b.Cursor] = true
	}
	for i, c := range cursors {
		if !accepted[c] {
			t.Errorf("connection %d resumed from %q, which the sink never accepted", i, c)
		}
		if i > 0 {
			a, _ := strconv.Atoi(cursors[i-1])
			b, _ := strconv.Atoi(c)
			if b <= a {
				t.Errorf("connection %d resumed from %d after %d", i, b, a)
			}
		}
	}
	if st := f.Stats(); st.Reconnects < int64(len(cursors)-1) {
		t.Errorf("Reconnects = %d; want at least %d", st.Reconnects, len(cursors)-1)
	}
}

func TestFirehoseSinkErrorStopsRun(t *testing.T) {
	fh := newFakeFirehose(t, 0, fakeEvent{seq: 1, frame: commitFrame(t, aliceDID, 1, map[string][]byte{"a": mustCBOR(t, postRecord("a"))})})
	f := &Firehose{Host: fh.srv.URL, Tuning: fastTuning}
	boom := errors.New("disk full")
	sink := newCollector()
	sink.fail = boom
	_, done := runInBackground(t, f.Run, sink)
	select {
	case err := <-done:
		if !errors.Is(err, boom) {
			t.Errorf("Run = %v; want the sink's error", err)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("Run did not stop on the sink's error")
	}
}

func TestFirehoseCancelReturnsPromptly(t *testing.T) {
	fh := newFakeFirehose(t, 0) // connected, silent
	f := &Firehose{Host: fh.srv.URL, Tuning: fastTuning}
	cancel, done := runInBackground(t, f.Run, newCollector())
	deadline := time.Now().Add(5 * time.Second)
	for len(fh.connCursors()) == 0 && time.Now().Before(deadline) {
		time.Sleep(5 * time.Millisecond)
	}
	start := time.Now()
	cancel()
	select {
	case err := <-done:
		if err != nil {
			t.Errorf("Run after cancel = %v; want nil", err)
		}
		if d := time.Since(start); d > time.Second {
			t.Errorf("Run took %v to return", d)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("Run did not return after cancel")
	}
}

// TestFirehoseMovesCursorWithoutPosts: events without posts still move
// the cursor, in a batch without posts.
func TestFirehoseMovesCursorWithoutPosts(t *testing.T) {
	fh := newFakeFirehose(t, 0,
		fakeEvent{seq: 5, frame: frame(t, "#account", mustCBOR(t, &comatproto.SyncSubscribeRepos_Account{Did: aliceDID, Seq: 5, Active: true, Time: "2026-03-01T10:00:00Z"}))},
		fakeEvent{seq: 6, frame: commitFrame(t, aliceDID, 6, nil)},
	)
	f := &Firehose{Host: fh.srv.URL, Tuning: fastTuning}
	sink := newCollector()
	runInBackground(t, f.Run, sink)
	deadline := time.After(5 * time.Second)
	for {
		b := sink.accepted()
		if len(b) > 0 && b[len(b)-1].Cursor == "6" {
			if len(b[len(b)-1].Posts) != 0 {
				t.Errorf("batch has posts: %+v", b)
			}
			return
		}
		select {
		case <-deadline:
			t.Fatalf("the cursor did not move to 6: %+v", b)
		case <-time.After(10 * time.Millisecond):
		}
	}
}

func TestFirehoseBadHost(t *testing.T) {
	for _, host := range []string{"", "ftp://x", "http://"} {
		f := &Firehose{Host: host}
		if err := f.Run(context.Background(), newCollector()); err == nil {
			t.Errorf("Run with host %q = nil; want an error", host)
		}
	}
}

func TestSourceNames(t *testing.T) {
	for host, want := range map[string]string{
		"wss://bsky.network":    "bluesky-firehose:bsky.network",
		"http://127.0.0.1:2583": "bluesky-firehose:127.0.0.1:2583",
		"https://pds.example/":  "bluesky-firehose:pds.example",
		"pds.example.com:443":   "bluesky-firehose:pds.example.com:443",
	} {
		if got := (&Firehose{Host: host}).Source(); got != want {
			t.Errorf("Source for %q = %q; want %q", host, got, want)
		}
	}
	if got := (&Jetstream{Host: "wss://jetstream2.us-east.bsky.network"}).Source(); got != "bluesky-jetstream:jetstream2.us-east.bsky.network" {
		t.Errorf("Jetstream Source = %q", got)
	}
}

func TestParseCreatedAt(t *testing.T) {
	seen := time.Date(2026, 5, 5, 5, 5, 5, 0, time.UTC)
	for raw, want := range map[string]time.Time{
		"2026-03-01T10:00:00.000Z":        time.Date(2026, 3, 1, 10, 0, 0, 0, time.UTC),
		"2026-03-01T12:00:00+02:00":       time.Date(2026, 3, 1, 10, 0, 0, 0, time.UTC),
		"2026-03-01T10:00:00":             time.Date(2026, 3, 1, 10, 0, 0, 0, time.UTC),
		"2026-03-01 10:00:00.123456789Z":  time.Date(2026, 3, 1, 10, 0, 0, 123456789, time.UTC),
		"2026-03-01T10:00:00.1234567890Z": time.Date(2026, 3, 1, 10, 0, 0, 123456789, time.UTC),
		"":                                seen,
		"yesterday":                       seen,
	} {
		if got := parseCreatedAt(raw, seen); !got.Equal(want) || got.Location() != time.UTC {
			t.Errorf("parseCreatedAt(%q) = %v; want %v", raw, got, want)
		}
	}
}

func TestReadCARBlocksChecksHashes(t *testing.T) {
	b := mustBlock(t, []byte{0xa1, 0x61, 'a', 0x01})
	car := carFile(t, b.cid, b)
	if blocks, err := readCARBlocks(car); err != nil || len(blocks) != 1 {
		t.Fatalf("readCARBlocks = %v, %v", blocks, err)
	}
	bad := append([]byte(nil), car...)
	bad[len(bad)-1] ^= 0xff
	if _, err := readCARBlocks(bad); err == nil {
		t.Error("a block whose bytes do not match its CID was accepted")
	}
	for _, junk := range [][]byte{nil, {0x00}, {0x05, 0xa0}, car[:len(car)-2]} {
		if _, err := readCARBlocks(junk); err == nil {
			t.Errorf("readCARBlocks(%x) = nil error", junk)
		}
	}
}

func TestHandleCacheEvicts(t *testing.T) {
	var c handleCache
	c.init(2)
	c.put("a", "a.test")
	c.put("b", "b.test")
	_ = c.get("a")
	c.put("c", "c.test")
	if c.get("b") != "" || c.get("a") != "a.test" || c.get("c") != "c.test" {
		t.Error("the least recently used handle was not the one dropped")
	}
}

// TestFirehoseBatchSize: a burst is cut into batches of BatchSize posts.
func TestFirehoseBatchSize(t *testing.T) {
	var events []fakeEvent
	for seq := int64(1); seq <= 400; seq++ {
		rkey := "b" + strconv.FormatInt(seq, 10)
		events = append(events, fakeEvent{seq: seq, frame: commitFrame(t, aliceDID, seq, map[string][]byte{rkey: mustCBOR(t, postRecord(rkey))})})
	}
	fh := newFakeFirehose(t, 0, events...)
	tune := fastTuning
	tune.BatchDelay = time.Minute // only full batches go
	f := &Firehose{Host: fh.srv.URL, Tuning: tune}
	sink := newCollector()
	runInBackground(t, f.Run, sink)
	sink.waitFor(t, 10*time.Second, func(p []source.Post) bool { return len(p) == 400 })
	b := sink.accepted()
	if len(b) != 2 || len(b[0].Posts) != 200 || len(b[1].Posts) != 200 || b[0].Cursor != "200" || b[1].Cursor != "400" {
		var sizes []string
		for _, x := range b {
			sizes = append(sizes, fmt.Sprintf("%d@%s", len(x.Posts), x.Cursor))
		}
		t.Errorf("batches = %v; want 200@200 200@400", sizes)
	}
}

// TestFirehoseFutureCursor: a server that finds the cursor ahead of its
// stream says so; the next connection starts live instead of asking again.
func TestFirehoseFutureCursor(t *testing.T) {
	errFrame := frameHead(opError, "")
	errFrame = append(errFrame, 0xa2, 0x65, 'e', 'r', 'r', 'o', 'r', 0x6c)
	errFrame = append(errFrame, "FutureCursor"...)
	errFrame = append(errFrame, 0x67, 'm', 'e', 's', 's', 'a', 'g', 'e', 0x64, 'n', 'o', 'p', 'e')
	fh := newFakeFirehose(t, 1, fakeEvent{seq: 2000, frame: errFrame})
	// The fake sends the error frame to a cursor below 2000 and closes.
	f := &Firehose{Host: fh.srv.URL, Tuning: fastTuning, Cursors: fixedCursors("1500")}
	runInBackground(t, f.Run, newCollector())
	deadline := time.Now().Add(5 * time.Second)
	for len(fh.connCursors()) < 2 && time.Now().Before(deadline) {
		time.Sleep(5 * time.Millisecond)
	}
	if c := fh.connCursors(); len(c) < 2 || c[0] != "1500" || c[1] != "" {
		t.Errorf("connection cursors = %q; want 1500, then none", c)
	}
}
