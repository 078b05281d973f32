package storetest

import (
	"testing"
	"time"

	"github.com/heraldsocial/herald/internal/herald"
)

func storeTests() []test {
	return []test{
		{"PingDialectMigrations", func(t *testing.T, s herald.Store) {
			ctx := t.Context()
			noErr(t, s.Ping(ctx), "Ping")
			if d := s.Dialect(); d != "sqlite" && d != "postgres" {
				t.Fatalf("Dialect() = %q, want sqlite or postgres", d)
			}
			ok, err := s.MigrationsCurrent(ctx)
			noErr(t, err, "MigrationsCurrent")
			if !ok {
				t.Fatal("MigrationsCurrent() = false on a migrated store")
			}
		}},
	}
}

func workspaceTests() []test {
	return []test{
		{"RoundTrip", func(t *testing.T, s herald.Store) {
			ctx := t.Context()
			w := mustWorkspace(t, s)
			got, err := s.GetWorkspace(ctx, w.ID)
			noErr(t, err, "GetWorkspace")
			same(t, "workspace", got, w)
		}},
		{"BrandVoiceRoundTrip", func(t *testing.T, s herald.Store) {
			// Every brand voice rule, and the older lists beside them, keep
			// their values (pointers set or not, unicode, severities).
			ctx := t.Context()
			w := mustWorkspace(t, s)
			w.BrandRules = herald.BrandRules{
				Voice:        "Chaleureux, bref — 🙂",
				BannedWords:  []string{"spam"},
				Banned:       []herald.BannedPhrase{{Phrase: "ça coûte", Replacement: "abordable", Severity: herald.SeverityWarning}},
				RequiredTags: []herald.RequiredTag{{Tag: "#ad", LabelID: 7, Severity: herald.SeverityBlock}, {Tag: "Paid partnership", CampaignID: 3, Severity: herald.SeverityWarning}},
				MaxEmoji:     &herald.CountLimit{Max: 0, Severity: herald.SeverityBlock},
				Link:         &herald.LinkRule{Mode: herald.LinkForbidden, Severity: herald.SeverityWarning},
				Shouting:     &herald.ShoutingRule{MaxPercent: 40, MinWordLength: 5, Severity: herald.SeverityWarning},
				Readability:  &herald.ReadabilityRule{MinScore: 60, Severity: herald.SeverityWarning},
			}
			w.UpdatedAt = at(time.Hour)
			noErr(t, s.UpdateWorkspace(ctx, &w), "UpdateWorkspace")
			got, err := s.GetWorkspace(ctx, w.ID)
			noErr(t, err, "GetWorkspace")
			same(t, "workspace with brand voice rules", got, w)
			if got.BrandRules.MaxHashtags != nil || got.BrandRules.MaxEmoji == nil || got.BrandRules.MaxEmoji.Max != 0 {
				t.Fatalf("limits after the round trip: %+v", got.BrandRules)
			}
		}},
		{"ZeroCreatedAtIsNow", func(t *testing.T, s herald.Store) {
			ctx := t.Context()
			before := time.Now().Add(-time.Minute)
			w := herald.Workspace{Name: "Zero", TimeZone: "UTC"}
			noErr(t, s.CreateWorkspace(ctx, &w), "CreateWorkspace")
			got, err := s.GetWorkspace(ctx, w.ID)
			noErr(t, err, "GetWorkspace")
			if got.CreatedAt.Before(before) || got.CreatedAt.After(time.Now().Add(time.Minute)) {
				t.Fatalf("CreatedAt = %v, want about now", got.CreatedAt)
			}
			wantUTC(t, "CreatedAt", got.CreatedAt)
			wantTime(t, "returned CreatedAt", w.CreatedAt, got.CreatedAt)
		}},
		{"Missing", func(t *testing.T, s herald.Store) {
			ctx := t.Context()
			_, err := s.GetWorkspace(ctx, 987654)
			wantNotFound(t, err, "GetWorkspace(missing)")
			w := herald.Workspace{ID: 987654, Name: "x", TimeZone: "UTC", UpdatedAt: at(0)}
			wantNotFound(t, s.UpdateWorkspace(ctx, &w), "UpdateWorkspace(missing)")
			wantNotFound(t, s.DeleteWorkspace(ctx, 987654), "DeleteWorkspace(missing)")
		}},
		{"Update", func(t *testing.T, s herald.Store) {
			ctx := t.Context()
			w := mustWorkspace(t, s)
			w.Name = "Renamed"
			w.TimeZone = "America/New_York"
			w.BrandRules = herald.BrandRules{BannedWords: []string{"a", "b"}}
			w.UpdatedAt = at(time.Hour)
			noErr(t, s.UpdateWorkspace(ctx, &w), "UpdateWorkspace")
			got, err := s.GetWorkspace(ctx, w.ID)
			noErr(t, err, "GetWorkspace")
			same(t, "updated workspace", got, w)
		}},
		{"ListUserWorkspacesByName", func(t *testing.T, s herald.Store) {
			ctx := t.Context()
			u := mustUser(t, s)
			other := mustUser(t, s)
			names := []string{"Charlie", "Alpha", "Bravo"}
			roles := []herald.Role{herald.RoleEditor, herald.RoleOwner, herald.RoleClient}
			for i, n := range names {
				w := herald.Workspace{Name: n, TimeZone: "UTC", CreatedAt: at(0), UpdatedAt: at(0)}
				noErr(t, s.CreateWorkspace(ctx, &w), "CreateWorkspace")
				mustMember(t, s, w.ID, u.ID, roles[i])
			}
			w := mustWorkspace(t, s) // u is not a member
			mustMember(t, s, w.ID, other.ID, herald.RoleOwner)
			got, err := s.ListUserWorkspaces(ctx, u.ID)
			noErr(t, err, "ListUserWorkspaces")
			if len(got) != 3 {
				t.Fatalf("got %d workspaces, want 3", len(got))
			}
			want := []struct {
				name string
				role herald.Role
			}{{"Alpha", herald.RoleOwner}, {"Bravo", herald.RoleClient}, {"Charlie", herald.RoleEditor}}
			for i, x := range want {
				if got[i].Name != x.name || got[i].Role != x.role {
					t.Fatalf("workspace %d = %q as %s, want %q as %s", i, got[i].Name, got[i].Role, x.name, x.role)
				}
				if got[i].TimeZone != "UTC" || got[i].ID == 0 {
					t.Fatalf("workspace %d lacks its fields: %+v", i, got[i])
				}
			}
			none, err := s.ListUserWorkspaces(ctx, 987654)
			noErr(t, err, "ListUserWorkspaces(unknown user)")
			if len(none) != 0 {
				t.Fatalf("unknown user has %d workspaces", len(none))
			}
		}},
		{"DeleteRemovesEverything", func(t *testing.T, s herald.Store) {
			ctx := t.Context()
			w := mustWorld(t, s)
			keep := mustWorld(t, s)
			keepPost := mustPost(t, s, keep.ws.ID, keep.owner.ID, keep.account.ID)

			label := mustLabel(t, s, w.ws.ID, "Launch")
			camp := mustCampaign(t, s, w.ws.ID, "Spring")
			post := mustPost(t, s, w.ws.ID, w.owner.ID, w.account.ID)
			post.LabelIDs = []int64{label.ID}
			post.CampaignID = &camp.ID
			noErr(t, s.UpdatePost(ctx, &post, 1), "UpdatePost")
			media := mustMedia(t, s, w.ws.ID, w.owner.ID, "a.png", "")
			inv := herald.Invitation{WorkspaceID: w.ws.ID, Email: "new@example.com", Role: herald.RoleEditor,
				TokenHash: hash("inv-" + unique()), InvitedBy: w.owner.ID, CreatedAt: at(0), ExpiresAt: at(time.Hour)}
			noErr(t, s.CreateInvitation(ctx, &inv), "CreateInvitation")
			tok := herald.APIToken{WorkspaceID: w.ws.ID, UserID: w.owner.ID, Name: "ci", Role: herald.RoleEditor,
				Prefix: "hrd_abc", Hash: hash("tok-" + unique()), CreatedAt: at(0)}
			noErr(t, s.CreateToken(ctx, &tok), "CreateToken")
			e := herald.AuditEntry{WorkspaceID: w.ws.ID, Action: "post.create", ObjectType: "post", ObjectID: post.ID, At: at(0)}
			noErr(t, s.AppendAudit(ctx, &e), "AppendAudit")

			noErr(t, s.DeleteWorkspace(ctx, w.ws.ID), "DeleteWorkspace")

			_, err := s.GetWorkspace(ctx, w.ws.ID)
			wantNotFound(t, err, "GetWorkspace after delete")
			_, err = s.GetMembership(ctx, w.ws.ID, w.owner.ID)
			wantNotFound(t, err, "GetMembership after delete")
			_, err = s.GetAccount(ctx, w.ws.ID, w.account.ID)
			wantNotFound(t, err, "GetAccount after delete")
			_, err = s.GetPost(ctx, w.ws.ID, post.ID)
			wantNotFound(t, err, "GetPost after delete")
			_, err = s.GetTarget(ctx, w.ws.ID, post.Targets[0].ID)
			wantNotFound(t, err, "GetTarget after delete")
			_, err = s.GetLabel(ctx, w.ws.ID, label.ID)
			wantNotFound(t, err, "GetLabel after delete")
			_, err = s.GetCampaign(ctx, w.ws.ID, camp.ID)
			wantNotFound(t, err, "GetCampaign after delete")
			_, err = s.GetMedia(ctx, w.ws.ID, media.ID)
			wantNotFound(t, err, "GetMedia after delete")
			_, err = s.GetInvitationByTokenHash(ctx, inv.TokenHash)
			wantNotFound(t, err, "GetInvitationByTokenHash after delete")
			_, err = s.GetTokenByHash(ctx, tok.Hash)
			wantNotFound(t, err, "GetTokenByHash after delete")
			entries, _, err := s.ListAudit(ctx, herald.AuditFilter{WorkspaceID: w.ws.ID})
			noErr(t, err, "ListAudit after delete")
			if len(entries) != 0 {
				t.Fatalf("%d audit entries survive their workspace", len(entries))
			}
			ws, err := s.ListUserWorkspaces(ctx, w.owner.ID)
			noErr(t, err, "ListUserWorkspaces")
			if len(ws) != 0 {
				t.Fatalf("owner still lists %d workspaces", len(ws))
			}
			if _, err := s.GetUser(ctx, w.owner.ID); err != nil {
				t.Fatalf("the user must outlive the workspace: %v", err)
			}
			got, err := s.GetPost(ctx, keep.ws.ID, keepPost.ID)
			noErr(t, err, "GetPost in the other workspace")
			samePost(t, "other workspace's post", got, keepPost)
		}},
	}
}

