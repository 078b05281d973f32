package bluesky_test

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/bluesky-social/indigo/atproto/syntax"

	"github.com/heraldsocial/herald/internal/connector"
	"github.com/heraldsocial/herald/internal/connector/bluesky"
	"github.com/heraldsocial/herald/internal/connector/bluesky/blueskyfake"
	"github.com/heraldsocial/herald/internal/herald"
)

func TestConnectWithPassword(t *testing.T) {
	e := newEnv(t, blueskyfake.Config{})
	ctx := context.Background()
	if e.alice.RemoteID != e.aliceInfo.DID || e.alice.Handle != "alice.test" || e.alice.DisplayName != "Alice" ||
		e.alice.InstanceURL != e.url || e.alice.Platform != herald.PlatformBluesky || e.alice.TokenExpiresAt == nil {
		t.Errorf("connected account = %+v", e.alice.Account)
	}
	cr := creds(t, e.alice)
	if cr.DID != e.aliceInfo.DID || cr.PDS != e.url || cr.AccessJWT == "" || cr.RefreshJWT == "" || cr.AppPassword != e.aliceInfo.AppPassword {
		t.Errorf("credentials = %+v", cr)
	}

	// Connecting again reuses the session: createSession is rate limited.
	before := e.fake.Calls("com.atproto.server.createSession")
	if _, err := e.c.ConnectWithPassword(ctx, "@Alice.Test", e.aliceInfo.AppPassword); err != nil {
		t.Fatal(err)
	}
	if _, err := e.c.ConnectWithPassword(ctx, e.aliceInfo.DID, e.aliceInfo.AppPassword); err != nil {
		t.Fatalf("connect by DID: %v", err)
	}
	if got := e.fake.Calls("com.atproto.server.createSession"); got != before {
		t.Errorf("createSession called %d more times; want the cached session", got-before)
	}

	tests := []struct {
		name       string
		identifier string
		password   string
		field      string
	}{
		{"wrong password", "alice.test", "aaaa-bbbb-cccc-dddd", "password"},
		{"no password", "alice.test", " ", "password"},
		{"unknown handle", "carol.test", "aaaa-bbbb-cccc-dddd", "identifier"},
		{"not a handle", "not a handle", "aaaa-bbbb-cccc-dddd", "identifier"},
		{"no identifier", "", "aaaa-bbbb-cccc-dddd", "identifier"},
		{"unknown DID", "did:plc:nobodyatall0000000000", "aaaa-bbbb-cccc-dddd", "identifier"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := e.c.ConnectWithPassword(ctx, tt.identifier, tt.password)
			var he *herald.Error
			if !asHerald(err, &he) || he.Code != herald.CodeInvalid || len(he.Details) == 0 || he.Details[0].Field != tt.field {
				t.Fatalf("err = %v; want an invalid-input error on %s", err, tt.field)
			}
		})
	}
}

func asHerald(err error, target **herald.Error) bool {
	for err != nil {
		if he, ok := err.(*herald.Error); ok {
			*target = he
			return true
		}
		u, ok := err.(interface{ Unwrap() error })
		if !ok {
			return false
		}
		err = u.Unwrap()
	}
	return false
}

func TestPublishText(t *testing.T) {
	e := newEnv(t, blueskyfake.Config{})
	ctx := context.Background()
	text := "🦋 Hi @bob.test and @nobody.test, see https://example.com/a. #Herald"
	ref, err := e.c.Publish(ctx, e.alice, connector.Part{Text: text, Key: "herald-1-0",
		Options: map[string]string{"language": "en, fr", "labels": "graphic-media"}})
	if err != nil {
		t.Fatal(err)
	}
	u, err := syntax.ParseATURI(ref.ID)
	if err != nil || u.Authority().String() != e.aliceInfo.DID || u.Collection().String() != "app.bsky.feed.post" {
		t.Fatalf("ref = %+v", ref)
	}
	if ref.Meta["cid"] == "" || ref.Meta["uri"] != ref.ID || ref.Meta["rkey"] != bluesky.RecordKey(e.aliceInfo.DID, "herald-1-0", 0) ||
		ref.URL != "https://bsky.app/profile/alice.test/post/"+ref.Meta["rkey"] {
		t.Errorf("ref = %+v", ref)
	}
	rec := e.record(t, ref.ID)
	if rec["text"] != text || fmt.Sprint(rec["langs"]) != "[en fr]" || dig(rec, "labels", "values", 0, "val") != "graphic-media" {
		t.Errorf("record = %v", rec)
	}
	facets, _ := rec["facets"].([]any)
	got := map[string]string{}
	for _, f := range facets {
		start := int(dig(f, "index", "byteStart").(float64))
		end := int(dig(f, "index", "byteEnd").(float64))
		typ := dig(f, "features", 0, "$type").(string)
		got[typ] = text[start:end]
		if typ == "app.bsky.richtext.facet#mention" && dig(f, "features", 0, "did") != e.bobInfo.DID {
			t.Errorf("mention points to %v", dig(f, "features", 0, "did"))
		}
	}
	want := map[string]string{
		"app.bsky.richtext.facet#mention": "@bob.test", // @nobody.test does not resolve: plain text
		"app.bsky.richtext.facet#link":    "https://example.com/a",
		"app.bsky.richtext.facet#tag":     "#Herald",
	}
	if fmt.Sprint(got) != fmt.Sprint(want) || len(facets) != 3 {
		t.Errorf("facets cover %v, want %v", got, want)
	}
	if rec["embed"] != nil {
		t.Errorf("a link to an unreachable page got an embed: %v", rec["embed"])
	}
}

