package main

import (
	"context"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/heraldsocial/herald/internal/account"
	"github.com/heraldsocial/herald/internal/herald"
	"github.com/heraldsocial/herald/internal/keyring"
	"github.com/heraldsocial/herald/internal/sqlite"
)

// restoreFixture is a data folder with a workspace, a Mastodon account
// whose credentials are sealed with the folder's key file, and a scheduled
// post on it.
type restoreFixture struct {
	dataDir, keyFile string
	env              []string
	ws, user         int64
	acct             herald.Account
	post             herald.Post
	creds            []byte
}

func newRestoreFixture(t *testing.T) restoreFixture {
	t.Helper()
	ctx := context.Background()
	f := restoreFixture{dataDir: filepath.Join(t.TempDir(), "data")}
	f.keyFile = filepath.Join(f.dataDir, "secret.key")
	f.env = []string{"HERALD_DATA_DIR=" + f.dataDir}
	r := mustRun(t, f.env, "a good long password\n", "user", "create", "--email", "ana@example.com", "--name", "Ana",
		"--password-stdin", "--workspace", "Acme")
	m := regexp.MustCompile(`Created workspace (\d+)`).FindStringSubmatch(r.stdout)
	if m == nil {
		t.Fatalf("no workspace id in %q", r.stdout)
	}
	db, keys := openData(t, f.dataDir, f.keyFile)
	defer db.Close()
	u, err := db.GetUserByEmail(ctx, "ana@example.com")
	if err != nil {
		t.Fatal(err)
	}
	f.ws, f.user = mustInt(t, m[1]), u.ID
	actor := herald.Actor{UserID: u.ID, WorkspaceID: f.ws, Role: herald.RoleOwner}
	f.creds = []byte(`{"instance":"https://one.example","access_token":"sekrit"}`)
	f.acct, err = account.New(db, keys, herald.SystemClock{}, nil).Connect(ctx, actor, herald.Account{
		Platform: herald.PlatformMastodon, RemoteID: "109", Handle: "@brand@one.example", InstanceURL: "https://one.example"}, f.creds)
	if err != nil {
		t.Fatal(err)
	}
	when := time.Now().UTC().Add(time.Hour).Truncate(time.Microsecond)
	f.post = herald.Post{WorkspaceID: f.ws, AuthorID: u.ID, Text: "before the backup", CreatedAt: when, UpdatedAt: when,
		Targets: []herald.Target{{AccountID: f.acct.ID, State: herald.StateScheduled, ScheduledAt: &when, CreatedAt: when, UpdatedAt: when}}}
	if err := db.CreatePost(ctx, &f.post); err != nil {
		t.Fatal(err)
	}
	return f
}

func mustInt(t *testing.T, s string) int64 {
	t.Helper()
	n, err := strconv.ParseInt(s, 10, 64)
	if err != nil {
		t.Fatal(err)
	}
	return n
}

// openData opens the folder's database and key file.
func openData(t *testing.T, dataDir, keyFile string) (*sqlite.DB, *keyring.Keyring) {
	t.Helper()
	db, err := sqlite.Open(context.Background(), filepath.Join(dataDir, "herald.db"))
	if err != nil {
		t.Fatal(err)
	}
	if err := db.Migrate(context.Background()); err != nil {
		t.Fatal(err)
	}
	keys, err := keyring.Load(keyFile)
	if err != nil {
		t.Fatal(err)
	}
	return db, keys
}

