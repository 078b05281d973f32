package discord

import (
	"context"
	"fmt"
	"strings"
	"unicode/utf8"

	"github.com/heraldsocial/herald/internal/connector"
	"github.com/heraldsocial/herald/internal/herald"
)

// Limits of a message executed through a webhook.
const (
	MaxContentChars    = 2000
	MaxFiles           = 10
	MaxFileBytes       = 10 << 20 // per file on a server without boosts
	MaxDescriptionLen  = 1024     // an attachment's description (alt text)
	MaxThreadNameChars = 100
)

// Part options.
const (
	// OptionThreadName starts a forum or media channel post with this title
	// (the first part only).
	OptionThreadName = "thread_name"
	// OptionThreadID posts into an existing thread of the channel.
	OptionThreadID = "thread_id"
	// OptionSilent "true" posts without notifying (SUPPRESS_NOTIFICATIONS).
	OptionSilent = "silent"
	// OptionSuppressEmbeds "true" shows no link previews (SUPPRESS_EMBEDS).
	OptionSuppressEmbeds = "suppress_embeds"
)

// Limits reports Discord's limits for webhook messages. Thread parts are
// follow-up messages; there is no first comment.
func (c *Connector) Limits(ctx context.Context, acct connector.Account) (connector.Limits, error) {
	return connector.Limits{
		MaxChars:        MaxContentChars,
		MaxMedia:        MaxFiles,
		MaxImageBytes:   MaxFileBytes,
		MaxVideoBytes:   MaxFileBytes,
		MaxThreadParts:  herald.MaxThreadParts + 1,
		AltTextMaxChars: MaxDescriptionLen,
	}, nil
}

// Validate checks a part as Discord would: content up to 2,000
// characters, up to 10 files of at most 10 MB with descriptions up to
// 1,024 characters, a thread name up to 100, and the options.
func (c *Connector) Validate(ctx context.Context, acct connector.Account, p connector.Part) (int, []connector.Problem, error) {
	n := utf8.RuneCountInString(p.Text)
	var probs []connector.Problem
	add := func(field, format string, args ...any) {
		probs = append(probs, connector.Problem{Field: field, Problem: fmt.Sprintf(format, args...)})
	}
	if p.Comment {
		add("first_comment", "is not possible on Discord: a webhook cannot comment under a message; use a thread part")
	}
	if strings.TrimSpace(p.Text) == "" && len(p.Media) == 0 {
		add("text", "is empty: a Discord message needs text or files")
	}
	if n > MaxContentChars {
		probs = append(probs, connector.Problem{Field: "text",
			Problem: fmt.Sprintf("is %d characters; Discord takes at most %d", n, MaxContentChars), Measured: n, Limit: MaxContentChars})
	}
	if len(p.Media) > MaxFiles {
		add("media", "has %d files; Discord takes at most %d per message", len(p.Media), MaxFiles)
	}
	for i, m := range p.Media {
		field := fmt.Sprintf("media[%d]", i)
		if m.Asset.Size > MaxFileBytes {
			add(field, "is %d bytes; Discord takes files of at most 10 MB on servers without boosts", m.Asset.Size)
		}
		if k := utf8.RuneCountInString(m.Asset.AltText); k > MaxDescriptionLen {
			probs = append(probs, connector.Problem{Field: field + ".alt_text",
				Problem: fmt.Sprintf("is %d characters; Discord allows at most %d", k, MaxDescriptionLen), Measured: k, Limit: MaxDescriptionLen})
		}
	}
	if t := p.Options[OptionThreadName]; utf8.RuneCountInString(t) > MaxThreadNameChars {
		add("options."+OptionThreadName, "is longer than the %d characters Discord allows for a thread's name", MaxThreadNameChars)
	}
	if t := p.Options[OptionThreadID]; t != "" && !snowflake.MatchString(t) {
		add("options."+OptionThreadID, "%q is not a Discord thread id", t)
	}
	for _, o := range []string{OptionSilent, OptionSuppressEmbeds} {
		if v := p.Options[o]; v != "" && v != "true" && v != "false" {
			add("options."+o, "%q is not true or false", v)
		}
	}
	return n, probs, nil
}

// OptionFields are the composer's options for a Discord message.
func (c *Connector) OptionFields(context.Context, connector.Account) ([]connector.OptionField, error) {
	return []connector.OptionField{
		{Key: OptionThreadName, Label: "Forum post title", Kind: connector.OptionText, MaxLen: MaxThreadNameChars,
			Hint: "For a webhook of a forum channel: the message starts a new post with this title."},
		{Key: OptionThreadID, Label: "Thread id", Kind: connector.OptionText, MaxLen: 20,
			Hint: "Post into an existing thread of the webhook's channel (Discord: right-click the thread, Copy Thread ID)."},
		{Key: OptionSilent, Label: "Send silently", Kind: connector.OptionCheckbox, Hint: "No push or desktop notification."},
		{Key: OptionSuppressEmbeds, Label: "No link previews", Kind: connector.OptionCheckbox},
	}, nil
}
