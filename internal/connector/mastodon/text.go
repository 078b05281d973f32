package mastodon

import (
	"regexp"
	"sort"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/rivo/uniseg"
	"mvdan.cc/xurls/v2"
)

// DefaultURLChars is what a URL counts as when the instance does not say
// (configuration.statuses.characters_reserved_per_url).
const DefaultURLChars = 23

// urlRE finds the links Mastodon gives a length concession: those with an
// http or https scheme (Mastodon extracts URLs without the scheme-less
// form).
var urlRE = mustRE(xurls.StrictMatchingScheme(`https?://`))

func mustRE(re *regexp.Regexp, err error) *regexp.Regexp {
	if err != nil {
		panic(err)
	}
	return re
}

// mentionRE is Mastodon's mention pattern (Account::MENTION_RE) without its
// look-behind, which Length checks by hand: a username of letters, digits,
// "_" (dots and dashes inside), then optionally "@" and a domain.
var mentionRE = regexp.MustCompile(`(?i)@([a-z0-9_]+(?:[a-z0-9_.\-]+[a-z0-9_]+)?)(@[\p{L}\p{M}\p{N}_.\-]+[\p{L}\p{M}\p{N}_]+)?`)

// Length counts a status the way Mastodon's StatusLengthValidator does: the
// content warning plus the text, in grapheme clusters (what people see as
// one character: an emoji with skin tone, a flag, a letter with combining
// marks each count 1), where every http(s) link counts as urlChars
// characters whatever its length, and a mention of a remote account
// (@user@domain) counts only as @user. urlChars ≤ 0 means DefaultURLChars.
func Length(text, spoilerText string, urlChars int) int {
	if urlChars <= 0 {
		urlChars = DefaultURLChars
	}
	return uniseg.GraphemeClusterCount(spoilerText) + uniseg.GraphemeClusterCount(countable(text, urlChars))
}

// span is a piece of text replaced for counting.
type span struct {
	start, end int
	with       string
}

// countable rewrites text as Mastodon counts it: links as urlChars
// placeholder characters, remote mentions as local ones.
func countable(text string, urlChars int) string {
	var spans []span
	placeholder := strings.Repeat("x", urlChars)
	for _, m := range urlRE.FindAllStringIndex(text, -1) {
		spans = append(spans, span{m[0], m[1], placeholder})
	}
	for _, m := range mentionRE.FindAllStringSubmatchIndex(text, -1) {
		if !mentionStart(text, m[0]) || overlaps(spans, m[0], m[1]) {
			continue
		}
		spans = append(spans, span{m[0], m[1], "@" + text[m[2]:m[3]]})
	}
	if len(spans) == 0 {
		return text
	}
	sort.Slice(spans, func(i, j int) bool { return spans[i].start < spans[j].start })
	var b strings.Builder
	last := 0
	for _, s := range spans {
		b.WriteString(text[last:s.start])
		b.WriteString(s.with)
		last = s.end
	}
	b.WriteString(text[last:])
	return b.String()
}

// mentionStart reports whether a mention may start at i: not after "=",
// "/" or a word character (so e-mail addresses and URLs are not mentions).
func mentionStart(text string, i int) bool {
	if i == 0 {
		return true
	}
	r, _ := utf8.DecodeLastRuneInString(text[:i])
	return r != '=' && r != '/' && r != '_' && !unicode.IsLetter(r) && !unicode.IsDigit(r) && !unicode.Is(unicode.M, r)
}

func overlaps(spans []span, start, end int) bool {
	for _, s := range spans {
		if start < s.end && s.start < end {
			return true
		}
	}
	return false
}
