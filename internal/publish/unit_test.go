package publish

import (
	"context"
	"errors"
	"runtime"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/heraldsocial/herald/internal/herald"
)

func TestDueHeapOrderAndDedup(t *testing.T) {
	h := newDueHeap()
	base := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
	h.Push(1, 0, base.Add(3*time.Second))
	h.Push(2, 0, base.Add(1*time.Second))
	h.Push(3, 0, base.Add(2*time.Second))
	h.Push(1, 0, base) // moved earlier, not added twice
	h.Push(3, 0, base.Add(5*time.Second))
	if h.Len() != 3 {
		t.Fatalf("Len = %d, want 3", h.Len())
	}
	if next, _ := h.Peek(); !next.Equal(base) {
		t.Fatalf("Peek = %v, want %v", next, base)
	}
	got := h.PopDue(base.Add(time.Second), 10)
	if ids := []int64{got[0].id, got[1].id}; len(got) != 2 || !slices.Equal(ids, []int64{1, 2}) {
		t.Fatalf("PopDue = %+v, want ids 1, 2", got)
	}
	if got := h.PopDue(base.Add(4*time.Second), 10); len(got) != 0 {
		t.Fatalf("PopDue before 3 is due = %+v", got)
	}
	if got := h.PopDue(base.Add(5*time.Second), 10); len(got) != 1 || got[0].id != 3 {
		t.Fatalf("PopDue = %+v, want id 3", got)
	}
	if _, ok := h.Peek(); ok {
		t.Fatal("Peek on an empty heap reported an entry")
	}
}

func TestDueHeapLimitAndOverdue(t *testing.T) {
	h := newDueHeap()
	base := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
	for i := range 1000 {
		h.Push(int64(i), 0, base.Add(time.Duration(999-i)*time.Millisecond))
	}
	over := h.Overdue(base.Add(10*time.Millisecond), 1000)
	if len(over) != 10 {
		t.Fatalf("Overdue = %d entries, want 10", len(over))
	}
	for _, e := range over {
		if e.id < 990 {
			t.Errorf("Overdue returned id %d, due later", e.id)
		}
	}
	got := h.PopDue(base.Add(time.Hour), 500)
	if len(got) != 500 || h.Len() != 500 {
		t.Fatalf("PopDue took %d, left %d; want 500 and 500", len(got), h.Len())
	}
	for i := 1; i < len(got); i++ {
		if got[i].due < got[i-1].due {
			t.Fatalf("PopDue out of order at %d", i)
		}
	}
}

// TestDueHeapMemory checks that 100,000 tracked targets cost a few MB.
func TestDueHeapMemory(t *testing.T) {
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	h := newDueHeap()
	base := time.Now()
	for i := range 100_000 {
		h.Push(int64(i), 0, base.Add(time.Duration(i%3000)*time.Millisecond))
	}
	runtime.GC()
	runtime.ReadMemStats(&after)
	used := int64(after.HeapAlloc) - int64(before.HeapAlloc)
	t.Logf("100,000 tracked targets: %d bytes", used)
	if used > 8<<20 {
		t.Errorf("100,000 tracked targets use %d bytes; want at most 8 MiB", used)
	}
	runtime.KeepAlive(h)
}

func TestBackoffFullJitterCapped(t *testing.T) {
	for _, tc := range []struct {
		attempt int
		max     time.Duration
	}{{1, 5 * time.Second}, {2, 10 * time.Second}, {4, 40 * time.Second}, {20, 15 * time.Minute}} {
		for range 200 {
			d := backoff(tc.attempt, 5*time.Second, 15*time.Minute)
			if d < 0 || d > tc.max {
				t.Fatalf("backoff(%d) = %s, want within [0, %s]", tc.attempt, d, tc.max)
			}
		}
	}
}