func userTests() []test {
	return []test{
		{"RoundTrip", func(t *testing.T, s herald.Store) {
			ctx := t.Context()
			u := herald.User{Email: "  Ana.Lopez@Example.COM ", Name: "Ana", PasswordHash: "$argon2id$x",
				CreatedAt: at(0), UpdatedAt: at(time.Second)}
			noErr(t, s.CreateUser(ctx, &u), "CreateUser")
			got, err := s.GetUser(ctx, u.ID)
			noErr(t, err, "GetUser")
			if got.Email != "ana.lopez@example.com" {
				t.Fatalf("email stored as %q, want it lower-cased and trimmed", got.Email)
			}
			if got.PasswordHash != u.PasswordHash {
				t.Fatalf("password hash = %q, want %q", got.PasswordHash, u.PasswordHash)
			}
			if got.LastLoginAt != nil {
				t.Fatalf("LastLoginAt = %v, want nil", got.LastLoginAt)
			}
			u.Email = "ana.lopez@example.com"
			same(t, "user", got, u)
			byEmail, err := s.GetUserByEmail(ctx, "ANA.lopez@example.com")
			noErr(t, err, "GetUserByEmail (other case)")
			if byEmail.ID != u.ID {
				t.Fatalf("GetUserByEmail found user %d, want %d", byEmail.ID, u.ID)
			}
		}},
		{"Missing", func(t *testing.T, s herald.Store) {
			ctx := t.Context()
			_, err := s.GetUser(ctx, 987654)
			wantNotFound(t, err, "GetUser(missing)")
			_, err = s.GetUserByEmail(ctx, "nobody@example.com")
			wantNotFound(t, err, "GetUserByEmail(missing)")
			u := herald.User{ID: 987654, Email: "x@example.com", Name: "x", UpdatedAt: at(0)}
			wantNotFound(t, s.UpdateUser(ctx, &u), "UpdateUser(missing)")
		}},
		{"DuplicateEmail", func(t *testing.T, s herald.Store) {
			ctx := t.Context()
			a := herald.User{Email: "dup@example.com", Name: "A", CreatedAt: at(0), UpdatedAt: at(0)}
			noErr(t, s.CreateUser(ctx, &a), "CreateUser")
			b := herald.User{Email: "DUP@Example.com", Name: "B", CreatedAt: at(0), UpdatedAt: at(0)}
			wantConflict(t, s.CreateUser(ctx, &b), "CreateUser(same email, other case)")
			c := mustUser(t, s)
			c.Email = "Dup@example.com"
			wantConflict(t, s.UpdateUser(ctx, &c), "UpdateUser(to a taken email)")
			n, err := s.CountUsers(ctx)
			noErr(t, err, "CountUsers")
			if n != 2 {
				t.Fatalf("CountUsers = %d, want 2", n)
			}
		}},
		{"Update", func(t *testing.T, s herald.Store) {
			ctx := t.Context()
			u := mustUser(t, s)
			u.Name = "New Name"
			u.Email = "new-" + unique() + "@example.com"
			u.PasswordHash = "$argon2id$new"
			u.LastLoginAt = ptr(at(2 * time.Hour))
			u.UpdatedAt = at(2 * time.Hour)
			noErr(t, s.UpdateUser(ctx, &u), "UpdateUser")
			got, err := s.GetUser(ctx, u.ID)
			noErr(t, err, "GetUser")
			same(t, "updated user", got, u)
			if got.PasswordHash != "$argon2id$new" {
				t.Fatalf("password hash not updated: %q", got.PasswordHash)
			}
		}},
		{"Count", func(t *testing.T, s herald.Store) {
			ctx := t.Context()
			n, err := s.CountUsers(ctx)
			noErr(t, err, "CountUsers")
			if n != 0 {
				t.Fatalf("CountUsers on an empty store = %d", n)
			}
			for range 3 {
				mustUser(t, s)
			}
			n, err = s.CountUsers(ctx)
			noErr(t, err, "CountUsers")
			if n != 3 {
				t.Fatalf("CountUsers = %d, want 3", n)
			}
		}},
	}
}

