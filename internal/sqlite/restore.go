package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/heraldsocial/herald/internal/herald"
)

// sidecars are the files SQLite keeps beside a database. A -wal or
// -journal file holds part of its database's content; -shm is only an
// index SQLite rebuilds.
var sidecars = []string{"-wal", "-journal", "-shm"}

// RestoreReport says what Restore did, for the person who ran it.
type RestoreReport struct {
	// From is the schema version the backup had, To the one it has now
	// (the restored copy is migrated before it replaces anything).
	From, To int64
	// Replaced is where the database that was in place now is ("" when
	// there was none), with its -wal and -journal files beside it.
	Replaced string
	// Moved and Removed list the SQLite side files moved aside with the
	// replaced database, and the stale ones removed.
	Moved, Removed []string
}

// Restore replaces the database at dest with a copy of the backup src
// (made by Backup). The caller must hold the data folder's lock
// (LockDir): nothing may use dest meanwhile.
//
// Nothing is replaced until the copy has passed CheckBackup, has been
// migrated and has passed check (when not nil), which gets the copy open.
// The database in place is renamed aside with a timestamp
// (dest.replaced-20060102T150405Z), not deleted, with its -wal and
// -journal files; its -shm file is removed.
func Restore(ctx context.Context, src, dest string, now time.Time, check func(*DB) error) (RestoreReport, error) {
	var rep RestoreReport
	tmp := dest + ".restoring"
	if err := removeWithSidecars(tmp); err != nil { // left by an interrupted restore
		return rep, err
	}
	if err := copyFile(src, tmp); err != nil {
		_ = removeWithSidecars(tmp)
		return rep, err
	}
	from, to, err := prepare(ctx, src, tmp, check)
	if err != nil {
		_ = removeWithSidecars(tmp)
		return rep, err
	}
	rep.From, rep.To = from, to

	if _, err := os.Lstat(dest); err == nil {
		base := dest + ".replaced-" + now.UTC().Format("20060102T150405Z")
		rep.Replaced = base
		for i := 2; fileExists(rep.Replaced) || fileExists(rep.Replaced+"-wal") || fileExists(rep.Replaced+"-journal"); i++ {
			rep.Replaced = fmt.Sprintf("%s-%d", base, i)
		}
		if err := os.Rename(dest, rep.Replaced); err != nil {
			_ = removeWithSidecars(tmp)
			return rep, fmt.Errorf("sqlite: restore: move the current database aside: %w", err)
		}
	} else if !errors.Is(err, fs.ErrNotExist) {
		_ = removeWithSidecars(tmp)
		return rep, fmt.Errorf("sqlite: restore: %w", err)
	}
	// A side file left under dest's name would be read as part of the
	// restored database: the -wal or -journal of the replaced one goes
	// with it, anything else is stale.
	for _, suffix := range sidecars {
		side := dest + suffix
		if _, err := os.Lstat(side); errors.Is(err, fs.ErrNotExist) {
			continue
		}
		if rep.Replaced != "" && suffix != "-shm" {
			if err := os.Rename(side, rep.Replaced+suffix); err != nil {
				return rep, fmt.Errorf("sqlite: restore: move %s aside (the database it belongs to is now %s): %w", side, rep.Replaced, err)
			}
			rep.Moved = append(rep.Moved, rep.Replaced+suffix)
			continue
		}
		if err := os.Remove(side); err != nil {
			return rep, fmt.Errorf("sqlite: restore: remove the stale %s: %w", side, err)
		}
		rep.Removed = append(rep.Removed, side)
	}
	if err := os.Rename(tmp, dest); err != nil {
		return rep, fmt.Errorf("sqlite: restore: put the restored database %s in place as %s (the one replaced is %s): %w", tmp, dest, rep.Replaced, err)
	}
	if err := syncDir(filepath.Dir(dest)); err != nil {
		return rep, err
	}
	return rep, nil
}

// prepare checks the copy at tmp of the backup src, migrates it and runs
// check on it; the copy is closed (its WAL checkpointed) when it returns.
func prepare(ctx context.Context, src, tmp string, check func(*DB) error) (from, to int64, err error) {
	from, err = checkBackup(ctx, tmp, src)
	if err != nil {
		return 0, 0, err
	}
	db, err := Open(ctx, tmp)
	if err != nil {
		return 0, 0, err
	}
	defer func() { err = errors.Join(err, db.Close()) }()
	if err := db.Migrate(ctx); err != nil {
		return 0, 0, fmt.Errorf("sqlite: restore: migrate the copy of %s: %w", src, err)
	}
	if to, err = schemaVersion(ctx, db.write); err != nil {
		return 0, 0, err
	}
	if check != nil {
		if err := check(db); err != nil {
			return 0, 0, err
		}
	}
	return from, to, nil
}

// CheckBackup checks that the file at path is a sound Herald SQLite
// database that this Herald can use: SQLite's integrity check passes, it
// has Herald's migration table and tables, and its schema is not newer
// than this Herald's. It returns the schema version. Opening it may
// recover the file's own -wal, so check a copy.
func CheckBackup(ctx context.Context, path string) (int64, error) {
	return checkBackup(ctx, path, path)
}

