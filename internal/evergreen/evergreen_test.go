package evergreen_test

import (
	"context"
	"fmt"
	"log/slog"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/heraldsocial/herald/internal/evergreen"
	"github.com/heraldsocial/herald/internal/herald"
	"github.com/heraldsocial/herald/internal/teststore"
)

// clock is a fixed clock: the recycling rules are decided against "now".
type clock struct{ t time.Time }

func (c clock) Now() time.Time { return c.t }

// monday is the fixed now of the tests: Monday 1 June 2026, midnight UTC.
var monday = time.Date(2026, 6, 1, 0, 0, 0, 0, time.UTC)

// stores runs fn against a fresh SQLite store and, when configured, a
// fresh PostgreSQL one.
func stores(t *testing.T, fn func(t *testing.T, s herald.Store)) { teststore.Each(t, fn) }

// world is a workspace with an owner and a Mastodon account posting at
// 09:00 and 15:00 every day.
type world struct {
	s     herald.Store
	ws    herald.Workspace
	owner herald.Actor
	acct  herald.Account
	svc   *evergreen.Service
}

func newWorld(t *testing.T, s herald.Store) *world {
	t.Helper()
	ctx := t.Context()
	w := &world{s: s, ws: herald.Workspace{Name: "Acme", TimeZone: "UTC"}}
	must(t, s.CreateWorkspace(ctx, &w.ws))
	u := herald.User{Email: fmt.Sprintf("owner%d@example.com", w.ws.ID), Name: "Owner"}
	must(t, s.CreateUser(ctx, &u))
	must(t, s.AddMember(ctx, &herald.Membership{WorkspaceID: w.ws.ID, UserID: u.ID, Role: herald.RoleOwner}))
	w.owner = herald.Actor{UserID: u.ID, WorkspaceID: w.ws.ID, Role: herald.RoleOwner}
	w.acct = w.account(t, herald.PlatformMastodon)
	w.svc = evergreen.New(s, clock{monday}, slog.New(slog.DiscardHandler))
	return w
}

func (w *world) account(t *testing.T, p herald.Platform) herald.Account {
	t.Helper()
	var sched herald.PostingSchedule
	for _, d := range []string{"monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"} {
		sched.Slots = append(sched.Slots, herald.PostingSlot{Day: d, Time: "09:00"}, herald.PostingSlot{Day: d, Time: "15:00"})
	}
	a := herald.Account{WorkspaceID: w.ws.ID, Platform: p, RemoteID: fmt.Sprintf("r-%s-%d", p, time.Now().UnixNano()),
		Handle: "@acme-" + string(p), Status: herald.AccountConnected, PostingSchedule: sched,
		Credentials: herald.Sealed{KeyID: "k", Ciphertext: []byte{1}}}
	must(t, w.s.CreateAccount(t.Context(), &a))
	return a
}

// published makes a post published on acct at when.
func (w *world) published(t *testing.T, acct herald.Account, text string, when time.Time) herald.Post {
	t.Helper()
	p := herald.Post{WorkspaceID: w.ws.ID, AuthorID: w.owner.UserID, Text: text, CreatedAt: when, UpdatedAt: when,
		Targets: []herald.Target{{AccountID: acct.ID, State: herald.StatePublished, ScheduledAt: &when, PublishedAt: &when,
			RemoteID: "remote", CreatedAt: when, UpdatedAt: when}}}
	must(t, w.s.CreatePost(t.Context(), &p))
	return p
}

// scheduled makes a post scheduled on acct at when.
func (w *world) scheduled(t *testing.T, acct herald.Account, text string, when time.Time) herald.Post {
	t.Helper()
	p := herald.Post{WorkspaceID: w.ws.ID, AuthorID: w.owner.UserID, Text: text, CreatedAt: monday, UpdatedAt: monday,
		Targets: []herald.Target{{AccountID: acct.ID, State: herald.StateScheduled, ScheduledAt: &when,
			CreatedAt: monday, UpdatedAt: monday}}}
	must(t, w.s.CreatePost(t.Context(), &p))
	return p
}

func (w *world) settings(t *testing.T, cooldown, share int) {
	t.Helper()
	_, err := w.svc.UpdateSettings(t.Context(), w.owner, herald.EvergreenSettings{Enabled: true, CooldownDays: cooldown,
		MaxSharePercent: share})
	must(t, err)
}

func (w *world) mark(t *testing.T, p herald.Post, variants ...string) {
	t.Helper()
	_, err := w.svc.Mark(t.Context(), w.owner, p.ID, variants)
	must(t, err)
}

