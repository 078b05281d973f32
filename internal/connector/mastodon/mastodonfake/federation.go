package mastodonfake

import (
	"context"
	"encoding/json"
	"fmt"
	"html"
	"io"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"time"
)

// Federation, as much of it as finding a post of another server takes:
// each server answers ActivityPub requests for its public statuses (the
// Note at the status's uri and url), and GET /api/v2/search with
// resolve=true fetches a Note it does not know from its server and keeps
// it under an id of its own, as Mastodon does. Nothing is delivered back:
// a reply to such a status stays on the server it was posted to.

// activityJSON reports whether the request asks for an ActivityPub object.
func activityJSON(r *http.Request) bool {
	a := r.Header.Get("Accept")
	return strings.Contains(a, "application/activity+json") || strings.Contains(a, "application/ld+json")
}

// note answers GET /users/{user}/statuses/{id} and /@{user}/{id} with the
// public status as an ActivityPub Note.
func (s *Server) note(w http.ResponseWriter, r *http.Request) {
	if !activityJSON(r) {
		writeError(w, http.StatusNotAcceptable, "Ask for application/activity+json")
		return
	}
	user := strings.TrimPrefix(r.PathValue("user"), "@")
	s.mu.Lock()
	defer s.mu.Unlock()
	st := s.statuses[r.PathValue("id")]
	if st == nil || st.Deleted || st.URI != "" || (st.Visibility != "public" && st.Visibility != "unlisted") {
		writeError(w, http.StatusNotFound, "Record not found")
		return
	}
	a := s.accounts[st.AccountID]
	if a == nil || a.Domain != "" || a.Username != user {
		writeError(w, http.StatusNotFound, "Record not found")
		return
	}
	base := baseURL(r)
	w.Header().Set("Content-Type", "application/activity+json")
	_ = json.NewEncoder(w).Encode(map[string]any{
		"@context": "https://www.w3.org/ns/activitystreams", "type": "Note",
		"id":  base + "/users/" + a.Username + "/statuses/" + st.ID,
		"url": base + "/@" + a.Username + "/" + st.ID, "attributedTo": base + "/users/" + a.Username,
		"content": s.render(base, st.Text), "published": formatTime(st.CreatedAt),
		"to": []string{"https://www.w3.org/ns/activitystreams#Public"},
	})
}

// noteObject is the part of a fetched Note the fake keeps.
type noteObject struct {
	Type         string `json:"type"`
	ID           string `json:"id"`
	URL          string `json:"url"`
	AttributedTo string `json:"attributedTo"`
	Content      string `json:"content"`
	Published    string `json:"published"`
}

var htmlTag = regexp.MustCompile(`<[^>]*>`)

// search answers GET /api/v2/search for statuses by address: this
// server's own, one fetched before, or (resolve=true) one fetched now.
func (s *Server) search(w http.ResponseWriter, r *http.Request) {
	_, viewer := s.authed(w, r, "read:search")
	if viewer == nil {
		return
	}
	q := r.URL.Query()
	out := map[string]any{"accounts": []any{}, "statuses": []any{}, "hashtags": []any{}}
	address := strings.TrimSpace(q.Get("q"))
	u, err := url.Parse(address)
	if t := q.Get("type"); (t == "" || t == "statuses") && address != "" && (err != nil || u.Host == "") {
		s.searchText(w, r, viewer, address) // words, not an address (listen.go)
		return
	}
	if t := q.Get("type"); (t != "" && t != "statuses") || err != nil || u.Host == "" {
		writeJSON(w, http.StatusOK, out)
		return
	}
	base := baseURL(r)
	st := s.known(address, u.Host == r.Host)
	if st == nil && u.Host != r.Host && q.Get("resolve") == "true" {
		st, err = s.fetch(r.Context(), address)
		if err != nil {
			writeJSON(w, http.StatusOK, out) // Mastodon answers an empty result when the fetch fails
			return
		}
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if st != nil && s.visible(st.ID, viewer.ID) != nil {
		out["statuses"] = []any{s.statusJSON(base, st, viewer.ID)}
	}
	writeJSON(w, http.StatusOK, out)
}

// known returns the status with this address: a local one by its url or
// uri (when the address is this server's), or one fetched before by its
// own.
func (s *Server) known(address string, here bool) *Status {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, st := range s.statuses {
		if st.URI != "" && (st.URI == address || st.URL == address) {
			return st
		}
		if a := s.accounts[st.AccountID]; here && st.URI == "" && a != nil && a.Domain == "" &&
			(strings.HasSuffix(address, "/@"+a.Username+"/"+st.ID) || strings.HasSuffix(address, "/users/"+a.Username+"/statuses/"+st.ID)) {
			return st
		}
	}
	return nil
}

// fetch reads the Note at address from its server and keeps it, with its
// author as a remote account.
func (s *Server) fetch(ctx context.Context, address string) (*Status, error) {
	ctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, address, nil)
	if err != nil {
		return nil, err
	}
	req.Header.Set("Accept", "application/activity+json")
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		return nil, err
	}
	defer res.Body.Close()
	if res.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("fetch %s: %s", address, res.Status)
	}
	var n noteObject
	if err := json.NewDecoder(io.LimitReader(res.Body, 1<<20)).Decode(&n); err != nil || n.Type != "Note" || n.ID == "" {
		return nil, fmt.Errorf("fetch %s: not a Note", address)
	}
	author, err := url.Parse(n.AttributedTo)
	if err != nil || author.Host == "" {
		return nil, fmt.Errorf("fetch %s: no author", address)
	}
	username := author.Path[strings.LastIndex(author.Path, "/")+1:]
	created, err := time.Parse(time.RFC3339Nano, n.Published)
	if err != nil {
		created = s.clock().UTC()
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	var a *Account
	for _, x := range s.accounts {
		if x.Username == username && x.Domain == author.Host {
			a = x
		}
	}
	if a == nil {
		a = &Account{ID: s.newID(), Username: username, Domain: author.Host, DisplayName: username, CreatedAt: created}
		s.accounts[a.ID] = a
	}
	text := html.UnescapeString(htmlTag.ReplaceAllString(n.Content, ""))
	st := &Status{ID: s.newID(), AccountID: a.ID, Text: text, Visibility: "public", CreatedAt: created.UTC(),
		Favourites: map[string]bool{}, URI: n.ID, URL: n.URL}
	s.statuses[st.ID] = st
	return st, nil
}