// checkBackup checks the file at path, naming it name in errors.
func checkBackup(ctx context.Context, path, name string) (int64, error) {
	errNotHerald := func(why string) error {
		return &herald.Error{Code: herald.CodeInvalid, Message: name + " " + why + ": give a file herald backup wrote"}
	}
	conn := sql.OpenDB(&connector{dsn: path + "?_time_format=sqlite", pragmas: []string{"busy_timeout = 5000"}})
	defer conn.Close()
	rows, err := conn.QueryContext(ctx, "PRAGMA integrity_check(5)")
	if err != nil {
		return 0, fmt.Errorf("%w: %w", errNotHerald("is not an SQLite database"), err)
	}
	var problems []string
	for rows.Next() {
		var s string
		if err := rows.Scan(&s); err != nil {
			_ = rows.Close()
			return 0, fmt.Errorf("sqlite: integrity check: %w", err)
		}
		if s != "ok" {
			problems = append(problems, s)
		}
	}
	if err := errors.Join(rows.Err(), rows.Close()); err != nil {
		return 0, fmt.Errorf("%w: %w", errNotHerald("is not an SQLite database"), err)
	}
	if len(problems) > 0 {
		return 0, errNotHerald("is damaged (SQLite's integrity check: " + strings.Join(problems, "; ") + ")")
	}
	var tables int
	if err := conn.QueryRowContext(ctx, `SELECT count(*) FROM sqlite_master WHERE type = 'table'
		AND name IN ('goose_db_version', 'workspaces', 'users', 'accounts', 'posts', 'targets')`).Scan(&tables); err != nil {
		return 0, fmt.Errorf("sqlite: read the schema: %w", err)
	}
	if tables != 6 {
		return 0, errNotHerald("is an SQLite database but not Herald's (it lacks Herald's migration table or tables)")
	}
	version, err := schemaVersion(ctx, conn)
	if err != nil {
		return 0, err
	}
	latest, err := latestVersion()
	if err != nil {
		return 0, err
	}
	switch {
	case version < 1:
		return 0, errNotHerald("is an SQLite database but not Herald's (no migration applied)")
	case version > latest:
		return 0, &herald.Error{Code: herald.CodeInvalid, Message: fmt.Sprintf(
			"%s comes from a newer Herald (schema version %d; this one knows up to %d): restore it with that Herald", name, version, latest)}
	}
	return version, nil
}

// schemaVersion is the highest migration applied to the database.
func schemaVersion(ctx context.Context, q querier) (int64, error) {
	var v int64
	if err := q.QueryRowContext(ctx, "SELECT coalesce(max(version_id), 0) FROM goose_db_version WHERE is_applied").Scan(&v); err != nil {
		return 0, fmt.Errorf("sqlite: read the migration table: %w", err)
	}
	return v, nil
}

// latestVersion is the highest embedded migration.
func latestVersion() (int64, error) {
	names, err := fs.Glob(migrationFiles, "migrations/*.sql")
	if err != nil {
		return 0, fmt.Errorf("sqlite: migrations: %w", err)
	}
	var latest int64
	for _, n := range names {
		num, _, _ := strings.Cut(filepath.Base(n), "_")
		v, err := strconv.ParseInt(num, 10, 64)
		if err != nil {
			return 0, fmt.Errorf("sqlite: migration %s has no version: %w", n, err)
		}
		latest = max(latest, v)
	}
	return latest, nil
}

// SealedAccounts returns every account that holds sealed credentials, of
// every workspace (id, workspace, platform, remote id, credentials), so a
// key file can be checked against a database.
func (db *DB) SealedAccounts(ctx context.Context) ([]herald.Account, error) {
	rows, err := db.read.QueryContext(ctx, `SELECT id, workspace_id, platform, remote_id, credentials_key_id, credentials
		FROM accounts WHERE length(credentials) > 0 ORDER BY id`)
	if err != nil {
		return nil, fmt.Errorf("sqlite: sealed accounts: %w", err)
	}
	defer rows.Close()
	var out []herald.Account
	for rows.Next() {
		var a herald.Account
		if err := rows.Scan(&a.ID, &a.WorkspaceID, &a.Platform, &a.RemoteID, &a.Credentials.KeyID, &a.Credentials.Ciphertext); err != nil {
			return nil, fmt.Errorf("sqlite: sealed accounts: %w", err)
		}
		out = append(out, a)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("sqlite: sealed accounts: %w", err)
	}
	return out, nil
}

// copyFile copies src to a new file dest (mode 0600) and syncs it.
func copyFile(src, dest string) error {
	in, err := os.Open(src)
	if err != nil {
		return fmt.Errorf("sqlite: restore: open the backup: %w", err)
	}
	defer in.Close()
	if fi, err := in.Stat(); err != nil {
		return fmt.Errorf("sqlite: restore: %w", err)
	} else if !fi.Mode().IsRegular() {
		return herald.Errorf(herald.CodeInvalid, "%s is not a file: give the backup file herald backup wrote", src)
	}
	out, err := os.OpenFile(dest, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		return fmt.Errorf("sqlite: restore: %w", err)
	}
	if _, err := io.Copy(out, in); err != nil {
		_ = out.Close()
		return fmt.Errorf("sqlite: restore: copy the backup: %w", err)
	}
	if err := out.Sync(); err != nil {
		_ = out.Close()
		return fmt.Errorf("sqlite: restore: %w", err)
	}
	return out.Close()
}

// removeWithSidecars removes a database file and its side files, if any.
func removeWithSidecars(path string) error {
	for _, p := range []string{path, path + "-wal", path + "-journal", path + "-shm"} {
		if err := os.Remove(p); err != nil && !errors.Is(err, fs.ErrNotExist) {
			return fmt.Errorf("sqlite: restore: remove %s: %w", p, err)
		}
	}
	return nil
}

// fileExists reports whether something is at path.
func fileExists(path string) bool {
	_, err := os.Lstat(path)
	return err == nil
}

// syncDir makes renames in dir durable.
func syncDir(dir string) error {
	d, err := os.Open(dir)
	if err != nil {
		return fmt.Errorf("sqlite: restore: %w", err)
	}
	defer d.Close()
	if err := d.Sync(); err != nil {
		return fmt.Errorf("sqlite: restore: sync %s: %w", dir, err)
	}
	return nil
}
