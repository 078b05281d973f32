package sqlite

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/heraldsocial/herald/internal/herald"
)

var _ herald.CompetitorStore = (*store)(nil)

// topicMissing is the conflict of a listening topic not in the workspace.
func topicMissing() error {
	return &herald.Error{Code: herald.CodeConflict, Message: "the listening topic does not exist in this workspace",
		Details: []herald.FieldProblem{{Field: "topic_id", Problem: "is not a listening topic of this workspace"}}}
}

// CreateCompetitor inserts c (not its accounts) and sets its ID.
func (s *store) CreateCompetitor(ctx context.Context, c *herald.Competitor) error {
	c.CreatedAt = stamp(c.CreatedAt)
	if c.UpdatedAt.IsZero() {
		c.UpdatedAt = c.CreatedAt
	}
	err := s.w.QueryRowContext(ctx, `INSERT INTO competitors (workspace_id, name, topic_id, created_by, created_at, updated_at)
		SELECT ?, ?, ?, ?, ?, ? WHERE ? = 0 OR EXISTS (SELECT 1 FROM listen_topics WHERE id = ? AND workspace_id = ?)
		RETURNING id`, c.WorkspaceID, c.Name, zeroNil(c.TopicID), c.CreatedBy, micros(c.CreatedAt), micros(c.UpdatedAt),
		c.TopicID, c.TopicID, c.WorkspaceID).Scan(&c.ID)
	if errors.Is(err, sql.ErrNoRows) {
		return topicMissing()
	}
	if c.Accounts == nil {
		c.Accounts = []herald.CompetitorAccount{}
	}
	return dbErr(err, "create competitor", herald.CompetitorClash(c.Name), "the workspace does not exist")
}

const competitorCols = `id, workspace_id, name, topic_id, created_by, created_at, updated_at`

func scanCompetitor(sc scanner) (herald.Competitor, error) {
	var c herald.Competitor
	var topic sql.NullInt64
	var created, updated int64
	err := sc.Scan(&c.ID, &c.WorkspaceID, &c.Name, &topic, &c.CreatedBy, &created, &updated)
	c.TopicID, c.CreatedAt, c.UpdatedAt = topic.Int64, fromMicros(created), fromMicros(updated)
	c.Accounts = []herald.CompetitorAccount{}
	return c, err
}

const competitorAccountCols = `id, workspace_id, competitor_id, platform, handle, remote_id, display_name, url, collected_at,
	attempted_at, last_error, created_at`

func scanCompetitorAccount(sc scanner) (herald.CompetitorAccount, error) {
	var a herald.CompetitorAccount
	var collected, attempted sql.NullInt64
	var created int64
	err := sc.Scan(&a.ID, &a.WorkspaceID, &a.CompetitorID, &a.Platform, &a.Handle, &a.RemoteID, &a.DisplayName, &a.URL,
		&collected, &attempted, &a.LastError, &created)
	a.CollectedAt, a.AttemptedAt, a.CreatedAt = fromNullMicros(collected), fromNullMicros(attempted), fromMicros(created)
	return a, err
}

// attachAccounts puts the workspace's tracked accounts on their
// competitors.
func (s *store) attachAccounts(ctx context.Context, workspaceID int64, cs []herald.Competitor, competitorID int64) error {
	q := `SELECT ` + competitorAccountCols + ` FROM competitor_accounts WHERE workspace_id = ?`
	args := []any{workspaceID}
	if competitorID != 0 {
		q += ` AND competitor_id = ?`
		args = append(args, competitorID)
	}
	accts, err := listRows(ctx, s, "competitor accounts", q+` ORDER BY platform, handle COLLATE NOCASE, id`, args,
		scanCompetitorAccount)
	if err != nil {
		return err
	}
	at := map[int64]int{}
	for i, c := range cs {
		at[c.ID] = i
	}
	for _, a := range accts {
		if i, ok := at[a.CompetitorID]; ok {
			cs[i].Accounts = append(cs[i].Accounts, a)
		}
	}
	return nil
}

// GetCompetitor returns the competitor with its accounts.
func (s *store) GetCompetitor(ctx context.Context, workspaceID, id int64) (herald.Competitor, error) {
	c, err := scanCompetitor(s.r.QueryRowContext(ctx, `SELECT `+competitorCols+` FROM competitors WHERE workspace_id = ? AND id = ?`,
		workspaceID, id))
	if err != nil {
		return herald.Competitor{}, getErr(err, "competitor")
	}
	cs := []herald.Competitor{c}
	if err := s.attachAccounts(ctx, workspaceID, cs, id); err != nil {
		return herald.Competitor{}, err
	}
	return cs[0], nil
}

// ListCompetitors returns the workspace's competitors by name.
func (s *store) ListCompetitors(ctx context.Context, workspaceID int64) ([]herald.Competitor, error) {
	cs, err := listRows(ctx, s, "competitors", `SELECT `+competitorCols+` FROM competitors WHERE workspace_id = ?
		ORDER BY name COLLATE NOCASE, id`, []any{workspaceID}, scanCompetitor)
	if err != nil {
		return nil, err
	}
	if len(cs) == 0 {
		return []herald.Competitor{}, nil
	}
	return cs, s.attachAccounts(ctx, workspaceID, cs, 0)
}

