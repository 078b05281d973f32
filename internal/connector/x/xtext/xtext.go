// Package xtext measures text the way X counts a post's length: the
// weighted length of the twitter-text library, version 3 configuration.
//
// The rules, in order:
//
//  1. The text is normalized to Unicode NFC first.
//  2. Every URL counts as TransformedURLLength (23) characters, whatever its
//     length, because X shortens it to a t.co link. URLs with an http or
//     https scheme always count; URLs without a scheme count when their host
//     is ASCII with a known top-level domain and they do not follow a
//     letter, digit, @, $, #, -, _, . or / (so e-mail addresses do not);
//     a bare name under a country-code domain ("notes.md") needs a path.
//  3. Every emoji sequence (a single emoji, an emoji with a skin tone or
//     variation selector, a ZWJ sequence, a keycap, a flag, a tag sequence)
//     counts as DefaultWeight, however many code points it has.
//  4. Every other code point weighs as its range says: code points in
//     0–4351 (Latin, Greek, Cyrillic, Hebrew, Arabic, Indic scripts, …),
//     8192–8205, 8208–8223 and 8242–8247 (spaces, dashes, quotes, primes)
//     weigh 100; all others (CJK, Hangul syllables, most symbols) weigh
//     DefaultWeight, 200.
//  5. The weighted length is the sum divided by Scale (100); a post is
//     within the limit when it is at most MaxWeightedLength (280).
package xtext

import (
	"regexp"
	"strings"
	"sync"
	"unicode/utf8"

	"github.com/rivo/uniseg"
	"golang.org/x/text/unicode/norm"
	"mvdan.cc/xurls/v2"
)

// Range gives the code points From through To (inclusive) a weight.
type Range struct {
	From, To rune
	Weight   int
}

// Config is a twitter-text counting configuration.
type Config struct {
	MaxWeightedLength    int
	Scale                int
	DefaultWeight        int
	TransformedURLLength int
	Ranges               []Range
	EmojiParsing         bool
}

// V3 returns the configuration X uses today (twitter-text config v3).
func V3() Config {
	return Config{
		MaxWeightedLength:    280,
		Scale:                100,
		DefaultWeight:        200,
		TransformedURLLength: 23,
		Ranges: []Range{
			{From: 0, To: 4351, Weight: 100},
			{From: 8192, To: 8205, Weight: 100},
			{From: 8208, To: 8223, Weight: 100},
			{From: 8242, To: 8247, Weight: 100},
		},
		EmojiParsing: true,
	}
}

// Result is a measured text.
type Result struct {
	// WeightedLength is the length as X counts it.
	WeightedLength int
	// Permillage is WeightedLength per thousand of the maximum.
	Permillage int
	// Valid is true when the text fits and has no characters X refuses.
	Valid bool
	// ValidEnd is the byte offset in Normalized up to which the text fits
	// within the maximum (len(Normalized) when it all fits).
	ValidEnd int
	// InvalidChars lists characters X refuses (U+FFFE, U+FEFF, U+FFFF).
	InvalidChars []rune
	// URLs are the URLs found, as byte ranges of Normalized.
	URLs []Span
	// Normalized is the NFC form that was measured.
	Normalized string
}

// Span is a byte range [Start, End) of a text.
type Span struct {
	Start, End int
}

// Parse measures text with the V3 configuration.
func Parse(text string) Result { return V3().Parse(text) }

// WeightedLength is Parse(text).WeightedLength.
func WeightedLength(text string) int { return Parse(text).WeightedLength }

