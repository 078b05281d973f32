package jobs_test

import (
	"slices"
	"testing"
	"time"

	"github.com/heraldsocial/herald/internal/connector/fake"
	"github.com/heraldsocial/herald/internal/herald"
	"github.com/heraldsocial/herald/internal/inbox"
	"github.com/heraldsocial/herald/internal/jobs"
)

// mustMember adds a new user to ws with role.
func mustMember(t *testing.T, st herald.Store, ws int64, name string, role herald.Role) herald.User {
	t.Helper()
	u := herald.User{Email: name + "@example.com", Name: name}
	if err := st.CreateUser(t.Context(), &u); err != nil {
		t.Fatalf("CreateUser: %v", err)
	}
	if err := st.AddMember(t.Context(), &herald.Membership{WorkspaceID: ws, UserID: u.ID, Role: role}); err != nil {
		t.Fatalf("AddMember: %v", err)
	}
	return u
}

// byRemote returns the workspace's items by remote id, waiting until there
// are n of them.
func byRemote(t *testing.T, st herald.Store, ws int64, n int) map[string]herald.InboxItem {
	t.Helper()
	out := map[string]herald.InboxItem{}
	waitFor(t, "inbox items", func() (bool, error) {
		items, _, err := st.ListInbox(t.Context(), herald.InboxFilter{WorkspaceID: ws})
		for _, it := range items {
			out[it.RemoteID] = it
		}
		return len(items) == n, err
	})
	return out
}

func TestSyncInboxAppliesRulesOnArrival(t *testing.T) {
	for _, drv := range drivers() {
		t.Run(drv.name, func(t *testing.T) {
			st := drv.open(t)
			d, _ := deps(t, st)
			svc := inbox.New(st, nil, nil)
			d.Inbox = svc
			ctx := t.Context()
			_, base := startPlatform(t)
			w := mustWorkspace(t, st)
			owner := mustMember(t, st, w.ID, "owner", herald.RoleOwner)
			ann := mustMember(t, st, w.ID, "ann", herald.RoleEditor)
			ben := mustMember(t, st, w.ID, "ben", herald.RoleEditor)
			alice := mustAccount(t, st, d.Keys, herald.Account{WorkspaceID: w.ID, Platform: herald.PlatformFake,
				RemoteID: "alice", Status: herald.AccountConnected},
				fake.MarshalCredentials(fake.Credentials{BaseURL: base, AccessToken: "alice"}))
			// An item from before analysis existed: analysed by the
			// backfill, never touched by rules.
			old := []herald.InboxItem{{WorkspaceID: w.ID, AccountID: alice.ID, RemoteID: "old-1", AuthorID: "zed",
				AuthorHandle: "zed", Text: "refund refund refund, this is awful", CreatedAt: time.Now(), FetchedAt: time.Now()}}
			if _, err := st.AddInboxItems(ctx, old); err != nil {
				t.Fatal(err)
			}
			actor := herald.Actor{UserID: owner.ID, WorkspaceID: w.ID, Role: herald.RoleOwner}
			refunds, err := svc.CreateRule(ctx, actor, inbox.RuleInput{Name: "Refunds", Enabled: true,
				Conditions: herald.InboxRuleConditions{Terms: []string{"REFUND"}},
				Actions: herald.InboxRuleActions{AddTags: []string{"Billing"}, AssignTo: []int64{ann.ID, ben.ID},
					Priority: herald.PriorityUrgent}})
			if err != nil {
				t.Fatal(err)
			}
			if _, err := svc.CreateRule(ctx, actor, inbox.RuleInput{Name: "Questions", Enabled: true,
				Conditions: herald.InboxRuleConditions{HasQuestion: new(true)},
				Actions:    herald.InboxRuleActions{AddTags: []string{"question"}}}); err != nil {
				t.Fatal(err)
			}
			if _, err := svc.CreateRule(ctx, actor, inbox.RuleInput{Name: "Off", Enabled: false,
				Actions: herald.InboxRuleActions{MarkDone: true}}); err != nil {
				t.Fatal(err)
			}

			bob := postAs(t, base, "bob", "@alice where is my refund?", "")
			carol := postAs(t, base, "carol", "@alice I want a refund, this is terrible.", "")
			dave := postAs(t, base, "dave", "@alice I love the new release, great work!", "")
			r := mustStart(t, jobs.Config{MetricsEvery: -1, InboxEvery: jobs.MinEvery, InboxQuietEvery: jobs.MinEvery,
				InboxActiveEvery: jobs.MinEvery}, d)
			items := byRemote(t, st, w.ID, 4)
			check := func(ref herald.RemoteRef, tags []string, assignee int64, prio herald.InboxPriority, sentiment string) {
				t.Helper()
				it := items[ref.ID]
				if !slices.Equal(it.Tags, tags) || prio != it.Priority || it.Sentiment != sentiment {
					t.Errorf("%q: tags %v priority %q sentiment %q; want %v %q %q", it.Text, it.Tags, it.Priority,
						it.Sentiment, tags, prio, sentiment)
				}
				if (assignee == 0) != (it.AssignedTo == nil) || (it.AssignedTo != nil && *it.AssignedTo != assignee) {
					t.Errorf("%q assigned to %v, want %d", it.Text, it.AssignedTo, assignee)
				}
				if it.State != herald.InboxOpen {
					t.Errorf("%q is %q: the disabled rule ran", it.Text, it.State)
				}
			}
			// Items arrive oldest first; ann's turn comes first.
			check(bob, []string{"Billing", "question"}, ann.ID, herald.PriorityUrgent, herald.SentimentNeutral)
			check(carol, []string{"Billing"}, ben.ID, herald.PriorityUrgent, herald.SentimentNegative)
			check(dave, nil, 0, herald.PriorityNormal, herald.SentimentPositive)
			hits, err := svc.RuleHits(ctx, actor, items[bob.ID].ID)
			if err != nil {
				t.Fatal(err)
			}
			if len(hits) != 2 || hits[0].RuleName != "Refunds" || hits[1].RuleName != "Questions" {
				t.Fatalf("bob's hits %+v, want Refunds then Questions", hits)
			}
			waitFor(t, "old item analysed", func() (bool, error) {
				it, err := st.GetInboxItem(ctx, w.ID, old[0].ID)
				return it.Sentiment == herald.SentimentNegative, err
			})
			if it, _ := st.GetInboxItem(ctx, w.ID, old[0].ID); len(it.Tags) != 0 || it.AssignedTo != nil {
				t.Fatalf("rules touched the old item: %+v", it)
			}

			// A restart keeps the round-robin turn: ann again after ann, ben.
			mustStop(t, r)
			erin := postAs(t, base, "erin", "@alice refund status", "")
			mustStart(t, jobs.Config{MetricsEvery: -1, InboxEvery: jobs.MinEvery, InboxQuietEvery: jobs.MinEvery,
				InboxActiveEvery: jobs.MinEvery}, d)
			items = byRemote(t, st, w.ID, 5)
			check(erin, []string{"Billing"}, ann.ID, herald.PriorityUrgent, herald.SentimentNeutral)
			if got, err := st.TakeInboxRuleTurns(ctx, w.ID, refunds.ID, 1); err != nil || got != 3 {
				t.Fatalf("turn after three assignments %d (%v), want 3", got, err)
			}
		})
	}
}