func TestPublishRetrySafe(t *testing.T) {
	e := newEnv(t, blueskyfake.Config{})
	ctx := context.Background()
	p := connector.Part{Text: "once only", Key: "herald-2-0"}
	if !e.c.Idempotent(context.Background(), connector.Account{}) {
		t.Fatal("Idempotent() = false")
	}
	if _, found, err := e.c.Find(ctx, e.alice, p); err != nil || found {
		t.Fatalf("Find before publishing = %v, %v", found, err)
	}
	// The first attempt gets through, but its answer is lost.
	e.fake.Fail("com.atproto.repo.putRecord", blueskyfake.Fault{Drop: true})
	_, err := e.c.Publish(ctx, e.alice, p)
	if err == nil || connector.ClassOf(err) != connector.Ambiguous {
		t.Fatalf("publish with a lost answer = %v; want ambiguous", err)
	}
	found, ok, err := e.c.Find(ctx, e.alice, p)
	if err != nil || !ok {
		t.Fatalf("Find after the lost answer = %v, %v", ok, err)
	}
	// Retrying is a no-op that returns the same post (its createdAt differs,
	// so the PDS refuses the swap and the connector recognises its post).
	again, err := e.c.Publish(ctx, e.alice, p)
	if err != nil || again.ID != found.ID || again.Meta["cid"] != found.Meta["cid"] {
		t.Fatalf("retry = %+v, %v; want %+v", again, err, found)
	}
	if n := len(e.fake.Records(e.aliceInfo.DID, "app.bsky.feed.post")); n != 1 {
		t.Errorf("the account has %d posts; want 1", n)
	}

	// A record key taken by another post (another Herald, an old database)
	// moves the part to its next key; both are found again.
	other := connector.Part{Text: "a different post with the same key", Key: "herald-2-0"}
	ref2, err := e.c.Publish(ctx, e.alice, other)
	if err != nil {
		t.Fatal(err)
	}
	if ref2.ID == found.ID || ref2.Meta["rkey"] != bluesky.RecordKey(e.aliceInfo.DID, "herald-2-0", 1) {
		t.Errorf("second post = %+v; want the next record key", ref2)
	}
	if f, ok, err := e.c.Find(ctx, e.alice, other); err != nil || !ok || f.ID != ref2.ID {
		t.Errorf("Find the second = %+v, %v, %v", f, ok, err)
	}
	if f, ok, err := e.c.Find(ctx, e.alice, p); err != nil || !ok || f.ID != found.ID {
		t.Errorf("Find the first = %+v, %v, %v", f, ok, err)
	}
	// A part without a key derives one from its content.
	a1, err1 := e.c.Publish(ctx, e.alice, connector.Part{Text: "no key"})
	a2, err2 := e.c.Publish(ctx, e.alice, connector.Part{Text: "no key"})
	if err1 != nil || err2 != nil || a1.ID != a2.ID {
		t.Errorf("keyless publishes = %v %v, %v %v; want one post", a1.ID, err1, a2.ID, err2)
	}
}

