package topic

import (
	"errors"
	"fmt"
	"regexp"
	"regexp/syntax"
	"slices"
	"strings"
	"unicode"
	"unicode/utf8"
)

// Limits on one topic. They keep one workspace from making matching slow for
// everyone and keep previews readable.
const (
	MaxTerms      = 10000 // entries across Any, All, None, Hashtags and Accounts
	MaxTermLen    = 200   // characters in one term, after trimming
	MaxRegexTerms = 200   // regular-expression terms across Any, All and None
	maxRegexInsts = 2000  // compiled program size of one regular expression
)

// Topic is what a workspace listens for. See the package documentation for
// how its lists combine.
type Topic struct {
	ID             int64
	Any            []string // at least one must appear, when given
	All            []string // every one must appear
	None           []string // none may appear
	Hashtags       []string // "#tag" or "tag"; at least one must be on the post, when given
	Accounts       []string // the author or a mention must be one of them, when given
	Languages      []string // ISO 639-1 codes; empty means any language
	StrictLanguage bool     // with Languages, also reject posts whose language is unknown
}

// Post is the part of a public post that matching looks at.
type Post struct {
	Text     string
	Author   string   // handle, user@host or DID
	Mentions []string // handles, user@host or DIDs
	Tags     []string // hashtags the source reports, with or without '#'
	Language string   // language tag such as "en" or "pt-BR"; "" when unknown
}

// Hit says that a post matched a topic, and why.
type Hit struct {
	TopicID int64
	// Terms are the topic's terms, hashtags ("#tag") and accounts that
	// matched, as the topic spells them: the evidence shown to the user.
	Terms []string
}

// Kind says which list of a topic a term comes from.
type Kind uint8

// The lists of a topic.
const (
	KindAny Kind = iota + 1
	KindAll
	KindNone
	KindHashtag
	KindAccount
)

// String returns the list's name as the Topic field spells it.
func (k Kind) String() string {
	switch k {
	case KindAny:
		return "Any"
	case KindAll:
		return "All"
	case KindNone:
		return "None"
	case KindHashtag:
		return "Hashtags"
	case KindAccount:
		return "Accounts"
	}
	return fmt.Sprintf("Kind(%d)", k)
}

// ErrInvalid is wrapped by every validation error, so callers can tell a
// topic to fix from other failures with errors.Is.
var ErrInvalid = errors.New("invalid topic")

// Error is a problem with one topic, naming the term at fault (if any) and
// saying what to fix.
type Error struct {
	TopicID int64
	Kind    Kind   // the list holding Term; 0 for problems with the topic as a whole
	Term    string // the term as written
	Fix     string // what is wrong and what to do about it
	Err     error  // underlying cause, such as a regexp syntax error
}

func (e *Error) Error() string {
	var b strings.Builder
	fmt.Fprintf(&b, "topic %d", e.TopicID)
	if e.Kind != 0 {
		fmt.Fprintf(&b, ": %s term %q", e.Kind, e.Term)
	}
	b.WriteString(": ")
	b.WriteString(e.Fix)
	if e.Err != nil {
		fmt.Fprintf(&b, ": %v", e.Err)
	}
	return b.String()
}

// Unwrap returns ErrInvalid and the underlying cause.
func (e *Error) Unwrap() []error {
	if e.Err != nil {
		return []error{ErrInvalid, e.Err}
	}
	return []error{ErrInvalid}
}

// Validate reports the first problem with t, or nil.
func (t Topic) Validate() error {
	_, err := prepare(t)
	return err
}

// term is one validated entry of a topic.
type term struct {
	kind  Kind
	label string         // as written, trimmed ("#tag" for hashtags)
	key   string         // folded text, tag or account; the expression for regexps
	words bool           // plain term made only of words and spaces
	re    *regexp.Regexp // non-nil for a regular-expression term
}

// prepared is a validated topic.
type prepared struct {
	id     int64
	terms  []term
	langs  []string
	strict bool
}

