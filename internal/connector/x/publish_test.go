package x

import (
	"bytes"
	"errors"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/heraldsocial/herald/internal/connector"
	"github.com/heraldsocial/herald/internal/connector/x/xfake"
	"github.com/heraldsocial/herald/internal/herald"
)

func TestPublishThreadAndFirstComment(t *testing.T) {
	e := newEnv(t, xfake.Config{})
	c := ctx(t)
	root, err := e.c.Publish(c, e.acct, connector.Part{Index: 0, Text: "Launching today & more: https://example.com/launch", Key: "t1-0"})
	if err != nil {
		t.Fatalf("publish part 0: %v", err)
	}
	if want := "https://x.com/herald/status/" + root.ID; root.URL != want {
		t.Errorf("URL = %q; want %q", root.URL, want)
	}
	part1, err := e.c.Publish(c, e.acct, connector.Part{Index: 1, Text: "Part two", ReplyTo: &root, Root: &root, Key: "t1-1"})
	if err != nil {
		t.Fatalf("publish part 1: %v", err)
	}
	comment, err := e.c.Publish(c, e.acct, connector.Part{Comment: true, Text: "First comment", Root: &root, Key: "t1-c"})
	if err != nil {
		t.Fatalf("publish first comment: %v", err)
	}
	for _, tc := range []struct {
		ref     herald.RemoteRef
		replyTo string
	}{{root, ""}, {part1, root.ID}, {comment, root.ID}} {
		tw, ok := e.srv.Tweet(tc.ref.ID)
		if !ok {
			t.Fatalf("post %s is not on the platform", tc.ref.ID)
		}
		if tw.ReplyTo != tc.replyTo || tw.AuthorID != e.user.ID {
			t.Errorf("post %s replies to %q by %s; want %q by %s", tw.ID, tw.ReplyTo, tw.AuthorID, tc.replyTo, e.user.ID)
		}
	}
	if tw, _ := e.srv.Tweet(root.ID); !strings.Contains(tw.Text, "https://t.co/") || !strings.Contains(tw.Text, "&amp;") {
		t.Errorf("the fake should show the post as X does, got %q", tw.Text)
	}
}

func TestPublishImagesWithAltText(t *testing.T) {
	e := newEnv(t, xfake.Config{}, WithChunkSize(1000))
	img1 := bytes.Repeat([]byte{0xFF, 0xD8, 1, 2, 3}, 700) // 3,500 bytes: 4 segments
	img2 := bytes.Repeat([]byte("png"), 100)
	ref, err := e.c.Publish(ctx(t), e.acct, connector.Part{Text: "Two pictures", Media: []connector.Media{
		file("a.jpg", "image/jpeg", img1, "A red bicycle against a wall"),
		file("b.png", "image/png", img2, ""),
	}})
	if err != nil {
		t.Fatalf("publish: %v", err)
	}
	tw, _ := e.srv.Tweet(ref.ID)
	if len(tw.MediaIDs) != 2 {
		t.Fatalf("post has %d media; want 2", len(tw.MediaIDs))
	}
	m1, _ := e.srv.Media(tw.MediaIDs[0])
	if !bytes.Equal(m1.Bytes(), img1) || len(m1.Segments) != 4 {
		t.Errorf("first upload: %d bytes in %d segments; want %d in 4", len(m1.Bytes()), len(m1.Segments), len(img1))
	}
	if m1.AltText != "A red bicycle against a wall" || m1.Category != "tweet_image" {
		t.Errorf("first upload: alt %q category %q", m1.AltText, m1.Category)
	}
	m2, _ := e.srv.Media(tw.MediaIDs[1])
	if !bytes.Equal(m2.Bytes(), img2) || m2.AltText != "" {
		t.Errorf("second upload: %d bytes, alt %q", len(m2.Bytes()), m2.AltText)
	}
}

