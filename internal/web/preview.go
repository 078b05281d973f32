package web

import (
	"context"
	"fmt"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/heraldsocial/herald/internal/herald"
	"github.com/heraldsocial/herald/internal/post"
)

// partCount is one target's counter for one part.
type partCount struct {
	Account  string
	Platform herald.Platform
	Length   int
	Limit    int
	Over     bool
	Problems []string
}

// Level is how close the count is to its limit, as the counters colour
// it: "ok", "near" (nine tenths of the limit or more) or "over".
func (c partCount) Level() string {
	switch {
	case c.Over || (c.Limit > 0 && c.Length > c.Limit):
		return "over"
	case c.Limit > 0 && c.Length*10 >= c.Limit*9:
		return "near"
	}
	return "ok"
}

// Counter is "287/300", or the length alone when the limit is unknown.
func (c partCount) Counter() string {
	if c.Limit > 0 {
		return strconv.Itoa(c.Length) + "/" + strconv.Itoa(c.Limit)
	}
	return strconv.Itoa(c.Length)
}

// previewPost is one post of a preview: the post itself or a later part
// of its thread, or the first comment.
type previewPost struct {
	Segments []segment
	Media    []herald.MediaAsset
	Card     *linkCard
	Comment  bool
}

// linkCard is the card a platform shows for a post's first link.
type linkCard struct {
	Domain, URL string
}

// targetPreview is what one account will publish, with its checks.
type targetPreview struct {
	Account   herald.Account
	Posts     []previewPost
	Counts    []partCount // by part
	Problems  []string    // about the target as a whole (account, options, media)
	Checked   bool
	Unit      string
	When      string // the scheduled time in words, "" when none
	Variant   bool   // it has its own text
	VariantCt *partCount
	CommentCt *partCount
	// MediaBase, when set, is where images load from instead of the
	// workspace's library (a review link's own address).
	MediaBase string
	// Options are the variant's platform options (a YouTube title, a
	// Pinterest link), for the looks that show them.
	Options map[string]string
}

// mediaSrc is the address of image m in the preview.
func (tp targetPreview) mediaSrc(p *page, m herald.MediaAsset) string {
	if tp.MediaBase != "" {
		return tp.MediaBase + strconv.FormatInt(m.ID, 10) + "?v=" + m.SHA256
	}
	return mediaFileURL(p.Current.ID, m)
}

// checkView is the live checks' answer.
type checkView struct {
	Targets  []targetPreview
	Parts    [][]partCount // by part, one per target
	General  []string      // the post's own problems (brand rules, …)
	Repeat   string        // the recurrence in words
	Instant  string        // the chosen time, RFC 3339, for the browser's zone
	WhenText string
	Passed   string                 // the chosen time has passed, in words; "" when it has not
	Missing  []herald.MediaAsset    // images without alt text
	Voice    map[string][]voiceItem // what the brand voice rules found, by where it is shown
	Blocked  []string               // the brand voice blocks, the reasons the post cannot be scheduled
}

// platformName is a platform as people call it.
func platformName(p herald.Platform) string { return p.Name() }

// unitOf is what a platform counts.
func unitOf(p herald.Platform) string {
	switch p {
	case herald.PlatformX:
		return "characters as X counts them (links 23, emoji 2)"
	case herald.PlatformBluesky:
		return "graphemes"
	case herald.PlatformMastodon:
		return "characters (links count 23)"
	}
	return "characters"
}

// handleOf is an account's handle as its platform writes it.
func handleOf(a herald.Account) string {
	h := a.Handle
	if !strings.HasPrefix(h, "@") {
		h = "@" + h
	}
	if a.Platform == herald.PlatformMastodon && strings.Count(h, "@") == 1 && a.InstanceURL != "" {
		if u, err := url.Parse(a.InstanceURL); err == nil && u.Host != "" {
			h += "@" + u.Host
		}
	}
	return h
}

// displayName is an account's name, else its handle.
func displayName(a herald.Account) string {
	if strings.TrimSpace(a.DisplayName) != "" {
		return a.DisplayName
	}
	return strings.TrimPrefix(a.Handle, "@")
}

