package bluesky_test

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/heraldsocial/herald/internal/connector"
	"github.com/heraldsocial/herald/internal/connector/bluesky/blueskyfake"
	"github.com/heraldsocial/herald/internal/connector/bluesky/blueskytest"
	"github.com/heraldsocial/herald/internal/herald"
)

func TestEngagement(t *testing.T) {
	e := newEnv(t, blueskyfake.Config{})
	ctx := context.Background()
	post, err := e.c.Publish(ctx, e.alice, connector.Part{Text: "hello world", Key: "herald-10-0"})
	if err != nil {
		t.Fatal(err)
	}
	// Nothing yet.
	m, err := e.c.Metrics(ctx, e.alice, []herald.RemoteRef{post})
	if err != nil || m[post.ID] != (connector.Metrics{Impressions: -1, At: m[post.ID].At}) || m[post.ID].At.IsZero() {
		t.Fatalf("Metrics = %+v, %v", m, err)
	}
	mentions, cursor, err := e.c.Mentions(ctx, e.alice, "")
	if err != nil || len(mentions) != 0 || cursor != "" {
		t.Fatalf("Mentions = %v, %q, %v", mentions, cursor, err)
	}

	// Bob likes and reposts (twice each: one of each), replies and mentions.
	for range 2 {
		if err := e.c.Like(ctx, e.bob, post); err != nil {
			t.Fatal(err)
		}
		if err := e.c.Repost(ctx, e.bob, post); err != nil {
			t.Fatal(err)
		}
	}
	reply, err := e.c.Reply(ctx, e.bob, post, connector.Part{Text: "nice post"})
	if err != nil {
		t.Fatal(err)
	}
	mention, err := e.c.Publish(ctx, e.bob, connector.Part{Text: "hey @alice.test look", Key: "bob-1"})
	if err != nil {
		t.Fatal(err)
	}
	m, err = e.c.Metrics(ctx, e.alice, []herald.RemoteRef{post, {ID: "at://did:plc:gone/app.bsky.feed.post/3kabcdefghij2"}})
	if err != nil {
		t.Fatal(err)
	}
	if got := m[post.ID]; got.Likes != 1 || got.Replies != 1 || got.Reposts != 1 || got.Quotes != 0 || got.Impressions != -1 {
		t.Errorf("metrics = %+v", got)
	}
	if len(m) != 1 {
		t.Errorf("metrics has %d posts; a missing post must be absent", len(m))
	}

	mentions, cursor, err = e.c.Mentions(ctx, e.alice, "")
	if err != nil || len(mentions) != 2 || cursor == "" {
		t.Fatalf("Mentions = %+v, %q, %v", mentions, cursor, err)
	}
	// Oldest first: the reply, then the mention (the like is not a mention).
	r, mn := mentions[0], mentions[1]
	if r.RemoteID != reply.ID || r.Meta["reason"] != "reply" || r.ReplyTo != post.ID || r.Text != "nice post" ||
		r.AuthorHandle != "bob.test" || r.AuthorName != "Bob" || r.AuthorID != e.bobInfo.DID || r.CreatedAt.IsZero() ||
		r.Meta["root_uri"] != post.ID {
		t.Errorf("reply mention = %+v", r)
	}
	if mn.RemoteID != mention.ID || mn.Meta["reason"] != "mention" || mn.ReplyTo != "" || mn.URL == "" || mn.Meta["cid"] == "" {
		t.Errorf("mention = %+v", mn)
	}
	if again, next, err := e.c.Mentions(ctx, e.alice, cursor); err != nil || len(again) != 0 || next != "" {
		t.Errorf("Mentions since the cursor = %+v, %q, %v; want nothing new", again, next, err)
	}

	// Alice answers the reply: the root stays her post.
	answer, err := e.c.Reply(ctx, e.alice, herald.RemoteRef{ID: r.RemoteID, Meta: r.Meta}, connector.Part{Text: "thanks!"})
	if err != nil {
		t.Fatal(err)
	}
	rec := e.record(t, answer.ID)
	if dig(rec, "reply", "parent", "uri") != reply.ID || dig(rec, "reply", "root", "uri") != post.ID {
		t.Errorf("answer reply refs = %v", rec["reply"])
	}
	// Without root in the reference, the connector reads it from the parent.
	answer2, err := e.c.Reply(ctx, e.alice, herald.RemoteRef{ID: reply.ID}, connector.Part{Text: "and again"})
	if err != nil {
		t.Fatal(err)
	}
	if rec := e.record(t, answer2.ID); dig(rec, "reply", "root", "uri") != post.ID || dig(rec, "reply", "root", "cid") != post.Meta["cid"] {
		t.Errorf("answer2 reply refs = %v", rec["reply"])
	}
	if err := e.c.Like(ctx, e.alice, herald.RemoteRef{ID: mn.RemoteID, Meta: mn.Meta}); err != nil {
		t.Fatal(err)
	}
	more, next, err := e.c.Mentions(ctx, e.bob, "")
	if err != nil || len(more) != 2 || next == "" {
		t.Errorf("bob's mentions = %+v, %v", more, err)
	}

	// Delete: gone, and deleting again is fine; another's post is refused.
	if err := e.c.Delete(ctx, e.alice, post); err != nil {
		t.Fatal(err)
	}
	if _, ok := e.fake.Record(post.ID); ok {
		t.Error("the post is still there")
	}
	if err := e.c.Delete(ctx, e.alice, post); err != nil {
		t.Errorf("second delete: %v", err)
	}
	if err := e.c.Delete(ctx, e.alice, mention); classOf(t, err) != connector.Invalid {
		t.Errorf("deleting bob's post as alice: %v", err)
	}
	if err := e.c.Delete(ctx, e.alice, herald.RemoteRef{ID: "12345"}); classOf(t, err) != connector.Invalid {
		t.Errorf("deleting a non-URI: %v", err)
	}
	if err := e.c.Like(ctx, e.alice, herald.RemoteRef{ID: post.ID}); classOf(t, err) != connector.Invalid {
		t.Errorf("liking a deleted post (its cid looked up): %v", err)
	}
}

