package x_test

import (
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/heraldsocial/herald/internal/connector"
	"github.com/heraldsocial/herald/internal/connector/x/xfake"
	"github.com/heraldsocial/herald/internal/herald"
	"github.com/heraldsocial/herald/internal/listen/x"
)

func TestBuild(t *testing.T) {
	topics := []herald.ListenTopic{
		{ID: 5, Name: "Regex only", Rules: herald.TopicRule{Any: []string{"/acm(e|y)/"}}},
		{ID: 1, Name: "Launch", Rules: herald.TopicRule{Any: []string{"acme", "Acme Corp", "C++", "ACME"}, All: []string{"launch"},
			None: []string{"boring", "/dull+/", "$$$"}, Hashtags: []string{"#Acme"}, Languages: []string{"en", "de"}}},
		{ID: 2, Name: "Brand", Rules: herald.TopicRule{Accounts: []string{"acme@x.com", "@Brand", "alice.bsky.social"},
			Languages: []string{"en"}, StrictLanguage: true}},
		{ID: 3, Name: "Colour", Rules: herald.TopicRule{Any: []string{"/colou?r/"}, Hashtags: []string{"design"}}},
		{ID: 4, Name: "Fediverse", Rules: herald.TopicRule{Accounts: []string{"alice@example.social"}}},
		{ID: 6, Name: "Paused", Paused: true, Rules: herald.TopicRule{Any: []string{"paused"}}},
		{ID: 7, Name: "Or", Rules: herald.TopicRule{Any: []string{"or", `say "hi"`}}},
	}
	p := x.Build(topics, 0)
	want := `(((acme OR "Acme Corp" OR "C++") launch -boring #Acme) OR ((from:acme OR @acme OR from:brand OR @brand) lang:en) OR #design OR ("or" OR "say hi")) -is:retweet`
	if len(p.Queries) != 1 || p.Queries[0] != want {
		t.Fatalf("queries %q,\nwant %q", p.Queries, want)
	}
	wantNotes := []string{
		`topic "Launch": the None terms /dull+/, $$$`,
		`topic "Colour": its Any terms (they include /colou?r/, which X cannot search for)`,
		`topic "Fediverse": not searched on X, since none of its accounts is an X account`,
		`topic "Regex only": its Any terms (they include /acm(e|y)/, which X cannot search for)`,
		`topic "Regex only": not searched on X, since nothing of it can be searched for there`,
	}
	if !slices.Equal(p.Omitted, wantNotes) {
		t.Fatalf("omitted %q,\nwant %q", p.Omitted, wantNotes)
	}
	if p := x.Build(nil, 0); len(p.Queries) != 0 || len(p.Omitted) != 0 {
		t.Fatalf("no topics: %+v", p)
	}
}

// TestBuildSplits: a topic too long for one query is cut along its
// longest list; every query fits the limit, keeps the rest of the topic,
// and each term is searched once; other topics are packed beside.
func TestBuildSplits(t *testing.T) {
	var words []string
	for i := range 200 {
		words = append(words, fmt.Sprintf("term%03d", i))
	}
	topics := []herald.ListenTopic{
		{ID: 1, Name: "Big", Rules: herald.TopicRule{Any: words, None: []string{"spam"}, Hashtags: []string{"acme", "brand"}}},
		{ID: 2, Name: "Small", Rules: herald.TopicRule{Hashtags: []string{"small"}}},
	}
	p := x.Build(topics, 512)
	if len(p.Queries) < 4 || len(p.Omitted) != 0 {
		t.Fatalf("%d queries, omitted %q", len(p.Queries), p.Omitted)
	}
	seen := map[string]int{}
	for _, q := range p.Queries {
		if n := utf8.RuneCountInString(q); n > 512 {
			t.Errorf("query of %d characters: %s", n, q)
		}
		if !strings.HasSuffix(q, " -is:retweet") {
			t.Errorf("query without -is:retweet: %s", q)
		}
		for _, w := range words {
			if strings.Contains(q, w) {
				seen[w]++
				if !strings.Contains(q, "-spam") || !strings.Contains(q, "(#acme OR #brand)") {
					t.Errorf("a part of Big lost its other rules: %s", q)
				}
			}
		}
	}
	for _, w := range words {
		if seen[w] != 1 {
			t.Fatalf("%s in %d queries", w, seen[w])
		}
	}
	if last := p.Queries[len(p.Queries)-1]; !strings.Contains(last, "#small") {
		t.Errorf("Small not packed at the end: %s", last)
	}
	if one := x.Build(topics, 4096); len(one.Queries) != 1 {
		t.Errorf("with Enterprise's 4,096: %d queries", len(one.Queries))
	}

	// All terms alone too long: the last ones are dropped, and said.
	var long []string
	for i := range 60 {
		long = append(long, fmt.Sprintf("allterm%03d", i))
	}
	p = x.Build([]herald.ListenTopic{{ID: 1, Name: "Long", Rules: herald.TopicRule{All: long, None: []string{"spam"}}}}, 512)
	if len(p.Queries) != 1 || utf8.RuneCountInString(p.Queries[0]) > 512 || !strings.Contains(p.Queries[0], "allterm000") ||
		!slices.Equal(p.Omitted, []string{`topic "Long": its None terms, to fit X's query length`, `topic "Long": some of its All terms, to fit X's query length`}) {
		t.Fatalf("%q, omitted %q", p.Queries, p.Omitted)
	}
}

// TestSplitQueriesSearchTheFake: the unsplit query is refused by X's
// length limit (and stops a source: 400 is not worth retrying); the
// split ones are taken, and together find every post the topic wants.
func TestSplitQueriesSearchTheFake(t *testing.T) {
	e := newEnv(t, xfake.Config{})
	var words, want []string
	for i := range 150 {
		words = append(words, fmt.Sprintf("brandword%03d", i))
	}
	for i := 0; i < 150; i += 10 {
		want = append(want, "we talk about "+words[i])
		e.post(e.fan, want[len(want)-1], time.Minute)
	}
	e.post(e.fan, "nothing about it", time.Minute)
	topics := []herald.ListenTopic{{ID: 1, Name: "Words", Rules: herald.TopicRule{Any: words}}}
	whole := x.Build(topics, 100000)
	_, err := e.source(t, func(c *x.Config) { c.Query = whole.Queries[0] }).Poll(t.Context(), "1")
	if connector.ClassOf(err) != connector.Invalid {
		t.Fatalf("a %d-character query: %v", utf8.RuneCountInString(whole.Queries[0]), err)
	}
	p := x.Build(topics, 0)
	if len(p.Queries) < 2 {
		t.Fatalf("%d queries", len(p.Queries))
	}
	var got []string
	names := map[string]bool{}
	for _, q := range p.Queries {
		s := e.source(t, func(c *x.Config) { c.Query = q })
		names[s.Name()] = true
		b, err := s.Poll(t.Context(), "1")
		if err != nil {
			t.Fatalf("%s: %v", q, err)
		}
		got = append(got, texts(b.Posts)...)
	}
	slices.Sort(got)
	slices.Sort(want)
	if !slices.Equal(got, want) {
		t.Fatalf("found %q,\nwant %q", got, want)
	}
	if len(names) != len(p.Queries) {
		t.Fatalf("queries share cursor names: %v", names)
	}
}
