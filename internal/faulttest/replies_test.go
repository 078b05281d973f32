package faulttest

import (
	"encoding/json"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/heraldsocial/herald/internal/auth"
	"github.com/heraldsocial/herald/internal/connector/fake/fakeserver"
	"github.com/heraldsocial/herald/internal/herald"
)

// TestKillDuringReplies: 200 replies are asked for at once through the API
// while the platform accepts 30 % of them and then drops the connection
// without an answer, and Herald is killed with -9 in the middle. The
// client asks again for every reply that got no answer (as a browser or a
// script would), and Herald's default settling does the rest: every reply
// is on the platform exactly once, in the right thread.
func TestKillDuringReplies(t *testing.T) {
	tests := []struct {
		name string
		cfg  fakeserver.Config
		env  []string
	}{
		{"lookup", fakeserver.Config{Lookup: true}, nil},
		{"idempotency keys", fakeserver.Config{Idempotency: true}, []string{"HERALD_TEST_PLATFORM_IDEMPOTENCY=true"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cfg := tt.cfg
			cfg.Latency = 30 * time.Millisecond
			cfg.TimeoutRate, cfg.TimeoutDelay = 0.3, 0
			// At most two dropped answers per reply: each costs a settling
			// run (30 s by default), so the test stays within minutes.
			cfg.TimeoutsPerPost = 2
			killDuringReplies(t, cfg, tt.env)
		})
	}
}

