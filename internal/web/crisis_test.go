package web

import (
	"fmt"
	"net/http"
	"net/url"
	"testing"
	"time"
)

// TestCrisisPageStates checks the crisis page shows what is held and
// offers only the actions that apply.
func TestCrisisPageStates(t *testing.T) {
	e := newEnv(t)
	owner, w := e.owner("ana@example.com", "Acme")
	acct := e.account(owner, w, "@acme")
	b := e.browser()
	b.signIn("ana@example.com")
	crisis := fmt.Sprintf("/w/%d/crisis", w.ID)

	// Nothing scheduled: nothing to hold, nothing to resume.
	a := b.get(crisis)
	want(t, a, http.StatusOK, "Nothing is held", `id="crisis-nothing"`, "Nothing is scheduled, so there is nothing to hold.")
	wantNot(t, a, `id="crisis-confirm"`, `id="crisis-resume"`)

	// Two scheduled: hold them.
	e.scheduled(owner, w, acct, "One", time.Now().Add(time.Hour))
	e.scheduled(owner, w, acct, "Two", time.Now().Add(2*time.Hour))
	a = b.get(crisis)
	want(t, a, http.StatusOK, "2 post targets scheduled", "are not held and will publish at their times", "Hold 2 post targets now")
	wantNot(t, a, `id="crisis-resume"`)
	if a := b.post(crisis+"/hold", url.Values{"reason": {"Outage"}}); a.Status != http.StatusSeeOther {
		t.Fatalf("hold: %d", a.Status)
	}

	// Everything is held: the state and Resume, no second hold.
	a = b.get(crisis)
	want(t, a, http.StatusOK, "Publishing is held:", "2 post targets held", "because “Outage”", "Resume all 2 post targets")
	wantNot(t, a, `id="crisis-confirm"`, "Nothing is scheduled")

	// A post scheduled since the hold: it can be held too.
	e.scheduled(owner, w, acct, "Three", time.Now().Add(3*time.Hour))
	a = b.get(crisis)
	want(t, a, http.StatusOK, "1 post target scheduled", "since the hold", "is not held and will publish at its time",
		"Hold these too", "Hold 1 post target now", "Resume all 2 post targets")
	a = b.post(crisis+"/resume", url.Values{"back": {fmt.Sprintf("/w/%d/", w.ID)}})
	if a.Status != http.StatusSeeOther || a.Location != fmt.Sprintf("/w/%d/", w.ID) {
		t.Fatalf("resume: %d → %s", a.Status, a.Location)
	}
	a = b.get(crisis)
	want(t, a, http.StatusOK, "Nothing is held", "3 post targets scheduled", "Hold 3 post targets now")
	wantNot(t, a, `id="crisis-resume"`)
}