// check asks the server's own measuring about the form and fills v.Check.
func (h *Handler) check(ctx context.Context, p *page, v *composeView) error {
	pr := map[string][]string{}
	draft := v.F.toPost(v.Accounts, v.Loc, pr)
	c := checkView{Repeat: v.F.repeatSentence(v.Loc), Parts: make([][]partCount, len(v.F.Parts))}
	if at, err := v.F.at(v.Loc); err == nil && at != nil {
		c.Instant = at.UTC().Format(time.RFC3339)
		c.WhenText = fmtTime(*at, v.Loc)
		if now := h.d.Clock.Now(); !at.After(now) {
			c.Passed = passedWords(*at, now, v.Loc)
		}
	}
	seen := map[int64]bool{}
	for _, part := range v.F.Parts {
		for _, id := range part.MediaIDs {
			if m, ok := v.Media[id]; ok && !seen[id] && strings.TrimSpace(m.AltText) == "" && strings.HasPrefix(m.ContentType, "image/") {
				c.Missing = append(c.Missing, m)
			}
			seen[id] = true
		}
	}
	byID := map[int64]herald.Account{}
	for _, a := range v.Accounts {
		byID[a.ID] = a
	}
	typed := v.F.meaningful()
	var checks map[int]post.TargetCheck
	if len(draft.Targets) > 0 || strings.TrimSpace(draft.Text) != "" {
		val, err := h.d.Posts.ValidateDraft(ctx, p.Actor, draft)
		if err != nil {
			return err
		}
		checks = val.Targets
		problems := val.Problems
		if typed {
			problems = placeVoice(&c, draft, v.Accounts, val.Voice, problems)
		}
		for _, fp := range problems {
			if strings.HasPrefix(fp.Field, "targets[") {
				continue // shown with the target
			}
			c.General = append(c.General, fieldWords(fp.Field)+" "+fp.Problem)
		}
	}
	for i, t := range draft.Targets {
		a := byID[t.AccountID]
		tp := targetPreview{Account: a, Unit: unitOf(a.Platform), Variant: t.Variant.Text != "", Options: t.Variant.Options}
		if tp.Account.ID == 0 {
			tp.Account = herald.Account{ID: t.AccountID, Handle: "unknown", DisplayName: "An account that is gone"}
		}
		if t.ScheduledAt != nil {
			tp.When = fmtTime(*t.ScheduledAt, v.Loc)
		}
		tc, ok := checks[i]
		tp.Checked = ok && tc.Checked
		counts := make([]partCount, len(v.F.Parts))
		for k := range counts {
			counts[k] = partCount{Account: handleOf(tp.Account), Platform: a.Platform}
		}
		var comment *partCount
		for _, pc := range tc.Parts {
			cnt := partCount{Account: handleOf(tp.Account), Platform: a.Platform, Length: pc.Length, Limit: pc.Limit,
				Over: pc.Limit > 0 && pc.Length > pc.Limit}
			for _, pb := range pc.Problems {
				if !typed {
					break // nothing typed yet: no problems to point out
				}
				cnt.Problems = append(cnt.Problems, platformName(a.Platform)+": "+fieldWords(pb.Field)+" "+pb.Problem)
			}
			switch {
			case pc.Part == "text":
				counts[0] = cnt
			case pc.Part == "first_comment":
				c := cnt
				comment = &c
			case strings.HasPrefix(pc.Part, "thread["):
				j, err := strconv.Atoi(strings.TrimSuffix(strings.TrimPrefix(pc.Part, "thread["), "]"))
				if err == nil && j+1 < len(counts) {
					counts[j+1] = cnt
				}
			}
		}
		for _, pb := range tc.Problems {
			if pb.Field == "account" || strings.HasPrefix(pb.Field, "options") {
				tp.Problems = append(tp.Problems, fieldWords(pb.Field)+" "+pb.Problem)
			}
		}
		tp.CommentCt = comment
		if tp.Variant {
			vc := counts[0]
			tp.VariantCt = &vc
		}
		tp.Counts = counts
		for k := range counts {
			if k == 0 && tp.Variant {
				continue
			}
			c.Parts[k] = append(c.Parts[k], counts[k])
		}
		tp.Posts = previewPosts(draft, t, a.Platform, v.Media)
		c.Targets = append(c.Targets, tp)
	}
	v.Check = c
	return nil
}

// fieldWords names a problem's field for people.
func fieldWords(field string) string {
	switch field {
	case "text":
		return "the text"
	case "first_comment":
		return "the first comment"
	case "account":
		return "the account:"
	case "":
		return ""
	}
	return strings.NewReplacer("thread[", "thread part ", "]", "", ".", " ", "_", " ").Replace(field)
}

// previewPosts are what target t publishes, post after post.
func previewPosts(p herald.Post, t herald.Target, pl herald.Platform, assets map[int64]herald.MediaAsset) []previewPost {
	text := t.Variant.Text
	if text == "" {
		text = p.Text
	}
	pick := func(ids []int64) []herald.MediaAsset {
		var out []herald.MediaAsset
		for _, id := range ids {
			if m, ok := assets[id]; ok {
				out = append(out, m)
			}
		}
		return out
	}
	one := func(text string, ids []int64) previewPost {
		pp := previewPost{Segments: segments(pl, text), Media: pick(ids)}
		if len(pp.Media) == 0 {
			for _, s := range pp.Segments {
				if s.Kind == "link" {
					pp.Card = &linkCard{Domain: domainOf(s.Href), URL: s.Href}
					break
				}
			}
		}
		return pp
	}
	out := []previewPost{one(text, t.Variant.MediaIDs)}
	for _, th := range t.Variant.Thread {
		out = append(out, one(th.Text, th.MediaIDs))
	}
	if t.Variant.FirstComment != "" {
		c := one(t.Variant.FirstComment, nil)
		c.Comment = true
		out = append(out, c)
	}
	return out
}

