package storetest

import (
	"testing"
	"time"

	"github.com/heraldsocial/herald/internal/herald"
)

// identityTests check that an account is identified by (workspace,
// platform, server, remote id) on federated platforms: small Mastodon
// servers hand out the same ids, and one account must never become
// another.
func identityTests() []test {
	return []test{
		{"SameIDOnTwoServers", func(t *testing.T, s herald.Store) {
			ctx := t.Context()
			w := mustWorld(t, s)
			mastodon := func(instance, handle, secret string) herald.Account {
				return herald.Account{WorkspaceID: w.ws.ID, Platform: herald.PlatformMastodon, RemoteID: "109",
					Handle: handle, InstanceURL: instance, Status: herald.AccountConnected,
					Credentials: herald.Sealed{KeyID: "k1", Ciphertext: []byte(secret)}, CreatedAt: at(0), UpdatedAt: at(0)}
			}
			one := mastodon("https://one.example", "@brand@one.example", "secret one")
			noErr(t, s.CreateAccount(ctx, &one), "CreateAccount(one.example)")
			two := mastodon("https://two.example", "@brand@two.example", "secret two")
			noErr(t, s.CreateAccount(ctx, &two), "CreateAccount(two.example, same id)")
			if one.ID == two.ID {
				t.Fatalf("both accounts got id %d", one.ID)
			}
			scheduled := func(acc herald.Account, text string) herald.Post {
				p := herald.Post{WorkspaceID: w.ws.ID, AuthorID: w.owner.ID, Text: text, CreatedAt: at(0), UpdatedAt: at(0),
					Targets: []herald.Target{target(acc.ID, herald.StateScheduled, ptr(at(time.Hour)))}}
				noErr(t, s.CreatePost(ctx, &p), "CreatePost")
				return p
			}
			p1, p2 := scheduled(one, "for one"), scheduled(two, "for two")

			// The same server and id, spelled differently, is the same
			// account: the store refuses a second row.
			again := mastodon("https://ONE.example/", "@brand@one.example", "secret again")
			wantConflict(t, s.CreateAccount(ctx, &again), "CreateAccount(one.example again, other spelling)")

			// Reconnecting updates the one row in place.
			one.Credentials = herald.Sealed{KeyID: "k2", Ciphertext: []byte("secret one, reconnected")}
			one.DisplayName = "Brand (one)"
			one.UpdatedAt = at(time.Minute)
			noErr(t, s.UpdateAccount(ctx, &one), "UpdateAccount(reconnect one)")

			// Moving an account onto another's server and id clashes.
			moved := two
			moved.InstanceURL = "https://one.example"
			wantConflict(t, s.UpdateAccount(ctx, &moved), "UpdateAccount(two onto one.example)")

			list, err := s.ListAccounts(ctx, w.ws.ID)
			noErr(t, err, "ListAccounts")
			if len(list) != 3 { // w.account, one, two
				t.Fatalf("ListAccounts = %d accounts, want 3: %+v", len(list), list)
			}
			for _, c := range []struct {
				acc            herald.Account
				instance, cred string
				post           herald.Post
			}{{one, "https://one.example", "secret one, reconnected", p1}, {two, "https://two.example", "secret two", p2}} {
				got, err := s.GetAccount(ctx, w.ws.ID, c.acc.ID)
				noErr(t, err, "GetAccount")
				if got.InstanceURL != c.instance || string(got.Credentials.Ciphertext) != c.cred {
					t.Fatalf("account %d = %s %q, want %s %q", got.ID, got.InstanceURL, got.Credentials.Ciphertext, c.instance, c.cred)
				}
				posts, _, err := s.ListPosts(ctx, herald.PostFilter{WorkspaceID: w.ws.ID, AccountID: c.acc.ID})
				noErr(t, err, "ListPosts(account)")
				if len(posts) != 1 || posts[0].ID != c.post.ID || posts[0].Targets[0].State != herald.StateScheduled {
					t.Fatalf("account %d (%s) has posts %+v, want only its scheduled post %d", c.acc.ID, c.instance, posts, c.post.ID)
				}
			}
		}},
		{"ServerIsNoPartOfOtherIdentities", func(t *testing.T, s herald.Store) {
			ctx := t.Context()
			w := mustWorkspace(t, s)
			a := herald.Account{WorkspaceID: w.ID, Platform: herald.PlatformBluesky, RemoteID: "did:plc:brand",
				Handle: "brand.example", InstanceURL: "https://pds1.example", Status: herald.AccountConnected,
				CreatedAt: at(0), UpdatedAt: at(0)}
			noErr(t, s.CreateAccount(ctx, &a), "CreateAccount(bluesky)")
			// A Bluesky account keeps its DID when it moves to another PDS.
			moved := a
			moved.ID, moved.InstanceURL = 0, "https://pds2.example"
			wantConflict(t, s.CreateAccount(ctx, &moved), "CreateAccount(same DID, other PDS)")
		}},
	}
}
