package feed

import (
	"encoding/xml"
	"strings"
)

// rssLink is an RSS <link> or, in the same place, an atom:link.
type rssLink struct {
	XMLName xml.Name
	Text    string `xml:",chardata"`
	Href    string `xml:"href,attr"`
	Rel     string `xml:"rel,attr"`
}

// mediaRef is an enclosure, a media:content or a media:thumbnail.
type mediaRef struct {
	XMLName xml.Name
	URL     string `xml:"url,attr"`
	Type    string `xml:"type,attr"`
	Medium  string `xml:"medium,attr"`
}

// rssItem is an RSS 2.0 or RSS 1.0 item.
type rssItem struct {
	About       string     `xml:"http://www.w3.org/1999/02/22-rdf-syntax-ns# about,attr"`
	Title       string     `xml:"title"`
	Links       []rssLink  `xml:"link"`
	GUID        string     `xml:"guid"`
	Description string     `xml:"description"`
	Encoded     string     `xml:"http://purl.org/rss/1.0/modules/content/ encoded"`
	PubDate     string     `xml:"pubDate"`
	DCDate      string     `xml:"http://purl.org/dc/elements/1.1/ date"`
	Enclosures  []mediaRef `xml:"enclosure"`
	Media       []mediaRef `xml:"http://search.yahoo.com/mrss/ content"`
	Thumbnails  []mediaRef `xml:"http://search.yahoo.com/mrss/ thumbnail"`
	Groups      []struct {
		Media      []mediaRef `xml:"http://search.yahoo.com/mrss/ content"`
		Thumbnails []mediaRef `xml:"http://search.yahoo.com/mrss/ thumbnail"`
	} `xml:"http://search.yahoo.com/mrss/ group"`
}

// rssChannel is an RSS channel.
type rssChannel struct {
	Title string    `xml:"title"`
	Links []rssLink `xml:"link"`
	Items []rssItem `xml:"item"`
}

// entry turns an RSS item into an Entry.
func (it rssItem) entry() Entry {
	e := Entry{ID: strings.TrimSpace(it.GUID), Title: it.Title, Link: plainLink(it.Links)}
	if e.ID == "" {
		e.ID = strings.TrimSpace(it.About)
	}
	body := it.Description
	if strings.TrimSpace(body) == "" {
		body = it.Encoded
	}
	e.Summary = StripHTML(body)
	e.Published = ParseDate(it.PubDate)
	if e.Published.IsZero() {
		e.Published = ParseDate(it.DCDate)
	}
	refs := append(append([]mediaRef{}, it.Enclosures...), it.Media...)
	refs = append(refs, it.Thumbnails...)
	for _, g := range it.Groups {
		refs = append(refs, g.Media...)
		refs = append(refs, g.Thumbnails...)
	}
	e.ImageURL = imageOf(refs)
	return e
}

// plainLink is the text of the first un-namespaced <link>, else the href
// of an alternate atom:link.
func plainLink(links []rssLink) string {
	for _, l := range links {
		if l.XMLName.Space != nsAtom && strings.TrimSpace(l.Text) != "" {
			return strings.TrimSpace(l.Text)
		}
	}
	for _, l := range links {
		if l.Href != "" && (l.Rel == "" || l.Rel == "alternate") {
			return l.Href
		}
	}
	return ""
}

// imageOf picks the first image among media references.
func imageOf(refs []mediaRef) string {
	for _, r := range refs {
		if r.URL == "" {
			continue
		}
		if r.XMLName.Local == "thumbnail" || r.Medium == "image" || strings.HasPrefix(strings.ToLower(r.Type), "image/") {
			return r.URL
		}
		if r.Type == "" && r.Medium == "" && imageExt(r.URL) {
			return r.URL
		}
	}
	return ""
}

// imageExt reports whether an address ends like an image file.
func imageExt(u string) bool {
	u = strings.ToLower(u)
	if i := strings.IndexAny(u, "?#"); i >= 0 {
		u = u[:i]
	}
	for _, ext := range []string{".jpg", ".jpeg", ".png", ".gif", ".webp"} {
		if strings.HasSuffix(u, ext) {
			return true
		}
	}
	return false
}

