package trend

import (
	"fmt"
	"slices"
	"strings"
	"time"
)

// PhraseRule fires when a post contains one of the watched phrases, such as
// a product name with "recall" or "data breach". It needs no history: one
// post is enough.
type PhraseRule struct {
	// Phrases are matched case-insensitively on whole words, in order, so
	// "data breach" matches "Data-breach!" but not "metadata breached".
	// A phrase starting with '#' matches only that hashtag.
	Phrases []string
}

// Evaluate reports whether text contains a watched phrase; Key is the first
// phrase (in the order given) that matched.
func (r PhraseRule) Evaluate(text string, now time.Time) Decision {
	words := phraseWords(text)
	for _, p := range r.Phrases {
		pw := phraseWords(p)
		if len(pw) > 0 && containsRun(words, pw) {
			return Decision{Fired: true, At: now, Count: 1, Threshold: 1, Key: p,
				Why: fmt.Sprintf("the watched phrase %q appeared", p)}
		}
	}
	return Decision{At: now, Threshold: 1, Why: "no watched phrase appeared"}
}

// phraseWords cuts text into lower-cased words and hashtags, with the links
// and mentions rules of Terms but keeping short words, digits, stop words and
// repeats, because phrases depend on them.
func phraseWords(text string) []string {
	var out []string
	eachToken(text, func(tok string, hashtag bool) {
		if !hashtag {
			tok = strings.ToLower(tok)
		}
		out = append(out, tok)
	})
	return out
}

// containsRun reports whether words contains the sequence run.
func containsRun(words, run []string) bool {
	for i := 0; i+len(run) <= len(words); i++ {
		if slices.Equal(words[i:i+len(run)], run) {
			return true
		}
	}
	return false
}

// Defaults for ReplyRule.
const (
	// DefaultReplyWindow is the span over which replies to one post count.
	DefaultReplyWindow = 15 * time.Minute
	// DefaultMinReplies is how many replies to one post in the window are a
	// pile-on worth a look.
	DefaultMinReplies = 50
)

// ReplyRule fires when one post receives at least MinReplies replies within
// the last Window: a pile-on under a single post. Zero fields take the
// defaults.
type ReplyRule struct {
	Window     time.Duration
	MinReplies int
}

// Evaluate looks at the reply times of each post (keyed by post id) and
// fires for the post with the most replies in (now − Window, now]; ties go
// to the smaller id. Replies after now are ignored.
func (r ReplyRule) Evaluate(replies map[string][]time.Time, now time.Time) Decision {
	if r.Window <= 0 {
		r.Window = DefaultReplyWindow
	}
	if r.MinReplies <= 0 {
		r.MinReplies = DefaultMinReplies
	}
	from := now.Add(-r.Window)
	best, bestN := "", 0
	for id, times := range replies {
		n := 0
		for _, t := range times {
			if t.After(from) && !t.After(now) {
				n++
			}
		}
		if n > bestN || (n == bestN && n > 0 && id < best) {
			best, bestN = id, n
		}
	}
	d := Decision{At: now, Count: bestN, Threshold: float64(r.MinReplies), Key: best,
		Fired: bestN >= r.MinReplies}
	if best == "" {
		d.Why = fmt.Sprintf("no replies in the last %s", human(r.Window))
		return d
	}
	verb := "below"
	if d.Fired {
		verb = "at or above"
	}
	d.Why = fmt.Sprintf("post %s got %d replies in the last %s, %s the threshold %d",
		best, bestN, human(r.Window), verb, r.MinReplies)
	return d
}
