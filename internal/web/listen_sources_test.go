package web

import (
	"context"
	"net/http"
	"testing"

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
