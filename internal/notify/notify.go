// Package notify tells people about what needs them (a post Herald cannot
// confirm, an account to reconnect, a late post): it logs every
// notification and, when a webhook URL is configured, POSTs it as JSON.
//
// Notify never blocks its caller on the network: notifications wait in a
// small queue for one sender goroutine, and are dropped (with a log line)
// when the queue is full.
package notify

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/url"
	"sync"
	"time"

	"github.com/heraldsocial/herald/internal/herald"
	"github.com/heraldsocial/herald/internal/outbound"
)

// QueueSize is how many notifications may wait for the webhook.
const QueueSize = 256

// Timeout bounds one webhook POST.
const Timeout = 10 * time.Second

// closeWait is how long Close lets the sender deliver what is queued.
const closeWait = 5 * time.Second

// Notifier logs notifications and sends them to a webhook.
type Notifier struct {
	log    *slog.Logger
	url    string
	client *http.Client

	mu     sync.Mutex
	closed bool
	queue  chan herald.Notification
	ctx    context.Context
	cancel context.CancelFunc
	done   chan struct{}
}

// payload is the webhook body.
type payload struct {
	Kind        herald.NotificationKind `json:"kind"`
	WorkspaceID int64                   `json:"workspace_id"`
	TargetID    int64                   `json:"target_id,omitempty"`
	AccountID   int64                   `json:"account_id,omitempty"`
	Message     string                  `json:"message"`
	At          time.Time               `json:"at"`
}

// New returns a notifier that logs to logger and, when webhookURL is not
// empty, POSTs each notification there with client (nil: an outbound
// client, which refuses loopback, private and other internal addresses).
// Call Close to stop it.
func New(logger *slog.Logger, webhookURL string, client *http.Client) *Notifier {
	if logger == nil {
		logger = slog.New(slog.DiscardHandler)
	}
	if client == nil {
		client = outbound.NewClient(outbound.Options{Timeout: Timeout})
	}
	ctx, cancel := context.WithCancel(context.Background())
	n := &Notifier{log: logger.With(slog.String("component", "notify")), url: webhookURL, client: client,
		ctx: ctx, cancel: cancel, done: make(chan struct{})}
	if webhookURL != "" {
		if u, err := url.Parse(webhookURL); err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
			n.log.Error("notification webhook disabled: the URL must be an absolute http(s) URL such as https://hooks.example.com/herald",
				slog.String("url", webhookURL))
			webhookURL, n.url = "", ""
		}
	}
	if webhookURL == "" {
		close(n.done)
		return n
	}
	n.queue = make(chan herald.Notification, QueueSize)
	go n.send()
	return n
}

// Notify logs nt and queues it for the webhook. It never waits for the
// network; when the queue is full the notification is dropped and logged.
func (n *Notifier) Notify(ctx context.Context, nt herald.Notification) {
	if nt.At.IsZero() {
		nt.At = time.Now().UTC()
	}
	n.log.InfoContext(ctx, "notification", slog.String("kind", string(nt.Kind)),
		slog.Int64("workspace_id", nt.WorkspaceID), slog.Int64("target_id", nt.TargetID),
		slog.Int64("account_id", nt.AccountID), slog.String("message", nt.Message))
	if n.queue == nil {
		return
	}
	n.mu.Lock()
	defer n.mu.Unlock()
	if n.closed {
		n.log.WarnContext(ctx, "notification not sent to the webhook: the notifier is closed", slog.String("kind", string(nt.Kind)))
		return
	}
	select {
	case n.queue <- nt:
	default:
		n.log.WarnContext(ctx, "notification dropped: the webhook queue is full", slog.String("kind", string(nt.Kind)),
			slog.Int64("target_id", nt.TargetID), slog.Int64("account_id", nt.AccountID))
	}
}

// Close stops accepting notifications, gives the sender a few seconds to
// deliver what is queued, and returns. It may be called more than once.
func (n *Notifier) Close() {
	n.mu.Lock()
	if !n.closed {
		n.closed = true
		if n.queue != nil {
			close(n.queue)
		}
	}
	n.mu.Unlock()
	t := time.NewTimer(closeWait)
	defer t.Stop()
	select {
	case <-n.done:
	case <-t.C:
		n.cancel()
		<-n.done
	}
	n.cancel()
}

func (n *Notifier) send() {
	defer close(n.done)
	for nt := range n.queue {
		if err := n.post(nt); err != nil {
			n.log.Error("webhook notification failed", slog.String("kind", string(nt.Kind)),
				slog.Int64("target_id", nt.TargetID), slog.Int64("account_id", nt.AccountID), slog.Any("error", err))
		}
	}
}

func (n *Notifier) post(nt herald.Notification) error {
	body, err := json.Marshal(payload{Kind: nt.Kind, WorkspaceID: nt.WorkspaceID, TargetID: nt.TargetID,
		AccountID: nt.AccountID, Message: nt.Message, At: nt.At})
	if err != nil {
		return fmt.Errorf("encode notification: %w", err)
	}
	ctx, cancel := context.WithTimeout(n.ctx, Timeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, n.url, bytes.NewReader(body))
	if err != nil {
		return fmt.Errorf("build webhook request: %w", err)
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("User-Agent", "Herald")
	resp, err := n.client.Do(req)
	if err != nil {
		return fmt.Errorf("post webhook: %w", err)
	}
	defer resp.Body.Close()
	_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 64<<10))
	if resp.StatusCode < 200 || resp.StatusCode > 299 {
		return fmt.Errorf("post webhook: the endpoint answered %s", resp.Status)
	}
	return nil
}
