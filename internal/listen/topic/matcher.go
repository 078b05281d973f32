package topic

import (
	"regexp"
	"slices"
	"sort"
	"sync"
	"unicode/utf8"
)

// Matcher matches posts against a fixed set of topics. It is immutable and
// safe for concurrent use; to change the topics, compile a new one.
type Matcher struct {
	topics  []ctopic
	entries []entry
	keys    []key // word patterns, then symbol patterns, then tags, then accounts
	nWords  int32 // symbol patterns start here
	words   *automaton
	symbols *automaton
	tags    map[string]int32 // folded hashtag → key
	accts   map[string]int32 // normalised account → key
	always  []int32          // topics that may match on regular expressions alone
	byID    map[int64]int32
	pool    sync.Pool // *scratch
}

// ctopic is a compiled topic: what remains to check once the keys have fired.
type ctopic struct {
	id                     int64
	langs                  []string
	strict                 bool
	hasAny, hasTags, hasAc bool
	nAll                   int32 // plain All terms
	anyRe, allRe, noneRe   []rterm
}

type rterm struct {
	label string
	re    *regexp.Regexp
}

// entry is one plain term, hashtag or account of one topic.
type entry struct {
	topic int32
	kind  Kind
	label string
}

// key is something looked up in a post (a folded term, a tag, an account)
// with the entries of every topic that use it.
type key struct {
	entries            []int32
	size               int32 // pattern length in bytes
	needStart, needEnd bool  // a word boundary is required at that edge
}

// scratch is the per-call state of Match, pooled so matching allocates
// nothing for posts that match no topic.
type scratch struct {
	words, symbols stream
	gen            uint32
	seen           []uint32 // per key: gen when it last fired
	state          []tstate // per topic
	touched        []int32
}

type tstate struct {
	gen                  uint32
	any, none, tag, acct bool
	all                  int32
	ev                   []int32 // entries that fired
}

// Compile validates topics and builds one matcher for all of them. Topic IDs
// must be distinct.
func Compile(topics []Topic) (*Matcher, error) {
	m := &Matcher{byID: make(map[int64]int32, len(topics))}
	wordIdx, symIdx := map[string]int32{}, map[string]int32{}
	var wordPats, symPats []string
	var wordKeys, symKeys, tagKeys, acctKeys []key
	tagIdx, acctIdx := map[string]int32{}, map[string]int32{}
	use := func(idx map[string]int32, keys *[]key, pats *[]string, k string, e int32) {
		i, ok := idx[k]
		if !ok {
			i = int32(len(*keys))
			idx[k] = i
			kk := key{size: int32(len(k))}
			if pats != nil {
				*pats = append(*pats, k)
				first, _ := utf8.DecodeRuneInString(k)
				last, _ := utf8.DecodeLastRuneInString(k)
				kk.needStart, kk.needEnd = joins(first), joins(last)
			}
			*keys = append(*keys, kk)
		}
		(*keys)[i].entries = append((*keys)[i].entries, e)
	}
	for ti, t := range topics {
		if _, dup := m.byID[t.ID]; dup {
			return nil, &Error{TopicID: t.ID, Fix: "another topic has the same ID; give each topic its own"}
		}
		p, err := prepare(t)
		if err != nil {
			return nil, err
		}
		m.byID[t.ID] = int32(ti)
		ct := ctopic{id: t.ID, langs: p.langs, strict: p.strict}
		for _, tm := range p.terms {
			switch {
			case tm.kind == KindAny:
				ct.hasAny = true
			case tm.kind == KindHashtag:
				ct.hasTags = true
			case tm.kind == KindAccount:
				ct.hasAc = true
			}
			if tm.re != nil {
				r := rterm{tm.label, tm.re}
				switch tm.kind {
				case KindAny:
					ct.anyRe = append(ct.anyRe, r)
				case KindAll:
					ct.allRe = append(ct.allRe, r)
				default:
					ct.noneRe = append(ct.noneRe, r)
				}
				continue
			}
			if tm.kind == KindAll {
				ct.nAll++
			}
			e := int32(len(m.entries))
			m.entries = append(m.entries, entry{topic: int32(ti), kind: tm.kind, label: tm.label})
			switch {
			case tm.kind == KindHashtag:
				use(tagIdx, &tagKeys, nil, tm.key, e)
			case tm.kind == KindAccount:
				use(acctIdx, &acctKeys, nil, tm.key, e)
			case tm.words:
				use(wordIdx, &wordKeys, &wordPats, tm.key, e)
			default:
				use(symIdx, &symKeys, &symPats, tm.key, e)
			}
		}
		if !ct.hasTags && !ct.hasAc && ct.nAll == 0 && (!ct.hasAny || len(ct.anyRe) > 0) {
			m.always = append(m.always, int32(ti))
		}
		m.topics = append(m.topics, ct)
	}
	m.nWords = int32(len(wordKeys))
	m.keys = slices.Concat(wordKeys, symKeys, tagKeys, acctKeys)
	base := int32(len(wordKeys) + len(symKeys))
	m.tags = make(map[string]int32, len(tagIdx))
	for k, i := range tagIdx {
		m.tags[k] = base + i
	}
	base += int32(len(tagKeys))
	m.accts = make(map[string]int32, len(acctIdx))
	for k, i := range acctIdx {
		m.accts[k] = base + i
	}
	if len(wordPats) > 0 {
		m.words = buildAutomaton(wordPats)
	}
	if len(symPats) > 0 {
		m.symbols = buildAutomaton(symPats)
	}
	m.pool.New = func() any {
		return &scratch{seen: make([]uint32, len(m.keys)), state: make([]tstate, len(m.topics))}
	}
	return m, nil
}

