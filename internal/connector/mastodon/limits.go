package mastodon

import (
	"context"
	"fmt"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/rivo/uniseg"

	"github.com/heraldsocial/herald/internal/connector"
	"github.com/heraldsocial/herald/internal/herald"
)

// Fallbacks for servers that do not publish a limit (Mastodon's own
// defaults as of 4.x).
const (
	defaultMaxChars     = 500
	defaultMaxMedia     = 4
	defaultImageBytes   = 16 << 20
	defaultVideoBytes   = 99 << 20
	defaultAltTextChars = 1500
)

// Instance is what the connector knows about an instance's rules.
type Instance struct {
	Domain         string
	MaxChars       int
	URLChars       int
	MaxMedia       int
	ImageBytes     int64
	VideoBytes     int64
	AltTextChars   int
	MediaTypes     []string // accepted MIME types; empty: not published, not checked
	FetchedAt      time.Time
	FromV1Instance bool // the server has no /api/v2/instance (older Mastodon, Akkoma)
	// Version is the instance's version string ("4.3.0", "2.7.2
	// (compatible; Pleroma 2.5.0)").
	Version string
	// Software is what the instance runs, learned from nodeinfo.
	Software herald.InstanceSoftware
	// Counting is how the server measures a status (see CountingFor).
	Counting Counting
	// Streaming is the base URL of the instance's streaming API as it
	// announces it ("wss://streaming.example"); "" when it does not.
	Streaming string
}

// Counting is how a server measures a status against its limit.
type Counting struct {
	// CodePoints counts Unicode code points (GoToSocial) instead of
	// grapheme clusters (Mastodon).
	CodePoints bool
	// LinksInFull counts links at their own length, ignoring
	// characters_reserved_per_url (GoToSocial, Pleroma, Akkoma).
	LinksInFull bool
}

// CountingFor is how software name measures statuses: GoToSocial counts
// the code points of the content warning and the text, links in full;
// Pleroma and Akkoma count characters with links in full; Mastodon and
// anything unknown count as Mastodon does (see Length).
func CountingFor(name string) Counting {
	switch name {
	case "gotosocial":
		return Counting{CodePoints: true, LinksInFull: true}
	case "pleroma", "akkoma":
		return Counting{LinksInFull: true}
	}
	return Counting{}
}

// Measure counts a status (content warning included) as this instance does.
func (info Instance) Measure(text, spoilerText string) int {
	switch {
	case info.Counting.CodePoints:
		return utf8.RuneCountInString(spoilerText) + utf8.RuneCountInString(text)
	case info.Counting.LinksInFull:
		return uniseg.GraphemeClusterCount(spoilerText) + uniseg.GraphemeClusterCount(text)
	}
	return Length(text, spoilerText, info.URLChars)
}

// countingWords says how a problem's count was made.
func (info Instance) countingWords() string {
	name := "Mastodon"
	if info.Software.Name != "" {
		name = info.Software.Label()
	}
	if info.Counting.LinksInFull {
		return fmt.Sprintf("characters as %s counts them (links in full, the content warning included)", name)
	}
	return fmt.Sprintf("characters as %s counts them (links as %d, the content warning included)", name, info.URLChars)
}

type instanceEntry struct {
	info    Instance
	expires time.Time
}

// instanceJSON covers /api/v2/instance and the older /api/v1/instance
// (Mastodon ≥ 3.4 has configuration there too; Pleroma and Akkoma send
// max_toot_chars and upload_limit).
type instanceJSON struct {
	Domain       string `json:"domain"`
	URI          string `json:"uri"`
	Version      string `json:"version"`
	MaxTootChars int    `json:"max_toot_chars"`
	UploadLimit  int64  `json:"upload_limit"`
	// URLs is /api/v1/instance's (streaming_api).
	URLs struct {
		StreamingAPI string `json:"streaming_api"`
	} `json:"urls"`
	Configuration struct {
		// URLs is /api/v2/instance's (streaming).
		URLs struct {
			Streaming string `json:"streaming"`
		} `json:"urls"`
		Statuses struct {
			MaxCharacters            int `json:"max_characters"`
			MaxMediaAttachments      int `json:"max_media_attachments"`
			CharactersReservedPerURL int `json:"characters_reserved_per_url"`
		} `json:"statuses"`
		MediaAttachments struct {
			SupportedMimeTypes []string `json:"supported_mime_types"`
			ImageSizeLimit     int64    `json:"image_size_limit"`
			VideoSizeLimit     int64    `json:"video_size_limit"`
			DescriptionLimit   int      `json:"description_limit"`
		} `json:"media_attachments"`
	} `json:"configuration"`
}

