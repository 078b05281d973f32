package facebook_test

import (
	"bytes"
	"context"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/heraldsocial/herald/internal/connector"
	"github.com/heraldsocial/herald/internal/connector/conformance"
	"github.com/heraldsocial/herald/internal/connector/facebook"
	"github.com/heraldsocial/herald/internal/connector/facebook/facebookfake"
	"github.com/heraldsocial/herald/internal/connector/metagraph/graphfake"
	"github.com/heraldsocial/herald/internal/herald"
)

type env struct {
	fake *facebookfake.Server
	ts   *httptest.Server
	c    *facebook.Connector
	user graphfake.User
	page graphfake.Page
}

func newEnv(t *testing.T) *env {
	t.Helper()
	fake := facebookfake.New(graphfake.Config{AppID: "app-1", AppSecret: "app-secret"})
	ts := httptest.NewServer(fake)
	t.Cleanup(ts.Close)
	user := fake.AddUser("Ada")
	page := fake.AddPage(user.ID, "Herald Cafe", "heraldcafe", "")
	c := facebook.New(ts.Client(), facebook.WithApp("app-1", "app-secret"), facebook.WithBaseURL(ts.URL, ts.URL, ts.URL))
	return &env{fake: fake, ts: ts, c: c, user: user, page: page}
}

func ctx(t *testing.T) context.Context {
	c, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	t.Cleanup(cancel)
	return c
}

// connect runs the connection flow through the fake's Login dialog.
func (e *env) connect(t *testing.T, choice string) (connector.Connected, error) {
	t.Helper()
	start := connector.AuthStart{WorkspaceID: 1, RedirectURL: "https://herald.example/api/v1/connect/callback", State: "st-1", Instance: choice}
	red, err := e.c.Begin(ctx(t), start)
	if err != nil {
		t.Fatalf("Begin: %v", err)
	}
	cl := *e.ts.Client()
	cl.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	res, err := cl.Get(red.URL)
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	loc, err := url.Parse(res.Header.Get("Location"))
	if err != nil || loc.Query().Get("state") != "st-1" {
		t.Fatalf("the dialog sent the browser to %q", res.Header.Get("Location"))
	}
	return e.c.Exchange(ctx(t), start, red.Secret, loc.Query().Get("code"))
}

func (e *env) account(t *testing.T) connector.Account {
	t.Helper()
	got, err := e.connect(t, "")
	if err != nil {
		t.Fatalf("connect: %v", err)
	}
	return connector.Account{Account: herald.Account{ID: 1, WorkspaceID: 1, Platform: herald.PlatformFacebook,
		RemoteID: got.Account.RemoteID, Handle: got.Account.Handle}, Credentials: got.Credentials}
}

func TestConnect(t *testing.T) {
	e := newEnv(t)
	got, err := e.connect(t, "")
	if err != nil {
		t.Fatalf("connect: %v", err)
	}
	if got.Account.RemoteID != e.page.ID || got.Account.Handle != "@heraldcafe" || got.Account.DisplayName != "Herald Cafe" {
		t.Errorf("connected %+v", got.Account)
	}
	if got.Account.TokenExpiresAt != nil {
		t.Errorf("a page token from a long-lived user token does not expire; got %v", got.Account.TokenExpiresAt)
	}
	second := e.fake.AddPage(e.user.ID, "Second Page", "", "")
	_, err = e.connect(t, "")
	var he *herald.Error
	if !errors.As(err, &he) || !strings.Contains(he.Message, "Second Page") || !strings.Contains(he.Message, "Herald Cafe") {
		t.Fatalf("two pages and no choice gave %v, want an error naming both", err)
	}
	got, err = e.connect(t, "second page")
	if err != nil || got.Account.RemoteID != second.ID {
		t.Fatalf("choosing by name gave %+v, %v", got.Account, err)
	}
	if v := e.fake.Violations(); len(v) > 0 {
		t.Errorf("violations: %v", v)
	}
}

