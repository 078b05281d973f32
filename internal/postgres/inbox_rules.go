package postgres

import (
	"context"
	"strings"
	"time"

	"github.com/heraldsocial/herald/internal/herald"
)

// inboxRuleCols are the columns scanInboxRule reads.
const inboxRuleCols = `id, workspace_id, name, position, enabled, conditions, actions, COALESCE(created_by, 0),
	created_at, updated_at`

func scanInboxRule(sc scanner) (herald.InboxRule, error) {
	var r herald.InboxRule
	err := sc.Scan(&r.ID, &r.WorkspaceID, &r.Name, &r.Position, &r.Enabled, &r.Conditions, &r.Actions, &r.CreatedBy,
		&r.CreatedAt, &r.UpdatedAt)
	return r, err
}

// CreateInboxRule adds a rule after the workspace's last.
func (s store) CreateInboxRule(ctx context.Context, r *herald.InboxRule) error {
	stamp(&r.CreatedAt)
	if r.UpdatedAt.IsZero() {
		r.UpdatedAt = r.CreatedAt
	}
	return s.atomic(ctx, func(s store) error {
		// The workspace row is locked so two creations get two positions.
		if _, err := s.q.Exec(ctx, `SELECT 1 FROM workspaces WHERE id = $1 FOR UPDATE`, r.WorkspaceID); err != nil {
			return dbErr("lock workspace", err)
		}
		err := s.q.QueryRow(ctx, `INSERT INTO inbox_rules (workspace_id, name, position, enabled, conditions, actions,
			created_by, created_at, updated_at)
			VALUES ($1, $2, (SELECT COALESCE(MAX(position), 0) + 1 FROM inbox_rules WHERE workspace_id = $1), $3, $4, $5,
				$6, $7, $8)
			RETURNING id, position`, r.WorkspaceID, r.Name, r.Enabled, r.Conditions, r.Actions, zeroNull(r.CreatedBy),
			r.CreatedAt, r.UpdatedAt).Scan(&r.ID, &r.Position)
		return dbErr("create inbox rule", err)
	})
}

// GetInboxRule returns one rule of a workspace.
func (s store) GetInboxRule(ctx context.Context, workspaceID, id int64) (herald.InboxRule, error) {
	r, err := scanInboxRule(s.q.QueryRow(ctx, `SELECT `+inboxRuleCols+` FROM inbox_rules
		WHERE workspace_id = $1 AND id = $2`, workspaceID, id))
	if err != nil {
		return herald.InboxRule{}, notFound("inbox rule", "get inbox rule", err)
	}
	return r, nil
}

// ListInboxRules returns the workspace's rules in order.
func (s store) ListInboxRules(ctx context.Context, workspaceID int64) ([]herald.InboxRule, error) {
	rows, err := s.q.Query(ctx, `SELECT `+inboxRuleCols+` FROM inbox_rules WHERE workspace_id = $1
		ORDER BY position, id`, workspaceID)
	if err != nil {
		return nil, dbErr("list inbox rules", err)
	}
	out, err := collect(rows, scanInboxRule)
	if err != nil {
		return nil, dbErr("list inbox rules", err)
	}
	return out, nil
}

// UpdateInboxRule saves a rule's name, switch, conditions and actions.
func (s store) UpdateInboxRule(ctx context.Context, r *herald.InboxRule) error {
	stamp(&r.UpdatedAt)
	tag, err := s.q.Exec(ctx, `UPDATE inbox_rules SET name = $1, enabled = $2, conditions = $3, actions = $4,
		updated_at = $5 WHERE workspace_id = $6 AND id = $7`, r.Name, r.Enabled, r.Conditions, r.Actions, r.UpdatedAt,
		r.WorkspaceID, r.ID)
	if err != nil {
		return dbErr("update inbox rule", err)
	}
	if tag.RowsAffected() == 0 {
		return missing("inbox rule")
	}
	return nil
}

