package youtube

import (
	"context"
	"fmt"
	"sort"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/heraldsocial/herald/internal/connector"
)

// The part options (Part.Options keys).
const (
	OptionTitle       = "title"              // required, at most 100 characters
	OptionPrivacy     = "privacy"            // public, unlisted or private
	OptionCategory    = "category"           // a video category id of the channel's region
	OptionTags        = "tags"               // comma-separated
	OptionMadeForKids = "made_for_kids"      // "true": the video is made for children
	OptionPublishAt   = "publish_at"         // RFC 3339: a private video goes public then
	OptionNotify      = "notify_subscribers" // "false": no notification to subscribers
)

// YouTube's limits (videos.insert, the video resource's properties, the
// upload's maxSize in the API's discovery document).
const (
	MaxTitleChars       = 100
	MaxDescriptionBytes = 5000
	MaxTagsChars        = 500
	MaxCommentChars     = 10000
	MaxVideoBytes       = 256 << 30 // 256 GB
	MaxThumbnailBytes   = 2 << 20   // 2 MB
	MaxVideoMS          = 12 * 60 * 60 * 1000
)

// categoryTTL is how long a region's video categories are kept.
const categoryTTL = 24 * time.Hour

// Limits are YouTube's: one video and a thumbnail, no threads, a first
// comment. MaxChars is the description's limit, which YouTube counts in
// bytes.
func (c *Connector) Limits(context.Context, connector.Account) (connector.Limits, error) {
	return connector.Limits{MaxChars: MaxDescriptionBytes, MaxMedia: 2, MaxImageBytes: MaxThumbnailBytes,
		MaxVideoBytes: MaxVideoBytes, MaxThreadParts: 0, FirstComment: true}, nil
}

// Validate checks a part against YouTube's rules. The length is the
// description's (or the comment's) as YouTube counts it: bytes for a
// description, characters for a comment.
func (c *Connector) Validate(ctx context.Context, acct connector.Account, p connector.Part) (int, []connector.Problem, error) {
	if p.Comment {
		n := utf8.RuneCountInString(p.Text)
		var probs []connector.Problem
		if n > MaxCommentChars {
			probs = append(probs, connector.Problem{Field: "first_comment", Measured: n, Limit: MaxCommentChars,
				Problem: fmt.Sprintf("is %d characters; YouTube takes comments of at most %d", n, MaxCommentChars)})
		}
		return n, probs, nil
	}
	return len(p.Text), c.problems(p), nil
}

// problems lists what YouTube would refuse in a video part.
func (c *Connector) problems(p connector.Part) []connector.Problem {
	var probs []connector.Problem
	add := func(field, format string, args ...any) {
		probs = append(probs, connector.Problem{Field: field, Problem: fmt.Sprintf(format, args...)})
	}
	if p.Index > 0 {
		add("thread", "YouTube has no threads: publish one video per post")
	}
	if n := len(p.Text); n > MaxDescriptionBytes {
		probs = append(probs, connector.Problem{Field: "text", Measured: n, Limit: MaxDescriptionBytes,
			Problem: fmt.Sprintf("is %d bytes; YouTube takes descriptions of at most %d bytes (letters beyond ASCII count two to four)", n, MaxDescriptionBytes)})
	}
	if strings.ContainsAny(p.Text, "<>") {
		add("text", "contains < or >, which YouTube does not allow in a description")
	}
	probs = append(probs, mediaProblems(p.Media)...)
	o := p.Options
	title := strings.TrimSpace(o[OptionTitle])
	switch n := utf8.RuneCountInString(title); {
	case title == "":
		add("options."+OptionTitle, "is required: YouTube needs a title for every video")
	case n > MaxTitleChars:
		probs = append(probs, connector.Problem{Field: "options." + OptionTitle, Measured: n, Limit: MaxTitleChars,
			Problem: fmt.Sprintf("is %d characters; YouTube takes titles of at most %d", n, MaxTitleChars)})
	}
	if strings.ContainsAny(title, "<>") {
		add("options."+OptionTitle, "contains < or >, which YouTube does not allow in a title")
	}
	switch o[OptionPrivacy] {
	case "", "public", "unlisted", "private":
	default:
		add("options."+OptionPrivacy, "is %q; choose public, unlisted or private", o[OptionPrivacy])
	}
	if cat := o[OptionCategory]; cat != "" && strings.Trim(cat, "0123456789") != "" {
		add("options."+OptionCategory, "is %q; choose one of the channel's video categories", cat)
	}
	tags := splitTags(o[OptionTags])
	if n := tagsLength(tags); n > MaxTagsChars {
		probs = append(probs, connector.Problem{Field: "options." + OptionTags, Measured: n, Limit: MaxTagsChars,
			Problem: fmt.Sprintf("count %d characters as YouTube counts them (commas between tags, quotes around tags with spaces); it takes at most %d", n, MaxTagsChars)})
	}
	for _, t := range tags {
		if strings.ContainsAny(t, "<>") {
			add("options."+OptionTags, "the tag %q contains < or >, which YouTube does not allow", t)
		}
	}
	if at := strings.TrimSpace(o[OptionPublishAt]); at != "" {
		t, err := time.Parse(time.RFC3339, at)
		switch {
		case err != nil:
			add("options."+OptionPublishAt, "is %q, not a date and time (RFC 3339)", at)
		case !t.After(c.now()):
			add("options."+OptionPublishAt, "is in the past; YouTube publishes scheduled videos at a future time")
		}
		if pv := o[OptionPrivacy]; pv != "" && pv != "private" {
			add("options."+OptionPrivacy, "must be private for a scheduled video: YouTube keeps it private until the publish time, then makes it public")
		}
	}
	switch o[OptionMadeForKids] {
	case "", "true", "false":
	default:
		add("options."+OptionMadeForKids, "is %q; it is a checkbox (true or empty)", o[OptionMadeForKids])
	}
	return probs
}

