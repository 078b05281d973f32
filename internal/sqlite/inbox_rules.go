package sqlite

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"strings"

	"github.com/heraldsocial/herald/internal/herald"
)

// inboxRuleCols are the columns scanInboxRule reads.
const inboxRuleCols = `id, workspace_id, name, position, enabled, conditions, actions, created_by, created_at, updated_at`

func scanInboxRule(sc scanner) (herald.InboxRule, error) {
	var r herald.InboxRule
	var cond, act string
	var by sql.NullInt64
	var created, updated int64
	if err := sc.Scan(&r.ID, &r.WorkspaceID, &r.Name, &r.Position, &r.Enabled, &cond, &act, &by, &created,
		&updated); err != nil {
		return r, err
	}
	if err := json.Unmarshal([]byte(cond), &r.Conditions); err != nil {
		return r, fmt.Errorf("sqlite: inbox rule %d conditions: %w", r.ID, err)
	}
	if err := json.Unmarshal([]byte(act), &r.Actions); err != nil {
		return r, fmt.Errorf("sqlite: inbox rule %d actions: %w", r.ID, err)
	}
	r.CreatedBy, r.CreatedAt, r.UpdatedAt = by.Int64, fromMicros(created), fromMicros(updated)
	return r, nil
}

// ruleJSON encodes a rule's conditions and actions.
func ruleJSON(r *herald.InboxRule) (string, string, error) {
	c, err := json.Marshal(r.Conditions)
	if err != nil {
		return "", "", fmt.Errorf("sqlite: encode inbox rule conditions: %w", err)
	}
	a, err := json.Marshal(r.Actions)
	if err != nil {
		return "", "", fmt.Errorf("sqlite: encode inbox rule actions: %w", err)
	}
	return string(c), string(a), nil
}

// CreateInboxRule adds a rule after the workspace's last.
func (s *store) CreateInboxRule(ctx context.Context, r *herald.InboxRule) error {
	c, a, err := ruleJSON(r)
	if err != nil {
		return err
	}
	r.CreatedAt = stamp(r.CreatedAt)
	if r.UpdatedAt.IsZero() {
		r.UpdatedAt = r.CreatedAt
	}
	err = s.w.QueryRowContext(ctx, `INSERT INTO inbox_rules (workspace_id, name, position, enabled, conditions,
		actions, created_by, created_at, updated_at)
		VALUES (?1, ?2, (SELECT COALESCE(MAX(position), 0) + 1 FROM inbox_rules WHERE workspace_id = ?1), ?3, ?4, ?5, ?6, ?7, ?8)
		RETURNING id, position`, r.WorkspaceID, r.Name, r.Enabled, c, a, zeroNull(r.CreatedBy), micros(r.CreatedAt),
		micros(stamp(r.UpdatedAt))).Scan(&r.ID, &r.Position)
	return dbErr(err, "create inbox rule", "", "the workspace or the user does not exist")
}

// GetInboxRule returns one rule of a workspace.
func (s *store) GetInboxRule(ctx context.Context, workspaceID, id int64) (herald.InboxRule, error) {
	r, err := scanInboxRule(s.r.QueryRowContext(ctx, `SELECT `+inboxRuleCols+` FROM inbox_rules
		WHERE workspace_id = ? AND id = ?`, workspaceID, id))
	if err != nil {
		return herald.InboxRule{}, getErr(err, "inbox rule")
	}
	return r, nil
}

// ListInboxRules returns the workspace's rules in order.
func (s *store) ListInboxRules(ctx context.Context, workspaceID int64) ([]herald.InboxRule, error) {
	return listRows(ctx, s, "inbox rules", `SELECT `+inboxRuleCols+` FROM inbox_rules WHERE workspace_id = ?
		ORDER BY position, id`, []any{workspaceID}, scanInboxRule)
}

// UpdateInboxRule saves a rule's name, switch, conditions and actions.
func (s *store) UpdateInboxRule(ctx context.Context, r *herald.InboxRule) error {
	c, a, err := ruleJSON(r)
	if err != nil {
		return err
	}
	r.UpdatedAt = stamp(r.UpdatedAt)
	res, err := s.w.ExecContext(ctx, `UPDATE inbox_rules SET name = ?, enabled = ?, conditions = ?, actions = ?,
		updated_at = ? WHERE workspace_id = ? AND id = ?`, r.Name, r.Enabled, c, a, micros(r.UpdatedAt),
		r.WorkspaceID, r.ID)
	if err != nil {
		return fmt.Errorf("sqlite: update inbox rule: %w", err)
	}
	return affected(res, "inbox rule")
}

// DeleteInboxRule deletes a rule; its hits keep its name.
func (s *store) DeleteInboxRule(ctx context.Context, workspaceID, id int64) error {
	res, err := s.w.ExecContext(ctx, `DELETE FROM inbox_rules WHERE workspace_id = ? AND id = ?`, workspaceID, id)
	if err != nil {
		return fmt.Errorf("sqlite: delete inbox rule: %w", err)
	}
	return affected(res, "inbox rule")
}

