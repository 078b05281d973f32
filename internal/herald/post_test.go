package herald_test

import (
	"strings"
	"testing"

	"github.com/heraldsocial/herald/internal/herald"
)

func TestShortTitle(t *testing.T) {
	long := strings.Repeat("word ", 20)
	for _, c := range []struct{ title, text, want string }{
		{"Launch", "anything", "Launch"},
		{"", "  Fresh\n\nbeans   today ", "Fresh beans today"},
		{"", long, strings.Repeat("word ", 11) + "word…"},
		{"", "", ""},
	} {
		if got := herald.ShortTitle(c.title, c.text); got != c.want {
			t.Errorf("ShortTitle(%q, %q) = %q, want %q", c.title, c.text, got, c.want)
		}
	}
}
