package publish_test

import (
	"bytes"
	"image"
	"image/jpeg"
	"math/rand/v2"
	"testing"
	"time"

	"github.com/heraldsocial/herald/internal/connector/fake/fakeserver"
	"github.com/heraldsocial/herald/internal/herald"
	"github.com/heraldsocial/herald/internal/media"
)

// photo is a JPEG that compresses badly, as photos do.
func photo(t *testing.T) []byte {
	t.Helper()
	r := rand.New(rand.NewPCG(3, 4))
	img := image.NewRGBA(image.Rect(0, 0, 800, 600))
	for i := 0; i < len(img.Pix); i += 4 {
		img.Pix[i], img.Pix[i+1], img.Pix[i+2], img.Pix[i+3] = uint8(r.IntN(256)), uint8(r.IntN(256)), uint8(r.IntN(256)), 255
	}
	var b bytes.Buffer
	if err := jpeg.Encode(&b, img, &jpeg.Options{Quality: 95}); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

// TestImageFittedToThePlatform: an image over the platform's size limit is
// re-encoded and published; without fitting the platform refuses it.
func TestImageFittedToThePlatform(t *testing.T) {
	eachStore(t, func(t *testing.T, open func(*testing.T) testStore) {
		const limit = 150_000
		h := newHarness(t, open(t), fakeserver.Config{MaxMediaBytes: limit})
		acct := h.account(t, "alice", "", "")
		data := photo(t)
		if len(data) <= limit {
			t.Fatalf("the photo is %d bytes, want more than %d", len(data), limit)
		}
		big := h.media(t, "big.jpg", data)

		refused := h.schedule(t, acct, time.Now().Add(200*time.Millisecond), herald.Variant{Text: "as stored", MediaIDs: []int64{big.ID}})
		d := h.start(t, testConfig("plain"), h.registry(nil))
		got := h.waitState(t, refused.ID, herald.StateFailed)
		t.Logf("as stored: %s", got.LastError)
		if got.LastError == "" {
			t.Fatalf("the refused target says nothing: %+v", got)
		}
		d.Stop()

		storage, err := media.NewDiskStorage(t.TempDir())
		if err != nil {
			t.Fatal(err)
		}
		fitter, err := media.NewFitter(storage)
		if err != nil {
			t.Fatal(err)
		}
		h.fit = fitter.Fit
		fitted := h.schedule(t, acct, time.Now().Add(200*time.Millisecond), herald.Variant{Text: "fitted", MediaIDs: []int64{big.ID}})
		h.start(t, testConfig("fitting"), h.registry(nil))
		h.waitState(t, fitted.ID, herald.StatePublished)
		posts := h.posts(fitted.ID)
		if len(posts) != 1 || len(posts[0].MediaIDs) != 1 {
			t.Fatalf("posts %+v, want one with the image", posts)
		}
		h.noDuplicates(t)
	})
}
