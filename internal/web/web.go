// Package web is Herald's server-rendered web interface: first-run setup,
// sign-in, the home page, post details and the crisis switch. Pages are
// templ components; htmx swaps parts of them and a little Alpine.js adds
// interaction. Handlers call the same services as the REST API, never the
// store, and every page works without JavaScript.
package web

import (
	"context"
	"errors"
	"fmt"
	"github.com/heraldsocial/herald/internal/analytics"
	"github.com/heraldsocial/herald/internal/links"
	"github.com/heraldsocial/herald/internal/report"
	"log/slog"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"

	"github.com/a-h/templ"
	"github.com/alexedwards/scs/v2"

	"github.com/heraldsocial/herald/internal/account"
	"github.com/heraldsocial/herald/internal/api"
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
	"github.com/heraldsocial/herald/internal/listen"
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

// UserCounter tells whether anyone can sign in yet (the store does): until
// someone can, every page leads to first-run setup.
type UserCounter interface {
	CountUsers(ctx context.Context) (int, error)
}

// Deps are the services the web interface calls.
type Deps struct {
	Auth       *auth.Service
	Sessions   *scs.SessionManager
	Workspaces *workspace.Service
	Posts      *post.Service
	// Inbox keeps the inbox's team features (tags, notes, saved replies, rules).
	Inbox     *inbox.Service
	Accounts  *account.Service
	Media     *media.Service
	Labels    *label.Service
	Campaigns *campaign.Service
	Evergreen *evergreen.Service
	Calendar  *ical.Service
	Templates *template.Service
	Feeds     *feeds.Service
	// Webhooks are the workspace's notification channels.
	Webhooks *webhook.Service
	// Tasks keeps the board, the task pages and My work.
	Tasks *task.Service
	// Reviews runs client review links (nil: the pages answer not found).
	Reviews *review.Service
	// Notifications keeps each member's notification feed (nil: no bell).
	Notifications *notify.Service
	// MediaLinks serves the signed public addresses of media files that
	// platforms fetch (Instagram, Threads); nil: none are served.
	MediaLinks *media.PublicLinks
	// Analytics computes the analytics pages' figures.
	Analytics *analytics.Service
	// Reports renders the PDF report and keeps the scheduled ones (nil:
	// neither is offered).
	Reports *report.Service
	// Links keeps tracked links, the analytics settings and conversions
	// (nil: no links page).
	Links *links.Service
	// Listen keeps the listening topics and reads what they found (nil:
	// the listening pages answer not found).
	Listen *listen.Service
	// Competitors keeps competitors and compares them (nil: the
	// competitors page answers not found).
	Competitors *competitor.Service
	// Crisis keeps the crisis detectors and incidents (nil: the incident
	// and detector pages answer not found).
	Crisis *crisis.Service
	// Imports reads, imports and exports posts as CSV.
	Imports *postcsv.Service
	// Users is asked whether first-run setup is still needed.
	Users UserCounter
	// Clock tells the time; nil means the system clock.
	Clock  herald.Clock
	Logger *slog.Logger
	// Version is Herald's version, shown in the footer.
	Version string
}

// Session keys of the web interface.
const (
	flashKey     = "web_flash"
	workspaceKey = "web_workspace"
)

// Handler serves the web interface. It expects to run inside the server's
// middleware: sessions loaded (scs LoadAndSave), the principal put in the
// context (auth.Middleware) and cross-origin protection.
type Handler struct {
	d      Deps
	assets *assets
	zones  []string
	mux    *http.ServeMux

	drafts   draftKeys   // the drafts composer sessions created
	setupMu  sync.Mutex  // one first-run setup at a time
	hasUsers atomic.Bool // once someone can sign in, setup is over for good
	live     liveStreams // the open live inbox streams (inbox_live.go)
}

// New builds the web interface.
func New(d Deps) (*Handler, error) {
	if d.Clock == nil {
		d.Clock = herald.SystemClock{}
	}
	if d.Logger == nil {
		d.Logger = slog.New(slog.DiscardHandler)
	}
	a, err := loadAssets()
	if err != nil {
		return nil, err
	}
	h := &Handler{d: d, assets: a, zones: strings.Fields(zoneList), mux: http.NewServeMux()}
	h.routes()
	return h, nil
}

func (h *Handler) routes() {
	m := h.mux
	m.HandleFunc("GET /static/{hash}/{name...}", h.assets.serve)
	m.HandleFunc("GET /api/docs", h.apiDocs)
	m.HandleFunc("GET /setup", h.setupForm)
	m.HandleFunc("POST /setup", h.setup)
	m.HandleFunc("GET /signin", h.signinForm)
	m.HandleFunc("POST /signin", h.signin)
	m.HandleFunc("POST /signout", h.signout)
	m.HandleFunc("GET /{$}", h.root)
	m.Handle("GET /w/{ws}/{$}", h.inWorkspace(h.home))
	m.Handle("GET /w/{ws}/posts/{post}", h.inWorkspace(h.postDetail))
	m.Handle("POST /w/{ws}/posts/{post}/approve", h.inWorkspace(h.postAction(actApprove)))
	m.Handle("POST /w/{ws}/posts/{post}/request-changes", h.inWorkspace(h.postAction(actRequestChanges)))
	m.Handle("POST /w/{ws}/posts/{post}/cancel", h.inWorkspace(h.postAction(actCancel)))
	m.Handle("POST /w/{ws}/posts/{post}/publish-now", h.inWorkspace(h.postAction(actPublishNow)))
	m.Handle("GET /w/{ws}/posts/{post}/unschedule", h.inWorkspace(h.unscheduleForm))
	m.Handle("POST /w/{ws}/posts/{post}/unschedule", h.inWorkspace(h.postAction(actUnschedule)))
	m.Handle("GET /w/{ws}/posts/{post}/targets/{target}/edit-remote", h.inWorkspace(h.editRemoteForm))
	m.Handle("POST /w/{ws}/posts/{post}/targets/{target}/edit-remote", h.inWorkspace(h.editRemote))
	m.Handle("POST /w/{ws}/posts/{post}/targets/{target}/retry", h.inWorkspace(h.targetAction(actRetry)))
	m.Handle("POST /w/{ws}/posts/{post}/targets/{target}/resolve", h.inWorkspace(h.targetAction(actResolve)))
	m.Handle("POST /w/{ws}/posts/{post}/targets/{target}/resume", h.inWorkspace(h.targetAction(actResume)))
	m.Handle("GET /w/{ws}/crisis", h.inWorkspace(h.crisisForm))
	m.Handle("POST /w/{ws}/crisis/hold", h.inWorkspace(h.crisisHold))
	m.Handle("POST /w/{ws}/crisis/resume", h.inWorkspace(h.crisisResume))
	h.calendarRoutes(m)
	h.composeRoutes(m)
	h.approvalRoutes(m)
	h.accountRoutes(m)
	h.libraryRoutes(m)
	h.kitRoutes(m)
	h.settingsRoutes(m)
	h.evergreenRoutes(m)
	h.calendarFeedRoutes(m)
	if h.d.MediaLinks != nil {
		m.Handle(media.Route, h.d.MediaLinks)
	}
	h.importRoutes(m)
	h.taskRoutes(m)
	h.inboxRoutes(m)
	h.notificationRoutes(m)
	h.analyticsRoutes(m)
	h.reportRoutes(m)
	h.linkRoutes(m)
	h.listenRoutes(m)
	h.competitorRoutes(m)
	h.incidentRoutes(m)
	h.playbookRoutes(m)
	m.HandleFunc("/", h.notFound)
}

// ServeHTTP serves a request: first-run setup comes before anything but
// the static files.
func (h *Handler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if !strings.HasPrefix(r.URL.Path, "/static/") && r.URL.Path != "/setup" {
		need, err := h.needsSetup(r.Context())
		if err != nil {
			h.fail(w, r, nil, err)
			return
		}
		if need {
			http.Redirect(w, r, "/setup", http.StatusSeeOther)
			return
		}
	}
	h.mux.ServeHTTP(w, r)
}

// needsSetup reports whether nobody can sign in yet. Once someone can, the
// answer is remembered: users are never all removed.
func (h *Handler) needsSetup(ctx context.Context) (bool, error) {
	if h.hasUsers.Load() {
		return false, nil
	}
	n, err := h.d.Users.CountUsers(ctx)
	if err != nil {
		return false, fmt.Errorf("web: count users: %w", err)
	}
	if n > 0 {
		h.hasUsers.Store(true)
	}
	return n == 0, nil
}

// page is what every signed-in page knows: who, where, and the crisis state.
type page struct {
	Actor      herald.Actor
	User       herald.User
	Workspaces []herald.UserWorkspace
	Current    herald.UserWorkspace // zero outside a workspace
	Crisis     post.CrisisStatus
	InboxOpen  int  // the workspace's open inbox items, for the navigation
	Unread     int  // the viewer's unread notifications, for the bell
	hasFeed    bool // the viewer has a notification feed here
	analytics  bool // the analytics pages are served
	listen     bool // the listening pages are served
	Flash      string
	Title      string
	Path       string // the page's own path, to come back to after a form
	assets     *assets
}

// Can reports whether the viewer's role allows act here.
func (p *page) Can(act herald.Action) bool {
	return p.Current.ID != 0 && p.Actor.Role.Can(act)
}

// base builds the page of a signed-in principal, outside any workspace.
func (h *Handler) base(r *http.Request, pr herald.Principal) (*page, error) {
	u, ws, err := h.d.Workspaces.Me(r.Context(), pr)
	if err != nil {
		return nil, err
	}
	return &page{User: u, Workspaces: ws, Flash: h.d.Sessions.PopString(r.Context(), flashKey), assets: h.assets}, nil
}

// workspaceFunc handles a request in a workspace the viewer belongs to.
type workspaceFunc func(w http.ResponseWriter, r *http.Request, p *page) error

// inWorkspace resolves the signed-in viewer and the workspace {ws} for fn:
// anonymous viewers are sent to sign in, a workspace they do not belong to
// is not found. An error fn returns becomes an error page.
func (h *Handler) inWorkspace(fn workspaceFunc) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		pr, actor, ok := h.workspaceActor(w, r)
		if !ok {
			return
		}
		wsID := actor.WorkspaceID
		p, err := h.base(r, pr)
		if err != nil {
			h.fail(w, r, nil, err)
			return
		}
		p.Actor, p.Path = actor, r.URL.Path
		for _, uw := range p.Workspaces {
			if uw.ID == wsID {
				p.Current = uw
			}
		}
		if p.Current.ID == 0 {
			h.fail(w, r, p, herald.NotFound("workspace"))
			return
		}
		p.Current.Role = actor.Role
		if p.Crisis, err = h.d.Posts.Crisis(r.Context(), actor); err != nil {
			h.fail(w, r, p, err)
			return
		}
		if p.InboxOpen, err = h.d.Posts.CountOpenInbox(r.Context(), actor); err != nil {
			h.fail(w, r, p, err)
			return
		}
		if p.hasFeed = h.d.Notifications != nil && actor.UserID != 0; p.hasFeed {
			if p.Unread, err = h.d.Notifications.Unread(r.Context(), actor); err != nil {
				h.fail(w, r, p, err)
				return
			}
		}
		p.analytics = h.d.Analytics != nil
		p.listen = h.d.Listen != nil
		h.d.Sessions.Put(r.Context(), workspaceKey, wsID)
		if err := fn(w, r, p); err != nil {
			h.fail(w, r, p, err)
		}
	})
}

