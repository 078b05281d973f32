package sqlite

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/heraldsocial/herald/internal/herald"
)

const webhookEndpointCols = `id, workspace_id, kind, name, url, kinds, enabled, secret_key_id, secret, created_by,
	created_at, updated_at`

func scanWebhookEndpoint(sc scanner) (herald.WebhookEndpoint, error) {
	var e herald.WebhookEndpoint
	var kinds string
	var by sql.NullInt64
	var created, updated int64
	if err := sc.Scan(&e.ID, &e.WorkspaceID, &e.Kind, &e.Name, &e.URL, &kinds, &e.Enabled, &e.Secret.KeyID,
		&e.Secret.Ciphertext, &by, &created, &updated); err != nil {
		return e, err
	}
	if err := json.Unmarshal([]byte(kinds), &e.Kinds); err != nil {
		return e, fmt.Errorf("sqlite: webhook %d kinds: %w", e.ID, err)
	}
	if e.Kinds == nil {
		e.Kinds = []herald.NotificationKind{}
	}
	e.CreatedBy = by.Int64
	e.CreatedAt, e.UpdatedAt = fromMicros(created), fromMicros(updated)
	return e, nil
}

func webhookKinds(ks []herald.NotificationKind) (string, error) {
	if ks == nil {
		ks = []herald.NotificationKind{}
	}
	return toJSON(ks)
}

// CreateWebhookEndpoint inserts e and sets its ID.
func (s *store) CreateWebhookEndpoint(ctx context.Context, e *herald.WebhookEndpoint) error {
	e.CreatedAt = stamp(e.CreatedAt)
	if e.UpdatedAt.IsZero() {
		e.UpdatedAt = e.CreatedAt
	}
	e.UpdatedAt = stamp(e.UpdatedAt)
	kinds, err := webhookKinds(e.Kinds)
	if err != nil {
		return err
	}
	var by any
	if e.CreatedBy != 0 {
		by = e.CreatedBy
	}
	err = s.w.QueryRowContext(ctx, `INSERT INTO webhook_endpoints (workspace_id, kind, name, url, kinds, enabled,
		secret_key_id, secret, created_by, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`,
		e.WorkspaceID, string(e.Kind), e.Name, e.URL, kinds, e.Enabled, e.Secret.KeyID, e.Secret.Ciphertext, by,
		micros(e.CreatedAt), micros(e.UpdatedAt)).Scan(&e.ID)
	return dbErr(err, "create webhook", "", "the workspace or creator of the webhook does not exist")
}

// GetWebhookEndpoint returns endpoint id of workspaceID.
func (s *store) GetWebhookEndpoint(ctx context.Context, workspaceID, id int64) (herald.WebhookEndpoint, error) {
	e, err := scanWebhookEndpoint(s.r.QueryRowContext(ctx, `SELECT `+webhookEndpointCols+` FROM webhook_endpoints
		WHERE workspace_id = ? AND id = ?`, workspaceID, id))
	if err != nil {
		return herald.WebhookEndpoint{}, getErr(err, "webhook")
	}
	return e, nil
}

// ListWebhookEndpoints returns a workspace's endpoints by name, then id.
func (s *store) ListWebhookEndpoints(ctx context.Context, workspaceID int64) ([]herald.WebhookEndpoint, error) {
	rows, err := s.r.QueryContext(ctx, `SELECT `+webhookEndpointCols+` FROM webhook_endpoints WHERE workspace_id = ?
		ORDER BY name COLLATE NOCASE, id`, workspaceID)
	if err != nil {
		return nil, fmt.Errorf("sqlite: list webhooks: %w", err)
	}
	defer rows.Close()
	out := []herald.WebhookEndpoint{}
	for rows.Next() {
		e, err := scanWebhookEndpoint(rows)
		if err != nil {
			return nil, fmt.Errorf("sqlite: list webhooks: %w", err)
		}
		out = append(out, e)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("sqlite: list webhooks: %w", err)
	}
	return out, nil
}

// UpdateWebhookEndpoint saves the endpoint's settings and secret.
func (s *store) UpdateWebhookEndpoint(ctx context.Context, e *herald.WebhookEndpoint) error {
	e.UpdatedAt = stamp(e.UpdatedAt)
	kinds, err := webhookKinds(e.Kinds)
	if err != nil {
		return err
	}
	res, err := s.w.ExecContext(ctx, `UPDATE webhook_endpoints SET name = ?, url = ?, kinds = ?, enabled = ?,
		secret_key_id = ?, secret = ?, updated_at = ? WHERE workspace_id = ? AND id = ?`,
		e.Name, e.URL, kinds, e.Enabled, e.Secret.KeyID, e.Secret.Ciphertext, micros(e.UpdatedAt), e.WorkspaceID, e.ID)
	if err != nil {
		return dbErr(err, "update webhook", "", "")
	}
	return affected(res, "webhook")
}

