package x

import (
	"testing"

	"github.com/heraldsocial/herald/internal/connector/x/xfake"
	"github.com/heraldsocial/herald/internal/herald"
)

// TestCheckPosts: a fan's mention edited (a new post at the end of its
// edit history), another deleted, a third as it was.
func TestCheckPosts(t *testing.T) {
	e := newEnv(t, xfake.Config{})
	c := ctx(t)
	fan := e.srv.AddUser("fan", "A Fan")
	edited := e.srv.PostAs(fan.ID, "@Herald is the shop open?", "")
	deleted := e.srv.PostAs(fan.ID, "@Herald rude words", "")
	same := e.srv.PostAs(fan.ID, "@Herald thanks!", "")
	newer := e.srv.EditAs(edited.ID, "@Herald open on Sunday?")
	e.srv.DeleteAs(deleted.ID)

	got, err := e.c.CheckPosts(c, e.acct, []herald.RemoteRef{{ID: edited.ID}, {ID: deleted.ID}, {ID: same.ID}})
	if err != nil {
		t.Fatal(err)
	}
	if s := got[edited.ID]; s.Gone || s.Text != "@Herald open on Sunday?" || s.EditedAt == nil || !s.EditedAt.Equal(newer.CreatedAt.Truncate(1e6)) {
		t.Fatalf("edited post = %+v, want the new text at %v", s, newer.CreatedAt)
	}
	if s := got[deleted.ID]; !s.Gone {
		t.Fatalf("deleted post = %+v, want gone", s)
	}
	if s := got[same.ID]; s.Gone || s.Text != "@Herald thanks!" || s.EditedAt != nil {
		t.Fatalf("unchanged post = %+v", s)
	}
	if errs := e.srv.ContractErrors(); len(errs) > 0 {
		t.Fatalf("contract errors: %v", errs)
	}
}
