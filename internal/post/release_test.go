package post_test

import (
	"context"
	"errors"
	"log/slog"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/heraldsocial/herald/internal/herald"
	"github.com/heraldsocial/herald/internal/post"
	"github.com/heraldsocial/herald/internal/postgres/pgtest"
	"github.com/heraldsocial/herald/internal/sqlite"
)

// forEachStore runs fn on a fresh SQLite store, and on PostgreSQL when
// HERALD_TEST_POSTGRES_URL is set.
func forEachStore(t *testing.T, fn func(t *testing.T, st herald.Store)) {
	t.Helper()
	t.Run("sqlite", func(t *testing.T) {
		ctx := context.Background()
		st, err := sqlite.Open(ctx, filepath.Join(t.TempDir(), "herald.db"))
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { st.Close() })
		if err := st.Migrate(ctx); err != nil {
			t.Fatal(err)
		}
		fn(t, st)
	})
	if os.Getenv("HERALD_TEST_POSTGRES_URL") != "" {
		t.Run("postgres", func(t *testing.T) { fn(t, pgtest.Open(t)) })
	}
}

// roleWorld is a workspace with one member of each role and one account.
type roleWorld struct {
	st     herald.Store
	svc    *post.Service
	ws     herald.Workspace
	acct   herald.Account
	actors map[herald.Role]herald.Actor
}

func newRoleWorld(t *testing.T, st herald.Store) *roleWorld {
	t.Helper()
	ctx := context.Background()
	now := time.Now().UTC().Truncate(time.Microsecond)
	w := &roleWorld{st: st, actors: map[herald.Role]herald.Actor{}}
	w.ws = herald.Workspace{Name: "Acme", TimeZone: "Europe/Paris", CreatedAt: now, UpdatedAt: now}
	if err := st.CreateWorkspace(ctx, &w.ws); err != nil {
		t.Fatal(err)
	}
	for _, r := range herald.Roles {
		u := herald.User{Email: string(r) + "@example.com", Name: string(r), PasswordHash: "x", CreatedAt: now, UpdatedAt: now}
		if err := st.CreateUser(ctx, &u); err != nil {
			t.Fatal(err)
		}
		if err := st.AddMember(ctx, &herald.Membership{WorkspaceID: w.ws.ID, UserID: u.ID, Role: r}); err != nil {
			t.Fatal(err)
		}
		w.actors[r] = herald.Actor{UserID: u.ID, WorkspaceID: w.ws.ID, Role: r}
	}
	w.acct = herald.Account{WorkspaceID: w.ws.ID, Platform: herald.PlatformFake, RemoteID: "acme", Handle: "@acme",
		DisplayName: "Acme", Status: herald.AccountConnected, CreatedAt: now, UpdatedAt: now}
	for _, d := range []string{"monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"} {
		w.acct.PostingSchedule.Slots = append(w.acct.PostingSchedule.Slots, herald.PostingSlot{Day: d, Time: "09:00"})
	}
	if err := st.CreateAccount(ctx, &w.acct); err != nil {
		t.Fatal(err)
	}
	w.svc = post.New(st, herald.SystemClock{}, slog.New(slog.DiscardHandler))
	return w
}

// requireApproval turns on the brand rule that makes every role submit.
func (w *roleWorld) requireApproval(t *testing.T) {
	t.Helper()
	w.ws.BrandRules.RequireApproval = true
	if err := w.st.UpdateWorkspace(context.Background(), &w.ws); err != nil {
		t.Fatal(err)
	}
}

