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

const webhookEndpointCols = `id, workspace_id, kind, name, url, kinds, enabled, secret_key_id, secret, created_by,
	created_at, updated_at`

func scanWebhookEndpoint(r scanner) (herald.WebhookEndpoint, error) {
	var e herald.WebhookEndpoint
	var kinds []string
	var by *int64
	err := r.Scan(&e.ID, &e.WorkspaceID, &e.Kind, &e.Name, &e.URL, &kinds, &e.Enabled, &e.Secret.KeyID,
		&e.Secret.Ciphertext, &by, &e.CreatedAt, &e.UpdatedAt)
	e.Kinds = make([]herald.NotificationKind, len(kinds))
	for i, k := range kinds {
		e.Kinds[i] = herald.NotificationKind(k)
	}
	if by != nil {
		e.CreatedBy = *by
	}
	return e, err
}

func webhookKinds(ks []herald.NotificationKind) []string {
	out := make([]string, len(ks))
	for i, k := range ks {
		out[i] = string(k)
	}
	return out
}

func optionalID(id int64) *int64 {
	if id == 0 {
		return nil
	}
	return &id
}

// CreateWebhookEndpoint inserts e and sets its ID.
func (s store) CreateWebhookEndpoint(ctx context.Context, e *herald.WebhookEndpoint) error {
	stamp(&e.CreatedAt)
	stamp(&e.UpdatedAt)
	err := s.q.QueryRow(ctx, `INSERT INTO webhook_endpoints (workspace_id, kind, name, url, kinds, enabled,
		secret_key_id, secret, created_by, created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)
		RETURNING id`,
		e.WorkspaceID, string(e.Kind), e.Name, e.URL, webhookKinds(e.Kinds), e.Enabled, e.Secret.KeyID,
		nilBytes(e.Secret.Ciphertext), optionalID(e.CreatedBy), e.CreatedAt, e.UpdatedAt).Scan(&e.ID)
	return dbErr("create webhook", err)
}

// GetWebhookEndpoint returns the workspace's endpoint id.
func (s store) GetWebhookEndpoint(ctx context.Context, workspaceID, id int64) (herald.WebhookEndpoint, error) {
	e, err := scanWebhookEndpoint(s.q.QueryRow(ctx, `SELECT `+webhookEndpointCols+` FROM webhook_endpoints
		WHERE workspace_id = $1 AND id = $2`, workspaceID, id))
	if err != nil {
		return herald.WebhookEndpoint{}, notFound("webhook", "get webhook", err)
	}
	return e, nil
}

// ListWebhookEndpoints returns the workspace's endpoints by name, then id.
func (s store) ListWebhookEndpoints(ctx context.Context, workspaceID int64) ([]herald.WebhookEndpoint, error) {
	rows, err := s.q.Query(ctx, `SELECT `+webhookEndpointCols+` FROM webhook_endpoints WHERE workspace_id = $1
		ORDER BY lower(name), id`, workspaceID)
	if err != nil {
		return nil, dbErr("list webhooks", err)
	}
	out, err := collect(rows, scanWebhookEndpoint)
	return out, dbErr("list webhooks", err)
}

// UpdateWebhookEndpoint saves the endpoint's settings and secret.
func (s store) UpdateWebhookEndpoint(ctx context.Context, e *herald.WebhookEndpoint) error {
	stamp(&e.UpdatedAt)
	tag, err := s.q.Exec(ctx, `UPDATE webhook_endpoints SET name = $3, url = $4, kinds = $5, enabled = $6,
		secret_key_id = $7, secret = $8, updated_at = $9 WHERE workspace_id = $1 AND id = $2`,
		e.WorkspaceID, e.ID, e.Name, e.URL, webhookKinds(e.Kinds), e.Enabled, e.Secret.KeyID,
		nilBytes(e.Secret.Ciphertext), e.UpdatedAt)
	if err != nil {
		return dbErr("update webhook", err)
	}
	if tag.RowsAffected() == 0 {
		return missing("webhook")
	}
	return nil
}

