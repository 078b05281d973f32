package webhook

import (
	"bytes"
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/heraldsocial/herald/internal/herald"
	"github.com/heraldsocial/herald/internal/outbound"
)

// SweepBatch is the most lost deliveries one sweep hands to the jobs.
const SweepBatch = 500

// sweepGrace is how long a stored delivery may wait for its job before a
// sweep enqueues it again (Deliver enqueues right after storing it).
const sweepGrace = time.Minute

// Deliver stores a delivery of n for every enabled endpoint of its
// workspace that wants its kind, and hands each to the background jobs. A
// notification with a Key an endpoint already has is not delivered again;
// one without a Key is a new event every time. It implements the
// notification service's channel interface.
func (s *Service) Deliver(ctx context.Context, n herald.Notification) error {
	es, err := s.store.ListWebhookEndpoints(ctx, n.WorkspaceID)
	if err != nil {
		return fmt.Errorf("webhook: deliver: %w", err)
	}
	key := n.Key
	if key == "" {
		key = "once:" + rand.Text()
	}
	now := s.now()
	if n.At.IsZero() {
		n.At = now
	}
	var errs []error
	for _, e := range es {
		if !e.Wants(n.Kind) {
			continue
		}
		d := herald.WebhookDelivery{WorkspaceID: e.WorkspaceID, EndpointID: e.ID, Key: key, Notification: n,
			State: herald.DeliveryPending, NextAttemptAt: now, CreatedAt: now, UpdatedAt: now}
		err := s.store.CreateWebhookDelivery(ctx, &d)
		switch {
		case errors.Is(err, herald.ErrConflict):
			continue // this event was delivered, or is on its way
		case errors.Is(err, herald.ErrNotFound):
			continue // the endpoint was deleted meanwhile
		case err != nil:
			errs = append(errs, fmt.Errorf("webhook: store the delivery to %d: %w", e.ID, err))
			continue
		}
		s.enqueue(ctx, d)
	}
	return errors.Join(errs...)
}

// enqueue hands d to the jobs; when that fails the sweep picks it up.
func (s *Service) enqueue(ctx context.Context, d herald.WebhookDelivery) {
	q := s.queue.Load()
	if q == nil {
		s.log.WarnContext(ctx, "no job queue; the delivery waits for the sweep", slog.Int64("delivery_id", d.ID))
		return
	}
	if err := (*q).EnqueueWebhookDelivery(ctx, d.WorkspaceID, d.ID); err != nil {
		s.log.WarnContext(ctx, "could not enqueue the delivery; the sweep will", slog.Int64("delivery_id", d.ID),
			slog.Any("error", err))
	}
}

// Sweep hands the jobs the deliveries due by now that have no attempt
// under way (their job may have been lost between storing and enqueuing,
// or with a process that died mid-attempt) and says how many.
func (s *Service) Sweep(ctx context.Context, now time.Time) (int, error) {
	q := s.queue.Load()
	if q == nil {
		return 0, nil
	}
	ds, err := s.store.UnfinishedWebhookDeliveries(ctx, now.Add(-sweepGrace), SweepBatch)
	if err != nil {
		return 0, fmt.Errorf("webhook: sweep: %w", err)
	}
	for _, d := range ds {
		if err := (*q).EnqueueWebhookDelivery(ctx, d.WorkspaceID, d.ID); err != nil {
			return 0, fmt.Errorf("webhook: sweep: enqueue %d: %w", d.ID, err)
		}
	}
	return len(ds), nil
}

// Attempt makes the next attempt of a delivery, if it is due and nobody
// else is making one, and records it. It returns when the delivery should
// be tried next, or the zero time when it is finished (delivered, given up,
// or gone). The background job calls it.
func (s *Service) Attempt(ctx context.Context, workspaceID, deliveryID int64) (time.Time, error) {
	now := s.now()
	d, err := s.store.ClaimWebhookDelivery(ctx, workspaceID, deliveryID, now, now.Add(s.cfg.Timeout+leaseMargin))
	if errors.Is(err, herald.ErrNotFound) {
		return time.Time{}, nil // its endpoint was deleted
	}
	if errors.Is(err, herald.ErrConflict) {
		cur, gerr := s.store.GetWebhookDelivery(ctx, workspaceID, deliveryID)
		switch {
		case errors.Is(gerr, herald.ErrNotFound):
			return time.Time{}, nil
		case gerr != nil:
			return time.Time{}, fmt.Errorf("webhook: attempt %d: %w", deliveryID, gerr)
		case cur.State == herald.DeliveryPending:
			return cur.NextAttemptAt, nil
		case cur.State == herald.DeliverySending && cur.LeaseUntil != nil:
			return *cur.LeaseUntil, nil // another attempt is under way; look again when its lease ends
		}
		return time.Time{}, nil
	}
	if err != nil {
		return time.Time{}, fmt.Errorf("webhook: attempt %d: %w", deliveryID, err)
	}
	e, err := s.store.GetWebhookEndpoint(ctx, workspaceID, d.EndpointID)
	if errors.Is(err, herald.ErrNotFound) {
		return time.Time{}, nil
	}
	if err != nil {
		return time.Time{}, fmt.Errorf("webhook: attempt %d: %w", deliveryID, err)
	}
	d, err = s.attempt(ctx, e, d)
	if err != nil {
		return time.Time{}, err
	}
	if d.State == herald.DeliveryPending {
		return d.NextAttemptAt, nil
	}
	return time.Time{}, nil
}