// segment is a piece of a post's text: plain, or a link, mention or
// hashtag the platform highlights.
type segment struct {
	Kind string // "", link, mention, tag
	Text string // as shown
	Href string // where it leads on the platform
}

// tokens finds links, mentions and hashtags.
var tokens = regexp.MustCompile(`https?://[^\s<>"]+|@[\p{L}\p{N}_][\p{L}\p{N}_.\-]*(?:@[\p{L}\p{N}.\-]+)?|#[\p{L}\p{N}_]+`)

// segments splits text the way platform pl highlights it.
func segments(pl herald.Platform, text string) []segment {
	var out []segment
	last := 0
	plain := func(end int) {
		if end > last {
			if n := len(out); n > 0 && out[n-1].Kind == "" {
				out[n-1].Text += text[last:end]
			} else {
				out = append(out, segment{Text: text[last:end]})
			}
		}
	}
	for _, m := range tokens.FindAllStringIndex(text, -1) {
		start, end := m[0], m[1]
		if start > 0 {
			r, _ := utf8.DecodeLastRuneInString(text[:start])
			if unicode.IsLetter(r) || unicode.IsDigit(r) || r == '_' || r == '/' || r == '@' || r == '#' {
				continue
			}
		}
		tok := text[start:end]
		// Trailing punctuation ends a sentence, not the token.
		trimmed := strings.TrimRightFunc(tok, func(r rune) bool { return strings.ContainsRune(".,;:!?)'\"-", r) })
		end = start + len(trimmed)
		tok = trimmed
		s, ok := highlight(pl, tok)
		if !ok {
			continue
		}
		plain(start)
		out = append(out, s)
		last = end
	}
	plain(len(text))
	return out
}

// highlight is how platform pl shows token, if it highlights it at all.
func highlight(pl herald.Platform, tok string) (segment, bool) {
	switch tok[0] {
	case '#':
		tag := tok[1:]
		if strings.IndexFunc(tag, func(r rune) bool { return !unicode.IsDigit(r) }) < 0 {
			return segment{}, false // all digits is not a hashtag
		}
		href := map[herald.Platform]string{
			herald.PlatformX:       "https://x.com/hashtag/",
			herald.PlatformBluesky: "https://bsky.app/hashtag/",
		}[pl]
		if href == "" {
			href = "/tags/"
		}
		return segment{Kind: "tag", Text: tok, Href: href + url.PathEscape(tag)}, true
	case '@':
		name := tok[1:]
		switch pl {
		case herald.PlatformBluesky:
			if !strings.Contains(name, ".") || strings.Contains(name, "@") {
				return segment{}, false
			}
			return segment{Kind: "mention", Text: tok, Href: "https://bsky.app/profile/" + name}, true
		case herald.PlatformX:
			if len(name) > 15 || strings.ContainsAny(name, ".-@") {
				return segment{}, false
			}
			return segment{Kind: "mention", Text: tok, Href: "https://x.com/" + name}, true
		}
		if strings.HasPrefix(name, ".") || strings.HasSuffix(name, ".") {
			return segment{}, false
		}
		user, host, remote := strings.Cut(name, "@")
		if remote {
			return segment{Kind: "mention", Text: "@" + user, Href: "https://" + host + "/@" + user}, true
		}
		return segment{Kind: "mention", Text: tok, Href: "/@" + user}, true
	}
	u, err := url.Parse(tok)
	if err != nil || u.Host == "" {
		return segment{}, false
	}
	return segment{Kind: "link", Text: shortURL(pl, u), Href: tok}, true
}

// shortURL is a link as platform pl displays it.
func shortURL(pl herald.Platform, u *url.URL) string {
	host := strings.TrimPrefix(u.Host, "www.")
	rest := strings.TrimPrefix(u.String(), u.Scheme+"://")
	rest = strings.TrimPrefix(rest, "www.")
	cut := func(s string, n int, dots string) string {
		if r := []rune(s); len(r) > n {
			return string(r[:n]) + dots
		}
		return s
	}
	switch pl {
	case herald.PlatformX:
		return cut(rest, 25, "…")
	case herald.PlatformBluesky:
		path := strings.TrimPrefix(rest, host)
		if len([]rune(path)) > 15 {
			return host + string([]rune(path)[:13]) + "..."
		}
		return host + path
	}
	return cut(rest, 30, "…")
}

// domainOf is a link's domain, for its card.
func domainOf(href string) string {
	u, err := url.Parse(href)
	if err != nil {
		return href
	}
	return strings.TrimPrefix(u.Hostname(), "www.")
}

// gridClass is the CSS class of an images grid of n images.
func gridClass(n int) string { return fmt.Sprintf("pv-media pv-media-%d", min(n, 4)) }
