// Package keyring encrypts secrets at rest (social account credentials) with
// AES-256-GCM under keys kept in a small key file, so keys can rotate: the
// first key seals, every key opens.
package keyring

import (
	"bufio"
	"bytes"
	"crypto/aes"
	"crypto/cipher"
	"crypto/hkdf"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"

	"github.com/heraldsocial/herald/internal/herald"
)

// KeySize is the length of every key in bytes (AES-256).
const KeySize = 32

// key is one named AES-256-GCM key.
type key struct {
	id   string
	aead cipher.AEAD
	mac  []byte // the key for MACs, derived from the secret (never the secret itself)
}

// Keyring holds the keys of a key file. The first key is current: it seals
// new secrets. Any key opens the secrets it sealed. A Keyring is safe for
// concurrent use.
type Keyring struct {
	current key
	byID    map[string]key
}

// Load reads the key file at path. When the file does not exist it is created
// (with its folder, mode 0700) holding one fresh random key, mode 0600. It
// refuses a key file that group or others may read, and a malformed one.
//
// The format is one key per line, "<key-id> <base64 of 32 bytes>"; the first
// line is the current key. To rotate, add a new first line and keep the old
// lines so old secrets still open.
func Load(path string) (*Keyring, error) {
	data, err := os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		if err := create(path); err != nil {
			return nil, err
		}
		data, err = os.ReadFile(path)
	}
	if err != nil {
		return nil, fmt.Errorf("keyring: read key file %s: %w", path, err)
	}
	info, err := os.Stat(path)
	if err != nil {
		return nil, fmt.Errorf("keyring: stat key file %s: %w", path, err)
	}
	if perm := info.Mode().Perm(); perm&0o077 != 0 {
		return nil, fmt.Errorf("keyring: key file %s has mode %04o, so other users may read it; run: chmod 600 %s", path, perm, path)
	}
	k, err := parse(data)
	if err != nil {
		return nil, fmt.Errorf("keyring: key file %s: %w", path, err)
	}
	return k, nil
}

// New builds a keyring from key file contents (see Load for the format).
func New(data []byte) (*Keyring, error) { return parse(data) }

// GenerateLine returns a new key line, "<key-id> <base64 key>", ready to be
// put first in a key file to rotate keys.
func GenerateLine() (string, error) {
	id := make([]byte, 4)
	if _, err := rand.Read(id); err != nil {
		return "", fmt.Errorf("keyring: random key id: %w", err)
	}
	secret := make([]byte, KeySize)
	if _, err := rand.Read(secret); err != nil {
		return "", fmt.Errorf("keyring: random key: %w", err)
	}
	return hex.EncodeToString(id) + " " + base64.StdEncoding.EncodeToString(secret), nil
}

func create(path string) error {
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return fmt.Errorf("keyring: create folder for key file %s: %w", path, err)
	}
	line, err := GenerateLine()
	if err != nil {
		return err
	}
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if errors.Is(err, fs.ErrExist) {
		return nil // another process created it first; read theirs
	}
	if err != nil {
		return fmt.Errorf("keyring: create key file %s: %w", path, err)
	}
	if _, err := f.WriteString(line + "\n"); err != nil {
		f.Close()
		return fmt.Errorf("keyring: write key file %s: %w", path, err)
	}
	if err := f.Sync(); err != nil {
		f.Close()
		return fmt.Errorf("keyring: sync key file %s: %w", path, err)
	}
	if err := f.Close(); err != nil {
		return fmt.Errorf("keyring: close key file %s: %w", path, err)
	}
	return nil
}

func parse(data []byte) (*Keyring, error) {
	k := &Keyring{byID: map[string]key{}}
	sc := bufio.NewScanner(bytes.NewReader(data))
	n := 0
	for sc.Scan() {
		n++
		line := strings.TrimSpace(sc.Text())
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		fields := strings.Fields(line)
		if len(fields) != 2 {
			return nil, fmt.Errorf("line %d: want \"<key-id> <base64 key>\", found %d fields", n, len(fields))
		}
		id := fields[0]
		if !validID(id) {
			return nil, fmt.Errorf("line %d: key id %q must be 1 to 32 letters, digits, '-' or '_'", n, id)
		}
		if _, dup := k.byID[id]; dup {
			return nil, fmt.Errorf("line %d: key id %q appears twice; give each key its own id", n, id)
		}
		secret, err := base64.StdEncoding.DecodeString(fields[1])
		if err != nil {
			return nil, fmt.Errorf("line %d: key %q is not valid base64: %w", n, id, err)
		}
		if len(secret) != KeySize {
			return nil, fmt.Errorf("line %d: key %q is %d bytes; it must be %d", n, id, len(secret), KeySize)
		}
		block, err := aes.NewCipher(secret)
		if err != nil {
			return nil, fmt.Errorf("line %d: key %q: %w", n, id, err)
		}
		aead, err := cipher.NewGCM(block)
		if err != nil {
			return nil, fmt.Errorf("line %d: key %q: %w", n, id, err)
		}
		kk := key{id: id, aead: aead, mac: hkdfMAC(secret)}
		if len(k.byID) == 0 {
			k.current = kk
		}
		k.byID[id] = kk
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("read keys: %w", err)
	}
	if len(k.byID) == 0 {
		return nil, errors.New("no key found; delete the empty file to have a new key created")
	}
	return k, nil
}

