package storetest

import (
	"testing"
	"time"

	"github.com/heraldsocial/herald/internal/herald"
)

func jobTests() []test {
	return []test{
		{"AccountsToRefresh", func(t *testing.T, s herald.Store) {
			ctx := t.Context()
			w1 := mustWorkspace(t, s)
			w2 := mustWorkspace(t, s)
			before := at(time.Hour)
			type acct struct {
				name      string
				workspace int64
				status    herald.AccountStatus
				expires   *time.Time
				noCreds   bool
				want      bool
			}
			in := []acct{
				{"later", w1.ID, herald.AccountConnected, ptr(at(50 * time.Minute)), false, true},
				{"soonest in another workspace", w2.ID, herald.AccountExpiring, ptr(at(10 * time.Minute)), false, true},
				{"already expired but still connected", w1.ID, herald.AccountConnected, ptr(at(-time.Hour)), false, true},
				{"exactly at the bound", w1.ID, herald.AccountConnected, ptr(before), false, false},
				{"after the bound", w2.ID, herald.AccountConnected, ptr(at(2 * time.Hour)), false, false},
				{"never expires", w1.ID, herald.AccountConnected, nil, false, false},
				{"expired status", w1.ID, herald.AccountExpired, ptr(at(time.Minute)), false, false},
				{"revoked", w2.ID, herald.AccountRevoked, ptr(at(time.Minute)), false, false},
				{"no credentials", w1.ID, herald.AccountConnected, ptr(at(time.Minute)), true, false},
				{"same expiry as later, created after it", w2.ID, herald.AccountConnected, ptr(at(50 * time.Minute)), false, true},
			}
			ids := map[string]int64{}
			for _, x := range in {
				a := herald.Account{WorkspaceID: x.workspace, Platform: herald.PlatformFake, RemoteID: unique(),
					Handle: x.name, Status: x.status, TokenExpiresAt: x.expires, CreatedAt: at(0), UpdatedAt: at(0)}
				if !x.noCreds {
					a.Credentials = herald.Sealed{KeyID: "k1", Ciphertext: []byte("sealed " + x.name)}
				}
				noErr(t, s.CreateAccount(ctx, &a), "CreateAccount "+x.name)
				ids[x.name] = a.ID
			}
			want := []int64{ids["already expired but still connected"], ids["soonest in another workspace"],
				ids["later"], ids["same expiry as later, created after it"]}

			got, err := s.AccountsToRefresh(ctx, before, 100)
			noErr(t, err, "AccountsToRefresh")
			gotIDs := make([]int64, 0, len(got))
			for _, a := range got {
				gotIDs = append(gotIDs, a.ID)
			}
			wantIDs(t, "AccountsToRefresh", gotIDs, want)
			for _, a := range got {
				full, err := s.GetAccount(ctx, a.WorkspaceID, a.ID)
				noErr(t, err, "GetAccount")
				same(t, "account "+a.Handle, a, full)
			}

			got, err = s.AccountsToRefresh(ctx, before, 2)
			noErr(t, err, "AccountsToRefresh(limit 2)")
			if len(got) != 2 || got[0].ID != want[0] || got[1].ID != want[1] {
				t.Fatalf("AccountsToRefresh(limit 2) = %d accounts, want the first two of %v", len(got), want)
			}
		}},
		{"AccountsToRefreshNone", func(t *testing.T, s herald.Store) {
			got, err := s.AccountsToRefresh(t.Context(), at(time.Hour), 10)
			noErr(t, err, "AccountsToRefresh")
			if got == nil || len(got) != 0 {
				t.Fatalf("AccountsToRefresh on an empty store = %#v, want an empty, non-nil slice", got)
			}
		}},
		{"AccountsToRefreshBadLimit", func(t *testing.T, s herald.Store) {
			for _, limit := range []int{0, -1} {
				_, err := s.AccountsToRefresh(t.Context(), at(time.Hour), limit)
				wantIs(t, err, herald.ErrInvalid, "AccountsToRefresh(limit <1)")
			}
		}},
	}
}
