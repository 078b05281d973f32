package x_test

import (
	"fmt"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/heraldsocial/herald/internal/connector"
	"github.com/heraldsocial/herald/internal/connector/x/xfake"
	"github.com/heraldsocial/herald/internal/listen/x"
)

// TestPostsArriveOnceAcrossPolls: the first poll reads only the last
// poll window; later ones read from the newest id delivered (since_id),
// each post once, and an empty poll keeps the cursor.
func TestPostsArriveOnceAcrossPolls(t *testing.T) {
	e := newEnv(t, xfake.Config{})
	e.post(e.fan, "acme history", 2*time.Hour)
	e.post(e.fan, "acme just now", 10*time.Second)
	e.post(e.fan, "unrelated", 5*time.Second)
	s := e.source(t, nil)
	if !strings.HasPrefix(s.Name(), "x-search:") {
		t.Fatalf("Name %q", s.Name())
	}
	first, err := s.Poll(t.Context(), "")
	if err != nil {
		t.Fatal(err)
	}
	once(t, texts(first.Posts), []string{"acme just now"})
	if first.Source != s.Name() || first.Cursor != first.Posts[0].RemoteID {
		t.Fatalf("batch %q cursor %q", first.Source, first.Cursor)
	}
	var want []string
	for i := range 5 {
		want = append(want, fmt.Sprintf("acme %d", i))
		e.post(e.other, want[i], 0)
		e.post(e.other, "nothing here", 0)
	}
	b, err := s.Poll(t.Context(), first.Cursor)
	if err != nil {
		t.Fatal(err)
	}
	once(t, texts(b.Posts), want)
	if b.Cursor != b.Posts[4].RemoteID {
		t.Fatalf("cursor %s, want the newest %s", b.Cursor, b.Posts[4].RemoteID)
	}
	empty, err := s.Poll(t.Context(), b.Cursor)
	if err != nil || len(empty.Posts) != 0 || empty.Cursor != b.Cursor {
		t.Fatalf("empty poll: %v, %d posts, cursor %q", err, len(empty.Posts), empty.Cursor)
	}
	e.post(e.fan, "acme later", 0)
	last, err := s.Poll(t.Context(), empty.Cursor)
	if err != nil {
		t.Fatal(err)
	}
	once(t, texts(last.Posts), []string{"acme later"})
	if st := s.Stats(); st.Requests != 4 || st.Posts != 7 || st.Malformed != 0 {
		t.Fatalf("stats %+v", st)
	}
}

// TestFirstPollWindowCarriesOver: a first poll that finds nothing keeps
// its window, so a post made between two empty first polls is not missed.
func TestFirstPollWindowCarriesOver(t *testing.T) {
	e := newEnv(t, xfake.Config{})
	s := e.source(t, nil)
	if b, err := s.Poll(t.Context(), ""); err != nil || len(b.Posts) != 0 || b.Cursor != "" {
		t.Fatalf("empty first poll: %v %+v", err, b)
	}
	e.post(e.fan, "acme early", 0)
	e.clock.add(5 * time.Minute) // the post is now older than one poll interval
	b, err := s.Poll(t.Context(), "")
	if err != nil {
		t.Fatal(err)
	}
	once(t, texts(b.Posts), []string{"acme early"})
}

func TestPostMapping(t *testing.T) {
	e := newEnv(t, xfake.Config{})
	e.srv.SetFollowers(e.fan.ID, 1234, 5)
	root := e.post(e.other, "acme root", time.Hour)
	parent := e.srv.PostPublic(e.other.ID, "acme parent", xfake.PublicPost{Lang: "en", ReplyTo: root.ID})
	from := parent.ID
	reply := e.srv.PostPublic(e.fan.ID, "Hallo @herald & @nobody: acme <3 #Acme #Rockets",
		xfake.PublicPost{Lang: "de", ReplyTo: parent.ID})
	plain := e.srv.PostPublic(e.other.ID, "acme 🚀", xfake.PublicPost{})
	b, err := e.source(t, nil).Poll(t.Context(), from)
	if err != nil {
		t.Fatal(err)
	}
	if len(b.Posts) != 2 {
		t.Fatalf("%d posts", len(b.Posts))
	}
	p := b.Posts[0]
	got := map[string]string{"Platform": p.Platform, "RemoteID": p.RemoteID, "URL": p.URL, "AuthorID": p.AuthorID,
		"AuthorHandle": p.AuthorHandle, "AuthorName": p.AuthorName, "Text": p.Text, "ReplyTo": p.ReplyTo, "ReplyRoot": p.ReplyRoot}
	want := map[string]string{"Platform": "x", "RemoteID": reply.ID, "URL": "https://x.com/fan/status/" + reply.ID,
		"AuthorID": e.fan.ID, "AuthorHandle": "fan", "AuthorName": "A Fan", "Text": "Hallo @herald & @nobody: acme <3 #Acme #Rockets",
		"ReplyTo": parent.ID, "ReplyRoot": root.ID}
	for k, w := range want {
		if got[k] != w {
			t.Errorf("%s = %q, want %q", k, got[k], w)
		}
	}
	if p.AuthorFollowers != 1234 || !slices.Equal(p.Languages, []string{"de"}) || !slices.Equal(p.Tags, []string{"Acme", "Rockets"}) ||
		!slices.Equal(p.Mentions, []string{e.me.ID, "herald@x.com", "nobody@x.com"}) || !p.PostedAt.Equal(e.clock.Now()) || p.SeenAt.IsZero() {
		t.Errorf("post %+v", p)
	}
	q := b.Posts[1]
	if q.RemoteID != plain.ID || q.Languages != nil || q.ReplyTo != "" || q.ReplyRoot != "" || q.AuthorFollowers != 0 {
		t.Errorf("a post without language or reply: %+v", q)
	}
	if b.Cursor != plain.ID {
		t.Errorf("cursor %s, want %s", b.Cursor, plain.ID)
	}
}

