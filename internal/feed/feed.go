// Package feed reads RSS 2.0, RSS 1.0 (RDF) and Atom 1.0 documents into one
// small shape: the entries' ids, titles, links, dates, summaries as plain
// text and image addresses. It is a reader of our own on encoding/xml (see
// docs/ARCHITECTURE.md for why), and it refuses clearly what is not a feed:
// a web page (with the feed links it announces), XML of another kind, a
// character set it cannot read.
package feed

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"net/url"
	"strings"
	"time"
	"unicode/utf8"

	"golang.org/x/net/html/charset"
)

// Namespaces the reader knows.
const (
	nsAtom    = "http://www.w3.org/2005/Atom"
	nsRDF     = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"
	nsRSS1    = "http://purl.org/rss/1.0/"
	nsContent = "http://purl.org/rss/1.0/modules/content/"
	nsDC      = "http://purl.org/dc/elements/1.1/"
	nsMedia   = "http://search.yahoo.com/mrss/"
)

// MaxKeyLen is the longest entry key kept as it is; longer ids are hashed.
const MaxKeyLen = 200

// Format names the kind of feed a document is.
type Format string

// The formats Parse reads.
const (
	RSS2 Format = "rss"
	RSS1 Format = "rdf"
	Atom Format = "atom"
)

// Feed is a parsed feed.
type Feed struct {
	Format  Format
	Title   string
	Link    string
	Entries []Entry // in document order (feeds usually put the newest first)
}

// Entry is one item of a feed.
type Entry struct {
	ID        string // guid, Atom id or rdf:about; "" when the feed gives none
	Title     string
	Link      string // absolute http(s) address, or ""
	Summary   string // plain text, HTML stripped
	ImageURL  string // absolute http(s) address of an image, or ""
	Published time.Time
	Updated   time.Time
}

// Date is when the entry was published, else last updated; zero when the
// feed gives neither in a form Parse reads.
func (e Entry) Date() time.Time {
	if !e.Published.IsZero() {
		return e.Published
	}
	return e.Updated
}

// Key identifies the entry within its feed for as long as the feed keeps
// it: its id, else its link, else a hash of its title and summary. Keys
// longer than MaxKeyLen are hashed.
func (e Entry) Key() string {
	var k string
	switch {
	case e.ID != "":
		k = "id:" + e.ID
	case e.Link != "":
		k = "link:" + e.Link
	default:
		sum := sha256.Sum256([]byte(e.Title + "\x00" + e.Summary))
		return "text:" + hex.EncodeToString(sum[:])
	}
	if len(k) > MaxKeyLen {
		sum := sha256.Sum256([]byte(k))
		return "sha256:" + hex.EncodeToString(sum[:])
	}
	return k
}

// NotFeedError says the document is not a feed. Alternates lists the feed
// addresses a web page announces (link rel="alternate"), if any.
type NotFeedError struct {
	Reason     string
	Alternates []string
}

// Error says what the document is and what to do.
func (e *NotFeedError) Error() string {
	if len(e.Alternates) > 0 {
		return e.Reason + "; it links to the feed " + strings.Join(e.Alternates, ", ")
	}
	return e.Reason
}

// ErrEmpty is the error for an empty document.
var ErrEmpty = errors.New("the address answered with an empty document, not a feed")

// Parse reads a feed from r. base is the feed's own address, against which
// relative links are resolved. The character set comes from the XML
// declaration (UTF-8 when it names none).
func Parse(r io.Reader, base string) (*Feed, error) {
	data, err := io.ReadAll(r)
	if err != nil {
		return nil, fmt.Errorf("feed: read: %w", err)
	}
	return ParseBytes(data, base)
}

