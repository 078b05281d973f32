package analytics_test

import (
	"fmt"
	"reflect"
	"testing"
	"time"

	"github.com/heraldsocial/herald/internal/analytics"
	"github.com/heraldsocial/herald/internal/herald"
	"github.com/heraldsocial/herald/internal/teststore"
)

// TestPageIsOverviewAndBestTimes checks, on both stores, that the
// analytics page's one read gives what Overview and BestTimes give apart,
// for periods inside the grid's history, across its start, before it
// and reaching past now, with account and campaign views and either rate.
func TestPageIsOverviewAndBestTimes(t *testing.T) {
	teststore.Each(t, func(t *testing.T, st herald.Store) {
		ctx := t.Context()
		now := time.Date(2026, 6, 17, 15, 30, 0, 0, time.UTC)
		created := now.AddDate(-2, 0, 0)
		ws := herald.Workspace{Name: "Page", TimeZone: "America/New_York", CreatedAt: created, UpdatedAt: created}
		must(t, st.CreateWorkspace(ctx, &ws))
		u := herald.User{Email: "page@example.com", Name: "Ana", PasswordHash: "x", CreatedAt: created, UpdatedAt: created}
		must(t, st.CreateUser(ctx, &u))
		must(t, st.AddMember(ctx, &herald.Membership{WorkspaceID: ws.ID, UserID: u.ID, Role: herald.RoleAnalyst}))
		var accounts []herald.Account
		for i, p := range []herald.Platform{herald.PlatformMastodon, herald.PlatformX} {
			a := herald.Account{WorkspaceID: ws.ID, Platform: p, RemoteID: fmt.Sprint("a", i), Handle: fmt.Sprint("@page", i),
				Status: herald.AccountConnected, CreatedAt: created, UpdatedAt: created}
			must(t, st.CreateAccount(ctx, &a))
			accounts = append(accounts, a)
		}
		c := herald.Campaign{WorkspaceID: ws.ID, Name: "Spring", CreatedAt: created, UpdatedAt: created}
		must(t, st.CreateCampaign(ctx, &c))
		l := herald.Label{WorkspaceID: ws.ID, Name: "Tips", Color: "#336699", CreatedAt: created}
		must(t, st.CreateLabel(ctx, &l))
		// A post about every 29 hours over 400 days, so every hour of the
		// week gets some; every fourth unmeasured.
		for i := range 330 {
			at := now.Add(-400 * 24 * time.Hour).Add(time.Duration(i) * 29 * time.Hour).Truncate(time.Second)
			a := accounts[i%2]
			p := herald.Post{WorkspaceID: ws.ID, AuthorID: u.ID, Title: fmt.Sprint("Post ", i), Text: fmt.Sprint("Post ", i),
				Targets: []herald.Target{{AccountID: a.ID, State: herald.StatePublished, ScheduledAt: &at, PublishedAt: &at,
					RemoteID: fmt.Sprint("r", i)}}}
			if i%3 == 0 {
				p.CampaignID = &c.ID
			}
			if i%5 == 0 {
				p.LabelIDs = []int64{l.ID}
			}
			must(t, st.CreatePost(ctx, &p))
			if i%4 == 3 {
				continue
			}
			impressions := int64(-1)
			if a.Platform == herald.PlatformX {
				impressions = int64(500 + i*7%300)
			}
			must(t, st.AddMetricSnapshots(ctx, []herald.MetricSnapshot{{WorkspaceID: ws.ID, TargetID: p.Targets[0].ID,
				At: at.Add(time.Hour), Likes: int64(i * 13 % 40), Reposts: int64(i % 7), Replies: int64(i % 3), Quotes: -1,
				Impressions: impressions}}))
			if i%2 == 0 {
				must(t, st.PutAccountSnapshot(ctx, herald.AccountSnapshot{WorkspaceID: ws.ID, AccountID: a.ID,
					At: at.Add(-time.Hour), Followers: int64(200 + i), Following: 10, Posts: int64(i)}))
			}
		}
		svc := analytics.New(st, fixedClock(now))
		actor := herald.Actor{UserID: u.ID, WorkspaceID: ws.ID, Role: herald.RoleAnalyst}
		for _, c := range []struct {
			name string
			q    analytics.Query
			best int64
			rate analytics.Denominator
		}{
			{"7 days", analytics.Query{Days: 7}, 0, ""},
			{"28 days of an account, its grid", analytics.Query{Days: 28, AccountID: accounts[0].ID}, accounts[0].ID, ""},
			{"90 days by impressions", analytics.Query{Days: 90, Rate: analytics.ByImpressions}, accounts[1].ID, analytics.ByImpressions},
			{"a campaign's 90 days", analytics.Query{Days: 90, CampaignID: c.ID}, 0, ""},
			{"across the history's start", analytics.Query{From: "2025-11-01", To: "2026-01-31"}, 0, ""},
			{"before the history", analytics.Query{From: "2025-06-01", To: "2025-07-15"}, 0, ""},
			{"reaching past now", analytics.Query{From: "2026-06-01", To: "2026-07-31"}, 0, ""},
			{"a year", analytics.Query{From: "2025-06-18", To: "2026-06-17"}, accounts[0].ID, ""},
		} {
			t.Run(c.name, func(t *testing.T) {
				wantO, err := svc.Overview(ctx, actor, c.q)
				must(t, err)
				wantB, err := svc.BestTimes(ctx, actor, c.best, c.rate)
				must(t, err)
				o, b, err := svc.Page(ctx, actor, c.q, c.best, c.rate)
				must(t, err)
				if !reflect.DeepEqual(o, wantO) {
					t.Errorf("the page's overview differs:\n got %+v\nwant %+v", o, wantO)
				}
				if !reflect.DeepEqual(b, wantB) {
					t.Errorf("the page's grid differs:\n got %+v\nwant %+v", b, wantB)
				}
				if wantB.Posts == 0 || wantO.Current.Posts+wantO.Prior.Posts == 0 {
					t.Errorf("nothing to compare: %d posts in the grid, %d in the periods", wantB.Posts,
						wantO.Current.Posts+wantO.Prior.Posts)
				}
			})
		}
		if _, _, err := svc.Page(ctx, actor, analytics.Query{Days: 28, Rate: "views"}, 0, ""); err == nil {
			t.Error("a page with a rate that is not valid was computed")
		}
		if _, _, err := svc.Page(ctx, herald.Actor{UserID: u.ID, WorkspaceID: ws.ID, Role: herald.RoleContributor},
			analytics.Query{Days: 28}, 0, ""); err == nil {
			t.Error("a contributor read the analytics page")
		}
	})
}

func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}
