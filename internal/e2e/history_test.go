package e2e

import (
	"context"
	"fmt"
	"path/filepath"
	"testing"
	"time"

	"github.com/heraldsocial/herald/internal/herald"
	"github.com/heraldsocial/herald/internal/sqlite"
)

// historyDays is how far back the screenshots' workspace has a history.
const historyDays = 60

// historyPosts are the texts of the posts published in the past, one a
// day in turn.
var historyPosts = []string{
	"Fresh from the roaster: our Colombian single origin, notes of red apple and caramel.",
	"Rainy Monday? Our hot chocolate has your back.",
	"Behind the bar: how we dial in the espresso every morning.",
	"The Kreuzberg shop now opens at 7:00 on weekdays.",
	"Three ways to brew our house blend at home: https://northwind.example/brew",
	"Bean Club picks of the month are in.",
	"Weekend pastry menu: cardamom buns and almond croissants.",
}

// seedHistory writes what a real workspace has after two months, which no
// API call can backdate: the accounts' daily follower counts, posts
// published in the past with their latest metrics, and on some of them a
// tracked link with people's clicks, link-preview fetches and purchases.
// It writes to the stopped server's database.
func seedHistory(t *testing.T, dataDir string, workspaceID, authorID int64, accts []herald.Account, loc *time.Location) {
	t.Helper()
	ctx := context.Background()
	db, err := sqlite.Open(ctx, filepath.Join(dataDir, "herald.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if err := db.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	today := time.Now().In(loc)
	start := time.Date(today.Year(), today.Month(), today.Day(), 0, 0, 0, 0, loc).AddDate(0, 0, -historyDays)
	for i, a := range accts {
		base := int64(1200 + 900*i)
		for d := 0; d <= historyDays; d++ {
			at := start.AddDate(0, 0, d).Add(6 * time.Hour)
			if at.After(today) {
				break
			}
			// Steady growth, faster in the last weeks.
			followers := base + int64(d*(4+i)) + int64(max(0, d-30)*(3+2*i))
			if err := db.PutAccountSnapshot(ctx, herald.AccountSnapshot{WorkspaceID: workspaceID, AccountID: a.ID, At: at,
				Followers: followers, Following: 180 + int64(i), Posts: 300 + int64(d)}); err != nil {
				t.Fatal(err)
			}
		}
	}
	settings, err := db.GetAnalyticsSettings(ctx, workspaceID)
	if err != nil {
		t.Fatal(err)
	}
	hours := []int{8, 12, 17, 9, 19}
	clickNo := 0
	for d := 1; d < historyDays; d++ {
		for k := range 1 + d%2 {
			acct := accts[(d+k)%len(accts)]
			day := start.AddDate(0, 0, d)
			at := time.Date(day.Year(), day.Month(), day.Day(), hours[(d+3*k)%len(hours)], 15*(d%4), 0, 0, loc).UTC()
			text := historyPosts[(d+k)%len(historyPosts)]
			p := herald.Post{WorkspaceID: workspaceID, AuthorID: authorID, Title: text, Text: text,
				Targets: []herald.Target{{AccountID: acct.ID, State: herald.StatePublished, ScheduledAt: &at, PublishedAt: &at,
					RemoteID: fmt.Sprintf("past-%d-%d", d, k)}}}
			if err := db.CreatePost(ctx, &p); err != nil {
				t.Fatal(err)
			}
			target := p.Targets[0]
			// Evenings and mornings do best; the last weeks better than the first.
			boost := int64(1 + d/20)
			if h := at.In(loc).Hour(); h == 8 || h == 19 {
				boost *= 3
			}
			n := int64((d*37+k*11)%23) + 4
			if err := db.AddMetricSnapshots(ctx, []herald.MetricSnapshot{{WorkspaceID: workspaceID, TargetID: target.ID,
				At: at.Add(20 * time.Hour), Likes: n * boost, Reposts: n * boost / 4, Replies: n * boost / 6, Quotes: -1,
				Impressions: -1}}); err != nil {
				t.Fatal(err)
			}
			if d%3 != 0 {
				continue
			}
			links, err := db.PutLinks(ctx, []herald.Link{{WorkspaceID: workspaceID, Code: fmt.Sprintf("Nw%04d%02d", d, k),
				TargetID: target.ID, PostID: p.ID,
				URL: "https://northwind.example/shop", Destination: "https://northwind.example/shop?utm_source=" +
					string(acct.Platform) + "&utm_medium=social&utm_content=" + fmt.Sprint(p.ID), CreatedAt: at}})
			if err != nil {
				t.Fatal(err)
			}
			var clicks []herald.Click
			for c := range int(n*boost/2) + 3 {
				kind := herald.ClickHuman
				if c < 2 {
					kind = herald.ClickPreview
				}
				clickNo++
				clicks = append(clicks, herald.Click{ID: fmt.Sprintf("shot%08d", clickNo), LinkID: links[0].ID,
					WorkspaceID: workspaceID, TargetID: target.ID, At: at.Add(time.Duration(c+1) * 7 * time.Minute), Kind: kind,
					Visitor: fmt.Sprintf("%064x", clickNo%(c+5))})
			}
			if err := db.RecordClicks(ctx, clicks); err != nil {
				t.Fatal(err)
			}
			for c := range int(boost) {
				click := clicks[len(clicks)-1-c]
				if _, _, err := db.AddConversion(ctx, herald.Conversion{WorkspaceID: workspaceID, ClickID: click.ID,
					LinkID: links[0].ID, TargetID: target.ID, EventID: "order-" + click.ID, Name: "purchase",
					Value: 1850 + int64(c)*420, Currency: settings.Currency, Source: "server",
					OccurredAt: click.At.Add(12 * time.Minute)}, settings.Currency); err != nil {
					t.Fatal(err)
				}
			}
		}
	}
}
