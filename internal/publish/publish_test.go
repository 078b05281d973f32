package publish_test

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	dto "github.com/prometheus/client_model/go"

	"github.com/heraldsocial/herald/internal/connector"
	"github.com/heraldsocial/herald/internal/connector/fake"
	"github.com/heraldsocial/herald/internal/connector/fake/fakeserver"
	"github.com/heraldsocial/herald/internal/herald"
	"github.com/heraldsocial/herald/internal/publish"
)

func TestPublishesOnTimeExactlyOnce(t *testing.T) {
	eachStore(t, func(t *testing.T, open func(*testing.T) testStore) {
		h := newHarness(t, open(t), fakeserver.Config{Latency: 20 * time.Millisecond})
		accts := []herald.Account{h.account(t, "alice", "", ""), h.account(t, "bob", "", "")}
		due := time.Now().Add(1500 * time.Millisecond)
		var targets []herald.Target
		for i := range 40 {
			targets = append(targets, h.schedule(t, accts[i%2], due.Add(time.Duration(i%4)*100*time.Millisecond),
				herald.Variant{Text: fmt.Sprintf("post %d", i)}))
		}
		// One with an empty variant text publishes the post's text.
		base := h.schedule(t, accts[0], due, herald.Variant{})
		h.start(t, testConfig("one"), h.registry(nil))

		for _, tg := range append(targets, base) {
			got := h.waitState(t, tg.ID, herald.StatePublished)
			posts := h.posts(tg.ID)
			if len(posts) != 1 {
				t.Fatalf("target %d: %d posts on the platform, want 1", tg.ID, len(posts))
			}
			p := posts[0]
			if got.RemoteID != p.ID || got.RemoteURL == "" || got.PublishedAt == nil {
				t.Errorf("target %d: remote %q %q published %v; platform id %q", tg.ID, got.RemoteID, got.RemoteURL, got.PublishedAt, p.ID)
			}
			if p.ReceivedAt.Before(*tg.ScheduledAt) {
				t.Errorf("target %d reached the platform at %s, before its time %s", tg.ID, p.ReceivedAt, tg.ScheduledAt)
			}
			want := tg.Variant.Text
			if want == "" {
				want = "the post's base text"
			}
			if p.Text != want {
				t.Errorf("target %d published %q, want %q", tg.ID, p.Text, want)
			}
			as := h.attempts(t, tg.ID)
			if len(as) != 1 || as[0].Outcome != herald.OutcomePublished || as[0].RemoteID != p.ID || as[0].Instance != "one" {
				t.Errorf("target %d attempts = %+v", tg.ID, as)
			}
		}
		if n := h.srv.Ledger().Count(); n != len(targets)+1 {
			t.Errorf("the platform has %d posts, want %d", n, len(targets)+1)
		}
		h.noDuplicates(t)
	})
}

func TestThreadWithMediaAndFirstComment(t *testing.T) {
	eachStore(t, func(t *testing.T, open func(*testing.T) testStore) {
		h := newHarness(t, open(t), fakeserver.Config{})
		acct := h.account(t, "alice", "", "")
		img := h.media(t, "one.png", []byte("\x89PNG\r\n\x1a\nfake image bytes"))
		tg := h.schedule(t, acct, time.Now().Add(300*time.Millisecond), herald.Variant{
			Text: "part one", MediaIDs: []int64{img.ID},
			Thread:       []herald.ThreadPart{{Text: "part two"}, {Text: "part three"}},
			FirstComment: "the comment",
			Options:      map[string]string{"visibility": "unlisted"},
		})
		h.start(t, testConfig("one"), h.registry(nil))
		got := h.waitState(t, tg.ID, herald.StatePublished)

		posts := h.posts(tg.ID)
		if len(posts) != 4 {
			t.Fatalf("%d posts, want 4: %+v", len(posts), posts)
		}
		byKey := map[string]fakeserver.Post{}
		for _, p := range posts {
			byKey[p.HeraldKey] = p
		}
		k := func(s string) string { return fmt.Sprintf("herald-%s-%d-%s", h.installation, tg.ID, s) }
		p0, p1, p2, c := byKey[k("0")], byKey[k("1")], byKey[k("2")], byKey[k("c")]
		for _, tc := range []struct {
			name          string
			p             fakeserver.Post
			text, replyTo string
			media         int
		}{
			{"part 0", p0, "part one", "", 1},
			{"part 1", p1, "part two", p0.ID, 0},
			{"part 2", p2, "part three", p1.ID, 0},
			{"comment", c, "the comment", p0.ID, 0},
		} {
			if tc.p.ID == "" {
				t.Errorf("%s missing", tc.name)
				continue
			}
			if tc.p.Text != tc.text || tc.p.InReplyToID != tc.replyTo || len(tc.p.MediaIDs) != tc.media || tc.p.Visibility != "unlisted" {
				t.Errorf("%s = %+v; want text %q replying to %q with %d media", tc.name, tc.p, tc.text, tc.replyTo, tc.media)
			}
		}
		if p1.ReceivedAt.Before(p0.ReceivedAt) || p2.ReceivedAt.Before(p1.ReceivedAt) {
			t.Error("thread parts out of order")
		}
		if got.RemoteID != p0.ID || len(got.Progress.Parts) != 3 || got.Progress.FirstComment == nil ||
			got.Progress.Parts[2].ID != p2.ID || got.Progress.FirstComment.ID != c.ID {
			t.Errorf("target = remote %q progress %+v", got.RemoteID, got.Progress)
		}
		h.noDuplicates(t)
	})
}

