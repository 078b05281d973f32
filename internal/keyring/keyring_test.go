package keyring

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func mustLoad(t *testing.T, path string) *Keyring {
	t.Helper()
	k, err := Load(path)
	if err != nil {
		t.Fatalf("Load(%s): %v", path, err)
	}
	return k
}

func TestLoadCreatesKeyFile(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "data")
	path := filepath.Join(dir, "secret.key")
	k := mustLoad(t, path)

	info, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	if got := info.Mode().Perm(); got != 0o600 {
		t.Errorf("key file mode = %04o, want 0600", got)
	}
	dinfo, err := os.Stat(dir)
	if err != nil {
		t.Fatal(err)
	}
	if got := dinfo.Mode().Perm(); got != 0o700 {
		t.Errorf("key folder mode = %04o, want 0700", got)
	}
	data, _ := os.ReadFile(path)
	fields := strings.Fields(string(data))
	if len(fields) != 2 || fields[0] != k.CurrentKeyID() {
		t.Fatalf("key file = %q, want one line starting with %q", data, k.CurrentKeyID())
	}

	// Loading again gives the same key: a secret sealed before opens after.
	s, err := k.Seal([]byte("hello"), []byte("acct:1"))
	if err != nil {
		t.Fatal(err)
	}
	again := mustLoad(t, path)
	got, err := again.Open(s, []byte("acct:1"))
	if err != nil || string(got) != "hello" {
		t.Fatalf("Open after reload = %q, %v", got, err)
	}
}

func TestRoundTrip(t *testing.T) {
	k := mustLoad(t, filepath.Join(t.TempDir(), "k"))
	tests := []struct {
		name  string
		plain []byte
		aad   []byte
	}{
		{"empty", []byte{}, nil},
		{"text", []byte(`{"access_token":"abc"}`), []byte("account:42")},
		{"binary", bytes.Repeat([]byte{0, 1, 2, 255}, 1000), []byte("x")},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s, err := k.Seal(tt.plain, tt.aad)
			if err != nil {
				t.Fatal(err)
			}
			if s.KeyID != k.CurrentKeyID() {
				t.Errorf("KeyID = %q, want %q", s.KeyID, k.CurrentKeyID())
			}
			if len(tt.plain) > 8 && bytes.Contains(s.Ciphertext, tt.plain) {
				t.Error("ciphertext contains the plaintext")
			}
			got, err := k.Open(s, tt.aad)
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(got, tt.plain) {
				t.Errorf("Open = %q, want %q", got, tt.plain)
			}
		})
	}
	a, _ := k.Seal([]byte("same"), nil)
	b, _ := k.Seal([]byte("same"), nil)
	if bytes.Equal(a.Ciphertext, b.Ciphertext) {
		t.Error("two seals of the same plaintext are equal: nonce not random")
	}
}

func TestOpenRefuses(t *testing.T) {
	k := mustLoad(t, filepath.Join(t.TempDir(), "k"))
	s, err := k.Seal([]byte("secret credentials"), []byte("account:1"))
	if err != nil {
		t.Fatal(err)
	}
	flip := func(i int) []byte {
		c := bytes.Clone(s.Ciphertext)
		c[i] ^= 1
		return c
	}
	tests := []struct {
		name    string
		sealed  func() (keyID string, ct []byte)
		aad     []byte
		wantErr string
	}{
		{"tampered body", func() (string, []byte) { return s.KeyID, flip(len(s.Ciphertext) - 1) }, []byte("account:1"), "altered"},
		{"tampered nonce", func() (string, []byte) { return s.KeyID, flip(0) }, []byte("account:1"), "altered"},
		{"wrong aad", func() (string, []byte) { return s.KeyID, s.Ciphertext }, []byte("account:2"), "another object"},
		{"unknown key", func() (string, []byte) { return "deadbeef", s.Ciphertext }, []byte("account:1"), `key "deadbeef", which is not in the key file`},
		{"too short", func() (string, []byte) { return s.KeyID, s.Ciphertext[:5] }, []byte("account:1"), "too short"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s2 := s
			s2.KeyID, s2.Ciphertext = tt.sealed()
			_, err := k.Open(s2, tt.aad)
			if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
				t.Fatalf("Open error = %v, want one containing %q", err, tt.wantErr)
			}
		})
	}
}

