package jobs_test

import (
	"context"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/heraldsocial/herald/internal/herald"
	"github.com/heraldsocial/herald/internal/jobs"
)

// TestSQLiteSharesTheWriteConnection runs River on SQLite while Herald
// writes through the same single connection, in transactions that hold it
// for a while: both make progress, and the sweep deletes expired sessions.
func TestSQLiteSharesTheWriteConnection(t *testing.T) {
	st := mustSQLite(t)
	ctx := context.Background()
	now := time.Now().UTC()
	for i := range 5 {
		if err := st.CommitSession(ctx, fmt.Sprintf("expired-%d", i), 0, []byte("x"), now.Add(-time.Hour)); err != nil {
			t.Fatalf("CommitSession: %v", err)
		}
	}
	if err := st.CommitSession(ctx, "live", 0, []byte("x"), now.Add(time.Hour)); err != nil {
		t.Fatalf("CommitSession: %v", err)
	}
	d, _ := deps(t, st)
	mustStart(t, jobs.Config{SweepEvery: time.Second}, d)

	// Herald's writers: each transaction holds the write connection across
	// a pause, as a slow request would.
	stop := make(chan struct{})
	var wg sync.WaitGroup
	var writes int
	var writeErr error
	wg.Go(func() {
		for i := 0; ; i++ {
			select {
			case <-stop:
				return
			default:
			}
			err := st.InTx(ctx, func(tx herald.Tx) error {
				if err := tx.CommitSession(ctx, fmt.Sprintf("busy-%d", i), 0, []byte("x"), time.Now().Add(time.Hour)); err != nil {
					return err
				}
				time.Sleep(20 * time.Millisecond)
				return tx.DeleteSession(ctx, fmt.Sprintf("busy-%d", i))
			})
			if err != nil {
				writeErr = err
				return
			}
			writes++
		}
	})

	waitFor(t, "three sweep_sessions runs alongside Herald's writes", func() (bool, error) {
		n, err := countJobs(t, st, jobs.SweepSessionsArgs{}.Kind(), "completed")
		return n >= 3, err
	})
	close(stop)
	wg.Wait()
	if writeErr != nil {
		t.Fatalf("Herald's writes failed while River ran: %v", writeErr)
	}
	if writes == 0 {
		t.Fatal("no Herald transaction went through while River ran")
	}

	var left []string
	rows, err := st.WriteDB().QueryContext(ctx, `SELECT hash FROM sessions ORDER BY hash`)
	if err != nil {
		t.Fatalf("list sessions: %v", err)
	}
	defer rows.Close()
	for rows.Next() {
		var tok string
		if err := rows.Scan(&tok); err != nil {
			t.Fatalf("scan session: %v", err)
		}
		left = append(left, tok)
	}
	if err := rows.Err(); err != nil {
		t.Fatalf("list sessions: %v", err)
	}
	if len(left) != 1 || left[0] != "live" {
		t.Fatalf("sessions left = %v, want only the live one", left)
	}
}
