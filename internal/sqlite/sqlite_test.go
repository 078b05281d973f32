package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/heraldsocial/herald/internal/herald"
	"github.com/heraldsocial/herald/internal/storetest"
)

// mustOpen opens and migrates a database in a fresh temp folder.
func mustOpen(t *testing.T, path string) *DB {
	t.Helper()
	db, err := Open(t.Context(), path)
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	t.Cleanup(func() {
		if err := db.Close(); err != nil {
			t.Errorf("Close: %v", err)
		}
	})
	if err := db.Migrate(t.Context()); err != nil {
		t.Fatalf("Migrate: %v", err)
	}
	return db
}

func TestConformance(t *testing.T) {
	storetest.Run(t, func(t *testing.T) herald.Store {
		return mustOpen(t, filepath.Join(t.TempDir(), "herald.db"))
	})
}

func TestOpenCreatesFolderAndMigrates(t *testing.T) {
	ctx := t.Context()
	path := filepath.Join(t.TempDir(), "nested", "deeper", "herald.db")
	db, err := Open(ctx, path)
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	defer db.Close()
	ok, err := db.MigrationsCurrent(ctx)
	if err != nil {
		t.Fatalf("MigrationsCurrent: %v", err)
	}
	if ok {
		t.Fatal("MigrationsCurrent() = true before Migrate")
	}
	if err := db.Migrate(ctx); err != nil {
		t.Fatalf("Migrate: %v", err)
	}
	if err := db.Migrate(ctx); err != nil {
		t.Fatalf("Migrate again: %v", err)
	}
	ok, err = db.MigrationsCurrent(ctx)
	if err != nil || !ok {
		t.Fatalf("MigrationsCurrent() = %v, %v after Migrate", ok, err)
	}
	if db.Dialect() != "sqlite" {
		t.Fatalf("Dialect() = %q", db.Dialect())
	}
}

func TestOpenRefusesBadPath(t *testing.T) {
	for _, p := range []string{"", "db.sqlite?mode=memory", "a#b"} {
		_, err := Open(t.Context(), p)
		if herald.ErrorCode(err) != herald.CodeInvalid {
			t.Errorf("Open(%q) = %v, want an invalid error", p, err)
		}
	}
}

func TestPragmas(t *testing.T) {
	db := mustOpen(t, filepath.Join(t.TempDir(), "herald.db"))
	ctx := t.Context()
	cases := []struct {
		name string
		conn interface {
			QueryRowContext(ctx context.Context, q string, args ...any) *sql.Row
		}
		pragma string
		want   string
	}{
		{"write", db.write, "journal_mode", "wal"},
		{"write", db.write, "foreign_keys", "1"},
		{"write", db.write, "synchronous", "2"},
		{"write", db.write, "busy_timeout", "5000"},
		{"read", db.read, "journal_mode", "wal"},
		{"read", db.read, "foreign_keys", "1"},
		{"read", db.read, "query_only", "1"},
		{"read", db.read, "busy_timeout", "5000"},
	}
	for _, c := range cases {
		var got string
		if err := c.conn.QueryRowContext(ctx, "PRAGMA "+c.pragma).Scan(&got); err != nil {
			t.Fatalf("%s PRAGMA %s: %v", c.name, c.pragma, err)
		}
		if !strings.EqualFold(got, c.want) {
			t.Errorf("%s connection: %s = %q, want %q", c.name, c.pragma, got, c.want)
		}
	}
	if _, err := db.read.ExecContext(ctx, "DELETE FROM sessions"); err == nil {
		t.Error("the read pool accepted a write")
	}
}

func TestBackup(t *testing.T) {
	ctx := t.Context()
	dir := t.TempDir()
	db := mustOpen(t, filepath.Join(dir, "herald.db"))
	w := herald.Workspace{Name: "Backed up", TimeZone: "Europe/Paris"}
	if err := db.CreateWorkspace(ctx, &w); err != nil {
		t.Fatalf("CreateWorkspace: %v", err)
	}
	dest := filepath.Join(dir, "backups", "copy.db")
	if err := db.Backup(ctx, dest); err != nil {
		t.Fatalf("Backup: %v", err)
	}
	// It holds sessions and sealed credentials: its owner's only.
	if fi, err := os.Stat(dest); err != nil {
		t.Fatal(err)
	} else if fi.Mode().Perm() != 0o600 {
		t.Fatalf("backup file mode = %v, want 0600", fi.Mode().Perm())
	}
	err := db.Backup(ctx, dest)
	if !errors.Is(err, herald.ErrConflict) || !strings.Contains(err.Error(), "already exists") {
		t.Fatalf("Backup over an existing file = %v, want a conflict saying it exists", err)
	}

	cp := mustOpen(t, dest)
	ok, err := cp.MigrationsCurrent(ctx)
	if err != nil || !ok {
		t.Fatalf("copy MigrationsCurrent = %v, %v", ok, err)
	}
	got, err := cp.GetWorkspace(ctx, w.ID)
	if err != nil {
		t.Fatalf("GetWorkspace in the copy: %v", err)
	}
	if got.Name != "Backed up" {
		t.Fatalf("copy holds %q", got.Name)
	}
	// The copy is independent of the original.
	if err := db.DeleteWorkspace(ctx, w.ID); err != nil {
		t.Fatalf("DeleteWorkspace: %v", err)
	}
	if _, err := cp.GetWorkspace(ctx, w.ID); err != nil {
		t.Fatalf("copy lost the workspace: %v", err)
	}
}

