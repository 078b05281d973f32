package postgres

import (
	"context"
	"time"

	"github.com/heraldsocial/herald/internal/herald"
)

const reviewLinkCols = `id, workspace_id, name, campaign_id, range_from, range_to, token_hash, password_hash,
	expires_at, revoked_at, created_by, created_at`

func scanReviewLink(r scanner) (herald.ReviewLink, error) {
	var l herald.ReviewLink
	err := r.Scan(&l.ID, &l.WorkspaceID, &l.Name, &l.CampaignID, &l.From, &l.To, &l.TokenHash, &l.PasswordHash,
		&l.ExpiresAt, &l.RevokedAt, &l.CreatedBy, &l.CreatedAt)
	return l, err
}

func utcPtr(t *time.Time) *time.Time {
	if t == nil {
		return nil
	}
	u := t.UTC().Truncate(time.Microsecond)
	return &u
}

// CreateReviewLink inserts l and sets its ID.
func (s store) CreateReviewLink(ctx context.Context, l *herald.ReviewLink) error {
	stamp(&l.CreatedAt)
	l.CreatedAt = l.CreatedAt.UTC().Truncate(time.Microsecond)
	l.ExpiresAt = l.ExpiresAt.UTC().Truncate(time.Microsecond)
	l.From, l.To, l.RevokedAt = utcPtr(l.From), utcPtr(l.To), utcPtr(l.RevokedAt)
	err := s.q.QueryRow(ctx, `INSERT INTO review_links (workspace_id, name, campaign_id, range_from, range_to,
		token_hash, password_hash, expires_at, revoked_at, created_by, created_at)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11) RETURNING id`,
		l.WorkspaceID, l.Name, l.CampaignID, l.From, l.To, l.TokenHash, l.PasswordHash, l.ExpiresAt, l.RevokedAt,
		l.CreatedBy, l.CreatedAt).Scan(&l.ID)
	return dbErr("create review link", err)
}

// GetReviewLink returns the workspace's link id.
func (s store) GetReviewLink(ctx context.Context, workspaceID, id int64) (herald.ReviewLink, error) {
	l, err := scanReviewLink(s.q.QueryRow(ctx, `SELECT `+reviewLinkCols+` FROM review_links
		WHERE workspace_id = $1 AND id = $2`, workspaceID, id))
	if err != nil {
		return herald.ReviewLink{}, notFound("review link", "get review link", err)
	}
	return l, nil
}

// GetReviewLinkByHash returns the link with that token hash.
func (s store) GetReviewLinkByHash(ctx context.Context, hash []byte) (herald.ReviewLink, error) {
	l, err := scanReviewLink(s.q.QueryRow(ctx, `SELECT `+reviewLinkCols+` FROM review_links WHERE token_hash = $1`, hash))
	if err != nil {
		return herald.ReviewLink{}, notFound("review link", "get review link", err)
	}
	return l, nil
}

// ListReviewLinks returns the workspace's links, newest first.
func (s store) ListReviewLinks(ctx context.Context, workspaceID int64) ([]herald.ReviewLink, error) {
	rows, err := s.q.Query(ctx, `SELECT `+reviewLinkCols+` FROM review_links
		WHERE workspace_id = $1 ORDER BY id DESC`, workspaceID)
	if err != nil {
		return nil, dbErr("list review links", err)
	}
	out, err := collect(rows, scanReviewLink)
	return out, dbErr("list review links", err)
}

// RevokeReviewLink sets the link's RevokedAt unless it is set already.
func (s store) RevokeReviewLink(ctx context.Context, workspaceID, id int64, at time.Time) error {
	tag, err := s.q.Exec(ctx, `UPDATE review_links SET revoked_at = coalesce(revoked_at, $3)
		WHERE workspace_id = $1 AND id = $2`, workspaceID, id, at.UTC().Truncate(time.Microsecond))
	if err != nil {
		return dbErr("revoke review link", err)
	}
	if tag.RowsAffected() == 0 {
		return missing("review link")
	}
	return nil
}

// CreateReviewDecision inserts d and sets its ID.
func (s store) CreateReviewDecision(ctx context.Context, d *herald.ReviewDecision) error {
	stamp(&d.At)
	d.At = d.At.UTC().Truncate(time.Microsecond)
	err := s.q.QueryRow(ctx, `INSERT INTO review_decisions (workspace_id, link_id, post_id, verdict, comment,
		outcome, note, at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING id`,
		d.WorkspaceID, d.LinkID, d.PostID, d.Verdict, d.Comment, d.Outcome, d.Note, d.At).Scan(&d.ID)
	return dbErr("create review decision", err)
}

// ListReviewDecisions returns the decisions matching f, newest first.
func (s store) ListReviewDecisions(ctx context.Context, f herald.ReviewDecisionFilter) ([]herald.ReviewDecision, error) {
	var limit *int
	if f.Limit > 0 {
		limit = &f.Limit
	}
	rows, err := s.q.Query(ctx, `SELECT d.id, d.workspace_id, d.link_id, l.name, d.post_id, d.verdict, d.comment,
		d.outcome, d.note, d.at FROM review_decisions d JOIN review_links l ON l.id = d.link_id
		WHERE d.workspace_id = $1 AND ($2::bigint = 0 OR d.link_id = $2) AND ($3::bigint = 0 OR d.post_id = $3)
		ORDER BY d.id DESC LIMIT $4`, f.WorkspaceID, f.LinkID, f.PostID, limit)
	if err != nil {
		return nil, dbErr("list review decisions", err)
	}
	out, err := collect(rows, func(r scanner) (herald.ReviewDecision, error) {
		var d herald.ReviewDecision
		err := r.Scan(&d.ID, &d.WorkspaceID, &d.LinkID, &d.LinkName, &d.PostID, &d.Verdict, &d.Comment,
			&d.Outcome, &d.Note, &d.At)
		return d, err
	})
	return out, dbErr("list review decisions", err)
}
