package web

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/heraldsocial/herald/internal/herald"
)

// analyticsPost stores a post published at at on acct with its counts.
func (e *env) analyticsPost(owner herald.User, w herald.Workspace, acct herald.Account, title string, at time.Time,
	likes, reposts, replies int64) herald.Post {
	e.t.Helper()
	ctx := context.Background()
	at = at.UTC().Truncate(time.Second)
	p := herald.Post{WorkspaceID: w.ID, AuthorID: owner.ID, Title: title, Text: title,
		Targets: []herald.Target{{AccountID: acct.ID, State: herald.StatePublished, ScheduledAt: &at, PublishedAt: &at,
			RemoteID: "r-" + title}}}
	if err := e.store.CreatePost(ctx, &p); err != nil {
		e.t.Fatal(err)
	}
	if err := e.store.AddMetricSnapshots(ctx, []herald.MetricSnapshot{{WorkspaceID: w.ID, TargetID: p.Targets[0].ID,
		At: at.Add(time.Hour), Likes: likes, Reposts: reposts, Replies: replies, Quotes: -1, Impressions: -1}}); err != nil {
		e.t.Fatal(err)
	}
	return p
}

// TestAnalyticsOverview reads the overview of two posts with hand-counted
// figures, its CSV, a bad period said on the page, the other rate, and who
// may see it.
func TestAnalyticsOverview(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	owner, w := e.owner("ana@example.com", "Acme")
	e.member(w, "cli@example.com", herald.RoleClient)
	e.member(w, "con@example.com", herald.RoleContributor)
	acct := e.account(owner, w, "@acme")
	now := time.Now()
	// 200 followers two days ago; 230 now.
	for _, s := range []herald.AccountSnapshot{{At: now.Add(-50 * time.Hour), Followers: 200},
		{At: now.Add(-time.Minute), Followers: 230}} {
		s.WorkspaceID, s.AccountID, s.Following, s.Posts = w.ID, acct.ID, 5, 40
		if err := e.store.PutAccountSnapshot(ctx, s); err != nil {
			t.Fatal(err)
		}
	}
	e.analyticsPost(owner, w, acct, "Launch day", now.Add(-30*time.Hour), 12, 3, 5) // 20 engagements, 200 followers
	// 2 engagements; the last daily count before publishing: 200.
	e.analyticsPost(owner, w, acct, "Quiet tip", now.Add(-2*time.Hour), 1, 0, 1)
	b := e.browser()
	b.signIn("ana@example.com")
	base := wsURL(w.ID) + "analytics"
	a := b.get(base + "?days=7")
	want(t, a, http.StatusOK, `id="nav-analytics"`, `id="total-engagements"`, ">22<", "Launch day", "Quiet tip",
		`id="analytics-growth"`, "+30", `id="analytics-definitions"`, "Engagement rate by followers",
		`id="analytics-data"`, `<strong id="period-7">`, "not given")
	// The rate: (20 + 2) / (200 + 200) = 5.50 %.
	if !strings.Contains(a.Body, "5.50 %") {
		t.Errorf("the page lacks the engagement rate 5.50 %%")
	}
	quiet := e.account(owner, w, "@quiet")
	a = b.get(base + "?days=7&view_account=" + itoa(quiet.ID))
	want(t, a, http.StatusOK, `id="analytics-scope"`, "@quiet&#39;s posts", `id="analytics-top-empty"`)
	a = b.get(base + "?days=7&view_account=" + itoa(acct.ID))
	want(t, a, http.StatusOK, "Launch day", "Quiet tip")
	if a := b.get(base + "?view_account=999999"); a.Status != http.StatusNotFound {
		t.Fatalf("an unknown account's view: %d", a.Status)
	}
	a = b.get(base + "?days=7&rate=impressions")
	want(t, a, http.StatusOK, "Engagement rate by impressions", "no data")
	a = b.get(base + "?from=2026-13-01&to=2026-01-31")
	want(t, a, http.StatusUnprocessableEntity, "is not a day; write it as 2026-03-31", `id="total-engagements"`)
	a = b.get(base + "?rate=reach")
	want(t, a, http.StatusUnprocessableEntity, "choose followers or impressions")
	a = b.get(base + ".csv?days=7")
	if a.Status != http.StatusOK || !strings.HasPrefix(a.Header.Get("Content-Type"), "text/csv") ||
		!strings.Contains(a.Body, "total,") || !strings.Contains(a.Body, ",2,2,13,3,6,,,22,400,0.055000,,") {
		t.Fatalf("csv %d:\n%s", a.Status, a.Body)
	}
	if !strings.Contains(a.Body, "growth,") || !strings.Contains(a.Body, ",200,230,30") {
		t.Fatalf("csv lacks the growth row:\n%s", a.Body)
	}

	client := e.browser()
	client.signIn("cli@example.com")
	want(t, client.get(base), http.StatusOK, `id="total-engagements"`)
	contributor := e.browser()
	contributor.signIn("con@example.com")
	if a := contributor.get(base); a.Status != http.StatusForbidden {
		t.Fatalf("a contributor sees analytics: %d", a.Status)
	}
	wantNot(t, contributor.get(wsURL(w.ID)), `id="nav-analytics"`)
}

