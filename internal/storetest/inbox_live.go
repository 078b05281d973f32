package storetest

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/heraldsocial/herald/internal/herald"
)

// liveWait bounds how long a watcher waits for an event that must come.
const liveWait = 5 * time.Second

// nextInboxEvent returns the next event on ch, failing after liveWait.
func nextInboxEvent(t *testing.T, ch <-chan herald.InboxEvent, what string) herald.InboxEvent {
	t.Helper()
	select {
	case ev, ok := <-ch:
		if !ok {
			t.Fatalf("%s: the inbox watch ended", what)
		}
		return ev
	case <-time.After(liveWait):
		t.Fatalf("%s: no inbox event within %s", what, liveWait)
	}
	return herald.InboxEvent{}
}

// wantInboxEvent reads events until one for item of kind arrives; it fails
// on an event of another workspace.
func wantInboxEvent(t *testing.T, ch <-chan herald.InboxEvent, ws, item int64, kind herald.InboxEventKind) {
	t.Helper()
	for {
		ev := nextInboxEvent(t, ch, string(kind))
		if ev.WorkspaceID != ws {
			t.Fatalf("watcher of workspace %d got %+v", ws, ev)
		}
		if ev.ItemID == item && ev.Kind == kind {
			return
		}
	}
}

// noInboxEvent fails if an event arrives on ch within a short while.
func noInboxEvent(t *testing.T, ch <-chan herald.InboxEvent, what string) {
	t.Helper()
	select {
	case ev := <-ch:
		t.Fatalf("%s: unexpected inbox event %+v", what, ev)
	case <-time.After(200 * time.Millisecond):
	}
}

func inboxLiveTests() []test {
	return []test{
		{"WatchSeesEveryWriter", func(t *testing.T, s herald.Store) {
			ctx := t.Context()
			w, other := mustWorld(t, s), mustWorld(t, s)
			u := mustUser(t, s)
			mustMember(t, s, w.ws.ID, u.ID, herald.RoleEditor)
			ch, err := s.WatchInbox(ctx, w.ws.ID)
			noErr(t, err, "WatchInbox")

			mustInbox(t, s, other.ws.ID, other.account.ID, "zed", "elsewhere", 0)
			it := mustInbox(t, s, w.ws.ID, w.account.ID, "ana", "hello", 0)
			wantInboxEvent(t, ch, w.ws.ID, it.ID, herald.InboxEventAdded)
			noErr(t, s.SetInboxState(ctx, w.ws.ID, []int64{it.ID}, herald.InboxDone, u.ID, at(time.Hour)), "SetInboxState")
			wantInboxEvent(t, ch, w.ws.ID, it.ID, herald.InboxEventState)
			noErr(t, s.AssignInbox(ctx, w.ws.ID, []int64{it.ID}, &u.ID), "AssignInbox")
			wantInboxEvent(t, ch, w.ws.ID, it.ID, herald.InboxEventAssigned)
			noErr(t, s.MarkInboxResponded(ctx, w.ws.ID, it.ID, at(2*time.Hour)), "MarkInboxResponded")
			wantInboxEvent(t, ch, w.ws.ID, it.ID, herald.InboxEventChanged)

			// The author writes again: the new item, and the done one reopened.
			again := mustInbox(t, s, w.ws.ID, w.account.ID, "ana", "hello again", time.Hour)
			wantInboxEvent(t, ch, w.ws.ID, again.ID, herald.InboxEventAdded)
			wantInboxEvent(t, ch, w.ws.ID, it.ID, herald.InboxEventState)
		}},
		{"WatchAfterCommitOnly", func(t *testing.T, s herald.Store) {
			ctx := t.Context()
			w := mustWorld(t, s)
			ch, err := s.WatchInbox(ctx, w.ws.ID)
			noErr(t, err, "WatchInbox")
			boom := errors.New("boom")
			err = s.InTx(ctx, func(tx herald.Tx) error {
				mustInbox(t, tx, w.ws.ID, w.account.ID, "ana", "rolled back", 0)
				return boom
			})
			if !errors.Is(err, boom) {
				t.Fatalf("InTx = %v; want boom", err)
			}
			noInboxEvent(t, ch, "rolled back insert")
			var it herald.InboxItem
			noErr(t, s.InTx(ctx, func(tx herald.Tx) error {
				it = mustInbox(t, tx, w.ws.ID, w.account.ID, "bo", "committed", 0)
				return nil
			}), "InTx")
			wantInboxEvent(t, ch, w.ws.ID, it.ID, herald.InboxEventAdded)
		}},
		{"WatchEndsWithContext", func(t *testing.T, s herald.Store) {
			w := mustWorld(t, s)
			ctx, cancel := context.WithCancel(t.Context())
			ch, err := s.WatchInbox(ctx, w.ws.ID)
			noErr(t, err, "WatchInbox")
			cancel()
			deadline := time.After(liveWait)
			for {
				select {
				case _, ok := <-ch:
					if !ok {
						return
					}
				case <-deadline:
					t.Fatal("the inbox watch did not end with its context")
				}
			}
		}},
		{"FullTextSearch", func(t *testing.T, s herald.Store) {
			w := mustWorld(t, s)
			ws, acct := w.ws.ID, w.account.ID
			late := mustInbox(t, s, ws, acct, "ana", "My parcel is still waiting at the depot, three weeks late!", 0)
			refund := mustInbox(t, s, ws, acct, "bo", "Waiting for a refund. Still nothing.", time.Hour)
			thanks := mustInbox(t, s, ws, acct, "cy_ro", "Thanks, the parcel arrived", 2*time.Hour)
			for name, c := range map[string]struct {
				q    string
				want []int64
			}{
				"phrase":             {`"still waiting"`, []int64{late.ID}},
				"words in any order": {"waiting still", []int64{refund.ID, late.ID}},
				"several words":      {"parcel late", []int64{late.ID}},
				"case":               {"PARCEL", []int64{thanks.ID, late.ID}},
				"phrase and word":    {`"the parcel" arrived`, []int64{thanks.ID}},
				"name":               {"name cy_ro", []int64{thanks.ID}},
				"handle":             {"@cy_", []int64{thanks.ID}},
				"handle whole":       {"@bo", []int64{refund.ID}},
				"no match":           {"lost parcel", nil},
				"unknown word":       {"zebra", nil},
			} {
				wantIDs(t, name, inboxList(t, s, herald.InboxFilter{WorkspaceID: ws, Search: c.q}), c.want)
			}
			other := mustWorld(t, s)
			mustInbox(t, s, other.ws.ID, other.account.ID, "dee", "parcel elsewhere", 0)
			wantIDs(t, "another workspace", inboxList(t, s, herald.InboxFilter{WorkspaceID: ws, Search: "elsewhere"}), nil)
		}},
	}
}
