package x

import (
	"fmt"
	"regexp"
	"slices"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/heraldsocial/herald/internal/herald"
)

// DefaultQueryLimit is the longest recent search query X takes at its
// self-serve access levels (Basic, Pro, pay-per-use), in characters;
// Enterprise takes 4,096.
const DefaultQueryLimit = 512

// noRetweets ends every query: reposts repeat a post Herald reads anyway.
const noRetweets = " -is:retweet"

// Plan is the X searches that a workspace's topics need.
type Plan struct {
	// Queries are X search queries, each at most the limit long, whose
	// results together hold every post on X that the topics can match
	// (a superset: Herald's matcher decides what matches).
	Queries []string
	// Omitted says, a line each, what of which topic the queries leave
	// out (the matcher still applies it) or why a topic is not searched.
	Omitted []string
}

// Build returns the searches for topics (one workspace's active topics;
// paused ones are left out), in topic id order. Each topic becomes a
// clause in X's syntax:
//
//	(a OR "b c")      Any terms; a word as is, anything else quoted
//	d "e f"           All terms
//	-g -"h i"         None terms
//	(#tag OR #other)  Hashtags
//	(from:h OR @h)    Accounts that are X accounts (h, @h, h@x.com, h@twitter.com)
//	(lang:en)         Languages, with StrictLanguage only: X's lang: would
//	                  drop posts of unknown language, which the topic keeps
//
// Clauses are joined with OR and every query ends with -is:retweet. What X
// cannot express is left out and said in Plan.Omitted: regular expressions
// (an Any list holding one is dropped whole, since any post might match
// it; an All or None one alone), None terms that are not plain words or
// phrases (X's matching of symbols could drop posts the topic keeps). A
// topic whose Accounts name no X account cannot match a post on X and is
// not searched; nor is one left with nothing to search for. A clause
// longer than limit (0: DefaultQueryLimit) is split along its Any,
// Hashtags or Accounts lists into clauses that together find the same;
// if that is not enough its None terms, then its languages, then its All
// terms are dropped. Clauses are packed into as few queries as fit.
func Build(topics []herald.ListenTopic, limit int) Plan {
	if limit <= 0 {
		limit = DefaultQueryLimit
	}
	budget := limit - len(noRetweets)
	ts := slices.Clone(topics)
	slices.SortFunc(ts, func(a, b herald.ListenTopic) int { return int(a.ID - b.ID) })
	var p Plan
	var clauses []clause
	for _, t := range ts {
		if t.Paused {
			continue
		}
		c, notes, ok := clauseOf(t)
		p.Omitted = append(p.Omitted, notes...)
		if !ok {
			continue
		}
		parts, notes := split(c, budget, t.Name)
		p.Omitted = append(p.Omitted, notes...)
		clauses = append(clauses, parts...)
	}
	p.Queries = pack(clauses, limit)
	return p
}

// clause is one topic's search (or a part of it): each of any, tags and
// accts that is not nil is a list of alternatives that must hold; all
// and none are terms that must and must not appear; langs alternatives.
type clause struct {
	any, tags, accts []string
	all, none, langs []string
}

// groups are the clause's parts in order, each a list of alternatives
// (a term of all or none is a list of one).
func (c clause) groups() [][]string {
	var g [][]string
	if len(c.any) > 0 {
		g = append(g, c.any)
	}
	for _, t := range c.all {
		g = append(g, []string{t})
	}
	for _, t := range c.none {
		g = append(g, []string{"-" + t})
	}
	for _, l := range [][]string{c.tags, c.accts, c.langs} {
		if len(l) > 0 {
			g = append(g, l)
		}
	}
	return g
}

// group renders alternatives: one alone as it is, several in parentheses.
func group(alts []string) string {
	if len(alts) == 1 && !strings.Contains(alts[0], " OR ") {
		return alts[0]
	}
	return "(" + strings.Join(alts, " OR ") + ")"
}

// groupLen is len(group(alts)) in characters, without building it.
func groupLen(alts []string) int {
	if len(alts) == 1 && !strings.Contains(alts[0], " OR ") {
		return utf8.RuneCountInString(alts[0])
	}
	n := 2 + 4*(len(alts)-1)
	for _, a := range alts {
		n += utf8.RuneCountInString(a)
	}
	return n
}

