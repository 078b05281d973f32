package inbox

import (
	"context"
	"fmt"
	"regexp"
	"slices"
	"strings"
	"unicode/utf8"

	"github.com/heraldsocial/herald/internal/herald"
)

// RuleInput is what a person writes to create or change a rule.
type RuleInput struct {
	Name       string                     `json:"name"`
	Enabled    bool                       `json:"enabled"`
	Conditions herald.InboxRuleConditions `json:"conditions"`
	Actions    herald.InboxRuleActions    `json:"actions"`
}

// Limits of a rule.
const (
	maxRuleName  = 100
	maxRuleTerms = 50
	maxRuleList  = 50
	maxPattern   = 500
	// TestRuleItems is how many of the workspace's latest items "test
	// this rule" looks at.
	TestRuleItems = 500
)

// validTags trims, checks and de-duplicates (case-insensitively) tags,
// recording problems under field.
func validTags(p *herald.Problems, field string, tags []string) []string {
	var out []string
	seen := map[string]bool{}
	for _, t := range tags {
		t = strings.TrimSpace(t)
		switch {
		case t == "":
			continue
		case utf8.RuneCountInString(t) > herald.MaxInboxTagLen:
			p.Add(field, "tag %q is longer than %d characters", t, herald.MaxInboxTagLen)
			continue
		case strings.ContainsAny(t, ",\n"):
			p.Add(field, "tag %q may not contain commas or line breaks", t)
			continue
		}
		if k := strings.ToLower(t); !seen[k] {
			seen[k] = true
			out = append(out, t)
		}
	}
	if len(out) > maxRuleList {
		p.Add(field, "at most %d tags", maxRuleList)
	}
	return out
}

// validate normalises in and returns what is wrong with it, for the
// workspace's accounts and members.
func (s *Service) validate(ctx context.Context, ws int64, in *RuleInput) error {
	var p herald.Problems
	in.Name = strings.TrimSpace(in.Name)
	switch {
	case in.Name == "":
		p.Add("name", "give the rule a name")
	case utf8.RuneCountInString(in.Name) > maxRuleName:
		p.Add("name", "at most %d characters", maxRuleName)
	}
	c := &in.Conditions
	var terms []string
	for _, t := range c.Terms {
		if t = strings.TrimSpace(t); t != "" {
			terms = append(terms, t)
		}
	}
	c.Terms = terms
	if len(terms) > maxRuleTerms {
		p.Add("conditions.terms", "at most %d terms", maxRuleTerms)
	}
	c.Pattern = strings.TrimSpace(c.Pattern)
	if len(c.Pattern) > maxPattern {
		p.Add("conditions.pattern", "at most %d characters", maxPattern)
	} else if c.Pattern != "" {
		if _, err := regexp.Compile(c.Pattern); err != nil {
			p.Add("conditions.pattern", "not a valid regular expression (RE2 syntax): %s",
				strings.TrimPrefix(err.Error(), "error parsing regexp: "))
		}
	}
	for _, pl := range c.Platforms {
		if !slices.Contains(herald.Platforms, pl) {
			p.Add("conditions.platforms", "unknown platform %q", pl)
		}
	}
	for _, k := range c.Kinds {
		if k != herald.InboxReply && k != herald.InboxMention && k != herald.InboxDM {
			p.Add("conditions.kinds", "kind %q is not reply, mention or dm", k)
		}
	}
	for _, v := range c.Sentiments {
		if v != herald.SentimentPositive && v != herald.SentimentNeutral && v != herald.SentimentNegative {
			p.Add("conditions.sentiments", "sentiment %q is not positive, neutral or negative", v)
		}
	}
	for i, l := range c.Languages {
		c.Languages[i] = strings.ToLower(strings.TrimSpace(l))
		if len(c.Languages[i]) != 2 {
			p.Add("conditions.languages", "%q is not a two-letter ISO 639-1 code (en, fr, …)", l)
		}
	}
	var handles []string
	for _, h := range c.AuthorHandles {
		if h = strings.TrimPrefix(strings.TrimSpace(h), "@"); h != "" {
			handles = append(handles, h)
		}
	}
	c.AuthorHandles = handles
	if len(c.Platforms) > maxRuleList || len(c.Languages) > maxRuleList || len(handles) > maxRuleList ||
		len(c.AccountIDs) > maxRuleList {
		p.Add("conditions", "at most %d values in each list", maxRuleList)
	}
	if len(c.AccountIDs) > 0 {
		accts, err := s.store.ListAccounts(ctx, ws)
		if err != nil {
			return fmt.Errorf("inbox: rule accounts: %w", err)
		}
		for _, id := range c.AccountIDs {
			if !slices.ContainsFunc(accts, func(a herald.Account) bool { return a.ID == id }) {
				p.Add("conditions.account_ids", "account %d is not one of the workspace's", id)
			}
		}
	}
	a := &in.Actions
	a.AddTags = validTags(&p, "actions.add_tags", a.AddTags)
	if a.Priority != "" && !a.Priority.Valid() {
		p.Add("actions.priority", "priority %q is not normal, high or urgent", a.Priority)
	}
	if len(a.AssignTo) > maxRuleList {
		p.Add("actions.assign_to", "at most %d members", maxRuleList)
	}
	if len(a.AssignTo) > 0 {
		members, err := s.store.ListMembers(ctx, ws)
		if err != nil {
			return fmt.Errorf("inbox: rule members: %w", err)
		}
		for _, id := range a.AssignTo {
			if !slices.ContainsFunc(members, func(m herald.Member) bool { return m.UserID == id }) {
				p.Add("actions.assign_to", "user %d is not a member of the workspace", id)
			}
		}
		a.AssignTo = slices.Compact(a.AssignTo)
	}
	if len(a.AddTags) == 0 && len(a.AssignTo) == 0 && a.Priority == "" && !a.MarkDone {
		p.Add("actions", "choose at least one action: add tags, assign, set a priority or mark done")
	}
	return p.Err("the rule cannot be saved")
}

