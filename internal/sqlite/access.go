package sqlite

import (
	"context"
	"database/sql"
	"fmt"
	"time"

	"github.com/heraldsocial/herald/internal/herald"
)

const invitationCols = `id, workspace_id, email, role, token_hash, invited_by, created_at, expires_at, accepted_at, accepted_by`

func scanInvitation(sc scanner) (herald.Invitation, error) {
	var inv herald.Invitation
	var created, expires int64
	var acceptedAt, acceptedBy sql.NullInt64
	if err := sc.Scan(&inv.ID, &inv.WorkspaceID, &inv.Email, &inv.Role, &inv.TokenHash, &inv.InvitedBy,
		&created, &expires, &acceptedAt, &acceptedBy); err != nil {
		return inv, err
	}
	inv.CreatedAt, inv.ExpiresAt = fromMicros(created), fromMicros(expires)
	inv.AcceptedAt, inv.AcceptedBy = fromNullMicros(acceptedAt), fromNullInt(acceptedBy)
	return inv, nil
}

// CreateInvitation inserts inv and sets its ID.
func (s *store) CreateInvitation(ctx context.Context, inv *herald.Invitation) error {
	inv.CreatedAt = stamp(inv.CreatedAt)
	inv.ExpiresAt = stamp(inv.ExpiresAt)
	inv.AcceptedAt = stampPtr(inv.AcceptedAt)
	err := s.w.QueryRowContext(ctx, `INSERT INTO invitations (workspace_id, email, role, token_hash, invited_by,
		created_at, expires_at, accepted_at, accepted_by) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`,
		inv.WorkspaceID, inv.Email, string(inv.Role), inv.TokenHash, inv.InvitedBy, micros(inv.CreatedAt),
		micros(inv.ExpiresAt), microsOrNil(inv.AcceptedAt), nullInt(inv.AcceptedBy)).Scan(&inv.ID)
	return dbErr(err, "create invitation", "an invitation with this token already exists",
		"the invitation's workspace or inviting user does not exist")
}

// GetInvitation returns invitation id of workspaceID.
func (s *store) GetInvitation(ctx context.Context, workspaceID, id int64) (herald.Invitation, error) {
	inv, err := scanInvitation(s.r.QueryRowContext(ctx, `SELECT `+invitationCols+` FROM invitations
		WHERE workspace_id = ? AND id = ?`, workspaceID, id))
	if err != nil {
		return herald.Invitation{}, getErr(err, "invitation")
	}
	return inv, nil
}

// GetInvitationByTokenHash returns the invitation whose token hashes to hash.
func (s *store) GetInvitationByTokenHash(ctx context.Context, hash []byte) (herald.Invitation, error) {
	inv, err := scanInvitation(s.r.QueryRowContext(ctx, `SELECT `+invitationCols+` FROM invitations WHERE token_hash = ?`, hash))
	if err != nil {
		return herald.Invitation{}, getErr(err, "invitation")
	}
	return inv, nil
}

// ListInvitations returns a workspace's invitations not yet accepted, newest first.
func (s *store) ListInvitations(ctx context.Context, workspaceID int64) ([]herald.Invitation, error) {
	rows, err := s.r.QueryContext(ctx, `SELECT `+invitationCols+` FROM invitations
		WHERE workspace_id = ? AND accepted_at IS NULL ORDER BY created_at DESC, id DESC`, workspaceID)
	if err != nil {
		return nil, fmt.Errorf("sqlite: list invitations: %w", err)
	}
	defer rows.Close()
	out := []herald.Invitation{}
	for rows.Next() {
		inv, err := scanInvitation(rows)
		if err != nil {
			return nil, fmt.Errorf("sqlite: list invitations: %w", err)
		}
		out = append(out, inv)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("sqlite: list invitations: %w", err)
	}
	return out, nil
}

// AcceptInvitation marks invitation id accepted by userID at at.
func (s *store) AcceptInvitation(ctx context.Context, id, userID int64, at time.Time) error {
	return s.atomic(ctx, func(q querier) error {
		var acceptedAt sql.NullInt64
		err := q.QueryRowContext(ctx, `SELECT accepted_at FROM invitations WHERE id = ?`, id).Scan(&acceptedAt)
		if err != nil {
			return getErr(err, "invitation")
		}
		if acceptedAt.Valid {
			return herald.Errorf(herald.CodeConflict, "this invitation was already accepted")
		}
		_, err = q.ExecContext(ctx, `UPDATE invitations SET accepted_at = ?, accepted_by = ? WHERE id = ? AND accepted_at IS NULL`,
			micros(stamp(at)), userID, id)
		return dbErr(err, "accept invitation", "", fmt.Sprintf("there is no user %d", userID))
	})
}

// DeleteInvitation deletes invitation id of workspaceID.
func (s *store) DeleteInvitation(ctx context.Context, workspaceID, id int64) error {
	res, err := s.w.ExecContext(ctx, `DELETE FROM invitations WHERE workspace_id = ? AND id = ?`, workspaceID, id)
	if err != nil {
		return dbErr(err, "delete invitation", "", "")
	}
	return affected(res, "invitation")
}

