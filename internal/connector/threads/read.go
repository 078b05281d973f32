package threads

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"unicode/utf8"

	"github.com/rivo/uniseg"
	"mvdan.cc/xurls/v2"

	"github.com/heraldsocial/herald/internal/connector"
	"github.com/heraldsocial/herald/internal/herald"
)

// Limits of a Threads post (Posts; Media Specifications; Text
// Attachments).
const (
	MaxChars      = 500
	MaxLinks      = 5
	MaxItems      = 20
	MaxImageBytes = 8 << 20
	MaxVideoBytes = 1 << 30
	MaxVideoMS    = 300_000
	MaxAspect     = 10.0 // 10:1 either way for images, at most 10:1 wide for videos
)

// OptionReplyControl limits who may reply to a post (reply_control).
const OptionReplyControl = "reply_control"

var replyControls = []connector.Choice{
	{Value: "", Label: "Everyone"},
	{Value: "accounts_you_follow", Label: "Profiles you follow"},
	{Value: "mentioned_only", Label: "Profiles you mention"},
	{Value: "parent_post_author_only", Label: "Only the author of the post answered"},
	{Value: "followers_only", Label: "Your followers"},
}

func isVideo(ct string) bool { return ct == "video/mp4" || ct == "video/quicktime" }

// Limits reports Threads' limits; they are the same for every account.
func (c *Connector) Limits(context.Context, connector.Account) (connector.Limits, error) {
	return connector.Limits{MaxChars: MaxChars, MaxMedia: MaxItems, MaxImageBytes: MaxImageBytes, MaxVideoBytes: MaxVideoBytes,
		MaxThreadParts: herald.MaxThreadParts + 1, FirstComment: true}, nil
}

// Length is the text's length as Threads counts it: a character each,
// except emoji, which count their UTF-8 bytes.
func Length(s string) int {
	n := 0
	g := uniseg.NewGraphemes(s)
	for g.Next() {
		cluster := g.Str()
		if isEmoji(cluster) {
			n += len(cluster)
		} else {
			n++
		}
	}
	return n
}

// isEmoji says whether a grapheme cluster is drawn as an emoji: a
// pictograph from the emoji planes, a symbol or dingbat, or anything with
// the emoji presentation selector.
func isEmoji(cluster string) bool {
	r, _ := utf8.DecodeRuneInString(cluster)
	switch {
	case r >= 0x1F000 && r <= 0x1FAFF:
		return true
	case r >= 0x2600 && r <= 0x27BF:
		return true
	}
	return strings.ContainsRune(cluster, 0xFE0F)
}

var linkRE = xurls.Relaxed()

// links counts the distinct links in the text, as Threads does.
func links(s string) int {
	seen := map[string]bool{}
	for _, l := range linkRE.FindAllString(s, -1) {
		seen[strings.ToLower(strings.TrimRight(l, "/"))] = true
	}
	return len(seen)
}

// Validate checks a part as Threads would: text or media, 500 characters
// (emoji counting their UTF-8 bytes), 5 links, JPEG or PNG images up to
// 8 MB and MP4 or MOV videos up to 1 GB and 5 minutes, 20 carousel items,
// aspect ratios, and the reply_control option.
func (c *Connector) Validate(ctx context.Context, acct connector.Account, p connector.Part) (int, []connector.Problem, error) {
	return Length(p.Text), problems(p), nil
}

