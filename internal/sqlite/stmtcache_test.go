package sqlite

import (
	"fmt"
	"path/filepath"
	"testing"
)

// cachedCount returns how many statements the write connection keeps.
func cachedCount(t *testing.T, db *DB) int {
	t.Helper()
	n := -1
	withCache(t, db, func(cc *cachingConn) { n = cc.lru.Len() })
	return n
}

// kept returns the write connection's kept statement of query, nil if none.
func kept(t *testing.T, db *DB, query string) *cachedStmt {
	t.Helper()
	var cs *cachedStmt
	withCache(t, db, func(cc *cachingConn) {
		if e, ok := cc.byQ[query]; ok {
			cs = e.Value.(*cachedStmt)
		}
	})
	return cs
}

// withCache runs fn on the write connection's cache.
func withCache(t *testing.T, db *DB, fn func(cc *cachingConn)) {
	t.Helper()
	conn, err := db.write.Conn(t.Context())
	if err != nil {
		t.Fatalf("conn: %v", err)
	}
	defer conn.Close()
	if err := conn.Raw(func(dc any) error {
		cc := dc.(*cachingConn)
		cc.mu.Lock()
		defer cc.mu.Unlock()
		fn(cc)
		return nil
	}); err != nil {
		t.Fatalf("raw: %v", err)
	}
}

// TestStmtCache checks that a connection prepares each query once across
// transactions, keeps at most stmtCacheSize with the same results past
// it, runs a query again while its rows are open, survives losing a busy
// statement from the cache and a schema change, reports a bad query's
// error, and that writes still roll back with their transaction.
func TestStmtCache(t *testing.T) {
	db := mustOpen(t, filepath.Join(t.TempDir(), "herald.db"))
	ctx := t.Context()
	if _, err := db.write.ExecContext(ctx, `CREATE TABLE cache_probe (n INTEGER NOT NULL)`); err != nil {
		t.Fatalf("create: %v", err)
	}
	const insert = `INSERT INTO cache_probe (n) VALUES (?)`
	var first *cachedStmt
	for i := range 5 {
		tx, err := db.write.BeginTx(ctx, nil)
		if err != nil {
			t.Fatalf("begin: %v", err)
		}
		if _, err := tx.ExecContext(ctx, insert, i); err != nil {
			t.Fatalf("insert %d: %v", i, err)
		}
		if err := tx.Commit(); err != nil {
			t.Fatalf("commit: %v", err)
		}
		cs := kept(t, db, insert)
		if cs == nil || cs.busy {
			t.Fatalf("after transaction %d the insert is kept %v, want kept and free", i, cs)
		}
		if first == nil {
			first = cs
		}
		if cs != first {
			t.Fatalf("transaction %d prepared the insert again", i)
		}
	}
	count := func(q querier) int {
		t.Helper()
		var n int
		if err := q.QueryRowContext(ctx, `SELECT count(*) FROM cache_probe`).Scan(&n); err != nil {
			t.Fatalf("count: %v", err)
		}
		return n
	}

	// A query run again while its rows are open.
	const all = `SELECT n FROM cache_probe ORDER BY n`
	tx, err := db.write.BeginTx(ctx, nil)
	if err != nil {
		t.Fatalf("begin: %v", err)
	}
	outer, err := tx.QueryContext(ctx, all)
	if err != nil {
		t.Fatalf("outer: %v", err)
	}
	var pairs []string
	for outer.Next() {
		var a int
		if err := outer.Scan(&a); err != nil {
			t.Fatalf("scan: %v", err)
		}
		inner, err := tx.QueryContext(ctx, all)
		if err != nil {
			t.Fatalf("inner: %v", err)
		}
		var sum int
		for inner.Next() {
			var b int
			if err := inner.Scan(&b); err != nil {
				t.Fatalf("scan inner: %v", err)
			}
			sum += b
		}
		if err := inner.Close(); err != nil {
			t.Fatalf("close inner: %v", err)
		}
		pairs = append(pairs, fmt.Sprint(a, ":", sum))
	}
	if err := outer.Err(); err != nil {
		t.Fatalf("outer: %v", err)
	}
	if err := outer.Close(); err != nil {
		t.Fatalf("close outer: %v", err)
	}
	if got, want := fmt.Sprint(pairs), "[0:10 1:10 2:10 3:10 4:10]"; got != want {
		t.Fatalf("nested reads = %s, want %s", got, want)
	}

	// Past the bound: the oldest go, results stay right, and a statement
	// whose rows are open when it leaves the cache still reads to the end.
	held, err := tx.QueryContext(ctx, all)
	if err != nil {
		t.Fatalf("held: %v", err)
	}
	for i := range stmtCacheSize + 10 {
		var n int
		if err := tx.QueryRowContext(ctx, fmt.Sprintf(`SELECT count(*) + %d FROM cache_probe`, i)).Scan(&n); err != nil {
			t.Fatalf("query %d: %v", i, err)
		}
		if n != 5+i {
			t.Fatalf("query %d = %d, want %d", i, n, 5+i)
		}
	}
	var read []int
	for held.Next() {
		var n int
		if err := held.Scan(&n); err != nil {
			t.Fatalf("scan held: %v", err)
		}
		read = append(read, n)
	}
	if err := held.Close(); err != nil {
		t.Fatalf("close held: %v", err)
	}
	if len(read) != 5 {
		t.Fatalf("held rows read %v, want 5 rows", read)
	}
	if _, err := tx.ExecContext(ctx, insert, 99); err != nil {
		t.Fatalf("insert: %v", err)
	}
	if _, err := tx.ExecContext(ctx, `INSERT INTO no_such_table VALUES (1)`); err == nil {
		t.Fatal("a bad query ran without error")
	}
	if err := tx.Rollback(); err != nil {
		t.Fatalf("rollback: %v", err)
	}
	if got := cachedCount(t, db); got != stmtCacheSize {
		t.Fatalf("%d statements kept, want the bound %d", got, stmtCacheSize)
	}
	if n := count(db.write); n != 5 {
		t.Fatalf("%d rows after rollback, want 5", n)
	}

	// A kept statement after the table changes shape.
	const star = `SELECT * FROM cache_probe ORDER BY n LIMIT 1`
	cols := func() []string {
		rows, err := db.write.QueryContext(ctx, star)
		if err != nil {
			t.Fatalf("select *: %v", err)
		}
		defer rows.Close()
		c, err := rows.Columns()
		if err != nil {
			t.Fatalf("columns: %v", err)
		}
		return c
	}
	if got := fmt.Sprint(cols()); got != "[n]" {
		t.Fatalf("columns %s, want [n]", got)
	}
	if _, err := db.write.ExecContext(ctx, `ALTER TABLE cache_probe ADD COLUMN m INTEGER NOT NULL DEFAULT 7`); err != nil {
		t.Fatalf("alter: %v", err)
	}
	if got := fmt.Sprint(cols()); got != "[n m]" {
		t.Fatalf("columns after the change %s, want [n m]", got)
	}
	// The read pool keeps its own, and sees the write.
	if n := count(db.read); n != 5 {
		t.Fatalf("read pool counts %d rows, want 5", n)
	}
}
