package mastodonfake

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"
)

// Listening: what a listening source reads from an instance, as the
// Mastodon documentation describes it (methods/timelines "View hashtag
// timeline", methods/streaming "hashtag" and "hashtag/local",
// methods/search "Perform a search"):
//   - GET /api/v1/timelines/tag/:hashtag: public statuses with the tag,
//     newest first, with any[], all[], none[], local, remote, only_media,
//     max_id, since_id, min_id and limit (default 20, at most 40), and a
//     Link header; a token is optional (a public preview);
//   - GET /api/v1/streaming/hashtag?tag= (and /hashtag/local): the public
//     statuses posted with the tag after the stream opened, as
//     server-sent "update" events, with ":thump" heartbeats; a user token
//     is required, as since Mastodon 4.2;
//   - GET /api/v2/search?type=statuses with words: the public statuses
//     (and the viewer's own) containing every word, newest first, with
//     limit, offset, max_id and min_id; Config.NoStatusSearch finds none,
//     as a server without full-text search does.

// PostOptions say more about a status PostWith makes.
type PostOptions struct {
	InReplyTo  string
	Visibility string // default "public"
	Language   string
	MediaIDs   []string
	CreatedAt  time.Time // default the server's clock
}

// PostWith makes account authorID post text as someone else writing on
// (or, for a remote account, federating to) the instance would, and
// returns the status id. A remote author's status gets the uri and url of
// its own server. The hashtags written in text (#word) are its tags.
func (s *Server) PostWith(authorID, text string, o PostOptions) string {
	s.mu.Lock()
	defer s.mu.Unlock()
	if o.Visibility == "" {
		o.Visibility = "public"
	}
	if o.CreatedAt.IsZero() {
		o.CreatedAt = s.clock()
	}
	st := &Status{ID: s.newID(), AccountID: authorID, Text: text, Visibility: o.Visibility, Language: o.Language,
		InReplyToID: o.InReplyTo, MediaIDs: slices.Clone(o.MediaIDs), CreatedAt: o.CreatedAt.UTC(), Favourites: map[string]bool{}}
	if a := s.accounts[authorID]; a != nil && a.Domain != "" {
		st.URI = "https://" + a.Domain + "/users/" + a.Username + "/statuses/" + st.ID
		st.URL = "https://" + a.Domain + "/@" + a.Username + "/" + st.ID
	}
	s.insert(st)
	return st.ID
}

// statusTags are the status's hashtags, lower case, as its tags[] names them.
func statusTags(st *Status) []string {
	var out []string
	for _, m := range tagRE.FindAllStringSubmatch(st.Text, -1) {
		if t := strings.ToLower(m[2]); !slices.Contains(out, t) {
			out = append(out, t)
		}
	}
	return out
}

// truthy reads a boolean parameter as Rails does ("true", "1", "on").
func truthy(v string) bool {
	switch strings.ToLower(v) {
	case "true", "1", "on", "t", "yes":
		return true
	}
	return false
}

// listParam reads name[] (Rails' form) and name.
func listParam(q url.Values, name string) []string {
	var out []string
	for _, v := range append(q[name+"[]"], q[name]...) {
		if v = strings.ToLower(strings.TrimPrefix(strings.TrimSpace(v), "#")); v != "" {
			out = append(out, v)
		}
	}
	return out
}

// tagFilter is what a hashtag timeline or stream shows.
type tagFilter struct {
	tag                      string
	any, all, none           []string
	local, remote, onlyMedia bool
}

// matches reports whether the status belongs on the timeline. s.mu must
// be held.
func (s *Server) matches(st *Status, f tagFilter) bool {
	if st.Deleted || st.Visibility != "public" {
		return false
	}
	a := s.accounts[st.AccountID]
	if a == nil || (f.local && a.Domain != "") || (f.remote && a.Domain == "") || (f.onlyMedia && len(st.MediaIDs) == 0) {
		return false
	}
	tags := statusTags(st)
	if !slices.Contains(tags, f.tag) && !slices.ContainsFunc(f.any, func(t string) bool { return slices.Contains(tags, t) }) {
		return false
	}
	for _, t := range f.all {
		if !slices.Contains(tags, t) {
			return false
		}
	}
	return !slices.ContainsFunc(f.none, func(t string) bool { return slices.Contains(tags, t) })
}