// instance returns inst's rules, from the cache while fresh.
func (c *Connector) instance(ctx context.Context, inst, tok string) (Instance, error) {
	now := c.now()
	c.mu.Lock()
	e, ok := c.instances[inst]
	c.mu.Unlock()
	if ok && now.Before(e.expires) {
		return e.info, nil
	}
	var raw instanceJSON
	v1 := false
	_, err := c.call(ctx, inst, request{method: http.MethodGet, path: "/api/v2/instance", token: tok}, &raw)
	if s := statusOf(err); s == http.StatusNotFound || s == http.StatusGone {
		v1 = true
		raw = instanceJSON{}
		_, err = c.call(ctx, inst, request{method: http.MethodGet, path: "/api/v1/instance", token: tok}, &raw)
	}
	if err != nil {
		return Instance{}, err
	}
	st, ma := raw.Configuration.Statuses, raw.Configuration.MediaAttachments
	info := Instance{
		Domain: raw.Domain, MaxChars: firstPositive(st.MaxCharacters, raw.MaxTootChars, defaultMaxChars),
		URLChars:     firstPositive(st.CharactersReservedPerURL, DefaultURLChars),
		MaxMedia:     firstPositive(st.MaxMediaAttachments, defaultMaxMedia),
		ImageBytes:   firstPositive64(ma.ImageSizeLimit, raw.UploadLimit, defaultImageBytes),
		VideoBytes:   firstPositive64(ma.VideoSizeLimit, raw.UploadLimit, defaultVideoBytes),
		AltTextChars: firstPositive(ma.DescriptionLimit, defaultAltTextChars),
		MediaTypes:   ma.SupportedMimeTypes, FetchedAt: now, FromV1Instance: v1,
	}
	if info.Domain == "" {
		info.Domain = raw.URI
	}
	info.Version = raw.Version
	info.Streaming = raw.Configuration.URLs.Streaming
	if info.Streaming == "" {
		info.Streaming = raw.URLs.StreamingAPI
	}
	info.Software = c.learnSoftware(ctx, inst, raw.Version)
	info.Counting = CountingFor(info.Software.Name)
	c.mu.Lock()
	c.instances[inst] = instanceEntry{info: info, expires: now.Add(c.instanceTTL)}
	c.mu.Unlock()
	return info, nil
}

func firstPositive(v ...int) int {
	for _, x := range v {
		if x > 0 {
			return x
		}
	}
	return 0
}

func firstPositive64(v ...int64) int64 {
	for _, x := range v {
		if x > 0 {
			return x
		}
	}
	return 0
}

// Limits returns the limits of the account's instance, read from
// GET /api/v2/instance and cached (see WithInstanceTTL).
func (c *Connector) Limits(ctx context.Context, acct connector.Account) (connector.Limits, error) {
	cr, err := creds(acct)
	if err != nil {
		return connector.Limits{}, err
	}
	info, err := c.instance(ctx, cr.Instance, cr.AccessToken)
	if err != nil {
		return connector.Limits{}, err
	}
	urlChars := info.URLChars
	if info.Counting.LinksInFull {
		urlChars = 0 // links count at their own length
	}
	return connector.Limits{
		MaxChars: info.MaxChars, MaxMedia: info.MaxMedia, MaxImageBytes: info.ImageBytes,
		MaxVideoBytes: info.VideoBytes, MaxThreadParts: MaxThreadParts, FirstComment: true,
		AltTextMaxChars: info.AltTextChars, CharsReservedURL: urlChars,
	}, nil
}

// knownOptions are the Part.Options the connector reads.
const knownOptions = "visibility, spoiler_text, sensitive, language"

// Validate checks a part against the account's instance: its length as
// Mastodon counts it (see Length; the content warning counts too), media
// count, types, sizes and alt text, a video alone, and the options.
func (c *Connector) Validate(ctx context.Context, acct connector.Account, p connector.Part) (int, []connector.Problem, error) {
	cr, err := creds(acct)
	if err != nil {
		return 0, nil, err
	}
	info, err := c.instance(ctx, cr.Instance, cr.AccessToken)
	if err != nil {
		return 0, nil, err
	}
	n, problems := Check(info, p)
	return n, problems, nil
}

