package fakeserver

import (
	"hash/maphash"
	"slices"
	"strconv"
	"sync"
	"sync/atomic"
	"time"
)

// shardCount spreads accounts over independent locks so that concurrent
// posts to different accounts rarely wait for each other. A power of two:
// post ids carry their shard in the low bits.
const shardCount = 64

// Post is one status the platform accepted.
type Post struct {
	ID      string `json:"id"`
	Account string `json:"account"`
	Text    string `json:"text"`
	// IdempotencyKey is the Idempotency-Key header the post came with.
	IdempotencyKey string `json:"idempotency_key,omitempty"`
	// HeraldKey is the X-Herald-Key header: Herald's key for the target
	// part, recorded even when the platform does not honour idempotency,
	// so that duplicates can be counted.
	HeraldKey   string   `json:"herald_key,omitempty"`
	InReplyToID string   `json:"in_reply_to_id,omitempty"`
	MediaIDs    []string `json:"media_ids,omitempty"`
	Visibility  string   `json:"visibility"`
	// ReceivedAt is when the request arrived, before any latency.
	ReceivedAt time.Time `json:"received_at"`
	// DeletedAt is set once the post was deleted; it stays in the ledger.
	DeletedAt *time.Time `json:"deleted_at,omitempty"`
	// EditedAt is set by the last edit, and Edits counts them.
	EditedAt *time.Time `json:"edited_at,omitempty"`
	Edits    int        `json:"edits,omitempty"`

	seq uint64 // the numeric id
}

// Ledger records every accepted post. It is safe for concurrent use.
type Ledger struct {
	seed   maphash.Seed
	next   atomic.Uint64
	count  atomic.Int64
	shards [shardCount]ledgerShard
}

type idemKey struct{ account, key string }

type keyInfo struct {
	count int
	first time.Time
}

type ledgerShard struct {
	mu        sync.Mutex
	posts     []Post
	byID      map[uint64]int32
	byAccount map[string][]int32
	keys      map[string]keyInfo // Herald key → posts made with it
	idem      map[idemKey]int32
	_         [64]byte // keep neighbouring shards' locks off one cache line
}

func newLedger() *Ledger {
	l := &Ledger{seed: maphash.MakeSeed()}
	for i := range l.shards {
		l.shards[i].reset()
	}
	return l
}

func (sh *ledgerShard) reset() {
	sh.posts = nil
	sh.byID = map[uint64]int32{}
	sh.byAccount = map[string][]int32{}
	sh.keys = map[string]keyInfo{}
	sh.idem = map[idemKey]int32{}
}

func (l *Ledger) shardOf(account string) (int, *ledgerShard) {
	i := int(maphash.String(l.seed, account) & (shardCount - 1))
	return i, &l.shards[i]
}

// record stores p (Account, Text, keys, ReceivedAt set by the caller) and
// returns it with its id. With dedupe and an idempotency key already seen
// for the account, it returns the first post and created false instead.
func (l *Ledger) record(p Post, dedupe bool) (Post, bool) {
	i, sh := l.shardOf(p.Account)
	sh.mu.Lock()
	defer sh.mu.Unlock()
	ik := idemKey{p.Account, p.IdempotencyKey}
	if dedupe && p.IdempotencyKey != "" {
		if at, ok := sh.idem[ik]; ok {
			return sh.posts[at], false
		}
	}
	p.seq = l.next.Add(1)*shardCount + uint64(i)
	p.ID = strconv.FormatUint(p.seq, 10)
	at := int32(len(sh.posts))
	sh.posts = append(sh.posts, p)
	sh.byID[p.seq] = at
	sh.byAccount[p.Account] = append(sh.byAccount[p.Account], at)
	if p.HeraldKey != "" {
		k := sh.keys[p.HeraldKey]
		if k.count == 0 {
			k.first = p.ReceivedAt
		}
		k.count++
		sh.keys[p.HeraldKey] = k
	}
	if dedupe && p.IdempotencyKey != "" {
		sh.idem[ik] = at
	}
	l.count.Add(1)
	return p, true
}

func parseID(id string) (uint64, bool) {
	n, err := strconv.ParseUint(id, 10, 64)
	return n, err == nil && n >= shardCount
}

// Get returns the post with the given id, deleted or not.
func (l *Ledger) Get(id string) (Post, bool) {
	seq, ok := parseID(id)
	if !ok {
		return Post{}, false
	}
	sh := &l.shards[seq&(shardCount-1)]
	sh.mu.Lock()
	defer sh.mu.Unlock()
	at, ok := sh.byID[seq]
	if !ok {
		return Post{}, false
	}
	return clonePost(sh.posts[at]), true
}

