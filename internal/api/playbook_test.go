package api_test

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/heraldsocial/herald/internal/crisis"
	"github.com/heraldsocial/herald/internal/herald"
)

// fakeStatus posts a status on the fake platform as account token and
// returns its id: a post by someone else, for Herald to answer.
func fakeStatus(t *testing.T, base, token, text string) string {
	t.Helper()
	req, _ := http.NewRequest("POST", base+"/api/v1/statuses", strings.NewReader(url.Values{"status": {text}}.Encode()))
	req.Header.Set("Authorization", "Bearer "+token)
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	body, _ := io.ReadAll(res.Body)
	var id string
	if _, err := fmt.Sscanf(strings.SplitN(string(body), `"id":"`, 2)[1], "%s", &id); err != nil || res.StatusCode != 200 {
		t.Fatalf("post on the fake: %d %s", res.StatusCode, body)
	}
	return strings.SplitN(id, `"`, 2)[0]
}

func TestPlaybookAPI(t *testing.T) {
	forEachStore(t, func(t *testing.T, h *harness) {
		ctx := context.Background()
		w := newEngageWorld(t, h)
		platform, base := h.withConnectors()
		w.base = base
		admin, adminTok := h.member(w.ws, "admin@example.com", herald.RoleAdmin)
		acct := w.connectPassword(t, "acme")
		path := func(f string, args ...any) string { return w.path(w.ws, fmt.Sprintf(f, args...)) }

		var entry, reply herald.PlaybookEntry
		runWsCases(t, h, []wsCase{
			{name: "an editor writes a statement", method: "POST", path: path("/playbook/entries"), token: w.editorTok,
				body: map[string]any{"kind": "statement", "title": "Holding", "body": "We know about the outage and are on it."}, status: 201,
				check: func(t *testing.T, r response) {
					r.JSON(t, &entry)
					if entry.Approved() {
						t.Fatal("a new text is approved")
					}
				}},
			{name: "an editor writes a reply", method: "POST", path: path("/playbook/entries"), token: w.editorTok,
				body: map[string]any{"kind": "reply", "title": "Sorry", "body": "Sorry for the trouble: we are fixing it."}, status: 201,
				check: func(t *testing.T, r response) { r.JSON(t, &reply) }},
			{name: "a kind of no one", method: "POST", path: path("/playbook/entries"), token: w.editorTok,
				body: map[string]any{"kind": "tweet", "title": "X", "body": "y"}, status: 422, code: "invalid", field: "kind"},
			{name: "a duplicate title", method: "POST", path: path("/playbook/entries"), token: w.editorTok,
				body: map[string]any{"kind": "reply", "title": "HOLDING", "body": "y"}, status: 409, code: "conflict", field: "title"},
			{name: "an analyst cannot write", method: "POST", path: path("/playbook/entries"), token: w.analystTok,
				body: map[string]any{"kind": "reply", "title": "Z", "body": "y"}, status: 403, code: "forbidden"},
			{name: "a checklist owned by a stranger", method: "PUT", path: path("/playbook/checklist"), token: adminTok,
				body: map[string]any{"steps": []map[string]any{{"title": "Tell legal", "owner_id": 999999}}}, status: 422, code: "invalid", field: "steps[0].owner_id"},
			{name: "the checklist", method: "PUT", path: path("/playbook/checklist"), token: adminTok,
				body: map[string]any{"steps": []map[string]any{{"title": "Tell legal", "owner_id": admin.ID}, {"title": "Post the statement"}}}, status: 200},
		})
		runWsCases(t, h, []wsCase{
			{name: "an editor cannot approve", method: "POST", path: path("/playbook/entries/%d/approve", entry.ID), token: w.editorTok,
				status: 403, code: "forbidden"},
		})
		// An incident, opened as a detector opens one.
		in := herald.Incident{WorkspaceID: w.ws.ID, Title: "Outage", Status: herald.IncidentOpen, Why: "a spike", OpenedAt: time.Now()}
		if err := h.store.CreateIncident(ctx, &in, nil); err != nil {
			t.Fatal(err)
		}
		inc := func(rest string, args ...any) string {
			return path("/incidents/%d"+rest, append([]any{in.ID}, args...)...)
		}
		var got struct {
			herald.Incident
			Timeline  []herald.IncidentEvent
			Checklist []herald.IncidentStep
		}
		mustStatus(t, func() response { r := h.do("GET", inc(""), w.editorTok, nil); r.JSON(t, &got); return r }(), 200)
		if len(got.Checklist) != 2 || got.Checklist[0].OwnerID != admin.ID {
			t.Fatalf("the incident's checklist %+v", got.Checklist)
		}
		// Someone else's post found by listening.
		remote := fakeStatus(t, base, "critic", "Acme is down again, terrible")
		topic := herald.ListenTopic{WorkspaceID: w.ws.ID, Name: "Acme", Rules: herald.TopicRule{Any: []string{"acme"}}, CreatedAt: time.Now()}
		if err := h.store.CreateListenTopic(ctx, &topic); err != nil {
			t.Fatal(err)
		}
		if _, err := h.store.AddListenMatches(ctx, []herald.ListenMatch{{WorkspaceID: w.ws.ID, Platform: herald.PlatformFake,
			RemoteID: remote, AuthorID: "critic", AuthorHandle: "critic", Text: "Acme is down again, terrible", Sentiment: "negative",
			PostedAt: time.Now(), SeenAt: time.Now(), Topics: []herald.TopicHit{{TopicID: topic.ID, Terms: []string{"acme"}}}}}); err != nil {
			t.Fatal(err)
		}
		ms, _, err := h.store.ListListenMatches(ctx, herald.ListenFilter{WorkspaceID: w.ws.ID, Page: herald.Page{Limit: 10}})
		if err != nil || len(ms) != 1 {
			t.Fatalf("matches %v %v", ms, err)
		}
		match := ms[0]
		var sent crisis.Sent
		var statement *herald.Post
		runWsCases(t, h, []wsCase{
			{name: "an unapproved statement", method: "POST", path: inc("/statements"), token: w.editorTok,
				body: map[string]any{"entry_id": entry.ID, "account_ids": []int64{acct.ID}}, status: 409, code: "conflict", field: "entry_id"},
			{name: "the admin approves it", method: "POST", path: path("/playbook/entries/%d/approve", entry.ID), token: adminTok, status: 200},
			{name: "the admin approves the reply", method: "POST", path: path("/playbook/entries/%d/approve", reply.ID), token: adminTok, status: 200},
			{name: "a reply is not a statement", method: "POST", path: inc("/statements"), token: w.editorTok,
				body: map[string]any{"entry_id": reply.ID, "account_ids": []int64{acct.ID}}, status: 422, code: "invalid", field: "entry_id"},
			{name: "another workspace's account", method: "POST", path: inc("/statements"), token: w.editorTok,
				body: map[string]any{"entry_id": entry.ID, "account_ids": []int64{999999}}, status: 422, code: "invalid", field: "account_ids[0]"},
			{name: "a contributor publishes the approved statement", method: "POST", path: inc("/statements"), token: w.contribTok,
				body: map[string]any{"entry_id": entry.ID, "account_ids": []int64{acct.ID}}, status: 201,
				check: func(t *testing.T, r response) {
					r.JSON(t, &sent)
					statement = sent.Post
					if sent.Post == nil || sent.Post.Targets[0].State != herald.StateScheduled || sent.Post.Text != entry.Body {
						t.Fatalf("published %s", r.Body)
					}
				}},
			{name: "a contributor's own words", method: "POST", path: inc("/replies"), token: w.contribTok,
				body: map[string]any{"match_id": match.ID, "account_id": acct.ID, "text": "My words"}, status: 403, code: "forbidden"},
			{name: "a contributor sends the approved reply", method: "POST", path: inc("/replies"), token: w.contribTok,
				body: map[string]any{"match_id": match.ID, "account_id": acct.ID, "entry_id": reply.ID, "request_key": "r1"}, status: 201,
				check: func(t *testing.T, r response) {
					r.JSON(t, &sent)
					if sent.Reply == nil || sent.Reply.State != herald.ReplySent {
						t.Fatalf("reply %s", r.Body)
					}
				}},
			{name: "the same request again", method: "POST", path: inc("/replies"), token: w.contribTok,
				body: map[string]any{"match_id": match.ID, "account_id": acct.ID, "entry_id": reply.ID, "request_key": "r1"}, status: 201},
			{name: "tick a step", method: "PUT", path: inc("/steps/%d", got.Checklist[0].ID), token: w.editorTok,
				body: map[string]any{"done": true}, status: 200},
		})
		// The statement carries the admin's approval, given in advance.
		actor := herald.Actor{UserID: w.owner.ID, WorkspaceID: w.ws.ID, Role: herald.RoleOwner}
		tr, err := h.svc.Posts.Transitions(ctx, actor, statement.Targets[0].ID)
		if err != nil {
			t.Fatal(err)
		}
		{
			var approved bool
			for _, x := range tr {
				if x.To == herald.StateApproved && x.ActorID != nil && *x.ActorID == admin.ID && strings.Contains(x.Reason, "Pre-approved statement") {
					approved = true
				}
			}
			if !approved {
				t.Fatalf("no approval in the admin's name: %+v", tr)
			}
		}
		// The platform got the reply once, under the critic's post.
		n := 0
		for _, p := range platform.Ledger().Posts() {
			if p.InReplyToID == remote && p.Text == reply.Body {
				n++
			}
		}
		if n != 1 {
			t.Fatalf("the reply reached the platform %d times", n)
		}
		// A changed text loses its approval; a resolved incident sends nothing.
		runWsCases(t, h, []wsCase{
			{name: "the editor changes the reply", method: "PUT", path: path("/playbook/entries/%d", reply.ID), token: w.editorTok,
				body: map[string]any{"kind": "reply", "title": "Sorry", "body": "Sorry! We are fixing it."}, status: 200,
				check: func(t *testing.T, r response) {
					var e herald.PlaybookEntry
					r.JSON(t, &e)
					if e.Approved() {
						t.Fatal("a changed text kept its approval")
					}
				}},
			{name: "resolve", method: "POST", path: inc("/resolve"), token: adminTok, body: map[string]any{"resume": false}, status: 200},
			{name: "a statement after the incident", method: "POST", path: inc("/statements"), token: w.editorTok,
				body: map[string]any{"entry_id": entry.ID, "account_ids": []int64{acct.ID}}, status: 409, code: "conflict"},
			{name: "the timeline", method: "GET", path: inc(""), token: w.analystTok, status: 200,
				check: func(t *testing.T, r response) {
					for _, want := range []string{"Published the pre-approved statement", "Replied to critic as", "Done: Tell legal"} {
						if !strings.Contains(string(r.Body), want) {
							t.Errorf("the timeline lacks %q: %s", want, r.Body)
						}
					}
				}},
		})
	})
}

