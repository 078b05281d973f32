package mastodonfake

import (
	"net/http"
	"slices"
	"strconv"
)

// statusContext is GET /api/v1/statuses/:id/context: the statuses the
// status answers, oldest first, and the replies under it (nested ones
// too, depth first in order of posting), as the viewer may see them.
func (s *Server) statusContext(w http.ResponseWriter, r *http.Request) {
	_, a := s.authed(w, r, "read:statuses")
	if a == nil {
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	st := s.visible(r.PathValue("id"), a.ID)
	if st == nil {
		writeError(w, http.StatusNotFound, "Record not found")
		return
	}
	base := baseURL(r)
	ancestors, descendants := []map[string]any{}, []map[string]any{}
	for parent := st.InReplyToID; parent != "" && len(ancestors) < 40; {
		p := s.visible(parent, a.ID)
		if p == nil {
			break
		}
		ancestors = append(ancestors, s.statusJSON(base, p, a.ID))
		parent = p.InReplyToID
	}
	slices.Reverse(ancestors)
	children := map[string][]*Status{}
	for _, x := range s.statuses {
		if x.InReplyToID != "" && s.visible(x.ID, a.ID) != nil {
			children[x.InReplyToID] = append(children[x.InReplyToID], x)
		}
	}
	var walk func(id string)
	walk = func(id string) {
		kids := children[id]
		slices.SortFunc(kids, func(x, y *Status) int {
			if c := x.CreatedAt.Compare(y.CreatedAt); c != 0 {
				return c
			}
			xi, _ := strconv.ParseInt(x.ID, 10, 64)
			yi, _ := strconv.ParseInt(y.ID, 10, 64)
			return int(xi - yi)
		})
		for _, k := range kids {
			descendants = append(descendants, s.statusJSON(base, k, a.ID))
			walk(k.ID)
		}
	}
	walk(st.ID)
	writeJSON(w, http.StatusOK, map[string]any{"ancestors": ancestors, "descendants": descendants})
}
