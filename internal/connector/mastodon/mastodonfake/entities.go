package mastodonfake

import (
	"html"
	"regexp"
	"sort"
	"strings"
	"time"
)

// Status is a post on the fake instance.
type Status struct {
	ID             string
	AccountID      string
	Text           string
	SpoilerText    string
	Sensitive      bool
	Visibility     string
	Language       string
	InReplyToID    string
	MediaIDs       []string
	App            string // the posting app's name ("" unknown)
	IdempotencyKey string // as sent, whether honoured or not
	CreatedAt      time.Time
	EditedAt       *time.Time
	Favourites     map[string]bool // account ids
	Reblogs        int64
	// RebloggedBy maps the accounts that reblogged it to their reblog's id.
	RebloggedBy map[string]string
	Deleted     bool
	// URI and URL are set on a status fetched from another server (its
	// ActivityPub id and web address there); local ones derive theirs.
	URI, URL string
}

type mediaFile struct {
	id, account, contentType, description string
	size                                  int64
	polls                                 int // 206 answers left
	attached                              bool
}

// statusChange is a status edited (deleted false) or deleted.
type statusChange struct {
	status  string
	deleted bool
}

type notification struct {
	id, typ, account, from, status string
	at                             time.Time
}

var (
	urlRE     = regexp.MustCompile(`https?://[^\s<>"]+[^\s<>".,;:!?)\]'’]`)
	mentionRE = regexp.MustCompile(`(?i)(^|[^\w/=])@([a-z0-9_]+(?:[a-z0-9_.\-]+[a-z0-9_]+)?)(?:@([\w.\-]+\w))?`)
	tagRE     = regexp.MustCompile(`(^|[^\w/&])#(\w+)`)
)

// mentioned returns the accounts a text mentions. s.mu must be held.
func (s *Server) mentioned(text string) []*Account {
	var out []*Account
	for _, m := range mentionRE.FindAllStringSubmatch(text, -1) {
		if a := s.lookupAcct(m[2], m[3]); a != nil {
			out = append(out, a)
		}
	}
	return out
}

// lookupAcct finds user (at domain, or local). s.mu must be held.
func (s *Server) lookupAcct(user, domain string) *Account {
	var local *Account
	for _, a := range s.accounts {
		if !strings.EqualFold(a.Username, user) {
			continue
		}
		if domain != "" && strings.EqualFold(a.Domain, domain) {
			return a
		}
		if a.Domain == "" {
			local = a
		}
	}
	return local
}

// render turns plain text into Mastodon's HTML: paragraphs, line breaks,
// links, mentions and hashtags. s.mu must be held.
func (s *Server) render(base, text string) string {
	type span struct {
		start, end int
		html       string
	}
	var spans []span
	for _, m := range urlRE.FindAllStringIndex(text, -1) {
		u := text[m[0]:m[1]]
		scheme, rest, _ := strings.Cut(u, "://")
		spans = append(spans, span{m[0], m[1], `<a href="` + html.EscapeString(u) + `" target="_blank" rel="nofollow noopener" translate="no"><span class="invisible">` +
			html.EscapeString(scheme) + `://</span><span class="">` + html.EscapeString(rest) + `</span><span class="invisible"></span></a>`})
	}
	free := func(a, b int) bool {
		for _, sp := range spans {
			if a < sp.end && sp.start < b {
				return false
			}
		}
		return true
	}
	for _, m := range mentionRE.FindAllStringSubmatchIndex(text, -1) {
		start := m[4] - 1
		if !free(start, m[1]) {
			continue
		}
		domain := ""
		if m[6] >= 0 {
			domain = text[m[6]:m[7]]
		}
		a := s.lookupAcct(text[m[4]:m[5]], domain)
		if a == nil {
			continue
		}
		spans = append(spans, span{start, m[1], `<span class="h-card" translate="no"><a href="` + html.EscapeString(s.accountURL(base, a)) +
			`" class="u-url mention">@<span>` + html.EscapeString(a.Username) + `</span></a></span>`})
	}
	for _, m := range tagRE.FindAllStringSubmatchIndex(text, -1) {
		start := m[4] - 1
		if !free(start, m[1]) {
			continue
		}
		tag := text[m[4]:m[5]]
		spans = append(spans, span{start, m[1], `<a href="` + base + `/tags/` + html.EscapeString(strings.ToLower(tag)) +
			`" class="mention hashtag" rel="tag">#<span>` + html.EscapeString(tag) + `</span></a>`})
	}
	sort.Slice(spans, func(i, j int) bool { return spans[i].start < spans[j].start })
	var b strings.Builder
	last := 0
	for _, sp := range spans {
		b.WriteString(html.EscapeString(text[last:sp.start]))
		b.WriteString(sp.html)
		last = sp.end
	}
	b.WriteString(html.EscapeString(text[last:]))
	var out strings.Builder
	for _, p := range strings.Split(strings.TrimSpace(b.String()), "\n\n") {
		if strings.TrimSpace(p) == "" {
			continue
		}
		out.WriteString("<p>" + strings.ReplaceAll(strings.TrimSpace(p), "\n", "<br />") + "</p>")
	}
	return out.String()
}

func (s *Server) accountURL(base string, a *Account) string {
	if a.Domain != "" {
		return "https://" + a.Domain + "/@" + a.Username
	}
	return base + "/@" + a.Username
}

// followCounts are an account's followers and follows, as a test set them.
type followCounts struct{ followers, following int }

