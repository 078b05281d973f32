// Package api is Herald's REST API under /api/v1, with its OpenAPI 3.1
// document at /api/openapi.json, built code-first with huma on the standard
// library's ServeMux. Handlers are thin: authenticate, decode, call a
// service, encode. One file per resource.
package api

import (
	"context"
	"github.com/heraldsocial/herald/internal/analytics"
	"github.com/heraldsocial/herald/internal/links"
	"github.com/heraldsocial/herald/internal/listen"
	"github.com/heraldsocial/herald/internal/report"
	"log/slog"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/alexedwards/scs/v2"
	"github.com/danielgtaylor/huma/v2"
	"github.com/danielgtaylor/huma/v2/adapters/humago"

	"github.com/heraldsocial/herald/internal/account"
	"github.com/heraldsocial/herald/internal/auth"
	"github.com/heraldsocial/herald/internal/campaign"
	"github.com/heraldsocial/herald/internal/competitor"
	"github.com/heraldsocial/herald/internal/crisis"
	"github.com/heraldsocial/herald/internal/evergreen"
	"github.com/heraldsocial/herald/internal/feeds"
	"github.com/heraldsocial/herald/internal/herald"
	"github.com/heraldsocial/herald/internal/ical"
	"github.com/heraldsocial/herald/internal/inbox"
	"github.com/heraldsocial/herald/internal/label"
	"github.com/heraldsocial/herald/internal/media"
	"github.com/heraldsocial/herald/internal/notify"
	"github.com/heraldsocial/herald/internal/post"
	"github.com/heraldsocial/herald/internal/postcsv"
	"github.com/heraldsocial/herald/internal/review"
	"github.com/heraldsocial/herald/internal/task"
	"github.com/heraldsocial/herald/internal/template"
	"github.com/heraldsocial/herald/internal/webhook"
	"github.com/heraldsocial/herald/internal/workspace"
)

// Deps are the services the API calls.
type Deps struct {
	Auth       *auth.Service
	Sessions   *scs.SessionManager
	Workspaces *workspace.Service
	Labels     *label.Service
	Campaigns  *campaign.Service
	Posts      *post.Service
	// Inbox keeps the inbox's team features (tags, notes, saved replies, rules).
	Inbox     *inbox.Service
	Accounts  *account.Service
	Media     *media.Service
	Evergreen *evergreen.Service
	Calendar  *ical.Service
	Imports   *postcsv.Service
	// Analytics computes the analytics figures (nil: no analytics routes).
	Analytics *analytics.Service
	// Reports renders PDF reports and keeps scheduled ones (nil: no report
	// routes).
	Reports *report.Service
	// Links keeps tracked links, their settings and conversions (nil: no
	// link routes).
	Links *links.Service
	// Listen keeps listening topics and reads their matches (nil: no
	// listening routes).
	Listen *listen.Service
	// Competitors keeps competitors and compares them (nil: no
	// competitor routes).
	Competitors *competitor.Service
	// Crisis keeps crisis detectors and incidents (nil: no crisis routes).
	Crisis    *crisis.Service
	Templates *template.Service
	Feeds     *feeds.Service
	Webhooks  *webhook.Service
	// Tasks keeps the workspace's tasks and task template sets.
	Tasks *task.Service
	// Reviews manages client review links.
	Reviews *review.Service
	// Notifications keeps each member's notification feed (nil: the
	// routes are not offered).
	Notifications *notify.Service
	// BaseURL is where people reach Herald, for the addresses it hands out.
	BaseURL string
	Logger  *slog.Logger
	Version string
}

// API is the REST API: an http.Handler plus the list of routes it registered.
type API struct {
	d      Deps
	huma   huma.API
	mux    *http.ServeMux
	logger *slog.Logger
	routes []Route
}

// Route is one registered operation.
type Route struct {
	Method string
	Path   string
}

var setHumaErrors sync.Once

