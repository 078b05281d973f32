package webhook_test

import (
	"encoding/json"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/heraldsocial/herald/internal/herald"
	"github.com/heraldsocial/herald/internal/teststore"
	"github.com/heraldsocial/herald/internal/webhook"
)

// A webhook to a loopback or private address is refused, naming the field
// and the operator's switch, unless the operator allows private networks;
// one saved while allowed is still refused at sending when it is not.
func TestPrivateAddressRefused(t *testing.T) {
	teststore.Each(t, func(t *testing.T, st herald.Store) {
		w := newWorld(t, st, herald.SystemClock{})
		strict := w.service(t, false)
		for _, url := range []string{"http://127.0.0.1:9/hook", "http://localhost:9/hook", "https://10.1.2.3/",
			"http://[::1]:9/"} {
			name := "internal"
			_, err := strict.Create(t.Context(), w.manager, webhook.Input{Kind: herald.WebhookGeneric, Name: &name, URL: &url})
			var he *herald.Error
			if !errors.As(err, &he) || he.Code != herald.CodeInvalid || len(he.Details) != 1 || he.Details[0].Field != "url" ||
				!strings.Contains(he.Details[0].Problem, "HERALD_ALLOW_PRIVATE_NETWORKS") {
				t.Fatalf("Create(%s) = %v, want an invalid url naming the switch", url, err)
			}
		}
		meta := "http://169.254.169.254/latest"
		name := "metadata"
		if _, err := w.svc.Create(t.Context(), w.manager, webhook.Input{Kind: herald.WebhookSlack, Name: &name, URL: &meta}); herald.ErrorCode(err) != herald.CodeInvalid {
			t.Fatalf("a link-local address even with private networks allowed: %v", err)
		}
		rcv := newReceiver(t)
		e := w.add(t, herald.WebhookGeneric, rcv.URL).Endpoint // allowed
		must(t, w.svc.Deliver(t.Context(), w.note("k")))
		d := w.deliveries(t, e.ID)[0]
		next, err := strict.Attempt(t.Context(), w.ws.ID, d.ID)
		must(t, err)
		d = w.deliveries(t, e.ID)[0]
		if !next.IsZero() || d.State != herald.DeliveryFailed || !strings.Contains(d.LastError, "refusing to connect") ||
			len(rcv.requests()) != 0 {
			t.Fatalf("sending to loopback when not allowed: next %v, delivery %+v", next, d)
		}
	})
}

// Only managers and up manage webhooks; another workspace's is not found;
// bad input names its field.
func TestRolesAndValidation(t *testing.T) {
	teststore.Each(t, func(t *testing.T, st herald.Store) {
		w := newWorld(t, st, herald.SystemClock{})
		name, url := "Ops", "https://hooks.example/x"
		_, err := w.svc.Create(t.Context(), w.editor, webhook.Input{Kind: herald.WebhookSlack, Name: &name, URL: &url})
		if herald.ErrorCode(err) != herald.CodeForbidden {
			t.Fatalf("an editor creating a webhook: %v", err)
		}
		if _, err := w.svc.List(t.Context(), w.editor); herald.ErrorCode(err) != herald.CodeForbidden {
			t.Fatalf("an editor listing webhooks: %v", err)
		}
		rcv := newReceiver(t)
		e := w.add(t, herald.WebhookSlack, rcv.URL).Endpoint
		other := w.manager
		other.WorkspaceID = w.ws.ID + 1000
		if _, err := w.svc.Get(t.Context(), other, e.ID); herald.ErrorCode(err) != herald.CodeNotFound {
			t.Fatalf("another workspace's webhook: %v", err)
		}
		if _, err := w.svc.SendTest(t.Context(), other, e.ID); herald.ErrorCode(err) != herald.CodeNotFound {
			t.Fatalf("testing another workspace's webhook: %v", err)
		}
		bad, empty := "ftp://x.example/", ""
		_, err = w.svc.Create(t.Context(), w.manager, webhook.Input{Kind: "teams", Name: &empty, URL: &bad,
			Kinds: &[]herald.NotificationKind{"nope"}})
		var he *herald.Error
		if !errors.As(err, &he) || len(he.Details) != 4 {
			t.Fatalf("bad input = %v, want problems with kind, name, url and kinds", err)
		}
		// Kinds filter who gets what; a disabled endpoint gets nothing.
		kinds := []herald.NotificationKind{herald.NotifyAccountExpired}
		_, err = w.svc.Update(t.Context(), w.manager, e.ID, webhook.Input{Kinds: &kinds})
		must(t, err)
		must(t, w.svc.Deliver(t.Context(), w.note("failed")))
		n := w.note("expired")
		n.Kind = herald.NotifyAccountExpired
		must(t, w.svc.Deliver(t.Context(), n))
		off := false
		_, err = w.svc.Update(t.Context(), w.manager, e.ID, webhook.Input{Enabled: &off})
		must(t, err)
		n.Key = "expired again"
		must(t, w.svc.Deliver(t.Context(), n))
		if ds := w.deliveries(t, e.ID); len(ds) != 1 || ds[0].Key != "expired" {
			t.Fatalf("deliveries = %+v, want only the wanted kind while enabled", ds)
		}
		if _, err := w.svc.RollSecret(t.Context(), w.manager, e.ID); herald.ErrorCode(err) != herald.CodeConflict {
			t.Fatalf("rolling a slack webhook's secret: %v", err)
		}
		must(t, w.svc.Delete(t.Context(), w.manager, e.ID))
		if _, err := w.svc.Get(t.Context(), w.manager, e.ID); herald.ErrorCode(err) != herald.CodeNotFound {
			t.Fatalf("a deleted webhook: %v", err)
		}
	})
}

