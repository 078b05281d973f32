package storetest

import (
	"testing"
	"time"

	"github.com/heraldsocial/herald/internal/herald"
)

// playbookTests check the playbook's texts, its checklist and each
// incident's copy of the checklist.
func playbookTests() []test {
	return []test{
		{"Entries", func(t *testing.T, s herald.Store) {
			ctx := t.Context()
			w, other := mustWorkspace(t, s), mustWorkspace(t, s)
			approver, approved := int64(7), at(time.Minute)
			st := herald.PlaybookEntry{WorkspaceID: w.ID, Kind: herald.PlaybookStatement, Title: "Holding statement",
				Body: "We are looking into it.", CreatedBy: 3, ApprovedBy: &approver, ApprovedAt: &approved, CreatedAt: at(0)}
			noErr(t, s.CreatePlaybookEntry(ctx, &st), "CreatePlaybookEntry")
			got, err := s.GetPlaybookEntry(ctx, w.ID, st.ID)
			noErr(t, err, "GetPlaybookEntry")
			same(t, "entry", got, st)
			_, err = s.GetPlaybookEntry(ctx, other.ID, st.ID)
			wantNotFound(t, err, "GetPlaybookEntry of another workspace")
			dup := st
			dup.Title = "HOLDING statement"
			wantConflict(t, s.CreatePlaybookEntry(ctx, &dup), "a second text of that title")
			rep := herald.PlaybookEntry{WorkspaceID: w.ID, Kind: herald.PlaybookReply, Title: "Apology", Body: "Sorry, {{name}}.",
				CreatedBy: 3, CreatedAt: at(0)}
			noErr(t, s.CreatePlaybookEntry(ctx, &rep), "CreatePlaybookEntry reply")
			st2 := herald.PlaybookEntry{WorkspaceID: w.ID, Kind: herald.PlaybookStatement, Title: "All clear", Body: "Fixed.",
				CreatedBy: 3, CreatedAt: at(0)}
			noErr(t, s.CreatePlaybookEntry(ctx, &st2), "CreatePlaybookEntry second statement")
			list, err := s.ListPlaybookEntries(ctx, w.ID)
			noErr(t, err, "ListPlaybookEntries")
			if len(list) != 3 || list[0].ID != st2.ID || list[1].ID != st.ID || list[2].ID != rep.ID {
				t.Fatalf("entries in the wrong order: %+v", list)
			}
			st.Body, st.ApprovedBy, st.ApprovedAt, st.UpdatedAt = "We are on it.", nil, nil, at(time.Hour)
			noErr(t, s.UpdatePlaybookEntry(ctx, &st), "UpdatePlaybookEntry")
			got, _ = s.GetPlaybookEntry(ctx, w.ID, st.ID)
			same(t, "entry after update", got, st)
			if got.Approved() {
				t.Fatal("an edited text kept its approval")
			}
			st.Title = "apology"
			wantConflict(t, s.UpdatePlaybookEntry(ctx, &st), "renaming onto another title")
			wantNotFound(t, s.DeletePlaybookEntry(ctx, other.ID, st.ID), "DeletePlaybookEntry of another workspace")
			noErr(t, s.DeletePlaybookEntry(ctx, w.ID, st.ID), "DeletePlaybookEntry")
			wantNotFound(t, s.DeletePlaybookEntry(ctx, w.ID, st.ID), "DeletePlaybookEntry again")
		}},
		{"Checklist", func(t *testing.T, s herald.Store) {
			ctx := t.Context()
			w, other := mustWorkspace(t, s), mustWorkspace(t, s)
			steps := []herald.PlaybookStep{{Title: "Tell legal", OwnerID: 5}, {Title: "Draft a statement"}}
			noErr(t, s.SetPlaybookSteps(ctx, w.ID, steps), "SetPlaybookSteps")
			got, err := s.PlaybookSteps(ctx, w.ID)
			noErr(t, err, "PlaybookSteps")
			same(t, "checklist", got, steps)
			in := herald.Incident{WorkspaceID: w.ID, Title: "Spike", Status: herald.IncidentOpen, OpenedAt: at(0)}
			noErr(t, s.CreateIncident(ctx, &in, nil), "CreateIncident")
			// A later change of the checklist leaves open incidents' copies alone.
			noErr(t, s.SetPlaybookSteps(ctx, w.ID, steps[:1]), "SetPlaybookSteps shorter")
			got, _ = s.PlaybookSteps(ctx, w.ID)
			same(t, "checklist after replacing", got, steps[:1])
			is, err := s.ListIncidentSteps(ctx, w.ID, in.ID)
			noErr(t, err, "ListIncidentSteps")
			if len(is) != 2 || is[0].Title != "Tell legal" || is[0].OwnerID != 5 || is[1].Position != 2 || is[0].DoneAt != nil {
				t.Fatalf("incident steps %+v", is)
			}
			if none, _ := s.ListIncidentSteps(ctx, other.ID, in.ID); len(none) != 0 {
				t.Fatal("another workspace reads the incident's checklist")
			}
			done := at(time.Hour)
			step, err := s.SetIncidentStepDone(ctx, w.ID, in.ID, is[1].ID, 9, &done)
			noErr(t, err, "SetIncidentStepDone")
			if step.DoneBy != 9 || step.DoneAt == nil || !step.DoneAt.Equal(done) || step.Title != "Draft a statement" {
				t.Fatalf("step done %+v", step)
			}
			_, err = s.SetIncidentStepDone(ctx, other.ID, in.ID, is[1].ID, 9, &done)
			wantNotFound(t, err, "SetIncidentStepDone of another workspace")
			step, err = s.SetIncidentStepDone(ctx, w.ID, in.ID, is[1].ID, 0, nil)
			noErr(t, err, "SetIncidentStepDone undo")
			if step.DoneAt != nil || step.DoneBy != 0 {
				t.Fatalf("step undone %+v", step)
			}
			noErr(t, s.SetPlaybookSteps(ctx, w.ID, nil), "SetPlaybookSteps empty")
			in2 := herald.Incident{WorkspaceID: w.ID, Title: "Another", Status: herald.IncidentOpen, OpenedAt: at(0)}
			noErr(t, s.CreateIncident(ctx, &in2, nil), "CreateIncident without a checklist")
			if is, _ := s.ListIncidentSteps(ctx, w.ID, in2.ID); len(is) != 0 {
				t.Fatalf("steps without a checklist: %+v", is)
			}
		}},
	}
}
