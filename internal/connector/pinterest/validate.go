package pinterest

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"unicode/utf8"

	"github.com/heraldsocial/herald/internal/connector"
	"github.com/heraldsocial/herald/internal/herald"
)

// Limits of a pin.
const (
	MaxDescriptionChars = 500
	MaxTitleChars       = 100
	MaxAltTextChars     = 500
	MaxLinkChars        = 2048
	MaxCarousel         = 5
	MaxImageBytes       = 20 << 20
	MaxVideoBytes       = 2 << 30
)

// Part options.
const (
	// OptionBoard is the board to pin to (required): a board id from
	// Boards, which the composer offers.
	OptionBoard = "board_id"
	// OptionTitle is the pin's title (up to 100 characters).
	OptionTitle = "title"
	// OptionLink is where the pin leads.
	OptionLink = "link"
)

// Limits reports a pin's limits: the description is the text; no threads
// and no first comment.
func (c *Connector) Limits(ctx context.Context, acct connector.Account) (connector.Limits, error) {
	return connector.Limits{MaxChars: MaxDescriptionChars, MaxMedia: MaxCarousel, MaxImageBytes: MaxImageBytes,
		MaxVideoBytes: MaxVideoBytes, AltTextMaxChars: MaxAltTextChars}, nil
}

func isImage(ct string) bool {
	switch strings.ToLower(ct) {
	case "image/jpeg", "image/png", "image/webp", "image/gif", "image/bmp", "image/tiff":
		return true
	}
	return false
}

func isVideo(ct string) bool {
	switch strings.ToLower(ct) {
	case "video/mp4", "video/quicktime", "video/x-m4v":
		return true
	}
	return false
}

// Validate checks a part as Pinterest would: a board, an image, 2–5
// images or one video, the description (500), title (100), alt text
// (500) and link.
func (c *Connector) Validate(ctx context.Context, acct connector.Account, p connector.Part) (int, []connector.Problem, error) {
	n := utf8.RuneCountInString(p.Text)
	var probs []connector.Problem
	add := func(field, format string, args ...any) {
		probs = append(probs, connector.Problem{Field: field, Problem: fmt.Sprintf(format, args...)})
	}
	length := func(field string, got, limit int, what string) {
		if got > limit {
			probs = append(probs, connector.Problem{Field: field, Measured: got, Limit: limit,
				Problem: fmt.Sprintf("is %d characters; Pinterest allows %d for %s", got, limit, what)})
		}
	}
	if p.Comment || p.Index > 0 {
		add("thread", "is not possible on Pinterest: a pin has no thread parts or comments")
	}
	if p.Options[OptionBoard] == "" {
		add("options."+OptionBoard, "is required: choose the board to pin to")
	}
	length("text", n, MaxDescriptionChars, "a description")
	length("options."+OptionTitle, utf8.RuneCountInString(p.Options[OptionTitle]), MaxTitleChars, "a title")
	if l := p.Options[OptionLink]; l != "" {
		if u, err := url.Parse(l); err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
			add("options."+OptionLink, "is not an http(s) link")
		}
		length("options."+OptionLink, len(l), MaxLinkChars, "a link")
	}
	videos := 0
	switch {
	case len(p.Media) == 0:
		add("media", "is empty: a pin needs an image or a video")
	case len(p.Media) > MaxCarousel:
		add("media", "has %d files; a carousel pin takes 2 to %d images", len(p.Media), MaxCarousel)
	}
	for i, m := range p.Media {
		field := fmt.Sprintf("media[%d]", i)
		a := m.Asset
		switch {
		case isVideo(a.ContentType):
			videos++
			if a.Size > MaxVideoBytes {
				add(field, "is %d bytes; a video pin may be at most 2 GB", a.Size)
			}
		case isImage(a.ContentType):
			if a.Size > MaxImageBytes {
				add(field, "is %d bytes; an image pin may be at most 20 MB", a.Size)
			}
		default:
			add(field, "is %s; Pinterest takes JPEG, PNG, WebP, GIF, BMP or TIFF images and MP4 or MOV videos", a.ContentType)
		}
		length(field+".alt_text", utf8.RuneCountInString(a.AltText), MaxAltTextChars, "alt text")
	}
	if videos > 0 && len(p.Media) > 1 {
		add("media", "mixes a video with other files; a video pin takes one video alone")
	}
	return n, probs, nil
}