func TestErrorsClassified(t *testing.T) {
	e := newEnv(t)
	acct := e.account(t)
	for _, tc := range []struct {
		name  string
		fault graphfake.Fault
		want  connector.Class
		wait  time.Duration
	}{
		{"throttled", facebookfake.ThrottledFault(facebookfake.RouteFeed, e.page.ID, 7), connector.RateLimited, 7 * time.Minute},
		{"page limit without usage header", graphfake.Fault{Route: facebookfake.RouteFeed, Status: 400,
			Body: `{"error":{"message":"(#32) Page request limit reached","type":"OAuthException","code":32,"fbtrace_id":"x"}}`}, connector.RateLimited, 15 * time.Minute},
		{"expired", graphfake.Fault{Route: facebookfake.RouteFeed, Status: 400,
			Body: `{"error":{"message":"Session has expired","type":"OAuthException","code":190,"error_subcode":463,"fbtrace_id":"x"}}`}, connector.AuthExpired, 0},
		{"unknown error", graphfake.Fault{Route: facebookfake.RouteFeed, Status: 500,
			Body: `{"error":{"message":"An unknown error has occurred.","type":"OAuthException","code":1,"fbtrace_id":"x"}}`}, connector.Ambiguous, 0},
		{"duplicate", graphfake.Fault{Route: facebookfake.RouteFeed, Status: 400,
			Body: `{"error":{"message":"(#506) Duplicate status message","type":"OAuthException","code":506,"fbtrace_id":"x"}}`}, connector.Invalid, 0},
	} {
		t.Run(tc.name, func(t *testing.T) {
			e.fake.Inject(tc.fault)
			_, err := e.c.Publish(ctx(t), acct, connector.Part{Text: "x " + tc.name})
			var ce *connector.Error
			if !errors.As(err, &ce) || ce.Class != tc.want {
				t.Fatalf("got %v, want class %s", err, tc.want)
			}
			if tc.wait != 0 && ce.RetryAfter != tc.wait {
				t.Errorf("wait %v, want %v", ce.RetryAfter, tc.wait)
			}
		})
	}
	e.fake.Revoke(e.user.ID, 460)
	_, err := e.c.Publish(ctx(t), acct, connector.Part{Text: "after the password changed"})
	if c := connector.ClassOf(err); c != connector.AuthRevoked {
		t.Errorf("a changed password gave %v, want auth_revoked", err)
	}
}

func TestFindComment(t *testing.T) {
	e := newEnv(t)
	acct := e.account(t)
	post, err := e.c.Publish(ctx(t), acct, connector.Part{Text: "The post"})
	if err != nil {
		t.Fatal(err)
	}
	c := connector.Part{Comment: true, Text: "First!", Root: &post, ReplyTo: &post}
	e.fake.Inject(graphfake.Fault{Route: facebookfake.RouteComments, Drop: true})
	if _, err := e.c.Publish(ctx(t), acct, c); connector.ClassOf(err) != connector.Ambiguous {
		t.Fatalf("a lost comment answer gave %v", err)
	}
	ref, found, err := e.c.Find(ctx(t), acct, c)
	if err != nil || !found || ref.ID == "" {
		t.Fatalf("Find the comment: %+v %v %v", ref, found, err)
	}
}

func TestPhotosAndVideo(t *testing.T) {
	e := newEnv(t)
	acct := e.account(t)
	img := file("a.png", "image/png", "alt words")
	ref, err := e.c.Publish(ctx(t), acct, connector.Part{Text: "album", Media: []connector.Media{img, img, img}})
	if err != nil {
		t.Fatalf("three photos: %v", err)
	}
	found, ok, err := e.c.Find(ctx(t), acct, connector.Part{Text: "album", Media: []connector.Media{img, img, img}})
	if err != nil || !ok || found.ID != ref.ID {
		t.Fatalf("Find the album: %+v %v %v, want %s", found, ok, err, ref.ID)
	}
	vid := file("v.mp4", "video/mp4", "")
	v, err := e.c.Publish(ctx(t), acct, connector.Part{Text: "a film", Media: []connector.Media{vid}})
	if err != nil {
		t.Fatalf("video: %v", err)
	}
	fv, ok, err := e.c.Find(ctx(t), acct, connector.Part{Text: "a film", Media: []connector.Media{vid}})
	if err != nil || !ok || fv.ID != v.ID {
		t.Fatalf("Find the video: %+v %v %v, want %s", fv, ok, err, v.ID)
	}
	m, err := e.c.Metrics(ctx(t), acct, []herald.RemoteRef{v})
	if err != nil || m[v.ID].Reposts != -1 {
		t.Fatalf("video metrics %+v %v", m, err)
	}
	posts := e.fake.Posts(e.page.ID)
	if len(posts) != 2 || len(posts[0].Photos) != 3 || posts[1].VideoID == "" {
		t.Fatalf("the fake holds %+v", posts)
	}
	if v := e.fake.Violations(); len(v) > 0 {
		t.Errorf("violations: %v", v)
	}
}

