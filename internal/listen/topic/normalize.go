package topic

import (
	"strings"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/unicode/norm"
)

// foldLimit bounds the precomputed fold table: it covers Latin, Greek and
// Cyrillic (and Latin Extended Additional), the scripts whose accents we drop.
const foldLimit = 0x2000

// foldTable maps a rune below foldLimit to its folded form, or to -1 when the
// rune is a combining diacritical mark that folding drops. It is computed once
// and never written afterwards.
var foldTable = buildFoldTable()

// ASCII tables for the fast paths of the stream builders.
var asciiLower, asciiWord, asciiSpace = buildASCII()

func buildASCII() (lower [128]byte, word, space [128]bool) {
	for c := range 128 {
		lower[c] = byte(fold(rune(c)))
		word[c] = isWord(rune(c))
		space[c] = unicode.IsSpace(rune(c)) || unicode.Is(unicode.Cf, rune(c))
	}
	return
}

func buildFoldTable() *[foldLimit]rune {
	var t [foldLimit]rune
	for r := rune(0); r < foldLimit; r++ {
		l := unicode.ToLower(r)
		t[r] = l
		if r >= 0x300 && r <= 0x36f || r == 0xad { // combining accents, soft hyphen
			t[r] = -1
			continue
		}
		if l < 0x80 || !unicode.In(l, unicode.Latin, unicode.Greek, unicode.Cyrillic) {
			continue
		}
		// Keep the base letter when every other rune of the decomposition is a
		// nonspacing mark: é → e, ö → o, ё → е; letters such as ø stay.
		d := norm.NFD.String(string(l))
		base, n := utf8.DecodeRuneInString(d)
		onlyMarks := true
		for _, m := range d[n:] {
			if !unicode.Is(unicode.Mn, m) {
				onlyMarks = false
			}
		}
		if onlyMarks {
			t[r] = base
		}
	}
	return &t
}

// fold lower-cases r, drops Latin, Greek and Cyrillic accents, maps full-width
// ASCII to ASCII and typographic apostrophes to '. It returns -1 for a rune
// that folding removes: combining accents, soft hyphens, zero-width joiners
// and variation selectors.
func fold(r rune) rune {
	switch {
	case r < 0x80:
		if 'A' <= r && r <= 'Z' {
			return r + 'a' - 'A'
		}
		return r
	case r < foldLimit:
		return foldTable[r]
	case r == 0x200c || r == 0x200d || r == 0xfeff || 0xfe00 <= r && r <= 0xfe0f || 0xe0100 <= r && r <= 0xe01ef:
		// Joiners and variation selectors change how text looks, not what
		// it says: "❤️" is "❤" with a selector, and they are marks that
		// would otherwise glue an emoji to the next word.
		return -1
	case r == 0x2018 || r == 0x2019 || r == 0x02bc:
		return '\''
	case r >= 0xff01 && r <= 0xff5e: // full-width ASCII, common in Japanese text
		return fold(r - 0xfee0)
	}
	return unicode.ToLower(r)
}

// isWord reports whether r (already folded) is a word character: a letter, a
// digit or a combining mark (marks carry vowels in Indic and Thai scripts).
func isWord(r rune) bool {
	if r < 0x80 {
		return 'a' <= r && r <= 'z' || '0' <= r && r <= '9' || 'A' <= r && r <= 'Z'
	}
	return unicode.IsLetter(r) || unicode.IsDigit(r) || unicode.IsMark(r)
}

// isUnspaced reports whether r belongs to a script written without spaces
// between words (or, for Korean, with particles glued to words). Each such
// character is treated as a word of its own, so terms in these scripts match
// as substrings and a Latin word next to them still has a boundary.
func isUnspaced(r rune) bool {
	if r < 0x0e00 {
		return false
	}
	return r == 0x30fc || unicode.In(r, unicode.Han, unicode.Hiragana, unicode.Katakana,
		unicode.Hangul, unicode.Thai, unicode.Lao, unicode.Khmer, unicode.Myanmar)
}

// joins reports whether r glues onto an adjacent word character, that is
// whether no word boundary lies between them.
func joins(r rune) bool { return isWord(r) && !isUnspaced(r) }

// stream is text rewritten for matching, with the original offsets of each
// byte kept when asked for (previews need them; matching does not).
type stream struct {
	b          []byte
	start, end []int32 // original [start, end) of the rune that made b[i]
	track      bool
}

func (s *stream) reset(track bool) {
	s.b, s.start, s.end, s.track = s.b[:0], s.start[:0], s.end[:0], track
}

func (s *stream) add(r rune, from, to int) {
	n := len(s.b)
	if r < 0x80 {
		s.b = append(s.b, byte(r))
		if s.track {
			s.start = append(s.start, int32(from))
			s.end = append(s.end, int32(to))
		}
		return
	}
	s.b = utf8.AppendRune(s.b, r)
	if s.track {
		for i := n; i < len(s.b); i++ {
			s.start = append(s.start, int32(from))
			s.end = append(s.end, int32(to))
		}
	}
}

// extend stretches the last rune's original end over a dropped mark, so a
// highlight of "e" in "e\u0301" covers the accent too.
func (s *stream) extend(to int) {
	if !s.track || len(s.end) == 0 {
		return
	}
	last := s.end[len(s.end)-1]
	for i := len(s.end) - 1; i >= 0 && s.end[i] == last; i-- {
		s.end[i] = int32(to)
	}
}

// span maps the stream bytes [i, j) back to original byte offsets.
func (s *stream) span(i, j int) (int, int) { return int(s.start[i]), int(s.end[j-1]) }

