package instagram_test

import (
	"bytes"
	"context"
	"errors"
	"image"
	"image/jpeg"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/heraldsocial/herald/internal/connector"
	"github.com/heraldsocial/herald/internal/connector/conformance"
	"github.com/heraldsocial/herald/internal/connector/instagram"
	"github.com/heraldsocial/herald/internal/connector/instagram/instagramfake"
	"github.com/heraldsocial/herald/internal/connector/metagraph/graphfake"
	"github.com/heraldsocial/herald/internal/herald"
)

type env struct {
	fake *instagramfake.Server
	ts   *httptest.Server
	c    *instagram.Connector
	user graphfake.User
	page graphfake.Page
}

func mediaURL(_ context.Context, m connector.Media) (string, error) {
	return "https://herald.example/media/public/1/" + strconv.FormatInt(m.Asset.ID, 10) + "/x/sig/" + m.Asset.Filename, nil
}

func newEnv(t *testing.T) *env {
	t.Helper()
	fake := instagramfake.New(graphfake.Config{AppID: "app-1", AppSecret: "app-secret"})
	ts := httptest.NewServer(fake)
	t.Cleanup(ts.Close)
	user := fake.AddUser("Ada")
	fake.AddPage(user.ID, "Unlinked Page", "", "")
	page := fake.AddPage(user.ID, "Herald Cafe", "heraldcafe", "herald.cafe")
	c := instagram.New(ts.Client(), instagram.WithApp("app-1", "app-secret"), instagram.WithBaseURL(ts.URL, ts.URL),
		instagram.WithMediaURL(mediaURL))
	return &env{fake: fake, ts: ts, c: c, user: user, page: page}
}

func ctx(t *testing.T) context.Context {
	c, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	t.Cleanup(cancel)
	return c
}

func (e *env) connect(t *testing.T, choice string) (connector.Connected, error) {
	t.Helper()
	start := connector.AuthStart{WorkspaceID: 1, RedirectURL: "https://herald.example/api/v1/connect/callback", State: "st", Instance: choice}
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
	if err != nil {
		t.Fatal(err)
	}
	return e.c.Exchange(ctx(t), start, red.Secret, loc.Query().Get("code"))
}

func (e *env) account(t *testing.T) connector.Account {
	t.Helper()
	got, err := e.connect(t, "")
	if err != nil {
		t.Fatalf("connect: %v", err)
	}
	return connector.Account{Account: herald.Account{ID: 1, WorkspaceID: 1, Platform: herald.PlatformInstagram,
		RemoteID: got.Account.RemoteID, Handle: got.Account.Handle}, Credentials: got.Credentials}
}

func jpegFile() connector.Media {
	var b bytes.Buffer
	if err := jpeg.Encode(&b, image.NewRGBA(image.Rect(0, 0, 32, 32)), nil); err != nil {
		panic(err)
	}
	data := b.Bytes()
	return connector.Media{Asset: herald.MediaAsset{ID: 7, WorkspaceID: 1, Filename: "photo.jpg", ContentType: "image/jpeg",
		Size: int64(len(data)), AltText: "a black square"},
		Open: func(context.Context) (io.ReadCloser, error) { return io.NopCloser(bytes.NewReader(data)), nil }}
}

func TestConnectPicksTheLinkedAccount(t *testing.T) {
	e := newEnv(t)
	got, err := e.connect(t, "")
	if err != nil {
		t.Fatal(err)
	}
	if got.Account.Handle != "@herald.cafe" || got.Account.RemoteID != e.page.Instagram.ID {
		t.Fatalf("connected %+v", got.Account)
	}
	if _, err := e.connect(t, "@someone.else"); err == nil {
		t.Fatal("an unknown choice connected")
	}
}

func TestCheckpointNeverPublishesTwice(t *testing.T) {
	e := newEnv(t)
	acct := e.account(t)
	var saved map[string]string
	p := connector.Part{Text: "Resumed", Media: []connector.Media{jpegFile()},
		Save: func(_ context.Context, cp map[string]string) error { saved = cp; return nil }}
	e.fake.Inject(graphfake.Fault{Route: instagramfake.RoutePublish, Drop: true})
	if _, err := e.c.Publish(ctx(t), acct, p); connector.ClassOf(err) != connector.Ambiguous {
		t.Fatalf("a lost media_publish answer gave %v", err)
	}
	if saved["container_id"] == "" || e.fake.ContainerStatus(saved["container_id"]) != instagram.StatusPublished {
		t.Fatalf("checkpoint %v", saved)
	}
	p.Checkpoint = saved
	ref, found, err := e.c.Find(ctx(t), acct, p)
	if err != nil || !found {
		t.Fatalf("Find from the checkpoint: %v %v", found, err)
	}
	again, err := e.c.Publish(ctx(t), acct, p)
	if err != nil || again.ID != ref.ID {
		t.Fatalf("Publish from a published container gave %+v %v, want %s", again, err, ref.ID)
	}
	if n := len(e.fake.AllMedia(e.page.Instagram.ID)); n != 1 {
		t.Fatalf("%d media published, want 1", n)
	}
	if v := e.fake.Violations(); len(v) > 0 {
		t.Fatalf("violations: %v", v)
	}
}

