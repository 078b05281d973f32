package storetest

import (
	"context"
	"math"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/heraldsocial/herald/internal/herald"
)

// claimNow is when the tests claim: targets fall due before it.
func claimNow() time.Time { return at(2 * time.Hour) }

// leaseEnd is when a lease taken at claimNow ends.
func leaseEnd() time.Time { return at(2*time.Hour + 5*time.Minute) }

// mustDue creates a post with one scheduled target per account, due at due.
func mustDue(t *testing.T, s herald.Tx, w world, due time.Time, accountIDs ...int64) herald.Post {
	t.Helper()
	p := herald.Post{WorkspaceID: w.ws.ID, AuthorID: w.owner.ID, Text: "Base text " + unique(),
		CreatedAt: at(0), UpdatedAt: at(0)}
	for _, id := range accountIDs {
		p.Targets = append(p.Targets, herald.Target{AccountID: id, State: herald.StateScheduled,
			ScheduledAt: ptr(due), DueAt: ptr(due), Variant: herald.Variant{Text: "variant"},
			CreatedAt: at(0), UpdatedAt: at(0)})
	}
	noErr(t, s.CreatePost(t.Context(), &p), "CreatePost")
	return p
}

// mustClaim claims ids and fails unless exactly want of them were claimed.
func mustClaim(t *testing.T, s herald.Store, ids []int64, owner string, now, until time.Time, want int) []herald.Claim {
	t.Helper()
	cs, err := s.ClaimTargets(t.Context(), ids, owner, now, until)
	noErr(t, err, "ClaimTargets")
	if len(cs) != want {
		t.Fatalf("ClaimTargets(%v) claimed %d targets, want %d", ids, len(cs), want)
	}
	return cs
}

// dueIDs returns the ids NextDue lists up to until.
func dueIDs(t *testing.T, s herald.Store, until time.Time, limit int) []int64 {
	t.Helper()
	due, err := s.NextDue(t.Context(), until, limit)
	noErr(t, err, "NextDue")
	ids := make([]int64, len(due))
	for i, d := range due {
		ids[i] = d.ID
		wantUTC(t, "DueTarget.DueAt", d.DueAt)
		if d.AccountID == 0 {
			t.Errorf("NextDue lists target %d without its account", d.ID)
		}
	}
	return ids
}

func targetIDs(p herald.Post) []int64 {
	ids := make([]int64, len(p.Targets))
	for i, tg := range p.Targets {
		ids[i] = tg.ID
	}
	return ids
}

// completion is a completion of claim c by its owner.
func completion(c herald.Claim, owner string, to herald.TargetState, outcome herald.AttemptOutcome) herald.Completion {
	return herald.Completion{WorkspaceID: c.Target.WorkspaceID, TargetID: c.Target.ID, AttemptID: c.AttemptID,
		Owner: owner, To: to, Outcome: outcome, FinishedAt: claimNow().Add(2 * time.Second), DurationMS: 1500}
}

