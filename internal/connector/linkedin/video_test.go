package linkedin_test

import (
	"bytes"
	"context"
	"io"
	"strings"
	"testing"
	"time"

	"github.com/heraldsocial/herald/internal/connector"
	"github.com/heraldsocial/herald/internal/connector/linkedin"
	"github.com/heraldsocial/herald/internal/connector/linkedin/linkedinfake"
	"github.com/heraldsocial/herald/internal/herald"
)

// mp4 is a video file of n bytes (LinkedIn reads none of it in the fake;
// every byte is distinct enough to show parts landing in place).
func mp4(n int, dur time.Duration) (connector.Media, []byte) {
	b := make([]byte, n)
	for i := range b {
		b[i] = byte(i * 7)
	}
	return connector.Media{Asset: herald.MediaAsset{ID: 9, Filename: "clip.mp4", ContentType: "video/mp4", Size: int64(n),
			DurationMS: dur.Milliseconds()},
			Open: func(context.Context) (io.ReadCloser, error) { return io.NopCloser(bytes.NewReader(b)), nil }},
		b
}

// TestVideoPost: a video goes up in the parts LinkedIn's instructions
// give, is finalized with their ETags in order, waited for while LinkedIn
// processes it, and posted as the post's media; a retry after the post's
// answer was lost reuses the uploaded video from the checkpoint.
func TestVideoPost(t *testing.T) {
	e := newEnv(t)
	e.fake.VideoPartSize = 100 << 10
	e.fake.VideoProcessingPolls = 2
	e.c = linkedin.New(e.ts.Client(), linkedin.WithApp("app-1", "app-secret"), linkedin.WithBaseURL(e.ts.URL, e.ts.URL+"/oauth/v2"),
		linkedin.WithVideoPoll(10*time.Millisecond))
	acct := e.account(t, "heraldcafe")
	video, data := mp4(250<<10, 12*time.Second)
	p := connector.Part{Text: "Our new espresso machine", Media: []connector.Media{video}}
	if _, probs, err := e.c.Validate(ctx(t), acct, p); err != nil || len(probs) != 0 {
		t.Fatalf("Validate: %+v %v", probs, err)
	}
	var saved map[string]string
	p.Save = func(_ context.Context, cp map[string]string) error { saved = cp; return nil }
	e.fake.Inject(linkedinfake.Fault{Route: "POST /rest/posts", Drop: true})
	if _, err := e.c.Publish(ctx(t), acct, p); connector.ClassOf(err) != connector.Ambiguous {
		t.Fatalf("a lost answer to the post gave %v, want ambiguous", err)
	}
	vids := e.fake.Videos()
	if len(vids) != 1 || vids[0].Status != "AVAILABLE" || !bytes.Equal(vids[0].Data, data) || len(vids[0].Parts) != 3 {
		t.Fatalf("videos %d; want the one, whole, in 3 parts", len(vids))
	}
	if saved == nil || !strings.HasPrefix(saved["images"], "urn:li:video:") {
		t.Fatalf("checkpoint %v, want the video's URN", saved)
	}
	// The lost post is found; a new attempt from the checkpoint with the
	// post deleted would reuse the video, never upload it again.
	p.Checkpoint = saved
	ref, found, err := e.c.Find(ctx(t), acct, p)
	if err != nil || !found {
		t.Fatalf("Find: %v %v", found, err)
	}
	if err := e.c.Delete(ctx(t), acct, ref); err != nil {
		t.Fatal(err)
	}
	again, err := e.c.Publish(ctx(t), acct, p)
	if err != nil {
		t.Fatalf("Publish from the checkpoint: %v", err)
	}
	if n := len(e.fake.Videos()); n != 1 {
		t.Fatalf("%d videos uploaded, want the one reused", n)
	}
	var live []linkedinfake.Post
	for _, post := range e.fake.Posts() {
		if !post.Deleted {
			live = append(live, post)
		}
	}
	if len(live) != 1 || live[0].URN != again.ID || live[0].Video != vids[0].URN || len(live[0].Images) != 0 {
		t.Fatalf("posts %+v", live)
	}
	if v := e.fake.Violations(); len(v) > 0 {
		t.Fatalf("violations: %v", v)
	}
}

