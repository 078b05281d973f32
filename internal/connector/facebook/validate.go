package facebook

import (
	"context"
	"fmt"
	"net/url"
	"strings"
	"unicode/utf8"

	"github.com/heraldsocial/herald/internal/connector"
)

// Limits of a Page post.
const (
	MaxChars      = 63206
	MaxPhotos     = 10 // Meta documents no maximum for attached_media; Herald sends at most 10
	MaxImageBytes = 4 << 20
	MaxVideoBytes = 1 << 30 // a single-request upload (longer or larger videos need the resumable upload)
)

func isImage(ct string) bool {
	switch ct {
	case "image/jpeg", "image/png", "image/gif", "image/bmp", "image/tiff", "image/heif", "image/webp":
		return true
	}
	return false
}

func isVideo(ct string) bool { return strings.HasPrefix(ct, "video/") }

// Limits reports a Page's limits; they are the same for every Page.
func (c *Connector) Limits(context.Context, connector.Account) (connector.Limits, error) {
	return connector.Limits{MaxChars: MaxChars, MaxMedia: MaxPhotos, MaxImageBytes: MaxImageBytes,
		MaxVideoBytes: MaxVideoBytes, FirstComment: true}, nil
}

// Validate checks a part as Facebook would: the message's length, the
// media mix (photos, or one video), types and sizes, the link option.
func (c *Connector) Validate(ctx context.Context, acct connector.Account, p connector.Part) (int, []connector.Problem, error) {
	n := utf8.RuneCountInString(p.Text)
	var probs []connector.Problem
	if n > MaxChars {
		probs = append(probs, connector.Problem{Field: "text", Problem: fmt.Sprintf("is %d characters; a Facebook post takes at most %d", n, MaxChars),
			Measured: n, Limit: MaxChars})
	}
	link := strings.TrimSpace(p.Options[OptionLink])
	if strings.TrimSpace(p.Text) == "" && len(p.Media) == 0 && link == "" {
		probs = append(probs, connector.Problem{Field: "text", Problem: "is empty: a Facebook post needs text, a link or media"})
	}
	if p.Comment && len(p.Media) > 0 {
		probs = append(probs, connector.Problem{Field: "media", Problem: "is not sent with comments on Facebook: Herald sends them as text"})
	}
	if link != "" {
		if u, err := url.Parse(link); err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
			probs = append(probs, connector.Problem{Field: "options." + OptionLink, Problem: "must be an http(s) address"})
		} else if len(p.Media) > 0 {
			probs = append(probs, connector.Problem{Field: "options." + OptionLink, Problem: "cannot go with photos or a video on Facebook: put the link in the text instead"})
		}
	}
	probs = append(probs, mediaProblems(p.Media)...)
	return n, probs, nil
}

func mediaProblems(media []connector.Media) []connector.Problem {
	var probs []connector.Problem
	videos := 0
	for i, m := range media {
		field := fmt.Sprintf("media[%d]", i)
		a := m.Asset
		switch {
		case isVideo(a.ContentType):
			videos++
			if a.Size > MaxVideoBytes {
				probs = append(probs, connector.Problem{Field: field, Problem: "is larger than 1 GB, the most Herald uploads to Facebook in one request"})
			}
		case isImage(a.ContentType):
			if a.Size > MaxImageBytes {
				probs = append(probs, connector.Problem{Field: field, Problem: "is larger than 4 MB, the most Facebook takes for a photo"})
			}
		default:
			ct := a.ContentType
			if ct == "" {
				ct = "of an unknown type"
			}
			probs = append(probs, connector.Problem{Field: field, Problem: fmt.Sprintf("is %s; Facebook takes JPEG, PNG, GIF, BMP, TIFF, HEIF or WebP photos and videos", ct)})
		}
	}
	switch {
	case videos > 0 && len(media) > 1:
		probs = append(probs, connector.Problem{Field: "media", Problem: "mixes a video with other files; a Facebook post takes one video or photos"})
	case len(media) > MaxPhotos:
		probs = append(probs, connector.Problem{Field: "media", Problem: fmt.Sprintf("has %d photos; Herald sends at most %d per Facebook post", len(media), MaxPhotos)})
	}
	return probs
}

// OptionFields are the composer's options for a Page post.
func (c *Connector) OptionFields(context.Context, connector.Account) ([]connector.OptionField, error) {
	return []connector.OptionField{{Key: OptionLink, Label: "Link to share", Kind: connector.OptionText,
		Hint: "Facebook shows its preview under the text. Not with photos or a video."}}, nil
}
