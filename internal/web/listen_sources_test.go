package web

import (
	"context"
	"net/http"
	"net/url"
	"testing"

	"github.com/heraldsocial/herald/internal/herald"
	"github.com/heraldsocial/herald/internal/listen"
)

// TestListenSources: the listening page says what reads posts for the
// workspace and what each source can and cannot see, or that nothing does.
func TestListenSources(t *testing.T) {
	e := newEnv(t)
	_, w := e.owner("ana@example.com", "Acme")
	lsvc := e.withListen()
	b := e.browser()
	b.signIn("ana@example.com")
	want(t, b.get(listenURL(w.ID)), http.StatusOK, `id="listen-sources-none"`)
	lsvc.SetSources(func(context.Context, int64) ([]listen.SourceNote, error) {
		return []listen.SourceNote{{Name: "X recent search", Sees: "Nothing.", CannotSee: "this X account's API access does not include recent search"}}, nil
	})
	a := b.get(listenURL(w.ID))
	want(t, a, http.StatusOK, `id="listen-source-list"`, "X recent search", "not reading", "does not include recent search")
	wantNot(t, a, `id="listen-sources-none"`)
}

// TestListenKeepDays: a manager sets how long matches are kept; a number
// out of range or not a number is refused with the input kept; an analyst
// reads it without the form.
func TestListenKeepDays(t *testing.T) {
	e := newEnv(t)
	_, w := e.owner("ana@example.com", "Acme")
	e.member(w, "al@example.com", herald.RoleAnalyst)
	e.withListen()
	b := e.browser()
	b.signIn("ana@example.com")
	want(t, b.get(listenURL(w.ID)), http.StatusOK, `id="listen-keep-form"`, `value="90"`)
	a := b.post(listenURL(w.ID)+"/settings", url.Values{"keep_days": {"1000"}})
	want(t, a, http.StatusUnprocessableEntity, `id="listen-keep-days-problem"`, "from 1 to 730 days", `value="1000"`)
	a = b.post(listenURL(w.ID)+"/settings", url.Values{"keep_days": {"soon"}})
	want(t, a, http.StatusUnprocessableEntity, "write a number of days")
	if a := b.post(listenURL(w.ID)+"/settings", url.Values{"keep_days": {"30"}}); a.Status != http.StatusSeeOther {
		t.Fatalf("save: %d %s", a.Status, a.Body)
	}
	want(t, b.get(listenURL(w.ID)), http.StatusOK, `value="30"`, "Matches are kept 30 days")
	st, err := e.store.ListenSettings(context.Background(), w.ID)
	if err != nil || st.KeepDays != 30 {
		t.Fatalf("stored %+v %v", st, err)
	}
	an := e.browser()
	an.signIn("al@example.com")
	a = an.get(listenURL(w.ID))
	want(t, a, http.StatusOK, `id="listen-keep-days-text"`, "Matches are kept 30 days.")
	wantNot(t, a, `id="listen-keep-form"`)
	if a := an.post(listenURL(w.ID)+"/settings", url.Values{"keep_days": {"7"}}); a.Status != http.StatusForbidden {
		t.Fatalf("an analyst changed the retention: %d", a.Status)
	}
}