// scheduled creates a post the owner scheduled two days ahead (an
// embargo), then walks its target through path (e.g. publishing, failed).
func (w *roleWorld) scheduled(t *testing.T, path ...herald.TargetState) herald.Post {
	t.Helper()
	ctx := context.Background()
	at := time.Now().Add(48 * time.Hour).UTC().Truncate(time.Second)
	owner := w.actors[herald.RoleOwner]
	in := herald.Post{Text: "Embargoed until launch", Targets: []herald.Target{{AccountID: w.acct.ID, ScheduledAt: &at}}}
	var p herald.Post
	var err error
	if w.ws.BrandRules.RequireApproval {
		// Every post is reviewed: the owner submits, the admin approves.
		if p, err = w.svc.Create(ctx, owner, in, post.ActionSubmit); err == nil {
			if _, err = w.svc.Approve(ctx, w.actors[herald.RoleAdmin], p.ID, ""); err == nil {
				p, err = w.svc.Schedule(ctx, owner, p.ID, nil, "")
			}
		}
	} else {
		p, err = w.svc.Create(ctx, owner, in, post.ActionSchedule)
	}
	if err != nil {
		t.Fatal(err)
	}
	for _, to := range path {
		tg := &p.Targets[0]
		tr, err := tg.Transition(to, nil, "test", time.Now().UTC())
		if err != nil {
			t.Fatal(err)
		}
		if err := w.st.TransitionTarget(ctx, tg, tr); err != nil {
			t.Fatal(err)
		}
	}
	if p, err = w.svc.Get(ctx, owner, p.ID); err != nil {
		t.Fatal(err)
	}
	return p
}

// inReview creates a post by author submitted for review.
func (w *roleWorld) inReview(t *testing.T, author herald.Role) herald.Post {
	t.Helper()
	at := time.Now().Add(48 * time.Hour).UTC().Truncate(time.Second)
	p, err := w.svc.Create(context.Background(), w.actors[author], herald.Post{Text: "For review",
		Targets: []herald.Target{{AccountID: w.acct.ID, ScheduledAt: &at}}}, post.ActionSubmit)
	if err != nil {
		t.Fatal(err)
	}
	return p
}

// releaseCase is one action on someone else's post and the state its
// target must be in afterwards when the action is allowed.
type releaseCase struct {
	name  string
	setup func(t *testing.T, w *roleWorld) herald.Post
	do    func(ctx context.Context, w *roleWorld, a herald.Actor, p herald.Post) error
	want  herald.TargetState // the target's state after an allowed action
}

func releaseCases() []releaseCase {
	later := func() time.Time { return time.Now().Add(72 * time.Hour).UTC().Truncate(time.Second) }
	scheduled := func(t *testing.T, w *roleWorld) herald.Post { return w.scheduled(t) }
	failed := func(t *testing.T, w *roleWorld) herald.Post {
		return w.scheduled(t, herald.StatePublishing, herald.StateFailed)
	}
	return []releaseCase{
		{"publish now", scheduled, func(ctx context.Context, w *roleWorld, a herald.Actor, p herald.Post) error {
			_, err := w.svc.PublishNow(ctx, a, p.ID, "")
			return err
		}, herald.StateScheduled},
		{"reschedule", scheduled, func(ctx context.Context, w *roleWorld, a herald.Actor, p herald.Post) error {
			_, err := w.svc.Reschedule(ctx, a, p.ID, later(), nil)
			return err
		}, herald.StateScheduled},
		{"reschedule if match", scheduled, func(ctx context.Context, w *roleWorld, a herald.Actor, p herald.Post) error {
			_, err := w.svc.RescheduleIfMatch(ctx, a, p.ID, later(), nil, p.Version)
			return err
		}, herald.StateScheduled},
		{"edit the time", scheduled, func(ctx context.Context, w *roleWorld, a herald.Actor, p herald.Post) error {
			at := later()
			p.Targets = []herald.Target{p.Targets[0]}
			p.Targets[0].ScheduledAt = &at
			_, err := w.svc.Update(ctx, a, p, 0, false)
			return err
		}, herald.StateScheduled},
		{"unschedule", scheduled, func(ctx context.Context, w *roleWorld, a herald.Actor, p herald.Post) error {
			_, err := w.svc.Unschedule(ctx, a, p.ID, "")
			return err
		}, herald.StateDraft},
		{"cancel", scheduled, func(ctx context.Context, w *roleWorld, a herald.Actor, p herald.Post) error {
			_, err := w.svc.Cancel(ctx, a, p.ID, "")
			return err
		}, herald.StateCancelled},
		{"retry", failed, func(ctx context.Context, w *roleWorld, a herald.Actor, p herald.Post) error {
			_, err := w.svc.Retry(ctx, a, p.ID, p.Targets[0].ID)
			return err
		}, herald.StateScheduled},
		{"queue a failed target", failed, func(ctx context.Context, w *roleWorld, a herald.Actor, p herald.Post) error {
			_, err := w.svc.Queue(ctx, a, p.ID, "")
			return err
		}, herald.StateScheduled},
		{"resolve", func(t *testing.T, w *roleWorld) herald.Post {
			return w.scheduled(t, herald.StatePublishing, herald.StateUnconfirmed)
		}, func(ctx context.Context, w *roleWorld, a herald.Actor, p herald.Post) error {
			_, err := w.svc.Resolve(ctx, a, p.ID, p.Targets[0].ID, post.OutcomeRetry, "")
			return err
		}, herald.StateScheduled},
		{"resume", func(t *testing.T, w *roleWorld) herald.Post {
			return w.scheduled(t, herald.StateHeld)
		}, func(ctx context.Context, w *roleWorld, a herald.Actor, p herald.Post) error {
			_, err := w.svc.CrisisResume(ctx, a, []int64{p.Targets[0].ID}, false)
			return err
		}, herald.StateScheduled},
		{"approve", func(t *testing.T, w *roleWorld) herald.Post {
			return w.inReview(t, herald.RoleContributor)
		}, func(ctx context.Context, w *roleWorld, a herald.Actor, p herald.Post) error {
			_, err := w.svc.Approve(ctx, a, p.ID, "")
			return err
		}, herald.StateApproved},
	}
}

