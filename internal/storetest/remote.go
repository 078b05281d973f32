package storetest

import (
	"testing"
	"time"

	"github.com/heraldsocial/herald/internal/herald"
)

func remoteTests() []test {
	return []test{
		{"MarkTargetRemoteRoundTrip", func(t *testing.T, s herald.Store) {
			ctx := t.Context()
			w := mustWorld(t, s)
			tg := mustPublished(t, s, w, w.account, "r1", at(0))
			got, err := s.GetTarget(ctx, w.ws.ID, tg.ID)
			noErr(t, err, "GetTarget")
			if got.RemoteDeletedAt != nil || got.EditedAt != nil {
				t.Fatalf("a fresh target has remote_deleted_at %v, edited_at %v", got.RemoteDeletedAt, got.EditedAt)
			}

			edited := at(time.Hour + 123*time.Microsecond)
			noErr(t, s.MarkTargetRemote(ctx, w.ws.ID, tg.ID, nil, &edited, "https://example.social/@a/r1-edited"), "MarkTargetRemote edit")
			got, err = s.GetTarget(ctx, w.ws.ID, tg.ID)
			noErr(t, err, "GetTarget")
			if got.EditedAt == nil || got.RemoteDeletedAt != nil {
				t.Fatalf("after an edit: edited_at %v, remote_deleted_at %v", got.EditedAt, got.RemoteDeletedAt)
			}
			wantTime(t, "EditedAt", *got.EditedAt, edited)
			wantTime(t, "UpdatedAt", got.UpdatedAt, edited)
			same(t, "RemoteURL", got.RemoteURL, "https://example.social/@a/r1-edited")
			same(t, "Version", got.Version, tg.Version)
			same(t, "State", got.State, herald.StatePublished)
			same(t, "RemoteID", got.RemoteID, "r1")

			deleted := at(2 * time.Hour)
			noErr(t, s.MarkTargetRemote(ctx, w.ws.ID, tg.ID, &deleted, nil, ""), "MarkTargetRemote delete")
			got, err = s.GetTarget(ctx, w.ws.ID, tg.ID)
			noErr(t, err, "GetTarget")
			if got.RemoteDeletedAt == nil || got.EditedAt == nil {
				t.Fatalf("after a deletion: remote_deleted_at %v, edited_at %v", got.RemoteDeletedAt, got.EditedAt)
			}
			wantTime(t, "RemoteDeletedAt", *got.RemoteDeletedAt, deleted)
			wantTime(t, "EditedAt kept", *got.EditedAt, edited)
			same(t, "RemoteURL kept", got.RemoteURL, "https://example.social/@a/r1-edited")

			// GetPost and ListPosts read the marks too.
			p, err := s.GetPost(ctx, w.ws.ID, tg.PostID)
			noErr(t, err, "GetPost")
			if pt := p.Targets[0]; pt.RemoteDeletedAt == nil || pt.EditedAt == nil {
				t.Fatalf("GetPost target: remote_deleted_at %v, edited_at %v", pt.RemoteDeletedAt, pt.EditedAt)
			}
			ps, _, err := s.ListPosts(ctx, herald.PostFilter{WorkspaceID: w.ws.ID})
			noErr(t, err, "ListPosts")
			if len(ps) != 1 || ps[0].Targets[0].RemoteDeletedAt == nil {
				t.Fatalf("ListPosts: %+v", ps)
			}

			// Inside a transaction, too.
			again := at(3 * time.Hour)
			noErr(t, s.InTx(ctx, func(tx herald.Tx) error {
				return tx.MarkTargetRemote(ctx, w.ws.ID, tg.ID, nil, &again, "")
			}), "MarkTargetRemote in a transaction")
			got, err = s.GetTarget(ctx, w.ws.ID, tg.ID)
			noErr(t, err, "GetTarget")
			wantTime(t, "EditedAt after the transaction", *got.EditedAt, again)
		}},
		{"MarkTargetRemoteIsWorkspaceScoped", func(t *testing.T, s herald.Store) {
			ctx := t.Context()
			w := mustWorld(t, s)
			other := mustWorld(t, s)
			tg := mustPublished(t, s, w, w.account, "r2", at(0))
			now := at(time.Hour)
			wantNotFound(t, s.MarkTargetRemote(ctx, other.ws.ID, tg.ID, &now, nil, ""), "MarkTargetRemote from another workspace")
			wantNotFound(t, s.MarkTargetRemote(ctx, w.ws.ID, tg.ID+1000, &now, nil, ""), "MarkTargetRemote of an unknown target")
			got, err := s.GetTarget(ctx, w.ws.ID, tg.ID)
			noErr(t, err, "GetTarget")
			if got.RemoteDeletedAt != nil {
				t.Fatalf("another workspace marked the target deleted at %v", got.RemoteDeletedAt)
			}
		}},
	}
}