// DeleteInboxRule deletes a rule; its hits keep its name.
func (s store) DeleteInboxRule(ctx context.Context, workspaceID, id int64) error {
	tag, err := s.q.Exec(ctx, `DELETE FROM inbox_rules WHERE workspace_id = $1 AND id = $2`, workspaceID, id)
	if err != nil {
		return dbErr("delete inbox rule", err)
	}
	if tag.RowsAffected() == 0 {
		return missing("inbox rule")
	}
	return nil
}

// ReorderInboxRules sets the rules' positions to the order of ids.
func (s store) ReorderInboxRules(ctx context.Context, workspaceID int64, ids []int64) error {
	return s.atomic(ctx, func(s store) error {
		var n int
		if err := s.q.QueryRow(ctx, `SELECT COUNT(*) FROM (SELECT id FROM inbox_rules WHERE workspace_id = $1 FOR UPDATE) r`,
			workspaceID).Scan(&n); err != nil {
			return dbErr("count inbox rules", err)
		}
		bad := herald.Errorf(herald.CodeConflict, "the order must list each of the workspace's %d rules once", n)
		if n != len(ids) {
			return bad
		}
		tag, err := s.q.Exec(ctx, `UPDATE inbox_rules r SET position = o.pos FROM
			(SELECT id, ord AS pos FROM unnest($2::bigint[]) WITH ORDINALITY AS u(id, ord)) o
			WHERE r.workspace_id = $1 AND r.id = o.id`, workspaceID, ids)
		if err != nil {
			return dbErr("reorder inbox rules", err)
		}
		var distinct int
		if err := s.q.QueryRow(ctx, `SELECT COUNT(DISTINCT x) FROM unnest($1::bigint[]) x`, ids).Scan(&distinct); err != nil {
			return dbErr("reorder inbox rules", err)
		}
		if int(tag.RowsAffected()) != n || distinct != n {
			return bad
		}
		return nil
	})
}

// TakeInboxRuleTurns advances the rule's round-robin turn by n.
func (s store) TakeInboxRuleTurns(ctx context.Context, workspaceID, ruleID int64, n int) (int64, error) {
	var turn int64
	err := s.q.QueryRow(ctx, `UPDATE inbox_rules SET turn = turn + $3 WHERE workspace_id = $1 AND id = $2
		RETURNING turn - $3`, workspaceID, ruleID, int64(n)).Scan(&turn)
	if err != nil {
		return 0, notFound("inbox rule", "take inbox rule turns", err)
	}
	return turn, nil
}

// AddInboxRuleHits records what rules did, in one statement.
func (s store) AddInboxRuleHits(ctx context.Context, hits []herald.InboxRuleHit) error {
	if len(hits) == 0 {
		return nil
	}
	n := len(hits)
	ws, rules, items := make([]int64, n), make([]int64, n), make([]int64, n)
	did, at := make([]string, n), make([]time.Time, n)
	for i, h := range hits {
		stamp(&h.At)
		ws[i], rules[i], items[i], did[i], at[i] = h.WorkspaceID, h.RuleID, h.ItemID, h.Did, h.At
	}
	_, err := s.q.Exec(ctx, `INSERT INTO inbox_rule_hits (workspace_id, rule_id, rule_name, item_id, did, at)
		SELECT r.workspace_id, r.id, r.name, h.item_id, h.did, h.at
		FROM unnest($1::bigint[], $2::bigint[], $3::bigint[], $4::text[], $5::timestamptz[])
			WITH ORDINALITY AS h (workspace_id, rule_id, item_id, did, at, n)
		JOIN inbox_rules r ON r.workspace_id = h.workspace_id AND r.id = h.rule_id
		ORDER BY h.n`, ws, rules, items, did, at)
	return dbErr("add inbox rule hits", err)
}

