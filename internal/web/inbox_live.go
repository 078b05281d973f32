package web

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"sync"
	"time"

	"github.com/heraldsocial/herald/internal/herald"
)

// defaultHeartbeat is how often a quiet event stream sends a comment, so
// proxies and browsers keep it open and a dead connection is noticed.
const defaultHeartbeat = 20 * time.Second

// liveStreams ends the open event streams when the server shuts down. The
// zero value is ready to use.
type liveStreams struct {
	once      sync.Once
	done      chan struct{}
	closeOnce sync.Once
	heartbeat time.Duration // 0: defaultHeartbeat
}

func (l *liveStreams) closing() <-chan struct{} {
	l.once.Do(func() { l.done = make(chan struct{}) })
	return l.done
}

// CloseStreams ends every open event stream (the live inbox) and refuses
// new ones; the server calls it when it shuts down, so that shutting down
// does not wait for streams that never end by themselves.
func (h *Handler) CloseStreams() {
	h.live.closing()
	h.live.closeOnce.Do(func() { close(h.live.done) })
}

// inboxEventData is one server-sent event's data.
type inboxEventData struct {
	Kind string `json:"kind"`
	Item int64  `json:"item,omitempty"`
}

// inboxEvents streams the workspace's inbox changes as server-sent events
// (event "inbox", data {"kind","item"}), with a heartbeat comment when
// quiet, until the page goes away or the server shuts down. inbox-live.js
// reloads the changed parts of the open page.
func (h *Handler) inboxEvents(w http.ResponseWriter, r *http.Request, p *page) error {
	closing := h.live.closing()
	select {
	case <-closing:
		w.Header().Set("Retry-After", "5")
		http.Error(w, "Herald is shutting down; the page reconnects by itself.", http.StatusServiceUnavailable)
		return nil
	default:
	}
	if h.d.Inbox == nil {
		return herald.NotFound("live inbox")
	}
	ctx, cancel := context.WithCancel(r.Context())
	defer cancel()
	events, err := h.d.Inbox.Watch(ctx, p.Actor)
	if err != nil {
		return err
	}
	rc := http.NewResponseController(w)
	// A stream outlives any write timeout the server may have.
	_ = rc.SetWriteDeadline(time.Time{})
	hd := w.Header()
	hd.Set("Content-Type", "text/event-stream")
	hd.Set("Cache-Control", "no-store")
	hd.Set("X-Content-Type-Options", "nosniff")
	hd.Set("X-Accel-Buffering", "no") // a proxy must pass each event on at once
	w.WriteHeader(http.StatusOK)
	send := func(s string) bool {
		if _, err := fmt.Fprint(w, s); err != nil {
			return false
		}
		return rc.Flush() == nil
	}
	if !send("retry: 3000\n: live inbox of workspace " + itoa(p.Current.ID) + "\n\n") {
		return nil
	}
	beat := h.live.heartbeat
	if beat <= 0 {
		beat = defaultHeartbeat
	}
	tick := time.NewTicker(beat)
	defer tick.Stop()
	for {
		select {
		case <-ctx.Done():
			return nil
		case <-closing:
			send("event: bye\ndata: {}\n\n")
			return nil
		case <-tick.C:
			if !send(": heartbeat\n\n") {
				return nil
			}
		case ev, ok := <-events:
			if !ok {
				return nil
			}
			b, err := json.Marshal(inboxEventData{Kind: string(ev.Kind), Item: ev.ItemID})
			if err != nil {
				return fmt.Errorf("web: encode inbox event: %w", err)
			}
			if !send("event: inbox\ndata: " + string(b) + "\n\n") {
				return nil
			}
		}
	}
}