func TestBackupAndRestore(t *testing.T) {
	ctx := context.Background()
	f := newRestoreFixture(t)
	backup := filepath.Join(t.TempDir(), "backup.db")
	r := mustRun(t, f.env, "", "backup", backup)
	if !strings.Contains(r.stdout, "Keep the key file "+f.keyFile+" with it") {
		t.Errorf("backup does not say to keep the key file: %q", r.stdout)
	}
	if fi, err := os.Stat(backup); err != nil {
		t.Fatal(err)
	} else if fi.Mode().Perm() != 0o600 {
		t.Errorf("backup file mode %v, want 0600 (it holds sessions and credentials)", fi.Mode().Perm())
	}

	// After the backup, the post is deleted and another written.
	db, _ := openData(t, f.dataDir, f.keyFile)
	if err := db.DeletePost(ctx, f.ws, f.post.ID); err != nil {
		t.Fatal(err)
	}
	later := herald.Post{WorkspaceID: f.ws, AuthorID: f.user, Text: "after the backup", CreatedAt: f.post.CreatedAt, UpdatedAt: f.post.CreatedAt}
	if err := db.CreatePost(ctx, &later); err != nil {
		t.Fatal(err)
	}
	db.Close()
	stale := filepath.Join(f.dataDir, "herald.db-shm")
	if err := os.WriteFile(stale, []byte("stale index"), 0o600); err != nil {
		t.Fatal(err)
	}
	replaced := func() []string {
		m, _ := filepath.Glob(filepath.Join(f.dataDir, "herald.db.replaced-*"))
		return m
	}

	// Refused while the folder is locked (Herald serves it).
	unlock, err := sqlite.LockDir(f.dataDir)
	if err != nil {
		t.Fatal(err)
	}
	r = runCLI(t, f.env, "", "restore", backup)
	if r.code != 1 || !strings.Contains(r.stderr, "refusing to restore into "+f.dataDir+" while Herald is running there") {
		t.Fatalf("restore while locked: exit %d, stderr %q", r.code, r.stderr)
	}
	if got := replaced(); len(got) != 0 {
		t.Fatalf("a refused restore moved the database: %v", got)
	}
	if err := unlock(); err != nil {
		t.Fatal(err)
	}

	r = mustRun(t, f.env, "", "restore", backup)
	for _, want := range []string{
		"Checked " + backup + ": SQLite integrity ok, Herald schema version",
		"The key file " + f.keyFile + " opens the sealed credentials of every account in the backup (1)",
		"Kept the database it replaces as " + filepath.Join(f.dataDir, "herald.db.replaced-"),
		"Removed the stale " + stale,
		"Restored " + backup + " to " + filepath.Join(f.dataDir, "herald.db"),
	} {
		if !strings.Contains(r.stdout, want) {
			t.Errorf("restore output lacks %q:\n%s", want, r.stdout)
		}
	}
	if _, err := os.Stat(stale); err == nil {
		t.Error("the stale -shm file is still there")
	}
	if left, _ := filepath.Glob(filepath.Join(f.dataDir, "herald.db.restoring*")); len(left) != 0 {
		t.Errorf("the restore left its working copy: %v", left)
	}
	if left, _ := filepath.Glob(filepath.Join(f.dataDir, "herald.db-*")); len(left) != 0 {
		t.Errorf("side files beside the restored database: %v", left)
	}
	aside := replaced()
	if len(aside) != 1 {
		t.Fatalf("replaced databases kept: %v, want 1", aside)
	}

	// The restored database serves the posts, accounts and credentials of
	// the backup; the one it replaced is intact beside it.
	db, keys := openData(t, f.dataDir, f.keyFile)
	defer db.Close()
	got, err := db.GetPost(ctx, f.ws, f.post.ID)
	if err != nil || got.Text != "before the backup" || len(got.Targets) != 1 || got.Targets[0].State != herald.StateScheduled {
		t.Fatalf("restored post = %+v, %v", got, err)
	}
	if _, err := db.GetPost(ctx, f.ws, later.ID); err == nil {
		t.Error("the restored database has the post written after the backup")
	}
	acct, err := db.GetAccount(ctx, f.ws, f.acct.ID)
	if err != nil || acct.RemoteID != "109" || acct.InstanceURL != "https://one.example" {
		t.Fatalf("restored account = %+v, %v", acct, err)
	}
	creds, err := account.New(db, keys, herald.SystemClock{}, nil).Credentials(ctx, f.ws, f.acct.ID)
	if err != nil || string(creds) != string(f.creds) {
		t.Fatalf("restored credentials = %q, %v; want %q", creds, err, f.creds)
	}
	old, err := sqlite.Open(ctx, aside[0])
	if err != nil {
		t.Fatal(err)
	}
	defer old.Close()
	if p, err := old.GetPost(ctx, f.ws, later.ID); err != nil || p.Text != "after the backup" {
		t.Errorf("the replaced database lost its post: %+v, %v", p, err)
	}
}

