package api_test

import (
	"context"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/heraldsocial/herald/internal/herald"
	"github.com/heraldsocial/herald/internal/ical"
)

// publishedPost stores a post published on a new account of ws.
func publishedPost(t *testing.T, h *harness, ws herald.Workspace, author herald.User, text string) herald.Post {
	t.Helper()
	ctx := context.Background()
	acct := herald.Account{WorkspaceID: ws.ID, Platform: herald.PlatformMastodon, RemoteID: "r-" + text,
		Handle: "@acme@example.social", Status: herald.AccountConnected, Credentials: herald.Sealed{KeyID: "k", Ciphertext: []byte{1}}}
	if err := h.store.CreateAccount(ctx, &acct); err != nil {
		t.Fatal(err)
	}
	at := time.Now().UTC().Add(-48 * time.Hour).Truncate(time.Microsecond)
	p := herald.Post{WorkspaceID: ws.ID, AuthorID: author.ID, Text: text,
		Targets: []herald.Target{{AccountID: acct.ID, State: herald.StatePublished, ScheduledAt: &at, PublishedAt: &at}}}
	if err := h.store.CreatePost(ctx, &p); err != nil {
		t.Fatal(err)
	}
	return p
}

func TestEvergreenAPI(t *testing.T) {
	forEachStore(t, func(t *testing.T, h *harness) {
		w := newWsWorld(t, h)
		pub := publishedPost(t, h, w.a, w.owner, "Our best guide")
		bPub := publishedPost(t, h, w.b, w.bOwner, "Beta's guide")
		mark := wsPath("/workspaces/%d/posts/%d/evergreen", w.a.ID, pub.ID)
		settings := wsPath("/workspaces/%d/evergreen/settings", w.a.ID)
		runWsCases(t, h, []wsCase{
			{name: "defaults", method: "GET", path: settings, token: w.analystTok, status: 200,
				check: func(t *testing.T, r response) {
					var b struct {
						Enabled         bool
						CooldownDays    int `json:"cooldown_days"`
						MaxSharePercent int `json:"max_share_percent"`
						Repeats         []struct {
							Platform string
							Refuses  bool
						} `json:"platform_repeats"`
					}
					r.JSON(t, &b)
					if b.Enabled || b.CooldownDays != 30 || b.MaxSharePercent != 25 {
						t.Fatalf("defaults %s", r.Body)
					}
					refuses := map[string]bool{}
					for _, p := range b.Repeats {
						refuses[p.Platform] = p.Refuses
					}
					if !refuses["x"] || refuses["mastodon"] || refuses["bluesky"] {
						t.Fatalf("platform repeats %s: X refuses exact repeats, Mastodon and Bluesky accept them", r.Body)
					}
				}},
			{name: "settings by an editor", method: "PUT", path: settings, token: w.editorTok, status: 403, code: "forbidden",
				body: map[string]any{"enabled": true, "cooldown_days": 10, "max_share_percent": 20}},
			{name: "settings out of range", method: "PUT", path: settings, token: w.adminTok, status: 422, code: "invalid",
				field: "cooldown_days", body: map[string]any{"enabled": true, "cooldown_days": 0, "max_share_percent": 20}},
			{name: "settings with another workspace's account", method: "PUT", path: settings, token: w.adminTok, status: 422,
				code: "invalid", field: "account_ids[0]", body: map[string]any{"enabled": true, "cooldown_days": 10,
					"max_share_percent": 20, "account_ids": []int64{bPub.Targets[0].AccountID}}},
			{name: "settings", method: "PUT", path: settings, token: w.adminTok, status: 200,
				body: map[string]any{"enabled": true, "cooldown_days": 10, "max_share_percent": 20,
					"account_ids": []int64{pub.Targets[0].AccountID}},
				check: func(t *testing.T, r response) {
					if !strings.Contains(string(r.Body), `"cooldown_days":10`) || !strings.Contains(string(r.Body), `"enabled":true`) {
						t.Fatalf("saved %s", r.Body)
					}
				}},
			{name: "mark by an analyst", method: "PUT", path: mark, token: w.analystTok, status: 403, code: "forbidden", body: map[string]any{}},
			{name: "mark another workspace's post", method: "PUT", path: wsPath("/workspaces/%d/posts/%d/evergreen", w.a.ID, bPub.ID),
				token: w.editorTok, status: 404, code: "not_found", body: map[string]any{}},
			{name: "mark with a NUL in a variant", method: "PUT", path: mark, token: w.editorTok, status: 422, code: "invalid",
				field: "variants[0]", body: map[string]any{"variants": []string{"bad\u0000"}}},
			{name: "not evergreen yet", method: "GET", path: mark, token: w.analystTok, status: 404, code: "not_found"},
			{name: "mark", method: "PUT", path: mark, token: w.editorTok, status: 200,
				body: map[string]any{"variants": []string{"The guide, again", ""}},
				check: func(t *testing.T, r response) {
					var b struct {
						PostID   int64 `json:"post_id"`
						Variants []string
						Copies   []any
					}
					r.JSON(t, &b)
					if b.PostID != pub.ID || len(b.Variants) != 1 || b.Copies == nil {
						t.Fatalf("marked %s", r.Body)
					}
				}},
			{name: "list", method: "GET", path: wsPath("/workspaces/%d/evergreen", w.a.ID), token: w.analystTok, status: 200,
				check: func(t *testing.T, r response) {
					var b struct{ Items []struct{ Text string } }
					r.JSON(t, &b)
					if len(b.Items) != 1 || b.Items[0].Text != "Our best guide" {
						t.Fatalf("list %s", r.Body)
					}
				}},
			{name: "another workspace sees none", method: "GET", path: wsPath("/workspaces/%d/evergreen", w.b.ID), token: w.bOwnerTok,
				status: 200, check: func(t *testing.T, r response) {
					if !strings.Contains(string(r.Body), `"items":[]`) {
						t.Fatalf("list %s", r.Body)
					}
				}},
			{name: "unmark", method: "DELETE", path: mark, token: w.editorTok, status: 204},
			{name: "unmark again", method: "DELETE", path: mark, token: w.editorTok, status: 404, code: "not_found"},
		})
	})
}

