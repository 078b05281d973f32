package jobs_test

import (
	"fmt"
	"net/http"
	"net/url"
	"testing"
	"time"

	"github.com/heraldsocial/herald/internal/connector"
	"github.com/heraldsocial/herald/internal/connector/bluesky"
	"github.com/heraldsocial/herald/internal/connector/bluesky/blueskytest"
	"github.com/heraldsocial/herald/internal/herald"
	"github.com/heraldsocial/herald/internal/jobs"
)

// appViewPatience is how long the AppView may take to index what was
// just written.
const appViewPatience = 30 * time.Second

// TestInteropBlueskyMetrics runs collect_metrics and snapshot_accounts, as
// Herald runs them, against a real local Bluesky network (PDS, PLC and
// AppView): alice publishes through Herald's connector; bob likes,
// reposts, replies to and quotes the post, quotes another of hers with a
// link card of his own (app.bsky.embed.recordWithMedia) and follows
// alice. Once the AppView counts them, the jobs must store what it
// reports: one of each, impressions not given (Bluesky has none), and
// alice's followers, following and posts as her profile says.
func TestInteropBlueskyMetrics(t *testing.T) {
	env := blueskytest.Start(t)
	if len(env.Accounts) < 2 {
		t.Fatalf("the dev-env has %d accounts; want 2", len(env.Accounts))
	}
	ctx := t.Context()
	c := bluesky.New(&http.Client{Timeout: 30 * time.Second}, bluesky.WithPLCURL(env.PLC), bluesky.WithHandleResolver(env.PDS))
	connect := func(i int) connector.Connected {
		got, err := c.ConnectWithPassword(ctx, env.Accounts[i].Handle, env.Accounts[i].AppPassword)
		if err != nil {
			t.Fatalf("connect %s: %v", env.Accounts[i].Handle, err)
		}
		return got
	}
	aliceConn, bobConn := connect(0), connect(1)
	alice := connector.Account{Account: aliceConn.Account, Credentials: aliceConn.Credentials}
	bob := connector.Account{Account: bobConn.Account, Credentials: bobConn.Credentials}

	run := time.Now().UnixNano()
	ours, err := c.Publish(ctx, alice, connector.Part{Text: fmt.Sprintf("Measured by Herald %d", run), Key: fmt.Sprintf("metrics-%d", run)})
	if err != nil {
		t.Fatalf("alice publishes: %v", err)
	}
	if err := c.Like(ctx, bob, ours); err != nil {
		t.Fatalf("bob likes: %v", err)
	}
	if _, err := blueskytest.CreateRecord(ctx, bob, "app.bsky.feed.repost", map[string]any{"subject": blueskytest.StrongRef(ours)}); err != nil {
		t.Fatalf("bob reposts: %v", err)
	}
	if _, err := c.Publish(ctx, bob, connector.Part{Text: "Nice one", Key: fmt.Sprintf("reply-%d", run), ReplyTo: &ours, Root: &ours}); err != nil {
		t.Fatalf("bob replies: %v", err)
	}
	if _, err := blueskytest.CreateRecord(ctx, bob, "app.bsky.feed.post", map[string]any{"text": "Worth reading",
		"embed": map[string]any{"$type": "app.bsky.embed.record", "record": blueskytest.StrongRef(ours)}}); err != nil {
		t.Fatalf("bob quotes: %v", err)
	}
	if _, err := blueskytest.CreateRecord(ctx, bob, "app.bsky.graph.follow", map[string]any{"subject": alice.RemoteID}); err != nil {
		t.Fatalf("bob follows alice: %v", err)
	}
	// A quote may carry media of its own (app.bsky.embed.recordWithMedia):
	// it counts as a quote of the post it embeds all the same.
	quotedWithMedia, err := c.Publish(ctx, alice, connector.Part{Text: fmt.Sprintf("Quoted with a link %d", run), Key: fmt.Sprintf("metrics-media-%d", run)})
	if err != nil {
		t.Fatalf("alice publishes: %v", err)
	}
	if _, err := blueskytest.CreateRecord(ctx, bob, "app.bsky.feed.post", map[string]any{"text": "See also",
		"embed": map[string]any{"$type": "app.bsky.embed.recordWithMedia",
			"record": map[string]any{"$type": "app.bsky.embed.record", "record": blueskytest.StrongRef(quotedWithMedia)},
			"media": map[string]any{"$type": "app.bsky.embed.external",
				"external": map[string]any{"uri": "https://example.com/more", "title": "More", "description": "Further reading"}}}}); err != nil {
		t.Fatalf("bob quotes with media: %v", err)
	}

	// What the AppView says, as Bluesky's app reads it: every count is
	// there once it has indexed bob's records.
	var posts struct {
		Posts []struct {
			URI         string `json:"uri"`
			LikeCount   *int64 `json:"likeCount"`
			RepostCount *int64 `json:"repostCount"`
			ReplyCount  *int64 `json:"replyCount"`
			QuoteCount  *int64 `json:"quoteCount"`
		} `json:"posts"`
	}
	blueskytest.Eventually(t, appViewPatience, "bob's like, repost, reply and quote in the AppView's counts", func() (bool, error) {
		posts.Posts = nil
		err := blueskytest.Query(ctx, alice, "app.bsky.feed.getPosts", url.Values{"uris": {ours.ID, quotedWithMedia.ID}}, &posts)
		if err != nil || len(posts.Posts) != 2 {
			return false, err
		}
		p, q := posts.Posts[0], posts.Posts[1]
		return p.URI == ours.ID && p.LikeCount != nil && *p.LikeCount >= 1 && p.RepostCount != nil && *p.RepostCount >= 1 &&
			p.ReplyCount != nil && *p.ReplyCount >= 1 && p.QuoteCount != nil && *p.QuoteCount >= 1 &&
			q.URI == quotedWithMedia.ID && q.QuoteCount != nil && *q.QuoteCount >= 1, nil
	})
	p, q := posts.Posts[0], posts.Posts[1]
	t.Logf("getPosts of the post quoted with media: quoteCount %d", *q.QuoteCount)
	t.Logf("getPosts: likeCount %d, repostCount %d, replyCount %d, quoteCount %d", *p.LikeCount, *p.RepostCount, *p.ReplyCount, *p.QuoteCount)
	var profile struct {
		DID            string `json:"did"`
		FollowersCount *int64 `json:"followersCount"`
		FollowsCount   *int64 `json:"followsCount"`
		PostsCount     *int64 `json:"postsCount"`
	}
	blueskytest.Eventually(t, appViewPatience, "bob's follow in alice's profile", func() (bool, error) {
		profile.FollowersCount = nil
		err := blueskytest.Query(ctx, alice, "app.bsky.actor.getProfile", url.Values{"actor": {alice.RemoteID}}, &profile)
		return err == nil && profile.FollowersCount != nil && *profile.FollowersCount >= 1 &&
			profile.FollowsCount != nil && profile.PostsCount != nil, err
	})
	t.Logf("getProfile: followersCount %d, followsCount %d, postsCount %d", *profile.FollowersCount, *profile.FollowsCount, *profile.PostsCount)

	for _, drv := range drivers() {
		t.Run(drv.name, func(t *testing.T) {
			st := drv.open(t)
			d, notes := deps(t, st)
			reg := connector.NewRegistry()
			reg.Register(herald.PlatformBluesky, c)
			d.Connectors = reg
			w := mustWorkspace(t, st)
			a := aliceConn.Account
			a.WorkspaceID, a.Status = w.ID, herald.AccountConnected
			acct := mustAccount(t, st, d.Keys, a, aliceConn.Credentials)
			now := time.Now().UTC().Truncate(time.Microsecond)
			target := mustPublishedTarget(t, st, acct, ours, now.Add(-20*time.Minute))
			withMedia := mustPublishedTarget(t, st, acct, quotedWithMedia, now.Add(-20*time.Minute))

			mustStart(t, jobs.Config{MetricsEvery: time.Hour, AudienceEvery: time.Hour, InboxEvery: -1, CheckEvery: -1}, d)

			var ms []herald.MetricSnapshot
			waitFor(t, "the post's metric snapshot", func() (bool, error) {
				var err error
				ms, err = st.ListMetricSnapshots(ctx, w.ID, target.ID)
				return len(ms) > 0, err
			})
			got := ms[0]
			if got.Likes != 1 || got.Reposts != 1 || got.Replies != 1 || got.Quotes != 1 || got.Impressions != -1 {
				t.Errorf("snapshot %+v; want 1 like, 1 repost, 1 reply, 1 quote and impressions not given (-1)", got)
			}
			if got.Likes != *p.LikeCount || got.Reposts != *p.RepostCount || got.Replies != *p.ReplyCount || got.Quotes != *p.QuoteCount {
				t.Errorf("snapshot %+v differs from the AppView's getPosts %+v", got, p)
			}

			waitFor(t, "the metric snapshot of the post quoted with media", func() (bool, error) {
				var err error
				ms, err = st.ListMetricSnapshots(ctx, w.ID, withMedia.ID)
				return len(ms) > 0, err
			})
			if ms[0].Quotes != 1 || ms[0].Quotes != *q.QuoteCount {
				t.Errorf("snapshot of the post quoted with media %+v; want the AppView's quoteCount %d", ms[0], *q.QuoteCount)
			}

			var snaps []herald.AccountSnapshot
			waitFor(t, "alice's account snapshot", func() (bool, error) {
				var err error
				snaps, err = st.ListAccountSnapshots(ctx, w.ID, acct.ID, now.Add(-time.Hour), time.Now().Add(time.Hour))
				return len(snaps) > 0, err
			})
			s := snaps[len(snaps)-1]
			if s.Followers < 1 || s.Followers != *profile.FollowersCount || s.Following != *profile.FollowsCount || s.Posts != *profile.PostsCount {
				t.Errorf("account snapshot %+v; want getProfile's %d followers, %d following and %d posts",
					s, *profile.FollowersCount, *profile.FollowsCount, *profile.PostsCount)
			}
			if a, err := st.GetAccount(ctx, w.ID, acct.ID); err != nil || a.Status != herald.AccountConnected {
				t.Errorf("alice's account after the jobs: %+v, %v; want it still connected", a.Status, err)
			}
			if n := notes.all(); len(n) > 0 {
				t.Errorf("notifications %+v; want none", n)
			}
		})
	}
}
