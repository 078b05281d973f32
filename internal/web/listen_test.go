package web

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/heraldsocial/herald/internal/herald"
	"github.com/heraldsocial/herald/internal/listen"
)

// withListen turns the listening pages on in e (its routes are always
// registered; they answer not found without the service).
func (e *env) withListen() *listen.Service {
	e.t.Helper()
	s := listen.New(e.store, herald.SystemClock{}, nil, nil)
	e.web.d.Listen = s
	return s
}

// listenMatch is a stored match of topicID with its evidence.
func listenMatch(ws, topicID int64, remote, author, text, sentiment string, at time.Time, evidence ...string) herald.ListenMatch {
	return herald.ListenMatch{WorkspaceID: ws, Platform: herald.PlatformBluesky, RemoteID: "at://" + author + "/post/" + remote,
		URL: "https://bsky.app/profile/" + author + "/post/" + remote, AuthorID: "did:plc:" + author, AuthorHandle: author + ".bsky.social",
		AuthorFollowers: -1, Text: text, Language: "en", Sentiment: sentiment, PostedAt: at.UTC().Truncate(time.Second), SeenAt: at.UTC(),
		Topics: []herald.TopicHit{{TopicID: topicID, Terms: evidence}}}
}

// TestListenTopics creates a topic through the form (after refused forms
// that keep their input), reads its page with stored matches, filters the
// stream, previews another topic, edits and deletes it, and checks who may
// manage topics.
func TestListenTopics(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	_, w := e.owner("ana@example.com", "Acme")
	e.member(w, "ann@example.com", herald.RoleAnalyst)
	b := e.browser()
	b.signIn("ana@example.com")
	base := listenURL(w.ID)

	// Without the service, the pages are not served and not linked.
	if a := b.get(base); a.Status != http.StatusNotFound {
		t.Fatalf("listening without a service: %d", a.Status)
	}
	wantNot(t, b.get(wsURL(w.ID)), `id="nav-listen"`)
	e.withListen()

	a := b.get(base)
	want(t, a, http.StatusOK, `id="nav-listen"`, `id="listen-empty"`, "HERALD_LISTEN_JETSTREAM", `id="listen-new"`)

	// An empty name and None terms alone: both said next to their fields,
	// the input kept.
	a = b.post(base+"/new", url.Values{"name": {""}, "none": {"giveaway\nspam"}, "languages": {"en"}, "action": {"save"}})
	want(t, a, http.StatusUnprocessableEntity, `id="listen-name-problem"`, "is empty; name the topic",
		`id="listen-rules-problem"`, "None terms alone match nothing", ">giveaway\nspam</textarea>", `value="en"`)
	a = b.post(base+"/new", url.Values{"name": {"Brand"}, "any": {"acme"}, "languages": {"english language"}, "action": {"save"}})
	want(t, a, http.StatusUnprocessableEntity, `id="listen-languages-problem"`, "is not a language code", `value="Brand"`, ">acme</textarea>")

	a = b.post(base+"/new", url.Values{"name": {"Brand"}, "any": {"acme\nacme corp"}, "none": {"giveaway"},
		"hashtags": {"#acme"}, "languages": {"en, pt"}, "action": {"save"}})
	if a.Status != http.StatusSeeOther || !strings.HasPrefix(a.Location, base+"/") {
		t.Fatalf("create: %d %q\n%s", a.Status, a.Location, a.Body)
	}
	ts, err := e.store.ListListenTopics(ctx, w.ID)
	if err != nil || len(ts) != 1 {
		t.Fatalf("topics %v %v", ts, err)
	}
	brand := ts[0]
	if a.Location != listenTopicURL(w.ID, brand.ID, "") || strings.Join(brand.Rules.Any, "|") != "acme|acme corp" ||
		strings.Join(brand.Rules.Languages, "|") != "en|pt" || brand.Paused {
		t.Fatalf("stored topic %+v at %q", brand, a.Location)
	}
	// The same name again is a conflict said next to the name.
	a = b.post(base+"/new", url.Values{"name": {"brand"}, "any": {"other"}, "action": {"save"}})
	want(t, a, http.StatusConflict, `id="listen-name-problem"`, "is taken by another topic")

	now := time.Now()
	ms := []herald.ListenMatch{
		listenMatch(w.ID, brand.ID, "1", "bob", "I love the Acme rocket <b>", "positive", now.Add(-2*time.Hour), "acme"),
		listenMatch(w.ID, brand.ID, "2", "cat", "Acme boots arrived late again", "negative", now.Add(-3*time.Hour), "acme"),
		listenMatch(w.ID, brand.ID, "3", "bob", "Acme corp opens a new shop", "neutral", now.Add(-50*time.Hour), "acme corp"),
		listenMatch(w.ID, brand.ID, "4", "dan", "Old Acme news", "negative", now.Add(-20*24*time.Hour), "acme"),
	}
	ms[0].AuthorFollowers = 1200
	if n, err := e.store.AddListenMatches(ctx, ms); err != nil || n != 4 {
		t.Fatalf("add matches: %d %v", n, err)
	}

	a = b.get(listenTopicURL(w.ID, brand.ID, ""))
	want(t, a, http.StatusOK, "Listening: Brand", `<strong id="period-7d">`, `id="listen-total">3<`,
		`id="listen-total-positive">1<`, `id="listen-total-neutral">1<`, `id="listen-total-negative">1<`,
		"I love the Acme rocket &lt;b&gt;", "Acme boots arrived late again", "Acme corp opens a new shop",
		"matched: acme", "matched: acme corp", `href="https://bsky.app/profile/bob/post/1" rel="noopener noreferrer"`,
		"bob.bsky.social", "1,200", "not given", `id="listen-days"`, `id="listen-edit"`)
	wantNot(t, a, "Old Acme news", "<b>")
	// The per-day table sums to the totals.
	if n := strings.Count(a.Body, "<tr>"); n < 8 {
		t.Errorf("the days table has %d rows, want a row for each of the 8 days touched", n)
	}
	// Newest first.
	if i, j := strings.Index(a.Body, "Acme rocket"), strings.Index(a.Body, "Acme boots"); i < 0 || j < 0 || i > j {
		t.Errorf("the stream is not newest first")
	}
	a = b.get(listenTopicURL(w.ID, brand.ID, "") + "?period=30d")
	want(t, a, http.StatusOK, `<strong id="period-30d">`, `id="listen-total">4<`, "Old Acme news")
	a = b.get(listenTopicURL(w.ID, brand.ID, "") + "?period=1d")
	want(t, a, http.StatusOK, `id="listen-total">2<`)
	wantNot(t, a, "Acme corp opens")

	// The sentiment filter, the language and the search.
	a = b.get(listenTopicURL(w.ID, brand.ID, "") + "?sentiment=negative")
	want(t, a, http.StatusOK, "Acme boots arrived late again")
	wantNot(t, a, "Acme rocket", "Acme corp opens")
	a = b.get(listenTopicURL(w.ID, brand.ID, "") + "?q=ROCKET")
	want(t, a, http.StatusOK, "Acme rocket")
	wantNot(t, a, "Acme boots")
	a = b.get(listenTopicURL(w.ID, brand.ID, "") + "?language=pt")
	want(t, a, http.StatusOK, `id="listen-stream-empty"`, "fits the filter")
	a = b.get(listenTopicURL(w.ID, brand.ID, "") + "?sentiment=angry")
	want(t, a, http.StatusUnprocessableEntity, "use positive, neutral or negative", `id="listen-total">3<`)
	// Four matches are too few for anything to rise.
	want(t, b.get(listenTopicURL(w.ID, brand.ID, "")), http.StatusOK, `id="listen-rising-title"`, `id="listen-rising-empty"`)
	// Every topic's page.
	want(t, b.get(listenTopicURL(w.ID, 0, "")), http.StatusOK, "Listening: every topic", `id="listen-total">3<`, "Acme rocket")

	// The preview: one of the workspace's three matches of the last
	// seven days mentions the rocket; nothing is saved.
	a = b.post(base+"/new", url.Values{"name": {"Rockets"}, "any": {"rocket"}, "action": {"preview"}})
	want(t, a, http.StatusOK, "1 of 3 recent matches (last 7 days) would match", `id="preview-match-`, "matched: rocket",
		`value="Rockets"`, ">rocket</textarea>")
	wantNot(t, a, "Acme boots")
	if ts, _ := e.store.ListListenTopics(ctx, w.ID); len(ts) != 1 {
		t.Fatalf("a preview saved a topic: %v", ts)
	}
	a = b.post(base+"/new", url.Values{"name": {""}, "none": {"x"}, "action": {"preview"}})
	want(t, a, http.StatusUnprocessableEntity, `id="listen-rules-problem"`)

	// The list, then an edit that pauses the topic.
	want(t, b.get(base), http.StatusOK, "Brand", "any of acme, acme corp", `id="listen-all"`, `id="edit-topic-`)
	a = b.get(listenTopicURL(w.ID, brand.ID, "edit"))
	want(t, a, http.StatusOK, `value="Brand"`, ">acme\nacme corp</textarea>", `value="en, pt"`, `id="delete-topic"`)
	a = b.post(listenTopicURL(w.ID, brand.ID, "edit"), url.Values{"name": {"Brand"}, "any": {"acme"}, "paused": {"true"}, "action": {"save"}})
	if a.Status != http.StatusSeeOther || a.Location != listenTopicURL(w.ID, brand.ID, "") {
		t.Fatalf("update: %d %q\n%s", a.Status, a.Location, a.Body)
	}
	want(t, b.get(a.Location), http.StatusOK, "It is paused", `id="listen-paused-badge"`)
	want(t, b.get(base), http.StatusOK, `id="topic-paused-`)

	// An analyst reads but does not manage.
	an := e.browser()
	an.signIn("ann@example.com")
	a = an.get(base)
	want(t, a, http.StatusOK, `id="nav-listen"`, "Brand")
	wantNot(t, a, `id="listen-new"`, `id="edit-topic-`)
	want(t, an.get(listenTopicURL(w.ID, brand.ID, "")), http.StatusOK, "Acme rocket")
	wantNot(t, an.get(listenTopicURL(w.ID, brand.ID, "")), `id="listen-edit"`)
	if a := an.post(base+"/new", url.Values{"name": {"Mine"}, "any": {"x"}, "action": {"save"}}); a.Status != http.StatusForbidden {
		t.Fatalf("an analyst creates a topic: %d", a.Status)
	}
	if a := an.get(base + "/new"); a.Status != http.StatusForbidden {
		t.Fatalf("an analyst opens the form: %d", a.Status)
	}
	if a := an.post(listenTopicURL(w.ID, brand.ID, "delete"), nil); a.Status != http.StatusForbidden {
		t.Fatalf("an analyst deletes a topic: %d", a.Status)
	}

	// Delete.
	a = b.post(listenTopicURL(w.ID, brand.ID, "delete"), nil)
	if a.Status != http.StatusSeeOther || a.Location != base {
		t.Fatalf("delete: %d %q", a.Status, a.Location)
	}
	want(t, b.get(base), http.StatusOK, "Deleted the topic", `id="listen-empty"`)
	if a := b.get(listenTopicURL(w.ID, brand.ID, "")); a.Status != http.StatusNotFound {
		t.Fatalf("a deleted topic's page: %d", a.Status)
	}
}

