package youtube

import (
	"bytes"
	"log/slog"
	"reflect"
	"strings"
	"testing"
	"time"
	_ "time/tzdata" // the zone database, whatever the machine has

	"github.com/heraldsocial/herald/internal/connector"
	"github.com/heraldsocial/herald/internal/connector/youtube/youtubefake"
)

const kib = 1 << 10

func videoPart(key string, size int, opts map[string]string) connector.Part {
	o := map[string]string{OptionTitle: "A video"}
	for k, v := range opts {
		o[k] = v
	}
	return connector.Part{WorkspaceID: 1, TargetID: 1, Key: key, Text: "The description", Options: o,
		Media: []connector.Media{videoFile(size)}}
}

func TestUploadResumesFromTheServersOffsetAfterACrash(t *testing.T) {
	e := newEnv(t)
	h := withCheckpoints(e.c)
	p := videoPart("k-crash", 1000*kib, nil)
	// The third chunk never arrives: the connection drops before YouTube
	// takes it (a crash, a network failure).
	e.srv.Inject(youtubefake.Fault{Route: youtubefake.RouteChunk, Skip: 2, Cut: true})
	if _, err := h.Publish(ctx(t), e.acct, p); classOf(err) != connector.Transient {
		t.Fatalf("interrupted upload: %v, want transient (not ambiguous: no video can exist before the last byte)", err)
	}
	first := e.log.Ranges()
	if want := []string{"bytes 0-262143/1024000", "bytes 262144-524287/1024000", "bytes 524288-786431/1024000"}; !reflect.DeepEqual(first, want) {
		t.Fatalf("first attempt sent %q, want %q", first, want)
	}
	if cp := h.saved["k-crash"]; cp[checkpointSession] == "" || cp[checkpointSize] != "1024000" {
		t.Fatalf("checkpoint %v, want the session and the size", cp)
	}
	if ss := e.srv.Sessions(); len(ss) != 1 || ss[0].Received != 512*kib {
		t.Fatalf("sessions %+v, want one holding 512 KiB", ss)
	}
	// A later attempt (a restarted Herald) asks how far the upload got and
	// sends only the rest.
	ref, err := h.Publish(ctx(t), e.acct, p)
	if err != nil {
		t.Fatalf("resumed upload: %v", err)
	}
	second := e.log.Ranges()
	if want := []string{"bytes */1024000", "bytes 524288-786431/1024000", "bytes 786432-1023999/1024000"}; !reflect.DeepEqual(second, want) {
		t.Fatalf("the resumed attempt sent %q, want %q", second, want)
	}
	vs := e.srv.Videos()
	if len(vs) != 1 || vs[0].ID != ref.ID || vs[0].Size != 1000*kib || len(e.srv.Sessions()) != 1 {
		t.Fatalf("videos %+v, want exactly one, %q", vs, ref.ID)
	}
	if ref.URL != "https://www.youtube.com/watch?v="+ref.ID {
		t.Errorf("URL %q", ref.URL)
	}
}

func TestLostAnswerToTheLastChunkIsSettledByTheSession(t *testing.T) {
	e := newEnv(t)
	h := withCheckpoints(e.c)
	p := videoPart("k-lost", 600*kib, nil)
	e.srv.Inject(youtubefake.Fault{Route: youtubefake.RouteFinalChunk, Drop: true})
	if _, err := h.Publish(ctx(t), e.acct, p); classOf(err) != connector.Ambiguous {
		t.Fatalf("lost answer: %v, want ambiguous", err)
	}
	ref, found, err := h.Find(ctx(t), e.acct, p)
	if err != nil || !found || ref.ID != e.srv.Videos()[0].ID {
		t.Fatalf("Find: %+v %v %v, want the video", ref, found, err)
	}
	// Even a blind retry with the checkpoint makes no second video.
	again, err := h.Publish(ctx(t), e.acct, p)
	if err != nil || again.ID != ref.ID || len(e.srv.Videos()) != 1 {
		t.Fatalf("publish again: %+v %v, %d videos", again, err, len(e.srv.Videos()))
	}
	// Without a checkpoint nothing was sent, so nothing is there to find.
	if _, found, err := e.c.Find(ctx(t), e.acct, videoPart("k-none", 10, nil)); found || err != nil {
		t.Fatalf("Find without a checkpoint: %v %v", found, err)
	}
}

