package post_test

import (
	"context"
	"fmt"
	"log/slog"
	"sync"
	"testing"
	"time"

	"github.com/heraldsocial/herald/internal/connector"
	"github.com/heraldsocial/herald/internal/herald"
	"github.com/heraldsocial/herald/internal/keyring"
	"github.com/heraldsocial/herald/internal/post"
)

// boards is a platform whose options come from the account (its boards),
// each listing a call to the platform.
type boards struct {
	mu    sync.Mutex
	calls int
	fail  bool
}

func (*boards) Publish(context.Context, connector.Account, connector.Part) (herald.RemoteRef, error) {
	return herald.RemoteRef{}, fmt.Errorf("not in this test")
}

func (b *boards) OptionFields(context.Context, connector.Account) ([]connector.OptionField, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.calls++
	if b.fail {
		return nil, &connector.Error{Class: connector.Transient, Message: "the platform is down"}
	}
	return []connector.OptionField{{Key: "board", Label: "Board", Kind: connector.OptionSelect,
		Choices: []connector.Choice{{Value: "1", Label: fmt.Sprintf("Board as of call %d", b.calls)}}}}, nil
}

func (b *boards) count() int {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.calls
}

// stepClock is a clock the test moves.
type stepClock struct {
	mu  sync.Mutex
	now time.Time
}

func (c *stepClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *stepClock) add(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = c.now.Add(d)
}

// TestOptionFieldsReused: opening the composer again within minutes does
// not ask the platform again; a failure is not kept, and new credentials
// (a reconnect, a refreshed token) or the time passing ask afresh.
func TestOptionFieldsReused(t *testing.T) {
	forEachStore(t, func(t *testing.T, st herald.Store) {
		ctx := context.Background()
		w := newRoleWorld(t, st)
		line, err := keyring.GenerateLine()
		if err != nil {
			t.Fatal(err)
		}
		keys, err := keyring.New([]byte(line + "\n"))
		if err != nil {
			t.Fatal(err)
		}
		seal := func(creds string) {
			t.Helper()
			if w.acct.Credentials, err = keys.Seal([]byte(creds), w.acct.CredentialsAAD()); err != nil {
				t.Fatal(err)
			}
			if err := st.UpdateAccount(ctx, &w.acct); err != nil {
				t.Fatal(err)
			}
		}
		seal(`{"token":"one"}`)
		conn := &boards{}
		reg := connector.NewRegistry()
		reg.Register(herald.PlatformFake, conn)
		clock := &stepClock{now: time.Date(2026, 12, 4, 9, 0, 0, 0, time.UTC)}
		svc := post.New(st, clock, slog.New(slog.DiscardHandler), post.WithConnectors(reg, keys))
		editor := w.actors[herald.RoleEditor]
		list := func() string {
			t.Helper()
			f, err := svc.OptionFields(ctx, editor, w.acct.ID)
			if err != nil {
				t.Fatalf("OptionFields: %v", err)
			}
			return f[0].Choices[0].Label
		}

		if got := list(); got != "Board as of call 1" {
			t.Fatalf("first listing %q", got)
		}
		clock.add(time.Minute)
		if got := list(); got != "Board as of call 1" || conn.count() != 1 {
			t.Fatalf("a minute later: %q after %d calls, want the listing reused", got, conn.count())
		}
		seal(`{"token":"two"}`) // a refreshed token
		if got := list(); got != "Board as of call 2" {
			t.Fatalf("after new credentials: %q, want a new listing", got)
		}
		clock.add(6 * time.Minute)
		conn.mu.Lock()
		conn.fail = true
		conn.mu.Unlock()
		if _, err := svc.OptionFields(ctx, editor, w.acct.ID); err == nil {
			t.Fatal("the platform failing: no error")
		}
		conn.mu.Lock()
		conn.fail = false
		conn.mu.Unlock()
		if got := list(); got != "Board as of call 4" {
			t.Fatalf("after a failure: %q, want the platform asked again", got)
		}
		if _, err := svc.OptionFields(ctx, w.actors[herald.RoleAnalyst], w.acct.ID); err == nil {
			t.Fatal("an analyst listed options from the cache")
		}
	})
}
