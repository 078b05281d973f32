package postgres

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/heraldsocial/herald/internal/herald"
)

var _ herald.CompetitorStore = store{}

// topicMissing is the conflict of a listening topic not in the workspace.
func topicMissing() error {
	return &herald.Error{Code: herald.CodeConflict, Message: "the listening topic does not exist in this workspace",
		Details: []herald.FieldProblem{{Field: "topic_id", Problem: "is not a listening topic of this workspace"}}}
}

// clashAs is dbErr with the message of a uniqueness conflict replaced by
// msg naming field.
func clashAs(op string, err error, msg, field string) error {
	err = dbErr(op, err)
	var he *herald.Error
	if errors.As(err, &he) && he.Code == herald.CodeConflict {
		return &herald.Error{Code: herald.CodeConflict, Message: msg, Details: []herald.FieldProblem{{Field: field, Problem: msg}},
			Err: he}
	}
	return err
}

// CreateCompetitor inserts c (not its accounts) and sets its ID.
func (s store) CreateCompetitor(ctx context.Context, c *herald.Competitor) error {
	stamp(&c.CreatedAt)
	if c.UpdatedAt.IsZero() {
		c.UpdatedAt = c.CreatedAt
	}
	err := s.q.QueryRow(ctx, `INSERT INTO competitors (workspace_id, name, topic_id, created_by, created_at, updated_at)
		SELECT $1, $2, $3, $4, $5, $6 WHERE $7::bigint = 0
			OR EXISTS (SELECT 1 FROM listen_topics WHERE id = $7 AND workspace_id = $1)
		RETURNING id`, c.WorkspaceID, c.Name, zeroNull(c.TopicID), c.CreatedBy, c.CreatedAt, c.UpdatedAt, c.TopicID).Scan(&c.ID)
	if errors.Is(err, pgx.ErrNoRows) {
		return topicMissing()
	}
	if c.Accounts == nil {
		c.Accounts = []herald.CompetitorAccount{}
	}
	return clashAs("create competitor", err, herald.CompetitorClash(c.Name), "name")
}

const competitorCols = `id, workspace_id, name, topic_id, created_by, created_at, updated_at`

func scanCompetitor(sc scanner) (herald.Competitor, error) {
	var c herald.Competitor
	var topic *int64
	err := sc.Scan(&c.ID, &c.WorkspaceID, &c.Name, &topic, &c.CreatedBy, &c.CreatedAt, &c.UpdatedAt)
	if topic != nil {
		c.TopicID = *topic
	}
	c.CreatedAt, c.UpdatedAt = c.CreatedAt.UTC(), c.UpdatedAt.UTC()
	c.Accounts = []herald.CompetitorAccount{}
	return c, err
}

const competitorAccountCols = `id, workspace_id, competitor_id, platform, handle, remote_id, display_name, url, collected_at,
	attempted_at, last_error, created_at`

func scanCompetitorAccount(sc scanner) (herald.CompetitorAccount, error) {
	var a herald.CompetitorAccount
	err := sc.Scan(&a.ID, &a.WorkspaceID, &a.CompetitorID, &a.Platform, &a.Handle, &a.RemoteID, &a.DisplayName, &a.URL,
		&a.CollectedAt, &a.AttemptedAt, &a.LastError, &a.CreatedAt)
	a.CollectedAt, a.AttemptedAt, a.CreatedAt = utcPtr(a.CollectedAt), utcPtr(a.AttemptedAt), a.CreatedAt.UTC()
	return a, err
}

func (s store) listCompetitorAccounts(ctx context.Context, q string, args ...any) ([]herald.CompetitorAccount, error) {
	rows, err := s.q.Query(ctx, q, args...)
	if err != nil {
		return nil, dbErr("list competitor accounts", err)
	}
	out, err := collect(rows, scanCompetitorAccount)
	return out, dbErr("list competitor accounts", err)
}

