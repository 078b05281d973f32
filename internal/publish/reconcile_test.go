package publish_test

import (
	"context"
	"errors"
	"log/slog"
	"net/http"
	"path/filepath"
	"sync/atomic"
	"testing"
	"time"

	"github.com/heraldsocial/herald/internal/connector"
	"github.com/heraldsocial/herald/internal/connector/fake"
	"github.com/heraldsocial/herald/internal/connector/fake/fakeserver"
	"github.com/heraldsocial/herald/internal/herald"
	"github.com/heraldsocial/herald/internal/publish"
	"github.com/heraldsocial/herald/internal/sqlite"
)

// scripted is the fake connector with a script: every Publish may carry
// the post out and then lose the answer (store), or lose the request
// itself (lose); Find may fail with a given error. It is never idempotent
// unless idem is set.
type scripted struct {
	inner   *fake.Connector
	idem    bool
	store   bool  // Publish reaches the platform, then the answer is lost
	lose    bool  // Publish never reaches the platform, and no answer comes
	findErr error // every Find fails with it

	sends, finds atomic.Int32
}

func (s *scripted) Publish(ctx context.Context, acct connector.Account, p connector.Part) (herald.RemoteRef, error) {
	s.sends.Add(1)
	lost := &connector.Error{Class: connector.Ambiguous, Message: "the request was sent but no answer came"}
	switch {
	case s.lose:
		return herald.RemoteRef{}, lost
	case s.store:
		if _, err := s.inner.Publish(ctx, acct, p); err != nil {
			return herald.RemoteRef{}, err
		}
		return herald.RemoteRef{}, lost
	}
	return s.inner.Publish(ctx, acct, p)
}

func (s *scripted) Find(ctx context.Context, acct connector.Account, p connector.Part) (herald.RemoteRef, bool, error) {
	s.finds.Add(1)
	if s.findErr != nil {
		return herald.RemoteRef{}, false, s.findErr
	}
	return s.inner.Find(ctx, acct, p)
}

func (s *scripted) Idempotent(context.Context, connector.Account) bool { return s.idem }

// sqliteStore is a fresh migrated SQLite store: the paths tested with it
// are the dispatcher's own, the same on every store.
func sqliteStore(t *testing.T) testStore {
	t.Helper()
	db, err := sqlite.Open(t.Context(), filepath.Join(t.TempDir(), "herald.db"))
	if err != nil {
		t.Fatalf("sqlite.Open: %v", err)
	}
	t.Cleanup(func() { _ = db.Close() })
	if err := db.Migrate(t.Context()); err != nil {
		t.Fatalf("Migrate: %v", err)
	}
	return db
}

// reconcileConfig gives up after three attempts, quickly.
func reconcileConfig() publish.Config {
	cfg := testConfig("one")
	cfg.MaxAttempts = 3
	cfg.BackoffBase, cfg.BackoffCap = 20*time.Millisecond, 50*time.Millisecond
	cfg.RateLimitWait = 50 * time.Millisecond
	return cfg
}

// TestNonIdempotentAccountIsNeverSentTwice drives every way a lookup can
// fail to settle an ambiguous send on an account whose platform does not
// deduplicate: the post reaches the platform once, and the target ends
// unconfirmed (or waits), never published twice.
func TestNonIdempotentAccountIsNeverSentTwice(t *testing.T) {
	for _, tc := range []struct {
		name    string
		findErr error
		want    herald.TargetState
	}{
		{"lookup fails transiently", &connector.Error{Class: connector.Transient, Status: 503, Message: "unavailable"}, herald.StateUnconfirmed},
		{"lookup is ambiguous", &connector.Error{Class: connector.Ambiguous, Message: "no answer"}, herald.StateUnconfirmed},
		{"lookup not found (404)", &connector.Error{Class: connector.Invalid, Status: http.StatusNotFound, Message: "Record not found"}, herald.StateUnconfirmed},
		{"lookup refused", &connector.Error{Class: connector.Invalid, Status: 400, Message: "bad request"}, herald.StateUnconfirmed},
		{"lookup rate limited", &connector.Error{Class: connector.RateLimited, Status: 429, RetryAfter: 30 * time.Millisecond}, herald.StateRetrying},
		{"lookup token expired", &connector.Error{Class: connector.AuthExpired, Status: 401, Message: "expired"}, herald.StateRetrying},
		{"lookup token revoked", &connector.Error{Class: connector.AuthRevoked, Status: 401, Message: "revoked"}, herald.StateRetrying},
		{"connector error without a class", errors.New("something broke"), herald.StateUnconfirmed},
	} {
		t.Run(tc.name, func(t *testing.T) {
			h := newHarness(t, sqliteStore(t), fakeserver.Config{})
			acct := h.account(t, "alice", "", "")
			tg := h.schedule(t, acct, time.Now(), herald.Variant{Text: "hello"})
			conn := &scripted{inner: fake.New(h.srv.Client()), store: true, findErr: tc.findErr}
			h.start(t, reconcileConfig(), h.registry(conn))
			if tc.want == herald.StateUnconfirmed {
				h.waitState(t, tg.ID, herald.StateUnconfirmed)
			} else {
				// It waits (for the reset, or the account); the lookup is
				// tried again meanwhile where it can be.
				waitFor(t, "a lookup", func() bool { return conn.finds.Load() >= 1 })
				time.Sleep(300 * time.Millisecond)
				if st := h.target(t, tg.ID).State; st == herald.StatePublished || st == herald.StateFailed {
					t.Fatalf("target is %s, want it waiting", st)
				}
			}
			if n := conn.sends.Load(); n != 1 {
				t.Errorf("Publish was called %d times, want exactly once", n)
			}
			if n := h.srv.Ledger().Count(); n != 1 {
				t.Errorf("the platform has %d posts, want 1", n)
			}
		})
	}
}

