package x

import (
	"context"
	"strings"
	"testing"

	"github.com/heraldsocial/herald/internal/connector"
	"github.com/heraldsocial/herald/internal/herald"
)

func media(ct string, size int64, alt string) connector.Media {
	return connector.Media{Asset: herald.MediaAsset{Filename: "f", ContentType: ct, Size: size, AltText: alt}}
}

func TestValidate(t *testing.T) {
	c := New(nil)
	img := media("image/jpeg", 1<<20, "")
	tests := []struct {
		name   string
		part   connector.Part
		length int
		fields []string // fields with problems, in order
	}{
		{"fine", connector.Part{Text: "Hello"}, 5, nil},
		{"empty", connector.Part{Text: "  "}, 2, []string{"text"}},
		{"media only", connector.Part{Media: []connector.Media{img}}, 0, nil},
		{"ascii at the limit", connector.Part{Text: strings.Repeat("a", 280)}, 280, nil},
		{"ascii one over", connector.Part{Text: strings.Repeat("a", 281)}, 281, []string{"text"}},
		{"cjk at the limit", connector.Part{Text: strings.Repeat("語", 140)}, 280, nil},
		{"cjk one over", connector.Part{Text: strings.Repeat("語", 141)}, 282, []string{"text"}},
		{"emoji one over", connector.Part{Text: strings.Repeat("👩🏽\u200D🚀", 141)}, 282, []string{"text"}},
		{"long link counts 23", connector.Part{Text: strings.Repeat("a", 257) + " https://example.com/" + strings.Repeat("p", 300)}, 281, []string{"text"}},
		{"refused character", connector.Part{Text: "a\uFFFE"}, 3, []string{"text"}},
		{"four images", connector.Part{Text: "x", Media: []connector.Media{img, img, img, img}}, 1, nil},
		{"five images", connector.Part{Text: "x", Media: []connector.Media{img, img, img, img, img}}, 1, []string{"media"}},
		{"video with an image", connector.Part{Text: "x", Media: []connector.Media{media("video/mp4", 10, ""), img}}, 1, []string{"media"}},
		{"two gifs", connector.Part{Text: "x", Media: []connector.Media{media("image/gif", 10, ""), media("image/gif", 10, "")}}, 1, []string{"media"}},
		{"image too large", connector.Part{Text: "x", Media: []connector.Media{media("image/png", 5<<20+1, "")}}, 1, []string{"media[0]"}},
		{"gif at its limit", connector.Part{Text: "x", Media: []connector.Media{media("image/gif", 15<<20, "")}}, 1, nil},
		{"video too large", connector.Part{Text: "x", Media: []connector.Media{media("video/mp4", 512<<20+1, "")}}, 1, []string{"media[0]"}},
		{"unsupported type", connector.Part{Text: "x", Media: []connector.Media{media("application/pdf", 10, "")}}, 1, []string{"media[0]"}},
		{"alt text too long", connector.Part{Text: "x", Media: []connector.Media{media("image/png", 10, strings.Repeat("é", 1001))}}, 1, []string{"media[0].alt_text"}},
		{"alt text at its limit", connector.Part{Text: "x", Media: []connector.Media{media("image/png", 10, strings.Repeat("é", 1000))}}, 1, nil},
		{"reply settings", connector.Part{Text: "x", Options: map[string]string{"reply_settings": "following"}}, 1, nil},
		{"bad reply settings", connector.Part{Text: "x", Options: map[string]string{"reply_settings": "friends"}}, 1, []string{"options.reply_settings"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			n, probs, err := c.Validate(ctx(t), connector.Account{}, tt.part)
			if err != nil {
				t.Fatal(err)
			}
			if n != tt.length {
				t.Errorf("length = %d; want %d", n, tt.length)
			}
			var fields []string
			for _, p := range probs {
				fields = append(fields, p.Field)
				if p.Problem == "" {
					t.Errorf("problem with %s says nothing", p.Field)
				}
			}
			if strings.Join(fields, ",") != strings.Join(tt.fields, ",") {
				t.Errorf("problems = %+v; want fields %v", probs, tt.fields)
			}
			for _, p := range probs {
				if p.Field == "text" && p.Limit != 0 && (p.Limit != 280 || p.Measured != tt.length) {
					t.Errorf("length problem = %+v", p)
				}
			}
		})
	}
}

func TestLimits(t *testing.T) {
	l, err := New(nil).Limits(ctx(t), connector.Account{})
	if err != nil {
		t.Fatal(err)
	}
	want := connector.Limits{MaxChars: 280, MaxMedia: 4, MaxImageBytes: 5 << 20, MaxVideoBytes: 512 << 20,
		MaxThreadParts: herald.MaxThreadParts + 1, FirstComment: true, AltTextMaxChars: 1000, CharsReservedURL: 23}
	if l != want {
		t.Errorf("Limits = %+v; want %+v", l, want)
	}
}

func TestPublishRefusesBadOptions(t *testing.T) {
	_, err := New(nil).Publish(ctx(t), account2(), connector.Part{Text: "x", Options: map[string]string{"reply_settings": "nobody"}})
	if classOf(t, err) != connector.Invalid {
		t.Errorf("err = %v; want invalid", err)
	}
}

func account2() connector.Account {
	return connector.Account{Account: herald.Account{RemoteID: "1"}, Credentials: MarshalCredentials(Credentials{AccessToken: "t", UserID: "1"})}
}

func TestValidateVideoLengthAndShape(t *testing.T) {
	c := New(nil)
	video := func(ms int64, w, h int) connector.Part {
		return connector.Part{Text: "clip", Media: []connector.Media{{Asset: herald.MediaAsset{Filename: "clip.mp4",
			ContentType: "video/mp4", Size: 1 << 20, DurationMS: ms, Width: w, Height: h}}}}
	}
	for _, c2 := range []struct {
		name string
		p    connector.Part
		bad  bool
	}{
		{"fits", video(30_000, 1280, 720), false},
		{"length unknown", video(0, 0, 0), false},
		{"too long", video(141_000, 1280, 720), true},
		{"too short", video(300, 1280, 720), true},
		{"too narrow", video(10_000, 200, 800), true},
	} {
		_, probs, err := c.Validate(context.Background(), connector.Account{}, c2.p)
		if err != nil {
			t.Fatal(err)
		}
		if (len(probs) > 0) != c2.bad {
			t.Errorf("%s: problems %+v", c2.name, probs)
		}
	}
}
