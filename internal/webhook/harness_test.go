package webhook_test

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/heraldsocial/herald/internal/connector"
	"github.com/heraldsocial/herald/internal/herald"
	"github.com/heraldsocial/herald/internal/jobs"
	"github.com/heraldsocial/herald/internal/keyring"
	"github.com/heraldsocial/herald/internal/webhook"
)

// liveness bounds a wait for something the background jobs do.
const liveness = 90 * time.Second

// clock is a clock the test moves.
type clock struct {
	mu  sync.Mutex
	now time.Time
}

func (c *clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *clock) add(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = c.now.Add(d)
}

// world is a workspace with a manager and an editor, and a webhook service
// that may call loopback receivers.
type world struct {
	st      herald.Store
	keys    *keyring.Keyring
	clock   herald.Clock
	svc     *webhook.Service
	ws      herald.Workspace
	manager herald.Actor
	editor  herald.Actor
}

func newWorld(t *testing.T, st herald.Store, c herald.Clock) *world {
	t.Helper()
	ctx := t.Context()
	now := time.Now().UTC().Truncate(time.Microsecond)
	w := &world{st: st, keys: mustKeys(t), clock: c}
	w.ws = herald.Workspace{Name: "Acme", TimeZone: "UTC", CreatedAt: now, UpdatedAt: now}
	must(t, st.CreateWorkspace(ctx, &w.ws))
	for _, r := range []herald.Role{herald.RoleManager, herald.RoleEditor} {
		u := herald.User{Email: string(r) + "@example.com", Name: string(r), PasswordHash: "x", CreatedAt: now, UpdatedAt: now}
		must(t, st.CreateUser(ctx, &u))
		must(t, st.AddMember(ctx, &herald.Membership{WorkspaceID: w.ws.ID, UserID: u.ID, Role: r, CreatedAt: now}))
		a := herald.Actor{UserID: u.ID, WorkspaceID: w.ws.ID, Role: r}
		if r == herald.RoleManager {
			w.manager = a
		} else {
			w.editor = a
		}
	}
	w.svc = w.service(t, true)
	return w
}

// service is a webhook service over the world's store and keys.
func (w *world) service(t *testing.T, allowPrivate bool) *webhook.Service {
	t.Helper()
	svc, err := webhook.New(webhook.Config{BaseURL: "https://herald.example", AllowPrivate: allowPrivate},
		webhook.Deps{Store: w.st, Keys: w.keys, Clock: w.clock, Logger: testLogger(t)})
	must(t, err)
	return svc
}

// add creates an endpoint of kind at url.
func (w *world) add(t *testing.T, kind herald.WebhookKind, url string) webhook.Created {
	t.Helper()
	name := string(kind) + " " + url
	c, err := w.svc.Create(t.Context(), w.manager, webhook.Input{Kind: kind, Name: &name, URL: &url})
	must(t, err)
	return c
}

// deliveries returns the endpoint's delivery log.
func (w *world) deliveries(t *testing.T, id int64) []herald.WebhookDelivery {
	t.Helper()
	ds, err := w.svc.Deliveries(t.Context(), w.manager, id, 50)
	must(t, err)
	return ds
}

// note is a notification of the world's workspace.
func (w *world) note(key string) herald.Notification {
	return herald.Notification{Kind: herald.NotifyTargetFailed, WorkspaceID: w.ws.ID, TargetID: 41, PostID: 40,
		AccountID: 7, Title: "Post failed", Message: "Mastodon refused the post: the text is too long.",
		Link: "/w/1/posts/40", Key: key, At: time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC)}
}

// runner starts background jobs that deliver for svc.
func runner(t *testing.T, st herald.Store, svc *webhook.Service) *jobs.Runner {
	t.Helper()
	r := newRunner(t, st, svc)
	if err := r.Start(context.Background()); err != nil {
		t.Fatalf("Start: %v", err)
	}
	t.Cleanup(func() { stop(t, r) })
	return r
}