// "Send test" posts at once and shows the answer; after rolling the secret
// the old one no longer verifies.
func TestSendTestAndRollSecret(t *testing.T) {
	teststore.Each(t, func(t *testing.T, st herald.Store) {
		w := newWorld(t, st, herald.SystemClock{})
		rcv := newReceiver(t)
		c := w.add(t, herald.WebhookGeneric, rcv.URL)
		rcv.setSecret(c.Secret)
		d, err := w.svc.SendTest(t.Context(), w.manager, c.Endpoint.ID)
		must(t, err)
		if d.State != herald.DeliveryDelivered || !d.Test || len(d.Log) != 1 || d.Log[0].Status != 200 {
			t.Fatalf("test delivery = %+v", d)
		}
		var ev webhook.Event
		must(t, json.Unmarshal(rcv.next(t).body, &ev))
		if !ev.Test || len(rcv.refused()) != 0 {
			t.Fatalf("test event = %+v, refused %v", ev, rcv.refused())
		}
		secret, err := w.svc.RollSecret(t.Context(), w.manager, c.Endpoint.ID)
		must(t, err)
		if secret == c.Secret || !strings.HasPrefix(secret, "whsec_") {
			t.Fatalf("rolled secret %q", secret)
		}
		_, err = w.svc.SendTest(t.Context(), w.manager, c.Endpoint.ID)
		must(t, err)
		rcv.next(t)
		if len(rcv.refused()) != 1 {
			t.Fatal("the old secret still verifies after rolling")
		}
		rcv.setSecret(secret)
		_, err = w.svc.SendTest(t.Context(), w.manager, c.Endpoint.ID)
		must(t, err)
		rcv.next(t)
		if len(rcv.refused()) != 1 {
			t.Fatal("the new secret does not verify")
		}
		if ds := w.deliveries(t, c.Endpoint.ID); len(ds) != 3 || ds[0].ID < ds[2].ID {
			t.Fatalf("the log holds %d deliveries (newest first?): %+v", len(ds), ds)
		}
	})
}

// Discord's content and embed limits and Slack's block limits hold for
// long notifications, and mentions ping nobody.
func TestPayloadLimits(t *testing.T) {
	teststore.Each(t, func(t *testing.T, st herald.Store) {
		w := newWorld(t, st, herald.SystemClock{})
		n := w.note("long")
		n.Title = strings.Repeat("T", 400) + " @everyone"
		n.Message = "<!channel> & <@123> " + strings.Repeat("é", 5000)
		discord, slack := newReceiver(t), newReceiver(t)
		w.add(t, herald.WebhookDiscord, discord.URL)
		w.add(t, herald.WebhookSlack, slack.URL)
		runner(t, st, w.svc)
		n.At = time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC)
		must(t, w.svc.Deliver(t.Context(), n))
		var dc struct {
			Content string `json:"content"`
			Embeds  []struct {
				Title, Description, URL, Timestamp string
			} `json:"embeds"`
			AllowedMentions struct {
				Parse []string `json:"parse"`
			} `json:"allowed_mentions"`
		}
		must(t, json.Unmarshal(discord.next(t).body, &dc))
		e := dc.Embeds[0]
		if runes(dc.Content) > 2000 || runes(e.Title) > 256 || runes(e.Description) > 4096 ||
			runes(e.Title)+runes(e.Description) > 6000 || dc.AllowedMentions.Parse == nil ||
			e.URL != "https://herald.example/w/1/posts/40" || e.Timestamp != "2026-03-01T09:00:00Z" {
			t.Fatalf("discord content %d, title %d, description %d characters, url %q, time %q, mentions %v",
				runes(dc.Content), runes(e.Title), runes(e.Description), e.URL, e.Timestamp, dc.AllowedMentions.Parse)
		}
		var sl struct {
			Text   string `json:"text"`
			Blocks []struct {
				Type string `json:"type"`
				Text struct {
					Text string `json:"text"`
				} `json:"text"`
			} `json:"blocks"`
		}
		must(t, json.Unmarshal(slack.next(t).body, &sl))
		if runes(sl.Blocks[0].Text.Text) > 3000 || strings.Contains(sl.Text, "<!channel>") ||
			!strings.Contains(sl.Text, "&lt;!channel&gt;") {
			t.Fatalf("slack text = %.200q, section %d characters", sl.Text, runes(sl.Blocks[0].Text.Text))
		}
	})
}

func runes(s string) int { return len([]rune(s)) }
