package fakeserver

import (
	"net/http"
	"slices"
	"time"
)

// contextJSON is the body of GET /api/v1/statuses/{id}/context, as
// Mastodon answers it.
type contextJSON struct {
	Ancestors   []statusJSON `json:"ancestors"`
	Descendants []statusJSON `json:"descendants"`
}

// statusContext is GET /api/v1/statuses/{id}/context: the statuses the
// status answers, oldest first, and every reply under it (nested ones
// too), in order of posting.
func (s *Server) statusContext(w http.ResponseWriter, r *http.Request) {
	cfg := s.cfg.Load()
	if _, _, ok := s.begin(w, r, cfg, time.Now()); !ok {
		return
	}
	id := r.PathValue("id")
	p, ok := s.ledger.Get(id)
	if !ok || p.DeletedAt != nil {
		s.answerError(w, r, cfg, http.StatusNotFound, "Record not found")
		return
	}
	out := contextJSON{Ancestors: []statusJSON{}, Descendants: []statusJSON{}}
	for parent := p.InReplyToID; parent != "" && len(out.Ancestors) < 40; {
		a, ok := s.ledger.Get(parent)
		if !ok || a.DeletedAt != nil {
			break
		}
		out.Ancestors = append(out.Ancestors, s.statusOf(r, a))
		parent = a.InReplyToID
	}
	slices.Reverse(out.Ancestors)
	children := map[string][]Post{}
	for _, x := range s.ledger.Posts() {
		if x.InReplyToID != "" && x.DeletedAt == nil {
			children[x.InReplyToID] = append(children[x.InReplyToID], x)
		}
	}
	var walk func(id string)
	walk = func(id string) {
		for _, k := range children[id] { // Posts is in order of posting
			out.Descendants = append(out.Descendants, s.statusOf(r, k))
			walk(k.ID)
		}
	}
	walk(id)
	s.answer(w, r, cfg, http.StatusOK, out)
}
