// Package conformance is the suite every connector passes against its fake
// server: publish, threads or carousels, media, the ambiguous time-out, a
// 429 with the platform's rate headers, a revoked token, delete, metrics
// and the inbox. A new platform is a connector package and a fake that
// implements Fake; Run does the rest.
//
// Each check runs only where the connector has the ability (a type
// assertion on the connector interfaces), and says so when it skips.
package conformance

import (
	"bytes"
	"context"
	"errors"
	"image"
	"image/color"
	"image/png"
	"io"
	"strings"
	"testing"
	"time"

	"github.com/heraldsocial/herald/internal/connector"
	"github.com/heraldsocial/herald/internal/herald"
)

// Op is a kind of request the suite asks a fake to fail.
type Op string

// Ops.
const (
	// OpPublish is the request that makes a post visible: the one create
	// call, or the last step of a two-step publish (Instagram's
	// media_publish, Threads' threads_publish).
	OpPublish Op = "publish"
	// OpAny is the next request of any kind.
	OpAny Op = "any"
)

// Failure is how a fake fails a request, each the platform's own way.
type Failure string

// Failures.
const (
	// Dropped: the fake carries the request out (the post exists) and then
	// closes the connection without an answer.
	Dropped Failure = "dropped"
	// RateLimited: the platform's "too many requests" answer, with its
	// documented status, headers (reset or retry-after) and error body.
	RateLimited Failure = "rate_limited"
	// Revoked: the platform's answer to a token the person withdrew.
	Revoked Failure = "revoked"
)

// Remote is a post as the fake holds it.
type Remote struct {
	ID      string
	Text    string
	ReplyTo string // the remote id of the post it answers, "" for none
	Media   int    // attached files (carousel items count one each)
	Deleted bool
}

// Fake is what a platform's fake server offers the suite. Its methods are
// called from the test goroutine only.
type Fake interface {
	// Account returns an account connected on the fake, with credentials
	// as the connector's own connect flow makes them.
	Account(t testing.TB) connector.Account
	// Fail makes the next request of op fail as f.
	Fail(op Op, f Failure)
	// Posts returns what the account published on the fake, oldest first,
	// deleted ones included (Deleted set).
	Posts(acct connector.Account) []Remote
	// SetMetrics sets a published post's counts (-1: the platform does not
	// give that count; the fake then leaves it out of its answers).
	SetMetrics(id string, m connector.Metrics)
	// Mention makes another user mention or answer the account (replyTo,
	// "" for a plain mention) and returns the new post's id.
	Mention(acct connector.Account, text, replyTo string) string
	// Violations returns every way the connector broke the platform's
	// contract so far (a missing header, a bad body, a call out of order).
	Violations() []string
}

// Setup is one connector on its fake.
type Setup struct {
	Connector connector.Publisher
	Fake      Fake
	// Image is a file the platform accepts; nil: a 64×64 PNG.
	Image *connector.Media
	// Second is the second media item of a post with two where it differs
	// from Image (YouTube: a thumbnail image after the video); nil: Image.
	Second *connector.Media
	// Options are the part options every publish carries (a Pinterest
	// board, a YouTube title), nil for none.
	Options map[string]string
	// MediaRequired is set where a post needs media (Instagram,
	// Pinterest, YouTube): the suite then attaches Image to every post.
	MediaRequired bool
}

// Run runs the suite. newSetup is called once per check, so each starts on
// a fresh fake.
func Run(t *testing.T, newSetup func(t *testing.T) Setup) {
	t.Helper()
	checks := []struct {
		name string
		run  func(t *testing.T, s Setup)
	}{
		{"Publish", checkPublish},
		{"Media", checkMedia},
		{"Thread", checkThread},
		{"FirstComment", checkFirstComment},
		{"AmbiguousTimeout", checkAmbiguous},
		{"RateLimited", checkRateLimited},
		{"Revoked", checkRevoked},
		{"Delete", checkDelete},
		{"Metrics", checkMetrics},
		{"Inbox", checkInbox},
		{"Conversation", checkConversation},
		{"Validate", checkValidate},
	}
	for _, c := range checks {
		t.Run(c.name, func(t *testing.T) {
			s := newSetup(t)
			c.run(t, s)
			if v := s.Fake.Violations(); len(v) > 0 {
				t.Errorf("contract violations:\n%s", strings.Join(v, "\n"))
			}
		})
	}
}