// TestAnalyticsBestTimes shows the best-time grid for all accounts and for
// one: three Tuesday 09:00 posts make the one hour with a rate.
func TestAnalyticsBestTimes(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	owner, w := e.owner("ana@example.com", "Acme")
	acct := e.account(owner, w, "@acme")
	other := e.account(owner, w, "@other")
	paris, err := time.LoadLocation("Europe/Paris")
	if err != nil {
		t.Fatal(err)
	}
	if err := e.store.PutAccountSnapshot(ctx, herald.AccountSnapshot{WorkspaceID: w.ID, AccountID: acct.ID,
		At: time.Now().Add(-100 * 24 * time.Hour), Followers: 200, Following: 1, Posts: 1}); err != nil {
		t.Fatal(err)
	}
	day := time.Now().In(paris).AddDate(0, 0, -1)
	for day.Weekday() != time.Tuesday {
		day = day.AddDate(0, 0, -1)
	}
	for i, likes := range []int64{2, 4, 10} {
		d := day.AddDate(0, 0, -7*i)
		e.analyticsPost(owner, w, acct, "Tuesday "+itoa(int64(i)), time.Date(d.Year(), d.Month(), d.Day(), 9, 5, 0, 0, paris), likes, 0, 0)
	}
	b := e.browser()
	b.signIn("ana@example.com")
	// Rates 1 %, 2 % and 5 %: the median is 2.0, the band 1 %–5 %.
	a := b.get(wsURL(w.ID) + "analytics")
	want(t, a, http.StatusOK, `id="best-grid"`, `id="best-list"`, "Tuesday 09:00: median 2.00 %, band 1.00 %–5.00 %, 3 posts",
		`class="heat heat-4"`, ">2.0<", "Best time to post")
	a = b.get(wsURL(w.ID) + "analytics?account=" + itoa(other.ID))
	want(t, a, http.StatusOK, `id="best-none"`, "From 0 posts")
}

// TestAccountsShowAudience shows an account's latest counts on the
// accounts page, and says when none were read yet.
func TestAccountsShowAudience(t *testing.T) {
	e := newEnv(t)
	owner, w := e.owner("ana@example.com", "Acme")
	read := e.account(owner, w, "@read")
	unread := e.account(owner, w, "@unread")
	if err := e.store.PutAccountSnapshot(context.Background(), herald.AccountSnapshot{WorkspaceID: w.ID, AccountID: read.ID,
		At: time.Now().Add(-time.Hour), Followers: 12345, Following: 67, Posts: -1}); err != nil {
		t.Fatal(err)
	}
	b := e.browser()
	b.signIn("ana@example.com")
	a := b.get(accountsURL(w.ID))
	want(t, a, http.StatusOK, `id="audience-`+itoa(read.ID)+`"`, "12,345 followers · 67 following <span")
	i := strings.Index(a.Body, `id="audience-`+itoa(unread.ID)+`"`)
	if i < 0 || !strings.Contains(a.Body[i:], "Not read yet") {
		t.Fatal("the unread account does not say its counts were not read yet")
	}
}

// TestPostPerformance shows a published post's readings on its page, to
// those who read analytics only.
func TestPostPerformance(t *testing.T) {
	e := newEnv(t)
	owner, w := e.owner("ana@example.com", "Acme")
	e.member(w, "con@example.com", herald.RoleContributor)
	acct := e.account(owner, w, "@acme")
	p := e.analyticsPost(owner, w, acct, "Launch day", time.Now().Add(-3*time.Hour), 12, 3, 5)
	b := e.browser()
	b.signIn("ana@example.com")
	a := b.get(postURL(w.ID, p.ID))
	want(t, a, http.StatusOK, `id="performance"`, `id="performance-`+itoa(p.Targets[0].ID)+`"`, "<th scope=\"row\">1 h</th>",
		">20<", `id="performance-data"`)
	c := e.browser()
	c.signIn("con@example.com")
	wantNot(t, c.get(postURL(w.ID, p.ID)), `id="performance"`)
}

