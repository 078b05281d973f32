// Command herald is Herald's one binary: the web server and the
// administration commands (migrate, user, token, backup, restore, version).
package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"path/filepath"
	"runtime/debug"
	"strings"
	"syscall"
	_ "time/tzdata" // time zones work on machines without a tz database

	"github.com/alecthomas/kong"

	"github.com/heraldsocial/herald/internal/connector/fake/fakeserver"
	"github.com/heraldsocial/herald/internal/herald"
)

// CLI is the command line.
type CLI struct {
	Serve   ServeCmd   `cmd:"" help:"Run the web server (migrating the database first)."`
	Migrate MigrateCmd `cmd:"" help:"Apply database migrations and exit."`
	User    struct {
		Create UserCreateCmd `cmd:"" help:"Create a person who can sign in, optionally with a first workspace they own."`
	} `cmd:"" help:"Manage people."`
	Token struct {
		Create TokenCreateCmd `cmd:"" help:"Create an API token for a member of a workspace."`
	} `cmd:"" help:"Manage API tokens."`
	Publishing PublishingCmd `cmd:"" help:"Pause, resume or check publishing for the whole installation."`
	Backup     BackupCmd     `cmd:"" help:"Copy the SQLite database to FILE, consistently, while Herald runs."`
	Restore    RestoreCmd    `cmd:"" help:"Put a SQLite backup made by herald backup in place of the database (Herald must be stopped)."`
	Version    VersionCmd    `cmd:"" help:"Print Herald's version."`
	Bench      BenchCmd      `cmd:"" help:"Benchmarks: herald bench publish."`
	Dev        DevCmd        `cmd:"" help:"Developer tools: herald dev fake-platform."`
}

// Env is what commands get from the process: kept apart from os so tests
// can run commands in-process.
type Env struct {
	Ctx     context.Context
	Argv0   string
	Environ []string
	Stdin   io.Reader
	Stdout  io.Writer
	Stderr  io.Writer
}

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := run(ctx, os.Args, os.Environ(), os.Stdin, os.Stdout, os.Stderr)
	stop()
	os.Exit(code)
}

// run parses args (args[0] is the program name) and runs the command,
// returning the exit status.
func run(ctx context.Context, args, environ []string, stdin io.Reader, stdout, stderr io.Writer) int {
	var cli CLI
	exitCode := -1
	parser, err := kong.New(&cli,
		kong.Name("herald"),
		kong.Description("Herald: self-hosted social media management.\n\nConfiguration comes from HERALD_* environment variables (HERALD_ADDR, HERALD_DATA_DIR, HERALD_DATABASE_URL, HERALD_BASE_URL, HERALD_KEY_FILE, HERALD_MEDIA_DIR, HERALD_MEDIA_MAX_BYTES, HERALD_LOG_LEVEL, HERALD_LOG_FORMAT, HERALD_SHUTDOWN_TIMEOUT, HERALD_NOTIFY_WEBHOOK_URL, HERALD_INSTANCE_ID, HERALD_PUBLISH_*, HERALD_X_CLIENT_ID, HERALD_X_CLIENT_SECRET, HERALD_META_APP_ID, HERALD_META_APP_SECRET, HERALD_TEST_PLATFORM, HERALD_ALLOW_PRIVATE_NETWORKS); flags override them. See the README for each."),
		kong.UsageOnError(),
		kong.Vars{"fake_platform_addr": fakeserver.DefaultAddr},
		kong.Writers(stdout, stderr),
		kong.Exit(func(c int) { exitCode = c }),
	)
	if err != nil {
		fmt.Fprintf(stderr, "herald: %v\n", err)
		return 2
	}
	kctx, err := parser.Parse(args[1:])
	if exitCode >= 0 { // --help and the like
		return exitCode
	}
	if err != nil {
		fmt.Fprintf(stderr, "herald: %v\n", err)
		return 2
	}
	env := &Env{Ctx: ctx, Argv0: args[0], Environ: environ, Stdin: stdin, Stdout: stdout, Stderr: stderr}
	if err := kctx.Run(env); err != nil {
		fmt.Fprintf(stderr, "herald: %s\n", describe(err))
		var ec exitCoder
		if errors.As(err, &ec) {
			return ec.ExitCode()
		}
		return 1
	}
	return 0
}

// exitCoder is an error that asks for a particular exit status.
type exitCoder interface{ ExitCode() int }

// describe renders an error for a person: a Herald error's safe message
// and field problems, or the error's text.
func describe(err error) string {
	var he *herald.Error
	if errors.As(err, &he) && he.Code != herald.CodeInternal {
		var b strings.Builder
		b.WriteString(he.Message)
		for _, d := range he.Details {
			fmt.Fprintf(&b, "\n  %s: %s", d.Field, d.Problem)
		}
		return b.String()
	}
	return err.Error()
}

// VersionCmd prints the version.
type VersionCmd struct{}

// Run prints the version.
func (c *VersionCmd) Run(env *Env) error {
	_, err := fmt.Fprintf(env.Stdout, "herald %s\n", version())
	return err
}

// version returns the module version stamped by the Go tool (a release tag,
// or a pseudo-version from the commit), with the VCS revision if known.
func version() string {
	info, ok := debug.ReadBuildInfo()
	if !ok {
		return "unknown"
	}
	v := info.Main.Version
	if v == "" || v == "(devel)" {
		v = "devel"
		for _, s := range info.Settings {
			if s.Key == "vcs.revision" && len(s.Value) >= 12 {
				v += "-" + s.Value[:12]
			}
		}
	}
	return v
}

// commandName is how to call this binary in printed advice.
func commandName(argv0 string) string {
	if argv0 == "" || filepath.Base(argv0) == argv0 {
		return "herald"
	}
	// Under `go run`, the binary lives in a temporary build folder that is
	// gone once it exits: show the command that works instead.
	if strings.Contains(filepath.ToSlash(argv0), "/go-build") {
		return "go run ./cmd/herald"
	}
	return argv0
}
