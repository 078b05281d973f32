package storetest

import (
	"testing"
	"time"

	"github.com/heraldsocial/herald/internal/herald"
)

// whole returns tx without per-method savepoints when the store offers
// that (herald.WholeTx), as a batch that is all or nothing asks for it.
func whole(tx herald.Tx) herald.Tx {
	if w, ok := tx.(herald.WholeTx); ok {
		return w.Whole()
	}
	return tx
}

// wholeTests check a batch transaction: what it writes is read back inside
// it in order and kept at commit, and any failure, even of a statement
// whose answer the store did not wait for, fails the transaction and
// keeps nothing.
func wholeTests() []test {
	return []test{
		{"ReadsSeeWrites", func(t *testing.T, s herald.Store) {
			ctx := t.Context()
			w := mustWorld(t, s)
			label := mustLabel(t, s, w.ws.ID, "Batch")
			campaign := mustCampaign(t, s, w.ws.ID, "Batch campaign")
			var ids []int64
			err := s.InTx(ctx, func(tx herald.Tx) error {
				tx = whole(tx)
				for i := range 3 {
					p := herald.Post{WorkspaceID: w.ws.ID, AuthorID: w.owner.ID, Text: "Batch post",
						CampaignID: &campaign.ID, LabelIDs: []int64{label.ID}, CreatedAt: at(0), UpdatedAt: at(0),
						Targets: []herald.Target{{AccountID: w.account.ID, ScheduledAt: ptr(at(time.Duration(i+1) * time.Hour))}}}
					if err := tx.CreatePost(ctx, &p); err != nil {
						return err
					}
					e := herald.AuditEntry{WorkspaceID: w.ws.ID, ActorID: &w.owner.ID, Action: "post.create",
						ObjectType: "post", ObjectID: p.ID, At: at(0)}
					if err := tx.AppendAudit(ctx, &e); err != nil {
						return err
					}
					tg := p.Targets[0]
					tr, err := tg.Transition(herald.StateScheduled, nil, "batch", at(time.Minute))
					if err != nil {
						return err
					}
					if err := tx.TransitionTarget(ctx, &tg, tr); err != nil {
						return err
					}
					got, err := tx.GetPost(ctx, w.ws.ID, p.ID)
					if err != nil {
						return err
					}
					if len(got.LabelIDs) != 1 || got.Targets[0].State != herald.StateScheduled {
						t.Errorf("post %d read in its batch: labels %v, state %s", p.ID, got.LabelIDs, got.Targets[0].State)
					}
					hist, err := tx.ListTargetTransitions(ctx, w.ws.ID, tg.ID)
					if err != nil {
						return err
					}
					if len(hist) != 1 || hist[0].Reason != "batch" {
						t.Errorf("target %d history read in its batch: %+v", tg.ID, hist)
					}
					ids = append(ids, p.ID)
				}
				return nil
			})
			noErr(t, err, "InTx")
			entries, _, err := s.ListAudit(ctx, herald.AuditFilter{WorkspaceID: w.ws.ID, ObjectType: "post"})
			noErr(t, err, "ListAudit")
			if len(entries) != len(ids) {
				t.Fatalf("%d audit entries after commit, want %d", len(entries), len(ids))
			}
			for _, id := range ids {
				p, err := s.GetPost(ctx, w.ws.ID, id)
				noErr(t, err, "GetPost after commit")
				if len(p.LabelIDs) != 1 || p.Targets[0].State != herald.StateScheduled {
					t.Errorf("post %d after commit: labels %v, state %s", id, p.LabelIDs, p.Targets[0].State)
				}
			}
		}},
		{"LateFailureKeepsNothing", func(t *testing.T, s herald.Store) {
			ctx := t.Context()
			w := mustWorld(t, s)
			var p herald.Post
			err := s.InTx(ctx, func(tx herald.Tx) error {
				tx = whole(tx)
				p = mustPost(t, tx, w.ws.ID, w.owner.ID, w.account.ID)
				// An entry for a workspace that does not exist breaks a
				// foreign key; the store may learn it only later.
				bad := herald.AuditEntry{WorkspaceID: w.ws.ID + 1000, ActorID: &w.owner.ID, Action: "post.create",
					ObjectType: "post", ObjectID: p.ID, At: at(0)}
				if err := tx.AppendAudit(ctx, &bad); err != nil {
					return err
				}
				_, err := tx.GetWorkspace(ctx, w.ws.ID)
				return err
			})
			wantConflict(t, err, "InTx with a broken audit entry")
			_, err = s.GetPost(ctx, w.ws.ID, p.ID)
			wantNotFound(t, err, "GetPost after the failed batch")
		}},
		{"FailureAtCommit", func(t *testing.T, s herald.Store) {
			ctx := t.Context()
			w := mustWorld(t, s)
			var p herald.Post
			err := s.InTx(ctx, func(tx herald.Tx) error {
				tx = whole(tx)
				p = mustPost(t, tx, w.ws.ID, w.owner.ID, w.account.ID)
				bad := herald.AuditEntry{WorkspaceID: w.ws.ID + 1000, ActorID: &w.owner.ID, Action: "post.create",
					ObjectType: "post", ObjectID: p.ID, At: at(0)}
				return tx.AppendAudit(ctx, &bad) // last: may fail only at commit
			})
			wantConflict(t, err, "InTx ending with a broken audit entry")
			_, err = s.GetPost(ctx, w.ws.ID, p.ID)
			wantNotFound(t, err, "GetPost after the failed batch")
		}},
	}
}
