package storetest

import (
	"slices"
	"testing"
	"time"

	"github.com/heraldsocial/herald/internal/herald"
)

func mustRule(t *testing.T, s herald.Tx, ws, by int64, name string) herald.InboxRule {
	t.Helper()
	r := herald.InboxRule{WorkspaceID: ws, Name: name, Enabled: true, CreatedBy: by, CreatedAt: at(0),
		Conditions: herald.InboxRuleConditions{Terms: []string{"refund"}, HasQuestion: ptr(true)},
		Actions:    herald.InboxRuleActions{AddTags: []string{"Billing"}, AssignTo: []int64{by}, Priority: herald.PriorityHigh}}
	noErr(t, s.CreateInboxRule(t.Context(), &r), "CreateInboxRule")
	return r
}

func ruleIDs(t *testing.T, s herald.Tx, ws int64) []int64 {
	t.Helper()
	rs, err := s.ListInboxRules(t.Context(), ws)
	noErr(t, err, "ListInboxRules")
	var ids []int64
	for _, r := range rs {
		ids = append(ids, r.ID)
	}
	return ids
}

func inboxRuleTests() []test {
	return []test{
		{"RulesCRUDAndOrder", func(t *testing.T, s herald.Store) {
			ctx := t.Context()
			w := mustWorld(t, s)
			a := mustRule(t, s, w.ws.ID, w.owner.ID, "first")
			b := mustRule(t, s, w.ws.ID, w.owner.ID, "second")
			c := mustRule(t, s, w.ws.ID, w.owner.ID, "third")
			if a.Position >= b.Position || b.Position >= c.Position {
				t.Fatalf("positions %d, %d, %d; want increasing", a.Position, b.Position, c.Position)
			}
			got, err := s.GetInboxRule(ctx, w.ws.ID, a.ID)
			noErr(t, err, "GetInboxRule")
			same(t, "conditions", got.Conditions, a.Conditions)
			same(t, "actions", got.Actions, a.Actions)
			if !got.Enabled || got.Name != "first" || got.CreatedBy != w.owner.ID {
				t.Fatalf("got %+v", got)
			}
			got.Name, got.Enabled, got.Conditions.Pattern = "renamed", false, `(?i)order #\d+`
			got.UpdatedAt = at(time.Hour)
			noErr(t, s.UpdateInboxRule(ctx, &got), "UpdateInboxRule")
			again, err := s.GetInboxRule(ctx, w.ws.ID, a.ID)
			noErr(t, err, "GetInboxRule")
			if again.Name != "renamed" || again.Enabled || again.Conditions.Pattern != `(?i)order #\d+` {
				t.Fatalf("after update: %+v", again)
			}
			wantTime(t, "updated at", again.UpdatedAt, at(time.Hour))

			noErr(t, s.ReorderInboxRules(ctx, w.ws.ID, []int64{c.ID, a.ID, b.ID}), "ReorderInboxRules")
			wantIDs(t, "order", ruleIDs(t, s, w.ws.ID), []int64{c.ID, a.ID, b.ID})
			wantConflict(t, s.ReorderInboxRules(ctx, w.ws.ID, []int64{a.ID, b.ID}), "reorder missing one")
			wantConflict(t, s.ReorderInboxRules(ctx, w.ws.ID, []int64{a.ID, a.ID, b.ID}), "reorder with a repeat")
			wantIDs(t, "order after refused reorders", ruleIDs(t, s, w.ws.ID), []int64{c.ID, a.ID, b.ID})

			other := mustWorld(t, s)
			wantNotFound(t, func() error { _, err := s.GetInboxRule(ctx, other.ws.ID, a.ID); return err }(), "get other's rule")
			wantNotFound(t, s.DeleteInboxRule(ctx, other.ws.ID, a.ID), "delete other's rule")
			o := got
			o.WorkspaceID = other.ws.ID
			wantNotFound(t, s.UpdateInboxRule(ctx, &o), "update other's rule")
			noErr(t, s.DeleteInboxRule(ctx, w.ws.ID, b.ID), "DeleteInboxRule")
			wantIDs(t, "after delete", ruleIDs(t, s, w.ws.ID), []int64{c.ID, a.ID})
		}},
		{"RoundRobinTurn", func(t *testing.T, s herald.Store) {
			ctx := t.Context()
			w := mustWorld(t, s)
			r := mustRule(t, s, w.ws.ID, w.owner.ID, "rr")
			for want := int64(0); want < 4; want++ {
				got, err := s.TakeInboxRuleTurns(ctx, w.ws.ID, r.ID, 1)
				noErr(t, err, "TakeInboxRuleTurns")
				if got != want {
					t.Fatalf("turn %d, want %d", got, want)
				}
			}
			// Taking several turns at once: the first of them is returned.
			for _, want := range []int64{4, 9} {
				got, err := s.TakeInboxRuleTurns(ctx, w.ws.ID, r.ID, 5)
				noErr(t, err, "TakeInboxRuleTurns 5")
				if got != want {
					t.Fatalf("first of five turns %d, want %d", got, want)
				}
			}
			other := mustWorld(t, s)
			_, err := s.TakeInboxRuleTurns(ctx, other.ws.ID, r.ID, 1)
			wantNotFound(t, err, "turn of another workspace's rule")
		}},
		{"TagsPriorityAnalysisAndFilters", func(t *testing.T, s herald.Store) {
			ctx := t.Context()
			w := mustWorld(t, s)
			// An item added with its analysis, priority and tags keeps them.
			items := []herald.InboxItem{{WorkspaceID: w.ws.ID, AccountID: w.account.ID, RemoteID: "r-" + unique(),
				AuthorID: "x", Text: "where is my refund?", CreatedAt: at(0), FetchedAt: at(0),
				InboxAnalysis: herald.InboxAnalysis{Sentiment: herald.SentimentNegative, SentimentScore: -0.4,
					Language: "en", HasQuestion: true},
				Priority: herald.PriorityUrgent, Tags: []string{"Billing"}}}
			_, err := s.AddInboxItems(ctx, items)
			noErr(t, err, "AddInboxItems")
			a := items[0]
			b := mustInbox(t, s, w.ws.ID, w.account.ID, "y", "thanks", time.Second)
			got, err := s.GetInboxItem(ctx, w.ws.ID, a.ID)
			noErr(t, err, "GetInboxItem")
			same(t, "analysis", got.InboxAnalysis, a.InboxAnalysis)
			if got.Priority != herald.PriorityUrgent || !slices.Equal(got.Tags, []string{"Billing"}) {
				t.Fatalf("priority %q tags %v", got.Priority, got.Tags)
			}
			got, err = s.GetInboxItem(ctx, w.ws.ID, b.ID)
			noErr(t, err, "GetInboxItem")
			if got.Priority != herald.PriorityNormal || got.Sentiment != "" || len(got.Tags) != 0 {
				t.Fatalf("plain item: priority %q sentiment %q tags %v", got.Priority, got.Sentiment, got.Tags)
			}
			// Tags are unique per item case-insensitively.
			noErr(t, s.AddInboxTags(ctx, w.ws.ID, []int64{a.ID, b.ID}, []string{"billing", "VIP"}), "AddInboxTags")
			got, err = s.GetInboxItem(ctx, w.ws.ID, a.ID)
			noErr(t, err, "GetInboxItem")
			same(t, "tags of a", got.Tags, []string{"Billing", "VIP"})
			names, err := s.ListInboxTagNames(ctx, w.ws.ID)
			noErr(t, err, "ListInboxTagNames")
			if len(names) != 2 {
				t.Fatalf("tag names %v, want billing and VIP once each", names)
			}
			wantIDs(t, "tag filter", inboxList(t, s, herald.InboxFilter{WorkspaceID: w.ws.ID, Tag: "BILLING"}), []int64{b.ID, a.ID})
			noErr(t, s.RemoveInboxTags(ctx, w.ws.ID, []int64{b.ID}, []string{"BILLING"}), "RemoveInboxTags")
			wantIDs(t, "tag filter after removal", inboxList(t, s, herald.InboxFilter{WorkspaceID: w.ws.ID, Tag: "billing"}), []int64{a.ID})
			wantIDs(t, "sentiment filter", inboxList(t, s, herald.InboxFilter{WorkspaceID: w.ws.ID, Sentiment: "negative"}), []int64{a.ID})
			wantIDs(t, "question filter", inboxList(t, s, herald.InboxFilter{WorkspaceID: w.ws.ID, HasQuestion: ptr(false)}), []int64{b.ID})
			wantIDs(t, "priority filter", inboxList(t, s, herald.InboxFilter{WorkspaceID: w.ws.ID, Priority: herald.PriorityUrgent}), []int64{a.ID})

			noErr(t, s.SetInboxPriority(ctx, w.ws.ID, []int64{b.ID}, herald.PriorityHigh), "SetInboxPriority")
			wantIDs(t, "high", inboxList(t, s, herald.InboxFilter{WorkspaceID: w.ws.ID, Priority: herald.PriorityHigh}), []int64{b.ID})

			// Analysis of items stored before it existed.
			todo, err := s.UnanalysedInbox(ctx, 10)
			noErr(t, err, "UnanalysedInbox")
			if len(todo) != 1 || todo[0].ID != b.ID {
				t.Fatalf("unanalysed %v, want only %d", todo, b.ID)
			}
			noErr(t, s.SetInboxAnalysis(ctx, w.ws.ID, b.ID, herald.InboxAnalysis{Sentiment: "positive", SentimentScore: 0.44}), "SetInboxAnalysis")
			todo, err = s.UnanalysedInbox(ctx, 10)
			noErr(t, err, "UnanalysedInbox")
			if len(todo) != 0 {
				t.Fatalf("unanalysed after analysis: %v", todo)
			}

			// Another workspace's items are not found; nothing changes.
			other := mustWorld(t, s)
			o := mustInbox(t, s, other.ws.ID, other.account.ID, "z", "elsewhere", 0)
			wantNotFound(t, s.AddInboxTags(ctx, w.ws.ID, []int64{a.ID, o.ID}, []string{"x"}), "tag another's item")
			wantNotFound(t, s.SetInboxPriority(ctx, w.ws.ID, []int64{o.ID}, herald.PriorityHigh), "prioritise another's item")
			wantNotFound(t, s.SetInboxAnalysis(ctx, w.ws.ID, o.ID, herald.InboxAnalysis{Sentiment: "neutral"}), "analyse another's item")
			wantIDs(t, "tag x nowhere", inboxList(t, s, herald.InboxFilter{WorkspaceID: w.ws.ID, Tag: "x"}), nil)

			// Hits keep the rule's name.
			r := mustRule(t, s, w.ws.ID, w.owner.ID, "refunds")
			r2 := mustRule(t, s, w.ws.ID, w.owner.ID, "angry")
			noErr(t, s.AddInboxRuleHits(ctx, []herald.InboxRuleHit{
				{WorkspaceID: w.ws.ID, RuleID: r.ID, ItemID: a.ID, Did: "tagged Billing", At: at(time.Minute)},
				{WorkspaceID: w.ws.ID, RuleID: r2.ID, ItemID: a.ID, Did: "priority high", At: at(time.Minute)},
				{WorkspaceID: w.ws.ID, RuleID: r.ID, ItemID: b.ID, Did: "tagged Billing", At: at(time.Minute)},
				// A rule of another workspace records nothing.
				{WorkspaceID: other.ws.ID, RuleID: r.ID, ItemID: o.ID, Did: "tagged Billing", At: at(time.Minute)},
			}), "AddInboxRuleHits")
			hits, err := s.ListInboxRuleHits(ctx, w.ws.ID, a.ID)
			noErr(t, err, "ListInboxRuleHits")
			if len(hits) != 2 || hits[0].RuleName != "refunds" || hits[0].RuleID != r.ID || hits[0].Did != "tagged Billing" ||
				hits[1].RuleName != "angry" || hits[1].Did != "priority high" {
				t.Fatalf("hits %+v", hits)
			}
			wantTime(t, "hit at", hits[0].At, at(time.Minute))
			if hits, err := s.ListInboxRuleHits(ctx, other.ws.ID, o.ID); err != nil || len(hits) != 0 {
				t.Fatalf("a hit recorded for another workspace's rule: %+v, %v", hits, err)
			}
			hits, err = s.ListInboxRuleHits(ctx, other.ws.ID, a.ID)
			noErr(t, err, "ListInboxRuleHits other")
			if len(hits) != 0 {
				t.Fatalf("another workspace sees hits %+v", hits)
			}
		}},
	}
}
