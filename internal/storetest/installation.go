package storetest

import (
	"sync"
	"testing"

	"github.com/heraldsocial/herald/internal/herald"
)

// installationTests check the installation id: made once, then the same
// for every caller.
func installationTests() []test {
	return []test{
		{"CreatedOnce", func(t *testing.T, s herald.Store) {
			ctx := t.Context()
			ids := make([]string, 8)
			errs := make([]error, len(ids))
			var wg sync.WaitGroup
			for i := range ids {
				wg.Go(func() { ids[i], errs[i] = s.InstallationID(ctx) })
			}
			wg.Wait()
			for i := range ids {
				noErr(t, errs[i], "InstallationID")
				if err := herald.ValidInstallationID(ids[i]); err != nil {
					t.Fatalf("InstallationID: %v", err)
				}
				if ids[i] != ids[0] {
					t.Fatalf("concurrent InstallationID calls gave %q and %q", ids[0], ids[i])
				}
			}
			again, err := s.InstallationID(ctx)
			noErr(t, err, "InstallationID again")
			if again != ids[0] {
				t.Fatalf("InstallationID changed from %q to %q", ids[0], again)
			}
		}},
	}
}

// InstallationIDSurvivesReopen checks that a store opened again on the same
// database (reopen) answers the id first made through s, and that a store
// on another database (other) has an id of its own.
func InstallationIDSurvivesReopen(t *testing.T, s herald.Store, reopen, other func(t *testing.T) herald.Store) {
	t.Helper()
	ctx := t.Context()
	id, err := s.InstallationID(ctx)
	noErr(t, err, "InstallationID")
	if err := s.Close(); err != nil {
		t.Fatalf("Close: %v", err)
	}
	again, err := reopen(t).InstallationID(ctx)
	noErr(t, err, "InstallationID after reopening")
	if again != id {
		t.Fatalf("InstallationID after reopening = %q, want %q", again, id)
	}
	fresh, err := other(t).InstallationID(ctx)
	noErr(t, err, "InstallationID of another database")
	if fresh == id {
		t.Fatalf("two databases share the installation id %q", id)
	}
}
