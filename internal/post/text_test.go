package post_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/heraldsocial/herald/internal/herald"
	"github.com/heraldsocial/herald/internal/post"
)

// TestControlCharactersRefused checks, on both stores, that NUL and other
// control characters in what a post stores are refused as invalid input
// naming the field (PostgreSQL text cannot hold NUL: without the check it
// was an internal error there), while tabs and line breaks are kept.
func TestControlCharactersRefused(t *testing.T) {
	ctx := context.Background()
	forEachStore(t, func(t *testing.T, st herald.Store) {
		w := newRoleWorld(t, st)
		owner := w.actors[herald.RoleOwner]
		wantField := func(t *testing.T, err error, field string) {
			t.Helper()
			var he *herald.Error
			if !errors.As(err, &he) || he.Code != herald.CodeInvalid {
				t.Fatalf("err = %v, want invalid", err)
			}
			for _, d := range he.Details {
				if d.Field == field {
					return
				}
			}
			t.Fatalf("no problem for %s: %v", field, he.Details)
		}
		at := time.Now().Add(48 * time.Hour).UTC().Truncate(time.Second)
		_, err := w.svc.Create(ctx, owner, herald.Post{Text: "nul\x00here",
			Targets: []herald.Target{{AccountID: w.acct.ID, ScheduledAt: &at}}}, post.ActionDraft)
		wantField(t, err, "text")
		_, err = w.svc.Create(ctx, owner, herald.Post{Text: "fine", Targets: []herald.Target{{AccountID: w.acct.ID,
			Variant: herald.Variant{Text: "esc\x1b"}}}}, post.ActionDraft)
		wantField(t, err, "targets[0].variant.text")

		text := "line one\r\n\tline two"
		p, err := w.svc.Create(ctx, owner, herald.Post{Title: "Plan", Text: text,
			Targets: []herald.Target{{AccountID: w.acct.ID, ScheduledAt: &at}}}, post.ActionDraft)
		if err != nil {
			t.Fatal(err)
		}
		p.Title = "Plan\x00B"
		_, err = w.svc.Update(ctx, owner, p, 0, false)
		wantField(t, err, "title")
		p.Title = "Plan\tB"
		_, err = w.svc.Update(ctx, owner, p, 0, false)
		wantField(t, err, "title")
		_, err = w.svc.AddComment(ctx, owner, p.ID, "looks \x00 good")
		wantField(t, err, "body")
		_, err = w.svc.Cancel(ctx, owner, p.ID, "because\x00")
		wantField(t, err, "comment")
		_, err = w.svc.PublishNow(ctx, owner, p.ID, "now\x07")
		wantField(t, err, "comment")

		got, err := w.svc.Get(ctx, owner, p.ID)
		if err != nil {
			t.Fatal(err)
		}
		if got.Text != text || got.Title != "Plan" || got.Version != p.Version {
			t.Fatalf("stored post %q %q v%d, want %q %q v%d", got.Title, got.Text, got.Version, "Plan", text, p.Version)
		}
	})
}
