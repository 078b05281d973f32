package youtube

import (
	"strings"
	"testing"

	"github.com/heraldsocial/herald/internal/connector"
)

func problemsByField(probs []connector.Problem) map[string]string {
	out := map[string]string{}
	for _, p := range probs {
		out[p.Field] += p.Problem + "; "
	}
	return out
}

func TestValidateMessages(t *testing.T) {
	e := newEnv(t)
	// Images alone cannot be a YouTube post.
	_, probs, err := e.c.Validate(ctx(t), e.acct, connector.Part{Text: "x", Options: map[string]string{OptionTitle: "t"},
		Media: []connector.Media{pngFile()}})
	if err != nil || !strings.Contains(problemsByField(probs)["media"], "needs a video") {
		t.Fatalf("images only: %+v %v", probs, err)
	}
	if _, err := e.c.Publish(ctx(t), e.acct, connector.Part{Text: "x", Options: map[string]string{OptionTitle: "t"},
		Media: []connector.Media{pngFile()}}); classOf(err) != connector.Invalid || len(e.srv.Videos()) != 0 {
		t.Fatalf("publishing images only: %v", err)
	}

	long := videoFile(10)
	long.Asset.DurationMS = 13 * 3600 * 1000
	gif := pngFile()
	gif.Asset.ContentType = "image/gif"
	text := strings.Repeat("é", 2501) + "<b>" // 5005 bytes
	n, probs, _ := e.c.Validate(ctx(t), e.acct, connector.Part{Index: 1, Text: text, Media: []connector.Media{long, gif},
		Options: map[string]string{OptionTitle: strings.Repeat("t", 101) + ">", OptionPrivacy: "friends",
			OptionTags: strings.Repeat("tag one,", 56), OptionCategory: "music", OptionPublishAt: "tomorrow"}})
	if n != len(text) {
		t.Errorf("length %d, want %d bytes", n, len(text))
	}
	got := problemsByField(probs)
	for field, want := range map[string]string{
		"thread":             "no threads",
		"text":               "YouTube takes descriptions of at most 5000 bytes",
		"media[0]":           "at most 12 hours",
		"media[1]":           "JPEG or PNG",
		"options.title":      "at most 100",
		"options.privacy":    "public, unlisted or private",
		"options.tags":       "count 559 characters",
		"options.category":   "video categories",
		"options.publish_at": "not a date and time",
	} {
		if !strings.Contains(got[field], want) {
			t.Errorf("%s: %q, want it to say %q", field, got[field], want)
		}
	}
	if !strings.Contains(got["text"], "< or >") || !strings.Contains(got["options.title"], "< or >") {
		t.Errorf("angle brackets not refused: %+v", got)
	}
	for _, p := range probs {
		if p.Field == "text" && p.Measured == len(text) && p.Limit != MaxDescriptionBytes {
			t.Errorf("text measured %+v", p)
		}
	}

	big := pngFile()
	big.Asset.Size = 3 << 20
	_, probs, _ = e.c.Validate(ctx(t), e.acct, connector.Part{Text: "ok", Media: []connector.Media{videoFile(10), big}})
	got = problemsByField(probs)
	if !strings.Contains(got["media[1]"], "at most 2 MB") || !strings.Contains(got["options.title"], "required") {
		t.Fatalf("big thumbnail, no title: %+v", got)
	}
	n, probs, _ = e.c.Validate(ctx(t), e.acct, connector.Part{Comment: true, Text: strings.Repeat("ü", 10001)})
	if n != 10001 || len(probs) != 1 || probs[0].Field != "first_comment" {
		t.Fatalf("long comment: %d %+v", n, probs)
	}
	if tagsLength([]string{"a b", "c"}) != 7 {
		t.Errorf("tags length %d, want 7 (quotes around a tag with a space, a comma)", tagsLength([]string{"a b", "c"}))
	}
	lim, _ := e.c.Limits(ctx(t), e.acct)
	if lim.MaxMedia != 2 || lim.MaxThreadParts != 0 || !lim.FirstComment || lim.MaxVideoBytes != 256<<30 || lim.MaxImageBytes != 2<<20 {
		t.Errorf("limits %+v", lim)
	}
}

func TestOptionFields(t *testing.T) {
	e := newEnv(t)
	fields, err := e.c.OptionFields(ctx(t), e.acct)
	if err != nil {
		t.Fatal(err)
	}
	keys := []string{}
	for _, f := range fields {
		keys = append(keys, f.Key)
	}
	if strings.Join(keys, ",") != "title,privacy,category,tags,made_for_kids,publish_at,notify_subscribers" ||
		!fields[0].Required || fields[0].MaxLen != 100 || fields[4].Kind != connector.OptionCheckbox || fields[5].Kind != connector.OptionDateTime {
		t.Fatalf("fields %+v", fields)
	}
	// The channel's region (GB) has five assignable categories of six.
	cats := fields[2].Choices
	if len(cats) != 5 || cats[0].Label != "Education" {
		t.Fatalf("categories %+v", cats)
	}
	for _, c := range cats {
		if c.Value == "18" {
			t.Errorf("offered the unassignable category %+v", c)
		}
	}
	if _, err := e.c.OptionFields(ctx(t), e.acct); err != nil {
		t.Fatal(err)
	}
	if n := e.log.Count("GET /youtube/v3/videoCategories"); n != 1 {
		t.Errorf("videoCategories.list called %d times, want once (cached)", n)
	}
	e.acct.Credentials = []byte("{")
	if _, err := e.c.OptionFields(ctx(t), e.acct); classOf(err) != connector.AuthRevoked {
		t.Fatalf("unreadable credentials: %v", err)
	}
}
