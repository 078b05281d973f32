package main

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"strings"
	"time"

	"golang.org/x/term"

	"github.com/heraldsocial/herald/internal/auth"
	"github.com/heraldsocial/herald/internal/config"
	"github.com/heraldsocial/herald/internal/herald"
	"github.com/heraldsocial/herald/internal/sqlite"
	"github.com/heraldsocial/herald/internal/workspace"
)

// adminLogger logs administration commands' events as text on stderr,
// warnings and errors only: their results are printed for people.
func adminLogger(env *Env) *slog.Logger {
	return slog.New(slog.NewTextHandler(env.Stderr, &slog.HandlerOptions{Level: slog.LevelWarn}))
}

// MigrateCmd applies migrations.
type MigrateCmd struct {
	DBFlags
}

// Run migrates the database.
func (c *MigrateCmd) Run(env *Env) error {
	cfg, err := config.LoadWith(env.Environ, c.overrides())
	if err != nil {
		return err
	}
	// A SQLite schema is not changed under a running server.
	unlock, err := lockDataDir(cfg)
	if err != nil {
		return err
	}
	defer unlock()
	st, err := openStore(env.Ctx, cfg, true)
	if err != nil {
		return err
	}
	defer st.Close()
	fmt.Fprintf(env.Stdout, "The %s database is migrated.\n", st.Dialect())
	return nil
}

// UserCreateCmd creates a user, and optionally a first workspace they own.
type UserCreateCmd struct {
	Email         string `name:"email" required:"" help:"The person's e-mail address; they sign in with it."`
	Name          string `name:"name" required:"" help:"The person's name."`
	PasswordStdin bool   `name:"password-stdin" help:"Read the password from the first line of standard input instead of asking."`
	Workspace     string `name:"workspace" help:"Also create a workspace with this name, owned by the new user." placeholder:"NAME"`
	TimeZone      string `name:"time-zone" default:"UTC" help:"The new workspace's IANA time zone, e.g. Europe/Paris." placeholder:"ZONE"`
	DBFlags
}

// Run creates the user.
func (c *UserCreateCmd) Run(env *Env) error {
	cfg, err := config.LoadWith(env.Environ, c.overrides())
	if err != nil {
		return err
	}
	if c.Workspace != "" {
		// Check the workspace before asking for a password or writing anything.
		w := herald.Workspace{Name: c.Workspace, TimeZone: c.TimeZone}
		if err := w.Validate(); err != nil {
			return err
		}
	}
	password, err := c.readPassword(env)
	if err != nil {
		return err
	}
	if err := auth.ValidatePassword(password); err != nil {
		return err
	}
	st, err := openStore(env.Ctx, cfg, true)
	if err != nil {
		return err
	}
	defer st.Close()
	logger := adminLogger(env)
	clock := herald.SystemClock{}
	u, err := auth.New(st, clock, logger).CreateUser(env.Ctx, c.Email, c.Name, password)
	if err != nil {
		return err
	}
	fmt.Fprintf(env.Stdout, "Created user %d <%s>.\n", u.ID, u.Email)
	if c.Workspace == "" {
		return nil
	}
	w, err := workspace.New(st, clock, logger).Create(env.Ctx, u.ID, herald.Workspace{Name: c.Workspace, TimeZone: c.TimeZone})
	if err != nil {
		return fmt.Errorf("the user was created, but not the workspace: %w", err)
	}
	fmt.Fprintf(env.Stdout, "Created workspace %d %q (%s), owned by %s.\n", w.ID, w.Name, w.TimeZone, u.Email)
	return nil
}

func (c *UserCreateCmd) readPassword(env *Env) (string, error) {
	if c.PasswordStdin {
		line, err := bufio.NewReader(env.Stdin).ReadString('\n')
		if err != nil && !errors.Is(err, io.EOF) {
			return "", fmt.Errorf("read the password from standard input: %w", err)
		}
		line = strings.TrimRight(line, "\r\n")
		if line == "" {
			return "", errors.New("standard input is empty: pipe the password in, e.g. printf '%s\\n' \"$PASSWORD\" | herald user create … --password-stdin")
		}
		return line, nil
	}
	f, ok := env.Stdin.(*os.File)
	if !ok || !term.IsTerminal(int(f.Fd())) {
		return "", errors.New("standard input is not a terminal, so the password cannot be asked for: pass --password-stdin and pipe the password in")
	}
	fmt.Fprint(env.Stderr, "Password (at least 10 characters): ")
	first, err := term.ReadPassword(int(f.Fd()))
	fmt.Fprintln(env.Stderr)
	if err != nil {
		return "", fmt.Errorf("read the password: %w", err)
	}
	if err := auth.ValidatePassword(string(first)); err != nil {
		return "", err
	}
	fmt.Fprint(env.Stderr, "Password again: ")
	second, err := term.ReadPassword(int(f.Fd()))
	fmt.Fprintln(env.Stderr)
	if err != nil {
		return "", fmt.Errorf("read the password: %w", err)
	}
	if string(first) != string(second) {
		return "", errors.New("the two passwords differ; nothing was created")
	}
	return string(first), nil
}

