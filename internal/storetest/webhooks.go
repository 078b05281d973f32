package storetest

import (
	"sync"
	"testing"
	"time"

	"github.com/heraldsocial/herald/internal/herald"
)

// mustWebhook creates a generic endpoint in w's workspace.
func mustWebhook(t *testing.T, s herald.Tx, w world) herald.WebhookEndpoint {
	t.Helper()
	e := herald.WebhookEndpoint{WorkspaceID: w.ws.ID, Kind: herald.WebhookGeneric, Name: "Ops " + unique(),
		URL: "https://hooks.example/" + unique(), Kinds: []herald.NotificationKind{herald.NotifyTargetFailed},
		Enabled: true, Secret: herald.Sealed{KeyID: "k1", Ciphertext: []byte("sealed secret")}, CreatedBy: w.owner.ID,
		CreatedAt: at(0), UpdatedAt: at(0)}
	noErr(t, s.CreateWebhookEndpoint(t.Context(), &e), "CreateWebhookEndpoint")
	if e.ID == 0 {
		t.Fatal("CreateWebhookEndpoint did not set the ID")
	}
	return e
}

// mustDelivery creates a pending delivery of e due at due.
func mustDelivery(t *testing.T, s herald.Tx, e herald.WebhookEndpoint, key string, due time.Time) herald.WebhookDelivery {
	t.Helper()
	d := herald.WebhookDelivery{WorkspaceID: e.WorkspaceID, EndpointID: e.ID, Key: key,
		Notification: herald.Notification{Kind: herald.NotifyTargetFailed, WorkspaceID: e.WorkspaceID, TargetID: 9,
			Title: "Post failed", Message: "The platform refused it.", Link: "/w/1/posts/9", Key: key, At: at(0)},
		State: herald.DeliveryPending, NextAttemptAt: due, CreatedAt: at(0), UpdatedAt: at(0)}
	noErr(t, s.CreateWebhookDelivery(t.Context(), &d), "CreateWebhookDelivery")
	return d
}

