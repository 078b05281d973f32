package mastodonfake

import (
	"fmt"
	"net/http"
	"net/url"
	"slices"
)

// Direct messages: statuses with visibility direct, seen by their author
// and the accounts they mention, grouped into conversations (one per
// thread of direct statuses, named by its first status) and read with
// GET /api/v1/conversations and GET /api/v1/statuses/:id/context
// (context.go).

// addressed reports whether the status mentions the viewer. s.mu must be
// held.
func (s *Server) addressed(st *Status, viewer string) bool {
	for _, a := range s.mentioned(st.Text) {
		if a.ID == viewer {
			return true
		}
	}
	return false
}

// DirectMessage makes account fromID send text as a direct status (a reply
// to inReplyTo, if set) to the local account toID, mentioning it as
// Mastodon's own client does, and returns the status id.
func (s *Server) DirectMessage(fromID, toID, text, inReplyTo string) string {
	s.mu.Lock()
	defer s.mu.Unlock()
	if to := s.accounts[toID]; to != nil {
		text = "@" + to.Username + " " + text
	}
	st := &Status{ID: s.newID(), AccountID: fromID, Text: text, Visibility: "direct", InReplyToID: inReplyTo,
		CreatedAt: s.clock().UTC(), Favourites: map[string]bool{}}
	s.insert(st)
	return st.ID
}

// ConversationOf returns the id of the conversation a direct status is in
// (its thread's first direct status), "" for another status.
func (s *Server) ConversationOf(id string) string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.conversationOf(id)
}

// conversationOf: see ConversationOf. s.mu must be held.
func (s *Server) conversationOf(id string) string {
	st := s.statuses[id]
	if st == nil || st.Visibility != "direct" {
		return ""
	}
	for st.InReplyToID != "" {
		p := s.statuses[st.InReplyToID]
		if p == nil || p.Visibility != "direct" {
			break
		}
		st = p
	}
	return st.ID
}

// listConversations lists the caller's conversations by their last
// status, newest first, with Mastodon's id pagination on that status and
// a Link header.
func (s *Server) listConversations(w http.ResponseWriter, r *http.Request) {
	_, a := s.authed(w, r, "read:statuses")
	if a == nil {
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	last := map[string]string{}     // conversation → its newest status
	people := map[string][]string{} // conversation → participants but the caller
	for _, st := range s.statuses {
		if st.Visibility != "direct" || s.visible(st.ID, a.ID) == nil {
			continue
		}
		c := s.conversationOf(st.ID)
		if idCmp(st.ID, last[c]) > 0 {
			last[c] = st.ID
		}
		ids := []string{st.AccountID}
		for _, m := range s.mentioned(st.Text) {
			ids = append(ids, m.ID)
		}
		for _, id := range ids {
			if id != a.ID && !slices.Contains(people[c], id) {
				people[c] = append(people[c], id)
			}
		}
	}
	byLast := map[string]string{}
	var ids []string
	for c, l := range last {
		byLast[l] = c
		ids = append(ids, l)
	}
	slices.SortFunc(ids, func(x, y string) int { return idCmp(y, x) })
	q := r.URL.Query()
	got := page(ids, q, 20, 40)
	base := baseURL(r)
	out := []any{}
	for _, l := range got {
		c := byLast[l]
		accts := []any{}
		for _, id := range people[c] {
			if p := s.accounts[id]; p != nil {
				accts = append(accts, s.accountJSON(base, p))
			}
		}
		out = append(out, map[string]any{"id": c, "unread": true, "accounts": accts,
			"last_status": s.statusJSON(base, s.statuses[l], a.ID)})
	}
	if len(got) > 0 {
		link := func(k, v string) string {
			u := url.URL{Scheme: "http", Host: r.Host, Path: "/api/v1/conversations", RawQuery: url.Values{k: {v}}.Encode()}
			return u.String()
		}
		w.Header().Set("Link", fmt.Sprintf(`<%s>; rel="next", <%s>; rel="prev"`, link("max_id", got[len(got)-1]), link("min_id", got[0])))
	}
	writeJSON(w, http.StatusOK, out)
}
