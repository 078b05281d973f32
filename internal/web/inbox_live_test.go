package web

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/heraldsocial/herald/internal/herald"
	"github.com/heraldsocial/herald/internal/postgres/pgtest"
)

// sseEvent is one server-sent event, or one comment line.
type sseEvent struct {
	name, data string
	comment    string
}

// openSSE opens the event stream at path as b and returns its events; the
// channel is closed when the stream ends.
func (b *browser) openSSE(path string) (*http.Response, <-chan sseEvent) {
	b.t.Helper()
	req, err := http.NewRequestWithContext(b.t.Context(), http.MethodGet, b.e.srv.URL+path, nil)
	if err != nil {
		b.t.Fatal(err)
	}
	req.Header.Set("Accept", "text/event-stream")
	resp, err := b.c.Do(req)
	if err != nil {
		b.t.Fatal(err)
	}
	b.t.Cleanup(func() { resp.Body.Close() })
	ch := make(chan sseEvent, 64)
	go func() {
		defer close(ch)
		sc := bufio.NewScanner(resp.Body)
		var ev sseEvent
		for sc.Scan() {
			line := sc.Text()
			switch {
			case line == "":
				if ev.name != "" || ev.data != "" {
					ch <- ev
				}
				ev = sseEvent{}
			case strings.HasPrefix(line, ":"):
				ch <- sseEvent{comment: strings.TrimSpace(line[1:])}
			case strings.HasPrefix(line, "event: "):
				ev.name = line[len("event: "):]
			case strings.HasPrefix(line, "data: "):
				ev.data = line[len("data: "):]
			}
		}
	}()
	return resp, ch
}

// nextSSE returns the next event named name (skipping comments and other
// events), failing after a few seconds.
func nextSSE(t *testing.T, ch <-chan sseEvent, name string) sseEvent {
	t.Helper()
	deadline := time.After(5 * time.Second)
	for {
		select {
		case ev, ok := <-ch:
			if !ok {
				t.Fatalf("the stream ended before a %q event", name)
			}
			if ev.name == name {
				return ev
			}
		case <-deadline:
			t.Fatalf("no %q event within 5s", name)
		}
	}
}

// wantInboxSSE reads the next inbox event and checks its kind and item.
func wantInboxSSE(t *testing.T, ch <-chan sseEvent, kind herald.InboxEventKind, item int64) {
	t.Helper()
	ev := nextSSE(t, ch, "inbox")
	var d inboxEventData
	if err := json.Unmarshal([]byte(ev.data), &d); err != nil {
		t.Fatalf("inbox event data %q: %v", ev.data, err)
	}
	if d.Kind != string(kind) || d.Item != item {
		t.Fatalf("inbox event %+v; want %s of item %d", d, kind, item)
	}
}

// addInbox adds one item from author to acct and returns its id.
func addInbox(t *testing.T, st herald.Tx, ws, acct int64, author string) int64 {
	t.Helper()
	items := []herald.InboxItem{{WorkspaceID: ws, AccountID: acct, RemoteID: fmt.Sprintf("%s-%d", author, time.Now().UnixNano()),
		AuthorID: author, AuthorHandle: "@" + author, Text: "hello from " + author, CreatedAt: time.Now()}}
	if _, err := st.AddInboxItems(context.Background(), items); err != nil {
		t.Fatal(err)
	}
	return items[0].ID
}

func TestInboxEvents(t *testing.T) {
	e := newEnv(t)
	e.web.live.heartbeat = 50 * time.Millisecond
	owner, w := e.owner("ana@example.com", "Acme")
	acct := e.account(owner, w, "@acme")
	olga, other := e.owner("olga@example.com", "Other")
	otherAcct := e.account(olga, other, "@other")
	events := inboxURL(w.ID) + "/events"

	// Signed out: to the sign-in page, no stream.
	anon := e.browser()
	want(t, anon.get(events), http.StatusSeeOther)
	b := e.browser()
	b.signIn("ana@example.com")
	want(t, b.get(inboxURL(other.ID)+"/events"), http.StatusNotFound)

	resp, ch := b.openSSE(events)
	if resp.StatusCode != http.StatusOK || resp.Header.Get("Content-Type") != "text/event-stream" {
		t.Fatalf("events answer %d %q", resp.StatusCode, resp.Header.Get("Content-Type"))
	}
	sawBeat := false
	for !sawBeat {
		select {
		case ev := <-ch:
			sawBeat = ev.comment == "heartbeat"
		case <-time.After(5 * time.Second):
			t.Fatal("no heartbeat")
		}
	}
	// Another workspace's item is not sent; ours is, then its changes.
	addInbox(t, e.store, other.ID, otherAcct.ID, "zed")
	id := addInbox(t, e.store, w.ID, acct.ID, "dan")
	wantInboxSSE(t, ch, herald.InboxEventAdded, id)
	actor := herald.Actor{UserID: owner.ID, WorkspaceID: w.ID, Role: herald.RoleOwner}
	if err := e.posts.SetInboxState(context.Background(), actor, []int64{id}, herald.InboxDone); err != nil {
		t.Fatal(err)
	}
	wantInboxSSE(t, ch, herald.InboxEventState, id)
	if err := e.posts.AssignInbox(context.Background(), actor, []int64{id}, owner.ID); err != nil {
		t.Fatal(err)
	}
	wantInboxSSE(t, ch, herald.InboxEventAssigned, id)

	// Shutting down ends the stream with a goodbye, and refuses new ones.
	e.web.CloseStreams()
	nextSSE(t, ch, "bye")
	select {
	case _, ok := <-ch:
		for ok {
			_, ok = <-ch
		}
	case <-time.After(5 * time.Second):
		t.Fatal("the stream did not end after CloseStreams")
	}
	want(t, b.get(events), http.StatusServiceUnavailable)
}

// TestInboxEventsAcrossInstances adds an item through one PostgreSQL store
// and sees it on the event stream of a server on another store of the same
// database: instances of Herald share the live inbox.
func TestInboxEventsAcrossInstances(t *testing.T) {
	a, schema := pgtest.OpenUnmigrated(t)
	if err := a.Migrate(context.Background()); err != nil {
		t.Fatal(err)
	}
	e := newEnvOn(t, pgtest.Reopen(t, schema))
	owner, w := e.owner("ana@example.com", "Acme")
	acct := e.account(owner, w, "@acme")
	b := e.browser()
	b.signIn("ana@example.com")
	_, ch := b.openSSE(inboxURL(w.ID) + "/events")
	nextComment(t, ch)
	id := addInbox(t, a, w.ID, acct.ID, "dan")
	wantInboxSSE(t, ch, herald.InboxEventAdded, id)
	if err := a.SetInboxState(context.Background(), w.ID, []int64{id}, herald.InboxPending, owner.ID, time.Now()); err != nil {
		t.Fatal(err)
	}
	wantInboxSSE(t, ch, herald.InboxEventState, id)
}

// nextComment waits for the stream's opening comment: the server is
// watching once it was sent.
func nextComment(t *testing.T, ch <-chan sseEvent) {
	t.Helper()
	select {
	case ev, ok := <-ch:
		if !ok || ev.comment == "" {
			t.Fatalf("the stream began with %+v", ev)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("the stream sent nothing")
	}
}
