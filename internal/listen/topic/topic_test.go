package topic

import (
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"
)

// MustCompile compiles topics or fails the test.
func MustCompile(tb testing.TB, topics ...Topic) *Matcher {
	tb.Helper()
	m, err := Compile(topics)
	if err != nil {
		tb.Fatalf("Compile: %v", err)
	}
	return m
}

// evidence returns the terms of the hit for topic id, and whether there is one.
func evidence(hits []Hit, id int64) ([]string, bool) {
	for _, h := range hits {
		if h.TopicID == id {
			return h.Terms, true
		}
	}
	return nil, false
}

func TestMatchRules(t *testing.T) {
	tests := []struct {
		name  string
		topic Topic
		post  Post
		want  []string // evidence; nil means no match
	}{
		{"any word", Topic{Any: []string{"cat", "dog"}}, Post{Text: "I love my Cat!"}, []string{"cat"}},
		{"any two", Topic{Any: []string{"cat", "dog"}}, Post{Text: "dog and cat"}, []string{"cat", "dog"}},
		{"any none present", Topic{Any: []string{"cat"}}, Post{Text: "a bird"}, nil},
		{"word boundary prefix", Topic{Any: []string{"cat"}}, Post{Text: "category theory"}, nil},
		{"word boundary suffix", Topic{Any: []string{"cat"}}, Post{Text: "bobcat"}, nil},
		{"no stemming", Topic{Any: []string{"cat"}}, Post{Text: "cats"}, nil},
		{"digits are word chars", Topic{Any: []string{"go"}}, Post{Text: "go1 go2"}, nil},
		{"underscore is not", Topic{Any: []string{"cat"}}, Post{Text: "cat_lover"}, []string{"cat"}},
		{"all present", Topic{All: []string{"climate", "policy"}}, Post{Text: "Policy on climate"}, []string{"climate", "policy"}},
		{"all missing one", Topic{All: []string{"climate", "policy"}}, Post{Text: "climate only"}, nil},
		{"none excludes", Topic{Any: []string{"apple"}, None: []string{"pie"}}, Post{Text: "apple pie"}, nil},
		{"none absent", Topic{Any: []string{"apple"}, None: []string{"pie"}}, Post{Text: "apple juice"}, []string{"apple"}},
		{"none boundary", Topic{Any: []string{"apple"}, None: []string{"pie"}}, Post{Text: "apple piece"}, []string{"apple"}},
		{"any and all", Topic{Any: []string{"a1", "b1"}, All: []string{"zz"}}, Post{Text: "b1 zz"}, []string{"b1", "zz"}},
		{"any and all, any missing", Topic{Any: []string{"a1", "b1"}, All: []string{"zz"}}, Post{Text: "zz"}, nil},
		{"duplicates folded", Topic{Any: []string{"Cat", " cat ", "CAT"}}, Post{Text: "cat"}, []string{"Cat"}},
		{"phrase", Topic{Any: []string{"climate change"}}, Post{Text: "on climate change today"}, []string{"climate change"}},
		{"phrase hyphen", Topic{Any: []string{"climate change"}}, Post{Text: "Climate-change!"}, []string{"climate change"}},
		{"phrase line break", Topic{Any: []string{"climate change"}}, Post{Text: "climate,\n\nchange"}, []string{"climate change"}},
		{"phrase term spacing", Topic{Any: []string{"  climate \t change "}}, Post{Text: "CLIMATE CHANGE"}, []string{"climate \t change"}},
		{"phrase not split word", Topic{Any: []string{"climate change"}}, Post{Text: "climate changes"}, nil},
		{"phrase glued", Topic{Any: []string{"climate change"}}, Post{Text: "climatechange"}, nil},
		{"phrase other word between", Topic{Any: []string{"climate change"}}, Post{Text: "climate big change"}, nil},
		{"accent in text", Topic{Any: []string{"cafe"}}, Post{Text: "Le Café"}, []string{"cafe"}},
		{"accent in term", Topic{Any: []string{"Müller"}}, Post{Text: "MULLER said"}, []string{"Müller"}},
		{"decomposed accent", Topic{Any: []string{"müller"}}, Post{Text: "Mu\u0308ller"}, []string{"müller"}},
		{"german", Topic{Any: []string{"Straße"}}, Post{Text: "Die STRAßE ist gesperrt."}, []string{"Straße"}},
		{"german compound", Topic{Any: []string{"Haus"}}, Post{Text: "Hausaufgaben"}, nil},
		{"greek", Topic{Any: []string{"αθήνα"}}, Post{Text: "Καλημέρα ΑΘΗΝΑ"}, []string{"αθήνα"}},
		{"cyrillic", Topic{Any: []string{"москва"}}, Post{Text: "Привет, Москва!"}, []string{"москва"}},
		{"japanese substring", Topic{Any: []string{"東京"}}, Post{Text: "東京タワーに行った"}, []string{"東京"}},
		{"japanese latin word", Topic{Any: []string{"iphone"}}, Post{Text: "iPhoneを買った"}, []string{"iphone"}},
		{"full width latin", Topic{Any: []string{"iphone"}}, Post{Text: "ｉＰｈｏｎｅ１５"}, nil},
		{"full width latin word", Topic{Any: []string{"iphone"}}, Post{Text: "新しいｉＰｈｏｎｅ"}, []string{"iphone"}},
		{"korean particle", Topic{Any: []string{"서울"}}, Post{Text: "서울에서 만나요"}, []string{"서울"}},
		{"thai", Topic{Any: []string{"กรุงเทพ"}}, Post{Text: "ฉันอยู่กรุงเทพมหานคร"}, []string{"กรุงเทพ"}},
		{"hindi marks inside word", Topic{Any: []string{"हिन्दी"}}, Post{Text: "मैं हिन्दी बोलता हूँ"}, []string{"हिन्दी"}},
		{"emoji", Topic{Any: []string{"🔥"}}, Post{Text: "so hot🔥🔥"}, []string{"🔥"}},
		{"emoji selector", Topic{Any: []string{"❤"}}, Post{Text: "love❤️you"}, []string{"❤"}},
		{"emoji selector not glued", Topic{Any: []string{"you"}}, Post{Text: "love❤️you"}, []string{"you"}},
		{"emoji zwj sequence", Topic{Any: []string{"👩‍💻"}}, Post{Text: "hi 👩‍💻!"}, []string{"👩‍💻"}},
		{"soft hyphen", Topic{Any: []string{"hausaufgaben"}}, Post{Text: "Haus­aufgaben"}, []string{"hausaufgaben"}},
		{"persian zwnj", Topic{Any: []string{"می‌خواهم"}}, Post{Text: "من میخواهم"}, []string{"می‌خواهم"}},
		{"emoji phrase", Topic{Any: []string{"🚀 launch"}}, Post{Text: "🚀   Launch day"}, []string{"🚀 launch"}},
		{"emoji separates words", Topic{Any: []string{"launch day"}}, Post{Text: "launch🚀day"}, []string{"launch day"}},
		{"symbols c++", Topic{Any: []string{"C++"}}, Post{Text: "I write c++."}, []string{"C++"}},
		{"symbols c++ glued", Topic{Any: []string{"C++"}}, Post{Text: "abc++"}, nil},
		{"symbols ticker", Topic{Any: []string{"$ACME"}}, Post{Text: "buy ($acme) now"}, []string{"$ACME"}},
		{"symbols ticker longer", Topic{Any: []string{"$ACME"}}, Post{Text: "$ACMEX"}, nil},
		{"symbols ticker plain word", Topic{Any: []string{"$ACME"}}, Post{Text: "ACME"}, nil},
		{"curly apostrophe", Topic{Any: []string{"don't"}}, Post{Text: "Don’t panic"}, []string{"don't"}},
		{"hashtag", Topic{Hashtags: []string{"#Herald"}}, Post{Text: "#herald rocks"}, []string{"#Herald"}},
		{"hashtag without hash", Topic{Hashtags: []string{"herald"}}, Post{Text: "yay #HERALD."}, []string{"#herald"}},
		{"hashtag longer", Topic{Hashtags: []string{"herald"}}, Post{Text: "#heraldry"}, nil},
		{"hashtag word not tag", Topic{Hashtags: []string{"herald"}}, Post{Text: "herald"}, nil},
		{"hashtag after word", Topic{Hashtags: []string{"herald"}}, Post{Text: "C#herald"}, nil},
		{"hashtag entity", Topic{Hashtags: []string{"39"}}, Post{Text: "it&#39;s"}, nil},
		{"hashtag underscore", Topic{Hashtags: []string{"go_lang"}}, Post{Text: "#Go_Lang!"}, []string{"#go_lang"}},
		{"hashtag source tags", Topic{Hashtags: []string{"herald"}}, Post{Text: "no tag", Tags: []string{"HERALD"}}, []string{"#herald"}},
		{"hashtag japanese", Topic{Hashtags: []string{"東京"}}, Post{Text: "夜景 #東京 2026"}, []string{"#東京"}},
		{"hashtag full width", Topic{Hashtags: []string{"東京"}}, Post{Text: "夜景 ＃東京"}, []string{"#東京"}},
		{"hashtag cyrillic", Topic{Hashtags: []string{"москва"}}, Post{Text: "#Москва"}, []string{"#москва"}},
		{"hashtag arabic", Topic{Hashtags: []string{"مرحبا"}}, Post{Text: "#مرحبا بكم"}, []string{"#مرحبا"}},
		{"hashtag accent", Topic{Hashtags: []string{"café"}}, Post{Text: "#Cafe"}, []string{"#café"}},
		{"account fediverse author", Topic{Accounts: []string{"@Alice@Mastodon.Social"}}, Post{Text: "hi", Author: "alice@mastodon.social"}, []string{"@Alice@Mastodon.Social"}},
		{"account fediverse mention", Topic{Accounts: []string{"alice@mastodon.social"}}, Post{Mentions: []string{"x.bsky.social", "@ALICE@mastodon.social"}}, []string{"alice@mastodon.social"}},
		{"account other server", Topic{Accounts: []string{"alice@mastodon.social"}}, Post{Author: "alice@other.example"}, nil},
		{"account bluesky", Topic{Accounts: []string{"bob.bsky.social"}}, Post{Author: "@Bob.bsky.social"}, []string{"bob.bsky.social"}},
		{"account did", Topic{Accounts: []string{"did:plc:ewvi7nxzyoun6zhxrhs64oiz"}}, Post{Mentions: []string{"did:plc:ewvi7nxzyoun6zhxrhs64oiz"}}, []string{"did:plc:ewvi7nxzyoun6zhxrhs64oiz"}},
		{"account and any", Topic{Any: []string{"launch"}, Accounts: []string{"acme.bsky.social"}}, Post{Text: "launch", Author: "other.bsky.social"}, nil},
		{"account and any both", Topic{Any: []string{"launch"}, Accounts: []string{"acme.bsky.social"}}, Post{Text: "launch", Author: "acme.bsky.social"}, []string{"launch", "acme.bsky.social"}},
		{"language listed", Topic{Any: []string{"x"}, Languages: []string{"en", "de"}}, Post{Text: "x", Language: "en-US"}, []string{"x"}},
		{"language other", Topic{Any: []string{"x"}, Languages: []string{"en", "de"}}, Post{Text: "x", Language: "fr"}, nil},
		{"language unknown passes", Topic{Any: []string{"x"}, Languages: []string{"en"}}, Post{Text: "x", Language: "und"}, []string{"x"}},
		{"language unknown strict", Topic{Any: []string{"x"}, Languages: []string{"en"}, StrictLanguage: true}, Post{Text: "x"}, nil},
		{"language strict known", Topic{Any: []string{"x"}, Languages: []string{"EN"}, StrictLanguage: true}, Post{Text: "x", Language: "en_GB"}, []string{"x"}},
		{"regex any", Topic{Any: []string{"/colou?r/"}}, Post{Text: "COLOR me"}, []string{"/colou?r/"}},
		{"regex any miss", Topic{Any: []string{"/colou?r/"}}, Post{Text: "colr"}, nil},
		{"regex and plain any", Topic{Any: []string{"hue", "/colou?r/"}}, Post{Text: "colour"}, []string{"/colou?r/"}},
		{"regex all", Topic{All: []string{"launch", `/\bv\d+\.\d+\b/`}}, Post{Text: "Launch of v2.1"}, []string{"launch", `/\bv\d+\.\d+\b/`}},
		{"regex all miss", Topic{All: []string{"launch", `/\bv\d+\.\d+\b/`}}, Post{Text: "Launch soon"}, nil},
		{"regex none", Topic{Any: []string{"deal"}, None: []string{"/spa+m/"}}, Post{Text: "deal SPAAAM"}, nil},
		{"regex only all", Topic{All: []string{"/^gm\\b/"}}, Post{Text: "GM friends"}, []string{"/^gm\\b/"}},
		{"slash is plain", Topic{Any: []string{"/"}}, Post{Text: "a / b"}, []string{"/"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tt.topic.ID = 7
			m := MustCompile(t, tt.topic)
			got, ok := evidence(m.Match(tt.post), 7)
			if tt.want == nil {
				if ok {
					t.Fatalf("matched with %q, want no match", got)
				}
				return
			}
			if !ok {
				t.Fatalf("no match, want %q", tt.want)
			}
			if !slices.Equal(got, tt.want) {
				t.Fatalf("evidence %q, want %q", got, tt.want)
			}
		})
	}
}