func ctx(t *testing.T) context.Context {
	c, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	t.Cleanup(cancel)
	return c
}

// pngImage is a small valid PNG.
func pngImage() connector.Media {
	img := image.NewRGBA(image.Rect(0, 0, 64, 64))
	for x := 0; x < 64; x++ {
		for y := 0; y < 64; y++ {
			img.Set(x, y, color.RGBA{uint8(x * 4), uint8(y * 4), 128, 255})
		}
	}
	var b bytes.Buffer
	if err := png.Encode(&b, img); err != nil {
		panic(err)
	}
	data := b.Bytes()
	return connector.Media{
		Asset: herald.MediaAsset{ID: 1, Filename: "square.png", ContentType: "image/png",
			Size: int64(len(data)), Width: 64, Height: 64, AltText: "a coloured square"},
		Open: func(context.Context) (io.ReadCloser, error) { return io.NopCloser(bytes.NewReader(data)), nil },
	}
}

func (s Setup) image() connector.Media {
	if s.Image != nil {
		return *s.Image
	}
	return pngImage()
}

func (s Setup) second() connector.Media {
	if s.Second != nil {
		return *s.Second
	}
	return s.image()
}

// part is a post with the setup's options (and media where required).
func (s Setup) part(key, text string) connector.Part {
	p := connector.Part{WorkspaceID: 1, TargetID: 1, Text: text, Key: key, Options: map[string]string{}}
	for k, v := range s.Options {
		p.Options[k] = v
	}
	if s.MediaRequired {
		p.Media = []connector.Media{s.image()}
	}
	return p
}

func limits(t *testing.T, s Setup, acct connector.Account) (connector.Limits, bool) {
	l, ok := s.Connector.(connector.Limiter)
	if !ok {
		return connector.Limits{}, false
	}
	lim, err := l.Limits(ctx(t), acct)
	if err != nil {
		t.Fatalf("Limits: %v", err)
	}
	return lim, true
}

func live(posts []Remote) []Remote {
	var out []Remote
	for _, p := range posts {
		if !p.Deleted {
			out = append(out, p)
		}
	}
	return out
}

func checkPublish(t *testing.T, s Setup) {
	acct := s.Fake.Account(t)
	text := "Hello from Herald, conformance " + t.Name()
	ref, err := s.Connector.Publish(ctx(t), acct, s.part("k-publish", text))
	if err != nil {
		t.Fatalf("Publish: %v", err)
	}
	if ref.ID == "" {
		t.Fatal("Publish returned no remote id")
	}
	posts := live(s.Fake.Posts(acct))
	if len(posts) != 1 || posts[0].ID != ref.ID {
		t.Fatalf("the fake holds %+v, want one post %q", posts, ref.ID)
	}
	if !strings.Contains(posts[0].Text, "Hello from Herald") {
		t.Errorf("published text %q, want it to carry %q", posts[0].Text, text)
	}
}

func checkMedia(t *testing.T, s Setup) {
	acct := s.Fake.Account(t)
	lim, ok := limits(t, s, acct)
	if ok && lim.MaxMedia == 0 {
		t.Skip("the platform takes no media")
	}
	p := s.part("k-media", "With a picture")
	p.Media = []connector.Media{s.image()}
	n := 1
	if lim.MaxMedia >= 2 {
		p.Media = append(p.Media, s.second())
		n = 2
	}
	ref, err := s.Connector.Publish(ctx(t), acct, p)
	if err != nil {
		t.Fatalf("Publish with %d images: %v", n, err)
	}
	posts := live(s.Fake.Posts(acct))
	var got *Remote
	for i := range posts {
		if posts[i].ID == ref.ID {
			got = &posts[i]
		}
	}
	if got == nil || got.Media != n {
		t.Fatalf("the fake holds %+v, want post %q with %d media", posts, ref.ID, n)
	}
}

