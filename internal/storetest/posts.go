package storetest

import (
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/heraldsocial/herald/internal/herald"
)

func postTests() []test {
	return []test{
		{"RoundTrip", func(t *testing.T, s herald.Store) {
			ctx := t.Context()
			w := mustWorld(t, s)
			second := mustAccount(t, s, w.ws.ID)
			l1 := mustLabel(t, s, w.ws.ID, "Launch")
			l2 := mustLabel(t, s, w.ws.ID, "Evergreen")
			camp := mustCampaign(t, s, w.ws.ID, "Spring")
			p := herald.Post{WorkspaceID: w.ws.ID, AuthorID: w.owner.ID, Title: "Launch day", Text: "We launch today 🚀",
				CampaignID: &camp.ID, LabelIDs: []int64{l2.ID, l1.ID}, CreatedAt: at(0), UpdatedAt: at(time.Second),
				Links: &herald.LinkTracking{Track: ptr(false), UTM: herald.UTM{Campaign: "spring-26", Term: "shoes"}},
				Targets: []herald.Target{
					{AccountID: w.account.ID, State: herald.StateDraft, CreatedAt: at(0), UpdatedAt: at(0),
						Variant: herald.Variant{Text: "Mastodon text", MediaIDs: []int64{7, 3},
							Thread:       []herald.ThreadPart{{Text: "part 2"}, {Text: "", MediaIDs: []int64{9}}},
							FirstComment: "first!", Options: map[string]string{"visibility": "unlisted", "language": "en"}}},
					{AccountID: second.ID, State: herald.StateScheduled, ScheduledAt: ptr(at(time.Hour)),
						CreatedAt: at(0), UpdatedAt: at(0)},
				}}
			noErr(t, s.CreatePost(ctx, &p), "CreatePost")
			if p.Version != 1 {
				t.Fatalf("post version = %d, want 1", p.Version)
			}
			for i, tg := range p.Targets {
				if tg.ID == 0 || tg.PostID != p.ID || tg.WorkspaceID != w.ws.ID || tg.Version != 1 {
					t.Fatalf("target %d not filled in by CreatePost: %+v", i, tg)
				}
			}
			got, err := s.GetPost(ctx, w.ws.ID, p.ID)
			noErr(t, err, "GetPost")
			samePost(t, "post", got, p)
			if got.Targets[0].ID > got.Targets[1].ID {
				t.Fatal("targets not ordered by id")
			}
			tg, err := s.GetTarget(ctx, w.ws.ID, p.Targets[1].ID)
			noErr(t, err, "GetTarget")
			same(t, "target", normTarget(tg), normTarget(p.Targets[1]))
			// The link choice is replaced by an update, and nil is the default.
			got.Links = nil
			noErr(t, s.UpdatePost(ctx, &got, got.Version), "UpdatePost")
			again, err := s.GetPost(ctx, w.ws.ID, p.ID)
			noErr(t, err, "GetPost")
			if again.Links != nil {
				t.Fatalf("links after clearing = %+v, want nil", again.Links)
			}
		}},
		{"NoTargetsNoLabels", func(t *testing.T, s herald.Store) {
			ctx := t.Context()
			w := mustWorld(t, s)
			p := mustPost(t, s, w.ws.ID, w.owner.ID)
			got, err := s.GetPost(ctx, w.ws.ID, p.ID)
			noErr(t, err, "GetPost")
			if len(got.Targets) != 0 || len(got.LabelIDs) != 0 || got.CampaignID != nil {
				t.Fatalf("empty post came back with %+v", got)
			}
		}},
		{"MissingAndOtherWorkspace", func(t *testing.T, s herald.Store) {
			ctx := t.Context()
			a := mustWorld(t, s)
			b := mustWorld(t, s)
			p := mustPost(t, s, a.ws.ID, a.owner.ID, a.account.ID)
			_, err := s.GetPost(ctx, b.ws.ID, p.ID)
			wantNotFound(t, err, "GetPost(other workspace)")
			_, err = s.GetPost(ctx, a.ws.ID, 987654)
			wantNotFound(t, err, "GetPost(missing)")
			_, err = s.GetTarget(ctx, b.ws.ID, p.Targets[0].ID)
			wantNotFound(t, err, "GetTarget(other workspace)")
			_, err = s.GetTarget(ctx, a.ws.ID, 987654)
			wantNotFound(t, err, "GetTarget(missing)")
			moved := p
			moved.WorkspaceID = b.ws.ID
			moved.Text = "hijacked"
			moved.Targets = nil
			wantNotFound(t, s.UpdatePost(ctx, &moved, 1), "UpdatePost(other workspace)")
			missing := p
			missing.ID = 987654
			wantNotFound(t, s.UpdatePost(ctx, &missing, 1), "UpdatePost(missing)")
			wantNotFound(t, s.DeletePost(ctx, b.ws.ID, p.ID), "DeletePost(other workspace)")
			list, _, err := s.ListPosts(ctx, herald.PostFilter{WorkspaceID: b.ws.ID})
			noErr(t, err, "ListPosts")
			if len(list) != 0 {
				t.Fatalf("workspace b lists %d posts of a", len(list))
			}
			got, err := s.GetPost(ctx, a.ws.ID, p.ID)
			noErr(t, err, "GetPost")
			samePost(t, "post after refused cross-workspace changes", got, p)

			noErr(t, s.DeletePost(ctx, a.ws.ID, p.ID), "DeletePost")
			_, err = s.GetPost(ctx, a.ws.ID, p.ID)
			wantNotFound(t, err, "GetPost after delete")
			_, err = s.GetTarget(ctx, a.ws.ID, p.Targets[0].ID)
			wantNotFound(t, err, "GetTarget after its post was deleted")
			wantNotFound(t, s.DeletePost(ctx, a.ws.ID, p.ID), "DeletePost twice")
		}},
		{"ReferencesOutsideWorkspaceConflict", func(t *testing.T, s herald.Store) {
			ctx := t.Context()
			a := mustWorld(t, s)
			b := mustWorld(t, s)
			bLabel := mustLabel(t, s, b.ws.ID, "B label")
			bCamp := mustCampaign(t, s, b.ws.ID, "B campaign")
			cases := []struct {
				name string
				edit func(p *herald.Post)
			}{
				{"account of another workspace", func(p *herald.Post) { p.Targets[0].AccountID = b.account.ID }},
				{"account that does not exist", func(p *herald.Post) { p.Targets[0].AccountID = 987654 }},
				{"label of another workspace", func(p *herald.Post) { p.LabelIDs = []int64{bLabel.ID} }},
				{"label that does not exist", func(p *herald.Post) { p.LabelIDs = []int64{987654} }},
				{"campaign of another workspace", func(p *herald.Post) { p.CampaignID = &bCamp.ID }},
				{"campaign that does not exist", func(p *herald.Post) { p.CampaignID = ptr(int64(987654)) }},
			}
			for _, c := range cases {
				p := herald.Post{WorkspaceID: a.ws.ID, AuthorID: a.owner.ID, Text: "x", CreatedAt: at(0), UpdatedAt: at(0),
					Targets: []herald.Target{{AccountID: a.account.ID, State: herald.StateDraft, CreatedAt: at(0), UpdatedAt: at(0)}}}
				c.edit(&p)
				wantConflict(t, s.CreatePost(ctx, &p), "CreatePost with "+c.name)

				ok := mustPost(t, s, a.ws.ID, a.owner.ID, a.account.ID)
				edited := ok
				edited.Targets = append([]herald.Target(nil), ok.Targets...)
				edited.Text = "edited"
				c.edit(&edited)
				if edited.Targets[0].AccountID != ok.Targets[0].AccountID {
					edited.Targets[0].ID = 0 // a new target on the foreign account
				}
				wantConflict(t, s.UpdatePost(ctx, &edited, 1), "UpdatePost with "+c.name)
				got, err := s.GetPost(ctx, a.ws.ID, ok.ID)
				noErr(t, err, "GetPost")
				samePost(t, "post after refused UpdatePost with "+c.name, got, ok)
			}
			list, _, err := s.ListPosts(ctx, herald.PostFilter{WorkspaceID: a.ws.ID, Page: herald.Page{Limit: 100}})
			noErr(t, err, "ListPosts")
			if len(list) != len(cases) {
				t.Fatalf("%d posts stored, want only the %d valid ones", len(list), len(cases))
			}
		}},
		{"OptimisticConcurrency", func(t *testing.T, s herald.Store) {
			ctx := t.Context()
			w := mustWorld(t, s)
			p := mustPost(t, s, w.ws.ID, w.owner.ID, w.account.ID)
			first, err := s.GetPost(ctx, w.ws.ID, p.ID)
			noErr(t, err, "GetPost")
			second, err := s.GetPost(ctx, w.ws.ID, p.ID)
			noErr(t, err, "GetPost")
			first.Text = "first writer"
			first.UpdatedAt = at(time.Hour)
			noErr(t, s.UpdatePost(ctx, &first, 1), "UpdatePost(first writer)")
			if first.Version != 2 {
				t.Fatalf("version after update = %d, want 2", first.Version)
			}
			second.Text = "second writer"
			wantConflict(t, s.UpdatePost(ctx, &second, 1), "UpdatePost(stale version)")
			got, err := s.GetPost(ctx, w.ws.ID, p.ID)
			noErr(t, err, "GetPost")
			if got.Text != "first writer" || got.Version != 2 {
				t.Fatalf("stored post = %q v%d, want %q v2", got.Text, got.Version, "first writer")
			}
			wantTime(t, "UpdatedAt", got.UpdatedAt, at(time.Hour))
		}},
		{"ConcurrentUpdatesOneWins", func(t *testing.T, s herald.Store) {
			ctx := t.Context()
			w := mustWorld(t, s)
			p := mustPost(t, s, w.ws.ID, w.owner.ID, w.account.ID)
			const n = 8
			errs := make([]error, n)
			var wg sync.WaitGroup
			for i := range n {
				wg.Go(func() {
					mine, err := s.GetPost(ctx, w.ws.ID, p.ID)
					if err != nil {
						errs[i] = err
						return
					}
					mine.Text = "writer " + string(rune('a'+i))
					errs[i] = s.UpdatePost(ctx, &mine, 1)
				})
			}
			wg.Wait()
			wins := 0
			for i, err := range errs {
				switch {
				case err == nil:
					wins++
				case errors.Is(err, herald.ErrConflict):
				default:
					t.Fatalf("writer %d: unexpected error %v", i, err)
				}
			}
			if wins != 1 {
				t.Fatalf("%d writers succeeded with the same expected version, want exactly 1", wins)
			}
			got, err := s.GetPost(ctx, w.ws.ID, p.ID)
			noErr(t, err, "GetPost")
			if got.Version != 2 {
				t.Fatalf("version = %d, want 2", got.Version)
			}
		}},
		{"UpdateReplacesTargets", func(t *testing.T, s herald.Store) {
			ctx := t.Context()
			w := mustWorld(t, s)
			acc2 := mustAccount(t, s, w.ws.ID)
			acc3 := mustAccount(t, s, w.ws.ID)
			p := mustPost(t, s, w.ws.ID, w.owner.ID, w.account.ID, acc2.ID)
			kept, dropped := p.Targets[0], p.Targets[1]
			kept.Variant = herald.Variant{Text: "new variant", Options: map[string]string{"spoiler_text": "cw"}}
			kept.ScheduledAt = ptr(at(5 * time.Hour))
			added := herald.Target{AccountID: acc3.ID, State: herald.StateDraft, Variant: herald.Variant{Text: "added"},
				CreatedAt: at(time.Hour), UpdatedAt: at(time.Hour)}
			p.Targets = []herald.Target{kept, added}
			p.Title = "new title"
			p.Text = "new text"
			p.UpdatedAt = at(time.Hour)
			noErr(t, s.UpdatePost(ctx, &p, 1), "UpdatePost")
			if p.Targets[1].ID == 0 || p.Targets[1].PostID != p.ID || p.Targets[1].WorkspaceID != w.ws.ID {
				t.Fatalf("inserted target not filled in: %+v", p.Targets[1])
			}
			got, err := s.GetPost(ctx, w.ws.ID, p.ID)
			noErr(t, err, "GetPost")
			if len(got.Targets) != 2 {
				t.Fatalf("post has %d targets, want 2", len(got.Targets))
			}
			if got.Targets[0].ID != kept.ID || got.Targets[1].ID != p.Targets[1].ID {
				t.Fatalf("targets = %d, %d; want kept %d and new %d", got.Targets[0].ID, got.Targets[1].ID, kept.ID, p.Targets[1].ID)
			}
			same(t, "kept target's variant", got.Targets[0].Variant, kept.Variant)
			if got.Targets[0].Version != 2 || p.Targets[0].Version != 2 {
				t.Fatalf("kept target's version = %d (returned %d), want 2: an edit bumps it", got.Targets[0].Version, p.Targets[0].Version)
			}
			stale := got.Targets[0]
			stale.Version = 1
			stale.ScheduledAt = nil
			if _, err := stale.Transition(herald.StateInReview, nil, "stale copy", at(2*time.Hour)); err != nil {
				t.Fatal(err)
			}
			err = s.TransitionTarget(ctx, &stale, herald.TargetTransition{TargetID: stale.ID, From: herald.StateDraft, To: herald.StateInReview, At: at(2 * time.Hour)})
			wantConflict(t, err, "TransitionTarget with a copy older than an edit")
			wantTime(t, "kept target's ScheduledAt", *got.Targets[0].ScheduledAt, at(5*time.Hour))
			if got.Targets[1].Version != 1 || got.Targets[1].Variant.Text != "added" || got.Targets[1].AccountID != acc3.ID {
				t.Fatalf("added target = %+v", got.Targets[1])
			}
			if got.Title != "new title" || got.Text != "new text" || got.Version != 2 {
				t.Fatalf("post fields not saved: %+v", got)
			}
			_, err = s.GetTarget(ctx, w.ws.ID, dropped.ID)
			wantNotFound(t, err, "GetTarget(dropped target)")
		}},
		{"UpdateLabelsAndCampaign", func(t *testing.T, s herald.Store) {
			ctx := t.Context()
			w := mustWorld(t, s)
			l1 := mustLabel(t, s, w.ws.ID, "One")
			l2 := mustLabel(t, s, w.ws.ID, "Two")
			l3 := mustLabel(t, s, w.ws.ID, "Three")
			camp := mustCampaign(t, s, w.ws.ID, "C")
			p := herald.Post{WorkspaceID: w.ws.ID, AuthorID: w.owner.ID, Text: "x", LabelIDs: []int64{l1.ID, l2.ID},
				CampaignID: &camp.ID, CreatedAt: at(0), UpdatedAt: at(0)}
			noErr(t, s.CreatePost(ctx, &p), "CreatePost")
			p.LabelIDs = []int64{l2.ID, l3.ID}
			p.CampaignID = nil
			noErr(t, s.UpdatePost(ctx, &p, 1), "UpdatePost")
			got, err := s.GetPost(ctx, w.ws.ID, p.ID)
			noErr(t, err, "GetPost")
			samePost(t, "post with new labels and no campaign", got, p)
			p.LabelIDs = nil
			noErr(t, s.UpdatePost(ctx, &p, 2), "UpdatePost(no labels)")
			got, err = s.GetPost(ctx, w.ws.ID, p.ID)
			noErr(t, err, "GetPost")
			if len(got.LabelIDs) != 0 || got.Version != 3 {
				t.Fatalf("labels = %v, version %d; want none, 3", got.LabelIDs, got.Version)
			}
		}},
		{"DeleteLabelRemovesItsUses", func(t *testing.T, s herald.Store) {
			ctx := t.Context()
			w := mustWorld(t, s)
			l1 := mustLabel(t, s, w.ws.ID, "One")
			l2 := mustLabel(t, s, w.ws.ID, "Two")
			p := herald.Post{WorkspaceID: w.ws.ID, AuthorID: w.owner.ID, Text: "x", LabelIDs: []int64{l1.ID, l2.ID},
				CreatedAt: at(0), UpdatedAt: at(0)}
			noErr(t, s.CreatePost(ctx, &p), "CreatePost")
			noErr(t, s.DeleteLabel(ctx, w.ws.ID, l1.ID), "DeleteLabel")
			got, err := s.GetPost(ctx, w.ws.ID, p.ID)
			noErr(t, err, "GetPost")
			wantIDs(t, "labels after DeleteLabel", got.LabelIDs, []int64{l2.ID})
			list, _, err := s.ListPosts(ctx, herald.PostFilter{WorkspaceID: w.ws.ID, LabelID: l1.ID})
			noErr(t, err, "ListPosts(deleted label)")
			if len(list) != 0 {
				t.Fatalf("%d posts still carry the deleted label", len(list))
			}
		}},
		{"DeleteCampaignUnlinksPosts", func(t *testing.T, s herald.Store) {
			ctx := t.Context()
			w := mustWorld(t, s)
			camp := mustCampaign(t, s, w.ws.ID, "C")
			p := herald.Post{WorkspaceID: w.ws.ID, AuthorID: w.owner.ID, Text: "x", CampaignID: &camp.ID,
				CreatedAt: at(0), UpdatedAt: at(0)}
			noErr(t, s.CreatePost(ctx, &p), "CreatePost")
			noErr(t, s.DeleteCampaign(ctx, w.ws.ID, camp.ID), "DeleteCampaign")
			got, err := s.GetPost(ctx, w.ws.ID, p.ID)
			noErr(t, err, "GetPost after DeleteCampaign")
			if got.CampaignID != nil {
				t.Fatalf("CampaignID = %d after its campaign was deleted, want nil", *got.CampaignID)
			}
		}},
	}
}

