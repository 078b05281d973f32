package auth

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/heraldsocial/herald/internal/herald"
	"github.com/heraldsocial/herald/internal/sqlite"
)

// testClock is a clock tests move by hand.
type testClock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *testClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *testClock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

type fixture struct {
	path  string
	store herald.Store
	clock *testClock
	svc   *Service
}

func newFixture(t *testing.T) *fixture {
	t.Helper()
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "herald.db")
	db, err := sqlite.Open(ctx, path)
	if err != nil {
		t.Fatalf("sqlite.Open: %v", err)
	}
	t.Cleanup(func() { db.Close() })
	if err := db.Migrate(ctx); err != nil {
		t.Fatalf("Migrate: %v", err)
	}
	clock := &testClock{t: time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC)}
	return &fixture{path: path, store: db, clock: clock, svc: New(db, clock, slog.New(slog.NewTextHandler(io.Discard, nil)))}
}

func (f *fixture) mustUser(t *testing.T, email string) herald.User {
	t.Helper()
	u, err := f.svc.CreateUser(context.Background(), email, "Person "+email, "a good long password")
	if err != nil {
		t.Fatalf("CreateUser(%s): %v", email, err)
	}
	return u
}

// mustWorkspace makes a workspace with members (user id → role).
func (f *fixture) mustWorkspace(t *testing.T, name string, members map[int64]herald.Role) herald.Workspace {
	t.Helper()
	ctx := context.Background()
	w := herald.Workspace{Name: name, TimeZone: "Europe/Paris", CreatedAt: f.clock.Now(), UpdatedAt: f.clock.Now()}
	if err := f.store.CreateWorkspace(ctx, &w); err != nil {
		t.Fatalf("CreateWorkspace: %v", err)
	}
	for uid, role := range members {
		m := herald.Membership{WorkspaceID: w.ID, UserID: uid, Role: role, CreatedAt: f.clock.Now()}
		if err := f.store.AddMember(ctx, &m); err != nil {
			t.Fatalf("AddMember: %v", err)
		}
	}
	return w
}

func (f *fixture) mustActor(t *testing.T, userID, workspaceID int64) herald.Actor {
	t.Helper()
	a, err := f.svc.Actor(context.Background(), herald.Principal{UserID: userID}, workspaceID)
	if err != nil {
		t.Fatalf("Actor: %v", err)
	}
	return a
}

func wantCode(t *testing.T, err error, code herald.Code, msg string) {
	t.Helper()
	if herald.ErrorCode(err) != code {
		t.Fatalf("error = %v, want code %s", err, code)
	}
	if msg != "" && !strings.Contains(err.Error(), msg) {
		t.Fatalf("error = %v, want it to contain %q", err, msg)
	}
}

func TestCreateUser(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	u, err := f.svc.CreateUser(ctx, "  Ana@Example.COM ", " Ana ", "correct horse battery")
	if err != nil {
		t.Fatal(err)
	}
	if u.ID == 0 || u.Email != "ana@example.com" || u.Name != "Ana" || !strings.HasPrefix(u.PasswordHash, "$argon2id$") {
		t.Fatalf("user = %+v", u)
	}
	got, err := f.store.GetUser(ctx, u.ID)
	if err != nil || got.Email != "ana@example.com" {
		t.Fatalf("stored user = %+v, %v", got, err)
	}
	entries, _, err := f.store.ListAudit(ctx, herald.AuditFilter{WorkspaceID: 0, Page: herald.Page{Limit: 10}})
	if err != nil {
		t.Fatal(err)
	}
	if len(entries) != 1 || entries[0].Action != "user.create" || entries[0].ObjectID != u.ID {
		t.Fatalf("audit = %+v", entries)
	}
	if strings.Contains(string(entries[0].After), "argon2") || strings.Contains(string(entries[0].After), "password") {
		t.Errorf("audit entry reveals the password hash: %s", entries[0].After)
	}

	tests := []struct {
		name, email, uname, password string
		code                         herald.Code
		fields                       []string
	}{
		{"duplicate e-mail, other case", "ANA@example.com", "Other", "another good password", herald.CodeConflict, []string{"email"}},
		{"bad e-mail", "not-an-address", "X", "another good password", herald.CodeInvalid, []string{"email"}},
		{"no name", "b@example.com", " ", "another good password", herald.CodeInvalid, []string{"name"}},
		{"short password", "b@example.com", "B", "short", herald.CodeInvalid, []string{"password"}},
		{"everything wrong", "", "", "", herald.CodeInvalid, []string{"email", "name", "password"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := f.svc.CreateUser(ctx, tt.email, tt.uname, tt.password)
			wantCode(t, err, tt.code, "")
			var he *herald.Error
			errors.As(err, &he)
			var fields []string
			for _, d := range he.Details {
				fields = append(fields, d.Field)
			}
			if strings.Join(fields, ",") != strings.Join(tt.fields, ",") {
				t.Errorf("fields = %v, want %v (%v)", fields, tt.fields, err)
			}
		})
	}
	if _, err := f.svc.CreateUser(ctx, "ana@example.com", "Ana", "correct horse battery"); !strings.Contains(err.Error(), "an account with this e-mail already exists") {
		t.Errorf("duplicate error = %v", err)
	}
}