func TestResumesAfterTheLastConfirmedPart(t *testing.T) {
	eachStore(t, func(t *testing.T, open func(*testing.T) testStore) {
		h := newHarness(t, open(t), fakeserver.Config{})
		acct := h.account(t, "alice", "", "")
		conn := fake.New(h.srv.Client())
		// Part 0 went out before a crash; the target knows it.
		first, err := conn.Publish(t.Context(), connector.Account{Account: acct,
			Credentials: fake.MarshalCredentials(fake.Credentials{BaseURL: h.url, AccessToken: "alice"})},
			connector.Part{Text: "part one", Key: "published-earlier"})
		if err != nil {
			t.Fatalf("publish part 0: %v", err)
		}
		tg := h.scheduleWith(t, acct, time.Now(), herald.Variant{Text: "part one",
			Thread: []herald.ThreadPart{{Text: "part two"}, {Text: "part three"}}},
			herald.Progress{Parts: []herald.RemoteRef{first}})
		h.start(t, testConfig("one"), h.registry(conn))
		got := h.waitState(t, tg.ID, herald.StatePublished)

		posts := h.posts(tg.ID)
		if len(posts) != 2 {
			t.Fatalf("%d new posts, want 2 (parts 1 and 2): %+v", len(posts), posts)
		}
		if posts[0].HeraldKey != publish.PartKey(h.installation, tg.ID, 1, false) || posts[0].InReplyToID != first.ID ||
			posts[1].HeraldKey != publish.PartKey(h.installation, tg.ID, 2, false) || posts[1].InReplyToID != posts[0].ID {
			t.Errorf("posts = %+v", posts)
		}
		if got.RemoteID != first.ID || len(got.Progress.Parts) != 3 {
			t.Errorf("target remote %q progress %+v", got.RemoteID, got.Progress)
		}
		if n := h.srv.Ledger().Count(); n != 3 {
			t.Errorf("the platform has %d posts, want 3", n)
		}
	})
}

func TestRetriesAServerErrorThenPublishes(t *testing.T) {
	eachStore(t, func(t *testing.T, open func(*testing.T) testStore) {
		h := newHarness(t, open(t), fakeserver.Config{ErrorRate: 1, ErrorStatus: 503})
		acct := h.account(t, "alice", "", "")
		tg := h.schedule(t, acct, time.Now(), herald.Variant{Text: "hello"})
		h.start(t, testConfig("one"), h.registry(nil))

		waitFor(t, "a 503", func() bool { return h.srv.Stats().Errors > 0 })
		if err := h.srv.Configure(fakeserver.Config{}); err != nil {
			t.Fatal(err)
		}
		h.waitState(t, tg.ID, herald.StatePublished)
		as := h.attempts(t, tg.ID)
		if len(as) < 2 || as[0].Outcome != herald.OutcomeTransient || as[0].HTTPStatus != 503 ||
			as[len(as)-1].Outcome != herald.OutcomePublished {
			t.Errorf("attempts = %+v", as)
		}
		if n := len(h.posts(tg.ID)); n != 1 {
			t.Errorf("%d posts, want 1", n)
		}
	})
}