func TestRotation(t *testing.T) {
	path := filepath.Join(t.TempDir(), "secret.key")
	old := mustLoad(t, path)
	sealedOld, err := old.Seal([]byte("old secret"), nil)
	if err != nil {
		t.Fatal(err)
	}
	line, err := GenerateLine()
	if err != nil {
		t.Fatal(err)
	}
	data, _ := os.ReadFile(path)
	if err := os.WriteFile(path, append([]byte(line+"\n"), data...), 0o600); err != nil {
		t.Fatal(err)
	}
	rotated := mustLoad(t, path)
	if rotated.CurrentKeyID() == old.CurrentKeyID() {
		t.Fatal("current key did not change after adding a new first line")
	}
	got, err := rotated.Open(sealedOld, nil)
	if err != nil || string(got) != "old secret" {
		t.Fatalf("old secret after rotation = %q, %v", got, err)
	}
	sealedNew, err := rotated.Seal([]byte("new secret"), nil)
	if err != nil {
		t.Fatal(err)
	}
	if sealedNew.KeyID != rotated.CurrentKeyID() {
		t.Errorf("new secret sealed with %q, want %q", sealedNew.KeyID, rotated.CurrentKeyID())
	}
	if _, err := old.Open(sealedNew, nil); err == nil {
		t.Error("the old keyring opened a secret sealed with a key it does not have")
	}
}

func TestLoadRefusesReadableFile(t *testing.T) {
	for _, mode := range []os.FileMode{0o640, 0o604, 0o644, 0o660} {
		t.Run(mode.String(), func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "secret.key")
			mustLoad(t, path)
			if err := os.Chmod(path, mode); err != nil {
				t.Fatal(err)
			}
			_, err := Load(path)
			if err == nil || !strings.Contains(err.Error(), "chmod 600 "+path) {
				t.Fatalf("Load error = %v, want one naming the file and the chmod fix", err)
			}
		})
	}
}

func TestLoadRefusesMalformed(t *testing.T) {
	good, err := GenerateLine()
	if err != nil {
		t.Fatal(err)
	}
	id := strings.Fields(good)[0]
	tests := []struct {
		name, content, wantErr string
	}{
		{"empty", "", "no key found"},
		{"one field", "abc\n", "found 1 fields"},
		{"bad base64", "k1 !!!notbase64\n", "not valid base64"},
		{"short key", "k1 " + "AAAA" + "\n", "is 3 bytes; it must be 32"},
		{"bad id", "k/1 " + strings.Fields(good)[1] + "\n", "key id"},
		{"duplicate id", good + "\n" + good + "\n", `key id "` + id + `" appears twice`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "secret.key")
			if err := os.WriteFile(path, []byte(tt.content), 0o600); err != nil {
				t.Fatal(err)
			}
			_, err := Load(path)
			if err == nil || !strings.Contains(err.Error(), tt.wantErr) || !strings.Contains(err.Error(), path) {
				t.Fatalf("Load error = %v, want one naming %s and containing %q", err, path, tt.wantErr)
			}
		})
	}
}

func TestSignVerify(t *testing.T) {
	line1, err := GenerateLine()
	if err != nil {
		t.Fatal(err)
	}
	line2, err := GenerateLine()
	if err != nil {
		t.Fatal(err)
	}
	old, err := New([]byte(line1 + "\n"))
	if err != nil {
		t.Fatal(err)
	}
	sig := old.Sign("media-link", []byte("1:2:3"))
	if !old.Verify("media-link", []byte("1:2:3"), sig) {
		t.Fatal("a signature does not verify with its own ring")
	}
	for name, bad := range map[string]func() bool{
		"other data":    func() bool { return old.Verify("media-link", []byte("1:2:4"), sig) },
		"other purpose": func() bool { return old.Verify("review-link", []byte("1:2:3"), sig) },
		"cut":           func() bool { return old.Verify("media-link", []byte("1:2:3"), sig[:len(sig)-2]) },
		"no key id":     func() bool { return old.Verify("media-link", []byte("1:2:3"), sig[strings.Index(sig, ".")+1:]) },
	} {
		if bad() {
			t.Errorf("%s: verifies", name)
		}
	}
	rotated, err := New([]byte(line2 + "\n" + line1 + "\n"))
	if err != nil {
		t.Fatal(err)
	}
	if !rotated.Verify("media-link", []byte("1:2:3"), sig) {
		t.Error("a signature made before a rotation does not verify after it")
	}
	if s := rotated.Sign("media-link", []byte("1:2:3")); s == sig || !rotated.Verify("media-link", []byte("1:2:3"), s) {
		t.Errorf("after rotation Sign gives %q (before %q)", s, sig)
	}
	other, err := New([]byte(line2 + "\n"))
	if err != nil {
		t.Fatal(err)
	}
	if other.Verify("media-link", []byte("1:2:3"), sig) {
		t.Error("a ring without the key verifies its signature")
	}
}