func TestMetricsBatches(t *testing.T) {
	e := newEnv(t, blueskyfake.Config{})
	ctx := context.Background()
	var refs []herald.RemoteRef
	for i := range 30 {
		ref, err := e.c.Publish(ctx, e.alice, connector.Part{Text: fmt.Sprint("post ", i), Key: fmt.Sprint("herald-11-", i)})
		if err != nil {
			t.Fatal(err)
		}
		refs = append(refs, ref)
	}
	before := e.fake.Calls("app.bsky.feed.getPosts")
	m, err := e.c.Metrics(ctx, e.alice, refs)
	if err != nil || len(m) != 30 {
		t.Fatalf("Metrics = %d posts, %v", len(m), err)
	}
	if calls := e.fake.Calls("app.bsky.feed.getPosts") - before; calls != 2 {
		t.Errorf("getPosts called %d times for 30 posts; want 2", calls)
	}
}

func TestMentionsPages(t *testing.T) {
	e := newEnv(t, blueskyfake.Config{})
	ctx := context.Background()
	for i := range 70 {
		if _, err := e.c.Publish(ctx, e.bob, connector.Part{Text: fmt.Sprintf("@alice.test %d", i), Key: fmt.Sprint("m-", i)}); err != nil {
			t.Fatal(err)
		}
	}
	got, cursor, err := e.c.Mentions(ctx, e.alice, "")
	if err != nil || len(got) != 70 {
		t.Fatalf("Mentions = %d, %v", len(got), err)
	}
	for i, m := range got {
		if m.Text != fmt.Sprintf("@alice.test %d", i) {
			t.Fatalf("mention %d = %q; want oldest first", i, m.Text)
		}
	}
	if _, err := e.c.Publish(ctx, e.bob, connector.Part{Text: "@alice.test new", Key: "m-new"}); err != nil {
		t.Fatal(err)
	}
	got, _, err = e.c.Mentions(ctx, e.alice, cursor)
	if err != nil || len(got) != 1 || got[0].Text != "@alice.test new" {
		t.Fatalf("Mentions since cursor = %+v, %v", got, err)
	}
}

// A quote counts whether or not it carries media of its own
// (app.bsky.embed.record or app.bsky.embed.recordWithMedia), as the
// AppView counts them (TestInteropBlueskyMetrics in internal/jobs checks
// the real one); the fake refuses a quote that names no post.
func TestMetricsCountQuotesWithMedia(t *testing.T) {
	e := newEnv(t, blueskyfake.Config{})
	ctx := t.Context()
	plain, err := e.c.Publish(ctx, e.alice, connector.Part{Text: "quote me", Key: "herald-20-0"})
	if err != nil {
		t.Fatal(err)
	}
	withMedia, err := e.c.Publish(ctx, e.alice, connector.Part{Text: "quote me with a link", Key: "herald-21-0"})
	if err != nil {
		t.Fatal(err)
	}
	link := map[string]any{"$type": "app.bsky.embed.external",
		"external": map[string]any{"uri": "https://example.com/more", "title": "More", "description": "Further reading"}}
	quote := func(embed map[string]any) error {
		_, err := blueskytest.CreateRecord(ctx, e.bob, "app.bsky.feed.post", map[string]any{"text": "look", "embed": embed})
		return err
	}
	if err := quote(map[string]any{"$type": "app.bsky.embed.record", "record": blueskytest.StrongRef(plain)}); err != nil {
		t.Fatalf("quote: %v", err)
	}
	if err := quote(map[string]any{"$type": "app.bsky.embed.recordWithMedia", "media": link,
		"record": map[string]any{"$type": "app.bsky.embed.record", "record": blueskytest.StrongRef(withMedia)}}); err != nil {
		t.Fatalf("quote with media: %v", err)
	}
	if err := quote(map[string]any{"$type": "app.bsky.embed.recordWithMedia", "media": link,
		"record": map[string]any{"$type": "app.bsky.embed.record", "record": map[string]string{"uri": withMedia.ID}}}); err == nil ||
		!strings.Contains(err.Error(), "Record/embed/record/record") {
		t.Errorf("a quote with media of a post without its cid: %v; want it refused", err)
	}
	if err := quote(map[string]any{"$type": "app.bsky.embed.recordWithMedia",
		"record": map[string]any{"$type": "app.bsky.embed.record", "record": blueskytest.StrongRef(withMedia)}}); err == nil ||
		!strings.Contains(err.Error(), `Record/embed must have the property`) {
		t.Errorf("a quote with media but none: %v; want it refused", err)
	}

	m, err := e.c.Metrics(ctx, e.alice, []herald.RemoteRef{plain, withMedia})
	if err != nil {
		t.Fatal(err)
	}
	for _, ref := range []herald.RemoteRef{plain, withMedia} {
		if got := m[ref.ID]; got.Quotes != 1 || got.Likes != 0 || got.Reposts != 0 || got.Replies != 0 || got.Impressions != -1 {
			t.Errorf("metrics of %s = %+v; want one quote", ref.ID, got)
		}
	}
	mentions, _, err := e.c.Mentions(ctx, e.alice, "")
	if err != nil || len(mentions) != 2 || mentions[0].Meta["reason"] != "quote" || mentions[1].Meta["reason"] != "quote" {
		t.Errorf("Mentions = %+v, %v; want both quotes", mentions, err)
	}
}
