package web

import (
	"context"
	"net/http"
	"net/url"
	"testing"
	"time"

	"github.com/heraldsocial/herald/internal/herald"
)

// TestComposeSuggestsBestTimes seeds an account whose posts did best at
// 09:00 two days from now (and less well at 15:00 three days from now),
// then finds the composer suggesting those dates and times, skipping one
// another post of the same accounts takes; choosing one without the
// script brings the composer back with the time filled. Several accounts
// read the workspace's grid and every chosen account's posts; an account
// without history says so; a contributor (no analytics) sees nothing.
func TestComposeSuggestsBestTimes(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	owner, w := e.owner("ana@example.com", "Acme")
	e.member(w, "con@example.com", herald.RoleContributor)
	acct := e.account(owner, w, "@acme")
	other := e.account(owner, w, "@other")
	paris := mustZone(t, "Europe/Paris")
	if err := e.store.PutAccountSnapshot(ctx, herald.AccountSnapshot{WorkspaceID: w.ID, AccountID: acct.ID,
		At: time.Now().Add(-100 * 24 * time.Hour), Followers: 100, Following: 1, Posts: 1}); err != nil {
		t.Fatal(err)
	}
	today := time.Now().In(paris)
	best := time.Date(today.Year(), today.Month(), today.Day()+2, 9, 0, 0, 0, paris)
	next := time.Date(today.Year(), today.Month(), today.Day()+3, 15, 0, 0, 0, paris)
	// The three weeks before: 6 engagements of 100 followers on best's
	// weekday at 09:20, 1 on next's weekday at 15:10.
	for i := 1; i <= 3; i++ {
		e.analyticsPost(owner, w, acct, "Best "+itoa(int64(i)), best.AddDate(0, 0, -7*i).Add(20*time.Minute), 5, 1, 0)
		e.analyticsPost(owner, w, acct, "Next "+itoa(int64(i)), next.AddDate(0, 0, -7*i).Add(10*time.Minute), 1, 0, 0)
	}
	// Another account's post at best's time takes it only when that
	// account is chosen too.
	e.scheduled(owner, w, other, "Other account", best)
	value := func(at time.Time) string { return at.Format("2006-01-02T15:04") }
	button := func(at time.Time) string { return `id="best-` + at.Format("2006-01-02-15") + `"` }

	b := e.browser()
	b.signIn("ana@example.com")
	composer := wsURL(w.ID) + "compose"
	one := composer + "?account=" + itoa(acct.ID)
	a := b.get(one)
	want(t, a, http.StatusOK, `id="best-times"`, "Best times", "@acme&#39;s posts", button(best), button(next),
		`value="at:`+value(best)+`"`, `data-best-at="`+value(best)+`"`, best.Format("Mon 2 Jan")+" 09:00", "median 6.00 %", "median 1.00 %", "3 posts")

	// The refresh when the accounts change: both accounts read the
	// workspace's grid, and the other account's post takes best's time.
	refresh := composer + "/best?account=" + itoa(acct.ID)
	want(t, b.get(refresh), http.StatusOK, button(best), button(next))
	a = b.get(refresh + "&account=" + itoa(other.ID))
	want(t, a, http.StatusOK, "the posts of all the workspace&#39;s accounts", button(next))
	wantNot(t, a, button(best), "<html")

	// A post of the account 10 minutes after next's time takes it.
	e.scheduled(owner, w, acct, "Taken", next.Add(10*time.Minute))
	a = b.get(one)
	want(t, a, http.StatusOK, button(best))
	wantNot(t, a, button(next))

	// Without the script: the suggestion's button posts the form.
	a = b.post(composer, url.Values{"text": {"Hello"}, "media": {""}, "account": {itoa(acct.ID)}, "op": {"at:" + value(best)}})
	want(t, a, http.StatusOK, `name="at" value="`+value(best)+`"`)

	// No history on this account.
	a = b.get(composer + "/best?account=" + itoa(other.ID))
	want(t, a, http.StatusOK, `id="best-times-none"`, "Not enough history yet to suggest times")
	wantNot(t, a, "data-best-at")

	con := e.browser()
	con.signIn("con@example.com")
	a = con.get(one)
	want(t, a, http.StatusOK, `id="text-0"`)
	wantNot(t, a, `id="best-times"`, "Best times", "data-best-at")
	if a := con.get(refresh); a.Status != http.StatusForbidden {
		t.Errorf("a contributor's refresh: %d, want 403", a.Status)
	}
}
