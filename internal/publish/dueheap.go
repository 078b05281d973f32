package publish

import (
	"sync"
	"time"

	"github.com/heraldsocial/herald/internal/herald"
)

// dueEntry is one target the timer waits for, with its account (0 when
// not known). Times are Unix nanoseconds so an entry is 24 bytes: 100,000
// tracked targets cost under 5 MB with the index map.
type dueEntry struct {
	due     int64
	id      int64
	account int64
}

// dueHeap is a min-heap of due targets, earliest first, deduplicated by id.
// It is safe for concurrent use.
type dueHeap struct {
	mu      sync.Mutex
	entries []dueEntry
	pos     map[int64]int // id → index in entries
}

func newDueHeap() *dueHeap {
	return &dueHeap{pos: map[int64]int{}}
}

// Len returns the number of tracked targets.
func (h *dueHeap) Len() int {
	h.mu.Lock()
	defer h.mu.Unlock()
	return len(h.entries)
}

// Push adds id (of account, 0 if not known) due at due, or moves it there
// when it is already tracked, and reports whether the earliest entry
// changed.
func (h *dueHeap) Push(id, account int64, due time.Time) bool {
	h.mu.Lock()
	defer h.mu.Unlock()
	return h.push(id, account, due.UnixNano())
}

// PushAll adds or moves every target and reports whether the earliest
// entry changed.
func (h *dueHeap) PushAll(ts []herald.DueTarget) bool {
	h.mu.Lock()
	defer h.mu.Unlock()
	changed := false
	for _, t := range ts {
		if h.push(t.ID, t.AccountID, t.DueAt.UnixNano()) {
			changed = true
		}
	}
	return changed
}

func (h *dueHeap) push(id, account, due int64) bool {
	before := int64(-1)
	if len(h.entries) > 0 {
		before = h.entries[0].id
	}
	if i, ok := h.pos[id]; ok {
		if account != 0 {
			h.entries[i].account = account
		}
		old := h.entries[i].due
		if old == due {
			return false
		}
		h.entries[i].due = due
		if due < old {
			h.up(i)
		} else {
			h.down(i)
		}
	} else {
		h.entries = append(h.entries, dueEntry{due: due, id: id, account: account})
		h.pos[id] = len(h.entries) - 1
		h.up(len(h.entries) - 1)
	}
	return h.entries[0].id != before || h.entries[0].id == id
}

// Peek returns the earliest due time.
func (h *dueHeap) Peek() (time.Time, bool) {
	h.mu.Lock()
	defer h.mu.Unlock()
	if len(h.entries) == 0 {
		return time.Time{}, false
	}
	return time.Unix(0, h.entries[0].due).UTC(), true
}

// PopDue removes and returns up to limit entries due at or before until,
// earliest first.
func (h *dueHeap) PopDue(until time.Time, limit int) []dueEntry {
	h.mu.Lock()
	defer h.mu.Unlock()
	u := until.UnixNano()
	var out []dueEntry
	for len(h.entries) > 0 && len(out) < limit && h.entries[0].due <= u {
		out = append(out, h.pop())
	}
	return out
}

// Overdue returns up to limit entries due before until, in no particular
// order, without removing them. It visits only the part of the heap that is
// overdue.
func (h *dueHeap) Overdue(until time.Time, limit int) []dueEntry {
	h.mu.Lock()
	defer h.mu.Unlock()
	u := until.UnixNano()
	var out []dueEntry
	stack := []int{0}
	for len(stack) > 0 && len(out) < limit {
		i := stack[len(stack)-1]
		stack = stack[:len(stack)-1]
		if i >= len(h.entries) || h.entries[i].due >= u {
			continue
		}
		out = append(out, h.entries[i])
		stack = append(stack, 2*i+1, 2*i+2)
	}
	return out
}

func (h *dueHeap) pop() dueEntry {
	top := h.entries[0]
	last := len(h.entries) - 1
	h.swap(0, last)
	h.entries = h.entries[:last]
	delete(h.pos, top.id)
	if last > 0 {
		h.down(0)
	}
	// Give memory back after a large burst has drained.
	if cap(h.entries) > 1024 && len(h.entries) < cap(h.entries)/4 {
		h.entries = append([]dueEntry(nil), h.entries...)
	}
	return top
}

func (h *dueHeap) less(i, j int) bool {
	a, b := h.entries[i], h.entries[j]
	if a.due != b.due {
		return a.due < b.due
	}
	return a.id < b.id
}

func (h *dueHeap) swap(i, j int) {
	h.entries[i], h.entries[j] = h.entries[j], h.entries[i]
	h.pos[h.entries[i].id] = i
	h.pos[h.entries[j].id] = j
}

func (h *dueHeap) up(i int) {
	for i > 0 {
		p := (i - 1) / 2
		if !h.less(i, p) {
			return
		}
		h.swap(i, p)
		i = p
	}
}

func (h *dueHeap) down(i int) {
	n := len(h.entries)
	for {
		l := 2*i + 1
		if l >= n {
			return
		}
		m := l
		if r := l + 1; r < n && h.less(r, l) {
			m = r
		}
		if !h.less(m, i) {
			return
		}
		h.swap(i, m)
		i = m
	}
}
