// Package server is Herald's HTTP server: the middleware every request goes
// through (recovery, request ids, access log, metrics, sessions,
// authentication, cross-origin protection), the operational endpoints
// (/healthz, /readyz, /metrics), the mounting of the API, and graceful
// shutdown.
package server

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"html/template"
	"log/slog"
	"maps"
	"net"
	"net/http"
	"net/netip"
	"net/url"
	"slices"
	"time"

	"github.com/alexedwards/scs/v2"
	"github.com/prometheus/client_golang/prometheus"

	"github.com/heraldsocial/herald/internal/auth"
	"github.com/heraldsocial/herald/internal/config"
	"github.com/heraldsocial/herald/internal/herald"
)

// Timeouts of the HTTP server and its checks.
const (
	readHeaderTimeout = 10 * time.Second
	idleTimeout       = 2 * time.Minute
	readyTimeout      = 3 * time.Second
)

// Deps are what the server serves and checks.
type Deps struct {
	// Store is the database; /readyz checks it. When it implements
	// StatsReporter, /metrics shows its connection pool. (Expired sessions
	// are swept by the sweep_sessions background job, internal/jobs.)
	Store herald.Store
	// Auth authenticates requests (API tokens and sessions).
	Auth *auth.Service
	// Sessions is the browser session manager (see auth.NewSessionManager).
	Sessions *scs.SessionManager
	// API serves everything under /api/ and sees the full path.
	API http.Handler
	// APIRoutes are the API's route patterns ("GET /api/v1/workspaces/{workspace}"),
	// used to label metrics and access logs by route instead of raw path.
	APIRoutes []string
	// Web serves the web interface: every path that is not the API's or
	// an operational endpoint. Without it, / is a small page pointing to
	// the API.
	Web http.Handler
	// Links serves the tracked short links and the conversion pixel under
	// /l/, outside the session and authentication middleware; nil: none.
	Links http.Handler
	// Version is Herald's version, shown on the home page.
	Version string
	// Clock tells the time; nil means the system clock.
	Clock herald.Clock
	// Collectors are more metrics for /metrics (the dispatcher's, …).
	Collectors []prometheus.Collector
	// Checks are more readiness checks for /readyz, by name: a non-nil
	// error makes Herald not ready (e.g. the publishing dispatcher is stuck).
	Checks map[string]func(context.Context) error
}

// StatsReporter is implemented by stores that can report their connection
// pool (database/sql's own statistics, or a pool's translated into them).
type StatsReporter interface {
	Stats() sql.DBStats
}

// Server is Herald's HTTP server.
type Server struct {
	cfg     config.Config
	d       Deps
	logger  *slog.Logger
	mux     *http.ServeMux
	labels  *http.ServeMux // API route patterns only, to name routes
	metrics *metrics
	handler http.Handler
	// proxies are the trusted reverse proxies (HERALD_TRUSTED_PROXIES);
	// anonBody and authBody the deadlines for request bodies (limits.go).
	proxies            []netip.Prefix
	anonBody, authBody time.Duration
}

// New builds the server. It sets the session manager's error handler so
// session store failures are logged and answered with Herald's error body.
func New(cfg config.Config, d Deps, logger *slog.Logger) *Server {
	if d.Clock == nil {
		d.Clock = herald.SystemClock{}
	}
	logger = WithRequestIDLogging(logger)
	s := &Server{cfg: cfg, d: d, logger: logger, mux: http.NewServeMux(), labels: http.NewServeMux(),
		anonBody: anonBodyTimeout, authBody: authBodyTimeout}
	proxies, err := cfg.ProxyPrefixes()
	if err != nil {
		// config.Validate refuses this first; a server built without it trusts no proxy.
		logger.Warn("trusted proxies not usable: forwarded addresses are ignored", "error", err)
	}
	s.proxies = proxies
	s.metrics = newMetrics(d.Store)
	s.metrics.reg.MustRegister(d.Collectors...)
	s.routes()
	d.Sessions.ErrorFunc = func(w http.ResponseWriter, r *http.Request, err error) {
		s.logger.ErrorContext(r.Context(), "session store", "error", err)
		writeError(w, http.StatusInternalServerError, herald.ErrInternal)
	}
	s.handler = s.chain()
	return s
}

// Handler returns the server's handler with every middleware.
func (s *Server) Handler() http.Handler { return s.handler }

func (s *Server) routes() {
	s.mux.HandleFunc("GET /healthz", s.healthz)
	s.mux.HandleFunc("GET /readyz", s.readyz)
	s.mux.Handle("GET /metrics", s.metrics.handler())
	if s.d.Web != nil {
		s.mux.Handle("/", s.d.Web)
	} else {
		s.mux.HandleFunc("GET /{$}", s.home)
	}
	if s.d.API != nil {
		s.mux.Handle("/api/", s.d.API)
	}
	if s.d.Web != nil {
		// The API's documentation page is the web interface's: it serves
		// the viewer's files with its other static files.
		s.mux.Handle("GET /api/docs", s.d.Web)
	}
	noop := http.HandlerFunc(func(http.ResponseWriter, *http.Request) {})
	seen := map[string]bool{}
	for _, p := range s.d.APIRoutes {
		if seen[p] {
			continue
		}
		seen[p] = true
		if err := handleSafely(s.labels, p, noop); err != nil {
			s.logger.Warn("API route pattern not usable as a metrics label", "pattern", p, "error", err)
		}
	}
}