func TestTransientErrorsFailAfterMaxAttempts(t *testing.T) {
	eachStore(t, func(t *testing.T, open func(*testing.T) testStore) {
		h := newHarness(t, open(t), fakeserver.Config{ErrorRate: 1, ErrorStatus: 502})
		acct := h.account(t, "alice", "", "")
		tg := h.schedule(t, acct, time.Now(), herald.Variant{Text: "hello"})
		cfg := testConfig("one")
		cfg.MaxAttempts = 3
		cfg.BackoffBase, cfg.BackoffCap = 10*time.Millisecond, 50*time.Millisecond
		h.start(t, cfg, h.registry(nil))
		got := h.waitState(t, tg.ID, herald.StateFailed)
		if !strings.Contains(got.LastError, "gave up after 3 attempts") {
			t.Errorf("last error = %q", got.LastError)
		}
		if n := len(h.attempts(t, tg.ID)); n != 3 {
			t.Errorf("%d attempts, want 3", n)
		}
		if len(h.notes.of(herald.NotifyTargetFailed)) != 1 {
			t.Errorf("notifications = %+v", h.notes.all)
		}
	})
}

func TestInvalidFailsWithThePlatformsMessage(t *testing.T) {
	eachStore(t, func(t *testing.T, open func(*testing.T) testStore) {
		h := newHarness(t, open(t), fakeserver.Config{MaxChars: 10})
		acct := h.account(t, "alice", "", "")
		tg := h.schedule(t, acct, time.Now(), herald.Variant{Text: "far longer than ten characters"})
		h.start(t, testConfig("one"), h.registry(nil))
		got := h.waitState(t, tg.ID, herald.StateFailed)
		if !strings.Contains(got.LastError, "Text character limit of 10 exceeded") {
			t.Errorf("last error = %q, want the platform's message", got.LastError)
		}
		as := h.attempts(t, tg.ID)
		if len(as) != 1 || as[0].Outcome != herald.OutcomeInvalid || as[0].HTTPStatus != 422 {
			t.Errorf("attempts = %+v", as)
		}
		if ns := h.notes.of(herald.NotifyTargetFailed); len(ns) != 1 || ns[0].TargetID != tg.ID {
			t.Errorf("failure notifications = %+v", ns)
		}
		if h.srv.Ledger().Count() != 0 {
			t.Error("something was published")
		}
	})
}

func TestRateLimitBlocksOnlyThatAccount(t *testing.T) {
	eachStore(t, func(t *testing.T, open func(*testing.T) testStore) {
		const window = 4 * time.Second
		h := newHarness(t, open(t), fakeserver.Config{RateLimit: 2, RateWindow: window})
		alice, bob := h.account(t, "alice", "", ""), h.account(t, "bob", "", "")
		start := time.Now().Add(500 * time.Millisecond)
		a1 := h.schedule(t, alice, start, herald.Variant{Text: "a1"})
		a2 := h.schedule(t, alice, start, herald.Variant{Text: "a2"})
		a3 := h.schedule(t, alice, start.Add(time.Second), herald.Variant{Text: "a3"})   // over the limit: 429
		a4 := h.schedule(t, alice, start.Add(2*time.Second), herald.Variant{Text: "a4"}) // must wait without a request
		b1 := h.schedule(t, bob, start.Add(time.Second), herald.Variant{Text: "b1"})
		h.start(t, testConfig("one"), h.registry(nil))

		for _, tg := range []herald.Target{a1, a2, a3, a4, b1} {
			h.waitState(t, tg.ID, herald.StatePublished)
		}
		first := func(id int64) fakeserver.Post {
			t.Helper()
			ps := h.posts(id)
			if len(ps) != 1 {
				t.Fatalf("target %d has %d posts, want 1", id, len(ps))
			}
			return ps[0]
		}
		p1, p2 := first(a1.ID), first(a2.ID)
		reset := p1.ReceivedAt
		if p2.ReceivedAt.Before(reset) {
			reset = p2.ReceivedAt
		}
		reset = reset.Add(window)
		for _, id := range []int64{a3.ID, a4.ID} {
			if got := first(id).ReceivedAt; got.Before(reset) {
				t.Errorf("target %d reached the platform at %s, before the rate limit reset at %s", id, got, reset)
			}
		}
		if got := first(b1.ID).ReceivedAt; !got.Before(reset) {
			t.Errorf("bob's post waited for alice's limit (at %s, reset %s)", got, reset)
		}
		if n := h.srv.Stats().RateLimited; n != 1 {
			t.Errorf("the platform answered 429 %d times, want once (no requests while blocked)", n)
		}
		// a4 came due while alice was blocked: held back without a claim,
		// so its only attempt is the one that published it.
		if as := h.attempts(t, a4.ID); len(as) != 1 || as[0].Outcome != herald.OutcomePublished {
			t.Errorf("a4 attempts = %+v, want one, published (holding back writes none)", as)
		}
		h.noDuplicates(t)
	})
}