// ListInboxRuleHits returns what rules did to an item, oldest first.
func (s store) ListInboxRuleHits(ctx context.Context, workspaceID, itemID int64) ([]herald.InboxRuleHit, error) {
	rows, err := s.q.Query(ctx, `SELECT workspace_id, COALESCE(rule_id, 0), rule_name, item_id, did, at
		FROM inbox_rule_hits WHERE workspace_id = $1 AND item_id = $2 ORDER BY id`, workspaceID, itemID)
	if err != nil {
		return nil, dbErr("list inbox rule hits", err)
	}
	out, err := collect(rows, func(sc scanner) (herald.InboxRuleHit, error) {
		var h herald.InboxRuleHit
		err := sc.Scan(&h.WorkspaceID, &h.RuleID, &h.RuleName, &h.ItemID, &h.Did, &h.At)
		return h, err
	})
	if err != nil {
		return nil, dbErr("list inbox rule hits", err)
	}
	return out, nil
}

// lowered returns the tags in lower case, for tag_key.
func lowered(tags []string) []string {
	out := make([]string, len(tags))
	for i, t := range tags {
		out[i] = strings.ToLower(t)
	}
	return out
}

// AddInboxTags tags the items, keeping tags they have in any case.
func (s store) AddInboxTags(ctx context.Context, workspaceID int64, ids []int64, tags []string) error {
	return s.atomic(ctx, func(s store) error {
		ids, err := s.inboxIDs(ctx, workspaceID, ids)
		if err != nil || len(ids) == 0 || len(tags) == 0 {
			return err
		}
		_, err = s.q.Exec(ctx, `INSERT INTO inbox_item_tags (item_id, workspace_id, tag, tag_key)
			SELECT i, $1, t.tag, t.tag_key FROM unnest($2::bigint[]) i,
				unnest($3::text[], $4::text[]) AS t(tag, tag_key)
			ON CONFLICT DO NOTHING`, workspaceID, ids, tags, lowered(tags))
		return dbErr("tag inbox items", err)
	})
}

// RemoveInboxTags removes the tags from the items.
func (s store) RemoveInboxTags(ctx context.Context, workspaceID int64, ids []int64, tags []string) error {
	return s.atomic(ctx, func(s store) error {
		ids, err := s.inboxIDs(ctx, workspaceID, ids)
		if err != nil || len(ids) == 0 || len(tags) == 0 {
			return err
		}
		_, err = s.q.Exec(ctx, `DELETE FROM inbox_item_tags WHERE workspace_id = $1 AND item_id = ANY($2)
			AND tag_key = ANY($3)`, workspaceID, ids, lowered(tags))
		return dbErr("untag inbox items", err)
	})
}

// ListInboxTagNames returns the workspace's tags.
func (s store) ListInboxTagNames(ctx context.Context, workspaceID int64) ([]string, error) {
	rows, err := s.q.Query(ctx, `SELECT MIN(tag) FROM inbox_item_tags WHERE workspace_id = $1
		GROUP BY tag_key ORDER BY tag_key`, workspaceID)
	if err != nil {
		return nil, dbErr("list inbox tags", err)
	}
	out, err := collect(rows, func(sc scanner) (string, error) {
		var t string
		return t, sc.Scan(&t)
	})
	if err != nil {
		return nil, dbErr("list inbox tags", err)
	}
	return out, nil
}

// SetInboxPriority sets the items' priority.
func (s store) SetInboxPriority(ctx context.Context, workspaceID int64, ids []int64, p herald.InboxPriority) error {
	return s.atomic(ctx, func(s store) error {
		ids, err := s.inboxIDs(ctx, workspaceID, ids)
		if err != nil || len(ids) == 0 {
			return err
		}
		_, err = s.q.Exec(ctx, `UPDATE inbox_items SET priority = $1 WHERE workspace_id = $2 AND id = ANY($3)`,
			string(p), workspaceID, ids)
		return dbErr("set inbox priority", err)
	})
}

