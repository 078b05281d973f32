package media

import (
	"bytes"
	"context"
	"image"
	"image/color"
	"image/jpeg"
	"image/png"
	"io"
	"math/rand/v2"
	"testing"

	"github.com/heraldsocial/herald/internal/connector"
	"github.com/heraldsocial/herald/internal/herald"
)

// noisy is an image that compresses badly, as photos do.
func noisy(w, h int, alpha bool) image.Image {
	r := rand.New(rand.NewPCG(1, 2))
	img := image.NewNRGBA(image.Rect(0, 0, w, h))
	for y := range h {
		for x := range w {
			a := uint8(255)
			if alpha && x < w/2 {
				a = uint8(r.IntN(256))
			}
			img.SetNRGBA(x, y, color.NRGBA{uint8(r.IntN(256)), uint8(r.IntN(256)), uint8(r.IntN(256)), a})
		}
	}
	return img
}

func encode(t *testing.T, img image.Image, asPNG bool) []byte {
	t.Helper()
	var b bytes.Buffer
	var err error
	if asPNG {
		err = png.Encode(&b, img)
	} else {
		err = jpeg.Encode(&b, img, &jpeg.Options{Quality: 95})
	}
	if err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

// withOrientation puts an EXIF APP1 segment saying "rotate 90° clockwise
// to show" (orientation 6) right after a JPEG's start marker.
func withOrientation(jpg []byte) []byte {
	tiff := []byte{'I', 'I', 42, 0, 8, 0, 0, 0, // little-endian, IFD at 8
		1, 0, // one entry
		0x12, 0x01, 3, 0, 1, 0, 0, 0, 6, 0, 0, 0, // Orientation, SHORT, 1, value 6
		0, 0, 0, 0} // no next IFD
	payload := append([]byte("Exif\x00\x00"), tiff...)
	n := len(payload) + 2
	seg := append([]byte{0xFF, 0xE1, byte(n >> 8), byte(n)}, payload...)
	return append(append([]byte{0xFF, 0xD8}, seg...), jpg[2:]...)
}

func TestFitImage(t *testing.T) {
	photo := encode(t, noisy(900, 600, false), false)
	const limit = 150_000
	if len(photo) <= limit {
		t.Fatalf("the test photo is %d bytes, want more than %d", len(photo), limit)
	}
	out, ct, w, h, err := FitImage(photo, limit)
	if err != nil {
		t.Fatal(err)
	}
	if ratio := float64(w) / float64(h); len(out) > limit || ct != "image/jpeg" || w >= 900 || ratio < 1.49 || ratio > 1.51 {
		t.Fatalf("fitted: %d bytes, %s, %d×%d", len(out), ct, w, h)
	}
	again, _, _, _, _ := FitImage(photo, limit)
	if !bytes.Equal(out, again) {
		t.Error("fitting the same file twice gives different bytes")
	}

	// Transparency stays while a PNG can fit.
	logo := encode(t, noisy(300, 300, true), true)
	out, ct, _, _, err = FitImage(logo, int64(len(logo))/3)
	if err != nil || ct != "image/png" || int64(len(out)) > int64(len(logo))/3 {
		t.Fatalf("transparent: %d bytes, %s, %v", len(out), ct, err)
	}

	// A phone photo taken upright is sent upright.
	sideways := withOrientation(encode(t, noisy(400, 200, false), false))
	_, _, w, h, err = FitImage(sideways, int64(len(sideways))-1)
	if err != nil || w >= h {
		t.Fatalf("EXIF orientation 6: %d×%d, %v; want taller than wide", w, h, err)
	}

	if _, _, _, _, err := FitImage([]byte("not an image"), 100); err == nil {
		t.Error("text fitted as an image")
	}
}

func TestFitter(t *testing.T) {
	storage, err := NewDiskStorage(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	f, err := NewFitter(storage)
	if err != nil {
		t.Fatal(err)
	}
	photo := encode(t, noisy(900, 600, false), false)
	opens := 0
	m := connector.Media{
		Asset: herald.MediaAsset{ID: 3, Filename: "beach.webp", ContentType: "image/jpeg", Size: int64(len(photo)), SHA256: "abc", AltText: "A beach"},
		Open: func(context.Context) (io.ReadCloser, error) {
			opens++
			return io.NopCloser(bytes.NewReader(photo)), nil
		},
	}
	lim := connector.Limits{MaxImageBytes: 150_000}
	got, err := f.Fit(context.Background(), m, lim)
	if err != nil {
		t.Fatal(err)
	}
	if got.Asset.Size > lim.MaxImageBytes || got.Asset.ContentType != "image/jpeg" || got.Asset.Filename != "beach.jpg" ||
		got.Asset.AltText != "A beach" || got.Asset.Width == 0 || got.Asset.SHA256 == "abc" {
		t.Fatalf("fitted asset %+v", got.Asset)
	}
	r, _ := got.Open(context.Background())
	data, _ := io.ReadAll(r)
	if int64(len(data)) != got.Asset.Size {
		t.Fatalf("Open gives %d bytes, the asset says %d", len(data), got.Asset.Size)
	}
	// The second time comes from the kept file.
	again, err := f.Fit(context.Background(), m, lim)
	if err != nil || again.Asset.SHA256 != got.Asset.SHA256 || opens != 1 {
		t.Fatalf("second fit: %+v, %v, opened %d times", again.Asset, err, opens)
	}
	// Within the limit, or a GIF, or no limit: unchanged.
	for name, c := range map[string]struct {
		m   connector.Media
		lim connector.Limits
	}{
		"fits":     {m, connector.Limits{MaxImageBytes: int64(len(photo))}},
		"no limit": {m, connector.Limits{}},
		"gif":      {connector.Media{Asset: herald.MediaAsset{ContentType: "image/gif", Size: 1 << 30, SHA256: "g"}, Open: m.Open}, lim},
	} {
		out, err := f.Fit(context.Background(), c.m, c.lim)
		if err != nil || out.Asset.Size != c.m.Asset.Size || out.Asset.SHA256 != c.m.Asset.SHA256 {
			t.Errorf("%s: changed to %+v, %v", name, out.Asset, err)
		}
	}
}
