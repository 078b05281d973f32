package e2e

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/heraldsocial/herald/internal/connector"
	blueskyconn "github.com/heraldsocial/herald/internal/connector/bluesky"
	"github.com/heraldsocial/herald/internal/connector/bluesky/blueskytest"
	"github.com/heraldsocial/herald/internal/connector/fake/fakeserver"
	"github.com/heraldsocial/herald/internal/herald"
)

// receiver is a real HTTP server that keeps the webhook bodies it gets.
type receiver struct {
	mu     sync.Mutex
	bodies []string
}

func (rc *receiver) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	b, _ := io.ReadAll(r.Body)
	rc.mu.Lock()
	rc.bodies = append(rc.bodies, string(b))
	rc.mu.Unlock()
	w.WriteHeader(http.StatusNoContent)
}

func (rc *receiver) find(s string) bool {
	rc.mu.Lock()
	defer rc.mu.Unlock()
	for _, b := range rc.bodies {
		if strings.Contains(b, s) {
			return true
		}
	}
	return false
}

// TestCrisisFromFirehose runs the whole loop against a real Bluesky PDS:
// `herald serve` reads the PDS's firehose (HERALD_LISTEN_BLUESKY_FIREHOSE,
// default settings otherwise); posts by other accounts with the topic's
// term become matches; a scripted burst of negative posts fires the spike
// detector, which opens an incident, holds the workspace's scheduled post
// (it is not published at its time) and alerts a webhook receiver; the
// playbook's approved holding statement is published from the incident
// while the rest stays held; the incident is resolved and the post goes
// back to review.
func TestCrisisFromFirehose(t *testing.T) {
	env := blueskytest.Start(t)
	ctx, cancel := context.WithTimeout(context.Background(), 8*time.Minute)
	defer cancel()
	c := blueskyconn.New(&http.Client{Timeout: 30 * time.Second}, blueskyconn.WithPLCURL(env.PLC), blueskyconn.WithHandleResolver(env.PDS))
	var authors []connector.Account
	for _, a := range env.Accounts {
		got, err := c.ConnectWithPassword(ctx, a.Handle, a.AppPassword)
		if err != nil {
			t.Fatalf("connect %s: %v", a.Handle, err)
		}
		authors = append(authors, connector.Account{Account: got.Account, Credentials: got.Credentials})
	}
	say := func(i int, text string) {
		t.Helper()
		if _, err := blueskytest.CreateRecord(ctx, authors[i%len(authors)], "app.bsky.feed.post", map[string]any{
			"text": text, "langs": []string{"en"}, "createdAt": time.Now().UTC().Format(time.RFC3339Nano)}); err != nil {
			t.Fatalf("post on the PDS: %v", err)
		}
	}

	rc := &receiver{}
	hook := httptest.NewServer(rc)
	t.Cleanup(hook.Close)
	plat := startPlatform(t, fakeserver.Config{})
	srv := newServer(t, "HERALD_LISTEN_BLUESKY_FIREHOSE="+env.PDS)
	cli(t, srv.env, password+"\n", "user", "create", "--email", "ana@example.com", "--name", "Ana Lima",
		"--workspace", "Northwind Coffee", "--time-zone", "UTC", "--password-stdin")
	token := strings.TrimSpace(cli(t, srv.env, "", "token", "create", "--email", "ana@example.com",
		"--workspace", "1", "--role", "owner", "--name", "crisis"))
	srv.start(t)
	a := api{t: t, base: srv.url + "/api/v1/workspaces/1", token: token}

	term := fmt.Sprintf("northwind%d", time.Now().UnixNano()%1_000_000)
	var topic herald.ListenTopic
	a.do(http.MethodPost, "/listen/topics", map[string]any{"name": "Brand", "rules": map[string]any{"any": []string{term}}},
		http.StatusCreated, &topic)
	a.do(http.MethodPost, "/crisis/detectors", map[string]any{"name": "Negative spike", "kind": "spike", "topic_id": topic.ID,
		"sentiment": "negative", "min_count": 6, "hold": "auto"}, http.StatusCreated, nil)
	a.do(http.MethodPost, "/webhooks", map[string]any{"kind": "generic", "name": "Receiver", "url": hook.URL,
		"kinds": []string{"crisis_detected"}}, http.StatusCreated, nil)
	var acct herald.Account
	a.do(http.MethodPost, "/accounts/connect-password", map[string]string{
		"platform": string(herald.PlatformFake), "identifier": plat.url, "password": "northwind"}, http.StatusCreated, &acct)
	due := time.Now().Add(3 * time.Minute).UTC().Truncate(time.Second)
	var scheduled herald.Post
	a.do(http.MethodPost, "/posts", map[string]any{"text": "Our winter blend is back", "action": "schedule",
		"targets": []map[string]any{{"account_id": acct.ID, "scheduled_at": due}}}, http.StatusCreated, &scheduled)

	matches := func() []herald.ListenMatch {
		var body struct{ Items []herald.ListenMatch }
		a.do(http.MethodGet, "/listen/matches?limit=200", nil, http.StatusOK, &body)
		return body.Items
	}
	// The firehose is read once this instance leads: a neutral post with
	// the term, repeated until it shows up, says it is.
	deadline := time.Now().Add(90 * time.Second)
	for i := 0; len(matches()) == 0; i++ {
		if time.Now().After(deadline) {
			t.Fatal("no post from the PDS became a match within 90 s")
		}
		if i%20 == 0 {
			say(i, "Visited "+term+" this morning, the shop opens at eight")
		}
		time.Sleep(100 * time.Millisecond)
	}
	got := matches()[0]
	if got.Platform != herald.PlatformBluesky || !strings.HasPrefix(got.RemoteID, "at://did:") || got.Sentiment != "neutral" ||
		len(got.Topics) != 1 || got.Topics[0].TopicID != topic.ID || got.Language != "en" {
		t.Fatalf("the first match: %+v", got)
	}

	burst := time.Now()
	for i := range 10 {
		say(i, fmt.Sprintf("%s is terrible, the worst service ever, I hate it (%d)", term, i))
	}
	var incident struct {
		herald.Incident
		Timeline []herald.IncidentEvent
	}
	deadline = time.Now().Add(2 * time.Minute)
	for {
		var list struct{ Items []herald.Incident }
		a.do(http.MethodGet, "/incidents", nil, http.StatusOK, &list)
		if len(list.Items) > 0 && list.Items[0].HeldAt != nil {
			a.do(http.MethodGet, fmt.Sprintf("/incidents/%d", list.Items[0].ID), nil, http.StatusOK, &incident)
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("no incident held the posts within 2 minutes of the burst; matches: %d", len(matches()))
		}
		time.Sleep(250 * time.Millisecond)
	}
	t.Logf("the burst opened an incident and held posts %s after its first post", time.Since(burst).Round(time.Second))
	if incident.Drill || !strings.Contains(incident.Why, "negative mentions") || len(incident.Evidence) < 6 {
		t.Fatalf("incident %+v", incident.Incident)
	}
	var p herald.Post
	a.do(http.MethodGet, fmt.Sprintf("/posts/%d", scheduled.ID), nil, http.StatusOK, &p)
	if p.Targets[0].State != herald.StateHeld {
		t.Fatalf("the scheduled post is %s, want held", p.Targets[0].State)
	}
	deadline = time.Now().Add(30 * time.Second)
	for !rc.find(`"crisis_detected"`) {
		if time.Now().After(deadline) {
			t.Fatal("the webhook receiver got no crisis_detected notification")
		}
		time.Sleep(100 * time.Millisecond)
	}
	// The approved holding statement goes out from the incident at once,
	// past the hold, through the dispatcher.
	statement := "We are looking into what people are reporting and will update here within the hour."
	var entry herald.PlaybookEntry
	a.do(http.MethodPost, "/playbook/entries", map[string]any{"kind": "statement", "title": "Holding", "body": statement},
		http.StatusCreated, &entry)
	a.do(http.MethodPost, fmt.Sprintf("/playbook/entries/%d/approve", entry.ID), nil, http.StatusOK, nil)
	a.do(http.MethodPost, fmt.Sprintf("/incidents/%d/statements", incident.ID), map[string]any{"entry_id": entry.ID,
		"account_ids": []int64{acct.ID}}, http.StatusCreated, nil)
	deadline = time.Now().Add(30 * time.Second)
	for len(plat.posts(t)) == 0 {
		if time.Now().After(deadline) {
			t.Fatal("the holding statement did not reach the platform within 30 s")
		}
		time.Sleep(100 * time.Millisecond)
	}
	// Past its time the held post is still held and the platform has only
	// the statement.
	time.Sleep(time.Until(due.Add(15 * time.Second)))
	a.do(http.MethodGet, fmt.Sprintf("/posts/%d", scheduled.ID), nil, http.StatusOK, &p)
	if got := plat.posts(t); p.Targets[0].State != herald.StateHeld || len(got) != 1 || got[0].Text != statement {
		t.Fatalf("after its time the post is %s and the platform has %+v", p.Targets[0].State, got)
	}
	a.do(http.MethodPost, fmt.Sprintf("/incidents/%d/resolve", incident.ID), map[string]any{"resume": true, "note": "Statement out"},
		http.StatusOK, &incident)
	kinds := []string{}
	for _, e := range incident.Timeline {
		kinds = append(kinds, string(e.Kind))
	}
	if incident.Status != herald.IncidentResolved || strings.Join(kinds, " ") != "detected alerted held posted note resumed resolved" {
		t.Fatalf("resolved incident %s, timeline %v", incident.Status, kinds)
	}
	a.do(http.MethodGet, fmt.Sprintf("/posts/%d", scheduled.ID), nil, http.StatusOK, &p)
	if p.Targets[0].State == herald.StateHeld || p.Targets[0].State == herald.StatePublished {
		raw, _ := json.Marshal(p.Targets[0])
		t.Fatalf("after resolving with resume the target is %s, want back to review: %s", p.Targets[0].State, raw)
	}
}
