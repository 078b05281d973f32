package postgres_test

import (
	"fmt"
	"testing"
	"time"

	"github.com/heraldsocial/herald/internal/herald"
	"github.com/heraldsocial/herald/internal/postgres/pgtest"
)

// The attempt and transition logs have no foreign key to targets (it cost
// the publishing path a key check per row); a trigger deletes a deleted
// target's logs instead, whether the target goes with its post or with its
// account.
func TestDeletedTargetsTakeTheirLogs(t *testing.T) {
	ctx := t.Context()
	db := pgtest.Open(t)
	now := time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC)
	ws := herald.Workspace{Name: "Logs", TimeZone: "UTC", CreatedAt: now, UpdatedAt: now}
	if err := db.CreateWorkspace(ctx, &ws); err != nil {
		t.Fatalf("CreateWorkspace: %v", err)
	}
	u := herald.User{Email: "logs@example.com", Name: "Logs", CreatedAt: now, UpdatedAt: now}
	if err := db.CreateUser(ctx, &u); err != nil {
		t.Fatalf("CreateUser: %v", err)
	}
	var accts [2]herald.Account
	for i := range accts {
		accts[i] = herald.Account{WorkspaceID: ws.ID, Platform: herald.PlatformFake, RemoteID: fmt.Sprint("a", i),
			Handle: fmt.Sprint("@a", i), Status: herald.AccountConnected,
			Credentials: herald.Sealed{KeyID: "k1", Ciphertext: []byte("sealed")}, CreatedAt: now, UpdatedAt: now}
		if err := db.CreateAccount(ctx, &accts[i]); err != nil {
			t.Fatalf("CreateAccount: %v", err)
		}
	}
	due := now.Add(-time.Minute)
	newPost := func() herald.Post {
		p := herald.Post{WorkspaceID: ws.ID, AuthorID: u.ID, Text: "hello", CreatedAt: now, UpdatedAt: now}
		for _, a := range accts {
			p.Targets = append(p.Targets, herald.Target{AccountID: a.ID, State: herald.StateScheduled, ScheduledAt: &due,
				DueAt: &due, CreatedAt: now, UpdatedAt: now})
		}
		if err := db.CreatePost(ctx, &p); err != nil {
			t.Fatalf("CreatePost: %v", err)
		}
		ids := []int64{p.Targets[0].ID, p.Targets[1].ID}
		claims, err := db.ClaimTargets(ctx, ids, "test", now, now.Add(time.Minute))
		if err != nil || len(claims) != 2 {
			t.Fatalf("ClaimTargets = %d claims, %v", len(claims), err)
		}
		return p
	}
	logs := func(targetIDs ...int64) (n int) {
		t.Helper()
		err := db.Pool().QueryRow(ctx, `SELECT (SELECT count(*) FROM attempts WHERE target_id = ANY($1))
			+ (SELECT count(*) FROM target_transitions WHERE target_id = ANY($1))`, targetIDs).Scan(&n)
		if err != nil {
			t.Fatalf("count logs: %v", err)
		}
		return n
	}

	gone, kept := newPost(), newPost()
	if n := logs(gone.Targets[0].ID, gone.Targets[1].ID); n != 4 {
		t.Fatalf("before deleting: %d log rows, want 4 (an attempt and a transition per target)", n)
	}
	if err := db.DeletePost(ctx, ws.ID, gone.ID); err != nil {
		t.Fatalf("DeletePost: %v", err)
	}
	if n := logs(gone.Targets[0].ID, gone.Targets[1].ID); n != 0 {
		t.Fatalf("after deleting the post: %d log rows left", n)
	}
	if n := logs(kept.Targets[0].ID, kept.Targets[1].ID); n != 4 {
		t.Fatalf("the other post's logs: %d rows, want 4", n)
	}
	// Accounts go only with their workspace; delete one alone to see the
	// cascade reach its targets' logs.
	if _, err := db.Pool().Exec(ctx, `DELETE FROM accounts WHERE id = $1`, accts[0].ID); err != nil {
		t.Fatalf("delete account: %v", err)
	}
	if n := logs(kept.Targets[0].ID); n != 0 {
		t.Fatalf("after deleting the account: %d log rows left for its target", n)
	}
	if n := logs(kept.Targets[1].ID); n != 2 {
		t.Fatalf("the other account's target: %d log rows, want 2", n)
	}
}
