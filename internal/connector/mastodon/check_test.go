package mastodon_test

import (
	"testing"

	"github.com/heraldsocial/herald/internal/connector"
	"github.com/heraldsocial/herald/internal/connector/mastodon"
	"github.com/heraldsocial/herald/internal/connector/mastodon/mastodonfake"
	"github.com/heraldsocial/herald/internal/herald"
)

// TestCheckPosts: a fan's mention edited, another deleted, a third as it
// was: CheckPosts reads the new text and its time, gone, and the text.
func TestCheckPosts(t *testing.T) {
	f := newFake(t, mastodonfake.DefaultConfig())
	fan, fanToken := f.srv.AddAccount("fan", "A Fan")
	asFan := connector.Account{Account: herald.Account{Platform: herald.PlatformMastodon, RemoteID: fan.ID, InstanceURL: f.url},
		Credentials: mastodon.MarshalCredentials(mastodon.Credentials{AccessToken: fanToken})}
	edited := f.srv.Post(fan.ID, "@herald is the shop open?", "")
	deleted := f.srv.Post(fan.ID, "@herald rude words", "")
	same := f.srv.Post(fan.ID, "@herald thanks!", "")
	c := newConnector()
	ctx := t.Context()
	if _, err := c.Edit(ctx, asFan, herald.RemoteRef{ID: edited}, connector.Part{Text: "@herald open on Sunday?"}); err != nil {
		t.Fatal(err)
	}
	if err := c.Delete(ctx, asFan, herald.RemoteRef{ID: deleted}); err != nil {
		t.Fatal(err)
	}
	got, err := c.CheckPosts(ctx, f.account(), []herald.RemoteRef{{ID: edited}, {ID: deleted}, {ID: same}})
	if err != nil {
		t.Fatal(err)
	}
	if s := got[edited]; s.Gone || s.Text != "@herald open on Sunday?" || s.EditedAt == nil {
		t.Fatalf("edited post = %+v", s)
	}
	if s := got[deleted]; !s.Gone {
		t.Fatalf("deleted post = %+v, want gone", s)
	}
	if s := got[same]; s.Gone || s.Text != "@herald thanks!" || s.EditedAt != nil {
		t.Fatalf("unchanged post = %+v", s)
	}
	if v := f.srv.Violations(); len(v) > 0 {
		t.Fatalf("contract violations: %v", v)
	}
}