// Metrics reads each pin's counts: its lifetime reactions (likes),
// comments (replies) and impressions from GET /v5/pins/{id}
// ?pin_metrics=true, and its saves (reposts) over the last 90 days from
// GET /v5/pins/{id}/analytics (metric SAVE; Pinterest keeps analytics
// for 90 days). Quotes are -1: Pinterest has none. Pins Pinterest no
// longer has are left out.
func (c *Connector) Metrics(ctx context.Context, acct connector.Account, refs []herald.RemoteRef) (map[string]connector.Metrics, error) {
	cr, err := creds(acct)
	if err != nil {
		return nil, err
	}
	out := map[string]connector.Metrics{}
	now := c.now().UTC()
	for _, ref := range refs {
		var p struct {
			PinMetrics *struct {
				Lifetime map[string]int64 `json:"lifetime_metrics"`
			} `json:"pin_metrics"`
		}
		_, err := c.call(ctx, cr, request{method: http.MethodGet, path: "/v5/pins/" + url.PathEscape(ref.ID),
			query: url.Values{"pin_metrics": {"true"}}, out: &p})
		if gone(err) {
			continue
		}
		if err != nil {
			return nil, err
		}
		m := connector.Metrics{Likes: -1, Replies: -1, Impressions: -1, Reposts: -1, Quotes: -1, At: c.now()}
		if p.PinMetrics != nil {
			if v, ok := p.PinMetrics.Lifetime["reaction"]; ok {
				m.Likes = v
			}
			if v, ok := p.PinMetrics.Lifetime["comment"]; ok {
				m.Replies = v
			}
			if v, ok := p.PinMetrics.Lifetime["impression"]; ok {
				m.Impressions = v
			}
		}
		var a struct {
			All struct {
				Summary map[string]float64 `json:"summary_metrics"`
			} `json:"all"`
		}
		q := url.Values{"start_date": {now.AddDate(0, 0, -89).Format("2006-01-02")}, "end_date": {now.Format("2006-01-02")},
			"metric_types": {"SAVE"}}
		_, err = c.call(ctx, cr, request{method: http.MethodGet, path: "/v5/pins/" + url.PathEscape(ref.ID) + "/analytics", query: q, out: &a})
		if gone(err) {
			continue
		}
		if err != nil {
			return nil, err
		}
		if v, ok := a.All.Summary["SAVE"]; ok {
			m.Reposts = int64(v)
		}
		out[ref.ID] = m
	}
	return out, nil
}

func gone(err error) bool {
	var e *connector.Error
	return errors.As(err, &e) && e.Status == http.StatusNotFound
}

// OptionFields are the composer's options for a pin: the board, listed from
// the account, its title and its link.
func (c *Connector) OptionFields(ctx context.Context, acct connector.Account) ([]connector.OptionField, error) {
	boards, err := c.Boards(ctx, acct)
	if err != nil {
		return nil, err
	}
	var choices []connector.Choice
	for _, b := range boards {
		label := b.Name
		if b.Privacy == "SECRET" {
			label += " (secret)"
		}
		choices = append(choices, connector.Choice{Value: b.ID, Label: label})
	}
	hint := "The board the pin is saved to."
	if len(choices) == 0 {
		hint = "This account has no board yet: make one on Pinterest, then open the composer again."
	}
	board := connector.OptionField{Key: OptionBoard, Label: "Board", Kind: connector.OptionSelect, Choices: choices,
		Required: true, Hint: hint}
	if len(choices) == 1 {
		board.Default = choices[0].Value
	}
	return []connector.OptionField{board,
		{Key: OptionTitle, Label: "Pin title", Kind: connector.OptionText, MaxLen: MaxTitleChars},
		{Key: OptionLink, Label: "Link", Kind: connector.OptionText, MaxLen: MaxLinkChars,
			Hint: "Where the pin leads when clicked."},
	}, nil
}
