package webhook_test

import (
	"encoding/json"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/heraldsocial/herald/internal/herald"
	"github.com/heraldsocial/herald/internal/teststore"
	"github.com/heraldsocial/herald/internal/webhook"
)

// A generic endpoint gets the notification through the background jobs,
// signed so that the documented recipe verifies it, with an absolute
// link; the same event again is no second delivery.
func TestDeliverSignedOnce(t *testing.T) {
	teststore.Each(t, func(t *testing.T, st herald.Store) {
		w := newWorld(t, st, herald.SystemClock{})
		rcv := newReceiver(t)
		c := w.add(t, herald.WebhookGeneric, rcv.URL+"/hook")
		if !strings.HasPrefix(c.Secret, "whsec_") {
			t.Fatalf("secret = %q, want one shown at creation", c.Secret)
		}
		rcv.setSecret(c.Secret)
		runner(t, st, w.svc)

		must(t, w.svc.Deliver(t.Context(), w.note("target:41:failed")))
		got := rcv.next(t)
		if bad := rcv.refused(); len(bad) > 0 {
			t.Fatalf("the signature did not verify for %q", bad)
		}
		var ev webhook.Event
		must(t, json.Unmarshal(got.body, &ev))
		if ev.Kind != herald.NotifyTargetFailed || ev.WorkspaceID != w.ws.ID || ev.TargetID != 41 || ev.PostID != 40 ||
			ev.Link != "https://herald.example/w/1/posts/40" || ev.Key != "target:41:failed" || ev.Test {
			t.Fatalf("event = %+v", ev)
		}
		if got.header.Get("Herald-Webhook-Id") != ev.ID || ev.ID == "" {
			t.Fatalf("Herald-Webhook-Id = %q, body id %q", got.header.Get("Herald-Webhook-Id"), ev.ID)
		}
		waitFor(t, "the delivery to be recorded", func() bool {
			ds := w.deliveries(t, c.Endpoint.ID)
			return len(ds) == 1 && ds[0].State == herald.DeliveryDelivered
		})
		d := w.deliveries(t, c.Endpoint.ID)[0]
		if len(d.Log) != 1 || d.Log[0].Status != 200 || d.Log[0].Response != "answer 200" {
			t.Fatalf("log = %+v", d.Log)
		}

		// The same event again, and once more while the first is done.
		must(t, w.svc.Deliver(t.Context(), w.note("target:41:failed")))
		if ds := w.deliveries(t, c.Endpoint.ID); len(ds) != 1 {
			t.Fatalf("%d deliveries after the same event twice, want 1", len(ds))
		}
		// A different event goes out; the receiver's count proves the
		// repeat was never sent.
		must(t, w.svc.Deliver(t.Context(), w.note("target:42:failed")))
		rcv.next(t)
		if n := len(rcv.requests()); n != 2 {
			t.Fatalf("the receiver got %d requests, want 2", n)
		}
	})
}

// A 500 is retried after the back-off, then delivered: two attempts, one
// delivery. Retry-After is respected; another 4xx is not retried.
func TestRetryPolicy(t *testing.T) {
	teststore.Each(t, func(t *testing.T, st herald.Store) {
		c := &clock{now: time.Now().UTC().Truncate(time.Microsecond)}
		w := newWorld(t, st, c)
		rcv := newReceiver(t, http.StatusInternalServerError, http.StatusOK)
		e := w.add(t, herald.WebhookDiscord, rcv.URL).Endpoint
		must(t, w.svc.Deliver(t.Context(), w.note("k1")))
		d := w.deliveries(t, e.ID)[0]

		next, err := w.svc.Attempt(t.Context(), w.ws.ID, d.ID)
		must(t, err)
		if want := c.Now().Add(webhook.Backoff[0]); !next.Equal(want.Truncate(time.Microsecond)) {
			t.Fatalf("next attempt at %v, want %v", next, want)
		}
		// Not due yet: nothing is sent.
		again, err := w.svc.Attempt(t.Context(), w.ws.ID, d.ID)
		must(t, err)
		if !again.Equal(next) || len(rcv.requests()) != 1 {
			t.Fatalf("an early attempt sent something or moved the time (%v)", again)
		}
		c.add(webhook.Backoff[0])
		next, err = w.svc.Attempt(t.Context(), w.ws.ID, d.ID)
		must(t, err)
		if !next.IsZero() {
			t.Fatalf("after a 200 the next attempt is at %v, want none", next)
		}
		ds := w.deliveries(t, e.ID)
		if len(ds) != 1 || ds[0].State != herald.DeliveryDelivered || len(ds[0].Log) != 2 ||
			ds[0].Log[0].Status != 500 || ds[0].Log[1].Status != 200 {
			t.Fatalf("deliveries = %+v", ds)
		}

		// 429 with Retry-After waits as long as it says.
		slow := httptestStatus(t, http.StatusTooManyRequests, "120")
		e2 := w.add(t, herald.WebhookSlack, slow).Endpoint
		must(t, w.svc.Deliver(t.Context(), w.note("k2")))
		d2 := w.deliveries(t, e2.ID)[0]
		next, err = w.svc.Attempt(t.Context(), w.ws.ID, d2.ID)
		must(t, err)
		if want := c.Now().Add(2 * time.Minute); !next.Equal(want) {
			t.Fatalf("after Retry-After: 120 the next attempt is at %v, want %v", next, want)
		}

		// 404 is final.
		gone := httptestStatus(t, http.StatusNotFound, "")
		e3 := w.add(t, herald.WebhookGeneric, gone).Endpoint
		must(t, w.svc.Deliver(t.Context(), w.note("k3")))
		d3 := w.deliveries(t, e3.ID)[0]
		next, err = w.svc.Attempt(t.Context(), w.ws.ID, d3.ID)
		must(t, err)
		d3 = w.deliveries(t, e3.ID)[0]
		if !next.IsZero() || d3.State != herald.DeliveryFailed || !strings.Contains(d3.LastError, "404") {
			t.Fatalf("after a 404: next %v, delivery %+v", next, d3)
		}
	})
}

