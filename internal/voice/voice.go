// Package voice applies a workspace's brand voice rules to a post: banned
// words and phrases, required hashtags or disclosure tags, emoji and
// hashtag limits, links required or forbidden, shouting and readability.
// Check is pure (no store, no clock), so the post service, the API and the
// web interface all get the same answer from it.
package voice

import (
	"fmt"
	"math"
	"strconv"
	"strings"

	"github.com/heraldsocial/herald/internal/herald"
)

// Rule names, as findings and field problems name them.
const (
	RuleBanned      = "banned"
	RuleRequiredTag = "required_tag"
	RuleMaxEmoji    = "max_emoji"
	RuleMaxHashtags = "max_hashtags"
	RuleLink        = "link"
	RuleShouting    = "shouting"
	RuleReadability = "readability"
)

// Finding is one thing the rules found in a post.
type Finding struct {
	Rule     string          `json:"rule" enum:"banned,required_tag,max_emoji,max_hashtags,link,shouting,readability"`
	Severity herald.Severity `json:"severity" enum:"warning,block"`
	// Field is where, in the post's own terms: "text", or
	// "targets[0].variant.text", "targets[0].variant.thread[1].text",
	// "targets[0].variant.first_comment".
	Field string `json:"field"`
	// Target is the index of the target the finding is about, -1 for the
	// post's own text (shared by every target without a variant).
	Target int `json:"target"`
	// Part is the part of the target: "text", "thread[0]" (the second post
	// of the thread), "first_comment".
	Part    string `json:"part"`
	Message string `json:"message" doc:"What is wrong and how to fix it, naming the rule"`
	// Match is the text found, as written (a banned phrase, a link).
	Match string `json:"match,omitempty"`
	// Replacement is what to write instead of Match, when the rule says.
	Replacement string `json:"replacement,omitempty"`
}

// Blocks reports whether the finding refuses the post.
func (f Finding) Blocks() bool { return f.Severity == herald.SeverityBlock }

// Names gives the labels and campaigns the rules name, for messages.
type Names struct {
	Labels    map[int64]string
	Campaigns map[int64]string
}

func (n Names) scope(t herald.RequiredTag) string {
	switch {
	case t.LabelID > 0:
		if name, ok := n.Labels[t.LabelID]; ok {
			return fmt.Sprintf("on posts labelled “%s”", name)
		}
		return fmt.Sprintf("on posts with label %d", t.LabelID)
	case t.CampaignID > 0:
		if name, ok := n.Campaigns[t.CampaignID]; ok {
			return fmt.Sprintf("on posts of the campaign “%s”", name)
		}
		return fmt.Sprintf("on posts of campaign %d", t.CampaignID)
	}
	return "on every post"
}

// piece is one published text: the main text, a thread part or the first
// comment of one target.
type piece struct {
	field, part, text string
	target            int
}

// pieces are the texts each target publishes (the post's own text when it
// has no targets yet), one slice per target.
func pieces(p herald.Post) [][]piece {
	if len(p.Targets) == 0 {
		return [][]piece{{{field: "text", part: "text", text: p.Text, target: -1}}}
	}
	var out [][]piece
	for i, t := range p.Targets {
		main := piece{field: "text", part: "text", text: p.Text, target: -1}
		if t.Variant.Text != "" {
			main = piece{field: fmt.Sprintf("targets[%d].variant.text", i), part: "text", text: t.Variant.Text, target: i}
		}
		set := []piece{main}
		for j, th := range t.Variant.Thread {
			set = append(set, piece{field: fmt.Sprintf("targets[%d].variant.thread[%d].text", i, j),
				part: fmt.Sprintf("thread[%d]", j), text: th.Text, target: i})
		}
		if t.Variant.FirstComment != "" {
			set = append(set, piece{field: fmt.Sprintf("targets[%d].variant.first_comment", i),
				part: "first_comment", text: t.Variant.FirstComment, target: i})
		}
		out = append(out, set)
	}
	return out
}

// Check applies rules (old and new forms alike, see
// herald.BrandRules.Normalized) to what each target of p publishes. A
// finding about text several targets share is reported once.
func Check(rules herald.BrandRules, p herald.Post, names Names) []Finding {
	rules = rules.Normalized()
	if rules.Empty() {
		return nil
	}
	var out []Finding
	seen := map[string]bool{}
	add := func(pc piece, f Finding) {
		f.Field, f.Part, f.Target = pc.field, pc.part, pc.target
		// Thread parts are shared by several targets when they are the
		// composer's; the same words get the same finding once.
		key := f.Rule + "\x00" + f.Part + "\x00" + f.Message + "\x00" + pc.text
		if pc.target < 0 {
			key = f.Rule + "\x00" + f.Field + "\x00" + f.Message
		}
		if seen[key] {
			return
		}
		seen[key] = true
		out = append(out, f)
	}
	c := checker{rules: rules, names: names, texts: map[string]*analysis{}}
	for _, set := range pieces(p) {
		c.set(p, set, add)
	}
	return out
}

// CheckText applies rules to a text as a post of its own, with no label
// or campaign (the settings' "Try it").
func CheckText(rules herald.BrandRules, text string) []Finding {
	return Check(rules, herald.Post{Text: text}, Names{})
}

// checker applies the rules to the texts of one post, reading each
// distinct text once (the targets of a post mostly share theirs).
type checker struct {
	rules herald.BrandRules
	names Names
	texts map[string]*analysis
}

// analysis is what the rules need to know of one text.
type analysis struct {
	folded   []rune // lower-cased rune by rune, for phrase matching
	links    []span
	hashtags []span
	words    string // the text without links, mentions and hashtags
	findings []Finding
}