func TestLogin(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	u := f.mustUser(t, "ana@example.com")

	got, err := f.svc.Login(ctx, "ANA@example.com ", "a good long password", "10.0.0.1:5555")
	if err != nil {
		t.Fatal(err)
	}
	if got.ID != u.ID || got.LastLoginAt == nil || !got.LastLoginAt.Equal(f.clock.Now()) {
		t.Fatalf("login user = %+v", got)
	}
	stored, _ := f.store.GetUser(ctx, u.ID)
	if stored.LastLoginAt == nil || !stored.LastLoginAt.Equal(f.clock.Now()) {
		t.Errorf("LastLoginAt not stored: %+v", stored.LastLoginAt)
	}

	_, errPw := f.svc.Login(ctx, "ana@example.com", "wrong password!", "10.0.0.1:5555")
	_, errEmail := f.svc.Login(ctx, "nobody@example.com", "a good long password", "10.0.0.1:5555")
	wantCode(t, errPw, herald.CodeUnauthorized, "wrong e-mail or password")
	if errPw.Error() != errEmail.Error() {
		t.Errorf("wrong password %q and unknown e-mail %q differ", errPw, errEmail)
	}
}

func TestLoginRateLimit(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	f.mustUser(t, "ana@example.com")
	const ip = "10.0.0.2:1234"
	for i := range limitPerEmailIP {
		_, err := f.svc.Login(ctx, "ana@example.com", "wrong password "+string(rune('a'+i)), ip)
		wantCode(t, err, herald.CodeUnauthorized, "")
	}
	// Even the right password is refused while limited, with when to retry.
	_, err := f.svc.Login(ctx, "ana@example.com", "a good long password", ip)
	wantCode(t, err, herald.CodeRateLimited, "try again in 15 minutes (at 2026-03-01T09:15:00Z)")
	if !errors.Is(err, herald.ErrRateLimited) {
		t.Error("not errors.Is ErrRateLimited")
	}
	// Another address is not affected.
	if _, err := f.svc.Login(ctx, "ana@example.com", "a good long password", "10.0.0.3:1"); err != nil {
		t.Fatalf("login from another address: %v", err)
	}
	f.clock.Advance(limitWindow)
	if _, err := f.svc.Login(ctx, "ana@example.com", "a good long password", ip); err != nil {
		t.Fatalf("login after the window: %v", err)
	}
	// Success reset the count: four more failures are allowed before a block.
	for range limitPerEmailIP - 1 {
		f.svc.Login(ctx, "ana@example.com", "wrong password xx", ip)
	}
	if _, err := f.svc.Login(ctx, "ana@example.com", "a good long password", ip); err != nil {
		t.Fatalf("login after a reset and 4 failures: %v", err)
	}
}

func TestChangePassword(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	u := f.mustUser(t, "ana@example.com")
	_, err := f.svc.ChangePassword(ctx, u.ID, "not the password", "short", "", false)
	wantCode(t, err, herald.CodeInvalid, "current_password: is not your current password; new_password: is 5 characters")
	if _, err := f.svc.ChangePassword(ctx, u.ID, "a good long password", "a better long password", "", false); err != nil {
		t.Fatal(err)
	}
	if _, err := f.svc.Login(ctx, "ana@example.com", "a good long password", "1.1.1.1"); herald.ErrorCode(err) != herald.CodeUnauthorized {
		t.Errorf("old password still works: %v", err)
	}
	if _, err := f.svc.Login(ctx, "ana@example.com", "a better long password", "1.1.1.1"); err != nil {
		t.Errorf("new password: %v", err)
	}
	_, err = f.svc.ChangePassword(ctx, 9999, "x", "a better long password", "", false)
	wantCode(t, err, herald.CodeNotFound, "")
}