// TestReleaseRules checks, for every role and every action that makes a
// post go out or changes when it goes out, that only the roles allowed to
// schedule without approval may do it to a post somebody else scheduled
// (resume needs posts.hold; approve needs posts.approve and, when the
// workspace requires approval, someone other than the author).
func TestReleaseRules(t *testing.T) {
	allowed := map[string][]herald.Role{
		"resume":  {herald.RoleOwner, herald.RoleAdmin, herald.RoleManager},
		"approve": {herald.RoleOwner, herald.RoleAdmin, herald.RoleManager, herald.RoleClient},
	}
	releasers := []herald.Role{herald.RoleOwner, herald.RoleAdmin, herald.RoleManager, herald.RoleEditor}
	// With approval required, editors (who cannot approve) lose the right
	// to move released posts; approvers keep it.
	strict := []herald.Role{herald.RoleOwner, herald.RoleAdmin, herald.RoleManager}
	for _, requireApproval := range []bool{false, true} {
		mode := "by role"
		if requireApproval {
			mode = "approval required"
		}
		t.Run(mode, func(t *testing.T) {
			forEachStore(t, func(t *testing.T, st herald.Store) {
				w := newRoleWorld(t, st)
				if requireApproval {
					w.requireApproval(t)
				}
				for _, c := range releaseCases() {
					for _, role := range herald.Roles {
						name := c.name + "/" + string(role)
						t.Run(name, func(t *testing.T) {
							ok := releasers
							if requireApproval {
								ok = strict
							}
							if a, special := allowed[c.name]; special {
								ok = a
							}
							mayDo := false
							for _, r := range ok {
								mayDo = mayDo || r == role
							}
							p := c.setup(t, w)
							ctx := context.Background()
							err := c.do(ctx, w, w.actors[role], p)
							got, gerr := w.svc.Get(ctx, w.actors[herald.RoleOwner], p.ID)
							if gerr != nil {
								t.Fatal(gerr)
							}
							if mayDo {
								if err != nil {
									t.Fatalf("%s was refused: %v", role, err)
								}
								if got.Targets[0].State != c.want {
									t.Fatalf("target is %s, want %s", got.Targets[0].State, c.want)
								}
								return
							}
							var he *herald.Error
							if !errors.As(err, &he) || he.Code != herald.CodeForbidden {
								t.Fatalf("%s: err = %v, want forbidden", role, err)
							}
							if got.Version != p.Version || got.Targets[0].State != p.Targets[0].State ||
								!got.Targets[0].ScheduledAt.Equal(*p.Targets[0].ScheduledAt) {
								t.Fatalf("a refused %s changed the post: %+v", c.name, got.Targets[0])
							}
						})
					}
				}
			})
		})
	}
}

