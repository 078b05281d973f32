package media

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/url"
	"os"
	"strconv"
	"time"

	"github.com/heraldsocial/herald/internal/connector"
	"github.com/heraldsocial/herald/internal/herald"
)

// LinkTTL is how long a public media address stays valid: long enough for
// a platform to fetch the file while it processes a post (Instagram and
// Threads fetch within minutes; a video may wait in their queue), short
// enough that a leaked address soon stops working.
const LinkTTL = 6 * time.Hour

// linkPurpose separates these signatures from any other use of the key.
const linkPurpose = "media-link"

// Signer signs and checks values (the keyring).
type Signer interface {
	Sign(purpose string, data []byte) string
	Verify(purpose string, data []byte, sig string) bool
}

// mediaGetter reads one asset without an actor: the signature is the
// permission.
type mediaGetter interface {
	GetMedia(ctx context.Context, workspaceID, id int64) (herald.MediaAsset, error)
}

// PublicLinks makes signed, expiring addresses of media files on Herald's
// base URL, for platforms that fetch media from a public address instead
// of taking an upload (Instagram, Threads), and serves them. An address
// names one file: the signature covers the workspace, the asset, the
// file's SHA-256 and the expiry, so a replaced file or a changed expiry
// is refused.
type PublicLinks struct {
	base    string
	signer  Signer
	store   mediaGetter
	storage *DiskStorage
	clock   herald.Clock
	log     *slog.Logger
}

// NewPublicLinks returns the links of base (Herald's public base URL, as
// HERALD_BASE_URL gives it).
func NewPublicLinks(base string, signer Signer, store mediaGetter, storage *DiskStorage, clock herald.Clock, log *slog.Logger) *PublicLinks {
	return &PublicLinks{base: base, signer: signer, store: store, storage: storage, clock: clock, log: log}
}

// Route is the pattern PublicLinks serves.
const Route = "GET /media/public/{ws}/{id}/{exp}/{sig}/{name}"

func linkData(ws, id int64, sha string, exp int64) []byte {
	return fmt.Appendf(nil, "%d:%d:%s:%d", ws, id, sha, exp)
}

// URL returns the address of asset, valid for LinkTTL.
func (l *PublicLinks) URL(asset herald.MediaAsset) string {
	exp := l.clock.Now().Add(LinkTTL).Unix()
	sig := l.signer.Sign(linkPurpose, linkData(asset.WorkspaceID, asset.ID, asset.SHA256, exp))
	name := asset.Filename
	if name == "" {
		name = "file"
	}
	return fmt.Sprintf("%s/media/public/%d/%d/%d/%s/%s", l.base, asset.WorkspaceID, asset.ID, exp, sig, url.PathEscape(name))
}

// MediaURL is URL in the shape connectors take (WithMediaURL).
func (l *PublicLinks) MediaURL(_ context.Context, m connector.Media) (string, error) {
	if m.Asset.ID == 0 || m.Asset.WorkspaceID == 0 || m.Asset.SHA256 == "" {
		return "", errors.New("media: this file is not in the library, so it has no public address")
	}
	return l.URL(m.Asset), nil
}

// ServeHTTP serves a file named by a valid address. Anything else is 404,
// an expired address 410, neither saying more.
func (l *PublicLinks) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("X-Robots-Tag", "noindex")
	w.Header().Set("Cache-Control", "no-store")
	ws, err1 := strconv.ParseInt(r.PathValue("ws"), 10, 64)
	id, err2 := strconv.ParseInt(r.PathValue("id"), 10, 64)
	exp, err3 := strconv.ParseInt(r.PathValue("exp"), 10, 64)
	if err1 != nil || err2 != nil || err3 != nil {
		http.NotFound(w, r)
		return
	}
	asset, err := l.store.GetMedia(r.Context(), ws, id)
	if err != nil {
		if !errors.Is(err, herald.ErrNotFound) {
			l.log.ErrorContext(r.Context(), "public media link: read the asset", slog.Int64("media_id", id), slog.Any("error", err))
			http.Error(w, "the file cannot be read now", http.StatusServiceUnavailable)
			return
		}
		http.NotFound(w, r)
		return
	}
	if !l.signer.Verify(linkPurpose, linkData(ws, id, asset.SHA256, exp), r.PathValue("sig")) {
		http.NotFound(w, r)
		return
	}
	if l.clock.Now().Unix() > exp {
		http.Error(w, "this media address has expired", http.StatusGone)
		return
	}
	f, err := l.storage.Open(asset.StorageKey)
	if err != nil {
		l.log.ErrorContext(r.Context(), "public media link: open the file", slog.Int64("media_id", id), slog.Any("error", err))
		http.Error(w, "the file cannot be read now", http.StatusServiceUnavailable)
		return
	}
	defer f.Close()
	w.Header().Set("Content-Type", asset.ContentType)
	w.Header().Set("X-Content-Type-Options", "nosniff")
	w.Header().Set("Content-Disposition", "inline")
	if rs, ok := f.(io.ReadSeeker); ok {
		// Ranges, for platforms that fetch video in parts.
		http.ServeContent(w, r, "", asset.CreatedAt, rs)
		return
	}
	w.Header().Set("Content-Length", strconv.FormatInt(asset.Size, 10))
	if _, err := io.Copy(w, f); err != nil && !errors.Is(err, os.ErrClosed) {
		l.log.WarnContext(r.Context(), "public media link: send the file", slog.Int64("media_id", id), slog.Any("error", err))
	}
}
