package linkedin_test

import (
	"context"
	"encoding/json"
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
	"github.com/heraldsocial/herald/internal/connector/linkedin"
	"github.com/heraldsocial/herald/internal/connector/linkedin/linkedinfake"
	"github.com/heraldsocial/herald/internal/herald"
)

type env struct {
	fake *linkedinfake.Server
	ts   *httptest.Server
	c    *linkedin.Connector
}

func newEnv(t *testing.T) *env {
	t.Helper()
	fake := linkedinfake.New("app-1", "app-secret", "782bbtaQ", "Ada Lovelace")
	fake.AddOrg(linkedinfake.Org{ID: 2414183, Name: "Herald Cafe", VanityName: "heraldcafe", Admins: []string{"urn:li:person:782bbtaQ"}})
	fake.AddOrg(linkedinfake.Org{ID: 99, Name: "Someone Else", VanityName: "else"})
	ts := httptest.NewServer(fake)
	t.Cleanup(ts.Close)
	c := linkedin.New(ts.Client(), linkedin.WithApp("app-1", "app-secret"), linkedin.WithBaseURL(ts.URL, ts.URL+"/oauth/v2"))
	return &env{fake: fake, ts: ts, c: c}
}

func ctx(t *testing.T) context.Context {
	c, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	t.Cleanup(cancel)
	return c
}

// connect runs the connection flow through the fake's consent page.
func (e *env) connect(t *testing.T, choice string) (connector.Connected, error) {
	t.Helper()
	start := connector.AuthStart{WorkspaceID: 1, RedirectURL: "https://herald.example/api/v1/connect/callback", State: "st-1", Instance: choice}
	red, err := e.c.Begin(ctx(t), start)
	if err != nil {
		t.Fatalf("Begin: %v", err)
	}
	u, _ := url.Parse(red.URL)
	if got := u.Query().Get("scope"); got != linkedin.Scopes {
		t.Errorf("scope %q, want %q", got, linkedin.Scopes)
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
		t.Fatalf("the consent page sent the browser to %q", res.Header.Get("Location"))
	}
	return e.c.Exchange(ctx(t), start, red.Secret, loc.Query().Get("code"))
}

func (e *env) account(t *testing.T, choice string) connector.Account {
	t.Helper()
	got, err := e.connect(t, choice)
	if err != nil {
		t.Fatalf("connect: %v", err)
	}
	return connector.Account{Account: herald.Account{ID: 1, WorkspaceID: 1, Platform: herald.PlatformLinkedIn,
		RemoteID: got.Account.RemoteID, Handle: got.Account.Handle}, Credentials: got.Credentials}
}

// confFake adapts the fake to the conformance suite.
type confFake struct {
	e     *env
	org   string
	other string
}

func (f confFake) Account(t testing.TB) connector.Account { return f.e.account(t.(*testing.T), f.org) }

func (f confFake) Fail(op conformance.Op, fl conformance.Failure) {
	route := "*"
	if op == conformance.OpPublish {
		route = "POST /rest/posts"
	}
	switch fl {
	case conformance.Dropped:
		f.e.fake.Inject(linkedinfake.Fault{Route: route, Drop: true})
	case conformance.RateLimited:
		f.e.fake.Inject(linkedinfake.RateLimited(route))
	case conformance.Revoked:
		f.e.fake.Inject(linkedinfake.Revoked(route))
	}
}

func author(acct connector.Account) string {
	var cr linkedin.Credentials
	_ = json.Unmarshal(acct.Credentials, &cr)
	return cr.Author
}

func (f confFake) Posts(acct connector.Account) []conformance.Remote {
	var out []conformance.Remote
	for _, p := range f.e.fake.Posts() {
		if p.Author != author(acct) {
			continue
		}
		out = append(out, conformance.Remote{ID: p.URN, Text: p.Commentary, ReplyTo: p.Parent, Media: len(p.Images), Deleted: p.Deleted})
	}
	return out
}

func (f confFake) SetMetrics(id string, m connector.Metrics) {
	f.e.fake.SetCounts(id, m.Likes, m.Replies)
	f.e.fake.SetStats(id, max(m.Reposts, 0), max(m.Impressions, 0))
}

