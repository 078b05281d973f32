package inbox

import (
	"context"
	"fmt"
	"log/slog"
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
func (s *Service) Prepare(items []herald.InboxItem) {
	for i := range items {
		s.analyse(&items[i])
	}
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
// priority or assignee wins over an earlier one's.
func (s *Service) Arrived(ctx context.Context, tx herald.Tx, items []herald.InboxItem) error {
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
	for _, ws := range order {
		if err := s.arrivedIn(ctx, tx, ws, byWS[ws]); err != nil {
			return err
		}
	}
	return nil
}

// arrivedIn applies workspace ws's rules to its new items.
func (s *Service) arrivedIn(ctx context.Context, tx herald.Tx, ws int64, items []herald.InboxItem) error {
	rules, err := tx.ListInboxRules(ctx, ws)
	if err != nil {
		return fmt.Errorf("inbox: rules on arrival: %w", err)
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
		return nil
	}
	platforms, err := s.accountPlatforms(ctx, tx, ws)
	if err != nil {
		return err
	}
	members, err := tx.ListMembers(ctx, ws)
	if err != nil {
		return fmt.Errorf("inbox: rules on arrival: members: %w", err)
	}
	for _, it := range items {
		for _, m := range ms {
			if !m.match(it, platforms[it.AccountID]) {
				continue
			}
			if err := s.apply(ctx, tx, m.rule, it, members); err != nil {
				return err
			}
		}
	}
	return nil
}

// apply runs rule's actions on it and records what it did.
func (s *Service) apply(ctx context.Context, tx herald.Tx, r herald.InboxRule, it herald.InboxItem, members []herald.Member) error {
	var did []string
	ids := []int64{it.ID}
	a := r.Actions
	if len(a.AddTags) > 0 {
		if err := tx.AddInboxTags(ctx, it.WorkspaceID, ids, a.AddTags); err != nil {
			return fmt.Errorf("inbox: rule %d: tag: %w", r.ID, err)
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
				return fmt.Errorf("inbox: rule %d: round-robin turn: %w", r.ID, err)
			}
			who = pool[turn%int64(len(pool))]
		}
		if err := tx.AssignInbox(ctx, it.WorkspaceID, ids, &who); err != nil {
			return fmt.Errorf("inbox: rule %d: assign: %w", r.ID, err)
		}
		did = append(did, "assigned to "+memberName(members, who))
	}
	if a.Priority != "" {
		if err := tx.SetInboxPriority(ctx, it.WorkspaceID, ids, a.Priority); err != nil {
			return fmt.Errorf("inbox: rule %d: priority: %w", r.ID, err)
		}
		did = append(did, "priority "+string(a.Priority))
	}
	if a.MarkDone {
		if err := tx.SetInboxState(ctx, it.WorkspaceID, ids, herald.InboxDone, 0, s.clock.Now()); err != nil {
			return fmt.Errorf("inbox: rule %d: mark done: %w", r.ID, err)
		}
		did = append(did, "marked done")
	}
	if err := tx.AddInboxRuleHit(ctx, herald.InboxRuleHit{WorkspaceID: it.WorkspaceID, RuleID: r.ID, ItemID: it.ID,
		Did: strings.Join(did, "; "), At: s.clock.Now()}); err != nil {
		return fmt.Errorf("inbox: rule %d: record: %w", r.ID, err)
	}
	return nil
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
