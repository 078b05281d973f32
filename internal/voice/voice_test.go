package voice

import (
	"strings"
	"testing"

	"github.com/heraldsocial/herald/internal/herald"
)

const (
	warn  = herald.SeverityWarning
	block = herald.SeverityBlock
)

func ptr[T any](v T) *T { return &v }

// one is a post with one target carrying the given variant.
func one(text string, v herald.Variant) herald.Post {
	return herald.Post{Text: text, Targets: []herald.Target{{AccountID: 1, Variant: v}}}
}

func TestCheck(t *testing.T) {
	sponsored, launch := int64(7), int64(9)
	cases := []struct {
		name  string
		rules herald.BrandRules
		post  herald.Post
		want  []string // "rule severity field" of each finding, in order
	}{
		{"no rules", herald.BrandRules{Voice: "warm"}, herald.Post{Text: "CHEAP!!!"}, nil},
		{"banned word with replacement",
			herald.BrandRules{Banned: []herald.BannedPhrase{{Phrase: "cheap", Replacement: "affordable", Severity: warn}}},
			herald.Post{Text: "So Cheap!"}, []string{"banned warning text"}},
		{"banned word inside another word is fine",
			herald.BrandRules{Banned: []herald.BannedPhrase{{Phrase: "sale", Severity: block}}},
			herald.Post{Text: "wholesale prices"}, nil},
		{"banned phrase in a thread part and the first comment",
			herald.BrandRules{Banned: []herald.BannedPhrase{{Phrase: "free money", Severity: block}}},
			one("fine", herald.Variant{Thread: []herald.ThreadPart{{Text: "FREE MONEY"}}, FirstComment: "free money!"}),
			[]string{"banned block targets[0].variant.thread[0].text", "banned block targets[0].variant.first_comment"}},
		{"banned accented word, any case",
			herald.BrandRules{Banned: []herald.BannedPhrase{{Phrase: "ça coûte", Severity: block}}},
			herald.Post{Text: "ÇA COÛTE rien"}, []string{"banned block text"}},
		{"older banned words are blocks",
			herald.BrandRules{BannedWords: []string{"cheap"}},
			herald.Post{Text: "cheap"}, []string{"banned block text"}},
		{"older required hashtags are blocks",
			herald.BrandRules{RequiredHashtags: []string{"#acme"}},
			herald.Post{Text: "hello"}, []string{"required_tag block text"}},
		{"required tag found in the first comment",
			herald.BrandRules{RequiredTags: []herald.RequiredTag{{Tag: "#acme", Severity: block}}},
			one("hello", herald.Variant{FirstComment: "#Acme"}), nil},
		{"required tag found in a thread part",
			herald.BrandRules{RequiredTags: []herald.RequiredTag{{Tag: "#acme", Severity: block}}},
			one("hello", herald.Variant{Thread: []herald.ThreadPart{{Text: "more #acme"}}}), nil},
		{"required tag is a whole tag",
			herald.BrandRules{RequiredTags: []herald.RequiredTag{{Tag: "#ad", Severity: block}}},
			herald.Post{Text: "#ads and #adverts"}, []string{"required_tag block text"}},
		{"disclosure phrase",
			herald.BrandRules{RequiredTags: []herald.RequiredTag{{Tag: "Paid partnership", Severity: warn}}},
			herald.Post{Text: "paid partnership with Acme"}, nil},
		{"label-scoped tag ignored without the label",
			herald.BrandRules{RequiredTags: []herald.RequiredTag{{Tag: "#ad", LabelID: sponsored, Severity: block}}},
			herald.Post{Text: "hello", LabelIDs: []int64{3}}, nil},
		{"label-scoped tag asked with the label",
			herald.BrandRules{RequiredTags: []herald.RequiredTag{{Tag: "#ad", LabelID: sponsored, Severity: block}}},
			herald.Post{Text: "hello", LabelIDs: []int64{3, sponsored}}, []string{"required_tag block text"}},
		{"campaign-scoped tag ignored in another campaign",
			herald.BrandRules{RequiredTags: []herald.RequiredTag{{Tag: "#launch", CampaignID: launch, Severity: warn}}},
			herald.Post{Text: "hello", CampaignID: ptr(int64(2))}, nil},
		{"campaign-scoped tag asked in its campaign",
			herald.BrandRules{RequiredTags: []herald.RequiredTag{{Tag: "#launch", CampaignID: launch, Severity: warn}}},
			herald.Post{Text: "hello", CampaignID: ptr(launch)}, []string{"required_tag warning text"}},
		{"emoji under the limit: a family, a flag and a skin tone are one each",
			herald.BrandRules{MaxEmoji: &herald.CountLimit{Max: 3, Severity: block}},
			herald.Post{Text: "hi 👨‍👩‍👧 🇫🇷 👍🏽 © ™ ☺ 中文"}, nil},
		{"emoji over the limit",
			herald.BrandRules{MaxEmoji: &herald.CountLimit{Max: 2, Severity: warn}},
			herald.Post{Text: "🎉🎉 ❤️ 1️⃣"}, []string{"max_emoji warning text"}},
		{"emoji counted per published text",
			herald.BrandRules{MaxEmoji: &herald.CountLimit{Max: 1, Severity: warn}},
			one("🎉", herald.Variant{Thread: []herald.ThreadPart{{Text: "🎉"}, {Text: "🎉🎉"}}}),
			[]string{"max_emoji warning targets[0].variant.thread[1].text"}},
		{"hashtags over the limit; numbers, C# and links are not hashtags",
			herald.BrandRules{MaxHashtags: &herald.CountLimit{Max: 2, Severity: block}},
			herald.Post{Text: "#one #two #2026 C# https://example.com/#three"}, nil},
		{"hashtags over the limit",
			herald.BrandRules{MaxHashtags: &herald.CountLimit{Max: 2, Severity: block}},
			herald.Post{Text: "#one #two #drei"}, []string{"max_hashtags block text"}},
		{"link required and missing (an e-mail address is not a link)",
			herald.BrandRules{Link: &herald.LinkRule{Mode: herald.LinkRequired, Severity: block}},
			herald.Post{Text: "write to ana@example.com"}, []string{"link block text"}},
		{"link required, found in the first comment",
			herald.BrandRules{Link: &herald.LinkRule{Mode: herald.LinkRequired, Severity: block}},
			one("news", herald.Variant{FirstComment: "more at https://example.com/news"}), nil},
		{"sentence stops and numbers are not links",
			herald.BrandRules{Link: &herald.LinkRule{Mode: herald.LinkForbidden, Severity: warn}},
			herald.Post{Text: "It ends here.Then 3.5 more... Done."}, nil},
		{"link forbidden, in a thread part",
			herald.BrandRules{Link: &herald.LinkRule{Mode: herald.LinkForbidden, Severity: block}},
			one("fine", herald.Variant{Thread: []herald.ThreadPart{{Text: "see (https://example.com/a)"}}}),
			[]string{"link block targets[0].variant.thread[0].text"}},
		{"link forbidden, a bare domain counts",
			herald.BrandRules{Link: &herald.LinkRule{Mode: herald.LinkForbidden, Severity: warn}},
			herald.Post{Text: "see example.com"}, []string{"link warning text"}},
		{"shouting",
			herald.BrandRules{Shouting: &herald.ShoutingRule{MaxPercent: 50, Severity: warn}},
			herald.Post{Text: "HUGE DEALS TODAY only"}, []string{"shouting warning text"}},
		{"short words, hashtags, mentions and links are not shouting",
			herald.BrandRules{Shouting: &herald.ShoutingRule{MaxPercent: 30, Severity: block}},
			herald.Post{Text: "The USA and the EU: a new launch #LAUNCHDAY @ESA_OPS https://EXAMPLE.COM/NEWS"}, nil},
		{"shouting in another script",
			herald.BrandRules{Shouting: &herald.ShoutingRule{MaxPercent: 50, Severity: block}},
			herald.Post{Text: "ΠΡΟΣΦΟΡΑ ΣΗΜΕΡΑ"}, []string{"shouting block text"}},
		{"hard to read",
			herald.BrandRules{Readability: &herald.ReadabilityRule{MinScore: 60, Severity: warn}},
			herald.Post{Text: "Organizational transformation necessitates comprehensive stakeholder alignment regarding institutional prioritization methodologies."},
			[]string{"readability warning text"}},
		{"easy to read",
			herald.BrandRules{Readability: &herald.ReadabilityRule{MinScore: 60, Severity: block}},
			herald.Post{Text: "We made a new app. It is fast. It is free. Try it now and tell us what you think."}, nil},
		{"too short to score",
			herald.BrandRules{Readability: &herald.ReadabilityRule{MinScore: 90, Severity: block}},
			herald.Post{Text: "Comprehensive institutional methodologies."}, nil},
		{"shared text reported once for every target",
			herald.BrandRules{Banned: []herald.BannedPhrase{{Phrase: "cheap", Severity: block}}},
			herald.Post{Text: "cheap", Targets: []herald.Target{{AccountID: 1}, {AccountID: 2}}}, []string{"banned block text"}},
		{"a variant is checked as its own text",
			herald.BrandRules{Banned: []herald.BannedPhrase{{Phrase: "cheap", Severity: block}}},
			herald.Post{Text: "fine", Targets: []herald.Target{{AccountID: 1}, {AccountID: 2, Variant: herald.Variant{Text: "cheap"}}}},
			[]string{"banned block targets[1].variant.text"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			fs := Check(c.rules, c.post, Names{})
			var got []string
			for _, f := range fs {
				got = append(got, f.Rule+" "+string(f.Severity)+" "+f.Field)
				if !strings.Contains(f.Message, "(rule: ") {
					t.Errorf("message %q does not name its rule", f.Message)
				}
			}
			if strings.Join(got, "\n") != strings.Join(c.want, "\n") {
				t.Fatalf("findings:\n%s\nwant:\n%s\n(%+v)", strings.Join(got, "\n"), strings.Join(c.want, "\n"), fs)
			}
		})
	}
}

