package api_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/heraldsocial/herald/internal/connector"
	"github.com/heraldsocial/herald/internal/connector/fake"
	"github.com/heraldsocial/herald/internal/herald"
)

// engageWorld is a workspace with people in every role that matters here,
// another workspace, and the fake platform.
type engageWorld struct {
	h                                  *harness
	ws, other                          herald.Workspace
	owner                              herald.User
	ownerTok, editorTok, contribTok    string
	analystTok, clientTok, outsiderTok string
	base                               string
}

func newEngageWorld(t *testing.T, h *harness) engageWorld {
	t.Helper()
	_, base := h.withConnectors()
	w := engageWorld{h: h, base: base}
	w.owner = h.newUser("owner@example.com")
	w.ws = h.newWorkspace(w.owner, "Brand")
	w.ownerTok = h.tokenFor(w.owner, w.ws, herald.RoleOwner)
	_, w.editorTok = h.member(w.ws, "editor@example.com", herald.RoleEditor)
	_, w.contribTok = h.member(w.ws, "contrib@example.com", herald.RoleContributor)
	_, w.analystTok = h.member(w.ws, "analyst@example.com", herald.RoleAnalyst)
	// Clients may not make tokens themselves; one made for them acts as a client.
	client := h.newUser("client@example.com")
	if err := h.store.AddMember(context.Background(), &herald.Membership{WorkspaceID: w.ws.ID, UserID: client.ID, Role: herald.RoleClient}); err != nil {
		t.Fatal(err)
	}
	w.clientTok = h.tokenFor(client, w.ws, herald.RoleOwner)
	outsider := h.newUser("outsider@example.com")
	w.other = h.newWorkspace(outsider, "Other")
	w.outsiderTok = h.tokenFor(outsider, w.other, herald.RoleOwner)
	return w
}

func (w engageWorld) path(ws herald.Workspace, rest string) string {
	return fmt.Sprintf("/api/v1/workspaces/%d%s", ws.ID, rest)
}

// connectPassword connects the fake platform's account named token.
func (w engageWorld) connectPassword(t *testing.T, token string) herald.Account {
	t.Helper()
	r := w.h.do("POST", w.path(w.ws, "/accounts/connect-password"), w.ownerTok,
		map[string]any{"platform": "fake", "identifier": w.base, "password": token})
	mustStatus(t, r, http.StatusCreated)
	var a herald.Account
	r.JSON(t, &a)
	return a
}

// noRedirects is a client that stops at the first redirect.
func noRedirects() *http.Client {
	return &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
}

// authorize follows the platform's authorization page to the callback
// address it redirects to.
func authorize(t *testing.T, authorizeURL string) string {
	t.Helper()
	res, err := noRedirects().Get(authorizeURL)
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if res.StatusCode != http.StatusFound {
		t.Fatalf("authorize answered %d, want 302", res.StatusCode)
	}
	return res.Header.Get("Location")
}

