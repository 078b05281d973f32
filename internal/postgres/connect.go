package postgres

import (
	"context"
	"time"

	"github.com/heraldsocial/herald/internal/herald"
)

// CreateOAuthState stores a connection in progress.
func (s store) CreateOAuthState(ctx context.Context, st *herald.OAuthState) error {
	stamp(&st.CreatedAt)
	stamp(&st.ExpiresAt)
	_, err := s.q.Exec(ctx, `INSERT INTO oauth_states (state_hash, workspace_id, user_id, platform, instance,
		secret_key_id, secret, redirect_url, created_at, expires_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)`,
		st.StateHash, st.WorkspaceID, st.UserID, st.Platform, st.Instance, st.Secret.KeyID,
		nilBytes(st.Secret.Ciphertext), st.RedirectURL, st.CreatedAt, st.ExpiresAt)
	return dbErr("create oauth state", err)
}

// TakeOAuthState deletes and returns the state with hash.
func (s store) TakeOAuthState(ctx context.Context, hash []byte) (herald.OAuthState, error) {
	var st herald.OAuthState
	err := s.q.QueryRow(ctx, `DELETE FROM oauth_states WHERE state_hash = $1 RETURNING state_hash,
		workspace_id, user_id, platform, instance, secret_key_id, secret, redirect_url, created_at, expires_at`, hash).
		Scan(&st.StateHash, &st.WorkspaceID, &st.UserID, &st.Platform, &st.Instance, &st.Secret.KeyID,
			&st.Secret.Ciphertext, &st.RedirectURL, &st.CreatedAt, &st.ExpiresAt)
	if err != nil {
		return herald.OAuthState{}, notFound("connection state", "take oauth state", err)
	}
	return st, nil
}

// DeleteExpiredOAuthStates removes states that expired before now.
func (s store) DeleteExpiredOAuthStates(ctx context.Context, now time.Time) (int64, error) {
	tag, err := s.q.Exec(ctx, `DELETE FROM oauth_states WHERE expires_at < $1`, now)
	if err != nil {
		return 0, dbErr("delete expired oauth states", err)
	}
	return tag.RowsAffected(), nil
}

// GetAppRegistration returns Herald's app on an instance.
func (s store) GetAppRegistration(ctx context.Context, platform herald.Platform, instance string) (herald.AppRegistration, error) {
	var r herald.AppRegistration
	err := s.q.QueryRow(ctx, `SELECT platform, instance, client_id, secret_key_id, client_secret, created_at,
		updated_at FROM app_registrations WHERE platform = $1 AND instance = $2`, platform, instance).
		Scan(&r.Platform, &r.Instance, &r.ClientID, &r.ClientSecret.KeyID, &r.ClientSecret.Ciphertext, &r.CreatedAt,
			&r.UpdatedAt)
	if err != nil {
		return herald.AppRegistration{}, notFound("app registration", "get app registration", err)
	}
	return r, nil
}

// SaveAppRegistration inserts or replaces Herald's app on an instance.
func (s store) SaveAppRegistration(ctx context.Context, r *herald.AppRegistration) error {
	stamp(&r.CreatedAt)
	if r.UpdatedAt.IsZero() {
		r.UpdatedAt = r.CreatedAt
	}
	err := s.q.QueryRow(ctx, `INSERT INTO app_registrations (platform, instance, client_id, secret_key_id,
		client_secret, created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7)
		ON CONFLICT (platform, instance) DO UPDATE SET client_id = excluded.client_id,
			secret_key_id = excluded.secret_key_id, client_secret = excluded.client_secret,
			updated_at = excluded.updated_at
		RETURNING created_at`,
		r.Platform, r.Instance, r.ClientID, r.ClientSecret.KeyID, nilBytes(r.ClientSecret.Ciphertext),
		r.CreatedAt, r.UpdatedAt).Scan(&r.CreatedAt)
	return dbErr("save app registration", err)
}

// GetInstanceSoftware returns what Herald learned of an instance.
func (s store) GetInstanceSoftware(ctx context.Context, platform herald.Platform, instance string) (herald.InstanceSoftware, error) {
	var sw herald.InstanceSoftware
	err := s.q.QueryRow(ctx, `SELECT platform, instance, name, version, deduplicates, checked_at
		FROM instance_software WHERE platform = $1 AND instance = $2`, platform, instance).
		Scan(&sw.Platform, &sw.Instance, &sw.Name, &sw.Version, &sw.Deduplicates, &sw.CheckedAt)
	if err != nil {
		return herald.InstanceSoftware{}, notFound("instance software", "get instance software", err)
	}
	sw.CheckedAt = sw.CheckedAt.UTC()
	return sw, nil
}

// SaveInstanceSoftware inserts or replaces what Herald learned of an instance.
func (s store) SaveInstanceSoftware(ctx context.Context, sw *herald.InstanceSoftware) error {
	stamp(&sw.CheckedAt)
	sw.CheckedAt = sw.CheckedAt.UTC().Truncate(time.Microsecond)
	_, err := s.q.Exec(ctx, `INSERT INTO instance_software (platform, instance, name, version, deduplicates,
		checked_at) VALUES ($1, $2, $3, $4, $5, $6)
		ON CONFLICT (platform, instance) DO UPDATE SET name = excluded.name, version = excluded.version,
			deduplicates = excluded.deduplicates, checked_at = excluded.checked_at`,
		sw.Platform, sw.Instance, sw.Name, sw.Version, sw.Deduplicates, sw.CheckedAt)
	return dbErr("save instance software", err)
}
