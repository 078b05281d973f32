package herald

import (
	"crypto/rand"
	"encoding/hex"
	"fmt"
)

// InstallationIDLen is the length of an installation id: 16 lowercase hex
// digits (64 random bits), short enough to sit in every platform key.
const InstallationIDLen = 16

// NewInstallationID returns a fresh random installation id.
func NewInstallationID() string {
	var b [InstallationIDLen / 2]byte
	_, _ = rand.Read(b[:]) // crypto/rand.Read never fails (it panics instead)
	return hex.EncodeToString(b[:])
}

// ValidInstallationID checks the form of an installation id read back from
// a database.
func ValidInstallationID(id string) error {
	if len(id) != InstallationIDLen {
		return fmt.Errorf("installation id %q is not %d characters", id, InstallationIDLen)
	}
	if _, err := hex.DecodeString(id); err != nil {
		return fmt.Errorf("installation id %q is not lowercase hex: %w", id, err)
	}
	for _, c := range id {
		if c >= 'A' && c <= 'F' {
			return fmt.Errorf("installation id %q is not lowercase hex", id)
		}
	}
	return nil
}
