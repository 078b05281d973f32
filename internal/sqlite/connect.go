package sqlite

import (
	"context"
	"fmt"
	"time"

	"github.com/heraldsocial/herald/internal/herald"
)

// CreateOAuthState stores a connection in progress.
func (s *store) CreateOAuthState(ctx context.Context, st *herald.OAuthState) error {
	st.CreatedAt = stamp(st.CreatedAt)
	st.ExpiresAt = stamp(st.ExpiresAt)
	_, err := s.w.ExecContext(ctx, `INSERT INTO oauth_states (state_hash, workspace_id, user_id, platform, instance,
		secret_key_id, secret, redirect_url, created_at, expires_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		st.StateHash, st.WorkspaceID, st.UserID, string(st.Platform), st.Instance, st.Secret.KeyID,
		st.Secret.Ciphertext, st.RedirectURL, micros(st.CreatedAt), micros(st.ExpiresAt))
	return dbErr(err, "create oauth state", "a connection with this state is already in progress",
		fmt.Sprintf("there is no workspace %d or no user %d", st.WorkspaceID, st.UserID))
}

// TakeOAuthState deletes and returns the state with hash.
func (s *store) TakeOAuthState(ctx context.Context, hash []byte) (herald.OAuthState, error) {
	var st herald.OAuthState
	var created, expires int64
	err := s.w.QueryRowContext(ctx, `DELETE FROM oauth_states WHERE state_hash = ? RETURNING state_hash,
		workspace_id, user_id, platform, instance, secret_key_id, secret, redirect_url, created_at, expires_at`, hash).
		Scan(&st.StateHash, &st.WorkspaceID, &st.UserID, &st.Platform, &st.Instance, &st.Secret.KeyID,
			&st.Secret.Ciphertext, &st.RedirectURL, &created, &expires)
	if err != nil {
		return herald.OAuthState{}, getErr(err, "connection state")
	}
	st.CreatedAt, st.ExpiresAt = fromMicros(created), fromMicros(expires)
	return st, nil
}

// DeleteExpiredOAuthStates removes states that expired before now.
func (s *store) DeleteExpiredOAuthStates(ctx context.Context, now time.Time) (int64, error) {
	res, err := s.w.ExecContext(ctx, `DELETE FROM oauth_states WHERE expires_at < ?`, micros(now))
	if err != nil {
		return 0, fmt.Errorf("sqlite: delete expired oauth states: %w", err)
	}
	n, err := res.RowsAffected()
	if err != nil {
		return 0, fmt.Errorf("sqlite: delete expired oauth states: %w", err)
	}
	return n, nil
}

// GetAppRegistration returns Herald's app on an instance.
func (s *store) GetAppRegistration(ctx context.Context, platform herald.Platform, instance string) (herald.AppRegistration, error) {
	r := herald.AppRegistration{}
	var created, updated int64
	err := s.r.QueryRowContext(ctx, `SELECT platform, instance, client_id, secret_key_id, client_secret, created_at,
		updated_at FROM app_registrations WHERE platform = ? AND instance = ?`, string(platform), instance).
		Scan(&r.Platform, &r.Instance, &r.ClientID, &r.ClientSecret.KeyID, &r.ClientSecret.Ciphertext, &created, &updated)
	if err != nil {
		return herald.AppRegistration{}, getErr(err, "app registration")
	}
	r.CreatedAt, r.UpdatedAt = fromMicros(created), fromMicros(updated)
	return r, nil
}

// SaveAppRegistration inserts or replaces Herald's app on an instance.
func (s *store) SaveAppRegistration(ctx context.Context, r *herald.AppRegistration) error {
	r.CreatedAt = stamp(r.CreatedAt)
	if r.UpdatedAt.IsZero() {
		r.UpdatedAt = r.CreatedAt
	}
	r.UpdatedAt = stamp(r.UpdatedAt)
	var created int64
	err := s.w.QueryRowContext(ctx, `INSERT INTO app_registrations (platform, instance, client_id, secret_key_id,
		client_secret, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?)
		ON CONFLICT (platform, instance) DO UPDATE SET client_id = excluded.client_id,
			secret_key_id = excluded.secret_key_id, client_secret = excluded.client_secret,
			updated_at = excluded.updated_at
		RETURNING created_at`,
		string(r.Platform), r.Instance, r.ClientID, r.ClientSecret.KeyID, r.ClientSecret.Ciphertext,
		micros(r.CreatedAt), micros(r.UpdatedAt)).Scan(&created)
	if err != nil {
		return dbErr(err, "save app registration", "", "")
	}
	r.CreatedAt = fromMicros(created)
	return nil
}

// GetInstanceSoftware returns what Herald learned of an instance.
func (s *store) GetInstanceSoftware(ctx context.Context, platform herald.Platform, instance string) (herald.InstanceSoftware, error) {
	var sw herald.InstanceSoftware
	var dedup, checked int64
	err := s.r.QueryRowContext(ctx, `SELECT platform, instance, name, version, deduplicates, checked_at
		FROM instance_software WHERE platform = ? AND instance = ?`, string(platform), instance).
		Scan(&sw.Platform, &sw.Instance, &sw.Name, &sw.Version, &dedup, &checked)
	if err != nil {
		return herald.InstanceSoftware{}, getErr(err, "instance software")
	}
	sw.Deduplicates, sw.CheckedAt = dedup != 0, fromMicros(checked)
	return sw, nil
}

// SaveInstanceSoftware inserts or replaces what Herald learned of an instance.
func (s *store) SaveInstanceSoftware(ctx context.Context, sw *herald.InstanceSoftware) error {
	sw.CheckedAt = stamp(sw.CheckedAt)
	dedup := 0
	if sw.Deduplicates {
		dedup = 1
	}
	_, err := s.w.ExecContext(ctx, `INSERT INTO instance_software (platform, instance, name, version, deduplicates,
		checked_at) VALUES (?, ?, ?, ?, ?, ?)
		ON CONFLICT (platform, instance) DO UPDATE SET name = excluded.name, version = excluded.version,
			deduplicates = excluded.deduplicates, checked_at = excluded.checked_at`,
		string(sw.Platform), sw.Instance, sw.Name, sw.Version, dedup, micros(sw.CheckedAt))
	return dbErr(err, "save instance software", "", "")
}
