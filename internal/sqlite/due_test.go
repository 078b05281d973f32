package sqlite

import (
	"context"
	"errors"
	"path/filepath"
	"testing"
	"time"

	"github.com/heraldsocial/herald/internal/herald"
)

// pending reports whether ch holds a signal. Signals are sent before the
// store method returns, so no waiting is needed.
func pending(ch <-chan struct{}) bool {
	select {
	case <-ch:
		return true
	default:
		return false
	}
}

func TestWatchDueSignalsAfterCommitOnly(t *testing.T) {
	ctx := t.Context()
	db := mustOpen(t, filepath.Join(t.TempDir(), "herald.db"))
	now := time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC)
	ws := herald.Workspace{Name: "W", TimeZone: "UTC"}
	if err := db.CreateWorkspace(ctx, &ws); err != nil {
		t.Fatalf("CreateWorkspace: %v", err)
	}
	u := herald.User{Email: "a@example.com", Name: "A"}
	if err := db.CreateUser(ctx, &u); err != nil {
		t.Fatalf("CreateUser: %v", err)
	}
	acct := herald.Account{WorkspaceID: ws.ID, Platform: herald.PlatformFake, RemoteID: "r", Handle: "h",
		Status: herald.AccountConnected}
	if err := db.CreateAccount(ctx, &acct); err != nil {
		t.Fatalf("CreateAccount: %v", err)
	}
	watchCtx, cancel := context.WithCancel(ctx)
	defer cancel()
	ch, err := db.WatchDue(watchCtx)
	if err != nil {
		t.Fatalf("WatchDue: %v", err)
	}
	other, err := db.WatchDue(watchCtx)
	if err != nil {
		t.Fatalf("WatchDue: %v", err)
	}

	schedule := func(tx herald.Tx) error {
		p := herald.Post{WorkspaceID: ws.ID, AuthorID: u.ID, Text: "x",
			Targets: []herald.Target{{AccountID: acct.ID, State: herald.StateDraft}}}
		if err := tx.CreatePost(ctx, &p); err != nil {
			return err
		}
		tg := p.Targets[0]
		tg.ScheduledAt = &now
		tr, err := tg.Transition(herald.StateScheduled, nil, "", now)
		if err != nil {
			return err
		}
		if err := tx.TransitionTarget(ctx, &tg, tr); err != nil {
			return err
		}
		if pending(ch) {
			t.Error("due signal sent before the transaction committed")
		}
		return nil
	}
	boom := errors.New("boom")
	err = db.InTx(ctx, func(tx herald.Tx) error {
		if err := schedule(tx); err != nil {
			return err
		}
		return boom
	})
	if !errors.Is(err, boom) {
		t.Fatalf("InTx = %v, want the function's error", err)
	}
	if pending(ch) {
		t.Fatal("due signal sent for a rolled-back transaction")
	}
	if err := db.InTx(ctx, schedule); err != nil {
		t.Fatalf("InTx: %v", err)
	}
	if !pending(ch) || !pending(other) {
		t.Fatal("no due signal to every watcher after the transaction committed")
	}
	if err := db.SetPublishingPaused(ctx, ws.ID, &now); err != nil {
		t.Fatalf("SetPublishingPaused: %v", err)
	}
	if pending(ch) {
		t.Fatal("pausing sent a due signal")
	}
	if err := db.SetPublishingPaused(ctx, ws.ID, nil); err != nil {
		t.Fatalf("SetPublishingPaused(resume): %v", err)
	}
	if !pending(ch) {
		t.Fatal("no due signal after publishing resumed")
	}
	cancel()
	for range ch { // drains, and ends once the channel is closed
	}
}