// Check validates p against an instance's rules without any network call;
// it returns the counted length and the problems.
func Check(info Instance, p connector.Part) (int, []connector.Problem) {
	var ps []connector.Problem
	add := func(field, format string, args ...any) {
		ps = append(ps, connector.Problem{Field: field, Problem: fmt.Sprintf(format, args...)})
	}
	n := info.Measure(p.Text, p.Options["spoiler_text"])
	if n > info.MaxChars {
		ps = append(ps, connector.Problem{Field: "text", Measured: n, Limit: info.MaxChars,
			Problem: fmt.Sprintf("is %d %s; this instance allows %d", n, info.countingWords(), info.MaxChars)})
	}
	if strings.TrimSpace(p.Text) == "" && len(p.Media) == 0 {
		add("text", "is empty: a Mastodon post needs text or media")
	}
	if len(p.Media) > info.MaxMedia {
		ps = append(ps, connector.Problem{Field: "media", Measured: len(p.Media), Limit: info.MaxMedia,
			Problem: fmt.Sprintf("has %d files; this instance allows %d per post", len(p.Media), info.MaxMedia)})
	}
	videos := 0
	for i, m := range p.Media {
		field := "media[" + strconv.Itoa(i) + "]"
		ct := strings.ToLower(m.Asset.ContentType)
		video := strings.HasPrefix(ct, "video/") || strings.HasPrefix(ct, "audio/")
		if video {
			videos++
		}
		if len(info.MediaTypes) > 0 && !slices.Contains(info.MediaTypes, ct) {
			add(field, "is %s, which this instance does not accept", ct)
		}
		limit := info.ImageBytes
		if video {
			limit = info.VideoBytes
		}
		if limit > 0 && m.Asset.Size > limit {
			ps = append(ps, connector.Problem{Field: field, Measured: int(m.Asset.Size), Limit: int(limit),
				Problem: fmt.Sprintf("is %d bytes; this instance accepts at most %d", m.Asset.Size, limit)})
		}
		if a := utf8.RuneCountInString(m.Asset.AltText); a > info.AltTextChars {
			ps = append(ps, connector.Problem{Field: field + ".alt_text", Measured: a, Limit: info.AltTextChars,
				Problem: fmt.Sprintf("is %d characters; this instance allows %d", a, info.AltTextChars)})
		}
	}
	if videos > 0 && len(p.Media) > 1 {
		add("media", "mixes a video or audio file with other files; Mastodon attaches one video or audio file alone")
	}
	for k, v := range p.Options {
		switch k {
		case "visibility":
			if !slices.Contains([]string{"public", "unlisted", "private", "direct"}, v) {
				add("options.visibility", "%q is not one of public, unlisted, private, direct", v)
			}
		case "sensitive":
			if _, err := strconv.ParseBool(v); err != nil {
				add("options.sensitive", "%q must be true or false", v)
			}
		case "language":
			if !validLanguage(v) {
				add("options.language", "%q is not an ISO 639 language code like en or fr", v)
			}
		case "spoiler_text":
		default:
			add("options."+k, "is not an option for Mastodon; use %s", knownOptions)
		}
	}
	return n, ps
}

func validLanguage(s string) bool {
	if len(s) < 2 || len(s) > 3 {
		return false
	}
	for _, r := range s {
		if r < 'a' || r > 'z' {
			return false
		}
	}
	return true
}

// OptionFields are the composer's options for a Mastodon post besides its
// visibility and content warning, which have fields of their own.
func (c *Connector) OptionFields(context.Context, connector.Account) ([]connector.OptionField, error) {
	return []connector.OptionField{
		{Key: "language", Label: "Language", Kind: connector.OptionText, MaxLen: 3,
			Hint: "An ISO 639 code such as en, fr or de: people who filter by language see the post where it belongs. Empty: the account's default."},
		{Key: "sensitive", Label: "Mark media as sensitive", Kind: connector.OptionCheckbox,
			Hint: "Images and videos are hidden behind a warning until clicked."},
	}, nil
}
