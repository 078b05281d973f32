package x

import (
	"context"
	"fmt"
	"strings"
	"unicode/utf8"

	"github.com/heraldsocial/herald/internal/connector"
	"github.com/heraldsocial/herald/internal/connector/x/xtext"
	"github.com/heraldsocial/herald/internal/herald"
)

// Limits of a post on X (a standard account; X Premium's longer posts are
// not assumed).
const (
	MaxChars  = 280
	MaxImages = 4
	URLLength = 23
)

// Video lengths X takes (media best practices).
const (
	MinVideoMS = 500
	MaxVideoMS = 140_000
)

// OptionReplySettings is the variant option that limits who may reply:
// following, mentionedUsers, subscribers or verified ("" for everyone).
const OptionReplySettings = "reply_settings"

func replySettingsValid(v string) bool {
	switch v {
	case "", "following", "mentionedUsers", "subscribers", "verified":
		return true
	}
	return false
}

func checkOptions(opts map[string]string) error {
	if v := opts[OptionReplySettings]; !replySettingsValid(v) {
		return invalid("reply_settings %q is not one of following, mentionedUsers, subscribers, verified", v)
	}
	return nil
}

// Limits reports X's limits; they are the same for every account.
func (c *Connector) Limits(ctx context.Context, acct connector.Account) (connector.Limits, error) {
	return connector.Limits{
		MaxChars:         MaxChars,
		MaxMedia:         MaxImages,
		MaxImageBytes:    MaxImageBytes,
		MaxVideoBytes:    MaxVideoBytes,
		MaxThreadParts:   herald.MaxThreadParts + 1,
		FirstComment:     true,
		AltTextMaxChars:  MaxAltTextChars,
		CharsReservedURL: URLLength,
	}, nil
}

// Validate checks a part as X would: the weighted length (twitter-text
// rules), characters X refuses, the media mix (up to 4 images, or one
// video or GIF), file types and sizes, alt text, and options.
func (c *Connector) Validate(ctx context.Context, acct connector.Account, p connector.Part) (int, []connector.Problem, error) {
	r := xtext.Parse(p.Text)
	var probs []connector.Problem
	add := func(field, format string, args ...any) {
		probs = append(probs, connector.Problem{Field: field, Problem: fmt.Sprintf(format, args...)})
	}
	if strings.TrimSpace(p.Text) == "" && len(p.Media) == 0 {
		add("text", "is empty: a post on X needs text or media")
	}
	if r.WeightedLength > MaxChars {
		probs = append(probs, connector.Problem{Field: "text",
			Problem: fmt.Sprintf("is %d characters as X counts them (links count as %d, emoji and CJK characters as 2); at most %d are allowed",
				r.WeightedLength, URLLength, MaxChars),
			Measured: r.WeightedLength, Limit: MaxChars})
	}
	if len(r.InvalidChars) > 0 {
		var names []string
		for _, ch := range r.InvalidChars {
			names = append(names, fmt.Sprintf("U+%04X", ch))
		}
		add("text", "contains characters X refuses (%s); remove them", strings.Join(names, ", "))
	}
	videos := 0
	for i, m := range p.Media {
		field := fmt.Sprintf("media[%d]", i)
		a := m.Asset
		category := mediaCategory(a.ContentType)
		switch {
		case category == "":
			add(field, "is %s; X takes JPEG, PNG, WebP and GIF images and MP4 or MOV videos", describeType(a.ContentType))
		case a.Size > categoryLimit(category):
			add(field, "is %s; X takes at most %s for %s", size(a.Size), size(categoryLimit(category)), kind(category))
		}
		if category == "tweet_gif" || category == "tweet_video" {
			videos++
		}
		if category == "tweet_video" {
			// X's media best practices: 0.5 s to 140 s, aspect ratio 1:3 to 3:1.
			if d := a.DurationMS; d > 0 && (d < MinVideoMS || d > MaxVideoMS) {
				add(field, "is %.1f s long; X takes videos of 0.5 s to 140 s", float64(d)/1000)
			}
			if a.Width > 0 && a.Height > 0 && (a.Width > 3*a.Height || a.Height > 3*a.Width) {
				add(field, "is %d×%d pixels; X takes videos between 1:3 and 3:1", a.Width, a.Height)
			}
		}
		if n := utf8.RuneCountInString(a.AltText); n > MaxAltTextChars {
			probs = append(probs, connector.Problem{Field: field + ".alt_text",
				Problem:  fmt.Sprintf("is %d characters; X allows at most %d", n, MaxAltTextChars),
				Measured: n, Limit: MaxAltTextChars})
		}
	}
	switch {
	case videos > 0 && len(p.Media) > 1:
		add("media", "mixes a video or GIF with other files; X takes one video or GIF, or up to %d images", MaxImages)
	case len(p.Media) > MaxImages:
		add("media", "has %d files; X takes at most %d images per post", len(p.Media), MaxImages)
	}
	if v := p.Options[OptionReplySettings]; !replySettingsValid(v) {
		add("options."+OptionReplySettings, "%q is not one of following, mentionedUsers, subscribers, verified (leave it empty for everyone)", v)
	}
	return r.WeightedLength, probs, nil
}

func describeType(ct string) string {
	if ct == "" {
		return "of an unknown type"
	}
	return ct
}

func kind(category string) string {
	switch category {
	case "tweet_gif":
		return "a GIF"
	case "tweet_video":
		return "a video"
	}
	return "an image"
}

func size(n int64) string {
	if n >= 1<<20 && n%(1<<20) == 0 {
		return fmt.Sprintf("%d MB", n>>20)
	}
	return fmt.Sprintf("%d bytes", n)
}

// OptionFields are the composer's options for an X post.
func (c *Connector) OptionFields(context.Context, connector.Account) ([]connector.OptionField, error) {
	return []connector.OptionField{{Key: OptionReplySettings, Label: "Who can reply", Kind: connector.OptionSelect,
		Choices: []connector.Choice{{Value: "following", Label: "Accounts you follow"},
			{Value: "mentionedUsers", Label: "Only accounts you mention"}, {Value: "subscribers", Label: "Your subscribers"},
			{Value: "verified", Label: "Verified accounts"}},
		Hint: "Empty: everyone can reply."}}, nil
}