// attempt posts d to e once, records the attempt and decides what follows.
func (s *Service) attempt(ctx context.Context, e herald.WebhookEndpoint, d herald.WebhookDelivery) (herald.WebhookDelivery, error) {
	start := s.clock.Now()
	res := s.post(ctx, e, d, start)
	a := herald.WebhookAttempt{Number: d.Attempts + 1, StartedAt: start.UTC().Truncate(time.Microsecond),
		Duration: s.clock.Now().Sub(start), Status: res.status, Response: res.body, Error: res.err}
	if a.Duration < 0 {
		a.Duration = 0
	}
	now := s.now()
	d.Attempts = a.Number
	d.UpdatedAt = now
	d.LastError = res.problem()
	switch {
	case res.ok():
		d.State, d.FinishedAt = herald.DeliveryDelivered, &now
	case res.retry && d.Attempts < MaxAttempts && !d.Test:
		d.State = herald.DeliveryPending
		wait := Backoff[d.Attempts-1]
		if res.retryAfter > 0 {
			wait = min(res.retryAfter, MaxRetryAfter)
		}
		d.NextAttemptAt = now.Add(wait)
	default:
		d.State, d.FinishedAt = herald.DeliveryFailed, &now
	}
	// The attempt is recorded even when the job's context ended with it.
	rctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 30*time.Second)
	defer cancel()
	if err := s.store.RecordWebhookAttempt(rctx, &d, &a); err != nil {
		return d, fmt.Errorf("webhook: record attempt %d of %d: %w", a.Number, d.ID, err)
	}
	d.Log = append(d.Log, a)
	level := slog.LevelInfo
	if d.State != herald.DeliveryDelivered {
		level = slog.LevelWarn
	}
	s.log.Log(ctx, level, "webhook attempt", slog.Int64("workspace_id", d.WorkspaceID),
		slog.Int64("webhook_id", e.ID), slog.Int64("delivery_id", d.ID), slog.Int("attempt", a.Number),
		slog.Int("status", a.Status), slog.String("state", string(d.State)), slog.String("error", d.LastError))
	return d, nil
}

// result is what came of one POST.
type result struct {
	status     int
	body       string
	err        string
	retry      bool
	retryAfter time.Duration
}

func (r result) ok() bool { return r.err == "" && r.status >= 200 && r.status < 300 }

// problem says in words why the attempt did not deliver ("" when it did).
func (r result) problem() string {
	switch {
	case r.err != "":
		return r.err
	case r.ok():
		return ""
	case r.retry:
		return fmt.Sprintf("the receiver answered %d %s; Herald tries again", r.status, http.StatusText(r.status))
	}
	return fmt.Sprintf("the receiver answered %d %s, which Herald does not retry; check the webhook's address",
		r.status, http.StatusText(r.status))
}

// post sends d to e once, at sent.
func (s *Service) post(ctx context.Context, e herald.WebhookEndpoint, d herald.WebhookDelivery, sent time.Time) result {
	b, err := body(e.Kind, s.cfg.BaseURL, d)
	if err != nil {
		return result{err: err.Error()}
	}
	pctx, cancel := context.WithTimeout(ctx, s.cfg.Timeout)
	defer cancel()
	req, err := http.NewRequestWithContext(pctx, http.MethodPost, e.URL, bytes.NewReader(b))
	if err != nil {
		return result{err: "the webhook's address cannot be used: " + err.Error()}
	}
	req.GetBody = nil // never re-sent by the HTTP client itself
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("User-Agent", "Herald-Webhooks")
	if e.Kind == herald.WebhookGeneric {
		secret, err := s.keys.Open(e.Secret, secretAAD(e.WorkspaceID))
		if err != nil {
			return result{err: "the signing secret cannot be opened (was the key file changed?); roll the secret"}
		}
		req.Header.Set(HeaderID, deliveryID(d.ID))
		req.Header.Set(HeaderTimestamp, strconv.FormatInt(sent.Unix(), 10))
		req.Header.Set(HeaderSignature, Sign(string(secret), sent, b))
	}
	resp, err := s.client.Do(req)
	if err != nil {
		return sendError(err, s.cfg.Timeout)
	}
	defer resp.Body.Close()
	head, _ := io.ReadAll(io.LimitReader(resp.Body, ResponseLimit))
	_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 64<<10)) // lets the connection be reused
	r := result{status: resp.StatusCode, body: strings.ToValidUTF8(string(head), "\uFFFD")}
	switch {
	case resp.StatusCode == http.StatusTooManyRequests, resp.StatusCode == http.StatusRequestTimeout,
		resp.StatusCode >= 500:
		r.retry = true
		r.retryAfter = retryAfter(resp.Header.Get("Retry-After"), s.clock.Now())
	}
	return r
}

