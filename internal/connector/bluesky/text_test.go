package bluesky_test

import (
	"context"
	"strings"
	"testing"

	"github.com/bluesky-social/indigo/atproto/syntax"

	"github.com/heraldsocial/herald/internal/connector"
	"github.com/heraldsocial/herald/internal/connector/bluesky"
)

func TestGraphemes(t *testing.T) {
	tests := []struct {
		name string
		text string
		want int
	}{
		{"empty", "", 0},
		{"ascii", "hello", 5},
		{"emoji", "🦋", 1},
		{"skin tone", "👍🏽", 1},
		{"ZWJ family", "👨‍👩‍👧‍👦", 1},
		{"ZWJ profession with tone", "🧑🏾‍🚀", 1},
		{"flag", "🇫🇷", 1},
		{"two flags", "🇫🇷🇯🇵", 2},
		{"subdivision flag", "🏴󠁧󠁢󠁳󠁣󠁴󠁿", 1},
		{"keycap", "#️⃣", 1},
		{"combining acute", "e\u0301", 1},
		{"stacked combining marks", "a\u0300\u0301\u0302", 1},
		{"precomposed", "é", 1},
		{"hangul jamo", "\u1100\u1161\u11A8", 1},
		{"CJK", "日本語のテキスト", 8},
		{"devanagari conjunct", "क्षि", 2},
		{"CRLF is one", "a\r\nb", 3},
		{"url", "https://example.com/a?b=c", 25},
		{"mention", "@alice.bsky.social", 18},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := bluesky.Graphemes(tt.text); got != tt.want {
				t.Errorf("Graphemes(%q) = %d, want %d", tt.text, got, tt.want)
			}
		})
	}
}

// TestValidateLength checks the 300-grapheme limit at the edge, with
// characters that take many bytes or code points.
func TestValidateLength(t *testing.T) {
	c := bluesky.New(nil)
	acct := connector.Account{}
	tests := []struct {
		name     string
		text     string
		length   int
		problems []string // fields with problems
	}{
		{"300 ascii", strings.Repeat("a", 300), 300, nil},
		{"301 ascii", strings.Repeat("a", 301), 301, []string{"text"}},
		{"300 emoji", strings.Repeat("🦋", 300), 300, nil},
		{"301 emoji", strings.Repeat("🦋", 301), 301, []string{"text"}},
		{"300 ZWJ families (too many bytes)", strings.Repeat("👨‍👩‍👧‍👦", 300), 300, []string{"text"}},
		{"120 ZWJ families", strings.Repeat("👨‍👩‍👧‍👦", 120), 120, nil},
		{"300 flags is 2400 bytes", strings.Repeat("🇫🇷", 300), 300, nil},
		{"300 combining", strings.Repeat("e\u0301", 300), 300, nil},
		{"301 combining", strings.Repeat("e\u0301", 301), 301, []string{"text"}},
		{"300 CJK", strings.Repeat("語", 300), 300, nil},
		{"301 CJK", strings.Repeat("語", 301), 301, []string{"text"}},
		{"url counts in full", "see " + "https://example.com/" + strings.Repeat("x", 276), 300, nil},
		{"url one over", "see " + "https://example.com/" + strings.Repeat("x", 277), 301, []string{"text"}},
		{"mention counts in full", "@alice.bsky.social " + strings.Repeat("b", 281), 300, nil},
		{"empty", "  ", 2, []string{"text"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			n, problems, err := c.Validate(context.Background(), acct, connector.Part{Text: tt.text})
			if err != nil {
				t.Fatal(err)
			}
			if n != tt.length {
				t.Errorf("length = %d, want %d", n, tt.length)
			}
			var fields []string
			for _, p := range problems {
				fields = append(fields, p.Field)
				if p.Field == "text" && p.Limit != 0 && p.Measured <= p.Limit {
					t.Errorf("problem %+v: measured within the limit", p)
				}
			}
			if strings.Join(fields, ",") != strings.Join(tt.problems, ",") {
				t.Errorf("problems = %+v, want fields %v", problems, tt.problems)
			}
		})
	}
}