func validID(id string) bool {
	if id == "" || len(id) > 32 {
		return false
	}
	for _, r := range id {
		ok := r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '-' || r == '_'
		if !ok {
			return false
		}
	}
	return true
}

// CurrentKeyID returns the id of the key that seals new secrets.
func (k *Keyring) CurrentKeyID() string { return k.current.id }

// Seal encrypts plaintext under the current key. aad (additional data, e.g.
// the account id) is authenticated but not stored: Open needs the same aad.
// The random nonce is prepended to the ciphertext.
func (k *Keyring) Seal(plaintext, aad []byte) (herald.Sealed, error) {
	aead := k.current.aead
	nonce := make([]byte, aead.NonceSize(), aead.NonceSize()+len(plaintext)+aead.Overhead())
	if _, err := rand.Read(nonce); err != nil {
		return herald.Sealed{}, fmt.Errorf("keyring: random nonce: %w", err)
	}
	return herald.Sealed{KeyID: k.current.id, Ciphertext: aead.Seal(nonce, nonce, plaintext, aad)}, nil
}

// Open decrypts s with the key it names. An unknown key id, tampered data or
// a different aad give an error that says so.
func (k *Keyring) Open(s herald.Sealed, aad []byte) ([]byte, error) {
	kk, ok := k.byID[s.KeyID]
	if !ok {
		return nil, fmt.Errorf("keyring: the secret was sealed with key %q, which is not in the key file; restore that key's line", s.KeyID)
	}
	ns := kk.aead.NonceSize()
	if len(s.Ciphertext) < ns+kk.aead.Overhead() {
		return nil, fmt.Errorf("keyring: the sealed secret is %d bytes, too short to be valid", len(s.Ciphertext))
	}
	plain, err := kk.aead.Open(nil, s.Ciphertext[:ns], s.Ciphertext[ns:], aad)
	if err != nil {
		return nil, fmt.Errorf("keyring: the sealed secret does not open with key %q: it was altered or belongs to another object: %w", s.KeyID, err)
	}
	return plain, nil
}

// hkdfMAC derives the MAC key of a secret, so that the encryption key is
// never used for anything else.
func hkdfMAC(secret []byte) []byte {
	k, err := hkdf.Key(sha256.New, secret, nil, "herald mac v1", 32)
	if err != nil {
		panic("keyring: hkdf: " + err.Error()) // only for lengths out of range
	}
	return k
}

// Sign returns a MAC of data for a purpose ("media-link"), under the
// current key: "<key-id>.<base64url MAC>". A different purpose gives an
// unrelated MAC, so a value signed for one use is refused by another.
func (k *Keyring) Sign(purpose string, data []byte) string {
	return k.current.id + "." + base64.RawURLEncoding.EncodeToString(mac(k.current.mac, purpose, data))
}

// Verify reports whether sig is Sign(purpose, data) under any key of the
// ring, so links signed before a rotation stay valid while the old key's
// line is kept.
func (k *Keyring) Verify(purpose string, data []byte, sig string) bool {
	id, enc, ok := strings.Cut(sig, ".")
	if !ok {
		return false
	}
	kk, ok := k.byID[id]
	if !ok {
		return false
	}
	got, err := base64.RawURLEncoding.DecodeString(enc)
	if err != nil {
		return false
	}
	return hmac.Equal(got, mac(kk.mac, purpose, data))
}

func mac(key []byte, purpose string, data []byte) []byte {
	h := hmac.New(sha256.New, key)
	h.Write([]byte(purpose))
	h.Write([]byte{0})
	h.Write(data)
	return h.Sum(nil)
}
