package topic

import (
	"strings"
	"testing"
	"unicode"
	"unicode/utf8"
)

// refJoins is the slow, separate statement of "no boundary between this
// character and a word character next to it".
func refJoins(r rune) bool {
	if !(unicode.IsLetter(r) || unicode.IsDigit(r) || unicode.IsMark(r)) {
		return false
	}
	return !(r == 0x30fc || unicode.In(r, unicode.Han, unicode.Hiragana, unicode.Katakana,
		unicode.Hangul, unicode.Thai, unicode.Lao, unicode.Khmer, unicode.Myanmar))
}

// refOccurs is the slow reference for a plain term: fold both sides, then try
// every position with strings.Index and check the boundaries by hand.
func refOccurs(term, text string) bool {
	key, words := normTerm(strings.TrimSpace(term))
	var s stream
	if words {
		buildWords(&s, text, false)
	} else {
		buildSymbols(&s, text, false)
	}
	b := string(s.b)
	first, _ := utf8.DecodeRuneInString(key)
	last, _ := utf8.DecodeLastRuneInString(key)
	for i := 0; i <= len(b); {
		j := strings.Index(b[i:], key)
		if j < 0 {
			return false
		}
		start, end := i+j, i+j+len(key)
		before, _ := utf8.DecodeLastRuneInString(b[:start])
		after, _ := utf8.DecodeRuneInString(b[end:])
		okStart := start == 0 || !refJoins(first) || !refJoins(before)
		okEnd := end == len(b) || !refJoins(last) || !refJoins(after)
		if okStart && okEnd {
			return true
		}
		i = start + 1
	}
	return false
}

func FuzzMatch(f *testing.F) {
	f.Add("I love my cat and climate-change", "cat|climate change|dog")
	f.Add("東京タワー #東京 iPhoneを買った", "東京|iphone|タワー")
	f.Add("buy $ACME c++ 🔥🔥 Café Mu\u0308ller", "$acme|C++|🔥|cafe|müller")
	f.Add("a\u0301\u0301 ' ’ x", "a|'|x ’")
	f.Add(strings.Repeat("ab", 50), "ab|ba|abab|b a")
	f.Fuzz(func(t *testing.T, text, termList string) {
		var terms []string
		for _, s := range strings.Split(termList, "|") {
			s = strings.TrimSpace(s)
			if s != "" && !strings.HasPrefix(s, "/") && utf8.RuneCountInString(s) <= MaxTermLen {
				terms = append(terms, s)
			}
		}
		if len(terms) == 0 {
			return
		}
		fixed := Topic{ID: 2, Any: []string{"the", "a b"}, None: []string{"x"}, Hashtags: []string{"tag"}}
		m, err := Compile([]Topic{{ID: 1, Any: terms}, fixed, {ID: 3, All: terms}})
		if err != nil {
			return // a term with nothing to match
		}
		hits := m.Match(Post{Text: text, Tags: []string{"tag"}})
		found := map[string]bool{}
		for _, term := range terms {
			if refOccurs(term, text) {
				found[strings.TrimSpace(term)] = true
			}
		}
		matched1 := false
		for _, h := range hits {
			if h.TopicID == 1 {
				matched1 = true
			}
			for _, term := range h.Terms {
				if h.TopicID == 2 && term == "#tag" {
					continue
				}
				if !refOccurs(term, text) {
					t.Errorf("topic %d reports %q, which does not occur in %q", h.TopicID, term, text)
				}
			}
		}
		if matched1 != (len(found) > 0) {
			t.Errorf("topic 1 matched=%v, reference found %v in %q", matched1, found, text)
		}
		for _, sp := range m.Spans(1, text) {
			if sp.Start < 0 || sp.End > len(text) || sp.Start >= sp.End {
				t.Fatalf("span %+v out of %d bytes", sp, len(text))
			}
			if !refOccurs(sp.Term, text[sp.Start:sp.End]) {
				t.Errorf("span %+v = %q does not hold its term", sp, text[sp.Start:sp.End])
			}
		}
	})
}