// TestEditOthersScheduledPost checks that a role needing approval cannot
// take the owner's scheduled post back to draft by editing its text, while
// an author's own edit after approval still goes back for review.
func TestEditOthersScheduledPost(t *testing.T) {
	ctx := context.Background()
	forEachStore(t, func(t *testing.T, st herald.Store) {
		w := newRoleWorld(t, st)
		p := w.scheduled(t)
		p.Text = "leaked early"
		_, err := w.svc.Update(ctx, w.actors[herald.RoleContributor], p, 0, false)
		var he *herald.Error
		if !errors.As(err, &he) || he.Code != herald.CodeForbidden {
			t.Fatalf("err = %v, want forbidden", err)
		}
		got, err := w.svc.Get(ctx, w.actors[herald.RoleOwner], p.ID)
		if err != nil {
			t.Fatal(err)
		}
		if got.Text != "Embargoed until launch" || got.Targets[0].State != herald.StateScheduled {
			t.Fatalf("the refused edit changed the post: %q %s", got.Text, got.Targets[0].State)
		}

		contrib := w.actors[herald.RoleContributor]
		own := w.inReview(t, herald.RoleContributor)
		if _, err := w.svc.Approve(ctx, w.actors[herald.RoleManager], own.ID, ""); err != nil {
			t.Fatal(err)
		}
		if own, err = w.svc.Schedule(ctx, contrib, own.ID, nil, ""); err != nil {
			t.Fatal(err)
		}
		own.Text = "changed after approval"
		if own, err = w.svc.Update(ctx, contrib, own, 0, false); err != nil {
			t.Fatal(err)
		}
		if own.Targets[0].State != herald.StateDraft {
			t.Fatalf("the author's edit left the target %s, want draft", own.Targets[0].State)
		}
	})
}

// TestApproveOwnPostWhenApprovalRequired checks an approver cannot approve
// their own post when the workspace requires a review of every post, and
// can approve another's.
func TestApproveOwnPostWhenApprovalRequired(t *testing.T) {
	ctx := context.Background()
	forEachStore(t, func(t *testing.T, st herald.Store) {
		w := newRoleWorld(t, st)
		w.requireApproval(t)
		p := w.inReview(t, herald.RoleManager)
		_, err := w.svc.Approve(ctx, w.actors[herald.RoleManager], p.ID, "")
		var he *herald.Error
		if !errors.As(err, &he) || he.Code != herald.CodeForbidden {
			t.Fatalf("self-approval: err = %v, want forbidden", err)
		}
		if _, err := w.svc.Approve(ctx, w.actors[herald.RoleAdmin], p.ID, ""); err != nil {
			t.Fatalf("another approver: %v", err)
		}
	})
}

// TestContributorEmbargo is the reported case: a contributor's publish now
// on the owner's embargoed post must not make it due.
func TestContributorEmbargo(t *testing.T) {
	ctx := context.Background()
	forEachStore(t, func(t *testing.T, st herald.Store) {
		w := newRoleWorld(t, st)
		p := w.scheduled(t)
		if _, err := w.svc.PublishNow(ctx, w.actors[herald.RoleContributor], p.ID, "now please"); err == nil {
			t.Fatal("the contributor published the embargoed post now")
		}
		due, err := st.NextDue(ctx, time.Now().Add(time.Hour), 10)
		if err != nil {
			t.Fatal(err)
		}
		if len(due) != 0 {
			t.Fatalf("targets due within the hour: %v", due)
		}
	})
}
