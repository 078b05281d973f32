package xfake

import (
	"encoding/json"
	"fmt"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/heraldsocial/herald/internal/connector/x/xtext"
)

func (s *Server) routes() {
	s.plain("GET /i/oauth2/authorize", s.authorize)
	s.plain("POST /2/oauth2/token", s.token)
	s.api("GET /2/users/me", "users.read", s.me)
	s.api("POST /2/tweets", "tweet.write", s.createTweet)
	s.api("DELETE /2/tweets/{id}", "tweet.write", s.deleteTweet)
	s.api("GET /2/tweets", "tweet.read", s.lookup)
	s.api("GET /2/users/{id}/tweets", "tweet.read", s.userTweets)
	s.api("GET /2/users/by/username/{username}", "tweet.read users.read", s.userByUsername)
	s.api("GET /2/users/{id}/mentions", "tweet.read", s.mentions)
	s.api("POST /2/users/{id}/likes", "like.write", s.like)
	s.api("POST /2/users/{id}/retweets", "tweet.read tweet.write users.read", s.retweet)
	s.api("PUT /2/tweets/{tweet_id}/hidden", "tweet.read users.read tweet.moderate.write", s.hide)
	s.api("POST /2/media/upload/initialize", "media.write", s.mediaInit)
	s.api("POST /2/media/upload/{id}/append", "media.write", s.mediaAppend)
	s.api("POST /2/media/upload/{id}/finalize", "media.write", s.mediaFinalize)
	s.api("GET /2/media/upload", "media.write", s.mediaStatus)
	s.api("POST /2/media/metadata", "media.write", s.mediaMetadata)
	s.api("GET /2/dm_events", "tweet.read users.read dm.read", s.dmEvents)
	s.api("GET /2/dm_conversations/{id}/dm_events", "tweet.read users.read dm.read", s.conversationEvents)
	s.api("POST /2/dm_conversations/{id}/messages", "tweet.read users.read dm.write", s.sendDM)
	s.api(searchRoute, "tweet.read users.read", s.searchRecent)
}

// fault applies an injected fault; it reports whether the request was
// answered by it.
func (s *Server) fault(route string, w http.ResponseWriter) bool {
	f, ok := s.takeFault(route)
	if !ok {
		return false
	}
	rec, _ := w.(*recorder)
	if f.Status != 0 {
		for k, v := range f.Header {
			w.Header()[k] = v
		}
		if f.ContentType != "" {
			w.Header().Set("Content-Type", f.ContentType)
		}
		if rec != nil {
			rec.raw = f.Raw
		}
		w.WriteHeader(f.Status)
		_, _ = w.Write([]byte(f.Body))
		return true
	}
	if rec != nil {
		rec.drop, rec.truncate = f.Drop, f.Truncate
	}
	return false
}

func (s *Server) plain(route string, h http.HandlerFunc) {
	s.mux.HandleFunc(route, func(w http.ResponseWriter, r *http.Request) {
		s.count(route)
		if s.fault(route, w) {
			return
		}
		h(w, r)
	})
}

type apiFunc func(w http.ResponseWriter, r *http.Request, u User)

// api registers an endpoint that needs a user's token with scopes
// (space-separated, all needed).
func (s *Server) api(route, scope string, h apiFunc) {
	s.mux.HandleFunc(route, func(w http.ResponseWriter, r *http.Request) {
		s.count(route)
		if s.fault(route, w) {
			return
		}
		tok, ok := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer ")
		s.mu.Lock()
		t, known := s.tokens[tok]
		var u User
		if known {
			if p, ok := s.users[t.UserID]; ok {
				u = *p
			} else {
				known = false
			}
		}
		expired := known && !s.now().Before(t.ExpiresAt)
		s.mu.Unlock()
		if !ok || !known || expired {
			plainProblem(w, http.StatusUnauthorized, "Unauthorized")
			return
		}
		for _, sc := range strings.Fields(scope) {
			if !hasScope(t.Scopes, sc) {
				plainProblem(w, http.StatusForbidden, "Your token does not have the scope this endpoint needs: "+sc)
				return
			}
		}
		if !s.admit(w, u.ID, route) {
			plainProblem(w, http.StatusTooManyRequests, "Too Many Requests")
			return
		}
		h(w, r, u)
	})
}