func (c checker) analyse(text string) *analysis {
	if a, ok := c.texts[text]; ok {
		return a
	}
	a := &analysis{folded: foldRunes(text), links: linkSpans(text)}
	a.hashtags = hashtagSpans(text, a.links)
	a.words = wordsOf(text, a.links, a.hashtags)
	a.findings = c.piece(text, a)
	c.texts[text] = a
	return a
}

func (c checker) set(p herald.Post, set []piece, add func(piece, Finding)) {
	var as []*analysis
	for _, pc := range set {
		a := c.analyse(pc.text)
		as = append(as, a)
		for _, f := range a.findings {
			add(pc, f)
		}
	}
	rules := c.rules
	for _, t := range rules.RequiredTags {
		if !applies(t, p) {
			continue
		}
		tag := foldRunes(strings.TrimSpace(t.Tag))
		found := false
		for _, a := range as {
			if _, ok := findFolded(a.folded, tag); ok {
				found = true
				break
			}
		}
		if !found {
			add(set[0], Finding{Rule: RuleRequiredTag, Severity: t.Severity, Replacement: t.Tag,
				Message: fmt.Sprintf("is missing %s, which the brand voice rules require %s (rule: required tags): add it to the text, a thread part or the first comment",
					t.Tag, c.names.scope(t))})
		}
	}
	if rules.Link != nil && rules.Link.Mode == herald.LinkRequired {
		found := false
		for _, a := range as {
			if len(a.links) > 0 {
				found = true
				break
			}
		}
		if !found {
			add(set[0], Finding{Rule: RuleLink, Severity: rules.Link.Severity,
				Message: "has no link, and the brand voice rules require one (rule: links): add a link such as https://example.com/page"})
		}
	}
	if rules.Readability != nil {
		var all []string
		for _, a := range as {
			all = append(all, a.words)
		}
		score, _, ok := Readability(strings.Join(all, "\n"))
		if ok && score < float64(rules.Readability.MinScore) {
			add(set[0], Finding{Rule: RuleReadability, Severity: rules.Readability.Severity,
				Message: fmt.Sprintf("reads at %s on the Flesch reading ease scale (for English text); the brand voice rules ask for at least %d (rule: readability): use shorter sentences and shorter words",
					formatScore(score), rules.Readability.MinScore)})
		}
	}
}

// piece is what the rules find in one published text on its own.
func (c checker) piece(text string, a *analysis) []Finding {
	if strings.TrimSpace(text) == "" {
		return nil
	}
	rules := c.rules
	var out []Finding
	for _, b := range rules.Banned {
		i, ok := findFolded(a.folded, foldRunes(strings.TrimSpace(b.Phrase)))
		if !ok {
			continue
		}
		m := string([]rune(text)[i : i+len([]rune(strings.TrimSpace(b.Phrase)))])
		fix := "remove or rephrase it"
		if b.Replacement != "" {
			fix = fmt.Sprintf("write “%s” instead", b.Replacement)
		}
		out = append(out, Finding{Rule: RuleBanned, Severity: b.Severity, Match: m, Replacement: b.Replacement,
			Message: fmt.Sprintf("contains “%s”, which the brand voice rules ban (rule: banned words): %s", m, fix)})
	}
	if l := rules.MaxEmoji; l != nil {
		if n := emojiCount(text); n > l.Max {
			out = append(out, Finding{Rule: RuleMaxEmoji, Severity: l.Severity,
				Message: fmt.Sprintf("has %d emoji; the brand voice rules allow at most %d in one post (rule: emoji): remove %d",
					n, l.Max, n-l.Max)})
		}
	}
	if l := rules.MaxHashtags; l != nil {
		if n := len(a.hashtags); n > l.Max {
			out = append(out, Finding{Rule: RuleMaxHashtags, Severity: l.Severity,
				Message: fmt.Sprintf("has %d hashtags; the brand voice rules allow at most %d in one post (rule: hashtags): remove %d",
					n, l.Max, n-l.Max)})
		}
	}
	if l := rules.Link; l != nil && l.Mode == herald.LinkForbidden && len(a.links) > 0 {
		m := text[a.links[0].start:a.links[0].end]
		out = append(out, Finding{Rule: RuleLink, Severity: l.Severity, Match: m,
			Message: fmt.Sprintf("contains the link %s, and the brand voice rules forbid links (rule: links): remove it", m)})
	}
	if s := rules.Shouting; s != nil {
		share, letters := shouting(a.words, s.WordLength())
		if letters > 0 && share > float64(s.MaxPercent) {
			out = append(out, Finding{Rule: RuleShouting, Severity: s.Severity,
				Message: fmt.Sprintf("is %d%% capital letters (in words of %d letters or more); the brand voice rules allow at most %d%% (rule: shouting): write in sentence case",
					int(math.Round(share)), s.WordLength(), s.MaxPercent)})
		}
	}
	return out
}

// applies reports whether the required tag t is asked of post p.
func applies(t herald.RequiredTag, p herald.Post) bool {
	switch {
	case t.LabelID > 0:
		for _, id := range p.LabelIDs {
			if id == t.LabelID {
				return true
			}
		}
		return false
	case t.CampaignID > 0:
		return p.CampaignID != nil && *p.CampaignID == t.CampaignID
	}
	return true
}

func formatScore(s float64) string {
	return strconv.FormatFloat(s, 'f', -1, 64)
}

// Problems are the blocking findings as field problems, for the error
// that refuses the post.
func Problems(fs []Finding) herald.Problems {
	var p herald.Problems
	for _, f := range fs {
		if f.Blocks() {
			p = append(p, herald.FieldProblem{Field: f.Field, Problem: f.Message})
		}
	}
	return p
}