// DeleteWebhookEndpoint deletes the workspace's endpoint id with its deliveries.
func (s store) DeleteWebhookEndpoint(ctx context.Context, workspaceID, id int64) error {
	tag, err := s.q.Exec(ctx, `DELETE FROM webhook_endpoints WHERE workspace_id = $1 AND id = $2`, workspaceID, id)
	if err != nil {
		return dbErr("delete webhook", err)
	}
	if tag.RowsAffected() == 0 {
		return missing("webhook")
	}
	return nil
}

const webhookDeliveryCols = `id, workspace_id, endpoint_id, event_key, notification, test, state, attempts,
	next_attempt_at, lease_until, last_error, finished_at, created_at, updated_at`

func scanWebhookDelivery(r scanner) (herald.WebhookDelivery, error) {
	var d herald.WebhookDelivery
	var n string
	if err := r.Scan(&d.ID, &d.WorkspaceID, &d.EndpointID, &d.Key, &n, &d.Test, &d.State, &d.Attempts,
		&d.NextAttemptAt, &d.LeaseUntil, &d.LastError, &d.FinishedAt, &d.CreatedAt, &d.UpdatedAt); err != nil {
		return d, err
	}
	if err := json.Unmarshal([]byte(n), &d.Notification); err != nil {
		return d, fmt.Errorf("webhook delivery %d notification: %w", d.ID, err)
	}
	d.Log = []herald.WebhookAttempt{}
	return d, nil
}

// CreateWebhookDelivery inserts d for an endpoint of d's workspace.
func (s store) CreateWebhookDelivery(ctx context.Context, d *herald.WebhookDelivery) error {
	stamp(&d.CreatedAt)
	stamp(&d.UpdatedAt)
	n, err := json.Marshal(d.Notification)
	if err != nil {
		return fmt.Errorf("postgres: encode notification: %w", err)
	}
	err = s.q.QueryRow(ctx, `INSERT INTO webhook_deliveries (workspace_id, endpoint_id, event_key, notification, test,
		state, attempts, next_attempt_at, lease_until, last_error, finished_at, created_at, updated_at)
		SELECT workspace_id, id, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13 FROM webhook_endpoints
		WHERE workspace_id = $1 AND id = $2 RETURNING id`,
		d.WorkspaceID, d.EndpointID, d.Key, string(n), d.Test, string(d.State), d.Attempts, d.NextAttemptAt,
		d.LeaseUntil, d.LastError, d.FinishedAt, d.CreatedAt, d.UpdatedAt).Scan(&d.ID)
	return notFound("webhook", "create webhook delivery", err)
}

// GetWebhookDelivery returns the workspace's delivery id, without its log.
func (s store) GetWebhookDelivery(ctx context.Context, workspaceID, id int64) (herald.WebhookDelivery, error) {
	d, err := scanWebhookDelivery(s.q.QueryRow(ctx, `SELECT `+webhookDeliveryCols+` FROM webhook_deliveries
		WHERE workspace_id = $1 AND id = $2`, workspaceID, id))
	if err != nil {
		return herald.WebhookDelivery{}, notFound("webhook delivery", "get webhook delivery", err)
	}
	return d, nil
}

// ListWebhookDeliveries returns the endpoint's latest deliveries with
// their attempts, newest first.
func (s store) ListWebhookDeliveries(ctx context.Context, workspaceID, endpointID int64, limit int) ([]herald.WebhookDelivery, error) {
	rows, err := s.q.Query(ctx, `SELECT `+webhookDeliveryCols+` FROM webhook_deliveries
		WHERE workspace_id = $1 AND endpoint_id = $2 ORDER BY id DESC LIMIT $3`, workspaceID, endpointID, max(limit, 1))
	if err != nil {
		return nil, dbErr("list webhook deliveries", err)
	}
	out, err := collect(rows, scanWebhookDelivery)
	if err != nil || len(out) == 0 {
		return out, dbErr("list webhook deliveries", err)
	}
	byID := make(map[int64]int, len(out))
	ids := make([]int64, 0, len(out))
	for i, d := range out {
		byID[d.ID] = i
		ids = append(ids, d.ID)
	}
	rows, err = s.q.Query(ctx, `SELECT delivery_id, number, started_at, duration_us, status, response, error
		FROM webhook_attempts WHERE delivery_id = ANY($1) ORDER BY delivery_id, number`, ids)
	if err != nil {
		return nil, dbErr("list webhook attempts", err)
	}
	attempts, err := collect(rows, func(r scanner) (herald.WebhookAttempt, error) {
		var a herald.WebhookAttempt
		var dur int64
		err := r.Scan(&a.DeliveryID, &a.Number, &a.StartedAt, &dur, &a.Status, &a.Response, &a.Error)
		a.Duration = time.Duration(dur) * time.Microsecond
		return a, err
	})
	if err != nil {
		return nil, dbErr("list webhook attempts", err)
	}
	for _, a := range attempts {
		i := byID[a.DeliveryID]
		out[i].Log = append(out[i].Log, a)
	}
	return out, nil
}

