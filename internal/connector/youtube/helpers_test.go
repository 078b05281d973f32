package youtube

import (
	"bytes"
	"context"
	"errors"
	"image"
	"image/png"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/heraldsocial/herald/internal/connector"
	"github.com/heraldsocial/herald/internal/connector/conformance"
	"github.com/heraldsocial/herald/internal/connector/youtube/youtubefake"
	"github.com/heraldsocial/herald/internal/herald"
)

const channelID = "UCherald0000000000000001"

type env struct {
	srv  *youtubefake.Server
	ts   *httptest.Server
	c    *Connector
	acct connector.Account
	log  *recording
}

// recording remembers the upload requests' Content-Range headers and
// counts every request by path.
type recording struct {
	base   http.RoundTripper
	mu     sync.Mutex
	ranges []string
	paths  map[string]int
}

func (r *recording) RoundTrip(req *http.Request) (*http.Response, error) {
	r.mu.Lock()
	if req.Method == http.MethodPut {
		r.ranges = append(r.ranges, req.Header.Get("Content-Range"))
	}
	r.paths[req.Method+" "+req.URL.Path]++
	r.mu.Unlock()
	return r.base.RoundTrip(req)
}

func (r *recording) Ranges() []string {
	r.mu.Lock()
	defer r.mu.Unlock()
	out := append([]string(nil), r.ranges...)
	r.ranges = nil
	return out
}

func (r *recording) Count(path string) int {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.paths[path]
}

// newEnv starts a fake YouTube and connects its channel through the OAuth
// flow, as a person would. Uploads go in 256 KiB chunks.
func newEnv(t testing.TB, opts ...Option) *env {
	t.Helper()
	srv := youtubefake.New("client-id", "client-secret", channelID, "@heraldvideos")
	ts := httptest.NewServer(srv)
	t.Cleanup(ts.Close)
	rec := &recording{base: ts.Client().Transport, paths: map[string]int{}}
	cl := &http.Client{Transport: rec}
	opts = append([]Option{WithClient("client-id", "client-secret"), WithBaseURL(ts.URL),
		WithAuthorizeURL(ts.URL + "/o/oauth2/v2/auth"), WithTokenURL(ts.URL + "/token"), WithChunkSize(ChunkUnit)}, opts...)
	e := &env{srv: srv, ts: ts, c: New(cl, opts...), log: rec}
	// Every test keeps to the discovery document's contract.
	t.Cleanup(func() {
		if v := srv.Violations(); len(v) > 0 {
			t.Errorf("contract violations:\n%s", strings.Join(v, "\n"))
		}
	})
	e.acct = e.connect(t)
	return e
}

func (e *env) connect(t testing.TB) connector.Account {
	t.Helper()
	got, err := e.tryConnect(t)
	if err != nil {
		t.Fatalf("Exchange: %v", err)
	}
	a := connector.Account{Account: got.Account, Credentials: got.Credentials}
	a.ID, a.WorkspaceID = 1, 1
	return a
}

func (e *env) tryConnect(t testing.TB) (connector.Connected, error) {
	t.Helper()
	start := connector.AuthStart{WorkspaceID: 1, RedirectURL: "https://herald.example/api/v1/connect/callback", State: "st"}
	red, err := e.c.Begin(ctx(t), start)
	if err != nil {
		t.Fatalf("Begin: %v", err)
	}
	cl := *e.ts.Client()
	cl.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	res, err := cl.Get(red.URL)
	if err != nil {
		t.Fatalf("consent: %v", err)
	}
	res.Body.Close()
	loc, err := url.Parse(res.Header.Get("Location"))
	if err != nil || loc.Query().Get("state") != "st" {
		t.Fatalf("consent answered %d, redirect %q", res.StatusCode, res.Header.Get("Location"))
	}
	return e.c.Exchange(ctx(t), start, red.Secret, loc.Query().Get("code"))
}

func (e *env) creds(t testing.TB) Credentials {
	t.Helper()
	cr, err := creds(e.acct)
	if err != nil {
		t.Fatal(err)
	}
	return cr
}

func ctx(t testing.TB) context.Context {
	c, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	t.Cleanup(cancel)
	return c
}

// videoFile is an MP4 stand-in of n bytes (YouTube's fake does not decode
// video).
func videoFile(n int) connector.Media {
	data := bytes.Repeat([]byte("herald-video-"), n/13+1)[:n]
	return connector.Media{Asset: herald.MediaAsset{ID: 2, Filename: "clip.mp4", ContentType: "video/mp4", Size: int64(n),
		DurationMS: 30000, Width: 1080, Height: 1920},
		Open: func(context.Context) (io.ReadCloser, error) { return io.NopCloser(bytes.NewReader(data)), nil }}
}

