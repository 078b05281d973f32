package linkedin

import (
	"context"
	"fmt"
	"net/url"
	"strings"
	"unicode/utf8"

	"github.com/heraldsocial/herald/internal/connector"
)

// Limits of a LinkedIn post.
const (
	MaxChars        = 3000       // commentary
	MaxCommentChars = 1250       // a comment's text
	MaxImages       = 20         // multiImage takes 2 to 20
	MaxPixels       = 36_152_320 // width × height of an image
	AltTextMaxChars = 4086
)

// OptionVisibility is the part option for who sees the post.
const OptionVisibility = "visibility"

// Article (link) post options: the link, and the title and description
// its card shows (LinkedIn does not read them from the page). An image
// attached to an article post is the card's thumbnail.
const (
	OptionLink            = "link"
	OptionLinkTitle       = "link_title"
	OptionLinkDescription = "link_description"
)

// MaxLinkTitleChars bounds the article card's title as the composer asks for it.
const MaxLinkTitleChars = 400

// reserved are the characters LinkedIn's "little" text format reserves.
const reserved = `\|{}@[]()<>#*_~`

// Escape makes text plain "little" text: each reserved character gets a
// backslash, so LinkedIn shows it as typed instead of reading mentions,
// hashtag templates or markup.
func Escape(text string) string {
	var b strings.Builder
	for _, r := range text {
		if strings.ContainsRune(reserved, r) {
			b.WriteByte('\\')
		}
		b.WriteRune(r)
	}
	return b.String()
}

func isImage(ct string) bool {
	switch ct {
	case "image/jpeg", "image/png", "image/gif":
		return true
	}
	return false
}

// Limits reports LinkedIn's limits; they are the same for every author.
func (c *Connector) Limits(context.Context, connector.Account) (connector.Limits, error) {
	return connector.Limits{MaxChars: MaxChars, MaxMedia: MaxImages, MaxVideoBytes: MaxVideoBytes, FirstComment: true,
		AltTextMaxChars: AltTextMaxChars}, nil
}

// Validate checks a part as LinkedIn would: the commentary's length (as
// typed; escaping is not counted), images (JPEG, PNG, GIF: their pixel
// count and alt text) or one MP4 video (its size and length), and the
// visibility option.
func (c *Connector) Validate(ctx context.Context, acct connector.Account, p connector.Part) (int, []connector.Problem, error) {
	n := utf8.RuneCountInString(p.Text)
	var probs []connector.Problem
	limit := MaxChars
	if p.Comment {
		limit = MaxCommentChars
	}
	if n > limit {
		probs = append(probs, connector.Problem{Field: "text", Problem: fmt.Sprintf("is %d characters; LinkedIn takes at most %d", n, limit),
			Measured: n, Limit: limit})
	}
	if strings.TrimSpace(p.Text) == "" && len(p.Media) == 0 {
		probs = append(probs, connector.Problem{Field: "text", Problem: "is empty: a LinkedIn post needs text or images"})
	}
	if p.Comment && len(p.Media) > 0 {
		probs = append(probs, connector.Problem{Field: "media", Problem: "is not sent with comments on LinkedIn"})
	}
	if len(p.Media) > MaxImages {
		probs = append(probs, connector.Problem{Field: "media", Problem: fmt.Sprintf("has %d images; a LinkedIn post takes at most %d", len(p.Media), MaxImages)})
	}
	probs = append(probs, videoProblems(p)...)
	for i, m := range p.Media {
		field := fmt.Sprintf("media[%d]", i)
		a := m.Asset
		switch {
		case isVideo(a.ContentType):
			continue
		case !isImage(a.ContentType):
			probs = append(probs, connector.Problem{Field: field, Problem: fmt.Sprintf("is %q; Herald sends JPEG, PNG and GIF images and MP4 videos to LinkedIn", a.ContentType)})
		case a.Width > 0 && a.Height > 0 && int64(a.Width)*int64(a.Height) >= MaxPixels:
			probs = append(probs, connector.Problem{Field: field, Problem: "has more pixels than LinkedIn takes (36,152,320)"})
		}
		if k := utf8.RuneCountInString(a.AltText); k > AltTextMaxChars {
			probs = append(probs, connector.Problem{Field: field, Problem: fmt.Sprintf("has alt text of %d characters; LinkedIn takes at most %d", k, AltTextMaxChars),
				Measured: k, Limit: AltTextMaxChars})
		}
	}
	probs = append(probs, articleProblems(p)...)
	switch v := p.Options[OptionVisibility]; v {
	case "", "PUBLIC":
	case "CONNECTIONS":
		if cr, err := creds(acct); err == nil && isOrg(cr.Author) {
			probs = append(probs, connector.Problem{Field: "options." + OptionVisibility, Problem: "must be PUBLIC for an organization page"})
		}
	default:
		probs = append(probs, connector.Problem{Field: "options." + OptionVisibility, Problem: "must be PUBLIC or CONNECTIONS"})
	}
	return n, probs, nil
}