// SetFollowCounts sets how many accounts follow the account with this id
// and how many it follows, as its Account entity reports them
// (followers_count and following_count; both 0 until set; a negative
// count is taken as 0). The fake keeps no follow relations: the counts
// are all there is.
func (s *Server) SetFollowCounts(accountID string, followers, following int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.follows[accountID] = followCounts{followers: max(followers, 0), following: max(following, 0)}
}

// statusesCount is an account's statuses_count as Mastodon keeps it: its
// statuses and boosts not deleted, direct messages left out (Mastodon's
// Status#increment_counter_caches skips them). s.mu must be held.
func (s *Server) statusesCount(id string) int {
	n := 0
	for _, st := range s.statuses {
		if st.Deleted {
			continue
		}
		if st.AccountID == id && st.Visibility != "direct" {
			n++
		}
		if _, boosted := st.RebloggedBy[id]; boosted {
			n++
		}
	}
	return n
}

// accountJSON is a full Account entity. s.mu must be held.
func (s *Server) accountJSON(base string, a *Account) map[string]any {
	n := s.statusesCount(a.ID)
	f := s.follows[a.ID]
	u := s.accountURL(base, a)
	return map[string]any{
		"id": a.ID, "username": a.Username, "acct": a.acct(), "display_name": a.DisplayName,
		"locked": false, "bot": false, "discoverable": true, "group": false, "indexable": true,
		"created_at": a.CreatedAt.Format("2006-01-02T00:00:00.000Z"), "note": "", "url": u, "uri": u,
		"avatar": base + "/avatars/original/missing.png", "avatar_static": base + "/avatars/original/missing.png",
		"header": base + "/headers/original/missing.png", "header_static": base + "/headers/original/missing.png",
		"followers_count": f.followers, "following_count": f.following, "statuses_count": n, "last_status_at": nil,
		"emojis": []any{}, "fields": []any{},
	}
}

// mediaJSON is a MediaAttachment entity. s.mu must be held.
func mediaJSON(base string, m *mediaFile) map[string]any {
	typ := "image"
	switch {
	case strings.HasPrefix(m.contentType, "video/"):
		typ = "video"
	case strings.HasPrefix(m.contentType, "audio/"):
		typ = "audio"
	case m.contentType == "image/gif":
		typ = "gifv"
	}
	var u, preview any
	if m.polls <= 0 {
		u = base + "/system/media_attachments/files/" + m.id + "/original"
		preview = base + "/system/media_attachments/files/" + m.id + "/small"
	}
	var desc any
	if m.description != "" {
		desc = m.description
	}
	return map[string]any{"id": m.id, "type": typ, "url": u, "preview_url": preview, "remote_url": nil,
		"description": desc, "blurhash": nil, "meta": map[string]any{}}
}

// statusJSON is a full Status entity as seen by viewer. s.mu must be held.
func (s *Server) statusJSON(base string, st *Status, viewer string) map[string]any {
	a := s.accounts[st.AccountID]
	media := []any{}
	for _, id := range st.MediaIDs {
		if m := s.media[id]; m != nil {
			media = append(media, mediaJSON(base, m))
		}
	}
	mentions := []any{}
	for _, m := range s.mentioned(st.Text) {
		mentions = append(mentions, map[string]any{"id": m.ID, "username": m.Username, "acct": m.acct(), "url": s.accountURL(base, m)})
	}
	tags := []any{}
	for _, m := range tagRE.FindAllStringSubmatch(st.Text, -1) {
		tags = append(tags, map[string]any{"name": strings.ToLower(m[2]), "url": base + "/tags/" + strings.ToLower(m[2])})
	}
	replies := 0
	for _, o := range s.statuses {
		if o.InReplyToID == st.ID && !o.Deleted {
			replies++
		}
	}
	u, uri := base+"/@"+a.Username+"/"+st.ID, base+"/users/"+a.Username+"/statuses/"+st.ID
	if st.URI != "" {
		u, uri = st.URL, st.URI
	}
	out := map[string]any{
		"id": st.ID, "uri": uri, "url": u,
		"created_at": formatTime(st.CreatedAt), "account": s.accountJSON(base, a), "content": s.render(base, st.Text),
		"visibility": st.Visibility, "sensitive": st.Sensitive, "spoiler_text": st.SpoilerText,
		"media_attachments": media, "mentions": mentions, "tags": tags, "emojis": []any{},
		"reblogs_count": st.Reblogs, "favourites_count": len(st.Favourites), "replies_count": replies, "quotes_count": 0,
		"in_reply_to_id": nil, "in_reply_to_account_id": nil, "reblog": nil, "poll": nil, "card": nil,
		"language": nil, "edited_at": nil,
		"favourited": st.Favourites[viewer], "reblogged": st.RebloggedBy[viewer] != "", "muted": false, "bookmarked": false,
	}
	if st.InReplyToID != "" {
		out["in_reply_to_id"] = st.InReplyToID
		if p := s.statuses[st.InReplyToID]; p != nil {
			out["in_reply_to_account_id"] = p.AccountID
		}
	}
	if st.Language != "" {
		out["language"] = st.Language
	}
	if st.EditedAt != nil {
		out["edited_at"] = formatTime(*st.EditedAt)
	}
	if st.App != "" && viewer == st.AccountID {
		out["application"] = map[string]any{"name": st.App, "website": nil}
	}
	return out
}
