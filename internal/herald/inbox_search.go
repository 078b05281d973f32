package herald

import (
	"strings"
	"unicode"
)

// InboxSearchTerms splits an inbox search into the words and "quoted
// phrases" a full-text index matches (every term must match). handle is
// true when the search is a handle ("@name") or has no letter or digit:
// such searches keep matching the text, handle and name as substrings.
func InboxSearchTerms(q string) (terms []string, handle bool) {
	q = strings.TrimSpace(q)
	if q == "" {
		return nil, false
	}
	if strings.HasPrefix(q, "@") && !strings.ContainsFunc(q, unicode.IsSpace) {
		return nil, true
	}
	if !strings.ContainsFunc(q, func(r rune) bool { return unicode.IsLetter(r) || unicode.IsDigit(r) }) {
		return nil, true
	}
	for q != "" {
		q = strings.TrimLeftFunc(q, unicode.IsSpace)
		if q == "" {
			break
		}
		var term string
		if q[0] == '"' {
			end := strings.IndexByte(q[1:], '"')
			if end < 0 {
				term, q = q[1:], ""
			} else {
				term, q = q[1:1+end], q[2+end:]
			}
		} else {
			end := strings.IndexFunc(q, unicode.IsSpace)
			if end < 0 {
				end = len(q)
			}
			term, q = q[:end], q[end:]
		}
		if term = strings.TrimSpace(term); strings.ContainsFunc(term, func(r rune) bool {
			return unicode.IsLetter(r) || unicode.IsDigit(r)
		}) {
			terms = append(terms, term)
		}
	}
	return terms, false
}