// handleSafely registers pattern, turning ServeMux's panic on a bad or
// conflicting pattern into an error.
func handleSafely(mux *http.ServeMux, pattern string, h http.Handler) (err error) {
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("%v", r)
		}
	}()
	mux.Handle(pattern, h)
	return nil
}

// route names the route r matches: its pattern, or "unmatched".
func (s *Server) route(r *http.Request) string {
	_, pattern := s.mux.Handler(r)
	if pattern == "/api/" {
		_, pattern = s.labels.Handler(r)
	}
	if pattern == "" || pattern == "/api/" {
		return "unmatched"
	}
	return pattern
}

func (s *Server) healthz(w http.ResponseWriter, r *http.Request) {
	writeJSON(w, http.StatusOK, map[string]string{"status": "ok"})
}

func (s *Server) readyz(w http.ResponseWriter, r *http.Request) {
	ctx, cancel := context.WithTimeout(r.Context(), readyTimeout)
	defer cancel()
	unavailable := func(reason string, err error) {
		s.logger.WarnContext(ctx, "not ready", "reason", reason, "error", err)
		writeJSON(w, http.StatusServiceUnavailable, map[string]string{"status": "unavailable", "reason": reason})
	}
	if err := s.d.Store.Ping(ctx); err != nil {
		unavailable("the database is not answering", err)
		return
	}
	current, err := s.d.Store.MigrationsCurrent(ctx)
	if err != nil {
		unavailable("the database migration state cannot be read", err)
		return
	}
	if !current {
		unavailable("the database is not migrated: run herald migrate", nil)
		return
	}
	for _, name := range slices.Sorted(maps.Keys(s.d.Checks)) {
		if err := s.d.Checks[name](ctx); err != nil {
			unavailable(name+": "+err.Error(), err)
			return
		}
	}
	writeJSON(w, http.StatusOK, map[string]string{"status": "ok"})
}

var homePage = template.Must(template.New("home").Parse(`<!doctype html>
<html lang="en">
<head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>Herald</title>
<style>body{font:16px/1.5 system-ui,sans-serif;max-width:40rem;margin:4rem auto;padding:0 1rem;color:#111}code{background:#f3f4f6;padding:0 .25rem}</style>
</head>
<body>
<h1>Herald</h1>
<p>Self-hosted social media management, version <code>{{.Version}}</code>.</p>
<p>The web interface is on its way. Meanwhile, use the REST API (its <a href="/api/openapi.json">OpenAPI document</a>).</p>
</body>
</html>
`))

func (s *Server) home(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Content-Security-Policy", "default-src 'none'; style-src 'unsafe-inline'")
	version := s.d.Version
	if version == "" {
		version = "unknown"
	}
	if err := homePage.Execute(w, struct{ Version string }{version}); err != nil {
		s.logger.WarnContext(r.Context(), "write home page", "error", err)
	}
}

// Run serves on ln until ctx is done, then shuts down gracefully, waiting
// at most the configured shutdown timeout for requests in flight.
func (s *Server) Run(ctx context.Context, ln net.Listener) error {
	srv := &http.Server{
		Handler:           s.handler,
		ReadHeaderTimeout: readHeaderTimeout,
		IdleTimeout:       idleTimeout,
		ErrorLog:          slog.NewLogLogger(s.logger.Handler(), slog.LevelWarn),
		BaseContext:       func(net.Listener) context.Context { return context.WithoutCancel(ctx) },
	}
	if c, ok := s.d.Web.(StreamCloser); ok {
		srv.RegisterOnShutdown(c.CloseStreams)
	}
	served := make(chan error, 1)
	go func() { served <- srv.Serve(ln) }()
	s.logger.InfoContext(ctx, "listening", "addr", ln.Addr().String())

	select {
	case err := <-served:
		return fmt.Errorf("server: serve: %w", err)
	case <-ctx.Done():
	}
	s.logger.Info("shutting down", "timeout", s.cfg.ShutdownTimeout.String())
	shutCtx, cancel := context.WithTimeout(context.Background(), s.cfg.ShutdownTimeout)
	defer cancel()
	if err := srv.Shutdown(shutCtx); err != nil {
		closeErr := srv.Close()
		return fmt.Errorf("server: requests still running after %s: %w", s.cfg.ShutdownTimeout, errors.Join(err, closeErr))
	}
	if err := <-served; err != nil && !errors.Is(err, http.ErrServerClosed) {
		return fmt.Errorf("server: serve: %w", err)
	}
	s.logger.Info("stopped")
	return nil
}

// trustedOrigin returns the scheme://host of a base URL, for cross-origin
// protection behind proxies that rewrite Host.
func trustedOrigin(baseURL string) (string, bool) {
	u, err := url.Parse(baseURL)
	if err != nil || u.Scheme == "" || u.Host == "" {
		return "", false
	}
	return u.Scheme + "://" + u.Host, true
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}

// errorBody is Herald's one error body.
type errorBody struct {
	Error errorPayload `json:"error"`
}

type errorPayload struct {
	Code    herald.Code           `json:"code"`
	Message string                `json:"message"`
	Details []herald.FieldProblem `json:"details"`
}

func writeError(w http.ResponseWriter, status int, e *herald.Error) {
	details := e.Details
	if details == nil {
		details = []herald.FieldProblem{}
	}
	writeJSON(w, status, errorBody{Error: errorPayload{Code: e.Code, Message: e.Message, Details: details}})
}