// hideAbilities keeps only Publish of a connector: no lookups, no
// idempotency.
type hideAbilities struct{ connector.Publisher }

func TestAcceptThenTimeOut(t *testing.T) {
	for _, tc := range []struct {
		name        string
		platform    fakeserver.Config
		conn        func(h *harness) connector.Publisher
		want        herald.TargetState
		wantOutcome herald.AttemptOutcome // of the first attempt
	}{
		{"idempotency key", fakeserver.Config{Idempotency: true},
			func(h *harness) connector.Publisher { return fake.New(h.srv.Client(), fake.WithIdempotency(true)) },
			herald.StatePublished, herald.OutcomeAmbiguous},
		{"lookup", fakeserver.Config{Lookup: true},
			func(h *harness) connector.Publisher { return fake.New(h.srv.Client()) },
			herald.StatePublished, herald.OutcomeReconciled},
		{"platform cannot list posts", fakeserver.Config{},
			func(h *harness) connector.Publisher { return fake.New(h.srv.Client()) },
			herald.StateUnconfirmed, herald.OutcomeAmbiguous},
		{"connector cannot reconcile", fakeserver.Config{Lookup: true},
			func(h *harness) connector.Publisher { return hideAbilities{fake.New(h.srv.Client())} },
			herald.StateUnconfirmed, herald.OutcomeAmbiguous},
	} {
		t.Run(tc.name, func(t *testing.T) {
			eachStore(t, func(t *testing.T, open func(*testing.T) testStore) {
				stalling := tc.platform
				stalling.TimeoutRate, stalling.TimeoutDelay = 1, 30*time.Second
				h := newHarness(t, open(t), stalling)
				acct := h.account(t, "alice", "", "")
				tg := h.schedule(t, acct, time.Now(), herald.Variant{Text: "hello"})
				cfg := testConfig("one")
				cfg.CallTimeout = 500 * time.Millisecond
				h.start(t, cfg, h.registry(tc.conn(h)))

				waitFor(t, "the accepted post", func() bool { return h.srv.Ledger().Count() > 0 })
				if err := h.srv.Configure(tc.platform); err != nil { // answers again
					t.Fatal(err)
				}
				got := h.waitState(t, tg.ID, tc.want)
				if n := h.srv.Ledger().Count(); n != 1 {
					t.Errorf("the platform has %d posts, want exactly 1", n)
				}
				h.noDuplicates(t)
				as := h.attempts(t, tg.ID)
				if len(as) == 0 || as[0].Outcome != tc.wantOutcome {
					t.Errorf("attempts = %+v, want the first %s", as, tc.wantOutcome)
				}
				switch tc.want {
				case herald.StatePublished:
					if got.RemoteID != h.srv.Ledger().Posts()[0].ID {
						t.Errorf("remote id %q, platform %+v", got.RemoteID, h.srv.Ledger().Posts())
					}
				case herald.StateUnconfirmed:
					if ns := h.notes.of(herald.NotifyTargetUnconfirmed); len(ns) != 1 || ns[0].TargetID != tg.ID {
						t.Errorf("unconfirmed notifications = %+v", ns)
					}
				}
			})
		})
	}
}

