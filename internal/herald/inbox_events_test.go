package herald

import (
	"context"
	"errors"
	"testing"
	"time"
)

func TestInboxHub(t *testing.T) {
	var first, last int
	refuse := false
	h := NewInboxHub(func() error {
		if refuse {
			return errors.New("no listener")
		}
		first++
		return nil
	}, func() { last++ })

	ctx1, cancel1 := context.WithCancel(t.Context())
	a, err := h.Subscribe(ctx1, 1)
	if err != nil {
		t.Fatal(err)
	}
	ctx2, cancel2 := context.WithCancel(t.Context())
	b, err := h.Subscribe(ctx2, 2)
	if err != nil {
		t.Fatal(err)
	}
	if first != 1 {
		t.Fatalf("onFirst ran %d times for two watchers; want once", first)
	}

	// Events go to their workspace only; a resync for workspace 0 to all.
	h.Publish(InboxEvent{WorkspaceID: 2, ItemID: 7, Kind: InboxEventAdded})
	h.Publish(InboxEvent{Kind: InboxEventResync})
	if ev := <-a; ev != (InboxEvent{WorkspaceID: 1, Kind: InboxEventResync}) {
		t.Fatalf("workspace 1 got %+v first; want the resync", ev)
	}
	if ev := <-b; ev != (InboxEvent{WorkspaceID: 2, ItemID: 7, Kind: InboxEventAdded}) {
		t.Fatalf("workspace 2 got %+v", ev)
	}
	<-b // its resync

	// A reader that falls behind gets a resync in place of what it missed.
	for i := range inboxEventBuffer + 10 {
		h.Publish(InboxEvent{WorkspaceID: 1, ItemID: int64(i), Kind: InboxEventState})
	}
	for range inboxEventBuffer {
		<-a
	}
	h.Publish(InboxEvent{WorkspaceID: 1, ItemID: 999, Kind: InboxEventState})
	if ev := <-a; ev.Kind != InboxEventResync {
		t.Fatalf("after overflowing, the watcher got %+v; want a resync", ev)
	}

	// Watches end with their context; the last one leaving calls onLast.
	cancel1()
	cancel2()
	for _, ch := range []<-chan InboxEvent{a, b} {
		select {
		case _, ok := <-ch:
			for ok {
				_, ok = <-ch
			}
		case <-time.After(5 * time.Second):
			t.Fatal("a watch did not end with its context")
		}
	}
	deadline := time.Now().Add(5 * time.Second)
	for {
		h.mu.Lock()
		n := last
		h.mu.Unlock()
		if n == 1 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("onLast ran %d times; want once", n)
		}
		time.Sleep(10 * time.Millisecond)
	}
	refuse = true
	if _, err := h.Subscribe(t.Context(), 1); err == nil {
		t.Fatal("Subscribe succeeded though onFirst failed")
	}
}
