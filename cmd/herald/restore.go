package main

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"time"

	"github.com/heraldsocial/herald/internal/config"
	"github.com/heraldsocial/herald/internal/herald"
	"github.com/heraldsocial/herald/internal/keyring"
	"github.com/heraldsocial/herald/internal/sqlite"
)

// RestoreCmd puts a SQLite backup in place of the data folder's database.
type RestoreCmd struct {
	File      string `arg:"" name:"file" help:"The backup herald backup wrote." type:"path"`
	IgnoreKey bool   `name:"ignore-key" help:"Restore even if the key file cannot open the account credentials in the backup (those accounts must then be reconnected)."`
	DBFlags
}

// Run restores the backup: refused while Herald serves the data folder,
// and only once the backup is known to be a sound Herald database whose
// credentials the key file opens.
func (c *RestoreCmd) Run(env *Env) error {
	cfg, err := config.LoadWith(env.Environ, c.overrides())
	if err != nil {
		return err
	}
	if cfg.Driver() == config.DriverPostgres {
		return exitError{code: 3, msg: fmt.Sprintf("herald restore restores SQLite backups only; restore a pg_dump file into PostgreSQL with pg_restore:\n\n    pg_restore --clean --if-exists --dbname=\"$HERALD_DATABASE_URL\" %s", c.File)}
	}
	if fi, err := os.Stat(c.File); err != nil {
		return fmt.Errorf("no backup file at %s: %w", c.File, err)
	} else if !fi.Mode().IsRegular() {
		return fmt.Errorf("%s is not a file: give the backup file herald backup wrote", c.File)
	}
	if err := os.MkdirAll(cfg.DataDir, 0o700); err != nil {
		return fmt.Errorf("create data folder %s: %w", cfg.DataDir, err)
	}
	// The lock is the running server's: holding it keeps one from starting
	// on a half-restored folder, and failing to get it means one runs.
	unlock, err := sqlite.LockDir(cfg.DataDir)
	if errors.Is(err, sqlite.ErrInUse) {
		return fmt.Errorf("refusing to restore into %s while Herald is running there: %w, then run herald restore again", cfg.DataDir, err)
	}
	if err != nil {
		return fmt.Errorf("lock the data folder: %w", err)
	}
	defer func() { _ = unlock() }()

	var keyNote string
	check := func(db *sqlite.DB) error {
		var err error
		keyNote, err = checkKeyFile(env, db, cfg.KeyFile, c.IgnoreKey)
		return err
	}
	rep, err := sqlite.Restore(env.Ctx, c.File, cfg.SQLitePath(), time.Now(), check)
	if err != nil {
		return err
	}
	migrated := ""
	if rep.To != rep.From {
		migrated = fmt.Sprintf(", migrated to %d", rep.To)
	}
	fmt.Fprintf(env.Stdout, "Checked %s: SQLite integrity ok, Herald schema version %d%s.\n", c.File, rep.From, migrated)
	fmt.Fprintln(env.Stdout, keyNote)
	if rep.Replaced != "" {
		fmt.Fprintf(env.Stdout, "Kept the database it replaces as %s.\n", rep.Replaced)
	}
	for _, p := range rep.Moved {
		fmt.Fprintf(env.Stdout, "Moved its side file aside: %s.\n", p)
	}
	for _, p := range rep.Removed {
		fmt.Fprintf(env.Stdout, "Removed the stale %s.\n", p)
	}
	fmt.Fprintf(env.Stdout, "Restored %s to %s. Start Herald again with: %s serve\n", c.File, cfg.SQLitePath(), commandName(env.Argv0))
	return nil
}

// checkKeyFile checks that the key file opens the sealed credentials in the
// restored database and returns a sentence saying so. Without the key file
// the backup was made with, every account must be reconnected: unless
// ignore is set, that refuses the restore.
func checkKeyFile(env *Env, db *sqlite.DB, keyFile string, ignore bool) (string, error) {
	accts, err := db.SealedAccounts(env.Ctx)
	if err != nil {
		return "", err
	}
	if len(accts) == 0 {
		return "The backup holds no account credentials, so it needs no key file.", nil
	}
	unless := "; or pass --ignore-key to restore without them (those accounts must then be reconnected)"
	if _, err := os.Stat(keyFile); errors.Is(err, fs.ErrNotExist) {
		msg := fmt.Sprintf("the backup holds the sealed credentials of %d accounts, but there is no key file at %s: copy the key file kept with the backup there (or point HERALD_KEY_FILE at it) and run herald restore again", len(accts), keyFile)
		if !ignore {
			return "", &herald.Error{Code: herald.CodeInvalid, Message: msg + unless}
		}
		return "Warning: " + msg + ".", nil
	} else if err != nil {
		return "", fmt.Errorf("check the key file: %w", err)
	}
	keys, err := keyring.Load(keyFile)
	if err != nil {
		return "", err
	}
	opened := 0
	for _, a := range accts {
		if _, err := keys.Open(a.Credentials, a.CredentialsAAD()); err == nil {
			opened++
		}
	}
	if opened == len(accts) {
		return fmt.Sprintf("The key file %s opens the sealed credentials of every account in the backup (%d); keep it with the backup.", keyFile, len(accts)), nil
	}
	msg := fmt.Sprintf("the key file %s opens the sealed credentials of only %d of the %d accounts in the backup: put the key file kept with the backup there (or point HERALD_KEY_FILE at it) and run herald restore again", keyFile, opened, len(accts))
	if !ignore {
		return "", &herald.Error{Code: herald.CodeInvalid, Message: msg + unless}
	}
	return "Warning: " + msg + ".", nil
}