// UnfinishedWebhookDeliveries returns deliveries of any workspace that are
// due, or whose lease ended, by before.
func (s store) UnfinishedWebhookDeliveries(ctx context.Context, before time.Time, limit int) ([]herald.WebhookDelivery, error) {
	if limit < 1 {
		return nil, herald.Errorf(herald.CodeInvalid, "the number of deliveries must be at least 1, not %d", limit)
	}
	rows, err := s.q.Query(ctx, `SELECT `+webhookDeliveryCols+` FROM webhook_deliveries
		WHERE state IN ('pending', 'sending') AND next_attempt_at <= $1 AND (state = 'pending' OR lease_until <= $1)
		ORDER BY next_attempt_at, id LIMIT $2`, before, limit)
	if err != nil {
		return nil, dbErr("unfinished webhook deliveries", err)
	}
	out, err := collect(rows, scanWebhookDelivery)
	return out, dbErr("unfinished webhook deliveries", err)
}

// ClaimWebhookDelivery leases a due delivery for one attempt.
func (s store) ClaimWebhookDelivery(ctx context.Context, workspaceID, id int64, now, leaseUntil time.Time) (herald.WebhookDelivery, error) {
	d, err := scanWebhookDelivery(s.q.QueryRow(ctx, `UPDATE webhook_deliveries SET state = 'sending', lease_until = $3
		WHERE workspace_id = $1 AND id = $2 AND next_attempt_at <= $4
		AND (state = 'pending' OR (state = 'sending' AND lease_until <= $4))
		RETURNING `+webhookDeliveryCols, workspaceID, id, leaseUntil, now))
	if errors.Is(err, pgx.ErrNoRows) {
		if _, gerr := s.GetWebhookDelivery(ctx, workspaceID, id); gerr != nil {
			return herald.WebhookDelivery{}, gerr
		}
		return herald.WebhookDelivery{}, &herald.Error{Code: herald.CodeConflict,
			Message: fmt.Sprintf("webhook delivery %d is not due, or is finished or under way", id), Err: err}
	}
	if err != nil {
		return herald.WebhookDelivery{}, dbErr("claim webhook delivery", err)
	}
	return d, nil
}

// RecordWebhookAttempt appends a to d's log and saves d's progress.
func (s store) RecordWebhookAttempt(ctx context.Context, d *herald.WebhookDelivery, a *herald.WebhookAttempt) error {
	stamp(&d.UpdatedAt)
	stamp(&a.StartedAt)
	a.DeliveryID = d.ID
	return s.atomic(ctx, func(s store) error {
		tag, err := s.q.Exec(ctx, `UPDATE webhook_deliveries SET state = $3, attempts = $4, next_attempt_at = $5,
			lease_until = NULL, last_error = $6, finished_at = $7, updated_at = $8 WHERE workspace_id = $1 AND id = $2`,
			d.WorkspaceID, d.ID, string(d.State), d.Attempts, d.NextAttemptAt, d.LastError, d.FinishedAt, d.UpdatedAt)
		if err != nil {
			return dbErr("record webhook attempt", err)
		}
		if tag.RowsAffected() == 0 {
			return missing("webhook delivery")
		}
		_, err = s.q.Exec(ctx, `INSERT INTO webhook_attempts (delivery_id, number, started_at, duration_us, status,
			response, error) VALUES ($1, $2, $3, $4, $5, $6, $7)`,
			a.DeliveryID, a.Number, a.StartedAt, a.Duration.Microseconds(), a.Status, a.Response, a.Error)
		return dbErr("record webhook attempt", err)
	})
}