func TestDetectFacets(t *testing.T) {
	type span struct {
		kind  bluesky.FacetKind
		text  string // the covered text
		value string
	}
	tests := []struct {
		name string
		text string
		want []span
	}{
		{"link", "see https://example.com/x ok", []span{{bluesky.FacetLink, "https://example.com/x", "https://example.com/x"}}},
		{"link after emoji: byte offsets", "🦋🦋 https://example.com", []span{{bluesky.FacetLink, "https://example.com", "https://example.com"}}},
		{"trailing period", "read https://example.com/a.", []span{{bluesky.FacetLink, "https://example.com/a", "https://example.com/a"}}},
		{"in parentheses", "(https://example.com/a)", []span{{bluesky.FacetLink, "https://example.com/a", "https://example.com/a"}}},
		{"balanced parentheses kept", "https://en.wikipedia.org/wiki/Go_(language)", []span{{bluesky.FacetLink, "https://en.wikipedia.org/wiki/Go_(language)", "https://en.wikipedia.org/wiki/Go_(language)"}}},
		{"bare domain", "visit example.com/page today", []span{{bluesky.FacetLink, "example.com/page", "https://example.com/page"}}},
		{"not a TLD", "open file.txtx now", nil},
		{"uppercase scheme", "HTTPS://EXAMPLE.COM", []span{{bluesky.FacetLink, "HTTPS://EXAMPLE.COM", "HTTPS://EXAMPLE.COM"}}},
		{"email is not a link or mention", "write to bob@example.com", nil},
		{"mention", "hi @alice.bsky.social!", []span{{bluesky.FacetMention, "@alice.bsky.social", "alice.bsky.social"}}},
		{"mention trailing dot", "thanks @alice.test.", []span{{bluesky.FacetMention, "@alice.test", "alice.test"}}},
		{"mention needs a dot", "hi @alice", nil},
		{"mention uppercase normalized", "hi @Alice.Test", []span{{bluesky.FacetMention, "@Alice.Test", "alice.test"}}},
		{"mention after CJK space", "日本 @bob.test", []span{{bluesky.FacetMention, "@bob.test", "bob.test"}}},
		{"tag", "#golang rocks", []span{{bluesky.FacetTag, "#golang", "golang"}}},
		{"tag punctuation stripped", "love #bluesky!", []span{{bluesky.FacetTag, "#bluesky", "bluesky"}}},
		{"digits only is no tag", "#123 and #1a", []span{{bluesky.FacetTag, "#1a", "1a"}}},
		{"full-width hash", "＃日本語 です", []span{{bluesky.FacetTag, "＃日本語", "日本語"}}},
		{"keycap is no tag", "#️⃣ key", nil},
		{"tag in word is no tag", "a#b", nil},
		{"tag too long", "#" + strings.Repeat("a", 65), nil},
		{"tag at limit", "#" + strings.Repeat("a", 64), []span{{bluesky.FacetTag, "#" + strings.Repeat("a", 64), strings.Repeat("a", 64)}}},
		{"emoji tag", "#🦋 ok", []span{{bluesky.FacetTag, "#🦋", "🦋"}}},
		{"all three in order", "🦋 @a.test see https://x.com/#frag #go", []span{
			{bluesky.FacetMention, "@a.test", "a.test"},
			{bluesky.FacetLink, "https://x.com/#frag", "https://x.com/#frag"},
			{bluesky.FacetTag, "#go", "go"},
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := bluesky.DetectFacets(tt.text)
			if len(got) != len(tt.want) {
				t.Fatalf("DetectFacets(%q) = %+v, want %d spans", tt.text, got, len(tt.want))
			}
			for i, w := range tt.want {
				g := got[i]
				if g.Kind != w.kind || tt.text[g.Start:g.End] != w.text || g.Value != w.value {
					t.Errorf("span %d = %s %q (%q), want %s %q (%q)", i, g.Kind, tt.text[g.Start:g.End], g.Value, w.kind, w.text, w.value)
				}
			}
		})
	}
}

// TestRecordKeyOfALongPartKey checks that the longest part key Herald
// makes (installation id, the largest target id, a first comment) still
// derives valid TID record keys.
func TestRecordKeyOfALongPartKey(t *testing.T) {
	key := "herald-0123456789abcdef-9223372036854775807-c"
	seen := map[string]bool{}
	for n := range 4 {
		rk := bluesky.RecordKey("did:plc:abcdefghijklmnopqrstuvwx", key, n)
		if _, err := syntax.ParseTID(rk); err != nil {
			t.Errorf("RecordKey(%d) = %q is not a TID: %v", n, rk, err)
		}
		if _, err := syntax.ParseRecordKey(rk); err != nil {
			t.Errorf("RecordKey(%d) = %q is not a record key: %v", n, rk, err)
		}
		seen[rk] = true
	}
	if len(seen) != 4 {
		t.Errorf("the record keys of one part repeat: %v", seen)
	}
}