func TestRecordKey(t *testing.T) {
	k := bluesky.RecordKey("did:plc:a", "herald-1-0", 0)
	if _, err := syntax.ParseTID(k); err != nil {
		t.Fatalf("RecordKey = %q: %v", k, err)
	}
	if bluesky.RecordKey("did:plc:a", "herald-1-0", 0) != k {
		t.Error("RecordKey is not deterministic")
	}
	tid, _ := syntax.ParseTID(k)
	if y := tid.Time().Year(); y < 2022 || y > 2025 {
		t.Errorf("the TID's time is %v; want 2022–2025", tid.Time())
	}
	seen := map[string]bool{k: true}
	for _, other := range []string{
		bluesky.RecordKey("did:plc:b", "herald-1-0", 0),
		bluesky.RecordKey("did:plc:a", "herald-1-1", 0),
		bluesky.RecordKey("did:plc:a", "herald-1-0", 1),
	} {
		if seen[other] {
			t.Errorf("RecordKey collides: %s", other)
		}
		seen[other] = true
	}
}

func TestPublishThreadImagesAndComment(t *testing.T) {
	e := newEnv(t, blueskyfake.Config{})
	ctx := context.Background()
	img := pngBytes(t, 40, 30)
	root, err := e.c.Publish(ctx, e.alice, connector.Part{Text: "thread start", Key: "herald-3-0",
		Media: []connector.Media{imageMedia(img, "a gradient", 40, 30), imageMedia(img, "", 0, 0)}})
	if err != nil {
		t.Fatal(err)
	}
	rec := e.record(t, root.ID)
	if dig(rec, "embed", "$type") != "app.bsky.embed.images" || dig(rec, "embed", "images", 0, "alt") != "a gradient" ||
		dig(rec, "embed", "images", 0, "aspectRatio", "width") != 40.0 || dig(rec, "embed", "images", 1, "aspectRatio") != nil ||
		dig(rec, "embed", "images", 1, "alt") != "" || dig(rec, "embed", "images", 0, "image", "$type") != "blob" {
		t.Errorf("images embed = %v", rec["embed"])
	}
	part1, err := e.c.Publish(ctx, e.alice, connector.Part{Index: 1, Text: "second", Key: "herald-3-1", ReplyTo: &root, Root: &root})
	if err != nil {
		t.Fatal(err)
	}
	part2, err := e.c.Publish(ctx, e.alice, connector.Part{Index: 2, Text: "third", Key: "herald-3-2", ReplyTo: &part1, Root: &root})
	if err != nil {
		t.Fatal(err)
	}
	comment, err := e.c.Publish(ctx, e.alice, connector.Part{Index: -1, Comment: true, Text: "first comment", Key: "herald-3-c", Root: &root, ReplyTo: &root})
	if err != nil {
		t.Fatal(err)
	}
	for _, tt := range []struct {
		ref            herald.RemoteRef
		parent, rootOf herald.RemoteRef
	}{{part1, root, root}, {part2, part1, root}, {comment, root, root}} {
		r := e.record(t, tt.ref.ID)
		if dig(r, "reply", "parent", "uri") != tt.parent.ID || dig(r, "reply", "parent", "cid") != tt.parent.Meta["cid"] ||
			dig(r, "reply", "root", "uri") != tt.rootOf.ID || dig(r, "reply", "root", "cid") != tt.rootOf.Meta["cid"] {
			t.Errorf("%s reply = %v", tt.ref.ID, r["reply"])
		}
	}
	// A reference without a cid (from an older Herald) gets it from the record.
	bare := herald.RemoteRef{ID: part2.ID}
	part3, err := e.c.Publish(ctx, e.alice, connector.Part{Index: 3, Text: "fourth", Key: "herald-3-3", ReplyTo: &bare, Root: &herald.RemoteRef{ID: root.ID}})
	if err != nil {
		t.Fatal(err)
	}
	if r := e.record(t, part3.ID); dig(r, "reply", "parent", "cid") != part2.Meta["cid"] || dig(r, "reply", "root", "cid") != root.Meta["cid"] {
		t.Errorf("reply refs from bare references = %v", r["reply"])
	}
	// A thread part must say what it answers.
	if _, err := e.c.Publish(ctx, e.alice, connector.Part{Index: 1, Text: "orphan", Key: "herald-3-9"}); classOf(t, err) != connector.Invalid {
		t.Errorf("orphan thread part: %v", err)
	}
}

