package mastodonfake

import (
	"encoding/json"
	"fmt"
	"net/http"
	"time"
)

// streamPoll is how often a user stream looks for new notifications.
const streamPoll = 50 * time.Millisecond

// userStream serves GET /api/v1/streaming/user as Mastodon does, as
// server-sent events: each new notification of the token's account as an
// "notification" event, and a direct message as a "conversation" event
// too; an edit of a status that mentioned the account as "status.update"
// (the status) and its deletion as "delete" (the id as a bare string), as
// Mastodon streams them to mentioned accounts; ":thump" heartbeats while
// idle. Config.NoStreaming answers 404.
func (s *Server) userStream(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	off := s.cfg.NoStreaming
	s.mu.Unlock()
	if off {
		writeError(w, http.StatusNotFound, "Not found")
		return
	}
	_, me := s.authed(w, r, "read")
	if me == nil {
		return
	}
	fl, ok := w.(http.Flusher)
	if !ok {
		writeError(w, http.StatusInternalServerError, "streaming unsupported")
		return
	}
	s.mu.Lock()
	seen, seenChanges := len(s.notifications), len(s.changes)
	s.mu.Unlock()
	w.Header().Set("Content-Type", "text/event-stream")
	w.WriteHeader(http.StatusOK)
	fmt.Fprint(w, ":)\n")
	fl.Flush()
	poll := time.NewTicker(streamPoll)
	defer poll.Stop()
	beat := time.NewTicker(5 * time.Second)
	defer beat.Stop()
	for {
		select {
		case <-r.Context().Done():
			return
		case <-beat.C:
			fmt.Fprint(w, ":thump\n")
			fl.Flush()
		case <-poll.C:
			type event struct {
				name string
				data []byte
			}
			var out []event
			s.mu.Lock()
			for _, n := range s.notifications[seen:] {
				if n.account != me.ID {
					continue
				}
				data, _ := json.Marshal(map[string]any{"id": n.id, "type": n.typ,
					"created_at": n.at.UTC().Format(time.RFC3339), "status": map[string]any{"id": n.status}})
				out = append(out, event{"notification", data})
				if st := s.statuses[n.status]; st != nil && st.Visibility == "direct" {
					conv, _ := json.Marshal(map[string]any{"id": s.conversationOf(st.ID), "unread": true,
						"last_status": map[string]any{"id": st.ID}})
					out = append(out, event{"conversation", conv})
				}
			}
			seen = len(s.notifications)
			for _, c := range s.changes[seenChanges:] {
				if !s.notifiedOf(me.ID, c.status) {
					continue
				}
				if c.deleted {
					out = append(out, event{"delete", []byte(c.status)})
				} else if st := s.statuses[c.status]; st != nil {
					data, _ := json.Marshal(s.statusJSON(baseURL(r), st, me.ID))
					out = append(out, event{"status.update", data})
				}
			}
			seenChanges = len(s.changes)
			s.mu.Unlock()
			for _, e := range out {
				fmt.Fprintf(w, "event: %s\ndata: %s\n\n", e.name, e.data)
			}
			if len(out) > 0 {
				fl.Flush()
			}
		}
	}
}

// notifiedOf reports whether status mentioned account (it notified it of
// the mention). The caller holds s.mu.
func (s *Server) notifiedOf(account, status string) bool {
	for _, n := range s.notifications {
		if n.account == account && n.status == status && n.typ == "mention" {
			return true
		}
	}
	return false
}
