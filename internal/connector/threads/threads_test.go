package threads_test

import (
	"bytes"
	"context"
	"errors"
	"image"
	"image/jpeg"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/heraldsocial/herald/internal/connector"
	"github.com/heraldsocial/herald/internal/connector/conformance"
	"github.com/heraldsocial/herald/internal/connector/threads"
	"github.com/heraldsocial/herald/internal/connector/threads/threadsfake"
	"github.com/heraldsocial/herald/internal/herald"
)

// clock is a settable clock shared by the fake and the connector.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *clock) Add(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

type env struct {
	fake  *threadsfake.Server
	ts    *httptest.Server
	c     *threads.Connector
	user  threadsfake.User
	fan   threadsfake.User
	clock *clock
}

func mediaURL(_ context.Context, m connector.Media) (string, error) {
	return "https://herald.example/media/public/1/" + strconv.FormatInt(m.Asset.ID, 10) + "/x/sig/" + m.Asset.Filename, nil
}

func newEnv(t *testing.T) *env {
	t.Helper()
	clk := &clock{t: time.Now().UTC()}
	fake := threadsfake.New(threadsfake.Config{AppID: "th-app", AppSecret: "th-secret", Now: clk.Now})
	ts := httptest.NewServer(fake)
	t.Cleanup(ts.Close)
	user := fake.AddUser("herald.cafe", "Herald Cafe")
	fan := fake.AddUser("a.fan", "A Fan")
	c := threads.New(ts.Client(), threads.WithApp("th-app", "th-secret"), threads.WithBaseURL(ts.URL, ts.URL),
		threads.WithMediaURL(mediaURL), threads.WithClock(clk.Now))
	return &env{fake: fake, ts: ts, c: c, user: user, fan: fan, clock: clk}
}

func ctx(t *testing.T) context.Context {
	c, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	t.Cleanup(cancel)
	return c
}

func (e *env) connect(t *testing.T) connector.Connected {
	t.Helper()
	start := connector.AuthStart{WorkspaceID: 1, RedirectURL: "https://herald.example/api/v1/connect/callback", State: "st"}
	red, err := e.c.Begin(ctx(t), start)
	if err != nil {
		t.Fatalf("Begin: %v", err)
	}
	u, _ := url.Parse(red.URL)
	if got := u.Query().Get("scope"); got != strings.Join(threads.Permissions, ",") {
		t.Errorf("scope %q", got)
	}
	cl := *e.ts.Client()
	cl.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	res, err := cl.Get(red.URL)
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	loc, err := url.Parse(res.Header.Get("Location"))
	if err != nil {
		t.Fatal(err)
	}
	if loc.Query().Get("state") != "st" {
		t.Fatalf("state came back as %q", loc.Query().Get("state"))
	}
	got, err := e.c.Exchange(ctx(t), start, red.Secret, loc.Query().Get("code")+"#_")
	if err != nil {
		t.Fatalf("Exchange: %v", err)
	}
	return got
}

func (e *env) account(t *testing.T) connector.Account {
	t.Helper()
	got := e.connect(t)
	return connector.Account{Account: herald.Account{ID: 1, WorkspaceID: 1, Platform: herald.PlatformThreads,
		RemoteID: got.Account.RemoteID, Handle: got.Account.Handle, TokenExpiresAt: got.Account.TokenExpiresAt},
		Credentials: got.Credentials}
}

func jpegFile(id int64) connector.Media {
	var b bytes.Buffer
	if err := jpeg.Encode(&b, image.NewRGBA(image.Rect(0, 0, 32, 32)), nil); err != nil {
		panic(err)
	}
	data := b.Bytes()
	return connector.Media{Asset: herald.MediaAsset{ID: id, WorkspaceID: 1, Filename: "photo.jpg", ContentType: "image/jpeg",
		Size: int64(len(data)), Width: 32, Height: 32, AltText: "a black square"},
		Open: func(context.Context) (io.ReadCloser, error) { return io.NopCloser(bytes.NewReader(data)), nil }}
}

