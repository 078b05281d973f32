package sqlite

import (
	"fmt"
	"path/filepath"
	"testing"
)

// TestStmtCache checks that a transaction prepares each query once, runs
// queries past the bound unprepared with the same results, reports a bad
// query's error, and that its writes roll back with the transaction.
func TestStmtCache(t *testing.T) {
	db := mustOpen(t, filepath.Join(t.TempDir(), "herald.db"))
	ctx := t.Context()
	if _, err := db.write.ExecContext(ctx, `CREATE TABLE cache_probe (n INTEGER NOT NULL)`); err != nil {
		t.Fatalf("create: %v", err)
	}
	tx, err := db.write.BeginTx(ctx, nil)
	if err != nil {
		t.Fatalf("begin: %v", err)
	}
	c := newStmtCache(tx)
	for i := range 5 {
		if _, err := c.ExecContext(ctx, `INSERT INTO cache_probe (n) VALUES (?)`, i); err != nil {
			t.Fatalf("insert %d: %v", i, err)
		}
	}
	if len(c.stmts) != 1 {
		t.Fatalf("after 5 runs of one insert: %d statements prepared, want 1", len(c.stmts))
	}
	for i := range maxCachedStmts + 10 {
		var n int
		if err := c.QueryRowContext(ctx, fmt.Sprintf(`SELECT count(*) + %d FROM cache_probe`, i)).Scan(&n); err != nil {
			t.Fatalf("query %d: %v", i, err)
		}
		if n != 5+i {
			t.Fatalf("query %d = %d, want %d", i, n, 5+i)
		}
	}
	if len(c.stmts) != maxCachedStmts {
		t.Fatalf("%d statements cached, want the bound %d", len(c.stmts), maxCachedStmts)
	}
	if _, err := c.ExecContext(ctx, `INSERT INTO no_such_table VALUES (1)`); err == nil {
		t.Fatal("a bad query ran without error")
	}
	if err := tx.Rollback(); err != nil {
		t.Fatalf("rollback: %v", err)
	}
	var n int
	if err := db.write.QueryRowContext(ctx, `SELECT count(*) FROM cache_probe`).Scan(&n); err != nil {
		t.Fatalf("count: %v", err)
	}
	if n != 0 {
		t.Fatalf("%d rows after rollback, want 0", n)
	}
}
