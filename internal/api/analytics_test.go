package api_test

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/heraldsocial/herald/internal/herald"
)

// TestAnalyticsAPI reads the overview and an account's audience on both
// stores, with figures counted by hand: a count a platform does not give
// stays "not given" (0 posts), a rate without a denominator is null, and
// bad periods are refused.
func TestAnalyticsAPI(t *testing.T) {
	forEachStore(t, func(t *testing.T, h *harness) {
		ctx := context.Background()
		owner := h.newUser("owner@example.com")
		ws := h.newWorkspace(owner, "Acme")
		tok := h.tokenFor(owner, ws, herald.RoleOwner)
		_, contributorTok := h.member(ws, "contrib@example.com", herald.RoleContributor)
		_, analystTok := h.member(ws, "analyst@example.com", herald.RoleAnalyst)
		doc := h.do("GET", "/api/openapi.json", "", nil)
		for _, op := range []string{"get-analytics", "list-account-audience", "get-best-times"} {
			if !strings.Contains(string(doc.Body), `"operationId":"`+op+`"`) {
				t.Fatalf("the OpenAPI document lacks %s", op)
			}
		}
		p := publishedPost(t, h, ws, owner, "Launch")
		tg := p.Targets[0]
		now := time.Now().UTC().Truncate(time.Microsecond)
		if err := h.store.PutAccountSnapshot(ctx, herald.AccountSnapshot{WorkspaceID: ws.ID, AccountID: tg.AccountID,
			At: now.Add(-72 * time.Hour), Followers: 400, Following: 10, Posts: -1}); err != nil {
			t.Fatal(err)
		}
		if err := h.store.AddMetricSnapshots(ctx, []herald.MetricSnapshot{{WorkspaceID: ws.ID, TargetID: tg.ID,
			At: now.Add(-time.Hour), Likes: 6, Reposts: 2, Replies: -1, Quotes: -1, Impressions: -1}}); err != nil {
			t.Fatal(err)
		}
		base := fmt.Sprintf("/api/v1/workspaces/%d/analytics", ws.ID)
		r := h.do("GET", base+"?days=7", tok, nil)
		mustStatus(t, r, 200)
		var o struct {
			Current struct {
				Posts       int `json:"posts"`
				Engagements struct{ Value, Posts int }
				Replies     struct{ Value, Posts int }
				Rate        struct {
					Numerator, Denominator int64
					Value                  *float64
				} `json:"engagement_rate_by_followers"`
				ByImpressions struct {
					Value *float64
				} `json:"engagement_rate_by_impressions"`
			}
			Top  []struct{ Title string }
			Days []struct{ Date string }
		}
		r.JSON(t, &o)
		c := o.Current
		if c.Posts != 1 || c.Engagements.Value != 8 || c.Engagements.Posts != 1 || c.Replies.Posts != 0 {
			t.Fatalf("current = %+v, want 1 post, 8 engagements, replies not given", c)
		}
		if c.Rate.Numerator != 8 || c.Rate.Denominator != 400 || c.Rate.Value == nil || *c.Rate.Value != 0.02 {
			t.Fatalf("rate by followers = %+v, want 8/400 = 0.02", c.Rate)
		}
		if c.ByImpressions.Value != nil {
			t.Fatalf("a rate by impressions with none given has value %v", *c.ByImpressions.Value)
		}
		if len(o.Days) != 7 || len(o.Top) != 1 || o.Top[0].Title != "Launch" {
			t.Fatalf("days %d, top %+v", len(o.Days), o.Top)
		}
		mustStatus(t, h.do("GET", base, analystTok, nil), 200)
		// The campaign view: the post has none, so nothing is counted.
		var camp herald.Campaign
		cr := h.do("POST", fmt.Sprintf("/api/v1/workspaces/%d/campaigns", ws.ID), tok, map[string]any{"name": "Spring"})
		mustStatus(t, cr, 201)
		cr.JSON(t, &camp)
		r = h.do("GET", base+"?days=7&campaign="+fmt.Sprint(camp.ID), tok, nil)
		mustStatus(t, r, 200)
		var scoped struct {
			CampaignID int64 `json:"campaign_id"`
			Current    struct{ Posts int }
		}
		r.JSON(t, &scoped)
		if scoped.CampaignID != camp.ID || scoped.Current.Posts != 0 {
			t.Fatalf("campaign view = %+v", scoped)
		}
		r = h.do("GET", base+"?days=7&account="+fmt.Sprint(tg.AccountID), tok, nil)
		r.JSON(t, &scoped)
		if scoped.Current.Posts != 1 {
			t.Fatalf("account view = %+v", scoped)
		}
		mustStatus(t, h.do("GET", base+"?account=999999", tok, nil), 404)
		mustStatus(t, h.do("GET", base, contributorTok, nil), 403)
		for _, q := range []string{"?days=0x", "?days=400", "?from=2026-02-30&to=2026-03-01", "?from=2026-03-02&to=2026-03-01", "?rate=reach"} {
			if r := h.do("GET", base+q, tok, nil); r.Status != 422 {
				t.Errorf("%s: status %d, want 422: %s", q, r.Status, r.Body)
			}
		}

		r = h.do("GET", base+"/best-times?account="+fmt.Sprint(tg.AccountID), tok, nil)
		mustStatus(t, r, 200)
		var bt struct {
			Posts int
			Rate  string
			Cells [7][24]struct{ Posts int }
			Best  []any
		}
		r.JSON(t, &bt)
		loc, err := ws.Location()
		if err != nil {
			t.Fatal(err)
		}
		local := tg.PublishedAt.In(loc)
		if bt.Posts != 1 || bt.Rate != "followers" || bt.Cells[local.Weekday()][local.Hour()].Posts != 1 || len(bt.Best) != 0 {
			t.Fatalf("best times = %+v", bt)
		}
		mustStatus(t, h.do("GET", base+"/best-times?account=999999", tok, nil), 404)
		audience := fmt.Sprintf("/api/v1/workspaces/%d/accounts/%d/audience", ws.ID, tg.AccountID)
		r = h.do("GET", audience, tok, nil)
		mustStatus(t, r, 200)
		var a struct{ Snapshots []herald.AccountSnapshot }
		r.JSON(t, &a)
		if len(a.Snapshots) != 1 || a.Snapshots[0].Followers != 400 || a.Snapshots[0].Posts != -1 {
			t.Fatalf("audience = %+v", a.Snapshots)
		}
		other := h.newWorkspace(owner, "Other")
		otherTok := h.tokenFor(owner, other, herald.RoleOwner)
		mustStatus(t, h.do("GET", fmt.Sprintf("/api/v1/workspaces/%d/accounts/%d/audience", other.ID, tg.AccountID), otherTok, nil), 404)
		mustStatus(t, h.do("GET", audience+"?from=2026-03-02T00:00:00Z&to=2026-03-01T00:00:00Z", tok, nil), 422)
	})
}

