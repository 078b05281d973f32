package mastodon

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"strings"
	"unicode"

	"github.com/heraldsocial/herald/internal/connector/mastodon"
)

// Capability is whether an instance offers one way of listening.
type Capability struct {
	// Supported is true when the probe saw it work.
	Supported bool
	// Known is false when the probe could not tell (the server failed, or
	// there was nothing to probe with).
	Known bool
	// Note is one line for people: what this source can or cannot see.
	Note string
}

// Capabilities is what an instance lets this source see, as the UI shows
// it ("what this source can and cannot see").
type Capabilities struct {
	HashtagTimeline Capability // GET /api/v1/timelines/tag/:hashtag
	Streaming       Capability // GET /api/v1/streaming/hashtag (server-sent events)
	StatusSearch    Capability // GET /api/v2/search?type=statuses by words
}

// Capabilities probes the instance: it reads one status of the hashtag
// timeline, opens and closes the hashtag stream, and searches for words
// of the status it read (a server without full-text search finds none).
// It fails only when ctx ends; what it cannot tell is Known false.
func (s *Source) Capabilities(ctx context.Context) (Capabilities, error) {
	var c Capabilities
	var newest []status
	_, err := s.get(ctx, s.base+"/api/v1/timelines/tag/"+url.PathEscape(s.cfg.Tag)+"?limit=1", &newest)
	switch {
	case ctx.Err() != nil:
		return c, ctx.Err()
	case err == nil:
		c.HashtagTimeline = Capability{Supported: true, Known: true,
			Note: "Public posts with #" + s.cfg.Tag + " that this server knows of: its own accounts' and those federated to it."}
	case statusOf(err) == 401 || statusOf(err) == 403:
		c.HashtagTimeline = Capability{Known: true, Note: "The server shows its hashtag timelines only to signed-in accounts: connect an account on it."}
	case statusOf(err) == 404:
		c.HashtagTimeline = Capability{Known: true, Note: "The server has no hashtag timeline."}
	default:
		c.HashtagTimeline = Capability{Note: "Could not tell whether the hashtag timeline works: " + err.Error()}
	}

	c.Streaming = s.probeStream(ctx)
	if ctx.Err() != nil {
		return c, ctx.Err()
	}

	switch {
	case s.cfg.Token == "":
		c.StatusSearch = Capability{Known: true, Note: "Searching posts by their words needs a connected account."}
	case len(newest) == 0:
		c.StatusSearch = Capability{Note: "Could not tell whether the server searches posts by their words: no post with #" + s.cfg.Tag + " to try it with."}
	default:
		c.StatusSearch = s.probeSearch(ctx, newest[0])
	}
	return c, ctx.Err()
}

// probeStream opens the hashtag stream and closes it at once.
func (s *Source) probeStream(ctx context.Context) Capability {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	body, err := s.openStream(ctx)
	switch {
	case err == nil:
		body.Close()
		return Capability{Supported: true, Known: true, Note: "New posts arrive live, over the streaming API."}
	case errors.Is(err, errNoStream) && s.cfg.Token == "" && strings.HasPrefix(err.Error(), "HTTP 401"):
		return Capability{Known: true, Note: "The server streams hashtags only to signed-in accounts: new posts are polled every minute."}
	case errors.Is(err, errNoStream):
		return Capability{Known: true, Note: "The server offers no hashtag stream Herald can read (GoToSocial streams only over WebSocket): new posts are polled every minute."}
	case statusOf(err) == 401 || statusOf(err) == 403:
		return Capability{Known: true, Note: "The server refused the account's token for streaming: " + err.Error()}
	}
	return Capability{Note: "Could not tell whether live streaming works: " + err.Error()}
}

// probeSearch searches for the longest words of st and reports whether
// anything came back.
func (s *Source) probeSearch(ctx context.Context, st status) Capability {
	words := strings.FieldsFunc(mastodon.HTMLText(st.Content), func(r rune) bool { return !unicode.IsLetter(r) && !unicode.IsDigit(r) })
	var pick []string
	for _, w := range words {
		if len([]rune(w)) >= 4 && !strings.EqualFold(w, s.cfg.Tag) && len(pick) < 3 {
			pick = append(pick, w)
		}
	}
	if len(pick) == 0 {
		pick = []string{s.cfg.Tag}
	}
	found, err := s.Search(ctx, strings.Join(pick, " "), 5)
	switch {
	case err != nil:
		return Capability{Note: "Could not tell whether the server searches posts by their words: " + err.Error()}
	case len(found) > 0:
		return Capability{Supported: true, Known: true,
			Note: "Posts can be searched by their words: the public posts of accounts that allow it, and posts the account interacted with."}
	}
	return Capability{Known: true, Note: fmt.Sprintf("The server found no post by the words %q of a post it shows: it has no full-text search, so only hashtags can be followed.", strings.Join(pick, " "))}
}
