package bluesky_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"image"
	"image/color"
	"image/png"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/heraldsocial/herald/internal/connector"
	"github.com/heraldsocial/herald/internal/connector/bluesky"
	"github.com/heraldsocial/herald/internal/connector/bluesky/blueskytest"
	"github.com/heraldsocial/herald/internal/herald"
)

func pngBytes(t *testing.T, w, h int) []byte {
	t.Helper()
	img := image.NewRGBA(image.Rect(0, 0, w, h))
	for x := 0; x < w; x++ {
		for y := 0; y < h; y++ {
			img.Set(x, y, color.RGBA{uint8(x * 255 / w), 90, uint8(y * 255 / h), 255})
		}
	}
	var buf bytes.Buffer
	if err := png.Encode(&buf, img); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// TestInteropDevenv runs the connector against a real PDS and AppView:
// connect, publish a post with a link card and a thread reply with an
// image, read them back as Bluesky's app would, have a second account
// like, repost and mention, read the counts and the mention, reply and
// like from Herald, refresh the session, and delete.
func TestInteropDevenv(t *testing.T) {
	env := blueskytest.Start(t)
	if len(env.Accounts) < 2 {
		t.Fatalf("the dev-env has %d accounts; want 2", len(env.Accounts))
	}
	ctx := context.Background()
	client := &http.Client{Timeout: 30 * time.Second}
	c := bluesky.New(client, bluesky.WithPLCURL(env.PLC), bluesky.WithHandleResolver(env.PDS), bluesky.WithLoopbackLinks(true))

	connect := func(i int) connector.Account {
		a := env.Accounts[i]
		got, err := c.ConnectWithPassword(ctx, a.Handle, a.AppPassword)
		if err != nil {
			t.Fatalf("connect %s: %v", a.Handle, err)
		}
		if got.Account.RemoteID != a.DID || got.Account.Handle != a.Handle || got.Account.InstanceURL != env.PDS {
			t.Fatalf("connect %s = %+v; want did %s on %s", a.Handle, got.Account, a.DID, env.PDS)
		}
		if got.Account.TokenExpiresAt == nil {
			t.Errorf("connect %s: no token expiry", a.Handle)
		}
		return connector.Account{Account: got.Account, Credentials: got.Credentials}
	}
	alice, bob := connect(0), connect(1)
	if alice.DisplayName != "Alice" {
		t.Errorf("alice's display name = %q; want the profile's Alice", alice.DisplayName)
	}

	// A wrong app password is the person's mistake, said as such.
	if _, err := c.ConnectWithPassword(ctx, env.Accounts[0].Handle, "wrong-pass-word-1234"); herald.ErrorCode(err) != herald.CodeInvalid {
		t.Errorf("connect with a wrong password: %v; want an invalid-input error", err)
	}

	// The linked page, served on loopback (allowed by the test option).
	thumb := pngBytes(t, 120, 63)
	page := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/article":
			w.Header().Set("Content-Type", "text/html; charset=utf-8")
			fmt.Fprint(w, `<!doctype html><html><head><title>fallback</title>
<meta property="og:title" content="Herald ships Bluesky">
<meta property="og:description" content="Posts with cards, images and threads.">
<meta property="og:image" content="/card.png"></head><body>hello</body></html>`)
		case "/card.png":
			w.Header().Set("Content-Type", "image/png")
			_, _ = w.Write(thumb)
		default:
			http.NotFound(w, r)
		}
	}))
	defer page.Close()
	link := page.URL + "/article"

	run := time.Now().UnixNano()
	key := func(i int) string { return fmt.Sprintf("interop-%d-%d", run, i) }
	text0 := "Hello from Herald 🦋 #herald read " + link + " cc @" + env.Accounts[1].Handle
	p0 := connector.Part{Index: 0, Text: text0, Key: key(0), Options: map[string]string{"language": "en"}}
	if n, problems, err := c.Validate(ctx, alice, p0); err != nil || len(problems) > 0 {
		t.Fatalf("Validate = %d, %v, %v", n, problems, err)
	}
	ref0, err := c.Publish(ctx, alice, p0)
	if err != nil {
		t.Fatalf("publish part 0: %v", err)
	}
	// Publishing the same part again is a no-op returning the same post.
	again, err := c.Publish(ctx, alice, p0)
	if err != nil || again.ID != ref0.ID || again.Meta["cid"] != ref0.Meta["cid"] {
		t.Fatalf("publish part 0 again = %+v, %v; want %+v", again, err, ref0)
	}
	found, ok, err := c.Find(ctx, alice, p0)
	if err != nil || !ok || found.ID != ref0.ID {
		t.Fatalf("Find part 0 = %+v, %v, %v", found, ok, err)
	}

	img := pngBytes(t, 64, 48)
	p1 := connector.Part{Index: 1, Text: "Part two, with a picture.", Key: key(1), ReplyTo: &ref0, Root: &ref0,
		Media: []connector.Media{{
			Asset: herald.MediaAsset{ID: 1, Filename: "gradient.png", ContentType: "image/png", Size: int64(len(img)),
				Width: 64, Height: 48, AltText: "A blue and red gradient"},
			Open: func(context.Context) (io.ReadCloser, error) { return io.NopCloser(bytes.NewReader(img)), nil },
		}}}
	ref1, err := c.Publish(ctx, alice, p1)
	if err != nil {
		t.Fatalf("publish part 1: %v", err)
	}

	// The records as stored on the PDS.
	var rec0 struct {
		Value struct {
			Text   string   `json:"text"`
			Langs  []string `json:"langs"`
			Facets []struct {
				Index struct {
					ByteStart int `json:"byteStart"`
					ByteEnd   int `json:"byteEnd"`
				} `json:"index"`
				Features []map[string]any `json:"features"`
			} `json:"facets"`
			Embed struct {
				Type     string `json:"$type"`
				External struct {
					URI   string         `json:"uri"`
					Title string         `json:"title"`
					Thumb map[string]any `json:"thumb"`
				} `json:"external"`
			} `json:"embed"`
		} `json:"value"`
	}
	rkey0 := ref0.Meta["rkey"]
	if err := blueskytest.Query(ctx, alice, "com.atproto.repo.getRecord", url.Values{"repo": {alice.RemoteID}, "collection": {"app.bsky.feed.post"}, "rkey": {rkey0}}, &rec0); err != nil {
		t.Fatal(err)
	}
	if rec0.Value.Text != text0 || len(rec0.Value.Langs) != 1 || rec0.Value.Langs[0] != "en" {
		t.Errorf("record 0 = %+v", rec0.Value)
	}
	kinds := map[string]string{}
	for _, f := range rec0.Value.Facets {
		typ, _ := f.Features[0]["$type"].(string)
		kinds[typ] = text0[f.Index.ByteStart:f.Index.ByteEnd]
		if typ == "app.bsky.richtext.facet#mention" && f.Features[0]["did"] != bob.RemoteID {
			t.Errorf("mention facet points to %v; want %s", f.Features[0]["did"], bob.RemoteID)
		}
	}
	want := map[string]string{"app.bsky.richtext.facet#tag": "#herald", "app.bsky.richtext.facet#link": link,
		"app.bsky.richtext.facet#mention": "@" + env.Accounts[1].Handle}
	for k, v := range want {
		if kinds[k] != v {
			t.Errorf("facet %s covers %q; want %q (facets %v)", k, kinds[k], v, kinds)
		}
	}
	if rec0.Value.Embed.Type != "app.bsky.embed.external" || rec0.Value.Embed.External.URI != link ||
		rec0.Value.Embed.External.Title != "Herald ships Bluesky" || rec0.Value.Embed.External.Thumb == nil {
		t.Errorf("record 0 embed = %+v; want a link card with a thumbnail", rec0.Value.Embed)
	}

	// The thread as Bluesky's app reads it from the AppView.
	type threadView struct {
		Thread struct {
			Post struct {
				URI   string `json:"uri"`
				Embed struct {
					Type     string `json:"$type"`
					External struct {
						Title string `json:"title"`
						Thumb string `json:"thumb"`
					} `json:"external"`
				} `json:"embed"`
			} `json:"post"`
			Replies []struct {
				Post struct {
					URI   string `json:"uri"`
					Embed struct {
						Type   string `json:"$type"`
						Images []struct {
							Alt         string         `json:"alt"`
							Fullsize    string         `json:"fullsize"`
							AspectRatio map[string]int `json:"aspectRatio"`
						} `json:"images"`
					} `json:"embed"`
				} `json:"post"`
			} `json:"replies"`
		} `json:"thread"`
	}
	var tv threadView
	blueskytest.Eventually(t, time.Minute, "the thread to appear in the AppView", func() (bool, error) {
		tv = threadView{}
		err := blueskytest.Query(ctx, alice, "app.bsky.feed.getPostThread", url.Values{"uri": {ref0.ID}}, &tv)
		return err == nil && len(tv.Thread.Replies) == 1, err
	})
	if tv.Thread.Post.Embed.Type != "app.bsky.embed.external#view" || tv.Thread.Post.Embed.External.Title != "Herald ships Bluesky" ||
		tv.Thread.Post.Embed.External.Thumb == "" {
		t.Errorf("post view embed = %+v; want the link card with its thumbnail", tv.Thread.Post.Embed)
	}
	r := tv.Thread.Replies[0].Post
	if r.URI != ref1.ID || r.Embed.Type != "app.bsky.embed.images#view" || len(r.Embed.Images) != 1 ||
		r.Embed.Images[0].Alt != "A blue and red gradient" || r.Embed.Images[0].AspectRatio["width"] != 64 {
		t.Errorf("reply view = %+v; want part 1 with its image and alt text", r)
	}

	// Bob likes, reposts and mentions Alice.
	if err := c.Like(ctx, bob, ref0); err != nil {
		t.Fatalf("bob likes: %v", err)
	}
	if err := c.Like(ctx, bob, ref0); err != nil {
		t.Fatalf("bob likes again (a no-op): %v", err)
	}
	if _, err := blueskytest.CreateRecord(ctx, bob, "app.bsky.feed.repost", map[string]any{"subject": blueskytest.StrongRef(ref0)}); err != nil {
		t.Fatalf("bob reposts: %v", err)
	}
	mentionText := "@" + env.Accounts[0].Handle + " this is great " + fmt.Sprint(run)
	mref, err := c.Publish(ctx, bob, connector.Part{Text: mentionText, Key: key(2)})
	if err != nil {
		t.Fatalf("bob mentions alice: %v", err)
	}

	var m connector.Metrics
	blueskytest.Eventually(t, time.Minute, "likeCount 1 and repostCount 1", func() (bool, error) {
		got, err := c.Metrics(ctx, alice, []herald.RemoteRef{ref0, ref1})
		m = got[ref0.ID]
		return err == nil && m.Likes == 1 && m.Reposts == 1 && m.Replies == 1, err
	})
	if m.Impressions != -1 || m.Quotes != 0 {
		t.Errorf("metrics = %+v", m)
	}

	var mentions []connector.Mention
	var cursor string
	blueskytest.Eventually(t, time.Minute, "bob's mention in alice's notifications", func() (bool, error) {
		var err error
		mentions, cursor, err = c.Mentions(ctx, alice, "")
		for _, mn := range mentions {
			if mn.RemoteID == mref.ID {
				return true, nil
			}
		}
		return false, err
	})
	var mn connector.Mention
	for _, x := range mentions {
		if x.RemoteID == mref.ID {
			mn = x
		}
	}
	if mn.AuthorHandle != env.Accounts[1].Handle || mn.AuthorID != bob.RemoteID || mn.Text != mentionText || mn.Meta["reason"] != "mention" {
		t.Errorf("mention = %+v", mn)
	}
	if again, next, err := c.Mentions(ctx, alice, cursor); err != nil || len(again) != 0 || next != "" {
		t.Errorf("Mentions since the cursor = %v, %q, %v; want nothing new", again, next, err)
	}

	// Alice answers the mention from Herald's inbox (exactly once) and
	// likes it.
	reply := replyFromInbox(t, c, alice, bob, mn, "Thank you! "+fmt.Sprint(run))
	if err := c.Like(ctx, alice, herald.RemoteRef{ID: mn.RemoteID, Meta: mn.Meta}); err != nil {
		t.Fatalf("like the mention: %v", err)
	}
	blueskytest.Eventually(t, time.Minute, "the reply and like on bob's post", func() (bool, error) {
		got, err := c.Metrics(ctx, bob, []herald.RemoteRef{mref})
		return err == nil && got[mref.ID].Replies == 1 && got[mref.ID].Likes == 1, err
	})

	// Bob follows Alice: once the AppView has indexed it, Audience reads
	// her followers and as many posts as her repository holds.
	t.Run("audience", func(t *testing.T) {
		follow(t, bob, alice.RemoteID)
		var posts struct {
			Records []json.RawMessage `json:"records"`
		}
		if err := blueskytest.Query(ctx, alice, "com.atproto.repo.listRecords", url.Values{"repo": {alice.RemoteID},
			"collection": {"app.bsky.feed.post"}, "limit": {"100"}}, &posts); err != nil {
			t.Fatal(err)
		}
		if len(posts.Records) < 3 {
			t.Fatalf("alice's repository holds %d posts; want at least the 3 published above", len(posts.Records))
		}
		var got connector.Audience
		blueskytest.Eventually(t, time.Minute, "bob's follow and alice's posts in her profile", func() (bool, error) {
			var err error
			got, err = c.Audience(ctx, alice)
			return err == nil && got.Followers >= 1 && got.Posts == int64(len(posts.Records)), err
		})
		if got.Following < 0 {
			t.Errorf("Audience = %+v; want the follows counted", got)
		}
		t.Logf("alice's audience: %+v", got)
	})

	// A fresh process (no cached session) refreshes with refreshSession.
	c2 := bluesky.New(client, bluesky.WithPLCURL(env.PLC), bluesky.WithHandleResolver(env.PDS))
	creds, exp, err := c2.Refresh(ctx, alice)
	if err != nil || exp == nil {
		t.Fatalf("Refresh = %v, %v", exp, err)
	}
	refreshed := alice
	refreshed.Credentials = creds
	if _, err := c2.Metrics(ctx, refreshed, []herald.RemoteRef{ref0}); err != nil {
		t.Fatalf("metrics with the refreshed session: %v", err)
	}

	// Delete everything Herald published; Find no longer finds it.
	for _, ref := range []herald.RemoteRef{reply, ref1, ref0} {
		if err := c.Delete(ctx, alice, ref); err != nil {
			t.Fatalf("delete %s: %v", ref.ID, err)
		}
	}
	if err := c.Delete(ctx, alice, ref0); err != nil {
		t.Errorf("deleting a deleted post: %v", err)
	}
	if _, ok, err := c.Find(ctx, alice, p0); err != nil || ok {
		t.Errorf("Find after delete = %v, %v; want not found", ok, err)
	}
	var gone struct{}
	err = blueskytest.Query(ctx, alice, "com.atproto.repo.getRecord", url.Values{"repo": {alice.RemoteID}, "collection": {"app.bsky.feed.post"}, "rkey": {rkey0}}, &gone)
	if err == nil || !strings.Contains(err.Error(), "RecordNotFound") {
		t.Errorf("getRecord after delete: %v; want RecordNotFound", err)
	}
	// The inbox's check reads bob's mention as written, and gone once bob
	// deleted it (the AppView answers getPosts without it).
	mentionRef := herald.RemoteRef{ID: mn.RemoteID, Meta: mn.Meta}
	if got, err := c.CheckPosts(ctx, alice, []herald.RemoteRef{mentionRef}); err != nil || got[mn.RemoteID].Gone ||
		got[mn.RemoteID].Text != mentionText {
		t.Errorf("CheckPosts before the deletion = %+v, %v", got, err)
	}
	if err := c.Delete(ctx, bob, mref); err != nil {
		t.Errorf("bob deletes his mention: %v", err)
	}
	blueskytest.Eventually(t, time.Minute, "the deleted mention checked as gone", func() (bool, error) {
		got, err := c.CheckPosts(ctx, alice, []herald.RemoteRef{mentionRef})
		return err == nil && got[mn.RemoteID].Gone, err
	})
}
