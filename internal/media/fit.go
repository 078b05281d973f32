package media

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"image"
	"image/jpeg"
	"image/png"
	"io"
	"os"
	"path/filepath"
	"strings"
	"sync"

	"github.com/disintegration/imaging"

	"github.com/heraldsocial/herald/internal/connector"
	"github.com/heraldsocial/herald/internal/herald"
)

// Fitting images to a platform's limits. A picture over a platform's size
// limit (Bluesky takes under 1 MB, X 5 MB) is re-encoded by Herald rather
// than refused: turned upright from its EXIF orientation, scaled down in
// steps and saved as JPEG (PNG while it has transparency) until it fits.
// The result depends only on the file and the limit, and is kept on disk,
// so the composer's check, the preview and every publishing attempt (a
// retry after a crash included) see and send the same bytes.

// fitScales are the sizes tried, as a share of the original's sides.
var fitScales = []float64{1, 0.85, 0.7, 0.55, 0.42, 0.32, 0.24, 0.18}

// fitQualities are the JPEG qualities tried at each size.
var fitQualities = []int{88, 78, 68}

// ErrCannotFit says a file is not an image Herald can make smaller.
var ErrCannotFit = errors.New("media: not an image Herald can re-encode")

// fittable reports whether Herald can re-encode a file of this type
// (animated GIFs are left alone: re-encoding would keep one frame).
func fittable(contentType string) bool {
	switch contentType {
	case "image/jpeg", "image/png", "image/webp":
		return true
	}
	return false
}

// FitImage re-encodes data so that it is at most maxBytes long. It
// returns the new file, its type and size in pixels.
func FitImage(data []byte, maxBytes int64) (out []byte, contentType string, w, h int, err error) {
	img, err := imaging.Decode(bytes.NewReader(data), imaging.AutoOrientation(true))
	if err != nil {
		return nil, "", 0, 0, fmt.Errorf("%w: %v", ErrCannotFit, err)
	}
	b := img.Bounds()
	opaque := isOpaque(img)
	var buf bytes.Buffer
	for _, s := range fitScales {
		cur := img
		if s < 1 {
			cur = imaging.Resize(img, max(1, int(float64(b.Dx())*s)), 0, imaging.Lanczos)
		}
		cb := cur.Bounds()
		if !opaque {
			buf.Reset()
			enc := png.Encoder{CompressionLevel: png.BestCompression}
			if err := enc.Encode(&buf, cur); err != nil {
				return nil, "", 0, 0, fmt.Errorf("media: encode PNG: %w", err)
			}
			if int64(buf.Len()) <= maxBytes {
				return buf.Bytes(), "image/png", cb.Dx(), cb.Dy(), nil
			}
			continue
		}
		for _, q := range fitQualities {
			buf.Reset()
			if err := jpeg.Encode(&buf, cur, &jpeg.Options{Quality: q}); err != nil {
				return nil, "", 0, 0, fmt.Errorf("media: encode JPEG: %w", err)
			}
			if int64(buf.Len()) <= maxBytes {
				return buf.Bytes(), "image/jpeg", cb.Dx(), cb.Dy(), nil
			}
		}
	}
	if !opaque {
		// Transparency cannot be kept small enough: flatten on white.
		flat := imaging.New(b.Dx(), b.Dy(), image.White.C)
		flat = imaging.Overlay(flat, img, image.Point{}, 1)
		return FitImage(encodeJPEG(flat), maxBytes)
	}
	return nil, "", 0, 0, fmt.Errorf("media: the image does not fit in %d bytes even at a fifth of its size", maxBytes)
}

func encodeJPEG(img image.Image) []byte {
	var buf bytes.Buffer
	_ = jpeg.Encode(&buf, img, &jpeg.Options{Quality: 95})
	return buf.Bytes()
}

// isOpaque reports whether every pixel is fully opaque.
func isOpaque(img image.Image) bool {
	if o, ok := img.(interface{ Opaque() bool }); ok {
		return o.Opaque()
	}
	return true
}

// Fitter fits library images to platforms' limits, keeping each result
// under the media folder's ".fitted" directory.
type Fitter struct {
	dir     string
	storage *DiskStorage
	mu      sync.Mutex // one fit of a file at a time
}

// NewFitter keeps fitted files under the storage's root.
func NewFitter(storage *DiskStorage) (*Fitter, error) {
	dir := filepath.Join(storage.root, ".fitted")
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, fmt.Errorf("media: create %s: %w", dir, err)
	}
	return &Fitter{dir: dir, storage: storage}, nil
}