func TestActor(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	ana := f.mustUser(t, "ana@example.com")
	bob := f.mustUser(t, "bob@example.com")
	w1 := f.mustWorkspace(t, "One", map[int64]herald.Role{ana.ID: herald.RoleEditor})
	w2 := f.mustWorkspace(t, "Two", map[int64]herald.Role{ana.ID: herald.RoleOwner, bob.ID: herald.RoleAdmin})

	a := f.mustActor(t, ana.ID, w1.ID)
	if a.Role != herald.RoleEditor || a.UserID != ana.ID || a.WorkspaceID != w1.ID || a.TokenID != 0 {
		t.Fatalf("actor = %+v", a)
	}
	_, tok, err := f.svc.CreateToken(ctx, f.mustActor(t, ana.ID, w2.ID), "ci", herald.RoleManager, nil)
	if err != nil {
		t.Fatal(err)
	}
	tp := herald.Principal{UserID: ana.ID, Token: &tok}
	ta, err := f.svc.Actor(ctx, tp, w2.ID)
	if err != nil || ta.Role != herald.RoleManager || ta.TokenID != tok.ID {
		t.Fatalf("token actor = %+v, %v", ta, err)
	}
	// The membership weakens: the token's role follows.
	if err := f.store.UpdateMemberRole(ctx, w2.ID, ana.ID, herald.RoleAnalyst); err != nil {
		t.Fatal(err)
	}
	if ta, _ := f.svc.Actor(ctx, tp, w2.ID); ta.Role != herald.RoleAnalyst {
		t.Errorf("token role after demotion = %s, want analyst", ta.Role)
	}

	notFound := []struct {
		name string
		p    herald.Principal
		ws   int64
	}{
		{"not a member", herald.Principal{UserID: bob.ID}, w1.ID},
		{"no such workspace", herald.Principal{UserID: ana.ID}, 424242},
		{"token of another workspace", tp, w1.ID},
	}
	for _, tt := range notFound {
		t.Run(tt.name, func(t *testing.T) {
			_, err := f.svc.Actor(ctx, tt.p, tt.ws)
			wantCode(t, err, herald.CodeNotFound, "workspace not found")
		})
	}
	_, err = f.svc.Actor(ctx, herald.Principal{}, w1.ID)
	wantCode(t, err, herald.CodeUnauthorized, "")
}

