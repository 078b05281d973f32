package xtext

import (
	"testing"
	"unicode/utf8"

	"golang.org/x/text/unicode/norm"
)

// FuzzParse checks X's measuring of any text: lengths are non-negative,
// offsets lie inside the normalised text on UTF-8 boundaries, URLs come in
// order without overlap, validity agrees with the limit, and measuring the
// normalised text again gives the same result (the round trip).
func FuzzParse(f *testing.F) {
	for _, s := range []string{
		"", "hello", "café", "cafe\u0301", "👍🏽 👨‍👩‍👧 🇫🇷 1️⃣ #️⃣", "日本語のテキスト",
		"see https://example.com/a?b=c and example.org.", "http://", "x.com/https://y.com",
		"\ufeff\uffff\ufffe", "\xff\xfe invalid", "a\u200db", "ab.cd.ef.gh/ij", "https://a.b/c(d)e)",
		"🏴\U000E0067\U000E0062\U000E0065\U000E006E\U000E0067\U000E007F",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, text string) {
		r := Parse(text)
		if r.WeightedLength < 0 || r.Permillage < 0 {
			t.Fatalf("negative length %d (permillage %d)", r.WeightedLength, r.Permillage)
		}
		s := r.Normalized
		if s != norm.NFC.String(text) {
			t.Fatalf("Normalized is not the NFC form of the text")
		}
		if r.ValidEnd < 0 || r.ValidEnd > len(s) || (r.ValidEnd < len(s) && !utf8.RuneStart(s[r.ValidEnd])) {
			t.Fatalf("ValidEnd %d is not a boundary of %d bytes", r.ValidEnd, len(s))
		}
		if r.Valid != (r.WeightedLength <= V3().MaxWeightedLength && len(r.InvalidChars) == 0) {
			t.Fatalf("Valid = %v with length %d and invalid %v", r.Valid, r.WeightedLength, r.InvalidChars)
		}
		if r.WeightedLength <= V3().MaxWeightedLength && r.ValidEnd != len(s) {
			t.Fatalf("the text fits but ValidEnd is %d of %d", r.ValidEnd, len(s))
		}
		last := 0
		for i, u := range r.URLs {
			if u.Start < last || u.End <= u.Start || u.End > len(s) {
				t.Fatalf("URL %d %+v is out of order or outside %d bytes (previous end %d)", i, u, len(s), last)
			}
			if !utf8.RuneStart(s[u.Start]) || (u.End < len(s) && !utf8.RuneStart(s[u.End])) {
				t.Fatalf("URL %d %+v is not on UTF-8 boundaries", i, u)
			}
			last = u.End
		}
		again := Parse(s)
		if again.WeightedLength != r.WeightedLength || again.Normalized != s || len(again.URLs) != len(r.URLs) {
			t.Fatalf("measuring the normalised text again gives %d (%d URLs), not %d (%d URLs)",
				again.WeightedLength, len(again.URLs), r.WeightedLength, len(r.URLs))
		}
	})
}