// copies returns the workspace's copies with their texts, by slot.
func (w *world) copies(t *testing.T) []herald.EvergreenCopy {
	t.Helper()
	cs, err := w.s.ListEvergreenCopies(t.Context(), w.ws.ID, 0)
	must(t, err)
	return cs
}

func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

func days(n int) time.Duration { return time.Duration(n) * 24 * time.Hour }

func TestShareOfTheQueue(t *testing.T) {
	stores(t, func(t *testing.T, s herald.Store) {
		w := newWorld(t, s)
		w.settings(t, 30, 25)
		a := w.published(t, w.acct, "Our guide to spring", monday.Add(-days(60)))
		b := w.published(t, w.acct, "Ten tips for summer", monday.Add(-days(70)))
		c := w.published(t, w.acct, "How we pack an order", monday.Add(-days(80)))
		d := w.published(t, w.acct, "Meet the team", monday.Add(-days(90)))
		for _, p := range []herald.Post{a, b, c, d} {
			w.mark(t, p)
		}
		for i := range 3 {
			w.scheduled(t, w.acct, fmt.Sprintf("fresh %d", i), monday.Add(days(i+1)+9*time.Hour))
		}
		n, err := w.svc.Recycle(t.Context(), monday)
		must(t, err)
		// The account has 14 slots in the week: 25 % of them is 3.5, so
		// three copies; a fourth would make 4 of 14 (29 %).
		if n != 3 {
			t.Fatalf("made %d copies, want 3 (25 %% of 14 slots)", n)
		}
		cs := w.copies(t)
		// The post longest unused goes first, into the first free slot.
		if cs[0].OriginID != d.ID || !cs[0].SlotAt.Equal(monday.Add(9*time.Hour)) {
			t.Fatalf("copy %+v, want post %d at Monday 09:00", cs[0], d.ID)
		}
		again, err := w.svc.Recycle(t.Context(), monday)
		must(t, err)
		if again != 0 {
			t.Fatalf("a second run made %d copies, want none", again)
		}
		w.settings(t, 30, 50)
		n, err = w.svc.Recycle(t.Context(), monday)
		must(t, err)
		if n != 1 {
			t.Fatalf("at 50 %% a second run made %d copies, want 1 (each post once within its cooldown)", n)
		}
		cs = w.copies(t)
		if len(cs) != 4 || cs[3].OriginID != a.ID {
			t.Fatalf("copies %+v, want the fourth from post %d", cs, a.ID)
		}
	})
}

func TestShareWhenTheQueueIsFull(t *testing.T) {
	stores(t, func(t *testing.T, s herald.Store) {
		w := newWorld(t, s)
		w.settings(t, 30, 25)
		w.mark(t, w.published(t, w.acct, "Our guide to spring", monday.Add(-days(60))))
		// Every slot of the week holds a post of the account's own: 14 of
		// 14, so one copy would already be 1 of 15 (6 %) but there is no
		// free slot for it.
		for i := range 7 {
			w.scheduled(t, w.acct, fmt.Sprintf("morning %d", i), monday.Add(days(i)+9*time.Hour))
			w.scheduled(t, w.acct, fmt.Sprintf("afternoon %d", i), monday.Add(days(i)+15*time.Hour))
		}
		n, err := w.svc.Recycle(t.Context(), monday)
		must(t, err)
		if n != 0 {
			t.Fatalf("made %d copies with every slot taken", n)
		}
	})
}

func TestCooldownSinceLastPublication(t *testing.T) {
	stores(t, func(t *testing.T, s herald.Store) {
		w := newWorld(t, s)
		w.settings(t, 30, 100)
		recent := w.published(t, w.acct, "Recent news", monday.Add(-days(10)))
		w.mark(t, recent)
		n, err := w.svc.Recycle(t.Context(), monday)
		must(t, err)
		if n != 0 {
			t.Fatalf("made %d copies of a post published 10 days ago with a 30-day cooldown", n)
		}
		older := w.published(t, w.acct, "Older news", monday.Add(-days(25)+10*time.Hour))
		w.mark(t, older)
		n, err = w.svc.Recycle(t.Context(), monday)
		must(t, err)
		if n != 1 {
			t.Fatalf("made %d copies, want 1", n)
		}
		cs := w.copies(t)
		// Published on 7 May at 10:00: 30 days later is Saturday 6 June at
		// 10:00, so the first slot out of the cooldown is 15:00 that day.
		want := monday.Add(days(5) + 15*time.Hour)
		if cs[0].OriginID != older.ID || !cs[0].SlotAt.Equal(want) {
			t.Fatalf("copy %+v, want post %d at %s", cs[0], older.ID, want)
		}
		p, err := s.GetPost(t.Context(), w.ws.ID, *cs[0].PostID)
		must(t, err)
		if p.Targets[0].State != herald.StateScheduled || !p.Targets[0].ScheduledAt.Equal(want) || p.Text != "Older news" {
			t.Fatalf("copy post %+v, want scheduled at %s with the origin's text", p, want)
		}
	})
}

