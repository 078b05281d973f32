package storetest

import (
	"bytes"
	"testing"
	"time"

	"github.com/heraldsocial/herald/internal/herald"
)

// workspaceLogoTests check a workspace's report logo: one a workspace,
// replaced whole, its bytes kept exactly, gone with the workspace.
func workspaceLogoTests() []test {
	return []test{
		{"NoneIsNotFound", func(t *testing.T, s herald.Store) {
			ctx := t.Context()
			w := mustWorkspace(t, s)
			_, err := s.GetWorkspaceLogo(ctx, w.ID)
			wantNotFound(t, err, "GetWorkspaceLogo without one")
			wantNotFound(t, s.DeleteWorkspaceLogo(ctx, w.ID), "DeleteWorkspaceLogo without one")
		}},
		{"PutGetReplaceDelete", func(t *testing.T, s herald.Store) {
			ctx := t.Context()
			w := mustWorkspace(t, s)
			other := mustWorkspace(t, s)
			// Every byte value, NUL included, comes back as it went in.
			data := make([]byte, 70_000)
			for i := range data {
				data[i] = byte(i * 7)
			}
			l := herald.WorkspaceLogo{WorkspaceID: w.ID, ContentType: herald.LogoPNG, Data: data, UpdatedAt: at(time.Minute)}
			noErr(t, s.PutWorkspaceLogo(ctx, &l), "PutWorkspaceLogo")
			got, err := s.GetWorkspaceLogo(ctx, w.ID)
			noErr(t, err, "GetWorkspaceLogo")
			if got.WorkspaceID != w.ID || got.ContentType != herald.LogoPNG || !bytes.Equal(got.Data, data) {
				t.Fatalf("logo read back: workspace %d, type %q, %d bytes (equal %v)", got.WorkspaceID, got.ContentType,
					len(got.Data), bytes.Equal(got.Data, data))
			}
			wantTime(t, "UpdatedAt", got.UpdatedAt, at(time.Minute))
			_, err = s.GetWorkspaceLogo(ctx, other.ID)
			wantNotFound(t, err, "GetWorkspaceLogo of another workspace")

			l2 := herald.WorkspaceLogo{WorkspaceID: w.ID, ContentType: herald.LogoJPEG, Data: []byte{0xff, 0xd8, 0xff}, UpdatedAt: at(time.Hour)}
			noErr(t, s.PutWorkspaceLogo(ctx, &l2), "PutWorkspaceLogo again")
			got, err = s.GetWorkspaceLogo(ctx, w.ID)
			noErr(t, err, "GetWorkspaceLogo after the replacement")
			if got.ContentType != herald.LogoJPEG || !bytes.Equal(got.Data, l2.Data) {
				t.Fatalf("replaced logo: type %q, %x", got.ContentType, got.Data)
			}
			wantTime(t, "UpdatedAt after the replacement", got.UpdatedAt, at(time.Hour))

			wantNotFound(t, s.DeleteWorkspaceLogo(ctx, other.ID), "DeleteWorkspaceLogo of another workspace")
			noErr(t, s.DeleteWorkspaceLogo(ctx, w.ID), "DeleteWorkspaceLogo")
			_, err = s.GetWorkspaceLogo(ctx, w.ID)
			wantNotFound(t, err, "GetWorkspaceLogo after the delete")
		}},
		{"ZeroUpdatedAtIsNow", func(t *testing.T, s herald.Store) {
			ctx := t.Context()
			w := mustWorkspace(t, s)
			before := time.Now().Add(-time.Minute)
			l := herald.WorkspaceLogo{WorkspaceID: w.ID, ContentType: herald.LogoPNG, Data: []byte("x")}
			noErr(t, s.PutWorkspaceLogo(ctx, &l), "PutWorkspaceLogo")
			got, err := s.GetWorkspaceLogo(ctx, w.ID)
			noErr(t, err, "GetWorkspaceLogo")
			wantUTC(t, "UpdatedAt", got.UpdatedAt)
			if got.UpdatedAt.Before(before) || !got.UpdatedAt.Equal(l.UpdatedAt) {
				t.Fatalf("UpdatedAt = %v, set %v, want about now", got.UpdatedAt, l.UpdatedAt)
			}
		}},
		{"UnknownWorkspaceIsConflict", func(t *testing.T, s herald.Store) {
			l := herald.WorkspaceLogo{WorkspaceID: 987654, ContentType: herald.LogoPNG, Data: []byte("x"), UpdatedAt: at(0)}
			wantConflict(t, s.PutWorkspaceLogo(t.Context(), &l), "PutWorkspaceLogo for no workspace")
		}},
		{"GoesWithTheWorkspace", func(t *testing.T, s herald.Store) {
			ctx := t.Context()
			w := mustWorkspace(t, s)
			l := herald.WorkspaceLogo{WorkspaceID: w.ID, ContentType: herald.LogoPNG, Data: []byte("x"), UpdatedAt: at(0)}
			noErr(t, s.PutWorkspaceLogo(ctx, &l), "PutWorkspaceLogo")
			noErr(t, s.DeleteWorkspace(ctx, w.ID), "DeleteWorkspace")
			_, err := s.GetWorkspaceLogo(ctx, w.ID)
			wantNotFound(t, err, "GetWorkspaceLogo of a deleted workspace")
		}},
		{"InTx", func(t *testing.T, s herald.Store) {
			// A logo put in a transaction that fails is not kept.
			ctx := t.Context()
			w := mustWorkspace(t, s)
			err := s.InTx(ctx, func(tx herald.Tx) error {
				l := herald.WorkspaceLogo{WorkspaceID: w.ID, ContentType: herald.LogoPNG, Data: []byte("x"), UpdatedAt: at(0)}
				if err := tx.PutWorkspaceLogo(ctx, &l); err != nil {
					return err
				}
				if _, err := tx.GetWorkspaceLogo(ctx, w.ID); err != nil {
					return err
				}
				return herald.ErrConflict
			})
			wantConflict(t, err, "InTx")
			_, err = s.GetWorkspaceLogo(ctx, w.ID)
			wantNotFound(t, err, "GetWorkspaceLogo after the rollback")
		}},
	}
}