func mediaProblems(media []connector.Media) []connector.Problem {
	var probs []connector.Problem
	add := func(field, format string, args ...any) {
		probs = append(probs, connector.Problem{Field: field, Problem: fmt.Sprintf(format, args...)})
	}
	if len(media) == 0 || !strings.HasPrefix(media[0].Asset.ContentType, "video/") {
		add("media", "YouTube needs a video as the first media item (images alone cannot be published)")
		return probs
	}
	if len(media) > 2 {
		add("media", "has %d items; YouTube takes one video and, after it, one thumbnail image", len(media))
	}
	v := media[0].Asset
	switch {
	case v.Size <= 0:
		add("media[0]", "has no recorded size; upload the video again")
	case v.Size > MaxVideoBytes:
		add("media[0]", "is %.1f GB; YouTube takes videos of at most 256 GB", float64(v.Size)/(1<<30))
	}
	if v.DurationMS > MaxVideoMS {
		add("media[0]", "is %.1f hours long; YouTube takes videos of at most 12 hours", float64(v.DurationMS)/3600000)
	}
	if len(media) >= 2 {
		t := media[1].Asset
		switch {
		case t.ContentType != "image/jpeg" && t.ContentType != "image/png":
			add("media[1]", "is %s; the second item is the video's thumbnail, which YouTube takes as a JPEG or PNG image", t.ContentType)
		case t.Size > MaxThumbnailBytes:
			add("media[1]", "is %.1f MB; YouTube takes thumbnails of at most 2 MB", float64(t.Size)/(1<<20))
		}
	}
	return probs
}

// splitTags splits the comma-separated tags option.
func splitTags(s string) []string {
	var out []string
	for _, t := range strings.Split(s, ",") {
		if t = strings.TrimSpace(t); t != "" {
			out = append(out, t)
		}
	}
	return out
}

// tagsLength counts tags as YouTube does for its 500-character limit: the
// characters of every tag, a comma between two tags, and two quotes around
// a tag with a space.
func tagsLength(tags []string) int {
	n := 0
	for i, t := range tags {
		n += utf8.RuneCountInString(t)
		if strings.Contains(t, " ") {
			n += 2
		}
		if i > 0 {
			n++
		}
	}
	return n
}

// OptionFields lists the options of a video: title, privacy, category
// (the channel's region's assignable categories, from
// videoCategories.list, kept a day), tags, made for kids, scheduled
// publication and the subscriber notification.
func (c *Connector) OptionFields(ctx context.Context, acct connector.Account) ([]connector.OptionField, error) {
	cr, err := creds(acct)
	if err != nil {
		return nil, err
	}
	cats, err := c.videoCategories(ctx, cr)
	if err != nil {
		return nil, err
	}
	return []connector.OptionField{
		{Key: OptionTitle, Label: "Title", Kind: connector.OptionText, Required: true, MaxLen: MaxTitleChars,
			Hint: "Shown above the video; no < or >."},
		{Key: OptionPrivacy, Label: "Privacy", Kind: connector.OptionSelect, Default: "public", Choices: []connector.Choice{
			{Value: "public", Label: "Public"}, {Value: "unlisted", Label: "Unlisted"}, {Value: "private", Label: "Private"}},
			Hint: "A scheduled video must be private until its publish time."},
		{Key: OptionCategory, Label: "Category", Kind: connector.OptionSelect, Choices: cats},
		{Key: OptionTags, Label: "Tags", Kind: connector.OptionText, MaxLen: MaxTagsChars, Hint: "Separated by commas."},
		{Key: OptionMadeForKids, Label: "Made for kids", Kind: connector.OptionCheckbox,
			Hint: "Required by COPPA: tick it if the video is made for children."},
		{Key: OptionPublishAt, Label: "Scheduled publish", Kind: connector.OptionDateTime,
			Hint: "YouTube keeps the video private, then makes it public at this time."},
		{Key: OptionNotify, Label: "Notify subscribers", Kind: connector.OptionCheckbox, Default: "true"},
	}, nil
}

// videoCategories returns the assignable categories of the channel's
// region (US when it set none), kept a day per region.
func (c *Connector) videoCategories(ctx context.Context, cr Credentials) ([]connector.Choice, error) {
	region := cr.Region
	if region == "" {
		region = "US"
	}
	c.mu.Lock()
	if l, ok := c.categories[region]; ok && c.now().Sub(l.at) < categoryTTL {
		c.mu.Unlock()
		return l.choices, nil
	}
	c.mu.Unlock()
	svc, err := c.service(ctx, cr)
	if err != nil {
		return nil, err
	}
	res, err := svc.VideoCategories.List([]string{"snippet"}).RegionCode(region).Context(ctx).Do()
	if err != nil {
		return nil, c.apiErr("videoCategories.list", err, false)
	}
	var out []connector.Choice
	for _, it := range res.Items {
		if it.Snippet != nil && it.Snippet.Assignable {
			out = append(out, connector.Choice{Value: it.Id, Label: it.Snippet.Title})
		}
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].Label < out[j].Label })
	c.mu.Lock()
	c.categories[region] = categoryList{at: c.now(), choices: out}
	c.mu.Unlock()
	return out, nil
}