// New builds the API. Mount its handler so that it sees full paths
// (/api/v1/…, /api/openapi.json).
func New(d Deps) *API {
	// huma keeps its error constructor in a package variable; set it once so
	// errors huma produces itself use Herald's error body.
	setHumaErrors.Do(func() {
		huma.NewError = newHumaError
	})
	if d.Logger == nil {
		d.Logger = slog.New(slog.DiscardHandler)
	}
	cfg := huma.DefaultConfig("Herald API", d.Version)
	cfg.OpenAPIPath = "/api/openapi"
	// The documentation page is the web interface's (GET /api/docs): its
	// viewer is served from the binary, not huma's from a CDN.
	cfg.DocsPath = ""
	cfg.SchemasPath = "/api/schemas"
	cfg.Info.Description = "Herald's REST API. Authenticate with an API token " +
		"(`Authorization: Bearer hrld_…`) or a browser session cookie. Errors always have the body " +
		"`{\"error\":{\"code\":…,\"message\":…,\"details\":[{\"field\":…,\"problem\":…}]}}`."
	// Herald's responses carry no $schema links; clients get plain JSON.
	cfg.CreateHooks = nil
	cfg.Components.SecuritySchemes = map[string]*huma.SecurityScheme{
		"bearer":  {Type: "http", Scheme: "bearer", Description: "An API token created in Herald (hrld_…)."},
		"session": {Type: "apiKey", In: "cookie", Name: "herald_session", Description: "A browser session (sign in with POST /api/v1/session)."},
	}
	cfg.Security = []map[string][]string{{"bearer": {}}, {"session": {}}}
	mux := http.NewServeMux()
	a := &API{d: d, mux: mux, logger: d.Logger}
	a.huma = humago.New(mux, cfg)
	a.registerSession()
	a.registerWorkspaces()
	a.registerBrandVoice()
	a.registerWorkspaceLogo()
	a.registerMembers()
	a.registerInvitations()
	a.registerTokens()
	a.registerLabels()
	a.registerCampaigns()
	a.registerAudit()
	a.registerAccounts()
	a.registerPosts()
	a.registerControls()
	a.registerPublishing()
	a.registerSchedules()
	a.registerMedia()
	a.registerConnect()
	a.registerEngagement()
	a.registerDMs()
	a.registerInboxRules()
	a.registerInboxNotes()
	a.registerInboxReport()
	a.registerRemote()
	a.registerComments()
	a.registerEvergreen()
	a.registerCalendarFeed()
	a.registerImports()
	a.registerTemplates()
	a.registerFeeds()
	a.registerWebhooks()
	a.registerTasks()
	if d.Reviews != nil {
		a.registerReviewLinks()
	}
	if d.Notifications != nil {
		a.registerNotifications()
	}
	if d.Analytics != nil {
		a.registerAnalytics()
	}
	if d.Reports != nil {
		a.registerReports()
	}
	if d.Links != nil {
		a.registerLinks()
	}
	if d.Listen != nil {
		a.registerListen()
	}
	a.registerCompetitors()
	if d.Crisis != nil {
		a.registerCrisis()
		a.registerPlaybook()
	}
	return a
}

// ServeHTTP serves the API. Every answer is marked nosniff (browsers never
// read JSON as anything else), and answers that may hold secrets (token
// secrets, sessions, invitation links) are not to be cached.
func (a *API) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("X-Content-Type-Options", "nosniff")
	if holdsSecrets(r.URL.Path) {
		w.Header().Set("Cache-Control", "no-store")
	}
	ctx := context.WithValue(r.Context(), remoteAddrKey{}, r.RemoteAddr)
	a.mux.ServeHTTP(w, r.WithContext(ctx))
}

// holdsSecrets reports whether answers on path may carry secrets: API
// tokens, the session and the signed-in user, invitations.
func holdsSecrets(path string) bool {
	if path == "/api/v1/session" || path == "/api/v1/me" || strings.HasPrefix(path, "/api/v1/me/") ||
		strings.HasPrefix(path, "/api/v1/invitations") {
		return true
	}
	for _, part := range []string{"/tokens", "/invitations", "/sign-out", "/calendar-feed", "/webhooks", "/review-links", "/conversion-secret"} {
		if strings.Contains(path, part) {
			return true
		}
	}
	return false
}

// OpenAPI returns the OpenAPI document.
func (a *API) OpenAPI() *huma.OpenAPI { return a.huma.OpenAPI() }