func TestExpiredTokenIsRefreshed(t *testing.T) {
	eachStore(t, func(t *testing.T, open func(*testing.T) testStore) {
		h := newHarness(t, open(t), fakeserver.Config{Tokens: []fakeserver.Token{{Account: "alice",
			AccessToken: "old-access", RefreshToken: "the-refresh", ExpiresAt: time.Now().Add(-time.Minute)}}})
		acct := h.account(t, "alice", "old-access", "the-refresh")
		// Two targets hit the expired token together: one refresh serves both.
		t1 := h.schedule(t, acct, time.Now(), herald.Variant{Text: "one"})
		t2 := h.schedule(t, acct, time.Now(), herald.Variant{Text: "two"})
		h.start(t, testConfig("one"), h.registry(nil))
		h.waitState(t, t1.ID, herald.StatePublished)
		h.waitState(t, t2.ID, herald.StatePublished)

		stored, err := h.store.GetAccount(t.Context(), h.ws.ID, acct.ID)
		if err != nil {
			t.Fatal(err)
		}
		if stored.Status != herald.AccountConnected || stored.TokenExpiresAt == nil {
			t.Errorf("account status %s, token expiry %v", stored.Status, stored.TokenExpiresAt)
		}
		plain, err := h.kr.Open(stored.Credentials, stored.CredentialsAAD())
		if err != nil {
			t.Fatalf("open stored credentials: %v", err)
		}
		if !strings.Contains(string(plain), `"refresh_token":"the-refresh"`) || strings.Contains(string(plain), "old-access") {
			t.Errorf("stored credentials = %s", plain)
		}
		if n := h.srv.Ledger().Count(); n != 2 {
			t.Errorf("%d posts, want 2", n)
		}
		if n := len(h.srv.Config().Tokens); n > 3 {
			t.Errorf("%d tokens after refreshing, want one refresh (2 tokens), at most 3", n)
		}
	})
}

func TestRevokedAccountWaits(t *testing.T) {
	eachStore(t, func(t *testing.T, open func(*testing.T) testStore) {
		h := newHarness(t, open(t), fakeserver.Config{Tokens: []fakeserver.Token{
			{Account: "alice", AccessToken: "gone", Revoked: true},
			{Account: "bob", AccessToken: "bob-token"}}})
		alice := h.account(t, "alice", "gone", "")
		bob := h.account(t, "bob", "bob-token", "")
		ta := h.schedule(t, alice, time.Now(), herald.Variant{Text: "alice"})
		tb := h.schedule(t, bob, time.Now(), herald.Variant{Text: "bob"})
		h.start(t, testConfig("one"), h.registry(nil))
		h.waitState(t, tb.ID, herald.StatePublished)
		waitFor(t, "the account revoked", func() bool {
			a, err := h.store.GetAccount(t.Context(), h.ws.ID, alice.ID)
			return err == nil && a.Status == herald.AccountRevoked
		})
		got := h.waitState(t, ta.ID, herald.StateRetrying)
		if len(h.posts(ta.ID)) != 0 {
			t.Error("alice's post was published")
		}
		a, _ := h.store.GetAccount(t.Context(), h.ws.ID, alice.ID)
		if a.StatusReason == "" || a.Credentials.Empty() {
			t.Errorf("account = %+v", a)
		}
		if ns := h.notes.of(herald.NotifyAccountRevoked); len(ns) != 1 || ns[0].AccountID != alice.ID {
			t.Errorf("revocation notifications = %+v", ns)
		}
		// It waits: no further attempts while the account is revoked.
		n := len(h.attempts(t, ta.ID))
		time.Sleep(1500 * time.Millisecond)
		if m := len(h.attempts(t, ta.ID)); m != n || got.State != herald.StateRetrying {
			t.Errorf("%d attempts became %d while the account is revoked", n, m)
		}
	})
}

func TestRecoveredLeaseIsReconciled(t *testing.T) {
	eachStore(t, func(t *testing.T, open func(*testing.T) testStore) {
		h := newHarness(t, open(t), fakeserver.Config{Lookup: true, TimeoutRate: 1, TimeoutDelay: time.Minute})
		acct := h.account(t, "alice", "", "")
		tg := h.schedule(t, acct, time.Now(), herald.Variant{Text: "hello"})
		// The first instance sends, the platform records the post and holds
		// the answer; the instance stops without waiting (it "dies").
		cfg := testConfig("first")
		cfg.Lease, cfg.CallTimeout, cfg.Grace = 2*time.Second, time.Second, time.Millisecond
		first := h.start(t, cfg, h.registry(nil))
		waitFor(t, "the accepted post", func() bool { return h.srv.Ledger().Count() > 0 })
		first.Stop()
		if st := h.target(t, tg.ID).State; st != herald.StatePublishing {
			t.Fatalf("after the first instance died the target is %s, want publishing", st)
		}
		if err := h.srv.Configure(fakeserver.Config{Lookup: true}); err != nil {
			t.Fatal(err)
		}
		// The second instance takes the expired lease over and reconciles.
		h.start(t, testConfig("second"), h.registry(nil))
		got := h.waitState(t, tg.ID, herald.StatePublished)
		if n := h.srv.Ledger().Count(); n != 1 {
			t.Errorf("the platform has %d posts, want exactly 1", n)
		}
		if got.RemoteID != h.srv.Ledger().Posts()[0].ID {
			t.Errorf("remote id %q", got.RemoteID)
		}
		as := h.attempts(t, tg.ID)
		last := as[len(as)-1]
		if last.Instance != "second" || last.Outcome != herald.OutcomeReconciled {
			t.Errorf("attempts = %+v", as)
		}
	})
}