func TestExpiredSessionStartsOver(t *testing.T) {
	e := newEnv(t)
	h := withCheckpoints(e.c)
	p := videoPart("k-expired", 700*kib, nil)
	e.srv.Inject(youtubefake.Fault{Route: youtubefake.RouteChunk, Skip: 1, Status: 503,
		Body: `{"error":{"code":503,"message":"Backend Error","errors":[{"reason":"backendError","domain":"global","message":"Backend Error"}]}}`})
	if _, err := h.Publish(ctx(t), e.acct, p); classOf(err) != connector.Transient {
		t.Fatalf("503 mid-upload: %v, want transient", err)
	}
	e.srv.ExpireSessions()
	if _, found, err := h.Find(ctx(t), e.acct, p); found || err != nil {
		t.Fatalf("Find with an expired session: %v %v, want not found", found, err)
	}
	e.log.Ranges()
	ref, err := h.Publish(ctx(t), e.acct, p)
	if err != nil {
		t.Fatalf("publish after expiry: %v", err)
	}
	got := e.log.Ranges()
	if len(got) != 4 || got[0] != "bytes */716800" || got[1] != "bytes 0-262143/716800" {
		t.Fatalf("requests %q, want a status query (404) and the whole video again", got)
	}
	if vs := e.srv.Videos(); len(vs) != 1 || vs[0].ID != ref.ID || len(e.srv.Sessions()) != 2 {
		t.Fatalf("videos %+v, sessions %d: want one video from a second session", vs, len(e.srv.Sessions()))
	}
}

func TestScheduledPublish(t *testing.T) {
	now := time.Now()
	e := newEnv(t)
	at := now.Add(48 * time.Hour).UTC().Truncate(time.Second).Format(time.RFC3339)
	p := videoPart("k-sched", 100*kib, map[string]string{OptionPublishAt: at, OptionTags: "herald, social media",
		OptionCategory: "28", OptionMadeForKids: "true", OptionNotify: "false"})
	if _, probs, _ := e.c.Validate(ctx(t), e.acct, p); len(probs) != 0 {
		t.Fatalf("problems %+v", probs)
	}
	if _, err := e.c.Publish(ctx(t), e.acct, p); err != nil {
		t.Fatalf("Publish: %v", err)
	}
	v := e.srv.Videos()[0]
	if v.Privacy != "private" || v.PublishAt != at || !v.MadeForKids || v.Notified || v.CategoryID != "28" ||
		!reflect.DeepEqual(v.Tags, []string{"herald", "social media"}) || v.Title != "A video" || v.Description != "The description" {
		t.Fatalf("video %+v", v)
	}
	p.Options[OptionPrivacy] = "public"
	_, probs, _ := e.c.Validate(ctx(t), e.acct, p)
	if len(probs) != 1 || probs[0].Field != "options.privacy" || !strings.Contains(probs[0].Problem, "must be private") {
		t.Fatalf("public and scheduled: %+v", probs)
	}
	p.Options[OptionPrivacy], p.Options[OptionPublishAt] = "private", now.Add(-time.Hour).Format(time.RFC3339)
	if _, probs, _ := e.c.Validate(ctx(t), e.acct, p); len(probs) != 1 || !strings.Contains(probs[0].Problem, "in the past") {
		t.Fatalf("scheduled in the past: %+v", probs)
	}
}

func TestThumbnail(t *testing.T) {
	var logs bytes.Buffer
	e := newEnv(t, WithLogger(slog.New(slog.NewTextHandler(&logs, nil))))
	p := videoPart("k-thumb", 10*kib, nil)
	p.Media = append(p.Media, pngFile())
	if _, err := e.c.Publish(ctx(t), e.acct, p); err != nil {
		t.Fatalf("Publish: %v", err)
	}
	if v := e.srv.Videos()[0]; len(v.Thumbnail) == 0 {
		t.Fatal("the thumbnail was not set")
	}
	// An unverified channel may not set thumbnails: the video stays
	// published, and the refusal is a warning.
	e.srv.SetVerified(false)
	ref, err := e.c.Publish(ctx(t), e.acct, p)
	if err != nil {
		t.Fatalf("Publish on an unverified channel: %v", err)
	}
	vs := e.srv.Videos()
	if len(vs) != 2 || vs[1].ID != ref.ID || vs[1].Thumbnail != nil {
		t.Fatalf("videos %+v", vs)
	}
	if !strings.Contains(logs.String(), "thumbnail was not set") || !strings.Contains(logs.String(), "verified channel") {
		t.Fatalf("no warning about the thumbnail: %s", logs.String())
	}
}