// listFixture is a workspace with posts spread over accounts, states,
// labels, campaigns and schedule times, for the filter tests.
type listFixture struct {
	w          world
	acc2       herald.Account
	label      herald.Label
	campaign   herald.Campaign
	p1, p2, p3 herald.Post
}

// target is a target on acc in state st, scheduled at sched.
func target(acc int64, st herald.TargetState, sched *time.Time) herald.Target {
	return herald.Target{AccountID: acc, State: st, ScheduledAt: sched, CreatedAt: at(0), UpdatedAt: at(0)}
}

func mustListFixture(t *testing.T, s herald.Store) listFixture {
	t.Helper()
	ctx := t.Context()
	var f listFixture
	f.w = mustWorld(t, s)
	f.acc2 = mustAccount(t, s, f.w.ws.ID)
	f.label = mustLabel(t, s, f.w.ws.ID, "L")
	f.campaign = mustCampaign(t, s, f.w.ws.ID, "C")
	f.p1 = herald.Post{WorkspaceID: f.w.ws.ID, AuthorID: f.w.owner.ID, Text: "p1", LabelIDs: []int64{f.label.ID},
		Targets: []herald.Target{target(f.w.account.ID, herald.StateDraft, ptr(at(time.Hour)))}, CreatedAt: at(0), UpdatedAt: at(0)}
	f.p2 = herald.Post{WorkspaceID: f.w.ws.ID, AuthorID: f.w.owner.ID, Text: "p2", CampaignID: &f.campaign.ID,
		Targets: []herald.Target{target(f.acc2.ID, herald.StateScheduled, ptr(at(3*time.Hour)))}, CreatedAt: at(0), UpdatedAt: at(0)}
	f.p3 = herald.Post{WorkspaceID: f.w.ws.ID, AuthorID: f.w.owner.ID, Text: "p3",
		Targets:   []herald.Target{target(f.w.account.ID, herald.StateDraft, nil), target(f.acc2.ID, herald.StateDraft, nil)},
		CreatedAt: at(0), UpdatedAt: at(0)}
	for _, p := range []*herald.Post{&f.p1, &f.p2, &f.p3} {
		noErr(t, s.CreatePost(ctx, p), "CreatePost")
	}
	// Noise in another workspace that matches every filter by value.
	other := mustWorld(t, s)
	noise := herald.Post{WorkspaceID: other.ws.ID, AuthorID: other.owner.ID, Text: "noise",
		Targets: []herald.Target{target(other.account.ID, herald.StateScheduled, ptr(at(time.Hour)))}, CreatedAt: at(0), UpdatedAt: at(0)}
	noErr(t, s.CreatePost(ctx, &noise), "CreatePost")
	return f
}