func (f confFake) Mention(acct connector.Account, text, replyTo string) string {
	return f.e.fake.Comment("urn:li:person:other1", replyTo, text)
}

func (f confFake) Violations() []string { return f.e.fake.Violations() }

func TestConformanceMember(t *testing.T) {
	conformance.Run(t, func(t *testing.T) conformance.Setup {
		e := newEnv(t)
		return conformance.Setup{Connector: e.c, Fake: confFake{e: e}}
	})
}

func TestConformanceOrganization(t *testing.T) {
	conformance.Run(t, func(t *testing.T) conformance.Setup {
		e := newEnv(t)
		return conformance.Setup{Connector: e.c, Fake: confFake{e: e, org: "heraldcafe"}}
	})
}

func TestConnectChoosesAuthor(t *testing.T) {
	e := newEnv(t)
	me, err := e.connect(t, "")
	if err != nil {
		t.Fatal(err)
	}
	if me.Account.RemoteID != "urn:li:person:782bbtaQ" || me.Account.DisplayName != "Ada Lovelace" || me.Account.TokenExpiresAt == nil {
		t.Errorf("member account %+v", me.Account)
	}
	for _, choice := range []string{"heraldcafe", "2414183", "https://www.linkedin.com/company/heraldcafe/", "Herald Cafe"} {
		org, err := e.connect(t, choice)
		if err != nil {
			t.Fatalf("connect %q: %v", choice, err)
		}
		if org.Account.RemoteID != "urn:li:organization:2414183" || org.Account.Handle != "heraldcafe" {
			t.Errorf("%q connected %+v", choice, org.Account)
		}
	}
	_, err = e.connect(t, "else")
	if err == nil || !strings.Contains(err.Error(), "Herald Cafe") {
		t.Errorf("an organization the member does not administer gave %v, want a refusal naming the ones they do", err)
	}
}

func TestEscapeAndCommentary(t *testing.T) {
	e := newEnv(t)
	acct := e.account(t, "")
	text := `Launch (v2) #news @team [link] <b> *bold* _it_ ~x~ {a|b} back\slash`
	if _, err := e.c.Publish(ctx(t), acct, connector.Part{Text: text, Key: "k"}); err != nil {
		t.Fatal(err)
	}
	want := `Launch \(v2\) \#news \@team \[link\] \<b\> \*bold\* \_it\_ \~x\~ \{a\|b\} back\\slash`
	if got := e.fake.Posts()[0].Commentary; got != want {
		t.Errorf("commentary %q, want %q", got, want)
	}
	ref, found, err := e.c.Find(ctx(t), acct, connector.Part{Text: text, Key: "k"})
	if err != nil || !found || ref.ID != e.fake.Posts()[0].URN {
		t.Errorf("Find gave %v %v %v", ref, found, err)
	}
}

func TestDuplicateSettlesOnTheEarlierPost(t *testing.T) {
	e := newEnv(t)
	acct := e.account(t, "")
	p := connector.Part{Text: "Once only", Key: "k"}
	first, err := e.c.Publish(ctx(t), acct, p)
	if err != nil {
		t.Fatal(err)
	}
	again, err := e.c.Publish(ctx(t), acct, p)
	if err != nil || again.ID != first.ID {
		t.Fatalf("a duplicate gave %v, %v; want the first post %q", again, err, first.ID)
	}
}

func TestMultiImageAltText(t *testing.T) {
	e := newEnv(t)
	acct := e.account(t, "")
	img := connector.Media{Asset: herald.MediaAsset{ContentType: "image/png", AltText: "a cat"},
		Open: func(context.Context) (io.ReadCloser, error) { return io.NopCloser(strings.NewReader("png bytes")), nil }}
	var saved map[string]string
	p := connector.Part{Text: "Cats", Media: []connector.Media{img, img, img},
		Save: func(_ context.Context, cp map[string]string) error { saved = cp; return nil }}
	if _, err := e.c.Publish(ctx(t), acct, p); err != nil {
		t.Fatal(err)
	}
	got := e.fake.Posts()[0]
	if len(got.Images) != 3 || got.AltTexts[2] != "a cat" {
		t.Errorf("post %+v", got)
	}
	if len(strings.Fields(saved["images"])) != 3 {
		t.Errorf("checkpoint %v", saved)
	}
}

