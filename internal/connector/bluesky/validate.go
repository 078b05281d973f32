package bluesky

import (
	"context"
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/bluesky-social/indigo/atproto/syntax"

	"github.com/heraldsocial/herald/internal/connector"
)

// Limits returns Bluesky's limits; they are the same for every account.
func (c *Connector) Limits(ctx context.Context, acct connector.Account) (connector.Limits, error) {
	return connector.Limits{
		MaxChars:        MaxGraphemes,
		MaxMedia:        MaxImages,
		MaxImageBytes:   c.maxImageBytes,
		MaxVideoBytes:   0, // video goes through Bluesky's video service, which Herald does not use yet
		MaxThreadParts:  MaxThreadParts,
		FirstComment:    true,
		AltTextMaxChars: MaxAltGraphemes,
	}, nil
}

// Validate checks a part against Bluesky's rules and returns its length in
// graphemes, as Bluesky counts it. It needs no network: mentions that do
// not resolve are published as plain text, not refused.
func (c *Connector) Validate(ctx context.Context, acct connector.Account, p connector.Part) (int, []connector.Problem, error) {
	var out []connector.Problem
	add := func(field, format string, args ...any) {
		out = append(out, connector.Problem{Field: field, Problem: fmt.Sprintf(format, args...)})
	}
	n := Graphemes(p.Text)
	if n > MaxGraphemes {
		out = append(out, connector.Problem{Field: "text", Measured: n, Limit: MaxGraphemes,
			Problem: fmt.Sprintf("is %d characters long; Bluesky allows %d (emoji and accented letters count as one)", n, MaxGraphemes)})
	}
	if b := len(p.Text); b > MaxTextBytes {
		out = append(out, connector.Problem{Field: "text", Measured: b, Limit: MaxTextBytes,
			Problem: fmt.Sprintf("is %d bytes long; Bluesky allows %d bytes of text", b, MaxTextBytes)})
	}
	if strings.TrimSpace(p.Text) == "" && len(p.Media) == 0 {
		add("text", "is empty: a Bluesky post needs text or an image")
	}
	if len(p.Media) > MaxImages {
		add("media", "has %d files; a Bluesky post carries at most %d images", len(p.Media), MaxImages)
	}
	for i, m := range p.Media {
		field := fmt.Sprintf("media[%d]", i)
		ct := strings.ToLower(m.Asset.ContentType)
		switch {
		case strings.HasPrefix(ct, "video/"):
			add(field, "is a video (%s); Herald publishes images only to Bluesky for now", m.Asset.Filename)
			continue
		case ct != "" && !strings.HasPrefix(ct, "image/"):
			add(field, "is %s; Bluesky posts carry images (JPEG, PNG, WebP or GIF)", ct)
			continue
		}
		if m.Asset.Size > c.maxImageBytes {
			out = append(out, connector.Problem{Field: field, Measured: int(m.Asset.Size), Limit: int(c.maxImageBytes),
				Problem: fmt.Sprintf("is %d bytes; Bluesky allows %d bytes per image: make it smaller", m.Asset.Size, c.maxImageBytes)})
		}
		if a := Graphemes(m.Asset.AltText); a > MaxAltGraphemes {
			out = append(out, connector.Problem{Field: field + ".alt_text", Measured: a, Limit: MaxAltGraphemes,
				Problem: fmt.Sprintf("is %d characters long; Bluesky allows %d", a, MaxAltGraphemes)})
		}
	}
	if l := langs(p.Options); len(l) > 0 {
		if len(l) > MaxLangs {
			add("options.language", "names %d languages; Bluesky allows %d", len(l), MaxLangs)
		}
		for _, code := range l {
			if _, err := syntax.ParseLanguage(code); err != nil {
				add("options.language", "%q is not a language code such as en or pt-BR", code)
			}
		}
	}
	for _, l := range selfLabels(p.Options) {
		if !slices.Contains(selfLabelValues(), l) {
			add("options.labels", "%q is not a Bluesky self-label; use %s", l, strings.Join(selfLabelValues(), ", "))
		}
	}
	return n, out, nil
}

// OptionFields are the composer's options for a Bluesky post.
func (c *Connector) OptionFields(context.Context, connector.Account) ([]connector.OptionField, error) {
	var labels []connector.Choice
	for _, v := range selfLabelValues() {
		labels = append(labels, connector.Choice{Value: v, Label: map[string]string{"sexual": "Suggestive", "nudity": "Nudity",
			"porn": "Adult content", "graphic-media": "Graphic media"}[v]})
	}
	return []connector.OptionField{
		{Key: "language", Label: "Languages", Kind: connector.OptionText, MaxLen: 20,
			Hint: "Up to " + strconv.Itoa(MaxLangs) + " codes such as en or pt-BR, separated by commas: Bluesky's feeds filter by them. Empty: none is said."},
		{Key: "labels", Label: "Content warning for the images", Kind: connector.OptionSelect, Choices: labels,
			Hint: "A self-label: Bluesky hides the images behind it for people who ask to."},
	}, nil
}
