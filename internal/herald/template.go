package herald

import (
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"
)

// Limits of templates, snippets and hashtag groups.
const (
	MaxDescriptionLen = 500 // a template's description, in characters
	MaxSnippetLen     = MaxTextLen
	MaxHashtags       = 60  // tags in one hashtag group
	MaxHashtagLen     = 100 // characters in one tag, "#" included
)

// Template is a saved post to start new posts from: its content is the
// composer's (main text, thread parts, first comment, media, variants per
// account or per platform, labels, campaign, accounts) and may hold
// placeholders ({{date}}, {{workspace}}, …) filled when a post is made
// from it.
type Template struct {
	ID          int64           `json:"id"`
	WorkspaceID int64           `json:"workspace_id"`
	Name        string          `json:"name"` // unique per workspace, case-insensitively
	Description string          `json:"description,omitempty"`
	Content     TemplateContent `json:"content"`
	CreatedBy   int64           `json:"created_by"`
	CreatedAt   time.Time       `json:"created_at"`
	UpdatedAt   time.Time       `json:"updated_at"`
}

// TemplateContent is what a post made from a template starts with.
type TemplateContent struct {
	Title        string            `json:"title,omitempty"` // the post's internal name
	Text         string            `json:"text"`
	MediaIDs     []int64           `json:"media_ids,omitempty"`
	Thread       []ThreadPart      `json:"thread,omitempty"` // parts after the first
	FirstComment string            `json:"first_comment,omitempty"`
	Variants     []TemplateVariant `json:"variants,omitempty"`
	AccountIDs   []int64           `json:"account_ids,omitempty"` // accounts the post goes to
	LabelIDs     []int64           `json:"label_ids,omitempty"`
	CampaignID   *int64            `json:"campaign_id,omitempty"`
}

// TemplateVariant is what differs for one account, or for every account
// of one platform (exactly one of AccountID and Platform is set). An
// account's own variant wins over its platform's. Empty fields mean "as
// the main content".
type TemplateVariant struct {
	AccountID    int64             `json:"account_id,omitempty"`
	Platform     Platform          `json:"platform,omitempty"`
	Text         string            `json:"text,omitempty"`
	FirstComment string            `json:"first_comment,omitempty"`
	Options      map[string]string `json:"options,omitempty"`
}

// Texts calls fn with every text of the content that may hold
// placeholders, with the field it is in (as Validate names fields).
func (c TemplateContent) Texts(fn func(field, text string)) {
	fn("content.title", c.Title)
	fn("content.text", c.Text)
	for i, p := range c.Thread {
		fn(fieldf("content.thread", i, "text"), p.Text)
	}
	fn("content.first_comment", c.FirstComment)
	for i, v := range c.Variants {
		fn(fieldf("content.variants", i, "text"), v.Text)
		fn(fieldf("content.variants", i, "first_comment"), v.FirstComment)
	}
}

// Variant returns the variant that applies to an account of platform pl:
// its own, else its platform's, else the zero variant.
func (c TemplateContent) Variant(accountID int64, pl Platform) TemplateVariant {
	if i := slices.IndexFunc(c.Variants, func(v TemplateVariant) bool { return v.AccountID == accountID }); i >= 0 {
		return c.Variants[i]
	}
	if i := slices.IndexFunc(c.Variants, func(v TemplateVariant) bool { return v.AccountID == 0 && v.Platform == pl }); i >= 0 {
		return c.Variants[i]
	}
	return TemplateVariant{}
}

// Validate checks the template's fields (placeholders are the template
// service's to check).
func (t *Template) Validate() error {
	var p Problems
	t.Name = strings.TrimSpace(t.Name)
	checkName(&p, "name", t.Name)
	if n := utf8.RuneCountInString(t.Description); n > MaxDescriptionLen {
		p.Add("description", "is %d characters; at most %d are allowed", n, MaxDescriptionLen)
	}
	CheckText(&p, "description", t.Description)
	c := &t.Content
	if utf8.RuneCountInString(c.Title) > 200 {
		p.Add("content.title", "is longer than 200 characters")
	}
	CheckLine(&p, "content.title", c.Title)
	base := Variant{Text: c.Text, MediaIDs: c.MediaIDs, Thread: c.Thread, FirstComment: c.FirstComment}
	base.validate(&p, "content")
	accounts, platforms := map[int64]bool{}, map[Platform]bool{}
	for i := range c.Variants {
		v := &c.Variants[i]
		field := indexed("content.variants", i)
		switch {
		case v.AccountID > 0 && v.Platform != "":
			p.Add(field, "names both account %d and platform %q: give one of them", v.AccountID, v.Platform)
		case v.AccountID > 0:
			if accounts[v.AccountID] {
				p.Add(field+".account_id", "account %d has two variants", v.AccountID)
			}
			accounts[v.AccountID] = true
		case v.Platform != "":
			if !v.Platform.Valid() {
				p.Add(field+".platform", "%q is not a platform Herald knows", v.Platform)
			} else if platforms[v.Platform] {
				p.Add(field+".platform", "platform %q has two variants", v.Platform)
			}
			platforms[v.Platform] = true
		default:
			p.Add(field, "names no account_id and no platform: say which accounts it is for")
		}
		(&Variant{Text: v.Text, FirstComment: v.FirstComment, Options: v.Options}).validate(&p, field)
	}
	checkIDs(&p, "content.media_ids", c.MediaIDs)
	checkIDs(&p, "content.account_ids", c.AccountIDs)
	checkIDs(&p, "content.label_ids", c.LabelIDs)
	if c.CampaignID != nil && *c.CampaignID <= 0 {
		p.Add("content.campaign_id", "must be a campaign id (1 or more)")
	}
	return p.Err("the template is not valid")
}

