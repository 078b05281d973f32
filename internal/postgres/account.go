package postgres

import (
	"context"

	"github.com/heraldsocial/herald/internal/herald"
)

const accountCols = `id, workspace_id, platform, remote_id, handle, display_name, avatar_url, instance_url,
	credentials_key_id, credentials, status, status_reason, token_expires_at, paused_at, created_at, updated_at,
	posting_slots, inbox_cursor`

func scanAccount(r scanner) (herald.Account, error) {
	var a herald.Account
	err := r.Scan(&a.ID, &a.WorkspaceID, &a.Platform, &a.RemoteID, &a.Handle, &a.DisplayName, &a.AvatarURL,
		&a.InstanceURL, &a.Credentials.KeyID, &a.Credentials.Ciphertext, &a.Status, &a.StatusReason,
		&a.TokenExpiresAt, &a.PausedAt, &a.CreatedAt, &a.UpdatedAt, &a.PostingSchedule, &a.InboxCursor)
	if a.PostingSchedule.Slots == nil {
		a.PostingSchedule.Slots = []herald.PostingSlot{}
	}
	return a, err
}

// slots returns the schedule to store, never with null slots.
func slots(ps herald.PostingSchedule) herald.PostingSchedule {
	if ps.Slots == nil {
		ps.Slots = []herald.PostingSlot{}
	}
	return ps
}

// CreateAccount inserts a and sets its ID.
func (s store) CreateAccount(ctx context.Context, a *herald.Account) error {
	stamp(&a.CreatedAt)
	stamp(&a.UpdatedAt)
	err := s.q.QueryRow(ctx, `INSERT INTO accounts (workspace_id, platform, remote_id, handle, display_name,
		avatar_url, instance_url, credentials_key_id, credentials, status, status_reason, token_expires_at,
		paused_at, created_at, updated_at, posting_slots, remote_instance)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17) RETURNING id`,
		a.WorkspaceID, a.Platform, a.RemoteID, a.Handle, a.DisplayName, a.AvatarURL, a.InstanceURL,
		a.Credentials.KeyID, nilBytes(a.Credentials.Ciphertext), a.Status, a.StatusReason, a.TokenExpiresAt,
		a.PausedAt, a.CreatedAt, a.UpdatedAt, slots(a.PostingSchedule), a.RemoteInstance()).Scan(&a.ID)
	a.PostingSchedule = slots(a.PostingSchedule)
	return dbErr("create account", err)
}

// GetAccount returns the workspace's account id.
func (s store) GetAccount(ctx context.Context, workspaceID, id int64) (herald.Account, error) {
	a, err := scanAccount(s.q.QueryRow(ctx, `SELECT `+accountCols+` FROM accounts
		WHERE workspace_id = $1 AND id = $2`, workspaceID, id))
	if err != nil {
		return herald.Account{}, notFound("account", "get account", err)
	}
	return a, nil
}

// ListAccounts returns the workspace's accounts by platform, then handle.
func (s store) ListAccounts(ctx context.Context, workspaceID int64) ([]herald.Account, error) {
	rows, err := s.q.Query(ctx, `SELECT `+accountCols+` FROM accounts WHERE workspace_id = $1
		ORDER BY platform COLLATE "C", lower(handle) COLLATE "C", id`, workspaceID)
	if err != nil {
		return nil, dbErr("list accounts", err)
	}
	out, err := collect(rows, scanAccount)
	return out, dbErr("list accounts", err)
}

// UpdateAccount saves every field of a but its ids, platform and CreatedAt.
func (s store) UpdateAccount(ctx context.Context, a *herald.Account) error {
	stamp(&a.UpdatedAt)
	tag, err := s.q.Exec(ctx, `UPDATE accounts SET remote_id = $3, handle = $4, display_name = $5,
		avatar_url = $6, instance_url = $7, credentials_key_id = $8, credentials = $9, status = $10,
		status_reason = $11, token_expires_at = $12, paused_at = $13, updated_at = $14, posting_slots = $15,
		remote_instance = $16 WHERE workspace_id = $1 AND id = $2`,
		a.WorkspaceID, a.ID, a.RemoteID, a.Handle, a.DisplayName, a.AvatarURL, a.InstanceURL,
		a.Credentials.KeyID, nilBytes(a.Credentials.Ciphertext), a.Status, a.StatusReason, a.TokenExpiresAt,
		a.PausedAt, a.UpdatedAt, slots(a.PostingSchedule), a.RemoteInstance())
	a.PostingSchedule = slots(a.PostingSchedule)
	if err != nil {
		return dbErr("update account", err)
	}
	if tag.RowsAffected() == 0 {
		return missing("account")
	}
	return nil
}