func TestConnectFlow(t *testing.T) {
	forEachStore(t, func(t *testing.T, h *harness) {
		w := newEngageWorld(t, h)
		begin := func(token string, body any) response {
			return h.do("POST", w.path(w.ws, "/accounts/connect"), token, body)
		}
		start := func() string {
			t.Helper()
			r := begin(w.ownerTok, map[string]string{"platform": "fake", "instance": w.base + "#alice"})
			mustStatus(t, r, http.StatusOK)
			var out struct {
				AuthorizeURL string `json:"authorize_url"`
			}
			r.JSON(t, &out)
			if !strings.HasPrefix(out.AuthorizeURL, w.base+"/oauth/authorize?") {
				t.Fatalf("authorize_url %q is not the platform's", out.AuthorizeURL)
			}
			cb := authorize(t, out.AuthorizeURL)
			if !strings.HasPrefix(cb, h.srv.URL+"/api/v1/connect/callback?") {
				t.Fatalf("the platform sent the person to %q, not Herald's callback", cb)
			}
			return strings.TrimPrefix(cb, h.srv.URL)
		}

		// A program (no text/html in Accept) gets the account as JSON.
		cb := start()
		r := h.do("GET", cb, w.ownerTok, nil)
		mustStatus(t, r, http.StatusOK)
		var acct herald.Account
		r.JSON(t, &acct)
		if acct.Platform != herald.PlatformFake || acct.RemoteID != "alice" || acct.Handle != "@alice" ||
			acct.Status != herald.AccountConnected || acct.WorkspaceID != w.ws.ID || acct.InstanceURL != w.base {
			t.Fatalf("connected account %+v", acct)
		}
		// The state works once.
		r = h.do("GET", cb, w.ownerTok, nil)
		mustStatus(t, r, http.StatusUnprocessableEntity)
		if !strings.Contains(string(r.Body), "start connecting the account again") {
			t.Fatalf("a reused state says %s", r.Body)
		}

		// A browser is sent to the workspace's accounts page with the account id; reconnecting the same
		// profile updates it instead of adding another.
		stored, err := h.store.GetAccount(context.Background(), w.ws.ID, acct.ID)
		if err != nil {
			t.Fatal(err)
		}
		stored.Status, stored.StatusReason = herald.AccountExpired, "expired"
		if err := h.store.UpdateAccount(context.Background(), &stored); err != nil {
			t.Fatal(err)
		}
		req, _ := http.NewRequest("GET", h.srv.URL+start(), nil)
		req.Header.Set("Authorization", "Bearer "+w.ownerTok)
		req.Header.Set("Accept", "text/html,application/xhtml+xml")
		res, err := noRedirects().Do(req)
		if err != nil {
			t.Fatal(err)
		}
		res.Body.Close()
		if loc := res.Header.Get("Location"); res.StatusCode != http.StatusFound || loc != fmt.Sprintf("/w/%d/accounts?connected=%d", w.ws.ID, acct.ID) {
			t.Fatalf("browser callback: %d to %q, want 302 to /w/%d/accounts?connected=%d", res.StatusCode, loc, w.ws.ID, acct.ID)
		}
		again, err := h.store.GetAccount(context.Background(), w.ws.ID, acct.ID)
		if err != nil {
			t.Fatal(err)
		}
		if again.Status != herald.AccountConnected || again.StatusReason != "" {
			t.Fatalf("reconnect left the account %s (%q)", again.Status, again.StatusReason)
		}
		list, err := h.store.ListAccounts(context.Background(), w.ws.ID)
		if err != nil || len(list) != 1 {
			t.Fatalf("accounts after reconnecting: %d, %v", len(list), err)
		}

		// Errors at the callback say what to do.
		r = h.do("GET", "/api/v1/connect/callback?error=access_denied&error_description=The+user+refused", w.ownerTok, nil)
		mustStatus(t, r, http.StatusUnprocessableEntity)
		if !strings.Contains(string(r.Body), "The user refused") {
			t.Fatalf("refusal body %s", r.Body)
		}
		req, _ = http.NewRequest("GET", h.srv.URL+"/api/v1/connect/callback?state=nope&code=x", nil)
		req.Header.Set("Accept", "text/html")
		res, err = noRedirects().Do(req)
		if err != nil {
			t.Fatal(err)
		}
		res.Body.Close()
		loc, _ := url.Parse(res.Header.Get("Location"))
		if res.StatusCode != http.StatusFound || loc == nil || loc.Query().Get("connect_error") != "1" {
			t.Fatalf("signed-out browser callback: %d to %v", res.StatusCode, loc)
		}
		cb = start()
		_, editorTok := h.member(w.ws, "someone@example.com", herald.RoleAdmin)
		r = h.do("GET", cb, editorTok, nil)
		mustStatus(t, r, http.StatusForbidden)

		cases := []struct {
			name   string
			token  string
			path   string
			body   any
			status int
		}{
			{"editor may not connect", w.editorTok, w.path(w.ws, "/accounts/connect"), map[string]string{"platform": "fake", "instance": w.base}, http.StatusForbidden},
			{"analyst may not connect", w.analystTok, w.path(w.ws, "/accounts/connect-password"), map[string]string{"platform": "fake", "identifier": w.base, "password": "x"}, http.StatusForbidden},
			{"another workspace", w.outsiderTok, w.path(w.ws, "/accounts/connect"), map[string]string{"platform": "fake", "instance": w.base}, http.StatusNotFound},
			{"unknown platform", w.ownerTok, w.path(w.ws, "/accounts/connect"), map[string]string{"platform": "myspace"}, http.StatusUnprocessableEntity},
			{"platform without a connector", w.ownerTok, w.path(w.ws, "/accounts/connect"), map[string]string{"platform": "mastodon", "instance": "https://mastodon.social"}, http.StatusUnprocessableEntity},
			{"instance that is not a URL", w.ownerTok, w.path(w.ws, "/accounts/connect"), map[string]string{"platform": "fake", "instance": "not a server"}, http.StatusUnprocessableEntity},
			{"unknown field", w.ownerTok, w.path(w.ws, "/accounts/connect"), map[string]string{"platform": "fake", "nope": "x"}, http.StatusUnprocessableEntity},
			{"password missing", w.ownerTok, w.path(w.ws, "/accounts/connect-password"), map[string]string{"platform": "fake", "identifier": w.base}, http.StatusUnprocessableEntity},
			{"platform down", w.ownerTok, w.path(w.ws, "/accounts/connect-password"), map[string]string{"platform": "fake", "identifier": "http://127.0.0.1:1", "password": "x"}, http.StatusServiceUnavailable},
			{"no token", "", w.path(w.ws, "/accounts/connect"), map[string]string{"platform": "fake"}, http.StatusUnauthorized},
		}
		for _, tc := range cases {
			t.Run(tc.name, func(t *testing.T) {
				r := h.do("POST", tc.path, tc.token, tc.body)
				mustStatus(t, r, tc.status)
				if r.ErrorCode() == "" {
					t.Fatalf("no error body: %s", r.Body)
				}
			})
		}

		carol := w.connectPassword(t, "carol")
		if carol.Handle != "@carol" || carol.Platform != herald.PlatformFake || carol.Status != herald.AccountConnected {
			t.Fatalf("password-connected account %+v", carol)
		}
	})
}

