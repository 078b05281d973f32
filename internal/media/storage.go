package media

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strconv"
)

// DiskStorage keeps media files on the local disk under one root folder,
// content-addressed: <workspace id>/<first two hex digits of the SHA-256>/<SHA-256>.
// Files are written to a staging folder first and renamed into place, so a
// reader never sees half a file. It is safe for concurrent use.
type DiskStorage struct {
	root string
}

// stagingDir is the folder under the root where uploads are written before
// they are renamed into place (on the same file system, so rename is atomic).
const stagingDir = ".staging"

// NewDiskStorage returns a storage rooted at root, creating the folder
// (mode 0750) if needed.
func NewDiskStorage(root string) (*DiskStorage, error) {
	if root == "" {
		return nil, errors.New("media: the storage folder is not set")
	}
	abs, err := filepath.Abs(root)
	if err != nil {
		return nil, fmt.Errorf("media: storage folder %s: %w", root, err)
	}
	if err := os.MkdirAll(filepath.Join(abs, stagingDir), 0o750); err != nil {
		return nil, fmt.Errorf("media: create storage folder %s: %w", abs, err)
	}
	return &DiskStorage{root: abs}, nil
}

// Key is the storage key of a workspace's file with the given hex SHA-256.
func Key(workspaceID int64, sha string) string {
	return strconv.FormatInt(workspaceID, 10) + "/" + sha[:2] + "/" + sha
}

// StagedFile is an upload written to the staging folder: its size and
// SHA-256 are known, and it is either committed under a key or discarded.
type StagedFile struct {
	path   string
	Size   int64  // bytes read, at most the limit given to Stage plus one
	SHA256 string // hex
}

// Open opens the staged bytes for reading (to sniff and decode them).
func (f *StagedFile) Open() (*os.File, error) {
	r, err := os.Open(f.path)
	if err != nil {
		return nil, fmt.Errorf("media: open staged file: %w", err)
	}
	return r, nil
}

// Discard removes the staged file. It is safe to call after Commit.
func (f *StagedFile) Discard() {
	_ = os.Remove(f.path)
}

// Stage copies at most limit+1 bytes of r to a new staging file, hashing
// them, so the caller can tell from Size whether r was over the limit
// without reading all of it.
func (d *DiskStorage) Stage(r io.Reader, limit int64) (*StagedFile, error) {
	tmp, err := os.CreateTemp(filepath.Join(d.root, stagingDir), "upload-*")
	if err != nil {
		return nil, fmt.Errorf("media: create staging file: %w", err)
	}
	f := &StagedFile{path: tmp.Name()}
	h := sha256.New()
	n, err := io.Copy(io.MultiWriter(tmp, h), io.LimitReader(r, limit+1))
	if err == nil {
		err = tmp.Sync()
	}
	if cerr := tmp.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		f.Discard()
		return nil, fmt.Errorf("media: write staging file: %w", err)
	}
	f.Size = n
	f.SHA256 = hex.EncodeToString(h.Sum(nil))
	return f, nil
}

// Commit moves a staged file into place under key. When a file already
// exists there it has the same content (the key is its hash), so the staged
// copy is simply dropped.
func (d *DiskStorage) Commit(f *StagedFile, key string) error {
	dst, err := d.path(key)
	if err != nil {
		return err
	}
	if _, err := os.Stat(dst); err == nil {
		f.Discard()
		return nil
	}
	if err := os.MkdirAll(filepath.Dir(dst), 0o750); err != nil {
		return fmt.Errorf("media: create folder for %s: %w", key, err)
	}
	if err := os.Chmod(f.path, 0o640); err != nil {
		return fmt.Errorf("media: set mode of %s: %w", key, err)
	}
	if err := os.Rename(f.path, dst); err != nil {
		return fmt.Errorf("media: move upload into place as %s: %w", key, err)
	}
	return nil
}

// Open opens the file stored under key.
func (d *DiskStorage) Open(key string) (io.ReadCloser, error) {
	p, err := d.path(key)
	if err != nil {
		return nil, err
	}
	f, err := os.Open(p)
	if err != nil {
		return nil, fmt.Errorf("media: open %s: %w", key, err)
	}
	return f, nil
}

// Remove deletes the file stored under key; a missing file is not an error.
func (d *DiskStorage) Remove(key string) error {
	p, err := d.path(key)
	if err != nil {
		return err
	}
	if err := os.Remove(p); err != nil && !errors.Is(err, fs.ErrNotExist) {
		return fmt.Errorf("media: remove %s: %w", key, err)
	}
	return nil
}

// path resolves key inside the root, refusing keys that would leave it.
func (d *DiskStorage) path(key string) (string, error) {
	if key == "" || !filepath.IsLocal(filepath.FromSlash(key)) {
		return "", fmt.Errorf("media: %q is not a storage key", key)
	}
	return filepath.Join(d.root, filepath.FromSlash(key)), nil
}
