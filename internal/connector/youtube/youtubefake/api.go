package youtubefake

import (
	"fmt"
	"io"
	"mime"
	"mime/multipart"
	"net/http"
	"sort"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"
)

var (
	read    = []string{ScopeReadonly, ScopeForceSSL, ScopeYouTube}
	upload  = []string{ScopeUpload, ScopeForceSSL, ScopeYouTube}
	manage  = []string{ScopeForceSSL, ScopeYouTube}
	regions = map[string][][3]string{ // id, title, assignable
		"GB": {{"1", "Film & Animation", "true"}, {"10", "Music", "true"}, {"18", "Short Movies", "false"},
			{"22", "People & Blogs", "true"}, {"27", "Education", "true"}, {"28", "Science & Technology", "true"}},
		"US": {{"1", "Film & Animation", "true"}, {"22", "People & Blogs", "true"}, {"28", "Science & Technology", "true"}},
	}
)

func (s *Server) routes() {
	s.mux.HandleFunc("GET /o/oauth2/v2/auth", s.authorize)
	s.mux.HandleFunc("POST /token", s.token)
	s.api("GET /youtube/v3/channels", "channels", "list", "Channel", read, s.channels)
	s.api("GET /youtube/v3/videoCategories", "videoCategories", "list", "VideoCategory", read, s.videoCategories)
	s.api("POST /upload/youtube/v3/videos", "videos", "insert", "Video", upload, s.startUpload)
	s.mux.HandleFunc("PUT /upload/youtube/v3/videos", s.uploadChunk)
	s.api("GET /youtube/v3/videos", "videos", "list", "Video", read, s.listVideos)
	s.api("DELETE /youtube/v3/videos", "videos", "delete", "Video", manage, s.deleteVideo)
	s.api("POST /upload/youtube/v3/thumbnails/set", "thumbnails", "set", "", upload, s.setThumbnail)
	s.api("GET /youtube/v3/commentThreads", "commentThreads", "list", "CommentThread", manage, s.listThreads)
	s.api("POST /youtube/v3/commentThreads", "commentThreads", "insert", "CommentThread", manage, s.insertThread)
	s.api("GET /youtube/v3/comments", "comments", "list", "Comment", manage, s.listComments)
	s.api("POST /youtube/v3/comments", "comments", "insert", "Comment", manage, s.insertComment)
	s.api("DELETE /youtube/v3/comments", "comments", "delete", "Comment", manage, s.deleteComment)
}

func rfc3339(t time.Time) string { return t.UTC().Format(time.RFC3339) }

func thumbs(url string) map[string]any {
	return map[string]any{"default": map[string]any{"url": url, "width": 88, "height": 88}}
}