func memberTests() []test {
	return []test{
		{"AddGetListUpdateRemove", func(t *testing.T, s herald.Store) {
			ctx := t.Context()
			w := mustWorkspace(t, s)
			zed := herald.User{Email: "zed@example.com", Name: "Zed", CreatedAt: at(0), UpdatedAt: at(0)}
			amy := herald.User{Email: "amy@example.com", Name: "Amy", CreatedAt: at(0), UpdatedAt: at(0)}
			noErr(t, s.CreateUser(ctx, &zed), "CreateUser")
			noErr(t, s.CreateUser(ctx, &amy), "CreateUser")
			mz := mustMember(t, s, w.ID, zed.ID, herald.RoleOwner)
			mustMember(t, s, w.ID, amy.ID, herald.RoleEditor)

			got, err := s.GetMembership(ctx, w.ID, zed.ID)
			noErr(t, err, "GetMembership")
			same(t, "membership", got, mz)

			list, err := s.ListMembers(ctx, w.ID)
			noErr(t, err, "ListMembers")
			if len(list) != 2 || list[0].Name != "Amy" || list[1].Name != "Zed" {
				t.Fatalf("ListMembers = %+v, want Amy then Zed", list)
			}
			if list[0].Email != "amy@example.com" || list[0].Role != herald.RoleEditor || list[0].WorkspaceID != w.ID {
				t.Fatalf("member lacks its fields: %+v", list[0])
			}

			n, err := s.CountMembersWithRole(ctx, w.ID, herald.RoleOwner)
			noErr(t, err, "CountMembersWithRole")
			if n != 1 {
				t.Fatalf("owners = %d, want 1", n)
			}
			noErr(t, s.UpdateMemberRole(ctx, w.ID, amy.ID, herald.RoleOwner), "UpdateMemberRole")
			n, err = s.CountMembersWithRole(ctx, w.ID, herald.RoleOwner)
			noErr(t, err, "CountMembersWithRole")
			if n != 2 {
				t.Fatalf("owners = %d, want 2", n)
			}
			noErr(t, s.RemoveMember(ctx, w.ID, zed.ID), "RemoveMember")
			_, err = s.GetMembership(ctx, w.ID, zed.ID)
			wantNotFound(t, err, "GetMembership after remove")
			n, err = s.CountMembersWithRole(ctx, w.ID, herald.RoleOwner)
			noErr(t, err, "CountMembersWithRole")
			if n != 1 {
				t.Fatalf("owners = %d, want 1", n)
			}
		}},
		{"Duplicate", func(t *testing.T, s herald.Store) {
			ctx := t.Context()
			w := mustWorkspace(t, s)
			u := mustUser(t, s)
			mustMember(t, s, w.ID, u.ID, herald.RoleEditor)
			m := herald.Membership{WorkspaceID: w.ID, UserID: u.ID, Role: herald.RoleAdmin, CreatedAt: at(0)}
			wantConflict(t, s.AddMember(ctx, &m), "AddMember twice")
			got, err := s.GetMembership(ctx, w.ID, u.ID)
			noErr(t, err, "GetMembership")
			if got.Role != herald.RoleEditor {
				t.Fatalf("role changed to %s by a refused AddMember", got.Role)
			}
		}},
		{"UnknownUserOrWorkspace", func(t *testing.T, s herald.Store) {
			ctx := t.Context()
			w := mustWorkspace(t, s)
			u := mustUser(t, s)
			m := herald.Membership{WorkspaceID: w.ID, UserID: 987654, Role: herald.RoleEditor, CreatedAt: at(0)}
			wantConflict(t, s.AddMember(ctx, &m), "AddMember(unknown user)")
			m = herald.Membership{WorkspaceID: 987654, UserID: u.ID, Role: herald.RoleEditor, CreatedAt: at(0)}
			wantConflict(t, s.AddMember(ctx, &m), "AddMember(unknown workspace)")
		}},
		{"OtherWorkspace", func(t *testing.T, s herald.Store) {
			ctx := t.Context()
			a := mustWorld(t, s)
			b := mustWorkspace(t, s)
			_, err := s.GetMembership(ctx, b.ID, a.owner.ID)
			wantNotFound(t, err, "GetMembership(other workspace)")
			wantNotFound(t, s.UpdateMemberRole(ctx, b.ID, a.owner.ID, herald.RoleClient), "UpdateMemberRole(other workspace)")
			wantNotFound(t, s.RemoveMember(ctx, b.ID, a.owner.ID), "RemoveMember(other workspace)")
			list, err := s.ListMembers(ctx, b.ID)
			noErr(t, err, "ListMembers")
			if len(list) != 0 {
				t.Fatalf("workspace b lists %d members of a", len(list))
			}
			got, err := s.GetMembership(ctx, a.ws.ID, a.owner.ID)
			noErr(t, err, "GetMembership")
			if got.Role != herald.RoleOwner {
				t.Fatalf("role changed through another workspace: %s", got.Role)
			}
		}},
	}
}