func TestMatchManyTopics(t *testing.T) {
	m := MustCompile(t,
		Topic{ID: 3, Any: []string{"herald"}},
		Topic{ID: 1, Any: []string{"herald", "social"}, None: []string{"spam"}},
		Topic{ID: 2, Hashtags: []string{"herald"}},
		Topic{ID: 4, Any: []string{"/never+/"}},
	)
	hits := m.Match(Post{Text: "Herald is social #herald"})
	var ids []int64
	for _, h := range hits {
		ids = append(ids, h.TopicID)
	}
	if want := []int64{3, 1, 2}; !slices.Equal(ids, want) {
		t.Fatalf("topics %v, want %v (compile order)", ids, want)
	}
	if hits := m.Match(Post{Text: "herald spam"}); len(hits) != 1 || hits[0].TopicID != 3 {
		t.Fatalf("hits %+v, want only topic 3", hits)
	}
	if hits := m.Match(Post{Text: "nothing here"}); hits != nil {
		t.Fatalf("hits %+v, want none", hits)
	}
}

func TestCompileEmpty(t *testing.T) {
	m := MustCompile(t)
	if hits := m.Match(Post{Text: "anything #at @all", Tags: []string{"x"}, Author: "a.b.c"}); hits != nil {
		t.Fatalf("hits %+v from no topics", hits)
	}
}