func (s *Server) count(route string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.requests[route]++
}

// admit counts a request in the user's window for route and sets the
// rate-limit headers; it reports whether the request may go on.
func (s *Server) admit(w http.ResponseWriter, userID, route string) bool {
	limit := s.limitOf(route)
	if limit <= 0 {
		return true
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	now := s.now()
	k := userID + " " + route
	win, ok := s.windows[k]
	if !ok || !now.Before(win.start.Add(s.cfg.RateWindow)) {
		win = &window{start: now}
		s.windows[k] = win
	}
	reset := win.start.Add(s.cfg.RateWindow)
	h := w.Header()
	h.Set("x-rate-limit-limit", strconv.Itoa(limit))
	h.Set("x-rate-limit-reset", strconv.FormatInt(reset.Unix(), 10))
	if win.count >= limit {
		h.Set("x-rate-limit-remaining", "0")
		return false
	}
	win.count++
	h.Set("x-rate-limit-remaining", strconv.Itoa(limit-win.count))
	return true
}

func (s *Server) me(w http.ResponseWriter, r *http.Request, u User) {
	data := s.userJSON(u)
	if userFields(r)["public_metrics"] {
		s.mu.Lock()
		data["public_metrics"] = s.publicMetrics(u)
		s.mu.Unlock()
	}
	writeJSON(w, http.StatusOK, map[string]any{"data": data})
}

func (s *Server) userJSON(u User) map[string]any {
	return map[string]any{"id": u.ID, "username": u.Username, "name": u.Name,
		"profile_image_url": "https://pbs.twimg.com/profile_images/" + u.ID + "/normal.jpg"}
}

type createRequest struct {
	Text  *string `json:"text"`
	Reply *struct {
		InReplyToTweetID string `json:"in_reply_to_tweet_id"`
	} `json:"reply"`
	Media *struct {
		MediaIDs []string `json:"media_ids"`
	} `json:"media"`
	ReplySettings string `json:"reply_settings"`
}

func (s *Server) createTweet(w http.ResponseWriter, r *http.Request, u User) {
	var req createRequest
	dec := json.NewDecoder(r.Body)
	dec.DisallowUnknownFields()
	if err := dec.Decode(&req); err != nil {
		invalidRequest(w, "The request body is not valid JSON for this endpoint: "+err.Error())
		return
	}
	text := ""
	if req.Text != nil {
		text = *req.Text
	}
	var mediaIDs []string
	if req.Media != nil {
		mediaIDs = req.Media.MediaIDs
	}
	if strings.TrimSpace(text) == "" && len(mediaIDs) == 0 {
		invalidRequest(w, "Post text is required unless media is attached.")
		return
	}
	if xtext.WeightedLength(text) > 280 {
		problem(w, http.StatusBadRequest, ProblemInvalidRequest, "Invalid Request",
			"Your Tweet text is too long. For more information on how X determines text length see https://github.com/twitter/twitter-text.",
			map[string]any{"parameter": "text"})
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if msg := s.checkMedia(u.ID, mediaIDs); msg != "" {
		invalidRequest(w, msg)
		return
	}
	replyTo := ""
	if req.Reply != nil {
		replyTo = req.Reply.InReplyToTweetID
		if p, ok := s.tweets[replyTo]; !ok || p.Deleted {
			plainProblem(w, http.StatusForbidden, "You attempted to reply to a Tweet that is deleted or not visible to you.")
			return
		}
	}
	for i := len(s.timeline) - 1; i >= 0; i-- {
		t := s.tweets[s.timeline[i]]
		if s.now().Sub(t.CreatedAt) > 24*time.Hour {
			break
		}
		if t.AuthorID == u.ID && !t.Deleted && t.Original == text && text != "" {
			plainProblem(w, http.StatusForbidden, "You are not allowed to create a Tweet with duplicate content.")
			return
		}
	}
	t := s.create(u.ID, text, replyTo, mediaIDs, req.ReplySettings)
	writeJSON(w, http.StatusCreated, map[string]any{"data": map[string]any{"id": t.ID, "text": t.Text,
		"edit_history_tweet_ids": []string{t.ID}, "edit_history_post_ids": []string{t.ID}}})
}

// checkMedia says what is wrong with media ids for a post. Callers hold s.mu.
func (s *Server) checkMedia(userID string, ids []string) string {
	if len(ids) > 4 {
		return "A post may have at most 4 media."
	}
	videos := 0
	for _, id := range ids {
		m, ok := s.media[id]
		if !ok || m.OwnerID != userID || !m.Finalized || (m.State != "" && m.State != "succeeded") {
			return "Your media IDs are invalid."
		}
		if m.Category != "tweet_image" {
			videos++
		}
	}
	if videos > 0 && len(ids) > 1 {
		return "A post may have one video or GIF, or up to 4 images, not both."
	}
	return ""
}

// create stores a post. Callers hold s.mu.
func (s *Server) create(userID, text, replyTo string, mediaIDs []string, replySettings string) *Tweet {
	id := s.nextID()
	t := &Tweet{ID: id, AuthorID: userID, Original: text, Text: s.display(text, len(mediaIDs) > 0),
		CreatedAt: s.now().UTC(), ReplyTo: replyTo, ConversationID: id, MediaIDs: mediaIDs,
		ReplySettings: replySettings}
	if p, ok := s.tweets[replyTo]; ok {
		p.Replies++
		t.ConversationID = p.ConversationID
	}
	s.tweets[id] = t
	s.timeline = append(s.timeline, id)
	return t
}

// display is the text as X shows it: URLs become t.co links, a post with
// media ends with the media's link, and &, < and > are escaped. Callers
// hold s.mu.
func (s *Server) display(text string, media bool) string {
	var b strings.Builder
	last := 0
	for _, u := range xtext.FindURLs(text) {
		b.WriteString(text[last:u.Start])
		b.WriteString(s.tco())
		last = u.End
	}
	b.WriteString(text[last:])
	out := b.String()
	if media {
		if out != "" {
			out += " "
		}
		out += s.tco()
	}
	return strings.NewReplacer("&", "&amp;", "<", "&lt;", ">", "&gt;").Replace(out)
}

func (s *Server) tco() string {
	id := s.nextID()
	return "https://t.co/" + strconv.FormatInt(int64(len(id))*7919+int64(id[len(id)-1]), 36) + id[len(id)-6:]
}

func (s *Server) deleteTweet(w http.ResponseWriter, r *http.Request, u User) {
	id := r.PathValue("id")
	s.mu.Lock()
	defer s.mu.Unlock()
	t, ok := s.tweets[id]
	if !ok || t.Deleted {
		notFound(w, "tweet", "id", id)
		return
	}
	if t.AuthorID != u.ID {
		plainProblem(w, http.StatusForbidden, "You are not allowed to delete a Tweet you did not create.")
		return
	}
	t.Deleted = true
	if p, ok := s.tweets[t.ReplyTo]; ok && p.Replies > 0 {
		p.Replies--
	}
	writeJSON(w, http.StatusOK, map[string]any{"data": map[string]any{"deleted": true}})
}

func notFound(w http.ResponseWriter, kind, param, id string) {
	problem(w, http.StatusNotFound, ProblemResourceNotFound, "Not Found Error",
		fmt.Sprintf("Could not find %s with %s: [%s].", kind, param, id),
		map[string]any{"resource_type": kind, "parameter": param, "value": id, "resource_id": id})
}

// fields returns the post fields asked for (tweet.fields as X's guide
// names it, post.fields as the OpenAPI document does).
func fields(r *http.Request) map[string]bool {
	out := map[string]bool{}
	for _, k := range []string{"tweet.fields", "post.fields"} {
		for _, f := range strings.Split(r.URL.Query().Get(k), ",") {
			if f != "" {
				out[f] = true
			}
		}
	}
	return out
}

// tweetJSON renders a post with the fields asked for. Callers hold s.mu.
func (s *Server) tweetJSON(t *Tweet, f map[string]bool, nonPublic bool) map[string]any {
	history := t.EditHistory
	if history == nil {
		history = []string{t.ID}
	}
	m := map[string]any{"id": t.ID, "text": t.Text, "edit_history_tweet_ids": history, "edit_history_post_ids": history}
	if f["created_at"] {
		m["created_at"] = t.CreatedAt.Format("2006-01-02T15:04:05.000Z")
	}
	if f["author_id"] {
		m["author_id"] = t.AuthorID
	}
	if f["conversation_id"] {
		m["conversation_id"] = t.ConversationID
	}
	if t.ReplyTo != "" {
		refs := []map[string]string{{"type": "replied_to", "id": t.ReplyTo}}
		if f["referenced_tweets"] {
			m["referenced_tweets"] = refs
		}
		if f["referenced_posts"] {
			m["referenced_posts"] = refs
		}
		if f["in_reply_to_user_id"] {
			if p, ok := s.tweets[t.ReplyTo]; ok {
				m["in_reply_to_user_id"] = p.AuthorID
			}
		}
	}
	if f["attachments"] && len(t.MediaIDs) > 0 {
		keys := make([]string, 0, len(t.MediaIDs))
		for _, id := range t.MediaIDs {
			keys = append(keys, mediaKey(s.media[id]))
		}
		m["attachments"] = map[string]any{"media_keys": keys}
	}
	if f["reply_settings"] {
		rs := t.ReplySettings
		if rs == "" {
			rs = "everyone"
		}
		m["reply_settings"] = rs
	}
	if f["public_metrics"] {
		m["public_metrics"] = map[string]int64{"retweet_count": t.Reposts, "repost_count": t.Reposts,
			"reply_count": t.Replies, "like_count": t.Likes, "quote_count": t.Quotes,
			"bookmark_count": 0, "impression_count": t.Impressions}
	}
	if f["non_public_metrics"] && nonPublic {
		m["non_public_metrics"] = map[string]int64{"impression_count": t.Impressions,
			"url_link_clicks": 0, "user_profile_clicks": 0}
	}
	return m
}

// lookup is GET /2/tweets?ids=…. Non-public metrics are only for the
// caller's own posts of the last 30 days; other posts are left out with a
// field error, as X does.
func (s *Server) lookup(w http.ResponseWriter, r *http.Request, u User) {
	var ids []string
	for _, id := range strings.Split(r.URL.Query().Get("ids"), ",") {
		if id != "" {
			ids = append(ids, id)
		}
	}
	if len(ids) == 0 || len(ids) > 100 {
		problem(w, http.StatusBadRequest, ProblemInvalidRequest, "Invalid Request",
			"The `ids` query parameter value must have between 1 and 100 ids.", map[string]any{"parameter": "ids"})
		return
	}
	f := fields(r)
	s.mu.Lock()
	defer s.mu.Unlock()
	data := []map[string]any{}
	var errs []map[string]any
	for _, id := range ids {
		t, ok := s.tweets[id]
		if !ok || t.Deleted {
			errs = append(errs, map[string]any{"type": ProblemResourceNotFound, "title": "Not Found Error",
				"detail": "Could not find tweet with ids: [" + id + "].", "resource_type": "tweet",
				"parameter": "ids", "value": id, "resource_id": id})
			continue
		}
		own := t.AuthorID == u.ID && s.now().Sub(t.CreatedAt) <= 30*24*time.Hour
		if f["non_public_metrics"] && !own {
			errs = append(errs, map[string]any{"type": ProblemNotAuthorizedField, "title": "Field Authorization Error",
				"detail": "Sorry, you are not authorized to access 'non_public_metrics' on this Tweet.",
				"field":  "non_public_metrics", "resource_type": "tweet", "resource_id": id,
				"parameter": "tweet.fields", "value": "non_public_metrics", "section": "data"})
			continue
		}
		data = append(data, s.tweetJSON(t, f, own))
	}
	body := map[string]any{}
	if len(data) > 0 {
		body["data"] = data
	}
	if len(errs) > 0 {
		body["errors"] = errs
	}
	writeJSON(w, http.StatusOK, body)
}

// page cuts a newest-first list of posts as the timelines do.
func (s *Server) page(w http.ResponseWriter, r *http.Request, list []*Tweet, includeAuthors bool) {
	q := r.URL.Query()
	limit := 10
	if v := q.Get("max_results"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 5 || n > 100 {
			problem(w, http.StatusBadRequest, ProblemInvalidRequest, "Invalid Request",
				"The `max_results` query parameter value ["+v+"] is not between 5 and 100", map[string]any{"parameter": "max_results", "value": v})
			return
		}
		limit = n
	}
	var start, end time.Time
	for _, p := range []struct {
		name string
		t    *time.Time
	}{{"start_time", &start}, {"end_time", &end}} {
		if v := q.Get(p.name); v != "" {
			t, err := time.Parse(time.RFC3339, v)
			if err != nil {
				problem(w, http.StatusBadRequest, ProblemInvalidRequest, "Invalid Request",
					"Invalid "+p.name+": "+v, map[string]any{"parameter": p.name, "value": v})
				return
			}
			*p.t = t
		}
	}
	since, until := q.Get("since_id"), q.Get("until_id")
	var kept []*Tweet
	for _, t := range list {
		switch {
		case since != "" && !idAfter(t.ID, since),
			until != "" && !idAfter(until, t.ID),
			!start.IsZero() && t.CreatedAt.Before(start),
			!end.IsZero() && !t.CreatedAt.Before(end):
			continue
		}
		kept = append(kept, t)
	}
	offset := 0
	if v := q.Get("pagination_token"); v != "" {
		n, err := strconv.Atoi(strings.TrimPrefix(v, "pt"))
		if err != nil || !strings.HasPrefix(v, "pt") || n < 0 || n > len(kept) {
			problem(w, http.StatusBadRequest, ProblemInvalidRequest, "Invalid Request",
				"The `pagination_token` query parameter value ["+v+"] is not valid", map[string]any{"parameter": "pagination_token", "value": v})
			return
		}
		offset = n
	}
	f := fields(r)
	pageList := kept[offset:min(offset+limit, len(kept))]
	meta := map[string]any{"result_count": len(pageList)}
	body := map[string]any{"meta": meta}
	if len(pageList) > 0 {
		data := make([]map[string]any, 0, len(pageList))
		users := map[string]bool{}
		var inc []map[string]any
		for _, t := range pageList {
			data = append(data, s.tweetJSON(t, f, false))
			if includeAuthors && !users[t.AuthorID] {
				users[t.AuthorID] = true
				if a, ok := s.users[t.AuthorID]; ok {
					inc = append(inc, s.userJSON(*a))
				}
			}
		}
		body["data"] = data
		meta["newest_id"] = pageList[0].ID
		meta["oldest_id"] = pageList[len(pageList)-1].ID
		if len(inc) > 0 {
			body["includes"] = map[string]any{"users": inc}
		}
	}
	if offset+limit < len(kept) {
		meta["next_token"] = "pt" + strconv.Itoa(offset+limit)
	}
	if offset > 0 {
		meta["previous_token"] = "pt" + strconv.Itoa(max(0, offset-limit))
	}
	writeJSON(w, http.StatusOK, body)
}

// idAfter reports whether snowflake id a is newer than b.
func idAfter(a, b string) bool {
	if len(a) != len(b) {
		return len(a) > len(b)
	}
	return a > b
}

func (s *Server) userTweets(w http.ResponseWriter, r *http.Request, u User) {
	id := r.PathValue("id")
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, ok := s.users[id]; !ok {
		notFound(w, "user", "id", id)
		return
	}
	exclude := strings.Split(r.URL.Query().Get("exclude"), ",")
	var list []*Tweet
	for i := len(s.timeline) - 1; i >= 0; i-- {
		t := s.tweets[s.timeline[i]]
		if t.AuthorID != id || t.Deleted || (t.ReplyTo != "" && slices.Contains(exclude, "replies")) {
			continue
		}
		list = append(list, t)
	}
	s.page(w, r, list, false)
}

func (s *Server) mentions(w http.ResponseWriter, r *http.Request, u User) {
	id := r.PathValue("id")
	s.mu.Lock()
	defer s.mu.Unlock()
	target, ok := s.users[id]
	if !ok {
		notFound(w, "user", "id", id)
		return
	}
	handle := "@" + strings.ToLower(target.Username)
	var list []*Tweet
	for i := len(s.timeline) - 1; i >= 0; i-- {
		t := s.tweets[s.timeline[i]]
		if t.AuthorID == id || t.Deleted {
			continue
		}
		parent, isReply := s.tweets[t.ReplyTo]
		if mentionsHandle(strings.ToLower(t.Original), handle) || (isReply && parent.AuthorID == id) {
			list = append(list, t)
		}
	}
	s.page(w, r, list, r.URL.Query().Get("expansions") != "")
}

// mentionsHandle reports whether text has @handle as a whole word.
func mentionsHandle(text, handle string) bool {
	for i := 0; ; {
		j := strings.Index(text[i:], handle)
		if j < 0 {
			return false
		}
		end := i + j + len(handle)
		if end == len(text) || !isHandleChar(text[end]) {
			return true
		}
		i = end
	}
}

func isHandleChar(c byte) bool {
	return c == '_' || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9')
}

// retweet reposts a tweet as the user, once however often it is asked.
func (s *Server) retweet(w http.ResponseWriter, r *http.Request, u User) {
	if r.PathValue("id") != u.ID {
		plainProblem(w, http.StatusForbidden, "You are not permitted to perform this action.")
		return
	}
	var req struct {
		TweetID string `json:"tweet_id"`
	}
	if err := json.NewDecoder(r.Body).Decode(&req); err != nil || req.TweetID == "" {
		invalidRequest(w, "The request body must name a tweet_id.")
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	t, ok := s.tweets[req.TweetID]
	if !ok || t.Deleted {
		notFound(w, "tweet", "tweet_id", req.TweetID)
		return
	}
	k := u.ID + ":" + t.ID
	if s.retweets[k] == "" {
		s.retweets[k] = s.nextID()
		t.Reposts++
	}
	writeJSON(w, http.StatusOK, map[string]any{"data": map[string]any{"retweeted": true, "rest_id": s.retweets[k]}})
}

// hide hides or shows a reply; only the author of the conversation's
// first tweet may, as on X.
func (s *Server) hide(w http.ResponseWriter, r *http.Request, u User) {
	var req struct {
		Hidden *bool `json:"hidden"`
	}
	if err := json.NewDecoder(r.Body).Decode(&req); err != nil || req.Hidden == nil {
		invalidRequest(w, "The request body must say hidden: true or false.")
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	t, ok := s.tweets[r.PathValue("tweet_id")]
	if !ok || t.Deleted {
		notFound(w, "tweet", "tweet_id", r.PathValue("tweet_id"))
		return
	}
	root := s.tweets[t.ConversationID]
	if t.ReplyTo == "" || root == nil || root.AuthorID != u.ID {
		plainProblem(w, http.StatusForbidden, "You are not permitted to hide replies to posts you did not write.")
		return
	}
	s.hidden[t.ID] = *req.Hidden
	writeJSON(w, http.StatusOK, map[string]any{"data": map[string]any{"hidden": *req.Hidden}})
}

func (s *Server) like(w http.ResponseWriter, r *http.Request, u User) {
	if r.PathValue("id") != u.ID {
		plainProblem(w, http.StatusForbidden, "You are not permitted to perform this action.")
		return
	}
	var req struct {
		TweetID string `json:"tweet_id"`
	}
	if err := json.NewDecoder(r.Body).Decode(&req); err != nil || req.TweetID == "" {
		invalidRequest(w, "The request body must name a tweet_id.")
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	t, ok := s.tweets[req.TweetID]
	if !ok || t.Deleted {
		notFound(w, "tweet", "tweet_id", req.TweetID)
		return
	}
	k := u.ID + ":" + t.ID
	if !s.likes[k] {
		s.likes[k] = true
		t.Likes++
	}
	writeJSON(w, http.StatusOK, map[string]any{"data": map[string]any{"liked": true}})
}