const tokenCols = `id, workspace_id, user_id, name, role, prefix, hash, created_at, expires_at, last_used_at, revoked_at`

func scanToken(sc scanner) (herald.APIToken, error) {
	var t herald.APIToken
	var created int64
	var expires, used, revoked sql.NullInt64
	if err := sc.Scan(&t.ID, &t.WorkspaceID, &t.UserID, &t.Name, &t.Role, &t.Prefix, &t.Hash, &created,
		&expires, &used, &revoked); err != nil {
		return t, err
	}
	t.CreatedAt = fromMicros(created)
	t.ExpiresAt, t.LastUsedAt, t.RevokedAt = fromNullMicros(expires), fromNullMicros(used), fromNullMicros(revoked)
	return t, nil
}

// CreateToken inserts t and sets its ID.
func (s *store) CreateToken(ctx context.Context, t *herald.APIToken) error {
	t.CreatedAt = stamp(t.CreatedAt)
	t.ExpiresAt, t.LastUsedAt, t.RevokedAt = stampPtr(t.ExpiresAt), stampPtr(t.LastUsedAt), stampPtr(t.RevokedAt)
	err := s.w.QueryRowContext(ctx, `INSERT INTO api_tokens (workspace_id, user_id, name, role, prefix, hash, created_at,
		expires_at, last_used_at, revoked_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`,
		t.WorkspaceID, t.UserID, t.Name, string(t.Role), t.Prefix, t.Hash, micros(t.CreatedAt),
		microsOrNil(t.ExpiresAt), microsOrNil(t.LastUsedAt), microsOrNil(t.RevokedAt)).Scan(&t.ID)
	return dbErr(err, "create token", "a token with this secret already exists",
		"the token's workspace or user does not exist")
}

// GetToken returns token id of workspaceID.
func (s *store) GetToken(ctx context.Context, workspaceID, id int64) (herald.APIToken, error) {
	t, err := scanToken(s.r.QueryRowContext(ctx, `SELECT `+tokenCols+` FROM api_tokens WHERE workspace_id = ? AND id = ?`,
		workspaceID, id))
	if err != nil {
		return herald.APIToken{}, getErr(err, "API token")
	}
	return t, nil
}

// GetTokenByHash returns the token whose secret hashes to hash, revoked or not.
func (s *store) GetTokenByHash(ctx context.Context, hash []byte) (herald.APIToken, error) {
	t, err := scanToken(s.r.QueryRowContext(ctx, `SELECT `+tokenCols+` FROM api_tokens WHERE hash = ?`, hash))
	if err != nil {
		return herald.APIToken{}, getErr(err, "API token")
	}
	return t, nil
}

// ListTokens lists a workspace's tokens newest first; userID 0 means all users'.
func (s *store) ListTokens(ctx context.Context, workspaceID, userID int64) ([]herald.APIToken, error) {
	rows, err := s.r.QueryContext(ctx, `SELECT `+tokenCols+` FROM api_tokens
		WHERE workspace_id = ? AND (? = 0 OR user_id = ?) ORDER BY created_at DESC, id DESC`, workspaceID, userID, userID)
	if err != nil {
		return nil, fmt.Errorf("sqlite: list tokens: %w", err)
	}
	defer rows.Close()
	out := []herald.APIToken{}
	for rows.Next() {
		t, err := scanToken(rows)
		if err != nil {
			return nil, fmt.Errorf("sqlite: list tokens: %w", err)
		}
		out = append(out, t)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("sqlite: list tokens: %w", err)
	}
	return out, nil
}

// RevokeToken sets the token's RevokedAt; a token revoked earlier keeps its first time.
func (s *store) RevokeToken(ctx context.Context, workspaceID, id int64, at time.Time) error {
	res, err := s.w.ExecContext(ctx, `UPDATE api_tokens SET revoked_at = coalesce(revoked_at, ?) WHERE workspace_id = ? AND id = ?`,
		micros(stamp(at)), workspaceID, id)
	if err != nil {
		return dbErr(err, "revoke token", "", "")
	}
	return affected(res, "API token")
}

// RevokeUserTokens revokes userID's active tokens in every workspace.
func (s *store) RevokeUserTokens(ctx context.Context, userID int64, at time.Time) (int64, error) {
	res, err := s.w.ExecContext(ctx, `UPDATE api_tokens SET revoked_at = ? WHERE user_id = ? AND revoked_at IS NULL`,
		micros(stamp(at)), userID)
	if err != nil {
		return 0, dbErr(err, "revoke user tokens", "", "")
	}
	n, err := res.RowsAffected()
	if err != nil {
		return 0, fmt.Errorf("sqlite: revoke user tokens: %w", err)
	}
	return n, nil
}

// TouchToken sets the token's LastUsedAt.
func (s *store) TouchToken(ctx context.Context, id int64, at time.Time) error {
	res, err := s.w.ExecContext(ctx, `UPDATE api_tokens SET last_used_at = ? WHERE id = ?`, micros(stamp(at)), id)
	if err != nil {
		return dbErr(err, "touch token", "", "")
	}
	return affected(res, "API token")
}