func TestMatchConcurrent(t *testing.T) {
	m := MustCompile(t, Topic{ID: 1, Any: []string{"alpha"}}, Topic{ID: 2, All: []string{"beta", "gamma"}})
	var wg sync.WaitGroup
	for g := range 8 {
		wg.Go(func() {
			for i := range 500 {
				text := fmt.Sprintf("alpha %d", i)
				want := int64(1)
				if (g+i)%2 == 0 {
					text, want = fmt.Sprintf("gamma %d beta", i), 2
				}
				if hits := m.Match(Post{Text: text}); len(hits) != 1 || hits[0].TopicID != want {
					t.Errorf("%q: hits %+v, want topic %d", text, hits, want)
					return
				}
			}
		})
	}
	wg.Wait()
}

func TestPathologicalRegexp(t *testing.T) {
	m := MustCompile(t, Topic{ID: 1, Any: []string{"/(a+)+$/", "/(x+x+)+y/"}})
	text := strings.Repeat("a", 200000) + "!" + strings.Repeat("x", 200000)
	start := time.Now()
	hits := m.Match(Post{Text: text})
	if d := time.Since(start); d > 2*time.Second {
		t.Fatalf("took %v; RE2 should be linear", d)
	}
	if hits != nil {
		t.Fatalf("hits %+v, want none", hits)
	}
}