// ListRules returns the workspace's rules in the order they apply.
func (s *Service) ListRules(ctx context.Context, actor herald.Actor) ([]herald.InboxRule, error) {
	if err := actor.Require(herald.ActPostsRead); err != nil {
		return nil, err
	}
	rs, err := s.store.ListInboxRules(ctx, actor.WorkspaceID)
	if err != nil {
		return nil, fmt.Errorf("inbox: list rules: %w", err)
	}
	return rs, nil
}

// GetRule returns one rule.
func (s *Service) GetRule(ctx context.Context, actor herald.Actor, id int64) (herald.InboxRule, error) {
	if err := actor.Require(herald.ActPostsRead); err != nil {
		return herald.InboxRule{}, err
	}
	r, err := s.store.GetInboxRule(ctx, actor.WorkspaceID, id)
	if err != nil {
		return herald.InboxRule{}, fmt.Errorf("inbox: get rule: %w", err)
	}
	return r, nil
}

// CreateRule adds a rule after the others.
func (s *Service) CreateRule(ctx context.Context, actor herald.Actor, in RuleInput) (herald.InboxRule, error) {
	if err := actor.Require(herald.ActInboxRulesManage); err != nil {
		return herald.InboxRule{}, err
	}
	if err := s.validate(ctx, actor.WorkspaceID, &in); err != nil {
		return herald.InboxRule{}, err
	}
	now := s.clock.Now()
	r := herald.InboxRule{WorkspaceID: actor.WorkspaceID, Name: in.Name, Enabled: in.Enabled,
		Conditions: in.Conditions, Actions: in.Actions, CreatedBy: actor.UserID, CreatedAt: now, UpdatedAt: now}
	if err := s.store.CreateInboxRule(ctx, &r); err != nil {
		return herald.InboxRule{}, fmt.Errorf("inbox: create rule: %w", err)
	}
	return r, nil
}

// UpdateRule replaces a rule's name, switch, conditions and actions.
func (s *Service) UpdateRule(ctx context.Context, actor herald.Actor, id int64, in RuleInput) (herald.InboxRule, error) {
	if err := actor.Require(herald.ActInboxRulesManage); err != nil {
		return herald.InboxRule{}, err
	}
	r, err := s.store.GetInboxRule(ctx, actor.WorkspaceID, id)
	if err != nil {
		return herald.InboxRule{}, fmt.Errorf("inbox: update rule: %w", err)
	}
	if err := s.validate(ctx, actor.WorkspaceID, &in); err != nil {
		return herald.InboxRule{}, err
	}
	r.Name, r.Enabled, r.Conditions, r.Actions, r.UpdatedAt = in.Name, in.Enabled, in.Conditions, in.Actions, s.clock.Now()
	if err := s.store.UpdateInboxRule(ctx, &r); err != nil {
		return herald.InboxRule{}, fmt.Errorf("inbox: update rule: %w", err)
	}
	return r, nil
}