// String renders the clause.
func (c clause) String() string {
	var parts []string
	for _, g := range c.groups() {
		parts = append(parts, group(g))
	}
	return strings.Join(parts, " ")
}

// length is len(c.String()) in characters, without building it.
func (c clause) length() int {
	g := c.groups()
	n := max(len(g)-1, 0)
	for _, alts := range g {
		n += groupLen(alts)
	}
	return n
}

// compound reports whether the clause has several parts (it needs
// parentheses among others).
func (c clause) compound() bool { return len(c.groups()) > 1 }

var plainWord = regexp.MustCompile(`^[\p{L}\p{N}_]+$`)

// term is a term in X's syntax, ok false when X cannot express it.
// plain is true for words and phrases of words.
func term(s string) (q string, plain, ok bool) {
	s = strings.TrimSpace(s)
	if len(s) >= 3 && s[0] == '/' && s[len(s)-1] == '/' {
		return "", false, false // a regular expression
	}
	if plainWord.MatchString(s) && !strings.EqualFold(s, "or") && !strings.EqualFold(s, "and") {
		return s, true, true
	}
	words := strings.Fields(strings.ReplaceAll(s, `"`, " "))
	if len(words) == 0 {
		return "", false, false
	}
	plain = true
	for _, w := range words {
		plain = plain && plainWord.MatchString(w)
	}
	return `"` + strings.Join(words, " ") + `"`, plain, true
}

var xHandle = regexp.MustCompile(`^[a-z0-9_]{1,15}$`)

// xAccount is the X username an account entry names, "" when it names
// none: a bare handle, or user@x.com / user@twitter.com.
func xAccount(a string) string {
	a = strings.ToLower(strings.TrimPrefix(strings.TrimSpace(a), "@"))
	if user, host, ok := strings.Cut(a, "@"); ok {
		if host != "x.com" && host != "twitter.com" {
			return ""
		}
		a = user
	}
	if !xHandle.MatchString(a) {
		return ""
	}
	return a
}

// clauseOf turns a topic into its clause; ok is false when the topic is
// not searched. notes say what is left out.
func clauseOf(t herald.ListenTopic) (c clause, notes []string, ok bool) {
	r := t.Rules
	name := fmt.Sprintf("topic %q", t.Name)
	add := func(list []string, v string) []string {
		if slices.ContainsFunc(list, func(x string) bool { return strings.EqualFold(x, v) }) {
			return list
		}
		return append(list, v)
	}
	if len(r.Any) > 0 {
		c.any = []string{}
		for _, s := range r.Any {
			q, _, ok := term(s)
			if !ok {
				notes = append(notes, name+": its Any terms (they include "+strings.TrimSpace(s)+", which X cannot search for)")
				c.any = nil
				break
			}
			c.any = add(c.any, q)
		}
	}
	var dropped []string
	for _, s := range r.All {
		if q, _, ok := term(s); ok {
			c.all = add(c.all, q)
		} else {
			dropped = append(dropped, strings.TrimSpace(s))
		}
	}
	if len(dropped) > 0 {
		notes = append(notes, name+": the All terms "+strings.Join(dropped, ", "))
	}
	dropped = nil
	for _, s := range r.None {
		if q, plain, ok := term(s); ok && plain {
			c.none = add(c.none, q)
		} else {
			dropped = append(dropped, strings.TrimSpace(s))
		}
	}
	if len(dropped) > 0 {
		notes = append(notes, name+": the None terms "+strings.Join(dropped, ", "))
	}
	for _, h := range r.Hashtags {
		h = strings.TrimPrefix(strings.TrimPrefix(strings.TrimSpace(h), "#"), "＃")
		if h != "" {
			c.tags = add(c.tags, "#"+h)
		}
	}
	if len(r.Accounts) > 0 {
		for _, a := range r.Accounts {
			if h := xAccount(a); h != "" {
				c.accts = add(c.accts, "from:"+h+" OR @"+h)
			}
		}
		if len(c.accts) == 0 {
			return c, append(notes, name+": not searched on X, since none of its accounts is an X account"), false
		}
	}
	if r.StrictLanguage {
		for _, l := range r.Languages {
			if l = strings.ToLower(strings.TrimSpace(l)); l != "" && strings.IndexFunc(l, unicode.IsSpace) < 0 {
				c.langs = add(c.langs, "lang:"+l)
			}
		}
	}
	if len(c.any) == 0 && len(c.all) == 0 && len(c.tags) == 0 && len(c.accts) == 0 {
		return c, append(notes, name+": not searched on X, since nothing of it can be searched for there"), false
	}
	return c, notes, true
}

