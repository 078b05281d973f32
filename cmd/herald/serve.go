package main

import (
	"context"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"os"
	"strings"

	"github.com/alexedwards/scs/v2"

	"github.com/heraldsocial/herald/internal/account"
	"github.com/heraldsocial/herald/internal/api"
	"github.com/heraldsocial/herald/internal/auth"
	"github.com/heraldsocial/herald/internal/campaign"
	"github.com/heraldsocial/herald/internal/config"
	"github.com/heraldsocial/herald/internal/herald"
	"github.com/heraldsocial/herald/internal/keyring"
	"github.com/heraldsocial/herald/internal/label"
	"github.com/heraldsocial/herald/internal/media"
	"github.com/heraldsocial/herald/internal/post"
	"github.com/heraldsocial/herald/internal/server"
	"github.com/heraldsocial/herald/internal/workspace"
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
	keys, err := keyring.Load(cfg.KeyFile)
	if err != nil {
		return err
	}
	st, err := openStore(ctx, cfg, true)
	if err != nil {
		return err
	}
	defer st.Close()

	clock := herald.SystemClock{}
	authSvc := auth.New(st, clock, logger)
	sessions := auth.NewSessionManager(st, cfg.SecureCookies())
	apiHandler, apiRoutes, err := buildAPI(apiDeps{Config: cfg, Store: st, Auth: authSvc, Sessions: sessions,
		Keys: keys, Clock: clock, Logger: logger, Version: version()})
	if err != nil {
		return err
	}
	srv := server.New(cfg, server.Deps{Store: st, Auth: authSvc, Sessions: sessions, API: apiHandler,
		APIRoutes: apiRoutes, Version: version(), Clock: clock}, logger)

	ln, err := net.Listen("tcp", cfg.Addr)
	if err != nil {
		return fmt.Errorf("listen on %s (HERALD_ADDR or --addr): %w", cfg.Addr, err)
	}
	if err := greet(ctx, env, cfg, st, ln.Addr()); err != nil {
		ln.Close()
		return err
	}
	logger.InfoContext(ctx, "herald starting", "version", version(), "database", st.Dialect(),
		"data_dir", cfg.DataDir, "base_url", cfg.BaseURL)
	return srv.Run(ctx, ln)
}

// greet tells the person who started Herald where it is and, when nobody
// can sign in yet, how to create the first owner.
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
		var cmd strings.Builder
		cmd.WriteString(commandName(env.Argv0))
		cmd.WriteString(" user create --email you@example.com --name 'Your Name' --workspace 'My brand' --time-zone UTC")
		if cfg.Driver() == config.DriverSQLite && cfg.DataDir != config.DefaultDataDir {
			fmt.Fprintf(&cmd, " --data-dir '%s'", strings.ReplaceAll(cfg.DataDir, "'", `'\''`))
		}
		fmt.Fprintf(env.Stderr, "There is no user yet. Create the first owner (you will be asked for a password) with:\n\n    %s\n", cmd.String())
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

// apiDeps is everything the REST API may need.
type apiDeps struct {
	Config   config.Config
	Store    herald.Store
	Auth     *auth.Service
	Sessions *scs.SessionManager
	Keys     *keyring.Keyring
	Clock    herald.Clock
	Logger   *slog.Logger
	Version  string
}

// buildAPI builds the REST API handler and lists its route patterns
// ("GET /api/v1/…") for metrics.
func buildAPI(d apiDeps) (http.Handler, []string, error) {
	storage, err := media.NewDiskStorage(d.Config.MediaDir)
	if err != nil {
		return nil, nil, fmt.Errorf("media folder %s (HERALD_MEDIA_DIR): %w", d.Config.MediaDir, err)
	}
	a := api.New(api.Deps{
		Auth:       d.Auth,
		Sessions:   d.Sessions,
		Workspaces: workspace.New(d.Store, d.Clock, d.Logger),
		Labels:     label.New(d.Store, d.Clock, d.Logger),
		Campaigns:  campaign.New(d.Store, d.Clock, d.Logger),
		Posts:      post.New(d.Store, d.Clock, d.Logger),
		Accounts:   account.New(d.Store, d.Keys, d.Clock, d.Logger),
		Media:      media.New(d.Store, storage, d.Config.MediaMaxBytes, d.Clock, d.Logger),
		Logger:     d.Logger,
		Version:    d.Version,
	})
	routes := make([]string, 0, len(a.Routes()))
	for _, r := range a.Routes() {
		routes = append(routes, r.Method+" "+r.Path)
	}
	return a, routes, nil
}