// TestPagingWithNextToken: a poll follows next_token to the end; with
// MaxPages reached it leaves a gap that the next poll reads first, so
// every post arrives once, oldest first.
func TestPagingWithNextToken(t *testing.T) {
	e := newEnv(t, xfake.Config{})
	start := e.post(e.fan, "start", time.Hour).ID
	var want []string
	for i := range 25 {
		want = append(want, "acme "+strconv.Itoa(i))
		e.post(e.fan, want[i], 0)
	}
	s := e.source(t, func(c *x.Config) { c.MaxResults = 10 })
	b, err := s.Poll(t.Context(), start)
	if err != nil {
		t.Fatal(err)
	}
	once(t, texts(b.Posts), want)
	if n := e.srv.Requests("GET /2/tweets/search/recent"); n != 3 {
		t.Fatalf("%d requests, want 3 pages", n)
	}

	s = e.source(t, func(c *x.Config) { c.MaxResults, c.MaxPages = 10, 2 })
	b, err = s.Poll(t.Context(), start)
	if err != nil {
		t.Fatal(err)
	}
	once(t, texts(b.Posts), want[5:])
	if _, ok := connector.ParseGap(b.Cursor); !ok {
		t.Fatalf("cursor %q is not a gap", b.Cursor)
	}
	rest, err := s.Poll(t.Context(), b.Cursor)
	if err != nil {
		t.Fatal(err)
	}
	once(t, texts(rest.Posts), want[:5])
	if rest.Cursor != b.Posts[len(b.Posts)-1].RemoteID {
		t.Fatalf("after the gap the cursor is %q, want the newest id", rest.Cursor)
	}
	if after, _ := s.Poll(t.Context(), rest.Cursor); len(after.Posts) != 0 {
		t.Fatalf("read again: %q", texts(after.Posts))
	}
}

// TestTooManyRequestsWaitsForReset: x-rate-limit-remaining 0 makes the
// next call wait for x-rate-limit-reset; a 429 (the window used up by
// another source of the same account) is waited out until its reset and
// the same request sent again: nothing lost, nothing twice.
func TestTooManyRequestsWaitsForReset(t *testing.T) {
	e := newEnv(t, xfake.Config{SearchRateLimit: 3, AccessTTL: 24 * time.Hour})
	t0 := e.clock.Now()
	start := e.post(e.fan, "start", time.Hour).ID
	var want []string
	for i := range 25 {
		want = append(want, "acme "+strconv.Itoa(i))
		e.post(e.fan, want[i], 0)
	}
	a := e.source(t, func(c *x.Config) { c.MaxResults = 10 })
	other := e.source(t, func(c *x.Config) { c.Query = "start" })
	c := &collector{}
	b, err := a.Poll(t.Context(), start) // 3 pages: the whole window
	if err != nil {
		t.Fatal(err)
	}
	c.Accept(t.Context(), b)
	if w := e.clock.slept(); len(w) != 0 {
		t.Fatalf("waited %v within the window", w)
	}
	// The next poll waits for the reset the last answer announced.
	e.post(e.fan, "acme next", 0)
	want = append(want, "acme next")
	b, err = a.Poll(t.Context(), b.Cursor)
	if err != nil {
		t.Fatal(err)
	}
	c.Accept(t.Context(), b)
	if w := e.clock.slept(); len(w) != 1 || w[0] != 15*time.Minute {
		t.Fatalf("waits %v, want one of 15 minutes (remaining 0 until the reset)", w)
	}
	// a now believes 2 calls remain; another source uses them up.
	for range 2 {
		if _, err := other.Poll(t.Context(), start); err != nil {
			t.Fatal(err)
		}
	}
	for i := range 3 {
		want = append(want, "acme again "+strconv.Itoa(i))
		e.post(e.other, want[len(want)-1], 0)
	}
	b, err = a.Poll(t.Context(), b.Cursor)
	if err != nil {
		t.Fatal(err)
	}
	c.Accept(t.Context(), b)
	once(t, c.texts(), want)
	if st := a.Stats(); st.RateLimited != 1 || st.Requests != 6 {
		t.Fatalf("stats %+v, want one 429 among 6 answers", st)
	}
	w := e.clock.slept()
	if len(w) != 2 || w[1] != 15*time.Minute || !e.clock.Now().Equal(t0.Add(30*time.Minute)) {
		t.Fatalf("waits %v, now %v: want the 429 waited out until its reset", w, e.clock.Now().Sub(t0))
	}
}