// tagTimeline answers GET /api/v1/timelines/tag/:hashtag.
func (s *Server) tagTimeline(w http.ResponseWriter, r *http.Request) {
	viewer := ""
	if r.Header.Get("Authorization") != "" {
		_, a := s.authed(w, r, "read:statuses")
		if a == nil {
			return
		}
		viewer = a.ID
	}
	q := r.URL.Query()
	f := tagFilter{tag: strings.ToLower(strings.TrimPrefix(r.PathValue("hashtag"), "#")), any: listParam(q, "any"),
		all: listParam(q, "all"), none: listParam(q, "none"), local: truthy(q.Get("local")), remote: truthy(q.Get("remote")),
		onlyMedia: truthy(q.Get("only_media"))}
	s.mu.Lock()
	defer s.mu.Unlock()
	var ids []string
	for _, st := range s.statuses {
		if s.matches(st, f) {
			ids = append(ids, st.ID)
		}
	}
	slices.SortFunc(ids, func(x, y string) int { return idCmp(y, x) })
	got := page(ids, q, 20, 40)
	base := baseURL(r)
	out := []any{}
	for _, id := range got {
		out = append(out, s.statusJSON(base, s.statuses[id], viewer))
	}
	if len(got) > 0 {
		w.Header().Set("Link", pageLinks(r, got[len(got)-1], got[0]))
	}
	writeJSON(w, http.StatusOK, out)
}

// pageLinks is Mastodon's Link header: the next (older) page below oldest
// and the previous (newer) page above newest, keeping the other
// parameters.
func pageLinks(r *http.Request, oldest, newest string) string {
	link := func(k, v string) string {
		q := r.URL.Query()
		q.Del("max_id")
		q.Del("min_id")
		q.Del("since_id")
		q.Set(k, v)
		u := url.URL{Scheme: "http", Host: r.Host, Path: r.URL.Path, RawQuery: q.Encode()}
		return u.String()
	}
	return fmt.Sprintf(`<%s>; rel="next", <%s>; rel="prev"`, link("max_id", oldest), link("min_id", newest))
}

