package report

import (
	"bytes"
	"fmt"
	"image"
	"image/draw"
	_ "image/jpeg" // image.DecodeConfig and image.Decode read JPEG
	"image/png"

	"codeberg.org/go-pdf/fpdf"
)

// maxLogoPixels bounds a logo's size, so that a small file that claims
// huge dimensions cannot make the report eat memory.
const maxLogoPixels = 25_000_000

// logo is the header's image, registered with the document.
type logo struct {
	name string
	kind string // "png" or "jpg"
	w, h float64
}

// CheckLogo reports whether data is a logo the report can show: a PNG or
// JPEG image, under the pixel limit, that reads in full and embeds. It
// makes the same checks as rendering does, so an image refused here is one
// the PDF would refuse too; the error wraps ErrLogo and says why.
func CheckLogo(data []byte) error {
	if len(data) == 0 {
		return fmt.Errorf("%w: it is empty", ErrLogo)
	}
	_, err := registerLogo(fpdf.New("P", "mm", "A4", ""), data)
	return err
}

// registerLogo checks the image and adds it to p, sized to fit the
// header. The image is decoded in full first: fpdf's own parsers panic on
// some broken files. fpdf reads only some PNGs (not interlaced ones, nor
// 16 bits a channel): those are written again as plain 8-bit PNG.
func registerLogo(p *fpdf.Fpdf, data []byte) (*logo, error) {
	cfg, format, err := image.DecodeConfig(bytes.NewReader(data))
	if err != nil {
		return nil, fmt.Errorf("%w: %v", ErrLogo, err)
	}
	if format != "png" && format != "jpeg" {
		return nil, fmt.Errorf("%w: it is %s", ErrLogo, format)
	}
	if cfg.Width <= 0 || cfg.Height <= 0 {
		return nil, fmt.Errorf("%w: it has no pixels", ErrLogo)
	}
	if int64(cfg.Width)*int64(cfg.Height) > maxLogoPixels {
		return nil, fmt.Errorf("%w: it is %d×%d pixels; use one under %d megapixels",
			ErrLogo, cfg.Width, cfg.Height, maxLogoPixels/1_000_000)
	}
	img, _, err := image.Decode(bytes.NewReader(data))
	if err != nil {
		return nil, fmt.Errorf("%w: %v", ErrLogo, err)
	}
	l := &logo{name: "logo", kind: "png"}
	if format == "jpeg" {
		l.kind = "jpg"
	}
	if tryRegister(p, l, data) != nil {
		plain, err := plainPNG(img)
		if err != nil {
			return nil, fmt.Errorf("%w: %v", ErrLogo, err)
		}
		l.kind = "png"
		if err := tryRegister(p, l, plain); err != nil {
			return nil, fmt.Errorf("%w: %v", ErrLogo, err)
		}
	}
	ratio := float64(cfg.Width) / float64(cfg.Height)
	l.h, l.w = logoMaxH, logoMaxH*ratio
	if l.w > logoMaxW {
		l.w, l.h = logoMaxW, logoMaxW/ratio
	}
	return l, nil
}

// tryRegister adds the image to p, or says why fpdf could not read it; it
// leaves p without error either way. A panic in fpdf's parser is a
// failure like any other.
func tryRegister(p *fpdf.Fpdf, l *logo, data []byte) (err error) {
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("the image cannot be embedded (%v)", r)
		}
		if err != nil {
			p.ClearError()
		}
	}()
	p.RegisterImageOptionsReader(l.name, fpdf.ImageOptions{ImageType: l.kind}, bytes.NewReader(data))
	return p.Error()
}

// plainPNG encodes img as an 8-bit RGBA PNG, which fpdf reads.
func plainPNG(src image.Image) ([]byte, error) {
	dst := image.NewNRGBA(src.Bounds())
	draw.Draw(dst, dst.Bounds(), src, src.Bounds().Min, draw.Src)
	var b bytes.Buffer
	if err := png.Encode(&b, dst); err != nil {
		return nil, err
	}
	return b.Bytes(), nil
}