func postListTests() []test {
	return []test{
		{"Filters", func(t *testing.T, s herald.Store) {
			ctx := t.Context()
			f := mustListFixture(t, s)
			ws := f.w.ws.ID
			p1, p2, p3 := f.p1.ID, f.p2.ID, f.p3.ID
			cases := []struct {
				name   string
				filter herald.PostFilter
				want   []int64
			}{
				{"all, newest first", herald.PostFilter{WorkspaceID: ws}, []int64{p3, p2, p1}},
				{"state scheduled", herald.PostFilter{WorkspaceID: ws, States: []herald.TargetState{herald.StateScheduled}}, []int64{p2}},
				{"state draft", herald.PostFilter{WorkspaceID: ws, States: []herald.TargetState{herald.StateDraft}}, []int64{p3, p1}},
				{"states draft or scheduled", herald.PostFilter{WorkspaceID: ws, States: []herald.TargetState{herald.StateDraft, herald.StateScheduled}}, []int64{p3, p2, p1}},
				{"state published", herald.PostFilter{WorkspaceID: ws, States: []herald.TargetState{herald.StatePublished}}, nil},
				{"account 2", herald.PostFilter{WorkspaceID: ws, AccountID: f.acc2.ID}, []int64{p3, p2}},
				{"label", herald.PostFilter{WorkspaceID: ws, LabelID: f.label.ID}, []int64{p1}},
				{"campaign", herald.PostFilter{WorkspaceID: ws, CampaignID: f.campaign.ID}, []int64{p2}},
				{"from and to", herald.PostFilter{WorkspaceID: ws, From: ptr(at(0)), To: ptr(at(2 * time.Hour))}, []int64{p1}},
				{"to is exclusive", herald.PostFilter{WorkspaceID: ws, From: ptr(at(time.Hour)), To: ptr(at(3 * time.Hour))}, []int64{p1}},
				{"from only", herald.PostFilter{WorkspaceID: ws, From: ptr(at(2 * time.Hour))}, []int64{p2}},
				{"to only", herald.PostFilter{WorkspaceID: ws, To: ptr(at(time.Hour))}, nil},
				{"from is inclusive", herald.PostFilter{WorkspaceID: ws, From: ptr(at(3 * time.Hour))}, []int64{p2}},
				{"account and state", herald.PostFilter{WorkspaceID: ws, AccountID: f.w.account.ID, States: []herald.TargetState{herald.StateDraft}}, []int64{p3, p1}},
				{"label and campaign", herald.PostFilter{WorkspaceID: ws, LabelID: f.label.ID, CampaignID: f.campaign.ID}, nil},
				{"window and label", herald.PostFilter{WorkspaceID: ws, LabelID: f.label.ID, From: ptr(at(0)), To: ptr(at(4 * time.Hour))}, []int64{p1}},
				{"window and campaign", herald.PostFilter{WorkspaceID: ws, CampaignID: f.campaign.ID, From: ptr(at(0)), To: ptr(at(4 * time.Hour))}, []int64{p2}},
				{"unknown workspace", herald.PostFilter{WorkspaceID: 987654}, nil},
			}
			for _, c := range cases {
				got, next, err := s.ListPosts(ctx, c.filter)
				noErr(t, err, "ListPosts("+c.name+")")
				if next != "" {
					t.Fatalf("ListPosts(%s): next = %q on a single page", c.name, next)
				}
				wantIDs(t, "ListPosts("+c.name+")", postIDs(got), c.want)
			}
		}},
		{"ListedPostsCarryEverything", func(t *testing.T, s herald.Store) {
			ctx := t.Context()
			f := mustListFixture(t, s)
			got, _, err := s.ListPosts(ctx, herald.PostFilter{WorkspaceID: f.w.ws.ID, AccountID: f.acc2.ID,
				States: []herald.TargetState{herald.StateDraft}})
			noErr(t, err, "ListPosts")
			wantIDs(t, "ListPosts", postIDs(got), []int64{f.p3.ID})
			samePost(t, "listed post with both targets", got[0], f.p3)
			all, _, err := s.ListPosts(ctx, herald.PostFilter{WorkspaceID: f.w.ws.ID})
			noErr(t, err, "ListPosts")
			samePost(t, "listed p2", all[1], f.p2)
			samePost(t, "listed p1", all[2], f.p1)
		}},
		{"DraftsAndSearch", func(t *testing.T, s herald.Store) {
			ctx := t.Context()
			f := mustListFixture(t, s)
			ws := f.w.ws.ID
			// An idea without accounts, and posts whose words sit in a title,
			// a target's own text and a thread part.
			idea := herald.Post{WorkspaceID: ws, AuthorID: f.w.owner.ID, Title: "Spring IDEA", Text: "50% off_now",
				CreatedAt: at(0), UpdatedAt: at(0)}
			noErr(t, s.CreatePost(ctx, &idea), "CreatePost(idea)")
			own := herald.Post{WorkspaceID: ws, AuthorID: f.w.owner.ID, Text: "base",
				Targets: []herald.Target{{AccountID: f.w.account.ID, State: herald.StateInReview,
					Variant:   herald.Variant{Text: "Own words here", Thread: []herald.ThreadPart{{Text: "a later Thread part"}}},
					CreatedAt: at(0), UpdatedAt: at(0)}}, CreatedAt: at(0), UpdatedAt: at(0)}
			noErr(t, s.CreatePost(ctx, &own), "CreatePost(own)")
			cases := []struct {
				name   string
				filter herald.PostFilter
				want   []int64
			}{
				{"drafts", herald.PostFilter{WorkspaceID: ws, Drafts: true}, []int64{idea.ID, f.p3.ID, f.p1.ID}},
				{"title, any case", herald.PostFilter{WorkspaceID: ws, Query: "spring idea"}, []int64{idea.ID}},
				{"text", herald.PostFilter{WorkspaceID: ws, Query: "p2"}, []int64{f.p2.ID}},
				{"percent is literal", herald.PostFilter{WorkspaceID: ws, Query: "50%"}, []int64{idea.ID}},
				{"underscore is literal", herald.PostFilter{WorkspaceID: ws, Query: "f_n"}, []int64{idea.ID}},
				{"a percent alone matches only itself", herald.PostFilter{WorkspaceID: ws, Query: "%"}, []int64{idea.ID}},
				{"a target's own text", herald.PostFilter{WorkspaceID: ws, Query: "OWN WORDS"}, []int64{own.ID}},
				{"a thread part", herald.PostFilter{WorkspaceID: ws, Query: "thread part"}, []int64{own.ID}},
				{"no key of the stored variant matches", herald.PostFilter{WorkspaceID: ws, Query: "media_ids"}, nil},
				{"drafts matching", herald.PostFilter{WorkspaceID: ws, Drafts: true, Query: "p"}, []int64{idea.ID, f.p3.ID, f.p1.ID}},
				{"drafts matching, not in review", herald.PostFilter{WorkspaceID: ws, Drafts: true, Query: "own"}, nil},
				{"drafts in a window", herald.PostFilter{WorkspaceID: ws, Drafts: true, From: ptr(at(0)), To: ptr(at(4 * time.Hour))}, []int64{f.p1.ID}},
				{"drafts on an account", herald.PostFilter{WorkspaceID: ws, Drafts: true, AccountID: f.acc2.ID}, []int64{f.p3.ID}},
			}
			for _, c := range cases {
				got, _, err := s.ListPosts(ctx, c.filter)
				noErr(t, err, "ListPosts("+c.name+")")
				wantIDs(t, "ListPosts("+c.name+")", postIDs(got), c.want)
			}
			// Pages of drafts hold only drafts.
			got := walk(t, "ListPosts(drafts)", 1, func(pg herald.Page) ([]herald.Post, string, error) {
				return s.ListPosts(ctx, herald.PostFilter{WorkspaceID: ws, Drafts: true, Page: pg})
			})
			wantIDs(t, "drafts walked one by one", postIDs(got), []int64{idea.ID, f.p3.ID, f.p1.ID})
		}},
		{"Pagination", func(t *testing.T, s herald.Store) {
			ctx := t.Context()
			// 5 items (a short last page) and 4 items (a full last page).
			for _, n := range []int{5, 4} {
				w := mustWorld(t, s)
				var want []int64
				for range n {
					p := mustPost(t, s, w.ws.ID, w.owner.ID, w.account.ID)
					want = append([]int64{p.ID}, want...)
				}
				got := walk(t, "ListPosts", 2, func(pg herald.Page) ([]herald.Post, string, error) {
					return s.ListPosts(ctx, herald.PostFilter{WorkspaceID: w.ws.ID, Page: pg})
				})
				wantIDs(t, "posts walked with limit 2", postIDs(got), want)
				for _, p := range got {
					if len(p.Targets) != 1 {
						t.Fatalf("listed post %d has %d targets, want 1", p.ID, len(p.Targets))
					}
				}
			}
		}},
		{"FilteredPagination", func(t *testing.T, s herald.Store) {
			ctx := t.Context()
			w := mustWorld(t, s)
			var want []int64
			for i := range 10 {
				p := mustPost(t, s, w.ws.ID, w.owner.ID, w.account.ID)
				if i%2 == 0 {
					tg := p.Targets[0]
					tr, err := tg.Transition(herald.StateCancelled, nil, "", at(time.Hour))
					noErr(t, err, "Transition")
					noErr(t, s.TransitionTarget(ctx, &tg, tr), "TransitionTarget")
					want = append([]int64{p.ID}, want...)
				}
			}
			got := walk(t, "ListPosts(cancelled)", 2, func(pg herald.Page) ([]herald.Post, string, error) {
				return s.ListPosts(ctx, herald.PostFilter{WorkspaceID: w.ws.ID, States: []herald.TargetState{herald.StateCancelled}, Page: pg})
			})
			wantIDs(t, "cancelled posts walked with limit 2", postIDs(got), want)
		}},
		{"WindowPagination", func(t *testing.T, s herald.Store) {
			// Posts whose two targets both fall in the window are listed
			// once, page after page; posts outside it are not.
			ctx := t.Context()
			w := mustWorld(t, s)
			acc2 := mustAccount(t, s, w.ws.ID)
			var want []int64
			for i := range 7 {
				when := at(time.Duration(i) * time.Hour)
				p := herald.Post{WorkspaceID: w.ws.ID, AuthorID: w.owner.ID, Text: "windowed", CreatedAt: at(0), UpdatedAt: at(0),
					Targets: []herald.Target{target(w.account.ID, herald.StateScheduled, ptr(when)),
						target(acc2.ID, herald.StateScheduled, ptr(when.Add(time.Minute)))}}
				noErr(t, s.CreatePost(ctx, &p), "CreatePost")
				if i >= 1 && i < 6 {
					want = append([]int64{p.ID}, want...)
				}
			}
			got := walk(t, "ListPosts(window)", 2, func(pg herald.Page) ([]herald.Post, string, error) {
				return s.ListPosts(ctx, herald.PostFilter{WorkspaceID: w.ws.ID, From: ptr(at(time.Hour)), To: ptr(at(6 * time.Hour)), Page: pg})
			})
			wantIDs(t, "windowed posts walked with limit 2", postIDs(got), want)
		}},
		{"BadCursor", func(t *testing.T, s herald.Store) {
			ctx := t.Context()
			w := mustWorld(t, s)
			mustPost(t, s, w.ws.ID, w.owner.ID)
			for _, c := range garbageCursors() {
				_, _, err := s.ListPosts(ctx, herald.PostFilter{WorkspaceID: w.ws.ID, Page: herald.Page{Cursor: c, Limit: 2}})
				wantBadCursor(t, err, "ListPosts(cursor "+c+")")
			}
		}},
	}
}