func TestNeverTheSameTextOnAPlatform(t *testing.T) {
	stores(t, func(t *testing.T, s herald.Store) {
		w := newWorld(t, s)
		w.settings(t, 30, 100)
		other := w.account(t, herald.PlatformMastodon)
		elsewhere := w.account(t, herald.PlatformBluesky)
		origin := w.published(t, w.acct, "Read our guide", monday.Add(-days(90)))
		w.mark(t, origin, "The guide, again", "Still the best guide")
		// The same text, spaced and cased differently, went out on another
		// Mastodon account 5 days ago; the second variant is scheduled there.
		w.published(t, other, "  read OUR   guide ", monday.Add(-days(5)))
		w.scheduled(t, other, "The guide, AGAIN", monday.Add(days(20)))
		// A Bluesky post of the third text does not count: another platform.
		w.published(t, elsewhere, "Still the best guide", monday.Add(-days(1)))
		n, err := w.svc.RecycleWorkspace(t.Context(), w.ws.ID, monday)
		must(t, err)
		if n != 1 {
			t.Fatalf("made %d copies, want 1", n)
		}
		cs := w.copies(t)
		if cs[0].Variant != 2 || cs[0].Text != "Still the best guide" {
			t.Fatalf("copy uses variant %d %q, want variant 2, the only text not seen on Mastodon within 30 days", cs[0].Variant, cs[0].Text)
		}
	})
}

func TestVariantsRotateOldestFirst(t *testing.T) {
	stores(t, func(t *testing.T, s herald.Store) {
		w := newWorld(t, s)
		w.settings(t, 1, 100)
		origin := w.published(t, w.acct, "Base", monday.Add(-days(100)))
		w.mark(t, origin, "A", "B")
		n, err := w.svc.Recycle(t.Context(), monday)
		must(t, err)
		var texts []string
		for _, c := range w.copies(t) {
			texts = append(texts, c.Text)
			if c.SlotAt.Hour() != 9 {
				t.Errorf("copy at %s: the 15:00 slot is within a day of the 09:00 one", c.SlotAt)
			}
		}
		want := []string{"A", "B", "Base", "A", "B", "Base", "A"}
		if n != len(want) || !slices.Equal(texts, want) {
			t.Fatalf("made %d copies %q, want %q (never-used variants first, then the oldest used)", n, texts, want)
		}
	})
}

func TestDeletedCopyIsNotRemade(t *testing.T) {
	stores(t, func(t *testing.T, s herald.Store) {
		w := newWorld(t, s)
		w.settings(t, 30, 100)
		origin := w.published(t, w.acct, "Evergreen", monday.Add(-days(40)))
		w.mark(t, origin)
		n, err := w.svc.Recycle(t.Context(), monday)
		must(t, err)
		if n != 1 {
			t.Fatalf("made %d copies, want 1", n)
		}
		c := w.copies(t)[0]
		must(t, s.DeletePost(t.Context(), w.ws.ID, *c.PostID))
		n, err = w.svc.Recycle(t.Context(), monday)
		must(t, err)
		// The deleted copy's slot stays used, and the post may go out again
		// (the deleted copy never went out), in the next free slot.
		cs := w.copies(t)
		if n != 1 || len(cs) != 2 || !cs[1].SlotAt.After(c.SlotAt) {
			t.Fatalf("after deleting the copy: made %d, copies %+v; want one new copy after %s", n, cs, c.SlotAt)
		}
	})
}

