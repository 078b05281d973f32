package storetest

import (
	"errors"
	"testing"
	"time"

	"github.com/heraldsocial/herald/internal/herald"
)

func txTests() []test {
	return []test{
		{"CommitOnNil", func(t *testing.T, s herald.Store) {
			ctx := t.Context()
			var w world
			var p herald.Post
			err := s.InTx(ctx, func(tx herald.Tx) error {
				w = mustWorld(t, tx)
				p = mustPost(t, tx, w.ws.ID, w.owner.ID, w.account.ID)
				// Reads inside the transaction see its own writes.
				got, err := tx.GetPost(ctx, w.ws.ID, p.ID)
				if err != nil {
					return err
				}
				if len(got.Targets) != 1 {
					t.Errorf("post read in its transaction has %d targets", len(got.Targets))
				}
				return nil
			})
			noErr(t, err, "InTx")
			got, err := s.GetPost(ctx, w.ws.ID, p.ID)
			noErr(t, err, "GetPost after commit")
			samePost(t, "committed post", got, p)
		}},
		{"RollbackOnError", func(t *testing.T, s herald.Store) {
			ctx := t.Context()
			keep := mustWorld(t, s)
			boom := errors.New("boom")
			var w world
			var p herald.Post
			var label herald.Label
			err := s.InTx(ctx, func(tx herald.Tx) error {
				w = mustWorld(t, tx)
				label = mustLabel(t, tx, keep.ws.ID, "Rolled back")
				p = mustPost(t, tx, keep.ws.ID, keep.owner.ID, keep.account.ID)
				tg := p.Targets[0]
				tr, err := tg.Transition(herald.StateCancelled, nil, "", at(time.Minute))
				if err != nil {
					return err
				}
				if err := tx.TransitionTarget(ctx, &tg, tr); err != nil {
					return err
				}
				if err := tx.CommitSession(ctx, "tx-session", 0, []byte("x"), time.Now().Add(time.Hour)); err != nil {
					return err
				}
				return boom
			})
			if !errors.Is(err, boom) {
				t.Fatalf("InTx returned %v, want the function's error", err)
			}
			_, err = s.GetWorkspace(ctx, w.ws.ID)
			wantNotFound(t, err, "GetWorkspace after rollback")
			_, err = s.GetUser(ctx, w.owner.ID)
			wantNotFound(t, err, "GetUser after rollback")
			_, err = s.GetLabel(ctx, keep.ws.ID, label.ID)
			wantNotFound(t, err, "GetLabel after rollback")
			_, err = s.GetPost(ctx, keep.ws.ID, p.ID)
			wantNotFound(t, err, "GetPost after rollback")
			_, found, err := s.FindSession(ctx, "tx-session")
			noErr(t, err, "FindSession")
			if found {
				t.Fatal("session from a rolled back transaction found")
			}
			n, err := s.CountUsers(ctx)
			noErr(t, err, "CountUsers")
			if n != 1 {
				t.Fatalf("CountUsers = %d after rollback, want 1", n)
			}
		}},
		{"StoreErrorRollsBack", func(t *testing.T, s herald.Store) {
			ctx := t.Context()
			w := mustWorkspace(t, s)
			err := s.InTx(ctx, func(tx herald.Tx) error {
				mustLabel(t, tx, w.ID, "First")
				dup := herald.Label{WorkspaceID: w.ID, Name: "first", Color: "#000000", CreatedAt: at(0)}
				return tx.CreateLabel(ctx, &dup)
			})
			wantConflict(t, err, "InTx returning a conflict")
			list, err := s.ListLabels(ctx, w.ID)
			noErr(t, err, "ListLabels")
			if len(list) != 0 {
				t.Fatalf("%d labels survive a rolled back transaction", len(list))
			}
		}},
		{"ConflictInsideTxThenContinue", func(t *testing.T, s herald.Store) {
			ctx := t.Context()
			w := mustWorld(t, s)
			p := mustPost(t, s, w.ws.ID, w.owner.ID, w.account.ID)
			// A refused optimistic update inside a transaction leaves the
			// transaction usable; the caller decides what to do.
			err := s.InTx(ctx, func(tx herald.Tx) error {
				stale := p
				stale.Text = "stale"
				if err := tx.UpdatePost(ctx, &stale, 7); !errors.Is(err, herald.ErrConflict) {
					t.Errorf("UpdatePost(stale) in tx = %v, want conflict", err)
				}
				fresh := p
				fresh.Text = "fresh"
				return tx.UpdatePost(ctx, &fresh, 1)
			})
			noErr(t, err, "InTx")
			got, err := s.GetPost(ctx, w.ws.ID, p.ID)
			noErr(t, err, "GetPost")
			if got.Text != "fresh" || got.Version != 2 {
				t.Fatalf("post = %q v%d, want fresh v2", got.Text, got.Version)
			}
		}},
	}
}