func TestFindingDetails(t *testing.T) {
	rules := herald.BrandRules{
		Banned:       []herald.BannedPhrase{{Phrase: "cheap", Replacement: "affordable", Severity: warn}},
		RequiredTags: []herald.RequiredTag{{Tag: "#ad", LabelID: 7, Severity: block}},
	}
	fs := Check(rules, herald.Post{Text: "So CHEAP", LabelIDs: []int64{7}}, Names{Labels: map[int64]string{7: "Sponsored"}})
	if len(fs) != 2 {
		t.Fatalf("findings %+v", fs)
	}
	if f := fs[0]; f.Match != "CHEAP" || f.Replacement != "affordable" || f.Target != -1 || f.Part != "text" ||
		!strings.Contains(f.Message, "write “affordable” instead") {
		t.Errorf("banned finding %+v", f)
	}
	if f := fs[1]; !strings.Contains(f.Message, "labelled “Sponsored”") || !f.Blocks() {
		t.Errorf("required tag finding %+v", f)
	}
	p := Problems(fs)
	if len(p) != 1 || p[0].Field != "text" || !strings.Contains(p[0].Problem, "#ad") {
		t.Errorf("problems %+v: only the block refuses", p)
	}
	if got := CheckText(rules, "cheap"); len(got) != 1 {
		t.Errorf("CheckText applies no label-scoped rule: %+v", got)
	}
}

