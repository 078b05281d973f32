package auth

import (
	"context"
	"database/sql"
	"fmt"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/alexedwards/scs/v2"

	"github.com/heraldsocial/herald/internal/herald"
)

// mustNotContain fails when any row of table holds secret, or a 16-byte
// piece of it, in any column.
func (f *fixture) mustNotContain(t *testing.T, table, secret string) {
	t.Helper()
	db, err := sql.Open("sqlite", "file:"+f.path+"?mode=ro")
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	rows, err := db.Query("SELECT * FROM " + table)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	cols, _ := rows.Columns()
	n := 0
	for rows.Next() {
		n++
		vals := make([]any, len(cols))
		ptrs := make([]any, len(cols))
		for i := range vals {
			ptrs[i] = &vals[i]
		}
		if err := rows.Scan(ptrs...); err != nil {
			t.Fatal(err)
		}
		for i, v := range vals {
			cell := fmt.Sprint(v)
			if b, ok := v.([]byte); ok {
				cell = string(b)
			}
			for j := 0; j+16 <= len(secret); j++ {
				if piece := secret[j : j+16]; containsString(cell, piece) {
					t.Fatalf("table %s, column %s holds %q, part of the secret %q", table, cols[i], piece, secret)
				}
			}
		}
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	if n == 0 {
		t.Fatalf("table %s is empty: nothing was checked", table)
	}
}

func containsString(s, sub string) bool {
	for i := 0; i+len(sub) <= len(s); i++ {
		if s[i:i+len(sub)] == sub {
			return true
		}
	}
	return false
}

// countChecks replaces the service's password check with one that counts
// checks and the most running at once, taking at least hold each.
func countChecks(s *Service, hold time.Duration) (checks, peak *atomic.Int64) {
	checks, peak = new(atomic.Int64), new(atomic.Int64)
	var running atomic.Int64
	real := s.check
	s.check = func(hash, password string) (bool, error) {
		checks.Add(1)
		n := running.Add(1)
		defer running.Add(-1)
		for {
			p := peak.Load()
			if n <= p || peak.CompareAndSwap(p, n) {
				break
			}
		}
		start := time.Now()
		ok, err := real(hash, password)
		time.Sleep(hold - time.Since(start))
		return ok, err
	}
	return checks, peak
}

func TestLoginConcurrentFailuresStayWithinTheLimit(t *testing.T) {
	f := newFixture(t)
	f.mustUser(t, "ana@example.com")
	f.svc.slots = make(chan struct{}, 3)
	checks, peak := countChecks(f.svc, 0)
	const n = 200
	errs := make([]error, n)
	var wg sync.WaitGroup
	start := make(chan struct{})
	for i := range n {
		wg.Go(func() {
			<-start
			_, errs[i] = f.svc.Login(context.Background(), "ana@example.com", "wrong password "+itoa(int64(i)), "10.0.0.9:4000")
		})
	}
	close(start)
	wg.Wait()
	if got := checks.Load(); got > limitPerEmailIP {
		t.Errorf("%d passwords were checked; the limit is %d", got, limitPerEmailIP)
	}
	if got := peak.Load(); got > 3 {
		t.Errorf("%d checks ran at once; the slots are 3", got)
	}
	wrong, limited := 0, 0
	for _, err := range errs {
		switch herald.ErrorCode(err) {
		case herald.CodeUnauthorized:
			wrong++
		case herald.CodeRateLimited:
			limited++
			if d, ok := RetryAfter(err); !ok || d <= 0 {
				t.Fatalf("a refusal without a wait: %v", err)
			}
		default:
			t.Fatalf("unexpected answer: %v", err)
		}
	}
	if int64(wrong) != checks.Load() || limited != n-wrong {
		t.Errorf("%d wrong-password answers, %d refusals, %d checks", wrong, limited, checks.Load())
	}
}

func TestLoginBoundsConcurrentChecks(t *testing.T) {
	f := newFixture(t)
	f.svc.slots = make(chan struct{}, 2)
	f.svc.slotWait = 60 * time.Millisecond
	checks, peak := countChecks(f.svc, 40*time.Millisecond)
	const n = 30
	errs := make([]error, n)
	var wg sync.WaitGroup
	start := make(chan struct{})
	for i := range n {
		wg.Go(func() {
			<-start
			// Different people from different addresses: no limit applies.
			_, errs[i] = f.svc.Login(context.Background(), fmt.Sprintf("p%d@example.com", i), "some password", fmt.Sprintf("10.1.0.%d", i))
		})
	}
	close(start)
	wg.Wait()
	if got := peak.Load(); got > 2 {
		t.Errorf("%d checks ran at once; the slots are 2", got)
	}
	busy := 0
	for _, err := range errs {
		if herald.ErrorCode(err) == herald.CodeRateLimited {
			busy++
			if d, ok := RetryAfter(err); !ok || d != slotRetryAfter {
				t.Errorf("busy refusal Retry-After = %v, %v", d, ok)
			}
		} else if herald.ErrorCode(err) != herald.CodeUnauthorized {
			t.Fatalf("unexpected answer: %v", err)
		}
	}
	if busy == 0 {
		t.Error("30 checks of 40 ms through 2 slots with a 60 ms wait: none was refused")
	}
	if int64(busy)+checks.Load() != n {
		t.Errorf("%d refused + %d checked != %d", busy, checks.Load(), n)
	}
	// A refusal for want of a slot is not a failed attempt.
	f.svc.slotWait = time.Minute
	for i := range n {
		if herald.ErrorCode(errs[i]) != herald.CodeRateLimited {
			continue
		}
		for k := range limitPerEmailIP {
			_, err := f.svc.Login(context.Background(), fmt.Sprintf("p%d@example.com", i), "again", fmt.Sprintf("10.1.0.%d", i))
			if herald.ErrorCode(err) != herald.CodeUnauthorized {
				t.Fatalf("attempt %d after a busy refusal: %v", k+1, err)
			}
		}
		break
	}
}

// commitSession stores a session of userID under token, as scs would.
func (f *fixture) commitSession(t *testing.T, token string, userID int64) {
	t.Helper()
	st := sessionStore{store: f.store, codec: scs.GobCodec{}}
	exp := time.Now().Add(time.Hour)
	data, err := st.codec.Encode(exp, map[string]any{sessionUserKey: userID})
	if err != nil {
		t.Fatal(err)
	}
	if err := st.CommitCtx(context.Background(), token, data, exp); err != nil {
		t.Fatal(err)
	}
}

func (f *fixture) sessionLive(t *testing.T, token string) bool {
	t.Helper()
	_, found, err := sessionStore{store: f.store}.FindCtx(context.Background(), token)
	if err != nil {
		t.Fatal(err)
	}
	return found
}

func TestChangePasswordEndsOtherSessions(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	ana := f.mustUser(t, "ana@example.com")
	bob := f.mustUser(t, "bob@example.com")
	w := f.mustWorkspace(t, "One", map[int64]herald.Role{ana.ID: herald.RoleOwner, bob.ID: herald.RoleEditor})
	for _, tok := range []string{"ana-here", "ana-phone", "ana-laptop"} {
		f.commitSession(t, tok, ana.ID)
	}
	f.commitSession(t, "bob-here", bob.ID)
	secret, _, err := f.svc.CreateToken(ctx, f.mustActor(t, ana.ID, w.ID), "ci", herald.RoleEditor, nil)
	if err != nil {
		t.Fatal(err)
	}

	done, err := f.svc.ChangePassword(ctx, ana.ID, "a good long password", "a better long password", "ana-here", false)
	if err != nil {
		t.Fatal(err)
	}
	if done.SessionsEnded != 2 || done.TokensRevoked != 0 {
		t.Errorf("done = %+v, want 2 sessions ended, no token revoked", done)
	}
	for tok, want := range map[string]bool{"ana-here": true, "ana-phone": false, "ana-laptop": false, "bob-here": true} {
		if got := f.sessionLive(t, tok); got != want {
			t.Errorf("session %s live = %v, want %v", tok, got, want)
		}
	}
	if _, err := f.svc.AuthenticateToken(ctx, secret); err != nil {
		t.Fatalf("the token stopped working without being asked: %v", err)
	}

	done, err = f.svc.ChangePassword(ctx, ana.ID, "a better long password", "the best long password", "ana-here", true)
	if err != nil {
		t.Fatal(err)
	}
	if done.TokensRevoked != 1 {
		t.Errorf("tokens revoked = %d, want 1", done.TokensRevoked)
	}
	if _, err := f.svc.AuthenticateToken(ctx, secret); herald.ErrorCode(err) != herald.CodeUnauthorized {
		t.Errorf("the token still works after revoking with the password change: %v", err)
	}
}

func TestSignOutMember(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	ana := f.mustUser(t, "ana@example.com") // owner
	bob := f.mustUser(t, "bob@example.com") // admin
	cleo := f.mustUser(t, "cleo@example.com")
	dan := f.mustUser(t, "dan@example.com") // elsewhere only
	w := f.mustWorkspace(t, "One", map[int64]herald.Role{ana.ID: herald.RoleOwner, bob.ID: herald.RoleAdmin, cleo.ID: herald.RoleEditor})
	f.mustWorkspace(t, "Two", map[int64]herald.Role{dan.ID: herald.RoleOwner, cleo.ID: herald.RoleOwner})
	for _, u := range []herald.User{ana, bob, cleo, dan} {
		f.commitSession(t, u.Email+"-1", u.ID)
		f.commitSession(t, u.Email+"-2", u.ID)
	}
	bobActor := f.mustActor(t, bob.ID, w.ID)
	n, err := f.svc.SignOutMember(ctx, bobActor, cleo.ID)
	if err != nil || n != 2 {
		t.Fatalf("admin signs out an editor: %d, %v", n, err)
	}
	if f.sessionLive(t, "cleo@example.com-1") || f.sessionLive(t, "cleo@example.com-2") {
		t.Error("cleo still signed in")
	}
	_, err = f.svc.SignOutMember(ctx, bobActor, ana.ID)
	wantCode(t, err, herald.CodeForbidden, "stronger role")
	_, err = f.svc.SignOutMember(ctx, bobActor, dan.ID)
	wantCode(t, err, herald.CodeNotFound, "")
	_, err = f.svc.SignOutMember(ctx, f.mustActor(t, cleo.ID, w.ID), bob.ID)
	wantCode(t, err, herald.CodeForbidden, "")
	if !f.sessionLive(t, "ana@example.com-1") || !f.sessionLive(t, "bob@example.com-1") || !f.sessionLive(t, "dan@example.com-2") {
		t.Error("a refused sign-out ended sessions")
	}
	if n, err := f.svc.SignOutMember(ctx, f.mustActor(t, ana.ID, w.ID), bob.ID); err != nil || n != 2 {
		t.Errorf("owner signs out an admin: %d, %v", n, err)
	}
}
