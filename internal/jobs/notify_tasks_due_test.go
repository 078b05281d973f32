package jobs_test

import (
	"context"
	"sync/atomic"
	"testing"

	"github.com/heraldsocial/herald/internal/jobs"
)

// reminder counts the times it was asked to tell about due tasks.
type reminder struct{ calls atomic.Int64 }

func (r *reminder) NotifyDue(context.Context) (int, error) {
	r.calls.Add(1)
	return 2, nil
}

func TestNotifyTasksDue(t *testing.T) {
	for _, drv := range drivers() {
		t.Run(drv.name, func(t *testing.T) {
			st := drv.open(t)
			d, _ := deps(t, st)
			r := &reminder{}
			d.Tasks = r
			mustStart(t, jobs.Config{}, d)
			waitFor(t, "notify_tasks_due to run", func() (bool, error) {
				n, err := countJobs(t, st, jobs.NotifyTasksDueArgs{}.Kind(), "completed")
				return n >= 1, err
			})
			if r.calls.Load() == 0 {
				t.Fatal("NotifyDue was never called")
			}
		})
	}
}
