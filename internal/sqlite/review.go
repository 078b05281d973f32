package sqlite

import (
	"context"
	"database/sql"
	"strings"
	"time"

	"github.com/heraldsocial/herald/internal/herald"
)

const reviewLinkCols = `id, workspace_id, name, campaign_id, range_from, range_to, token_hash, password_hash,
	expires_at, revoked_at, created_by, created_at`

func scanReviewLink(sc scanner) (herald.ReviewLink, error) {
	var l herald.ReviewLink
	var campaign, from, to, revoked sql.NullInt64
	var expires, created int64
	if err := sc.Scan(&l.ID, &l.WorkspaceID, &l.Name, &campaign, &from, &to, &l.TokenHash, &l.PasswordHash,
		&expires, &revoked, &l.CreatedBy, &created); err != nil {
		return l, err
	}
	l.CampaignID = fromNullInt(campaign)
	l.From, l.To, l.RevokedAt = fromNullMicros(from), fromNullMicros(to), fromNullMicros(revoked)
	l.ExpiresAt, l.CreatedAt = fromMicros(expires), fromMicros(created)
	return l, nil
}

// CreateReviewLink inserts l and sets its ID.
func (s *store) CreateReviewLink(ctx context.Context, l *herald.ReviewLink) error {
	l.CreatedAt = stamp(l.CreatedAt)
	l.ExpiresAt = l.ExpiresAt.UTC().Truncate(time.Microsecond)
	l.From, l.To, l.RevokedAt = stampPtr(l.From), stampPtr(l.To), stampPtr(l.RevokedAt)
	err := s.w.QueryRowContext(ctx, `INSERT INTO review_links (workspace_id, name, campaign_id, range_from, range_to,
		token_hash, password_hash, expires_at, revoked_at, created_by, created_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`,
		l.WorkspaceID, l.Name, nullInt(l.CampaignID), microsOrNil(l.From), microsOrNil(l.To), l.TokenHash,
		l.PasswordHash, micros(l.ExpiresAt), microsOrNil(l.RevokedAt), l.CreatedBy, micros(l.CreatedAt)).Scan(&l.ID)
	return dbErr(err, "create review link", "a review link with this token already exists", "the workspace does not exist")
}

// GetReviewLink returns the workspace's link id.
func (s *store) GetReviewLink(ctx context.Context, workspaceID, id int64) (herald.ReviewLink, error) {
	l, err := scanReviewLink(s.r.QueryRowContext(ctx, `SELECT `+reviewLinkCols+` FROM review_links
		WHERE workspace_id = ? AND id = ?`, workspaceID, id))
	if err != nil {
		return herald.ReviewLink{}, getErr(err, "review link")
	}
	return l, nil
}

// GetReviewLinkByHash returns the link with that token hash.
func (s *store) GetReviewLinkByHash(ctx context.Context, hash []byte) (herald.ReviewLink, error) {
	l, err := scanReviewLink(s.r.QueryRowContext(ctx, `SELECT `+reviewLinkCols+` FROM review_links
		WHERE token_hash = ?`, hash))
	if err != nil {
		return herald.ReviewLink{}, getErr(err, "review link")
	}
	return l, nil
}

// ListReviewLinks returns the workspace's links, newest first.
func (s *store) ListReviewLinks(ctx context.Context, workspaceID int64) ([]herald.ReviewLink, error) {
	rows, err := s.r.QueryContext(ctx, `SELECT `+reviewLinkCols+` FROM review_links
		WHERE workspace_id = ? ORDER BY id DESC`, workspaceID)
	if err != nil {
		return nil, dbErr(err, "list review links", "", "")
	}
	return collectRows(rows, scanReviewLink, "list review links")
}

// RevokeReviewLink sets the link's RevokedAt unless it is set already.
func (s *store) RevokeReviewLink(ctx context.Context, workspaceID, id int64, at time.Time) error {
	res, err := s.w.ExecContext(ctx, `UPDATE review_links SET revoked_at = coalesce(revoked_at, ?)
		WHERE workspace_id = ? AND id = ?`, micros(stamp(at)), workspaceID, id)
	if err != nil {
		return dbErr(err, "revoke review link", "", "")
	}
	return affected(res, "review link")
}

// CreateReviewDecision inserts d and sets its ID.
func (s *store) CreateReviewDecision(ctx context.Context, d *herald.ReviewDecision) error {
	d.At = stamp(d.At)
	err := s.w.QueryRowContext(ctx, `INSERT INTO review_decisions (workspace_id, link_id, post_id, verdict, comment,
		outcome, note, at) VALUES (?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`,
		d.WorkspaceID, d.LinkID, d.PostID, string(d.Verdict), d.Comment, d.Outcome, d.Note, micros(d.At)).Scan(&d.ID)
	return dbErr(err, "create review decision", "", "the review link or the post does not exist in this workspace")
}

// ListReviewDecisions returns the decisions matching f, newest first.
func (s *store) ListReviewDecisions(ctx context.Context, f herald.ReviewDecisionFilter) ([]herald.ReviewDecision, error) {
	conds := []string{"d.workspace_id = ?"}
	args := []any{f.WorkspaceID}
	if f.LinkID != 0 {
		conds = append(conds, "d.link_id = ?")
		args = append(args, f.LinkID)
	}
	if f.PostID != 0 {
		conds = append(conds, "d.post_id = ?")
		args = append(args, f.PostID)
	}
	limit := -1
	if f.Limit > 0 {
		limit = f.Limit
	}
	args = append(args, limit)
	rows, err := s.r.QueryContext(ctx, `SELECT d.id, d.workspace_id, d.link_id, l.name, d.post_id, d.verdict, d.comment,
		d.outcome, d.note, d.at FROM review_decisions d JOIN review_links l ON l.id = d.link_id
		WHERE `+strings.Join(conds, " AND ")+` ORDER BY d.id DESC LIMIT ?`, args...)
	if err != nil {
		return nil, dbErr(err, "list review decisions", "", "")
	}
	return collectRows(rows, func(sc scanner) (herald.ReviewDecision, error) {
		var d herald.ReviewDecision
		var at int64
		err := sc.Scan(&d.ID, &d.WorkspaceID, &d.LinkID, &d.LinkName, &d.PostID, &d.Verdict, &d.Comment,
			&d.Outcome, &d.Note, &at)
		d.At = fromMicros(at)
		return d, err
	}, "list review decisions")
}