func checkThread(t *testing.T, s Setup) {
	acct := s.Fake.Account(t)
	lim, ok := limits(t, s, acct)
	if !ok || lim.MaxThreadParts < 2 {
		t.Skip("the platform has no threads")
	}
	first, err := s.Connector.Publish(ctx(t), acct, s.part("k-t0", "Thread part one"))
	if err != nil {
		t.Fatalf("Publish part 0: %v", err)
	}
	p := s.part("k-t1", "Thread part two")
	p.Index, p.ReplyTo, p.Root = 1, &first, &first
	second, err := s.Connector.Publish(ctx(t), acct, p)
	if err != nil {
		t.Fatalf("Publish part 1: %v", err)
	}
	for _, r := range live(s.Fake.Posts(acct)) {
		if r.ID == second.ID && r.ReplyTo != first.ID {
			t.Fatalf("part two answers %q, want %q", r.ReplyTo, first.ID)
		}
	}
}

func checkFirstComment(t *testing.T, s Setup) {
	acct := s.Fake.Account(t)
	lim, ok := limits(t, s, acct)
	if !ok || !lim.FirstComment {
		t.Skip("the platform has no first comment")
	}
	post, err := s.Connector.Publish(ctx(t), acct, s.part("k-c0", "The post"))
	if err != nil {
		t.Fatalf("Publish: %v", err)
	}
	c := connector.Part{WorkspaceID: 1, TargetID: 1, Comment: true, Text: "The first comment",
		Key: "k-c1", ReplyTo: &post, Root: &post, Options: map[string]string{}}
	ref, err := s.Connector.Publish(ctx(t), acct, c)
	if err != nil {
		t.Fatalf("Publish the first comment: %v", err)
	}
	for _, r := range s.Fake.Posts(acct) {
		if r.ID == ref.ID && r.ReplyTo != post.ID {
			t.Fatalf("the comment answers %q, want %q", r.ReplyTo, post.ID)
		}
	}
}

// checkAmbiguous: the answer to a publish is lost after the platform made
// the post. The connector must say Ambiguous, and then either find the post
// (Reconciler) or be safe to send again (IdempotentPublisher): after
// settling, exactly one post exists. A connector with neither leaves the
// part unconfirmed, which the dispatcher handles.
func checkAmbiguous(t *testing.T, s Setup) {
	acct := s.Fake.Account(t)
	p := s.part("k-ambiguous", "Sent once, whatever happens")
	s.Fake.Fail(OpPublish, Dropped)
	_, err := s.Connector.Publish(ctx(t), acct, p)
	if err == nil {
		t.Fatal("Publish succeeded though the answer was lost")
	}
	if c := connector.ClassOf(err); c != connector.Ambiguous {
		t.Fatalf("a lost answer is %q (%v), want %q", c, err, connector.Ambiguous)
	}
	settled := false
	if r, ok := s.Connector.(connector.Reconciler); ok {
		ref, found, err := r.Find(ctx(t), acct, p)
		if err != nil {
			t.Fatalf("Find: %v", err)
		}
		if !found {
			t.Fatal("Find did not find the post the platform made")
		}
		if ref.ID == "" {
			t.Fatal("Find returned no id")
		}
		settled = true
	} else if ip, ok := s.Connector.(connector.IdempotentPublisher); ok && ip.Idempotent(ctx(t), acct) {
		if _, err := s.Connector.Publish(ctx(t), acct, p); err != nil {
			t.Fatalf("Publish again with the same key: %v", err)
		}
		settled = true
	}
	posts := live(s.Fake.Posts(acct))
	if len(posts) != 1 {
		t.Fatalf("after the lost answer the fake holds %d posts, want 1: %+v", len(posts), posts)
	}
	if !settled {
		t.Log("no reconciler and no idempotency: the dispatcher marks such a part unconfirmed")
	}
}

func checkRateLimited(t *testing.T, s Setup) {
	acct := s.Fake.Account(t)
	s.Fake.Fail(OpPublish, RateLimited)
	_, err := s.Connector.Publish(ctx(t), acct, s.part("k-429", "Too fast"))
	var e *connector.Error
	if !errors.As(err, &e) || e.Class != connector.RateLimited {
		t.Fatalf("a rate-limited publish gave %v, want class %q", err, connector.RateLimited)
	}
	if e.RetryAfter <= 0 {
		t.Errorf("RetryAfter is %v, want the wait the platform's headers give", e.RetryAfter)
	}
	if n := len(live(s.Fake.Posts(acct))); n != 0 {
		t.Errorf("the fake holds %d posts after a refusal", n)
	}
}