// TestAnalyticsReportAPI downloads the PDF report and is told why a
// schedule cannot be made while e-mail is off.
func TestAnalyticsReportAPI(t *testing.T) {
	forEachStore(t, func(t *testing.T, h *harness) {
		owner := h.newUser("owner@example.com")
		ws := h.newWorkspace(owner, "Acme")
		tok := h.tokenFor(owner, ws, herald.RoleOwner)
		publishedPost(t, h, ws, owner, "Launch")
		r := h.do("GET", fmt.Sprintf("/api/v1/workspaces/%d/analytics/report.pdf?days=7", ws.ID), tok, nil)
		mustStatus(t, r, 200)
		if !strings.HasPrefix(string(r.Body), "%PDF-") {
			t.Fatalf("not a PDF: %.20q", r.Body)
		}
		mustStatus(t, h.do("GET", fmt.Sprintf("/api/v1/workspaces/%d/analytics/report.pdf?days=0x", ws.ID), tok, nil), 422)
		base := fmt.Sprintf("/api/v1/workspaces/%d/reports", ws.ID)
		r = h.do("POST", base, tok, map[string]any{"name": "Weekly", "every": "weekly", "recipients": []string{"cli@example.com"}})
		mustStatus(t, r, 422)
		if !strings.Contains(string(r.Body), "HERALD_SMTP_HOST") {
			t.Fatalf("the refusal does not say what to set: %s", r.Body)
		}
		r = h.do("GET", base, tok, nil)
		mustStatus(t, r, 200)
		mustStatus(t, h.do("GET", base+"/999/runs", tok, nil), 404)
	})
}
