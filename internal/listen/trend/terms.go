package trend

import (
	"strings"
	"unicode"
	"unicode/utf8"
)

// MinTermRunes is the shortest word, in characters, that Terms keeps.
// Shorter words ("ok", "je", "of") are almost always noise in trend lists;
// hashtags are exempt because someone chose them deliberately.
const MinTermRunes = 3

// Terms returns the distinct terms of one post, in order of first appearance:
// lower-cased words and hashtags (hashtags keep their '#').
//
// How a post is cut into terms:
//   - the text is split on white space; a piece containing "://", starting with
//     "www." or shaped like "domain.tld/path" is a link and is skipped whole,
//     and so is any piece containing '@' (mentions such as @ana or
//     @ana@example.social, and e-mail addresses);
//   - a piece starting with '#' is a hashtag: '#' followed by the letters,
//     digits, combining marks and underscores after it, in any script
//     (#café, #東京, #праздник); a hashtag without a letter (#1) is dropped;
//   - anything else is split into words at every character that is not a
//     letter, a digit or a combining mark, so punctuation, emoji and
//     apostrophes separate words ("l'été" gives "été");
//   - words of only digits, words shorter than MinTermRunes characters and
//     stop words are dropped. Stop words are those of lang (an ISO 639-1 code
//     such as "de" or "pt-BR") together with the English ones, because posts
//     in every language quote English; when lang is empty or not one of
//     en, de, fr, es, pt, it, nl, the stop words of all of them are used.
//     Hashtags are never stop words.
//
// Each term appears once however often the post repeats it, so counts of
// terms are counts of posts. Bigrams (two-word phrases) are not produced:
// they would multiply the number of distinct terms a Counter must hold by
// about the number of words per post, and hashtags already carry most
// multi-word topics. Text is not Unicode-normalised; platforms deliver NFC.
// Scripts written without spaces (Chinese, Japanese, Thai) are not segmented:
// a run of such letters is one word, so there hashtags are the useful terms.
func Terms(text, lang string) []string {
	stop := stopWordsFor(lang)
	var out []string
	seen := make(map[string]struct{}, 16)
	add := func(t string) {
		if _, ok := seen[t]; ok {
			return
		}
		seen[t] = struct{}{}
		out = append(out, t)
	}
	eachToken(text, func(tok string, hashtag bool) {
		if hashtag {
			add(tok)
			return
		}
		if keepWord(tok) {
			w := strings.ToLower(tok)
			if _, isStop := stop[w]; !isStop {
				add(w)
			}
		}
	})
	return out
}

// eachToken calls yield for every word of text (as written) and every
// hashtag (lower-cased, with its '#'), skipping links and mentions, with the
// rules described at Terms.
func eachToken(text string, yield func(tok string, hashtag bool)) {
	for piece := range strings.FieldsSeq(text) {
		if isLinkOrMention(piece) {
			continue
		}
		for len(piece) > 0 {
			r, size := utf8.DecodeRuneInString(piece)
			if r == '#' || r == '＃' {
				tag, rest := cutHashtag(piece[size:])
				piece = rest
				if tag != "" {
					yield("#"+tag, true)
				}
				continue
			}
			if !isWordRune(r) {
				piece = piece[size:]
				continue
			}
			word, rest := cutWord(piece)
			piece = rest
			yield(word, false)
		}
	}
}

// isWordRune reports whether r may be part of a word.
func isWordRune(r rune) bool {
	return unicode.IsLetter(r) || unicode.IsDigit(r) || unicode.Is(unicode.Mn, r) || unicode.Is(unicode.Mc, r)
}

// cutWord splits s after its leading run of word characters.
func cutWord(s string) (word, rest string) {
	for i, r := range s {
		if !isWordRune(r) {
			return s[:i], s[i:]
		}
	}
	return s, ""
}

// cutHashtag returns the lower-cased body of a hashtag whose '#' has already
// been removed, or "" when the body has no letter.
func cutHashtag(s string) (tag, rest string) {
	end := len(s)
	hasLetter := false
	for i, r := range s {
		if r == '_' || isWordRune(r) {
			hasLetter = hasLetter || unicode.IsLetter(r)
			continue
		}
		end = i
		break
	}
	if !hasLetter {
		return "", s[end:]
	}
	return strings.ToLower(s[:end]), s[end:]
}

// keepWord applies the length and digits-only rules.
func keepWord(w string) bool {
	n, digits := 0, 0
	for _, r := range w {
		n++
		if unicode.IsDigit(r) {
			digits++
		}
	}
	return n >= MinTermRunes && digits < n
}

// isLinkOrMention reports whether a white-space separated piece of text is a
// URL, a bare "domain.tld/path" link, a mention or an e-mail address.
func isLinkOrMention(p string) bool {
	if strings.ContainsRune(p, '@') || strings.Contains(p, "://") {
		return true
	}
	lp := strings.ToLower(strings.TrimLeft(p, "(<[\"'"))
	if strings.HasPrefix(lp, "www.") {
		return true
	}
	// example.com/path: a dot before the first slash, letters on both sides.
	slash := strings.IndexByte(lp, '/')
	if slash <= 0 {
		return false
	}
	dot := strings.LastIndexByte(lp[:slash], '.')
	return dot > 0 && dot < slash-1 && isASCIILetters(lp[dot+1:slash])
}

func isASCIILetters(s string) bool {
	for i := 0; i < len(s); i++ {
		if c := s[i]; c < 'a' || c > 'z' {
			return false
		}
	}
	return len(s) > 0
}
