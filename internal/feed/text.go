package feed

import (
	"bytes"
	"net/url"
	"strings"

	"golang.org/x/net/html"
	"golang.org/x/net/html/atom"
)

// skipped are elements whose content is never text a reader sees.
var skipped = map[atom.Atom]bool{atom.Script: true, atom.Style: true, atom.Noscript: true, atom.Template: true,
	atom.Iframe: true, atom.Object: true, atom.Embed: true, atom.Svg: true, atom.Math: true, atom.Head: true,
	atom.Title: true, atom.Textarea: true, atom.Select: true}

// breaking are elements that separate words.
var breaking = map[atom.Atom]bool{atom.Br: true, atom.P: true, atom.Div: true, atom.Li: true, atom.Tr: true,
	atom.Td: true, atom.Th: true, atom.H1: true, atom.H2: true, atom.H3: true, atom.H4: true, atom.H5: true,
	atom.H6: true, atom.Blockquote: true, atom.Pre: true, atom.Hr: true, atom.Img: true, atom.Figure: true,
	atom.Figcaption: true, atom.Section: true, atom.Article: true, atom.Ul: true, atom.Ol: true, atom.Dd: true, atom.Dt: true}

// StripHTML returns the text a reader would see in an HTML fragment:
// entities decoded, tags removed, the content of scripts, styles and
// other non-text elements dropped, white space folded to single spaces.
func StripHTML(s string) string {
	if !strings.ContainsAny(s, "<&") {
		return cleanLine(s)
	}
	z := html.NewTokenizer(strings.NewReader(s))
	var b strings.Builder
	depth := 0 // inside how many skipped elements
	for {
		switch z.Next() {
		case html.ErrorToken:
			return cleanLine(b.String())
		case html.TextToken:
			if depth == 0 {
				b.Write(z.Text())
			}
		case html.StartTagToken:
			name, _ := z.TagName()
			a := atom.Lookup(name)
			if skipped[a] {
				// The tokenizer reads a script's or style's content as
				// raw text up to its end tag; it is dropped with the rest.
				depth++
			}
			if breaking[a] {
				b.WriteByte(' ')
			}
		case html.EndTagToken:
			name, _ := z.TagName()
			a := atom.Lookup(name)
			if skipped[a] && depth > 0 {
				depth--
			}
			if breaking[a] {
				b.WriteByte(' ')
			}
		case html.SelfClosingTagToken:
			name, _ := z.TagName()
			if breaking[atom.Lookup(name)] {
				b.WriteByte(' ')
			}
		}
	}
}

// discover returns the feed addresses an HTML page announces with
// <link rel="alternate" type="application/rss+xml"> (or Atom), absolute.
func discover(page []byte, base string) []string {
	baseURL, _ := url.Parse(base)
	z := html.NewTokenizer(bytes.NewReader(page))
	var out []string
	for {
		tt := z.Next()
		if tt == html.ErrorToken {
			return out
		}
		if tt != html.StartTagToken && tt != html.SelfClosingTagToken {
			continue
		}
		name, hasAttr := z.TagName()
		if atom.Lookup(name) == atom.Body {
			return out
		}
		if atom.Lookup(name) != atom.Link || !hasAttr {
			continue
		}
		var rel, typ, href string
		for {
			k, v, more := z.TagAttr()
			switch string(k) {
			case "rel":
				rel = strings.ToLower(string(v))
			case "type":
				typ = strings.ToLower(strings.TrimSpace(string(v)))
			case "href":
				href = string(v)
			}
			if !more {
				break
			}
		}
		if !strings.Contains(" "+rel+" ", " alternate ") {
			continue
		}
		if typ != "application/rss+xml" && typ != "application/atom+xml" && typ != "application/rdf+xml" {
			continue
		}
		if u := absolute(baseURL, href); u != "" && len(out) < 5 {
			out = append(out, u)
		}
	}
}