func killDuringReplies(t *testing.T, cfg fakeserver.Config, env []string) {
	const replies = 200
	f := startFake(t, cfg)
	s := newSQLiteSite(t)
	ws, accts := s.workspace(t, "UTC", 4, f.url, "reply")
	if err := s.store.AddMember(t.Context(), &herald.Membership{WorkspaceID: ws.ID, UserID: s.user.ID,
		Role: herald.RoleOwner}); err != nil {
		t.Fatalf("AddMember: %v", err)
	}
	owner := herald.Actor{UserID: s.user.ID, WorkspaceID: ws.ID, Role: herald.RoleOwner}
	token, _, err := auth.New(s.store, herald.SystemClock{}, slog.New(slog.DiscardHandler)).
		CreateToken(t.Context(), owner, "fault test", herald.RoleOwner, nil)
	if err != nil {
		t.Fatalf("create an API token: %v", err)
	}
	// The mentions are on the platform, by fans (the fake's bearer token
	// is the account): replies must answer posts that exist.
	cfg0 := cfg
	f.configure(t, fakeserver.Config{})
	now := time.Now().UTC()
	items := make([]herald.InboxItem, replies)
	for i := range items {
		a := accts[i%len(accts)]
		items[i] = herald.InboxItem{WorkspaceID: ws.ID, AccountID: a.ID, RemoteID: f.post(t, fmt.Sprintf("fan%d", i), "@brand where is my order?"),
			AuthorID: fmt.Sprintf("fan%d", i), AuthorHandle: fmt.Sprintf("@fan%d", i), Text: "@brand where is my order?",
			CreatedAt: now, FetchedAt: now}
	}
	if n, err := s.store.AddInboxItems(t.Context(), items); err != nil || n != replies {
		t.Fatalf("AddInboxItems: %d, %v", n, err)
	}

	mentions := f.ledger(t, false).Count
	f.configure(t, cfg0)
	env = append(append([]string(nil), s.env...), env...)
	cur := startServe(t, "herald serve #1", env...)
	cur.waitReady(t)

	// answered[i]: the API answered 201, 202 or 409 (being sent) for
	// reply i; the others died with the process and are asked again.
	answered := make([]bool, replies)
	var mu sync.Mutex
	send := func(base string, i int) {
		body := strings.NewReader(fmt.Sprintf(`{"text":"Sorry, fan %d: it ships today."}`, i))
		req, err := http.NewRequestWithContext(t.Context(), http.MethodPost,
			fmt.Sprintf("%s/api/v1/workspaces/%d/inbox/%d/reply", base, ws.ID, items[i].ID), body)
		if err != nil {
			t.Error(err)
			return
		}
		req.Header.Set("Authorization", "Bearer "+token)
		req.Header.Set("Content-Type", "application/json")
		res, err := http.DefaultClient.Do(req)
		if err != nil {
			return // the process died
		}
		defer res.Body.Close()
		switch res.StatusCode {
		case http.StatusCreated, http.StatusAccepted, http.StatusConflict:
			mu.Lock()
			answered[i] = true
			mu.Unlock()
		default:
			var e json.RawMessage
			_ = json.NewDecoder(res.Body).Decode(&e)
			t.Errorf("reply %d: HTTP %d: %s", i, res.StatusCode, e)
		}
	}
	sendAll := func(base string, which []int) {
		var wg sync.WaitGroup
		sem := make(chan struct{}, 40)
		for _, i := range which {
			wg.Go(func() {
				sem <- struct{}{}
				defer func() { <-sem }()
				send(base, i)
			})
		}
		wg.Wait()
	}
	all := make([]int, replies)
	for i := range all {
		all[i] = i
	}
	done := make(chan struct{})
	go func() {
		defer close(done)
		sendAll(cur.url, all)
	}()
	// Kill with about a third of the replies on the platform, or after
	// ten seconds on a machine too busy to get that far.
	deadline := time.Now().Add(10 * time.Second)
	pollUntil(t, t.Context(), time.Minute, 5*time.Millisecond, "the moment to kill", func() bool {
		return time.Now().After(deadline) || f.ledger(t, false).Count-mentions >= replies/3
	})
	n := f.ledger(t, false).Count - mentions
	cur.kill(t)
	<-done
	t.Logf("kill -9 with %d of %d replies on the platform", n, replies)

	cur = startServe(t, "herald serve #2", env...)
	cur.waitReady(t)
	var again []int
	for i, ok := range answered {
		if !ok {
			again = append(again, i)
		}
	}
	t.Logf("asking again for the %d replies that got no answer", len(again))
	sendAll(cur.url, again)

	// Every reply settles as sent; the platform has each exactly once.
	pollUntil(t, t.Context(), 3*time.Minute, 250*time.Millisecond, "every reply sent", func() bool {
		for _, it := range items {
			rs, err := s.store.ListReplies(t.Context(), ws.ID, it.ID)
			if err != nil {
				t.Fatalf("ListReplies: %v", err)
			}
			if len(rs) != 1 || rs[0].State != herald.ReplySent {
				return false
			}
		}
		return true
	})
	l := f.ledger(t, true)
	if len(l.Duplicates) > 0 {
		t.Errorf("replied more than once: %v", l.Duplicates)
	}
	if l.Count-mentions != replies {
		t.Errorf("the platform has %d replies, want %d", l.Count-mentions, replies)
	}
	posts, err := fakeserver.FetchPosts(t.Context(), f.client, f.url)
	if err != nil {
		t.Fatalf("read the platform's posts: %v", err)
	}
	per := map[string]int{}
	for _, p := range posts {
		if p.InReplyToID != "" {
			per[p.InReplyToID]++
		}
	}
	for i, it := range items {
		if per[it.RemoteID] != 1 {
			t.Errorf("mention %d got %d replies on the platform, want 1", i, per[it.RemoteID])
		}
		rs, _ := s.store.ListReplies(t.Context(), ws.ID, it.ID)
		if len(rs) == 1 && rs[0].RemoteID == "" {
			t.Errorf("reply to mention %d is sent without its remote id", i)
		}
	}
	cur.stop(t)
}

// post publishes a status as account (the fake's bearer token) and
// returns its id.
func (f *fakePlatform) post(t *testing.T, account, text string) string {
	t.Helper()
	req, err := http.NewRequestWithContext(t.Context(), http.MethodPost, f.url+"/api/v1/statuses",
		strings.NewReader(url.Values{"status": {text}}.Encode()))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Authorization", "Bearer "+account)
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	res, err := f.client.Do(req)
	if err != nil {
		t.Fatalf("post on the fake platform: %v", err)
	}
	defer res.Body.Close()
	var st struct {
		ID string `json:"id"`
	}
	if err := json.NewDecoder(res.Body).Decode(&st); err != nil || res.StatusCode != http.StatusOK || st.ID == "" {
		t.Fatalf("post on the fake platform: HTTP %d, %v", res.StatusCode, err)
	}
	return st.ID
}
