package main

import (
	"context"
	"fmt"
	"net"
	"os"
	"strings"

	"github.com/heraldsocial/herald/internal/config"
	"github.com/heraldsocial/herald/internal/herald"
	"github.com/heraldsocial/herald/internal/keyring"
	"github.com/heraldsocial/herald/internal/server"
)

// ServeCmd runs the web server.
type ServeCmd struct {
	Addr string `name:"addr" help:"Address to listen on, host:port (overrides HERALD_ADDR)." placeholder:"HOST:PORT"`
	DBFlags
}

// Run serves until interrupted (SIGINT or SIGTERM), then shuts down gracefully.
func (c *ServeCmd) Run(env *Env) error {
	o := c.overrides()
	o.Addr = c.Addr
	cfg, err := config.LoadWith(env.Environ, o)
	if err != nil {
		return err
	}
	logger := server.WithRequestIDLogging(cfg.NewLogger(env.Stderr))
	ctx := env.Ctx

	if err := os.MkdirAll(cfg.DataDir, 0o700); err != nil {
		return fmt.Errorf("create data folder %s: %w", cfg.DataDir, err)
	}
	if err := os.MkdirAll(cfg.MediaDir, 0o700); err != nil {
		return fmt.Errorf("create media folder %s: %w", cfg.MediaDir, err)
	}
	unlock, err := lockDataDir(cfg)
	if err != nil {
		return err
	}
	defer unlock()
	keys, err := keyring.Load(cfg.KeyFile)
	if err != nil {
		return err
	}
	st, err := openStore(ctx, cfg, true)
	if err != nil {
		return err
	}
	defer st.Close()

	// Listen and greet before anything starts that logs, so the greeting
	// (where Herald is, how to set it up) comes before the JSON logs.
	// Connections wait in the listener's queue until the server runs.
	ln, err := net.Listen("tcp", cfg.Addr)
	if err != nil {
		return fmt.Errorf("listen on %s (HERALD_ADDR or --addr): %w", cfg.Addr, err)
	}
	serving := false
	defer func() {
		if !serving {
			ln.Close()
		}
	}()
	if err := greet(ctx, env, cfg, st, ln.Addr()); err != nil {
		return err
	}

	clock := herald.SystemClock{}
	app, err := wire(cfg, st, keys, clock, logger)
	if err != nil {
		return err
	}
	defer app.notifier.Close()
	srv := server.New(cfg, app.serverDeps(), logger)

	// The dispatcher and the job runner start before the listener so that
	// /readyz tells the truth from the first request.
	if err := app.heartbeat.Start(ctx); err != nil {
		return fmt.Errorf("start the instance heartbeat: %w", err)
	}
	defer app.heartbeat.Stop()
	if err := app.dispatcher.Start(ctx); err != nil {
		return fmt.Errorf("start the publishing dispatcher: %w", err)
	}
	defer app.dispatcher.Stop()
	if err := app.jobs.Start(ctx); err != nil {
		return fmt.Errorf("start background jobs: %w", err)
	}
	defer func() {
		stopCtx, cancel := context.WithTimeout(context.WithoutCancel(ctx), cfg.ShutdownTimeout)
		defer cancel()
		if err := app.jobs.Stop(stopCtx); err != nil {
			logger.Warn("stop background jobs", "error", err)
		}
	}()

	app.listen.Start(ctx)
	defer app.listen.Stop()

	// Clicks on tracked links are written every second; what is pending
	// when the server stops is written before Herald exits.
	app.links.Start(ctx)
	defer func() {
		stopCtx, cancel := context.WithTimeout(context.WithoutCancel(ctx), cfg.ShutdownTimeout)
		defer cancel()
		if err := app.links.Close(stopCtx); err != nil {
			logger.Warn("write the last link clicks", "error", err)
		}
	}()

	serving = true
	logger.InfoContext(ctx, "herald starting", "version", version(), "database", st.Dialect(),
		"data_dir", cfg.DataDir, "base_url", cfg.BaseURL)
	return srv.Run(ctx, ln)
}

// greet tells the person who started Herald, in plain words, where it is
// and, when nobody can sign in yet, that the first visit in a browser sets
// it up (or which command creates the first owner instead).
func greet(ctx context.Context, env *Env, cfg config.Config, st herald.Store, addr net.Addr) error {
	url := cfg.BaseURL
	if tcp, ok := addr.(*net.TCPAddr); ok && strings.HasSuffix(cfg.Addr, ":0") {
		url = fmt.Sprintf("http://%s", net.JoinHostPort(browsableHost(tcp.IP), fmt.Sprint(tcp.Port)))
	}
	fmt.Fprintf(env.Stderr, "\nHerald is running at %s\n", url)
	n, err := st.CountUsers(ctx)
	if err != nil {
		return fmt.Errorf("count users: %w", err)
	}
	if n == 0 {
		fmt.Fprintf(env.Stderr, "\nOpen %s in your browser: the first visit sets Herald up (your account and your first workspace).\n", url)
		var cmd strings.Builder
		cmd.WriteString(commandName(env.Argv0))
		cmd.WriteString(" user create --email you@example.com --name 'Your Name' --workspace 'My brand' --time-zone UTC")
		if cfg.Driver() == config.DriverSQLite && cfg.DataDir != config.DefaultDataDir {
			fmt.Fprintf(&cmd, " --data-dir '%s'", strings.ReplaceAll(cfg.DataDir, "'", `'\''`))
		}
		fmt.Fprintf(env.Stderr, "Or, from a terminal, create the first owner (you will be asked for a password) with:\n\n    %s\n", cmd.String())
		if cfg.Driver() == config.DriverPostgres {
			fmt.Fprintln(env.Stderr, "\n(run it with the same HERALD_DATABASE_URL)")
		}
	}
	fmt.Fprintln(env.Stderr)
	return nil
}

func browsableHost(ip net.IP) string {
	if ip == nil || ip.IsUnspecified() {
		return "localhost"
	}
	return ip.String()
}