// sendError classes an error of the HTTP client: a refused address is
// final, anything else (time-out, refused connection, reset) is retried.
func sendError(err error, timeout time.Duration) result {
	var re *outbound.RefusedError
	if errors.As(err, &re) {
		return result{err: re.Error()}
	}
	if errors.Is(err, context.DeadlineExceeded) || isTimeout(err) {
		return result{err: fmt.Sprintf("the receiver did not answer within %s", timeout), retry: true}
	}
	return result{err: "the request failed: " + err.Error(), retry: true}
}

func isTimeout(err error) bool {
	var t interface{ Timeout() bool }
	return errors.As(err, &t) && t.Timeout()
}

// retryAfter reads a Retry-After header (seconds or an HTTP date); 0 when
// absent or unreadable.
func retryAfter(v string, now time.Time) time.Duration {
	v = strings.TrimSpace(v)
	if v == "" {
		return 0
	}
	if n, err := strconv.Atoi(v); err == nil {
		if n < 0 {
			return 0
		}
		return max(time.Duration(n)*time.Second, time.Second)
	}
	if t, err := http.ParseTime(v); err == nil {
		return max(t.Sub(now), time.Second)
	}
	return 0
}

// SendTest delivers a test notification to an endpoint now, once (no
// retries), and returns the delivery with its attempt. It shows up in the
// delivery log like any other.
func (s *Service) SendTest(ctx context.Context, actor herald.Actor, id int64) (herald.WebhookDelivery, error) {
	if err := actor.Require(herald.ActWebhooksManage); err != nil {
		return herald.WebhookDelivery{}, err
	}
	e, err := get(ctx, s.store, actor.WorkspaceID, id)
	if err != nil {
		return herald.WebhookDelivery{}, err
	}
	now := s.now()
	key := "test:" + rand.Text()
	d := herald.WebhookDelivery{WorkspaceID: e.WorkspaceID, EndpointID: e.ID, Key: key, Test: true,
		Notification: herald.Notification{Kind: herald.NotifyTargetFailed, WorkspaceID: e.WorkspaceID,
			ActorID: actor.UserID, Title: "Test notification from Herald",
			Message: "This is a test of the webhook \u201c" + e.Name + "\u201d. Nothing needs doing.",
			Link:    fmt.Sprintf("/w/%d/settings/webhooks/%d", e.WorkspaceID, e.ID), Key: key, At: now},
		State: herald.DeliveryPending, NextAttemptAt: now, CreatedAt: now, UpdatedAt: now}
	if err := s.store.CreateWebhookDelivery(ctx, &d); err != nil {
		return herald.WebhookDelivery{}, fmt.Errorf("webhook: test %d: %w", id, err)
	}
	d, err = s.store.ClaimWebhookDelivery(ctx, d.WorkspaceID, d.ID, now, now.Add(s.cfg.Timeout+leaseMargin))
	if err != nil {
		return herald.WebhookDelivery{}, fmt.Errorf("webhook: test %d: %w", id, err)
	}
	return s.attempt(ctx, e, d)
}

// Deliveries returns an endpoint's latest deliveries (at most 200),
// newest first, each with its attempts.
func (s *Service) Deliveries(ctx context.Context, actor herald.Actor, id int64, limit int) ([]herald.WebhookDelivery, error) {
	if _, err := s.Get(ctx, actor, id); err != nil {
		return nil, err
	}
	ds, err := s.store.ListWebhookDeliveries(ctx, actor.WorkspaceID, id, min(max(limit, 1), 200))
	if err != nil {
		return nil, fmt.Errorf("webhook: deliveries of %d: %w", id, err)
	}
	return ds, nil
}
