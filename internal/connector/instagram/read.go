package instagram

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/heraldsocial/herald/internal/connector"
	"github.com/heraldsocial/herald/internal/connector/metagraph"
	"github.com/heraldsocial/herald/internal/herald"
)

// Limits of an Instagram post (Content Publishing).
const (
	MaxChars      = 2200
	MaxHashtags   = 30
	MaxMentions   = 20
	MaxItems      = 10
	MaxImageBytes = 8 << 20
	MaxVideoBytes = 300 << 20
)

func isVideo(ct string) bool { return ct == "video/mp4" || ct == "video/quicktime" }

// Limits reports Instagram's limits; they are the same for every account.
func (c *Connector) Limits(context.Context, connector.Account) (connector.Limits, error) {
	return connector.Limits{MaxChars: MaxChars, MaxMedia: MaxItems, MaxImageBytes: MaxImageBytes,
		MaxVideoBytes: MaxVideoBytes, FirstComment: true}, nil
}

var (
	hashtagRE = regexp.MustCompile(`(?:^|[^\p{L}\p{N}_&])#[\p{L}\p{N}_]+`)
	mentionRE = regexp.MustCompile(`(?:^|[^\p{L}\p{N}_.])@[\p{L}\p{N}_.]+`)
)

// Validate checks a part as Instagram would: media required, JPEG images
// or MP4/MOV videos, up to 10 items, the caption's 2,200 characters, 30
// hashtags and 20 @mentions.
func (c *Connector) Validate(ctx context.Context, acct connector.Account, p connector.Part) (int, []connector.Problem, error) {
	return utf8.RuneCountInString(p.Text), problems(p), nil
}

func problems(p connector.Part) []connector.Problem {
	var probs []connector.Problem
	add := func(field, format string, args ...any) {
		probs = append(probs, connector.Problem{Field: field, Problem: fmt.Sprintf(format, args...)})
	}
	if n := utf8.RuneCountInString(p.Text); n > MaxChars {
		probs = append(probs, connector.Problem{Field: "text", Problem: fmt.Sprintf("is %d characters; an Instagram caption takes at most %d", n, MaxChars),
			Measured: n, Limit: MaxChars})
	}
	if n := len(hashtagRE.FindAllString(p.Text, -1)); n > MaxHashtags {
		probs = append(probs, connector.Problem{Field: "text", Problem: fmt.Sprintf("has %d hashtags; Instagram allows %d", n, MaxHashtags), Measured: n, Limit: MaxHashtags})
	}
	if n := len(mentionRE.FindAllString(p.Text, -1)); n > MaxMentions {
		probs = append(probs, connector.Problem{Field: "text", Problem: fmt.Sprintf("has %d @mentions; Instagram allows %d", n, MaxMentions), Measured: n, Limit: MaxMentions})
	}
	if p.Comment {
		if len(p.Media) > 0 {
			add("media", "cannot go with a comment on Instagram")
		}
		return probs
	}
	if len(p.Media) == 0 {
		add("media", "is required: an Instagram post needs an image or a video")
	}
	if len(p.Media) > MaxItems {
		add("media", "has %d files; an Instagram carousel takes at most %d", len(p.Media), MaxItems)
	}
	probs = append(probs, optionProblems(p)...)
	for i, m := range p.Media {
		field := fmt.Sprintf("media[%d]", i)
		a := m.Asset
		switch {
		case a.ContentType == "image/jpeg":
			if a.Size > MaxImageBytes {
				add(field, "is larger than 8 MB, the most Instagram takes for an image")
			}
		case isVideo(a.ContentType):
			if a.Size > MaxVideoBytes {
				add(field, "is larger than 300 MB, the most Instagram takes for a video")
			}
		default:
			ct := a.ContentType
			if ct == "" {
				ct = "of an unknown type"
			}
			add(field, "is %s; Instagram publishes JPEG images and MP4 or MOV videos", ct)
		}
	}
	return probs
}

