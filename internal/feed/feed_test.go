package feed

import (
	"errors"
	"fmt"
	"os"
	"strings"
	"testing"
	"time"
)

func mustParse(t *testing.T, file, base string) *Feed {
	t.Helper()
	data, err := os.ReadFile("testdata/" + file)
	if err != nil {
		t.Fatal(err)
	}
	f, err := ParseBytes(data, base)
	if err != nil {
		t.Fatalf("parse %s: %v", file, err)
	}
	return f
}

func TestSamples(t *testing.T) {
	cases := []struct {
		file    string
		format  Format
		title   string
		entries []Entry
	}{
		{"rss-cdata.xml", RSS2, "Orchard Notes", []Entry{
			{ID: "orchard-42", Title: "Pruning & grafting in March", Link: "https://orchard.example/posts/pruning",
				Summary: "Cut before the buds swell. Then graft.", ImageURL: "https://orchard.example/img/pruning.jpg",
				Published: time.Date(2026, 3, 3, 8, 30, 0, 0, time.UTC)},
			{Title: "Cider week", Link: "https://orchard.example/posts/cider", Summary: "Pressing starts Monday.",
				ImageURL: "https://orchard.example/img/cider.png", Published: time.Date(2026, 3, 1, 23, 5, 0, 0, time.UTC)},
		}},
		{"atom-xhtml.xml", Atom, "Lighthouse Log", []Entry{
			{ID: "tag:light.example,2026:7", Title: "Fog season", Link: "https://light.example/2026/03/fog",
				Summary: "The horn sounds every 30 seconds.", ImageURL: "https://light.example/fog.webp",
				Published: time.Date(2026, 3, 4, 6, 15, 0, 0, time.UTC), Updated: time.Date(2026, 3, 4, 10, 0, 0, 500_000_000, time.UTC)},
			{ID: "tag:light.example,2026:8", Title: "Keeper's day off", Link: "https://light.example/2026/03/off",
				Summary: "Closed on Sunday.", Updated: time.Date(2026, 3, 5, 12, 0, 0, 0, time.UTC)},
		}},
		{"rdf.xml", RSS1, "Café Journal", []Entry{
			{ID: "https://cafe.example/menu", Title: "Crépes on the menu", Link: "https://cafe.example/menu",
				Summary: "Sweet & savoury.", Published: time.Date(2026, 3, 1, 0, 45, 0, 0, time.UTC)},
		}},
	}
	for _, c := range cases {
		t.Run(c.file, func(t *testing.T) {
			base := "https://" + strings.SplitN(c.entries[0].Link, "/", 4)[2] + "/feed"
			f := mustParse(t, c.file, base)
			if f.Format != c.format || f.Title != c.title {
				t.Errorf("format %q title %q, want %q %q", f.Format, f.Title, c.format, c.title)
			}
			if len(f.Entries) != len(c.entries) {
				t.Fatalf("%d entries, want %d: %+v", len(f.Entries), len(c.entries), f.Entries)
			}
			for i, want := range c.entries {
				got := f.Entries[i]
				if got.ID != want.ID || got.Title != want.Title || got.Link != want.Link || got.Summary != want.Summary ||
					got.ImageURL != want.ImageURL || !got.Published.Equal(want.Published) || !got.Updated.Equal(want.Updated) {
					t.Errorf("entry %d:\n got %+v\nwant %+v", i, got, want)
				}
			}
		})
	}
}

func TestNoScriptText(t *testing.T) {
	got := StripHTML(`<p>a<script>document.write("<p>evil</p>")</script> b</p><style>.x{color:red}</style><iframe src=x>frame</iframe>c &lt;tag&gt;`)
	if got != "a b c <tag>" {
		t.Errorf("StripHTML = %q", got)
	}
	if strings.Contains(StripHTML(`<svg><script>x()</script><text>drawn</text></svg>ok`), "x()") {
		t.Error("script text inside svg kept")
	}
}

func TestDates(t *testing.T) {
	utc := func(y int, mo time.Month, d, h, mi, s int) time.Time {
		return time.Date(y, mo, d, h, mi, s, 0, time.UTC)
	}
	cases := map[string]time.Time{
		"Mon, 02 Mar 2026 15:04:05 +0000":  utc(2026, 3, 2, 15, 4, 5),
		"Mon, 02 Mar 2026 15:04:05 GMT":    utc(2026, 3, 2, 15, 4, 5),
		"Mon, 2 Mar 2026 15:04:05 EST":     utc(2026, 3, 2, 20, 4, 5),
		"Mon, 02 Mar 2026 15:04 PDT":       utc(2026, 3, 2, 22, 4, 0),
		"02 Mar 2026 15:04 -0230":          utc(2026, 3, 2, 17, 34, 0),
		"Mon, 02 Mar 26 15:04:05 +0100":    utc(2026, 3, 2, 14, 4, 5),
		"Wed, 02 Mar 2026 15:04:05 CET":    utc(2026, 3, 2, 14, 4, 5), // wrong day name, still read
		"2026-03-02T15:04:05Z":             utc(2026, 3, 2, 15, 4, 5),
		"2026-03-02T15:04:05+05:30":        utc(2026, 3, 2, 9, 34, 5),
		"2026-03-02T15:04:05":              utc(2026, 3, 2, 15, 4, 5),
		"2026-03-02":                       utc(2026, 3, 2, 0, 0, 0),
		"  Mon,  02 Mar 2026\n15:04:05 UT": utc(2026, 3, 2, 15, 4, 5),
		"yesterday":                        {},
		"":                                 {},
	}
	for in, want := range cases {
		if got := ParseDate(in); !got.Equal(want) {
			t.Errorf("ParseDate(%q) = %v, want %v", in, got, want)
		}
	}
}