// DeleteWebhookEndpoint deletes endpoint id of workspaceID with its deliveries.
func (s *store) DeleteWebhookEndpoint(ctx context.Context, workspaceID, id int64) error {
	res, err := s.w.ExecContext(ctx, `DELETE FROM webhook_endpoints WHERE workspace_id = ? AND id = ?`, workspaceID, id)
	if err != nil {
		return dbErr(err, "delete webhook", "", "")
	}
	return affected(res, "webhook")
}

const webhookDeliveryCols = `id, workspace_id, endpoint_id, event_key, notification, test, state, attempts,
	next_attempt_at, lease_until, last_error, finished_at, created_at, updated_at`

func scanWebhookDelivery(sc scanner) (herald.WebhookDelivery, error) {
	var d herald.WebhookDelivery
	var n string
	var next, created, updated int64
	var lease, finished sql.NullInt64
	if err := sc.Scan(&d.ID, &d.WorkspaceID, &d.EndpointID, &d.Key, &n, &d.Test, &d.State, &d.Attempts, &next, &lease,
		&d.LastError, &finished, &created, &updated); err != nil {
		return d, err
	}
	if err := json.Unmarshal([]byte(n), &d.Notification); err != nil {
		return d, fmt.Errorf("sqlite: webhook delivery %d notification: %w", d.ID, err)
	}
	d.NextAttemptAt, d.CreatedAt, d.UpdatedAt = fromMicros(next), fromMicros(created), fromMicros(updated)
	d.LeaseUntil, d.FinishedAt = fromNullMicros(lease), fromNullMicros(finished)
	d.Log = []herald.WebhookAttempt{}
	return d, nil
}

// CreateWebhookDelivery inserts d for an endpoint of d's workspace.
func (s *store) CreateWebhookDelivery(ctx context.Context, d *herald.WebhookDelivery) error {
	d.CreatedAt = stamp(d.CreatedAt)
	if d.UpdatedAt.IsZero() {
		d.UpdatedAt = d.CreatedAt
	}
	d.UpdatedAt = stamp(d.UpdatedAt)
	n, err := toJSON(d.Notification)
	if err != nil {
		return err
	}
	err = s.w.QueryRowContext(ctx, `INSERT INTO webhook_deliveries (workspace_id, endpoint_id, event_key, notification,
		test, state, attempts, next_attempt_at, lease_until, last_error, finished_at, created_at, updated_at)
		SELECT workspace_id, id, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ? FROM webhook_endpoints WHERE workspace_id = ? AND id = ?
		RETURNING id`,
		d.Key, n, d.Test, string(d.State), d.Attempts, micros(d.NextAttemptAt), microsOrNil(stampPtr(d.LeaseUntil)),
		d.LastError, microsOrNil(stampPtr(d.FinishedAt)), micros(d.CreatedAt), micros(d.UpdatedAt),
		d.WorkspaceID, d.EndpointID).Scan(&d.ID)
	if errors.Is(err, sql.ErrNoRows) {
		return herald.NotFound("webhook")
	}
	return dbErr(err, "create webhook delivery", fmt.Sprintf("webhook %d already has a delivery for %q", d.EndpointID, d.Key), "")
}

// GetWebhookDelivery returns delivery id of workspaceID, without its log.
func (s *store) GetWebhookDelivery(ctx context.Context, workspaceID, id int64) (herald.WebhookDelivery, error) {
	d, err := scanWebhookDelivery(s.r.QueryRowContext(ctx, `SELECT `+webhookDeliveryCols+` FROM webhook_deliveries
		WHERE workspace_id = ? AND id = ?`, workspaceID, id))
	if err != nil {
		return herald.WebhookDelivery{}, getErr(err, "webhook delivery")
	}
	return d, nil
}