// ReorderInboxRules sets the rules' positions to the order of ids.
func (s *store) ReorderInboxRules(ctx context.Context, workspaceID int64, ids []int64) error {
	return s.atomic(ctx, func(q querier) error {
		var n int
		if err := q.QueryRowContext(ctx, `SELECT COUNT(*) FROM inbox_rules WHERE workspace_id = ?`,
			workspaceID).Scan(&n); err != nil {
			return fmt.Errorf("sqlite: count inbox rules: %w", err)
		}
		if n != len(ids) {
			return herald.Errorf(herald.CodeConflict, "the order must list each of the workspace's %d rules once", n)
		}
		for i, id := range ids {
			res, err := q.ExecContext(ctx, `UPDATE inbox_rules SET position = ? WHERE workspace_id = ? AND id = ?
				AND position <> -1`, -(i + 1), workspaceID, id)
			if err != nil {
				return fmt.Errorf("sqlite: reorder inbox rules: %w", err)
			}
			if k, _ := res.RowsAffected(); k != 1 {
				return herald.Errorf(herald.CodeConflict, "the order must list each of the workspace's %d rules once", n)
			}
		}
		// Positions were set negative so a repeated id finds none left.
		_, err := q.ExecContext(ctx, `UPDATE inbox_rules SET position = -position WHERE workspace_id = ?`, workspaceID)
		return dbErr(err, "reorder inbox rules", "", "")
	})
}

// TakeInboxRuleTurns advances the rule's round-robin turn by n.
func (s *store) TakeInboxRuleTurns(ctx context.Context, workspaceID, ruleID int64, n int) (int64, error) {
	var turn int64
	err := s.w.QueryRowContext(ctx, `UPDATE inbox_rules SET turn = turn + ? WHERE workspace_id = ? AND id = ?
		RETURNING turn - ?`, n, workspaceID, ruleID, n).Scan(&turn)
	if err != nil {
		return 0, getErr(err, "inbox rule")
	}
	return turn, nil
}

// AddInboxRuleHits records what rules did, in one statement.
func (s *store) AddInboxRuleHits(ctx context.Context, hits []herald.InboxRuleHit) error {
	if len(hits) == 0 {
		return nil
	}
	type row struct {
		WS   int64  `json:"w"`
		Rule int64  `json:"r"`
		Item int64  `json:"i"`
		Did  string `json:"d"`
		At   int64  `json:"t"`
	}
	rows := make([]row, len(hits))
	for i, h := range hits {
		rows[i] = row{h.WorkspaceID, h.RuleID, h.ItemID, h.Did, micros(stamp(h.At))}
	}
	arg, err := json.Marshal(rows)
	if err != nil {
		return fmt.Errorf("sqlite: add inbox rule hits: %w", err)
	}
	_, err = s.w.ExecContext(ctx, `INSERT INTO inbox_rule_hits (workspace_id, rule_id, rule_name, item_id, did, at)
		SELECT r.workspace_id, r.id, r.name, j.value ->> 'i', j.value ->> 'd', j.value ->> 't'
		FROM json_each(?) j JOIN inbox_rules r ON r.workspace_id = j.value ->> 'w' AND r.id = j.value ->> 'r'
		ORDER BY j.key`, string(arg))
	return dbErr(err, "add inbox rule hits", "", "the inbox item does not exist")
}

// ListInboxRuleHits returns what rules did to an item, oldest first.
func (s *store) ListInboxRuleHits(ctx context.Context, workspaceID, itemID int64) ([]herald.InboxRuleHit, error) {
	return listRows(ctx, s, "inbox rule hits", `SELECT workspace_id, COALESCE(rule_id, 0), rule_name, item_id, did, at
		FROM inbox_rule_hits WHERE workspace_id = ? AND item_id = ? ORDER BY id`, []any{workspaceID, itemID},
		func(sc scanner) (herald.InboxRuleHit, error) {
			var h herald.InboxRuleHit
			var at int64
			err := sc.Scan(&h.WorkspaceID, &h.RuleID, &h.RuleName, &h.ItemID, &h.Did, &at)
			h.At = fromMicros(at)
			return h, err
		})
}

// AddInboxTags tags the items, keeping tags they have in any case.
func (s *store) AddInboxTags(ctx context.Context, workspaceID int64, ids []int64, tags []string) error {
	return s.atomic(ctx, func(q querier) error {
		in, err := inboxIDs(ctx, q, workspaceID, ids)
		if err != nil || in == "" {
			return err
		}
		for _, tag := range tags {
			if _, err := q.ExecContext(ctx, `INSERT INTO inbox_item_tags (item_id, workspace_id, tag, tag_key)
				SELECT value, ?, ?, ? FROM json_each(?) WHERE true ON CONFLICT DO NOTHING`,
				workspaceID, tag, strings.ToLower(tag), in); err != nil {
				return fmt.Errorf("sqlite: tag inbox items: %w", err)
			}
		}
		return nil
	})
}