func TestReadability(t *testing.T) {
	cases := []struct {
		text     string
		min, max float64
		scored   bool
		words    int
	}{
		{"The cat sat on the mat. The dog ran far away from the house today.", 90, 120, true, 15},
		{"Organizational transformation necessitates comprehensive stakeholder alignment regarding institutional prioritization methodologies and frameworks.", -200, 10, true, 12},
		{"one two three", 0, 0, false, 3},
		// A line break ends a sentence even without a stop.
		{"We ship today\nWe ship fast\nWe ship well and you will love it", 90, 130, true, 14},
	}
	for _, c := range cases {
		score, n, ok := Readability(c.text)
		if ok != c.scored || n != c.words || (ok && (score < c.min || score > c.max)) {
			t.Errorf("Readability(%q) = %v, %d words, %v; want %v..%v, %d words, %v", c.text, score, n, ok, c.min, c.max, c.words, c.scored)
		}
	}
}

func TestSyllables(t *testing.T) {
	for w, want := range map[string]int{"cat": 1, "table": 2, "make": 1, "beautiful": 3, "readability": 5, "queue": 1, "happy": 2, "the": 1} {
		if got := Syllables(w); got != want {
			t.Errorf("Syllables(%q) = %d, want %d", w, got, want)
		}
	}
}