func timeTests() []test {
	return []test{
		{"MicrosecondsAndZones", func(t *testing.T, s herald.Store) {
			ctx := t.Context()
			tokyo, err := time.LoadLocation("Asia/Tokyo")
			noErr(t, err, "LoadLocation")
			ny, err := time.LoadLocation("America/New_York")
			noErr(t, err, "LoadLocation")
			created := time.Date(2026, 7, 4, 23, 59, 59, 999999000, ny)
			sched := time.Date(2027, 1, 1, 0, 0, 0, 1000, tokyo)
			login := time.Date(1999, 12, 31, 23, 59, 59, 500000000, time.FixedZone("odd", -(3*3600+30*60)))

			w := herald.Workspace{Name: "Zones", TimeZone: "Asia/Tokyo", CreatedAt: created, UpdatedAt: created}
			noErr(t, s.CreateWorkspace(ctx, &w), "CreateWorkspace")
			gw, err := s.GetWorkspace(ctx, w.ID)
			noErr(t, err, "GetWorkspace")
			wantTime(t, "workspace CreatedAt", gw.CreatedAt, created)
			wantTime(t, "workspace UpdatedAt", gw.UpdatedAt, created)

			u := herald.User{Email: "zones@example.com", Name: "Z", CreatedAt: created, UpdatedAt: created, LastLoginAt: &login}
			noErr(t, s.CreateUser(ctx, &u), "CreateUser")
			gu, err := s.GetUser(ctx, u.ID)
			noErr(t, err, "GetUser")
			wantTime(t, "user LastLoginAt", *gu.LastLoginAt, login)

			a := mustAccount(t, s, w.ID)
			p := herald.Post{WorkspaceID: w.ID, AuthorID: u.ID, Text: "t", CreatedAt: created, UpdatedAt: created,
				Targets: []herald.Target{{AccountID: a.ID, State: herald.StateScheduled, ScheduledAt: &sched, CreatedAt: created, UpdatedAt: created}}}
			noErr(t, s.CreatePost(ctx, &p), "CreatePost")
			gp, err := s.GetPost(ctx, w.ID, p.ID)
			noErr(t, err, "GetPost")
			wantTime(t, "post CreatedAt", gp.CreatedAt, created)
			wantTime(t, "target ScheduledAt", *gp.Targets[0].ScheduledAt, sched)
			wantTime(t, "target CreatedAt", gp.Targets[0].CreatedAt, created)
			if gp.Targets[0].PublishedAt != nil {
				t.Fatalf("PublishedAt = %v, want nil", gp.Targets[0].PublishedAt)
			}

			// The filter's bounds are instants too, whatever their zone.
			from := sched.In(ny)
			to := sched.Add(time.Microsecond).In(time.FixedZone("x", 5*3600))
			list, _, err := s.ListPosts(ctx, herald.PostFilter{WorkspaceID: w.ID, From: &from, To: &to})
			noErr(t, err, "ListPosts")
			wantIDs(t, "posts in a one-microsecond window", postIDs(list), []int64{p.ID})
			to = sched
			list, _, err = s.ListPosts(ctx, herald.PostFilter{WorkspaceID: w.ID, From: &from, To: &to})
			noErr(t, err, "ListPosts")
			if len(list) != 0 {
				t.Fatal("an empty window [t, t) matched a post")
			}
		}},
		{"NilTimesStayNil", func(t *testing.T, s herald.Store) {
			ctx := t.Context()
			w := mustWorld(t, s)
			gu, err := s.GetUser(ctx, w.owner.ID)
			noErr(t, err, "GetUser")
			if gu.LastLoginAt != nil {
				t.Fatal("LastLoginAt is not nil")
			}
			ga, err := s.GetAccount(ctx, w.ws.ID, w.account.ID)
			noErr(t, err, "GetAccount")
			if ga.TokenExpiresAt != nil || ga.PausedAt != nil {
				t.Fatal("account times are not nil")
			}
			tok := herald.APIToken{WorkspaceID: w.ws.ID, UserID: w.owner.ID, Name: "n", Role: herald.RoleAnalyst,
				Prefix: "hrd_n", Hash: hash(unique()), CreatedAt: at(0)}
			noErr(t, s.CreateToken(ctx, &tok), "CreateToken")
			gt, err := s.GetToken(ctx, w.ws.ID, tok.ID)
			noErr(t, err, "GetToken")
			if gt.ExpiresAt != nil || gt.LastUsedAt != nil || gt.RevokedAt != nil {
				t.Fatal("token times are not nil")
			}
			p := mustPost(t, s, w.ws.ID, w.owner.ID, w.account.ID)
			gtg, err := s.GetTarget(ctx, w.ws.ID, p.Targets[0].ID)
			noErr(t, err, "GetTarget")
			if gtg.ScheduledAt != nil || gtg.PublishedAt != nil {
				t.Fatal("target times are not nil")
			}
		}},
	}
}
