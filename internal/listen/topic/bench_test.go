package topic

import (
	"fmt"
	"math/rand/v2"
	"strings"
	"testing"
)

// common is everyday English that topics rarely ask for.
var common = strings.Fields(`the be to of and a in that have it for not on with he as you do at
this but his by from they we say her she or an will my one all would there their what so up out
if about who get which go me when make can like time no just him know take people into year your
good some could them see other than then now look only come its over think also back after use two
how our work first well way even new want because any these give day most us today really great
love launch team thanks morning coffee weekend project update news week price market build ship
release community open source event city music game photo video live stream best happy`)

// pseudo makes a word that common text does not contain.
func pseudo(r *rand.Rand) string {
	syl := []string{"ka", "lo", "mi", "tre", "zan", "qui", "vor", "bel", "nox", "dar", "pe", "sul", "gri", "fen"}
	var b strings.Builder
	for range 2 + r.IntN(3) {
		b.WriteString(syl[r.IntN(len(syl))])
	}
	return b.String()
}

// benchTopics makes n topics of k terms: mostly words, some phrases, a few
// symbol terms, with None terms, hashtags and languages on some topics.
func benchTopics(r *rand.Rand, n, k int) ([]Topic, []string) {
	var topics []Topic
	var vocab []string
	for i := range n {
		t := Topic{ID: int64(i + 1)}
		for j := 0; len(t.Any)+len(t.None) < k; j++ {
			var term string
			switch {
			case j%20 == 19:
				term = "$" + pseudo(r)
			case j%5 == 4:
				term = pseudo(r) + " " + common[r.IntN(len(common))]
			default:
				term = pseudo(r)
			}
			if j%25 == 24 {
				t.None = append(t.None, term)
			} else {
				t.Any = append(t.Any, term)
				vocab = append(vocab, term)
			}
		}
		if n > 1 && i%10 == 0 {
			t.Hashtags = []string{"buildinpublic"}
			t.Languages = []string{"en"}
		}
		topics = append(topics, t)
	}
	return topics, vocab
}

// benchPosts makes realistic posts of about 280 characters: everyday words,
// punctuation, a mention, a hashtag, a link or an emoji, and a topic term in
// about one post of five.
func benchPosts(r *rand.Rand, vocab []string, n int) []Post {
	extras := []string{"@alice.bsky.social", "#buildinpublic", "https://example.com/a/b?c=d", "🔥", "🚀", "—", "!", "?", "…", "(really)"}
	posts := make([]Post, n)
	for i := range posts {
		var b strings.Builder
		for b.Len() < 270 {
			switch x := r.IntN(100); {
			case x < 3:
				b.WriteString(vocab[r.IntN(len(vocab))])
			case x < 12:
				b.WriteString(extras[r.IntN(len(extras))])
			case x < 14:
				b.WriteString(strings.ToUpper(common[r.IntN(len(common))]))
			default:
				b.WriteString(common[r.IntN(len(common))])
			}
			if r.IntN(8) == 0 {
				b.WriteString(",")
			}
			b.WriteByte(' ')
		}
		posts[i] = Post{Text: b.String(), Author: "someone.bsky.social", Language: "en"}
	}
	return posts
}

func BenchmarkMatch(b *testing.B) {
	for _, size := range []struct{ topics, terms int }{{100, 100}, {1, MaxTerms}} {
		b.Run(fmt.Sprintf("%dx%d", size.topics, size.terms), func(b *testing.B) {
			r := rand.New(rand.NewPCG(1, 2))
			topics, vocab := benchTopics(r, size.topics, size.terms)
			m := MustCompile(b, topics...)
			posts := benchPosts(r, vocab, 1000)
			hits, bytes := 0, 0
			for _, p := range posts {
				hits += len(m.Match(p))
				bytes += len(p.Text)
			}
			b.SetBytes(int64(bytes / len(posts)))
			b.ReportAllocs()
			b.ResetTimer()
			i := 0
			for b.Loop() {
				m.Match(posts[i%len(posts)])
				i++
			}
			b.ReportMetric(float64(i)/b.Elapsed().Seconds(), "posts/s")
			b.ReportMetric(float64(hits)/float64(len(posts)), "hits/post")
		})
	}
}

func BenchmarkCompile(b *testing.B) {
	r := rand.New(rand.NewPCG(1, 2))
	topics, _ := benchTopics(r, 100, 100)
	b.ReportAllocs()
	for b.Loop() {
		if _, err := Compile(topics); err != nil {
			b.Fatal(err)
		}
	}
}