func TestValidateRules(t *testing.T) {
	cases := []struct {
		name  string
		rules herald.BrandRules
		field string // "" for valid
	}{
		{"valid", herald.BrandRules{
			Banned:       []herald.BannedPhrase{{Phrase: " cheap ", Replacement: "affordable", Severity: warn}},
			RequiredTags: []herald.RequiredTag{{Tag: "#ad", LabelID: 3, Severity: block}, {Tag: "Paid partnership", Severity: warn}},
			MaxEmoji:     &herald.CountLimit{Max: 0, Severity: warn},
			Link:         &herald.LinkRule{Mode: herald.LinkForbidden, Severity: block},
			Shouting:     &herald.ShoutingRule{MaxPercent: 40, Severity: warn},
			Readability:  &herald.ReadabilityRule{MinScore: 50, Severity: warn},
		}, ""},
		{"empty phrase", herald.BrandRules{Banned: []herald.BannedPhrase{{Phrase: " ", Severity: warn}}}, "brand_rules.banned[0].phrase"},
		{"twice", herald.BrandRules{Banned: []herald.BannedPhrase{{Phrase: "a", Severity: warn}, {Phrase: "A", Severity: block}}}, "brand_rules.banned[1].phrase"},
		{"replacement is the phrase", herald.BrandRules{Banned: []herald.BannedPhrase{{Phrase: "a", Replacement: "A", Severity: warn}}}, "brand_rules.banned[0].replacement"},
		{"no severity", herald.BrandRules{Banned: []herald.BannedPhrase{{Phrase: "a"}}}, "brand_rules.banned[0].severity"},
		{"bad hashtag", herald.BrandRules{RequiredTags: []herald.RequiredTag{{Tag: "#a b", Severity: warn}}}, "brand_rules.required_tags[0].tag"},
		{"label and campaign", herald.BrandRules{RequiredTags: []herald.RequiredTag{{Tag: "#a", LabelID: 1, CampaignID: 2, Severity: warn}}}, "brand_rules.required_tags[0]"},
		{"negative limit", herald.BrandRules{MaxHashtags: &herald.CountLimit{Max: -1, Severity: warn}}, "brand_rules.max_hashtags.max"},
		{"link either", herald.BrandRules{Link: &herald.LinkRule{Mode: "either", Severity: warn}}, "brand_rules.link.mode"},
		{"shouting 0", herald.BrandRules{Shouting: &herald.ShoutingRule{MaxPercent: 0, Severity: warn}}, "brand_rules.shouting.max_percent"},
		{"score 101", herald.BrandRules{Readability: &herald.ReadabilityRule{MinScore: 101, Severity: warn}}, "brand_rules.readability.min_score"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			w := herald.Workspace{Name: "Acme", TimeZone: "UTC", BrandRules: c.rules}
			err := w.Validate()
			if c.field == "" {
				if err != nil {
					t.Fatal(err)
				}
				if w.BrandRules.Banned[0].Phrase != "cheap" {
					t.Errorf("phrase not trimmed: %q", w.BrandRules.Banned[0].Phrase)
				}
				return
			}
			he, ok := err.(*herald.Error)
			if !ok || len(he.Details) == 0 || he.Details[0].Field != c.field {
				t.Fatalf("error %v, want a problem on %s", err, c.field)
			}
		})
	}
}

func TestNormalized(t *testing.T) {
	r := herald.BrandRules{BannedWords: []string{"cheap", "spam"}, RequiredHashtags: []string{"#acme"},
		Banned: []herald.BannedPhrase{{Phrase: "Cheap", Replacement: "affordable", Severity: warn}}}
	n := r.Normalized()
	if len(n.BannedWords) != 0 || len(n.RequiredHashtags) != 0 {
		t.Fatalf("older fields kept: %+v", n)
	}
	if len(n.Banned) != 2 || n.Banned[0].Severity != warn || n.Banned[1] != (herald.BannedPhrase{Phrase: "spam", Severity: block}) {
		t.Errorf("banned %+v", n.Banned)
	}
	if len(n.RequiredTags) != 1 || n.RequiredTags[0] != (herald.RequiredTag{Tag: "#acme", Severity: block}) {
		t.Errorf("tags %+v", n.RequiredTags)
	}
	if len(r.Banned) != 1 {
		t.Errorf("Normalized changed its receiver: %+v", r.Banned)
	}
}