func TestPublishVideoWaitsForProcessing(t *testing.T) {
	tests := []struct {
		name  string
		cfg   xfake.Config
		class connector.Class // "" for success
	}{
		{"processed after polls", xfake.Config{ProcessingPolls: 3}, ""},
		{"processing fails", xfake.Config{ProcessingPolls: 1, ProcessingFails: true}, connector.Invalid},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := newEnv(t, tt.cfg)
			video := bytes.Repeat([]byte("mp4!"), 2000)
			ref, err := e.c.Publish(ctx(t), e.acct, connector.Part{Text: "Watch", Media: []connector.Media{file("v.mp4", "video/mp4", video, "A short clip")}})
			if tt.class != "" {
				if err == nil || classOf(t, err) != tt.class {
					t.Fatalf("err = %v; want class %s", err, tt.class)
				}
				if n := e.srv.Requests("POST /2/tweets"); n != 0 {
					t.Errorf("%d posts were attempted after a failed upload", n)
				}
				return
			}
			if err != nil {
				t.Fatalf("publish: %v", err)
			}
			tw, _ := e.srv.Tweet(ref.ID)
			m, _ := e.srv.Media(tw.MediaIDs[0])
			if m.State != "succeeded" || m.Category != "tweet_video" {
				t.Errorf("upload state %q category %q", m.State, m.Category)
			}
			if n := e.srv.Requests("GET /2/media/upload"); n != tt.cfg.ProcessingPolls+1 {
				t.Errorf("%d status checks; want %d", n, tt.cfg.ProcessingPolls+1)
			}
		})
	}
}

func TestPublishErrors(t *testing.T) {
	reset := func() http.Header {
		return http.Header{"X-Rate-Limit-Limit": {"200"}, "X-Rate-Limit-Remaining": {"0"},
			"X-Rate-Limit-Reset": {"4102444800"}} // 2100-01-01
	}
	tests := []struct {
		name       string
		fault      xfake.Fault
		class      connector.Class
		message    string
		published  bool // the platform has the post despite the error
		retryAfter bool
	}{
		{name: "rate limited", class: connector.RateLimited, message: "Too Many Requests", retryAfter: true,
			fault: xfake.Fault{Status: 429, Header: reset(), ContentType: "application/json",
				Body: `{"title":"Too Many Requests","detail":"Too Many Requests","type":"about:blank","status":429,"code":429,"message":"Too Many Requests"}`}},
		{name: "invalid request keeps X's words", class: connector.Invalid, message: "Your media IDs are invalid.",
			fault: xfake.Fault{Status: 400, ContentType: "application/problem+json",
				Body: `{"type":"https://api.x.com/2/problems/invalid-request","title":"Invalid Request","detail":"Your media IDs are invalid.","status":400}`}},
		{name: "server error may have published", class: connector.Ambiguous,
			fault: xfake.Fault{Status: 503, ContentType: "application/problem+json",
				Body: `{"type":"https://api.x.com/2/problems/internal-error","title":"Service Unavailable","detail":"Service Unavailable","status":503}`}},
		{name: "html page from a proxy", class: connector.Ambiguous, message: "HTML page",
			fault: xfake.Fault{Status: 502, ContentType: "text/html", Body: "<!DOCTYPE html><html><body>Bad gateway</body></html>", Raw: true}},
		{name: "not authorized for resource", class: connector.Invalid, message: "not allowed",
			fault: xfake.Fault{Status: 403, ContentType: "application/problem+json",
				Body: `{"type":"https://api.x.com/2/problems/not-authorized-for-resource","title":"Forbidden","detail":"You are not allowed to reply to this post.","resource_type":"tweet","status":403}`}},
		{name: "client not enrolled", class: connector.AuthRevoked,
			fault: xfake.Fault{Status: 403, ContentType: "application/json", Raw: true,
				Body: `{"title":"Client Forbidden","detail":"This app must be attached to a Project.","reason":"client-not-enrolled","type":"https://api.x.com/2/problems/client-forbidden"}`}},
		{name: "answer lost after the post was made", class: connector.Ambiguous, published: true,
			fault: xfake.Fault{Drop: true}},
		{name: "answer cut short", class: connector.Ambiguous, published: true,
			fault: xfake.Fault{Truncate: true}},
		{name: "created without an id", class: connector.Ambiguous,
			fault: xfake.Fault{Status: 201, ContentType: "application/json", Body: `{"data":{"text":"x"}}`, Raw: true}},
		{name: "created with a body that is not JSON", class: connector.Ambiguous,
			fault: xfake.Fault{Status: 201, ContentType: "application/json", Body: `{"data":{"id":"12`, Raw: true}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := newEnv(t, xfake.Config{})
			tt.fault.Route = "POST /2/tweets"
			e.srv.Inject(tt.fault)
			p := connector.Part{Text: "Hello from Herald " + tt.name, Key: "k"}
			_, err := e.c.Publish(ctx(t), e.acct, p)
			if err == nil {
				t.Fatal("publish succeeded; want an error")
			}
			var ce *connector.Error
			if !strings.Contains(err.Error(), tt.message) {
				t.Errorf("err = %v; want it to say %q", err, tt.message)
			}
			if got := classOf(t, err); got != tt.class {
				t.Errorf("class = %s; want %s (%v)", got, tt.class, err)
			}
			if asErr(err, &ce); tt.retryAfter && ce.RetryAfter <= 0 {
				t.Errorf("RetryAfter = %v; want the wait until x-rate-limit-reset", ce.RetryAfter)
			}
			ref, found, ferr := e.c.Find(ctx(t), e.acct, p)
			if ferr != nil {
				t.Fatalf("find: %v", ferr)
			}
			if found != tt.published {
				t.Fatalf("find = %v; want %v", found, tt.published)
			}
			if found {
				if tw, ok := e.srv.Tweet(ref.ID); !ok || tw.Original != p.Text {
					t.Errorf("find returned %s, which is not the post", ref.ID)
				}
			}
		})
	}
}

