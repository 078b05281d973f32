package sqlite

import (
	"path/filepath"
	"testing"
	"time"

	"github.com/heraldsocial/herald/internal/herald"
)

// TestMigrateAccountIdentity upgrades a database holding accounts, posts
// and inbox items from before 00010 (the account table rebuild): every
// row, reference and trigger survives, foreign keys are back on, account
// ids are not reused, and accounts with the same id on two servers can
// then live side by side.
func TestMigrateAccountIdentity(t *testing.T) {
	ctx := t.Context()
	db, err := Open(ctx, filepath.Join(t.TempDir(), "herald.db"))
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	t.Cleanup(func() { _ = db.Close() })
	if _, err := db.goose.UpTo(ctx, 9); err != nil {
		t.Fatalf("migrate to 9: %v", err)
	}
	t0 := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
	w := herald.Workspace{Name: "Brand", TimeZone: "UTC", CreatedAt: t0, UpdatedAt: t0}
	if err := db.CreateWorkspace(ctx, &w); err != nil {
		t.Fatalf("CreateWorkspace: %v", err)
	}
	u := herald.User{Email: "owner@example.com", Name: "Owner", CreatedAt: t0, UpdatedAt: t0}
	if err := db.CreateUser(ctx, &u); err != nil {
		t.Fatalf("CreateUser: %v", err)
	}
	// Accounts as the store wrote them before 00010. The third is deleted,
	// so the id counter is ahead of the highest id.
	for i, a := range []struct{ platform, remote, instance string }{
		{"mastodon", "109", "https://One.example/"},
		{"bluesky", "did:plc:brand", "https://pds.example"},
		{"mastodon", "110", "https://one.example"},
	} {
		if _, err := db.write.ExecContext(ctx, `INSERT INTO accounts (workspace_id, platform, remote_id, handle,
			instance_url, credentials_key_id, credentials, status, created_at, updated_at, posting_slots)
			VALUES (?, ?, ?, ?, ?, 'k1', ?, 'connected', 0, 0, '{"slots":[{"weekday":1,"time":"09:00"}]}')`,
			w.ID, a.platform, a.remote, "@brand"+a.remote, a.instance, []byte{byte(i), 1, 2}); err != nil {
			t.Fatalf("insert account %d: %v", i+1, err)
		}
	}
	if _, err := db.write.ExecContext(ctx, `DELETE FROM accounts WHERE id = 3`); err != nil {
		t.Fatalf("delete account 3: %v", err)
	}
	p := herald.Post{WorkspaceID: w.ID, AuthorID: u.ID, Text: "spring", CreatedAt: t0, UpdatedAt: t0,
		Targets: []herald.Target{
			{AccountID: 1, State: herald.StateScheduled, ScheduledAt: &t0, CreatedAt: t0, UpdatedAt: t0,
				Variant: herald.Variant{MediaIDs: []int64{}}},
			{AccountID: 2, State: herald.StateScheduled, ScheduledAt: &t0, CreatedAt: t0, UpdatedAt: t0},
		}}
	// The store writes today's columns: the one 00051 adds to posts is
	// there only for this write, so the schema stays 9's.
	if _, err := db.write.ExecContext(ctx, `ALTER TABLE posts ADD COLUMN links TEXT NOT NULL DEFAULT ''`); err != nil {
		t.Fatal(err)
	}
	if err := db.CreatePost(ctx, &p); err != nil {
		t.Fatalf("CreatePost: %v", err)
	}
	if _, err := db.write.ExecContext(ctx, `ALTER TABLE posts DROP COLUMN links`); err != nil {
		t.Fatal(err)
	}
	if _, err := db.write.ExecContext(ctx, `INSERT INTO inbox_items (workspace_id, account_id, remote_id, created_at,
		fetched_at) VALUES (?, 1, 'reply-1', 0, 0)`, w.ID); err != nil {
		t.Fatalf("insert inbox item: %v", err)
	}
	count := func(table string) int {
		t.Helper()
		var n int
		if err := db.write.QueryRowContext(ctx, "SELECT count(*) FROM "+table).Scan(&n); err != nil {
			t.Fatalf("count %s: %v", table, err)
		}
		return n
	}
	before := map[string]int{}
	for _, tb := range []string{"accounts", "targets", "inbox_items", "sqlite_master"} {
		before[tb] = count(tb)
	}

	// The schema's own rows are compared across 00010 alone: later
	// migrations add tables of their own.
	if _, err := db.goose.UpTo(ctx, 10); err != nil {
		t.Fatalf("migrate to 10: %v", err)
	}
	for tb, n := range before {
		if got := count(tb); got != n {
			t.Errorf("%s: %d rows after the upgrade, %d before", tb, got, n)
		}
	}
	if err := db.Migrate(ctx); err != nil {
		t.Fatalf("Migrate: %v", err)
	}
	var fk int
	if err := db.write.QueryRowContext(ctx, "PRAGMA foreign_keys").Scan(&fk); err != nil || fk != 1 {
		t.Fatalf("foreign_keys = %d, %v after the upgrade; want 1", fk, err)
	}
	rows, err := db.write.QueryContext(ctx, "PRAGMA foreign_key_check")
	if err != nil {
		t.Fatalf("foreign_key_check: %v", err)
	}
	if rows.Next() {
		t.Error("foreign_key_check finds dangling references after the upgrade")
	}
	_ = rows.Close()
	var triggers int
	if err := db.write.QueryRowContext(ctx, `SELECT count(*) FROM sqlite_master WHERE type = 'trigger'
		AND name IN ('target_media_insert', 'target_media_update')`).Scan(&triggers); err != nil || triggers != 2 {
		t.Fatalf("target media triggers = %d, %v after the upgrade; want 2", triggers, err)
	}
	for id, want := range map[int64]string{1: "https://one.example", 2: ""} {
		var got string
		if err := db.write.QueryRowContext(ctx, "SELECT remote_instance FROM accounts WHERE id = ?", id).Scan(&got); err != nil || got != want {
			t.Errorf("account %d remote_instance = %q, %v; want %q", id, got, err, want)
		}
	}
	a1, err := db.GetAccount(ctx, w.ID, 1)
	if err != nil || a1.InstanceURL != "https://One.example/" || len(a1.PostingSchedule.Slots) != 1 || a1.Credentials.KeyID != "k1" {
		t.Fatalf("account 1 after the upgrade = %+v, %v", a1, err)
	}
	got, err := db.GetPost(ctx, w.ID, p.ID)
	if err != nil || len(got.Targets) != 2 || got.Targets[0].AccountID != 1 || got.Targets[0].State != herald.StateScheduled {
		t.Fatalf("post after the upgrade = %+v, %v", got, err)
	}

	// Same id, another server: a new account, with a fresh id.
	two := a1
	two.ID, two.InstanceURL, two.Handle = 0, "https://two.example", "@brand@two.example"
	if err := db.CreateAccount(ctx, &two); err != nil {
		t.Fatalf("CreateAccount(two.example): %v", err)
	}
	if two.ID != 4 {
		t.Errorf("new account id = %d, want 4 (ids of deleted accounts are not reused)", two.ID)
	}
	// The same server, the same id: still one account.
	again := a1
	again.ID, again.InstanceURL = 0, "https://one.example"
	if err := db.CreateAccount(ctx, &again); herald.ErrorCode(err) != herald.CodeConflict {
		t.Fatalf("CreateAccount(one.example again) = %v, want a conflict", err)
	}
	// Deleting an account still cascades to its targets and inbox items.
	if _, err := db.write.ExecContext(ctx, "DELETE FROM accounts WHERE id = 1"); err != nil {
		t.Fatalf("delete account 1: %v", err)
	}
	if n := count("targets"); n != 1 {
		t.Errorf("targets after deleting account 1 = %d, want 1", n)
	}
	if n := count("inbox_items"); n != 0 {
		t.Errorf("inbox items after deleting account 1 = %d, want 0", n)
	}

	// Down to 9 and up again works while no two accounts share an id.
	if _, err := db.write.ExecContext(ctx, "DELETE FROM accounts WHERE id = 4"); err != nil {
		t.Fatalf("delete account 4: %v", err)
	}
	if _, err := db.goose.DownTo(ctx, 9); err != nil {
		t.Fatalf("migrate down to 9: %v", err)
	}
	if n := count("targets"); n != 1 {
		t.Errorf("targets after migrating down = %d, want 1", n)
	}
	if err := db.Migrate(ctx); err != nil {
		t.Fatalf("Migrate again: %v", err)
	}
}