func TestRecoveredLeaseNeverSentIsPublishedOnce(t *testing.T) {
	eachStore(t, func(t *testing.T, open func(*testing.T) testStore) {
		h := newHarness(t, open(t), fakeserver.Config{Lookup: true})
		acct := h.account(t, "alice", "", "")
		tg := h.schedule(t, acct, time.Now().Add(-time.Second), herald.Variant{Text: "hello"})
		// An instance claimed it and died before any call.
		now := time.Now().UTC()
		claims, err := h.store.ClaimTargets(t.Context(), []int64{tg.ID}, "ghost", now, now.Add(300*time.Millisecond))
		if err != nil || len(claims) != 1 {
			t.Fatalf("ClaimTargets = %v, %v", claims, err)
		}
		h.start(t, testConfig("second"), h.registry(nil))
		h.waitState(t, tg.ID, herald.StatePublished)
		if n := h.srv.Ledger().Count(); n != 1 {
			t.Errorf("%d posts, want 1", n)
		}
	})
}

func TestHeldAndPausedNeverPublish(t *testing.T) {
	eachStore(t, func(t *testing.T, open func(*testing.T) testStore) {
		h := newHarness(t, open(t), fakeserver.Config{})
		ctx := t.Context()
		alice, paused := h.account(t, "alice", "", ""), h.account(t, "paused", "", "")
		now := time.Now()
		held := h.schedule(t, alice, now.Add(200*time.Millisecond), herald.Variant{Text: "held"})
		onPaused := h.schedule(t, paused, now.Add(200*time.Millisecond), herald.Variant{Text: "paused account"})
		if _, err := h.store.HoldTargets(ctx, h.ws.ID, []int64{held.ID}, &h.user.ID, "crisis", time.Now().UTC()); err != nil {
			t.Fatalf("HoldTargets: %v", err)
		}
		pausedAt := time.Now().UTC().Truncate(time.Microsecond)
		p, err := h.store.GetAccount(ctx, h.ws.ID, paused.ID)
		if err != nil {
			t.Fatal(err)
		}
		p.PausedAt = &pausedAt
		if err := h.store.UpdateAccount(ctx, &p); err != nil {
			t.Fatalf("pause the account: %v", err)
		}
		// A second workspace paused as a whole.
		other := newHarness(t, h.store, fakeserver.Config{})
		other.srv, other.url = h.srv, h.url
		carol := other.account(t, "carol", "", "")
		inPaused := other.schedule(t, carol, now.Add(200*time.Millisecond), herald.Variant{Text: "paused workspace"})
		if err := h.store.SetPublishingPaused(ctx, other.ws.ID, &pausedAt); err != nil {
			t.Fatalf("SetPublishingPaused: %v", err)
		}
		control := h.schedule(t, alice, now.Add(time.Second), herald.Variant{Text: "control"})

		d := h.start(t, testConfig("one"), h.registry(nil))
		h.waitState(t, control.ID, herald.StatePublished)
		time.Sleep(time.Second) // the others were due well before the control
		for _, tc := range []struct {
			name string
			h    *harness
			id   int64
			want herald.TargetState
		}{{"held", h, held.ID, herald.StateHeld}, {"paused account", h, onPaused.ID, herald.StateScheduled},
			{"paused workspace", other, inPaused.ID, herald.StateScheduled}} {
			if got := tc.h.target(t, tc.id); got.State != tc.want || len(h.posts(tc.id)) != 0 {
				t.Errorf("%s: state %s with %d posts, want %s and none", tc.name, got.State, len(h.posts(tc.id)), tc.want)
			}
		}
		// Resumed, the held target goes out (its time has passed).
		if _, err := h.store.ResumeTargets(ctx, h.ws.ID, []int64{held.ID}, false, &h.user.ID, time.Now().UTC()); err != nil {
			t.Fatalf("ResumeTargets: %v", err)
		}
		d.Wake()
		h.waitState(t, held.ID, herald.StatePublished)
		if n := h.srv.Ledger().Count(); n != 2 {
			t.Errorf("the platform has %d posts, want 2 (control and the resumed one)", n)
		}
		if slices.ContainsFunc(h.srv.Ledger().Posts(), func(p fakeserver.Post) bool { return p.Account != "alice" }) {
			t.Error("a paused account or workspace published")
		}
	})
}

