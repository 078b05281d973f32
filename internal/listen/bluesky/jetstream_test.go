package bluesky

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strconv"
	"sync"
	"testing"
	"time"

	"golang.org/x/net/websocket"

	"github.com/heraldsocial/herald/internal/listen/source"
)

// fakeJetstream serves /subscribe from a list of JSON messages keyed by
// time_us, replaying from ?cursor= inclusive as Jetstream does.
type fakeJetstream struct {
	msgs      []jsMsg
	dropEvery int
	srv       *httptest.Server

	mu      sync.Mutex
	queries []string
}

type jsMsg struct {
	timeUS int64
	body   string
}

func newFakeJetstream(tb testing.TB, dropEvery int, msgs ...jsMsg) *fakeJetstream {
	f := &fakeJetstream{msgs: msgs, dropEvery: dropEvery}
	mux := http.NewServeMux()
	mux.Handle("GET /subscribe", websocket.Server{Handler: f.serve})
	f.srv = httptest.NewServer(mux)
	tb.Cleanup(f.srv.Close)
	return f
}

func (f *fakeJetstream) serve(ws *websocket.Conn) {
	defer ws.Close()
	q := ws.Request().URL.Query()
	f.mu.Lock()
	f.queries = append(f.queries, q.Encode())
	f.mu.Unlock()
	from, _ := strconv.ParseInt(q.Get("cursor"), 10, 64)
	sent := 0
	for _, m := range f.msgs {
		if m.timeUS < from {
			continue
		}
		if websocket.Message.Send(ws, m.body) != nil {
			return
		}
		if sent++; f.dropEvery > 0 && sent >= f.dropEvery {
			return
		}
	}
	var b []byte
	for websocket.Message.Receive(ws, &b) == nil {
	}
}

// jsPost is the Jetstream message of a post created by did.
func jsPost(tb testing.TB, did string, timeUS int64, rkey string, record map[string]any) jsMsg {
	record["$type"] = postCollection
	b, err := json.Marshal(map[string]any{
		"did": did, "time_us": timeUS, "kind": "commit",
		"commit": map[string]any{"rev": "3l", "operation": "create", "collection": postCollection, "rkey": rkey, "cid": "bafy" + rkey, "record": record},
	})
	if err != nil {
		tb.Fatal(err)
	}
	return jsMsg{timeUS: timeUS, body: string(b)}
}

