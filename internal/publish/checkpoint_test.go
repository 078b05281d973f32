package publish_test

import (
	"context"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/heraldsocial/herald/internal/connector"
	"github.com/heraldsocial/herald/internal/connector/fake"
	"github.com/heraldsocial/herald/internal/connector/fake/fakeserver"
	"github.com/heraldsocial/herald/internal/herald"
)

// twoStep publishes as Instagram does: make a container, wait until it is
// ready, publish it. Its first attempt at a part stops after making the
// container (the platform is still processing it, say); a later attempt
// must resume with that container, not make another.
type twoStep struct {
	*fake.Connector
	mu         sync.Mutex
	containers int
	resumed    []string // the containers later attempts were given
}

func (c *twoStep) Publish(ctx context.Context, acct connector.Account, p connector.Part) (herald.RemoteRef, error) {
	c.mu.Lock()
	if id := p.Checkpoint["container"]; id != "" {
		c.resumed = append(c.resumed, id)
		c.mu.Unlock()
		return c.Connector.Publish(ctx, acct, p)
	}
	c.containers++
	id := "container-" + strconv.Itoa(c.containers)
	c.mu.Unlock()
	if p.Save == nil {
		return herald.RemoteRef{}, &connector.Error{Class: connector.Invalid, Message: "no way to save a checkpoint"}
	}
	if err := p.Save(ctx, map[string]string{"container": id}); err != nil {
		return herald.RemoteRef{}, err
	}
	return herald.RemoteRef{}, &connector.Error{Class: connector.Transient, Message: "the container is still processing"}
}

// TestTwoStepResumes: a checkpoint saved between two steps reaches the
// next attempt, in both stores, and is gone once the part is confirmed.
func TestTwoStepResumes(t *testing.T) {
	eachStore(t, func(t *testing.T, open func(*testing.T) testStore) {
		h := newHarness(t, open(t), fakeserver.Config{})
		acct := h.account(t, "alice", "", "")
		conn := &twoStep{Connector: fake.New(h.srv.Client())}
		tg := h.schedule(t, acct, time.Now().Add(200*time.Millisecond), herald.Variant{Text: "a picture post",
			Thread: []herald.ThreadPart{{Text: "and a second part"}}})
		h.start(t, testConfig("one"), h.registry(conn))
		got := h.waitState(t, tg.ID, herald.StatePublished)

		conn.mu.Lock()
		defer conn.mu.Unlock()
		if conn.containers != 2 || len(conn.resumed) != 2 || conn.resumed[0] != "container-1" || conn.resumed[1] != "container-2" {
			t.Fatalf("containers made %d, resumed with %v; want one per part, each resumed once", conn.containers, conn.resumed)
		}
		if got.Progress.Checkpoint != nil || len(got.Progress.Parts) != 2 {
			t.Errorf("progress %+v; want both parts and no checkpoint left", got.Progress)
		}
		if n := len(h.posts(tg.ID)); n != 2 {
			t.Errorf("%d posts on the platform, want 2", n)
		}
		h.noDuplicates(t)
	})
}

// lostPublish saves a checkpoint and then loses the platform's answer to
// the publishing step, as a dropped connection does; its Find settles from
// the checkpoint it is given.
type lostPublish struct {
	*fake.Connector
	mu    sync.Mutex
	found []map[string]string // what each Find was given
	made  map[string]herald.RemoteRef
}

func (c *lostPublish) Publish(ctx context.Context, acct connector.Account, p connector.Part) (herald.RemoteRef, error) {
	if err := p.Save(ctx, map[string]string{"container": "c-1"}); err != nil {
		return herald.RemoteRef{}, err
	}
	ref, err := c.Connector.Publish(ctx, acct, p)
	if err != nil {
		return herald.RemoteRef{}, err
	}
	c.mu.Lock()
	c.made = map[string]herald.RemoteRef{"c-1": ref}
	c.mu.Unlock()
	return herald.RemoteRef{}, &connector.Error{Class: connector.Ambiguous, Message: "the connection closed before the answer"}
}

func (c *lostPublish) Find(ctx context.Context, acct connector.Account, p connector.Part) (herald.RemoteRef, bool, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.found = append(c.found, p.Checkpoint)
	ref, ok := c.made[p.Checkpoint["container"]]
	return ref, ok, nil
}

// TestCheckpointReachesFindInTheSameAttempt: a checkpoint saved during the
// call whose answer was lost is what the lookup right after it gets, so
// the post settles in that attempt, once.
func TestCheckpointReachesFindInTheSameAttempt(t *testing.T) {
	h := newHarness(t, sqliteStore(t), fakeserver.Config{})
	acct := h.account(t, "alice", "", "")
	conn := &lostPublish{Connector: fake.New(h.srv.Client())}
	tg := h.schedule(t, acct, time.Now().Add(200*time.Millisecond), herald.Variant{Text: "a post whose answer is lost"})
	h.start(t, testConfig("one"), h.registry(conn))
	got := h.waitState(t, tg.ID, herald.StatePublished)

	conn.mu.Lock()
	defer conn.mu.Unlock()
	if len(conn.found) != 1 || conn.found[0]["container"] != "c-1" {
		t.Fatalf("Find was given %v; want the checkpoint saved during the lost call, once", conn.found)
	}
	if got.Attempts != 1 {
		t.Errorf("%d attempts, want the one", got.Attempts)
	}
	if n := len(h.posts(tg.ID)); n != 1 {
		t.Errorf("%d posts on the platform, want 1", n)
	}
	h.noDuplicates(t)
}
