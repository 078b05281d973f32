package xtext

import (
	"strings"
	"testing"
)

func TestWeightedLength(t *testing.T) {
	const url = "https://example.com/a/rather/long/path/that/is/longer/than/23/characters?with=query"
	tests := []struct {
		name  string
		text  string
		want  int
		valid bool
	}{
		{"empty", "", 0, true},
		{"ascii", "Hello, world", 12, true},
		{"ascii at the limit", strings.Repeat("a", 280), 280, true},
		{"ascii one over", strings.Repeat("a", 281), 281, false},
		{"newlines count", "a\nb\r\nc", 6, true},
		{"latin-1 and greek weigh 1", "déjà vu αβγ", 11, true},
		{"cyrillic and arabic weigh 1", "привет مرحبا", 12, true},
		{"cjk weighs 2", "日本語", 6, true},
		{"cjk at the limit", strings.Repeat("中", 140), 280, true},
		{"cjk one over", strings.Repeat("中", 141), 282, false},
		{"hiragana", "こんにちは", 10, true},
		{"hangul syllables weigh 2", "안녕", 4, true},
		{"hangul jamo compose under NFC", "\u1100\u1161", 2, true},
		{"combining acute composes under NFC", "e\u0301", 1, true},
		{"combining mark without precomposed form", "q\u0307", 2, true},
		{"general punctuation in range", "\u2014\u2019\u201C\u201D\u2032", 5, true},
		{"ellipsis is outside the ranges", "\u2026", 2, true},
		{"euro sign", "€", 2, true},
		{"en quad through zero width joiner", "\u2000\u200D", 2, true},
		{"single emoji", "😀", 2, true},
		{"emoji with skin tone", "👍🏽", 2, true},
		{"zwj family", "👨\u200D👩\u200D👧\u200D👦", 2, true},
		{"zwj with skin tones", "🧑🏿\u200D🤝\u200D🧑🏻", 2, true},
		{"flag", "🇯🇵", 2, true},
		{"two flags", "🇯🇵🇫🇷", 4, true},
		{"keycap with selector", "1\uFE0F\u20E3", 2, true},
		{"keycap without selector", "#\u20E3", 2, true},
		{"tag sequence flag", "🏴\U000E0067\U000E0062\U000E0073\U000E0063\U000E0074\U000E007F", 2, true},
		{"heart with selector", "❤\uFE0F", 2, true},
		{"heart on fire", "❤\uFE0F\u200D🔥", 2, true},
		{"copyright alone is text", "©", 1, true},
		{"copyright as emoji", "©\uFE0F", 2, true},
		{"text selector is not emoji", "a\uFE0F", 3, true},
		{"emoji at the limit", strings.Repeat("😀", 140), 280, true},
		{"emoji one over", strings.Repeat("😀", 141), 282, false},
		{"zwj emoji at the limit", strings.Repeat("👩\u200D💻", 140), 280, true},
		{"url with scheme", url, 23, true},
		{"short url with scheme", "http://a.io", 23, true},
		{"url without scheme", "example.com", 23, true},
		{"url without scheme with path", "example.com/path?q=1", 23, true},
		{"url in a sentence", "Visit example.com!", 6 + 23 + 1, true},
		{"trailing period is not part of the url", "see https://example.com.", 4 + 23 + 1, true},
		{"url in parentheses", "(https://en.wikipedia.org/wiki/Go_(language))", 1 + 23 + 1, true},
		{"unicode host with scheme", "https://例え.jp/x", 23, true},
		{"two urls", "a.com b.org", 23 + 1 + 23, true},
		{"email is not a url", "me@example.com", 14, true},
		{"mention", "@herald", 7, true},
		{"hashtag", "#golang", 7, true},
		{"cashtag", "$TWTR", 5, true},
		{"country-code name without path", "notes.md", 8, true},
		{"country-code name with path", "example.jp/x", 23, true},
		{"t.co", "t.co", 23, true},
		{"url after a hash sign", "#example.com", 12, true},
		{"url glued to a word with scheme", "xhttps://example.com", 20, true},
		{"url after another scheme's slashes", "ftp://example.com/x", 19, true},
		{"url at the limit", strings.Repeat("a", 256) + " " + url, 280, true},
		{"url one over", strings.Repeat("a", 257) + " " + url, 281, false},
		{"mixed", "Hello 世界 👋🏾 https://go.dev #go", 6 + 4 + 1 + 2 + 1 + 23 + 4, true},
		{"byte order mark is refused", "a\uFEFFb", 4, false},
		{"non-character is refused", "a\uFFFE", 3, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := Parse(tt.text)
			if r.WeightedLength != tt.want || r.Valid != tt.valid {
				t.Errorf("Parse(%q) = length %d valid %v; want %d %v", tt.text, r.WeightedLength, r.Valid, tt.want, tt.valid)
			}
			if got := WeightedLength(tt.text); got != tt.want {
				t.Errorf("WeightedLength(%q) = %d; want %d", tt.text, got, tt.want)
			}
		})
	}
}

func TestValidEnd(t *testing.T) {
	tests := []struct {
		name string
		text string
		want int // bytes that fit
	}{
		{"fits", "hello", 5},
		{"ascii over", strings.Repeat("a", 285), 280},
		{"cjk over", strings.Repeat("中", 141), 140 * 3},
		{"emoji is not split", strings.Repeat("a", 279) + "👍🏽", 279},
		{"url is not split", strings.Repeat("a", 269) + " https://example.com/x", 270},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := Parse(tt.text).ValidEnd; got != tt.want {
				t.Errorf("ValidEnd = %d; want %d", got, tt.want)
			}
		})
	}
}

func TestPermillageAndURLs(t *testing.T) {
	r := Parse(strings.Repeat("a", 140))
	if r.Permillage != 500 {
		t.Errorf("Permillage = %d; want 500", r.Permillage)
	}
	r = Parse("go to https://go.dev/doc and example.org now")
	want := []Span{{6, 24}, {29, 40}}
	if len(r.URLs) != len(want) {
		t.Fatalf("URLs = %v; want %v", r.URLs, want)
	}
	for i := range want {
		if r.URLs[i] != want[i] {
			t.Errorf("URLs[%d] = %v; want %v", i, r.URLs[i], want[i])
		}
	}
}

func TestConfigWithoutEmojiParsing(t *testing.T) {
	c := V3()
	c.EmojiParsing = false
	// 👍 and the skin tone weigh 2 each without emoji parsing.
	if got := c.Parse("👍🏽").WeightedLength; got != 4 {
		t.Errorf("without emoji parsing = %d; want 4", got)
	}
}

func TestParseNeverPanics(t *testing.T) {
	inputs := []string{"\xff\xfe", "a\x00b", strings.Repeat("\u0301", 50), "\u200D\u200D", "🇯", "1\uFE0F", "🏴\U000E0067"}
	for _, s := range inputs {
		r := Parse(s)
		if r.WeightedLength < 0 || r.ValidEnd > len(r.Normalized) {
			t.Errorf("Parse(%q) = length %d, valid end %d of %d", s, r.WeightedLength, r.ValidEnd, len(r.Normalized))
		}
	}
}
