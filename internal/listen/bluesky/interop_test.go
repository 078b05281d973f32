package bluesky

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/heraldsocial/herald/internal/connector"
	blueskyconn "github.com/heraldsocial/herald/internal/connector/bluesky"
	"github.com/heraldsocial/herald/internal/connector/bluesky/blueskytest"
	"github.com/heraldsocial/herald/internal/listen/source"
)

// TestInteropFirehose listens to a real PDS (the dev-env's) while its
// accounts post: a post with a term, a #tag facet, a mention and a
// language, and a reply to it. Both must come out of the firehose with
// the fields Bluesky's app wrote; then the AppView's search must find them.
func TestInteropFirehose(t *testing.T) {
	env := blueskytest.Start(t)
	if len(env.Accounts) < 2 {
		t.Fatalf("the dev-env has %d accounts; want 2", len(env.Accounts))
	}
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	client := &http.Client{Timeout: 30 * time.Second}
	c := blueskyconn.New(client, blueskyconn.WithPLCURL(env.PLC), blueskyconn.WithHandleResolver(env.PDS))
	connect := func(i int) connector.Account {
		a := env.Accounts[i]
		got, err := c.ConnectWithPassword(ctx, a.Handle, a.AppPassword)
		if err != nil {
			t.Fatalf("connect %s: %v", a.Handle, err)
		}
		return connector.Account{Account: got.Account, Credentials: got.Credentials}
	}
	alice, bob := connect(0), connect(1)
	aliceDID, bobDID := env.Accounts[0].DID, env.Accounts[1].DID

	// From the start of the PDS's stream, so nothing written below can be
	// missed while the connection is made (and the accounts' #identity
	// events give their handles).
	f := &Firehose{Host: env.PDS, Cursors: fixedCursors("0"), Logger: testLogger(t),
		Tuning: Tuning{MinBackoff: 50 * time.Millisecond, MaxBackoff: time.Second}}
	sink := newCollector()
	runInBackground(t, f.Run, sink)

	term := fmt.Sprintf("heraldlisten%d", time.Now().UnixNano())
	text := "Trying " + term + " today #acmelaunch with @" + env.Accounts[1].Handle
	tagAt := strings.Index(text, "#acmelaunch")
	mentionAt := strings.Index(text, "@")
	ref, err := blueskytest.CreateRecord(ctx, alice, postCollection, map[string]any{
		"text":  text,
		"langs": []string{"en"},
		"facets": []any{
			map[string]any{"index": map[string]int{"byteStart": tagAt, "byteEnd": tagAt + len("#acmelaunch")},
				"features": []any{map[string]any{"$type": "app.bsky.richtext.facet#tag", "tag": "acmelaunch"}}},
			map[string]any{"index": map[string]int{"byteStart": mentionAt, "byteEnd": len(text)},
				"features": []any{map[string]any{"$type": "app.bsky.richtext.facet#mention", "did": bobDID}}},
		},
	})
	if err != nil {
		t.Fatalf("create the post: %v", err)
	}
	reply, err := blueskytest.CreateRecord(ctx, bob, postCollection, map[string]any{
		"text":  "Replying about " + term,
		"reply": map[string]any{"root": blueskytest.StrongRef(ref), "parent": blueskytest.StrongRef(ref)},
	})
	if err != nil {
		t.Fatalf("create the reply: %v", err)
	}

	find := func(posts []source.Post, id string) (source.Post, bool) {
		for _, p := range posts {
			if p.RemoteID == id {
				return p, true
			}
		}
		return source.Post{}, false
	}
	posts := sink.waitFor(t, time.Minute, func(p []source.Post) bool {
		_, a := find(p, ref.ID)
		_, b := find(p, reply.ID)
		return a && b
	})
	p, _ := find(posts, ref.ID)
	rkey := ref.ID[strings.LastIndex(ref.ID, "/")+1:]
	if p.Platform != "bluesky" || p.CID != ref.Meta["cid"] || p.AuthorID != aliceDID || p.Text != text ||
		p.URL != "https://bsky.app/profile/"+aliceDID+"/post/"+rkey || p.AuthorFollowers != -1 ||
		!equal(p.Languages, []string{"en"}) || !equal(p.Tags, []string{"acmelaunch"}) || !equal(p.Mentions, []string{bobDID}) ||
		p.ReplyTo != "" || p.ReplyRoot != "" || time.Since(p.PostedAt) > 5*time.Minute || p.PostedAt.After(p.SeenAt.Add(time.Minute)) {
		t.Errorf("post = %+v", p)
	}
	if p.AuthorHandle != "" && p.AuthorHandle != env.Accounts[0].Handle {
		t.Errorf("AuthorHandle = %q; want %q or none", p.AuthorHandle, env.Accounts[0].Handle)
	}
	t.Logf("author handle from the firehose's #identity events: %q", p.AuthorHandle)
	r, _ := find(posts, reply.ID)
	if r.AuthorID != bobDID || r.ReplyTo != ref.ID || r.ReplyRoot != ref.ID || r.CID != reply.Meta["cid"] {
		t.Errorf("reply = %+v", r)
	}
	seen := map[string]int{}
	for _, q := range posts {
		seen[q.RemoteID]++
	}
	if seen[ref.ID] != 1 || seen[reply.ID] != 1 {
		t.Errorf("delivered %d and %d times; want once", seen[ref.ID], seen[reply.ID])
	}
	if st := f.Stats(); st.Malformed != 0 {
		t.Errorf("stats = %+v; want nothing malformed from a real PDS", st)
	}

	// The AppView indexes asynchronously: search until both show.
	var found []source.Post
	blueskytest.Eventually(t, time.Minute, "the AppView's search finding the posts", func() (bool, error) {
		var err error
		found, err = Search(ctx, client, env.AppView, term, time.Now().Add(-time.Hour), 10)
		return len(found) >= 2, err
	})
	s, ok := find(found, ref.ID)
	if !ok || s.AuthorHandle != env.Accounts[0].Handle || s.AuthorName == "" || s.Text != text ||
		!equal(s.Tags, []string{"acmelaunch"}) || !equal(s.Mentions, []string{bobDID}) || s.CID != ref.Meta["cid"] {
		t.Errorf("search hit = %+v (found %t)", s, ok)
	}
}
