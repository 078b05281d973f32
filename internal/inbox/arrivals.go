package inbox

import (
	"context"
	"fmt"
	"log/slog"
	"runtime"
	"slices"
	"strings"
	"sync"

	"github.com/heraldsocial/herald/internal/herald"
	"github.com/heraldsocial/herald/internal/inbox/analysis"
)

// lazyAnalyzer loads the sentiment lexicons the first time they are needed.
type lazyAnalyzer struct {
	once sync.Once
	a    *analysis.Analyzer
}

func (l *lazyAnalyzer) get() *analysis.Analyzer {
	l.once.Do(func() { l.a = analysis.New() })
	return l.a
}

// BackfillBatch is how many items stored before analysis existed each
// Backfill call analyses.
const BackfillBatch = 500

// analyse sets it's analysis from its text.
func (s *Service) analyse(it *herald.InboxItem) {
	r := s.analysis.get().Analyze(it.Text)
	it.InboxAnalysis = herald.InboxAnalysis{Sentiment: string(r.Sentiment), SentimentScore: r.Score,
		Language: r.Language, HasQuestion: r.HasQuestion}
}

// Prepare analyses items before the inbox sync stores them (the jobs
// package calls it through its InboxArrivals interface).
// The items are analysed on every CPU at once: language detection
// dominates, and each item is independent.
func (s *Service) Prepare(items []herald.InboxItem) {
	workers := min(runtime.GOMAXPROCS(0), max(1, len(items)/64))
	if workers <= 1 {
		for i := range items {
			s.analyse(&items[i])
		}
		return
	}
	var wg sync.WaitGroup
	per := (len(items) + workers - 1) / workers
	for start := 0; start < len(items); start += per {
		part := items[start:min(start+per, len(items))]
		wg.Go(func() {
			for i := range part {
				s.analyse(&part[i])
			}
		})
	}
	wg.Wait()
}

// Backfill analyses up to BackfillBatch items stored before analysis
// existed; the inbox sync calls it after each run, so old items are
// analysed a batch at a time. It reports how many it analysed.
func (s *Service) Backfill(ctx context.Context) (int, error) {
	items, err := s.store.UnanalysedInbox(ctx, BackfillBatch)
	if err != nil {
		return 0, fmt.Errorf("inbox: backfill analysis: %w", err)
	}
	for i := range items {
		s.analyse(&items[i])
		if err := s.store.SetInboxAnalysis(ctx, items[i].WorkspaceID, items[i].ID, items[i].InboxAnalysis); err != nil {
			return i, fmt.Errorf("inbox: backfill analysis: %w", err)
		}
	}
	return len(items), nil
}

// Arrived applies each workspace's enabled rules, in order, to items just
// added (never to reopened ones), inside the sync's transaction tx, and
// records each application. Every matching rule applies; a later rule's
// priority or assignee wins over an earlier one's. Once tx is committed the
// caller runs committed, which tells each member a rule assigned items to.
func (s *Service) Arrived(ctx context.Context, tx herald.Tx, items []herald.InboxItem) (committed func(context.Context), err error) {
	byWS := map[int64][]herald.InboxItem{}
	var order []int64
	for _, it := range items {
		if it.ID == 0 {
			continue
		}
		if _, ok := byWS[it.WorkspaceID]; !ok {
			order = append(order, it.WorkspaceID)
		}
		byWS[it.WorkspaceID] = append(byWS[it.WorkspaceID], it)
	}
	var assigned []assignment
	for _, ws := range order {
		if err := s.setDue(ctx, tx, ws, byWS[ws]); err != nil {
			return nil, err
		}
		got, err := s.arrivedIn(ctx, tx, ws, byWS[ws])
		if err != nil {
			return nil, err
		}
		assigned = append(assigned, got...)
	}
	if len(assigned) == 0 || s.notifier == nil {
		return nil, nil
	}
	return func(ctx context.Context) { s.notifyAssigned(ctx, assigned) }, nil
}

// assignment is an item a rule assigned to a member.
type assignment struct {
	rule herald.InboxRule
	item herald.InboxItem
	to   int64
}

// notifyAssigned tells each member which items rules gave them.
func (s *Service) notifyAssigned(ctx context.Context, as []assignment) {
	now := s.clock.Now()
	for _, a := range as {
		it := a.item
		s.notify(ctx, herald.Notification{Kind: herald.NotifyInboxAssigned, WorkspaceID: it.WorkspaceID,
			UserIDs: []int64{a.to}, InboxItemID: it.ID, AccountID: it.AccountID, At: now,
			Link:  fmt.Sprintf("/w/%d/inbox/%d", it.WorkspaceID, it.ID),
			Key:   fmt.Sprintf("inbox:%d:rule:%d:assigned:%d", it.ID, a.rule.ID, a.to),
			Title: "Inbox item assigned to you: " + it.AuthorHandle,
			Message: fmt.Sprintf("The rule “%s” gave you %s's message: %q.", a.rule.Name, it.AuthorHandle,
				excerpt(it.Text, 140))})
	}
}

