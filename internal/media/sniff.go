package media

import (
	"bytes"
	"image"
	_ "image/gif"  // registers GIF for image.DecodeConfig
	_ "image/jpeg" // registers JPEG for image.DecodeConfig
	_ "image/png"  // registers PNG for image.DecodeConfig
	"io"
	"mime"
	"net/http"

	_ "golang.org/x/image/webp" // registers WebP for image.DecodeConfig
)

// The content types Herald accepts.
const (
	TypeJPEG      = "image/jpeg"
	TypePNG       = "image/png"
	TypeGIF       = "image/gif"
	TypeWebP      = "image/webp"
	TypeMP4       = "video/mp4"
	TypeQuickTime = "video/quicktime"
)

// Allowed reports whether Herald accepts files of content type ct.
func Allowed(ct string) bool {
	switch ct {
	case TypeJPEG, TypePNG, TypeGIF, TypeWebP, TypeMP4, TypeQuickTime:
		return true
	}
	return false
}

// IsImage reports whether ct is one of the image types Herald accepts.
func IsImage(ct string) bool {
	switch ct {
	case TypeJPEG, TypePNG, TypeGIF, TypeWebP:
		return true
	}
	return false
}

// Sniff returns the content type of a file from its first bytes (512 are
// enough), never from its name or a client's claim. ISO base media files
// (MP4, MOV, and their audio and image cousins) are told apart by their
// ftyp brand, which http.DetectContentType does not look at closely.
func Sniff(head []byte) string {
	if ct, ok := sniffISOBMFF(head); ok {
		return ct
	}
	if len(head) >= 12 && bytes.Equal(head[:4], []byte("RIFF")) && bytes.Equal(head[8:12], []byte("WEBP")) {
		return TypeWebP
	}
	ct := http.DetectContentType(head)
	if mt, _, err := mime.ParseMediaType(ct); err == nil {
		return mt
	}
	return ct
}

// sniffISOBMFF recognises files made of ISO base media boxes: "ftyp" with a
// major brand, or old QuickTime files that start with another top-level atom.
func sniffISOBMFF(b []byte) (string, bool) {
	if len(b) < 12 {
		return "", false
	}
	box := string(b[4:8])
	switch box {
	case "moov", "mdat", "wide", "free", "skip", "pnot":
		return TypeQuickTime, true
	case "ftyp":
	default:
		return "", false
	}
	switch brand := string(b[8:12]); brand {
	case "qt  ":
		return TypeQuickTime, true
	case "isom", "iso2", "iso3", "iso4", "iso5", "iso6", "mp41", "mp42", "avc1", "M4V ", "M4VH", "M4VP",
		"dash", "mmp4", "msnv", "f4v ", "XAVC", "MSNV", "3gp4", "3gp5", "3gp6", "3g2a":
		return TypeMP4, true
	case "M4A ", "M4B ", "M4P ", "F4A ", "F4B ":
		return "audio/mp4", true
	case "heic", "heix", "hevc", "heim", "heis", "mif1", "msf1":
		return "image/heic", true
	case "avif", "avis":
		return "image/avif", true
	default:
		return "video/unknown (ftyp " + brand + ")", true
	}
}

// dimensions returns an image's width and height from its header.
func dimensions(r io.Reader) (int, int, error) {
	cfg, _, err := image.DecodeConfig(r)
	if err != nil {
		return 0, 0, err
	}
	return cfg.Width, cfg.Height, nil
}