func problems(p connector.Part) []connector.Problem {
	var probs []connector.Problem
	add := func(field, format string, args ...any) {
		probs = append(probs, connector.Problem{Field: field, Problem: fmt.Sprintf(format, args...)})
	}
	if strings.TrimSpace(p.Text) == "" && len(p.Media) == 0 {
		add("text", "is empty: a Threads post needs text or media")
	}
	if n := Length(p.Text); n > MaxChars {
		probs = append(probs, connector.Problem{Field: "text",
			Problem:  fmt.Sprintf("is %d characters as Threads counts them (an emoji counts its UTF-8 bytes); at most %d are allowed", n, MaxChars),
			Measured: n, Limit: MaxChars})
	}
	if n := links(p.Text); n > MaxLinks {
		probs = append(probs, connector.Problem{Field: "text", Problem: fmt.Sprintf("has %d links; Threads takes at most %d", n, MaxLinks),
			Measured: n, Limit: MaxLinks})
	}
	if v := p.Options[OptionReplyControl]; !slices.ContainsFunc(replyControls, func(c connector.Choice) bool { return c.Value == v }) {
		add("options."+OptionReplyControl, "%q is not one of Threads' reply controls", v)
	}
	if len(p.Media) > MaxItems {
		add("media", "has %d files; a Threads carousel takes at most %d", len(p.Media), MaxItems)
	}
	for i, m := range p.Media {
		field := fmt.Sprintf("media[%d]", i)
		a := m.Asset
		var ratio float64
		if a.Width > 0 && a.Height > 0 {
			ratio = float64(a.Width) / float64(a.Height)
		}
		switch {
		case a.ContentType == "image/jpeg" || a.ContentType == "image/png":
			if a.Size > MaxImageBytes {
				add(field, "is larger than 8 MB, the most Threads takes for an image")
			}
			if ratio > 0 && (ratio > MaxAspect || ratio < 1/MaxAspect) {
				add(field, "is %d×%d; Threads takes images up to 10:1 either way", a.Width, a.Height)
			}
		case isVideo(a.ContentType):
			if a.Size > MaxVideoBytes {
				add(field, "is larger than 1 GB, the most Threads takes for a video")
			}
			if a.DurationMS > MaxVideoMS {
				add(field, "lasts %ds; Threads takes videos up to 5 minutes", a.DurationMS/1000)
			}
			if ratio > MaxAspect {
				add(field, "is %d×%d; Threads takes videos up to 10:1 wide", a.Width, a.Height)
			}
		default:
			ct := a.ContentType
			if ct == "" {
				ct = "of an unknown type"
			}
			add(field, "is %s; Threads publishes JPEG and PNG images and MP4 or MOV videos", ct)
		}
	}
	return probs
}

// OptionFields are the composer's options for a Threads post.
func (c *Connector) OptionFields(context.Context, connector.Account) ([]connector.OptionField, error) {
	return []connector.OptionField{{Key: OptionReplyControl, Label: "Who can reply", Kind: connector.OptionSelect,
		Choices: replyControls, Default: ""}}, nil
}

// Metrics reads each post's lifetime insights (GET
// /{threads-media-id}/insights): views as impressions, likes, replies,
// reposts and quotes. A metric Threads leaves out stays -1; posts Threads
// no longer has are left out.
func (c *Connector) Metrics(ctx context.Context, acct connector.Account, refs []herald.RemoteRef) (map[string]connector.Metrics, error) {
	cr, err := creds(acct)
	if err != nil {
		return nil, err
	}
	out := map[string]connector.Metrics{}
	for _, r := range refs {
		if r.ID == "" {
			continue
		}
		if _, done := out[r.ID]; done {
			continue
		}
		var ins struct {
			Data []struct {
				Name   string `json:"name"`
				Values []struct {
					Value int64 `json:"value"`
				} `json:"values"`
				TotalValue *struct {
					Value int64 `json:"value"`
				} `json:"total_value"`
			} `json:"data"`
		}
		at := c.now()
		_, err := c.do(ctx, request{method: http.MethodGet, path: "/" + url.PathEscape(r.ID) + "/insights",
			query: url.Values{"metric": {"views,likes,replies,reposts,quotes"}}, token: cr.AccessToken, out: &ins})
		if gone(err) {
			continue
		}
		if err != nil {
			return nil, err
		}
		m := connector.Metrics{Likes: -1, Reposts: -1, Replies: -1, Quotes: -1, Impressions: -1, At: at}
		for _, d := range ins.Data {
			v := int64(-1)
			switch {
			case len(d.Values) > 0:
				v = d.Values[0].Value
			case d.TotalValue != nil:
				v = d.TotalValue.Value
			}
			switch d.Name {
			case "views":
				m.Impressions = v
			case "likes":
				m.Likes = v
			case "replies":
				m.Replies = v
			case "reposts":
				m.Reposts = v
			case "quotes":
				m.Quotes = v
			}
		}
		out[r.ID] = m
	}
	return out, nil
}
