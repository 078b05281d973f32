package storetest

import (
	"testing"

	"github.com/heraldsocial/herald/internal/herald"
)

// listenSettingsTests check a workspace's listening settings: the defaults
// until saved, then what was saved, per workspace.
func listenSettingsTests() []test {
	return []test{
		{"Settings", func(t *testing.T, s herald.Store) {
			ctx := t.Context()
			w, other := mustWorkspace(t, s), mustWorkspace(t, s)
			got, err := s.ListenSettings(ctx, w.ID)
			noErr(t, err, "ListenSettings")
			same(t, "defaults", got, herald.ListenSettings{WorkspaceID: w.ID, KeepDays: herald.DefaultListenKeepDays})
			noErr(t, s.PutListenSettings(ctx, herald.ListenSettings{WorkspaceID: w.ID, KeepDays: 30}), "PutListenSettings")
			noErr(t, s.PutListenSettings(ctx, herald.ListenSettings{WorkspaceID: w.ID, KeepDays: 14}), "PutListenSettings again")
			got, _ = s.ListenSettings(ctx, w.ID)
			same(t, "saved", got, herald.ListenSettings{WorkspaceID: w.ID, KeepDays: 14})
			got, _ = s.ListenSettings(ctx, other.ID)
			same(t, "another workspace", got, herald.ListenSettings{WorkspaceID: other.ID, KeepDays: herald.DefaultListenKeepDays})
			wantConflict(t, s.PutListenSettings(ctx, herald.ListenSettings{WorkspaceID: 999999, KeepDays: 14}), "a workspace of no one")
		}},
	}
}