// Match returns the topics p matches, in the order they were compiled, each
// with its evidence. Where a plain Any term matched, Any regular expressions
// are not run, so they are not listed.
func (m *Matcher) Match(p Post) []Hit {
	sc := m.pool.Get().(*scratch)
	defer m.pool.Put(sc)
	if sc.gen++; sc.gen == 0 { // wrapped: forget everything
		clear(sc.seen)
		clear(sc.state)
		sc.gen = 1
	}
	sc.touched = sc.touched[:0]
	if m.words != nil {
		buildWords(&sc.words, p.Text, false)
		b := sc.words.b
		m.words.scan(b, func(pat int32, end int) {
			if m.bounded(b, pat, end) {
				m.fire(sc, pat)
			}
		})
	}
	if m.symbols != nil {
		buildSymbols(&sc.symbols, p.Text, false)
		b := sc.symbols.b
		m.symbols.scan(b, func(pat int32, end int) {
			if pat += m.nWords; m.bounded(b, pat, end) {
				m.fire(sc, pat)
			}
		})
	}
	if len(m.tags) > 0 {
		hashtags(p.Text, func(tag []byte, _, _ int) {
			if k, ok := m.tags[string(tag)]; ok {
				m.fire(sc, k)
			}
		})
		for _, t := range p.Tags {
			if k, ok := m.tags[normTag(t)]; ok {
				m.fire(sc, k)
			}
		}
	}
	if len(m.accts) > 0 {
		if k, ok := m.accts[normAccount(p.Author)]; ok {
			m.fire(sc, k)
		}
		for _, a := range p.Mentions {
			if k, ok := m.accts[normAccount(a)]; ok {
				m.fire(sc, k)
			}
		}
	}
	for _, ti := range m.always {
		m.touch(sc, ti)
	}
	slices.Sort(sc.touched)
	lang := normLang(p.Language)
	var hits []Hit
	for _, ti := range sc.touched {
		if h, ok := m.check(ti, &sc.state[ti], lang, p.Text); ok {
			hits = append(hits, h)
		}
	}
	return hits
}

// bounded reports whether the occurrence of pattern pat ending at end in the
// stream b sits on word boundaries where the pattern needs them.
func (m *Matcher) bounded(b []byte, pat int32, end int) bool {
	k := &m.keys[pat]
	start := end - int(k.size)
	if k.needStart && start > 0 {
		if r, _ := utf8.DecodeLastRune(b[:start]); joins(r) {
			return false
		}
	}
	if k.needEnd && end < len(b) {
		if r, _ := utf8.DecodeRune(b[end:]); joins(r) {
			return false
		}
	}
	return true
}

// touch makes topic ti a candidate for this call, resetting its state.
func (m *Matcher) touch(sc *scratch, ti int32) *tstate {
	st := &sc.state[ti]
	if st.gen != sc.gen {
		*st = tstate{gen: sc.gen, ev: st.ev[:0]}
		sc.touched = append(sc.touched, ti)
	}
	return st
}

