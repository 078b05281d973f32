package topic

import "sort"

// automaton is an Aho–Corasick automaton over bytes. It finds every
// occurrence of every pattern in one pass over the text: the cost is the
// text's length plus the number of occurrences, whatever the number of
// patterns.
//
// States are numbered from 0 (the root). The root's transitions are a dense
// table; other states keep their few transitions sorted in one flat array,
// which keeps memory proportional to the total length of the patterns.
type automaton struct {
	root   [256]int32 // root transitions; 0 means "stay at the root"
	states []state
	labels []byte  // edge labels, sorted within a state
	next   []int32 // edge targets
}

// state is one trie node. Its fields sit together because the scan reads
// them together: one cache line per state visited.
type state struct {
	first, n int32 // edges are labels/next[first:first+n]
	fail     int32 // longest proper suffix that is also a trie prefix
	out      int32 // pattern ending here, or -1
	emit     int32 // this state if it has output, else the nearest on the fail chain, or -1
}

// buildAutomaton builds the automaton of patterns; pattern i is reported as i.
// Patterns must be distinct and non-empty.
func buildAutomaton(patterns []string) *automaton {
	// The trie is built with a map of edges, then flattened.
	type key struct {
		s int32
		c byte
	}
	edges := map[key]int32{}
	kids := [][]byte{nil}
	out := []int32{-1}
	a := &automaton{}
	for pi, p := range patterns {
		s := int32(0)
		for i := 0; i < len(p); i++ {
			k := key{s, p[i]}
			t, ok := edges[k]
			if !ok {
				t = int32(len(out))
				edges[k] = t
				kids[s] = append(kids[s], p[i])
				kids = append(kids, nil)
				out = append(out, -1)
			}
			s = t
		}
		out[s] = int32(pi)
	}
	n := len(out)
	a.states = make([]state, n)
	for s := 0; s < n; s++ {
		ks := kids[s]
		sort.Slice(ks, func(i, j int) bool { return ks[i] < ks[j] })
		st := &a.states[s]
		st.first, st.n, st.out, st.emit = int32(len(a.labels)), int32(len(ks)), out[s], -1
		for _, c := range ks {
			a.labels = append(a.labels, c)
			a.next = append(a.next, edges[key{int32(s), c}])
		}
	}
	root := &a.states[0]
	for i := root.first; i < root.first+root.n; i++ {
		a.root[a.labels[i]] = a.next[i]
	}
	// Breadth-first, so a state's fail target is always finished before it.
	queue := make([]int32, 0, n)
	for i := root.first; i < root.first+root.n; i++ {
		queue = append(queue, a.next[i])
	}
	for len(queue) > 0 {
		s := queue[0]
		queue = queue[1:]
		st := &a.states[s]
		if st.out >= 0 {
			st.emit = s
		} else if s != 0 {
			st.emit = a.states[st.fail].emit
		}
		for i := st.first; i < st.first+st.n; i++ {
			c, t := a.labels[i], a.next[i]
			if s != 0 {
				a.states[t].fail = a.step(st.fail, c)
			}
			queue = append(queue, t)
		}
	}
	return a
}

// child returns the target of s's edge labelled c, or -1.
func (a *automaton) child(s int32, c byte) int32 {
	st := &a.states[s]
	lo, hi := st.first, st.first+st.n
	if st.n == 1 { // most states deep in the trie have one way on
		if a.labels[lo] == c {
			return a.next[lo]
		}
		return -1
	}
	if st.n <= 8 {
		for i := lo; i < hi; i++ {
			if a.labels[i] == c {
				return a.next[i]
			}
		}
		return -1
	}
	for lo < hi {
		m := int32(uint32(lo+hi) >> 1)
		switch l := a.labels[m]; {
		case l == c:
			return a.next[m]
		case l < c:
			lo = m + 1
		default:
			hi = m
		}
	}
	return -1
}

// step follows c from s, taking fail links until some state has an edge.
func (a *automaton) step(s int32, c byte) int32 {
	for s != 0 {
		if t := a.child(s, c); t >= 0 {
			return t
		}
		s = a.states[s].fail
	}
	return a.root[c]
}

// scan calls fn(pattern, end) for every occurrence in text, end being the
// byte offset just past the occurrence.
func (a *automaton) scan(text []byte, fn func(p int32, end int)) {
	s := int32(0)
	for i, c := range text {
		if s == 0 { // the common case, kept out of the call
			s = a.root[c]
		} else {
			s = a.step(s, c)
		}
		for t := a.states[s].emit; t >= 0; {
			st := &a.states[t]
			fn(st.out, i+1)
			t = a.states[st.fail].emit
		}
	}
}