// excerpt cuts text to at most n runes, marking the cut.
func excerpt(text string, n int) string {
	r := []rune(text)
	if len(r) <= n {
		return text
	}
	return string(r[:n-1]) + "…"
}

// arrivedIn applies workspace ws's rules to its new items and returns the
// assignments they made.
func (s *Service) arrivedIn(ctx context.Context, tx herald.Tx, ws int64, items []herald.InboxItem) ([]assignment, error) {
	rules, err := tx.ListInboxRules(ctx, ws)
	if err != nil {
		return nil, fmt.Errorf("inbox: rules on arrival: %w", err)
	}
	var ms []matcher
	for _, r := range rules {
		if !r.Enabled {
			continue
		}
		m, err := compile(r)
		if err != nil {
			s.log.WarnContext(ctx, "inbox rule cannot run; skipped", slog.Int64("workspace_id", ws),
				slog.Int64("rule_id", r.ID), slog.Any("error", err))
			continue
		}
		ms = append(ms, m)
	}
	if len(ms) == 0 {
		return nil, nil
	}
	platforms, err := s.accountPlatforms(ctx, tx, ws)
	if err != nil {
		return nil, err
	}
	members, err := tx.ListMembers(ctx, ws)
	if err != nil {
		return nil, fmt.Errorf("inbox: rules on arrival: members: %w", err)
	}
	var out []assignment
	for _, it := range items {
		// Only the last assignment stands when several rules assign.
		var last *assignment
		for _, m := range ms {
			if !m.match(it, platforms[it.AccountID]) {
				continue
			}
			to, err := s.apply(ctx, tx, m.rule, it, members)
			if err != nil {
				return nil, err
			}
			if to != 0 {
				last = &assignment{rule: m.rule, item: it, to: to}
			}
		}
		if last != nil {
			out = append(out, *last)
		}
	}
	return out, nil
}

// apply runs rule's actions on it and records what it did; it returns
// whom it assigned the item to (0: nobody).
func (s *Service) apply(ctx context.Context, tx herald.Tx, r herald.InboxRule, it herald.InboxItem, members []herald.Member) (int64, error) {
	var did []string
	var assigned int64
	ids := []int64{it.ID}
	a := r.Actions
	if len(a.AddTags) > 0 {
		if err := tx.AddInboxTags(ctx, it.WorkspaceID, ids, a.AddTags); err != nil {
			return 0, fmt.Errorf("inbox: rule %d: tag: %w", r.ID, err)
		}
		did = append(did, "tagged "+strings.Join(a.AddTags, ", "))
	}
	// Only current members are assigned; someone who left is passed over.
	var pool []int64
	for _, id := range a.AssignTo {
		if slices.ContainsFunc(members, func(m herald.Member) bool { return m.UserID == id }) {
			pool = append(pool, id)
		}
	}
	if len(pool) > 0 {
		who := pool[0]
		if len(pool) > 1 {
			turn, err := tx.NextInboxRuleTurn(ctx, it.WorkspaceID, r.ID)
			if err != nil {
				return 0, fmt.Errorf("inbox: rule %d: round-robin turn: %w", r.ID, err)
			}
			who = pool[turn%int64(len(pool))]
		}
		if err := tx.AssignInbox(ctx, it.WorkspaceID, ids, &who); err != nil {
			return 0, fmt.Errorf("inbox: rule %d: assign: %w", r.ID, err)
		}
		did = append(did, "assigned to "+memberName(members, who))
		assigned = who
	}
	if a.Priority != "" {
		if err := tx.SetInboxPriority(ctx, it.WorkspaceID, ids, a.Priority); err != nil {
			return 0, fmt.Errorf("inbox: rule %d: priority: %w", r.ID, err)
		}
		did = append(did, "priority "+string(a.Priority))
	}
	if a.MarkDone {
		if err := tx.SetInboxState(ctx, it.WorkspaceID, ids, herald.InboxDone, 0, s.clock.Now()); err != nil {
			return 0, fmt.Errorf("inbox: rule %d: mark done: %w", r.ID, err)
		}
		did = append(did, "marked done")
	}
	if err := tx.AddInboxRuleHit(ctx, herald.InboxRuleHit{WorkspaceID: it.WorkspaceID, RuleID: r.ID, ItemID: it.ID,
		Did: strings.Join(did, "; "), At: s.clock.Now()}); err != nil {
		return 0, fmt.Errorf("inbox: rule %d: record: %w", r.ID, err)
	}
	return assigned, nil
}

// memberName is the member's name, or email when they have none.
func memberName(members []herald.Member, id int64) string {
	for _, m := range members {
		if m.UserID == id {
			if m.Name != "" {
				return m.Name
			}
			return m.Email
		}
	}
	return fmt.Sprintf("user %d", id)
}
