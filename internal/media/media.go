// Package media keeps a workspace's library of images and videos: uploads
// checked by their bytes (never by their name), stored once per content on
// disk, described with alt text, and refused for deletion while a post uses
// them.
package media

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"path"
	"slices"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/heraldsocial/herald/internal/herald"
)

// Service is the media use-case. It is safe for concurrent use.
type Service struct {
	store    herald.Store
	storage  *DiskStorage
	maxBytes int64
	clock    herald.Clock
	logger   *slog.Logger
}

// New returns a Service that keeps files in storage and accepts files of
// at most maxBytes.
func New(store herald.Store, storage *DiskStorage, maxBytes int64, clock herald.Clock, logger *slog.Logger) *Service {
	if logger == nil {
		logger = slog.New(slog.DiscardHandler)
	}
	return &Service{store: store, storage: storage, maxBytes: maxBytes, clock: clock, logger: logger}
}

// MaxBytes is the largest file Upload accepts.
func (s *Service) MaxBytes() int64 { return s.maxBytes }

// Patch changes some of an asset's fields; nil fields stay as they are.
type Patch struct {
	Filename *string
	AltText  *string
	// Tags replace the asset's tags; they are normalised (NormalizeTags)
	// before they are checked.
	Tags *[]string
}

// MaxUsage bounds how many uses of an asset Usage returns.
const MaxUsage = 100

// Upload adds a file to the actor's workspace library. Its type is sniffed
// from its bytes; only JPEG, PNG, GIF, WebP, MP4 and MOV are accepted. The
// same bytes uploaded again return the asset already in the library.
func (s *Service) Upload(ctx context.Context, actor herald.Actor, filename string, r io.Reader, altText string) (herald.MediaAsset, error) {
	m, _, err := s.UploadNew(ctx, actor, filename, r, altText)
	return m, err
}

// UploadNew is Upload that also reports whether the asset is new to the
// library (false when the same bytes were there already), so a caller
// whose larger change fails can remove what it added, and only that.
func (s *Service) UploadNew(ctx context.Context, actor herald.Actor, filename string, r io.Reader, altText string) (herald.MediaAsset, bool, error) {
	if err := actor.Require(herald.ActMediaWrite); err != nil {
		return herald.MediaAsset{}, false, err
	}
	m := herald.MediaAsset{WorkspaceID: actor.WorkspaceID, UploaderID: actor.UserID,
		Filename: cleanFilename(filename), AltText: strings.TrimSpace(altText)}
	if err := m.Validate(); err != nil {
		return herald.MediaAsset{}, false, err
	}
	staged, err := s.storage.Stage(r, s.maxBytes)
	if err != nil {
		return herald.MediaAsset{}, false, fmt.Errorf("media: upload: %w", err)
	}
	defer staged.Discard()
	if staged.Size > s.maxBytes {
		return herald.MediaAsset{}, false, &herald.Error{Code: herald.CodeTooLarge,
			Message: fmt.Sprintf("the file is larger than the %s limit: upload a smaller file", humanBytes(s.maxBytes)),
			Details: []herald.FieldProblem{{Field: "file", Problem: "must be at most " + humanBytes(s.maxBytes)}}}
	}
	if staged.Size == 0 {
		return herald.MediaAsset{}, false, invalidFile("is empty: choose a JPEG, PNG, GIF, WebP, MP4 or MOV file")
	}
	if err := s.inspect(staged, &m); err != nil {
		return herald.MediaAsset{}, false, err
	}

	existing, err := s.store.GetMediaByHash(ctx, actor.WorkspaceID, staged.SHA256)
	if err == nil {
		return existing, false, nil
	}
	if !errors.Is(err, herald.ErrNotFound) {
		return herald.MediaAsset{}, false, fmt.Errorf("media: look up by hash: %w", err)
	}

	m.Size = staged.Size
	m.SHA256 = staged.SHA256
	m.StorageKey = Key(actor.WorkspaceID, staged.SHA256)
	if err := s.storage.Commit(staged, m.StorageKey); err != nil {
		return herald.MediaAsset{}, false, fmt.Errorf("media: upload: %w", err)
	}
	now := s.clock.Now()
	m.CreatedAt, m.UpdatedAt = now, now
	created := false
	err = s.store.InTx(ctx, func(tx herald.Tx) error {
		// Another upload of the same bytes may have won the race.
		if other, err := tx.GetMediaByHash(ctx, actor.WorkspaceID, m.SHA256); err == nil {
			m = other
			return nil
		} else if !errors.Is(err, herald.ErrNotFound) {
			return err
		}
		if err := tx.CreateMedia(ctx, &m); err != nil {
			return err
		}
		created = true
		e := herald.NewAudit(actor, "media.upload", "media", m.ID, nil, m, now)
		return tx.AppendAudit(ctx, &e)
	})
	if err != nil {
		s.removeIfUnused(ctx, actor.WorkspaceID, m.SHA256, m.StorageKey)
		return herald.MediaAsset{}, false, fmt.Errorf("media: upload: %w", err)
	}
	s.logger.InfoContext(ctx, "media uploaded", "workspace_id", m.WorkspaceID, "media_id", m.ID,
		"content_type", m.ContentType, "size", m.Size)
	return m, created, nil
}

