package media

import "testing"

func TestSniff(t *testing.T) {
	ftyp := func(brand string) []byte {
		return append([]byte{0, 0, 0, 0x18, 'f', 't', 'y', 'p'}, []byte(brand+"\x00\x00\x02\x00")...)
	}
	cases := []struct {
		name string
		head []byte
		want string
	}{
		{"png", []byte("\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR"), TypePNG},
		{"jpeg", []byte("\xff\xd8\xff\xe0\x00\x10JFIF\x00"), TypeJPEG},
		{"gif", []byte("GIF89a\x01\x00\x01\x00"), TypeGIF},
		{"webp", []byte("RIFF\x24\x00\x00\x00WEBPVP8 "), TypeWebP},
		{"mp4", ftyp("isom"), TypeMP4},
		{"mov", ftyp("qt  "), TypeQuickTime},
		{"old mov", []byte("\x00\x00\x00\x08wide\x00\x00\x00\x00mdat"), TypeQuickTime},
		{"m4a audio", ftyp("M4A "), "audio/mp4"},
		{"heic", ftyp("heic"), "image/heic"},
		{"text", []byte("hello there"), "text/plain"},
		{"pdf", []byte("%PDF-1.7\n"), "application/pdf"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got := Sniff(c.head)
			if got != c.want {
				t.Fatalf("Sniff = %q, want %q", got, c.want)
			}
			if Allowed(got) != (c.want == TypePNG || c.want == TypeJPEG || c.want == TypeGIF || c.want == TypeWebP ||
				c.want == TypeMP4 || c.want == TypeQuickTime) {
				t.Fatalf("Allowed(%q) wrong", got)
			}
		})
	}
}

func TestCleanFilename(t *testing.T) {
	cases := map[string]string{
		"cat.png":             "cat.png",
		"../../etc/passwd":    "passwd",
		`C:\Users\me\dog.jpg`: "dog.jpg",
		"":                    "upload",
		"  ":                  "upload",
		"a\x00b\nc.gif":       "abc.gif",
	}
	for in, want := range cases {
		if got := cleanFilename(in); got != want {
			t.Errorf("cleanFilename(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestDiskStorageRefusesEscapingKeys(t *testing.T) {
	d, err := NewDiskStorage(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	for _, key := range []string{"", "../x", "/etc/passwd", "1/../../x"} {
		if _, err := d.Open(key); err == nil {
			t.Errorf("Open(%q) succeeded", key)
		}
	}
}