func checkRevoked(t *testing.T, s Setup) {
	acct := s.Fake.Account(t)
	s.Fake.Fail(OpAny, Revoked)
	_, err := s.Connector.Publish(ctx(t), acct, s.part("k-revoked", "Nobody home"))
	c := connector.ClassOf(err)
	if c != connector.AuthRevoked && c != connector.AuthExpired {
		t.Fatalf("a revoked token gave %v, want class %q or %q", err, connector.AuthRevoked, connector.AuthExpired)
	}
}

func checkDelete(t *testing.T, s Setup) {
	d, ok := s.Connector.(connector.Deleter)
	if !ok {
		t.Skip("the platform lets no one delete through its API")
	}
	acct := s.Fake.Account(t)
	ref, err := s.Connector.Publish(ctx(t), acct, s.part("k-delete", "Short-lived"))
	if err != nil {
		t.Fatalf("Publish: %v", err)
	}
	if err := d.Delete(ctx(t), acct, ref); err != nil {
		t.Fatalf("Delete: %v", err)
	}
	if n := len(live(s.Fake.Posts(acct))); n != 0 {
		t.Fatalf("%d posts left after Delete", n)
	}
	if err := d.Delete(ctx(t), acct, ref); err != nil {
		t.Errorf("deleting a deleted post: %v, want nil (it is gone, as asked)", err)
	}
}

func checkMetrics(t *testing.T, s Setup) {
	mr, ok := s.Connector.(connector.MetricsReader)
	if !ok {
		t.Skip("the platform gives no counts")
	}
	acct := s.Fake.Account(t)
	ref, err := s.Connector.Publish(ctx(t), acct, s.part("k-metrics", "Count me"))
	if err != nil {
		t.Fatalf("Publish: %v", err)
	}
	s.Fake.SetMetrics(ref.ID, connector.Metrics{Likes: 7, Reposts: 3, Replies: 2, Quotes: -1, Impressions: 120})
	got, err := mr.Metrics(ctx(t), acct, []herald.RemoteRef{ref})
	if err != nil {
		t.Fatalf("Metrics: %v", err)
	}
	m, ok := got[ref.ID]
	if !ok {
		t.Fatalf("Metrics returned nothing for %q: %+v", ref.ID, got)
	}
	if m.Likes != 7 {
		t.Errorf("likes %d, want 7", m.Likes)
	}
	for name, v := range map[string]int64{"reposts": m.Reposts, "replies": m.Replies, "impressions": m.Impressions} {
		want := map[string]int64{"reposts": 3, "replies": 2, "impressions": 120}[name]
		if v != want && v != -1 {
			t.Errorf("%s %d, want %d (or -1 where the platform does not give it)", name, v, want)
		}
	}
	if m.Quotes > 0 {
		t.Errorf("quotes %d, want -1 or 0: the fake gave none", m.Quotes)
	}
}

func checkInbox(t *testing.T, s Setup) {
	ir, ok := s.Connector.(connector.InboxReader)
	if !ok {
		t.Skip("the platform's API gives no comments or mentions")
	}
	acct := s.Fake.Account(t)
	ref, err := s.Connector.Publish(ctx(t), acct, s.part("k-inbox", "Talk to me"))
	if err != nil {
		t.Fatalf("Publish: %v", err)
	}
	id := s.Fake.Mention(acct, "Nice post!", ref.ID)
	got, cursor, err := ir.Mentions(ctx(t), acct, "")
	if err != nil {
		t.Fatalf("Mentions: %v", err)
	}
	found := false
	for _, m := range got {
		if m.RemoteID == id {
			found = true
			if !strings.Contains(m.Text, "Nice post!") {
				t.Errorf("mention text %q", m.Text)
			}
			if m.ReplyTo != ref.ID {
				t.Errorf("mention answers %q, want %q", m.ReplyTo, ref.ID)
			}
		}
	}
	if !found {
		t.Fatalf("Mentions did not return %q: %+v", id, got)
	}
	again, _, err := ir.Mentions(ctx(t), acct, cursor)
	if err != nil {
		t.Fatalf("Mentions from the cursor: %v", err)
	}
	for _, m := range again {
		if m.RemoteID == id {
			t.Errorf("the cursor %q gave %q again", cursor, id)
		}
	}
	if r, ok := s.Connector.(connector.Replier); ok {
		to := herald.RemoteRef{ID: id}
		for _, m := range got {
			if m.RemoteID == id {
				to.URL, to.Meta = m.URL, m.Meta
			}
		}
		if _, err := r.Reply(ctx(t), acct, to, connector.Part{WorkspaceID: 1, Text: "Thank you!", Key: "k-reply",
			Options: map[string]string{}}); err != nil {
			t.Fatalf("Reply: %v", err)
		}
	}
}

