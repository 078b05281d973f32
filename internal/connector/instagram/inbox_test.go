package instagram_test

import (
	"bytes"
	"log/slog"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/heraldsocial/herald/internal/connector"
	"github.com/heraldsocial/herald/internal/connector/instagram"
	"github.com/heraldsocial/herald/internal/connector/instagram/instagramfake"
	"github.com/heraldsocial/herald/internal/connector/metagraph/graphfake"
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

// inboxEnv is an env on a settable clock, whose connector logs to logs.
type inboxEnv struct {
	*env
	clock *clock
	logs  *bytes.Buffer
	acct  connector.Account
	post  string // a published media of the account
}

func newInboxEnv(t *testing.T, setup func(*instagramfake.Server, graphfake.Page)) *inboxEnv {
	t.Helper()
	clk := &clock{t: time.Now().UTC().Truncate(time.Second)}
	fake := instagramfake.New(graphfake.Config{AppID: "app-1", AppSecret: "app-secret", Now: clk.Now})
	ts := httptest.NewServer(fake)
	t.Cleanup(ts.Close)
	user := fake.AddUser("Ada")
	page := fake.AddPage(user.ID, "Herald Cafe", "heraldcafe", "herald.cafe")
	if setup != nil {
		setup(fake, page)
	}
	var logs bytes.Buffer
	c := instagram.New(ts.Client(), instagram.WithApp("app-1", "app-secret"), instagram.WithBaseURL(ts.URL, ts.URL),
		instagram.WithMediaURL(mediaURL), instagram.WithClock(clk.Now), instagram.WithLogger(slog.New(slog.NewTextHandler(&logs, nil))))
	e := &inboxEnv{env: &env{fake: fake, ts: ts, c: c, user: user, page: page}, clock: clk, logs: &logs}
	e.acct = e.account(t)
	ref, err := c.Publish(ctx(t), e.acct, connector.Part{Text: "Our new terrace", Media: []connector.Media{jpegFile()}})
	if err != nil {
		t.Fatalf("Publish: %v", err)
	}
	e.post = ref.ID
	t.Cleanup(func() {
		if v := fake.Violations(); len(v) > 0 {
			t.Errorf("contract violations:\n%s", strings.Join(v, "\n"))
		}
	})
	return e
}

func (e *inboxEnv) ig() string { return e.page.Instagram.ID }

func mentionIDs(ms []connector.Mention) string {
	var out []string
	for _, m := range ms {
		out = append(out, m.RemoteID)
	}
	return strings.Join(out, " ")
}

// TestInboxTagsAndComments: media tagging the account join the comments,
// oldest first, each once, and the cursor moves past them (a tag in the
// last one's second included).
func TestInboxTagsAndComments(t *testing.T) {
	e := newInboxEnv(t, nil)
	e.clock.Add(time.Second)
	tag := e.fake.TagAs("a.fan", e.ig(), "Brunch at Herald Cafe")
	e.clock.Add(time.Second)
	comment := e.fake.CommentAs("a.fan", e.post, "Open on Sundays?")
	got, cursor, err := e.c.Mentions(ctx(t), e.acct, "")
	if err != nil {
		t.Fatal(err)
	}
	if s := mentionIDs(got); s != tag+" "+comment {
		t.Fatalf("inbox %s, want %s %s", s, tag, comment)
	}
	if m := got[0]; m.Meta["kind"] != "tag" || m.AuthorHandle != "@a.fan" || m.Text != "Brunch at Herald Cafe" ||
		m.ReplyTo != "" || !strings.Contains(m.URL, tag) || m.Meta["media_type"] != "IMAGE" {
		t.Errorf("the tag %+v", m)
	}
	if m := got[1]; m.ReplyTo != e.post || m.Meta["kind"] == "tag" {
		t.Errorf("the comment %+v", m)
	}
	if !strings.HasPrefix(cursor, "c=") || !strings.Contains(cursor, ";t=") {
		t.Fatalf("cursor %q", cursor)
	}
	again, kept, err := e.c.Mentions(ctx(t), e.acct, cursor)
	if err != nil || len(again) != 0 || kept != "" {
		t.Fatalf("from the cursor: %s %q %v, want nothing and the cursor kept", mentionIDs(again), kept, err)
	}
	same := e.fake.TagAs("b.fan", e.ig(), "me too") // the second of the last item
	e.clock.Add(time.Minute)
	later := e.fake.TagAs("c.fan", e.ig(), "")
	more, next, err := e.c.Mentions(ctx(t), e.acct, cursor)
	if err != nil || mentionIDs(more) != same+" "+later || next == "" || next == cursor {
		t.Fatalf("new tags: %s %q %v, want %s %s", mentionIDs(more), next, err, same, later)
	}
	if none, _, err := e.c.Mentions(ctx(t), e.acct, next); err != nil || len(none) != 0 {
		t.Fatalf("after the new cursor: %s %v", mentionIDs(none), err)
	}
}

// TestInboxOldCursor: a cursor of the comments-only inbox ("unix|ids")
// still marks the comments read; tags start from the last 7 days.
func TestInboxOldCursor(t *testing.T) {
	e := newInboxEnv(t, nil)
	e.clock.Add(-8 * 24 * time.Hour)
	e.fake.TagAs("old.fan", e.ig(), "long ago")
	e.clock.Add(8 * 24 * time.Hour)
	e.clock.Add(time.Second)
	read := e.fake.CommentAs("a.fan", e.post, "first")
	old := strconv.FormatInt(e.clock.Now().Unix(), 10) + "|" + read
	e.clock.Add(time.Second)
	tag := e.fake.TagAs("a.fan", e.ig(), "tagged")
	e.clock.Add(time.Second)
	comment := e.fake.CommentAs("a.fan", e.post, "second")
	got, cursor, err := e.c.Mentions(ctx(t), e.acct, old)
	if err != nil {
		t.Fatal(err)
	}
	if s := mentionIDs(got); s != tag+" "+comment {
		t.Fatalf("from the old cursor %s, want %s %s", s, tag, comment)
	}
	if want := "c=" + strconv.FormatInt(e.clock.Now().Unix(), 10) + "|" + comment + ";t="; !strings.HasPrefix(cursor, want) {
		t.Errorf("cursor %q, want it to start %q", cursor, want)
	}
}

// TestInboxTagsRefused: when Meta refuses the tags for a permission, the
// comments still arrive, without an error, and it is logged once.
func TestInboxTagsRefused(t *testing.T) {
	e := newInboxEnv(t, func(f *instagramfake.Server, p graphfake.Page) { f.DenyTags(p.Instagram.ID) })
	e.fake.TagAs("a.fan", e.ig(), "tagged")
	e.clock.Add(time.Second)
	comment := e.fake.CommentAs("a.fan", e.post, "hello")
	got, cursor, err := e.c.Mentions(ctx(t), e.acct, "")
	if err != nil {
		t.Fatalf("Mentions with the tags refused: %v", err)
	}
	if mentionIDs(got) != comment || cursor == "" {
		t.Fatalf("got %s %q, want the comment %s alone", mentionIDs(got), cursor, comment)
	}
	e.clock.Add(time.Second)
	second := e.fake.CommentAs("a.fan", e.post, "still there?")
	got, _, err = e.c.Mentions(ctx(t), e.acct, cursor)
	if err != nil || mentionIDs(got) != second {
		t.Fatalf("second sync: %s %v", mentionIDs(got), err)
	}
	if n := strings.Count(e.logs.String(), "missing permission"); n != 1 {
		t.Errorf("logged the refusal %d times:\n%s", n, e.logs.String())
	}
	if n := e.fake.Requests(instagramfake.RouteTags); n != 2 {
		t.Errorf("the tags were asked %d times, want once a sync", n)
	}
}

// TestInboxTagPages: more tags than a page come in pages, each once,
// oldest first; a later read stops at the mark.
func TestInboxTagPages(t *testing.T) {
	e := newInboxEnv(t, nil)
	var want []string
	for i := range 120 {
		e.clock.Add(time.Second)
		want = append(want, e.fake.TagAs("fan"+strconv.Itoa(i), e.ig(), "visit "+strconv.Itoa(i)))
	}
	got, cursor, err := e.c.Mentions(ctx(t), e.acct, "")
	if err != nil {
		t.Fatal(err)
	}
	if mentionIDs(got) != strings.Join(want, " ") {
		t.Fatalf("got %d, want the %d tags in order", len(got), len(want))
	}
	if n := e.fake.Requests(instagramfake.RouteTags); n < 3 {
		t.Errorf("%d requests for 120 tags in pages of 50", n)
	}
	e.clock.Add(time.Second)
	last := e.fake.TagAs("late", e.ig(), "late")
	before := e.fake.Requests(instagramfake.RouteTags)
	got, _, err = e.c.Mentions(ctx(t), e.acct, cursor)
	if err != nil || mentionIDs(got) != last {
		t.Fatalf("after the cursor: %s %v", mentionIDs(got), err)
	}
	if n := e.fake.Requests(instagramfake.RouteTags) - before; n != 1 {
		t.Errorf("reading one new tag took %d pages", n)
	}
}