// TestScheduleSuggestsBestTimes offers the hour where the account's posts
// did best (three Tuesdays at 09:00 in Paris) as a slot, adds it with one
// click, and says "not enough data" for an account with no history.
func TestScheduleSuggestsBestTimes(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	owner, w := e.owner("ana@example.com", "Acme")
	acct := e.account(owner, w, "@acme")
	quiet := e.account(owner, w, "@quiet")
	paris, err := time.LoadLocation("Europe/Paris")
	if err != nil {
		t.Fatal(err)
	}
	if err := e.store.PutAccountSnapshot(ctx, herald.AccountSnapshot{WorkspaceID: w.ID, AccountID: acct.ID,
		At: time.Now().Add(-100 * 24 * time.Hour), Followers: 100, Following: 1, Posts: 1}); err != nil {
		t.Fatal(err)
	}
	// The last three Tuesdays at 09:20 in Paris, and one Friday evening
	// (too few posts there to count).
	day := time.Now().In(paris).AddDate(0, 0, -1)
	for day.Weekday() != time.Tuesday {
		day = day.AddDate(0, 0, -1)
	}
	for i := range 3 {
		d := day.AddDate(0, 0, -7*i)
		at := time.Date(d.Year(), d.Month(), d.Day(), 9, 20, 0, 0, paris)
		e.analyticsPost(owner, w, acct, "Tuesday "+itoa(int64(i)), at, 5, 1, 0)
	}
	e.analyticsPost(owner, w, acct, "Friday", day.AddDate(0, 0, -4).Add(10*time.Hour), 50, 0, 0)
	b := e.browser()
	b.signIn("ana@example.com")
	page := accountURL(w.ID, acct.ID, "schedule")
	a := b.get(page)
	want(t, a, http.StatusOK, `id="schedule-best"`, `id="suggest-tuesday-09"`, "median 6.00 %", "3 posts")
	wantNot(t, a, `id="suggest-friday`)
	a = b.post(page, url.Values{"suggest": {"tuesday 09:00"}})
	if a.Status != http.StatusSeeOther {
		t.Fatalf("adding the suggestion: %d %s", a.Status, a.Body)
	}
	got := e.getAccount(w, acct.ID).PostingSchedule.Slots
	if len(got) != 1 || got[0].Day != "tuesday" || got[0].Time != "09:00" {
		t.Fatalf("slots after the suggestion: %+v", got)
	}
	a = b.get(page)
	wantNot(t, a, `id="suggest-tuesday-09"`)
	want(t, b.get(accountURL(w.ID, quiet.ID, "schedule")), http.StatusOK, `id="best-none"`, "Not enough data yet")
}

// TestAnalyticsPDFAndReportsWithoutMail downloads the overview as a PDF,
// and finds the scheduled reports page saying what the operator must set
// while e-mail is off, with no form to schedule one.
func TestAnalyticsPDFAndReportsWithoutMail(t *testing.T) {
	e := newEnv(t)
	owner, w := e.owner("ana@example.com", "Acme")
	acct := e.account(owner, w, "@acme")
	e.analyticsPost(owner, w, acct, "Launch day", time.Now().Add(-30*time.Hour), 12, 3, 5)
	b := e.browser()
	b.signIn("ana@example.com")
	a := b.get(wsURL(w.ID) + "analytics?days=7")
	want(t, a, http.StatusOK, `id="analytics-pdf"`, `href="/w/`+itoa(w.ID)+`/analytics.pdf?days=7&amp;rate=followers"`, `id="analytics-reports"`)
	a = b.get(wsURL(w.ID) + "analytics.pdf?days=7")
	if a.Status != http.StatusOK || a.Header.Get("Content-Type") != "application/pdf" || !strings.HasPrefix(a.Body, "%PDF-") {
		t.Fatalf("pdf: %d %q %.20q", a.Status, a.Header.Get("Content-Type"), a.Body)
	}
	if a := b.get(wsURL(w.ID) + "analytics.pdf?from=nope&to=2026-01-01"); a.Status != http.StatusUnprocessableEntity {
		t.Fatalf("a bad period's pdf: %d", a.Status)
	}
	a = b.get(wsURL(w.ID) + "analytics/reports")
	want(t, a, http.StatusOK, `id="reports-no-mail"`, "HERALD_SMTP_HOST", `id="reports-empty"`)
	wantNot(t, a, `id="report-form"`)
	a = b.post(wsURL(w.ID)+"analytics/reports", url.Values{"name": {"Weekly"}, "every": {"weekly"}, "recipients": {"cli@example.com"}})
	want(t, a, http.StatusUnprocessableEntity, "e-mail is not set up on this server")
}