// prepare validates t and folds its terms.
func prepare(t Topic) (*prepared, error) {
	p := &prepared{id: t.ID, strict: t.StrictLanguage}
	bad := func(k Kind, s, fix string, err error) error {
		return &Error{TopicID: t.ID, Kind: k, Term: s, Fix: fix, Err: err}
	}
	if len(t.Any)+len(t.All)+len(t.Hashtags)+len(t.Accounts) == 0 {
		return nil, bad(0, "", "add at least one Any term, All term, hashtag or account (None terms alone match nothing)", nil)
	}
	if n := len(t.Any) + len(t.All) + len(t.None) + len(t.Hashtags) + len(t.Accounts); n > MaxTerms {
		return nil, bad(0, "", fmt.Sprintf("has %d terms; use at most %d across its lists, or split it into several topics", n, MaxTerms), nil)
	}
	seen := map[string]bool{}
	regexps := 0
	lists := []struct {
		kind  Kind
		terms []string
	}{{KindAny, t.Any}, {KindAll, t.All}, {KindNone, t.None}, {KindHashtag, t.Hashtags}, {KindAccount, t.Accounts}}
	for _, l := range lists {
		for _, raw := range l.terms {
			s := strings.TrimSpace(raw)
			if n := utf8.RuneCountInString(s); n == 0 {
				return nil, bad(l.kind, raw, "is empty; remove it", nil)
			} else if n > MaxTermLen {
				return nil, bad(l.kind, s, fmt.Sprintf("has %d characters; shorten it to at most %d", n, MaxTermLen), nil)
			}
			tm, err := prepareTerm(l.kind, s)
			if err != nil {
				var e *Error
				if errors.As(err, &e) {
					e.TopicID, e.Kind, e.Term = t.ID, l.kind, s
				}
				return nil, err
			}
			if tm.re != nil {
				if regexps++; regexps > MaxRegexTerms {
					return nil, bad(l.kind, s, fmt.Sprintf("is regular expression number %d; use at most %d per topic", regexps, MaxRegexTerms), nil)
				}
			}
			// Duplicates within a list are folded; the same term in All and
			// None would make the topic match nothing.
			key := func(k Kind) string { return fmt.Sprintf("%d\x00%t\x00%s", k, tm.re != nil, tm.key) }
			if l.kind == KindNone && seen[key(KindAll)] {
				return nil, bad(l.kind, s, "is also an All term, so the topic could never match; remove it from one list", nil)
			}
			if seen[key(l.kind)] {
				continue
			}
			seen[key(l.kind)] = true
			p.terms = append(p.terms, tm)
		}
	}
	for _, l := range t.Languages {
		c := normLang(l)
		if len(c) != 2 || c[0] < 'a' || c[0] > 'z' || c[1] < 'a' || c[1] > 'z' {
			return nil, bad(0, "", fmt.Sprintf("language %q: use a two-letter ISO 639-1 code such as \"en\"", l), nil)
		}
		if !slices.Contains(p.langs, c) {
			p.langs = append(p.langs, c)
		}
	}
	return p, nil
}

// prepareTerm validates and folds one trimmed, non-empty term. Errors it
// returns are completed by prepare.
func prepareTerm(k Kind, s string) (term, error) {
	tm := term{kind: k, label: s}
	fix := func(msg string, err error) (term, error) {
		return term{}, &Error{Fix: msg, Err: err}
	}
	switch k {
	case KindHashtag:
		tm.key = normTag(s)
		tm.label = "#" + strings.TrimPrefix(strings.TrimPrefix(s, "#"), "＃")
		if tm.key == "" {
			return fix("has no characters after '#'; write the tag, such as #herald", nil)
		}
		for _, r := range tm.key {
			if !isTagRune(r) {
				return fix(fmt.Sprintf("holds %q; a hashtag has only letters, digits and underscores", r), nil)
			}
		}
	case KindAccount:
		tm.key = normAccount(s)
		if msg := checkAccount(tm.key); msg != "" {
			return fix(msg, nil)
		}
	default:
		if len(s) >= 3 && s[0] == '/' && s[len(s)-1] == '/' {
			re, err := compileRegexp(s[1 : len(s)-1])
			if err != nil {
				return term{}, err
			}
			tm.key, tm.re = s, re
			return tm, nil
		}
		tm.key, tm.words = normTerm(s)
		if tm.key == "" {
			return fix("has nothing to match once accents are dropped; write some letters, digits or symbols", nil)
		}
	}
	return tm, nil
}

// compileRegexp compiles a regular-expression term, case-insensitive, with a
// bound on its size. RE2 guarantees time linear in the input.
func compileRegexp(expr string) (*regexp.Regexp, error) {
	fix := "is not a valid regular expression; fix it (Go RE2 syntax) or drop the slashes to match it as written"
	parsed, err := syntax.Parse(expr, syntax.Perl|syntax.FoldCase)
	if err != nil {
		return nil, &Error{Fix: fix, Err: err}
	}
	prog, err := syntax.Compile(parsed.Simplify())
	if err != nil {
		return nil, &Error{Fix: fix, Err: err}
	}
	if len(prog.Inst) > maxRegexInsts {
		return nil, &Error{Fix: fmt.Sprintf("is a regular expression too large to run on every post (%d instructions, at most %d); simplify it", len(prog.Inst), maxRegexInsts)}
	}
	re, err := regexp.Compile("(?i)" + expr)
	if err != nil {
		return nil, &Error{Fix: fix, Err: err}
	}
	if re.MatchString("") {
		return nil, &Error{Fix: "is a regular expression that matches empty text, so it would match every post; make it require at least one character"}
	}
	return re, nil
}

// checkAccount says what is wrong with a normalised account, or "".
func checkAccount(a string) string {
	const forms = "write a fediverse account as user@host, a Bluesky handle as name.bsky.social, a DID such as did:plc:…, or an X account as name@x.com"
	if a == "" || strings.IndexFunc(a, unicode.IsSpace) >= 0 {
		return "is not an account; " + forms
	}
	if strings.HasPrefix(a, "did:") {
		if parts := strings.SplitN(a, ":", 3); len(parts) < 3 || parts[1] == "" || parts[2] == "" {
			return "is an incomplete DID; " + forms
		}
		return ""
	}
	if user, host, ok := strings.Cut(a, "@"); ok {
		if user == "" || !strings.Contains(host, ".") || strings.Contains(host, "@") {
			return "is not a user@host account; " + forms
		}
		return ""
	}
	if !strings.Contains(a, ".") || strings.HasPrefix(a, ".") || strings.HasSuffix(a, ".") {
		return "names no server; " + forms
	}
	return ""
}
