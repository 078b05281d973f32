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

// analyse sets it's analysis from its text: all of it, or, when language
// is false, all but the language, which is then marked due unless the
// text is too short to have one.
func (s *Service) analyse(it *herald.InboxItem, language bool) {
	a := s.analysis.get()
	if language {
		r := a.Analyze(it.Text)
		it.InboxAnalysis = herald.InboxAnalysis{Sentiment: string(r.Sentiment), SentimentScore: r.Score,
			Language: r.Language, HasQuestion: r.HasQuestion}
		return
	}
	r := a.Tone(it.Text)
	it.InboxAnalysis = herald.InboxAnalysis{Sentiment: string(r.Sentiment), SentimentScore: r.Score,
		HasQuestion: r.HasQuestion, LanguageDue: analysis.MayHaveLanguage(it.Text)}
}

// Prepare analyses items before the inbox sync stores them (the jobs
// package calls it through its InboxArrivals interface). Their language,
// the slowest part, is detected now only in a workspace with an enabled
// rule that matches on language; elsewhere it is marked due and detected
// once the items are stored (see Arrived).
// The items are analysed on every CPU at once; each is independent.
func (s *Service) Prepare(ctx context.Context, items []herald.InboxItem) {
	language := map[int64]bool{}
	for _, it := range items {
		if _, ok := language[it.WorkspaceID]; !ok {
			language[it.WorkspaceID] = s.rulesNeedLanguage(ctx, it.WorkspaceID)
		}
	}
	each(items, func(it *herald.InboxItem) { s.analyse(it, language[it.WorkspaceID]) })
}

// rulesNeedLanguage reports whether an enabled rule of the workspace
// matches on language (true too when the rules cannot be read: detecting
// is then the safe side).
func (s *Service) rulesNeedLanguage(ctx context.Context, ws int64) bool {
	rules, err := s.store.ListInboxRules(ctx, ws)
	if err != nil {
		s.log.WarnContext(ctx, "inbox rules unreadable; detecting languages on arrival", slog.Int64("workspace_id", ws),
			slog.Any("error", err))
		return true
	}
	for _, r := range rules {
		if r.Enabled && len(r.Conditions.Languages) > 0 {
			return true
		}
	}
	return false
}

// each runs fn on every item, spread over the CPUs when there are enough.
func each(items []herald.InboxItem, fn func(*herald.InboxItem)) {
	workers := min(runtime.GOMAXPROCS(0), max(1, len(items)/64))
	if workers <= 1 {
		for i := range items {
			fn(&items[i])
		}
		return
	}
	var wg sync.WaitGroup
	per := (len(items) + workers - 1) / workers
	for start := 0; start < len(items); start += per {
		part := items[start:min(start+per, len(items))]
		wg.Go(func() {
			for i := range part {
				fn(&part[i])
			}
		})
	}
	wg.Wait()
}

// languageBatch bounds one SetInboxLanguages call.
const languageBatch = 1000