func TestValidatePost(t *testing.T) {
	forEachStore(t, func(t *testing.T, h *harness) {
		w := newEngageWorld(t, h)
		acct := w.connectPassword(t, "alice")
		long := strings.Repeat("é", 501)
		body := map[string]any{
			"text": "hello",
			"targets": []map[string]any{
				{"account_id": acct.ID, "variant": map[string]any{"text": long,
					"thread": []map[string]any{{"text": "fine"}, {"text": long}}, "first_comment": long,
					"options": map[string]string{"visibility": "everyone"}}},
				{"account_id": acct.ID + 1000},
			},
		}
		r := h.do("POST", w.path(w.ws, "/posts/validate"), w.contribTok, body)
		mustStatus(t, r, http.StatusOK)
		var out struct {
			Publishable bool                  `json:"publishable"`
			Problems    []herald.FieldProblem `json:"problems"`
			Targets     []struct {
				Index       int                 `json:"index"`
				Checked     bool                `json:"checked"`
				Publishable bool                `json:"publishable"`
				Length      int                 `json:"length"`
				Limit       int                 `json:"limit"`
				Problems    []connector.Problem `json:"problems"`
				Parts       []struct {
					Part   string `json:"part"`
					Length int    `json:"length"`
				} `json:"parts"`
			} `json:"targets"`
		}
		r.JSON(t, &out)
		if out.Publishable || len(out.Targets) != 2 {
			t.Fatalf("verdict %s", r.Body)
		}
		t0 := out.Targets[0]
		if !t0.Checked || t0.Publishable || t0.Length != 501 || t0.Limit != 500 || len(t0.Parts) != 4 {
			t.Fatalf("first target %+v", t0)
		}
		fields := map[string]bool{}
		for _, p := range t0.Problems {
			fields[p.Field] = true
		}
		for _, f := range []string{"text", "thread[1].text", "first_comment", "options.visibility"} {
			if !fields[f] {
				t.Errorf("no problem for %s in %+v", f, t0.Problems)
			}
		}
		if fields["thread[0].text"] {
			t.Errorf("the fine thread part has a problem: %+v", t0.Problems)
		}
		if t1 := out.Targets[1]; t1.Index != 1 || t1.Checked || len(t1.Problems) != 1 || t1.Problems[0].Field != "account" {
			t.Fatalf("target on an unknown account %+v", t1)
		}

		r = h.do("POST", w.path(w.ws, "/posts/validate"), w.editorTok, map[string]any{
			"text": "short and sweet", "targets": []map[string]any{{"account_id": acct.ID}}})
		mustStatus(t, r, http.StatusOK)
		r.JSON(t, &out)
		if !out.Publishable || out.Targets[0].Length != len("short and sweet") {
			t.Fatalf("a fine draft: %s", r.Body)
		}
		posts, _, err := h.store.ListPosts(context.Background(), herald.PostFilter{WorkspaceID: w.ws.ID})
		if err != nil || len(posts) != 0 {
			t.Fatalf("validation stored %d posts (%v)", len(posts), err)
		}

		cases := []struct {
			name   string
			token  string
			ws     herald.Workspace
			body   any
			status int
		}{
			{"analyst", w.analystTok, w.ws, map[string]any{"text": "x"}, http.StatusForbidden},
			{"client", w.clientTok, w.ws, map[string]any{"text": "x"}, http.StatusForbidden},
			{"another workspace", w.outsiderTok, w.ws, map[string]any{"text": "x"}, http.StatusNotFound},
			{"bad body", w.ownerTok, w.ws, map[string]any{"targets": "all"}, http.StatusUnprocessableEntity},
		}
		for _, tc := range cases {
			t.Run(tc.name, func(t *testing.T) {
				mustStatus(t, h.do("POST", w.path(tc.ws, "/posts/validate"), tc.token, tc.body), tc.status)
			})
		}
	})
}