// workspaceActor resolves the signed-in viewer as a member of the
// workspace {ws}. When it cannot, it has answered (sign in, or not found)
// and ok is false.
func (h *Handler) workspaceActor(w http.ResponseWriter, r *http.Request) (pr herald.Principal, actor herald.Actor, ok bool) {
	pr, ok = herald.PrincipalFrom(r.Context())
	if !ok || pr.UserID == 0 {
		h.toSignin(w, r)
		return pr, actor, false
	}
	wsID, err := pathID(r, "ws", "workspace")
	if err == nil {
		actor, err = h.d.Auth.Actor(r.Context(), pr, wsID)
	}
	if err != nil {
		h.fail(w, r, nil, err)
		return pr, actor, false
	}
	return pr, actor, true
}

// toSignin sends an anonymous viewer to the sign-in page, back here after.
func (h *Handler) toSignin(w http.ResponseWriter, r *http.Request) {
	target := "/signin"
	if r.Method == http.MethodGet && r.URL.Path != "/" {
		target += "?next=" + url.QueryEscape(r.URL.RequestURI())
	}
	if isHTMX(r) {
		w.Header().Set("HX-Redirect", target)
		w.WriteHeader(http.StatusUnauthorized)
		return
	}
	http.Redirect(w, r, target, http.StatusSeeOther)
}