// TokenCreateCmd creates an API token.
type TokenCreateCmd struct {
	Email     string        `name:"email" required:"" help:"The member the token acts for."`
	Workspace int64         `name:"workspace" required:"" help:"The workspace id the token works in." placeholder:"ID"`
	Role      string        `name:"role" required:"" help:"The token's role (owner, admin, manager, editor, contributor, analyst, client); at most the member's own."`
	Name      string        `name:"name" required:"" help:"What the token is for, e.g. \"CI publishing\"."`
	ExpiresIn time.Duration `name:"expires-in" help:"Make the token expire after this long, e.g. 2160h for 90 days; by default it does not expire."`
	DBFlags
}

// Run creates the token and prints its secret once.
func (c *TokenCreateCmd) Run(env *Env) error {
	cfg, err := config.LoadWith(env.Environ, c.overrides())
	if err != nil {
		return err
	}
	if c.ExpiresIn < 0 {
		return errors.New("--expires-in must be positive, e.g. 720h")
	}
	st, err := openStore(env.Ctx, cfg, true)
	if err != nil {
		return err
	}
	defer st.Close()
	clock := herald.SystemClock{}
	svc := auth.New(st, clock, adminLogger(env))
	u, err := st.GetUserByEmail(env.Ctx, herald.NormalizeEmail(c.Email))
	if errors.Is(err, herald.ErrNotFound) {
		return fmt.Errorf("no user has the e-mail %s: create one with herald user create", c.Email)
	}
	if err != nil {
		return fmt.Errorf("look up %s: %w", c.Email, err)
	}
	actor, err := svc.Actor(env.Ctx, herald.Principal{UserID: u.ID}, c.Workspace)
	if errors.Is(err, herald.ErrNotFound) {
		return fmt.Errorf("%s is not a member of workspace %d (or it does not exist)", u.Email, c.Workspace)
	}
	if err != nil {
		return err
	}
	var expires *time.Time
	if c.ExpiresIn > 0 {
		at := clock.Now().Add(c.ExpiresIn)
		expires = &at
	}
	secret, tok, err := svc.CreateToken(env.Ctx, actor, c.Name, herald.Role(c.Role), expires)
	if err != nil {
		return err
	}
	fmt.Fprintf(env.Stderr, "Created API token %d %q (%s) in workspace %d for %s.\n", tok.ID, tok.Name, tok.Role, tok.WorkspaceID, u.Email)
	fmt.Fprintln(env.Stderr, "Copy it now: it will not be shown again. Send it as: Authorization: Bearer <token>")
	fmt.Fprintln(env.Stdout, secret)
	return nil
}

// BackupCmd copies the SQLite database.
type BackupCmd struct {
	File string `arg:"" name:"file" help:"Where to write the copy; it must not exist." type:"path"`
	DBFlags
}

// exitError is an error with its own exit status.
type exitError struct {
	code int
	msg  string
}

func (e exitError) Error() string { return e.msg }

// ExitCode returns the exit status.
func (e exitError) ExitCode() int { return e.code }

// Run writes the backup.
func (c *BackupCmd) Run(env *Env) error {
	cfg, err := config.LoadWith(env.Environ, c.overrides())
	if err != nil {
		return err
	}
	if cfg.Driver() == config.DriverPostgres {
		return exitError{code: 3, msg: fmt.Sprintf("herald backup copies SQLite databases only; back PostgreSQL up with pg_dump and the same URL:\n\n    pg_dump --format=custom --file=%s \"$HERALD_DATABASE_URL\"", c.File)}
	}
	if _, err := os.Stat(cfg.SQLitePath()); err != nil {
		return fmt.Errorf("no SQLite database at %s: check HERALD_DATA_DIR or --data-dir: %w", cfg.SQLitePath(), err)
	}
	if _, err := os.Stat(c.File); err == nil {
		return fmt.Errorf("%s already exists: choose a new file name, or remove it first", c.File)
	}
	st, err := openStore(env.Ctx, cfg, false)
	if err != nil {
		return err
	}
	defer st.Close()
	db, ok := st.(*sqlite.DB)
	if !ok {
		return fmt.Errorf("the %s store cannot be backed up by herald backup", st.Dialect())
	}
	if err := db.Backup(env.Ctx, c.File); err != nil {
		return fmt.Errorf("back up to %s: %w", c.File, err)
	}
	fmt.Fprintf(env.Stdout, "Backed up %s to %s.\n", cfg.SQLitePath(), c.File)
	fmt.Fprintf(env.Stdout, "Keep the key file %s with it: the account credentials in the backup open only with that key.\n", cfg.KeyFile)
	return nil
}
