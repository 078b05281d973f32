package links

import (
	"strconv"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/heraldsocial/herald/internal/herald"
	"github.com/heraldsocial/herald/internal/teststore"
)

func TestRewrite(t *testing.T) {
	teststore.Each(t, func(t *testing.T, st herald.Store) {
		w := newWorld(t, st)
		texts := []string{
			"New loaves! See https://bakery.example/bread. Or (https://bakery.example/cakes?size=l), again: https://bakery.example/bread",
			"Old link " + testBase + "/l/AbCdEfGh stays; so does http://localhost:8080/admin and ftp://files.example/x.",
			"No address here.",
			"Last: https://bakery.example/shop#hours!",
		}
		out := w.rewrite(t, texts...)
		if got := w.st.puts.Load(); got != 1 {
			t.Fatalf("%d PutLinks calls, want 1", got)
		}
		ls, err := w.svc.TargetLinks(t.Context(), w.actors[herald.RoleOwner], w.ws.ID, w.target.ID)
		must(t, err)
		if len(ls) != 3 {
			t.Fatalf("%d links stored, want 3 (one per address): %+v", len(ls), ls)
		}
		code := map[string]string{}
		for _, l := range ls {
			code[l.URL] = l.Code
			if l.WorkspaceID != w.ws.ID || l.TargetID != w.target.ID || l.PostID != w.post.ID || l.CampaignID != w.camp.ID ||
				l.CreatedBy != 0 || !validCode(l.Code) {
				t.Errorf("link %+v", l.Link)
			}
		}
		short := func(u string) string { return testBase + "/l/" + code[u] }
		want := []string{
			"New loaves! See " + short("https://bakery.example/bread") + ". Or (" + short("https://bakery.example/cakes?size=l") +
				"), again: " + short("https://bakery.example/bread"),
			texts[1],
			texts[2],
			"Last: " + short("https://bakery.example/shop#hours") + "!",
		}
		for i := range want {
			if out[i] != want[i] {
				t.Errorf("text %d\n got %q\nwant %q", i, out[i], want[i])
			}
		}
		dest := map[string]string{}
		for _, l := range ls {
			dest[l.URL] = l.Destination
		}
		const utm = "utm_source=mastodon&utm_medium=social&utm_campaign=spring-sale-2026&utm_content="
		pid := itoa(w.post.ID)
		if got := dest["https://bakery.example/shop#hours"]; got != "https://bakery.example/shop?"+utm+pid+"#hours" {
			t.Errorf("destination %s", got)
		}
		if got := dest["https://bakery.example/cakes?size=l"]; got != "https://bakery.example/cakes?size=l&"+utm+pid {
			t.Errorf("destination %s", got)
		}

		// Publishing again (a retry) gives the same short links.
		again := w.rewrite(t, texts...)
		for i := range out {
			if again[i] != out[i] {
				t.Errorf("second rewrite of text %d: %q, first %q", i, again[i], out[i])
			}
		}
		if ls2, _ := w.svc.TargetLinks(t.Context(), w.actors[herald.RoleOwner], w.ws.ID, w.target.ID); len(ls2) != 3 {
			t.Errorf("%d links after a second rewrite, want 3", len(ls2))
		}

		// Texts without an address: no store call at all.
		puts, reads := w.st.puts.Load(), w.st.settingsReads.Load()
		plain := []string{"Just bread.", "", "ftp://files.example/x and mailto:ana@example.com", testBase + "/l/AbCdEfGh"}
		got := w.rewrite(t, plain...)
		for i := range plain {
			if got[i] != plain[i] {
				t.Errorf("text without an address changed: %q", got[i])
			}
		}
		if w.st.puts.Load() != puts || w.st.settingsReads.Load() != reads {
			t.Error("a text without an address to track reached the store")
		}
	})
}