func TestListenSettingsAPI(t *testing.T) {
	forEachStore(t, func(t *testing.T, h *harness) {
		w := newWsWorld(t, h)
		settings := wsPath("/workspaces/%d/listen/settings", w.a.ID)
		runWsCases(t, h, []wsCase{
			{name: "the defaults", method: "GET", path: settings, token: w.analystTok, status: 200,
				check: func(t *testing.T, r response) {
					if !strings.Contains(string(r.Body), `"keep_days":90`) {
						t.Fatalf("defaults %s", r.Body)
					}
				}},
			{name: "too long", method: "PUT", path: settings, token: w.adminTok, body: map[string]any{"keep_days": 731},
				status: 422, code: "invalid", field: "keep_days"},
			{name: "by an editor", method: "PUT", path: settings, token: w.editorTok, body: map[string]any{"keep_days": 30},
				status: 403, code: "forbidden"},
			{name: "30 days", method: "PUT", path: settings, token: w.adminTok, body: map[string]any{"keep_days": 30}, status: 200,
				check: func(t *testing.T, r response) {
					if !strings.Contains(string(r.Body), `"keep_days":30`) {
						t.Fatalf("saved %s", r.Body)
					}
				}},
			{name: "another workspace's owner", method: "GET", path: settings, token: w.bOwnerTok, status: 404, code: "not_found"},
		})
	})
}
