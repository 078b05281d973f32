package xfake

import (
	"encoding/base32"
	"fmt"
	"net/http"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"
)

// The recent search endpoint (GET /2/tweets/search/recent), as the
// listening source uses it:
//
//   - query: keywords (tokenized, case-insensitive), "exact phrases",
//     #hashtags, @mentions, from:, to:, lang:, is:retweet / is:reply /
//     is:quote, negation with '-', OR, AND by juxtaposition (before OR, as
//     X documents), and parentheses. A query needs one standalone operator
//     (lang: and is: alone are refused, as on X), is at most
//     Config.SearchQueryLimit characters (512, the self-serve limit) and
//     unknown operators are refused with 400.
//   - since_id, until_id, start_time, end_time, max_results (10 to 100,
//     default 10), next_token or pagination_token (not both), sort_order.
//   - posts of the last 7 days by anyone, newest first, deleted ones left
//     out; tweet.fields lang and entities (hashtags, mentions with the
//     user's id where the user exists) beside the timeline fields;
//     expansions=author_id puts the authors in includes.users, with
//     public_metrics when user.fields asks for it.
//   - rate-limited per user with x-rate-limit-* headers
//     (Config.SearchRateLimit per Config.RateWindow) and 429 when used up;
//     Config.NoSearchAccess answers 403 client-forbidden, reason
//     client-not-enrolled, as X does when the app's access level lacks the
//     endpoint.

// searchRoute is the recent search endpoint's route.
const searchRoute = "GET /2/tweets/search/recent"

// DefaultSearchRateLimit is the recent search requests a user may make
// per 15-minute window at X's self-serve access levels (user context).
const DefaultSearchRateLimit = 60

// DefaultSearchQueryLimit is the longest recent search query X takes at
// self-serve access levels, in characters.
const DefaultSearchQueryLimit = 512

// searchWindow is how far back recent search reaches.
const searchWindow = 7 * 24 * time.Hour

// searchState is what the fake keeps for search beyond the posts.
type searchState struct {
	langs map[string]string // post id → lang
}

// PublicPost says how PostPublic posts.
type PublicPost struct {
	// Lang is the language X detected (BCP 47), "" for "und" (none).
	Lang string
	// ReplyTo is the id of the post it answers, "" for none.
	ReplyTo string
	// Age dates the post that long before now.
	Age time.Duration
}

// PostPublic publishes a public post as userID (someone else talking
// about a brand, say) for search to find.
func (s *Server) PostPublic(userID, text string, o PublicPost) Tweet {
	s.mu.Lock()
	defer s.mu.Unlock()
	t := s.create(userID, text, o.ReplyTo, nil, "")
	t.CreatedAt = t.CreatedAt.Add(-o.Age)
	lang := o.Lang
	if lang == "" {
		lang = "und"
	}
	s.searchData().langs[t.ID] = lang
	return *t
}

// searchData returns the search state, made on first use. Callers hold
// s.mu.
func (s *Server) searchData() *searchState {
	if s.search == nil {
		s.search = &searchState{langs: map[string]string{}}
	}
	return s.search
}

// limitOf is the requests per window a user may make to route (0:
// unlimited).
func (s *Server) limitOf(route string) int {
	if route != searchRoute {
		return s.cfg.RateLimit
	}
	switch {
	case s.cfg.SearchRateLimit < 0:
		return 0
	case s.cfg.SearchRateLimit > 0:
		return s.cfg.SearchRateLimit
	}
	return DefaultSearchRateLimit
}

// clientNotEnrolled answers as X does when the app's access level does not
// include an endpoint: a client-forbidden problem, with the document's
// Error fields alongside.
func clientNotEnrolled(w http.ResponseWriter) {
	writeJSON(w, http.StatusForbidden, map[string]any{
		"title":               "Client Forbidden",
		"type":                "https://api.x.com/2/problems/client-forbidden",
		"reason":              "client-not-enrolled",
		"detail":              "When authenticating requests to the Twitter API v2 endpoints, you must use keys and tokens from a Twitter developer App that is attached to a Project. You can create a project via the developer portal.",
		"registration_url":    "https://developer.x.com/en/docs/projects/overview",
		"required_enrollment": "Appropriate Level of API Access",
		"code":                http.StatusForbidden, "message": "Forbidden"})
}

// pageToken is a stable next_token: the last id served, base32hex.
var pageToken = base32.HexEncoding.WithPadding(base32.NoPadding)