// root sends the viewer to their workspace: the one they used last, else
// the first by name.
func (h *Handler) root(w http.ResponseWriter, r *http.Request) {
	pr, ok := herald.PrincipalFrom(r.Context())
	if !ok || pr.UserID == 0 {
		h.toSignin(w, r)
		return
	}
	p, err := h.base(r, pr)
	if err != nil {
		h.fail(w, r, nil, err)
		return
	}
	if len(p.Workspaces) == 0 {
		p.Title = "No workspace yet"
		h.render(w, r, http.StatusOK, noWorkspacePage(p))
		return
	}
	last := h.d.Sessions.GetInt64(r.Context(), workspaceKey)
	dest := p.Workspaces[0].ID
	for _, uw := range p.Workspaces {
		if uw.ID == last {
			dest = last
		}
	}
	if p.Flash != "" {
		h.d.Sessions.Put(r.Context(), flashKey, p.Flash)
	}
	http.Redirect(w, r, wsURL(dest), http.StatusSeeOther)
}

func (h *Handler) notFound(w http.ResponseWriter, r *http.Request) {
	h.fail(w, r, nil, herald.Errorf(herald.CodeNotFound, "there is no page at %s", r.URL.Path))
}

// contentSecurityPolicy is every page's policy. Scripts come only from
// Herald itself and none is evaluated from text: no inline script, no
// 'unsafe-eval' (Alpine is its CSP build, htmx runs with allowEval off),
// no third-party origin.
const contentSecurityPolicy = "default-src 'self'; script-src 'self'; style-src 'self'; " +
	"img-src 'self' https: data:; object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"

