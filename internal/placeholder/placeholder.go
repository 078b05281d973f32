// Package placeholder finds and fills the {{name}} placeholders of text
// that people write once and use many times (post templates, feed
// post formats). A placeholder is "{{", a name, "}}"; the name is read
// without surrounding spaces and ignoring case, so {{ Date }} is {{date}}.
// What names exist and what they stand for is the caller's: a Set.
package placeholder

import (
	"fmt"
	"slices"
	"strings"
)

// maxName bounds what is read as a name, so that "{{" in ordinary text
// far from any "}}" is not taken for a placeholder.
const maxName = 64

// Var is one placeholder a Set knows.
type Var struct {
	Name string // lower case, e.g. "date"
	Doc  string // what it becomes, for people: "the post's date, like 4 December 2026"
}

// Set is the placeholders one kind of text may use.
type Set []Var

// Names lists the set's names, each in braces: "{{date}}, {{weekday}}".
func (s Set) Names() string {
	out := make([]string, len(s))
	for i, v := range s {
		out[i] = "{{" + v.Name + "}}"
	}
	return strings.Join(out, ", ")
}

// has reports whether name is in the set.
func (s Set) has(name string) bool {
	return slices.ContainsFunc(s, func(v Var) bool { return v.Name == name })
}

// Use is one placeholder found in a text.
type Use struct {
	Name       string // normalised: trimmed, lower case
	Start, End int    // byte offsets of "{{" and just after "}}"
}

// Find returns the placeholders of text, in order.
func Find(text string) []Use {
	var out []Use
	for i := 0; i < len(text); {
		j := strings.Index(text[i:], "{{")
		if j < 0 {
			break
		}
		start := i + j
		rest := text[start+2:]
		k := strings.Index(rest, "}}")
		// A name holds no brace and no line break; "{{{{" or a "{{"
		// never closed on its line is ordinary text.
		if k < 0 || k > maxName || strings.ContainsAny(rest[:k], "{}\n") {
			i = start + 2
			continue
		}
		out = append(out, Use{Name: strings.ToLower(strings.TrimSpace(rest[:k])), Start: start, End: start + 2 + k + 2})
		i = start + 2 + k + 2
	}
	return out
}

// Unknown returns the names text uses that s does not know, each once,
// in order of first use.
func (s Set) Unknown(text string) []string {
	var out []string
	for _, u := range Find(text) {
		if !s.has(u.Name) && !slices.Contains(out, u.Name) {
			out = append(out, u.Name)
		}
	}
	return out
}

// Problem describes unknown names for people: what is wrong and which
// names may be used instead. It is "" when unknown is empty.
func (s Set) Problem(unknown []string) string {
	if len(unknown) == 0 {
		return ""
	}
	quoted := make([]string, len(unknown))
	for i, n := range unknown {
		quoted[i] = "{{" + n + "}}"
	}
	what := "is not a placeholder Herald knows"
	if len(unknown) > 1 {
		what = "are not placeholders Herald knows"
	}
	return fmt.Sprintf("%s %s: use %s", strings.Join(quoted, ", "), what, s.Names())
}

// Fill replaces every placeholder of text with its value in values
// (keyed by lower-case name); a placeholder without a value is left as
// written, so nothing typed is ever lost.
func Fill(text string, values map[string]string) string {
	uses := Find(text)
	if len(uses) == 0 {
		return text
	}
	var b strings.Builder
	last := 0
	for _, u := range uses {
		v, ok := values[u.Name]
		if !ok {
			continue
		}
		b.WriteString(text[last:u.Start])
		b.WriteString(v)
		last = u.End
	}
	b.WriteString(text[last:])
	return b.String()
}
