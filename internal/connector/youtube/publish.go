package youtube

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	yt "google.golang.org/api/youtube/v3"

	"github.com/heraldsocial/herald/internal/connector"
	"github.com/heraldsocial/herald/internal/herald"
)

// Checkpoint keys: the resumable upload session's address and the video's
// size in bytes.
const (
	checkpointSession = "upload_session"
	checkpointSize    = "upload_size"
)

// WatchURL is where people see a video.
func WatchURL(id string) string { return "https://www.youtube.com/watch?v=" + url.QueryEscape(id) }

// Publish uploads the part's video with its title, description and
// options, then sets the thumbnail (a second media item that is an image).
// A part marked Comment is the first comment (commentThreads.insert).
//
// The upload follows YouTube's resumable protocol: the session is started
// (nothing is published yet), its address is saved with Part.Save, and the
// video is sent in chunks. An attempt that finds a saved session asks
// YouTube how far it got and resumes there; a session YouTube no longer
// knows (404, 410) is started over, which is safe because a video exists
// only once its last byte arrived, and that is answered with the video.
func (c *Connector) Publish(ctx context.Context, acct connector.Account, p connector.Part) (herald.RemoteRef, error) {
	cr, err := creds(acct)
	if err != nil {
		return herald.RemoteRef{}, err
	}
	if p.Comment {
		return c.firstComment(ctx, cr, p)
	}
	if p.Checkpoint[checkpointSession] == "" {
		// A resumed upload was checked when it started (a schedule may
		// have passed since).
		if probs := c.problems(p); len(probs) > 0 {
			return herald.RemoteRef{}, invalid("the video cannot be published: %s %s", probs[0].Field, probs[0].Problem)
		}
	} else if len(p.Media) == 0 {
		return herald.RemoteRef{}, invalid("the video cannot be published: it has no video")
	}
	video := p.Media[0]
	var v *yt.Video
	session, offset := "", int64(0)
	if s := p.Checkpoint[checkpointSession]; s != "" && p.Checkpoint[checkpointSize] == strconv.FormatInt(video.Asset.Size, 10) {
		st, err := c.sessionStatus(ctx, cr, s, video.Asset.Size)
		if err != nil {
			return herald.RemoteRef{}, err
		}
		switch {
		case st.video != nil:
			v = st.video
		case !st.expired:
			session, offset = s, st.offset
		}
	}
	if v == nil && session == "" {
		if session, err = c.startUpload(ctx, cr, p); err != nil {
			return herald.RemoteRef{}, err
		}
		if p.Save != nil {
			if err := p.Save(ctx, map[string]string{checkpointSession: session,
				checkpointSize: strconv.FormatInt(video.Asset.Size, 10)}); err != nil {
				return herald.RemoteRef{}, err
			}
		}
	}
	if v == nil {
		if v, err = c.upload(ctx, cr, session, video, offset); err != nil {
			return herald.RemoteRef{}, err
		}
	}
	if len(p.Media) > 1 {
		c.thumbnail(ctx, cr, v.Id, p.Media[1])
	}
	return herald.RemoteRef{ID: v.Id, URL: WatchURL(v.Id)}, nil
}

// resource is the video resource the upload starts with.
func resource(p connector.Part) *yt.Video {
	o := p.Options
	v := &yt.Video{
		Snippet: &yt.VideoSnippet{Title: strings.TrimSpace(o[OptionTitle]), Description: p.Text,
			CategoryId: o[OptionCategory], Tags: splitTags(o[OptionTags])},
		Status: &yt.VideoStatus{PrivacyStatus: privacy(o), SelfDeclaredMadeForKids: o[OptionMadeForKids] == "true",
			ForceSendFields: []string{"SelfDeclaredMadeForKids"}},
	}
	if at := strings.TrimSpace(o[OptionPublishAt]); at != "" {
		v.Status.PublishAt = at
	}
	return v
}

// privacy is the privacy option, "private" for a scheduled video and
// "public" when not chosen.
func privacy(o map[string]string) string {
	switch {
	case o[OptionPrivacy] != "":
		return o[OptionPrivacy]
	case strings.TrimSpace(o[OptionPublishAt]) != "":
		return "private"
	}
	return "public"
}