func TestTokens(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	ana := f.mustUser(t, "ana@example.com")   // admin
	bob := f.mustUser(t, "bob@example.com")   // editor
	cleo := f.mustUser(t, "cleo@example.com") // client
	w := f.mustWorkspace(t, "W", map[int64]herald.Role{ana.ID: herald.RoleAdmin, bob.ID: herald.RoleEditor, cleo.ID: herald.RoleClient})
	admin, editor, client := f.mustActor(t, ana.ID, w.ID), f.mustActor(t, bob.ID, w.ID), f.mustActor(t, cleo.ID, w.ID)

	secret, tok, err := f.svc.CreateToken(ctx, editor, " CI ", herald.RoleContributor, nil)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(secret, "hrld_") || len(secret) != 5+43 || tok.Prefix != secret[:12] || tok.Name != "CI" {
		t.Fatalf("secret %q, token %+v", secret, tok)
	}
	if len(tok.Hash) != 32 || strings.Contains(string(tok.Hash), secret) {
		t.Fatalf("hash = %x", tok.Hash)
	}

	past := f.clock.Now().Add(-time.Second)
	long := strings.Repeat("n", 101)
	bad := []struct {
		name    string
		actor   herald.Actor
		tname   string
		role    herald.Role
		expires *time.Time
		code    herald.Code
		msg     string
	}{
		{"stronger role", editor, "x", herald.RoleManager, nil, herald.CodeForbidden, "stronger role than yours (editor)"},
		{"client may not create", client, "x", herald.RoleClient, nil, herald.CodeForbidden, "tokens.create"},
		{"unknown role", editor, "x", "boss", nil, herald.CodeInvalid, `role: "boss" is not one of`},
		{"empty name", editor, " ", herald.RoleEditor, nil, herald.CodeInvalid, "name: is required"},
		{"long name", editor, long, herald.RoleEditor, nil, herald.CodeInvalid, "name: is 101 characters"},
		{"expiry in the past", editor, "x", herald.RoleEditor, &past, herald.CodeInvalid, "expires_at: is not in the future"},
	}
	for _, tt := range bad {
		t.Run(tt.name, func(t *testing.T) {
			_, _, err := f.svc.CreateToken(ctx, tt.actor, tt.tname, tt.role, tt.expires)
			wantCode(t, err, tt.code, tt.msg)
		})
	}

	adminSecret, adminTok, err := f.svc.CreateToken(ctx, admin, "ops", herald.RoleAdmin, nil)
	if err != nil {
		t.Fatal(err)
	}
	if own, _ := f.svc.ListTokens(ctx, editor); len(own) != 1 || own[0].ID != tok.ID {
		t.Errorf("editor lists %+v, want only their token", own)
	}
	if all, _ := f.svc.ListTokens(ctx, admin); len(all) != 2 {
		t.Errorf("admin lists %d tokens, want 2", len(all))
	}

	// AuthenticateToken.
	p, err := f.svc.AuthenticateToken(ctx, secret)
	if err != nil || p.UserID != bob.ID || p.Token == nil || p.Token.ID != tok.ID {
		t.Fatalf("principal = %+v, %v", p, err)
	}
	stored, _ := f.store.GetToken(ctx, w.ID, tok.ID)
	if stored.LastUsedAt == nil || !stored.LastUsedAt.Equal(f.clock.Now()) {
		t.Fatalf("LastUsedAt = %v", stored.LastUsedAt)
	}
	first := *stored.LastUsedAt
	f.clock.Advance(30 * time.Second)
	f.svc.AuthenticateToken(ctx, secret)
	if stored, _ = f.store.GetToken(ctx, w.ID, tok.ID); !stored.LastUsedAt.Equal(first) {
		t.Errorf("LastUsedAt written again within a minute: %v", stored.LastUsedAt)
	}
	f.clock.Advance(31 * time.Second)
	f.svc.AuthenticateToken(ctx, secret)
	if stored, _ = f.store.GetToken(ctx, w.ID, tok.ID); !stored.LastUsedAt.Equal(f.clock.Now()) {
		t.Errorf("LastUsedAt not written after a minute: %v", stored.LastUsedAt)
	}
	for _, s := range []string{"", "hrld_nope", "Bearer " + secret, secret + "x", "xyz"} {
		_, err := f.svc.AuthenticateToken(ctx, s)
		wantCode(t, err, herald.CodeUnauthorized, "the API token is not valid: create a new one")
	}

	// Expiry.
	soon := f.clock.Now().Add(time.Hour)
	expSecret, _, err := f.svc.CreateToken(ctx, editor, "short-lived", herald.RoleEditor, &soon)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := f.svc.AuthenticateToken(ctx, expSecret); err != nil {
		t.Fatalf("fresh token refused: %v", err)
	}
	f.clock.Advance(time.Hour)
	_, err = f.svc.AuthenticateToken(ctx, expSecret)
	wantCode(t, err, herald.CodeUnauthorized, "")

	// Revocation: others' tokens are not found unless the role manages tokens.
	wantCode(t, f.svc.RevokeToken(ctx, editor, adminTok.ID), herald.CodeNotFound, "token not found")
	wantCode(t, f.svc.RevokeToken(ctx, editor, 999999), herald.CodeNotFound, "token not found")
	if err := f.svc.RevokeToken(ctx, editor, tok.ID); err != nil {
		t.Fatal(err)
	}
	if err := f.svc.RevokeToken(ctx, editor, tok.ID); err != nil {
		t.Fatalf("second revoke: %v", err)
	}
	_, err = f.svc.AuthenticateToken(ctx, secret)
	wantCode(t, err, herald.CodeUnauthorized, "")
	if err := f.svc.RevokeToken(ctx, admin, adminTok.ID); err != nil {
		t.Fatal(err)
	}
	if _, err := f.svc.AuthenticateToken(ctx, adminSecret); err == nil {
		t.Error("revoked admin token still works")
	}

	entries, _, err := f.store.ListAudit(ctx, herald.AuditFilter{WorkspaceID: w.ID, Page: herald.Page{Limit: 50}})
	if err != nil {
		t.Fatal(err)
	}
	counts := map[string]int{}
	for _, e := range entries {
		counts[e.Action]++
		for _, s := range []string{secret, adminSecret, expSecret} {
			if strings.Contains(string(e.Before)+string(e.After), s) || strings.Contains(string(e.Before)+string(e.After), `"hash"`) {
				t.Errorf("audit entry %s reveals a secret or hash: %s %s", e.Action, e.Before, e.After)
			}
		}
	}
	if counts["token.create"] != 3 || counts["token.revoke"] != 2 {
		t.Errorf("audit actions = %v, want 3 token.create and 2 token.revoke", counts)
	}
}