func TestConnectAndRefresh(t *testing.T) {
	e := newEnv(t)
	got := e.connect(t)
	if got.Account.RemoteID != e.user.ID || got.Account.Handle != "@herald.cafe" || got.Account.DisplayName != "Herald Cafe" {
		t.Fatalf("connected %+v", got.Account)
	}
	exp := got.Account.TokenExpiresAt
	if exp == nil || exp.Sub(e.clock.Now()) < 59*24*time.Hour {
		t.Fatalf("token expires %v, want about 60 days out", exp)
	}
	acct := connector.Account{Account: got.Account, Credentials: got.Credentials}
	e.clock.Add(30 * 24 * time.Hour)
	creds, next, err := e.c.Refresh(ctx(t), acct)
	if err != nil {
		t.Fatalf("Refresh: %v", err)
	}
	if next == nil || !next.After(exp.Add(29*24*time.Hour)) {
		t.Fatalf("refreshed token expires %v, want 60 days from now", next)
	}
	acct.Credentials = creds
	if _, err := e.c.Publish(ctx(t), acct, connector.Part{Text: "with the new token"}); err != nil {
		t.Fatalf("Publish with the refreshed token: %v", err)
	}
	e.clock.Add(61 * 24 * time.Hour)
	if _, _, err := e.c.Refresh(ctx(t), acct); connector.ClassOf(err) != connector.AuthRevoked {
		t.Fatalf("refreshing an expired token gave %v, want auth_revoked", err)
	}
	if v := e.fake.Violations(); len(v) > 0 {
		t.Fatalf("violations: %v", v)
	}
}

func TestCheckpointNeverPublishesTwice(t *testing.T) {
	e := newEnv(t)
	acct := e.account(t)
	var saved map[string]string
	p := connector.Part{Text: "Resumed", Media: []connector.Media{jpegFile(7)}, Key: "k",
		Save: func(_ context.Context, cp map[string]string) error { saved = cp; return nil }}
	e.fake.Inject(threadsfake.Fault{Route: threadsfake.RoutePublish, Drop: true})
	if _, err := e.c.Publish(ctx(t), acct, p); connector.ClassOf(err) != connector.Ambiguous {
		t.Fatalf("a lost threads_publish answer gave %v", err)
	}
	if saved["container_id"] == "" || e.fake.ContainerStatus(saved["container_id"]) != threads.StatusPublished {
		t.Fatalf("checkpoint %v", saved)
	}
	p.Checkpoint = saved
	ref, found, err := e.c.Find(ctx(t), acct, p)
	if err != nil || !found {
		t.Fatalf("Find from the checkpoint: %v %v", found, err)
	}
	again, err := e.c.Publish(ctx(t), acct, p)
	if err != nil || again.ID != ref.ID {
		t.Fatalf("Publish from a published container gave %+v %v, want %s", again, err, ref.ID)
	}
	if n := len(e.fake.Posts(e.user.ID)); n != 1 {
		t.Fatalf("%d posts published, want 1", n)
	}
	if v := e.fake.Violations(); len(v) > 0 {
		t.Fatalf("violations: %v", v)
	}
}

func TestUnpublishedCheckpointIsPublishedOnce(t *testing.T) {
	e := newEnv(t)
	acct := e.account(t)
	var saved map[string]string
	p := connector.Part{Text: "Later", Key: "k2", Save: func(_ context.Context, cp map[string]string) error { saved = cp; return nil }}
	e.fake.Inject(threadsfake.Fault{Route: threadsfake.RoutePublish, Status: http.StatusInternalServerError,
		Body: `{"error":{"message":"An unknown error occurred","type":"OAuthException","code":1,"fbtrace_id":"Ax"}}`})
	if _, err := e.c.Publish(ctx(t), acct, p); connector.ClassOf(err) != connector.Ambiguous {
		t.Fatalf("a 500 from threads_publish gave %v, want ambiguous", err)
	}
	p.Checkpoint = saved
	if _, found, err := e.c.Find(ctx(t), acct, p); err != nil || found {
		t.Fatalf("Find with a FINISHED container: found %v, %v", found, err)
	}
	ref, err := e.c.Publish(ctx(t), acct, p)
	if err != nil {
		t.Fatalf("Publish from the checkpoint: %v", err)
	}
	posts := e.fake.Posts(e.user.ID)
	if len(posts) != 1 || posts[0].ID != ref.ID || posts[0].Container != saved["container_id"] {
		t.Fatalf("posts %+v, want one from container %s", posts, saved["container_id"])
	}
}

func TestThreadCarouselAndVideo(t *testing.T) {
	e := newEnv(t)
	acct := e.account(t)
	e.fake.VideoPolls = 2
	root, err := e.c.Publish(ctx(t), acct, connector.Part{Text: "Three pictures", Media: []connector.Media{jpegFile(1), jpegFile(2), jpegFile(3)}})
	if err != nil {
		t.Fatalf("carousel: %v", err)
	}
	video := connector.Media{Asset: herald.MediaAsset{ID: 9, WorkspaceID: 1, Filename: "clip.mp4", ContentType: "video/mp4", Size: 1000, DurationMS: 4000}}
	second, err := e.c.Publish(ctx(t), acct, connector.Part{Index: 1, Text: "and a clip", Media: []connector.Media{video}, ReplyTo: &root, Root: &root})
	if err != nil {
		t.Fatalf("video reply: %v", err)
	}
	posts := e.fake.Posts(e.user.ID)
	if len(posts) != 2 || posts[0].Items != 3 || posts[0].MediaType != "CAROUSEL_ALBUM" || posts[1].ReplyTo != root.ID || posts[1].ID != second.ID {
		t.Fatalf("posts %+v", posts)
	}
	if !strings.Contains(root.URL, "/post/"+root.ID) {
		t.Errorf("permalink %q", root.URL)
	}
	if v := e.fake.Violations(); len(v) > 0 {
		t.Fatalf("violations: %v", v)
	}
}

func TestQuotaAndValidate(t *testing.T) {
	e := newEnv(t)
	acct := e.account(t)
	e.fake.QuotaTotal = 1
	first, err := e.c.Publish(ctx(t), acct, connector.Part{Text: "one"})
	if err != nil {
		t.Fatal(err)
	}
	_, err = e.c.Publish(ctx(t), acct, connector.Part{Text: "two"})
	var ce *connector.Error
	if !errors.As(err, &ce) || ce.Class != connector.RateLimited || ce.RetryAfter != threads.QuotaWait || ce.Limit != 1 {
		t.Fatalf("over the quota: %v", err)
	}
	if _, err := e.c.Publish(ctx(t), acct, connector.Part{Comment: true, Text: "replies have their own quota", ReplyTo: &first, Root: &first}); err != nil {
		t.Fatalf("a first comment over the post quota: %v", err)
	}
	cases := []struct {
		name  string
		p     connector.Part
		field string
	}{
		{"empty", connector.Part{}, "text"},
		{"emoji count bytes", connector.Part{Text: strings.Repeat("🎉", 126)}, "text"},
		{"six links", connector.Part{Text: "a.com b.com c.com d.com e.com f.com"}, "text"},
		{"gif", connector.Part{Media: []connector.Media{{Asset: herald.MediaAsset{ContentType: "image/gif"}}}}, "media[0]"},
		{"long video", connector.Part{Media: []connector.Media{{Asset: herald.MediaAsset{ContentType: "video/mp4", DurationMS: 301_000}}}}, "media[0]"},
		{"thin image", connector.Part{Media: []connector.Media{{Asset: herald.MediaAsset{ContentType: "image/png", Width: 1100, Height: 100}}}}, "media[0]"},
		{"reply control", connector.Part{Text: "x", Options: map[string]string{threads.OptionReplyControl: "nobody"}}, "options.reply_control"},
	}
	for _, tc := range cases {
		_, probs, err := e.c.Validate(ctx(t), acct, tc.p)
		if err != nil || len(probs) != 1 || probs[0].Field != tc.field {
			t.Errorf("%s: %+v %v, want one problem on %s", tc.name, probs, err, tc.field)
		}
	}
	if n := threads.Length("héllo 🎉"); n != 10 {
		t.Errorf("Length counts %d, want 6 characters and 4 bytes of emoji", n)
	}
	if _, probs, _ := e.c.Validate(ctx(t), acct, connector.Part{Text: strings.Repeat("🎉", 125)}); len(probs) != 0 {
		t.Errorf("500 bytes of emoji: %+v", probs)
	}
}