// RemoveInboxTags removes the tags from the items.
func (s *store) RemoveInboxTags(ctx context.Context, workspaceID int64, ids []int64, tags []string) error {
	return s.atomic(ctx, func(q querier) error {
		in, err := inboxIDs(ctx, q, workspaceID, ids)
		if err != nil || in == "" || len(tags) == 0 {
			return err
		}
		for _, tag := range tags {
			if _, err := q.ExecContext(ctx, `DELETE FROM inbox_item_tags WHERE workspace_id = ? AND tag_key = ?
				AND item_id IN `+inJSON, workspaceID, strings.ToLower(tag), in); err != nil {
				return fmt.Errorf("sqlite: untag inbox items: %w", err)
			}
		}
		return nil
	})
}

// ListInboxTagNames returns the workspace's tags.
func (s *store) ListInboxTagNames(ctx context.Context, workspaceID int64) ([]string, error) {
	return listRows(ctx, s, "inbox tags", `SELECT MIN(tag) FROM inbox_item_tags WHERE workspace_id = ?
		GROUP BY tag_key ORDER BY tag_key`, []any{workspaceID}, func(sc scanner) (string, error) {
		var t string
		return t, sc.Scan(&t)
	})
}

// SetInboxPriority sets the items' priority.
func (s *store) SetInboxPriority(ctx context.Context, workspaceID int64, ids []int64, p herald.InboxPriority) error {
	return s.atomic(ctx, func(q querier) error {
		in, err := inboxIDs(ctx, q, workspaceID, ids)
		if err != nil || in == "" {
			return err
		}
		_, err = q.ExecContext(ctx, `UPDATE inbox_items SET priority = ? WHERE workspace_id = ? AND id IN `+inJSON,
			string(p), workspaceID, in)
		return dbErr(err, "set inbox priority", "", "")
	})
}

// SetInboxAnalysis saves an item's analysis.
func (s *store) SetInboxAnalysis(ctx context.Context, workspaceID, id int64, a herald.InboxAnalysis) error {
	res, err := s.w.ExecContext(ctx, `UPDATE inbox_items SET sentiment = ?, sentiment_score = ?, language = ?,
		has_question = ?, language_due = 0 WHERE workspace_id = ? AND id = ?`, a.Sentiment, a.SentimentScore, a.Language, a.HasQuestion,
		workspaceID, id)
	if err != nil {
		return fmt.Errorf("sqlite: set inbox analysis: %w", err)
	}
	return affected(res, "inbox item")
}

// UnanalysedInbox returns items waiting for their analysis.
func (s *store) UnanalysedInbox(ctx context.Context, limit int) ([]herald.InboxItem, error) {
	items, err := listRows(ctx, s, "unanalysed inbox", `SELECT `+inboxCols+` FROM inbox_items WHERE id IN (
		SELECT id FROM (SELECT id FROM inbox_items WHERE sentiment = '' ORDER BY id LIMIT ?)
		UNION SELECT id FROM (SELECT id FROM inbox_items WHERE language_due = 1 ORDER BY id LIMIT ?))
		ORDER BY id LIMIT ?`, []any{limit, limit, limit}, scanInboxItem)
	if err != nil {
		return nil, err
	}
	return items, nil
}

// SetInboxLanguages saves the items' detected languages, in one
// transaction.
func (s *store) SetInboxLanguages(ctx context.Context, items []herald.InboxItem) error {
	return s.atomic(ctx, func(q querier) error {
		for _, it := range items {
			if _, err := q.ExecContext(ctx, `UPDATE inbox_items SET language = ?, language_due = 0
				WHERE workspace_id = ? AND id = ?`, it.Language, it.WorkspaceID, it.ID); err != nil {
				return fmt.Errorf("sqlite: set inbox languages: %w", err)
			}
		}
		return nil
	})
}

// fillInboxTags sets the items' Tags (by name; nil when none).
func (s *store) fillInboxTags(ctx context.Context, items []herald.InboxItem) error {
	if len(items) == 0 {
		return nil
	}
	idx := map[int64]int{}
	args := []any{}
	for i := range items {
		idx[items[i].ID] = i
		args = append(args, items[i].ID)
	}
	rows, err := s.r.QueryContext(ctx, `SELECT item_id, tag FROM inbox_item_tags WHERE item_id IN (`+
		placeholders(len(args))+`) ORDER BY tag_key`, args...)
	if err != nil {
		return fmt.Errorf("sqlite: inbox tags: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var id int64
		var tag string
		if err := rows.Scan(&id, &tag); err != nil {
			return fmt.Errorf("sqlite: inbox tags: %w", err)
		}
		items[idx[id]].Tags = append(items[idx[id]].Tags, tag)
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("sqlite: inbox tags: %w", err)
	}
	return nil
}

// inboxRuleWhere adds the filters of inbox_rules.go to an inbox query.
func inboxRuleWhere(f herald.InboxFilter, add func(cond string, v ...any)) {
	if f.Tag != "" {
		add("id IN (SELECT item_id FROM inbox_item_tags WHERE workspace_id = ? AND tag_key = ?)", f.WorkspaceID,
			strings.ToLower(f.Tag))
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
