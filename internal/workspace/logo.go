package workspace

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"

	"github.com/heraldsocial/herald/internal/herald"
	"github.com/heraldsocial/herald/internal/report"
)

// Logo returns the workspace's report logo; a not-found error when it has
// none. Every member may see it.
func (s *Service) Logo(ctx context.Context, actor herald.Actor) (herald.WorkspaceLogo, error) {
	if err := actor.Require(herald.ActWorkspaceRead); err != nil {
		return herald.WorkspaceLogo{}, err
	}
	l, err := s.store.GetWorkspaceLogo(ctx, actor.WorkspaceID)
	if errors.Is(err, herald.ErrNotFound) {
		return herald.WorkspaceLogo{}, herald.Errorf(herald.CodeNotFound, "the workspace has no logo")
	}
	if err != nil {
		return herald.WorkspaceLogo{}, fmt.Errorf("workspace: logo of %d: %w", actor.WorkspaceID, err)
	}
	return l, nil
}

// SetLogo makes data the workspace's report logo, replacing any. It must
// be a PNG or JPEG image of at most herald.MaxLogoBytes that the PDF
// report can show; anything else is refused with what to fix, and the
// logo already saved stays.
func (s *Service) SetLogo(ctx context.Context, actor herald.Actor, data []byte) (herald.WorkspaceLogo, error) {
	if err := actor.Require(herald.ActWorkspaceUpdate); err != nil {
		return herald.WorkspaceLogo{}, err
	}
	contentType, err := CheckLogo(data)
	if err != nil {
		return herald.WorkspaceLogo{}, err
	}
	l := herald.WorkspaceLogo{WorkspaceID: actor.WorkspaceID, ContentType: contentType, Data: data, UpdatedAt: s.clock.Now()}
	err = s.store.InTx(ctx, func(tx herald.Tx) error {
		if _, err := getWorkspace(ctx, tx, actor.WorkspaceID); err != nil {
			return err
		}
		var before any
		if old, err := tx.GetWorkspaceLogo(ctx, actor.WorkspaceID); err == nil {
			before = old.Info()
		} else if !errors.Is(err, herald.ErrNotFound) {
			return err
		}
		if err := tx.PutWorkspaceLogo(ctx, &l); err != nil {
			return err
		}
		e := herald.NewAudit(actor, "workspace.logo.set", "workspace", actor.WorkspaceID, before, l.Info(), l.UpdatedAt)
		return tx.AppendAudit(ctx, &e)
	})
	if err != nil {
		return herald.WorkspaceLogo{}, fmt.Errorf("workspace: set logo of %d: %w", actor.WorkspaceID, err)
	}
	s.logger.InfoContext(ctx, "workspace logo set", "workspace_id", actor.WorkspaceID, "user_id", actor.UserID,
		"bytes", len(data))
	return l, nil
}

// RemoveLogo removes the workspace's report logo; removing none is no
// error (and no audit entry).
func (s *Service) RemoveLogo(ctx context.Context, actor herald.Actor) error {
	if err := actor.Require(herald.ActWorkspaceUpdate); err != nil {
		return err
	}
	err := s.store.InTx(ctx, func(tx herald.Tx) error {
		old, err := tx.GetWorkspaceLogo(ctx, actor.WorkspaceID)
		if errors.Is(err, herald.ErrNotFound) {
			return nil
		}
		if err != nil {
			return err
		}
		if err := tx.DeleteWorkspaceLogo(ctx, actor.WorkspaceID); err != nil {
			return err
		}
		e := herald.NewAudit(actor, "workspace.logo.remove", "workspace", actor.WorkspaceID, old.Info(), nil, s.clock.Now())
		return tx.AppendAudit(ctx, &e)
	})
	if err != nil {
		return fmt.Errorf("workspace: remove logo of %d: %w", actor.WorkspaceID, err)
	}
	return nil
}

// CheckLogo checks an image offered as a workspace's logo and returns its
// content type (herald.LogoPNG or herald.LogoJPEG). The error is a domain
// error, on the field "logo", saying what to fix.
func CheckLogo(data []byte) (string, error) {
	refuse := func(code herald.Code, problem string, args ...any) (string, error) {
		msg := fmt.Sprintf(problem, args...)
		return "", &herald.Error{Code: code, Message: "the logo was not saved: " + msg,
			Details: []herald.FieldProblem{{Field: "logo", Problem: msg}}}
	}
	if len(data) == 0 {
		return refuse(herald.CodeInvalid, "the file is empty: choose a PNG or JPEG image")
	}
	if len(data) > herald.MaxLogoBytes {
		return refuse(herald.CodeTooLarge, "the image is %s; a logo may be at most %s: save it smaller (a few hundred pixels across is plenty)",
			sizeWords(len(data)), sizeWords(herald.MaxLogoBytes))
	}
	contentType := http.DetectContentType(data)
	if contentType != herald.LogoPNG && contentType != herald.LogoJPEG {
		return refuse(herald.CodeInvalid, "the file is %s, not a PNG or JPEG image: save the logo as PNG or JPEG",
			typeWords(contentType))
	}
	if err := report.CheckLogo(data); err != nil {
		why := strings.TrimPrefix(err.Error(), report.ErrLogo.Error()+": ")
		return refuse(herald.CodeInvalid, "the image cannot be shown on reports (%s): open it in an image editor and save it again as a plain PNG or JPEG",
			why)
	}
	return contentType, nil
}

// sizeWords says a number of bytes the way people read them.
func sizeWords(n int) string {
	switch {
	case n >= 1<<20 && n%(1<<20) == 0:
		return fmt.Sprintf("%d MiB", n>>20)
	case n >= 1<<20:
		return fmt.Sprintf("%.1f MiB", float64(n)/(1<<20))
	case n >= 1<<10:
		return fmt.Sprintf("%d KiB", n>>10)
	}
	return fmt.Sprintf("%d bytes", n)
}

// typeWords names a detected content type for a person.
func typeWords(contentType string) string {
	mt, _, _ := strings.Cut(contentType, ";")
	switch mt {
	case "image/gif":
		return "a GIF image"
	case "image/webp":
		return "a WebP image"
	case "image/bmp":
		return "a BMP image"
	case "image/svg+xml", "text/xml":
		return "an SVG or XML file"
	case "application/pdf":
		return "a PDF document"
	case "text/plain":
		return "text"
	case "application/octet-stream":
		return "of a type Herald does not recognise"
	}
	return "of type " + mt
}