// SetRuleEnabled switches a rule on or off.
func (s *Service) SetRuleEnabled(ctx context.Context, actor herald.Actor, id int64, on bool) (herald.InboxRule, error) {
	if err := actor.Require(herald.ActInboxRulesManage); err != nil {
		return herald.InboxRule{}, err
	}
	r, err := s.store.GetInboxRule(ctx, actor.WorkspaceID, id)
	if err != nil {
		return herald.InboxRule{}, fmt.Errorf("inbox: switch rule: %w", err)
	}
	r.Enabled, r.UpdatedAt = on, s.clock.Now()
	if err := s.store.UpdateInboxRule(ctx, &r); err != nil {
		return herald.InboxRule{}, fmt.Errorf("inbox: switch rule: %w", err)
	}
	return r, nil
}

// DeleteRule deletes a rule; what it did stays recorded under its name.
func (s *Service) DeleteRule(ctx context.Context, actor herald.Actor, id int64) error {
	if err := actor.Require(herald.ActInboxRulesManage); err != nil {
		return err
	}
	if err := s.store.DeleteInboxRule(ctx, actor.WorkspaceID, id); err != nil {
		return fmt.Errorf("inbox: delete rule: %w", err)
	}
	return nil
}

// ReorderRules sets the order rules apply in; ids lists every rule once.
func (s *Service) ReorderRules(ctx context.Context, actor herald.Actor, ids []int64) error {
	if err := actor.Require(herald.ActInboxRulesManage); err != nil {
		return err
	}
	if err := s.store.ReorderInboxRules(ctx, actor.WorkspaceID, ids); err != nil {
		return fmt.Errorf("inbox: reorder rules: %w", err)
	}
	return nil
}

// MoveRule moves a rule one place up (by -1) or down (by 1).
func (s *Service) MoveRule(ctx context.Context, actor herald.Actor, id int64, by int) error {
	if err := actor.Require(herald.ActInboxRulesManage); err != nil {
		return err
	}
	rs, err := s.store.ListInboxRules(ctx, actor.WorkspaceID)
	if err != nil {
		return fmt.Errorf("inbox: move rule: %w", err)
	}
	ids := make([]int64, len(rs))
	at := -1
	for i, r := range rs {
		ids[i] = r.ID
		if r.ID == id {
			at = i
		}
	}
	if at < 0 {
		return herald.NotFound("inbox rule")
	}
	to := at + by
	if to < 0 || to >= len(ids) {
		return nil
	}
	ids[at], ids[to] = ids[to], ids[at]
	return s.ReorderRules(ctx, actor, ids)
}

// TestRule runs an unsaved (or saved) rule against the workspace's latest
// TestRuleItems items and returns those it would match, changing nothing.
// Items not yet analysed are analysed for the test only.
func (s *Service) TestRule(ctx context.Context, actor herald.Actor, in RuleInput) ([]herald.InboxItem, error) {
	if err := actor.Require(herald.ActPostsRead); err != nil {
		return nil, err
	}
	if strings.TrimSpace(in.Name) == "" {
		in.Name = "test"
	}
	if err := s.validate(ctx, actor.WorkspaceID, &in); err != nil {
		return nil, err
	}
	m, err := compile(herald.InboxRule{Name: in.Name, Conditions: in.Conditions, Actions: in.Actions})
	if err != nil {
		return nil, err
	}
	platforms, err := s.accountPlatforms(ctx, s.store, actor.WorkspaceID)
	if err != nil {
		return nil, err
	}
	matched := []herald.InboxItem{}
	f := herald.InboxFilter{WorkspaceID: actor.WorkspaceID, Page: herald.Page{Limit: herald.MaxPageLimit}}
	for seen := 0; seen < TestRuleItems; {
		items, next, err := s.store.ListInbox(ctx, f)
		if err != nil {
			return nil, fmt.Errorf("inbox: test rule: %w", err)
		}
		for _, it := range items {
			if seen++; seen > TestRuleItems {
				break
			}
			// Not analysed yet, or its language may still be due.
			if it.Sentiment == "" || (it.Language == "" && len(m.rule.Conditions.Languages) > 0) {
				s.analyse(&it, true)
			}
			if m.match(it, platforms[it.AccountID]) {
				matched = append(matched, it)
			}
		}
		if next == "" {
			break
		}
		f.Cursor = next
	}
	return matched, nil
}
