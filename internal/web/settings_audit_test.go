package web

import (
	"context"
	"fmt"
	"html"
	"net/http"
	"testing"
	"time"

	"github.com/heraldsocial/herald/internal/herald"
	"github.com/heraldsocial/herald/internal/post"
)

// TestAuditInWords checks the audit log puts entries in people's words:
// platforms by their names, actions as sentences, verbs spelt right.
func TestAuditInWords(t *testing.T) {
	e := newEnv(t)
	owner, w := e.owner("ana@example.com", "Acme")
	ed := e.member(w, "ed@example.com", herald.RoleContributor)
	acct := e.account(owner, w, "@acme")
	ctx := context.Background()
	edActor := herald.Actor{UserID: ed.ID, WorkspaceID: w.ID, Role: herald.RoleContributor}
	at := time.Now().Add(time.Hour).UTC().Truncate(time.Second)
	p, err := e.posts.Create(ctx, edActor, herald.Post{Text: "Please check",
		Targets: []herald.Target{{AccountID: acct.ID, ScheduledAt: &at}}}, post.ActionSubmit)
	if err != nil {
		t.Fatal(err)
	}
	ownerActor := herald.Actor{UserID: owner.ID, WorkspaceID: w.ID, Role: herald.RoleOwner}
	if _, err := e.posts.RequestChanges(ctx, ownerActor, p.ID, "Shorter"); err != nil {
		t.Fatal(err)
	}
	if _, err := e.labels.Create(ctx, ownerActor, herald.Label{Name: "Launch"}); err != nil {
		t.Fatal(err)
	}
	// An action the log has no sentence for reads as a verb, spelt right.
	odd := herald.NewAudit(ownerActor, "post.resubmit", "post", p.ID, nil, nil, time.Now())
	if err := e.store.AppendAudit(ctx, &odd); err != nil {
		t.Fatal(err)
	}

	b := e.browser()
	b.signIn("ana@example.com")
	a := b.get(settingsURL(w.ID, "audit"))
	want(t, a, http.StatusOK,
		"<strong>ana</strong> connected the account @acme on Test platform",
		fmt.Sprintf("<strong>ed</strong> wrote post #%d", p.ID),
		fmt.Sprintf("<strong>ana</strong> sent post #%d back for changes", p.ID),
		fmt.Sprintf("<strong>ana</strong> resubmitted post #%d", p.ID),
		html.EscapeString("created the label “Launch”"))
	wantNot(t, a, "submited", " on fake", "post.", "target #")

	for _, tc := range []struct{ verb, want string }{
		{"submit", "submitted"}, {"approve", "approved"}, {"copy", "copied"}, {"play", "played"},
		{"publish_now", "published now"}, {"", "changed"}, {"stop", "stopped"}, {"edit", "edited"},
	} {
		if got := pastTense(tc.verb); got != tc.want {
			t.Errorf("pastTense(%q) = %q, want %q", tc.verb, got, tc.want)
		}
	}
}