func TestPublishRefusesBadMedia(t *testing.T) {
	e := newEnv(t, blueskyfake.Config{})
	ctx := context.Background()
	big := make([]byte, bluesky.DefaultMaxImageBytes+1)
	video := imageMedia([]byte("x"), "", 0, 0)
	video.Asset.ContentType = "video/mp4"
	tests := []struct {
		name  string
		media []connector.Media
	}{
		{"too large", []connector.Media{imageMedia(big, "", 0, 0)}},
		{"video", []connector.Media{video}},
		{"five images", []connector.Media{imageMedia([]byte("a"), "", 0, 0), imageMedia([]byte("a"), "", 0, 0),
			imageMedia([]byte("a"), "", 0, 0), imageMedia([]byte("a"), "", 0, 0), imageMedia([]byte("a"), "", 0, 0)}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			before := e.fake.Calls("com.atproto.repo.uploadBlob")
			_, err := e.c.Publish(ctx, e.alice, connector.Part{Text: "x", Key: "herald-4-" + tt.name, Media: tt.media})
			if classOf(t, err) != connector.Invalid {
				t.Errorf("err = %v; want invalid", err)
			}
			if e.fake.Calls("com.atproto.repo.uploadBlob") != before {
				t.Error("uploaded before refusing")
			}
		})
	}
	// The size on record may be wrong: the bytes decide.
	lying := imageMedia(big, "", 0, 0)
	lying.Asset.Size = 10
	if _, err := e.c.Publish(ctx, e.alice, connector.Part{Text: "x", Key: "herald-4-lying", Media: []connector.Media{lying}}); classOf(t, err) != connector.Invalid {
		t.Errorf("an image larger than its recorded size: %v", err)
	}
}

func TestLinkCard(t *testing.T) {
	thumb := pngBytes(t, 30, 20)
	page := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/og":
			w.Header().Set("Content-Type", "text/html; charset=utf-8")
			fmt.Fprint(w, `<html><head><meta property="og:title" content="The Title"><meta property="og:description" content="The description">
<meta property="og:image" content="img.png"></head><body><meta property="og:title" content="ignored"></body></html>`)
		case "/plain":
			w.Header().Set("Content-Type", "text/html")
			fmt.Fprint(w, `<html><head><title> Only a title </title><meta name="description" content="From meta"></head></html>`)
		case "/img.png":
			w.Header().Set("Content-Type", "image/png")
			_, _ = w.Write(thumb)
		case "/json":
			w.Header().Set("Content-Type", "application/json")
			fmt.Fprint(w, `{"og:title":"no"}`)
		case "/huge":
			w.Header().Set("Content-Type", "text/html")
			fmt.Fprint(w, `<html><head><meta property="og:title" content="Huge"><meta property="og:image" content="/big.png"></head>`)
		case "/big.png":
			w.Header().Set("Content-Type", "image/png")
			_, _ = w.Write(make([]byte, bluesky.MaxThumbBytes+1))
		default:
			http.NotFound(w, r)
		}
	}))
	defer page.Close()
	e := newEnv(t, blueskyfake.Config{})
	ctx := context.Background()
	tests := []struct {
		name              string
		c                 *bluesky.Connector
		path              string
		title, desc       string
		thumb, card, link bool
	}{
		{"open graph", e.c, "/og", "The Title", "The description", true, true, true},
		{"title and description fallbacks", e.c, "/plain", "Only a title", "From meta", false, true, true},
		{"thumbnail too large", e.c, "/huge", "Huge", "", false, true, true},
		{"not html", e.c, "/json", "", "", false, false, true},
		{"404", e.c, "/missing", "", "", false, false, true},
		{"loopback refused without the test option", e.connector(bluesky.WithLoopbackLinks(false)), "/og", "", "", false, false, true},
		{"cards off", e.connector(bluesky.WithLinkCards(false)), "/og", "", "", false, false, true},
	}
	for i, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			link := page.URL + tt.path
			ref, err := tt.c.Publish(ctx, e.alice, connector.Part{Text: "read " + link, Key: fmt.Sprintf("herald-5-%d", i)})
			if err != nil {
				t.Fatal(err)
			}
			rec := e.record(t, ref.ID)
			if (dig(rec, "facets", 0, "features", 0, "uri") == link) != tt.link {
				t.Errorf("link facet = %v", rec["facets"])
			}
			if !tt.card {
				if rec["embed"] != nil {
					t.Errorf("embed = %v; want none", rec["embed"])
				}
				return
			}
			if dig(rec, "embed", "$type") != "app.bsky.embed.external" || dig(rec, "embed", "external", "uri") != link ||
				dig(rec, "embed", "external", "title") != tt.title || dig(rec, "embed", "external", "description") != tt.desc ||
				(dig(rec, "embed", "external", "thumb") != nil) != tt.thumb {
				t.Errorf("embed = %v", rec["embed"])
			}
		})
	}
	// Images win over a card.
	ref, err := e.c.Publish(ctx, e.alice, connector.Part{Text: "pic and " + page.URL + "/og", Key: "herald-5-img",
		Media: []connector.Media{imageMedia(thumb, "alt", 30, 20)}})
	if err != nil {
		t.Fatal(err)
	}
	if rec := e.record(t, ref.ID); dig(rec, "embed", "$type") != "app.bsky.embed.images" {
		t.Errorf("embed = %v; want the images", rec["embed"])
	}
}