func TestQuotaAndValidate(t *testing.T) {
	e := newEnv(t)
	acct := e.account(t)
	e.fake.QuotaTotal = 1
	if _, err := e.c.Publish(ctx(t), acct, connector.Part{Text: "one", Media: []connector.Media{jpegFile()}}); err != nil {
		t.Fatal(err)
	}
	_, err := e.c.Publish(ctx(t), acct, connector.Part{Text: "two", Media: []connector.Media{jpegFile()}})
	var ce *connector.Error
	if !errors.As(err, &ce) || ce.Class != connector.RateLimited || ce.RetryAfter != instagram.QuotaWait {
		t.Fatalf("over the quota: %v", err)
	}
	_, probs, _ := e.c.Validate(ctx(t), acct, connector.Part{Text: "no media"})
	if len(probs) != 1 || probs[0].Field != "media" {
		t.Errorf("no media: %+v", probs)
	}
	tags := strings.Repeat("#tag ", 31)
	_, probs, _ = e.c.Validate(ctx(t), acct, connector.Part{Text: tags, Media: []connector.Media{jpegFile()}})
	if len(probs) != 1 || !strings.Contains(probs[0].Problem, "hashtags") {
		t.Errorf("31 hashtags: %+v", probs)
	}
}

type conformFake struct {
	e    *env
	acct connector.Account
}

func (f *conformFake) Account(testing.TB) connector.Account { return f.acct }

func (f *conformFake) Fail(op conformance.Op, how conformance.Failure) {
	switch how {
	case conformance.Dropped:
		f.e.fake.Inject(graphfake.Fault{Route: instagramfake.RoutePublish, Drop: true})
	case conformance.RateLimited:
		f.e.fake.Inject(instagramfake.ThrottledFault(instagramfake.RoutePublish, f.e.page.Instagram.ID, 20))
	case conformance.Revoked:
		f.e.fake.Revoke(f.e.user.ID, 460)
	}
	_ = op
}

func (f *conformFake) Posts(connector.Account) []conformance.Remote {
	var out []conformance.Remote
	for _, m := range f.e.fake.AllMedia(f.e.page.Instagram.ID) {
		out = append(out, conformance.Remote{ID: m.ID, Text: m.Caption, Media: m.Items})
	}
	for _, c := range f.e.fake.Comments() {
		if c.Username == f.e.page.Instagram.Username {
			out = append(out, conformance.Remote{ID: c.ID, Text: c.Text, ReplyTo: c.On})
		}
	}
	return out
}

func (f *conformFake) SetMetrics(id string, m connector.Metrics) {
	f.e.fake.SetCounts(id, max(m.Likes, 0), max(m.Reposts, 0), max(m.Impressions, 0))
	for range max(m.Replies, 0) {
		f.e.fake.CommentAs("fan", id, "nice")
	}
}

func (f *conformFake) Mention(_ connector.Account, text, replyTo string) string {
	return f.e.fake.CommentAs("a.fan", replyTo, text)
}

func (f *conformFake) Violations() []string { return f.e.fake.Violations() }

func TestConformance(t *testing.T) {
	img := jpegFile()
	conformance.Run(t, func(t *testing.T) conformance.Setup {
		e := newEnv(t)
		return conformance.Setup{Connector: e.c, Fake: &conformFake{e: e, acct: e.account(t)}, Image: &img, MediaRequired: true}
	})
}

// TestCollaboratorsAndLocation: the post's collaborators and place reach
// its container, as a JSON list of usernames and a Page id; wrong ones are
// refused before anything is sent, with what to fix.
func TestCollaboratorsAndLocation(t *testing.T) {
	e := newEnv(t)
	acct := e.account(t)
	fields, err := e.c.OptionFields(ctx(t), acct)
	if err != nil || len(fields) != 3 {
		t.Fatalf("OptionFields: %+v %v", fields, err)
	}
	opts := map[string]string{instagram.OptionCollaborators: "@ana.bakes, bo_cafe ana.bakes", instagram.OptionLocation: " 110843418940484 "}
	p := connector.Part{Text: "With friends", Media: []connector.Media{jpegFile(), jpegFile()}, Options: opts}
	if _, probs, err := e.c.Validate(ctx(t), acct, p); err != nil || len(probs) != 0 {
		t.Fatalf("Validate: %+v %v", probs, err)
	}
	if _, err := e.c.Publish(ctx(t), acct, p); err != nil {
		t.Fatal(err)
	}
	media := e.fake.AllMedia(e.page.Instagram.ID)
	if len(media) != 1 || strings.Join(media[0].Collaborators, ",") != "ana.bakes,bo_cafe" || media[0].Location != "110843418940484" {
		t.Fatalf("published %+v", media)
	}

	for _, c := range []struct {
		opts map[string]string
		want string
	}{
		{map[string]string{instagram.OptionCollaborators: "a, b, c, d"}, "at most 3"},
		{map[string]string{instagram.OptionCollaborators: "not a/name"}, "not an Instagram username"},
		{map[string]string{instagram.OptionCollaborators: "ana", instagram.OptionStory: "true"}, "cannot go with a story"},
		{map[string]string{instagram.OptionLocation: "Paris"}, "numeric id"},
	} {
		p := connector.Part{Text: "x", Media: []connector.Media{jpegFile()}, Options: c.opts}
		_, probs, err := e.c.Validate(ctx(t), acct, p)
		if err != nil || len(probs) == 0 || !strings.Contains(probs[0].Problem, c.want) {
			t.Errorf("options %v: %+v %v, want %q", c.opts, probs, err, c.want)
		}
		if _, err := e.c.Publish(ctx(t), acct, p); connector.ClassOf(err) != connector.Invalid {
			t.Errorf("options %v published: %v", c.opts, err)
		}
	}
	if n := len(e.fake.AllMedia(e.page.Instagram.ID)); n != 1 {
		t.Fatalf("%d media after refusals, want 1", n)
	}
	if v := e.fake.Violations(); len(v) > 0 {
		t.Fatalf("violations: %v", v)
	}
}