// TestListenStreamPages pages through more matches than one page holds.
func TestListenStreamPages(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	owner, w := e.owner("ana@example.com", "Acme")
	svc := e.withListen()
	tp, err := svc.Create(ctx, herald.Actor{UserID: owner.ID, WorkspaceID: w.ID, Role: herald.RoleOwner},
		herald.ListenTopic{Name: "Brand", Rules: herald.TopicRule{Any: []string{"acme"}}})
	if err != nil {
		t.Fatal(err)
	}
	var ms []herald.ListenMatch
	now := time.Now()
	for i := range 30 {
		ms = append(ms, listenMatch(w.ID, tp.ID, itoa(int64(i)), "bob", "Acme post number "+itoa(int64(i))+".",
			"neutral", now.Add(-time.Duration(i+1)*time.Minute), "acme"))
	}
	if _, err := e.store.AddListenMatches(ctx, ms); err != nil {
		t.Fatal(err)
	}
	b := e.browser()
	b.signIn("ana@example.com")
	a := b.get(listenTopicURL(w.ID, tp.ID, "") + "?sentiment=neutral")
	want(t, a, http.StatusOK, "Acme post number 0.", "Acme post number 24.", `id="listen-older"`, `id="listen-total">30<`)
	wantNot(t, a, "Acme post number 25.")
	i := strings.Index(a.Body, `id="listen-older"`)
	start := strings.LastIndex(a.Body[:i], `href="`) + len(`href="`)
	next := strings.ReplaceAll(a.Body[start:start+strings.Index(a.Body[start:], `"`)], "&amp;", "&")
	if !strings.Contains(next, "sentiment=neutral") || !strings.Contains(next, "cursor=") {
		t.Fatalf("the older link %q loses the filter", next)
	}
	a = b.get(next)
	want(t, a, http.StatusOK, "Acme post number 25.", "Acme post number 29.")
	wantNot(t, a, "Acme post number 24.", `id="listen-older"`)
	if a := b.get(listenTopicURL(w.ID, tp.ID, "") + "?cursor=nonsense"); a.Status != http.StatusBadRequest {
		t.Fatalf("a bad cursor: %d", a.Status)
	}
	// Another workspace's topic is not found.
	_, other := e.owner("bo@example.com", "Other")
	ob := e.browser()
	ob.signIn("bo@example.com")
	if a := ob.get(listenURL(other.ID) + "/" + itoa(tp.ID)); a.Status != http.StatusNotFound {
		t.Fatalf("another workspace's topic: %d", a.Status)
	}
}

