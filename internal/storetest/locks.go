package storetest

import (
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/heraldsocial/herald/internal/herald"
)

// errLast stands for the service's "last owner" refusal.
var errLast = errors.New("last owner")

// lockTests checks the locking reads. LockOwners: two transactions that
// each take away an owner after checking another one remains cannot both
// pass the check. LockAccount: a change committed by another transaction
// cannot land between a locked read and the write based on it.
func lockTests() []test {
	return []test{
		{"LockAccountHoldsOffWriters", func(t *testing.T, s herald.Store) {
			ctx := t.Context()
			w := mustWorkspace(t, s)
			other := mustWorkspace(t, s)
			a := mustAccount(t, s, w.ID)
			_, err := s.LockAccount(ctx, other.ID, a.ID)
			wantNotFound(t, err, "LockAccount in another workspace")
			read := make(chan struct{})
			done := make(chan error, 1)
			go func() {
				<-read
				done <- s.InTx(ctx, func(tx herald.Tx) error {
					cur, err := tx.GetAccount(ctx, w.ID, a.ID)
					if err != nil {
						return err
					}
					cur.Status, cur.StatusReason = herald.AccountRevoked, "disconnected"
					return tx.UpdateAccount(ctx, &cur)
				})
			}()
			noErr(t, s.InTx(ctx, func(tx herald.Tx) error {
				cur, err := tx.LockAccount(ctx, w.ID, a.ID)
				if err != nil {
					return err
				}
				close(read)
				time.Sleep(100 * time.Millisecond) // the other writer would commit now without the lock
				if cur.Status != herald.AccountConnected {
					t.Errorf("locked read: status %s", cur.Status)
				}
				cur.StatusReason = "refreshed"
				return tx.UpdateAccount(ctx, &cur)
			}), "locked read-compare-write")
			noErr(t, <-done, "concurrent disconnect")
			got, err := s.GetAccount(ctx, w.ID, a.ID)
			noErr(t, err, "GetAccount")
			if got.Status != herald.AccountRevoked || got.StatusReason != "disconnected" {
				t.Fatalf("account is %s %q; want the disconnect, committed after the locked write, to win", got.Status, got.StatusReason)
			}
		}},
		{"LockOwnersCounts", func(t *testing.T, s herald.Store) {
			ctx := t.Context()
			w := mustWorkspace(t, s)
			other := mustWorkspace(t, s)
			a, b, c := mustUser(t, s), mustUser(t, s), mustUser(t, s)
			mustMember(t, s, w.ID, a.ID, herald.RoleOwner)
			mustMember(t, s, w.ID, b.ID, herald.RoleOwner)
			mustMember(t, s, w.ID, c.ID, herald.RoleAdmin)
			mustMember(t, s, other.ID, c.ID, herald.RoleOwner)
			noErr(t, s.InTx(ctx, func(tx herald.Tx) error {
				n, err := tx.LockOwners(ctx, w.ID)
				if err == nil && n != 2 {
					t.Errorf("LockOwners = %d, want 2", n)
				}
				return err
			}), "LockOwners")
		}},
		{"OwnersDemotingEachOtherAtOnce", func(t *testing.T, s herald.Store) {
			for _, remove := range []bool{false, true} {
				ctx := t.Context()
				w := mustWorkspace(t, s)
				a, b := mustUser(t, s), mustUser(t, s)
				mustMember(t, s, w.ID, a.ID, herald.RoleOwner)
				mustMember(t, s, w.ID, b.ID, herald.RoleOwner)
				// Each owner demotes the other (or, with remove, removes
				// the other) after checking another owner remains; the
				// pause widens the window between check and write.
				change := func(target int64) error {
					return s.InTx(ctx, func(tx herald.Tx) error {
						n, err := tx.LockOwners(ctx, w.ID)
						if err != nil {
							return err
						}
						time.Sleep(100 * time.Millisecond)
						if n <= 1 {
							return errLast
						}
						if remove {
							return tx.RemoveMember(ctx, w.ID, target)
						}
						return tx.UpdateMemberRole(ctx, w.ID, target, herald.RoleAdmin)
					})
				}
				start := make(chan struct{})
				errs := make([]error, 2)
				var wg sync.WaitGroup
				for i, target := range []int64{b.ID, a.ID} {
					wg.Add(1)
					go func() {
						defer wg.Done()
						<-start
						errs[i] = change(target)
					}()
				}
				close(start)
				wg.Wait()
				ok := 0
				for _, err := range errs {
					switch {
					case err == nil:
						ok++
					case !errors.Is(err, errLast):
						t.Fatalf("remove=%v: unexpected error %v", remove, err)
					}
				}
				n, err := s.CountMembersWithRole(ctx, w.ID, herald.RoleOwner)
				noErr(t, err, "CountMembersWithRole")
				if ok != 1 || n != 1 {
					t.Fatalf("remove=%v: %d changes succeeded and %d owners remain; want 1 and 1 (errors %v)", remove, ok, n, errs)
				}
			}
		}},
	}
}