func targetTests() []test {
	return []test{
		{"TransitionAndHistory", func(t *testing.T, s herald.Store) {
			ctx := t.Context()
			w := mustWorld(t, s)
			p := mustPost(t, s, w.ws.ID, w.owner.ID, w.account.ID)
			tg := p.Targets[0]
			actor := w.owner.ID

			tg.ScheduledAt = ptr(at(time.Hour))
			tr1, err := tg.Transition(herald.StateScheduled, &actor, "ready", at(time.Minute))
			noErr(t, err, "Transition")
			noErr(t, s.TransitionTarget(ctx, &tg, tr1), "TransitionTarget(scheduled)")
			if tg.Version != 2 {
				t.Fatalf("target version = %d, want 2", tg.Version)
			}
			tr2, err := tg.Transition(herald.StatePublishing, nil, "", at(time.Hour))
			noErr(t, err, "Transition")
			noErr(t, s.TransitionTarget(ctx, &tg, tr2), "TransitionTarget(publishing)")
			tg.RemoteID = "110000000000000001"
			tg.RemoteURL = "https://example.social/@herald/110000000000000001"
			tg.LastError = "was slow"
			tr3, err := tg.Transition(herald.StatePublished, nil, "published", at(time.Hour+time.Second))
			noErr(t, err, "Transition")
			noErr(t, s.TransitionTarget(ctx, &tg, tr3), "TransitionTarget(published)")
			if tg.Version != 4 {
				t.Fatalf("target version = %d, want 4", tg.Version)
			}

			got, err := s.GetTarget(ctx, w.ws.ID, tg.ID)
			noErr(t, err, "GetTarget")
			same(t, "transitioned target", normTarget(got), normTarget(tg))
			if got.State != herald.StatePublished || got.PublishedAt == nil {
				t.Fatalf("target = %+v, want published with PublishedAt", got)
			}

			hist, err := s.ListTargetTransitions(ctx, w.ws.ID, tg.ID)
			noErr(t, err, "ListTargetTransitions")
			if len(hist) != 3 {
				t.Fatalf("%d transitions, want 3", len(hist))
			}
			for i, want := range []herald.TargetTransition{tr1, tr2, tr3} {
				want.ID = hist[i].ID
				same(t, "transition", hist[i], want)
				if hist[i].ID == 0 || hist[i].TargetID != tg.ID {
					t.Fatalf("transition %d = %+v", i, hist[i])
				}
			}
			if hist[0].ActorID == nil || *hist[0].ActorID != actor || hist[1].ActorID != nil {
				t.Fatal("transition actors not kept")
			}
		}},
		{"StaleVersionOrState", func(t *testing.T, s herald.Store) {
			ctx := t.Context()
			w := mustWorld(t, s)
			p := mustPost(t, s, w.ws.ID, w.owner.ID, w.account.ID)
			orig := p.Targets[0]

			a := orig
			tr, err := a.Transition(herald.StateInReview, nil, "", at(time.Minute))
			noErr(t, err, "Transition")
			noErr(t, s.TransitionTarget(ctx, &a, tr), "TransitionTarget")

			b := orig // still version 1, state draft
			trB, err := b.Transition(herald.StateCancelled, nil, "", at(time.Minute))
			noErr(t, err, "Transition")
			wantConflict(t, s.TransitionTarget(ctx, &b, trB), "TransitionTarget(stale version and state)")

			c := a // right version, wrong From
			trC := herald.TargetTransition{TargetID: c.ID, From: herald.StateApproved, To: herald.StateScheduled, At: at(time.Hour)}
			c.State = herald.StateScheduled
			wantConflict(t, s.TransitionTarget(ctx, &c, trC), "TransitionTarget(stale state)")

			d := a // right state, wrong version
			d.Version = 1
			trD, err := d.Transition(herald.StateApproved, nil, "", at(time.Hour))
			noErr(t, err, "Transition")
			wantConflict(t, s.TransitionTarget(ctx, &d, trD), "TransitionTarget(stale version)")

			got, err := s.GetTarget(ctx, w.ws.ID, orig.ID)
			noErr(t, err, "GetTarget")
			if got.State != herald.StateInReview || got.Version != 2 {
				t.Fatalf("target = %s v%d, want in_review v2", got.State, got.Version)
			}
			hist, err := s.ListTargetTransitions(ctx, w.ws.ID, orig.ID)
			noErr(t, err, "ListTargetTransitions")
			if len(hist) != 1 {
				t.Fatalf("%d transitions stored, want only the one that won", len(hist))
			}
		}},
		{"ConcurrentTransitionsOneWins", func(t *testing.T, s herald.Store) {
			ctx := t.Context()
			w := mustWorld(t, s)
			p := mustPost(t, s, w.ws.ID, w.owner.ID, w.account.ID)
			const n = 6
			errs := make([]error, n)
			var wg sync.WaitGroup
			for i := range n {
				wg.Go(func() {
					tg := p.Targets[0]
					tr, err := tg.Transition(herald.StateScheduled, nil, "", at(time.Minute))
					if err != nil {
						errs[i] = err
						return
					}
					errs[i] = s.TransitionTarget(ctx, &tg, tr)
				})
			}
			wg.Wait()
			wins := 0
			for i, err := range errs {
				switch {
				case err == nil:
					wins++
				case errors.Is(err, herald.ErrConflict):
				default:
					t.Fatalf("claimer %d: unexpected error %v", i, err)
				}
			}
			if wins != 1 {
				t.Fatalf("%d concurrent transitions from the same version succeeded, want 1", wins)
			}
		}},
		{"MissingAndOtherWorkspace", func(t *testing.T, s herald.Store) {
			ctx := t.Context()
			a := mustWorld(t, s)
			b := mustWorld(t, s)
			p := mustPost(t, s, a.ws.ID, a.owner.ID, a.account.ID)
			tg := p.Targets[0]
			tg.WorkspaceID = b.ws.ID
			tr, err := tg.Transition(herald.StateCancelled, nil, "", at(time.Minute))
			noErr(t, err, "Transition")
			wantNotFound(t, s.TransitionTarget(ctx, &tg, tr), "TransitionTarget(other workspace)")
			missing := p.Targets[0]
			missing.ID = 987654
			trM, err := missing.Transition(herald.StateCancelled, nil, "", at(time.Minute))
			noErr(t, err, "Transition")
			wantNotFound(t, s.TransitionTarget(ctx, &missing, trM), "TransitionTarget(missing)")
			_, err = s.ListTargetTransitions(ctx, b.ws.ID, p.Targets[0].ID)
			wantNotFound(t, err, "ListTargetTransitions(other workspace)")
			_, err = s.ListTargetTransitions(ctx, a.ws.ID, 987654)
			wantNotFound(t, err, "ListTargetTransitions(missing)")
			hist, err := s.ListTargetTransitions(ctx, a.ws.ID, p.Targets[0].ID)
			noErr(t, err, "ListTargetTransitions")
			if len(hist) != 0 {
				t.Fatalf("new target has %d transitions", len(hist))
			}
			got, err := s.GetTarget(ctx, a.ws.ID, p.Targets[0].ID)
			noErr(t, err, "GetTarget")
			if got.State != herald.StateDraft {
				t.Fatalf("target moved through another workspace to %s", got.State)
			}
		}},
	}
}
