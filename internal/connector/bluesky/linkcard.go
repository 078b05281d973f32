package bluesky

import (
	"context"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"net/url"
	"strings"

	"github.com/bluesky-social/indigo/api/bsky"
	"github.com/rivo/uniseg"
	"golang.org/x/net/html"
)

// maxPageBytes is how much of a linked page is read for its card.
const maxPageBytes = 1 << 20

// card is what a page's Open Graph tags say about it.
type card struct {
	Title       string
	Description string
	Image       string
}

// linkCard builds the external embed for a link from the page's Open
// Graph tags, with og:image uploaded as the thumbnail. Any failure leaves
// the post with its plain link facet (nil): a card is a nicety.
func (c *Connector) linkCard(ctx context.Context, s session, link string) *bsky.EmbedExternal_External {
	cd, err := c.fetchCard(ctx, link)
	if err != nil {
		c.log.InfoContext(ctx, "bluesky link card skipped", "url", link, "error", err)
		return nil
	}
	ext := &bsky.EmbedExternal_External{Uri: link, Title: cd.Title, Description: cd.Description}
	if cd.Image != "" {
		data, ct, err := c.fetchSafe(ctx, cd.Image, "image/", MaxThumbBytes)
		if err == nil {
			blob, uerr := c.uploadBlob(ctx, s, data, ct)
			if uerr == nil {
				ext.Thumb = blob
			} else {
				err = uerr
			}
		}
		if err != nil {
			c.log.InfoContext(ctx, "bluesky link card without thumbnail", "url", link, "image", cd.Image, "error", err)
		}
	}
	return ext
}

// fetchCard reads a page and its Open Graph tags (falling back to <title>
// and the description meta tag).
func (c *Connector) fetchCard(ctx context.Context, link string) (card, error) {
	page, _, err := c.fetchSafe(ctx, link, "text/html", maxPageBytes)
	if err != nil {
		return card{}, err
	}
	cd := parseCard(string(page))
	if cd.Title == "" && cd.Description == "" {
		return card{}, errors.New("the page has no title or description")
	}
	if cd.Image != "" {
		base, _ := url.Parse(link)
		if ref, err := url.Parse(cd.Image); err == nil && base != nil {
			cd.Image = base.ResolveReference(ref).String()
		}
	}
	return cd, nil
}

// parseCard reads the card fields from an HTML document's head.
func parseCard(doc string) card {
	var cd, fallback card
	z := html.NewTokenizer(strings.NewReader(doc))
	inTitle := false
	for {
		tt := z.Next()
		switch tt {
		case html.ErrorToken:
			return merge(cd, fallback)
		case html.StartTagToken, html.SelfClosingTagToken:
			name, hasAttr := z.TagName()
			switch string(name) {
			case "title":
				inTitle = tt == html.StartTagToken
			case "body":
				return merge(cd, fallback)
			case "meta":
				var prop, content string
				for hasAttr {
					var k, v []byte
					k, v, hasAttr = z.TagAttr()
					switch strings.ToLower(string(k)) {
					case "property", "name":
						prop = strings.ToLower(string(v))
					case "content":
						content = strings.TrimSpace(string(v))
					}
				}
				switch prop {
				case "og:title":
					cd.Title = content
				case "og:description":
					cd.Description = content
				case "og:image", "og:image:url", "og:image:secure_url":
					if cd.Image == "" {
						cd.Image = content
					}
				case "description", "twitter:description":
					fallback.Description = firstNonEmpty(fallback.Description, content)
				case "twitter:title":
					fallback.Title = firstNonEmpty(fallback.Title, content)
				case "twitter:image":
					fallback.Image = firstNonEmpty(fallback.Image, content)
				}
			}
		case html.TextToken:
			if inTitle && fallback.Title == "" {
				fallback.Title = strings.TrimSpace(string(z.Text()))
			}
		case html.EndTagToken:
			if name, _ := z.TagName(); string(name) == "title" {
				inTitle = false
			} else if string(name) == "head" {
				return merge(cd, fallback)
			}
		}
	}
}

func merge(cd, fallback card) card {
	cd.Title = truncate(firstNonEmpty(cd.Title, fallback.Title), 300)
	cd.Description = truncate(firstNonEmpty(cd.Description, fallback.Description), 1000)
	cd.Image = firstNonEmpty(cd.Image, fallback.Image)
	return cd
}

// truncate shortens s to at most n graphemes, ending with an ellipsis.
func truncate(s string, n int) string {
	if Graphemes(s) <= n {
		return s
	}
	g := uniseg.NewGraphemes(s)
	var b strings.Builder
	for i := 0; i < n-1 && g.Next(); i++ {
		b.WriteString(g.Str())
	}
	return strings.TrimSpace(b.String()) + "…"
}

// fetchSafe fetches a URL for a link card with the link client (an
// outbound client: never a loopback, private, link-local or otherwise
// internal address, checked on every connection, redirects included): http
// or https only, at most max bytes, a content type starting with wantType,
// within the card timeout.
func (c *Connector) fetchSafe(ctx context.Context, raw, wantType string, max int64) ([]byte, string, error) {
	u, err := url.Parse(raw)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return nil, "", fmt.Errorf("%q is not an http(s) URL", raw)
	}
	ctx, cancel := context.WithTimeout(ctx, c.cardTimeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u.String(), nil)
	if err != nil {
		return nil, "", err
	}
	req.Header.Set("User-Agent", "Herald link preview (+https://github.com/heraldsocial/herald)")
	req.Header.Set("Accept", wantType+"*;q=1, */*;q=0.1")
	res, err := c.links.Do(req)
	if err != nil {
		return nil, "", err
	}
	defer res.Body.Close()
	if res.StatusCode != http.StatusOK {
		return nil, "", fmt.Errorf("the server answered HTTP %d", res.StatusCode)
	}
	ct, _, _ := mime.ParseMediaType(res.Header.Get("Content-Type"))
	if !strings.HasPrefix(ct, wantType) && !(wantType == "text/html" && ct == "application/xhtml+xml") {
		return nil, "", fmt.Errorf("the content type is %q, not %s", ct, wantType)
	}
	if res.ContentLength > max && wantType != "text/html" {
		return nil, "", fmt.Errorf("the body is %d bytes, more than %d", res.ContentLength, max)
	}
	data, err := io.ReadAll(io.LimitReader(res.Body, max+1))
	if err != nil {
		return nil, "", err
	}
	if int64(len(data)) > max {
		if wantType != "text/html" {
			return nil, "", fmt.Errorf("the body is more than %d bytes", max)
		}
		data = data[:max] // the head of a long page is enough
	}
	return data, ct, nil
}
