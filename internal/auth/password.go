package auth

import (
	"crypto/rand"
	"crypto/subtle"
	"encoding/base64"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"unicode/utf8"

	"golang.org/x/crypto/argon2"

	"github.com/heraldsocial/herald/internal/herald"
)

// Password length limits, in characters.
const (
	MinPasswordLen = 10
	MaxPasswordLen = 256
)

// argon2id parameters for new hashes: OWASP's recommended minimum (19 MiB,
// two passes, one lane). Stored hashes carry their own parameters, so these
// can be raised later without breaking existing passwords.
const (
	argonMemoryKiB = 19 * 1024
	argonTime      = 2
	argonThreads   = 1
	argonSaltLen   = 16
	argonKeyLen    = 32
)

// Bounds on the parameters accepted from a stored hash, so a corrupted or
// hostile hash cannot make a check use gigabytes of memory.
const (
	maxArgonMemoryKiB = 1024 * 1024
	maxArgonTime      = 16
)

// HashPassword returns the argon2id hash of password in PHC string format:
// $argon2id$v=19$m=…,t=…,p=…$salt$hash (unpadded standard base64).
func HashPassword(password string) (string, error) {
	salt := make([]byte, argonSaltLen)
	if _, err := rand.Read(salt); err != nil {
		return "", fmt.Errorf("auth: random salt: %w", err)
	}
	key := argon2.IDKey([]byte(password), salt, argonTime, argonMemoryKiB, argonThreads, argonKeyLen)
	b64 := base64.RawStdEncoding
	return fmt.Sprintf("$argon2id$v=%d$m=%d,t=%d,p=%d$%s$%s", argon2.Version, argonMemoryKiB,
		argonTime, argonThreads, b64.EncodeToString(salt), b64.EncodeToString(key)), nil
}

// CheckPassword reports whether password matches hash, a PHC string made by
// HashPassword. The comparison takes constant time. A malformed hash is an
// error, never a match.
func CheckPassword(hash, password string) (bool, error) {
	parts := strings.Split(hash, "$")
	// "", "argon2id", "v=19", "m=…,t=…,p=…", salt, key
	if len(parts) != 6 || parts[0] != "" || parts[1] != "argon2id" {
		return false, errors.New("auth: password hash is not an argon2id PHC string")
	}
	if parts[2] != "v="+strconv.Itoa(argon2.Version) {
		return false, fmt.Errorf("auth: password hash has unsupported version %q", parts[2])
	}
	var m, t uint32
	var p uint8
	if _, err := fmt.Sscanf(parts[3], "m=%d,t=%d,p=%d", &m, &t, &p); err != nil {
		return false, fmt.Errorf("auth: password hash parameters %q: %w", parts[3], err)
	}
	if m == 0 || m > maxArgonMemoryKiB || t == 0 || t > maxArgonTime || p == 0 {
		return false, fmt.Errorf("auth: password hash parameters %q are out of range", parts[3])
	}
	b64 := base64.RawStdEncoding
	salt, err := b64.DecodeString(parts[4])
	if err != nil {
		return false, fmt.Errorf("auth: password hash salt: %w", err)
	}
	want, err := b64.DecodeString(parts[5])
	if err != nil {
		return false, fmt.Errorf("auth: password hash key: %w", err)
	}
	if len(salt) < 8 || len(want) < 16 || len(want) > 128 {
		return false, errors.New("auth: password hash salt or key has a wrong length")
	}
	got := argon2.IDKey([]byte(password), salt, t, m, p, uint32(len(want)))
	return subtle.ConstantTimeCompare(got, want) == 1, nil
}

// ValidatePassword checks a new password's length: 10 to 256 characters.
func ValidatePassword(password string) error {
	var p herald.Problems
	checkPassword(&p, "password", password)
	return p.Err("the password is not acceptable")
}

func checkPassword(p *herald.Problems, field, password string) {
	switch n := utf8.RuneCountInString(password); {
	case n < MinPasswordLen:
		p.Add(field, "is %d characters; use at least %d", n, MinPasswordLen)
	case n > MaxPasswordLen:
		p.Add(field, "is %d characters; at most %d are allowed", n, MaxPasswordLen)
	}
}
