package sqlite

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
)

// LockFile is the file in a data folder that the serving process holds an
// exclusive lock on.
const LockFile = "herald.lock"

// ErrInUse says another process serves the data folder.
var ErrInUse = errors.New("the data folder is in use by another Herald process")

// LockDir takes the exclusive lock of a data folder: one process serves a
// folder, so whatever an earlier process left in flight is known to be
// abandoned once the lock is taken. The lock is the operating system's
// (released when the process exits, however it exits); unlock releases it
// earlier. A folder locked by another process gives an error wrapping
// ErrInUse.
func LockDir(dir string) (unlock func() error, err error) {
	path := filepath.Join(dir, LockFile)
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE, 0o600)
	if err != nil {
		return nil, fmt.Errorf("open the lock file %s: %w", path, err)
	}
	if err := lockFile(f); err != nil {
		_ = f.Close()
		if errors.Is(err, ErrInUse) {
			return nil, fmt.Errorf("%w (%s is locked): stop the other `herald serve` first", ErrInUse, dir)
		}
		return nil, fmt.Errorf("lock %s: %w", path, err)
	}
	_ = f.Truncate(0)
	_, _ = fmt.Fprintf(f, "%d\n", os.Getpid())
	return func() error {
		if err := unlockFile(f); err != nil {
			_ = f.Close()
			return fmt.Errorf("unlock %s: %w", path, err)
		}
		return f.Close()
	}, nil
}
