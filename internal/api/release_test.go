package api_test

import (
	"context"
	"fmt"
	"net/http"
	"testing"
	"time"

	"github.com/heraldsocial/herald/internal/herald"
)

// TestReleaseRulesByRole drives every control that makes a post go out or
// changes when it goes out through the API, once per role, on a post the
// owner scheduled: only roles that schedule without approval may, and a
// refused call leaves the post as it was.
func TestReleaseRulesByRole(t *testing.T) {
	forEachStore(t, func(t *testing.T, h *harness) {
		w := newPubWorld(t, h)
		ctx := context.Background()
		_, adminTok := h.member(w.a, "pub-admin@example.com", herald.RoleAdmin)
		// Clients cannot create tokens: a manager's token capped at the
		// client role acts as a client.
		cu, _ := h.member(w.a, "pub-client@example.com", herald.RoleManager)
		clientTok, _, err := h.auth.CreateToken(ctx, herald.Actor{UserID: cu.ID, WorkspaceID: w.a.ID, Role: herald.RoleManager},
			"client", herald.RoleClient, nil)
		if err != nil {
			t.Fatal(err)
		}
		tokens := map[herald.Role]string{herald.RoleOwner: w.ownerTok, herald.RoleAdmin: adminTok,
			herald.RoleManager: w.managerTok, herald.RoleEditor: w.editorTok, herald.RoleContributor: w.contribTok,
			herald.RoleAnalyst: w.analystTok, herald.RoleClient: clientTok}
		owner := herald.Actor{UserID: w.owner.ID, WorkspaceID: w.a.ID, Role: herald.RoleOwner}
		scheduled := func(t *testing.T, path ...herald.TargetState) herald.Post {
			t.Helper()
			at := time.Now().Add(48 * time.Hour).UTC().Truncate(time.Second)
			p, err := h.svc.Posts.Create(ctx, owner, herald.Post{Text: "Embargoed",
				Targets: []herald.Target{{AccountID: w.aAcct.ID, ScheduledAt: &at}}}, "schedule")
			if err != nil {
				t.Fatal(err)
			}
			for _, to := range path {
				tr, err := p.Targets[0].Transition(to, nil, "test", time.Now().UTC())
				if err != nil {
					t.Fatal(err)
				}
				if err := h.store.TransitionTarget(ctx, &p.Targets[0], tr); err != nil {
					t.Fatal(err)
				}
			}
			return p
		}
		later := future(72 * time.Hour)
		cases := []struct {
			name    string
			path    []herald.TargetState
			route   func(p herald.Post) string
			body    any
			allowed []herald.Role
		}{
			{"publish now", nil, func(p herald.Post) string { return pubPath(w.a, "/posts/%d/publish-now", p.ID) }, nil, nil},
			{"reschedule", nil, func(p herald.Post) string { return pubPath(w.a, "/posts/%d/reschedule", p.ID) },
				map[string]any{"scheduled_at": later}, nil},
			{"unschedule", nil, func(p herald.Post) string { return pubPath(w.a, "/posts/%d/unschedule", p.ID) }, nil, nil},
			{"cancel", nil, func(p herald.Post) string { return pubPath(w.a, "/posts/%d/cancel", p.ID) }, nil, nil},
			{"retry", []herald.TargetState{herald.StatePublishing, herald.StateFailed}, func(p herald.Post) string {
				return pubPath(w.a, "/posts/%d/targets/%d/retry", p.ID, p.Targets[0].ID)
			}, nil, nil},
			{"resolve", []herald.TargetState{herald.StatePublishing, herald.StateUnconfirmed}, func(p herald.Post) string {
				return pubPath(w.a, "/posts/%d/targets/%d/resolve", p.ID, p.Targets[0].ID)
			}, map[string]any{"outcome": "retry"}, nil},
			{"resume", []herald.TargetState{herald.StateHeld}, func(p herald.Post) string {
				return pubPath(w.a, "/crisis/resume")
			}, nil, []herald.Role{herald.RoleOwner, herald.RoleAdmin, herald.RoleManager}},
		}
		releasers := []herald.Role{herald.RoleOwner, herald.RoleAdmin, herald.RoleManager, herald.RoleEditor}
		for _, c := range cases {
			for _, role := range herald.Roles {
				t.Run(c.name+"/"+string(role), func(t *testing.T) {
					p := scheduled(t, c.path...)
					before, err := h.svc.Posts.Get(ctx, owner, p.ID)
					if err != nil {
						t.Fatal(err)
					}
					allowed := c.allowed
					if allowed == nil {
						allowed = releasers
					}
					want := http.StatusForbidden
					for _, r := range allowed {
						if r == role {
							want = http.StatusOK
						}
					}
					body := c.body
					if c.name == "resume" {
						body = map[string]any{"target_ids": []int64{p.Targets[0].ID}}
					}
					res := h.do(http.MethodPost, c.route(p), tokens[role], body)
					mustStatus(t, res, want)
					if want == http.StatusOK {
						return
					}
					after, err := h.svc.Posts.Get(ctx, owner, p.ID)
					if err != nil {
						t.Fatal(err)
					}
					if after.Version != before.Version || after.Targets[0].State != before.Targets[0].State ||
						!after.Targets[0].ScheduledAt.Equal(*before.Targets[0].ScheduledAt) {
						t.Fatalf("a refused %s changed the post: %+v", c.name, after.Targets[0])
					}
				})
			}
		}
		t.Run("approve", func(t *testing.T) {
			contrib := herald.Actor{UserID: w.contributor.ID, WorkspaceID: w.a.ID, Role: herald.RoleContributor}
			for _, role := range herald.Roles {
				p, err := h.svc.Posts.Create(ctx, contrib, herald.Post{Text: fmt.Sprintf("for %s", role),
					Targets: []herald.Target{{AccountID: w.aAcct.ID}}}, "submit")
				if err != nil {
					t.Fatal(err)
				}
				want := http.StatusForbidden
				if role.Can(herald.ActPostsApprove) {
					want = http.StatusOK
				}
				res := h.do(http.MethodPost, pubPath(w.a, "/posts/%d/approve", p.ID), tokens[role], nil)
				if res.Status != want {
					t.Fatalf("%s: status %d, want %d: %s", role, res.Status, want, res.Body)
				}
			}
		})
	})
}
