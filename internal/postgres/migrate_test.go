package postgres_test

import (
	"os"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/stdlib"
	"github.com/pressly/goose/v3"

	"github.com/heraldsocial/herald/internal/herald"
	"github.com/heraldsocial/herald/internal/postgres/pgtest"
)

// TestMigrateAccountIdentity upgrades a schema holding accounts and
// scheduled posts from before 00010: the rows keep working, and accounts
// with the same id on two servers can then live side by side.
func TestMigrateAccountIdentity(t *testing.T) {
	db, _ := pgtest.OpenUnmigrated(t)
	ctx := t.Context()
	// The embedded files are these; the table name is Herald's.
	old, err := goose.NewProvider(goose.DialectPostgres, stdlib.OpenDBFromPool(db.Pool()), os.DirFS("migrations"),
		goose.WithTableName("herald_schema_migrations"), goose.WithDisableGlobalRegistry(true))
	if err != nil {
		t.Fatalf("goose: %v", err)
	}
	if _, err := old.UpTo(ctx, 9); err != nil {
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
	var ids []int64
	for _, a := range []struct{ platform, remote, instance string }{
		{"mastodon", "109", "https://One.example/"},
		{"bluesky", "did:plc:brand", "https://pds.example"},
	} {
		var id int64
		if err := db.Pool().QueryRow(ctx, `INSERT INTO accounts (workspace_id, platform, remote_id, handle,
			instance_url, credentials_key_id, credentials, status, created_at, updated_at)
			VALUES ($1, $2, $3, $4, $5, 'k1', '\x010203', 'connected', now(), now()) RETURNING id`,
			w.ID, a.platform, a.remote, "@brand"+a.remote, a.instance).Scan(&id); err != nil {
			t.Fatalf("insert account: %v", err)
		}
		ids = append(ids, id)
	}
	p := herald.Post{WorkspaceID: w.ID, AuthorID: u.ID, Text: "spring", CreatedAt: t0, UpdatedAt: t0,
		Targets: []herald.Target{{AccountID: ids[0], State: herald.StateScheduled, ScheduledAt: &t0, CreatedAt: t0, UpdatedAt: t0}}}
	// The store writes today's columns: the one 00051 adds to posts is
	// there only for this write, so the schema stays 9's.
	if _, err := db.Pool().Exec(ctx, `ALTER TABLE posts ADD COLUMN links TEXT NOT NULL DEFAULT ''`); err != nil {
		t.Fatal(err)
	}
	if err := db.CreatePost(ctx, &p); err != nil {
		t.Fatalf("CreatePost: %v", err)
	}
	if _, err := db.Pool().Exec(ctx, `ALTER TABLE posts DROP COLUMN links`); err != nil {
		t.Fatal(err)
	}

	if err := db.Migrate(ctx); err != nil {
		t.Fatalf("Migrate: %v", err)
	}
	for i, want := range []string{"https://one.example", ""} {
		var got string
		if err := db.Pool().QueryRow(ctx, "SELECT remote_instance FROM accounts WHERE id = $1", ids[i]).Scan(&got); err != nil || got != want {
			t.Errorf("account %d remote_instance = %q, %v; want %q", ids[i], got, err, want)
		}
	}
	a1, err := db.GetAccount(ctx, w.ID, ids[0])
	if err != nil || a1.InstanceURL != "https://One.example/" || string(a1.Credentials.Ciphertext) != "\x01\x02\x03" {
		t.Fatalf("account after the upgrade = %+v, %v", a1, err)
	}
	got, err := db.GetPost(ctx, w.ID, p.ID)
	if err != nil || len(got.Targets) != 1 || got.Targets[0].AccountID != ids[0] || got.Targets[0].State != herald.StateScheduled {
		t.Fatalf("post after the upgrade = %+v, %v", got, err)
	}
	two := a1
	two.ID, two.InstanceURL = 0, "https://two.example"
	if err := db.CreateAccount(ctx, &two); err != nil {
		t.Fatalf("CreateAccount(same id, two.example): %v", err)
	}
	again := a1
	again.ID, again.InstanceURL = 0, "https://one.example"
	if err := db.CreateAccount(ctx, &again); herald.ErrorCode(err) != herald.CodeConflict {
		t.Fatalf("CreateAccount(one.example again) = %v, want a conflict", err)
	}

	// Down to 9 and up again works while no two accounts share an id.
	if _, err := db.Pool().Exec(ctx, "DELETE FROM accounts WHERE id = $1", two.ID); err != nil {
		t.Fatalf("delete: %v", err)
	}
	if _, err := old.DownTo(ctx, 9); err != nil {
		t.Fatalf("migrate down to 9: %v", err)
	}
	if err := db.Migrate(ctx); err != nil {
		t.Fatalf("Migrate again: %v", err)
	}
}