func pngFile() connector.Media {
	var b bytes.Buffer
	_ = png.Encode(&b, image.NewRGBA(image.Rect(0, 0, 16, 9)))
	data := b.Bytes()
	return connector.Media{Asset: herald.MediaAsset{ID: 1, Filename: "thumb.png", ContentType: "image/png", Size: int64(len(data))},
		Open: func(context.Context) (io.ReadCloser, error) { return io.NopCloser(bytes.NewReader(data)), nil }}
}

func classOf(err error) connector.Class {
	var e *connector.Error
	if errors.As(err, &e) {
		return e.Class
	}
	return ""
}

// checkpoints keeps what Publish saves per part key, as the dispatcher
// keeps it with the target's progress, and hands it to later attempts and
// to Find.
type checkpoints struct {
	*Connector
	mu    sync.Mutex
	saved map[string]map[string]string
}

func withCheckpoints(c *Connector) *checkpoints {
	return &checkpoints{Connector: c, saved: map[string]map[string]string{}}
}

func (h *checkpoints) prepare(p *connector.Part) {
	h.mu.Lock()
	p.Checkpoint = h.saved[p.Key]
	h.mu.Unlock()
	key := p.Key
	p.Save = func(_ context.Context, m map[string]string) error {
		h.mu.Lock()
		h.saved[key] = m
		h.mu.Unlock()
		return nil
	}
}

func (h *checkpoints) Publish(ctx context.Context, acct connector.Account, p connector.Part) (herald.RemoteRef, error) {
	h.prepare(&p)
	ref, err := h.Connector.Publish(ctx, acct, p)
	if err == nil {
		h.mu.Lock()
		delete(h.saved, p.Key)
		h.mu.Unlock()
	}
	return ref, err
}

func (h *checkpoints) Find(ctx context.Context, acct connector.Account, p connector.Part) (herald.RemoteRef, bool, error) {
	h.prepare(&p)
	return h.Connector.Find(ctx, acct, p)
}

// fake adapts the fake server to the conformance suite.
type fake struct{ e *env }

func (f fake) Account(testing.TB) connector.Account { return f.e.acct }

func (f fake) Fail(op conformance.Op, fl conformance.Failure) {
	switch {
	case fl == conformance.Dropped:
		f.e.srv.Inject(youtubefake.Fault{Route: youtubefake.RouteFinalChunk, Drop: true})
	case fl == conformance.RateLimited:
		f.e.srv.Inject(youtubefake.QuotaExceeded("POST /upload/youtube/v3/videos"))
	case fl == conformance.Revoked && op == conformance.OpAny:
		f.e.srv.Inject(youtubefake.InvalidCredentials("*"))
	case fl == conformance.Revoked:
		f.e.srv.Inject(youtubefake.InvalidCredentials("POST /upload/youtube/v3/videos"))
	}
}

// Posts are the channel's videos (the video and its thumbnail count as
// media) and its own comments.
func (f fake) Posts(connector.Account) []conformance.Remote {
	var out []conformance.Remote
	for _, v := range f.e.srv.Videos() {
		n := 1
		if v.Thumbnail != nil {
			n++
		}
		out = append(out, conformance.Remote{ID: v.ID, Text: v.Description, Media: n, Deleted: v.Deleted})
	}
	for _, c := range f.e.srv.Comments() {
		if c.AuthorChannel != channelID {
			continue
		}
		to := c.VideoID
		if c.ParentID != "" {
			to = c.ParentID
		}
		out = append(out, conformance.Remote{ID: c.ID, Text: c.Text, ReplyTo: to, Deleted: c.Deleted})
	}
	return out
}

// SetMetrics maps the suite's counts onto a video's: views are
// impressions, comments replies; YouTube has no reposts or quotes.
func (f fake) SetMetrics(id string, m connector.Metrics) {
	f.e.srv.SetCounts(id, m.Impressions, m.Likes, m.Replies)
}

func (f fake) Mention(_ connector.Account, text, replyTo string) string {
	return f.e.srv.AddComment(replyTo, "", "viewer", text)
}

func (f fake) Violations() []string { return f.e.srv.Violations() }

func errorAs(err error, target **connector.Error) bool { return errors.As(err, target) }