func newRunner(t *testing.T, st herald.Store, svc *webhook.Service) *jobs.Runner {
	t.Helper()
	r, err := jobs.New(jobs.Config{}, jobs.Deps{Store: st, Connectors: connector.NewRegistry(), Keys: mustKeys(t),
		Webhooks: svc, Logger: testLogger(t)})
	must(t, err)
	svc.UseQueue(r)
	return r
}

func stop(t *testing.T, r *jobs.Runner) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), liveness)
	defer cancel()
	if err := r.Stop(ctx); err != nil {
		t.Errorf("Stop: %v", err)
	}
}

// request is what a receiver got.
type request struct {
	header http.Header
	body   []byte
}

// receiver is a real HTTP server that checks each request's signature the
// way docs/content/webhooks.md tells receivers to, and answers with the
// statuses it is given in turn (then 200).
type receiver struct {
	*httptest.Server
	secret string

	mu       sync.Mutex
	statuses []int
	got      []request
	bad      []string
	arrived  chan request
}

func newReceiver(t *testing.T, statuses ...int) *receiver {
	t.Helper()
	r := &receiver{statuses: statuses, arrived: make(chan request, 100)}
	r.Server = httptest.NewServer(http.HandlerFunc(r.serve))
	t.Cleanup(r.Close)
	return r
}

func (r *receiver) setSecret(s string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.secret = s
}

func (r *receiver) serve(w http.ResponseWriter, req *http.Request) {
	body, _ := io.ReadAll(req.Body)
	r.mu.Lock()
	if r.secret != "" && !verified(r.secret, req.Header, body, time.Now()) {
		r.bad = append(r.bad, string(body))
	}
	status := http.StatusOK
	if len(r.statuses) > 0 {
		status, r.statuses = r.statuses[0], r.statuses[1:]
	}
	got := request{header: req.Header.Clone(), body: body}
	r.got = append(r.got, got)
	r.mu.Unlock()
	r.arrived <- got
	w.WriteHeader(status)
	_, _ = io.WriteString(w, "answer "+strconv.Itoa(status))
}

// verified is the documented recipe: HMAC-SHA256 with the secret over
// "<timestamp>.<body>", hex, after "v1=", and a timestamp within five
// minutes.
func verified(secret string, h http.Header, body []byte, now time.Time) bool {
	ts := h.Get("Herald-Webhook-Timestamp")
	sec, err := strconv.ParseInt(ts, 10, 64)
	if err != nil || now.Sub(time.Unix(sec, 0)).Abs() > 5*time.Minute {
		return false
	}
	mac := hmac.New(sha256.New, []byte(secret))
	mac.Write([]byte(ts + "." + string(body)))
	want := "v1=" + hex.EncodeToString(mac.Sum(nil))
	return hmac.Equal([]byte(want), []byte(h.Get("Herald-Signature")))
}

func (r *receiver) requests() []request {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]request(nil), r.got...)
}

func (r *receiver) refused() []string {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]string(nil), r.bad...)
}

// next waits for the receiver's next request.
func (r *receiver) next(t *testing.T) request {
	t.Helper()
	select {
	case got := <-r.arrived:
		return got
	case <-time.After(liveness):
		t.Fatal("the receiver got no request")
	}
	return request{}
}

// waitFor polls the store until cond holds: the attempt is recorded just
// after the receiver answers.
func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(liveness)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("gave up waiting for %s", what)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

func mustKeys(t *testing.T) *keyring.Keyring {
	t.Helper()
	line, err := keyring.GenerateLine()
	must(t, err)
	k, err := keyring.New([]byte(line + "\n"))
	must(t, err)
	return k
}

func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

func testLogger(t *testing.T) *slog.Logger {
	return slog.New(slog.NewTextHandler(tWriter{t}, &slog.HandlerOptions{Level: slog.LevelError}))
}

type tWriter struct{ t *testing.T }

func (w tWriter) Write(p []byte) (int, error) {
	w.t.Log(string(p))
	return len(p), nil
}