// SetInboxAnalysis saves an item's analysis.
func (s store) SetInboxAnalysis(ctx context.Context, workspaceID, id int64, a herald.InboxAnalysis) error {
	tag, err := s.q.Exec(ctx, `UPDATE inbox_items SET sentiment = $1, sentiment_score = $2, language = $3,
		has_question = $4, language_due = false WHERE workspace_id = $5 AND id = $6`, a.Sentiment, a.SentimentScore, a.Language,
		a.HasQuestion, workspaceID, id)
	if err != nil {
		return dbErr("set inbox analysis", err)
	}
	if tag.RowsAffected() == 0 {
		return missing("inbox item")
	}
	return nil
}

// UnanalysedInbox returns items waiting for their analysis.
func (s store) UnanalysedInbox(ctx context.Context, limit int) ([]herald.InboxItem, error) {
	rows, err := s.q.Query(ctx, `SELECT `+inboxCols+` FROM inbox_items WHERE id IN (
		(SELECT id FROM inbox_items WHERE sentiment = '' ORDER BY id LIMIT $1)
		UNION (SELECT id FROM inbox_items WHERE language_due ORDER BY id LIMIT $1))
		ORDER BY id LIMIT $1`, limit)
	if err != nil {
		return nil, dbErr("unanalysed inbox", err)
	}
	out, err := collect(rows, scanInboxItem)
	if err != nil {
		return nil, dbErr("unanalysed inbox", err)
	}
	return out, nil
}

// SetInboxLanguages saves the items' detected languages in one statement.
func (s store) SetInboxLanguages(ctx context.Context, items []herald.InboxItem) error {
	if len(items) == 0 {
		return nil
	}
	ws, ids, langs := make([]int64, len(items)), make([]int64, len(items)), make([]string, len(items))
	for i, it := range items {
		ws[i], ids[i], langs[i] = it.WorkspaceID, it.ID, it.Language
	}
	_, err := s.q.Exec(ctx, `UPDATE inbox_items i SET language = l.language, language_due = false
		FROM unnest($1::bigint[], $2::bigint[], $3::text[]) AS l (workspace_id, id, language)
		WHERE i.workspace_id = l.workspace_id AND i.id = l.id`, ws, ids, langs)
	return dbErr("set inbox languages", err)
}

// fillInboxTags sets the items' Tags (by name; nil when none).
func (s store) fillInboxTags(ctx context.Context, items []herald.InboxItem) error {
	if len(items) == 0 {
		return nil
	}
	idx := map[int64]int{}
	ids := make([]int64, len(items))
	for i := range items {
		idx[items[i].ID] = i
		ids[i] = items[i].ID
	}
	rows, err := s.q.Query(ctx, `SELECT item_id, tag FROM inbox_item_tags WHERE item_id = ANY($1) ORDER BY tag_key`, ids)
	if err != nil {
		return dbErr("inbox tags", err)
	}
	defer rows.Close()
	for rows.Next() {
		var id int64
		var tag string
		if err := rows.Scan(&id, &tag); err != nil {
			return dbErr("inbox tags", err)
		}
		items[idx[id]].Tags = append(items[idx[id]].Tags, tag)
	}
	return dbErr("inbox tags", rows.Err())
}

// inboxRuleWhere adds the filters of inbox_rules.go to an inbox query;
// add numbers each "?" in order.
func inboxRuleWhere(f herald.InboxFilter, add func(cond string, v ...any)) {
	if f.Tag != "" {
		add("id IN (SELECT item_id FROM inbox_item_tags WHERE workspace_id = $1 AND tag_key = ?)", strings.ToLower(f.Tag))
	}
	if f.Sentiment != "" {
		add("sentiment = ?", f.Sentiment)
	}
	if f.Priority != "" {
		add("priority = ?", string(f.Priority))
	}
	if f.HasQuestion != nil {
		add("has_question = ?", *f.HasQuestion)
	}
}