func TestStartValidates(t *testing.T) {
	eachStore(t, func(t *testing.T, open func(*testing.T) testStore) {
		h := newHarness(t, open(t), fakeserver.Config{})
		d := h.start(t, testConfig("one"), h.registry(nil))
		if err := d.Healthy(); err != nil {
			t.Errorf("Healthy = %v", err)
		}
		if err := d.Start(t.Context()); herald.ErrorCode(err) != herald.CodeConflict {
			t.Errorf("second Start = %v, want a conflict", err)
		}
		if len(d.Collectors()) < 4 {
			t.Errorf("Collectors = %d", len(d.Collectors()))
		}
		d.Stop()
		d.Stop()
		if err := d.Healthy(); err == nil {
			t.Error("Healthy after Stop = nil")
		}
		bad := publish.New(publish.Config{Lease: -time.Second}, publish.Deps{})
		err := bad.Start(t.Context())
		var he *herald.Error
		if !errors.As(err, &he) || he.Code != herald.CodeInvalid {
			t.Fatalf("Start with a bad configuration = %v, want invalid", err)
		}
		for _, want := range []string{"instance", "lease", "store", "connectors"} {
			if !strings.Contains(err.Error(), want) {
				t.Errorf("error %q does not name %s", err, want)
			}
		}
	})
}

func TestStopFlushesCompletions(t *testing.T) {
	eachStore(t, func(t *testing.T, open func(*testing.T) testStore) {
		h := newHarness(t, open(t), fakeserver.Config{Latency: 500 * time.Millisecond})
		acct := h.account(t, "alice", "", "")
		tg := h.schedule(t, acct, time.Now(), herald.Variant{Text: "hello"})
		d := h.start(t, testConfig("one"), h.registry(nil))
		waitFor(t, "the request", func() bool { return h.srv.Ledger().Count() > 0 })
		d.Stop() // the call is still waiting for its answer
		if got := h.target(t, tg.ID); got.State != herald.StatePublished || got.RemoteID == "" {
			t.Errorf("after Stop the target is %s (remote %q), want published", got.State, got.RemoteID)
		}
	})
}

func TestLateTargetsAreReported(t *testing.T) {
	eachStore(t, func(t *testing.T, open func(*testing.T) testStore) {
		h := newHarness(t, open(t), fakeserver.Config{})
		acct := h.account(t, "alice", "", "")
		late := h.schedule(t, acct, time.Now().Add(-45*time.Second), herald.Variant{Text: "late"})
		onTime := h.schedule(t, acct, time.Now().Add(200*time.Millisecond), herald.Variant{Text: "on time"})
		d := h.start(t, testConfig("one"), h.registry(nil))
		h.waitState(t, late.ID, herald.StatePublished)
		h.waitState(t, onTime.ID, herald.StatePublished)
		ns := h.notes.of(herald.NotifyTargetOverdue)
		if len(ns) != 1 || ns[0].TargetID != late.ID || ns[0].WorkspaceID != h.ws.ID {
			t.Errorf("overdue notifications = %+v, want one for target %d", ns, late.ID)
		}
		reg := prometheus.NewRegistry()
		for _, c := range d.Collectors() {
			if err := reg.Register(c); err != nil {
				t.Fatalf("Register: %v", err)
			}
		}
		mfs, err := reg.Gather()
		if err != nil {
			t.Fatal(err)
		}
		got := map[string]*dto.MetricFamily{}
		for _, mf := range mfs {
			got[mf.GetName()] = mf
		}
		if h := got["herald_publish_lateness_seconds"]; h == nil || h.GetMetric()[0].GetHistogram().GetSampleCount() != 2 {
			t.Errorf("lateness histogram = %v", h)
		}
		var published float64
		for _, m := range got["herald_publish_outcomes_total"].GetMetric() {
			labels := map[string]string{}
			for _, l := range m.GetLabel() {
				labels[l.GetName()] = l.GetValue()
			}
			if labels["platform"] == "fake" && labels["outcome"] == "published" {
				published = m.GetCounter().GetValue()
			}
		}
		if published != 2 {
			t.Errorf("published outcomes = %v, want 2", published)
		}
		for _, name := range []string{"herald_publish_oldest_overdue_seconds", "herald_publish_in_flight", "herald_publish_tracked_targets"} {
			if got[name] == nil {
				t.Errorf("metric %s missing", name)
			}
		}
	})
}