// delete marks account's post id deleted at now. found is false when there
// is no such post of that account (or it was already deleted).
func (l *Ledger) delete(account, id string, now time.Time) (Post, bool) {
	seq, ok := parseID(id)
	if !ok {
		return Post{}, false
	}
	sh := &l.shards[seq&(shardCount-1)]
	sh.mu.Lock()
	defer sh.mu.Unlock()
	at, ok := sh.byID[seq]
	if !ok || sh.posts[at].Account != account || sh.posts[at].DeletedAt != nil {
		return Post{}, false
	}
	t := now
	sh.posts[at].DeletedAt = &t
	return clonePost(sh.posts[at]), true
}

// edit replaces the text and media of account's post id (not deleted).
// found is false when there is no such post of that account.
func (l *Ledger) edit(account, id, text string, mediaIDs []string, now time.Time) (Post, bool) {
	seq, ok := parseID(id)
	if !ok {
		return Post{}, false
	}
	sh := &l.shards[seq&(shardCount-1)]
	sh.mu.Lock()
	defer sh.mu.Unlock()
	at, ok := sh.byID[seq]
	if !ok || sh.posts[at].Account != account || sh.posts[at].DeletedAt != nil {
		return Post{}, false
	}
	t := now
	p := &sh.posts[at]
	p.Text, p.MediaIDs, p.EditedAt = text, slices.Clone(mediaIDs), &t
	p.Edits++
	return clonePost(*p), true
}

// recent returns up to limit of account's posts that are not deleted,
// newest first, with ids below maxID (0: no bound).
func (l *Ledger) recent(account string, limit int, maxID uint64) []Post {
	_, sh := l.shardOf(account)
	sh.mu.Lock()
	defer sh.mu.Unlock()
	idx := sh.byAccount[account]
	out := make([]Post, 0, min(limit, len(idx)))
	for i := len(idx) - 1; i >= 0 && len(out) < limit; i-- {
		p := sh.posts[idx[i]]
		if p.DeletedAt != nil || (maxID != 0 && p.seq >= maxID) {
			continue
		}
		out = append(out, clonePost(p))
	}
	return out
}

func clonePost(p Post) Post {
	p.MediaIDs = slices.Clone(p.MediaIDs)
	if p.DeletedAt != nil {
		t := *p.DeletedAt
		p.DeletedAt = &t
	}
	if p.EditedAt != nil {
		t := *p.EditedAt
		p.EditedAt = &t
	}
	return p
}

// Count returns how many posts were accepted (idempotent repeats excluded,
// deleted posts included).
func (l *Ledger) Count() int { return int(l.count.Load()) }

// Posts returns every accepted post in the order ids were given.
func (l *Ledger) Posts() []Post {
	var out []Post
	for i := range l.shards {
		sh := &l.shards[i]
		sh.mu.Lock()
		for _, p := range sh.posts {
			out = append(out, clonePost(p))
		}
		sh.mu.Unlock()
	}
	slices.SortFunc(out, func(a, b Post) int {
		switch {
		case a.seq < b.seq:
			return -1
		case a.seq > b.seq:
			return 1
		}
		return 0
	})
	return out
}

// Duplicates returns the Herald keys that more than one post was made
// with, and how many posts each has: every entry is a post published twice.
func (l *Ledger) Duplicates() map[string]int {
	out := map[string]int{}
	l.eachKey(func(key string, k keyInfo) {
		out[key] += k.count
	})
	for key, n := range out {
		if n < 2 {
			delete(out, key)
		}
	}
	return out
}

// ReceivedAt returns when the first post with the given Herald key arrived.
func (l *Ledger) ReceivedAt(key string) (time.Time, bool) {
	var first time.Time
	found := false
	for i := range l.shards {
		sh := &l.shards[i]
		sh.mu.Lock()
		k, ok := sh.keys[key]
		sh.mu.Unlock()
		if ok && (!found || k.first.Before(first)) {
			first, found = k.first, true
		}
	}
	return first, found
}

// eachKey calls fn for every Herald key, shard by shard (a key sent from
// two accounts may be seen twice). fn runs without any lock held, so it may
// write to the network.
func (l *Ledger) eachKey(fn func(key string, k keyInfo)) {
	type entry struct {
		key string
		k   keyInfo
	}
	var buf []entry
	for i := range l.shards {
		sh := &l.shards[i]
		sh.mu.Lock()
		buf = buf[:0]
		for key, k := range sh.keys {
			buf = append(buf, entry{key, k})
		}
		sh.mu.Unlock()
		for _, e := range buf {
			fn(e.key, e.k)
		}
	}
}

// Reset forgets every post and idempotency key.
func (l *Ledger) Reset() {
	for i := range l.shards {
		sh := &l.shards[i]
		sh.mu.Lock()
		sh.reset()
		sh.mu.Unlock()
	}
	l.count.Store(0)
}

// added returns a number that grows with every post added, for watchers
// to skip reading the ledger while nothing was.
func (l *Ledger) added() uint64 { return l.next.Load() }