// ListWebhookDeliveries returns the endpoint's latest deliveries with
// their attempts, newest first.
func (s *store) ListWebhookDeliveries(ctx context.Context, workspaceID, endpointID int64, limit int) ([]herald.WebhookDelivery, error) {
	out, err := s.queryWebhookDeliveries(ctx, "list webhook deliveries", `SELECT `+webhookDeliveryCols+`
		FROM webhook_deliveries WHERE workspace_id = ? AND endpoint_id = ? ORDER BY id DESC LIMIT ?`,
		workspaceID, endpointID, max(limit, 1))
	if err != nil || len(out) == 0 {
		return out, err
	}
	byID := make(map[int64]int, len(out))
	args := make([]any, 0, len(out))
	for i, d := range out {
		byID[d.ID] = i
		args = append(args, d.ID)
	}
	rows, err := s.r.QueryContext(ctx, `SELECT delivery_id, number, started_at, duration_us, status, response, error
		FROM webhook_attempts WHERE delivery_id IN (`+placeholders(len(args))+`) ORDER BY delivery_id, number`, args...)
	if err != nil {
		return nil, fmt.Errorf("sqlite: list webhook attempts: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var a herald.WebhookAttempt
		var started, dur int64
		if err := rows.Scan(&a.DeliveryID, &a.Number, &started, &dur, &a.Status, &a.Response, &a.Error); err != nil {
			return nil, fmt.Errorf("sqlite: list webhook attempts: %w", err)
		}
		a.StartedAt, a.Duration = fromMicros(started), time.Duration(dur)*time.Microsecond
		i := byID[a.DeliveryID]
		out[i].Log = append(out[i].Log, a)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("sqlite: list webhook attempts: %w", err)
	}
	return out, nil
}

// UnfinishedWebhookDeliveries returns deliveries of any workspace that are
// due, or whose lease ended, by before.
func (s *store) UnfinishedWebhookDeliveries(ctx context.Context, before time.Time, limit int) ([]herald.WebhookDelivery, error) {
	if limit < 1 {
		return nil, herald.Errorf(herald.CodeInvalid, "the number of deliveries must be at least 1, not %d", limit)
	}
	return s.queryWebhookDeliveries(ctx, "unfinished webhook deliveries", `SELECT `+webhookDeliveryCols+`
		FROM webhook_deliveries WHERE state IN ('pending', 'sending') AND next_attempt_at <= ?
		AND (state = 'pending' OR lease_until <= ?) ORDER BY next_attempt_at, id LIMIT ?`,
		micros(before), micros(before), limit)
}

func (s *store) queryWebhookDeliveries(ctx context.Context, op, query string, args ...any) ([]herald.WebhookDelivery, error) {
	rows, err := s.r.QueryContext(ctx, query, args...)
	if err != nil {
		return nil, fmt.Errorf("sqlite: %s: %w", op, err)
	}
	defer rows.Close()
	out := []herald.WebhookDelivery{}
	for rows.Next() {
		d, err := scanWebhookDelivery(rows)
		if err != nil {
			return nil, fmt.Errorf("sqlite: %s: %w", op, err)
		}
		out = append(out, d)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("sqlite: %s: %w", op, err)
	}
	return out, nil
}

// ClaimWebhookDelivery leases a due delivery for one attempt.
func (s *store) ClaimWebhookDelivery(ctx context.Context, workspaceID, id int64, now, leaseUntil time.Time) (herald.WebhookDelivery, error) {
	d, err := scanWebhookDelivery(s.w.QueryRowContext(ctx, `UPDATE webhook_deliveries SET state = 'sending', lease_until = ?
		WHERE workspace_id = ? AND id = ? AND next_attempt_at <= ?
		AND (state = 'pending' OR (state = 'sending' AND lease_until <= ?))
		RETURNING `+webhookDeliveryCols, micros(leaseUntil), workspaceID, id, micros(now), micros(now)))
	if errors.Is(err, sql.ErrNoRows) {
		if _, gerr := s.GetWebhookDelivery(ctx, workspaceID, id); gerr != nil {
			return herald.WebhookDelivery{}, gerr
		}
		return herald.WebhookDelivery{}, &herald.Error{Code: herald.CodeConflict,
			Message: fmt.Sprintf("webhook delivery %d is not due, or is finished or under way", id), Err: err}
	}
	if err != nil {
		return herald.WebhookDelivery{}, fmt.Errorf("sqlite: claim webhook delivery: %w", err)
	}
	return d, nil
}

// RecordWebhookAttempt appends a to d's log and saves d's progress.
func (s *store) RecordWebhookAttempt(ctx context.Context, d *herald.WebhookDelivery, a *herald.WebhookAttempt) error {
	d.UpdatedAt = stamp(d.UpdatedAt)
	a.StartedAt = stamp(a.StartedAt)
	a.DeliveryID = d.ID
	return s.atomic(ctx, func(q querier) error {
		res, err := q.ExecContext(ctx, `UPDATE webhook_deliveries SET state = ?, attempts = ?, next_attempt_at = ?,
			lease_until = NULL, last_error = ?, finished_at = ?, updated_at = ? WHERE workspace_id = ? AND id = ?`,
			string(d.State), d.Attempts, micros(d.NextAttemptAt), d.LastError, microsOrNil(stampPtr(d.FinishedAt)),
			micros(d.UpdatedAt), d.WorkspaceID, d.ID)
		if err != nil {
			return dbErr(err, "record webhook attempt", "", "")
		}
		if err := affected(res, "webhook delivery"); err != nil {
			return err
		}
		_, err = q.ExecContext(ctx, `INSERT INTO webhook_attempts (delivery_id, number, started_at, duration_us, status,
			response, error) VALUES (?, ?, ?, ?, ?, ?, ?)`,
			a.DeliveryID, a.Number, micros(a.StartedAt), a.Duration.Microseconds(), a.Status, a.Response, a.Error)
		return dbErr(err, "record webhook attempt", fmt.Sprintf("webhook delivery %d already has attempt %d", d.ID, a.Number), "")
	})
}
