package web

import (
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/heraldsocial/herald/internal/herald"
	"github.com/heraldsocial/herald/internal/inbox"
)

// TestInboxNotesAndSavedReplies writes a note that mentions a member, has
// a bad note and a bad saved reply refused with what was typed kept, and
// sees a saved reply filled in for the item on its page.
func TestInboxNotesAndSavedReplies(t *testing.T) {
	e := newEnv(t)
	owner, w := e.owner("ana@example.com", "Acme")
	e.member(w, "sam@example.com", herald.RoleEditor)
	acct := e.account(owner, w, "alice")
	it := e.arrive(acct, "my parcel is late")[0]
	b := e.browser()
	b.signIn("ana@example.com")
	page := inboxItemURL(w.ID, it.ID)

	a := b.post(page+"/notes", url.Values{"body": {"@sam could you check with the courier?"}})
	if a.Status != http.StatusSeeOther {
		t.Fatalf("add note: %d %s", a.Status, a.Body)
	}
	a = b.get(page)
	if !strings.Contains(a.Body, `id="inbox-notes"`) || !strings.Contains(a.Body, `<span class="mention" title="sam">@sam</span>`) {
		t.Fatalf("the page does not show the note with its mention:\n%s", a.Body)
	}
	a = b.post(page+"/notes", url.Values{"body": {strings.Repeat("x", herald.MaxCommentLen+1)}})
	if a.Status != http.StatusUnprocessableEntity || !strings.Contains(a.Body, "at most 5000") ||
		!strings.Contains(a.Body, strings.Repeat("x", 100)) {
		t.Fatalf("a long note: %d, want 422 with the text kept", a.Status)
	}

	a = b.post(savedRepliesURL(w.ID), url.Values{"name": {"Sorry"}, "body": {"Hi {{author.nick}}"}})
	if a.Status != http.StatusUnprocessableEntity || !strings.Contains(a.Body, "unknown variable {{author.nick}}") ||
		!strings.Contains(a.Body, "Hi {{author.nick}}") {
		t.Fatalf("unknown variable: %d, want 422 naming it with the text kept", a.Status)
	}
	a = b.post(savedRepliesURL(w.ID), url.Values{"name": {"Sorry"}, "body": {"Sorry {{author.handle}}, {{me.name}} will look into it."}})
	if a.Status != http.StatusSeeOther {
		t.Fatalf("save reply: %d %s", a.Status, a.Body)
	}
	a = b.get(savedRepliesURL(w.ID))
	if !strings.Contains(a.Body, "Sorry {{author.handle}}") || !strings.Contains(a.Body, "{{workspace.name}}") {
		t.Fatalf("the tab does not list the reply and the variables")
	}
	a = b.get(page)
	if !strings.Contains(a.Body, `data-text="Sorry @bob, ana will look into it."`) {
		t.Fatalf("the item page does not offer the filled-in reply:\n%s", a.Body)
	}

	// A contributor reads notes and saved replies but cannot manage them.
	e.member(w, "cid@example.com", herald.RoleContributor)
	c := e.browser()
	c.signIn("cid@example.com")
	if a = c.post(savedRepliesURL(w.ID), url.Values{"name": {"x"}, "body": {"y"}}); a.Status != http.StatusForbidden {
		t.Fatalf("contributor saves a reply: %d", a.Status)
	}
	if a = c.get(savedRepliesURL(w.ID)); a.Status != http.StatusOK || strings.Contains(a.Body, `id="saved-form"`) {
		t.Fatalf("contributor's tab: %d, form shown %v", a.Status, strings.Contains(a.Body, `id="saved-form"`))
	}
}

// savedReplyInputOf is a saved reply's input.
func savedReplyInputOf(name, body string) inbox.SavedReplyInput {
	return inbox.SavedReplyInput{Name: name, Body: body}
}
