package media

import (
	"bytes"
	"encoding/binary"
	"testing"

	"github.com/heraldsocial/herald/internal/herald"
)

func box(typ string, body ...[]byte) []byte {
	var b bytes.Buffer
	n := 8
	for _, p := range body {
		n += len(p)
	}
	_ = binary.Write(&b, binary.BigEndian, uint32(n))
	b.WriteString(typ)
	for _, p := range body {
		b.Write(p)
	}
	return b.Bytes()
}

func u32(v uint32) []byte { return binary.BigEndian.AppendUint32(nil, v) }

// mvhd0 is a version-0 movie header: timescale and duration.
func mvhd0(scale, dur uint32) []byte {
	b := append([]byte{0, 0, 0, 0}, u32(0)...) // version, flags; created
	b = append(b, u32(0)...)                   // modified
	b = append(b, u32(scale)...)
	b = append(b, u32(dur)...)
	return append(b, make([]byte, 80)...) // rate, volume, matrix, … (not read)
}

// tkhd0 is a version-0 track header of w×h pixels.
func tkhd0(w, h uint32) []byte {
	b := make([]byte, 4+20+8+8+36)
	b = append(b, u32(w<<16)...)
	return append(b, u32(h<<16)...)
}

func TestProbeVideo(t *testing.T) {
	sound := box("trak", box("tkhd", tkhd0(0, 0)))
	picture := box("trak", box("tkhd", tkhd0(1080, 1920)))
	ftyp := box("ftyp", []byte("isom"), u32(0x200), []byte("isomiso2avc1mp41"))
	mdat := box("mdat", bytes.Repeat([]byte{7}, 5000))
	// The movie header after the media data, as many cameras write it.
	file := bytes.Join([][]byte{ftyp, mdat, box("moov", box("mvhd", mvhd0(600, 27300)), sound, picture)}, nil)
	info, err := ProbeVideo(bytes.NewReader(file))
	if err != nil {
		t.Fatal(err)
	}
	if info.DurationMS != 45500 || info.Width != 1080 || info.Height != 1920 {
		t.Fatalf("probe = %+v, want 45.5 s at 1080×1920", info)
	}
	for name, bad := range map[string][]byte{
		"no moov":       bytes.Join([][]byte{ftyp, mdat}, nil),
		"box too large": append(append([]byte{}, ftyp...), 0, 0, 0xff, 0xff, 'm', 'o', 'o', 'v'),
		"zero scale":    bytes.Join([][]byte{ftyp, box("moov", box("mvhd", mvhd0(0, 10)))}, nil),
		"truncated":     file[:len(file)-50],
	} {
		if _, err := ProbeVideo(bytes.NewReader(bad)); err == nil {
			t.Errorf("%s: no error", name)
		}
	}
}

// TestInspectVideo: an uploaded video gets its length and size in pixels.
func TestInspectVideo(t *testing.T) {
	storage, err := NewDiskStorage(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	ftyp := box("ftyp", []byte("isom"), u32(0x200), []byte("isomiso2avc1mp41"))
	file := bytes.Join([][]byte{ftyp, box("moov", box("mvhd", mvhd0(1000, 12345)), box("trak", box("tkhd", tkhd0(1280, 720)))),
		box("mdat", bytes.Repeat([]byte{1}, 600))}, nil)
	staged, err := storage.Stage(bytes.NewReader(file), 1<<20)
	if err != nil {
		t.Fatal(err)
	}
	defer staged.Discard()
	var m herald.MediaAsset
	if err := (&Service{}).inspect(staged, &m); err != nil {
		t.Fatal(err)
	}
	if m.ContentType != TypeMP4 || m.DurationMS != 12345 || m.Width != 1280 || m.Height != 720 {
		t.Fatalf("inspected %+v", m)
	}
}