// publishedOn stores a post whose target on acct is published as remoteID.
func publishedOn(t *testing.T, h *harness, ws herald.Workspace, author herald.User, acct herald.Account, remoteID string) herald.Target {
	t.Helper()
	ctx := context.Background()
	p := herald.Post{WorkspaceID: ws.ID, AuthorID: author.ID, Text: "ours",
		Targets: []herald.Target{{AccountID: acct.ID, State: herald.StateDraft}}}
	if err := h.store.CreatePost(ctx, &p); err != nil {
		t.Fatal(err)
	}
	tg := p.Targets[0]
	now := time.Now().UTC().Truncate(time.Microsecond)
	tg.ScheduledAt = &now
	for _, to := range []herald.TargetState{herald.StateScheduled, herald.StatePublishing, herald.StatePublished} {
		if to == herald.StatePublished {
			tg.RemoteID = remoteID
		}
		tr, err := tg.Transition(to, nil, "", now)
		if err != nil {
			t.Fatal(err)
		}
		if err := h.store.TransitionTarget(ctx, &tg, tr); err != nil {
			t.Fatal(err)
		}
	}
	return tg
}

func TestTargetMetrics(t *testing.T) {
	forEachStore(t, func(t *testing.T, h *harness) {
		w := newEngageWorld(t, h)
		acct := w.connectPassword(t, "alice")
		tg := publishedOn(t, h, w.ws, w.owner, acct, "123")
		at := time.Now().UTC().Truncate(time.Microsecond)
		if err := h.store.AddMetricSnapshots(context.Background(), []herald.MetricSnapshot{
			{WorkspaceID: w.ws.ID, TargetID: tg.ID, At: at, Likes: 4, Reposts: 1, Replies: 2, Quotes: -1, Impressions: -1},
			{WorkspaceID: w.ws.ID, TargetID: tg.ID, At: at.Add(-time.Hour), Likes: 1, Quotes: -1, Impressions: -1},
		}); err != nil {
			t.Fatal(err)
		}
		path := fmt.Sprintf("/posts/%d/targets/%d/metrics", tg.PostID, tg.ID)
		r := h.do("GET", w.path(w.ws, path), w.analystTok, nil)
		mustStatus(t, r, http.StatusOK)
		var out struct {
			Items []herald.MetricSnapshot `json:"items"`
		}
		r.JSON(t, &out)
		if len(out.Items) != 2 || out.Items[0].Likes != 1 || out.Items[1].Likes != 4 || out.Items[1].Quotes != -1 {
			t.Fatalf("metrics %s", r.Body)
		}
		cases := []struct {
			name   string
			token  string
			path   string
			status int
		}{
			{"client reads numbers", w.clientTok, w.path(w.ws, path), http.StatusOK},
			{"contributor does not", w.contribTok, w.path(w.ws, path), http.StatusForbidden},
			{"another workspace", w.outsiderTok, w.path(w.other, path), http.StatusNotFound},
			{"target of another post", w.ownerTok, w.path(w.ws, fmt.Sprintf("/posts/%d/targets/%d/metrics", tg.PostID+1, tg.ID)), http.StatusNotFound},
			{"bad id", w.ownerTok, w.path(w.ws, "/posts/0/targets/1/metrics"), http.StatusUnprocessableEntity},
		}
		for _, tc := range cases {
			t.Run(tc.name, func(t *testing.T) {
				mustStatus(t, h.do("GET", tc.path, tc.token, nil), tc.status)
			})
		}
	})
}