func TestTwoRunnersMakeEachCopyOnce(t *testing.T) {
	stores(t, func(t *testing.T, s herald.Store) {
		w := newWorld(t, s)
		w.settings(t, 1, 100)
		origin := w.published(t, w.acct, "Base", monday.Add(-days(100)))
		w.mark(t, origin, "A", "B")
		second := evergreen.New(s, clock{monday}, slog.New(slog.DiscardHandler))
		var wg sync.WaitGroup
		for _, svc := range []*evergreen.Service{w.svc, second, w.svc, second} {
			wg.Go(func() {
				if _, err := svc.Recycle(context.WithoutCancel(t.Context()), monday); err != nil {
					t.Errorf("Recycle: %v", err)
				}
			})
		}
		wg.Wait()
		cs := w.copies(t)
		slots := map[int64]bool{}
		for _, c := range cs {
			if slots[c.SlotAt.UnixMicro()] {
				t.Fatalf("two copies at %s", c.SlotAt)
			}
			slots[c.SlotAt.UnixMicro()] = true
		}
		if len(cs) != 7 {
			t.Fatalf("racing runners made %d copies, want the 7 one runner makes", len(cs))
		}
		posts, _, err := s.ListPosts(t.Context(), herald.PostFilter{WorkspaceID: w.ws.ID, States: []herald.TargetState{herald.StateScheduled},
			Page: herald.Page{Limit: 100}})
		must(t, err)
		if len(posts) != 7 {
			t.Fatalf("%d scheduled posts, want 7: a runner that lost left a post behind", len(posts))
		}
	})
}

func TestMarkRules(t *testing.T) {
	stores(t, func(t *testing.T, s herald.Store) {
		w := newWorld(t, s)
		ctx := t.Context()
		pub := w.published(t, w.acct, "Published", monday.Add(-days(3)))
		sched := w.scheduled(t, w.acct, "Not yet", monday.Add(days(3)))
		contributor := herald.Actor{UserID: w.owner.UserID, WorkspaceID: w.ws.ID, Role: herald.RoleContributor}
		for _, c := range []struct {
			name  string
			actor herald.Actor
			post  int64
			vars  []string
			code  herald.Code
		}{
			{"not published", w.owner, sched.ID, nil, herald.CodeConflict},
			{"contributor", contributor, pub.ID, nil, herald.CodeForbidden},
			{"missing", w.owner, pub.ID + 1000, nil, herald.CodeNotFound},
			{"control character", w.owner, pub.ID, []string{"bad\x00text"}, herald.CodeInvalid},
			{"another workspace", herald.Actor{UserID: w.owner.UserID, WorkspaceID: w.ws.ID + 1000, Role: herald.RoleOwner}, pub.ID, nil, herald.CodeNotFound},
		} {
			_, err := w.svc.Mark(ctx, c.actor, c.post, c.vars)
			if got := herald.ErrorCode(err); got != c.code {
				t.Errorf("%s: error %v, want %s", c.name, err, c.code)
			}
		}
		en, err := w.svc.Mark(ctx, w.owner, pub.ID, []string{"One", " ", "one ", "Two"})
		must(t, err)
		if !slices.Equal(en.Variants, []string{"One", "Two"}) {
			t.Fatalf("variants %q, want empty and repeated texts dropped", en.Variants)
		}
		audit, _, err := s.ListAudit(ctx, herald.AuditFilter{WorkspaceID: w.ws.ID})
		must(t, err)
		if len(audit) == 0 || audit[0].Action != "evergreen.mark" {
			t.Fatalf("latest audit entry %+v, want evergreen.mark", audit)
		}
		list, err := w.svc.List(ctx, w.owner)
		must(t, err)
		if len(list) != 1 || list[0].PostID != pub.ID {
			t.Fatalf("List = %+v", list)
		}
		must(t, w.svc.Unmark(ctx, w.owner, pub.ID))
		if err := w.svc.Unmark(ctx, w.owner, pub.ID); herald.ErrorCode(err) != herald.CodeNotFound {
			t.Fatalf("unmarking twice: %v, want not found", err)
		}
		_, err = w.svc.UpdateSettings(ctx, w.owner, herald.EvergreenSettings{CooldownDays: 0, MaxSharePercent: 101,
			AccountIDs: []int64{w.acct.ID + 1000}})
		if herald.ErrorCode(err) != herald.CodeInvalid {
			t.Fatalf("bad settings: %v, want invalid", err)
		}
		_, err = w.svc.UpdateSettings(ctx, w.owner, herald.EvergreenSettings{CooldownDays: 5, MaxSharePercent: 10,
			AccountIDs: []int64{w.acct.ID + 1000}})
		if herald.ErrorCode(err) != herald.CodeInvalid {
			t.Fatalf("settings naming another workspace's account: %v, want invalid", err)
		}
		st, err := w.svc.Settings(ctx, w.owner)
		must(t, err)
		if st.Enabled || st.CooldownDays != herald.DefaultEvergreenCooldownDays {
			t.Fatalf("settings after refused updates %+v, want the defaults", st)
		}
	})
}
