package voice

import (
	"math"
	"regexp"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/rivo/uniseg"
	"mvdan.cc/xurls/v2"
)

// Patterns of links (with or without a scheme, as xurls' relaxed matching
// sees them: platforms such as X turn example.com into a link), mentions
// and hashtags. Compiled once; regexps are safe for concurrent use.
var (
	linkPattern    = xurls.Relaxed()
	mentionPattern = regexp.MustCompile(`@[\p{L}\p{N}_][\p{L}\p{N}_.\-]*(?:@[\p{L}\p{N}.\-]+)?`)
	hashtagPattern = regexp.MustCompile(`#[\p{L}\p{M}\p{N}_]+`)
)

// span is a byte range of a text.
type span struct{ start, end int }

// afterWord reports whether the byte before i continues a word (so a # or
// @ there does not start a hashtag or mention, as in "C#" or "a@b").
func afterWord(text string, i int) bool {
	if i == 0 {
		return false
	}
	r, _ := utf8.DecodeLastRuneInString(text[:i])
	return wordRune(r) || r == '#' || r == '@' || r == '/'
}

// linkSpans are the links in text. A link holds no space and has a dot
// in its host, so only the words that may hold one go through the (slow)
// link pattern.
func linkSpans(text string) []span {
	var out []span
	for start := 0; start < len(text); {
		// The next word: from a non-space to the next space.
		i := strings.IndexFunc(text[start:], func(r rune) bool { return !unicode.IsSpace(r) })
		if i < 0 {
			break
		}
		start += i
		end := strings.IndexFunc(text[start:], unicode.IsSpace)
		if end < 0 {
			end = len(text)
		} else {
			end += start
		}
		if word := text[start:end]; mayLink(word) {
			for _, m := range linkPattern.FindAllStringIndex(word, -1) {
				if m := word[m[0]:m[1]]; strings.Contains(m, "@") && !strings.Contains(m, "://") {
					continue // an e-mail address, not a link
				}
				out = append(out, span{start + m[0], start + m[1]})
			}
		}
		start = end
	}
	return out
}

// mayLink reports whether word could hold a link: a scheme, or a dot
// followed by a letter (a host's last dot: "here." holds none).
func mayLink(word string) bool {
	if strings.Contains(word, "://") {
		return true
	}
	for i := strings.IndexByte(word, '.'); i >= 0 && i+1 < len(word); {
		if r, _ := utf8.DecodeRuneInString(word[i+1:]); unicode.IsLetter(r) {
			return true
		}
		j := strings.IndexByte(word[i+1:], '.')
		if j < 0 {
			break
		}
		i += 1 + j
	}
	return false
}

// hashtagSpans are the hashtags in text, outside links: # and letters,
// digits or _, not all digits, not glued to a word before it.
func hashtagSpans(text string, links []span) []span {
	if strings.IndexByte(text, '#') < 0 {
		return nil
	}
	var out []span
	for _, m := range hashtagPattern.FindAllStringIndex(text, -1) {
		if afterWord(text, m[0]) || inside(links, m[0]) {
			continue
		}
		body := text[m[0]+1 : m[1]]
		if strings.IndexFunc(body, func(r rune) bool { return !unicode.IsDigit(r) }) < 0 {
			continue
		}
		out = append(out, span{m[0], m[1]})
	}
	return out
}

// wordsOf is text with its links, hashtags and mentions blanked out:
// what people read as words.
func wordsOf(text string, links, hashtags []span) string {
	var cut []span
	cut = append(cut, links...)
	cut = append(cut, hashtags...)
	if strings.IndexByte(text, '@') >= 0 {
		for _, m := range mentionPattern.FindAllStringIndex(text, -1) {
			if !afterWord(text, m[0]) {
				cut = append(cut, span{m[0], m[1]})
			}
		}
	}
	if len(cut) == 0 {
		return text
	}
	b := []byte(text)
	for _, s := range cut {
		for i := s.start; i < s.end; i++ {
			b[i] = ' '
		}
	}
	return string(b)
}