func (s *Server) searchRecent(w http.ResponseWriter, r *http.Request, u User) {
	if s.cfg.NoSearchAccess {
		clientNotEnrolled(w)
		return
	}
	q := r.URL.Query()
	bad := func(param, value, detail string) {
		problem(w, http.StatusBadRequest, ProblemInvalidRequest, "Invalid Request", detail,
			map[string]any{"parameter": param, "value": value})
	}
	limit := s.cfg.SearchQueryLimit
	if limit <= 0 {
		limit = DefaultSearchQueryLimit
	}
	query := q.Get("query")
	if n := utf8.RuneCountInString(query); n == 0 || n > limit {
		bad("query", query, fmt.Sprintf("The `query` query parameter value [%d characters] is not between 1 and %d characters long", n, limit))
		return
	}
	expr, err := parseQuery(query)
	if err != nil {
		bad("query", query, "There were errors processing your request: "+err.Error())
		return
	}
	size := 10
	if v := q.Get("max_results"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 10 || n > 100 {
			bad("max_results", v, "The `max_results` query parameter value ["+v+"] is not between 10 and 100")
			return
		}
		size = n
	}
	token := q.Get("next_token")
	if p := q.Get("pagination_token"); p != "" {
		if token != "" {
			bad("pagination_token", p, "At most one of next_token, pagination_token may be provided")
			return
		}
		token = p
	}
	before := ""
	if token != "" {
		b, err := pageToken.DecodeString(strings.ToUpper(token))
		if err != nil || !numeric(string(b)) {
			bad("next_token", token, "The `next_token` query parameter value ["+token+"] is not valid")
			return
		}
		before = string(b)
	}
	now := s.now()
	var start, end time.Time
	for _, p := range []struct {
		name string
		t    *time.Time
	}{{"start_time", &start}, {"end_time", &end}} {
		if v := q.Get(p.name); v != "" {
			t, err := time.Parse(time.RFC3339, v)
			if err != nil {
				bad(p.name, v, "Invalid "+p.name+": "+v)
				return
			}
			*p.t = t
		}
	}
	if !start.IsZero() && start.Before(now.Add(-searchWindow)) {
		bad("start_time", q.Get("start_time"), "Invalid 'start_time':'"+q.Get("start_time")+"'. 'start_time' must be on or after "+
			now.Add(-searchWindow).UTC().Format(time.RFC3339))
		return
	}
	since, until := q.Get("since_id"), q.Get("until_id")
	if since != "" && !start.IsZero() {
		bad("since_id", since, "At most one of start_time, since_id may be provided")
		return
	}
	for _, p := range [][2]string{{"since_id", since}, {"until_id", until}} {
		if p[1] != "" && !numeric(p[1]) {
			bad(p[0], p[1], "The `"+p[0]+"` query parameter value ["+p[1]+"] is not a post id")
			return
		}
	}
	f := fields(r)
	s.mu.Lock()
	defer s.mu.Unlock()
	var page []*Tweet
	more := false
	for i := len(s.timeline) - 1; i >= 0; i-- {
		t := s.tweets[s.timeline[i]]
		switch {
		case t.Deleted, now.Sub(t.CreatedAt) > searchWindow,
			since != "" && !idAfter(t.ID, since),
			until != "" && !idAfter(until, t.ID),
			before != "" && !idAfter(before, t.ID),
			!start.IsZero() && t.CreatedAt.Before(start),
			!end.IsZero() && !t.CreatedAt.Before(end),
			!expr.match(s.searchDoc(t)):
			continue
		}
		if len(page) == size {
			more = true
			break
		}
		page = append(page, t)
	}
	slices.SortFunc(page, func(a, b *Tweet) int { // newest first, as X answers
		if idAfter(a.ID, b.ID) {
			return -1
		}
		return 1
	})
	meta := map[string]any{"result_count": len(page)}
	body := map[string]any{"meta": meta}
	if len(page) > 0 {
		data := make([]map[string]any, 0, len(page))
		seen := map[string]bool{}
		var users []map[string]any
		uf := userFields(r)
		expand := slices.Contains(strings.Split(q.Get("expansions"), ","), "author_id")
		for _, t := range page {
			data = append(data, s.searchTweetJSON(t, f))
			if a, ok := s.users[t.AuthorID]; ok && expand && !seen[a.ID] {
				seen[a.ID] = true
				uj := s.userJSON(*a)
				if uf["public_metrics"] {
					uj["public_metrics"] = s.publicMetrics(*a)
				}
				users = append(users, uj)
			}
		}
		body["data"] = data
		if len(users) > 0 {
			body["includes"] = map[string]any{"users": users}
		}
		meta["newest_id"] = page[0].ID
		meta["oldest_id"] = page[len(page)-1].ID
		if more {
			meta["next_token"] = strings.ToLower(pageToken.EncodeToString([]byte(page[len(page)-1].ID)))
		}
	}
	writeJSON(w, http.StatusOK, body)
}