func invitationTests() []test {
	return []test{
		{"RoundTripAndAccept", func(t *testing.T, s herald.Store) {
			ctx := t.Context()
			w := mustWorld(t, s)
			joiner := mustUser(t, s)
			inv := herald.Invitation{WorkspaceID: w.ws.ID, Email: "joiner@example.com", Role: herald.RoleContributor,
				TokenHash: hash("secret-1"), InvitedBy: w.owner.ID, CreatedAt: at(0), ExpiresAt: at(48 * time.Hour)}
			noErr(t, s.CreateInvitation(ctx, &inv), "CreateInvitation")
			if inv.ID == 0 {
				t.Fatal("CreateInvitation did not set the ID")
			}
			got, err := s.GetInvitation(ctx, w.ws.ID, inv.ID)
			noErr(t, err, "GetInvitation")
			same(t, "invitation", got, inv)
			if string(got.TokenHash) != string(inv.TokenHash) {
				t.Fatalf("token hash = %x, want %x", got.TokenHash, inv.TokenHash)
			}
			byHash, err := s.GetInvitationByTokenHash(ctx, hash("secret-1"))
			noErr(t, err, "GetInvitationByTokenHash")
			if byHash.ID != inv.ID {
				t.Fatalf("GetInvitationByTokenHash found %d, want %d", byHash.ID, inv.ID)
			}

			noErr(t, s.AcceptInvitation(ctx, inv.ID, joiner.ID, at(time.Hour)), "AcceptInvitation")
			got, err = s.GetInvitation(ctx, w.ws.ID, inv.ID)
			noErr(t, err, "GetInvitation")
			if got.AcceptedAt == nil || got.AcceptedBy == nil || *got.AcceptedBy != joiner.ID {
				t.Fatalf("accepted invitation = %+v", got)
			}
			wantTime(t, "AcceptedAt", *got.AcceptedAt, at(time.Hour))
			wantConflict(t, s.AcceptInvitation(ctx, inv.ID, joiner.ID, at(2*time.Hour)), "AcceptInvitation twice")
			got, err = s.GetInvitation(ctx, w.ws.ID, inv.ID)
			noErr(t, err, "GetInvitation")
			wantTime(t, "AcceptedAt after a refused second accept", *got.AcceptedAt, at(time.Hour))
			wantNotFound(t, s.AcceptInvitation(ctx, 987654, joiner.ID, at(0)), "AcceptInvitation(missing)")
		}},
		{"ListNewestFirstWithoutAccepted", func(t *testing.T, s herald.Store) {
			ctx := t.Context()
			w := mustWorld(t, s)
			other := mustWorld(t, s)
			var ids []int64
			for i := range 3 {
				inv := herald.Invitation{WorkspaceID: w.ws.ID, Email: unique() + "@example.com", Role: herald.RoleEditor,
					TokenHash: hash(unique()), InvitedBy: w.owner.ID, CreatedAt: at(time.Duration(i) * time.Minute),
					ExpiresAt: at(time.Duration(i-1) * time.Hour)} // the first has expired: still listed
				noErr(t, s.CreateInvitation(ctx, &inv), "CreateInvitation")
				ids = append(ids, inv.ID)
			}
			inv := herald.Invitation{WorkspaceID: other.ws.ID, Email: "o@example.com", Role: herald.RoleEditor,
				TokenHash: hash(unique()), InvitedBy: other.owner.ID, CreatedAt: at(0), ExpiresAt: at(time.Hour)}
			noErr(t, s.CreateInvitation(ctx, &inv), "CreateInvitation")
			noErr(t, s.AcceptInvitation(ctx, ids[1], w.owner.ID, at(time.Hour)), "AcceptInvitation")
			list, err := s.ListInvitations(ctx, w.ws.ID)
			noErr(t, err, "ListInvitations")
			got := make([]int64, len(list))
			for i, x := range list {
				got[i] = x.ID
			}
			wantIDs(t, "ListInvitations", got, []int64{ids[2], ids[0]})
		}},
		{"MissingAndOtherWorkspace", func(t *testing.T, s herald.Store) {
			ctx := t.Context()
			a := mustWorld(t, s)
			b := mustWorkspace(t, s)
			inv := herald.Invitation{WorkspaceID: a.ws.ID, Email: "x@example.com", Role: herald.RoleEditor,
				TokenHash: hash(unique()), InvitedBy: a.owner.ID, CreatedAt: at(0), ExpiresAt: at(time.Hour)}
			noErr(t, s.CreateInvitation(ctx, &inv), "CreateInvitation")
			_, err := s.GetInvitation(ctx, b.ID, inv.ID)
			wantNotFound(t, err, "GetInvitation(other workspace)")
			wantNotFound(t, s.DeleteInvitation(ctx, b.ID, inv.ID), "DeleteInvitation(other workspace)")
			_, err = s.GetInvitation(ctx, a.ws.ID, 987654)
			wantNotFound(t, err, "GetInvitation(missing)")
			_, err = s.GetInvitationByTokenHash(ctx, hash("nothing"))
			wantNotFound(t, err, "GetInvitationByTokenHash(missing)")
			noErr(t, s.DeleteInvitation(ctx, a.ws.ID, inv.ID), "DeleteInvitation")
			_, err = s.GetInvitation(ctx, a.ws.ID, inv.ID)
			wantNotFound(t, err, "GetInvitation after delete")
			wantNotFound(t, s.DeleteInvitation(ctx, a.ws.ID, inv.ID), "DeleteInvitation twice")
		}},
	}
}