func inside(spans []span, i int) bool {
	for _, s := range spans {
		if i >= s.start && i < s.end {
			return true
		}
	}
	return false
}

func wordRune(r rune) bool {
	return unicode.IsLetter(r) || unicode.IsDigit(r) || unicode.Is(unicode.Mn, r) || r == '_'
}

// emojiCount counts the emoji in text as people see them: one per
// grapheme cluster, so a family joined by zero-width joiners, a flag or a
// thumbs-up with a skin tone is one.
func emojiCount(text string) int {
	n := 0
	state := -1
	for len(text) > 0 {
		var cluster string
		cluster, text, _, state = uniseg.FirstGraphemeClusterInString(text, state)
		if isEmoji(cluster) {
			n++
		}
	}
	return n
}

// isEmoji reports whether one grapheme cluster is an emoji: a flag (two
// regional indicators), a keycap, or a pictograph shown as an emoji (wide,
// or asking for emoji presentation with U+FE0F). Text-style symbols such
// as © and ™ are not.
func isEmoji(cluster string) bool {
	first, _ := utf8.DecodeRuneInString(cluster)
	switch {
	case first >= 0x1F1E6 && first <= 0x1F1FF:
		return utf8.RuneCountInString(cluster) >= 2
	case strings.ContainsRune(cluster, '\u20E3'):
		return true
	case !pictographic(first):
		return false
	}
	return strings.ContainsRune(cluster, '\uFE0F') || uniseg.StringWidth(cluster) >= 2
}

// pictographic reports whether r is Extended_Pictographic. Go's unicode
// tables do not carry emoji properties but the grapheme segmenter does:
// a zero-width joiner glues two pictographs into one cluster (rule GB11)
// and nothing else, so r is one when r, ZWJ, 😀 stays one cluster.
func pictographic(r rune) bool {
	if r < 0xA9 || r == utf8.RuneError {
		return false
	}
	probe := string(r) + "\u200D\U0001F600"
	c, _, _, _ := uniseg.FirstGraphemeClusterInString(probe, -1)
	return c == probe
}

// shouting returns the share, in percent, of capitals among the cased
// letters of the words of at least minLen letters in text (links,
// mentions and hashtags left out), and how many letters it counted.
func shouting(words string, minLen int) (percent float64, letters int) {
	upper := 0
	for _, w := range strings.FieldsFunc(words, func(r rune) bool { return !unicode.IsLetter(r) && !unicode.Is(unicode.Mn, r) }) {
		if utf8.RuneCountInString(w) < minLen {
			continue
		}
		for _, r := range w {
			switch {
			case unicode.IsUpper(r) || unicode.IsTitle(r):
				upper++
				letters++
			case unicode.IsLower(r):
				letters++
			}
		}
	}
	if letters == 0 {
		return 0, 0
	}
	return float64(upper) * 100 / float64(letters), letters
}

// MinReadabilityWords is the fewest words a text needs for its reading
// ease to mean something; shorter texts are not scored.
const MinReadabilityWords = 10