// Metrics reads, per media: like_count as likes and comments_count as
// replies (fields of the media), and the insights views (as impressions)
// and shares (as reposts); an insight Meta refuses (a story, an old
// post) stays -1. Media Meta no longer has are left out.
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
		var f struct {
			LikeCount     *int64 `json:"like_count"`
			CommentsCount *int64 `json:"comments_count"`
		}
		at := c.graph.Now()
		_, err := c.graph.Do(ctx, metagraph.Request{Method: http.MethodGet, Path: "/" + url.PathEscape(r.ID),
			Query: url.Values{"fields": {"like_count,comments_count"}}, Token: cr.PageToken, Out: &f})
		if gone(err) {
			continue
		}
		if err != nil {
			return nil, err
		}
		m := connector.Metrics{Likes: deref(f.LikeCount), Replies: deref(f.CommentsCount), Reposts: -1, Quotes: -1, Impressions: -1, At: at}
		var ins struct {
			Data []struct {
				Name   string `json:"name"`
				Values []struct {
					Value int64 `json:"value"`
				} `json:"values"`
			} `json:"data"`
		}
		_, err = c.graph.Do(ctx, metagraph.Request{Method: http.MethodGet, Path: "/" + url.PathEscape(r.ID) + "/insights",
			Query: url.Values{"metric": {"views,shares"}}, Token: cr.PageToken, Out: &ins})
		var e *connector.Error
		if err != nil && !(errors.As(err, &e) && e.Class == connector.Invalid) {
			return nil, err
		}
		for _, d := range ins.Data {
			if len(d.Values) == 0 {
				continue
			}
			switch d.Name {
			case "views":
				m.Impressions = d.Values[0].Value
			case "shares":
				m.Reposts = d.Values[0].Value
			}
		}
		out[r.ID] = m
	}
	return out, nil
}

func deref(p *int64) int64 {
	if p == nil {
		return -1 // the owner hid the count
	}
	return *p
}

func gone(err error) bool {
	var e *connector.Error
	if !errors.As(err, &e) || e.Class != connector.Invalid {
		return false
	}
	code, sub, ok := metagraph.Codes(err)
	return e.Status == http.StatusNotFound || (ok && code == metagraph.CodeInvalidParameter && sub == metagraph.SubcodeNoObject)
}

type igComment struct {
	ID        string `json:"id"`
	Text      string `json:"text"`
	Username  string `json:"username"`
	Timestamp string `json:"timestamp"`
	From      *struct {
		ID       string `json:"id"`
		Username string `json:"username"`
	} `json:"from"`
}

// Mentions reads comments by other people on the account's 25 latest
// media (GET /{ig-user-id}/media with the comments field), oldest first,
// with the same cursor as Facebook's: the newest comment second seen and
// the ids seen at it.
func (c *Connector) Mentions(ctx context.Context, acct connector.Account, cursor string) ([]connector.Mention, string, error) {
	cr, err := creds(acct)
	if err != nil {
		return nil, "", err
	}
	after, seen := parseCursor(cursor)
	var feed struct {
		Data []struct {
			ID       string `json:"id"`
			Comments *struct {
				Data []igComment `json:"data"`
			} `json:"comments"`
		} `json:"data"`
	}
	if _, err := c.graph.Do(ctx, metagraph.Request{Method: http.MethodGet, Path: "/" + url.PathEscape(cr.IGUserID) + "/media",
		Query: url.Values{"fields": {"id,comments{id,text,username,timestamp,from}"}, "limit": {"25"}},
		Token: cr.PageToken, Out: &feed}); err != nil {
		return nil, "", err
	}
	var all []connector.Mention
	for _, media := range feed.Data {
		if media.Comments == nil {
			continue
		}
		for _, cm := range media.Comments.Data {
			if strings.EqualFold(cm.Username, cr.Username) {
				continue
			}
			t, _ := graphTime(cm.Timestamp)
			if t.Unix() < after || (t.Unix() == after && slices.Contains(seen, cm.ID)) {
				continue
			}
			m := connector.Mention{RemoteID: cm.ID, Text: cm.Text, ReplyTo: media.ID, CreatedAt: t,
				AuthorHandle: "@" + cm.Username, Meta: map[string]string{"media_id": media.ID}}
			if cm.From != nil {
				m.AuthorID = cm.From.ID
			}
			all = append(all, m)
		}
	}
	if len(all) == 0 {
		return nil, "", nil
	}
	slices.SortStableFunc(all, func(a, b connector.Mention) int { return a.CreatedAt.Compare(b.CreatedAt) })
	last := all[len(all)-1].CreatedAt.Unix()
	var ids []string
	if last == after {
		ids = append(ids, seen...)
	}
	for _, m := range all {
		if m.CreatedAt.Unix() == last {
			ids = append(ids, m.RemoteID)
		}
	}
	return all, strconv.FormatInt(last, 10) + "|" + strings.Join(ids, ","), nil
}

func parseCursor(s string) (int64, []string) {
	t, ids, _ := strings.Cut(s, "|")
	n, err := strconv.ParseInt(t, 10, 64)
	if err != nil {
		return 0, nil
	}
	if ids == "" {
		return n, nil
	}
	return n, strings.Split(ids, ",")
}