func TestPublishErrors(t *testing.T) {
	pacific, err := time.LoadLocation("America/Los_Angeles") // time/tzdata is linked in: always there
	if err != nil {
		t.Fatal(err)
	}
	now := time.Date(2026, 3, 4, 22, 0, 0, 0, pacific) // two hours before the quota resets
	e := newEnv(t, WithClock(func() time.Time { return now }))
	e.srv.Inject(youtubefake.QuotaExceeded("POST /upload/youtube/v3/videos"))
	_, err = e.c.Publish(ctx(t), e.acct, videoPart("k-q", 10, nil))
	var ce *connector.Error
	if classOf(err) != connector.RateLimited || !errorAs(err, &ce) || ce.RetryAfter != 2*time.Hour ||
		!strings.Contains(ce.Message, "midnight Pacific") {
		t.Fatalf("quota: %v, want rate limited for 2h", err)
	}
	e.srv.Inject(youtubefake.Fault{Route: "POST /upload/youtube/v3/videos", Status: 403,
		Body: `{"error":{"code":403,"message":"The user has exceeded the number of videos they may upload.","errors":[{"reason":"uploadLimitExceeded","domain":"youtube.video","message":"The user has exceeded the number of videos they may upload."}]}}`})
	if _, err := e.c.Publish(ctx(t), e.acct, videoPart("k-u", 10, nil)); classOf(err) != connector.RateLimited {
		t.Fatalf("upload limit: %v, want rate limited", err)
	}
	e.srv.Inject(youtubefake.Fault{Route: "POST /upload/youtube/v3/videos", Status: 403, Header: map[string][]string{"Retry-After": {"30"}},
		Body: `{"error":{"code":403,"message":"Rate Limit Exceeded","errors":[{"reason":"userRateLimitExceeded","domain":"usageLimits","message":"Rate Limit Exceeded"}]}}`})
	if _, err := e.c.Publish(ctx(t), e.acct, videoPart("k-r", 10, nil)); !errorAs(err, &ce) || ce.Class != connector.RateLimited || ce.RetryAfter != 30*time.Second {
		t.Fatalf("rate limit: %v, want rate limited for 30s", err)
	}
	_, err = e.c.Publish(ctx(t), e.acct, videoPart("k-c", 10, map[string]string{OptionCategory: "18"}))
	if classOf(err) != connector.Invalid || !strings.Contains(err.Error(), "invalid category") {
		t.Fatalf("category not assignable: %v, want YouTube's refusal", err)
	}
	e.srv.ExpireToken(e.creds(t).AccessToken)
	if _, err := e.c.Publish(ctx(t), e.acct, videoPart("k-x", 10, nil)); classOf(err) != connector.AuthExpired {
		t.Fatalf("expired token: %v, want auth_expired", err)
	}
	access, _ := e.srv.IssueToken(youtubefake.ScopeReadonly)
	cr := e.creds(t)
	cr.AccessToken = access
	e.acct.Credentials = MarshalCredentials(cr)
	if _, err := e.c.Publish(ctx(t), e.acct, videoPart("k-s", 10, nil)); classOf(err) != connector.AuthRevoked {
		t.Fatalf("missing scope: %v, want auth_revoked", err)
	}
	if len(e.srv.Videos()) != 0 {
		t.Fatalf("videos %+v after refusals", e.srv.Videos())
	}
}

func TestUploadGoesOnFromTheRangeYouTubeHolds(t *testing.T) {
	e := newEnv(t)
	// YouTube answers the second chunk with 308 but keeps none of it.
	e.srv.Inject(youtubefake.Fault{Route: youtubefake.RouteChunk, Skip: 1, Status: 308,
		Header: map[string][]string{"Range": {"bytes=0-262143"}}})
	ref, err := e.c.Publish(ctx(t), e.acct, videoPart("k-range", 700*kib, nil))
	if err != nil {
		t.Fatalf("Publish: %v", err)
	}
	want := []string{"bytes 0-262143/716800", "bytes 262144-524287/716800", "bytes 262144-524287/716800", "bytes 524288-716799/716800"}
	if got := e.log.Ranges(); !reflect.DeepEqual(got, want) {
		t.Fatalf("sent %q, want %q", got, want)
	}
	if vs := e.srv.Videos(); len(vs) != 1 || vs[0].ID != ref.ID || vs[0].Size != 700*kib {
		t.Fatalf("videos %+v", vs)
	}
}