func TestJetstreamPosts(t *testing.T) {
	fj := newFakeJetstream(t, 0,
		jsMsg{timeUS: 1, body: `{"did":"` + aliceDID + `","time_us":1,"kind":"identity","identity":{"did":"` + aliceDID + `","handle":"alice.test","seq":1,"time":"2026-03-01T10:00:00Z"}}`},
		jsPost(t, aliceDID, 2, "r1", map[string]any{
			"text": "hello #acme", "createdAt": "2026-03-01T10:00:00Z", "langs": []string{"en"}, "tags": []string{"x"},
			"facets": []any{
				map[string]any{"index": map[string]int{"byteStart": 6, "byteEnd": 11}, "features": []any{map[string]any{"$type": "app.bsky.richtext.facet#tag", "tag": "acme"}}},
				map[string]any{"index": map[string]int{"byteStart": 0, "byteEnd": 5}, "features": []any{map[string]any{"$type": "app.bsky.richtext.facet#mention", "did": bobDID}}},
			},
			"reply": map[string]any{
				"root":   map[string]string{"uri": "at://" + bobDID + "/app.bsky.feed.post/root", "cid": "bafyroot"},
				"parent": map[string]string{"uri": "at://" + bobDID + "/app.bsky.feed.post/parent", "cid": "bafyparent"},
			},
		}),
		jsMsg{timeUS: 3, body: `{not json`},
		jsMsg{timeUS: 4, body: `{"did":"` + aliceDID + `","time_us":4,"kind":"commit","commit":{"operation":"create","collection":"app.bsky.feed.post","rkey":"bad","record":{"$type":"app.bsky.feed.like"}}}`},
		jsMsg{timeUS: 5, body: `{"did":"` + aliceDID + `","time_us":5,"kind":"commit","commit":{"operation":"delete","collection":"app.bsky.feed.post","rkey":"r1"}}`},
		jsPost(t, bobDID, 6, "r2", map[string]any{"text": "second", "createdAt": "not a time"}),
	)
	j := &Jetstream{Host: fj.srv.URL, Tuning: fastTuning, Cursors: fixedCursors("1"), Rewind: -1}
	sink := newCollector()
	runInBackground(t, j.Run, sink)
	posts := sink.waitFor(t, 5*time.Second, func(p []source.Post) bool { return len(p) == 2 })
	p := posts[0]
	if p.RemoteID != "at://"+aliceDID+"/app.bsky.feed.post/r1" || p.CID != "bafyr1" || p.AuthorID != aliceDID ||
		p.AuthorHandle != "alice.test" || p.Text != "hello #acme" || p.AuthorFollowers != -1 ||
		!equal(p.Tags, []string{"x", "acme"}) || !equal(p.Mentions, []string{bobDID}) || !equal(p.Languages, []string{"en"}) ||
		p.ReplyTo != "at://"+bobDID+"/app.bsky.feed.post/parent" || p.ReplyRoot != "at://"+bobDID+"/app.bsky.feed.post/root" ||
		!p.PostedAt.Equal(time.Date(2026, 3, 1, 10, 0, 0, 0, time.UTC)) || p.URL != "https://bsky.app/profile/"+aliceDID+"/post/r1" {
		t.Errorf("post = %+v", p)
	}
	if q := posts[1]; q.Text != "second" || !q.PostedAt.Equal(q.SeenAt) {
		t.Errorf("second post = %+v; want PostedAt = SeenAt for an unreadable createdAt", q)
	}
	if st := j.Stats(); st.Malformed != 2 {
		t.Errorf("Malformed = %d; want 2", st.Malformed)
	}
	fj.mu.Lock()
	q := fj.queries[0]
	fj.mu.Unlock()
	if q != "cursor=1&wantedCollections=app.bsky.feed.post" {
		t.Errorf("query = %q", q)
	}
	deadline := time.After(5 * time.Second)
	for {
		b := sink.accepted()
		if b[len(b)-1].Cursor == "6" && b[0].Source == "bluesky-jetstream:"+fj.srv.Listener.Addr().String() {
			break
		}
		select {
		case <-deadline:
			t.Fatalf("batches = %+v; want the cursor at 6", b)
		case <-time.After(10 * time.Millisecond):
		}
	}
}

func TestJetstreamReconnects(t *testing.T) {
	const n = 40
	start := time.Date(2026, 3, 1, 10, 0, 0, 0, time.UTC).UnixMicro()
	var msgs []jsMsg
	for i := 1; i <= n; i++ { // one a second: each reconnect goes back three
		msgs = append(msgs, jsPost(t, aliceDID, start+int64(i)*1e6, "p"+strconv.Itoa(i), map[string]any{"text": "p", "createdAt": "2026-03-01T10:00:00Z"}))
	}
	fj := newFakeJetstream(t, 6, msgs...)
	j := &Jetstream{Host: fj.srv.URL, Tuning: fastTuning, Cursors: fixedCursors(strconv.FormatInt(start, 10))}
	sink := newCollector()
	runInBackground(t, j.Run, sink)
	sink.waitFor(t, 20*time.Second, func(p []source.Post) bool {
		seen := map[string]bool{}
		for _, q := range p {
			seen[q.RemoteID] = true
		}
		return len(seen) == n
	})
	if st := j.Stats(); st.Reconnects < 10 {
		t.Errorf("Reconnects = %d; want one per drop", st.Reconnects)
	}
	fj.mu.Lock()
	defer fj.mu.Unlock()
	if want := "cursor=" + strconv.FormatInt(start-3e6, 10) + "&wantedCollections=app.bsky.feed.post"; fj.queries[0] != want {
		t.Errorf("first query = %q; want %q (the saved cursor, 3 s back)", fj.queries[0], want)
	}
}

func equal(a, b []string) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}