func TestRewriteFollowsTheChoiceToTrack(t *testing.T) {
	teststore.Each(t, func(t *testing.T, st herald.Store) {
		w := newWorld(t, st)
		ctx := t.Context()
		_, err := w.svc.UpdateSettings(ctx, w.actors[herald.RoleManager], w.ws.ID, false, "followers", "EUR")
		must(t, err)
		text := "Bread at https://bakery.example/"
		in := RewriteInput{WorkspaceID: w.ws.ID, TargetID: w.target.ID, PostID: w.post.ID, Platform: herald.PlatformBluesky,
			Texts: []string{text}}
		out, err := w.svc.Rewrite(ctx, in)
		must(t, err)
		if out[0] != text || w.st.puts.Load() != 0 {
			t.Errorf("tracking is off in the workspace, yet %q (%d puts)", out[0], w.st.puts.Load())
		}
		on := true
		in.Links = &herald.LinkTracking{Track: &on, UTM: herald.UTM{Source: "bsky", Term: "rye"}}
		reads := w.st.settingsReads.Load()
		out, err = w.svc.Rewrite(ctx, in)
		must(t, err)
		if _, ok := codeIn(strings.TrimPrefix(out[0], "Bread at ")); !ok {
			t.Errorf("the post tracks its links, yet %q", out[0])
		}
		if w.st.settingsReads.Load() != reads {
			t.Error("the settings were read though the post decides")
		}
		ls, err := w.svc.TargetLinks(ctx, w.actors[herald.RoleOwner], w.ws.ID, w.target.ID)
		must(t, err)
		if want := "https://bakery.example/?utm_source=bsky&utm_medium=social&utm_content=" + itoa(w.post.ID) + "&utm_term=rye"; len(ls) != 1 || ls[0].Destination != want {
			t.Errorf("links %+v, want the destination %s", ls, want)
		}
		off := false
		in.Links = &herald.LinkTracking{Track: &off}
		in.Texts = []string{"Other: https://bakery.example/other"}
		out, err = w.svc.Rewrite(ctx, in)
		must(t, err)
		if out[0] != in.Texts[0] {
			t.Errorf("the post does not track its links, yet %q", out[0])
		}
	})
}

func TestTrackLinks(t *testing.T) {
	teststore.Each(t, func(t *testing.T, st herald.Store) {
		w := newWorld(t, st)
		ctx := t.Context()
		out, err := w.svc.TrackLinks(ctx, w.target, herald.PlatformMastodon, []string{"See https://bakery.example/a", "none"})
		must(t, err)
		code, ok := codeIn(strings.TrimPrefix(out[0], "See "))
		if !ok || out[1] != "none" {
			t.Fatalf("TrackLinks = %q", out)
		}
		l, err := st.LinkByCode(ctx, code)
		must(t, err)
		if want := "https://bakery.example/a?utm_source=mastodon&utm_medium=social&utm_campaign=spring-sale-2026&utm_content=" +
			itoa(w.post.ID); l.Destination != want || l.CampaignID != w.camp.ID {
			t.Errorf("link %+v, want the destination %s", l, want)
		}
		puts := w.st.puts.Load()
		if _, err := w.svc.TrackLinks(ctx, w.target, herald.PlatformMastodon, []string{"nothing to track"}); err != nil ||
			w.st.puts.Load() != puts {
			t.Errorf("TrackLinks without an address: %v, %d puts", err, w.st.puts.Load()-puts)
		}
	})
}

func TestShorten(t *testing.T) {
	svc, err := New(fakeStore{}, Options{BaseURL: "https://herald.example.org/", Sealer: mustKeys(t)})
	must(t, err)
	n := svc.ShortLinkLength()
	if n != len("https://herald.example.org/l/")+8 {
		t.Fatalf("ShortLinkLength = %d", n)
	}
	long := "https://bakery.example/" + strings.Repeat("loaf/", 40)
	tests := []struct{ in, want string }{
		{"no link", "no link"},
		{"Read " + long + ".", "Read " + strings.Repeat("x", n) + "."},
		{"https://a.example and https://b.example/x?y=z", strings.Repeat("x", n) + " and " + strings.Repeat("x", n)},
		{"kept: http://localhost/ and https://herald.example.org/l/AbCdEfGh", "kept: http://localhost/ and https://herald.example.org/l/AbCdEfGh"},
		{"tiny https://t.co", "tiny " + strings.Repeat("x", n)},
	}
	for _, tt := range tests {
		got := svc.Shorten(tt.in)
		if utf8.RuneCountInString(got) != utf8.RuneCountInString(tt.want) {
			t.Errorf("Shorten(%q) = %q: %d characters, want %d", tt.in, got, utf8.RuneCountInString(got), utf8.RuneCountInString(tt.want))
		}
		if got != tt.in && !strings.Contains(got, "https://herald.example.org/l/") {
			t.Errorf("Shorten(%q) = %q: the stand-in is not a link", tt.in, got)
		}
	}
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }
