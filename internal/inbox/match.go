package inbox

import (
	"context"
	"fmt"
	"regexp"
	"slices"
	"strings"

	"github.com/heraldsocial/herald/internal/herald"
)

// matcher is a rule made ready to test items.
type matcher struct {
	rule    herald.InboxRule
	terms   []string
	pattern *regexp.Regexp
}

// compile prepares r; an invalid pattern (saved before validation
// existed, or by hand) is a field error.
func compile(r herald.InboxRule) (matcher, error) {
	m := matcher{rule: r}
	for _, t := range r.Conditions.Terms {
		m.terms = append(m.terms, strings.ToLower(t))
	}
	if r.Conditions.Pattern != "" {
		re, err := regexp.Compile(r.Conditions.Pattern)
		if err != nil {
			return m, herald.Problems{{Field: "conditions.pattern",
				Problem: "not a valid regular expression (RE2 syntax): " + err.Error()}}.Err("the rule cannot run")
		}
		m.pattern = re
	}
	return m, nil
}

// match reports whether every condition holds for it (whose account is on
// platform).
func (m matcher) match(it herald.InboxItem, platform herald.Platform) bool {
	c := m.rule.Conditions
	if len(m.terms) > 0 {
		text := strings.ToLower(it.Text)
		if !slices.ContainsFunc(m.terms, func(t string) bool { return strings.Contains(text, t) }) {
			return false
		}
	}
	if m.pattern != nil && !m.pattern.MatchString(it.Text) {
		return false
	}
	if len(c.AccountIDs) > 0 && !slices.Contains(c.AccountIDs, it.AccountID) {
		return false
	}
	if len(c.Platforms) > 0 && !slices.Contains(c.Platforms, platform) {
		return false
	}
	if len(c.Kinds) > 0 && !slices.Contains(c.Kinds, it.Kind()) {
		return false
	}
	if len(c.Sentiments) > 0 && !slices.Contains(c.Sentiments, it.Sentiment) {
		return false
	}
	if len(c.Languages) > 0 && !slices.Contains(c.Languages, it.Language) {
		return false
	}
	if c.HasQuestion != nil && *c.HasQuestion != it.HasQuestion {
		return false
	}
	if len(c.AuthorHandles) > 0 {
		h := strings.TrimPrefix(it.AuthorHandle, "@")
		if !slices.ContainsFunc(c.AuthorHandles, func(x string) bool { return strings.EqualFold(x, h) }) {
			return false
		}
	}
	return true
}

// accountPlatforms maps the workspace's account ids to their platforms.
func (s *Service) accountPlatforms(ctx context.Context, st herald.Tx, ws int64) (map[int64]herald.Platform, error) {
	accts, err := st.ListAccounts(ctx, ws)
	if err != nil {
		return nil, fmt.Errorf("inbox: accounts: %w", err)
	}
	out := make(map[int64]herald.Platform, len(accts))
	for _, a := range accts {
		out[a.ID] = a.Platform
	}
	return out, nil
}
