package bluesky

import (
	"regexp"
	"strings"
	"unicode"
	"unicode/utf16"
	"unicode/utf8"

	"github.com/bluesky-social/indigo/atproto/syntax"
	"github.com/rivo/uniseg"
	"mvdan.cc/xurls/v2"
)

// Graphemes counts text the way Bluesky does: in extended grapheme
// clusters (an emoji with skin tone or a ZWJ family is one, a letter with
// combining marks is one).
func Graphemes(text string) int { return uniseg.GraphemeClusterCount(text) }

// FacetKind is what a detected span of text is.
type FacetKind string

// Facet kinds (app.bsky.richtext.facet features).
const (
	FacetLink    FacetKind = "link"
	FacetMention FacetKind = "mention"
	FacetTag     FacetKind = "tag"
)

// Span is a link, mention or hashtag found in a post's text, with its
// UTF-8 byte offsets (start inclusive, end exclusive) as facets need them.
type Span struct {
	Kind  FacetKind
	Start int
	End   int
	// Value is the link's URI (with https:// added to a bare domain), the
	// mentioned handle (without @), or the tag (without #).
	Value string
}

// The patterns of Bluesky's own detection (the official client's rich-text
// rules): a mention or link starts the text or follows white space or "(";
// a tag starts the text or follows white space.
var (
	mentionRE = regexp.MustCompile(`(?:^|[\s(])(@([a-zA-Z0-9.-]+))`)
	linkRE    = regexp.MustCompile(`(?i)(?:^|[\s(])((?:https?://[^\s]+)|(?:([a-z][a-z0-9]*(?:\.[a-z0-9]+)+)[^\s]*))`)
)

// DetectFacets finds the links, mentions and hashtags in text, in the order
// of their positions, as Bluesky's official client does. Mentions are not
// resolved here: their Value is the handle.
func DetectFacets(text string) []Span {
	var spans []Span
	for _, m := range mentionRE.FindAllStringSubmatchIndex(text, -1) {
		start, end := m[2], m[3]
		// The handle ends at its last letter or digit, and must end at a
		// word boundary.
		for end > start+1 && !isAlnum(text[end-1]) {
			end--
		}
		if end < len(text) && isWordByte(text[end]) && end == m[3] {
			continue
		}
		h, err := syntax.ParseHandle(text[start+1 : end])
		if err != nil {
			continue
		}
		spans = append(spans, Span{Kind: FacetMention, Start: start, End: end, Value: h.Normalize().String()})
	}
	for _, m := range linkRE.FindAllStringSubmatchIndex(text, -1) {
		start, end := m[2], m[3]
		uri := text[start:end]
		if !hasScheme(uri) {
			if m[4] < 0 || !validDomain(text[m[4]:m[5]]) {
				continue
			}
			uri = "https://" + uri
		}
		if strings.ContainsAny(uri[len(uri)-1:], ".,;:!?") {
			uri, end = uri[:len(uri)-1], end-1
		}
		if strings.HasSuffix(uri, ")") && !strings.Contains(uri, "(") {
			uri, end = uri[:len(uri)-1], end-1
		}
		spans = append(spans, Span{Kind: FacetLink, Start: start, End: end, Value: uri})
	}
	spans = append(spans, detectTags(text)...)
	sortSpans(spans)
	return nonOverlapping(spans)
}

func hasScheme(s string) bool {
	l := strings.ToLower(s)
	return strings.HasPrefix(l, "http://") || strings.HasPrefix(l, "https://")
}

func isAlnum(b byte) bool {
	return b >= 'a' && b <= 'z' || b >= 'A' && b <= 'Z' || b >= '0' && b <= '9'
}

func isWordByte(b byte) bool { return isAlnum(b) || b == '_' }

// validDomain reports whether a bare domain ends in a real top-level domain
// (so "e.g" or "file.txt" are not links).
func validDomain(d string) bool {
	i := strings.LastIndexByte(d, '.')
	if i < 0 {
		return false
	}
	tld := strings.ToLower(d[i+1:])
	for _, t := range xurls.TLDs {
		if t == tld {
			return true
		}
	}
	return false
}

// tagBreak reports whether r ends a hashtag: white space and the invisible
// characters Bluesky's client treats as breaks.
func tagBreak(r rune) bool {
	switch r {
	case '\u00AD', '\u2060', '\u200A', '\u200B', '\u200C', '\u200D', '\u20E2':
		return true
	}
	return unicode.IsSpace(r)
}

// MaxTagLen is the longest hashtag, in UTF-16 code units as the official
// client counts it.
const MaxTagLen = 64

// detectTags finds #tags (or ＃tags): after the start of the text or white
// space, a run of non-break characters with at least one that is not a
// digit or punctuation, trailing punctuation removed, at most 64 long.
func detectTags(text string) []Span {
	var spans []Span
	prevSpace := true
	for i := 0; i < len(text); {
		r, size := utf8.DecodeRuneInString(text[i:])
		if (r == '#' || r == '＃') && prevSpace {
			j := i + size
			if next, _ := utf8.DecodeRuneInString(text[j:]); next == '\uFE0F' {
				i, prevSpace = j, false
				continue
			}
			for j < len(text) {
				r2, s2 := utf8.DecodeRuneInString(text[j:])
				if tagBreak(r2) {
					break
				}
				j += s2
			}
			tag := text[i+size : j]
			hasWord := strings.IndexFunc(tag, func(r rune) bool {
				return !unicode.IsDigit(r) && !unicode.IsPunct(r) && !unicode.IsSpace(r)
			}) >= 0
			tag = strings.TrimRightFunc(tag, unicode.IsPunct)
			if hasWord && tag != "" && len(utf16.Encode([]rune(tag))) <= MaxTagLen {
				spans = append(spans, Span{Kind: FacetTag, Start: i, End: i + size + len(tag), Value: tag})
			}
			i, prevSpace = j, false
			continue
		}
		prevSpace = unicode.IsSpace(r)
		i += size
	}
	return spans
}

// sortSpans orders spans by position (a stable insertion sort: there are
// few).
func sortSpans(spans []Span) {
	for i := 1; i < len(spans); i++ {
		for j := i; j > 0 && spans[j].Start < spans[j-1].Start; j-- {
			spans[j], spans[j-1] = spans[j-1], spans[j]
		}
	}
}

// nonOverlapping returns spans without those that overlap an earlier one.
func nonOverlapping(spans []Span) []Span {
	out := spans[:0:0]
	end := -1
	for _, s := range spans {
		if s.Start < end {
			continue
		}
		out = append(out, s)
		end = s.End
	}
	return out
}