func TestTenThousandTerms(t *testing.T) {
	terms := make([]string, MaxTerms)
	for i := range terms {
		terms[i] = fmt.Sprintf("term%04d", i)
	}
	m := MustCompile(t, Topic{ID: 1, Any: terms})
	got, ok := evidence(m.Match(Post{Text: "about TERM4242 and term9999."}), 1)
	if !ok || !slices.Equal(got, []string{"term4242", "term9999"}) {
		t.Fatalf("evidence %q, %v", got, ok)
	}
	if hits := m.Match(Post{Text: "term42 term10000"}); hits != nil {
		t.Fatalf("hits %+v, want none", hits)
	}
}

func TestValidateErrors(t *testing.T) {
	many := func(n int, f string) []string {
		s := make([]string, n)
		for i := range s {
			s[i] = fmt.Sprintf(f, i)
		}
		return s
	}
	tests := []struct {
		name  string
		topic Topic
		term  string // the term the error must name
		fix   string // part of the message
	}{
		{"no positive list", Topic{None: []string{"x"}}, "", "at least one Any term"},
		{"empty topic", Topic{}, "", "at least one Any term"},
		{"empty term", Topic{Any: []string{"ok", ""}}, "", "is empty"},
		{"blank term", Topic{All: []string{"  \t"}}, "  \t", "is empty"},
		{"too long", Topic{Any: []string{strings.Repeat("é", MaxTermLen+1)}}, strings.Repeat("é", MaxTermLen+1), "at most 200"},
		{"too many terms", Topic{Any: many(MaxTerms, "t%d"), None: []string{"x"}}, "", "at most 10000"},
		{"too many regexps", Topic{Any: many(MaxRegexTerms+1, "/r%d/")}, "/r200/", "at most 200"},
		{"bad regexp", Topic{Any: []string{"/(unclosed/"}}, "/(unclosed/", "not a valid regular expression"},
		{"empty-matching regexp", Topic{Any: []string{"/a*/"}}, "/a*/", "matches empty text"},
		{"huge regexp", Topic{Any: []string{"/(abc){1000}/"}}, "/(abc){1000}/", "too large"},
		{"only marks", Topic{Any: []string{"\u0301"}}, "\u0301", "nothing to match"},
		{"bad hashtag", Topic{Hashtags: []string{"#foo-bar"}}, "#foo-bar", "only letters"},
		{"bare hash", Topic{Hashtags: []string{"#"}}, "#", "no characters"},
		{"bare username", Topic{Accounts: []string{"@alice"}}, "@alice", "user@host"},
		{"bad fediverse", Topic{Accounts: []string{"alice@"}}, "alice@", "user@host"},
		{"bad did", Topic{Accounts: []string{"did:plc:"}}, "did:plc:", "incomplete DID"},
		{"account with space", Topic{Accounts: []string{"a b.social"}}, "a b.social", "not an account"},
		{"bad language", Topic{Any: []string{"x"}, Languages: []string{"english"}}, "", "ISO 639-1"},
		{"all and none", Topic{All: []string{"x"}, None: []string{"X"}}, "X", "never match"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tt.topic.ID = 42
			err := tt.topic.Validate()
			if err == nil {
				t.Fatal("Validate: no error")
			}
			var e *Error
			if !errors.As(err, &e) || !errors.Is(err, ErrInvalid) {
				t.Fatalf("error %v (%T) is not a *Error wrapping ErrInvalid", err, err)
			}
			if e.TopicID != 42 || e.Term != tt.term {
				t.Errorf("topic %d term %q, want 42 and %q", e.TopicID, e.Term, tt.term)
			}
			if msg := err.Error(); !strings.Contains(msg, tt.fix) || !strings.Contains(msg, "topic 42") {
				t.Errorf("message %q lacks %q", msg, tt.fix)
			}
			if _, err := Compile([]Topic{tt.topic}); err == nil {
				t.Error("Compile accepted the topic")
			}
		})
	}
	if _, err := Compile([]Topic{{ID: 1, Any: []string{"a"}}, {ID: 1, Any: []string{"b"}}}); err == nil {
		t.Error("Compile accepted a duplicate ID")
	}
}