func TestPublishAuthErrors(t *testing.T) {
	t.Run("expired token with a refresh token", func(t *testing.T) {
		e := newEnv(t, xfake.Config{})
		e.srv.ExpireToken(e.tok.Access)
		_, err := e.c.Publish(ctx(t), e.acct, connector.Part{Text: "hi"})
		if got := classOf(t, err); got != connector.AuthExpired {
			t.Errorf("class = %s; want auth_expired (%v)", got, err)
		}
	})
	t.Run("revoked token without a refresh token", func(t *testing.T) {
		e := newEnv(t, xfake.Config{})
		tok := e.srv.IssueToken(e.user.ID, "tweet.read", "tweet.write", "users.read")
		e.srv.RevokeUser(e.user.ID)
		_, err := e.c.Publish(ctx(t), account(e.user, tok), connector.Part{Text: "hi"})
		if got := classOf(t, err); got != connector.AuthRevoked {
			t.Errorf("class = %s; want auth_revoked (%v)", got, err)
		}
	})
	t.Run("missing scope", func(t *testing.T) {
		e := newEnv(t, xfake.Config{})
		tok := e.srv.IssueToken(e.user.ID, "tweet.read", "users.read")
		_, err := e.c.Publish(ctx(t), account(e.user, tok), connector.Part{Text: "hi"})
		if got := classOf(t, err); got != connector.AuthRevoked {
			t.Errorf("class = %s; want auth_revoked (%v)", got, err)
		}
	})
	t.Run("unreadable credentials", func(t *testing.T) {
		e := newEnv(t, xfake.Config{})
		a := e.acct
		a.Credentials = []byte("{not json")
		_, err := e.c.Publish(ctx(t), a, connector.Part{Text: "hi"})
		if got := classOf(t, err); got != connector.AuthRevoked {
			t.Errorf("class = %s; want auth_revoked", got)
		}
	})
}

func TestDuplicateContentIsInvalid(t *testing.T) {
	e := newEnv(t, xfake.Config{})
	p := connector.Part{Text: "Same words twice"}
	if _, err := e.c.Publish(ctx(t), e.acct, p); err != nil {
		t.Fatal(err)
	}
	_, err := e.c.Publish(ctx(t), e.acct, p)
	if got := classOf(t, err); got != connector.Invalid || !strings.Contains(err.Error(), "duplicate content") {
		t.Errorf("second publish: %v (%s); want invalid with X's words", err, got)
	}
}

func TestRateLimitFromTheFake(t *testing.T) {
	now := time.Date(2030, 1, 1, 12, 0, 0, 0, time.UTC)
	e := newEnv(t, xfake.Config{RateLimit: 2, RateWindow: 15 * time.Minute, Now: func() time.Time { return now }},
		WithClock(func() time.Time { return now }))
	for i := range 2 {
		if _, err := e.c.Publish(ctx(t), e.acct, connector.Part{Text: "post " + string(rune('a'+i))}); err != nil {
			t.Fatal(err)
		}
	}
	_, err := e.c.Publish(ctx(t), e.acct, connector.Part{Text: "one too many"})
	var ce *connector.Error
	if !asErr(err, &ce) || ce.Class != connector.RateLimited {
		t.Fatalf("err = %v; want rate_limited", err)
	}
	if ce.RetryAfter != 15*time.Minute {
		t.Errorf("RetryAfter = %v; want 15m from x-rate-limit-reset", ce.RetryAfter)
	}
}