func TestMiddlewareAndSessions(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	ana := f.mustUser(t, "ana@example.com")
	w := f.mustWorkspace(t, "W", map[int64]herald.Role{ana.ID: herald.RoleOwner})
	secret, tok, err := f.svc.CreateToken(ctx, f.mustActor(t, ana.ID, w.ID), "ci", herald.RoleEditor, nil)
	if err != nil {
		t.Fatal(err)
	}

	sm := NewSessionManager(f.store, true)
	if sm.Cookie.Name != "herald_session" || !sm.Cookie.HttpOnly || sm.Cookie.SameSite != http.SameSiteLaxMode ||
		!sm.Cookie.Secure || sm.Lifetime != 14*24*time.Hour || sm.IdleTimeout != 24*time.Hour {
		t.Fatalf("session manager settings: %+v lifetime %v idle %v", sm.Cookie, sm.Lifetime, sm.IdleTimeout)
	}
	sm.Cookie.Secure = false // httptest serves plain HTTP
	mux := http.NewServeMux()
	mux.HandleFunc("POST /login", func(w http.ResponseWriter, r *http.Request) {
		u, err := f.svc.Login(r.Context(), r.FormValue("email"), r.FormValue("password"), r.RemoteAddr)
		if err != nil {
			http.Error(w, err.Error(), http.StatusUnauthorized)
			return
		}
		if err := f.svc.StartSession(r.Context(), sm, u.ID); err != nil {
			http.Error(w, err.Error(), http.StatusInternalServerError)
		}
	})
	mux.HandleFunc("POST /logout", func(w http.ResponseWriter, r *http.Request) {
		if err := f.svc.EndSession(r.Context(), sm); err != nil {
			http.Error(w, err.Error(), http.StatusInternalServerError)
		}
	})
	mux.HandleFunc("GET /me", func(w http.ResponseWriter, r *http.Request) {
		p, ok := herald.PrincipalFrom(r.Context())
		switch {
		case !ok:
			io.WriteString(w, "anonymous")
		case p.Token != nil:
			io.WriteString(w, "token "+p.Token.Name)
		default:
			io.WriteString(w, "user "+itoa(p.UserID))
		}
	})
	srv := httptest.NewServer(sm.LoadAndSave(f.svc.Middleware(sm)(mux)))
	defer srv.Close()
	jar, _ := cookiejar.New(nil)
	c := &http.Client{Jar: jar}

	get := func(t *testing.T, header string) (int, string, http.Header) {
		t.Helper()
		req, _ := http.NewRequest(http.MethodGet, srv.URL+"/me", nil)
		if header != "" {
			req.Header.Set("Authorization", header)
		}
		resp, err := c.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, string(b), resp.Header
	}

	if _, body, _ := get(t, ""); body != "anonymous" {
		t.Errorf("before login: %q", body)
	}
	resp, err := c.PostForm(srv.URL+"/login", map[string][]string{"email": {"ana@example.com"}, "password": {"a good long password"}})
	if err != nil || resp.StatusCode != 200 {
		t.Fatalf("login: %v %v", resp.Status, err)
	}
	resp.Body.Close()
	var cookie *http.Cookie
	for _, ck := range resp.Cookies() {
		if ck.Name == SessionCookie {
			cookie = ck
		}
	}
	if cookie == nil || !cookie.HttpOnly || cookie.SameSite != http.SameSiteLaxMode {
		t.Fatalf("session cookie = %+v", cookie)
	}
	if _, body, _ := get(t, ""); body != "user "+itoa(ana.ID) {
		t.Errorf("after login: %q", body)
	}
	if data, found, err := f.store.FindSession(ctx, sessionKey(cookie.Value)); err != nil || !found || len(data) == 0 {
		t.Errorf("session not in the store: found=%v err=%v", found, err)
	}
	if _, found, _ := f.store.FindSession(ctx, cookie.Value); found {
		t.Error("the store finds the session by the cookie's own value: it keeps tokens unhashed")
	}
	f.mustNotContain(t, "sessions", cookie.Value)
	if _, body, _ := get(t, "Bearer "+secret); body != "token "+tok.Name {
		t.Errorf("with token: %q", body)
	}
	status, body, h := get(t, "Bearer hrld_invalid")
	want := `{"error":{"code":"unauthorized","message":"the API token is not valid: create a new one","details":[]}}` + "\n"
	if status != http.StatusUnauthorized || body != want || !strings.HasPrefix(h.Get("Content-Type"), "application/json") {
		t.Errorf("bad token: %d %q %q", status, body, h.Get("Content-Type"))
	}
	resp, err = c.Post(srv.URL+"/logout", "", nil)
	if err != nil || resp.StatusCode != 200 {
		t.Fatalf("logout: %v %v", resp.Status, err)
	}
	resp.Body.Close()
	if _, found, _ := f.store.FindSession(ctx, sessionKey(cookie.Value)); found {
		t.Error("session still in the store after logout")
	}
	if _, body, _ := get(t, ""); body != "anonymous" {
		t.Errorf("after logout: %q", body)
	}
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }
