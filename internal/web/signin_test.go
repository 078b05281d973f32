package web

import (
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"

	"github.com/heraldsocial/herald/internal/herald"
)

func TestPasswordChangeSignsOutOtherSessions(t *testing.T) {
	e := newEnv(t)
	e.owner("ana@example.com", "Acme")
	here, phone := e.browser(), e.browser()
	here.signIn("ana@example.com")
	phone.signIn("ana@example.com")
	want(t, phone.get("/me"), http.StatusOK, "Your profile")

	newPass := "a brand new passphrase"
	a := here.follow(here.post("/me/password", url.Values{"current_password": {testPassword}, "new_password": {newPass},
		"new_password_again": {newPass}}), http.StatusOK)
	want(t, a, http.StatusOK, "Your password is changed.", "Signed out 1 other session.")
	if a := phone.get("/me"); a.Status != http.StatusSeeOther || !strings.HasPrefix(a.Location, "/signin") {
		t.Errorf("the other session still works after the password change: %d %s", a.Status, a.Location)
	}
	want(t, here.get("/me"), http.StatusOK, "Your profile")
}

func TestMemberSignOutEverywhere(t *testing.T) {
	e := newEnv(t)
	_, w := e.owner("ana@example.com", "Acme")
	ed := e.member(w, "ed@example.com", herald.RoleEditor)
	owner, edb := e.browser(), e.browser()
	owner.signIn("ana@example.com")
	edb.signIn("ed@example.com")

	members := owner.get(settingsURL(w.ID, "members"))
	want(t, members, http.StatusOK, `id="sign-out-`+itoa(ed.ID)+`"`, "Sign out everywhere")
	a := owner.follow(owner.post(settingsURL(w.ID, "members/"+itoa(ed.ID)+"/sign-out"), nil), http.StatusOK)
	want(t, a, http.StatusOK, "out everywhere (1 session ended)")
	if a := edb.get("/me"); a.Status != http.StatusSeeOther || !strings.HasPrefix(a.Location, "/signin") {
		t.Errorf("the member is still signed in: %d %s", a.Status, a.Location)
	}
	// An editor may not sign the owner out.
	edb.signIn("ed@example.com")
	want(t, edb.post(settingsURL(w.ID, "members/1/sign-out"), nil), http.StatusForbidden)
	want(t, owner.get("/me"), http.StatusOK, "Your profile")
}

// cutReader gives its text, then fails as a dropped connection does.
type cutReader struct{ r io.Reader }

func (c cutReader) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	if err == io.EOF {
		return n, io.ErrUnexpectedEOF
	}
	return n, err
}

func TestTruncatedSigninIsNotTried(t *testing.T) {
	e := newEnv(t)
	e.owner("ana@example.com", "Acme")
	form := "email=ana%40example.com&password=" + url.QueryEscape(testPassword)
	req := httptest.NewRequest(http.MethodPost, e.srv.URL+"/signin", cutReader{strings.NewReader(form[:len(form)-4])})
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	rec := httptest.NewRecorder()
	e.srv.Config.Handler.ServeHTTP(rec, req)
	if rec.Code != http.StatusBadRequest || !strings.Contains(rec.Body.String(), "did not arrive whole") {
		t.Fatalf("a cut-off sign-in form = %d:\n%s", rec.Code, rec.Body)
	}
	if c := rec.Result().Cookies(); len(c) != 0 {
		t.Errorf("a cut-off form started a session: %v", c)
	}
}