func TestRefusals(t *testing.T) {
	page := `<!DOCTYPE html><html><head><title>Blog</title>
<link rel="alternate" type="application/rss+xml" href="/feed.xml">
<link rel="stylesheet" href="/s.css"></head><body><a href="/x">x</a></body></html>`
	cases := []struct {
		name, doc, want string
		alternates      []string
	}{
		{"html page", page, "this is a web page, not a feed; look for its RSS/Atom link", []string{"https://blog.example/feed.xml"}},
		{"html without doctype", "<html><body>hi</body></html>", "this is a web page, not a feed", nil},
		{"other xml", `<?xml version="1.0"?><sitemap/>`, "not an RSS or Atom feed (its first element is <sitemap>)", nil},
		{"broken xml", `<rss><channel><item><title>a</item></rss>`, "not well-formed XML", nil},
		{"empty", "  \n", "empty document", nil},
		{"unknown charset", `<?xml version="1.0" encoding="x-klingon"?><rss/>`, `character set "x-klingon"`, nil},
		{"json", `{"items":[]}`, "the document is not XML", nil},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, err := ParseBytes([]byte(c.doc), "https://blog.example/page")
			if err == nil || !strings.Contains(err.Error(), c.want) {
				t.Fatalf("err = %v, want it to say %q", err, c.want)
			}
			var nf *NotFeedError
			if c.alternates != nil {
				if !errors.As(err, &nf) || strings.Join(nf.Alternates, " ") != strings.Join(c.alternates, " ") {
					t.Errorf("alternates = %v, want %v", nf, c.alternates)
				}
			}
		})
	}
}

func TestKeys(t *testing.T) {
	long := strings.Repeat("x", 300)
	cases := []struct {
		e    Entry
		want string
	}{
		{Entry{ID: "a", Link: "https://x/1"}, "id:a"},
		{Entry{Link: "https://x/1"}, "link:https://x/1"},
		{Entry{ID: long}, ""},
		{Entry{Title: "t"}, ""},
	}
	for _, c := range cases {
		k := c.e.Key()
		if c.want != "" && k != c.want {
			t.Errorf("Key(%+v) = %q, want %q", c.e, k, c.want)
		}
		if len(k) > MaxKeyLen || k == "" {
			t.Errorf("Key(%+v) = %q: empty or too long", c.e, k)
		}
	}
	if (Entry{Title: "a"}).Key() == (Entry{Title: "b"}).Key() {
		t.Error("different texts share a key")
	}
}

func TestUnsafeLinksDropped(t *testing.T) {
	doc := `<rss><channel><item><title>x</title><link>javascript:alert(1)</link><enclosure url="data:image/png;base64,AA" type="image/png"/></item></channel></rss>`
	f, err := ParseBytes([]byte(doc), "https://a.example/")
	if err != nil {
		t.Fatal(err)
	}
	if e := f.Entries[0]; e.Link != "" || e.ImageURL != "" {
		t.Errorf("unsafe addresses kept: %+v", e)
	}
}

func FuzzParse(f *testing.F) {
	for _, name := range []string{"rss-cdata.xml", "atom-xhtml.xml", "rdf.xml"} {
		data, err := os.ReadFile("testdata/" + name)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(data)
	}
	f.Add([]byte(`<!doctype html><link rel=alternate type=application/atom+xml href=//x/a>`))
	f.Fuzz(func(t *testing.T, data []byte) {
		feed, err := ParseBytes(data, "https://fuzz.example/feed")
		if err != nil {
			return
		}
		for _, e := range feed.Entries {
			for _, s := range []string{e.Title, e.Summary, e.ID} {
				if strings.ContainsAny(s, "\x00\n\r\t") || !isValidUTF8(s) {
					t.Fatalf("entry text not clean: %q", s)
				}
			}
			for _, u := range []string{e.Link, e.ImageURL} {
				if u != "" && !strings.HasPrefix(u, "http://") && !strings.HasPrefix(u, "https://") {
					t.Fatalf("unsafe address %q", u)
				}
			}
			if k := e.Key(); k == "" || len(k) > MaxKeyLen+16 {
				t.Fatalf("bad key %q", k)
			}
		}
	})
}

func isValidUTF8(s string) bool { return strings.ToValidUTF8(s, "") == s }

// BenchmarkParse reads an RSS feed of 200 entries with HTML summaries,
// about the size of a busy news site's feed.
func BenchmarkParse(b *testing.B) {
	var sb strings.Builder
	sb.WriteString(`<?xml version="1.0" encoding="UTF-8"?><rss version="2.0"><channel><title>Bench</title>`)
	for i := range 200 {
		fmt.Fprintf(&sb, `<item><guid>g-%d</guid><title>Entry %d</title><link>https://bench.example/%d</link>`+
			`<pubDate>Tue, 03 Mar 2026 09:30:00 +0100</pubDate><description><![CDATA[<p>Paragraph <b>%d</b> with `+
			`<a href="https://x.example/">a link</a> and some more words to strip.</p><script>x()</script>]]></description></item>`, i, i, i, i)
	}
	sb.WriteString(`</channel></rss>`)
	doc := []byte(sb.String())
	b.SetBytes(int64(len(doc)))
	b.ResetTimer()
	for b.Loop() {
		if _, err := ParseBytes(doc, "https://bench.example/feed"); err != nil {
			b.Fatal(err)
		}
	}
}