// detectLanguages detects the language of the stored items whose
// language is due and saves it. An interruption leaves them due; the
// analysis backfill finishes them.
func (s *Service) detectLanguages(ctx context.Context, items []herald.InboxItem) error {
	var due []herald.InboxItem
	for _, it := range items {
		if it.ID != 0 && it.LanguageDue {
			due = append(due, it)
		}
	}
	each(due, func(it *herald.InboxItem) {
		it.Language, it.LanguageDue = analysis.Language(it.Text), false
	})
	for start := 0; start < len(due); start += languageBatch {
		if err := s.store.SetInboxLanguages(ctx, due[start:min(start+languageBatch, len(due))]); err != nil {
			return fmt.Errorf("inbox: save detected languages: %w", err)
		}
	}
	return nil
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
		s.analyse(&items[i], true)
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
// caller runs committed, which detects the languages left due by Prepare
// and tells each member a rule assigned items to.
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
	languages := slices.ContainsFunc(items, func(it herald.InboxItem) bool { return it.ID != 0 && it.LanguageDue })
	notify := len(assigned) > 0 && s.notifier != nil
	if !languages && !notify {
		return nil, nil
	}
	return func(ctx context.Context) {
		if languages {
			if err := s.detectLanguages(ctx, items); err != nil {
				s.log.WarnContext(ctx, "inbox languages not saved; the backfill will detect them", slog.Any("error", err))
			}
		}
		if notify {
			s.notifyAssigned(ctx, assigned)
		}
	}, nil
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
	// Each rule acts on all the items it matches at once, rules in
	// order, so a later rule's priority or assignee wins as it would item
	// by item.
	last := map[int64]assignment{} // by item: only the last assignment stands
	var hits []herald.InboxRuleHit
	now := s.clock.Now()
	for _, m := range ms {
		var matched []herald.InboxItem
		for _, it := range items {
			if m.match(it, platforms[it.AccountID]) {
				matched = append(matched, it)
			}
		}
		if len(matched) == 0 {
			continue
		}
		did, to, err := s.apply(ctx, tx, ws, m.rule, matched, members)
		if err != nil {
			return nil, err
		}
		for i, it := range matched {
			hits = append(hits, herald.InboxRuleHit{WorkspaceID: ws, RuleID: m.rule.ID, ItemID: it.ID, Did: did[i], At: now})
			if to[i] != 0 {
				last[it.ID] = assignment{rule: m.rule, item: it, to: to[i]}
			}
		}
	}
	if err := tx.AddInboxRuleHits(ctx, hits); err != nil {
		return nil, fmt.Errorf("inbox: rules on arrival: record: %w", err)
	}
	var out []assignment
	for _, it := range items {
		if a, ok := last[it.ID]; ok {
			out = append(out, a)
		}
	}
	return out, nil
}

// apply runs rule r's actions on the items it matched, each action in one
// store call; it returns, per item, what it did and whom it assigned the
// item to (0: nobody). A round-robin rule deals the items out in turn.
func (s *Service) apply(ctx context.Context, tx herald.Tx, ws int64, r herald.InboxRule, items []herald.InboxItem,
	members []herald.Member) (did []string, to []int64, err error) {
	ids := make([]int64, len(items))
	for i, it := range items {
		ids[i] = it.ID
	}
	var common []string
	a := r.Actions
	if len(a.AddTags) > 0 {
		if err := tx.AddInboxTags(ctx, ws, ids, a.AddTags); err != nil {
			return nil, nil, fmt.Errorf("inbox: rule %d: tag: %w", r.ID, err)
		}
		common = append(common, "tagged "+strings.Join(a.AddTags, ", "))
	}
	// Only current members are assigned; someone who left is passed over.
	var pool []int64
	for _, id := range a.AssignTo {
		if slices.ContainsFunc(members, func(m herald.Member) bool { return m.UserID == id }) {
			pool = append(pool, id)
		}
	}
	to = make([]int64, len(items))
	if len(pool) > 0 {
		var first int64
		if len(pool) > 1 {
			if first, err = tx.TakeInboxRuleTurns(ctx, ws, r.ID, len(items)); err != nil {
				return nil, nil, fmt.Errorf("inbox: rule %d: round-robin turn: %w", r.ID, err)
			}
		}
		byMember := map[int64][]int64{}
		for i := range items {
			who := pool[(first+int64(i))%int64(len(pool))]
			to[i] = who
			byMember[who] = append(byMember[who], ids[i])
		}
		for _, who := range pool {
			if len(byMember[who]) == 0 {
				continue
			}
			if err := tx.AssignInbox(ctx, ws, byMember[who], &who); err != nil {
				return nil, nil, fmt.Errorf("inbox: rule %d: assign: %w", r.ID, err)
			}
		}
	}
	var after []string
	if a.Priority != "" {
		if err := tx.SetInboxPriority(ctx, ws, ids, a.Priority); err != nil {
			return nil, nil, fmt.Errorf("inbox: rule %d: priority: %w", r.ID, err)
		}
		after = append(after, "priority "+string(a.Priority))
	}
	if a.MarkDone {
		if err := tx.SetInboxState(ctx, ws, ids, herald.InboxDone, 0, s.clock.Now()); err != nil {
			return nil, nil, fmt.Errorf("inbox: rule %d: mark done: %w", r.ID, err)
		}
		after = append(after, "marked done")
	}
	did = make([]string, len(items))
	for i := range items {
		parts := slices.Clone(common)
		if to[i] != 0 {
			parts = append(parts, "assigned to "+memberName(members, to[i]))
		}
		did[i] = strings.Join(append(parts, after...), "; ")
	}
	return did, to, nil
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