// attachAccounts puts the workspace's tracked accounts on their
// competitors.
func (s store) attachAccounts(ctx context.Context, workspaceID int64, cs []herald.Competitor, competitorID int64) error {
	q := `SELECT ` + competitorAccountCols + ` FROM competitor_accounts WHERE workspace_id = $1`
	args := []any{workspaceID}
	if competitorID != 0 {
		q += ` AND competitor_id = $2`
		args = append(args, competitorID)
	}
	accts, err := s.listCompetitorAccounts(ctx, q+` ORDER BY platform COLLATE "C", lower(handle) COLLATE "C", id`, args...)
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
func (s store) GetCompetitor(ctx context.Context, workspaceID, id int64) (herald.Competitor, error) {
	c, err := scanCompetitor(s.q.QueryRow(ctx, `SELECT `+competitorCols+` FROM competitors WHERE workspace_id = $1 AND id = $2`,
		workspaceID, id))
	if err != nil {
		return herald.Competitor{}, notFound("competitor", "get competitor", err)
	}
	cs := []herald.Competitor{c}
	if err := s.attachAccounts(ctx, workspaceID, cs, id); err != nil {
		return herald.Competitor{}, err
	}
	return cs[0], nil
}

// ListCompetitors returns the workspace's competitors by name.
func (s store) ListCompetitors(ctx context.Context, workspaceID int64) ([]herald.Competitor, error) {
	rows, err := s.q.Query(ctx, `SELECT `+competitorCols+` FROM competitors WHERE workspace_id = $1
		ORDER BY lower(name) COLLATE "C", id`, workspaceID)
	if err != nil {
		return nil, dbErr("list competitors", err)
	}
	cs, err := collect(rows, scanCompetitor)
	if err != nil {
		return nil, dbErr("list competitors", err)
	}
	if len(cs) == 0 {
		return cs, nil
	}
	return cs, s.attachAccounts(ctx, workspaceID, cs, 0)
}

// topicInWorkspace reports whether the topic is the workspace's.
func (s store) topicInWorkspace(ctx context.Context, workspaceID, topicID int64) (bool, error) {
	var ok bool
	err := s.q.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM listen_topics WHERE id = $1 AND workspace_id = $2)`, topicID,
		workspaceID).Scan(&ok)
	return ok, dbErr("find listening topic", err)
}

// UpdateCompetitor saves the name and topic.
func (s store) UpdateCompetitor(ctx context.Context, c *herald.Competitor) error {
	stamp(&c.UpdatedAt)
	if c.TopicID != 0 {
		ok, err := s.topicInWorkspace(ctx, c.WorkspaceID, c.TopicID)
		if err != nil {
			return err
		}
		if !ok {
			return topicMissing()
		}
	}
	tag, err := s.q.Exec(ctx, `UPDATE competitors SET name = $3, topic_id = $4, updated_at = $5 WHERE workspace_id = $1 AND id = $2`,
		c.WorkspaceID, c.ID, c.Name, zeroNull(c.TopicID), c.UpdatedAt)
	if err != nil {
		return clashAs("update competitor", err, herald.CompetitorClash(c.Name), "name")
	}
	if tag.RowsAffected() == 0 {
		return missing("competitor")
	}
	return nil
}

// DeleteCompetitor deletes it with its accounts and their days.
func (s store) DeleteCompetitor(ctx context.Context, workspaceID, id int64) error {
	tag, err := s.q.Exec(ctx, `DELETE FROM competitors WHERE workspace_id = $1 AND id = $2`, workspaceID, id)
	if err != nil {
		return dbErr("delete competitor", err)
	}
	if tag.RowsAffected() == 0 {
		return missing("competitor")
	}
	return nil
}

// AddCompetitorAccount inserts a and sets its ID.
func (s store) AddCompetitorAccount(ctx context.Context, a *herald.CompetitorAccount) error {
	stamp(&a.CreatedAt)
	err := s.q.QueryRow(ctx, `INSERT INTO competitor_accounts (workspace_id, competitor_id, platform, handle, remote_id,
		display_name, url, created_at) SELECT workspace_id, id, $3, $4, $5, $6, $7, $8 FROM competitors
		WHERE workspace_id = $1 AND id = $2 RETURNING id`, a.WorkspaceID, a.CompetitorID, string(a.Platform), a.Handle,
		a.RemoteID, a.DisplayName, a.URL, a.CreatedAt).Scan(&a.ID)
	if errors.Is(err, pgx.ErrNoRows) {
		return &herald.Error{Code: herald.CodeConflict, Message: "the competitor does not exist in this workspace"}
	}
	return clashAs("add competitor account", err, herald.CompetitorAccountClash(a.Platform, a.Handle), "handle")
}

// GetCompetitorAccount returns one tracked account.
func (s store) GetCompetitorAccount(ctx context.Context, workspaceID, id int64) (herald.CompetitorAccount, error) {
	a, err := scanCompetitorAccount(s.q.QueryRow(ctx, `SELECT `+competitorAccountCols+` FROM competitor_accounts
		WHERE workspace_id = $1 AND id = $2`, workspaceID, id))
	if err != nil {
		return herald.CompetitorAccount{}, notFound("competitor account", "get competitor account", err)
	}
	return a, nil
}

// DeleteCompetitorAccount deletes the account and its days.
func (s store) DeleteCompetitorAccount(ctx context.Context, workspaceID, id int64) error {
	tag, err := s.q.Exec(ctx, `DELETE FROM competitor_accounts WHERE workspace_id = $1 AND id = $2`, workspaceID, id)
	if err != nil {
		return dbErr("delete competitor account", err)
	}
	if tag.RowsAffected() == 0 {
		return missing("competitor account")
	}
	return nil
}

// CompetitorAccountsDue returns accounts not collected today.
func (s store) CompetitorAccountsDue(ctx context.Context, now time.Time, retryAfter time.Duration, limit int) ([]herald.CompetitorAccount, error) {
	if limit < 1 {
		return nil, &herald.Error{Code: herald.CodeInvalid, Message: fmt.Sprintf("limit is %d; it must be at least 1", limit)}
	}
	return s.listCompetitorAccounts(ctx, `SELECT `+competitorAccountCols+` FROM competitor_accounts
		WHERE (collected_at IS NULL OR collected_at < $1) AND (attempted_at IS NULL OR attempted_at <= $2)
		ORDER BY attempted_at IS NOT NULL, id LIMIT $3`, herald.ListenDay(now), now.Add(-retryAfter), limit)
}

// PutCompetitorDay stores d, replacing the day's earlier reading.
func (s store) PutCompetitorDay(ctx context.Context, d herald.CompetitorDay) error {
	if err := d.Validate(); err != nil {
		return err
	}
	stamp(&d.CollectedAt)
	top, err := json.Marshal(herald.NonNil(d.TopPosts))
	if err != nil {
		return fmt.Errorf("postgres: competitor day top posts: %w", err)
	}
	return s.atomic(ctx, func(s store) error {
		tag, err := s.q.Exec(ctx, `UPDATE competitor_accounts SET collected_at = $3, attempted_at = $3, last_error = ''
			WHERE workspace_id = $1 AND id = $2`, d.WorkspaceID, d.AccountID, d.CollectedAt)
		if err != nil {
			return dbErr("put competitor day", err)
		}
		if tag.RowsAffected() == 0 {
			return missing("competitor account")
		}
		_, err = s.q.Exec(ctx, `INSERT INTO competitor_days (account_id, workspace_id, day, followers, following, posts_total,
			posts_day, engagements, top_posts, collected_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)
			ON CONFLICT (account_id, day) DO UPDATE SET followers = excluded.followers, following = excluded.following,
			posts_total = excluded.posts_total, posts_day = excluded.posts_day, engagements = excluded.engagements,
			top_posts = excluded.top_posts, collected_at = excluded.collected_at`, d.AccountID, d.WorkspaceID, d.Day,
			d.Followers, d.Following, d.PostsTotal, d.PostsDay, d.Engagements, string(top), d.CollectedAt)
		return dbErr("put competitor day", err)
	})
}

// SetCompetitorError records a failed attempt.
func (s store) SetCompetitorError(ctx context.Context, workspaceID, accountID int64, message string, at time.Time) error {
	tag, err := s.q.Exec(ctx, `UPDATE competitor_accounts SET attempted_at = $3, last_error = $4 WHERE workspace_id = $1 AND id = $2`,
		workspaceID, accountID, stamp(&at), message)
	if err != nil {
		return dbErr("set competitor error", err)
	}
	if tag.RowsAffected() == 0 {
		return missing("competitor account")
	}
	return nil
}

// ListCompetitorDays returns the days in [from, to).
func (s store) ListCompetitorDays(ctx context.Context, workspaceID, competitorID int64, from, to time.Time) ([]herald.CompetitorDay, error) {
	q := `SELECT d.account_id, d.workspace_id, d.day, d.followers, d.following, d.posts_total, d.posts_day, d.engagements,
		d.top_posts, d.collected_at FROM competitor_days d JOIN competitor_accounts a ON a.id = d.account_id
		WHERE d.workspace_id = $1 AND a.workspace_id = $1 AND d.day >= $2 AND d.day < $3`
	args := []any{workspaceID, from, to}
	if competitorID != 0 {
		q += ` AND a.competitor_id = $4`
		args = append(args, competitorID)
	}
	rows, err := s.q.Query(ctx, q+` ORDER BY d.account_id, d.day`, args...)
	if err != nil {
		return nil, dbErr("list competitor days", err)
	}
	out, err := collect(rows, func(sc scanner) (herald.CompetitorDay, error) {
		var d herald.CompetitorDay
		var top string
		if err := sc.Scan(&d.AccountID, &d.WorkspaceID, &d.Day, &d.Followers, &d.Following, &d.PostsTotal, &d.PostsDay,
			&d.Engagements, &top, &d.CollectedAt); err != nil {
			return d, err
		}
		d.Day, d.CollectedAt = d.Day.UTC(), d.CollectedAt.UTC()
		if err := json.Unmarshal([]byte(top), &d.TopPosts); err != nil {
			return d, fmt.Errorf("postgres: competitor day top posts: %w", err)
		}
		for i := range d.TopPosts {
			d.TopPosts[i].PostedAt = d.TopPosts[i].PostedAt.UTC()
		}
		return d, nil
	})
	return out, dbErr("list competitor days", err)
}

// GetCompetitorSettings returns the workspace's settings.
func (s store) GetCompetitorSettings(ctx context.Context, workspaceID int64) (herald.CompetitorSettings, error) {
	out := herald.CompetitorSettings{WorkspaceID: workspaceID}
	var topic *int64
	err := s.q.QueryRow(ctx, `SELECT own_topic_id FROM competitor_settings WHERE workspace_id = $1`, workspaceID).Scan(&topic)
	if err != nil && !errors.Is(err, pgx.ErrNoRows) {
		return out, dbErr("get competitor settings", err)
	}
	if topic != nil {
		out.OwnTopicID = *topic
	}
	return out, nil
}

// PutCompetitorSettings saves them.
func (s store) PutCompetitorSettings(ctx context.Context, cs herald.CompetitorSettings) error {
	if cs.OwnTopicID != 0 {
		ok, err := s.topicInWorkspace(ctx, cs.WorkspaceID, cs.OwnTopicID)
		if err != nil {
			return err
		}
		if !ok {
			return topicMissing()
		}
	}
	_, err := s.q.Exec(ctx, `INSERT INTO competitor_settings (workspace_id, own_topic_id) VALUES ($1, $2)
		ON CONFLICT (workspace_id) DO UPDATE SET own_topic_id = excluded.own_topic_id`, cs.WorkspaceID, zeroNull(cs.OwnTopicID))
	return dbErr("put competitor settings", err)
}
