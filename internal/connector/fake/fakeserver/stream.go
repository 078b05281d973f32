package fakeserver

import (
	"encoding/json"
	"fmt"
	"net/http"
	"time"
)

// streamPoll is how often the user stream looks for new mentions.
const streamPoll = 100 * time.Millisecond

// streamHeartbeat is how often an idle stream sends a comment line, as
// Mastodon sends ":thump".
const streamHeartbeat = 10 * time.Second

// userStream serves GET /api/v1/streaming/user as Mastodon's streaming
// API does, as server-sent events: a "notification" event (payload: the
// notification, type "mention") for each new status that mentions the
// bearer's account, and a ":thump" comment line while idle. It ends when
// the client goes away or the server closes.
func (s *Server) userStream(w http.ResponseWriter, r *http.Request) {
	cfg := s.cfg.Load()
	account, _, ok := s.begin(w, r, cfg, time.Now())
	if !ok {
		return
	}
	fl, ok := w.(http.Flusher)
	if !ok {
		s.answerError(w, r, cfg, http.StatusInternalServerError, "streaming unsupported")
		return
	}
	var last uint64
	seen := s.ledger.added()
	for _, p := range s.ledger.Posts() {
		last = max(last, p.seq)
	}
	w.Header().Set("Content-Type", "text/event-stream")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(http.StatusOK)
	fmt.Fprint(w, ":)\n")
	fl.Flush()
	poll := time.NewTicker(streamPoll)
	defer poll.Stop()
	beat := time.NewTicker(streamHeartbeat)
	defer beat.Stop()
	for {
		select {
		case <-r.Context().Done():
			return
		case <-s.done:
			return
		case <-beat.C:
			fmt.Fprint(w, ":thump\n")
			fl.Flush()
		case <-poll.C:
			n := s.ledger.added()
			if n == seen {
				continue
			}
			seen = n
			for _, p := range s.ledger.Posts() {
				if p.seq <= last {
					continue
				}
				last = max(last, p.seq)
				if p.DeletedAt != nil || p.Account == account || !s.mentions(p, account) {
					continue
				}
				st := s.statusOf(r, p)
				data, err := json.Marshal(notificationJSON{ID: p.ID, Type: "mention", CreatedAt: st.CreatedAt,
					Account: st.Account, Status: st})
				if err != nil {
					return
				}
				fmt.Fprintf(w, "event: notification\ndata: %s\n\n", data)
			}
			fl.Flush()
		}
	}
}
