package api_test

import (
	"context"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/heraldsocial/herald/internal/api"
	"github.com/heraldsocial/herald/internal/competitor"
	"github.com/heraldsocial/herald/internal/connector"
	"github.com/heraldsocial/herald/internal/connector/bluesky"
	"github.com/heraldsocial/herald/internal/connector/bluesky/blueskyfake"
	"github.com/heraldsocial/herald/internal/herald"
)

// withCompetitors rebuilds h's API with the competitor service reading
// Bluesky through a fake, where ws has a connected account; it returns
// the fake.
func withCompetitors(t *testing.T, h *harness, ws herald.Workspace) *blueskyfake.Server {
	t.Helper()
	fake := blueskyfake.New(blueskyfake.Config{})
	u, err := fake.Start("127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = fake.Close() })
	c := bluesky.New(&http.Client{Timeout: 10 * time.Second}, bluesky.WithPLCURL(u), bluesky.WithHandleResolver(u),
		bluesky.WithLogger(slog.New(slog.DiscardHandler)))
	own := fake.CreateAccount("acme.test", "Acme")
	got, err := c.ConnectWithPassword(context.Background(), own.Handle, own.AppPassword)
	if err != nil {
		t.Fatal(err)
	}
	a := got.Account
	a.WorkspaceID, a.Status = ws.ID, herald.AccountConnected
	if a.Credentials, err = h.keys.Seal(got.Credentials, a.CredentialsAAD()); err != nil {
		t.Fatal(err)
	}
	if err := h.store.CreateAccount(context.Background(), &a); err != nil {
		t.Fatal(err)
	}
	reg := connector.NewRegistry()
	reg.Register(herald.PlatformBluesky, c)
	d := h.svc
	d.Competitors = competitor.New(h.store, reg, h.keys.Open, herald.SystemClock{}, slog.New(slog.DiscardHandler))
	srv := httptest.NewServer(d.Sessions.LoadAndSave(h.auth.Middleware(d.Sessions)(api.New(d))))
	t.Cleanup(srv.Close)
	h.svc, h.srv = d, srv
	return fake
}

func TestCompetitorsAPI(t *testing.T) {
	forEachStore(t, func(t *testing.T, h *harness) {
		w := newWsWorld(t, h)
		fake := withCompetitors(t, h, w.a)
		ctx := context.Background()
		now := time.Now().UTC()
		rival := fake.CreateAccount("rival.test", "Rival")
		fake.SetFollowCounts(rival.DID, 1200, 30)
		post := fake.Post(rival.DID, "Our new phone is out", "", now.Add(-time.Minute))
		fan := fake.CreateAccount("fan.test", "Fan")
		fake.Like(fan.DID, post)
		fake.Post(rival.DID, "and a case for it", "", now.Add(-2*time.Minute))

		actor := herald.Actor{UserID: w.owner.ID, WorkspaceID: w.a.ID, Role: herald.RoleOwner}
		ownTopic, err := h.svc.Listen.Create(ctx, actor, herald.ListenTopic{Name: "Acme", Rules: herald.TopicRule{Any: []string{"acme"}}})
		if err != nil {
			t.Fatal(err)
		}
		rivalTopic, err := h.svc.Listen.Create(ctx, actor, herald.ListenTopic{Name: "Rival", Rules: herald.TopicRule{Any: []string{"rival"}}})
		if err != nil {
			t.Fatal(err)
		}
		base := wsPath("/workspaces/%d/competitors", w.a.ID)
		body := map[string]any{"name": "Rival", "topic_id": rivalTopic.ID,
			"accounts": []map[string]any{{"platform": "bluesky", "handle": "@rival.test"}}}
		var created herald.Competitor
		runWsCases(t, h, []wsCase{
			{name: "create by an admin", method: "POST", path: base, token: w.adminTok, body: body, status: 201,
				check: func(t *testing.T, r response) {
					r.JSON(t, &created)
					if created.ID == 0 || len(created.Accounts) != 1 || created.Accounts[0].RemoteID != rival.DID ||
						created.Accounts[0].CollectedAt == nil || created.Accounts[0].LastError != "" {
						t.Fatalf("created %s", r.Body)
					}
				}},
			{name: "create by an editor", method: "POST", path: base, token: w.editorTok, body: body, status: 403, code: "forbidden"},
			{name: "a duplicate name", method: "POST", path: base, token: w.adminTok,
				body: map[string]any{"name": "RIVAL", "accounts": []any{}}, status: 409, code: "conflict", field: "name"},
			{name: "an empty name", method: "POST", path: base, token: w.adminTok,
				body: map[string]any{"name": "  ", "accounts": []any{}}, status: 422, code: "invalid", field: "name"},
			{name: "an unknown platform", method: "POST", path: base, token: w.adminTok,
				body:   map[string]any{"name": "Other", "accounts": []map[string]any{{"platform": "myspace", "handle": "x"}}},
				status: 422, code: "invalid", field: "accounts[0].platform"},
			{name: "an empty handle", method: "POST", path: base, token: w.adminTok,
				body:   map[string]any{"name": "Other", "accounts": []map[string]any{{"platform": "bluesky", "handle": " @ "}}},
				status: 422, code: "invalid", field: "accounts[0].handle"},
			{name: "a handle the platform does not know", method: "POST", path: base, token: w.adminTok,
				body:   map[string]any{"name": "Other", "accounts": []map[string]any{{"platform": "bluesky", "handle": "nobody.test"}}},
				status: 422, code: "invalid", field: "accounts[0].handle"},
			{name: "a topic of another workspace", method: "POST", path: wsPath("/workspaces/%d/competitors", w.b.ID), token: w.bOwnerTok,
				body: map[string]any{"name": "Other", "topic_id": rivalTopic.ID, "accounts": []any{}}, status: 422, code: "invalid", field: "topic_id"},
			{name: "list by an analyst", method: "GET", path: base, token: w.analystTok, status: 200,
				check: func(t *testing.T, r response) {
					var l struct{ Items []herald.Competitor }
					r.JSON(t, &l)
					if len(l.Items) != 1 || l.Items[0].Name != "Rival" || l.Items[0].TopicID != rivalTopic.ID {
						t.Fatalf("list %s", r.Body)
					}
				}},
			{name: "own topic set", method: "PUT", path: base + "/settings", token: w.adminTok,
				body: map[string]any{"own_topic_id": ownTopic.ID}, status: 200},
		})

		// Mentions: 3 of Acme and 1 of Rival yesterday, one post naming
		// both today; nothing the day before yesterday.
		day := herald.ListenDay(now)
		var ms []herald.ListenMatch
		add := func(i int, at time.Time, topics ...int64) {
			m := herald.ListenMatch{WorkspaceID: w.a.ID, Platform: herald.PlatformBluesky, RemoteID: fmt.Sprint("at://did:plc:m/app.bsky.feed.post/", i),
				AuthorID: "did:plc:m", AuthorFollowers: -1, Text: "text", Sentiment: "neutral", PostedAt: at}
			for _, tp := range topics {
				m.Topics = append(m.Topics, herald.TopicHit{TopicID: tp})
			}
			ms = append(ms, m)
		}
		for i := range 3 {
			add(i, day.Add(-20*time.Hour), ownTopic.ID)
		}
		add(3, day.Add(-10*time.Hour), rivalTopic.ID)
		add(4, now.Add(-time.Second), ownTopic.ID, rivalTopic.ID)
		if _, err := h.store.AddListenMatches(ctx, ms); err != nil {
			t.Fatal(err)
		}
		period := fmt.Sprintf("?from=%s&to=%s", day.Add(-48*time.Hour).Format(time.RFC3339), day.Add(24*time.Hour).Format(time.RFC3339))
		runWsCases(t, h, []wsCase{
			{name: "compare", method: "GET", path: base + "/compare" + period, token: w.analystTok, status: 200,
				check: func(t *testing.T, r response) {
					var c competitor.Comparison
					r.JSON(t, &c)
					if c.Days != 3 || len(c.Brands) != 2 || !c.Brands[0].Own || c.Brands[0].Name != "Acme" {
						t.Fatalf("comparison %s", r.Body)
					}
					b := c.Brands[1]
					if b.Name != "Rival" || b.Followers != 1200 || b.Posts != 2 || b.PostsPerDay != 2.0/3 ||
						b.AvgEngagements != 0.5 || len(b.TopPosts) != 2 || b.TopPosts[0].RemoteID != post {
						t.Fatalf("rival %+v", b)
					}
				}},
			{name: "share of voice", method: "GET", path: base + "/share-of-voice" + period, token: w.analystTok, status: 200,
				check: func(t *testing.T, r response) {
					var v competitor.ShareOfVoice
					r.JSON(t, &v)
					if len(v.Brands) != 2 || !v.Brands[0].Own || len(v.Days) != 3 {
						t.Fatalf("share of voice %s", r.Body)
					}
					if d := v.Days[0]; !d.NoMentions || d.Total != 0 || d.Shares[0].Percent != 0 {
						t.Errorf("a day without mentions: %+v", d)
					}
					if d := v.Days[1]; d.Total != 4 || d.Shares[0].Mentions != 3 || d.Shares[0].Percent != 75 || d.Shares[1].Percent != 25 {
						t.Errorf("yesterday: %+v", d)
					}
					if d := v.Days[2]; d.Total != 2 || d.Shares[0].Percent != 50 || d.Shares[1].Percent != 50 {
						t.Errorf("today (one post naming both counts for each): %+v", d)
					}
					if v.Brands[0].Total.Mentions != 4 || v.Brands[1].Total.Mentions != 2 {
						t.Errorf("totals %+v", v.Brands)
					}
				}},
			{name: "a reversed period", method: "GET", path: base + "/compare?from=2026-03-02T00:00:00Z&to=2026-03-01T00:00:00Z",
				token: w.analystTok, status: 422, code: "invalid", field: "to"},
			{name: "a period without to", method: "GET", path: base + "/share-of-voice?from=2026-03-02T00:00:00Z",
				token: w.analystTok, status: 422, code: "invalid", field: "query.to"},
			{name: "another workspace cannot read it", method: "GET", path: base + "/" + wsID(created.ID), token: w.bOwnerTok,
				status: 404, code: "not_found"},
			{name: "rename and drop the account", method: "PUT", path: base + "/" + wsID(created.ID), token: w.adminTok,
				body: map[string]any{"name": "Rival Inc", "accounts": []any{}}, status: 200,
				check: func(t *testing.T, r response) {
					var c herald.Competitor
					r.JSON(t, &c)
					if c.Name != "Rival Inc" || c.TopicID != 0 || len(c.Accounts) != 0 {
						t.Fatalf("updated %s", r.Body)
					}
				}},
			{name: "delete by an analyst", method: "DELETE", path: base + "/" + wsID(created.ID), token: w.analystTok, status: 403, code: "forbidden"},
			{name: "delete", method: "DELETE", path: base + "/" + wsID(created.ID), token: w.adminTok, status: 204},
			{name: "gone", method: "GET", path: base + "/" + wsID(created.ID), token: w.adminTok, status: 404, code: "not_found"},
		})

		for i := range competitor.MaxCompetitors {
			mustStatus(t, h.do("POST", base, w.adminTok, map[string]any{"name": fmt.Sprint("C", i), "accounts": []any{}}), 201)
		}
		r := h.do("POST", base, w.adminTok, map[string]any{"name": "One too many", "accounts": []any{}})
		mustStatus(t, r, 422)
		if !strings.Contains(string(r.Body), "competitors, the most allowed") {
			t.Errorf("too many: %s", r.Body)
		}

		doc := h.do("GET", "/api/openapi.json", "", nil)
		mustStatus(t, doc, 200)
		for _, p := range []string{"/api/v1/workspaces/{workspace}/competitors/compare", "/api/v1/workspaces/{workspace}/competitors/share-of-voice",
			"/api/v1/workspaces/{workspace}/competitors/{competitor}"} {
			if !strings.Contains(string(doc.Body), p) {
				t.Errorf("the OpenAPI document lacks %s", p)
			}
		}
	})
}
