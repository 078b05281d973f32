package jobs

import (
	"context"
	"fmt"
	"log/slog"
	"time"

	"github.com/riverqueue/river"
	"github.com/riverqueue/river/rivertype"

	"github.com/heraldsocial/herald/internal/herald"
)

// Webhook delivery settings.
const (
	// WebhookQueue is the River queue of webhook deliveries: its own
	// workers, so receivers that hang hold up neither other jobs nor more
	// than Config.WebhookWorkers attempts at once.
	WebhookQueue = "webhooks"
	// DefaultWebhookWorkers is how many deliveries an instance attempts at
	// once.
	DefaultWebhookWorkers = 8
	// DefaultWebhookSweepEvery is how often lost deliveries are looked for.
	DefaultWebhookSweepEvery = time.Minute
	// webhookJobAttempts bounds River's own retries of a delivery job that
	// failed for a reason of Herald's (the database); the receiver's
	// retries are the delivery's, counted in the delivery row.
	webhookJobAttempts = 10
	// webhookJobTimeout bounds one run of the delivery job: an attempt is
	// bounded by the webhook service's own time-out (10s).
	webhookJobTimeout = time.Minute
)

// WebhookDeliverer makes webhook delivery attempts. The webhook service
// implements it.
type WebhookDeliverer interface {
	// Attempt makes the delivery's next attempt if it is due and returns
	// when to try next; the zero time when it is finished.
	Attempt(ctx context.Context, workspaceID, deliveryID int64) (time.Time, error)
	// Sweep enqueues deliveries whose job was lost and says how many.
	Sweep(ctx context.Context, now time.Time) (int, error)
}

// DeliverWebhookArgs enqueue the next attempt of one webhook delivery.
type DeliverWebhookArgs struct {
	WorkspaceID int64 `json:"workspace_id"`
	DeliveryID  int64 `json:"delivery_id"`
}

// Kind names the job kind.
func (DeliverWebhookArgs) Kind() string { return "deliver_webhook" }

// deliverWebhookWorker makes one attempt and snoozes until the next.
type deliverWebhookWorker struct {
	river.WorkerDefaults[DeliverWebhookArgs]
	webhooks WebhookDeliverer
	clock    herald.Clock
}

// Timeout bounds one run.
func (w *deliverWebhookWorker) Timeout(*river.Job[DeliverWebhookArgs]) time.Duration {
	return webhookJobTimeout
}

// Work attempts the delivery; while it is not finished the job waits for
// its next attempt (a snooze does not count as one of River's attempts).
func (w *deliverWebhookWorker) Work(ctx context.Context, job *river.Job[DeliverWebhookArgs]) error {
	next, err := w.webhooks.Attempt(ctx, job.Args.WorkspaceID, job.Args.DeliveryID)
	if err != nil {
		return fmt.Errorf("jobs: deliver_webhook %d: %w", job.Args.DeliveryID, err)
	}
	if next.IsZero() {
		return nil
	}
	return river.JobSnooze(max(next.Sub(w.clock.Now()), time.Second))
}

// SweepWebhooksArgs enqueue a look for lost webhook deliveries.
type SweepWebhooksArgs struct{}

// Kind names the job kind.
func (SweepWebhooksArgs) Kind() string { return "sweep_webhooks" }

// sweepWebhooksWorker asks the webhook service to re-enqueue lost deliveries.
type sweepWebhooksWorker struct {
	river.WorkerDefaults[SweepWebhooksArgs]
	webhooks WebhookDeliverer
	clock    herald.Clock
	log      *slog.Logger
}

// Work enqueues the deliveries whose job was lost.
func (w *sweepWebhooksWorker) Work(ctx context.Context, _ *river.Job[SweepWebhooksArgs]) error {
	n, err := w.webhooks.Sweep(ctx, w.clock.Now())
	if err != nil {
		return fmt.Errorf("jobs: sweep_webhooks: %w", err)
	}
	if n > 0 {
		w.log.InfoContext(ctx, "lost webhook deliveries enqueued again", slog.Int("deliveries", n))
	}
	return nil
}

// EnqueueWebhookDelivery enqueues the next attempt of a stored delivery
// (worked only by runners given Deps.Webhooks).
// While a job for it waits or runs, enqueuing it again adds nothing.
func (r *Runner) EnqueueWebhookDelivery(ctx context.Context, workspaceID, deliveryID int64) error {
	err := r.q.insert(ctx, DeliverWebhookArgs{WorkspaceID: workspaceID, DeliveryID: deliveryID}, &river.InsertOpts{
		Queue:       WebhookQueue,
		MaxAttempts: webhookJobAttempts,
		UniqueOpts: river.UniqueOpts{ByArgs: true, ByState: []rivertype.JobState{rivertype.JobStateAvailable,
			rivertype.JobStatePending, rivertype.JobStateRunning, rivertype.JobStateRetryable, rivertype.JobStateScheduled}},
	})
	if err != nil {
		return fmt.Errorf("jobs: enqueue webhook delivery %d: %w", deliveryID, err)
	}
	return nil
}