// Routes returns every operation registered, for the test that compares
// them with the OpenAPI document.
func (a *API) Routes() []Route { return append([]Route(nil), a.routes...) }

// register adds an operation whose handler returns domain errors; they are
// converted to the API's error body here, in one place.
func register[I, O any](a *API, op huma.Operation, h func(ctx context.Context, in *I) (*O, error)) {
	a.routes = append(a.routes, Route{Method: op.Method, Path: op.Path})
	huma.Register(a.huma, op, func(ctx context.Context, in *I) (*O, error) {
		out, err := h(ctx, in)
		if err != nil {
			if wait, ok := auth.RetryAfter(err); ok {
				secs := int((wait + time.Second - 1) / time.Second)
				return nil, huma.ErrorWithHeaders(fromDomain(ctx, a.logger, err),
					http.Header{"Retry-After": {strconv.Itoa(secs)}})
			}
			return nil, fromDomain(ctx, a.logger, err)
		}
		return out, nil
	})
}

// public marks an operation that needs no authentication.
var public = []map[string][]string{}

// principal returns the authenticated caller or a 401.
func (a *API) principal(ctx context.Context) (herald.Principal, error) {
	p, ok := herald.PrincipalFrom(ctx)
	if !ok {
		return herald.Principal{}, herald.Errorf(herald.CodeUnauthorized,
			"sign in first, or send an API token as Authorization: Bearer hrld_…")
	}
	return p, nil
}

// actor resolves the caller's role in a workspace (404 if they are not a member).
func (a *API) actor(ctx context.Context, workspaceID int64) (herald.Actor, error) {
	p, err := a.principal(ctx)
	if err != nil {
		return herald.Actor{}, err
	}
	return a.d.Auth.Actor(ctx, p, workspaceID)
}

// userOnly refuses API tokens for operations that act on the person rather
// than a workspace (password change, creating workspaces).
func (a *API) userOnly(ctx context.Context) (herald.Principal, error) {
	p, err := a.principal(ctx)
	if err != nil {
		return p, err
	}
	if p.Token != nil {
		return p, herald.Errorf(herald.CodeForbidden, "API tokens act in one workspace only; sign in to do this")
	}
	return p, nil
}

// WorkspaceParam is the workspace path parameter of workspace-scoped routes.
type WorkspaceParam struct {
	Workspace int64 `path:"workspace" minimum:"1" doc:"Workspace id"`
}

// PageParams are the cursor pagination query parameters.
type PageParams struct {
	Cursor string `query:"cursor" doc:"The next_cursor of the previous page; empty for the first page"`
	Limit  int    `query:"limit" minimum:"1" maximum:"200" default:"50" doc:"Items per page"`
}

// Page converts the parameters to a herald.Page.
func (p PageParams) Page() herald.Page {
	return herald.Page{Cursor: p.Cursor, Limit: p.Limit}.Normalize()
}

// ListBody is a page of items.
type ListBody[T any] struct {
	Items      []T    `json:"items" nullable:"false"`
	NextCursor string `json:"next_cursor" doc:"Pass as cursor to get the next page; empty on the last page"`
}

// list builds a ListBody, never with a null items array.
func list[T any](items []T, next string) ListBody[T] {
	if items == nil {
		items = []T{}
	}
	return ListBody[T]{Items: items, NextCursor: next}
}

// etag formats a version as a strong ETag.
func etag(version int64) string { return `"` + strconv.FormatInt(version, 10) + `"` }

// parseIfMatch reads an If-Match header made by etag. An empty header means
// "no precondition" (ok false).
func parseIfMatch(h string) (version int64, ok bool, err error) {
	h = strings.TrimSpace(h)
	if h == "" {
		return 0, false, nil
	}
	h = strings.TrimPrefix(h, "W/")
	v, perr := strconv.ParseInt(strings.Trim(h, `"`), 10, 64)
	if perr != nil || v <= 0 {
		return 0, false, &herald.Error{Code: herald.CodeBadRequest,
			Message: "If-Match must be the ETag of a previous response, such as \"3\"",
			Details: []herald.FieldProblem{{Field: "If-Match", Problem: "not an ETag Herald made"}}}
	}
	return v, true, nil
}