// TestLostSendsEndUnconfirmed: every send is lost and every lookup says
// "not there"; when the attempts run out the target is unconfirmed (the
// last send may still land), not failed.
func TestLostSendsEndUnconfirmed(t *testing.T) {
	h := newHarness(t, sqliteStore(t), fakeserver.Config{Lookup: true})
	acct := h.account(t, "alice", "", "")
	tg := h.schedule(t, acct, time.Now(), herald.Variant{Text: "hello"})
	conn := &scripted{inner: fake.New(h.srv.Client()), lose: true}
	h.start(t, reconcileConfig(), h.registry(conn))
	got := h.waitState(t, tg.ID, herald.StateUnconfirmed, herald.StateFailed)
	if got.State != herald.StateUnconfirmed {
		t.Fatalf("target is %s (%q), want unconfirmed", got.State, got.LastError)
	}
	for _, a := range h.attempts(t, tg.ID) {
		if a.Outcome != herald.OutcomeAmbiguous {
			t.Errorf("attempt %d outcome %s, want ambiguous", a.Number, a.Outcome)
		}
	}
}

// failingStore fails ListAttempts once, on call fail.
type failingStore struct {
	testStore
	fail int32
	n    atomic.Int32
}

func (s *failingStore) ListAttempts(ctx context.Context, ws, id int64) ([]herald.Attempt, error) {
	if s.n.Add(1) == s.fail {
		return nil, errors.New("the database is away")
	}
	return s.testStore.ListAttempts(ctx, ws, id)
}

// TestAmbiguousSendSurvivesAnAttemptThatEndsEarly: after an ambiguous send,
// an attempt that ends before reaching the platform (credentials that
// cannot be opened, attempts that cannot be read) must still leave the
// target "look before sending", so the one after never sends blindly.
func TestAmbiguousSendSurvivesAnAttemptThatEndsEarly(t *testing.T) {
	for _, tc := range []struct {
		name      string
		openFails bool
		listFails bool
	}{
		{"credentials cannot be opened", true, false},
		{"earlier attempts cannot be read", false, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			base := sqliteStore(t)
			store := &failingStore{testStore: base, fail: -1}
			if tc.listFails {
				store.fail = 1 // attempt 2 reads the attempts first
			}
			h := newHarness(t, store, fakeserver.Config{})
			acct := h.account(t, "alice", "", "")
			tg := h.schedule(t, acct, time.Now(), herald.Variant{Text: "hello"})
			conn := &scripted{inner: fake.New(h.srv.Client()), store: true,
				findErr: &connector.Error{Class: connector.Transient, Status: 503}}
			var opens atomic.Int32
			open := func(s herald.Sealed, aad []byte) ([]byte, error) {
				if opens.Add(1) == 2 && tc.openFails {
					return nil, errors.New("the keyring is away")
				}
				return h.kr.Open(s, aad)
			}
			cfg := reconcileConfig()
			cfg.MaxAttempts = 4
			d := publish.New(cfg, publish.Deps{Store: store, Connectors: h.registry(conn), Open: open, Seal: h.kr.Seal,
				OpenMedia: h.openMedia, Notifier: h.notes, Logger: slog.New(slog.NewTextHandler(h.logs, nil))})
			if err := d.Start(t.Context()); err != nil {
				t.Fatal(err)
			}
			t.Cleanup(d.Stop)
			h.waitState(t, tg.ID, herald.StateUnconfirmed)
			if n := conn.sends.Load(); n != 1 {
				t.Errorf("Publish was called %d times, want exactly once", n)
			}
			if n := h.srv.Ledger().Count(); n != 1 {
				t.Errorf("the platform has %d posts, want 1", n)
			}
		})
	}
}