// Parse measures text with c.
func (c Config) Parse(text string) Result {
	s := norm.NFC.String(text)
	r := Result{Normalized: s, URLs: FindURLs(s)}
	limit := c.MaxWeightedLength * c.Scale
	total := 0
	fits := true
	r.ValidEnd = len(s)
	add := func(w, end int) {
		total += w
		if fits && total > limit {
			fits = false
		}
		if fits {
			r.ValidEnd = end
		}
	}
	urls := r.URLs
	for i := 0; i < len(s); {
		if len(urls) > 0 && urls[0].Start == i {
			add(c.TransformedURLLength*c.Scale, urls[0].End)
			i = urls[0].End
			urls = urls[1:]
			continue
		}
		end := len(s)
		if len(urls) > 0 {
			end = urls[0].Start
		}
		cluster, _, _, _ := uniseg.FirstGraphemeClusterInString(s[i:end], -1)
		if cluster == "" { // cannot happen for a non-empty string; guard the loop anyway
			_, size := utf8.DecodeRuneInString(s[i:])
			cluster = s[i : i+size]
		}
		rest := cluster
		pos := i
		if c.EmojiParsing {
			if n := emojiPrefix(cluster); n > 0 {
				add(c.DefaultWeight, pos+n)
				rest = cluster[n:]
				pos += n
			}
		}
		for rest != "" {
			ch, size := utf8.DecodeRuneInString(rest)
			rest = rest[size:]
			if invalidChar(ch) {
				r.InvalidChars = append(r.InvalidChars, ch)
			}
			add(c.weight(ch), pos+size)
			pos += size
		}
		i += len(cluster)
	}
	r.WeightedLength = total / c.Scale
	if c.MaxWeightedLength > 0 {
		r.Permillage = r.WeightedLength * 1000 / c.MaxWeightedLength
	}
	r.Valid = fits && len(r.InvalidChars) == 0
	return r
}

func (c Config) weight(ch rune) int {
	for _, rg := range c.Ranges {
		if ch >= rg.From && ch <= rg.To {
			return rg.Weight
		}
	}
	return c.DefaultWeight
}

// invalidChar reports the characters twitter-text refuses in a post.
func invalidChar(ch rune) bool {
	return ch == 0xFFFE || ch == 0xFEFF || ch == 0xFFFF
}

// FindURLs returns the byte ranges of s that X counts as URLs.
func FindURLs(s string) []Span {
	var out []Span
	for _, m := range relaxed().FindAllStringIndex(s, -1) {
		if sp, ok := urlSpan(s, m[0], m[1]); ok {
			out = append(out, sp)
		}
	}
	return out
}

// relaxed returns xurls' relaxed matcher (a scheme, or a known TLD),
// compiled once: the expression is large, and a compiled regexp is
// immutable and safe for concurrent use.
var relaxed = sync.OnceValue(func() *regexp.Regexp { return xurls.Relaxed() })

// urlSpan decides whether the match s[start:end] counts as a URL for X,
// and which part of it.
func urlSpan(s string, start, end int) (Span, bool) {
	m := s[start:end]
	lower := strings.ToLower(m)
	switch {
	case strings.HasPrefix(lower, "http://"), strings.HasPrefix(lower, "https://"):
		if len(m) <= len("https://") {
			return Span{}, false
		}
		if start > 0 && precededByWord(s[:start]) {
			return Span{}, false
		}
		return Span{start, end}, true
	}
	// Another scheme (ftp://, mailto:…): X counts what follows the scheme
	// as a URL only if that part is one on its own.
	if i := strings.Index(m, "://"); i >= 0 {
		return urlSpan(s, start+i+3, end)
	}
	if i := strings.Index(lower, ":"); i >= 0 && !strings.Contains(m[:i], ".") {
		return Span{}, false
	}
	// Without a scheme: an ASCII host, no user part (e-mail addresses),
	// and not glued to a word or a path before it.
	if strings.ContainsAny(m, "@") {
		return Span{}, false
	}
	host := m
	if i := strings.IndexAny(host, "/?#:"); i >= 0 {
		host = host[:i]
	}
	for _, ch := range host {
		if ch >= utf8.RuneSelf {
			return Span{}, false
		}
	}
	// A bare name under a country code ("readme.md", "example.jp") is a
	// URL only with a path; .co and .tv are the exceptions (t.co).
	if host == m {
		labels := strings.Split(strings.ToLower(host), ".")
		if tld := labels[len(labels)-1]; len(labels) == 2 && len(tld) == 2 && tld != "co" && tld != "tv" {
			return Span{}, false
		}
	}
	if start > 0 {
		if precededByWord(s[:start]) {
			return Span{}, false
		}
		switch s[start-1] {
		case '-', '_', '.', '/':
			return Span{}, false
		}
	}
	return Span{start, end}, true
}

// precededByWord reports whether before ends in a character after which
// twitter-text does not start a URL.
func precededByWord(before string) bool {
	ch, _ := utf8.DecodeLastRuneInString(before)
	switch {
	case ch >= 'a' && ch <= 'z', ch >= 'A' && ch <= 'Z', ch >= '0' && ch <= '9':
		return true
	case ch == '@', ch == '＠', ch == '$', ch == '#', ch == '＃':
		return true
	case ch >= 0x202A && ch <= 0x202E:
		return true
	}
	return false
}