func TestPreviewSpans(t *testing.T) {
	topic := Topic{ID: 5, Any: []string{"climate change", "C++", "/gr[ae]y/"}, None: []string{"hoax"}, Hashtags: []string{"climate"}}
	text := "Climate—change is real, café!\n#Climate, not a HOAX. c++ grey"
	spans, err := Preview(topic, text)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, s := range spans {
		got = append(got, fmt.Sprintf("%s:%s=%s", s.Kind, s.Term, text[s.Start:s.End]))
	}
	want := []string{
		"Any:climate change=Climate—change",
		"Hashtags:#climate=#Climate",
		"None:hoax=HOAX",
		"Any:C++=c++",
		"Any:/gr[ae]y/=grey",
	}
	if !slices.Equal(got, want) {
		t.Fatalf("spans\n%q\nwant\n%q", got, want)
	}
	if _, err := Preview(Topic{ID: 1}, text); err == nil {
		t.Error("Preview accepted an invalid topic")
	}
	m := MustCompile(t, topic)
	if m.Spans(99, text) != nil {
		t.Error("Spans of an unknown topic")
	}
}

func TestSpansAccents(t *testing.T) {
	text := "Mu\u0308ller und MÜLLER"
	spans, err := Preview(Topic{ID: 1, Any: []string{"muller"}}, text)
	if err != nil {
		t.Fatal(err)
	}
	if len(spans) != 2 || text[spans[0].Start:spans[0].End] != "Mu\u0308ller" || text[spans[1].Start:spans[1].End] != "MÜLLER" {
		t.Fatalf("spans %+v", spans)
	}
}
