package herald

import (
	"fmt"
	"unicode"
	"unicode/utf8"
)

// badRune returns the first rune of s that stored text may not hold, with
// its position in characters (counting from 1), or ok when there is none.
// Multi-line text may hold tab, line feed and carriage return; every other
// C0 control character (NUL among them: PostgreSQL text refuses it) and
// DEL are refused, and so is a byte sequence that is not UTF-8. A line
// (names, titles, file names) holds no control character at all, C1 ones
// included.
func badRune(s string, multiline bool) (r rune, at int, invalid, ok bool) {
	i := 0
	for off, c := range s {
		i++
		if c == utf8.RuneError {
			if _, size := utf8.DecodeRuneInString(s[off:]); size <= 1 {
				return c, i, true, false
			}
		}
		switch {
		case multiline && (c == '\n' || c == '\t' || c == '\r'):
		case multiline && (c < 0x20 || c == 0x7f):
			return c, i, false, false
		case !multiline && unicode.IsControl(c):
			return c, i, false, false
		}
	}
	return 0, 0, false, true
}

func textProblem(p *Problems, field, s string, multiline bool) {
	r, at, invalid, ok := badRune(s, multiline)
	switch {
	case ok:
	case invalid:
		p.Add(field, "is not valid UTF-8 (at character %d): send text encoded as UTF-8", at)
	case multiline:
		p.Add(field, "contains the control character %s at character %d: remove it (only tabs and line breaks are allowed)",
			runeName(r), at)
	default:
		p.Add(field, "contains the control character %s at character %d: remove it (a single line of text, without tabs or line breaks)",
			runeName(r), at)
	}
}

func runeName(r rune) string {
	if r == 0 {
		return "NUL (U+0000)"
	}
	return fmt.Sprintf("U+%04X", r)
}

// CheckText adds a problem under field when s, a multi-line text (a
// post's text, a comment, alt text), is not UTF-8 or holds a control
// character other than tab, line feed and carriage return.
func CheckText(p *Problems, field, s string) { textProblem(p, field, s, true) }

// CheckLine adds a problem under field when s, one line (a name, a title,
// a file name), is not UTF-8 or holds any control character.
func CheckLine(p *Problems, field, s string) { textProblem(p, field, s, false) }