// searchTweetJSON is tweetJSON with the fields only search gives here:
// lang and entities. Callers hold s.mu.
func (s *Server) searchTweetJSON(t *Tweet, f map[string]bool) map[string]any {
	m := s.tweetJSON(t, f, false)
	if f["lang"] {
		lang := s.searchData().langs[t.ID]
		if lang == "" {
			lang = "und"
		}
		m["lang"] = lang
	}
	if f["entities"] {
		ent := map[string]any{}
		var tags, mentions []map[string]any
		for _, e := range entities(t.Text) {
			if e.tag {
				tags = append(tags, map[string]any{"start": e.start, "end": e.end, "tag": e.name})
				continue
			}
			me := map[string]any{"start": e.start, "end": e.end, "username": e.name}
			if u := s.userByName(e.name); u != nil {
				me["id"] = u.ID
				me["username"] = u.Username
			}
			mentions = append(mentions, me)
		}
		if len(tags) > 0 {
			ent["hashtags"] = tags
		}
		if len(mentions) > 0 {
			ent["mentions"] = mentions
		}
		if len(ent) > 0 {
			m["entities"] = ent
		}
	}
	return m
}

// userByName finds a user by username, case-insensitively. Callers hold
// s.mu.
func (s *Server) userByName(name string) *User {
	for _, id := range s.order {
		if u := s.users[id]; strings.EqualFold(u.Username, name) {
			return u
		}
	}
	return nil
}

// entity is a hashtag or mention in a post's text, with code point
// offsets as X gives them.
type entity struct {
	tag        bool
	name       string
	start, end int
}

var entityRE = regexp.MustCompile(`(?:^|[^\p{L}\p{N}_&])([#@])([\p{L}\p{N}_]+)`)

// entities finds the hashtags and mentions of text.
func entities(text string) []entity {
	var out []entity
	for _, m := range entityRE.FindAllStringSubmatchIndex(text, -1) {
		sigil, name := text[m[2]:m[3]], text[m[4]:m[5]]
		if sigil == "@" && (len(name) > 15 || strings.IndexFunc(name, func(r rune) bool { return r > unicode.MaxASCII }) >= 0) {
			continue
		}
		start := utf8.RuneCountInString(text[:m[2]])
		out = append(out, entity{tag: sigil == "#", name: name, start: start, end: start + 1 + utf8.RuneCountInString(name)})
	}
	return out
}

// doc is a post as a query sees it.
type doc struct {
	words    []string // lower-cased tokens of the text
	tags     map[string]bool
	mentions map[string]bool
	from, to string // author's and replied-to author's usernames, lower-cased
	lang     string
	reply    bool
}

// searchDoc prepares t for matching. Callers hold s.mu.
func (s *Server) searchDoc(t *Tweet) doc {
	d := doc{words: tokens(t.Original), tags: map[string]bool{}, mentions: map[string]bool{},
		lang: s.searchData().langs[t.ID], reply: t.ReplyTo != ""}
	for _, e := range entities(t.Original) {
		if e.tag {
			d.tags[strings.ToLower(e.name)] = true
		} else {
			d.mentions[strings.ToLower(e.name)] = true
		}
	}
	if a, ok := s.users[t.AuthorID]; ok {
		d.from = strings.ToLower(a.Username)
	}
	if p, ok := s.tweets[t.ReplyTo]; ok {
		if a, ok := s.users[p.AuthorID]; ok {
			d.to = strings.ToLower(a.Username)
		}
	}
	if d.lang == "" {
		d.lang = "und"
	}
	return d
}

// tokens splits text into lower-cased words.
func tokens(text string) []string {
	return strings.FieldsFunc(strings.ToLower(text), func(r rune) bool {
		return !unicode.IsLetter(r) && !unicode.IsDigit(r) && r != '_' && !unicode.Is(unicode.Mn, r)
	})
}

func numeric(s string) bool {
	if s == "" || len(s) > 19 {
		return false
	}
	for _, c := range s {
		if c < '0' || c > '9' {
			return false
		}
	}
	return true
}