func TestTokenErrors(t *testing.T) {
	e := newEnv(t)
	acct := e.account(t, "")
	var cr linkedin.Credentials
	_ = json.Unmarshal(acct.Credentials, &cr)
	e.fake.ExpireToken(cr.AccessToken)
	_, err := e.c.Publish(ctx(t), acct, connector.Part{Text: "x"})
	if c := connector.ClassOf(err); c != connector.AuthExpired {
		t.Errorf("an expired token gave %v, want auth_expired", err)
	}
	e.fake.RevokeToken(cr.AccessToken)
	_, err = e.c.Publish(ctx(t), acct, connector.Part{Text: "x"})
	if c := connector.ClassOf(err); c != connector.AuthRevoked {
		t.Errorf("a revoked token gave %v, want auth_revoked", err)
	}
}

func TestRefresh(t *testing.T) {
	e := newEnv(t)
	acct := e.account(t, "")
	if _, _, err := e.c.Refresh(ctx(t), acct); err == nil {
		t.Error("Refresh without a refresh token succeeded")
	}
	e.fake.GrantRefresh = true
	acct = e.account(t, "")
	creds, exp, err := e.c.Refresh(ctx(t), acct)
	if err != nil || exp == nil {
		t.Fatalf("Refresh: %v", err)
	}
	acct.Credentials = creds
	if _, err := e.c.Publish(ctx(t), acct, connector.Part{Text: "fresh"}); err != nil {
		t.Errorf("publish with the refreshed token: %v", err)
	}
}

func TestRateLimitWaitsForMidnightUTC(t *testing.T) {
	e := newEnv(t)
	now := time.Date(2026, 3, 1, 22, 0, 0, 0, time.UTC)
	c := linkedin.New(e.ts.Client(), linkedin.WithApp("app-1", "app-secret"), linkedin.WithBaseURL(e.ts.URL, e.ts.URL+"/oauth/v2"),
		linkedin.WithClock(func() time.Time { return now }))
	acct := e.account(t, "")
	e.fake.Inject(linkedinfake.RateLimited("POST /rest/posts"))
	_, err := c.Publish(ctx(t), acct, connector.Part{Text: "x"})
	var ce *connector.Error
	if !errors.As(err, &ce) || ce.Class != connector.RateLimited || ce.RetryAfter != 2*time.Hour {
		t.Errorf("got %v, want rate_limited for 2h", err)
	}
}

func TestValidateVisibility(t *testing.T) {
	e := newEnv(t)
	org := e.account(t, "heraldcafe")
	_, probs, _ := e.c.Validate(ctx(t), org, connector.Part{Text: "x", Options: map[string]string{"visibility": "CONNECTIONS"}})
	if len(probs) != 1 {
		t.Errorf("an organization post to connections: %+v", probs)
	}
	me := e.account(t, "")
	_, probs, _ = e.c.Validate(ctx(t), me, connector.Part{Text: "x", Options: map[string]string{"visibility": "CONNECTIONS"}})
	if len(probs) != 0 {
		t.Errorf("a member post to connections: %+v", probs)
	}
	if _, err := e.c.Publish(ctx(t), me, connector.Part{Text: "x", Options: map[string]string{"visibility": "CONNECTIONS"}}); err != nil {
		t.Fatal(err)
	}
	if v := e.fake.Posts()[0].Visibility; v != "CONNECTIONS" {
		t.Errorf("visibility %q", v)
	}
}

// Without r_member_social LinkedIn refuses reading a member's posts: the
// lookup cannot tell, which is Invalid (the part stays unconfirmed), not
// a revoked token.
func TestFindWithoutMemberRead(t *testing.T) {
	e := newEnv(t)
	e.fake.MemberReadRestricted = true
	acct := e.account(t, "")
	_, _, err := e.c.Find(ctx(t), acct, connector.Part{Text: "x"})
	if c := connector.ClassOf(err); c != connector.Invalid {
		t.Errorf("Find gave %v, want invalid", err)
	}
	org := e.account(t, "heraldcafe")
	if _, _, err := e.c.Find(ctx(t), org, connector.Part{Text: "x"}); err != nil {
		t.Errorf("Find for an organization: %v", err)
	}
}