// UpdateCompetitor saves the name and topic.
func (s *store) UpdateCompetitor(ctx context.Context, c *herald.Competitor) error {
	c.UpdatedAt = stamp(c.UpdatedAt)
	if c.TopicID != 0 {
		var n int
		if err := s.r.QueryRowContext(ctx, `SELECT count(*) FROM listen_topics WHERE id = ? AND workspace_id = ?`, c.TopicID,
			c.WorkspaceID).Scan(&n); err != nil {
			return fmt.Errorf("sqlite: update competitor: %w", err)
		}
		if n == 0 {
			return topicMissing()
		}
	}
	res, err := s.w.ExecContext(ctx, `UPDATE competitors SET name = ?, topic_id = ?, updated_at = ? WHERE workspace_id = ? AND id = ?`,
		c.Name, zeroNil(c.TopicID), micros(c.UpdatedAt), c.WorkspaceID, c.ID)
	if err != nil {
		return dbErr(err, "update competitor", herald.CompetitorClash(c.Name), "")
	}
	return affected(res, "competitor")
}

// DeleteCompetitor deletes it with its accounts and their days.
func (s *store) DeleteCompetitor(ctx context.Context, workspaceID, id int64) error {
	res, err := s.w.ExecContext(ctx, `DELETE FROM competitors WHERE workspace_id = ? AND id = ?`, workspaceID, id)
	if err != nil {
		return dbErr(err, "delete competitor", "", "")
	}
	return affected(res, "competitor")
}

// AddCompetitorAccount inserts a and sets its ID.
func (s *store) AddCompetitorAccount(ctx context.Context, a *herald.CompetitorAccount) error {
	a.CreatedAt = stamp(a.CreatedAt)
	err := s.w.QueryRowContext(ctx, `INSERT INTO competitor_accounts (workspace_id, competitor_id, platform, handle, remote_id,
		display_name, url, created_at) SELECT workspace_id, id, ?, ?, ?, ?, ?, ? FROM competitors WHERE workspace_id = ? AND id = ?
		RETURNING id`, string(a.Platform), a.Handle, a.RemoteID, a.DisplayName, a.URL, micros(a.CreatedAt), a.WorkspaceID,
		a.CompetitorID).Scan(&a.ID)
	if errors.Is(err, sql.ErrNoRows) {
		return &herald.Error{Code: herald.CodeConflict, Message: "the competitor does not exist in this workspace"}
	}
	return dbErr(err, "add competitor account", herald.CompetitorAccountClash(a.Platform, a.Handle), "")
}

// GetCompetitorAccount returns one tracked account.
func (s *store) GetCompetitorAccount(ctx context.Context, workspaceID, id int64) (herald.CompetitorAccount, error) {
	a, err := scanCompetitorAccount(s.r.QueryRowContext(ctx, `SELECT `+competitorAccountCols+` FROM competitor_accounts
		WHERE workspace_id = ? AND id = ?`, workspaceID, id))
	if err != nil {
		return herald.CompetitorAccount{}, getErr(err, "competitor account")
	}
	return a, nil
}

// DeleteCompetitorAccount deletes the account and its days.
func (s *store) DeleteCompetitorAccount(ctx context.Context, workspaceID, id int64) error {
	res, err := s.w.ExecContext(ctx, `DELETE FROM competitor_accounts WHERE workspace_id = ? AND id = ?`, workspaceID, id)
	if err != nil {
		return dbErr(err, "delete competitor account", "", "")
	}
	return affected(res, "competitor account")
}

// CompetitorAccountsDue returns accounts not collected today.
func (s *store) CompetitorAccountsDue(ctx context.Context, now time.Time, retryAfter time.Duration, limit int) ([]herald.CompetitorAccount, error) {
	if limit < 1 {
		return nil, &herald.Error{Code: herald.CodeInvalid, Message: fmt.Sprintf("limit is %d; it must be at least 1", limit)}
	}
	return listRows(ctx, s, "competitor accounts due", `SELECT `+competitorAccountCols+` FROM competitor_accounts
		WHERE (collected_at IS NULL OR collected_at < ?) AND (attempted_at IS NULL OR attempted_at <= ?)
		ORDER BY attempted_at IS NOT NULL, id LIMIT ?`, []any{micros(herald.ListenDay(now)), micros(now.Add(-retryAfter)), limit},
		scanCompetitorAccount)
}