// checkConversation: a mention that answers our post, read in its thread,
// has our post above it and our reply below it.
func checkConversation(t *testing.T, s Setup) {
	tr, ok := s.Connector.(connector.ThreadReader)
	if !ok {
		t.Skip("Herald does not read conversations on this platform")
	}
	acct := s.Fake.Account(t)
	ref, err := s.Connector.Publish(ctx(t), acct, s.part("k-inbox", "Where should we go next?"))
	if err != nil {
		t.Fatalf("Publish: %v", err)
	}
	id := s.Fake.Mention(acct, "To the sea!", ref.ID)
	to := herald.RemoteRef{ID: id}
	if ir, ok := s.Connector.(connector.InboxReader); ok {
		got, _, err := ir.Mentions(ctx(t), acct, "")
		if err != nil {
			t.Fatalf("Mentions: %v", err)
		}
		for _, m := range got {
			if m.RemoteID == id {
				to.URL, to.Meta = m.URL, m.Meta
			}
		}
	}
	var reply herald.RemoteRef
	if r, ok := s.Connector.(connector.Replier); ok {
		if reply, err = r.Reply(ctx(t), acct, to, connector.Part{WorkspaceID: 1, Text: "Good idea!", Key: "k-conv-reply",
			Options: map[string]string{}}); err != nil {
			t.Fatalf("Reply: %v", err)
		}
	}
	th, err := tr.Thread(ctx(t), acct, to)
	if err != nil {
		t.Fatalf("Thread: %v", err)
	}
	if th.Post.RemoteID != id || !strings.Contains(th.Post.Text, "To the sea!") || th.Post.ReplyTo != ref.ID || th.Post.AuthorHandle == "" {
		t.Errorf("thread post = %+v, want the mention answering %s", th.Post, ref.ID)
	}
	if n := len(th.Ancestors); n == 0 || th.Ancestors[n-1].RemoteID != ref.ID || !strings.Contains(th.Ancestors[n-1].Text, "Where should we go next?") {
		t.Errorf("ancestors = %+v, want our post last", th.Ancestors)
	}
	if reply.ID != "" {
		found := false
		for _, r := range th.Replies {
			found = found || (r.RemoteID == reply.ID && r.ReplyTo == id && strings.Contains(r.Text, "Good idea!"))
		}
		if !found {
			t.Errorf("replies = %+v, want our reply %s", th.Replies, reply.ID)
		}
	}
}

func checkValidate(t *testing.T, s Setup) {
	v, ok := s.Connector.(connector.Validator)
	if !ok {
		t.Skip("no validator")
	}
	acct := s.Fake.Account(t)
	lim, _ := limits(t, s, acct)
	n, problems, err := v.Validate(ctx(t), acct, s.part("k-v", "Fine"))
	if err != nil {
		t.Fatalf("Validate: %v", err)
	}
	if len(problems) != 0 {
		t.Errorf("a short post has problems: %+v", problems)
	}
	if n <= 0 {
		t.Errorf("length %d for %q", n, "Fine")
	}
	if lim.MaxChars > 0 {
		long := strings.Repeat("a", lim.MaxChars+1)
		_, problems, err := v.Validate(ctx(t), acct, s.part("k-v2", long))
		if err != nil {
			t.Fatalf("Validate: %v", err)
		}
		if len(problems) == 0 {
			t.Errorf("a post of %d characters passes a limit of %d", lim.MaxChars+1, lim.MaxChars)
		}
	}
}