// An organization's posts have reposts and impressions; a member's do not.
func TestMetricsOrganizationStatistics(t *testing.T) {
	e := newEnv(t)
	org := e.account(t, "heraldcafe")
	ref, err := e.c.Publish(ctx(t), org, connector.Part{Text: "Stats"})
	if err != nil {
		t.Fatal(err)
	}
	e.fake.SetCounts(ref.ID, 4, 1)
	e.fake.SetStats(ref.ID, 2, 90)
	got, err := e.c.Metrics(ctx(t), org, []herald.RemoteRef{ref})
	if err != nil {
		t.Fatal(err)
	}
	if m := got[ref.ID]; m.Likes != 4 || m.Replies != 1 || m.Reposts != 2 || m.Impressions != 90 || m.Quotes != -1 {
		t.Errorf("organization metrics %+v", m)
	}
	me := e.account(t, "")
	mref, err := e.c.Publish(ctx(t), me, connector.Part{Text: "Mine"})
	if err != nil {
		t.Fatal(err)
	}
	got, err = e.c.Metrics(ctx(t), me, []herald.RemoteRef{mref})
	if err != nil {
		t.Fatal(err)
	}
	if m := got[mref.ID]; m.Reposts != -1 || m.Impressions != -1 {
		t.Errorf("member metrics %+v", m)
	}
	if v := e.fake.Violations(); len(v) > 0 {
		t.Errorf("violations: %v", v)
	}
}

func TestArticlePost(t *testing.T) {
	e := newEnv(t)
	acct := e.account(t, "heraldcafe")
	img := connector.Media{Asset: herald.MediaAsset{ContentType: "image/png", AltText: "the menu"},
		Open: func(context.Context) (io.ReadCloser, error) { return io.NopCloser(strings.NewReader("png bytes")), nil }}
	opts := map[string]string{linkedin.OptionLink: "https://herald.example/menu", linkedin.OptionLinkTitle: "Our new menu",
		linkedin.OptionLinkDescription: "Spring dishes"}
	p := connector.Part{Text: "Read about it", Media: []connector.Media{img}, Options: opts}
	if _, probs, _ := e.c.Validate(ctx(t), acct, p); len(probs) != 0 {
		t.Fatalf("a link post with a thumbnail: %+v", probs)
	}
	ref, err := e.c.Publish(ctx(t), acct, p)
	if err != nil {
		t.Fatal(err)
	}
	got := e.fake.Posts()[0]
	a := got.Article
	if got.URN != ref.ID || a == nil || a.Source != opts[linkedin.OptionLink] || a.Title != "Our new menu" ||
		a.Description != "Spring dishes" || a.Thumbnail == "" || a.ThumbnailAltText != "the menu" {
		t.Fatalf("post %+v, article %+v", got, a)
	}
	for name, o := range map[string]map[string]string{
		"no title":      {linkedin.OptionLink: "https://herald.example/menu"},
		"relative link": {linkedin.OptionLink: "/menu", linkedin.OptionLinkTitle: "Menu"},
		"title alone":   {linkedin.OptionLinkTitle: "Menu"},
	} {
		if _, probs, _ := e.c.Validate(ctx(t), acct, connector.Part{Text: "x", Options: o}); len(probs) != 1 {
			t.Errorf("%s: %+v, want one problem", name, probs)
		}
	}
	two := connector.Part{Text: "x", Media: []connector.Media{img, img}, Options: opts}
	if _, probs, _ := e.c.Validate(ctx(t), acct, two); len(probs) != 1 || probs[0].Field != "media" {
		t.Errorf("two images on a link post: %+v", probs)
	}
	if v := e.fake.Violations(); len(v) > 0 {
		t.Fatalf("violations: %v", v)
	}
}