// TestConcurrentWriters writes from many goroutines at once, mixing plain
// writes, transactions and reads: none may see "database is locked".
func TestConcurrentWriters(t *testing.T) {
	db := mustOpen(t, filepath.Join(t.TempDir(), "herald.db"))
	ctx := t.Context()
	w := herald.Workspace{Name: "Busy", TimeZone: "UTC"}
	if err := db.CreateWorkspace(ctx, &w); err != nil {
		t.Fatalf("CreateWorkspace: %v", err)
	}
	const workers, each = 8, 25
	errs := make(chan error, workers*each)
	var wg sync.WaitGroup
	for i := range workers {
		wg.Go(func() {
			for j := range each {
				name := fmt.Sprintf("label %d-%d", i, j)
				var err error
				switch j % 3 {
				case 0:
					l := herald.Label{WorkspaceID: w.ID, Name: name, Color: "#000000"}
					err = db.CreateLabel(ctx, &l)
				case 1:
					err = db.InTx(ctx, func(tx herald.Tx) error {
						l := herald.Label{WorkspaceID: w.ID, Name: name, Color: "#000000"}
						if err := tx.CreateLabel(ctx, &l); err != nil {
							return err
						}
						_, err := tx.ListLabels(ctx, w.ID)
						return err
					})
				default:
					if err = db.CommitSession(ctx, name, []byte("x"), herald.SystemClock{}.Now().Add(3600e9)); err == nil {
						_, err = db.ListLabels(ctx, w.ID)
					}
				}
				if err != nil {
					errs <- fmt.Errorf("worker %d step %d: %w", i, j, err)
				}
			}
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
	labels, err := db.ListLabels(ctx, w.ID)
	if err != nil {
		t.Fatalf("ListLabels: %v", err)
	}
	want := 0
	for j := range each {
		if j%3 != 2 {
			want++
		}
	}
	if len(labels) != workers*want {
		t.Fatalf("%d labels stored, want %d", len(labels), workers*want)
	}
}

// TestStepInsideTxIsAtomic checks that a multi-statement method failing
// inside a transaction leaves nothing half-done for the caller to commit.
func TestStepInsideTxIsAtomic(t *testing.T) {
	db := mustOpen(t, filepath.Join(t.TempDir(), "herald.db"))
	ctx := t.Context()
	var wsID int64
	err := db.InTx(ctx, func(tx herald.Tx) error {
		w := herald.Workspace{Name: "W", TimeZone: "UTC"}
		if err := tx.CreateWorkspace(ctx, &w); err != nil {
			return err
		}
		wsID = w.ID
		u := herald.User{Email: "a@example.com", Name: "A"}
		if err := tx.CreateUser(ctx, &u); err != nil {
			return err
		}
		a := herald.Account{WorkspaceID: w.ID, Platform: herald.PlatformFake, RemoteID: "1", Handle: "h", Status: herald.AccountConnected}
		if err := tx.CreateAccount(ctx, &a); err != nil {
			return err
		}
		// The second target repeats the account: the post row and first
		// target are written before the clash.
		p := herald.Post{WorkspaceID: w.ID, AuthorID: u.ID, Text: "x",
			Targets: []herald.Target{{AccountID: a.ID}, {AccountID: a.ID}}}
		if err := tx.CreatePost(ctx, &p); !errors.Is(err, herald.ErrConflict) {
			t.Errorf("CreatePost with a repeated account = %v, want conflict", err)
		}
		return nil // commit what succeeded
	})
	if err != nil {
		t.Fatalf("InTx: %v", err)
	}
	posts, _, err := db.ListPosts(ctx, herald.PostFilter{WorkspaceID: wsID})
	if err != nil {
		t.Fatalf("ListPosts: %v", err)
	}
	if len(posts) != 0 {
		t.Fatalf("a failed CreatePost left %d posts behind", len(posts))
	}
}