// TestVideoProcessingFailsOrWaits: a video LinkedIn cannot process is
// refused with what to do; one still processing when the call's time
// runs short is transient (the next attempt waits again).
func TestVideoProcessingFailsOrWaits(t *testing.T) {
	e := newEnv(t)
	e.fake.VideoProcessingPolls = 1 << 20
	e.c = linkedin.New(e.ts.Client(), linkedin.WithApp("app-1", "app-secret"), linkedin.WithBaseURL(e.ts.URL, e.ts.URL+"/oauth/v2"),
		linkedin.WithVideoPoll(50*time.Millisecond))
	acct := e.account(t, "")
	video, _ := mp4(80<<10, 0)
	short, cancel := context.WithTimeout(context.Background(), 300*time.Millisecond)
	defer cancel()
	_, err := e.c.Publish(short, acct, connector.Part{Text: "processing", Media: []connector.Media{video}})
	if connector.ClassOf(err) != connector.Transient || !strings.Contains(err.Error(), "still processing") {
		t.Fatalf("a video still processing gave %v, want transient", err)
	}
	vids := e.fake.Videos()
	if len(vids) != 1 {
		t.Fatalf("%d videos", len(vids))
	}
	e.fake.FailVideo(vids[0].URN)
	var saved map[string]string
	_, err = e.c.Publish(ctx(t), acct, connector.Part{Text: "processing", Media: []connector.Media{video},
		Checkpoint: map[string]string{"images": vids[0].URN}, Save: func(_ context.Context, cp map[string]string) error { saved = cp; return nil }})
	if connector.ClassOf(err) != connector.Invalid || !strings.Contains(err.Error(), "could not process the video") {
		t.Fatalf("a failed video gave %v, want invalid", err)
	}
	if saved != nil || len(e.fake.Videos()) != 1 {
		t.Fatalf("the failed video's attempt uploaded again (checkpoint %v)", saved)
	}
	if n := len(e.fake.Posts()); n != 0 {
		t.Fatalf("%d posts", n)
	}
}

func TestValidateVideo(t *testing.T) {
	e := newEnv(t)
	acct := e.account(t, "")
	img := connector.Media{Asset: herald.MediaAsset{ContentType: "image/png", Size: 100, Width: 10, Height: 10}}
	video, _ := mp4(80<<10, 10*time.Second)
	long, _ := mp4(80<<10, 31*time.Minute)
	tiny, _ := mp4(1<<10, 10*time.Second)
	mov := connector.Media{Asset: herald.MediaAsset{ContentType: "video/quicktime", Size: 1 << 20}}
	for _, c := range []struct {
		name string
		p    connector.Part
		want string
	}{
		{"with an image", connector.Part{Text: "x", Media: []connector.Media{video, img}}, "one video alone"},
		{"too long", connector.Part{Text: "x", Media: []connector.Media{long}}, "3 seconds to 30 minutes"},
		{"too small", connector.Part{Text: "x", Media: []connector.Media{tiny}}, "75 KB"},
		{"mov", connector.Part{Text: "x", Media: []connector.Media{mov}}, "MP4 only"},
		{"link", connector.Part{Text: "x", Media: []connector.Media{video},
			Options: map[string]string{linkedin.OptionLink: "https://herald.example", linkedin.OptionLinkTitle: "T"}}, "link post"},
	} {
		_, probs, err := e.c.Validate(ctx(t), acct, c.p)
		var all []string
		for _, pr := range probs {
			all = append(all, pr.Problem)
		}
		if err != nil || !strings.Contains(strings.Join(all, "; "), c.want) {
			t.Errorf("%s: %v %v, want %q", c.name, all, err, c.want)
		}
	}
}