// hashtagStream serves GET /api/v1/streaming/hashtag and /hashtag/local.
// Answers other than the stream are checked against the contract whole;
// the stream's status and headers are checked when it opens.
func (s *Server) hashtagStream(w http.ResponseWriter, r *http.Request, contract *Contract, reqBody []byte) {
	rec := &recorder{h: http.Header{}}
	s.mu.Lock()
	off, maxAge := s.cfg.NoStreaming || s.cfg.Dialect == GoToSocial || s.cfg.Dialect == Pleroma, s.cfg.StreamMaxAge
	s.mu.Unlock()
	var me *Account
	tag := strings.ToLower(strings.TrimPrefix(strings.TrimSpace(r.URL.Query().Get("tag")), "#"))
	switch {
	case off:
		// GoToSocial and Pleroma stream only over WebSocket (GET
		// /api/v1/streaming with an upgrade): no server-sent events paths.
		// What they answer there is not documented; the fake says 404.
		writeError(rec, http.StatusNotFound, "Not found")
	default:
		if _, me = s.authed(rec, r, "read:statuses"); me != nil && tag == "" {
			me = nil
			writeError(rec, http.StatusBadRequest, "No tag for stream provided")
		}
	}
	fl, canFlush := w.(http.Flusher)
	if me != nil && !canFlush {
		me = nil
		writeError(rec, http.StatusInternalServerError, "streaming unsupported")
	}
	if me == nil {
		if contract != nil && rec.status != http.StatusBadRequest { // the document has no 400 for the stream
			for _, v := range contract.CheckResponse(r, reqBody, rec.status, rec.h, rec.body.Bytes()) {
				s.violate("response " + strconv.Itoa(rec.status) + " to " + r.Method + " " + r.URL.Path + ": " + v)
			}
		}
		for k, v := range rec.h {
			w.Header()[k] = v
		}
		w.WriteHeader(rec.status)
		_, _ = w.Write(rec.body.Bytes())
		return
	}
	for k, v := range rec.h {
		w.Header()[k] = v
	}
	w.Header().Set("Content-Type", "text/event-stream")
	w.Header().Set("Cache-Control", "no-store")
	if contract != nil {
		for _, v := range contract.CheckResponse(r, reqBody, http.StatusOK, w.Header(), nil) {
			s.violate("response 200 to " + r.Method + " " + r.URL.Path + ": " + v)
		}
	}
	f := tagFilter{tag: tag, local: strings.HasSuffix(r.URL.Path, "/local")}
	s.mu.Lock()
	seen := s.nextID
	s.mu.Unlock()
	w.WriteHeader(http.StatusOK)
	fmt.Fprint(w, ":)\n")
	fl.Flush()
	poll := time.NewTicker(streamPoll)
	defer poll.Stop()
	beat := time.NewTicker(5 * time.Second)
	defer beat.Stop()
	var expire <-chan time.Time
	if maxAge > 0 {
		t := time.NewTimer(maxAge)
		defer t.Stop()
		expire = t.C
	}
	for {
		select {
		case <-r.Context().Done():
			return
		case <-expire:
			return // the connection ends: the client reconnects
		case <-beat.C:
			fmt.Fprint(w, ":thump\n")
			fl.Flush()
		case <-poll.C:
			var out [][]byte
			s.mu.Lock()
			var fresh []*Status
			for _, st := range s.statuses {
				if n, err := strconv.ParseInt(st.ID, 10, 64); err == nil && n > seen && s.matches(st, f) {
					fresh = append(fresh, st)
				}
			}
			seen = s.nextID
			slices.SortFunc(fresh, func(x, y *Status) int { return idCmp(x.ID, y.ID) })
			for _, st := range fresh {
				data, _ := json.Marshal(s.statusJSON(baseURL(r), st, me.ID))
				out = append(out, data)
			}
			s.mu.Unlock()
			for _, d := range out {
				fmt.Fprintf(w, "event: update\ndata: %s\n\n", d)
			}
			if len(out) > 0 {
				fl.Flush()
			}
		}
	}
}

// searchText answers GET /api/v2/search for words: the statuses the
// viewer may see that are public (or the viewer's own) and contain every
// word, newest first, as a server with full-text search finds them.
func (s *Server) searchText(w http.ResponseWriter, r *http.Request, viewer *Account, text string) {
	q := r.URL.Query()
	out := map[string]any{"accounts": []any{}, "statuses": []any{}, "hashtags": []any{}}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.cfg.NoStatusSearch {
		writeJSON(w, http.StatusOK, out)
		return
	}
	words := strings.Fields(strings.ToLower(text))
	var ids []string
	for _, st := range s.statuses {
		if s.visible(st.ID, viewer.ID) == nil || (st.Visibility != "public" && st.AccountID != viewer.ID) {
			continue
		}
		lower := strings.ToLower(st.Text)
		if !slices.ContainsFunc(words, func(w string) bool { return !strings.Contains(lower, w) }) {
			ids = append(ids, st.ID)
		}
	}
	slices.SortFunc(ids, func(x, y string) int { return idCmp(y, x) })
	pq := url.Values{"max_id": q["max_id"], "min_id": q["min_id"]}
	limit := 20
	if n, err := strconv.Atoi(q.Get("limit")); err == nil && n > 0 {
		limit = min(n, 40)
	}
	all := page(ids, pq, len(ids)+1, len(ids)+1)
	if n, err := strconv.Atoi(q.Get("offset")); err == nil && n > 0 {
		all = all[min(n, len(all)):]
	}
	all = all[:min(limit, len(all))]
	statuses := []any{}
	for _, id := range all {
		statuses = append(statuses, s.statusJSON(baseURL(r), s.statuses[id], viewer.ID))
	}
	out["statuses"] = statuses
	writeJSON(w, http.StatusOK, out)
}
