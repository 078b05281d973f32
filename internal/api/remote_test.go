package api_test

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/heraldsocial/herald/internal/api"
	"github.com/heraldsocial/herald/internal/connector"
	"github.com/heraldsocial/herald/internal/connector/fake"
	"github.com/heraldsocial/herald/internal/connector/fake/fakeserver"
	"github.com/heraldsocial/herald/internal/herald"
	"github.com/heraldsocial/herald/internal/post"
)

// publishOnly is a connector that can publish and nothing else: no
// deleting, no editing.
type publishOnly struct{ c *fake.Connector }

func (p publishOnly) Publish(ctx context.Context, acct connector.Account, part connector.Part) (herald.RemoteRef, error) {
	return p.c.Publish(ctx, acct, part)
}

// withPublishOnly rebuilds h's API so that the posts service also knows
// a Threads connector that only publishes (through the fake platform).
func withPublishOnly(h *harness) {
	h.t.Helper()
	reg := connector.NewRegistry()
	reg.Register(herald.PlatformFake, fake.New(nil))
	reg.Register(herald.PlatformThreads, publishOnly{fake.New(nil)})
	d := h.svc
	d.Posts = post.New(h.store, herald.SystemClock{}, slog.New(slog.DiscardHandler), post.WithConnectors(reg, h.keys))
	a := api.New(d)
	srv := httptest.NewServer(d.Sessions.LoadAndSave(h.auth.Middleware(d.Sessions)(a)))
	h.t.Cleanup(srv.Close)
	h.svc, h.api, h.srv = d, a, srv
}

// sealedAccount stores an account on platform whose credentials reach the
// fake platform at base as token.
func sealedAccount(t *testing.T, h *harness, ws herald.Workspace, platform herald.Platform, token, base string) herald.Account {
	t.Helper()
	a := herald.Account{WorkspaceID: ws.ID, Platform: platform, RemoteID: token, Handle: "@" + token,
		DisplayName: token, InstanceURL: base, Status: herald.AccountConnected}
	sealed, err := h.keys.Seal(fake.MarshalCredentials(fake.Credentials{BaseURL: base, AccessToken: token}), a.CredentialsAAD())
	if err != nil {
		t.Fatal(err)
	}
	a.Credentials = sealed
	if err := h.store.CreateAccount(context.Background(), &a); err != nil {
		t.Fatal(err)
	}
	return a
}

// ledgerPost reads the fake platform's record of a post.
func ledgerPost(t *testing.T, base, id string) fakeserver.Post {
	t.Helper()
	res, err := http.Get(base + "/_admin/posts")
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	var posts []fakeserver.Post
	if err := decodeJSON(res, &posts); err != nil {
		t.Fatal(err)
	}
	for _, p := range posts {
		if p.ID == id {
			return p
		}
	}
	t.Fatalf("the platform has no post %s", id)
	return fakeserver.Post{}
}

// configurePlatform replaces the fake platform's behaviour.
func configurePlatform(t *testing.T, base string, cfg map[string]any) {
	t.Helper()
	b, err := json.Marshal(cfg)
	if err != nil {
		t.Fatal(err)
	}
	req, _ := http.NewRequest(http.MethodPut, base+"/_admin/config", strings.NewReader(string(b)))
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if res.StatusCode != http.StatusOK {
		t.Fatalf("configure the platform: %d", res.StatusCode)
	}
}

// auditActions returns the actions audited on a target, newest first.
func auditActions(t *testing.T, h *harness, ws herald.Workspace, targetID int64) []string {
	t.Helper()
	es, _, err := h.store.ListAudit(context.Background(), herald.AuditFilter{WorkspaceID: ws.ID, ObjectType: "target", ObjectID: targetID})
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, e := range es {
		out = append(out, e.Action)
	}
	return out
}