// startUpload starts a resumable upload session (videos.insert,
// uploadType=resumable) and returns its address. The session holds no
// video until its last byte arrives, so a lost answer is merely repeated.
func (c *Connector) startUpload(ctx context.Context, cr Credentials, p connector.Part) (string, error) {
	body, err := json.Marshal(resource(p))
	if err != nil {
		return "", fmt.Errorf("youtube: encode the video resource: %w", err)
	}
	q := url.Values{"uploadType": {"resumable"}, "part": {"snippet,status"}}
	if v, ok := p.Options[OptionNotify]; ok && v != "true" {
		// The checkbox was shown and left unticked ("" or "false");
		// without the option YouTube's default (notify) stands.
		q.Set("notifySubscribers", "false")
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, c.baseURL+"/upload/youtube/v3/videos?"+q.Encode(), bytes.NewReader(body))
	if err != nil {
		return "", fmt.Errorf("youtube: build the upload request: %w", err)
	}
	a := p.Media[0].Asset
	req.Header.Set("Content-Type", "application/json; charset=UTF-8")
	req.Header.Set("X-Upload-Content-Length", strconv.FormatInt(a.Size, 10))
	req.Header.Set("X-Upload-Content-Type", a.ContentType)
	req.Header.Set("Authorization", "Bearer "+cr.AccessToken)
	res, err := connector.Do(c.client, req, 0)
	if err != nil {
		return "", fmt.Errorf("youtube: start the upload: %w", connector.Repeatable(err))
	}
	if e := c.classify(res.Status, res.Header, res.Body); e != nil {
		return "", fmt.Errorf("youtube: start the upload: %w", e)
	}
	loc := res.Header.Get("Location")
	if u, err := url.Parse(loc); err != nil || !u.IsAbs() {
		return "", fmt.Errorf("youtube: start the upload: %w", &connector.Error{Class: connector.Transient, Status: res.Status,
			Message: "YouTube started no upload session (no Location in its answer)"})
	}
	return loc, nil
}

// status is what YouTube says of an upload session.
type status struct {
	video   *yt.Video // the upload is complete
	offset  int64     // bytes YouTube holds
	expired bool      // the session is gone: start over
}

// sessionStatus asks YouTube how far an upload got (PUT with
// Content-Range: bytes */size and no body): 308 with Range says how many
// bytes it holds, 200 or 201 answers the finished video, 404 or 410 says
// the session expired.
func (c *Connector) sessionStatus(ctx context.Context, cr Credentials, session string, size int64) (status, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodPut, session, http.NoBody)
	if err != nil {
		return status{}, fmt.Errorf("youtube: build the upload status request: %w", err)
	}
	req.Header.Set("Authorization", "Bearer "+cr.AccessToken)
	req.Header.Set("Content-Range", fmt.Sprintf("bytes */%d", size))
	res, err := connector.Do(c.noRedirect(), req, 0)
	if err != nil {
		return status{}, fmt.Errorf("youtube: upload status: %w", err)
	}
	return c.uploadAnswer(res, "upload status", false)
}

// uploadAnswer reads an answer of the upload session.
func (c *Connector) uploadAnswer(res *connector.Response, what string, last bool) (status, error) {
	switch res.Status {
	case http.StatusOK, http.StatusCreated:
		var v yt.Video
		if err := json.Unmarshal(res.Body, &v); err != nil || v.Id == "" {
			class := connector.Transient
			if last {
				class = connector.Ambiguous
			}
			return status{}, fmt.Errorf("youtube: %s: %w", what, &connector.Error{Class: class, Status: res.Status,
				Message: "YouTube finished the upload but its answer names no video", Err: err})
		}
		return status{video: &v}, nil
	case http.StatusPermanentRedirect:
		return status{offset: rangeEnd(res.Header.Get("Range"))}, nil
	case http.StatusNotFound, http.StatusGone:
		return status{expired: true}, nil
	}
	e := c.classify(res.Status, res.Header, res.Body)
	if e == nil {
		e = &connector.Error{Class: connector.Transient, Status: res.Status, Message: fmt.Sprintf("YouTube answered HTTP %d to an upload", res.Status)}
	}
	if last && e.Class == connector.Transient {
		// The last chunk may have completed the video before the error.
		e.Class = connector.Ambiguous
		e.Message += "; the video may have been made (the saved upload session tells)"
	}
	return status{}, fmt.Errorf("youtube: %s: %w", what, e)
}

// rangeEnd is the byte count a Range header (bytes=0-N) says YouTube
// holds: N+1, 0 when there is none.
func rangeEnd(h string) int64 {
	_, end, ok := strings.Cut(strings.TrimPrefix(h, "bytes="), "-")
	if !ok {
		return 0
	}
	n, err := strconv.ParseInt(end, 10, 64)
	if err != nil {
		return 0
	}
	return n + 1
}

// noRedirect is the client that hands 308 (Resume Incomplete) back instead
// of following it.
func (c *Connector) noRedirect() *http.Client {
	cl := *c.client
	cl.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	return &cl
}

// maxStalls is how many times in a row YouTube may keep none of a chunk
// before the upload stops (to go on at a later attempt).
const maxStalls = 3

