package web

import (
	"strings"
	"testing"
)

func TestFold(t *testing.T) {
	segs := []segment{{Text: "Hello there, this is a text "}, {Kind: "link", Text: "https://example.com/x"}, {Text: " and more"}}
	join := func(ss []segment) string {
		var b strings.Builder
		for _, s := range ss {
			b.WriteString(s.Text)
		}
		return b.String()
	}
	for _, c := range []struct {
		n          int
		head, tail string
	}{
		{0, "Hello there, this is a text https://example.com/x and more", ""},
		{200, "Hello there, this is a text https://example.com/x and more", ""},
		{16, "Hello there, ", "this is a text https://example.com/x and more"},
		{30, "Hello there, this is a text ", "https://example.com/x and more"}, // a link is never cut
		{3, "Hel", "lo there, this is a text https://example.com/x and more"},  // no space near: cut where it falls
	} {
		h, tl := fold(segs, c.n)
		if join(h) != c.head || join(tl) != c.tail {
			t.Errorf("fold at %d = %q | %q, want %q | %q", c.n, join(h), join(tl), c.head, c.tail)
		}
	}
}