// stepClock is the real clock moved forward by a settable offset.
type stepClock struct {
	mu     sync.Mutex
	offset time.Duration
}

func (c *stepClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return time.Now().UTC().Add(c.offset).Truncate(time.Microsecond)
}

func (c *stepClock) advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.offset += d
}

// stuckClaims is a store whose ClaimTargets hangs until released.
type stuckClaims struct {
	testStore
	entered chan struct{}
	release chan struct{}
}

func (s *stuckClaims) ClaimTargets(ctx context.Context, ids []int64, owner string, now, leaseUntil time.Time) ([]herald.Claim, error) {
	select {
	case s.entered <- struct{}{}:
	default:
	}
	<-s.release
	return s.testStore.ClaimTargets(ctx, ids, owner, now, leaseUntil)
}

func TestHealthyReportsAStuckLoop(t *testing.T) {
	eachStore(t, func(t *testing.T, open func(*testing.T) testStore) {
		store := &stuckClaims{testStore: open(t), entered: make(chan struct{}, 1), release: make(chan struct{})}
		h := newHarness(t, store, fakeserver.Config{})
		acct := h.account(t, "alice", "", "")
		tg := h.schedule(t, acct, time.Now(), herald.Variant{Text: "hello"})
		clock := &stepClock{}
		cfg := testConfig("one")
		cfg.Lease = 10 * time.Minute // the clock jump must not end the lease
		d := publish.New(cfg, publish.Deps{Store: store, Connectors: h.registry(nil),
			Open: h.kr.Open, Seal: h.kr.Seal, OpenMedia: h.openMedia, Clock: clock,
			Logger: slog.New(slog.NewTextHandler(h.logs, nil))})
		if err := d.Start(t.Context()); err != nil {
			t.Fatal(err)
		}
		t.Cleanup(d.Stop)
		<-store.entered
		if err := d.Healthy(); err != nil {
			t.Errorf("Healthy right after the loop ticked = %v", err)
		}
		clock.advance(time.Minute)
		waitFor(t, "the heap to show the target due", func() bool { return d.Healthy() != nil })
		if err := d.Healthy(); !strings.Contains(err.Error(), "has not") {
			t.Errorf("Healthy = %v, want publishing reported stuck", err)
		}
		close(store.release)
		h.waitState(t, tg.ID, herald.StatePublished)
		waitFor(t, "the loop healthy again", func() bool { return d.Healthy() == nil })
	})
}

func TestFailedRefreshExpiresTheAccountAndKeepsItsTokens(t *testing.T) {
	eachStore(t, func(t *testing.T, open func(*testing.T) testStore) {
		h := newHarness(t, open(t), fakeserver.Config{Tokens: []fakeserver.Token{{Account: "alice",
			AccessToken: "old-access", RefreshToken: "known-refresh", ExpiresAt: time.Now().Add(-time.Minute)}}})
		acct := h.account(t, "alice", "old-access", "unknown-refresh")
		t1 := h.schedule(t, acct, time.Now(), herald.Variant{Text: "one"})
		t2 := h.schedule(t, acct, time.Now(), herald.Variant{Text: "two"})
		h.start(t, testConfig("one"), h.registry(nil))
		h.waitState(t, t1.ID, herald.StateRetrying)
		h.waitState(t, t2.ID, herald.StateRetrying)
		stored, err := h.store.GetAccount(t.Context(), h.ws.ID, acct.ID)
		if err != nil {
			t.Fatal(err)
		}
		if stored.Status != herald.AccountExpired || !strings.Contains(stored.StatusReason, "reconnect") {
			t.Errorf("account status %s (%q), want expired", stored.Status, stored.StatusReason)
		}
		plain, err := h.kr.Open(stored.Credentials, stored.CredentialsAAD())
		if err != nil || !strings.Contains(string(plain), `"refresh_token":"unknown-refresh"`) {
			t.Errorf("stored credentials = %s, %v; the refresh token must be kept", plain, err)
		}
		if ns := h.notes.of(herald.NotifyAccountExpired); len(ns) != 1 || ns[0].AccountID != acct.ID {
			t.Errorf("expiry notifications = %+v, want one", ns)
		}
		if h.srv.Ledger().Count() != 0 {
			t.Error("something was published")
		}
	})
}