// upload sends the video from offset until YouTube answers the finished
// video, going on from the offset YouTube says it holds whenever that is
// not where the last chunk ended.
func (c *Connector) upload(ctx context.Context, cr Credentials, session string, m connector.Media, offset int64) (*yt.Video, error) {
	for stalls := 0; ; {
		v, next, err := c.send(ctx, cr, session, m, offset)
		if err != nil || v != nil {
			return v, err
		}
		if next <= offset {
			if stalls++; stalls >= maxStalls {
				return nil, &connector.Error{Class: connector.Transient,
					Message: fmt.Sprintf("YouTube keeps no more than %d bytes of the video; the upload goes on at the next attempt", next)}
			}
		} else {
			stalls = 0
		}
		offset = next
	}
}

// send reads the video from offset and sends it in chunks; it returns the
// video, or the offset YouTube holds when that is not where a chunk ended
// (the file, which cannot seek back, is then opened again).
func (c *Connector) send(ctx context.Context, cr Credentials, session string, m connector.Media, offset int64) (*yt.Video, int64, error) {
	size := m.Asset.Size
	f, err := m.Open(ctx)
	if err != nil {
		return nil, 0, fmt.Errorf("youtube: open the video: %w", err)
	}
	defer f.Close()
	if _, err := io.CopyN(io.Discard, f, offset); err != nil {
		return nil, 0, fmt.Errorf("youtube: skip the %d bytes YouTube holds: %w", offset, err)
	}
	cl := c.noRedirect()
	for at := offset; ; {
		n := min(c.chunk, size-at)
		buf := make([]byte, n)
		if _, err := io.ReadFull(f, buf); err != nil {
			return nil, 0, &connector.Error{Class: connector.Invalid,
				Message: fmt.Sprintf("the video file is shorter than its recorded %d bytes", size), Err: err}
		}
		req, err := http.NewRequestWithContext(ctx, http.MethodPut, session, bytes.NewReader(buf))
		if err != nil {
			return nil, 0, fmt.Errorf("youtube: build the upload request: %w", err)
		}
		req.ContentLength = n
		req.Header.Set("Authorization", "Bearer "+cr.AccessToken)
		req.Header.Set("Content-Range", fmt.Sprintf("bytes %d-%d/%d", at, at+n-1, size))
		last := at+n == size
		res, err := connector.Do(cl, req, 0)
		if err != nil {
			if last && connector.ClassOf(err) == connector.Transient && statusOf(err) == 0 {
				// Whether or not the bytes left, the saved session tells
				// at once; a guess the other way could publish twice.
				err = &connector.Error{Class: connector.Ambiguous,
					Message: "no answer came to the video's last bytes; the video may exist (the saved upload session tells)", Err: err}
			}
			return nil, 0, fmt.Errorf("youtube: upload bytes %d-%d: %w", at, at+n-1, err)
		}
		st, err := c.uploadAnswer(res, fmt.Sprintf("upload bytes %d-%d", at, at+n-1), last)
		switch {
		case err != nil:
			return nil, 0, err
		case st.video != nil:
			return st.video, 0, nil
		case st.expired:
			return nil, 0, &connector.Error{Class: connector.Transient, Status: res.Status,
				Message: "YouTube's upload session expired; the next attempt starts the upload over"}
		case st.offset == size:
			return nil, 0, &connector.Error{Class: connector.Ambiguous, Status: res.Status,
				Message: "YouTube took every byte but answered no video; the saved upload session tells whether it exists"}
		case st.offset > size:
			return nil, 0, &connector.Error{Class: connector.Transient, Status: res.Status,
				Message: fmt.Sprintf("YouTube says it holds %d bytes of a %d-byte video", st.offset, size)}
		case st.offset != at+n:
			return nil, st.offset, nil
		}
		at = st.offset
	}
}

// thumbnail sets the video's thumbnail (thumbnails.set). It needs a
// verified channel (a 403 otherwise); a refusal does not undo the published
// video, so it is logged as a warning and the publish succeeds.
func (c *Connector) thumbnail(ctx context.Context, cr Credentials, videoID string, m connector.Media) {
	err := func() error {
		svc, err := c.service(ctx, cr)
		if err != nil {
			return err
		}
		f, err := m.Open(ctx)
		if err != nil {
			return fmt.Errorf("open the thumbnail: %w", err)
		}
		defer f.Close()
		_, err = svc.Thumbnails.Set(videoID).Media(f).Context(ctx).Do()
		return c.apiErr("thumbnails.set", err, false)
	}()
	if err == nil {
		return
	}
	hint := ""
	if statusOf(err) == http.StatusForbidden {
		hint = "custom thumbnails need a verified channel (https://www.youtube.com/verify)"
	}
	c.log.WarnContext(ctx, "youtube: the video is published but its thumbnail was not set", "video", videoID, "hint", hint, "err", err)
}

