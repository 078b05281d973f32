package web

import (
	"net/http"
	"net/url"
	"testing"
	"time"

	"github.com/heraldsocial/herald/internal/herald"
)

// TestInboxPlatformAndDates: the inbox filters by platform and by days in
// the workspace's zone (Europe/Paris: an item at 23:30 UTC on 1 March is
// 2 March there); a bad day is said, and the filters survive paging links.
func TestInboxPlatformAndDates(t *testing.T) {
	e := newEnv(t)
	owner, w := e.owner("ana@example.com", "Acme")
	ctx := t.Context()
	fk := e.account(owner, w, "@shop")
	now := time.Now().UTC()
	masto := herald.Account{WorkspaceID: w.ID, Platform: herald.PlatformMastodon, RemoteID: "m1", Handle: "@shop@social.example",
		InstanceURL: "https://social.example", Status: herald.AccountConnected,
		Credentials: herald.Sealed{KeyID: "k", Ciphertext: []byte(`{}`)}, CreatedAt: now, UpdatedAt: now}
	if err := e.store.CreateAccount(ctx, &masto); err != nil {
		t.Fatal(err)
	}
	item := func(a herald.Account, remote, text string, at time.Time) herald.InboxItem {
		return herald.InboxItem{WorkspaceID: w.ID, AccountID: a.ID, RemoteID: remote, AuthorID: "fan", AuthorHandle: "@fan",
			Text: text, CreatedAt: at, FetchedAt: now}
	}
	items := []herald.InboxItem{
		item(fk, "f1", "fake on the first", time.Date(2026, 3, 1, 10, 0, 0, 0, time.UTC)),
		item(fk, "f2", "fake late at night", time.Date(2026, 3, 1, 23, 30, 0, 0, time.UTC)),
		item(masto, "m1", "mastodon on the third", time.Date(2026, 3, 3, 9, 0, 0, 0, time.UTC)),
	}
	if _, err := e.store.AddInboxItems(ctx, items); err != nil {
		t.Fatal(err)
	}
	b := e.browser()
	b.signIn("ana@example.com")
	list := inboxURL(w.ID)
	want(t, b.get(list), http.StatusOK, `id="filter-platform"`, `id="filter-from"`, "fake on the first", "mastodon on the third")

	a := b.get(list + "?platform=mastodon")
	want(t, a, http.StatusOK, "mastodon on the third")
	wantNot(t, a, "fake on the first", "fake late at night")

	a = b.get(list + "?" + url.Values{"from": {"2026-03-02"}, "to": {"2026-03-02"}}.Encode())
	want(t, a, http.StatusOK, "fake late at night", `value="2026-03-02"`)
	wantNot(t, a, "fake on the first", "mastodon on the third")

	a = b.get(list + "?" + url.Values{"from": {"2026-03-01"}, "to": {"2026-03-01"}, "platform": {"fake"}}.Encode())
	want(t, a, http.StatusOK, "fake on the first")
	wantNot(t, a, "fake late at night", "mastodon on the third")

	a = b.get(list + "?from=yesterday")
	want(t, a, http.StatusOK, "not a day like 2026-03-01")
	a = b.get(list + "?" + url.Values{"from": {"2026-03-03"}, "to": {"2026-03-01"}}.Encode())
	want(t, a, http.StatusOK, "is before the first day")

	f := inboxFilter{Platform: "fake", From: "2026-03-01", State: string(herald.InboxOpen)}
	if got := f.older(w.ID, "c1"); got != list+"?cursor=c1&from=2026-03-01&platform=fake" {
		t.Fatalf("older page link %q", got)
	}
}