type conformFake struct {
	e    *env
	acct connector.Account
}

func (f *conformFake) Account(testing.TB) connector.Account { return f.acct }

func (f *conformFake) Fail(op conformance.Op, how conformance.Failure) {
	switch how {
	case conformance.Dropped:
		f.e.fake.Inject(threadsfake.Fault{Route: threadsfake.RoutePublish, Drop: true})
	case conformance.RateLimited:
		f.e.fake.Inject(threadsfake.Throttled(threadsfake.RoutePublish, f.e.user.ID, 20))
	case conformance.Revoked:
		f.e.fake.Revoke(f.e.user.ID, 458)
	}
	_ = op
}

func (f *conformFake) Posts(connector.Account) []conformance.Remote {
	var out []conformance.Remote
	for _, p := range f.e.fake.Posts(f.e.user.ID) {
		out = append(out, conformance.Remote{ID: p.ID, Text: p.Text, ReplyTo: p.ReplyTo, Media: p.Items, Deleted: p.Deleted})
	}
	return out
}

func (f *conformFake) SetMetrics(id string, m connector.Metrics) {
	f.e.fake.SetCounts(id, max(m.Likes, 0), max(m.Reposts, 0), max(m.Replies, 0), max(m.Quotes, 0), max(m.Impressions, 0))
}

func (f *conformFake) Mention(_ connector.Account, text, replyTo string) string {
	return f.e.fake.ReplyAs(f.e.fan.ID, replyTo, text)
}

func (f *conformFake) Violations() []string { return f.e.fake.Violations() }

func TestConformance(t *testing.T) {
	conformance.Run(t, func(t *testing.T) conformance.Setup {
		e := newEnv(t)
		img := jpegFile(5)
		return conformance.Setup{Connector: e.c, Fake: &conformFake{e: e, acct: e.account(t)}, Image: &img}
	})
}

func TestErrorClasses(t *testing.T) {
	e := newEnv(t)
	acct := e.account(t)
	e.fake.Inject(threadsfake.Throttled(threadsfake.RoutePublish, e.user.ID, 20))
	_, err := e.c.Publish(ctx(t), acct, connector.Part{Text: "throttled"})
	var ce *connector.Error
	if !errors.As(err, &ce) || ce.Class != connector.RateLimited || ce.RetryAfter != 20*time.Minute {
		t.Fatalf("throttled: %v, want rate_limited for the 20 minutes X-Business-Use-Case-Usage says", err)
	}
	e.fake.Revoke(e.user.ID, 463)
	if _, err := e.c.Publish(ctx(t), acct, connector.Part{Text: "expired"}); connector.ClassOf(err) != connector.AuthExpired {
		t.Fatalf("an expired session gave %v, want auth_expired", err)
	}
}

func TestInboxNestedReplies(t *testing.T) {
	e := newEnv(t)
	acct := e.account(t)
	post, err := e.c.Publish(ctx(t), acct, connector.Part{Text: "Ask me anything"})
	if err != nil {
		t.Fatal(err)
	}
	first := e.fake.ReplyAs(e.fan.ID, post.ID, "What time do you open?")
	e.clock.Add(time.Second)
	mine, err := e.c.Reply(ctx(t), acct, herald.RemoteRef{ID: first}, connector.Part{Text: "At eight"})
	if err != nil {
		t.Fatalf("Reply: %v", err)
	}
	e.clock.Add(time.Second)
	second := e.fake.ReplyAs(e.fan.ID, mine.ID, "Thanks!")
	got, cursor, err := e.c.Mentions(ctx(t), acct, "")
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 2 || got[0].RemoteID != first || got[0].ReplyTo != post.ID || got[1].RemoteID != second ||
		got[1].ReplyTo != mine.ID || got[1].AuthorHandle != "@a.fan" || got[1].Meta["root_post"] != post.ID {
		t.Fatalf("mentions %+v", got)
	}
	again, _, err := e.c.Mentions(ctx(t), acct, cursor)
	if err != nil || len(again) != 0 {
		t.Fatalf("from the cursor: %+v %v", again, err)
	}
}