func TestFind(t *testing.T) {
	e := newEnv(t, xfake.Config{})
	c := ctx(t)
	root, err := e.c.Publish(c, e.acct, connector.Part{Text: "Read <this> & that: example.com/a "})
	if err != nil {
		t.Fatal(err)
	}
	withMedia, err := e.c.Publish(c, e.acct, connector.Part{Text: "A picture", Media: []connector.Media{file("a.png", "image/png", []byte("png"), "")}})
	if err != nil {
		t.Fatal(err)
	}
	reply, err := e.c.Publish(c, e.acct, connector.Part{Text: "More", ReplyTo: &root, Root: &root})
	if err != nil {
		t.Fatal(err)
	}
	old := e.srv.PostAs(e.user.ID, "An old post", "")
	e.srv.Backdate(old.ID, 48*time.Hour)
	other := e.srv.AddUser("someone", "Someone")
	e.srv.PostAs(other.ID, "Not ours", "")

	tests := []struct {
		name string
		part connector.Part
		want string // "" for not found
	}{
		{"text with url and entities", connector.Part{Text: "Read <this> & that: example.com/a"}, root.ID},
		{"media post", connector.Part{Text: "A picture", Media: []connector.Media{file("a.png", "image/png", []byte("png"), "")}}, withMedia.ID},
		{"media post without the media", connector.Part{Text: "A picture"}, ""},
		{"reply with its target", connector.Part{Text: "More", ReplyTo: &root, Root: &root}, reply.ID},
		{"same text, other target", connector.Part{Text: "More"}, ""},
		{"outside the window", connector.Part{Text: "An old post"}, ""},
		{"someone else's post", connector.Part{Text: "Not ours"}, ""},
		{"never published", connector.Part{Text: "Nothing like it"}, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ref, found, err := e.c.Find(c, e.acct, tt.part)
			if err != nil {
				t.Fatal(err)
			}
			if found != (tt.want != "") || ref.ID != tt.want {
				t.Errorf("Find = %q, %v; want %q", ref.ID, found, tt.want)
			}
		})
	}
}

func TestFindPaginates(t *testing.T) {
	e := newEnv(t, xfake.Config{})
	target := e.srv.PostAs(e.user.ID, "The one to find", "")
	for i := range 150 {
		e.srv.PostAs(e.user.ID, "filler "+strings.Repeat("x", i%7)+string(rune('A'+i%26))+string(rune('a'+i/26)), "")
	}
	ref, found, err := e.c.Find(ctx(t), e.acct, connector.Part{Text: "The one to find"})
	if err != nil || !found || ref.ID != target.ID {
		t.Fatalf("Find = %q %v %v; want %s", ref.ID, found, err, target.ID)
	}
	if n := e.srv.Requests("GET /2/users/{id}/tweets"); n != 2 {
		t.Errorf("%d pages read; want 2", n)
	}
}

func TestDeleteAndLikeAndReply(t *testing.T) {
	e := newEnv(t, xfake.Config{})
	c := ctx(t)
	ref, err := e.c.Publish(c, e.acct, connector.Part{Text: "To be deleted"})
	if err != nil {
		t.Fatal(err)
	}
	if err := e.c.Delete(c, e.acct, ref); err != nil {
		t.Fatalf("delete: %v", err)
	}
	if tw, _ := e.srv.Tweet(ref.ID); !tw.Deleted {
		t.Error("the post is still there")
	}
	if err := e.c.Delete(c, e.acct, ref); err != nil {
		t.Errorf("deleting a deleted post: %v; want nil", err)
	}

	other := e.srv.AddUser("fan", "A Fan")
	m := e.srv.PostAs(other.ID, "@herald love it", "")
	if err := e.c.Like(c, e.acct, herald.RemoteRef{ID: m.ID}); err != nil {
		t.Fatalf("like: %v", err)
	}
	if !e.srv.Liked(e.user.ID, m.ID) {
		t.Error("the like did not reach the platform")
	}
	if err := e.c.Like(c, e.acct, herald.RemoteRef{ID: "1"}); classOf(t, err) != connector.Invalid {
		t.Errorf("liking a missing post: %v; want invalid", err)
	}
	r, err := e.c.Reply(c, e.acct, herald.RemoteRef{ID: m.ID}, connector.Part{Text: "Thank you!"})
	if err != nil {
		t.Fatalf("reply: %v", err)
	}
	if tw, _ := e.srv.Tweet(r.ID); tw.ReplyTo != m.ID {
		t.Errorf("reply replies to %q; want %s", tw.ReplyTo, m.ID)
	}
}

func asErr(err error, target **connector.Error) bool { return errors.As(err, target) }