func (s *Server) channels(w http.ResponseWriter, r *http.Request, _ map[string]any) {
	if r.URL.Query().Get("mine") != "true" {
		apiError(w, http.StatusBadRequest, "missingRequiredParameter", "No filter selected. Expected one of: mine, id, forHandle, …")
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	items := []any{}
	if !s.noChannel {
		items = append(items, map[string]any{"kind": "youtube#channel", "etag": etag(s.channel), "id": s.channel,
			"snippet": map[string]any{"title": "Herald Channel", "description": "", "customUrl": s.handle,
				"publishedAt": "2020-01-01T00:00:00Z", "thumbnails": thumbs("https://yt3.ggpht.example/" + s.channel), "country": s.region},
			"contentDetails": map[string]any{"relatedPlaylists": map[string]any{"likes": "", "uploads": "UU" + s.channel[2:]}},
			"statistics": map[string]any{"viewCount": "0", "subscriberCount": "3", "hiddenSubscriberCount": false,
				"videoCount": strconv.Itoa(len(s.videos))}})
	}
	writeJSON(w, http.StatusOK, map[string]any{"kind": "youtube#channelListResponse", "etag": etag("channels"),
		"pageInfo": map[string]any{"totalResults": len(items), "resultsPerPage": 5}, "items": items})
}

func (s *Server) videoCategories(w http.ResponseWriter, r *http.Request, _ map[string]any) {
	items := []any{}
	for _, c := range regions[r.URL.Query().Get("regionCode")] {
		items = append(items, map[string]any{"kind": "youtube#videoCategory", "etag": etag(c[0]), "id": c[0],
			"snippet": map[string]any{"title": c[1], "assignable": c[2] == "true", "channelId": "UCBR8-60-B28hp2BmDPdntcQ"}})
	}
	writeJSON(w, http.StatusOK, map[string]any{"kind": "youtube#videoCategoryListResponse", "etag": etag("cats"), "items": items})
}

// metadataError is YouTube's verdict on a video resource, "" when it takes
// it (videos.insert's documented errors).
func (s *Server) metadataError(v map[string]any) (reason, msg string) {
	sn, _ := v["snippet"].(map[string]any)
	st, _ := v["status"].(map[string]any)
	title, _ := sn["title"].(string)
	desc, _ := sn["description"].(string)
	switch {
	case strings.TrimSpace(title) == "" || utf8.RuneCountInString(title) > 100 || strings.ContainsAny(title, "<>"):
		return "invalidTitle", "The request metadata specifies an invalid or empty video title."
	case len(desc) > 5000 || strings.ContainsAny(desc, "<>"):
		return "invalidDescription", "The request metadata specifies an invalid video description."
	}
	n := 0
	tags, _ := sn["tags"].([]any)
	for i, t := range tags {
		ts, _ := t.(string)
		n += utf8.RuneCountInString(ts)
		if strings.Contains(ts, " ") {
			n += 2
		}
		if i > 0 {
			n++
		}
	}
	if n > 500 {
		return "invalidTags", "The request metadata specifies invalid video keywords."
	}
	if cat, _ := sn["categoryId"].(string); cat != "" {
		ok := false
		for _, c := range regions[s.region] {
			ok = ok || (c[0] == cat && c[2] == "true")
		}
		if !ok {
			return "invalidCategoryId", "The snippet.categoryId property specifies an invalid category ID."
		}
	}
	if at, _ := st["publishAt"].(string); at != "" {
		t, err := time.Parse(time.RFC3339, at)
		if err != nil || st["privacyStatus"] != "private" || !t.After(s.now()) {
			return "invalidPublishAt", "The request metadata specifies an invalid scheduled publishing time."
		}
	}
	switch st["privacyStatus"] {
	case nil, "public", "unlisted", "private":
	default:
		return "invalidVideoMetadata", "The request metadata is invalid."
	}
	return "", ""
}

func (s *Server) startUpload(w http.ResponseWriter, r *http.Request, body map[string]any) {
	q := r.URL.Query()
	size, err := strconv.ParseInt(r.Header.Get("X-Upload-Content-Length"), 10, 64)
	switch {
	case q.Get("uploadType") != "resumable":
		apiError(w, http.StatusBadRequest, "badRequest", "uploadType=resumable is expected on this path")
		return
	case err != nil || size <= 0:
		apiError(w, http.StatusBadRequest, "badRequest", "X-Upload-Content-Length must give the video's size")
		return
	case size > 256<<30:
		apiError(w, http.StatusRequestEntityTooLarge, "uploadTooLarge", "Media is larger than 256 GB.")
		return
	case !strings.HasPrefix(r.Header.Get("X-Upload-Content-Type"), "video/") && r.Header.Get("X-Upload-Content-Type") != "application/octet-stream":
		apiError(w, http.StatusBadRequest, "badContent", "Media type '"+r.Header.Get("X-Upload-Content-Type")+"' is not supported.")
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if reason, msg := s.metadataError(body); reason != "" {
		apiError(w, http.StatusBadRequest, reason, msg)
		return
	}
	ss := &Session{ID: s.id("AD"), Video: body, Size: size, Notify: q.Get("notifySubscribers") != "false"}
	s.sessions[ss.ID] = ss
	scheme := "http"
	if r.TLS != nil {
		scheme = "https"
	}
	w.Header().Set("Location", scheme+"://"+r.Host+"/upload/youtube/v3/videos?uploadType=resumable&part="+q.Get("part")+"&upload_id="+ss.ID)
	w.WriteHeader(http.StatusOK)
}

// uploadChunk takes bytes for a session (Content-Range: bytes a-b/n), or
// answers its status (bytes */n).
func (s *Server) uploadChunk(w http.ResponseWriter, r *http.Request) {
	cr := r.Header.Get("Content-Range")
	routes := []string{"PUT /upload/youtube/v3/videos"}
	rng, total, _ := strings.Cut(strings.TrimPrefix(cr, "bytes "), "/")
	size, _ := strconv.ParseInt(total, 10, 64)
	var from, to int64 = -1, -1
	if a, b, ok := strings.Cut(rng, "-"); ok {
		from, _ = strconv.ParseInt(a, 10, 64)
		to, _ = strconv.ParseInt(b, 10, 64)
		routes = append(routes, RouteChunk)
		if to+1 == size {
			routes = append([]string{RouteFinalChunk}, routes...)
		}
	}
	f, faulted := s.takeFault(routes...)
	switch {
	case faulted && f.Cut:
		hangUp(w)
		return
	case faulted && !f.Drop:
		writeFault(w, f)
		return
	}
	data, err := io.ReadAll(r.Body)
	if err != nil {
		return
	}
	s.mu.Lock()
	ss, ok := s.sessions[r.URL.Query().Get("upload_id")]
	var video *Video
	status, got := 0, int64(0)
	switch {
	case !ok || ss.Expired:
		status = http.StatusNotFound
	case !strings.HasPrefix(cr, "bytes ") || size != ss.Size:
		status = http.StatusBadRequest
	case ss.Done != "":
		video, status = s.video(ss.Done), http.StatusOK
	case rng == "*":
		status, got = http.StatusPermanentRedirect, ss.Received
	case from != ss.Received || to < from || int64(len(data)) != to-from+1 || (to+1 != size && (to+1)%(256<<10) != 0):
		status = http.StatusBadRequest
	default:
		ss.Received = to + 1
		status, got = http.StatusPermanentRedirect, ss.Received
		if ss.Received == ss.Size {
			video, status = s.publish(ss), http.StatusOK
		}
	}
	var answer map[string]any
	if video != nil {
		answer = s.videoJSON(video, []string{"snippet", "status"})
	}
	s.mu.Unlock()
	if faulted && f.Drop {
		hangUp(w)
		return
	}
	switch status {
	case http.StatusNotFound:
		apiError(w, status, "notFound", "The upload session was not found or has expired.")
	case http.StatusBadRequest:
		apiError(w, status, "badRequest", "The Content-Range header, the chunk's length or its size (a multiple of 256 KiB) does not fit the session.")
	case http.StatusPermanentRedirect:
		if got > 0 {
			w.Header().Set("Range", fmt.Sprintf("bytes=0-%d", got-1))
		}
		w.Header().Set("Content-Length", "0")
		w.WriteHeader(status)
	default:
		if s.disc != nil {
			if m, ok := s.disc.method("videos", "insert"); ok {
				s.violate(s.disc.checkBody(m.ID+" response", m.Response, roundTrip(answer))...)
			}
		}
		writeJSON(w, status, answer)
	}
}

// publish makes the video of a finished session. Callers hold s.mu.
func (s *Server) publish(ss *Session) *Video {
	sn, _ := ss.Video["snippet"].(map[string]any)
	st, _ := ss.Video["status"].(map[string]any)
	str := func(m map[string]any, k string) string { v, _ := m[k].(string); return v }
	v := &Video{ID: s.id(""), Title: str(sn, "title"), Description: str(sn, "description"), CategoryID: str(sn, "categoryId"),
		Privacy: str(st, "privacyStatus"), PublishAt: str(st, "publishAt"), Size: ss.Size, PublishedAt: s.now().UTC(),
		Notified: ss.Notify}
	v.MadeForKids, _ = st["selfDeclaredMadeForKids"].(bool)
	if v.Privacy == "" {
		v.Privacy = "public"
	}
	tags, _ := sn["tags"].([]any)
	for _, t := range tags {
		if ts, ok := t.(string); ok {
			v.Tags = append(v.Tags, ts)
		}
	}
	s.videos = append(s.videos, v)
	ss.Done = v.ID
	return v
}

// video finds a live video. Callers hold s.mu.
func (s *Server) video(id string) *Video {
	for _, v := range s.videos {
		if v.ID == id && !v.Deleted {
			return v
		}
	}
	return nil
}

func (s *Server) videoJSON(v *Video, parts []string) map[string]any {
	j := map[string]any{"kind": "youtube#video", "etag": etag(v.ID, v.Views, v.Likes), "id": v.ID}
	for _, p := range parts {
		switch p {
		case "snippet":
			sn := map[string]any{"publishedAt": rfc3339(v.PublishedAt), "channelId": s.channel, "title": v.Title,
				"description": v.Description, "thumbnails": thumbs("https://i.ytimg.example/vi/" + v.ID + "/default.jpg"),
				"channelTitle": "Herald Channel", "categoryId": v.CategoryID, "liveBroadcastContent": "none",
				"localized": map[string]any{"title": v.Title, "description": v.Description}}
			if len(v.Tags) > 0 {
				sn["tags"] = v.Tags
			}
			j["snippet"] = sn
		case "status":
			st := map[string]any{"uploadStatus": "uploaded", "privacyStatus": v.Privacy, "license": "youtube",
				"embeddable": true, "publicStatsViewable": true, "madeForKids": v.MadeForKids, "selfDeclaredMadeForKids": v.MadeForKids}
			if v.PublishAt != "" {
				st["publishAt"] = v.PublishAt
			}
			j["status"] = st
		case "statistics":
			st := map[string]any{"viewCount": strconv.FormatInt(v.Views, 10), "favoriteCount": "0"}
			if !v.NoLikes {
				st["likeCount"] = strconv.FormatInt(v.Likes, 10)
			}
			if !v.NoComments {
				st["commentCount"] = strconv.FormatInt(v.Comments, 10)
			}
			j["statistics"] = st
		}
	}
	return j
}

func (s *Server) listVideos(w http.ResponseWriter, r *http.Request, _ map[string]any) {
	q := r.URL.Query()
	// The id parameter may be repeated or comma-separated.
	var ids []string
	for _, v := range q["id"] {
		ids = append(ids, splitParts(v)...)
	}
	if len(ids) == 0 || len(ids) > 50 {
		apiError(w, http.StatusBadRequest, "badRequest", "id must name 1 to 50 videos")
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	items := []any{}
	for _, id := range ids {
		if v := s.video(id); v != nil {
			items = append(items, s.videoJSON(v, splitParts(q.Get("part"))))
		}
	}
	writeJSON(w, http.StatusOK, map[string]any{"kind": "youtube#videoListResponse", "etag": etag(q.Get("id")),
		"pageInfo": map[string]any{"totalResults": len(items), "resultsPerPage": len(items)}, "items": items})
}

func (s *Server) deleteVideo(w http.ResponseWriter, r *http.Request, _ map[string]any) {
	s.mu.Lock()
	defer s.mu.Unlock()
	v := s.video(r.URL.Query().Get("id"))
	if v == nil {
		apiError(w, http.StatusNotFound, "videoNotFound", "The video that you are trying to delete cannot be found.")
		return
	}
	v.Deleted = true
	w.WriteHeader(http.StatusNoContent)
}

func (s *Server) setThumbnail(w http.ResponseWriter, r *http.Request, _ map[string]any) {
	data, err := mediaBody(r)
	if err != nil || len(data) == 0 {
		apiError(w, http.StatusBadRequest, "mediaBodyRequired", "The request does not include the image content.")
		return
	}
	if len(data) > 2<<20 {
		apiError(w, http.StatusRequestEntityTooLarge, "mediaBodyTooLarge", "The thumbnail image is larger than 2 MB.")
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	v := s.video(r.URL.Query().Get("videoId"))
	switch {
	case v == nil:
		apiError(w, http.StatusNotFound, "videoNotFound", "The video that you are trying to update cannot be found.")
		return
	case !s.verified:
		apiError(w, http.StatusForbidden, "forbidden", "The authenticated user doesn't have permissions for uploading and setting custom video thumbnails.")
		return
	}
	v.Thumbnail = data
	url := "https://i.ytimg.example/vi/" + v.ID + "/custom.jpg"
	writeJSON(w, http.StatusOK, map[string]any{"kind": "youtube#thumbnailSetResponse", "etag": etag(v.ID, len(data)),
		"items": []any{map[string]any{"default": map[string]any{"url": url, "width": 120, "height": 90}}}})
}

// mediaBody is an upload's bytes: the body (uploadType=media) or the
// media part of multipart/related.
func mediaBody(r *http.Request) ([]byte, error) {
	mt, params, err := mime.ParseMediaType(r.Header.Get("Content-Type"))
	if err != nil || !strings.HasPrefix(mt, "multipart/") {
		return io.ReadAll(io.LimitReader(r.Body, 3<<20))
	}
	mr := multipart.NewReader(r.Body, params["boundary"])
	var last []byte
	for {
		p, err := mr.NextPart()
		if err == io.EOF {
			return last, nil
		}
		if err != nil {
			return nil, err
		}
		if last, err = io.ReadAll(io.LimitReader(p, 3<<20)); err != nil {
			return nil, err
		}
	}
}

func (s *Server) commentJSON(c *Comment) map[string]any {
	sn := map[string]any{"channelId": s.channel, "videoId": c.VideoID, "textDisplay": c.Text, "textOriginal": c.Text,
		"authorDisplayName": c.AuthorName, "authorChannelId": map[string]any{"value": c.AuthorChannel},
		"authorProfileImageUrl": "https://yt3.ggpht.example/" + c.AuthorChannel, "canRate": true, "viewerRating": "none",
		"likeCount": 0, "publishedAt": rfc3339(c.PublishedAt), "updatedAt": rfc3339(c.PublishedAt)}
	if c.ParentID != "" {
		sn["parentId"] = c.ParentID
	}
	return map[string]any{"kind": "youtube#comment", "etag": etag(c.ID), "id": c.ID, "snippet": sn}
}

// threadJSON is a comment thread; with replies, up to five of them (as
// YouTube gives), the rest through comments.list. Callers hold s.mu.
func (s *Server) threadJSON(top *Comment, withReplies bool) map[string]any {
	var replies []any
	n := 0
	for _, c := range s.comments {
		if c.ParentID == top.ID && !c.Deleted {
			n++
			if len(replies) < 5 {
				replies = append(replies, s.commentJSON(c))
			}
		}
	}
	j := map[string]any{"kind": "youtube#commentThread", "etag": etag(top.ID, n), "id": top.ID,
		"snippet": map[string]any{"channelId": s.channel, "videoId": top.VideoID, "topLevelComment": s.commentJSON(top),
			"canReply": true, "totalReplyCount": n, "isPublic": true}}
	if withReplies && len(replies) > 0 {
		j["replies"] = map[string]any{"comments": replies}
	}
	return j
}

// page answers items from pageToken (an offset), maxResults at a time.
func page(q map[string][]string, items []any, kind string) map[string]any {
	get := func(k string) string {
		if v := q[k]; len(v) > 0 {
			return v[0]
		}
		return ""
	}
	size := 20
	if n, err := strconv.Atoi(get("maxResults")); err == nil && n > 0 && n <= 100 {
		size = n
	}
	start, _ := strconv.Atoi(get("pageToken"))
	start = min(max(start, 0), len(items))
	end := min(start+size, len(items))
	out := map[string]any{"kind": kind, "etag": etag(kind, start), "items": items[start:end],
		"pageInfo": map[string]any{"totalResults": len(items), "resultsPerPage": size}}
	if end < len(items) {
		out["nextPageToken"] = strconv.Itoa(end)
	}
	return out
}

func (s *Server) listThreads(w http.ResponseWriter, r *http.Request, _ map[string]any) {
	q := r.URL.Query()
	s.mu.Lock()
	defer s.mu.Unlock()
	var tops []*Comment
	for _, c := range s.comments {
		v := s.video(c.VideoID)
		switch {
		case c.ParentID != "" || c.Deleted || v == nil:
		case q.Get("videoId") == c.VideoID, q.Get("allThreadsRelatedToChannelId") == s.channel:
			tops = append(tops, c)
		}
	}
	if q.Get("videoId") == "" && q.Get("allThreadsRelatedToChannelId") != s.channel {
		apiError(w, http.StatusBadRequest, "missingRequiredParameter", "No filter selected: videoId or allThreadsRelatedToChannelId of the channel")
		return
	}
	sort.SliceStable(tops, func(i, j int) bool { return tops[i].PublishedAt.After(tops[j].PublishedAt) })
	items := []any{}
	for _, t := range tops {
		items = append(items, s.threadJSON(t, strings.Contains(q.Get("part"), "replies")))
	}
	writeJSON(w, http.StatusOK, page(q, items, "youtube#commentThreadListResponse"))
}

func (s *Server) insertThread(w http.ResponseWriter, r *http.Request, body map[string]any) {
	sn, _ := body["snippet"].(map[string]any)
	top, _ := sn["topLevelComment"].(map[string]any)
	tsn, _ := top["snippet"].(map[string]any)
	video, _ := sn["videoId"].(string)
	text, _ := tsn["textOriginal"].(string)
	s.mu.Lock()
	defer s.mu.Unlock()
	switch {
	case s.video(video) == nil:
		apiError(w, http.StatusNotFound, "videoNotFound", "The video identified by the videoId parameter could not be found.")
		return
	case strings.TrimSpace(text) == "" || utf8.RuneCountInString(text) > 10000:
		apiError(w, http.StatusBadRequest, "commentTextTooLong", "The comment is empty or longer than 10,000 characters.")
		return
	}
	c := &Comment{ID: s.id("Ug"), VideoID: video, AuthorChannel: s.channel, AuthorName: s.handle, Text: text, PublishedAt: s.now().UTC()}
	s.comments = append(s.comments, c)
	writeJSON(w, http.StatusOK, s.threadJSON(c, false))
}

// comment finds a live comment. Callers hold s.mu.
func (s *Server) comment(id string) *Comment {
	for _, c := range s.comments {
		if c.ID == id && !c.Deleted {
			return c
		}
	}
	return nil
}

func (s *Server) listComments(w http.ResponseWriter, r *http.Request, _ map[string]any) {
	q := r.URL.Query()
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.comment(q.Get("parentId")) == nil {
		apiError(w, http.StatusNotFound, "commentNotFound", "The comment identified by the parentId parameter could not be found.")
		return
	}
	items := []any{}
	for _, c := range s.comments {
		if c.ParentID == q.Get("parentId") && !c.Deleted {
			items = append(items, s.commentJSON(c))
		}
	}
	writeJSON(w, http.StatusOK, page(q, items, "youtube#commentListResponse"))
}

func (s *Server) insertComment(w http.ResponseWriter, r *http.Request, body map[string]any) {
	sn, _ := body["snippet"].(map[string]any)
	parent, _ := sn["parentId"].(string)
	text, _ := sn["textOriginal"].(string)
	s.mu.Lock()
	defer s.mu.Unlock()
	p := s.comment(parent)
	switch {
	case p == nil:
		apiError(w, http.StatusNotFound, "parentCommentNotFound", "The parent comment could not be found.")
		return
	case p.ParentID != "":
		apiError(w, http.StatusBadRequest, "operationNotSupported", "Replies must answer a top-level comment.")
		return
	case strings.TrimSpace(text) == "" || utf8.RuneCountInString(text) > 10000:
		apiError(w, http.StatusBadRequest, "commentTextTooLong", "The comment is empty or longer than 10,000 characters.")
		return
	}
	c := &Comment{ID: parent + "." + s.id(""), VideoID: p.VideoID, ParentID: parent, AuthorChannel: s.channel,
		AuthorName: s.handle, Text: text, PublishedAt: s.now().UTC()}
	s.comments = append(s.comments, c)
	writeJSON(w, http.StatusOK, s.commentJSON(c))
}

func (s *Server) deleteComment(w http.ResponseWriter, r *http.Request, _ map[string]any) {
	s.mu.Lock()
	defer s.mu.Unlock()
	c := s.comment(r.URL.Query().Get("id"))
	if c == nil {
		apiError(w, http.StatusNotFound, "commentNotFound", "The comment could not be found.")
		return
	}
	c.Deleted = true
	w.WriteHeader(http.StatusNoContent)
}
