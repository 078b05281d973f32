package voice

import (
	"strconv"
	"strings"
	"testing"

	"github.com/heraldsocial/herald/internal/herald"
)

// BenchmarkCheck is one keystroke's check in the composer at the rules'
// limits: 200 banned phrases, 30 required tags and every other rule, on a
// post of 5 accounts, each with a 500-character text, 3 thread parts and
// a first comment.
func BenchmarkCheck(b *testing.B) {
	rules := herald.BrandRules{
		MaxEmoji:    &herald.CountLimit{Max: 3, Severity: herald.SeverityWarning},
		MaxHashtags: &herald.CountLimit{Max: 3, Severity: herald.SeverityWarning},
		Link:        &herald.LinkRule{Mode: herald.LinkRequired, Severity: herald.SeverityWarning},
		Shouting:    &herald.ShoutingRule{MaxPercent: 40, Severity: herald.SeverityWarning},
		Readability: &herald.ReadabilityRule{MinScore: 60, Severity: herald.SeverityWarning},
	}
	for i := 0; i < herald.MaxBannedPhrases; i++ {
		rules.Banned = append(rules.Banned, herald.BannedPhrase{Phrase: "phrase number " + strconv.Itoa(i), Severity: herald.SeverityWarning})
	}
	for i := 0; i < herald.MaxRequiredTags; i++ {
		rules.RequiredTags = append(rules.RequiredTags, herald.RequiredTag{Tag: "#tag" + strconv.Itoa(i), Severity: herald.SeverityWarning})
	}
	text := strings.Repeat("Our new plan is here. Read more at https://example.com/plan #launch 🎉 ", 7)[:500]
	p := herald.Post{Text: text}
	for i := 0; i < 5; i++ {
		v := herald.Variant{Text: text + strconv.Itoa(i), FirstComment: "More: #tag1"}
		for j := 0; j < 3; j++ {
			v.Thread = append(v.Thread, herald.ThreadPart{Text: text})
		}
		p.Targets = append(p.Targets, herald.Target{AccountID: int64(i + 1), Variant: v})
	}
	b.ReportAllocs()
	for b.Loop() {
		if len(Check(rules, p, Names{})) == 0 {
			b.Fatal("nothing found")
		}
	}
}