// httptestStatus is a receiver that always answers status.
func httptestStatus(t *testing.T, status int, retryAfter string) string {
	t.Helper()
	rcv := newReceiver(t)
	rcv.Config.Handler = http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		if retryAfter != "" {
			w.Header().Set("Retry-After", retryAfter)
		}
		w.WriteHeader(status)
	})
	return rcv.URL
}

// Out of attempts, a delivery fails for good.
func TestGivesUpAfterMaxAttempts(t *testing.T) {
	teststore.Each(t, func(t *testing.T, st herald.Store) {
		c := &clock{now: time.Now().UTC().Truncate(time.Microsecond)}
		w := newWorld(t, st, c)
		e := w.add(t, herald.WebhookGeneric, httptestStatus(t, http.StatusBadGateway, "")).Endpoint
		must(t, w.svc.Deliver(t.Context(), w.note("k")))
		d := w.deliveries(t, e.ID)[0]
		for i := range webhook.MaxAttempts {
			next, err := w.svc.Attempt(t.Context(), w.ws.ID, d.ID)
			must(t, err)
			if last := i == webhook.MaxAttempts-1; last != next.IsZero() {
				t.Fatalf("attempt %d: next %v", i+1, next)
			}
			c.add(next.Sub(c.Now()))
		}
		d = w.deliveries(t, e.ID)[0]
		if d.State != herald.DeliveryFailed || len(d.Log) != webhook.MaxAttempts {
			t.Fatalf("delivery = %+v", d)
		}
	})
}

// A delivery enqueued while the jobs are down is made once they are back.
func TestQueuedDeliverySurvivesRestart(t *testing.T) {
	teststore.Each(t, func(t *testing.T, st herald.Store) {
		w := newWorld(t, st, herald.SystemClock{})
		rcv := newReceiver(t)
		e := w.add(t, herald.WebhookSlack, rcv.URL).Endpoint
		first := newRunner(t, st, w.svc)
		must(t, first.Start(t.Context()))
		stop(t, first)
		must(t, w.svc.Deliver(t.Context(), w.note("k"))) // enqueued with the runner stopped
		if ds := w.deliveries(t, e.ID); len(ds) != 1 || ds[0].State != herald.DeliveryPending {
			t.Fatalf("deliveries = %+v, want one pending", ds)
		}
		runner(t, st, w.svc) // a new process
		got := rcv.next(t)
		var slack struct {
			Text   string           `json:"text"`
			Blocks []map[string]any `json:"blocks"`
		}
		must(t, json.Unmarshal(got.body, &slack))
		if !strings.Contains(slack.Text, "Post failed") || len(slack.Blocks) != 2 {
			t.Fatalf("slack body = %s", got.body)
		}
		waitFor(t, "the delivery to be recorded", func() bool {
			return w.deliveries(t, e.ID)[0].State == herald.DeliveryDelivered
		})
	})
}

// A receiver that never answers costs one attempt of the time-out; another
// endpoint's delivery goes out meanwhile.
func TestHangingReceiver(t *testing.T) {
	teststore.Each(t, func(t *testing.T, st herald.Store) {
		w := newWorld(t, st, herald.SystemClock{})
		release := make(chan struct{})
		hanging, inFlight, maxInFlight := newReceiver(t), 0, 0
		var arrived = make(chan struct{}, 10)
		hanging.Config.Handler = http.HandlerFunc(func(_ http.ResponseWriter, r *http.Request) {
			hanging.mu.Lock()
			inFlight++
			maxInFlight = max(maxInFlight, inFlight)
			hanging.mu.Unlock()
			arrived <- struct{}{}
			select {
			case <-release:
			case <-r.Context().Done():
			}
			hanging.mu.Lock()
			inFlight--
			hanging.mu.Unlock()
		})
		defer close(release)
		quick := newReceiver(t)
		slowE := w.add(t, herald.WebhookGeneric, hanging.URL).Endpoint
		quickE := w.add(t, herald.WebhookGeneric, quick.URL).Endpoint
		runner(t, st, w.svc)
		must(t, w.svc.Deliver(t.Context(), w.note("k")))
		<-arrived
		quick.next(t) // delivered while the other hangs
		waitFor(t, "the hanging attempt to time out", func() bool {
			ds := w.deliveries(t, slowE.ID)
			return len(ds) == 1 && len(ds[0].Log) == 1
		})
		d := w.deliveries(t, slowE.ID)[0]
		a := d.Log[0]
		if d.State != herald.DeliveryPending || a.Status != 0 || !strings.Contains(a.Error, "did not answer within 10s") ||
			a.Duration < webhook.DefaultTimeout || a.Duration > webhook.DefaultTimeout+5*time.Second {
			t.Fatalf("hanging delivery = %+v, attempt %+v", d, a)
		}
		if q := w.deliveries(t, quickE.ID); q[0].State != herald.DeliveryDelivered {
			t.Fatalf("quick delivery = %+v", q[0])
		}
		hanging.mu.Lock()
		defer hanging.mu.Unlock()
		if maxInFlight != 1 {
			t.Fatalf("the hanging receiver had %d requests at once, want 1", maxInFlight)
		}
	})
}