// list is the clause's i-th list of alternatives: Any, Hashtags, Accounts.
func (c *clause) list(i int) *[]string {
	switch i {
	case 0:
		return &c.any
	case 1:
		return &c.tags
	}
	return &c.accts
}

// split cuts c into clauses of at most budget characters that together
// find what c finds, dropping None terms, languages and All terms (in
// that order, noted) when cutting lists is not enough.
func split(c clause, budget int, topic string) ([]clause, []string) {
	if c.length() <= budget {
		return []clause{c}, nil
	}
	// The longest list of alternatives with more than one is cut: as many
	// as fit beside the rest of the clause, then the rest likewise.
	best := -1
	for i := range 3 {
		if l := *c.list(i); len(l) > 1 && (best < 0 || groupLen(l) > groupLen(*c.list(best))) {
			best = i
		}
	}
	if best >= 0 {
		whole := *c.list(best)
		probe := c
		*probe.list(best) = whole[:1]
		rest := probe.length() - groupLen(whole[:1]) // the clause beside the list
		k := 1
		if rest+groupLen(whole[:1]) > budget {
			k = len(whole) / 2 // another list is too long as well: halve, and cut that one next
		} else {
			for k < len(whole) && rest+groupLen(whole[:k+1]) <= budget {
				k++
			}
		}
		head, tail := c, c
		*head.list(best), *tail.list(best) = whole[:k], whole[k:]
		a, n1 := split(head, budget, topic)
		b, n2 := split(tail, budget, topic)
		return append(a, b...), uniq(append(n1, n2...))
	}
	name := fmt.Sprintf("topic %q", topic)
	var note string
	switch {
	case len(c.none) > 0:
		c.none, note = nil, name+": its None terms, to fit X's query length"
	case len(c.langs) > 0:
		c.langs, note = nil, name+": its languages, to fit X's query length"
	case len(c.all) > 1 || len(c.all) == 1 && len(c.any)+len(c.tags)+len(c.accts) > 0:
		c.all, note = c.all[:len(c.all)-1], name+": some of its All terms, to fit X's query length"
	default:
		return nil, []string{name + ": not searched on X, since it does not fit X's query length"}
	}
	cs, notes := split(c, budget, topic)
	return cs, uniq(append([]string{note}, notes...))
}

func uniq(s []string) []string {
	var out []string
	for _, v := range s {
		if !slices.Contains(out, v) {
			out = append(out, v)
		}
	}
	return out
}

// pack joins clauses into as few queries of at most limit characters as
// it can, in order: "c -is:retweet" for one clause,
// "(c1 OR (c2 …) OR …) -is:retweet" for several.
func pack(clauses []clause, limit int) []string {
	render := func(cs []clause) string {
		if len(cs) == 1 {
			return cs[0].String() + noRetweets
		}
		parts := make([]string, len(cs))
		for i, c := range cs {
			parts[i] = c.String()
			if c.compound() {
				parts[i] = "(" + parts[i] + ")"
			}
		}
		return "(" + strings.Join(parts, " OR ") + ")" + noRetweets
	}
	var out []string
	var cur []clause
	for _, c := range clauses {
		if len(cur) > 0 && utf8.RuneCountInString(render(append(slices.Clone(cur), c))) > limit {
			out = append(out, render(cur))
			cur = nil
		}
		cur = append(cur, c)
	}
	if len(cur) > 0 {
		out = append(out, render(cur))
	}
	return out
}