// indexed names item i of list: "list[i]".
func indexed(list string, i int) string { return list + "[" + strconv.Itoa(i) + "]" }

// checkIDs refuses ids below 1 and repeated ids.
func checkIDs(p *Problems, field string, ids []int64) {
	seen := map[int64]bool{}
	for _, id := range ids {
		if id <= 0 {
			p.Add(field, "holds %d; ids are 1 or more", id)
		} else if seen[id] {
			p.Add(field, "holds %d twice", id)
		}
		seen[id] = true
	}
}

// Snippet is a named piece of text writers insert in posts (a sign-off,
// a disclaimer, a call to action).
type Snippet struct {
	ID          int64     `json:"id"`
	WorkspaceID int64     `json:"workspace_id"`
	Name        string    `json:"name"` // unique per workspace, case-insensitively
	Text        string    `json:"text"`
	CreatedAt   time.Time `json:"created_at"`
	UpdatedAt   time.Time `json:"updated_at"`
}

// Validate checks the snippet's fields.
func (s *Snippet) Validate() error {
	var p Problems
	s.Name = strings.TrimSpace(s.Name)
	checkName(&p, "name", s.Name)
	switch n := utf8.RuneCountInString(s.Text); {
	case strings.TrimSpace(s.Text) == "":
		p.Add("text", "is empty: a snippet needs text to insert")
	case n > MaxSnippetLen:
		p.Add("text", "is %d characters; at most %d are allowed", n, MaxSnippetLen)
	}
	CheckText(&p, "text", s.Text)
	return p.Err("the snippet is not valid")
}

// HashtagGroup is a named set of hashtags inserted together.
type HashtagGroup struct {
	ID          int64     `json:"id"`
	WorkspaceID int64     `json:"workspace_id"`
	Name        string    `json:"name"` // unique per workspace, case-insensitively
	Hashtags    []string  `json:"hashtags"`
	CreatedAt   time.Time `json:"created_at"`
	UpdatedAt   time.Time `json:"updated_at"`
}

// Text is the group as inserted in a post: its tags, space-separated.
func (g HashtagGroup) Text() string { return strings.Join(g.Hashtags, " ") }

// Validate checks the group's fields; each tag must look like #tag
// (letters, digits, underscores), and a tag repeated (ignoring case) is
// kept once.
func (g *HashtagGroup) Validate() error {
	var p Problems
	g.Name = strings.TrimSpace(g.Name)
	checkName(&p, "name", g.Name)
	var tags []string
	for i, tag := range g.Hashtags {
		tag = strings.TrimSpace(tag)
		if !IsHashtag(tag) {
			p.Add(indexed("hashtags", i), "%q is not a hashtag: write # then letters, digits or _ (like #launch)", tag)
			continue
		}
		if !slices.ContainsFunc(tags, func(x string) bool { return strings.EqualFold(x, tag) }) {
			tags = append(tags, tag)
		}
	}
	if len(g.Hashtags) == 0 {
		p.Add("hashtags", "is empty: give at least one #tag")
	}
	if len(tags) > MaxHashtags {
		p.Add("hashtags", "has %d tags; at most %d are allowed", len(tags), MaxHashtags)
	}
	g.Hashtags = tags
	if g.Hashtags == nil {
		g.Hashtags = []string{}
	}
	return p.Err("the hashtag group is not valid")
}

// IsHashtag reports whether s is one hashtag: "#" then letters, digits,
// marks or underscores, with at least one that is not a digit.
func IsHashtag(s string) bool {
	body, ok := strings.CutPrefix(s, "#")
	if !ok || body == "" || utf8.RuneCountInString(s) > MaxHashtagLen {
		return false
	}
	letter := false
	for _, r := range body {
		switch {
		case unicode.IsLetter(r) || unicode.IsMark(r) || r == '_':
			letter = true
		case unicode.IsDigit(r):
		default:
			return false
		}
	}
	return letter
}

// KitFilter selects a workspace's snippets or hashtag groups (or
// templates): Query, when set, keeps those whose name or text contains
// it, ignoring case.
type KitFilter struct {
	WorkspaceID int64
	Query       string
}