// buildWords writes the word stream of text into s: folded word characters,
// with every run of other characters (spaces, punctuation, emoji) turned into
// one space, so a phrase matches its words across punctuation and line breaks.
func buildWords(s *stream, text string, track bool) {
	s.reset(track)
	sep, sepFrom := false, 0
	for i := 0; i < len(text); {
		if c := text[i]; c < 0x80 { // fast path: most posts are mostly ASCII
			switch l := asciiLower[c]; {
			case asciiWord[c]:
				if sep && len(s.b) > 0 {
					s.add(' ', sepFrom, i)
				}
				sep = false
				if track {
					s.add(rune(l), i, i+1)
				} else {
					s.b = append(s.b, l)
				}
			case !sep:
				sep, sepFrom = true, i
			}
			i++
			continue
		}
		r, n := utf8.DecodeRuneInString(text[i:])
		f := fold(r)
		switch {
		case f < 0:
			if !sep {
				s.extend(i + n)
			}
		case isWord(f):
			if sep && len(s.b) > 0 {
				s.add(' ', sepFrom, i)
			}
			sep = false
			s.add(f, i, i+n)
		case !sep:
			sep, sepFrom = true, i
		}
		i += n
	}
}

// buildSymbols writes the symbol stream of text into s: folded characters,
// punctuation and symbols kept, every run of white space turned into one
// space. Terms that contain symbols ("C++", "$ACME") are matched here.
func buildSymbols(s *stream, text string, track bool) {
	s.reset(track)
	sep, sepFrom := false, 0
	for i := 0; i < len(text); {
		if c := text[i]; c < 0x80 {
			if asciiSpace[c] {
				if !sep {
					sep, sepFrom = true, i
				}
			} else {
				if sep && len(s.b) > 0 {
					s.add(' ', sepFrom, i)
				}
				sep = false
				if track {
					s.add(rune(asciiLower[c]), i, i+1)
				} else {
					s.b = append(s.b, asciiLower[c])
				}
			}
			i++
			continue
		}
		r, n := utf8.DecodeRuneInString(text[i:])
		f := fold(r)
		switch {
		case f < 0:
			if !sep {
				s.extend(i + n)
			}
		case unicode.IsSpace(f) || unicode.Is(unicode.Cf, f):
			if !sep {
				sep, sepFrom = true, i
			}
		default:
			if sep && len(s.b) > 0 {
				s.add(' ', sepFrom, i)
			}
			sep = false
			s.add(f, i, i+n)
		}
		i += n
	}
}

// normTerm folds a plain term the way text is folded and says which stream it
// belongs to: the word stream when it holds only word characters and spaces.
func normTerm(term string) (norm string, words bool) {
	var s stream
	buildSymbols(&s, term, false)
	words = true
	for _, r := range string(s.b) {
		if r != ' ' && !isWord(r) {
			words = false
			break
		}
	}
	return string(s.b), words
}

// isTagRune reports whether r may appear in a hashtag.
func isTagRune(r rune) bool { return r == '_' || isWord(r) }

// hashtags calls fn with each hashtag of text: folded, without its '#', and
// with the original byte span of the whole "#tag". The tag is only valid
// during the call. A '#' after a word
// character ("C#", "page#top") or after '&' (an HTML entity) starts none.
func hashtags(text string, fn func(tag []byte, from, to int)) {
	var buf []byte
	for i := 0; i < len(text); {
		// Jump to the next '#' or full-width '＃': most posts have few.
		at, n := strings.IndexByte(text[i:], '#'), 1
		if wide := strings.Index(text[i:], "＃"); wide >= 0 && (at < 0 || wide < at) {
			at, n = wide, len("＃")
		}
		if at < 0 {
			return
		}
		at += i
		i = at + n
		if at > 0 {
			prev, _ := utf8.DecodeLastRuneInString(text[:at])
			if f := fold(prev); f < 0 || f == '&' || isTagRune(f) {
				continue
			}
		}
		buf = buf[:0]
		for i < len(text) {
			r, n2 := utf8.DecodeRuneInString(text[i:])
			f := fold(r)
			if f >= 0 && !isTagRune(f) {
				break
			}
			if f >= 0 {
				buf = utf8.AppendRune(buf, f)
			}
			i += n2
		}
		if len(buf) > 0 {
			fn(buf, at, i)
		}
	}
}

// normTag folds a hashtag written with or without its leading '#'.
func normTag(tag string) string {
	tag = strings.TrimSpace(tag)
	tag = strings.TrimPrefix(strings.TrimPrefix(tag, "#"), "＃")
	var b []byte
	for _, r := range tag {
		if f := fold(r); f >= 0 {
			b = utf8.AppendRune(b, f)
		}
	}
	return string(b)
}

// normAccount normalises a handle: white space trimmed, one leading '@'
// dropped, lower-cased. "@Alice@Mastodon.Social" becomes
// "alice@mastodon.social"; Bluesky handles and DIDs are only lower-cased;
// an X account written user@twitter.com becomes user@x.com.
func normAccount(h string) string {
	h = strings.TrimSpace(h)
	h = strings.TrimPrefix(h, "@")
	h = strings.ToLower(h)
	if user, ok := strings.CutSuffix(h, "@twitter.com"); ok {
		h = user + "@x.com"
	}
	return h
}

// normLang reduces a language tag ("en-US", "pt_BR", "EN") to its lower-case
// primary subtag; "und" and "" mean unknown and give "".
func normLang(l string) string {
	l = strings.TrimSpace(l)
	if i := strings.IndexAny(l, "-_"); i >= 0 {
		l = l[:i]
	}
	l = strings.ToLower(l)
	if l == "und" {
		return ""
	}
	return l
}
