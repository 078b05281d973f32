package postgres

import (
	"context"
	"errors"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/heraldsocial/herald/internal/herald"
)

const invitationCols = `id, workspace_id, email, role, token_hash, invited_by, created_at, expires_at,
	accepted_at, accepted_by`

func scanInvitation(r scanner) (herald.Invitation, error) {
	var inv herald.Invitation
	err := r.Scan(&inv.ID, &inv.WorkspaceID, &inv.Email, &inv.Role, &inv.TokenHash, &inv.InvitedBy,
		&inv.CreatedAt, &inv.ExpiresAt, &inv.AcceptedAt, &inv.AcceptedBy)
	return inv, err
}

// CreateInvitation inserts inv and sets its ID.
func (s store) CreateInvitation(ctx context.Context, inv *herald.Invitation) error {
	stamp(&inv.CreatedAt)
	err := s.q.QueryRow(ctx, `INSERT INTO invitations (workspace_id, email, role, token_hash, invited_by,
		created_at, expires_at, accepted_at, accepted_by)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) RETURNING id`,
		inv.WorkspaceID, inv.Email, inv.Role, inv.TokenHash, inv.InvitedBy, inv.CreatedAt, inv.ExpiresAt,
		inv.AcceptedAt, inv.AcceptedBy).Scan(&inv.ID)
	return dbErr("create invitation", err)
}

// GetInvitation returns the workspace's invitation id.
func (s store) GetInvitation(ctx context.Context, workspaceID, id int64) (herald.Invitation, error) {
	inv, err := scanInvitation(s.q.QueryRow(ctx, `SELECT `+invitationCols+` FROM invitations
		WHERE workspace_id = $1 AND id = $2`, workspaceID, id))
	if err != nil {
		return herald.Invitation{}, notFound("invitation", "get invitation", err)
	}
	return inv, nil
}

// GetInvitationByTokenHash returns the invitation whose token hashes to hash.
func (s store) GetInvitationByTokenHash(ctx context.Context, hash []byte) (herald.Invitation, error) {
	inv, err := scanInvitation(s.q.QueryRow(ctx, `SELECT `+invitationCols+` FROM invitations
		WHERE token_hash = $1`, hash))
	if err != nil {
		return herald.Invitation{}, notFound("invitation", "get invitation by token", err)
	}
	return inv, nil
}

// ListInvitations returns the workspace's invitations not yet accepted, newest first.
func (s store) ListInvitations(ctx context.Context, workspaceID int64) ([]herald.Invitation, error) {
	rows, err := s.q.Query(ctx, `SELECT `+invitationCols+` FROM invitations
		WHERE workspace_id = $1 AND accepted_at IS NULL ORDER BY id DESC`, workspaceID)
	if err != nil {
		return nil, dbErr("list invitations", err)
	}
	out, err := collect(rows, scanInvitation)
	return out, dbErr("list invitations", err)
}