func TestRestoreRefusals(t *testing.T) {
	f := newRestoreFixture(t)
	dir := t.TempDir()
	backup := filepath.Join(dir, "backup.db")
	mustRun(t, f.env, "", "backup", backup)
	notDB := filepath.Join(dir, "notes.txt")
	if err := os.WriteFile(notDB, []byte(strings.Repeat("not a database\n", 200)), 0o600); err != nil {
		t.Fatal(err)
	}
	// An SQLite database, but not Herald's.
	other := filepath.Join(dir, "other.db")
	odb, err := sqlite.Open(context.Background(), other)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := odb.WriteDB().Exec("CREATE TABLE notes (body TEXT)"); err != nil {
		t.Fatal(err)
	}
	odb.Close()

	// Another data folder, whose key file is not the backup's.
	strangerEnv := []string{"HERALD_DATA_DIR=" + filepath.Join(t.TempDir(), "stranger")}
	mustRun(t, strangerEnv, "", "migrate")
	if _, err := keyring.Load(filepath.Join(strings.TrimPrefix(strangerEnv[0], "HERALD_DATA_DIR="), "secret.key")); err != nil {
		t.Fatal(err)
	}
	// And one with no key file at all.
	emptyDir := filepath.Join(t.TempDir(), "empty")
	emptyEnv := []string{"HERALD_DATA_DIR=" + emptyDir}

	cases := []struct {
		name    string
		env     []string
		args    []string
		code    int
		wantErr string
	}{
		{"no file", f.env, []string{"restore", filepath.Join(dir, "missing.db")}, 1, "no backup file at"},
		{"a folder", f.env, []string{"restore", dir}, 1, "is not a file"},
		{"not SQLite", f.env, []string{"restore", notDB}, 1, notDB + " is not an SQLite database"},
		{"not Herald's", f.env, []string{"restore", other}, 1, other + " is an SQLite database but not Herald's"},
		{"wrong key file", strangerEnv, []string{"restore", backup}, 1, "opens the sealed credentials of only 0 of the 1 accounts"},
		{"no key file", emptyEnv, []string{"restore", backup}, 1, "there is no key file at " + filepath.Join(emptyDir, "secret.key")},
		{"postgres", []string{"HERALD_DATABASE_URL=postgres://u:secret@db.example/h"}, []string{"restore", backup}, 3, "pg_restore --clean"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			r := runCLI(t, tc.env, "", tc.args...)
			if r.code != tc.code || !strings.Contains(r.stderr, tc.wantErr) {
				t.Fatalf("exit %d (want %d), stderr %q (want %q)", r.code, tc.code, r.stderr, tc.wantErr)
			}
			m, _ := filepath.Glob(filepath.Join(f.dataDir, "herald.db.replaced-*"))
			if len(m) != 0 {
				t.Fatalf("a refused restore replaced the database: %v", m)
			}
		})
	}
	// --ignore-key restores into a new folder anyway, and says what is
	// missing.
	r := mustRun(t, emptyEnv, "", "restore", "--ignore-key", backup)
	if !strings.Contains(r.stdout, "Warning: the backup holds the sealed credentials of 1 accounts, but there is no key file") {
		t.Errorf("restore --ignore-key printed %q", r.stdout)
	}
	if _, err := os.Stat(filepath.Join(emptyDir, "herald.db")); err != nil {
		t.Errorf("restore --ignore-key: %v", err)
	}
}