// FitAsset is Fit for a library file, read from the storage: what a
// platform will get of asset under lim.
func (f *Fitter) FitAsset(ctx context.Context, asset herald.MediaAsset, lim connector.Limits) (herald.MediaAsset, error) {
	key := asset.StorageKey
	m, err := f.Fit(ctx, connector.Media{Asset: asset, Open: func(context.Context) (io.ReadCloser, error) {
		return f.storage.Open(key)
	}}, lim)
	return m.Asset, err
}

// Fit returns m as the platform will get it under lim: unchanged when it
// fits or is not an image Herald can re-encode (the platform's own check
// then says why), otherwise a re-encoded copy whose Asset says its new
// size, type and dimensions.
func (f *Fitter) Fit(ctx context.Context, m connector.Media, lim connector.Limits) (connector.Media, error) {
	if lim.MaxImageBytes <= 0 || m.Asset.Size <= lim.MaxImageBytes || !fittable(m.Asset.ContentType) || m.Open == nil {
		return m, nil
	}
	sum := m.Asset.SHA256
	if sum == "" {
		return m, nil // not a library file: nothing to key the result by
	}
	name := fmt.Sprintf("%s-%d", sum, lim.MaxImageBytes)
	f.mu.Lock()
	defer f.mu.Unlock()
	data, ct, err := f.cached(name)
	if err != nil {
		r, err := m.Open(ctx)
		if err != nil {
			return m, fmt.Errorf("media: open %s to fit it: %w", m.Asset.Filename, err)
		}
		orig, err := io.ReadAll(r)
		r.Close()
		if err != nil {
			return m, fmt.Errorf("media: read %s to fit it: %w", m.Asset.Filename, err)
		}
		data, ct, _, _, err = FitImage(orig, lim.MaxImageBytes)
		if errors.Is(err, ErrCannotFit) {
			return m, nil
		}
		if err != nil {
			return m, err
		}
		if err := f.store(name, ct, data); err != nil {
			return m, err
		}
	}
	cfg, _, err := image.DecodeConfig(bytes.NewReader(data))
	if err != nil {
		return m, fmt.Errorf("media: read the fitted %s: %w", m.Asset.Filename, err)
	}
	out := m
	out.Asset.Size = int64(len(data))
	out.Asset.ContentType = ct
	out.Asset.Width, out.Asset.Height = cfg.Width, cfg.Height
	sh := sha256.Sum256(data)
	out.Asset.SHA256 = hex.EncodeToString(sh[:])
	if ext := map[string]string{"image/jpeg": ".jpg", "image/png": ".png"}[ct]; ext != "" {
		out.Asset.Filename = strings.TrimSuffix(m.Asset.Filename, filepath.Ext(m.Asset.Filename)) + ext
	}
	out.Open = func(context.Context) (io.ReadCloser, error) { return io.NopCloser(bytes.NewReader(data)), nil }
	return out, nil
}

// cached reads a fitted file kept earlier.
func (f *Fitter) cached(name string) ([]byte, string, error) {
	for _, c := range []struct{ ext, ct string }{{".jpg", "image/jpeg"}, {".png", "image/png"}} {
		data, err := os.ReadFile(filepath.Join(f.dir, name+c.ext))
		if err == nil {
			return data, c.ct, nil
		}
	}
	return nil, "", herald.ErrNotFound
}

// store keeps a fitted file, written whole or not at all.
func (f *Fitter) store(name, ct string, data []byte) error {
	ext := ".jpg"
	if ct == "image/png" {
		ext = ".png"
	}
	tmp, err := os.CreateTemp(f.dir, "fit-*")
	if err != nil {
		return fmt.Errorf("media: keep the fitted file: %w", err)
	}
	if _, err := tmp.Write(data); err != nil {
		tmp.Close()
		os.Remove(tmp.Name())
		return fmt.Errorf("media: keep the fitted file: %w", err)
	}
	if err := tmp.Close(); err != nil {
		os.Remove(tmp.Name())
		return fmt.Errorf("media: keep the fitted file: %w", err)
	}
	if err := os.Rename(tmp.Name(), filepath.Join(f.dir, name+ext)); err != nil {
		return fmt.Errorf("media: keep the fitted file: %w", err)
	}
	return nil
}
