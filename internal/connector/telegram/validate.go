package telegram

import (
	"context"
	"fmt"
	"strings"
	"unicode/utf16"

	"github.com/heraldsocial/herald/internal/connector"
	"github.com/heraldsocial/herald/internal/herald"
)

// Limits of the Bot API (core.telegram.org/bots/api and /bots/faq).
const (
	MaxTextChars    = 4096     // sendMessage text, after entities parsing
	MaxCaptionChars = 1024     // a photo's, video's or album's caption
	MaxAlbum        = 10       // sendMediaGroup: 2–10 items
	MaxPhotoBytes   = 10 << 20 // a photo uploaded with multipart
	MaxFileBytes    = 50 << 20 // any other file uploaded by a bot
	MaxPhotoSides   = 10000    // width + height
	MaxPhotoRatio   = 20       // width/height and height/width
)

// Part options.
const (
	// OptionSilent "true" sends without a notification (disable_notification).
	OptionSilent = "silent"
	// OptionPin "true" pins the message after sending (pinChatMessage).
	OptionPin = "pin"
)

// Limits reports the Bot API's limits; they are the same for every chat.
// There is no first comment: a bot cannot comment under a channel post
// through the Bot API (comments live in the linked discussion group, on a
// copy of the post whose id the bot only learns from updates).
func (c *Connector) Limits(ctx context.Context, acct connector.Account) (connector.Limits, error) {
	return connector.Limits{
		MaxChars:       MaxTextChars,
		MaxMedia:       MaxAlbum,
		MaxImageBytes:  MaxPhotoBytes,
		MaxVideoBytes:  MaxFileBytes,
		MaxThreadParts: herald.MaxThreadParts + 1,
	}, nil
}

// Length is the text's length as Telegram counts it: UTF-16 code units
// (entity offsets and the 4096 limit are in UTF-16), after the HTML is
// parsed, which for Herald's escaped plain text is the text itself.
func Length(s string) int {
	n := 0
	for _, r := range s {
		n += utf16.RuneLen(r)
	}
	return n
}

// escapeHTML makes plain text safe for parse_mode HTML: Telegram asks for
// <, > and & to be written as &lt;, &gt; and &amp;; nothing else has a
// meaning outside tags.
func escapeHTML(s string) string {
	return strings.NewReplacer("&", "&amp;", "<", "&lt;", ">", "&gt;").Replace(s)
}

// kind is how a file is sent: "photo", "video", "animation" or "".
func kind(ct string) string {
	switch strings.ToLower(ct) {
	case "image/jpeg", "image/png", "image/webp":
		return "photo"
	case "image/gif":
		return "animation"
	case "video/mp4", "video/quicktime", "video/webm":
		return "video"
	}
	return ""
}

// Validate checks a part as the Bot API would: the text (4096, or 1024 as
// a caption), the files (photos up to 10 MB and 10000 px of width plus
// height at a ratio up to 20, videos and GIFs up to 50 MB), albums (2–10
// photos and videos, no GIFs), options, and that a first comment is not
// asked for.
func (c *Connector) Validate(ctx context.Context, acct connector.Account, p connector.Part) (int, []connector.Problem, error) {
	n := Length(p.Text)
	var probs []connector.Problem
	add := func(field, format string, args ...any) {
		probs = append(probs, connector.Problem{Field: field, Problem: fmt.Sprintf(format, args...)})
	}
	if p.Comment {
		add("first_comment", "is not possible on Telegram: a bot cannot comment under its channel post through the Bot API")
	}
	limit, what := MaxTextChars, "a message"
	if len(p.Media) > 0 {
		limit, what = MaxCaptionChars, "a caption"
	}
	if strings.TrimSpace(p.Text) == "" && len(p.Media) == 0 {
		add("text", "is empty: a Telegram message needs text or media")
	}
	if n > limit {
		probs = append(probs, connector.Problem{Field: "text",
			Problem:  fmt.Sprintf("is %d characters as Telegram counts them; %s takes at most %d", n, what, limit),
			Measured: n, Limit: limit})
	}
	gifs := 0
	for i, m := range p.Media {
		field := fmt.Sprintf("media[%d]", i)
		a := m.Asset
		switch k := kind(a.ContentType); k {
		case "":
			add(field, "is %s; Telegram takes JPEG, PNG and WebP photos, GIFs, and MP4, MOV or WebM videos", orUnknown(a.ContentType))
		case "photo":
			if a.Size > MaxPhotoBytes {
				add(field, "is %d bytes; a photo may be at most 10 MB", a.Size)
			}
			if a.Width > 0 && a.Height > 0 {
				if a.Width+a.Height > MaxPhotoSides {
					add(field, "is %d×%d; a photo's width and height together may be at most %d", a.Width, a.Height, MaxPhotoSides)
				}
				if a.Width > MaxPhotoRatio*a.Height || a.Height > MaxPhotoRatio*a.Width {
					add(field, "is %d×%d; a photo's sides may differ at most %d times", a.Width, a.Height, MaxPhotoRatio)
				}
			}
		default:
			if k == "animation" {
				gifs++
			}
			if a.Size > MaxFileBytes {
				add(field, "is %d bytes; a bot may send files of at most 50 MB", a.Size)
			}
		}
	}
	if len(p.Media) > MaxAlbum {
		add("media", "has %d files; a Telegram album takes at most %d", len(p.Media), MaxAlbum)
	}
	if len(p.Media) > 1 && gifs > 0 {
		add("media", "mixes a GIF with other files; Telegram albums take photos and videos only, a GIF goes alone")
	}
	for _, o := range []string{OptionSilent, OptionPin} {
		if v := p.Options[o]; v != "" && v != "true" && v != "false" {
			add("options."+o, "%q is not true or false", v)
		}
	}
	return n, probs, nil
}

func orUnknown(ct string) string {
	if ct == "" {
		return "of an unknown type"
	}
	return ct
}

// OptionFields are the composer's options for a Telegram message.
func (c *Connector) OptionFields(context.Context, connector.Account) ([]connector.OptionField, error) {
	return []connector.OptionField{
		{Key: OptionSilent, Label: "Send silently", Kind: connector.OptionCheckbox,
			Hint: "Subscribers get the message without a sound."},
		{Key: OptionPin, Label: "Pin the message", Kind: connector.OptionCheckbox,
			Hint: "The bot needs the right to pin messages in the chat."},
	}, nil
}
