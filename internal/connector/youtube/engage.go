package youtube

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"sort"
	"strconv"
	"strings"
	"time"

	yt "google.golang.org/api/youtube/v3"

	"github.com/heraldsocial/herald/internal/connector"
	"github.com/heraldsocial/herald/internal/herald"
)

// inboxPages is how many pages of comment threads (100 each) one inbox
// read goes through at most.
const inboxPages = 5

// Metrics reads videos' counts (videos.list part=statistics, 50 ids a
// call): views are impressions, likes likes, comments replies. YouTube
// has no reposts or quotes (-1). The answer is read as JSON here rather
// than through the client library, whose types cannot tell a count
// YouTube left out (a hidden like count, comments turned off: -1) from 0.
func (c *Connector) Metrics(ctx context.Context, acct connector.Account, refs []herald.RemoteRef) (map[string]connector.Metrics, error) {
	cr, err := creds(acct)
	if err != nil {
		return nil, err
	}
	cl := c.authed(cr)
	out := map[string]connector.Metrics{}
	for start := 0; start < len(refs); start += 50 {
		var ids []string
		for _, r := range refs[start:min(start+50, len(refs))] {
			ids = append(ids, r.ID)
		}
		q := url.Values{"part": {"statistics"}, "id": {strings.Join(ids, ",")}}
		req, err := http.NewRequestWithContext(ctx, http.MethodGet, c.baseURL+"/youtube/v3/videos?"+q.Encode(), nil)
		if err != nil {
			return nil, fmt.Errorf("youtube: build videos.list: %w", err)
		}
		res, err := connector.Do(cl, req, 0)
		if err != nil {
			return nil, fmt.Errorf("youtube: videos.list: %w", err)
		}
		if e := c.classify(res.Status, res.Header, res.Body); e != nil {
			return nil, fmt.Errorf("youtube: videos.list: %w", e)
		}
		var list struct {
			Items []struct {
				ID         string            `json:"id"`
				Statistics map[string]string `json:"statistics"`
			} `json:"items"`
		}
		if err := json.Unmarshal(res.Body, &list); err != nil {
			return nil, fmt.Errorf("youtube: videos.list: %w", &connector.Error{Class: connector.Transient, Status: res.Status,
				Message: "YouTube's answer is not the expected JSON", Err: err})
		}
		for _, v := range list.Items {
			st := v.Statistics
			out[v.ID] = connector.Metrics{Impressions: statistic(st, "viewCount"), Likes: statistic(st, "likeCount"),
				Replies: statistic(st, "commentCount"), Reposts: -1, Quotes: -1, At: c.now()}
		}
	}
	return out, nil
}

// statistic is one of a video's counts (YouTube sends them as strings),
// -1 when it is left out.
func statistic(st map[string]string, name string) int64 {
	n, err := strconv.ParseInt(st[name], 10, 64)
	if err != nil {
		return -1
	}
	return n
}

// Mentions reads the comments on the channel's videos since the cursor:
// comment threads (commentThreads.list allThreadsRelatedToChannelId,
// newest first, page by page until a page is all older than the cursor)
// and their replies (comments.list parentId), oldest first, leaving out
// the channel's own. The cursor is the newest comment's publishedAt and
// the ids published at that second.
func (c *Connector) Mentions(ctx context.Context, acct connector.Account, cursor string) ([]connector.Mention, string, error) {
	cr, err := creds(acct)
	if err != nil {
		return nil, "", err
	}
	if cr.ChannelID == "" {
		return nil, "", &connector.Error{Class: connector.AuthRevoked, Message: "the account's channel is not known; reconnect the account"}
	}
	svc, err := c.service(ctx, cr)
	if err != nil {
		return nil, "", err
	}
	after, seen := parseCursor(cursor)
	var out []connector.Mention
	fresh := func(cm *yt.Comment) bool {
		if cm == nil || cm.Snippet == nil || author(cm.Snippet) == cr.ChannelID || seen[cm.Id] {
			return false
		}
		t, err := time.Parse(time.RFC3339, cm.Snippet.PublishedAt)
		return err == nil && !t.Before(after)
	}
	page := ""
	for range inboxPages {
		call := svc.CommentThreads.List([]string{"snippet", "replies"}).AllThreadsRelatedToChannelId(cr.ChannelID).
			Order("time").MaxResults(100).TextFormat("plainText").Context(ctx)
		if page != "" {
			call = call.PageToken(page)
		}
		res, err := call.Do()
		if err != nil {
			return nil, "", c.apiErr("commentThreads.list", err, false)
		}
		older := 0
		for _, th := range res.Items {
			if th.Snippet == nil || th.Snippet.TopLevelComment == nil {
				continue
			}
			top := th.Snippet.TopLevelComment
			video := th.Snippet.VideoId
			if fresh(top) {
				out = append(out, mention(top, video, video, th.Id))
			} else if top.Snippet != nil {
				if t, err := time.Parse(time.RFC3339, top.Snippet.PublishedAt); err == nil && t.Before(after) {
					older++
				}
			}
			if th.Snippet.TotalReplyCount == 0 {
				continue
			}
			replies, err := c.replies(ctx, svc, th)
			if err != nil {
				return nil, "", err
			}
			for _, r := range replies {
				if fresh(r) {
					out = append(out, mention(r, video, top.Id, th.Id))
				}
			}
		}
		if res.NextPageToken == "" || (len(res.Items) > 0 && older == len(res.Items) && !after.IsZero()) {
			break
		}
		page = res.NextPageToken
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].CreatedAt.Before(out[j].CreatedAt) })
	if len(out) == 0 {
		return nil, "", nil
	}
	return out, nextCursor(out, after, seen), nil
}