// articleProblems checks an article post's options: an absolute link, a
// title, at most one image (the thumbnail), and none on a comment.
func articleProblems(p connector.Part) []connector.Problem {
	link := strings.TrimSpace(p.Options[OptionLink])
	if link == "" {
		if p.Options[OptionLinkTitle] != "" || p.Options[OptionLinkDescription] != "" {
			return []connector.Problem{{Field: "options." + OptionLink, Problem: "is required for the link's title and description"}}
		}
		return nil
	}
	var probs []connector.Problem
	if p.Comment {
		probs = append(probs, connector.Problem{Field: "options." + OptionLink, Problem: "cannot go with a comment on LinkedIn"})
	}
	if u, err := url.Parse(link); err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
		probs = append(probs, connector.Problem{Field: "options." + OptionLink, Problem: "must be a full http(s) address"})
	}
	switch n := utf8.RuneCountInString(strings.TrimSpace(p.Options[OptionLinkTitle])); {
	case n == 0:
		probs = append(probs, connector.Problem{Field: "options." + OptionLinkTitle, Problem: "is required: LinkedIn shows it on the link's card and does not read it from the page"})
	case n > MaxLinkTitleChars:
		probs = append(probs, connector.Problem{Field: "options." + OptionLinkTitle, Problem: fmt.Sprintf("is %d characters; at most %d", n, MaxLinkTitleChars),
			Measured: n, Limit: MaxLinkTitleChars})
	}
	if len(p.Media) > 1 {
		probs = append(probs, connector.Problem{Field: "media", Problem: "has several images; a LinkedIn link post takes one, as the link's thumbnail"})
	}
	return probs
}

// OptionFields are the composer's options: who sees the post (members
// may limit it to their connections; organizations post publicly), and a
// link shown as an article card.
func (c *Connector) OptionFields(ctx context.Context, acct connector.Account) ([]connector.OptionField, error) {
	choices := []connector.Choice{{Value: "PUBLIC", Label: "Anyone"}}
	if cr, err := creds(acct); err == nil && !isOrg(cr.Author) {
		choices = append(choices, connector.Choice{Value: "CONNECTIONS", Label: "Connections only"})
	}
	return []connector.OptionField{{Key: OptionVisibility, Label: "Who can see it", Kind: connector.OptionSelect,
		Choices: choices, Default: "PUBLIC"},
		{Key: OptionLink, Label: "Link card", Kind: connector.OptionText,
			Hint: "A link shown as a card under the text (an attached image becomes its thumbnail)."},
		{Key: OptionLinkTitle, Label: "Link title", Kind: connector.OptionText, MaxLen: MaxLinkTitleChars,
			Hint: "Required with a link: LinkedIn shows it on the card and does not read it from the page."},
		{Key: OptionLinkDescription, Label: "Link description", Kind: connector.OptionText}}, nil
}