// render writes a component as the response with the security headers
// every page carries.
func (h *Handler) render(w http.ResponseWriter, r *http.Request, status int, c templ.Component) {
	hd := w.Header()
	hd.Set("Content-Type", "text/html; charset=utf-8")
	hd.Set("Cache-Control", "no-store")
	hd.Set("X-Content-Type-Options", "nosniff")
	hd.Set("Referrer-Policy", "same-origin")
	hd.Set("Content-Security-Policy", contentSecurityPolicy)
	w.WriteHeader(status)
	if err := c.Render(r.Context(), w); err != nil {
		h.d.Logger.WarnContext(r.Context(), "render page", "path", r.URL.Path, "error", err)
	}
}

// fail answers err as an error page (or, for htmx, an error fragment) with
// the status the error's code maps to. Internal errors are logged once
// here and shown only as "internal error".
func (h *Handler) fail(w http.ResponseWriter, r *http.Request, p *page, err error) {
	he := publicError(err)
	if he.Code == herald.CodeInternal {
		h.d.Logger.ErrorContext(r.Context(), "web request failed", "path", r.URL.Path, "error", err)
	}
	if he.Code == herald.CodeUnauthorized {
		h.toSignin(w, r)
		return
	}
	status := api.StatusFor(he.Code)
	if isHTMX(r) {
		// htmx swaps only 2xx answers; the error goes where the card was.
		w.Header().Set("HX-Retarget", "#messages")
		w.Header().Set("HX-Reswap", "innerHTML")
		h.render(w, r, http.StatusOK, errorBox(he))
		return
	}
	if p == nil {
		p = &page{assets: h.assets}
		if pr, ok := herald.PrincipalFrom(r.Context()); ok && pr.UserID != 0 {
			if u, ws, err := h.d.Workspaces.Me(r.Context(), pr); err == nil {
				p.User, p.Workspaces = u, ws
			}
		}
	}
	p.Title = http.StatusText(status)
	if status == http.StatusNotFound {
		p.Title = "Page not found"
		h.render(w, r, status, notFoundPage(p, he))
		return
	}
	h.render(w, r, status, errorPage(p, status, he))
}

// publicError is err as it may be shown: its *herald.Error, or a generic
// internal error.
func publicError(err error) *herald.Error {
	var he *herald.Error
	if errors.As(err, &he) && he.Code != herald.CodeInternal {
		return he
	}
	return &herald.Error{Code: herald.CodeInternal, Message: "something went wrong on our side; it has been logged. Try again in a moment"}
}

// pathID parses the path value name as a positive id of kind.
func pathID(r *http.Request, name, kind string) (int64, error) {
	v := r.PathValue(name)
	id, err := strconv.ParseInt(v, 10, 64)
	if err != nil || id <= 0 {
		return 0, herald.Errorf(herald.CodeNotFound, "%s %q not found: ids are positive whole numbers", kind, v)
	}
	return id, nil
}

func isHTMX(r *http.Request) bool { return r.Header.Get("HX-Request") == "true" }

// localPath returns next when it is a path on this site, else "/": a
// sign-in link must not send people elsewhere.
func localPath(next string) string {
	if next == "" || !strings.HasPrefix(next, "/") || strings.HasPrefix(next, "//") || strings.HasPrefix(next, "/\\") {
		return "/"
	}
	u, err := url.Parse(next)
	if err != nil || u.Host != "" || u.Scheme != "" {
		return "/"
	}
	return next
}

// URLs of the pages.
func wsURL(ws int64) string { return "/w/" + strconv.FormatInt(ws, 10) + "/" }

func postURL(ws, id int64) string {
	return wsURL(ws) + "posts/" + strconv.FormatInt(id, 10)
}

func targetURL(ws, postID, targetID int64, verb string) string {
	return postURL(ws, postID) + "/targets/" + strconv.FormatInt(targetID, 10) + "/" + verb
}
