package mastodon

import (
	"errors"
	"strings"
	"testing"

	"github.com/heraldsocial/herald/internal/connector"
	"github.com/heraldsocial/herald/internal/herald"
)

func TestLength(t *testing.T) {
	long := "https://example.com/" + strings.Repeat("a", 200)
	tests := []struct {
		name, text, spoiler string
		urlChars, want      int
	}{
		{"empty", "", "", 23, 0},
		{"ascii", "hello", "", 23, 5},
		{"content warning counts", "hello", "cw", 23, 7},
		{"ZWJ family is one", "👨‍👩‍👧‍👦", "", 23, 1},
		{"skin tone is one", "👍🏽", "", 23, 1},
		{"flag is one", "🇫🇷🇩🇪", "", 23, 2},
		{"combining marks", "e\u0301a\u0308", "", 23, 2},
		{"CJK", "日本語のテキスト", "", 23, 8},
		{"short URL counts 23", "see https://x.co", "", 23, 4 + 23},
		{"long URL counts 23", "see " + long, "", 23, 4 + 23},
		{"instance URL length", "see " + long, "", 30, 4 + 30},
		{"URL without scheme counts itself", "see example.com/abc", "", 23, 19},
		{"remote mention counts as local", "hi @alice@social.example", "", 23, len("hi @alice")},
		{"local mention", "hi @alice", "", 23, len("hi @alice")},
		{"e-mail is not a mention", "mail bob@example.com", "", 23, len("mail bob@example.com")},
		{"mention in URL stays URL", "https://social.example/@alice@other.example", "", 23, 23},
		{"two URLs", "https://a.example https://b.example/x", "", 23, 23 + 1 + 23},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := Length(tt.text, tt.spoiler, tt.urlChars); got != tt.want {
				t.Errorf("Length(%q, %q) = %d, want %d", tt.text, tt.spoiler, got, tt.want)
			}
		})
	}
}

func TestCheckLimits(t *testing.T) {
	info := Instance{MaxChars: 10, URLChars: 23, MaxMedia: 2, ImageBytes: 100, VideoBytes: 1000, AltTextChars: 5,
		MediaTypes: []string{"image/png", "video/mp4"}}
	img := func(size int64, alt string) connector.Media {
		return connector.Media{Asset: herald.MediaAsset{ContentType: "image/png", Size: size, AltText: alt}}
	}
	tests := []struct {
		name   string
		part   connector.Part
		fields []string
	}{
		{"at the limit", connector.Part{Text: strings.Repeat("é", 10)}, nil},
		{"one over", connector.Part{Text: strings.Repeat("é", 11)}, []string{"text"}},
		{"emoji at the limit", connector.Part{Text: strings.Repeat("👩‍🚀", 10)}, nil},
		{"emoji one over", connector.Part{Text: strings.Repeat("👩‍🚀", 11)}, []string{"text"}},
		{"content warning pushes over", connector.Part{Text: "12345678", Options: map[string]string{"spoiler_text": "cw!"}}, []string{"text"}},
		{"empty", connector.Part{}, []string{"text"}},
		{"media only", connector.Part{Media: []connector.Media{img(10, "")}}, nil},
		{"too many media", connector.Part{Text: "x", Media: []connector.Media{img(1, ""), img(1, ""), img(1, "")}}, []string{"media"}},
		{"image too big", connector.Part{Text: "x", Media: []connector.Media{img(101, "")}}, []string{"media[0]"}},
		{"alt text too long", connector.Part{Text: "x", Media: []connector.Media{img(1, "abcdef")}}, []string{"media[0].alt_text"}},
		{"type not accepted", connector.Part{Text: "x", Media: []connector.Media{{Asset: herald.MediaAsset{ContentType: "image/tiff", Size: 1}}}}, []string{"media[0]"}},
		{"video with image", connector.Part{Text: "x", Media: []connector.Media{img(1, ""), {Asset: herald.MediaAsset{ContentType: "video/mp4", Size: 500}}}}, []string{"media"}},
		{"options", connector.Part{Text: "x", Options: map[string]string{"visibility": "friends", "sensitive": "maybe", "language": "English", "poll": "x"}},
			[]string{"options.visibility", "options.sensitive", "options.language", "options.poll"}},
		{"good options", connector.Part{Text: "x", Options: map[string]string{"visibility": "unlisted", "sensitive": "true", "language": "fr", "spoiler_text": "a"}}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, ps := Check(info, tt.part)
			var got []string
			for _, p := range ps {
				got = append(got, p.Field)
				if p.Problem == "" {
					t.Errorf("problem for %s has no words", p.Field)
				}
			}
			if strings.Join(sorted(got), ",") != strings.Join(sorted(tt.fields), ",") {
				t.Errorf("problems %v, want fields %v", ps, tt.fields)
			}
		})
	}
}

