package post_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/heraldsocial/herald/internal/herald"
	"github.com/heraldsocial/herald/internal/post"
	"github.com/heraldsocial/herald/internal/voice"
)

// TestBrandVoiceInTheService: warnings are reported and allowed, blocks
// refuse saving and every move toward publishing, in both stores.
func TestBrandVoiceInTheService(t *testing.T) {
	forEachStore(t, func(t *testing.T, st herald.Store) {
		ctx := context.Background()
		w := newRoleWorld(t, st)
		owner, editor := w.actors[herald.RoleOwner], w.actors[herald.RoleEditor]
		at := time.Now().Add(72 * time.Hour).UTC().Truncate(time.Second)
		draft := func(text string) herald.Post {
			return herald.Post{Text: text, Targets: []herald.Target{{AccountID: w.acct.ID, ScheduledAt: &at}}}
		}
		// Saved before the rules: these must not move on once they exist.
		early, err := w.svc.Create(ctx, editor, draft("a scam"), post.ActionDraft)
		if err != nil {
			t.Fatal(err)
		}
		review, err := w.svc.Create(ctx, w.actors[herald.RoleContributor], draft("another scam"), post.ActionSubmit)
		if err != nil {
			t.Fatal(err)
		}

		w.ws.BrandRules = herald.BrandRules{Banned: []herald.BannedPhrase{
			{Phrase: "cheap", Replacement: "affordable", Severity: herald.SeverityWarning},
			{Phrase: "scam", Severity: herald.SeverityBlock},
		}}
		if err := st.UpdateWorkspace(ctx, &w.ws); err != nil {
			t.Fatal(err)
		}

		v, err := w.svc.ValidateDraft(ctx, editor, draft("so cheap"))
		if err != nil {
			t.Fatal(err)
		}
		if len(v.Problems) != 0 || len(v.Voice) != 1 || v.Voice[0].Rule != voice.RuleBanned || v.Voice[0].Replacement != "affordable" {
			t.Fatalf("validation of a warning: %+v", v)
		}
		if _, err := w.svc.Create(ctx, editor, draft("so cheap"), post.ActionSchedule); err != nil {
			t.Fatalf("a warning refused the post: %v", err)
		}
		v, err = w.svc.ValidateDraft(ctx, editor, draft("a SCAM"))
		if err != nil {
			t.Fatal(err)
		}
		if len(v.Problems) != 1 || v.Problems[0].Field != "text" || !strings.Contains(v.Problems[0].Problem, "rule: banned words") {
			t.Fatalf("validation of a block: %+v", v)
		}

		wantBlocked := func(what string, err error) {
			t.Helper()
			if herald.ErrorCode(err) != herald.CodeInvalid || !strings.Contains(err.Error(), "brand voice") {
				t.Fatalf("%s: %v, want refused by the brand voice rules", what, err)
			}
		}
		_, err = w.svc.Create(ctx, editor, draft("a scam"), post.ActionDraft)
		wantBlocked("create", err)
		edit := early
		edit.Text = "still a scam!"
		_, err = w.svc.Update(ctx, editor, edit, 0, false)
		wantBlocked("update", err)
		_, err = w.svc.Schedule(ctx, editor, early.ID, nil, "")
		wantBlocked("schedule", err)
		_, err = w.svc.Queue(ctx, editor, early.ID, "")
		wantBlocked("queue", err)
		_, err = w.svc.Submit(ctx, editor, early.ID, "")
		wantBlocked("submit", err)
		_, err = w.svc.Approve(ctx, owner, review.ID, "")
		wantBlocked("approve", err)
		// Moving back is never blocked; neither is cancelling.
		if _, err := w.svc.RequestChanges(ctx, owner, review.ID, "fix the wording"); err != nil {
			t.Fatalf("request changes: %v", err)
		}
		if _, err := w.svc.Cancel(ctx, editor, early.ID, ""); err != nil {
			t.Fatalf("cancel: %v", err)
		}
		got, err := w.svc.Get(ctx, editor, early.ID)
		if err != nil || got.Text != "a scam" {
			t.Fatalf("a refused edit changed the post: %+v, %v", got, err)
		}
	})
}

// TestPublishNowBlocked: a scheduled post that breaks a block rule added
// since is not published now.
func TestPublishNowBlocked(t *testing.T) {
	forEachStore(t, func(t *testing.T, st herald.Store) {
		ctx := context.Background()
		w := newRoleWorld(t, st)
		editor := w.actors[herald.RoleEditor]
		at := time.Now().Add(72 * time.Hour).UTC().Truncate(time.Second)
		p, err := w.svc.Create(ctx, editor, herald.Post{Text: "no link here",
			Targets: []herald.Target{{AccountID: w.acct.ID, ScheduledAt: &at}}}, post.ActionSchedule)
		if err != nil {
			t.Fatal(err)
		}
		w.ws.BrandRules = herald.BrandRules{Link: &herald.LinkRule{Mode: herald.LinkRequired, Severity: herald.SeverityBlock}}
		if err := st.UpdateWorkspace(ctx, &w.ws); err != nil {
			t.Fatal(err)
		}
		_, err = w.svc.PublishNow(ctx, editor, p.ID, "")
		if herald.ErrorCode(err) != herald.CodeInvalid || !strings.Contains(err.Error(), "rule: links") {
			t.Fatalf("publish now: %v", err)
		}
		got, _ := w.svc.Get(ctx, editor, p.ID)
		if !got.Targets[0].ScheduledAt.Equal(at) {
			t.Fatalf("the refused publish now moved the time: %v", got.Targets[0].ScheduledAt)
		}
	})
}
