package xfake

import (
	"errors"
	"fmt"
	"strings"
)

// expr is a parsed search query.
type expr interface {
	match(d doc) bool
}

type (
	orExpr  []expr
	andExpr []expr
	notExpr struct{ e expr }
	// keyword matches a token; phrase consecutive tokens.
	phrase []string
	// operator is name:value, #tag or @user.
	operator struct{ name, value string }
)

func (o orExpr) match(d doc) bool {
	for _, e := range o {
		if e.match(d) {
			return true
		}
	}
	return false
}

func (a andExpr) match(d doc) bool {
	for _, e := range a {
		if !e.match(d) {
			return false
		}
	}
	return true
}

func (n notExpr) match(d doc) bool { return !n.e.match(d) }

func (p phrase) match(d doc) bool {
	for i := 0; i+len(p) <= len(d.words); i++ {
		ok := true
		for j, w := range p {
			if d.words[i+j] != w {
				ok = false
				break
			}
		}
		if ok {
			return true
		}
	}
	return false
}

func (o operator) match(d doc) bool {
	switch o.name {
	case "#":
		return d.tags[o.value]
	case "@":
		return d.mentions[o.value]
	case "from":
		return d.from == o.value
	case "to":
		return d.to == o.value
	case "lang":
		return d.lang == o.value
	case "is":
		switch o.value {
		case "reply":
			return d.reply
		default: // retweet, quote: the fake keeps neither as posts
			return false
		}
	}
	return false
}

// conjunctionOnly are operators X refuses as a query's only positive
// part.
var conjunctionOnly = map[string]bool{"lang": true, "is": true}

// parser reads a query.
type parser struct {
	toks []string
	i    int
}

// parseQuery parses q as X's search syntax (the part the fake knows). It
// refuses what X refuses: unbalanced parentheses or quotes, unknown
// operators, a dangling OR, and a query without a standalone operator.
func parseQuery(q string) (expr, error) {
	toks, err := lex(q)
	if err != nil {
		return nil, err
	}
	p := &parser{toks: toks}
	e, standalone, err := p.or()
	if err != nil {
		return nil, err
	}
	if p.i < len(p.toks) {
		return nil, fmt.Errorf("unexpected %q", p.toks[p.i])
	}
	if !standalone {
		return nil, errors.New("a query must have at least one standalone operator (a keyword, phrase, #hashtag, @mention, from: or to:)")
	}
	return e, nil
}

// lex splits a query into "(", ")", quoted phrases (kept with their
// quotes) and words.
func lex(q string) ([]string, error) {
	var out []string
	rs := []rune(q)
	for i := 0; i < len(rs); {
		switch r := rs[i]; {
		case r == ' ' || r == '\t' || r == '\n':
			i++
		case r == '(' || r == ')':
			out = append(out, string(r))
			i++
		case r == '"' || (r == '-' && i+1 < len(rs) && rs[i+1] == '"'):
			start := i
			if r == '-' {
				i++
			}
			j := i + 1
			for j < len(rs) && rs[j] != '"' {
				j++
			}
			if j == len(rs) {
				return nil, errors.New("an unterminated quoted phrase")
			}
			out = append(out, string(rs[start:j+1]))
			i = j + 1
		default:
			j := i
			for j < len(rs) && !strings.ContainsRune(" \t\n()\"", rs[j]) {
				j++
			}
			out = append(out, string(rs[i:j]))
			i = j
		}
	}
	return out, nil
}

// or parses terms joined by OR; standalone says whether it holds a
// positive standalone operator.
func (p *parser) or() (expr, bool, error) {
	var alts orExpr
	standalone := true
	for {
		e, st, err := p.and()
		if err != nil {
			return nil, false, err
		}
		alts = append(alts, e)
		standalone = standalone && st // every alternative must stand alone
		if p.i < len(p.toks) && p.toks[p.i] == "OR" {
			p.i++
			continue
		}
		break
	}
	if len(alts) == 1 {
		return alts[0], standalone, nil
	}
	return alts, standalone, nil
}

// and parses terms side by side (AND).
func (p *parser) and() (expr, bool, error) {
	var all andExpr
	standalone := false
	for p.i < len(p.toks) && p.toks[p.i] != ")" && p.toks[p.i] != "OR" {
		e, st, err := p.unary()
		if err != nil {
			return nil, false, err
		}
		all = append(all, e)
		standalone = standalone || st
	}
	if len(all) == 0 {
		return nil, false, errors.New("an empty group or a dangling OR")
	}
	if len(all) == 1 {
		return all[0], standalone, nil
	}
	return all, standalone, nil
}

// unary parses one term, negated or not.
func (p *parser) unary() (expr, bool, error) {
	t := p.toks[p.i]
	p.i++
	switch {
	case t == "(":
		e, st, err := p.or()
		if err != nil {
			return nil, false, err
		}
		if p.i >= len(p.toks) || p.toks[p.i] != ")" {
			return nil, false, errors.New("unbalanced parentheses")
		}
		p.i++
		return e, st, nil
	case t == "-":
		return nil, false, errors.New("a lone '-' (the fake does not negate groups)")
	case strings.HasPrefix(t, "-"):
		e, err := atom(t[1:])
		if err != nil {
			return nil, false, err
		}
		return notExpr{e}, false, nil
	}
	e, err := atom(t)
	if err != nil {
		return nil, false, err
	}
	op, isOp := e.(operator)
	return e, !isOp || !conjunctionOnly[op.name], nil
}

// atom parses a keyword, "phrase", #tag, @user or name:value.
func atom(t string) (expr, error) {
	switch {
	case strings.HasPrefix(t, `"`):
		words := tokens(strings.Trim(t, `"`))
		if len(words) == 0 {
			return nil, errors.New("an empty quoted phrase")
		}
		return phrase(words), nil
	case strings.HasPrefix(t, "#") && len(t) > 1:
		return operator{"#", strings.ToLower(t[1:])}, nil
	case strings.HasPrefix(t, "@") && len(t) > 1:
		return operator{"@", strings.ToLower(t[1:])}, nil
	}
	if name, value, ok := strings.Cut(t, ":"); ok && name != "" {
		switch name {
		case "from", "to", "lang", "is":
			if value == "" {
				return nil, fmt.Errorf("the operator '%s:' needs a value", name)
			}
			if name == "is" && value != "retweet" && value != "reply" && value != "quote" {
				return nil, fmt.Errorf("reference to invalid operator 'is:%s'", value)
			}
			return operator{name, strings.ToLower(strings.TrimPrefix(value, "@"))}, nil
		}
		return nil, fmt.Errorf("reference to invalid operator '%s'", name)
	}
	words := tokens(t)
	if len(words) == 0 {
		return nil, fmt.Errorf("%q matches nothing", t)
	}
	return phrase(words), nil
}
