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

// listenVoices are public posts about the screenshots' brand, by tone.
var listenVoices = map[string][]string{
	"positive": {
		"The Northwind winter blend is the best thing about December #coffee",
		"Northwind Berlin baristas are so friendly, lovely morning",
		"Great cardamom buns at Northwind today #coffee",
		"Northwind hot chocolate saved my rainy Monday",
	},
	"neutral": {
		"Is the Northwind Kreuzberg shop open on Sundays?",
		"Trying the Northwind house blend with an aeropress today #coffee",
		"Northwind pop-up at the market this weekend",
	},
	"negative": {
		"Northwind app is down again, cannot pay for my order #outage",
		"Waited 40 minutes, Northwind app lost my order #outage",
		"Northwind payments failing at the counter, terrible #outage",
	},
}

// seedListening writes a week of listening matches of topicID for the
// screenshots (a steady mix of tones, then a burst of complaints about an
// app outage in the last hour) and an incident opened by it, with its
// timeline. It writes to the stopped server's database and returns the
// incident's id.
func seedListening(t *testing.T, dataDir string, workspaceID, topicID int64) int64 {
	t.Helper()
	ctx := context.Background()
	db, err := sqlite.Open(ctx, filepath.Join(dataDir, "herald.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	now := time.Now().UTC().Truncate(time.Second)
	authors := []string{"mia", "jonas", "lea", "tom", "sara", "ben", "ida", "felix", "nora", "paul"}
	var ms []herald.ListenMatch
	add := func(i int, sentiment, text string, at time.Time) {
		a := authors[i%len(authors)]
		ms = append(ms, herald.ListenMatch{WorkspaceID: workspaceID, Platform: herald.PlatformBluesky,
			RemoteID: fmt.Sprintf("at://did:plc:%s/app.bsky.feed.post/3l%06d", a, i),
			URL:      fmt.Sprintf("https://bsky.app/profile/%s.bsky.social/post/3l%06d", a, i),
			AuthorID: "did:plc:" + a, AuthorHandle: a + ".bsky.social", AuthorFollowers: int64(120 + 37*(i%len(authors))),
			Text: text, Language: "en", Sentiment: sentiment, PostedAt: at, SeenAt: at.Add(2 * time.Second),
			Topics: []herald.TopicHit{{TopicID: topicID, Terms: []string{"northwind"}}}})
	}
	i := 0
	for h := 7 * 24; h > 1; h-- { // a few posts an hour over the week
		for k := range 1 + h%3 {
			tone := []string{"positive", "positive", "neutral", "negative", "positive", "neutral"}[(h+k)%6]
			if tone == "negative" {
				tone = "neutral" // complaints are rare before the outage
			}
			texts := listenVoices[tone]
			add(i, tone, texts[(h+k)%len(texts)], now.Add(-time.Duration(h)*time.Hour+time.Duration(k)*7*time.Minute))
			i++
		}
	}
	var evidence []int64
	burst := now.Add(-40 * time.Minute)
	first := len(ms)
	for k := range 36 {
		texts := listenVoices["negative"]
		add(i, "negative", texts[k%len(texts)], burst.Add(time.Duration(k)*50*time.Second))
		i++
	}
	if _, err := db.AddListenMatches(ctx, ms); err != nil {
		t.Fatal(err)
	}
	stored, _, err := db.ListListenMatches(ctx, herald.ListenFilter{WorkspaceID: workspaceID, Sentiment: "negative",
		Page: herald.Page{Limit: len(ms) - first}})
	if err != nil {
		t.Fatal(err)
	}
	for _, m := range stored {
		evidence = append(evidence, m.ID)
	}
	opened := burst.Add(14 * time.Minute)
	in := herald.Incident{WorkspaceID: workspaceID, Title: "Negative spike", Status: herald.IncidentOpen,
		Why:      "31 negative mentions in the last 15 minutes; usually 0.4 (3× that and at least 20 fire it)",
		Evidence: evidence, HoldProposed: true, OpenedAt: opened}
	events := []herald.IncidentEvent{
		{Kind: herald.EventDetected, At: opened, Message: "Detected: " + in.Why},
		{Kind: herald.EventAlerted, At: opened, Message: "Alerted the people who can hold posts, in Herald and on the workspace's notification channels"},
	}
	if err := db.CreateIncident(ctx, &in, events); err != nil {
		t.Fatal(err)
	}
	return in.ID
}