// PutCompetitorDay stores d, replacing the day's earlier reading.
func (s *store) PutCompetitorDay(ctx context.Context, d herald.CompetitorDay) error {
	if err := d.Validate(); err != nil {
		return err
	}
	d.CollectedAt = stamp(d.CollectedAt)
	top, err := toJSON(herald.NonNil(d.TopPosts))
	if err != nil {
		return err
	}
	return s.atomic(ctx, func(q querier) error {
		res, err := q.ExecContext(ctx, `UPDATE competitor_accounts SET collected_at = ?, attempted_at = ?, last_error = ''
			WHERE workspace_id = ? AND id = ?`, micros(d.CollectedAt), micros(d.CollectedAt), d.WorkspaceID, d.AccountID)
		if err != nil {
			return dbErr(err, "put competitor day", "", "")
		}
		if err := affected(res, "competitor account"); err != nil {
			return err
		}
		_, err = q.ExecContext(ctx, `INSERT INTO competitor_days (account_id, workspace_id, day, followers, following, posts_total,
			posts_day, engagements, top_posts, collected_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
			ON CONFLICT (account_id, day) DO UPDATE SET followers = excluded.followers, following = excluded.following,
			posts_total = excluded.posts_total, posts_day = excluded.posts_day, engagements = excluded.engagements,
			top_posts = excluded.top_posts, collected_at = excluded.collected_at`, d.AccountID, d.WorkspaceID, micros(d.Day),
			d.Followers, d.Following, d.PostsTotal, d.PostsDay, d.Engagements, top, micros(d.CollectedAt))
		return dbErr(err, "put competitor day", "", "")
	})
}

// SetCompetitorError records a failed attempt.
func (s *store) SetCompetitorError(ctx context.Context, workspaceID, accountID int64, message string, at time.Time) error {
	res, err := s.w.ExecContext(ctx, `UPDATE competitor_accounts SET attempted_at = ?, last_error = ? WHERE workspace_id = ? AND id = ?`,
		micros(stamp(at)), message, workspaceID, accountID)
	if err != nil {
		return dbErr(err, "set competitor error", "", "")
	}
	return affected(res, "competitor account")
}

// ListCompetitorDays returns the days in [from, to).
func (s *store) ListCompetitorDays(ctx context.Context, workspaceID, competitorID int64, from, to time.Time) ([]herald.CompetitorDay, error) {
	q := `SELECT d.account_id, d.workspace_id, d.day, d.followers, d.following, d.posts_total, d.posts_day, d.engagements,
		d.top_posts, d.collected_at FROM competitor_days d JOIN competitor_accounts a ON a.id = d.account_id
		WHERE d.workspace_id = ? AND a.workspace_id = ? AND d.day >= ? AND d.day < ?`
	args := []any{workspaceID, workspaceID, micros(from), micros(to)}
	if competitorID != 0 {
		q += ` AND a.competitor_id = ?`
		args = append(args, competitorID)
	}
	return listRows(ctx, s, "competitor days", q+` ORDER BY d.account_id, d.day`, args, func(sc scanner) (herald.CompetitorDay, error) {
		var d herald.CompetitorDay
		var day, collected int64
		var top string
		if err := sc.Scan(&d.AccountID, &d.WorkspaceID, &day, &d.Followers, &d.Following, &d.PostsTotal, &d.PostsDay,
			&d.Engagements, &top, &collected); err != nil {
			return d, err
		}
		d.Day, d.CollectedAt = fromMicros(day), fromMicros(collected)
		if err := json.Unmarshal([]byte(top), &d.TopPosts); err != nil {
			return d, fmt.Errorf("sqlite: competitor day top posts: %w", err)
		}
		for i := range d.TopPosts {
			d.TopPosts[i].PostedAt = d.TopPosts[i].PostedAt.UTC()
		}
		return d, nil
	})
}

// GetCompetitorSettings returns the workspace's settings.
func (s *store) GetCompetitorSettings(ctx context.Context, workspaceID int64) (herald.CompetitorSettings, error) {
	out := herald.CompetitorSettings{WorkspaceID: workspaceID}
	var topic sql.NullInt64
	err := s.r.QueryRowContext(ctx, `SELECT own_topic_id FROM competitor_settings WHERE workspace_id = ?`, workspaceID).Scan(&topic)
	if err != nil && !errors.Is(err, sql.ErrNoRows) {
		return out, fmt.Errorf("sqlite: get competitor settings: %w", err)
	}
	out.OwnTopicID = topic.Int64
	return out, nil
}

// PutCompetitorSettings saves them.
func (s *store) PutCompetitorSettings(ctx context.Context, cs herald.CompetitorSettings) error {
	if cs.OwnTopicID != 0 {
		var n int
		if err := s.r.QueryRowContext(ctx, `SELECT count(*) FROM listen_topics WHERE id = ? AND workspace_id = ?`, cs.OwnTopicID,
			cs.WorkspaceID).Scan(&n); err != nil {
			return fmt.Errorf("sqlite: put competitor settings: %w", err)
		}
		if n == 0 {
			return topicMissing()
		}
	}
	_, err := s.w.ExecContext(ctx, `INSERT INTO competitor_settings (workspace_id, own_topic_id) VALUES (?, ?)
		ON CONFLICT (workspace_id) DO UPDATE SET own_topic_id = excluded.own_topic_id`, cs.WorkspaceID, zeroNil(cs.OwnTopicID))
	return dbErr(err, "put competitor settings", "", "the workspace does not exist")
}
