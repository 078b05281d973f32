package mastodon

import (
	"strings"
	"testing"

	"github.com/rivo/uniseg"
)

// FuzzLength checks Mastodon's measuring of any status: never negative,
// the content warning adds its own grapheme count, text without links or
// mentions counts its graphemes, and a longer URL allowance never makes a
// status shorter.
func FuzzLength(f *testing.F) {
	for _, s := range []string{
		"", "hello", "👍🏽 👨‍👩‍👧 🇫🇷", "see https://example.com/a?b=c.", "@alice@example.social hi @bob",
		"me@example.com", "https://", "@a@b", "x=@y", "@ünï@dömäin.tld", "http://a.b/@c@d",
		"\xff\xfe", "a\u0301\u0301", "https://example.com/" + strings.Repeat("a", 50),
	} {
		f.Add(s, "", 23)
		f.Add(s, "CW: spoilers", 0)
	}
	f.Fuzz(func(t *testing.T, text, spoiler string, urlChars int) {
		if urlChars > 1000 || urlChars < -1000 {
			urlChars %= 1000
		}
		n := Length(text, spoiler, urlChars)
		if n < 0 {
			t.Fatalf("Length = %d", n)
		}
		if got := Length(text, "", urlChars) + uniseg.GraphemeClusterCount(spoiler); got != n {
			t.Fatalf("the content warning changes the text's count: %d, want %d", n, got)
		}
		if !strings.Contains(text, "@") && !strings.Contains(strings.ToLower(text), "http") {
			if g := uniseg.GraphemeClusterCount(text); Length(text, "", urlChars) != g {
				t.Fatalf("plain text counts %d, want its %d graphemes", Length(text, "", urlChars), g)
			}
		}
		if urlChars > 0 && Length(text, "", urlChars+10) < Length(text, "", urlChars) {
			t.Fatalf("a longer URL allowance made %q shorter", text)
		}
	})
}