func TestValidate(t *testing.T) {
	e := newEnv(t)
	acct := e.account(t)
	_, probs, _ := e.c.Validate(ctx(t), acct, connector.Part{Text: "x", Media: []connector.Media{file("v.mp4", "video/mp4", ""), file("a.png", "image/png", "")}})
	if len(probs) != 1 || probs[0].Field != "media" {
		t.Errorf("a video with a photo: %+v", probs)
	}
	_, probs, _ = e.c.Validate(ctx(t), acct, connector.Part{Text: "x", Options: map[string]string{facebook.OptionLink: "ftp://x"}})
	if len(probs) != 1 || probs[0].Field != "options.link" {
		t.Errorf("a bad link: %+v", probs)
	}
}

func file(name, ct, alt string) connector.Media {
	data := []byte("\x89PNG fake bytes of " + name)
	return connector.Media{Asset: herald.MediaAsset{ID: 1, Filename: name, ContentType: ct, Size: int64(len(data)), AltText: alt},
		Open: func(context.Context) (io.ReadCloser, error) { return io.NopCloser(bytes.NewReader(data)), nil }}
}

// conformFake is the fake as the conformance suite drives it.
type conformFake struct {
	e    *env
	acct connector.Account
	fans int
}

func (f *conformFake) Account(t testing.TB) connector.Account { return f.acct }

func (f *conformFake) Fail(op conformance.Op, how conformance.Failure) {
	route := facebookfake.RouteFeed
	switch how {
	case conformance.Dropped:
		f.e.fake.Inject(graphfake.Fault{Route: route, Drop: true})
	case conformance.RateLimited:
		f.e.fake.Inject(facebookfake.ThrottledFault(route, f.e.page.ID, 30))
	case conformance.Revoked:
		f.e.fake.Revoke(f.e.user.ID, 460)
	}
	_ = op
}

func (f *conformFake) Posts(connector.Account) []conformance.Remote {
	var out []conformance.Remote
	for _, p := range f.e.fake.Posts(f.e.page.ID) {
		n := len(p.Photos)
		if p.VideoID != "" {
			n = 1
		}
		out = append(out, conformance.Remote{ID: p.ID, Text: p.Message, Media: n, Deleted: p.Deleted})
	}
	for _, c := range f.e.fake.Comments() {
		if c.FromID == f.e.page.ID {
			out = append(out, conformance.Remote{ID: c.ID, Text: c.Message, ReplyTo: c.Parent, Deleted: c.Deleted})
		}
	}
	return out
}

func (f *conformFake) SetMetrics(id string, m connector.Metrics) {
	f.e.fake.SetCounts(id, max(m.Likes, 0), max(m.Reposts, 0), max(m.Impressions, 0))
	for range max(m.Replies, 0) {
		f.e.fake.CommentAs("fan", "A fan", id, "a comment")
	}
}

func (f *conformFake) Mention(_ connector.Account, text, replyTo string) string {
	f.fans++
	return f.e.fake.CommentAs("9000"+strings.Repeat("1", f.fans), "A fan", replyTo, text)
}

func (f *conformFake) Violations() []string { return f.e.fake.Violations() }

func TestConformance(t *testing.T) {
	conformance.Run(t, func(t *testing.T) conformance.Setup {
		e := newEnv(t)
		return conformance.Setup{Connector: e.c, Fake: &conformFake{e: e, acct: e.account(t)}}
	})
}