func publishTests() []test {
	return []test{
		{"TargetFieldsRoundTrip", func(t *testing.T, s herald.Store) {
			ctx := t.Context()
			w := mustWorld(t, s)
			second := mustAccount(t, s, w.ws.ID)
			actor := w.owner.ID
			p := herald.Post{WorkspaceID: w.ws.ID, AuthorID: w.owner.ID, Text: "t", CreatedAt: at(0), UpdatedAt: at(0),
				Targets: []herald.Target{
					{AccountID: w.account.ID, State: herald.StateRetrying, ScheduledAt: ptr(at(time.Hour)),
						DueAt: ptr(at(90 * time.Minute)), Attempts: 2, CreatedAt: at(0), UpdatedAt: at(0),
						Progress: herald.Progress{Parts: []herald.RemoteRef{{ID: "1", URL: "https://x/1",
							Meta: map[string]string{"cid": "abc"}}}, FirstComment: &herald.RemoteRef{ID: "c1"}}},
					{AccountID: second.ID, State: herald.StateHeld, ScheduledAt: ptr(at(time.Hour)),
						HeldBy: &actor, HeldAt: ptr(at(time.Minute)), HeldReason: "crisis", CreatedAt: at(0), UpdatedAt: at(0)},
				}}
			noErr(t, s.CreatePost(ctx, &p), "CreatePost")
			got, err := s.GetPost(ctx, w.ws.ID, p.ID)
			noErr(t, err, "GetPost")
			samePost(t, "post with publishing fields", got, p)
			list, _, err := s.ListPosts(ctx, herald.PostFilter{WorkspaceID: w.ws.ID})
			noErr(t, err, "ListPosts")
			if len(list) != 1 {
				t.Fatalf("ListPosts = %d posts, want 1", len(list))
			}
			samePost(t, "listed post", list[0], p)
			tg, err := s.GetTarget(ctx, w.ws.ID, p.Targets[1].ID)
			noErr(t, err, "GetTarget")
			same(t, "held target", normTarget(tg), normTarget(p.Targets[1]))
			wantTime(t, "HeldAt", *tg.HeldAt, at(time.Minute))
		}},
		{"DueFollowsScheduleAndTransitions", func(t *testing.T, s herald.Store) {
			ctx := t.Context()
			w := mustWorld(t, s)
			p := mustDue(t, s, w, at(time.Hour), w.account.ID)
			p.Targets[0].ScheduledAt = ptr(at(3 * time.Hour))
			p.Targets[0].UpdatedAt = at(time.Minute)
			noErr(t, s.UpdatePost(ctx, &p, p.Version), "UpdatePost(reschedule)")
			got, err := s.GetTarget(ctx, w.ws.ID, p.Targets[0].ID)
			noErr(t, err, "GetTarget")
			if got.DueAt == nil {
				t.Fatal("rescheduled target has no due time")
			}
			wantTime(t, "due time after reschedule", *got.DueAt, at(3*time.Hour))
			wantIDs(t, "due before the new time", dueIDs(t, s, at(2*time.Hour), 10), []int64{})

			tr, err := got.Transition(herald.StateDraft, nil, "", at(2*time.Minute))
			noErr(t, err, "Transition(draft)")
			noErr(t, s.TransitionTarget(ctx, &got, tr), "TransitionTarget(draft)")
			got, err = s.GetTarget(ctx, w.ws.ID, got.ID)
			noErr(t, err, "GetTarget")
			if got.DueAt != nil {
				t.Fatalf("draft target still due at %v", got.DueAt)
			}
			got.ScheduledAt = ptr(at(time.Hour))
			tr, err = got.Transition(herald.StateScheduled, nil, "", at(3*time.Minute))
			noErr(t, err, "Transition(scheduled)")
			noErr(t, s.TransitionTarget(ctx, &got, tr), "TransitionTarget(scheduled)")
			wantIDs(t, "due after scheduling again", dueIDs(t, s, at(2*time.Hour), 10), []int64{got.ID})
		}},
		{"NextDueOrderAndLimit", func(t *testing.T, s herald.Store) {
			w := mustWorld(t, s)
			late := mustDue(t, s, w, at(90*time.Minute), w.account.ID)
			early := mustDue(t, s, w, at(30*time.Minute), w.account.ID)
			mid := mustDue(t, s, w, at(time.Hour), w.account.ID)
			mustDue(t, s, w, at(5*time.Hour), w.account.ID)   // not yet due
			mustPost(t, s, w.ws.ID, w.owner.ID, w.account.ID) // a draft is never due
			all := []int64{early.Targets[0].ID, mid.Targets[0].ID, late.Targets[0].ID}
			wantIDs(t, "NextDue", dueIDs(t, s, claimNow(), 10), all)
			wantIDs(t, "NextDue(limit 2)", dueIDs(t, s, claimNow(), 2), all[:2])
			wantIDs(t, "NextDue(until the middle one)", dueIDs(t, s, at(time.Hour), 10), all[:2])
			due, err := s.NextDue(t.Context(), claimNow(), 1)
			noErr(t, err, "NextDue")
			wantTime(t, "DueAt", due[0].DueAt, at(30*time.Minute))

			// A window (after, until]: the one due exactly at after was in
			// the load before it.
			window := func(d time.Duration) herald.DueTarget { return herald.DueTarget{DueAt: at(d), ID: math.MaxInt64} }
			after, err := s.NextDueAfter(t.Context(), window(30*time.Minute), at(90*time.Minute), 10)
			noErr(t, err, "NextDueAfter")
			got := make([]int64, len(after))
			for i, d := range after {
				got[i] = d.ID
				wantUTC(t, "DueTarget.DueAt", d.DueAt)
			}
			wantIDs(t, "NextDueAfter(30 min, 90 min]", got, all[1:])
			after, err = s.NextDueAfter(t.Context(), window(30*time.Minute), at(90*time.Minute), 1)
			noErr(t, err, "NextDueAfter(limit 1)")
			if len(after) != 1 || after[0].ID != all[1] {
				t.Fatalf("NextDueAfter(limit 1) = %+v, want the middle one", after)
			}
			after, err = s.NextDueAfter(t.Context(), window(90*time.Minute), at(4*time.Hour), 10)
			noErr(t, err, "NextDueAfter(past the last)")
			if len(after) != 0 {
				t.Fatalf("NextDueAfter(90 min, 4 h] = %+v, want none", after)
			}

			// Pages of a load: three targets due at one instant, read two
			// at a time, each once.
			var tied []int64
			for range 3 {
				tied = append(tied, mustDue(t, s, w, at(2*time.Hour), w.account.ID).Targets[0].ID)
			}
			slices.Sort(tied)
			page, err := s.NextDueAfter(t.Context(), herald.DueTarget{DueAt: at(90 * time.Minute), ID: all[2]}, at(3*time.Hour), 2)
			noErr(t, err, "NextDueAfter(first page)")
			got = nil
			for _, d := range page {
				got = append(got, d.ID)
			}
			page, err = s.NextDueAfter(t.Context(), page[len(page)-1], at(3*time.Hour), 2)
			noErr(t, err, "NextDueAfter(second page)")
			for _, d := range page {
				got = append(got, d.ID)
			}
			wantIDs(t, "NextDueAfter pages through a tie", got, tied)
		}},
		{"PausedNotDue", func(t *testing.T, s herald.Store) {
			ctx := t.Context()
			w := mustWorld(t, s)
			other := mustWorld(t, s)
			paused := mustAccount(t, s, w.ws.ID)
			paused.PausedAt = ptr(at(time.Minute))
			noErr(t, s.UpdateAccount(ctx, &paused), "UpdateAccount(paused)")
			revoked := mustAccount(t, s, w.ws.ID)
			revoked.Status = herald.AccountRevoked
			noErr(t, s.UpdateAccount(ctx, &revoked), "UpdateAccount(revoked)")
			expired := mustAccount(t, s, w.ws.ID)
			expired.Status = herald.AccountExpired
			noErr(t, s.UpdateAccount(ctx, &expired), "UpdateAccount(expired)")
			ok := mustDue(t, s, w, at(time.Hour), w.account.ID)
			blocked := mustDue(t, s, w, at(time.Hour), paused.ID, revoked.ID, expired.ID)
			theirs := mustDue(t, s, other, at(time.Hour), other.account.ID)
			wantIDs(t, "due with some accounts unable to publish", dueIDs(t, s, claimNow(), 10),
				[]int64{ok.Targets[0].ID, theirs.Targets[0].ID})
			mustClaim(t, s, targetIDs(blocked), "a", claimNow(), leaseEnd(), 0)

			noErr(t, s.SetPublishingPaused(ctx, w.ws.ID, ptr(at(time.Minute))), "SetPublishingPaused(workspace)")
			wantIDs(t, "due with the workspace paused", dueIDs(t, s, claimNow(), 10), []int64{theirs.Targets[0].ID})
			mustClaim(t, s, targetIDs(ok), "a", claimNow(), leaseEnd(), 0)

			noErr(t, s.SetPublishingPaused(ctx, 0, ptr(at(time.Minute))), "SetPublishingPaused(installation)")
			wantIDs(t, "due with the installation paused", dueIDs(t, s, claimNow(), 10), []int64{})
			mustClaim(t, s, targetIDs(theirs), "a", claimNow(), leaseEnd(), 0)

			noErr(t, s.SetPublishingPaused(ctx, 0, nil), "SetPublishingPaused(installation, resume)")
			noErr(t, s.SetPublishingPaused(ctx, w.ws.ID, nil), "SetPublishingPaused(workspace, resume)")
			paused.PausedAt = nil
			noErr(t, s.UpdateAccount(ctx, &paused), "UpdateAccount(unpaused)")
			wantIDs(t, "due after resuming", dueIDs(t, s, claimNow(), 10),
				[]int64{ok.Targets[0].ID, blocked.Targets[0].ID, theirs.Targets[0].ID})
		}},
		{"PublishingPausedFlag", func(t *testing.T, s herald.Store) {
			ctx := t.Context()
			w := mustWorld(t, s)
			for _, id := range []int64{w.ws.ID, 0} {
				got, err := s.PublishingPaused(ctx, id)
				noErr(t, err, "PublishingPaused")
				if got != nil {
					t.Fatalf("PublishingPaused(%d) = %v before any pause", id, got)
				}
				noErr(t, s.SetPublishingPaused(ctx, id, ptr(at(time.Minute))), "SetPublishingPaused")
				noErr(t, s.SetPublishingPaused(ctx, id, ptr(at(time.Hour))), "SetPublishingPaused(again)")
				got, err = s.PublishingPaused(ctx, id)
				noErr(t, err, "PublishingPaused")
				if got == nil {
					t.Fatalf("PublishingPaused(%d) = nil after a pause", id)
				}
				wantTime(t, "paused since (the first pause)", *got, at(time.Minute))
			}
			ws, err := s.GetWorkspace(ctx, w.ws.ID)
			noErr(t, err, "GetWorkspace")
			if ws.PublishingPausedAt == nil {
				t.Fatal("GetWorkspace does not show the pause")
			}
			wantTime(t, "Workspace.PublishingPausedAt", *ws.PublishingPausedAt, at(time.Minute))
			ws.Name = "Renamed"
			ws.PublishingPausedAt = nil
			noErr(t, s.UpdateWorkspace(ctx, &ws), "UpdateWorkspace")
			list, err := s.ListUserWorkspaces(ctx, w.owner.ID)
			noErr(t, err, "ListUserWorkspaces")
			if len(list) != 1 || list[0].PublishingPausedAt == nil {
				t.Fatalf("UpdateWorkspace changed the pause, or ListUserWorkspaces does not show it: %+v", list)
			}
			for _, id := range []int64{w.ws.ID, 0} {
				noErr(t, s.SetPublishingPaused(ctx, id, nil), "SetPublishingPaused(resume)")
				got, err := s.PublishingPaused(ctx, id)
				noErr(t, err, "PublishingPaused")
				if got != nil {
					t.Fatalf("PublishingPaused(%d) = %v after resuming", id, got)
				}
			}
			wantNotFound(t, s.SetPublishingPaused(ctx, 987654, ptr(at(0))), "SetPublishingPaused(missing workspace)")
			_, err = s.PublishingPaused(ctx, 987654)
			wantNotFound(t, err, "PublishingPaused(missing workspace)")
		}},
		{"ClaimRecordsIntent", func(t *testing.T, s herald.Store) {
			ctx := t.Context()
			w := mustWorld(t, s)
			p := mustDue(t, s, w, at(time.Hour), w.account.ID)
			future := mustDue(t, s, w, at(5*time.Hour), w.account.ID)
			draft := mustPost(t, s, w.ws.ID, w.owner.ID, w.account.ID)
			ids := []int64{p.Targets[0].ID, future.Targets[0].ID, draft.Targets[0].ID, 987654}
			cs := mustClaim(t, s, ids, "instance-a", claimNow(), leaseEnd(), 1)
			c := cs[0]
			tg := c.Target
			if tg.ID != p.Targets[0].ID || tg.State != herald.StatePublishing || tg.Attempts != 1 ||
				tg.Version != p.Targets[0].Version+1 || tg.Variant.Text != "variant" {
				t.Fatalf("claimed target = %+v", tg)
			}
			if c.Attempt != 1 || c.AttemptID == 0 || c.Recovered || c.PostText != p.Text {
				t.Fatalf("claim = attempt %d (id %d), recovered %v, text %q", c.Attempt, c.AttemptID, c.Recovered, c.PostText)
			}
			if c.Account.ID != w.account.ID || c.Account.Credentials.KeyID != "k1" ||
				!slices.Equal(c.Account.Credentials.Ciphertext, w.account.Credentials.Ciphertext) {
				t.Fatalf("claim account = %+v, want the target's account with its sealed credentials", c.Account)
			}
			got, err := s.GetTarget(ctx, w.ws.ID, tg.ID)
			noErr(t, err, "GetTarget")
			same(t, "stored claimed target", normTarget(got), normTarget(tg))
			hist, err := s.ListTargetTransitions(ctx, w.ws.ID, tg.ID)
			noErr(t, err, "ListTargetTransitions")
			if len(hist) != 1 || hist[0].From != herald.StateScheduled || hist[0].To != herald.StatePublishing ||
				hist[0].ActorID != nil {
				t.Fatalf("transitions after claim = %+v", hist)
			}
			wantTime(t, "transition time", hist[0].At, claimNow())
			atts, err := s.ListAttempts(ctx, w.ws.ID, tg.ID)
			noErr(t, err, "ListAttempts")
			if len(atts) != 1 {
				t.Fatalf("%d attempts after claim, want 1", len(atts))
			}
			same(t, "attempt (intent)", atts[0], herald.Attempt{ID: c.AttemptID, WorkspaceID: w.ws.ID, TargetID: tg.ID,
				Number: 1, Instance: "instance-a", StartedAt: claimNow()})

			mustClaim(t, s, ids, "instance-b", claimNow().Add(time.Minute), leaseEnd().Add(time.Minute), 0)
			wantIDs(t, "due after the claim", dueIDs(t, s, claimNow(), 10), []int64{})
			mustClaim(t, s, nil, "instance-a", claimNow(), leaseEnd(), 0)
			_, err = s.ClaimTargets(ctx, ids, "", claimNow(), leaseEnd())
			wantIs(t, err, herald.ErrInvalid, "ClaimTargets without an owner")
			_, err = s.ClaimTargets(ctx, ids, "a", claimNow(), claimNow())
			wantIs(t, err, herald.ErrInvalid, "ClaimTargets with a lease that ends at once")
		}},
		{"ExpiredLeaseRecovered", func(t *testing.T, s herald.Store) {
			ctx := t.Context()
			w := mustWorld(t, s)
			p := mustDue(t, s, w, at(time.Hour), w.account.ID)
			id := p.Targets[0].ID
			first := mustClaim(t, s, []int64{id}, "dead", claimNow(), leaseEnd(), 1)[0]
			leases, err := s.ExpiredLeases(ctx, leaseEnd(), 10)
			noErr(t, err, "ExpiredLeases")
			wantIDs(t, "expired leases while the lease runs", leases, []int64{})
			mustClaim(t, s, []int64{id}, "early", leaseEnd().Add(-time.Second), leaseEnd().Add(time.Hour), 0)

			later := leaseEnd().Add(time.Minute)
			leases, err = s.ExpiredLeases(ctx, later, 10)
			noErr(t, err, "ExpiredLeases")
			wantIDs(t, "expired leases", leases, []int64{id})
			second := mustClaim(t, s, leases, "alive", later, later.Add(5*time.Minute), 1)[0]
			if !second.Recovered || second.Attempt != 2 || second.AttemptID == first.AttemptID ||
				second.Target.State != herald.StatePublishing {
				t.Fatalf("recovered claim = recovered %v, attempt %d (id %d), state %s",
					second.Recovered, second.Attempt, second.AttemptID, second.Target.State)
			}
			atts, err := s.ListAttempts(ctx, w.ws.ID, id)
			noErr(t, err, "ListAttempts")
			if len(atts) != 2 || atts[0].ID != first.AttemptID || atts[1].ID != second.AttemptID {
				t.Fatalf("attempts = %+v", atts)
			}
			if atts[0].Outcome != herald.OutcomeLeaseLost || atts[0].FinishedAt == nil || atts[0].Instance != "dead" {
				t.Fatalf("first attempt = %+v, want closed as lease_lost", atts[0])
			}
			wantTime(t, "lost attempt finished", *atts[0].FinishedAt, later)
			if atts[1].Outcome != "" || atts[1].FinishedAt != nil || atts[1].Instance != "alive" || atts[1].Number != 2 {
				t.Fatalf("second attempt = %+v, want open", atts[1])
			}
			// The dead instance's late completion is ignored.
			skipped, err := s.CompleteTargets(ctx, []herald.Completion{
				completion(first, "dead", herald.StatePublished, herald.OutcomePublished)})
			noErr(t, err, "CompleteTargets(old owner)")
			wantIDs(t, "skipped", skipped, []int64{id})
			leases, err = s.ExpiredLeases(ctx, later, 10)
			noErr(t, err, "ExpiredLeases")
			wantIDs(t, "expired leases after the take-over", leases, []int64{})
			hist, err := s.ListTargetTransitions(ctx, w.ws.ID, id)
			noErr(t, err, "ListTargetTransitions")
			if len(hist) != 1 {
				t.Fatalf("%d transitions, want only the first claim's", len(hist))
			}
		}},
		{"CompleteToEachState", func(t *testing.T, s herald.Store) {
			ctx := t.Context()
			w := mustWorld(t, s)
			retryAt := at(3 * time.Hour)
			cases := []struct {
				to      herald.TargetState
				outcome herald.AttemptOutcome
				edit    func(c *herald.Completion)
				check   func(t *testing.T, tg herald.Target)
			}{
				{herald.StatePublished, herald.OutcomePublished, func(c *herald.Completion) {
					c.RemoteID, c.RemoteURL, c.HTTPStatus = "110", "https://example.social/@a/110", 200
				}, func(t *testing.T, tg herald.Target) {
					if tg.RemoteID != "110" || tg.RemoteURL != "https://example.social/@a/110" || tg.PublishedAt == nil ||
						tg.DueAt != nil || tg.LastError != "" {
						t.Fatalf("published target = %+v", tg)
					}
					wantTime(t, "PublishedAt", *tg.PublishedAt, claimNow().Add(2*time.Second))
				}},
				{herald.StateRetrying, herald.OutcomeRateLimited, func(c *herald.Completion) {
					c.DueAt, c.HTTPStatus, c.Error = &retryAt, 429, "slow down"
				}, func(t *testing.T, tg herald.Target) {
					if tg.DueAt == nil || tg.LastError != "slow down" || tg.PublishedAt != nil {
						t.Fatalf("retrying target = %+v", tg)
					}
					wantTime(t, "retry DueAt", *tg.DueAt, retryAt)
				}},
				{herald.StateFailed, herald.OutcomeInvalid, func(c *herald.Completion) {
					c.HTTPStatus, c.Error = 422, "Validation failed: Text character limit of 500 exceeded"
				}, func(t *testing.T, tg herald.Target) {
					if tg.LastError != "Validation failed: Text character limit of 500 exceeded" || tg.DueAt != nil {
						t.Fatalf("failed target = %+v", tg)
					}
				}},
				{herald.StateUnconfirmed, herald.OutcomeAmbiguous, func(c *herald.Completion) {
					c.Error = "timeout after the request was sent"
				}, func(t *testing.T, tg herald.Target) {
					if tg.LastError != "timeout after the request was sent" || tg.DueAt != nil || tg.RemoteID != "" {
						t.Fatalf("unconfirmed target = %+v", tg)
					}
				}},
			}
			var batch []herald.Completion
			var claims []herald.Claim
			for _, tc := range cases {
				p := mustDue(t, s, w, at(time.Hour), w.account.ID)
				c := mustClaim(t, s, targetIDs(p), "me", claimNow(), leaseEnd(), 1)[0]
				comp := completion(c, "me", tc.to, tc.outcome)
				tc.edit(&comp)
				batch = append(batch, comp)
				claims = append(claims, c)
			}
			skipped, err := s.CompleteTargets(ctx, batch)
			noErr(t, err, "CompleteTargets")
			wantIDs(t, "skipped", skipped, []int64{})
			for i, tc := range cases {
				id := claims[i].Target.ID
				tg, err := s.GetTarget(ctx, w.ws.ID, id)
				noErr(t, err, "GetTarget")
				if tg.State != tc.to || tg.Version != claims[i].Target.Version+1 || tg.Attempts != 1 {
					t.Fatalf("completed target = %s v%d, %d attempts; want %s v%d, 1 attempt", tg.State, tg.Version,
						tg.Attempts, tc.to, claims[i].Target.Version+1)
				}
				wantTime(t, "UpdatedAt", tg.UpdatedAt, batch[i].FinishedAt)
				tc.check(t, tg)
				hist, err := s.ListTargetTransitions(ctx, w.ws.ID, id)
				noErr(t, err, "ListTargetTransitions")
				last := hist[len(hist)-1]
				if len(hist) != 2 || last.From != herald.StatePublishing || last.To != tc.to {
					t.Fatalf("transitions = %+v", hist)
				}
				atts, err := s.ListAttempts(ctx, w.ws.ID, id)
				noErr(t, err, "ListAttempts")
				want := herald.Attempt{ID: claims[i].AttemptID, WorkspaceID: w.ws.ID, TargetID: id, Number: 1,
					Instance: "me", StartedAt: claimNow(), FinishedAt: ptr(batch[i].FinishedAt), DurationMS: 1500,
					HTTPStatus: batch[i].HTTPStatus, Outcome: tc.outcome, RemoteID: batch[i].RemoteID, Error: batch[i].Error}
				same(t, "finished attempt", atts, []herald.Attempt{want})
				// The lease is gone: the owner can no longer write.
				wantConflict(t, s.SaveProgress(ctx, id, "me", herald.Progress{}), "SaveProgress after completion")
			}
			wantIDs(t, "due after completion", dueIDs(t, s, at(4*time.Hour), 10), []int64{claims[1].Target.ID})
			again := mustClaim(t, s, []int64{claims[1].Target.ID}, "me", retryAt, retryAt.Add(time.Minute), 1)[0]
			if again.Attempt != 2 || again.Target.Attempts != 2 {
				t.Fatalf("retry claim attempt = %d, want 2", again.Attempt)
			}
		}},
		{"CompleteChecks", func(t *testing.T, s herald.Store) {
			ctx := t.Context()
			w := mustWorld(t, s)
			p := mustDue(t, s, w, at(time.Hour), w.account.ID)
			c := mustClaim(t, s, targetIDs(p), "owner", claimNow(), leaseEnd(), 1)[0]
			bad := []herald.Completion{
				completion(c, "owner", herald.StateScheduled, herald.OutcomeTransient),
				completion(c, "owner", herald.StateRetrying, herald.OutcomeTransient), // no DueAt
				completion(c, "owner", "nonsense", herald.OutcomeTransient),
			}
			for _, b := range bad {
				_, err := s.CompleteTargets(ctx, []herald.Completion{b})
				wantIs(t, err, herald.ErrInvalid, "CompleteTargets(to "+string(b.To)+")")
			}
			twice := completion(c, "owner", herald.StateFailed, herald.OutcomeInvalid)
			_, err := s.CompleteTargets(ctx, []herald.Completion{twice, twice})
			wantIs(t, err, herald.ErrInvalid, "CompleteTargets(the same target twice)")
			skipped, err := s.CompleteTargets(ctx, []herald.Completion{
				completion(c, "intruder", herald.StatePublished, herald.OutcomePublished)})
			noErr(t, err, "CompleteTargets(not the owner)")
			wantIDs(t, "skipped", skipped, []int64{c.Target.ID})
			other := mustWorld(t, s)
			moved := completion(c, "owner", herald.StatePublished, herald.OutcomePublished)
			moved.WorkspaceID = other.ws.ID
			skipped, err = s.CompleteTargets(ctx, []herald.Completion{moved})
			noErr(t, err, "CompleteTargets(other workspace)")
			wantIDs(t, "skipped", skipped, []int64{c.Target.ID})
			tg, err := s.GetTarget(ctx, w.ws.ID, c.Target.ID)
			noErr(t, err, "GetTarget")
			if tg.State != herald.StatePublishing {
				t.Fatalf("target is %s after refused completions, want publishing", tg.State)
			}
			skipped, err = s.CompleteTargets(ctx, nil)
			noErr(t, err, "CompleteTargets(nothing)")
			wantIDs(t, "skipped", skipped, []int64{})
		}},
		{"SaveProgress", func(t *testing.T, s herald.Store) {
			ctx := t.Context()
			w := mustWorld(t, s)
			p := mustDue(t, s, w, at(time.Hour), w.account.ID)
			c := mustClaim(t, s, targetIDs(p), "owner", claimNow(), leaseEnd(), 1)[0]
			prog := herald.Progress{Parts: []herald.RemoteRef{
				{ID: "at://did:plc:x/app.bsky.feed.post/1", URL: "https://bsky.app/1", Meta: map[string]string{"cid": "c1"}},
				{ID: "at://did:plc:x/app.bsky.feed.post/2"},
			}}
			noErr(t, s.SaveProgress(ctx, c.Target.ID, "owner", prog), "SaveProgress")
			tg, err := s.GetTarget(ctx, w.ws.ID, c.Target.ID)
			noErr(t, err, "GetTarget")
			same(t, "progress", tg.Progress, prog)
			wantConflict(t, s.SaveProgress(ctx, c.Target.ID, "intruder", herald.Progress{}), "SaveProgress(not the owner)")
			wantNotFound(t, s.SaveProgress(ctx, 987654, "owner", prog), "SaveProgress(missing)")

			// A completion without progress keeps it; one with progress replaces it.
			comp := completion(c, "owner", herald.StateRetrying, herald.OutcomeTransient)
			comp.DueAt = ptr(at(3 * time.Hour))
			_, err = s.CompleteTargets(ctx, []herald.Completion{comp})
			noErr(t, err, "CompleteTargets")
			tg, err = s.GetTarget(ctx, w.ws.ID, c.Target.ID)
			noErr(t, err, "GetTarget")
			same(t, "progress kept by a completion without it", tg.Progress, prog)
			c = mustClaim(t, s, targetIDs(p), "owner", at(3*time.Hour), at(4*time.Hour), 1)[0]
			same(t, "claimed progress", c.Target.Progress, prog)
			done := prog
			done.FirstComment = &herald.RemoteRef{ID: "comment"}
			comp = completion(c, "owner", herald.StatePublished, herald.OutcomePublished)
			comp.Progress = &done
			_, err = s.CompleteTargets(ctx, []herald.Completion{comp})
			noErr(t, err, "CompleteTargets")
			tg, err = s.GetTarget(ctx, w.ws.ID, c.Target.ID)
			noErr(t, err, "GetTarget")
			same(t, "progress written by a completion", tg.Progress, done)
		}},
		{"ListAttemptsOrderAndIsolation", func(t *testing.T, s herald.Store) {
			ctx := t.Context()
			w := mustWorld(t, s)
			other := mustWorld(t, s)
			p := mustDue(t, s, w, at(time.Hour), w.account.ID)
			id := p.Targets[0].ID
			var want []int64
			now := claimNow()
			for i := range 3 {
				c := mustClaim(t, s, []int64{id}, "me", now, now.Add(time.Minute), 1)[0]
				want = append(want, c.AttemptID)
				now = now.Add(time.Hour)
				comp := completion(c, "me", herald.StateRetrying, herald.OutcomeTransient)
				comp.DueAt = &now
				if i == 2 {
					comp.To, comp.DueAt = herald.StateFailed, nil
				}
				_, err := s.CompleteTargets(ctx, []herald.Completion{comp})
				noErr(t, err, "CompleteTargets")
			}
			atts, err := s.ListAttempts(ctx, w.ws.ID, id)
			noErr(t, err, "ListAttempts")
			got := make([]int64, len(atts))
			for i, a := range atts {
				got[i] = a.ID
				if a.Number != i+1 {
					t.Fatalf("attempt %d has number %d", i, a.Number)
				}
			}
			wantIDs(t, "attempts oldest first", got, want)
			_, err = s.ListAttempts(ctx, other.ws.ID, id)
			wantNotFound(t, err, "ListAttempts(other workspace)")
			_, err = s.ListAttempts(ctx, w.ws.ID, 987654)
			wantNotFound(t, err, "ListAttempts(missing)")
			fresh := mustPost(t, s, w.ws.ID, w.owner.ID, w.account.ID)
			atts, err = s.ListAttempts(ctx, w.ws.ID, fresh.Targets[0].ID)
			noErr(t, err, "ListAttempts(no attempts)")
			if atts == nil || len(atts) != 0 {
				t.Fatalf("ListAttempts of a new target = %#v, want an empty list", atts)
			}
		}},
		{"HoldAndResume", func(t *testing.T, s herald.Store) {
			ctx := t.Context()
			w := mustWorld(t, s)
			other := mustWorld(t, s)
			actor := w.owner.ID
			a := mustDue(t, s, w, at(time.Hour), w.account.ID)
			b := mustDue(t, s, w, at(5*time.Hour), w.account.ID)
			retry := mustDue(t, s, w, at(time.Hour), w.account.ID)
			c := mustClaim(t, s, targetIDs(retry), "me", claimNow(), leaseEnd(), 1)[0]
			comp := completion(c, "me", herald.StateRetrying, herald.OutcomeTransient)
			comp.DueAt = ptr(at(3 * time.Hour))
			_, err := s.CompleteTargets(ctx, []herald.Completion{comp})
			noErr(t, err, "CompleteTargets(retrying)")
			draft := mustPost(t, s, w.ws.ID, w.owner.ID, w.account.ID)
			theirs := mustDue(t, s, other, at(time.Hour), other.account.ID)

			n, err := s.HoldTargets(ctx, w.ws.ID, nil, &actor, "crisis", at(90*time.Minute))
			noErr(t, err, "HoldTargets(all)")
			if n != 3 {
				t.Fatalf("HoldTargets moved %d targets, want 3 (two scheduled, one retrying)", n)
			}
			for _, id := range []int64{a.Targets[0].ID, b.Targets[0].ID, c.Target.ID} {
				tg, err := s.GetTarget(ctx, w.ws.ID, id)
				noErr(t, err, "GetTarget")
				if tg.State != herald.StateHeld || tg.HeldBy == nil || *tg.HeldBy != actor || tg.HeldReason != "crisis" ||
					tg.HeldAt == nil || tg.DueAt != nil {
					t.Fatalf("held target = %+v", tg)
				}
				wantTime(t, "HeldAt", *tg.HeldAt, at(90*time.Minute))
				hist, err := s.ListTargetTransitions(ctx, w.ws.ID, id)
				noErr(t, err, "ListTargetTransitions")
				last := hist[len(hist)-1]
				if last.To != herald.StateHeld || last.Reason != "crisis" || last.ActorID == nil || *last.ActorID != actor {
					t.Fatalf("hold transition = %+v", last)
				}
			}
			if last := mustLastTransition(t, s, w.ws.ID, c.Target.ID); last.From != herald.StateRetrying {
				t.Fatalf("retrying target held from %s", last.From)
			}
			tg, err := s.GetTarget(ctx, w.ws.ID, draft.Targets[0].ID)
			noErr(t, err, "GetTarget")
			if tg.State != herald.StateDraft {
				t.Fatalf("a draft was held: %s", tg.State)
			}
			wantIDs(t, "due while held", dueIDs(t, s, at(10*time.Hour), 10), []int64{theirs.Targets[0].ID})
			n, err = s.HoldTargets(ctx, w.ws.ID, nil, &actor, "again", at(2*time.Hour))
			noErr(t, err, "HoldTargets(again)")
			if n != 0 {
				t.Fatalf("holding held targets moved %d", n)
			}

			// Resume one by id; it was due during the hold, so it is due at once.
			n, err = s.ResumeTargets(ctx, w.ws.ID, []int64{a.Targets[0].ID, theirs.Targets[0].ID}, false, &actor, claimNow())
			noErr(t, err, "ResumeTargets(by id)")
			if n != 1 {
				t.Fatalf("ResumeTargets(by id) moved %d, want 1 (the other workspace's target is not held)", n)
			}
			tg, err = s.GetTarget(ctx, w.ws.ID, a.Targets[0].ID)
			noErr(t, err, "GetTarget")
			if tg.State != herald.StateScheduled || tg.HeldBy != nil || tg.HeldAt != nil || tg.HeldReason != "" ||
				tg.DueAt == nil {
				t.Fatalf("resumed target = %+v", tg)
			}
			wantIDs(t, "due after resuming", dueIDs(t, s, claimNow(), 10), []int64{a.Targets[0].ID, theirs.Targets[0].ID})
			if last := mustLastTransition(t, s, w.ws.ID, a.Targets[0].ID); last.From != herald.StateHeld ||
				last.To != herald.StateScheduled {
				t.Fatalf("resume transition = %+v", last)
			}

			// Resume the rest for review.
			n, err = s.ResumeTargets(ctx, w.ws.ID, nil, true, &actor, claimNow())
			noErr(t, err, "ResumeTargets(all, reapprove)")
			if n != 2 {
				t.Fatalf("ResumeTargets(all) moved %d, want 2", n)
			}
			for _, id := range []int64{b.Targets[0].ID, c.Target.ID} {
				tg, err := s.GetTarget(ctx, w.ws.ID, id)
				noErr(t, err, "GetTarget")
				if tg.State != herald.StateInReview || tg.DueAt != nil || tg.HeldAt != nil || tg.HeldBy != nil {
					t.Fatalf("target resumed for review = %+v", tg)
				}
			}
			n, err = s.HoldTargets(ctx, w.ws.ID, []int64{}, &actor, "none", claimNow())
			noErr(t, err, "HoldTargets(no ids)")
			if n != 0 {
				t.Fatalf("HoldTargets(empty ids) moved %d", n)
			}
			n, err = s.HoldTargets(ctx, w.ws.ID, []int64{a.Targets[0].ID}, nil, "", claimNow())
			noErr(t, err, "HoldTargets(by id)")
			if n != 1 {
				t.Fatalf("HoldTargets(by id) moved %d, want 1", n)
			}
		}},
		{"WatchDue", func(t *testing.T, s herald.Store) {
			watcher, ok := s.(herald.DueWatcher)
			if !ok {
				t.Fatalf("%T does not implement herald.DueWatcher", s)
			}
			w := mustWorld(t, s)
			p := mustPost(t, s, w.ws.ID, w.owner.ID, w.account.ID)
			ctx, cancel := context.WithCancel(t.Context())
			defer cancel()
			ch, err := watcher.WatchDue(ctx)
			noErr(t, err, "WatchDue")
			tg := p.Targets[0]
			tg.ScheduledAt = ptr(at(time.Hour))
			tr, err := tg.Transition(herald.StateScheduled, nil, "", at(time.Minute))
			noErr(t, err, "Transition")
			noErr(t, s.TransitionTarget(ctx, &tg, tr), "TransitionTarget(scheduled)")
			// A liveness check, not a timing one: the wait is generous.
			select {
			case _, open := <-ch:
				if !open {
					t.Fatal("WatchDue channel closed before its context ended")
				}
			case <-time.After(5 * time.Second):
				t.Fatal("no due signal after a target was scheduled")
			}
			cancel()
			deadline := time.After(5 * time.Second)
			for {
				select {
				case _, open := <-ch:
					if !open {
						return
					}
				case <-deadline:
					t.Fatal("WatchDue channel not closed after its context ended")
				}
			}
		}},
		{"ConcurrentClaimsEachOnce", func(t *testing.T, s herald.Store) {
			w := mustWorld(t, s)
			accounts := []int64{w.account.ID}
			for range 9 {
				accounts = append(accounts, mustAccount(t, s, w.ws.ID).ID)
			}
			var ids []int64
			for range 20 {
				ids = append(ids, targetIDs(mustDue(t, s, w, at(time.Hour), accounts...))...)
			}
			const claimers = 4
			results := make([][]herald.Claim, claimers)
			errs := make([]error, claimers)
			var wg sync.WaitGroup
			for i := range claimers {
				wg.Go(func() {
					owner := "instance-" + string(rune('a'+i))
					results[i], errs[i] = s.ClaimTargets(t.Context(), ids, owner, claimNow(), leaseEnd())
				})
			}
			wg.Wait()
			seen := map[int64]string{}
			for i, cs := range results {
				if errs[i] != nil {
					t.Fatalf("claimer %d: %v", i, errs[i])
				}
				for _, c := range cs {
					if prev, dup := seen[c.Target.ID]; dup {
						t.Fatalf("target %d claimed twice (by %s and claimer %d)", c.Target.ID, prev, i)
					}
					seen[c.Target.ID] = string(rune('a' + i))
				}
			}
			if len(seen) != len(ids) {
				t.Fatalf("%d of %d due targets claimed", len(seen), len(ids))
			}
			for _, id := range ids[:5] {
				atts, err := s.ListAttempts(t.Context(), w.ws.ID, id)
				noErr(t, err, "ListAttempts")
				if len(atts) != 1 {
					t.Fatalf("target %d has %d attempts after concurrent claims, want 1", id, len(atts))
				}
			}
		}},
	}
}

// mustLastTransition returns a target's latest transition.
func mustLastTransition(t *testing.T, s herald.Store, workspaceID, targetID int64) herald.TargetTransition {
	t.Helper()
	hist, err := s.ListTargetTransitions(t.Context(), workspaceID, targetID)
	noErr(t, err, "ListTargetTransitions")
	if len(hist) == 0 {
		t.Fatalf("target %d has no transitions", targetID)
	}
	return hist[len(hist)-1]
}