func tokenTests() []test {
	return []test{
		{"RoundTrip", func(t *testing.T, s herald.Store) {
			ctx := t.Context()
			w := mustWorld(t, s)
			tok := herald.APIToken{WorkspaceID: w.ws.ID, UserID: w.owner.ID, Name: "deploy", Role: herald.RoleEditor,
				Prefix: "hrd_12345", Hash: hash("token-secret"), CreatedAt: at(0), ExpiresAt: ptr(at(24 * time.Hour))}
			noErr(t, s.CreateToken(ctx, &tok), "CreateToken")
			if tok.ID == 0 {
				t.Fatal("CreateToken did not set the ID")
			}
			got, err := s.GetToken(ctx, w.ws.ID, tok.ID)
			noErr(t, err, "GetToken")
			same(t, "token", got, tok)
			if string(got.Hash) != string(tok.Hash) {
				t.Fatalf("hash = %x, want %x", got.Hash, tok.Hash)
			}
			byHash, err := s.GetTokenByHash(ctx, hash("token-secret"))
			noErr(t, err, "GetTokenByHash")
			same(t, "token by hash", byHash, tok)

			noErr(t, s.TouchToken(ctx, tok.ID, at(time.Hour)), "TouchToken")
			noErr(t, s.RevokeToken(ctx, w.ws.ID, tok.ID, at(2*time.Hour)), "RevokeToken")
			tok.LastUsedAt = ptr(at(time.Hour))
			tok.RevokedAt = ptr(at(2 * time.Hour))
			got, err = s.GetToken(ctx, w.ws.ID, tok.ID)
			noErr(t, err, "GetToken")
			same(t, "touched and revoked token", got, tok)
			byHash, err = s.GetTokenByHash(ctx, hash("token-secret"))
			noErr(t, err, "GetTokenByHash(revoked)")
			if byHash.Active(at(3 * time.Hour)) {
				t.Fatal("a revoked token is active")
			}
		}},
		{"RevokeUserTokens", func(t *testing.T, s herald.Store) {
			ctx := t.Context()
			a, b := mustWorld(t, s), mustWorld(t, s)
			other := mustUser(t, s)
			mustMember(t, s, a.ws.ID, other.ID, herald.RoleEditor)
			mustMember(t, s, b.ws.ID, a.owner.ID, herald.RoleEditor)
			mk := func(ws, uid int64) herald.APIToken {
				tok := herald.APIToken{WorkspaceID: ws, UserID: uid, Name: "t", Role: herald.RoleEditor,
					Prefix: "hrd_" + unique(), Hash: hash(unique()), CreatedAt: at(0)}
				noErr(t, s.CreateToken(ctx, &tok), "CreateToken")
				return tok
			}
			mine1, mine2, gone, others := mk(a.ws.ID, a.owner.ID), mk(b.ws.ID, a.owner.ID), mk(a.ws.ID, a.owner.ID), mk(a.ws.ID, other.ID)
			noErr(t, s.RevokeToken(ctx, a.ws.ID, gone.ID, at(time.Minute)), "RevokeToken")
			n, err := s.RevokeUserTokens(ctx, a.owner.ID, at(time.Hour))
			noErr(t, err, "RevokeUserTokens")
			if n != 2 {
				t.Fatalf("RevokeUserTokens = %d, want 2 (the already revoked one is not counted)", n)
			}
			for _, tok := range []herald.APIToken{mine1, mine2} {
				got, err := s.GetToken(ctx, tok.WorkspaceID, tok.ID)
				noErr(t, err, "GetToken")
				if got.RevokedAt == nil || !got.RevokedAt.Equal(at(time.Hour)) {
					t.Fatalf("token %d revoked at %v, want %v", tok.ID, got.RevokedAt, at(time.Hour))
				}
			}
			got, err := s.GetToken(ctx, a.ws.ID, gone.ID)
			noErr(t, err, "GetToken(gone)")
			if got.RevokedAt == nil || !got.RevokedAt.Equal(at(time.Minute)) {
				t.Fatalf("an already revoked token's time changed to %v", got.RevokedAt)
			}
			got, err = s.GetToken(ctx, a.ws.ID, others.ID)
			noErr(t, err, "GetToken(others)")
			if got.RevokedAt != nil {
				t.Fatal("another user's token was revoked")
			}
		}},
		{"ListNewestFirst", func(t *testing.T, s herald.Store) {
			ctx := t.Context()
			w := mustWorld(t, s)
			other := mustUser(t, s)
			mustMember(t, s, w.ws.ID, other.ID, herald.RoleEditor)
			elsewhere := mustWorld(t, s)
			var ids []int64
			for i, uid := range []int64{w.owner.ID, other.ID, w.owner.ID} {
				tok := herald.APIToken{WorkspaceID: w.ws.ID, UserID: uid, Name: "t", Role: herald.RoleEditor,
					Prefix: "hrd_" + unique(), Hash: hash(unique()), CreatedAt: at(time.Duration(i) * time.Minute)}
				noErr(t, s.CreateToken(ctx, &tok), "CreateToken")
				ids = append(ids, tok.ID)
			}
			x := herald.APIToken{WorkspaceID: elsewhere.ws.ID, UserID: elsewhere.owner.ID, Name: "t", Role: herald.RoleEditor,
				Prefix: "hrd_x", Hash: hash(unique()), CreatedAt: at(0)}
			noErr(t, s.CreateToken(ctx, &x), "CreateToken")
			noErr(t, s.RevokeToken(ctx, w.ws.ID, ids[0], at(time.Hour)), "RevokeToken")

			tokenIDs := func(ts []herald.APIToken) []int64 {
				out := make([]int64, len(ts))
				for i, tk := range ts {
					out[i] = tk.ID
				}
				return out
			}
			all, err := s.ListTokens(ctx, w.ws.ID, 0)
			noErr(t, err, "ListTokens(all users)")
			wantIDs(t, "ListTokens(all users)", tokenIDs(all), []int64{ids[2], ids[1], ids[0]})
			mine, err := s.ListTokens(ctx, w.ws.ID, w.owner.ID)
			noErr(t, err, "ListTokens(one user)")
			wantIDs(t, "ListTokens(one user)", tokenIDs(mine), []int64{ids[2], ids[0]})
		}},
		{"MissingAndOtherWorkspace", func(t *testing.T, s herald.Store) {
			ctx := t.Context()
			a := mustWorld(t, s)
			b := mustWorkspace(t, s)
			tok := herald.APIToken{WorkspaceID: a.ws.ID, UserID: a.owner.ID, Name: "t", Role: herald.RoleEditor,
				Prefix: "hrd_x", Hash: hash(unique()), CreatedAt: at(0)}
			noErr(t, s.CreateToken(ctx, &tok), "CreateToken")
			_, err := s.GetToken(ctx, b.ID, tok.ID)
			wantNotFound(t, err, "GetToken(other workspace)")
			wantNotFound(t, s.RevokeToken(ctx, b.ID, tok.ID, at(0)), "RevokeToken(other workspace)")
			_, err = s.GetToken(ctx, a.ws.ID, 987654)
			wantNotFound(t, err, "GetToken(missing)")
			_, err = s.GetTokenByHash(ctx, hash("nothing"))
			wantNotFound(t, err, "GetTokenByHash(missing)")
			wantNotFound(t, s.RevokeToken(ctx, a.ws.ID, 987654, at(0)), "RevokeToken(missing)")
			wantNotFound(t, s.TouchToken(ctx, 987654, at(0)), "TouchToken(missing)")
			list, err := s.ListTokens(ctx, b.ID, 0)
			noErr(t, err, "ListTokens")
			if len(list) != 0 {
				t.Fatalf("workspace b lists %d tokens of a", len(list))
			}
			got, err := s.GetToken(ctx, a.ws.ID, tok.ID)
			noErr(t, err, "GetToken")
			if got.RevokedAt != nil {
				t.Fatal("token revoked through another workspace")
			}
		}},
	}
}
