package media

import (
	"encoding/binary"
	"errors"
	"fmt"
	"io"
)

// VideoInfo is what Herald reads from an MP4 or QuickTime file's header:
// enough to check a platform's rules (length, size in pixels) before a post
// is scheduled.
type VideoInfo struct {
	DurationMS    int64
	Width, Height int
}

// maxBoxes bounds the boxes read, so a hostile file cannot make the walk
// long.
const maxBoxes = 10_000

// ProbeVideo reads the movie header (moov: mvhd for the length, the first
// track with a picture's tkhd for its size) of an ISO base media file.
// The moov box may come after the media data: boxes are skipped with
// seeks, not read.
func ProbeVideo(r io.ReadSeeker) (VideoInfo, error) {
	end, err := r.Seek(0, io.SeekEnd)
	if err != nil {
		return VideoInfo{}, fmt.Errorf("media: probe: %w", err)
	}
	var info VideoInfo
	found := false
	n := 0
	var walk func(from, to int64, depth int) error
	walk = func(from, to int64, depth int) error {
		for pos := from; pos+8 <= to; {
			if n++; n > maxBoxes {
				return errors.New("media: probe: too many boxes")
			}
			if _, err := r.Seek(pos, io.SeekStart); err != nil {
				return err
			}
			var hdr [8]byte
			if _, err := io.ReadFull(r, hdr[:]); err != nil {
				return err
			}
			size := int64(binary.BigEndian.Uint32(hdr[:4]))
			typ := string(hdr[4:8])
			head := int64(8)
			switch size {
			case 0:
				size = to - pos
			case 1:
				var ext [8]byte
				if _, err := io.ReadFull(r, ext[:]); err != nil {
					return err
				}
				size, head = int64(binary.BigEndian.Uint64(ext[:])), 16
			}
			if size < head || pos+size > to {
				return fmt.Errorf("media: probe: box %q at %d has a bad size", typ, pos)
			}
			switch typ {
			case "moov", "trak":
				if depth < 3 {
					if err := walk(pos+head, pos+size, depth+1); err != nil {
						return err
					}
				}
			case "mvhd":
				d, err := readMVHD(r)
				if err != nil {
					return err
				}
				info.DurationMS, found = d, true
			case "tkhd":
				w, h, err := readTKHD(r)
				if err != nil {
					return err
				}
				if info.Width == 0 && w > 0 && h > 0 {
					info.Width, info.Height = w, h
				}
			}
			pos += size
		}
		return nil
	}
	if err := walk(0, end, 0); err != nil {
		return VideoInfo{}, err
	}
	if !found {
		return VideoInfo{}, errors.New("media: probe: no movie header (moov/mvhd) found")
	}
	return info, nil
}

// readMVHD reads a movie header's length in milliseconds.
func readMVHD(r io.Reader) (int64, error) {
	var vf [4]byte
	if _, err := io.ReadFull(r, vf[:]); err != nil {
		return 0, err
	}
	var scale, dur uint64
	if vf[0] == 1 {
		var b [28]byte // created 8, modified 8, timescale 4, duration 8
		if _, err := io.ReadFull(r, b[:]); err != nil {
			return 0, err
		}
		scale, dur = uint64(binary.BigEndian.Uint32(b[16:20])), binary.BigEndian.Uint64(b[20:28])
	} else {
		var b [16]byte // created 4, modified 4, timescale 4, duration 4
		if _, err := io.ReadFull(r, b[:]); err != nil {
			return 0, err
		}
		scale, dur = uint64(binary.BigEndian.Uint32(b[8:12])), uint64(binary.BigEndian.Uint32(b[12:16]))
	}
	if scale == 0 {
		return 0, errors.New("media: probe: the movie header has no time scale")
	}
	return int64(dur * 1000 / scale), nil
}

// readTKHD reads a track header's width and height (16.16 fixed point).
func readTKHD(r io.Reader) (int, int, error) {
	var vf [4]byte
	if _, err := io.ReadFull(r, vf[:]); err != nil {
		return 0, 0, err
	}
	skip := 4 + 4 + 4 + 4 + 4 // created, modified, track id, reserved, duration (version 0)
	if vf[0] == 1 {
		skip = 8 + 8 + 4 + 4 + 8
	}
	skip += 8 + 2 + 2 + 2 + 2 + 36 // reserved, layer, group, volume, reserved, matrix
	b := make([]byte, skip+8)
	if _, err := io.ReadFull(r, b); err != nil {
		return 0, 0, err
	}
	w := binary.BigEndian.Uint32(b[skip : skip+4])
	h := binary.BigEndian.Uint32(b[skip+4 : skip+8])
	return int(w >> 16), int(h >> 16), nil
}