func decodeRSS(d *xml.Decoder, start xml.StartElement) (*Feed, error) {
	var doc struct {
		Channel rssChannel `xml:"channel"`
		Items   []rssItem  `xml:"item"` // some RSS 0.9x put items beside the channel
	}
	if err := d.DecodeElement(&doc, &start); err != nil {
		return nil, err
	}
	f := &Feed{Format: RSS2, Title: doc.Channel.Title, Link: plainLink(doc.Channel.Links)}
	for _, it := range append(doc.Channel.Items, doc.Items...) {
		f.Entries = append(f.Entries, it.entry())
	}
	return f, nil
}

func decodeRDF(d *xml.Decoder, start xml.StartElement) (*Feed, error) {
	var doc struct {
		Channel rssChannel `xml:"channel"`
		Items   []rssItem  `xml:"item"`
	}
	if err := d.DecodeElement(&doc, &start); err != nil {
		return nil, err
	}
	f := &Feed{Format: RSS1, Title: doc.Channel.Title, Link: plainLink(doc.Channel.Links)}
	for _, it := range doc.Items {
		f.Entries = append(f.Entries, it.entry())
	}
	return f, nil
}

// atomText is an Atom text construct (type text, html or xhtml).
type atomText struct {
	Type  string `xml:"type,attr"`
	Text  string `xml:",chardata"`
	Inner string `xml:",innerxml"`
}

// plain returns the construct as plain text.
func (t *atomText) plain() string {
	if t == nil {
		return ""
	}
	switch strings.ToLower(strings.TrimSpace(t.Type)) {
	case "html", "text/html":
		return StripHTML(t.Text)
	case "xhtml", "application/xhtml+xml":
		return StripHTML(t.Inner)
	}
	return t.Text
}

type atomLink struct {
	Href string `xml:"href,attr"`
	Rel  string `xml:"rel,attr"`
	Type string `xml:"type,attr"`
}

type atomEntry struct {
	ID         string     `xml:"id"`
	Title      *atomText  `xml:"title"`
	Links      []atomLink `xml:"link"`
	Published  string     `xml:"published"`
	Updated    string     `xml:"updated"`
	Issued     string     `xml:"issued"` // Atom 0.3
	Summary    *atomText  `xml:"summary"`
	Content    *atomText  `xml:"content"`
	Media      []mediaRef `xml:"http://search.yahoo.com/mrss/ content"`
	Thumbnails []mediaRef `xml:"http://search.yahoo.com/mrss/ thumbnail"`
	Groups     []struct {
		Media      []mediaRef `xml:"http://search.yahoo.com/mrss/ content"`
		Thumbnails []mediaRef `xml:"http://search.yahoo.com/mrss/ thumbnail"`
	} `xml:"http://search.yahoo.com/mrss/ group"`
}

// alternate is the entry's or feed's link to its page.
func alternate(links []atomLink) string {
	for _, l := range links {
		if l.Href != "" && (l.Rel == "" || l.Rel == "alternate") {
			return l.Href
		}
	}
	return ""
}

func decodeAtom(d *xml.Decoder, start xml.StartElement) (*Feed, error) {
	var doc struct {
		Title   *atomText   `xml:"title"`
		Links   []atomLink  `xml:"link"`
		Entries []atomEntry `xml:"entry"`
	}
	if err := d.DecodeElement(&doc, &start); err != nil {
		return nil, err
	}
	f := &Feed{Format: Atom, Title: doc.Title.plain(), Link: alternate(doc.Links)}
	for _, ae := range doc.Entries {
		e := Entry{ID: strings.TrimSpace(ae.ID), Title: ae.Title.plain(), Link: alternate(ae.Links)}
		e.Summary = ae.Summary.plain()
		if strings.TrimSpace(e.Summary) == "" {
			e.Summary = ae.Content.plain()
		}
		e.Published = ParseDate(ae.Published)
		if e.Published.IsZero() {
			e.Published = ParseDate(ae.Issued)
		}
		e.Updated = ParseDate(ae.Updated)
		refs := append(append([]mediaRef{}, ae.Media...), ae.Thumbnails...)
		for _, g := range ae.Groups {
			refs = append(refs, g.Media...)
			refs = append(refs, g.Thumbnails...)
		}
		for _, l := range ae.Links {
			if l.Rel == "enclosure" {
				refs = append(refs, mediaRef{XMLName: xml.Name{Local: "enclosure"}, URL: l.Href, Type: l.Type})
			}
		}
		e.ImageURL = imageOf(refs)
		f.Entries = append(f.Entries, e)
	}
	return f, nil
}