// AcceptInvitation marks invitation id accepted by userID at at;
// ErrConflict if it already was.
func (s store) AcceptInvitation(ctx context.Context, id, userID int64, at time.Time) error {
	tag, err := s.q.Exec(ctx, `UPDATE invitations SET accepted_at = $3, accepted_by = $2
		WHERE id = $1 AND accepted_at IS NULL`, id, userID, at)
	if err != nil {
		return dbErr("accept invitation", err)
	}
	if tag.RowsAffected() == 1 {
		return nil
	}
	var exists bool
	if err := s.q.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM invitations WHERE id = $1)`, id).Scan(&exists); err != nil {
		return dbErr("accept invitation", err)
	}
	if exists {
		return herald.Errorf(herald.CodeConflict, "the invitation has already been accepted")
	}
	return missing("invitation")
}

// DeleteInvitation deletes the workspace's invitation id.
func (s store) DeleteInvitation(ctx context.Context, workspaceID, id int64) error {
	tag, err := s.q.Exec(ctx, `DELETE FROM invitations WHERE workspace_id = $1 AND id = $2`, workspaceID, id)
	if err != nil {
		return dbErr("delete invitation", err)
	}
	if tag.RowsAffected() == 0 {
		return missing("invitation")
	}
	return nil
}

const tokenCols = `id, workspace_id, user_id, name, role, prefix, hash, created_at, expires_at,
	last_used_at, revoked_at`

func scanToken(r scanner) (herald.APIToken, error) {
	var t herald.APIToken
	err := r.Scan(&t.ID, &t.WorkspaceID, &t.UserID, &t.Name, &t.Role, &t.Prefix, &t.Hash, &t.CreatedAt,
		&t.ExpiresAt, &t.LastUsedAt, &t.RevokedAt)
	return t, err
}

// CreateToken inserts t and sets its ID.
func (s store) CreateToken(ctx context.Context, t *herald.APIToken) error {
	stamp(&t.CreatedAt)
	err := s.q.QueryRow(ctx, `INSERT INTO api_tokens (workspace_id, user_id, name, role, prefix, hash,
		created_at, expires_at, last_used_at, revoked_at)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) RETURNING id`,
		t.WorkspaceID, t.UserID, t.Name, t.Role, t.Prefix, t.Hash, t.CreatedAt, t.ExpiresAt, t.LastUsedAt,
		t.RevokedAt).Scan(&t.ID)
	return dbErr("create token", err)
}

// GetToken returns the workspace's token id.
func (s store) GetToken(ctx context.Context, workspaceID, id int64) (herald.APIToken, error) {
	t, err := scanToken(s.q.QueryRow(ctx, `SELECT `+tokenCols+` FROM api_tokens
		WHERE workspace_id = $1 AND id = $2`, workspaceID, id))
	if err != nil {
		return herald.APIToken{}, notFound("API token", "get token", err)
	}
	return t, nil
}

// GetTokenByHash returns the token whose secret hashes to hash.
func (s store) GetTokenByHash(ctx context.Context, hash []byte) (herald.APIToken, error) {
	t, err := scanToken(s.q.QueryRow(ctx, `SELECT `+tokenCols+` FROM api_tokens WHERE hash = $1`, hash))
	if err != nil {
		return herald.APIToken{}, notFound("API token", "get token by hash", err)
	}
	return t, nil
}

// ListTokens lists the workspace's tokens, newest first; userID 0 means every user's.
func (s store) ListTokens(ctx context.Context, workspaceID, userID int64) ([]herald.APIToken, error) {
	rows, err := s.q.Query(ctx, `SELECT `+tokenCols+` FROM api_tokens
		WHERE workspace_id = $1 AND ($2::bigint = 0 OR user_id = $2) ORDER BY id DESC`, workspaceID, userID)
	if err != nil {
		return nil, dbErr("list tokens", err)
	}
	out, err := collect(rows, scanToken)
	return out, dbErr("list tokens", err)
}

// RevokeToken marks the workspace's token id revoked at at. Revoking a
// revoked token keeps the first revocation time.
func (s store) RevokeToken(ctx context.Context, workspaceID, id int64, at time.Time) error {
	tag, err := s.q.Exec(ctx, `UPDATE api_tokens SET revoked_at = coalesce(revoked_at, $3)
		WHERE workspace_id = $1 AND id = $2`, workspaceID, id, at)
	if err != nil {
		return dbErr("revoke token", err)
	}
	if tag.RowsAffected() == 0 {
		return missing("API token")
	}
	return nil
}

// RevokeUserTokens revokes userID's active tokens in every workspace.
func (s store) RevokeUserTokens(ctx context.Context, userID int64, at time.Time) (int64, error) {
	tag, err := s.q.Exec(ctx, `UPDATE api_tokens SET revoked_at = $2 WHERE user_id = $1 AND revoked_at IS NULL`, userID, at)
	if err != nil {
		return 0, dbErr("revoke user tokens", err)
	}
	return tag.RowsAffected(), nil
}

// TouchToken records that token id was used at at.
func (s store) TouchToken(ctx context.Context, id int64, at time.Time) error {
	tag, err := s.q.Exec(ctx, `UPDATE api_tokens SET last_used_at = $2 WHERE id = $1`, id, at)
	if err != nil {
		return dbErr("touch token", err)
	}
	if tag.RowsAffected() == 0 {
		return missing("API token")
	}
	return nil
}

// FindSession returns the data of the unexpired session key.
func (s store) FindSession(ctx context.Context, key string) ([]byte, bool, error) {
	var data []byte
	err := s.q.QueryRow(ctx, `SELECT data FROM sessions WHERE hash = $1 AND expiry > $2`, key, time.Now()).
		Scan(&data)
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, false, nil
	}
	if err != nil {
		return nil, false, dbErr("find session", err)
	}
	return data, true, nil
}

// CommitSession inserts or replaces the session key.
func (s store) CommitSession(ctx context.Context, key string, userID int64, data []byte, expiry time.Time) error {
	if data == nil {
		data = []byte{}
	}
	_, err := s.q.Exec(ctx, `INSERT INTO sessions (hash, user_id, data, expiry) VALUES ($1, $2, $3, $4)
		ON CONFLICT (hash) DO UPDATE SET user_id = excluded.user_id, data = excluded.data, expiry = excluded.expiry`,
		key, userID, data, expiry)
	return dbErr("commit session", err)
}

// DeleteSession deletes the session key; absent is not an error.
func (s store) DeleteSession(ctx context.Context, key string) error {
	_, err := s.q.Exec(ctx, `DELETE FROM sessions WHERE hash = $1`, key)
	return dbErr("delete session", err)
}

// DeleteUserSessions deletes userID's sessions but exceptKey's.
func (s store) DeleteUserSessions(ctx context.Context, userID int64, exceptKey string) (int64, error) {
	if userID == 0 {
		return 0, nil
	}
	tag, err := s.q.Exec(ctx, `DELETE FROM sessions WHERE user_id = $1 AND hash <> $2`, userID, exceptKey)
	if err != nil {
		return 0, dbErr("delete user sessions", err)
	}
	return tag.RowsAffected(), nil
}

// DeleteExpiredSessions deletes sessions expired at now and returns how many.
func (s store) DeleteExpiredSessions(ctx context.Context, now time.Time) (int64, error) {
	tag, err := s.q.Exec(ctx, `DELETE FROM sessions WHERE expiry <= $1`, now)
	if err != nil {
		return 0, dbErr("delete expired sessions", err)
	}
	return tag.RowsAffected(), nil
}