func TestInbox(t *testing.T) {
	forEachStore(t, func(t *testing.T, h *harness) {
		w := newEngageWorld(t, h)
		ctx := context.Background()
		alice := w.connectPassword(t, "alice")
		bob := w.connectPassword(t, "bob")
		pub := fake.New(nil)
		as := func(token string) connector.Account {
			return connector.Account{Credentials: fake.MarshalCredentials(fake.Credentials{BaseURL: w.base, AccessToken: token})}
		}
		ours, err := pub.Publish(ctx, as("alice"), connector.Part{Text: "ours"})
		if err != nil {
			t.Fatal(err)
		}
		tg := publishedOn(t, h, w.ws, w.owner, alice, ours.ID)
		mention, err := pub.Publish(ctx, as("dan"), connector.Part{Text: "@alice hello", ReplyTo: &ours})
		if err != nil {
			t.Fatal(err)
		}
		items := []herald.InboxItem{
			{WorkspaceID: w.ws.ID, AccountID: alice.ID, RemoteID: mention.ID, URL: mention.URL, AuthorHandle: "@dan",
				Text: "@alice hello", ReplyToRemoteID: ours.ID, CreatedAt: time.Now()},
			{WorkspaceID: w.ws.ID, AccountID: bob.ID, RemoteID: "1", AuthorHandle: "@eve", Text: "@bob hi", CreatedAt: time.Now()},
			{WorkspaceID: w.ws.ID, AccountID: bob.ID, RemoteID: "2", AuthorHandle: "@eve", Text: "@bob again", CreatedAt: time.Now()},
		}
		if _, err := h.store.AddInboxItems(ctx, items); err != nil {
			t.Fatal(err)
		}
		if items[0].TargetID == nil || *items[0].TargetID != tg.ID {
			t.Fatalf("the reply is not linked to target %d", tg.ID)
		}

		r := h.do("GET", w.path(w.ws, "/inbox?limit=2"), w.clientTok, nil)
		mustStatus(t, r, http.StatusOK)
		var page struct {
			Items      []herald.InboxItem `json:"items"`
			NextCursor string             `json:"next_cursor"`
		}
		r.JSON(t, &page)
		if len(page.Items) != 2 || page.NextCursor == "" || page.Items[0].ID != items[2].ID {
			t.Fatalf("first page %s", r.Body)
		}
		r = h.do("GET", w.path(w.ws, "/inbox?limit=2&cursor="+page.NextCursor), w.clientTok, nil)
		mustStatus(t, r, http.StatusOK)
		r.JSON(t, &page)
		if len(page.Items) != 1 || page.NextCursor != "" || page.Items[0].ID != items[0].ID || page.Items[0].TargetID == nil {
			t.Fatalf("second page %s", r.Body)
		}
		r = h.do("GET", w.path(w.ws, fmt.Sprintf("/inbox?account=%d", alice.ID)), w.ownerTok, nil)
		mustStatus(t, r, http.StatusOK)
		r.JSON(t, &page)
		if len(page.Items) != 1 {
			t.Fatalf("alice's inbox %s", r.Body)
		}

		r = h.do("POST", w.path(w.ws, fmt.Sprintf("/inbox/%d/reply", items[0].ID)), w.editorTok, map[string]string{"text": "thanks Dan!"})
		mustStatus(t, r, http.StatusCreated)
		var ref herald.RemoteRef
		r.JSON(t, &ref)
		if ref.ID == "" {
			t.Fatalf("reply %s", r.Body)
		}
		var sent struct {
			Content     string  `json:"content"`
			InReplyToID *string `json:"in_reply_to_id"`
			Account     struct {
				ID string `json:"id"`
			} `json:"account"`
			FavouritesCount int `json:"favourites_count"`
		}
		getStatus := func(id string) {
			t.Helper()
			req, _ := http.NewRequest("GET", w.base+"/api/v1/statuses/"+id, nil)
			req.Header.Set("Authorization", "Bearer x")
			res, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			defer res.Body.Close()
			if err := decodeJSON(res, &sent); err != nil {
				t.Fatal(err)
			}
		}
		// The same reply asked for again (a client retrying after a
		// timeout) is the same reply, not a second one.
		r = h.do("POST", w.path(w.ws, fmt.Sprintf("/inbox/%d/reply", items[0].ID)), w.editorTok, map[string]string{"text": "thanks Dan!"})
		mustStatus(t, r, http.StatusCreated)
		var again herald.RemoteRef
		r.JSON(t, &again)
		if again.ID != ref.ID {
			t.Fatalf("the same reply again got %q, want %q", again.ID, ref.ID)
		}
		r = h.do("GET", w.path(w.ws, fmt.Sprintf("/inbox/%d/replies", items[0].ID)), w.analystTok, nil)
		mustStatus(t, r, http.StatusOK)
		var replies struct {
			Items []herald.Reply `json:"items"`
		}
		r.JSON(t, &replies)
		if len(replies.Items) != 1 || replies.Items[0].State != herald.ReplySent || replies.Items[0].RemoteID != ref.ID {
			t.Fatalf("replies %s", r.Body)
		}
		r = h.do("GET", w.path(w.ws, fmt.Sprintf("/inbox/%d/thread", items[0].ID)), w.analystTok, nil)
		mustStatus(t, r, http.StatusOK)
		var thread struct {
			Supported bool `json:"supported"`
			Post      struct {
				RemoteID string `json:"remote_id"`
			} `json:"post"`
			Replies []struct {
				RemoteID string `json:"remote_id"`
				Ours     bool   `json:"ours"`
			} `json:"replies"`
		}
		r.JSON(t, &thread)
		if !thread.Supported || thread.Post.RemoteID != mention.ID || len(thread.Replies) != 1 || thread.Replies[0].RemoteID != ref.ID ||
			!thread.Replies[0].Ours {
			t.Fatalf("thread %s", r.Body)
		}
		getStatus(ref.ID)
		if sent.InReplyToID == nil || *sent.InReplyToID != mention.ID || sent.Account.ID != "alice" || !strings.Contains(sent.Content, "thanks Dan!") {
			t.Fatalf("the platform got %+v", sent)
		}

		// Answer as bob, on the same server: listed, then sent from bob
		// into the same thread; another platform's account is refused.
		r = h.do("GET", w.path(w.ws, fmt.Sprintf("/inbox/%d/answer-accounts", items[0].ID)), w.analystTok, nil)
		mustStatus(t, r, http.StatusOK)
		var answerers struct {
			Items []herald.Account `json:"items"`
		}
		r.JSON(t, &answerers)
		if len(answerers.Items) != 2 || answerers.Items[0].ID != alice.ID || answerers.Items[1].ID != bob.ID {
			t.Fatalf("answer accounts %s", r.Body)
		}
		r = h.do("POST", w.path(w.ws, fmt.Sprintf("/inbox/%d/reply", items[0].ID)), w.editorTok,
			map[string]any{"text": "Bob here, on it", "account_id": bob.ID})
		mustStatus(t, r, http.StatusCreated)
		var asBob struct {
			ID    string       `json:"id"`
			Reply herald.Reply `json:"reply"`
		}
		r.JSON(t, &asBob)
		if asBob.Reply.AccountID == nil || *asBob.Reply.AccountID != bob.ID {
			t.Fatalf("reply as bob %s", r.Body)
		}
		getStatus(asBob.ID)
		if sent.InReplyToID == nil || *sent.InReplyToID != mention.ID || sent.Account.ID != "bob" {
			t.Fatalf("the platform got %+v from the answer as bob", sent)
		}
		r = h.do("POST", w.path(w.ws, fmt.Sprintf("/inbox/%d/reply", items[0].ID)), w.editorTok,
			map[string]any{"text": "no", "account_id": 999999})
		mustStatus(t, r, http.StatusNotFound)

		r = h.do("POST", w.path(w.ws, fmt.Sprintf("/inbox/%d/like", items[0].ID)), w.contribTok, nil)
		mustStatus(t, r, http.StatusNoContent)
		getStatus(mention.ID)
		if sent.FavouritesCount != 1 {
			t.Fatalf("the mention has %d favourites, want 1", sent.FavouritesCount)
		}

		replyPath := w.path(w.ws, fmt.Sprintf("/inbox/%d/reply", items[0].ID))
		likePath := w.path(w.ws, fmt.Sprintf("/inbox/%d/like", items[0].ID))
		cases := []struct {
			name, method, path, token string
			body                      any
			status                    int
		}{
			{"contributor may not publish a reply", "POST", replyPath, w.contribTok, map[string]string{"text": "hi"}, http.StatusForbidden},
			{"analyst may not like", "POST", likePath, w.analystTok, nil, http.StatusForbidden},
			{"empty reply", "POST", replyPath, w.ownerTok, map[string]string{"text": ""}, http.StatusUnprocessableEntity},
			{"reply too long for the platform", "POST", replyPath, w.ownerTok, map[string]string{"text": strings.Repeat("a", 600)}, http.StatusUnprocessableEntity},
			{"unknown field", "POST", replyPath, w.ownerTok, map[string]string{"text": "hi", "to": "x"}, http.StatusUnprocessableEntity},
			{"item of another workspace", "POST", w.path(w.other, fmt.Sprintf("/inbox/%d/like", items[0].ID)), w.outsiderTok, nil, http.StatusNotFound},
			{"inbox of another workspace", "GET", w.path(w.ws, "/inbox"), w.outsiderTok, nil, http.StatusNotFound},
			{"unknown item", "POST", w.path(w.ws, "/inbox/999999/like"), w.ownerTok, nil, http.StatusNotFound},
			{"account of another workspace", "GET", w.path(w.other, fmt.Sprintf("/inbox?account=%d", alice.ID)), w.outsiderTok, nil, http.StatusNotFound},
			{"bad cursor", "GET", w.path(w.ws, "/inbox?cursor=nope!"), w.ownerTok, nil, http.StatusBadRequest},
		}
		for _, tc := range cases {
			t.Run(tc.name, func(t *testing.T) {
				mustStatus(t, h.do(tc.method, tc.path, tc.token, tc.body), tc.status)
			})
		}

		// A disconnected account cannot answer.
		mustStatus(t, h.do("DELETE", w.path(w.ws, fmt.Sprintf("/accounts/%d", alice.ID)), w.ownerTok, nil), http.StatusNoContent)
		r = h.do("POST", likePath, w.ownerTok, nil)
		mustStatus(t, r, http.StatusConflict)
		if !strings.Contains(string(r.Body), "reconnected") {
			t.Fatalf("like on a disconnected account says %s", r.Body)
		}
	})
}

// decodeJSON decodes a platform's answer.
func decodeJSON(res *http.Response, v any) error {
	if res.StatusCode != http.StatusOK {
		return fmt.Errorf("the platform answered %d", res.StatusCode)
	}
	return json.NewDecoder(res.Body).Decode(v)
}

func TestAccountOptions(t *testing.T) {
	forEachStore(t, func(t *testing.T, h *harness) {
		w := newEngageWorld(t, h)
		acct := w.connectPassword(t, "alice")
		r := h.do("GET", w.path(w.ws, fmt.Sprintf("/accounts/%d/options", acct.ID)), w.contribTok, nil)
		mustStatus(t, r, http.StatusOK)
		var out struct {
			Options []connector.OptionField `json:"options"`
		}
		r.JSON(t, &out)
		if len(out.Options) != 1 || out.Options[0].Key != "language" || out.Options[0].Kind != connector.OptionText {
			t.Fatalf("options %+v, want the test platform's language", out.Options)
		}
		r = h.do("GET", w.path(w.ws, fmt.Sprintf("/accounts/%d/options", acct.ID+1000)), w.contribTok, nil)
		mustStatus(t, r, http.StatusNotFound)
	})
}
