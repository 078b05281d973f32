package herald

import (
	"fmt"
	"strings"
	"unicode"
	"unicode/utf8"
)

// Severity is what a brand voice rule does when a post breaks it.
type Severity string

// Severities of brand voice rules.
const (
	// SeverityWarning shows the finding; the post can still be saved and scheduled.
	SeverityWarning Severity = "warning"
	// SeverityBlock refuses the post until it is fixed.
	SeverityBlock Severity = "block"
)

// Valid reports whether s is a known severity.
func (s Severity) Valid() bool { return s == SeverityWarning || s == SeverityBlock }

// BannedPhrase is a word or phrase posts must not contain, matched as whole
// words whatever the case, with what to write instead when there is a
// better word.
type BannedPhrase struct {
	Phrase      string   `json:"phrase" doc:"The word or phrase, matched as whole words whatever the case"`
	Replacement string   `json:"replacement,omitempty" doc:"What to write instead, offered as a one-click fix"`
	Severity    Severity `json:"severity" enum:"warning,block"`
}

// RequiredTag is a hashtag or disclosure tag (such as #ad or "Paid
// partnership") posts must carry: every post, or only posts with a label,
// or only posts of a campaign.
type RequiredTag struct {
	Tag        string   `json:"tag" doc:"A hashtag like #ad, or a disclosure phrase like Paid partnership"`
	LabelID    int64    `json:"label_id,omitempty" doc:"Only posts with this label; 0 for every post"`
	CampaignID int64    `json:"campaign_id,omitempty" doc:"Only posts of this campaign; 0 for every post"`
	Severity   Severity `json:"severity" enum:"warning,block"`
}

// CountLimit caps how many of something (emoji, hashtags) one published
// text may hold.
type CountLimit struct {
	Max      int      `json:"max" minimum:"0" doc:"The most allowed in one published text"`
	Severity Severity `json:"severity" enum:"warning,block"`
}

// LinkMode says whether posts must or must not carry a link.
type LinkMode string

// Link modes ("either" is the absence of a rule).
const (
	LinkRequired  LinkMode = "required"
	LinkForbidden LinkMode = "forbidden"
)

// LinkRule requires or forbids links in posts.
type LinkRule struct {
	Mode     LinkMode `json:"mode" enum:"required,forbidden"`
	Severity Severity `json:"severity" enum:"warning,block"`
}

// ShoutingRule limits capital letters: the share of capitals among the
// letters of words of at least MinWordLength letters (hashtags, mentions
// and links left out) may be at most MaxPercent.
type ShoutingRule struct {
	MaxPercent    int      `json:"max_percent" minimum:"1" maximum:"100" doc:"The most capitals allowed, in percent of the letters counted"`
	MinWordLength int      `json:"min_word_length,omitempty" minimum:"0" maximum:"20" doc:"Shorter words (like OK, USA) are not counted; 0 means 4"`
	Severity      Severity `json:"severity" enum:"warning,block"`
}

// DefaultShoutWordLength is the shortest word the shouting rule counts
// when the rule does not say.
const DefaultShoutWordLength = 4

// WordLength is the shortest word the rule counts.
func (r ShoutingRule) WordLength() int {
	if r.MinWordLength <= 0 {
		return DefaultShoutWordLength
	}
	return r.MinWordLength
}

// ReadabilityRule asks for a Flesch reading ease score (for English text)
// of at least MinScore.
type ReadabilityRule struct {
	MinScore int      `json:"min_score" minimum:"0" maximum:"100" doc:"The lowest Flesch reading ease accepted (60 is plain English)"`
	Severity Severity `json:"severity" enum:"warning,block"`
}

// Bounds on the brand voice rules.
const (
	MaxBannedPhrases = 200
	MaxRequiredTags  = 30
	MaxPhraseLen     = 100
	MaxVoiceLen      = 2000
)

// Normalized returns the rules with the older fields (banned words and
// required hashtags as plain lists, which are blocks) folded into the
// lists that carry a severity, and the older fields emptied. A word or tag
// already in the newer list is not added twice.
func (r BrandRules) Normalized() BrandRules {
	out := r
	out.Banned = append([]BannedPhrase(nil), r.Banned...)
	out.RequiredTags = append([]RequiredTag(nil), r.RequiredTags...)
	for _, w := range r.BannedWords {
		w = strings.TrimSpace(w)
		if w == "" || hasPhrase(out.Banned, w) {
			continue
		}
		out.Banned = append(out.Banned, BannedPhrase{Phrase: w, Severity: SeverityBlock})
	}
	for _, t := range r.RequiredHashtags {
		t = strings.TrimSpace(t)
		if t == "" || hasTag(out.RequiredTags, t) {
			continue
		}
		out.RequiredTags = append(out.RequiredTags, RequiredTag{Tag: t, Severity: SeverityBlock})
	}
	out.BannedWords, out.RequiredHashtags = nil, nil
	return out
}

func hasPhrase(list []BannedPhrase, w string) bool {
	for _, b := range list {
		if strings.EqualFold(b.Phrase, w) {
			return true
		}
	}
	return false
}

func hasTag(list []RequiredTag, t string) bool {
	for _, r := range list {
		if strings.EqualFold(r.Tag, t) && r.LabelID == 0 && r.CampaignID == 0 {
			return true
		}
	}
	return false
}

// Empty reports whether no rule checks posts (the voice text and the
// approval switch aside).
func (r BrandRules) Empty() bool {
	return len(r.BannedWords) == 0 && len(r.RequiredHashtags) == 0 && len(r.Banned) == 0 &&
		len(r.RequiredTags) == 0 && r.MaxEmoji == nil && r.MaxHashtags == nil && r.Link == nil &&
		r.Shouting == nil && r.Readability == nil
}