func sorted(s []string) []string {
	out := append([]string(nil), s...)
	for i := range out {
		for j := i + 1; j < len(out); j++ {
			if out[j] < out[i] {
				out[i], out[j] = out[j], out[i]
			}
		}
	}
	return out
}

func TestNormalizeInstance(t *testing.T) {
	tests := []struct{ in, want string }{
		{"mastodon.social", "https://mastodon.social"},
		{" https://Mastodon.Social/ ", "https://mastodon.social"},
		{"@me@fosstodon.org", "https://fosstodon.org"},
		{"http://127.0.0.1:8080", "http://127.0.0.1:8080"},
		{"", ""},
		{"ftp://x.example", ""},
		{"https://x.example/path", ""},
		{"https://u:p@x.example", ""},
		{"not a host", ""},
		{"localhost", "https://localhost"},
	}
	for _, tt := range tests {
		got, err := NormalizeInstance(tt.in)
		if tt.want == "" {
			var he *herald.Error
			if !errors.As(err, &he) || he.Code != herald.CodeInvalid || len(he.Details) != 1 || he.Details[0].Field != "instance" {
				t.Errorf("NormalizeInstance(%q) = %q, %v; want an invalid instance error", tt.in, got, err)
			}
			continue
		}
		if err != nil || got != tt.want {
			t.Errorf("NormalizeInstance(%q) = %q, %v; want %q", tt.in, got, err, tt.want)
		}
	}
}

func TestHTMLTextAndFingerprint(t *testing.T) {
	content := `<p>Hello <span class="h-card"><a href="https://o.example/@bob" class="u-url mention">@<span>bob</span></a></span> &amp; see ` +
		`<a href="https://example.com/a/long/path"><span class="invisible">https://</span><span class="ellipsis">example.com/a/lo</span><span class="invisible">ng/path</span></a></p><p>line<br />two #<span>tag</span></p>`
	got := HTMLText(content)
	want := "Hello @bob & see https://example.com/a/long/path\n\nline\ntwo #tag"
	if got != want {
		t.Fatalf("htmlText = %q, want %q", got, want)
	}
	if fingerprint("Hello @bob@o.example & see https://example.com/a/long/path\n\nline\ntwo #tag") != fingerprint(got) {
		t.Errorf("fingerprints differ: %q vs %q", fingerprint("Hello @bob@o.example & see …"), fingerprint(got))
	}
}

func TestIDLessAndLink(t *testing.T) {
	if !idLess("9", "10") || idLess("10", "9") || !idLess("", "1") {
		t.Error("idLess does not order numeric ids by value")
	}
	link := `<https://m.example/api/v1/notifications?max_id=5>; rel="next", <https://m.example/api/v1/notifications?min_id=9&types%5B%5D=mention>; rel="prev"`
	if got := prevMinID(link); got != "9" {
		t.Errorf("prevMinID = %q, want 9", got)
	}
	if got := prevMinID(""); got != "" {
		t.Errorf("prevMinID(\"\") = %q", got)
	}
}