// inspect sets the asset's content type (and an image's size in pixels)
// from the staged bytes, refusing types Herald does not accept.
func (s *Service) inspect(staged *StagedFile, m *herald.MediaAsset) error {
	f, err := staged.Open()
	if err != nil {
		return err
	}
	defer f.Close()
	head := make([]byte, 512)
	n, err := io.ReadFull(f, head)
	if err != nil && !errors.Is(err, io.ErrUnexpectedEOF) && !errors.Is(err, io.EOF) {
		return fmt.Errorf("media: read staged file: %w", err)
	}
	ct := Sniff(head[:n])
	if !Allowed(ct) {
		return &herald.Error{Code: herald.CodeInvalid,
			Message: fmt.Sprintf("%s files are not supported: upload JPEG, PNG, GIF, WebP, MP4 or MOV", ct),
			Details: []herald.FieldProblem{{Field: "file", Problem: "is " + ct + ", which Herald does not accept"}}}
	}
	m.ContentType = ct
	if ct == TypeMP4 || ct == TypeQuickTime {
		// The length and size in pixels, for the platforms' rules; a header
		// Herald cannot read leaves them unknown (0) and the file as it is.
		if info, err := ProbeVideo(f); err == nil {
			m.DurationMS, m.Width, m.Height = info.DurationMS, info.Width, info.Height
		}
		return nil
	}
	if !IsImage(ct) {
		return nil
	}
	if _, err := f.Seek(0, io.SeekStart); err != nil {
		return fmt.Errorf("media: rewind staged file: %w", err)
	}
	w, h, err := dimensions(f)
	if err != nil {
		return invalidFile(fmt.Sprintf("looks like %s but its header cannot be read (%v): export it again", ct, err))
	}
	m.Width, m.Height = w, h
	return nil
}

func invalidFile(problem string) error {
	return &herald.Error{Code: herald.CodeInvalid, Message: "the file " + problem,
		Details: []herald.FieldProblem{{Field: "file", Problem: problem}}}
}

