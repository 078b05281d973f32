package web

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"testing"

	"github.com/heraldsocial/herald/internal/herald"
)

// oobSlot is the part of an htmx answer from the element with id to the
// next element swapped out of band.
func oobSlot(t *testing.T, body, id string) string {
	t.Helper()
	i := strings.Index(body, `id="`+id+`"`)
	if i < 0 {
		t.Fatalf("no %s in:\n%s", id, body)
	}
	// To the next out-of-band element, after this one's own attribute.
	s := body[i:]
	const oob = `hx-swap-oob="true"`
	if k := strings.Index(s, oob); k >= 0 {
		if j := strings.Index(s[k+len(oob):], oob); j >= 0 {
			s = s[:k+len(oob)+j]
		}
	}
	return s
}

// cheapAndScam gives w the rules the composer's tests type against:
// "cheap" warns (write "affordable" instead), "scam" blocks.
func cheapAndScam(t *testing.T, e *env, owner herald.User, w herald.Workspace) {
	t.Helper()
	actor := herald.Actor{UserID: owner.ID, WorkspaceID: w.ID, Role: herald.RoleOwner}
	if _, err := e.ws.SetBrandVoice(context.Background(), actor, herald.BrandRules{
		Banned: []herald.BannedPhrase{
			{Phrase: "cheap", Replacement: "affordable", Severity: herald.SeverityWarning},
			{Phrase: "scam", Severity: herald.SeverityBlock},
		},
	}); err != nil {
		t.Fatal(err)
	}
}

func TestComposeBrandVoice(t *testing.T) {
	e := newComposeEnv(t)
	owner, w := e.owner("ana@example.com", "Acme")
	acct := e.connect(owner, w, herald.PlatformBluesky, "acme.bsky.social")
	cheapAndScam(t, e.env, owner, w)
	b := e.browser()
	b.signIn("ana@example.com")
	base := fmt.Sprintf("/w/%d/compose", w.ID)
	id := itoa(acct.ID)

	// A warning beside the counter of the text it is in, with its fix.
	a := b.post(base+"/check", composeValues("So Cheap", acct), "HX-Request", "true")
	part := oobSlot(t, a.Body, "part-check-0")
	for _, s := range []string{"Warning:", "contains “Cheap”", "rule: banned words", `data-voice-fix="text-0"`,
		`data-from="Cheap"`, `data-to="affordable"`, "Replace with “affordable”", "8/300"} {
		if !strings.Contains(part, s) {
			t.Errorf("part-check-0 lacks %q:\n%s", s, part)
		}
	}
	if blocked := oobSlot(t, a.Body, "voice-blocked"); strings.Contains(blocked, "data-blocked") {
		t.Errorf("a warning blocks: %s", blocked)
	}

	// In a thread part, and in an account's own text.
	form := composeValues("Fine", acct)
	form.Add("text", "cheap again")
	form.Add("media", "")
	form.Set("v_text_"+id, "a cheap one")
	a = b.post(base+"/check", form, "HX-Request", "true")
	if s := oobSlot(t, a.Body, "part-check-1"); !strings.Contains(s, `data-voice-fix="text-1"`) {
		t.Errorf("part-check-1:\n%s", s)
	}
	if s := oobSlot(t, a.Body, "variant-check-"+id); !strings.Contains(s, `data-voice-fix="v-text-`+id+`"`) {
		t.Errorf("variant-check:\n%s", s)
	}

	// A block says why scheduling is blocked; the general list does not repeat it.
	a = b.post(base+"/check", composeValues("what a SCAM", acct), "HX-Request", "true")
	blocked := oobSlot(t, a.Body, "voice-blocked")
	for _, s := range []string{`data-blocked="true"`, "Scheduling is blocked by the brand voice rules", "the text contains “SCAM”"} {
		if !strings.Contains(blocked, s) {
			t.Errorf("voice-blocked lacks %q:\n%s", s, blocked)
		}
	}
	if strings.Contains(a.Body, `general-problem">the text contains`) {
		t.Errorf("the block is repeated among the general problems:\n%s", a.Body)
	}

	// Saving: a warning is saved, a block is refused with the text kept.
	form = composeValues("So cheap", acct)
	form.Set("action", "draft")
	idFrom(t, b.post(base, form), editPath)
	form = composeValues("what a scam", acct)
	form.Set("action", "draft")
	a = b.post(base, form)
	want(t, a, http.StatusUnprocessableEntity, "contains “scam”", ">what a scam</textarea>")
}