// webhookTests check notification channels, their deliveries and attempts.
func webhookTests() []test {
	return []test{
		{"EndpointRoundTrip", func(t *testing.T, s herald.Store) {
			ctx := t.Context()
			w := mustWorld(t, s)
			e := mustWebhook(t, s, w)
			got, err := s.GetWebhookEndpoint(ctx, w.ws.ID, e.ID)
			noErr(t, err, "GetWebhookEndpoint")
			same(t, "endpoint", got, e)
			if string(got.Secret.Ciphertext) != "sealed secret" || got.Secret.KeyID != "k1" {
				t.Fatalf("secret = %+v, want the sealed bytes and key id back", got.Secret)
			}
			e.Name, e.URL, e.Enabled, e.Kinds = "Renamed", "https://other.example/hook", false, []herald.NotificationKind{}
			e.Secret = herald.Sealed{KeyID: "k2", Ciphertext: []byte("rolled")}
			e.UpdatedAt = at(time.Minute)
			noErr(t, s.UpdateWebhookEndpoint(ctx, &e), "UpdateWebhookEndpoint")
			got, err = s.GetWebhookEndpoint(ctx, w.ws.ID, e.ID)
			noErr(t, err, "GetWebhookEndpoint after update")
			same(t, "updated endpoint", got, e)
			if string(got.Secret.Ciphertext) != "rolled" || got.Secret.KeyID != "k2" {
				t.Fatalf("secret after update = %+v", got.Secret)
			}
			slack := herald.WebhookEndpoint{WorkspaceID: w.ws.ID, Kind: herald.WebhookSlack, Name: "alerts",
				URL: "https://hooks.slack.example/x", Enabled: true, CreatedAt: at(0), UpdatedAt: at(0)}
			noErr(t, s.CreateWebhookEndpoint(ctx, &slack), "CreateWebhookEndpoint slack")
			list, err := s.ListWebhookEndpoints(ctx, w.ws.ID)
			noErr(t, err, "ListWebhookEndpoints")
			if len(list) != 2 || list[0].ID != slack.ID || list[1].ID != e.ID {
				t.Fatalf("ListWebhookEndpoints = %+v, want alerts then Renamed", list)
			}
			if !list[0].Secret.Empty() || list[0].Kinds == nil {
				t.Fatalf("slack endpoint = %+v, want no secret and empty kinds", list[0])
			}
		}},
		{"WorkspaceIsolation", func(t *testing.T, s herald.Store) {
			ctx := t.Context()
			w, other := mustWorld(t, s), mustWorld(t, s)
			e := mustWebhook(t, s, w)
			d := mustDelivery(t, s, e, "k", at(0))
			_, err := s.GetWebhookEndpoint(ctx, other.ws.ID, e.ID)
			wantNotFound(t, err, "GetWebhookEndpoint from another workspace")
			e2 := e
			e2.WorkspaceID = other.ws.ID
			wantNotFound(t, s.UpdateWebhookEndpoint(ctx, &e2), "UpdateWebhookEndpoint from another workspace")
			wantNotFound(t, s.DeleteWebhookEndpoint(ctx, other.ws.ID, e.ID), "DeleteWebhookEndpoint from another workspace")
			_, err = s.GetWebhookDelivery(ctx, other.ws.ID, d.ID)
			wantNotFound(t, err, "GetWebhookDelivery from another workspace")
			_, err = s.ClaimWebhookDelivery(ctx, other.ws.ID, d.ID, at(time.Hour), at(2*time.Hour))
			wantNotFound(t, err, "ClaimWebhookDelivery from another workspace")
			bad := herald.WebhookDelivery{WorkspaceID: other.ws.ID, EndpointID: e.ID, Key: "x",
				State: herald.DeliveryPending, NextAttemptAt: at(0)}
			wantNotFound(t, s.CreateWebhookDelivery(ctx, &bad), "CreateWebhookDelivery for another workspace's endpoint")
			list, err := s.ListWebhookDeliveries(ctx, other.ws.ID, e.ID, 10)
			noErr(t, err, "ListWebhookDeliveries from another workspace")
			if len(list) != 0 {
				t.Fatalf("another workspace sees %d deliveries", len(list))
			}
		}},
		{"OneDeliveryPerKey", func(t *testing.T, s herald.Store) {
			ctx := t.Context()
			w := mustWorld(t, s)
			e := mustWebhook(t, s, w)
			mustDelivery(t, s, e, "target:9:failed", at(0))
			again := herald.WebhookDelivery{WorkspaceID: w.ws.ID, EndpointID: e.ID, Key: "target:9:failed",
				State: herald.DeliveryPending, NextAttemptAt: at(0)}
			wantConflict(t, s.CreateWebhookDelivery(ctx, &again), "the same key twice")
			// Two at once: exactly one wins.
			var wg sync.WaitGroup
			errs := make([]error, 4)
			for i := range errs {
				wg.Go(func() {
					d := herald.WebhookDelivery{WorkspaceID: w.ws.ID, EndpointID: e.ID, Key: "race",
						State: herald.DeliveryPending, NextAttemptAt: at(0)}
					errs[i] = s.CreateWebhookDelivery(ctx, &d)
				})
			}
			wg.Wait()
			won := 0
			for _, err := range errs {
				if err == nil {
					won++
				} else {
					wantConflict(t, err, "a racing delivery")
				}
			}
			if won != 1 {
				t.Fatalf("%d racing deliveries were created, want 1", won)
			}
			// Another endpoint has its own.
			e2 := mustWebhook(t, s, w)
			mustDelivery(t, s, e2, "target:9:failed", at(0))
		}},
		{"ClaimAndRecord", func(t *testing.T, s herald.Store) {
			ctx := t.Context()
			w := mustWorld(t, s)
			e := mustWebhook(t, s, w)
			d := mustDelivery(t, s, e, "k", at(time.Minute))
			_, err := s.ClaimWebhookDelivery(ctx, w.ws.ID, d.ID, at(0), at(time.Minute))
			wantConflict(t, err, "claiming before it is due")
			c, err := s.ClaimWebhookDelivery(ctx, w.ws.ID, d.ID, at(time.Minute), at(2*time.Minute))
			noErr(t, err, "ClaimWebhookDelivery")
			if c.State != herald.DeliverySending || c.LeaseUntil == nil || !c.LeaseUntil.Equal(at(2*time.Minute)) {
				t.Fatalf("claimed delivery = %+v, want sending under a lease", c)
			}
			same(t, "claimed notification", c.Notification, d.Notification)
			_, err = s.ClaimWebhookDelivery(ctx, w.ws.ID, d.ID, at(time.Minute), at(3*time.Minute))
			wantConflict(t, err, "claiming under a live lease")
			un, err := s.UnfinishedWebhookDeliveries(ctx, at(time.Minute), 10)
			noErr(t, err, "UnfinishedWebhookDeliveries under a lease")
			if len(un) != 0 {
				t.Fatalf("a leased delivery is unfinished-and-lost: %+v", un)
			}
			un, err = s.UnfinishedWebhookDeliveries(ctx, at(2*time.Minute), 10)
			noErr(t, err, "UnfinishedWebhookDeliveries after the lease")
			if len(un) != 1 || un[0].ID != d.ID {
				t.Fatalf("UnfinishedWebhookDeliveries after the lease = %+v, want the delivery", un)
			}

			c.State, c.Attempts, c.NextAttemptAt, c.LastError, c.UpdatedAt = herald.DeliveryPending, 1, at(time.Hour),
				"the receiver answered 500", at(time.Minute)
			a1 := herald.WebhookAttempt{Number: 1, StartedAt: at(time.Minute), Duration: 1500 * time.Microsecond,
				Status: 500, Response: "oops"}
			noErr(t, s.RecordWebhookAttempt(ctx, &c, &a1), "RecordWebhookAttempt 1")
			_, err = s.ClaimWebhookDelivery(ctx, w.ws.ID, d.ID, at(30*time.Minute), at(31*time.Minute))
			wantConflict(t, err, "claiming before the retry is due")
			c, err = s.ClaimWebhookDelivery(ctx, w.ws.ID, d.ID, at(time.Hour), at(time.Hour+time.Minute))
			noErr(t, err, "ClaimWebhookDelivery for the retry")
			fin := at(time.Hour)
			c.State, c.Attempts, c.LastError, c.FinishedAt, c.UpdatedAt = herald.DeliveryDelivered, 2, "", &fin, fin
			a2 := herald.WebhookAttempt{Number: 2, StartedAt: fin, Duration: time.Millisecond, Status: 204}
			noErr(t, s.RecordWebhookAttempt(ctx, &c, &a2), "RecordWebhookAttempt 2")
			wantConflict(t, s.RecordWebhookAttempt(ctx, &c, &a2), "the same attempt number twice")
			_, err = s.ClaimWebhookDelivery(ctx, w.ws.ID, d.ID, at(48*time.Hour), at(49*time.Hour))
			wantConflict(t, err, "claiming a delivered delivery")

			d2 := mustDelivery(t, s, e, "newer", at(0))
			list, err := s.ListWebhookDeliveries(ctx, w.ws.ID, e.ID, 10)
			noErr(t, err, "ListWebhookDeliveries")
			if len(list) != 2 || list[0].ID != d2.ID || list[1].ID != d.ID {
				t.Fatalf("ListWebhookDeliveries = %+v, want newest first", list)
			}
			got := list[1]
			if got.State != herald.DeliveryDelivered || got.Attempts != 2 || got.FinishedAt == nil || got.LeaseUntil != nil {
				t.Fatalf("delivered = %+v", got)
			}
			a1.DeliveryID, a2.DeliveryID = d.ID, d.ID
			same(t, "attempt log", got.Log, []herald.WebhookAttempt{a1, a2})
			if len(list[0].Log) != 0 {
				t.Fatalf("a new delivery has attempts: %+v", list[0].Log)
			}
			un, err = s.UnfinishedWebhookDeliveries(ctx, at(48*time.Hour), 10)
			noErr(t, err, "UnfinishedWebhookDeliveries")
			if len(un) != 1 || un[0].ID != d2.ID {
				t.Fatalf("UnfinishedWebhookDeliveries = %+v, want only the new one", un)
			}
			// Deleting the endpoint takes its deliveries.
			noErr(t, s.DeleteWebhookEndpoint(ctx, w.ws.ID, e.ID), "DeleteWebhookEndpoint")
			_, err = s.GetWebhookDelivery(ctx, w.ws.ID, d.ID)
			wantNotFound(t, err, "a deleted endpoint's delivery")
		}},
	}
}
