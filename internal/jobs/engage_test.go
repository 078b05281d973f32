package jobs_test

import (
	"strings"
	"testing"
	"time"

	"github.com/heraldsocial/herald/internal/connector"
	"github.com/heraldsocial/herald/internal/connector/fake"
	"github.com/heraldsocial/herald/internal/herald"
	"github.com/heraldsocial/herald/internal/jobs"
)

// postAs publishes text on the fake platform as account (the platform
// accepts any token as its own account), replying to replyTo if set.
func postAs(t *testing.T, base, account, text, replyTo string) herald.RemoteRef {
	t.Helper()
	c := fake.New(nil)
	acct := connector.Account{Credentials: fake.MarshalCredentials(fake.Credentials{BaseURL: base, AccessToken: account})}
	p := connector.Part{Text: text}
	if replyTo != "" {
		p.ReplyTo = &herald.RemoteRef{ID: replyTo}
	}
	ref, err := c.Publish(t.Context(), acct, p)
	if err != nil {
		t.Fatalf("publish as %s: %v", account, err)
	}
	return ref
}

// mustPublishedTarget stores a post whose target on acct was published at
// publishedAt as ref.
func mustPublishedTarget(t *testing.T, st herald.Store, acct herald.Account, ref herald.RemoteRef, publishedAt time.Time) herald.Target {
	t.Helper()
	ctx := t.Context()
	u := herald.User{Email: "author-" + strings.ToLower(ref.ID) + "@example.com", Name: "Author"}
	if err := st.CreateUser(ctx, &u); err != nil {
		t.Fatalf("CreateUser: %v", err)
	}
	p := herald.Post{WorkspaceID: acct.WorkspaceID, AuthorID: u.ID, Text: "ours",
		Targets: []herald.Target{{AccountID: acct.ID, State: herald.StateDraft}}}
	if err := st.CreatePost(ctx, &p); err != nil {
		t.Fatalf("CreatePost: %v", err)
	}
	tg := p.Targets[0]
	sched := publishedAt.Add(-time.Minute)
	tg.ScheduledAt = &sched
	for _, to := range []herald.TargetState{herald.StateScheduled, herald.StatePublishing, herald.StatePublished} {
		if to == herald.StatePublished {
			tg.RemoteID, tg.RemoteURL, tg.PublishedAt = ref.ID, ref.URL, &publishedAt
		}
		tr, err := tg.Transition(to, nil, "", publishedAt)
		if err != nil {
			t.Fatalf("Transition: %v", err)
		}
		if err := st.TransitionTarget(ctx, &tg, tr); err != nil {
			t.Fatalf("TransitionTarget: %v", err)
		}
	}
	return tg
}

func TestCollectMetricsAndSyncInbox(t *testing.T) {
	for _, drv := range drivers() {
		t.Run(drv.name, func(t *testing.T) {
			st := drv.open(t)
			d, notes := deps(t, st)
			ctx := t.Context()
			_, base := startPlatform(t)
			w := mustWorkspace(t, st)
			creds := func(token string) []byte {
				return fake.MarshalCredentials(fake.Credentials{BaseURL: base, AccessToken: token})
			}
			alice := mustAccount(t, st, d.Keys, herald.Account{WorkspaceID: w.ID, Platform: herald.PlatformFake,
				RemoteID: "alice", Status: herald.AccountConnected}, creds("alice"))
			// A token the platform will refuse once tokens are configured is
			// not possible in open mode, so the revoked case uses a bad address.
			broken := mustAccount(t, st, d.Keys, herald.Account{WorkspaceID: w.ID, Platform: herald.PlatformFake,
				RemoteID: "broken", Status: herald.AccountConnected}, []byte(`{"base_url":"not a url","access_token":"x"}`))

			now := time.Now().UTC().Truncate(time.Microsecond)
			ours := postAs(t, base, "alice", "hello from Herald", "")
			fresh := postAs(t, base, "alice", "too fresh to measure", "")
			target := mustPublishedTarget(t, st, alice, ours, now.Add(-20*time.Minute))
			freshTarget := mustPublishedTarget(t, st, alice, fresh, now.Add(-time.Minute))
			brokenRef := postAs(t, base, "broken", "never measured", "")
			mustPublishedTarget(t, st, broken, brokenRef, now.Add(-20*time.Minute))

			// Bob replies to Herald's post and favourites it; Cy names alice.
			reply := postAs(t, base, "bob", "@alice nice post", ours.ID)
			req := fake.New(nil)
			if err := req.Like(ctx, connector.Account{Credentials: creds("bob")}, ours); err != nil {
				t.Fatalf("bob likes: %v", err)
			}
			mention := postAs(t, base, "cy", "hey @alice, look", "")
			postAs(t, base, "cy", "nothing about anyone", "")

			mustStart(t, jobs.Config{MetricsEvery: time.Hour, InboxEvery: time.Hour}, d)

			waitFor(t, "a metric snapshot", func() (bool, error) {
				ms, err := st.ListMetricSnapshots(ctx, w.ID, target.ID)
				return len(ms) > 0, err
			})
			ms, err := st.ListMetricSnapshots(ctx, w.ID, target.ID)
			if err != nil {
				t.Fatal(err)
			}
			if len(ms) != 1 || ms[0].Likes != 1 || ms[0].Replies != 1 || ms[0].Reposts != 0 || ms[0].Quotes != -1 || ms[0].Impressions != -1 {
				t.Fatalf("snapshots %+v, want one with 1 like, 1 reply, 0 reposts, -1 quotes and impressions", ms)
			}
			if fm, err := st.ListMetricSnapshots(ctx, w.ID, freshTarget.ID); err != nil || len(fm) != 0 {
				t.Fatalf("a post published a minute ago was measured: %v %v", fm, err)
			}

			var items []herald.InboxItem
			waitFor(t, "two inbox items", func() (bool, error) {
				var err error
				items, _, err = st.ListInbox(ctx, herald.InboxFilter{WorkspaceID: w.ID})
				return len(items) >= 2, err
			})
			if len(items) != 2 {
				t.Fatalf("inbox has %d items, want 2: %+v", len(items), items)
			}
			byRemote := map[string]herald.InboxItem{}
			for _, it := range items {
				byRemote[it.RemoteID] = it
			}
			r, m := byRemote[reply.ID], byRemote[mention.ID]
			if r.TargetID == nil || *r.TargetID != target.ID || r.ReplyToRemoteID != ours.ID || r.AuthorHandle != "@bob" ||
				r.Text != "@alice nice post" || r.AccountID != alice.ID {
				t.Fatalf("reply item %+v, want bob's reply to target %d", r, target.ID)
			}
			if m.TargetID != nil || m.AuthorHandle != "@cy" || m.URL == "" || m.CreatedAt.IsZero() {
				t.Fatalf("mention item %+v", m)
			}
			a, err := st.GetAccount(ctx, w.ID, alice.ID)
			if err != nil {
				t.Fatal(err)
			}
			if a.InboxCursor != mention.ID {
				t.Fatalf("inbox cursor %q, want the newest mention %s", a.InboxCursor, mention.ID)
			}
			// The broken account's credentials name no platform: it must be
			// reconnected, and people are told.
			waitFor(t, "the broken account marked", func() (bool, error) {
				b, err := st.GetAccount(ctx, w.ID, broken.ID)
				return b.Status == herald.AccountRevoked, err
			})
			found := false
			for _, n := range notes.all() {
				found = found || (n.kind == herald.NotifyAccountRevoked && strings.Contains(n.message, "reconnect"))
			}
			if !found {
				t.Fatalf("no revoked notification: %+v", notes.all())
			}
		})
	}
}