func TestDeleteAndEditRemote(t *testing.T) {
	forEachStore(t, func(t *testing.T, h *harness) {
		w := newEngageWorld(t, h)
		withPublishOnly(h)
		ctx := context.Background()
		alice := w.connectPassword(t, "alice")
		tina := sealedAccount(t, h, w.ws, herald.PlatformThreads, "tina", w.base)
		pub := fake.New(nil)
		as := func(token string) connector.Account {
			return connector.Account{Credentials: fake.MarshalCredentials(fake.Credentials{BaseURL: w.base, AccessToken: token})}
		}
		// published puts a post on the platform as token and stores it as
		// a published target on acct.
		published := func(acct herald.Account, token string) (herald.Target, herald.RemoteRef) {
			t.Helper()
			ref, err := pub.Publish(ctx, as(token), connector.Part{Text: "ours"})
			if err != nil {
				t.Fatal(err)
			}
			return publishedOn(t, h, w.ws, w.owner, acct, ref.ID), ref
		}
		targetPath := func(ws herald.Workspace, tg herald.Target, verb string) string {
			return w.path(ws, fmt.Sprintf("/posts/%d/targets/%d/%s", tg.PostID, tg.ID, verb))
		}

		// Editing: the platform gets the new text, and so does the target.
		tg, ref := published(alice, "alice")
		r := h.do("POST", targetPath(w.ws, tg, "edit-remote"), w.editorTok, map[string]string{"text": "  ours, better  "})
		mustStatus(t, r, http.StatusOK)
		var p herald.Post
		r.JSON(t, &p)
		got := p.Targets[0]
		if got.Variant.Text != "ours, better" || got.EditedAt == nil || got.RemoteDeletedAt != nil ||
			got.State != herald.StatePublished || got.RemoteID != ref.ID || r.Header.Get("ETag") == "" {
			t.Fatalf("edited target %+v", got)
		}
		if lp := ledgerPost(t, w.base, ref.ID); lp.Text != "ours, better" || lp.EditedAt == nil || lp.Edits != 1 {
			t.Fatalf("the platform has %+v", lp)
		}

		// Deleting: the platform marks it deleted; the target stays published.
		r = h.do("POST", targetPath(w.ws, tg, "delete-remote"), w.editorTok, nil)
		mustStatus(t, r, http.StatusNoContent)
		if lp := ledgerPost(t, w.base, ref.ID); lp.DeletedAt == nil {
			t.Fatalf("the platform still has %+v", lp)
		}
		r = h.do("GET", w.path(w.ws, fmt.Sprintf("/posts/%d", tg.PostID)), w.clientTok, nil)
		mustStatus(t, r, http.StatusOK)
		r.JSON(t, &p)
		if got := p.Targets[0]; got.RemoteDeletedAt == nil || got.EditedAt == nil || got.State != herald.StatePublished || got.RemoteID != ref.ID {
			t.Fatalf("deleted target %+v", got)
		}
		if acts := auditActions(t, h, w.ws, tg.ID); len(acts) < 2 || acts[0] != "target.delete_remote" || acts[1] != "target.edit_remote" {
			t.Fatalf("audit of the target: %v", acts)
		}

		// What may not be done, and who may not do it.
		live, _ := published(alice, "alice")
		onThreads, _ := published(tina, "tina")
		draft := func() herald.Target {
			d := herald.Post{WorkspaceID: w.ws.ID, AuthorID: w.owner.ID, Text: "not yet",
				Targets: []herald.Target{{AccountID: alice.ID, State: herald.StateDraft}}}
			if err := h.store.CreatePost(ctx, &d); err != nil {
				t.Fatal(err)
			}
			return d.Targets[0]
		}()
		otherPost := live
		otherPost.PostID = draft.PostID
		text := map[string]string{"text": "new words"}
		cases := []struct {
			name   string
			token  string
			path   string
			body   any
			status int
			says   string
		}{
			{"contributor may not delete", w.contribTok, targetPath(w.ws, live, "delete-remote"), nil, http.StatusForbidden, ""},
			{"contributor may not edit a published post", w.contribTok, targetPath(w.ws, live, "edit-remote"), text, http.StatusForbidden, ""},
			{"analyst may not delete", w.analystTok, targetPath(w.ws, live, "delete-remote"), nil, http.StatusForbidden, ""},
			{"client may not edit", w.clientTok, targetPath(w.ws, live, "edit-remote"), text, http.StatusForbidden, ""},
			{"another workspace's token", w.outsiderTok, targetPath(w.ws, live, "delete-remote"), nil, http.StatusNotFound, ""},
			{"through another workspace", w.outsiderTok, targetPath(w.other, live, "edit-remote"), text, http.StatusNotFound, ""},
			{"target of another post", w.ownerTok, targetPath(w.ws, otherPost, "delete-remote"), nil, http.StatusNotFound, ""},
			{"not published: delete", w.ownerTok, targetPath(w.ws, draft, "delete-remote"), nil, http.StatusConflict, "only a published post"},
			{"not published: edit", w.ownerTok, targetPath(w.ws, draft, "edit-remote"), text, http.StatusConflict, "only a published post"},
			{"already deleted", w.ownerTok, targetPath(w.ws, tg, "delete-remote"), nil, http.StatusConflict, "already deleted"},
			{"edit after deleting", w.ownerTok, targetPath(w.ws, tg, "edit-remote"), text, http.StatusConflict, "already deleted"},
			{"platform cannot delete", w.ownerTok, targetPath(w.ws, onThreads, "delete-remote"), nil, http.StatusUnprocessableEntity, "does not support deleting from Herald"},
			{"platform cannot edit", w.ownerTok, targetPath(w.ws, onThreads, "edit-remote"), text, http.StatusUnprocessableEntity, "does not support editing from Herald"},
			{"empty text", w.ownerTok, targetPath(w.ws, live, "edit-remote"), map[string]string{"text": ""}, http.StatusUnprocessableEntity, ""},
			{"blank text", w.ownerTok, targetPath(w.ws, live, "edit-remote"), map[string]string{"text": "   "}, http.StatusUnprocessableEntity, "empty"},
			{"too long for the platform", w.ownerTok, targetPath(w.ws, live, "edit-remote"), map[string]string{"text": strings.Repeat("a", 501)}, http.StatusUnprocessableEntity, "the platform would refuse"},
			{"unknown field", w.ownerTok, targetPath(w.ws, live, "edit-remote"), map[string]string{"text": "x", "media": "y"}, http.StatusUnprocessableEntity, ""},
			{"no token", "", targetPath(w.ws, live, "delete-remote"), nil, http.StatusUnauthorized, ""},
		}
		for _, tc := range cases {
			t.Run(tc.name, func(t *testing.T) {
				r := h.do("POST", tc.path, tc.token, tc.body)
				mustStatus(t, r, tc.status)
				if r.ErrorCode() == "" {
					t.Fatalf("no error body: %s", r.Body)
				}
				if !strings.Contains(string(r.Body), tc.says) {
					t.Fatalf("the error %s does not say %q", r.Body, tc.says)
				}
			})
		}
		if lp := ledgerPost(t, w.base, live.RemoteID); lp.DeletedAt != nil || lp.Text != "ours" {
			t.Fatalf("refused requests changed the platform's post: %+v", lp)
		}

		// The platform's refusals become errors people can act on; nothing
		// is recorded.
		platformCases := []struct {
			name   string
			cfg    map[string]any
			use    bool // spend the account's one request first
			status int
			says   string
		}{
			{"platform down", map[string]any{"error_rate": 1}, false, http.StatusServiceUnavailable, "try again"},
			{"token refused", map[string]any{"tokens": []map[string]string{{"account": "zed", "access_token": "zed"}}}, false, http.StatusConflict, "reconnect the account"},
			{"rate limited", map[string]any{"rate_limit": 1}, true, http.StatusTooManyRequests, "wait"},
		}
		for _, tc := range platformCases {
			t.Run(tc.name, func(t *testing.T) {
				configurePlatform(t, w.base, tc.cfg)
				defer configurePlatform(t, w.base, map[string]any{})
				if tc.use {
					if _, err := pub.Publish(ctx, as("alice"), connector.Part{Text: "spends the budget"}); err != nil {
						t.Fatal(err)
					}
				}
				r := h.do("POST", targetPath(w.ws, live, "delete-remote"), w.ownerTok, nil)
				mustStatus(t, r, tc.status)
				if !strings.Contains(string(r.Body), tc.says) {
					t.Fatalf("the error %s does not say %q", r.Body, tc.says)
				}
				stored, err := h.store.GetTarget(ctx, w.ws.ID, live.ID)
				if err != nil || stored.RemoteDeletedAt != nil {
					t.Fatalf("a refused deletion was recorded: %v, %v", stored.RemoteDeletedAt, err)
				}
			})
		}
		mustStatus(t, h.do("POST", targetPath(w.ws, live, "delete-remote"), w.ownerTok, nil), http.StatusNoContent)
	})
}