// ParseBytes is Parse over a document already in memory.
func ParseBytes(data []byte, base string) (*Feed, error) {
	trimmed := bytes.TrimSpace(bytes.TrimPrefix(data, []byte("\xef\xbb\xbf")))
	if len(trimmed) == 0 {
		return nil, ErrEmpty
	}
	if looksLikeHTML(trimmed) {
		return nil, &NotFeedError{Reason: "this is a web page, not a feed; look for its RSS/Atom link",
			Alternates: discover(data, base)}
	}
	if trimmed[0] != '<' {
		return nil, &NotFeedError{Reason: "the document is not XML, so it is not an RSS or Atom feed"}
	}
	baseURL, _ := url.Parse(base)
	d := xml.NewDecoder(bytes.NewReader(data))
	d.Entity = xml.HTMLEntity
	d.CharsetReader = func(label string, in io.Reader) (io.Reader, error) {
		rd, err := charset.NewReaderLabel(label, in)
		if err != nil {
			return nil, fmt.Errorf("the feed's character set %q is not one Herald can read; serve it as UTF-8", label)
		}
		return rd, nil
	}
	for {
		tok, err := d.Token()
		if errors.Is(err, io.EOF) {
			return nil, &NotFeedError{Reason: "the document holds no XML element, so it is not a feed"}
		}
		if err != nil {
			return nil, syntaxErr(err)
		}
		start, ok := tok.(xml.StartElement)
		if !ok {
			continue
		}
		var f *Feed
		switch {
		case start.Name.Local == "rss":
			f, err = decodeRSS(d, start)
		case start.Name.Local == "RDF" && (start.Name.Space == nsRDF || start.Name.Space == ""):
			f, err = decodeRDF(d, start)
		case start.Name.Local == "feed" && (start.Name.Space == nsAtom || start.Name.Space == ""):
			f, err = decodeAtom(d, start)
		case strings.EqualFold(start.Name.Local, "html"):
			return nil, &NotFeedError{Reason: "this is a web page, not a feed; look for its RSS/Atom link",
				Alternates: discover(data, base)}
		default:
			return nil, &NotFeedError{Reason: fmt.Sprintf(
				"the document is XML but not an RSS or Atom feed (its first element is <%s>)", start.Name.Local)}
		}
		if err != nil {
			return nil, syntaxErr(err)
		}
		finish(f, baseURL)
		return f, nil
	}
}

// syntaxErr words an XML decoding error.
func syntaxErr(err error) error {
	var se *xml.SyntaxError
	if errors.As(err, &se) {
		return fmt.Errorf("the feed is not well-formed XML (line %d: %s)", se.Line, se.Msg)
	}
	if strings.Contains(err.Error(), "character set") {
		return err
	}
	return fmt.Errorf("the feed could not be read as XML: %w", err)
}

// looksLikeHTML reports whether a document starts as an HTML page does.
func looksLikeHTML(b []byte) bool {
	head := strings.ToLower(string(b[:min(len(b), 512)]))
	for strings.HasPrefix(head, "<!--") {
		end := strings.Index(head, "-->")
		if end < 0 {
			return false
		}
		head = strings.TrimSpace(head[end+3:])
	}
	return strings.HasPrefix(head, "<!doctype html") || strings.HasPrefix(head, "<html")
}

// finish cleans every entry: plain text, absolute links, no control
// characters, valid UTF-8.
func finish(f *Feed, base *url.URL) {
	f.Title = cleanLine(f.Title)
	f.Link = absolute(base, f.Link)
	for i := range f.Entries {
		e := &f.Entries[i]
		e.ID = cleanLine(e.ID)
		e.Title = cleanLine(e.Title)
		e.Link = absolute(base, e.Link)
		e.ImageURL = absolute(base, e.ImageURL)
		e.Summary = cleanLine(e.Summary)
	}
}

// absolute resolves ref against base and keeps it only if it is http(s).
func absolute(base *url.URL, ref string) string {
	ref = strings.TrimSpace(ref)
	if ref == "" {
		return ""
	}
	u, err := url.Parse(ref)
	if err != nil {
		return ""
	}
	if base != nil {
		u = base.ResolveReference(u)
	}
	if (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return ""
	}
	return u.String()
}

// cleanLine makes s one line of valid UTF-8 without control characters,
// its runs of white space folded to one space.
func cleanLine(s string) string {
	if !utf8.ValidString(s) {
		s = strings.ToValidUTF8(s, "\uFFFD")
	}
	return strings.Join(strings.FieldsFunc(s, func(r rune) bool {
		return r == ' ' || r == '\u00a0' || r < 0x20 || (r >= 0x7f && r < 0xa0) || r == '\u2028' || r == '\u2029'
	}), " ")
}