func TestLinkCardAddresses(t *testing.T) {
	// Publishing to a fake would need a page on each address; the refusal
	// happens at dial time, so a link to each address must leave no card
	// and never reach it.
	e := newEnv(t, blueskyfake.Config{}, bluesky.WithLoopbackLinks(false))
	ctx := context.Background()
	for i, host := range []string{"127.0.0.1:9", "[::1]:9", "10.0.0.1", "192.168.1.1", "172.16.0.1", "169.254.169.254",
		"100.64.0.1", "0.0.0.0", "[fe80::1]", "[fc00::1]", "localhost:9"} {
		t.Run(host, func(t *testing.T) {
			link := "http://" + host + "/page"
			ref, err := e.c.Publish(ctx, e.alice, connector.Part{Text: "see " + link, Key: fmt.Sprintf("herald-6-%d", i)})
			if err != nil {
				t.Fatal(err)
			}
			if rec := e.record(t, ref.ID); rec["embed"] != nil {
				t.Errorf("embed = %v; want none", rec["embed"])
			}
		})
	}
}

func TestValidateOptionsAndMedia(t *testing.T) {
	c := bluesky.New(nil)
	video := imageMedia([]byte("x"), "", 0, 0)
	video.Asset.ContentType = "video/mp4"
	pdf := imageMedia([]byte("x"), "", 0, 0)
	pdf.Asset.ContentType = "application/pdf"
	big := imageMedia([]byte("x"), "", 0, 0)
	big.Asset.Size = bluesky.DefaultMaxImageBytes + 1
	longAlt := imageMedia([]byte("x"), strings.Repeat("🦋", bluesky.MaxAltGraphemes+1), 0, 0)
	okAlt := imageMedia([]byte("x"), strings.Repeat("🦋", bluesky.MaxAltGraphemes), 0, 0)
	tests := []struct {
		name   string
		part   connector.Part
		fields []string
	}{
		{"fine", connector.Part{Text: "hi", Options: map[string]string{"language": "pt-BR", "labels": "nudity"}}, nil},
		{"image only", connector.Part{Media: []connector.Media{okAlt}}, nil},
		{"bad language", connector.Part{Text: "hi", Options: map[string]string{"language": "english!"}}, []string{"options.language"}},
		{"four languages", connector.Part{Text: "hi", Options: map[string]string{"language": "en,fr,de,es"}}, []string{"options.language"}},
		{"bad label", connector.Part{Text: "hi", Options: map[string]string{"labels": "spoiler"}}, []string{"options.labels"}},
		{"video", connector.Part{Text: "hi", Media: []connector.Media{video}}, []string{"media[0]"}},
		{"pdf", connector.Part{Text: "hi", Media: []connector.Media{pdf}}, []string{"media[0]"}},
		{"too big", connector.Part{Text: "hi", Media: []connector.Media{big}}, []string{"media[0]"}},
		{"alt too long", connector.Part{Text: "hi", Media: []connector.Media{longAlt}}, []string{"media[0].alt_text"}},
		{"five images", connector.Part{Text: "hi", Media: []connector.Media{okAlt, okAlt, okAlt, okAlt, okAlt}}, []string{"media"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, problems, err := c.Validate(context.Background(), connector.Account{}, tt.part)
			if err != nil {
				t.Fatal(err)
			}
			var fields []string
			for _, p := range problems {
				fields = append(fields, p.Field)
			}
			if strings.Join(fields, ",") != strings.Join(tt.fields, ",") {
				t.Errorf("problems = %+v; want fields %v", problems, tt.fields)
			}
		})
	}
	l, err := c.Limits(context.Background(), connector.Account{})
	if err != nil || l.MaxChars != 300 || l.MaxMedia != 4 || l.MaxImageBytes != 1_000_000 || !l.FirstComment || l.MaxThreadParts < 2 {
		t.Errorf("Limits = %+v, %v", l, err)
	}
}