// Readability is the Flesch reading ease of English text:
//
//	206.835 − 1.015 × (words ÷ sentences) − 84.6 × (syllables ÷ words)
//
// Higher is easier: 60–70 is plain English, under 30 is hard to read.
// Words are runs of letters (an apostrophe inside a word keeps it one
// word); sentences end at . ! ? … or a line break; syllables are counted
// by vowel groups. ok is false when there are fewer than
// MinReadabilityWords words.
func Readability(words string) (score float64, nwords int, ok bool) {
	sentences, syllables := 0, 0
	inSentence := false
	for _, line := range strings.Split(words, "\n") {
		for _, w := range splitWords(line) {
			nwords++
			syllables += Syllables(w)
			inSentence = true
		}
		// Sentence ends inside the line.
		for i, r := range line {
			if !strings.ContainsRune(".!?…", r) {
				continue
			}
			next, _ := utf8.DecodeRuneInString(line[i+utf8.RuneLen(r):])
			if next == utf8.RuneError || unicode.IsSpace(next) || next == '"' || next == '\'' || next == ')' {
				if hasWordBefore(line[:i]) {
					sentences++
				}
			}
		}
		// A line that ends without a stop still ends its sentence.
		trimmed := strings.TrimRightFunc(line, func(r rune) bool { return unicode.IsSpace(r) || r == '"' || r == '\'' || r == ')' })
		if last, _ := utf8.DecodeLastRuneInString(trimmed); inSentence && trimmed != "" && !strings.ContainsRune(".!?…", last) && hasWordBefore(trimmed) {
			sentences++
		}
		inSentence = false
	}
	if nwords < MinReadabilityWords {
		return 0, nwords, false
	}
	if sentences == 0 {
		sentences = 1
	}
	score = 206.835 - 1.015*float64(nwords)/float64(sentences) - 84.6*float64(syllables)/float64(nwords)
	return math.Round(score*10) / 10, nwords, true
}

func hasWordBefore(s string) bool {
	return strings.IndexFunc(s, unicode.IsLetter) >= 0
}

// splitWords splits text into words: runs of letters, with apostrophes
// between letters kept inside.
func splitWords(text string) []string {
	var out []string
	for _, f := range strings.FieldsFunc(text, func(r rune) bool {
		return !unicode.IsLetter(r) && !unicode.Is(unicode.Mn, r) && r != '\'' && r != '’'
	}) {
		if f = strings.Trim(f, "'’"); f != "" {
			out = append(out, f)
		}
	}
	return out
}

// Syllables estimates the syllables of an English word: groups of vowels
// (y counts), less a silent final e (but not -le after a consonant), at
// least one.
func Syllables(word string) int {
	w := []rune(strings.ToLower(word))
	if len(w) <= 3 {
		return 1
	}
	n := 0
	prev := false
	for _, r := range w {
		v := vowel(r)
		if v && !prev {
			n++
		}
		prev = v
	}
	if last := len(w) - 1; w[last] == 'e' && n > 1 && !(w[last-1] == 'l' && !vowel(w[last-2])) {
		n--
	}
	if n < 1 {
		n = 1
	}
	return n
}

func vowel(r rune) bool {
	switch r {
	case 'a', 'e', 'i', 'o', 'u', 'y', 'à', 'á', 'â', 'ä', 'è', 'é', 'ê', 'ë', 'ì', 'í', 'î', 'ï', 'ò', 'ó', 'ô', 'ö', 'ù', 'ú', 'û', 'ü':
		return true
	}
	return false
}

// findPhrase finds phrase in text as whole words, whatever the case, and
// returns it as written in text.
func findPhrase(text, phrase string) (string, bool) {
	p := foldRunes(strings.TrimSpace(phrase))
	i, ok := findFolded(foldRunes(text), p)
	if !ok {
		return "", false
	}
	return string([]rune(text)[i : i+len(p)]), true
}

// findFolded finds the folded phrase p in the folded text lt as whole
// words and returns the rune index where it starts.
func findFolded(lt, p []rune) (int, bool) {
	if len(p) == 0 {
		return 0, false
	}
	for i := 0; i+len(p) <= len(lt); i++ {
		if lt[i] != p[0] || !equalRunes(lt[i:i+len(p)], p) {
			continue
		}
		startOK := i == 0 || !wordRune(lt[i-1]) || !wordRune(p[0])
		end := i + len(p)
		endOK := end == len(lt) || !wordRune(lt[end]) || !wordRune(p[len(p)-1])
		if startOK && endOK {
			return i, true
		}
	}
	return 0, false
}

// foldRunes lower-cases rune by rune, so indexes match the original's.
func foldRunes(s string) []rune {
	rs := []rune(s)
	for i, r := range rs {
		rs[i] = unicode.ToLower(r)
	}
	return rs
}

func equalRunes(a, b []rune) bool {
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}