func TestEngagementConfig(t *testing.T) {
	cases := []struct {
		name  string
		cfg   jobs.Config
		field string
	}{
		{"metrics too often", jobs.Config{MetricsEvery: time.Millisecond}, "metrics_every"},
		{"inbox too often", jobs.Config{InboxEvery: time.Millisecond}, "inbox_every"},
		{"negative batch", jobs.Config{MetricsBatch: -1}, "metrics_batch"},
		{"negative timeout", jobs.Config{CallTimeout: -time.Second}, "call_timeout"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			_, err := jobs.New(tc.cfg, jobs.Deps{Store: mustSQLite(t), Connectors: connector.NewRegistry(), Keys: mustKeys(t)})
			he, ok := err.(*herald.Error)
			if !ok {
				t.Fatalf("got %v, want an invalid configuration", err)
			}
			for _, d := range he.Details {
				if d.Field == tc.field {
					return
				}
			}
			t.Fatalf("details %+v do not name %s", he.Details, tc.field)
		})
	}
}

// An author who writes again to an account reopens their latest earlier
// item once it was set aside.
func TestSyncInboxReopensWhenTheAuthorWritesAgain(t *testing.T) {
	for _, drv := range drivers() {
		t.Run(drv.name, func(t *testing.T) {
			st := drv.open(t)
			d, _ := deps(t, st)
			ctx := t.Context()
			_, base := startPlatform(t)
			w := mustWorkspace(t, st)
			alice := mustAccount(t, st, d.Keys, herald.Account{WorkspaceID: w.ID, Platform: herald.PlatformFake,
				RemoteID: "alice", Status: herald.AccountConnected},
				fake.MarshalCredentials(fake.Credentials{BaseURL: base, AccessToken: "alice"}))
			first := postAs(t, base, "bob", "@alice is anyone there?", "")
			mustStart(t, jobs.Config{MetricsEvery: -1, InboxEvery: jobs.MinEvery, InboxActiveEvery: jobs.MinEvery}, d)
			var items []herald.InboxItem
			waitFor(t, "bob's first item", func() (bool, error) {
				var err error
				items, _, err = st.ListInbox(ctx, herald.InboxFilter{WorkspaceID: w.ID})
				return len(items) == 1, err
			})
			if items[0].RemoteID != first.ID || items[0].State != herald.InboxOpen {
				t.Fatalf("first sync gave %+v, want bob's open item", items[0])
			}
			if err := st.SetInboxState(ctx, w.ID, []int64{items[0].ID}, herald.InboxDone, 0, time.Now()); err != nil {
				t.Fatal(err)
			}
			again := postAs(t, base, "bob", "@alice hello again", "")
			waitFor(t, "bob's second item", func() (bool, error) {
				var err error
				items, _, err = st.ListInbox(ctx, herald.InboxFilter{WorkspaceID: w.ID, AccountID: alice.ID})
				return len(items) == 2, err
			})
			if items[0].RemoteID != again.ID || items[0].State != herald.InboxOpen {
				t.Fatalf("second item %+v, want bob's new open item", items[0])
			}
			if items[1].State != herald.InboxOpen || items[1].StateChangedAt == nil {
				t.Fatalf("bob's done item stayed %q after he wrote again", items[1].State)
			}
		})
	}
}