// TestListenDays sums hourly volume per day of the workspace's zone, each
// day of the period listed.
func TestListenDays(t *testing.T) {
	paris, err := time.LoadLocation("Europe/Paris")
	if err != nil {
		t.Fatal(err)
	}
	from := time.Date(2026, 3, 1, 20, 0, 0, 0, time.UTC) // 21:00 in Paris, 1 March
	to := time.Date(2026, 3, 3, 12, 0, 0, 0, time.UTC)
	vs := []herald.ListenVolume{
		{Hour: time.Date(2026, 3, 1, 22, 0, 0, 0, time.UTC), Positive: 1}, // 23:00, 1 March
		{Hour: time.Date(2026, 3, 1, 23, 0, 0, 0, time.UTC), Negative: 2}, // 00:00, 2 March
		{Hour: time.Date(2026, 3, 2, 10, 0, 0, 0, time.UTC), Neutral: 3, Negative: 1},
		{Hour: time.Date(2026, 3, 3, 11, 0, 0, 0, time.UTC), Positive: 4},
	}
	got := listenDays(vs, from, to, paris)
	want := []listenDay{
		{Day: time.Date(2026, 3, 1, 0, 0, 0, 0, paris), Positive: 1},
		{Day: time.Date(2026, 3, 2, 0, 0, 0, 0, paris), Neutral: 3, Negative: 3},
		{Day: time.Date(2026, 3, 3, 0, 0, 0, 0, paris), Positive: 4},
	}
	if len(got) != len(want) {
		t.Fatalf("days %+v, want %+v", got, want)
	}
	for i := range want {
		if !got[i].Day.Equal(want[i].Day) || got[i].Positive != want[i].Positive || got[i].Neutral != want[i].Neutral ||
			got[i].Negative != want[i].Negative {
			t.Errorf("day %d: %+v, want %+v", i, got[i], want[i])
		}
	}
}
