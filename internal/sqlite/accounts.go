package sqlite

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"

	"github.com/heraldsocial/herald/internal/herald"
)

const accountCols = `id, workspace_id, platform, remote_id, handle, display_name, avatar_url, instance_url,
	credentials_key_id, credentials, status, status_reason, token_expires_at, paused_at, created_at, updated_at,
	posting_slots, inbox_cursor`

func scanAccount(sc scanner) (herald.Account, error) {
	var a herald.Account
	var created, updated int64
	var expires, paused sql.NullInt64
	var slots string
	if err := sc.Scan(&a.ID, &a.WorkspaceID, &a.Platform, &a.RemoteID, &a.Handle, &a.DisplayName, &a.AvatarURL,
		&a.InstanceURL, &a.Credentials.KeyID, &a.Credentials.Ciphertext, &a.Status, &a.StatusReason,
		&expires, &paused, &created, &updated, &slots, &a.InboxCursor); err != nil {
		return a, err
	}
	if err := json.Unmarshal([]byte(slots), &a.PostingSchedule); err != nil {
		return a, fmt.Errorf("sqlite: account %d posting slots: %w", a.ID, err)
	}
	if a.PostingSchedule.Slots == nil {
		a.PostingSchedule.Slots = []herald.PostingSlot{}
	}
	a.TokenExpiresAt, a.PausedAt = fromNullMicros(expires), fromNullMicros(paused)
	a.CreatedAt, a.UpdatedAt = fromMicros(created), fromMicros(updated)
	return a, nil
}

func accountClash(a *herald.Account) string {
	if inst := a.RemoteInstance(); inst != "" {
		return fmt.Sprintf("the %s account %q of %s is already connected to this workspace", a.Platform, a.RemoteID, inst)
	}
	return fmt.Sprintf("the %s account %q is already connected to this workspace", a.Platform, a.RemoteID)
}

// CreateAccount inserts a and sets its ID.
func (s *store) CreateAccount(ctx context.Context, a *herald.Account) error {
	a.CreatedAt = stamp(a.CreatedAt)
	if a.UpdatedAt.IsZero() {
		a.UpdatedAt = a.CreatedAt
	}
	a.UpdatedAt = stamp(a.UpdatedAt)
	a.TokenExpiresAt, a.PausedAt = stampPtr(a.TokenExpiresAt), stampPtr(a.PausedAt)
	slots, err := slotsJSON(&a.PostingSchedule)
	if err != nil {
		return err
	}
	err = s.w.QueryRowContext(ctx, `INSERT INTO accounts (workspace_id, platform, remote_id, handle, display_name,
		avatar_url, instance_url, credentials_key_id, credentials, status, status_reason, token_expires_at, paused_at,
		created_at, updated_at, posting_slots, remote_instance)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`,
		a.WorkspaceID, string(a.Platform), a.RemoteID, a.Handle, a.DisplayName, a.AvatarURL, a.InstanceURL,
		a.Credentials.KeyID, a.Credentials.Ciphertext, string(a.Status), a.StatusReason,
		microsOrNil(a.TokenExpiresAt), microsOrNil(a.PausedAt), micros(a.CreatedAt), micros(a.UpdatedAt), slots,
		a.RemoteInstance()).Scan(&a.ID)
	return dbErr(err, "create account", accountClash(a), fmt.Sprintf("there is no workspace %d", a.WorkspaceID))
}

// GetAccount returns account id of workspaceID.
func (s *store) GetAccount(ctx context.Context, workspaceID, id int64) (herald.Account, error) {
	a, err := scanAccount(s.r.QueryRowContext(ctx, `SELECT `+accountCols+` FROM accounts WHERE workspace_id = ? AND id = ?`,
		workspaceID, id))
	if err != nil {
		return herald.Account{}, getErr(err, "account")
	}
	return a, nil
}

// ListAccounts returns a workspace's accounts by platform, then handle.
func (s *store) ListAccounts(ctx context.Context, workspaceID int64) ([]herald.Account, error) {
	rows, err := s.r.QueryContext(ctx, `SELECT `+accountCols+` FROM accounts WHERE workspace_id = ?
		ORDER BY platform, handle, id`, workspaceID)
	if err != nil {
		return nil, fmt.Errorf("sqlite: list accounts: %w", err)
	}
	defer rows.Close()
	out := []herald.Account{}
	for rows.Next() {
		a, err := scanAccount(rows)
		if err != nil {
			return nil, fmt.Errorf("sqlite: list accounts: %w", err)
		}
		out = append(out, a)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("sqlite: list accounts: %w", err)
	}
	return out, nil
}

// UpdateAccount saves every field but the ids, platform and CreatedAt.
func (s *store) UpdateAccount(ctx context.Context, a *herald.Account) error {
	a.UpdatedAt = stamp(a.UpdatedAt)
	a.TokenExpiresAt, a.PausedAt = stampPtr(a.TokenExpiresAt), stampPtr(a.PausedAt)
	slots, err := slotsJSON(&a.PostingSchedule)
	if err != nil {
		return err
	}
	res, err := s.w.ExecContext(ctx, `UPDATE accounts SET remote_id = ?, handle = ?, display_name = ?, avatar_url = ?,
		instance_url = ?, credentials_key_id = ?, credentials = ?, status = ?, status_reason = ?, token_expires_at = ?,
		paused_at = ?, updated_at = ?, posting_slots = ?, remote_instance = ? WHERE workspace_id = ? AND id = ?`,
		a.RemoteID, a.Handle, a.DisplayName, a.AvatarURL, a.InstanceURL, a.Credentials.KeyID, a.Credentials.Ciphertext,
		string(a.Status), a.StatusReason, microsOrNil(a.TokenExpiresAt), microsOrNil(a.PausedAt), micros(a.UpdatedAt),
		slots, a.RemoteInstance(), a.WorkspaceID, a.ID)
	if err != nil {
		return dbErr(err, "update account", accountClash(a), "")
	}
	if err := affected(res, "account"); err != nil {
		return err
	}
	// An account that can publish again (unpaused, reconnected) may
	// release waiting targets.
	if a.PausedAt == nil && a.Status != herald.AccountExpired && a.Status != herald.AccountRevoked {
		s.notifyDue()
	}
	return nil
}

// slotsJSON encodes an account's posting schedule, never as null slots.
func slotsJSON(ps *herald.PostingSchedule) (string, error) {
	if ps.Slots == nil {
		ps.Slots = []herald.PostingSlot{}
	}
	return toJSON(*ps)
}