// replies returns a thread's replies: those the thread carries when it
// has them all, else every page of comments.list parentId.
func (c *Connector) replies(ctx context.Context, svc *yt.Service, th *yt.CommentThread) ([]*yt.Comment, error) {
	if th.Replies != nil && int64(len(th.Replies.Comments)) >= th.Snippet.TotalReplyCount {
		return th.Replies.Comments, nil
	}
	var out []*yt.Comment
	page := ""
	for range 20 {
		call := svc.Comments.List([]string{"snippet"}).ParentId(th.Snippet.TopLevelComment.Id).MaxResults(100).
			TextFormat("plainText").Context(ctx)
		if page != "" {
			call = call.PageToken(page)
		}
		res, err := call.Do()
		if err != nil {
			return nil, c.apiErr("comments.list", err, false)
		}
		out = append(out, res.Items...)
		if page = res.NextPageToken; page == "" {
			break
		}
	}
	return out, nil
}

func mention(cm *yt.Comment, video, replyTo, thread string) connector.Mention {
	s := cm.Snippet
	t, _ := time.Parse(time.RFC3339, s.PublishedAt)
	text := s.TextOriginal
	if text == "" {
		text = s.TextDisplay
	}
	return connector.Mention{RemoteID: cm.Id, URL: WatchURL(video) + "&lc=" + url.QueryEscape(cm.Id),
		AuthorID: author(s), AuthorHandle: s.AuthorDisplayName, AuthorName: strings.TrimPrefix(s.AuthorDisplayName, "@"),
		Text: text, ReplyTo: replyTo, CreatedAt: t, Meta: map[string]string{"video": video, "thread": thread}}
}

// parseCursor reads "2026-01-02T03:04:05Z id1,id2".
func parseCursor(cursor string) (time.Time, map[string]bool) {
	seen := map[string]bool{}
	ts, ids, _ := strings.Cut(cursor, " ")
	t, err := time.Parse(time.RFC3339, ts)
	if err != nil {
		return time.Time{}, seen
	}
	for _, id := range strings.Split(ids, ",") {
		if id != "" {
			seen[id] = true
		}
	}
	return t, seen
}

// nextCursor is the newest publishedAt with every id published then
// (YouTube's times have whole seconds).
func nextCursor(ms []connector.Mention, after time.Time, seen map[string]bool) string {
	newest := ms[len(ms)-1].CreatedAt
	var ids []string
	if newest.Equal(after) {
		for id := range seen {
			ids = append(ids, id)
		}
	}
	for _, m := range ms {
		if m.CreatedAt.Equal(newest) {
			ids = append(ids, m.RemoteID)
		}
	}
	sort.Strings(ids)
	return newest.UTC().Format(time.RFC3339) + " " + strings.Join(ids, ",")
}

// Reply answers a comment (comments.insert with parentId). YouTube nests
// one level: an answer to a reply goes to its thread's top-level comment.
func (c *Connector) Reply(ctx context.Context, acct connector.Account, to herald.RemoteRef, p connector.Part) (herald.RemoteRef, error) {
	cr, err := creds(acct)
	if err != nil {
		return herald.RemoteRef{}, err
	}
	if strings.TrimSpace(p.Text) == "" {
		return herald.RemoteRef{}, invalid("the reply is empty")
	}
	parent := to.ID
	if t := to.Meta["thread"]; t != "" {
		parent = t
	}
	svc, err := c.service(ctx, cr)
	if err != nil {
		return herald.RemoteRef{}, err
	}
	cm, err := svc.Comments.Insert([]string{"snippet"}, &yt.Comment{Snippet: &yt.CommentSnippet{ParentId: parent,
		TextOriginal: p.Text}}).Context(ctx).Do()
	if err != nil {
		return herald.RemoteRef{}, c.apiErr("comments.insert", err, true)
	}
	ref := herald.RemoteRef{ID: cm.Id, Meta: map[string]string{"thread": parent}}
	if v := to.Meta["video"]; v != "" {
		ref.URL = WatchURL(v) + "&lc=" + url.QueryEscape(cm.Id)
		ref.Meta["video"] = v
	}
	return ref, nil
}