// firstComment posts the first comment under the video
// (commentThreads.insert).
func (c *Connector) firstComment(ctx context.Context, cr Credentials, p connector.Part) (herald.RemoteRef, error) {
	to := p.ReplyTo
	if p.Root != nil {
		to = p.Root
	}
	if to == nil || to.ID == "" {
		return herald.RemoteRef{}, invalid("the first comment has no video to answer")
	}
	if strings.TrimSpace(p.Text) == "" {
		return herald.RemoteRef{}, invalid("the first comment is empty")
	}
	svc, err := c.service(ctx, cr)
	if err != nil {
		return herald.RemoteRef{}, err
	}
	th, err := svc.CommentThreads.Insert([]string{"snippet"}, &yt.CommentThread{Snippet: &yt.CommentThreadSnippet{
		VideoId: to.ID, TopLevelComment: &yt.Comment{Snippet: &yt.CommentSnippet{TextOriginal: p.Text}}}}).Context(ctx).Do()
	if err != nil {
		return herald.RemoteRef{}, c.apiErr("commentThreads.insert", err, true)
	}
	id := th.Id
	if th.Snippet != nil && th.Snippet.TopLevelComment != nil && th.Snippet.TopLevelComment.Id != "" {
		id = th.Snippet.TopLevelComment.Id
	}
	return herald.RemoteRef{ID: id, URL: WatchURL(to.ID) + "&lc=" + url.QueryEscape(id),
		Meta: map[string]string{"video": to.ID, "thread": th.Id}}, nil
}

// Find settles an ambiguous publish from the saved upload session: a
// finished session answers the video; an unfinished or expired one means
// no video exists (YouTube makes it only when the last byte arrives, and
// the session is saved before any byte is sent), so there is nothing to
// look up. A first comment is looked up among the video's comments by
// the channel with the same text.
func (c *Connector) Find(ctx context.Context, acct connector.Account, p connector.Part) (herald.RemoteRef, bool, error) {
	cr, err := creds(acct)
	if err != nil {
		return herald.RemoteRef{}, false, err
	}
	if p.Comment {
		return c.findComment(ctx, cr, p)
	}
	session := p.Checkpoint[checkpointSession]
	size, err := strconv.ParseInt(p.Checkpoint[checkpointSize], 10, 64)
	if session == "" || err != nil {
		return herald.RemoteRef{}, false, nil
	}
	st, err := c.sessionStatus(ctx, cr, session, size)
	if err != nil || st.video == nil {
		return herald.RemoteRef{}, false, err
	}
	return herald.RemoteRef{ID: st.video.Id, URL: WatchURL(st.video.Id)}, true, nil
}

// findComment looks for the first comment among the video's newest
// comment threads.
func (c *Connector) findComment(ctx context.Context, cr Credentials, p connector.Part) (herald.RemoteRef, bool, error) {
	to := p.ReplyTo
	if p.Root != nil {
		to = p.Root
	}
	if to == nil || to.ID == "" {
		return herald.RemoteRef{}, false, nil
	}
	svc, err := c.service(ctx, cr)
	if err != nil {
		return herald.RemoteRef{}, false, err
	}
	res, err := svc.CommentThreads.List([]string{"snippet"}).VideoId(to.ID).Order("time").MaxResults(100).
		TextFormat("plainText").Context(ctx).Do()
	if err != nil {
		return herald.RemoteRef{}, false, c.apiErr("commentThreads.list", err, false)
	}
	for _, th := range res.Items {
		if th.Snippet == nil || th.Snippet.TopLevelComment == nil || th.Snippet.TopLevelComment.Snippet == nil {
			continue
		}
		cm := th.Snippet.TopLevelComment
		if author(cm.Snippet) == cr.ChannelID && strings.TrimSpace(cm.Snippet.TextOriginal) == strings.TrimSpace(p.Text) {
			return herald.RemoteRef{ID: cm.Id, URL: WatchURL(to.ID) + "&lc=" + url.QueryEscape(cm.Id),
				Meta: map[string]string{"video": to.ID, "thread": th.Id}}, true, nil
		}
	}
	return herald.RemoteRef{}, false, nil
}

func author(s *yt.CommentSnippet) string {
	if s == nil || s.AuthorChannelId == nil {
		return ""
	}
	return s.AuthorChannelId.Value
}

// Delete removes a video (videos.delete); one already gone is deleted as
// asked.
func (c *Connector) Delete(ctx context.Context, acct connector.Account, ref herald.RemoteRef) error {
	cr, err := creds(acct)
	if err != nil {
		return err
	}
	svc, err := c.service(ctx, cr)
	if err != nil {
		return err
	}
	if ref.Meta["thread"] != "" {
		err = svc.Comments.Delete(ref.ID).Context(ctx).Do()
	} else {
		err = svc.Videos.Delete(ref.ID).Context(ctx).Do()
	}
	if err != nil {
		if e := c.apiErr("delete", err, false); statusOf(e) == http.StatusNotFound {
			return nil
		} else {
			return e
		}
	}
	return nil
}
