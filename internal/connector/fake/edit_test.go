package fake_test

import (
	"net/http"
	"strings"
	"testing"

	"github.com/heraldsocial/herald/internal/connector"
	"github.com/heraldsocial/herald/internal/connector/fake"
	"github.com/heraldsocial/herald/internal/connector/fake/fakeserver"
	"github.com/heraldsocial/herald/internal/herald"
)

func TestEdit(t *testing.T) {
	s, base := platform(t, fakeserver.Config{MaxChars: 20})
	c := fake.New(s.Client())
	ida := account("ida", fake.Credentials{BaseURL: base, AccessToken: "ida"})
	ref, err := c.Publish(t.Context(), ida, part("e", "first words"))
	if err != nil {
		t.Fatal(err)
	}
	for i := range 2 { // editing twice with the same text is harmless
		got, err := c.Edit(t.Context(), ida, ref, connector.Part{Text: "better words"})
		if err != nil {
			t.Fatalf("edit %d: %v", i, err)
		}
		if got.ID != ref.ID || got.URL != ref.URL {
			t.Fatalf("edit %d answered %+v, want %+v", i, got, ref)
		}
	}
	p, _ := s.Ledger().Get(ref.ID)
	if p.Text != "better words" || p.EditedAt == nil || p.Edits != 2 {
		t.Fatalf("the platform has %+v", p)
	}

	cases := []struct {
		name   string
		acct   connector.Account
		ref    herald.RemoteRef
		text   string
		class  connector.Class
		status int
		says   string
	}{
		{"too long", ida, ref, strings.Repeat("a", 21), connector.Invalid, http.StatusUnprocessableEntity, "character limit"},
		{"empty", ida, ref, "", connector.Invalid, http.StatusUnprocessableEntity, "blank"},
		{"someone else's post", account("bob", fake.Credentials{BaseURL: base, AccessToken: "bob"}), ref, "mine now", connector.Invalid, http.StatusNotFound, "not found"},
		{"unknown post", ida, herald.RemoteRef{ID: "999999"}, "hello", connector.Invalid, http.StatusNotFound, "not found"},
		{"no remote id", ida, herald.RemoteRef{}, "hello", connector.Invalid, 0, "no remote id"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			_, err := c.Edit(t.Context(), tc.acct, tc.ref, connector.Part{Text: tc.text})
			e := mustClass(t, err, tc.class)
			if e.Status != tc.status || !strings.Contains(e.Error(), tc.says) {
				t.Fatalf("error %v (HTTP %d), want HTTP %d saying %q", err, e.Status, tc.status, tc.says)
			}
		})
	}

	// A deleted post cannot be edited.
	if err := c.Delete(t.Context(), ida, ref); err != nil {
		t.Fatal(err)
	}
	_, err = c.Edit(t.Context(), ida, ref, connector.Part{Text: "too late"})
	if e := mustClass(t, err, connector.Invalid); e.Status != http.StatusNotFound {
		t.Fatalf("editing a deleted post: %v", err)
	}
}
