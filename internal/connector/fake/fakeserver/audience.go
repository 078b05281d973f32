package fakeserver

import (
	"net/http"
	"sync"
	"time"
)

// followTable holds each account's follower and follow counts, as tests
// set them. The platform keeps no follow relations: the counts are all
// there is.
type followTable struct {
	mu     sync.Mutex
	counts map[string]followCounts // by account
}

// followCounts are one account's counts; a negative one is not given.
type followCounts struct{ followers, following int }

func (t *followTable) set(account string, c followCounts) {
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.counts == nil {
		t.counts = map[string]followCounts{}
	}
	t.counts[account] = c
}

func (t *followTable) get(account string) followCounts {
	t.mu.Lock()
	defer t.mu.Unlock()
	return t.counts[account] // zero counts until set
}

// SetFollowCounts sets how many accounts follow account and how many it
// follows, as verify_credentials reports them (followers_count and
// following_count, both 0 until set). A negative count is left out of the
// answer, as a platform that does not give it would. Reset keeps them.
func (s *Server) SetFollowCounts(account string, followers, following int) {
	s.follows.set(account, followCounts{followers: followers, following: following})
}

// credentialAccount is the answer of verify_credentials: the token's
// account with its counts, in Mastodon's shape. A count left nil is not
// given.
type credentialAccount struct {
	accountJSON
	FollowersCount *int `json:"followers_count,omitempty"`
	FollowingCount *int `json:"following_count,omitempty"`
	StatusesCount  int  `json:"statuses_count"`
}

// verifyCredentials is GET /api/v1/accounts/verify_credentials. Its
// statuses_count is the account's posts in the ledger, not deleted and
// not direct (as Mastodon counts them).
func (s *Server) verifyCredentials(w http.ResponseWriter, r *http.Request) {
	cfg := s.cfg.Load()
	account, _, ok := s.begin(w, r, cfg, time.Now())
	if !ok {
		return
	}
	f := s.follows.get(account)
	out := credentialAccount{
		accountJSON:   accountJSON{ID: account, Username: account, Acct: account, DisplayName: account},
		StatusesCount: s.ledger.statuses(account),
	}
	if f.followers >= 0 {
		out.FollowersCount = &f.followers
	}
	if f.following >= 0 {
		out.FollowingCount = &f.following
	}
	s.answer(w, r, cfg, http.StatusOK, out)
}

// statuses counts account's posts that are not deleted and not direct.
func (l *Ledger) statuses(account string) int {
	_, sh := l.shardOf(account)
	sh.mu.Lock()
	defer sh.mu.Unlock()
	n := 0
	for _, at := range sh.byAccount[account] {
		if p := &sh.posts[at]; p.DeletedAt == nil && p.Visibility != "direct" {
			n++
		}
	}
	return n
}
