package jobs

import (
	"context"
	"fmt"
	"time"

	"github.com/riverqueue/river"
)

// DefaultListenTermsEvery is how often refresh_listen_terms runs: a busy
// topic's page shows rising and co-occurring terms and top authors at
// most about this old.
const DefaultListenTermsEvery = 5 * time.Minute

// ListenTermsRefresher computes again the stored terms of the listening
// topics that have new matches (listen.Service).
type ListenTermsRefresher interface {
	RefreshTerms(ctx context.Context) error
}

// RefreshListenTermsArgs enqueue a run of the listening terms' background
// computation.
type RefreshListenTermsArgs struct{}

// Kind names the job kind.
func (RefreshListenTermsArgs) Kind() string { return "refresh_listen_terms" }

// refreshListenTermsWorker runs the computation.
type refreshListenTermsWorker struct {
	river.WorkerDefaults[RefreshListenTermsArgs]
	listen ListenTermsRefresher
}

// Timeout bounds one run; the topics it did not reach are due at the
// next, oldest computation first.
func (w *refreshListenTermsWorker) Timeout(*river.Job[RefreshListenTermsArgs]) time.Duration {
	return 4 * time.Minute
}

// Work computes the due topics' terms.
func (w *refreshListenTermsWorker) Work(ctx context.Context, _ *river.Job[RefreshListenTermsArgs]) error {
	if err := w.listen.RefreshTerms(ctx); err != nil {
		return fmt.Errorf("jobs: refresh_listen_terms: %w", err)
	}
	return nil
}
