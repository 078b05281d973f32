package bluesky_test

import (
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/heraldsocial/herald/internal/connector/bluesky"
)

// FuzzDetectFacets checks facets found in any text: byte ranges inside the
// text, on UTF-8 boundaries, in order without overlap, and each span's
// text matching its kind and value.
func FuzzDetectFacets(f *testing.F) {
	for _, s := range []string{
		"", "hello", "@alice.bsky.social hi", "see https://example.com/a?b=c.", "#tag #другой #🚀 #123",
		"(example.com) and (https://x.org/a_(b))", "@a @b. @c.d.e- x", "ünïcödé #tàg https://é.com",
		"mail me@example.com", "#\u200b #a\u00adb", "\xff\xfe@bad.handle", "a\u0301@b.c #x\u0301",
		"https://", "@", "#", "##tag", "x.y.z", "@@alice.test", "‼️#tag", "#" + strings.Repeat("a", 100),
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, text string) {
		spans := bluesky.DetectFacets(text)
		boundary := boundaries(text)
		last := 0
		for i, sp := range spans {
			if sp.Start < 0 || sp.End > len(text) || sp.Start >= sp.End {
				t.Fatalf("span %d %+v is outside text of %d bytes", i, sp, len(text))
			}
			if sp.Start < last {
				t.Fatalf("span %d %+v overlaps or precedes the one before (ending at %d)", i, sp, last)
			}
			last = sp.End
			if !boundary[sp.Start] || !boundary[sp.End] {
				t.Fatalf("span %d %+v does not sit on UTF-8 boundaries of %q", i, sp, text)
			}
			got := text[sp.Start:sp.End]
			switch sp.Kind {
			case bluesky.FacetMention:
				if !strings.HasPrefix(got, "@") || !strings.EqualFold(got[1:], sp.Value) {
					t.Fatalf("mention %+v covers %q", sp, got)
				}
			case bluesky.FacetTag:
				rest, ok := strings.CutPrefix(got, "#")
				if !ok {
					rest, ok = strings.CutPrefix(got, "＃")
				}
				if !ok || rest == "" || rest != sp.Value {
					t.Fatalf("tag %+v covers %q", sp, got)
				}
			case bluesky.FacetLink:
				if sp.Value != got && sp.Value != "https://"+got {
					t.Fatalf("link %+v covers %q", sp, got)
				}
			default:
				t.Fatalf("span %d has kind %q", i, sp.Kind)
			}
		}
		if n := bluesky.Graphemes(text); n < 0 || n > utf8.RuneCountInString(text) {
			t.Fatalf("Graphemes(%q) = %d of %d runes", text, n, utf8.RuneCountInString(text))
		}
	})
}

// boundaries returns the byte offsets of s where a UTF-8 decoder starts a
// rune (a stray byte of invalid text counts as one), and len(s).
func boundaries(s string) map[int]bool {
	out := map[int]bool{len(s): true}
	for off := range s {
		out[off] = true
	}
	return out
}