// fire records that key k occurs in the post, once per call.
func (m *Matcher) fire(sc *scratch, k int32) {
	if sc.seen[k] == sc.gen {
		return
	}
	sc.seen[k] = sc.gen
	for _, e := range m.keys[k].entries {
		en := &m.entries[e]
		st := m.touch(sc, en.topic)
		switch en.kind {
		case KindAny:
			st.any = true
		case KindAll:
			st.all++
		case KindNone:
			st.none = true
			continue
		case KindHashtag:
			st.tag = true
		case KindAccount:
			st.acct = true
		}
		st.ev = append(st.ev, e)
	}
}

// check decides a candidate topic, cheapest tests first and regular
// expressions last.
func (m *Matcher) check(ti int32, st *tstate, lang, text string) (Hit, bool) {
	t := &m.topics[ti]
	if st.none || st.all < t.nAll || t.hasTags && !st.tag || t.hasAc && !st.acct {
		return Hit{}, false
	}
	if len(t.langs) > 0 && (lang == "" && t.strict || lang != "" && !slices.Contains(t.langs, lang)) {
		return Hit{}, false
	}
	var res []string
	for _, r := range t.allRe {
		if !r.re.MatchString(text) {
			return Hit{}, false
		}
		res = append(res, r.label)
	}
	if t.hasAny && !st.any {
		i := slices.IndexFunc(t.anyRe, func(r rterm) bool { return r.re.MatchString(text) })
		if i < 0 {
			return Hit{}, false
		}
		res = append(res, t.anyRe[i].label)
	}
	for _, r := range t.noneRe {
		if r.re.MatchString(text) {
			return Hit{}, false
		}
	}
	slices.Sort(st.ev)
	terms := make([]string, 0, len(st.ev)+len(res))
	for _, e := range st.ev {
		terms = append(terms, m.entries[e].label)
	}
	return Hit{TopicID: t.id, Terms: append(terms, res...)}, true
}

// Span is where one term of a topic occurs in a text, in byte offsets of
// the original text, for highlighting.
type Span struct {
	Start, End int
	Term       string // the term as the topic spells it
	Kind       Kind   // the list it comes from; None spans show what excludes a post
}

// maxRegexSpans bounds the spans one regular expression adds to a preview.
const maxRegexSpans = 100

// Spans returns every occurrence in text of the terms and hashtags of the
// topic with the given ID, sorted by position (longer first at one start).
// Spans may overlap. It returns nil for an unknown topic.
func (m *Matcher) Spans(topicID int64, text string) []Span {
	ti, ok := m.byID[topicID]
	if !ok {
		return nil
	}
	var spans []Span
	add := func(k int32, from, to int) {
		for _, e := range m.keys[k].entries {
			if en := m.entries[e]; en.topic == ti {
				spans = append(spans, Span{from, to, en.label, en.kind})
			}
		}
	}
	var s stream
	scanStream := func(a *automaton, build func(*stream, string, bool), base int32) {
		if a == nil {
			return
		}
		build(&s, text, true)
		a.scan(s.b, func(pat int32, end int) {
			if pat += base; m.bounded(s.b, pat, end) {
				from, to := s.span(end-int(m.keys[pat].size), end)
				add(pat, from, to)
			}
		})
	}
	scanStream(m.words, buildWords, 0)
	scanStream(m.symbols, buildSymbols, m.nWords)
	hashtags(text, func(tag []byte, from, to int) {
		if k, ok := m.tags[string(tag)]; ok {
			add(k, from, to)
		}
	})
	t := &m.topics[ti]
	for _, l := range []struct {
		kind Kind
		res  []rterm
	}{{KindAny, t.anyRe}, {KindAll, t.allRe}, {KindNone, t.noneRe}} {
		for _, r := range l.res {
			for _, loc := range r.re.FindAllStringIndex(text, maxRegexSpans) {
				if loc[1] > loc[0] {
					spans = append(spans, Span{loc[0], loc[1], r.label, l.kind})
				}
			}
		}
	}
	sort.SliceStable(spans, func(i, j int) bool {
		if spans[i].Start != spans[j].Start {
			return spans[i].Start < spans[j].Start
		}
		return spans[i].End > spans[j].End
	})
	return spans
}

// Preview validates one topic, perhaps not yet saved, and returns the spans
// of its terms in text, as Matcher.Spans does.
func Preview(t Topic, text string) ([]Span, error) {
	m, err := Compile([]Topic{t})
	if err != nil {
		return nil, err
	}
	return m.Spans(t.ID, text), nil
}