func TestCalendarFeedAPI(t *testing.T) {
	forEachStore(t, func(t *testing.T, h *harness) {
		w := newWsWorld(t, h)
		feed := wsPath("/workspaces/%d/calendar-feed", w.a.ID)
		res := h.do(http.MethodGet, feed, w.analystTok, nil)
		mustStatus(t, res, http.StatusOK)
		if !strings.Contains(string(res.Body), `"active":false`) {
			t.Fatalf("before creating: %s", res.Body)
		}
		res = h.do(http.MethodPost, feed, w.analystTok, nil)
		mustStatus(t, res, http.StatusCreated)
		if res.Header.Get("Cache-Control") != "no-store" {
			t.Errorf("the answer holding the address may be cached: %q", res.Header.Get("Cache-Control"))
		}
		var created struct{ URL, Path string }
		res.JSON(t, &created)
		if !strings.HasPrefix(created.URL, "https://herald.example.com/ical/"+ical.TokenPrefix) || !strings.HasSuffix(created.Path, ".ics") {
			t.Fatalf("created %s", res.Body)
		}
		token := strings.TrimSuffix(strings.TrimPrefix(created.Path, "/ical/"), ".ics")
		if _, err := h.svc.Calendar.Render(context.Background(), token, ""); err != nil {
			t.Fatalf("the new address does not render: %v", err)
		}
		res = h.do(http.MethodGet, feed, w.analystTok, nil)
		if !strings.Contains(string(res.Body), `"active":true`) || strings.Contains(string(res.Body), token) {
			t.Fatalf("after creating: %s (the address is shown only once)", res.Body)
		}
		mustStatus(t, h.do(http.MethodGet, feed, "", nil), http.StatusUnauthorized)
		mustStatus(t, h.do(http.MethodDelete, wsPath("/workspaces/%d/calendar-feed", w.b.ID), w.analystTok, nil), http.StatusNotFound)
		mustStatus(t, h.do(http.MethodDelete, feed, w.analystTok, nil), http.StatusNoContent)
		if _, err := h.svc.Calendar.Render(context.Background(), token, ""); herald.ErrorCode(err) != herald.CodeNotFound {
			t.Fatalf("a revoked address: %v, want not found", err)
		}
		mustStatus(t, h.do(http.MethodDelete, feed, w.analystTok, nil), http.StatusNotFound)
	})
}