func TestConfigValidate(t *testing.T) {
	for _, tc := range []struct {
		name   string
		cfg    Config
		fields []string
	}{
		{"defaults", Config{Instance: "a"}, nil},
		{"no instance", Config{}, []string{"instance"}},
		{"negative", Config{Instance: "a", Lease: -time.Second, Concurrency: -1}, []string{"lease", "concurrency"}},
		{"call longer than lease", Config{Instance: "a", Lease: time.Second, CallTimeout: 2 * time.Second}, []string{"call_timeout"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			err := tc.cfg.withDefaults().Validate()
			if tc.fields == nil {
				if err != nil {
					t.Fatalf("Validate = %v", err)
				}
				return
			}
			var he *herald.Error
			if !errors.As(err, &he) || he.Code != herald.CodeInvalid {
				t.Fatalf("Validate = %v, want an invalid error", err)
			}
			var got []string
			for _, d := range he.Details {
				got = append(got, d.Field)
			}
			for _, f := range tc.fields {
				if !slices.Contains(got, f) {
					t.Errorf("details %v lack %q", got, f)
				}
			}
		})
	}
}

func TestPartKey(t *testing.T) {
	const inst = "0123456789abcdef"
	for _, tt := range []struct {
		index   int
		comment bool
		want    string
	}{
		{0, false, "herald-0123456789abcdef-42-0"},
		{2, false, "herald-0123456789abcdef-42-2"},
		{-1, true, "herald-0123456789abcdef-42-c"},
	} {
		if got := PartKey(inst, 42, tt.index, tt.comment); got != tt.want {
			t.Errorf("PartKey(%d, %v) = %q, want %q", tt.index, tt.comment, got, tt.want)
		}
	}
	if PartKey(inst, 42, 0, false) == PartKey("fedcba9876543210", 42, 0, false) {
		t.Error("two installations share a part key")
	}
}

// manualClock is a clock the test moves by hand.
type manualClock struct {
	mu  sync.Mutex
	now time.Time
}

func (c *manualClock) Now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.now }

func (c *manualClock) add(d time.Duration) { c.mu.Lock(); c.now = c.now.Add(d); c.mu.Unlock() }

// overdueNotes records notifications.
type overdueNotes struct {
	mu sync.Mutex
	ns []herald.Notification
}

func (n *overdueNotes) Notify(_ context.Context, nt herald.Notification) {
	n.mu.Lock()
	n.ns = append(n.ns, nt)
	n.mu.Unlock()
}

func (n *overdueNotes) of(kind herald.NotificationKind) []herald.Notification {
	n.mu.Lock()
	defer n.mu.Unlock()
	var out []herald.Notification
	for _, x := range n.ns {
		if x.Kind == kind {
			out = append(out, x)
		}
	}
	return out
}

func TestOverdueNotificationsAreBudgeted(t *testing.T) {
	clock := &manualClock{now: time.Date(2026, 11, 23, 12, 0, 0, 0, time.UTC)}
	n := &overdueNotes{}
	d := New(Config{Instance: "test"}, Deps{Notifier: n, Clock: clock})
	ctx := context.Background()
	for id := int64(1); id <= 25; id++ {
		d.overdue(ctx, 1, id, 1, 45*time.Second)
		d.overdue(ctx, 1, id, 1, 46*time.Second) // told once per target
	}
	if got := len(n.of(herald.NotifyTargetOverdue)); got != overduePerWindow {
		t.Fatalf("%d one-by-one notifications, want %d", got, overduePerWindow)
	}
	d.flushOverdue(ctx) // the minute is not over yet
	if got := len(n.of(herald.NotifyTargetOverdue)); got != overduePerWindow {
		t.Fatalf("summary sent before the minute ended: %d notifications", got)
	}
	clock.add(overdueWindow)
	d.flushOverdue(ctx)
	all := n.of(herald.NotifyTargetOverdue)
	if len(all) != overduePerWindow+1 || !strings.Contains(all[len(all)-1].Message, "15 more post targets") {
		t.Fatalf("summary = %+v", all[len(all)-1])
	}
	d.flushOverdue(ctx)
	if len(n.of(herald.NotifyTargetOverdue)) != overduePerWindow+1 {
		t.Fatal("the summary was sent twice")
	}
}