// cleanFilename keeps the last element of a client's file name, without
// control characters, at most 255 bytes; an empty name becomes "upload".
func cleanFilename(name string) string {
	name = strings.ReplaceAll(name, `\`, "/")
	name = path.Base(strings.TrimSpace(strings.ToValidUTF8(name, "")))
	name = strings.Map(func(r rune) rune {
		if unicode.IsControl(r) {
			return -1
		}
		return r
	}, name)
	if name == "." || name == "/" || name == "" {
		name = "upload"
	}
	for len(name) > 255 {
		_, size := utf8.DecodeLastRuneInString(name)
		name = name[:len(name)-size]
	}
	return name
}

// humanBytes writes a limit the way people read it: 5 MiB, 512 KiB, 100 bytes.
func humanBytes(n int64) string {
	switch {
	case n >= 1<<30 && n%(1<<30) == 0:
		return fmt.Sprintf("%d GiB", n>>30)
	case n >= 1<<20 && n%(1<<20) == 0:
		return fmt.Sprintf("%d MiB", n>>20)
	case n >= 1<<20:
		return fmt.Sprintf("%.1f MiB", float64(n)/(1<<20))
	case n >= 1<<10 && n%(1<<10) == 0:
		return fmt.Sprintf("%d KiB", n>>10)
	}
	return fmt.Sprintf("%d bytes", n)
}

// removeIfUnused deletes a stored file when no asset of the workspace
// refers to its content (after a failed upload or a delete).
func (s *Service) removeIfUnused(ctx context.Context, workspaceID int64, sha, key string) {
	_, err := s.store.GetMediaByHash(ctx, workspaceID, sha)
	if !errors.Is(err, herald.ErrNotFound) {
		return
	}
	if err := s.storage.Remove(key); err != nil {
		s.logger.WarnContext(ctx, "media file left on disk", "key", key, "error", err)
	}
}

// List returns one page of the workspace's library, newest first; query
// matches file names and alt texts.
func (s *Service) List(ctx context.Context, actor herald.Actor, query string, page herald.Page) ([]herald.MediaAsset, string, error) {
	if err := actor.Require(herald.ActMediaRead); err != nil {
		return nil, "", err
	}
	items, next, err := s.store.ListMedia(ctx, herald.MediaFilter{WorkspaceID: actor.WorkspaceID,
		Query: strings.TrimSpace(query), Page: page.Normalize()})
	if err != nil {
		return nil, "", fmt.Errorf("media: list: %w", err)
	}
	return items, next, nil
}

// Get returns one asset of the actor's workspace.
func (s *Service) Get(ctx context.Context, actor herald.Actor, id int64) (herald.MediaAsset, error) {
	if err := actor.Require(herald.ActMediaRead); err != nil {
		return herald.MediaAsset{}, err
	}
	return get(ctx, s.store, actor.WorkspaceID, id)
}

func get(ctx context.Context, tx herald.Tx, workspaceID, id int64) (herald.MediaAsset, error) {
	m, err := tx.GetMedia(ctx, workspaceID, id)
	if errors.Is(err, herald.ErrNotFound) {
		return herald.MediaAsset{}, &herald.Error{Code: herald.CodeNotFound,
			Message: fmt.Sprintf("media %d not found in this workspace", id), Err: err}
	}
	if err != nil {
		return herald.MediaAsset{}, fmt.Errorf("media: get %d: %w", id, err)
	}
	return m, nil
}

// Open returns an asset and its bytes; the caller closes the reader.
func (s *Service) Open(ctx context.Context, actor herald.Actor, id int64) (herald.MediaAsset, io.ReadCloser, error) {
	m, err := s.Get(ctx, actor, id)
	if err != nil {
		return herald.MediaAsset{}, nil, err
	}
	rc, err := s.storage.Open(m.StorageKey)
	if err != nil {
		return herald.MediaAsset{}, nil, fmt.Errorf("media: open file of %d: %w", id, err)
	}
	return m, rc, nil
}

// Update changes an asset's file name, alt text or tags.
func (s *Service) Update(ctx context.Context, actor herald.Actor, id int64, p Patch) (herald.MediaAsset, error) {
	if err := actor.Require(herald.ActMediaRead); err != nil {
		return herald.MediaAsset{}, err
	}
	var after herald.MediaAsset
	err := s.store.InTx(ctx, func(tx herald.Tx) error {
		before, err := get(ctx, tx, actor.WorkspaceID, id)
		if err != nil {
			return err
		}
		// Existence first, then the role: another workspace's asset is not
		// found whatever the caller's role.
		if err := actor.Require(herald.ActMediaWrite); err != nil {
			return err
		}
		after = before
		if p.Filename != nil {
			after.Filename = strings.TrimSpace(*p.Filename)
			if strings.ContainsAny(after.Filename, "/\\") {
				return &herald.Error{Code: herald.CodeInvalid, Message: "the media asset is not valid",
					Details: []herald.FieldProblem{{Field: "filename", Problem: "must be a name without / or \\"}}}
			}
		}
		if p.AltText != nil {
			after.AltText = strings.TrimSpace(*p.AltText)
		}
		if p.Tags != nil {
			after.Tags = herald.NormalizeTags(*p.Tags)
		}
		if err := after.Validate(); err != nil {
			return err
		}
		if after.Filename == before.Filename && after.AltText == before.AltText && slices.Equal(after.Tags, before.Tags) {
			return nil
		}
		now := s.clock.Now()
		after.UpdatedAt = now
		if err := tx.UpdateMedia(ctx, &after); err != nil {
			return err
		}
		e := herald.NewAudit(actor, "media.update", "media", id, before, after, now)
		return tx.AppendAudit(ctx, &e)
	})
	if err != nil {
		return herald.MediaAsset{}, fmt.Errorf("media: update %d: %w", id, err)
	}
	return after, nil
}

// Delete removes an asset and its file, unless a post that may still be
// published uses it (uses by published or cancelled posts do not stop it).
func (s *Service) Delete(ctx context.Context, actor herald.Actor, id int64) error {
	if err := actor.Require(herald.ActMediaRead); err != nil {
		return err
	}
	var before herald.MediaAsset
	err := s.store.InTx(ctx, func(tx herald.Tx) error {
		var err error
		before, err = get(ctx, tx, actor.WorkspaceID, id)
		if err != nil {
			return err
		}
		if err := actor.Require(herald.ActMediaWrite); err != nil {
			return err
		}
		// Uses that may still publish come first.
		uses, err := tx.MediaUsage(ctx, actor.WorkspaceID, id, 1)
		if err != nil {
			return fmt.Errorf("media: find posts using %d: %w", id, err)
		}
		if len(uses) > 0 && uses[0].Pending() {
			return herald.Errorf(herald.CodeConflict, "media %d is used by post %d, which is %s: remove it there first",
				id, uses[0].PostID, strings.ReplaceAll(string(uses[0].State), "_", " "))
		}
		if err := tx.DeleteMedia(ctx, actor.WorkspaceID, id); err != nil {
			return err
		}
		e := herald.NewAudit(actor, "media.delete", "media", id, before, nil, s.clock.Now())
		return tx.AppendAudit(ctx, &e)
	})
	if err != nil {
		return fmt.Errorf("media: delete %d: %w", id, err)
	}
	s.removeIfUnused(ctx, actor.WorkspaceID, before.SHA256, before.StorageKey)
	s.logger.InfoContext(ctx, "media deleted", "workspace_id", actor.WorkspaceID, "media_id", id)
	return nil
}

// Usage returns the targets that use asset id (at most MaxUsage): those
// that may still publish first, then the newest posts.
func (s *Service) Usage(ctx context.Context, actor herald.Actor, id int64) ([]herald.MediaUse, error) {
	if _, err := s.Get(ctx, actor, id); err != nil {
		return nil, err
	}
	uses, err := s.store.MediaUsage(ctx, actor.WorkspaceID, id, MaxUsage)
	if err != nil {
		return nil, fmt.Errorf("media: usage of %d: %w", id, err)
	}
	return uses, nil
}