// validate adds a problem, under brand_rules.…, for each rule that is not
// well formed.
func (r *BrandRules) validate(p *Problems) {
	const f = "brand_rules."
	if n := utf8.RuneCountInString(r.Voice); n > MaxVoiceLen {
		p.Add(f+"voice", "is %d characters; at most %d are allowed", n, MaxVoiceLen)
	}
	CheckText(p, f+"voice", r.Voice)
	for i, word := range r.BannedWords {
		if strings.TrimSpace(word) == "" {
			p.Add(f+"banned_words", "entry %d is empty", i)
		}
	}
	for i, tag := range r.RequiredHashtags {
		if !strings.HasPrefix(tag, "#") || len(tag) < 2 || strings.ContainsAny(tag, " \t\n") {
			p.Add(f+"required_hashtags", "entry %d (%q) must look like #tag", i, tag)
		}
	}
	if len(r.Banned) > MaxBannedPhrases {
		p.Add(f+"banned", "has %d entries; at most %d are allowed", len(r.Banned), MaxBannedPhrases)
	}
	seen := map[string]bool{}
	for i := range r.Banned {
		b := &r.Banned[i]
		field := fmt.Sprintf("%sbanned[%d]", f, i)
		b.Phrase, b.Replacement = strings.TrimSpace(b.Phrase), strings.TrimSpace(b.Replacement)
		checkPhrase(p, field+".phrase", b.Phrase, true)
		checkPhrase(p, field+".replacement", b.Replacement, false)
		if key := strings.ToLower(b.Phrase); b.Phrase != "" && seen[key] {
			p.Add(field+".phrase", "%q is listed twice: keep one entry", b.Phrase)
		} else {
			seen[key] = true
		}
		if b.Replacement != "" && strings.EqualFold(b.Replacement, b.Phrase) {
			p.Add(field+".replacement", "is the banned phrase itself: suggest another word or leave it empty")
		}
		checkSeverity(p, field+".severity", b.Severity)
	}
	if len(r.RequiredTags) > MaxRequiredTags {
		p.Add(f+"required_tags", "has %d entries; at most %d are allowed", len(r.RequiredTags), MaxRequiredTags)
	}
	for i := range r.RequiredTags {
		t := &r.RequiredTags[i]
		field := fmt.Sprintf("%srequired_tags[%d]", f, i)
		t.Tag = strings.TrimSpace(t.Tag)
		checkPhrase(p, field+".tag", t.Tag, true)
		if strings.HasPrefix(t.Tag, "#") && !hashtagLike(t.Tag) {
			p.Add(field+".tag", "%q is not a hashtag: write # then letters, digits or _ (like #ad), or a phrase without #", t.Tag)
		}
		if t.LabelID < 0 || t.CampaignID < 0 {
			p.Add(field, "label and campaign ids are positive, or 0 for every post")
		}
		if t.LabelID > 0 && t.CampaignID > 0 {
			p.Add(field, "applies to a label or to a campaign, not both: make two rules")
		}
		checkSeverity(p, field+".severity", t.Severity)
	}
	for _, c := range []struct {
		name string
		l    *CountLimit
	}{{"max_emoji", r.MaxEmoji}, {"max_hashtags", r.MaxHashtags}} {
		if c.l == nil {
			continue
		}
		if c.l.Max < 0 || c.l.Max > 1000 {
			p.Add(f+c.name+".max", "is %d: use a number from 0 to 1000", c.l.Max)
		}
		checkSeverity(p, f+c.name+".severity", c.l.Severity)
	}
	if r.Link != nil {
		if r.Link.Mode != LinkRequired && r.Link.Mode != LinkForbidden {
			p.Add(f+"link.mode", "%q is not required or forbidden (leave the rule out to allow either)", r.Link.Mode)
		}
		checkSeverity(p, f+"link.severity", r.Link.Severity)
	}
	if r.Shouting != nil {
		if r.Shouting.MaxPercent < 1 || r.Shouting.MaxPercent > 100 {
			p.Add(f+"shouting.max_percent", "is %d: use a percentage from 1 to 100", r.Shouting.MaxPercent)
		}
		if r.Shouting.MinWordLength < 0 || r.Shouting.MinWordLength > 20 {
			p.Add(f+"shouting.min_word_length", "is %d: use 0 to 20 letters", r.Shouting.MinWordLength)
		}
		checkSeverity(p, f+"shouting.severity", r.Shouting.Severity)
	}
	if r.Readability != nil {
		if r.Readability.MinScore < 0 || r.Readability.MinScore > 100 {
			p.Add(f+"readability.min_score", "is %d: use a score from 0 to 100 (60 is plain English)", r.Readability.MinScore)
		}
		checkSeverity(p, f+"readability.severity", r.Readability.Severity)
	}
}

func checkPhrase(p *Problems, field, v string, required bool) {
	switch n := utf8.RuneCountInString(v); {
	case n == 0 && required:
		p.Add(field, "is required")
	case n > MaxPhraseLen:
		p.Add(field, "is %d characters; at most %d are allowed", n, MaxPhraseLen)
	}
	CheckLine(p, field, v)
}

func checkSeverity(p *Problems, field string, s Severity) {
	if !s.Valid() {
		p.Add(field, "%q is not warning or block", s)
	}
}

// hashtagLike reports whether t is # followed by letters, digits or _,
// not all digits.
func hashtagLike(t string) bool {
	body := strings.TrimPrefix(t, "#")
	if body == "" {
		return false
	}
	digits := true
	for _, c := range body {
		if !unicode.IsLetter(c) && !unicode.IsDigit(c) && c != '_' && !unicode.Is(unicode.Mn, c) {
			return false
		}
		digits = digits && unicode.IsDigit(c)
	}
	return !digits
}
