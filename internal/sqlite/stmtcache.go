package sqlite

import (
	"container/list"
	"context"
	"database/sql/driver"
	"errors"
	"io"
	"reflect"
	"sync"
)

// stmtCacheSize bounds the statements one connection keeps prepared; the
// least recently used one is released past it.
const stmtCacheSize = 256

// cachingConn keeps the statements run on one connection prepared for the
// connection's life. database/sql otherwise hands every Exec and Query to
// the driver as text, and modernc.org/sqlite parses and plans it each
// time: for the dispatcher's claims, whose queries are long and run a
// thousand times a second, parsing was a quarter of the process's CPU.
// SQLite re-prepares a kept statement by itself when the schema changes.
//
// A statement is handed to one caller at a time: a query whose rows are
// still open holds it, and the same text run meanwhile (a nested query)
// goes to the driver unprepared, as it would without the cache.
type cachingConn struct {
	conn driver.Conn
	mu   sync.Mutex
	lru  *list.List // of *cachedStmt, most recently used first
	byQ  map[string]*list.Element
}

// cachedStmt is one kept statement; busy while rows read from it, dropped
// once it has left the cache (closed when its rows close if it was busy).
type cachedStmt struct {
	query   string
	stmt    driver.Stmt
	busy    bool
	dropped bool
}

// The interfaces database/sql looks for on a connection.
var (
	_ driver.Conn               = (*cachingConn)(nil)
	_ driver.ConnBeginTx        = (*cachingConn)(nil)
	_ driver.ConnPrepareContext = (*cachingConn)(nil)
	_ driver.ExecerContext      = (*cachingConn)(nil)
	_ driver.QueryerContext     = (*cachingConn)(nil)
	_ driver.SessionResetter    = (*cachingConn)(nil)
	_ driver.Validator          = (*cachingConn)(nil)
	_ driver.Pinger             = (*cachingConn)(nil)
)

// newCachingConn wraps conn, which must run statements with contexts (as
// modernc.org/sqlite's connection does).
func newCachingConn(conn driver.Conn) (*cachingConn, error) {
	if _, ok := conn.(driver.ConnPrepareContext); !ok {
		return nil, errors.New("sqlite: driver connection cannot prepare statements")
	}
	if _, ok := conn.(driver.ConnBeginTx); !ok {
		return nil, errors.New("sqlite: driver connection cannot begin transactions")
	}
	return &cachingConn{conn: conn, lru: list.New(), byQ: map[string]*list.Element{}}, nil
}

// take returns the kept statement of query, preparing and keeping it on
// first use, marked busy; nil when it is busy already.
func (c *cachingConn) take(ctx context.Context, query string) (*cachedStmt, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if e, ok := c.byQ[query]; ok {
		cs := e.Value.(*cachedStmt)
		if cs.busy {
			return nil, nil
		}
		c.lru.MoveToFront(e)
		cs.busy = true
		return cs, nil
	}
	st, err := c.conn.(driver.ConnPrepareContext).PrepareContext(ctx, query)
	if err != nil {
		return nil, err
	}
	cs := &cachedStmt{query: query, stmt: st, busy: true}
	c.byQ[query] = c.lru.PushFront(cs)
	for c.lru.Len() > stmtCacheSize {
		old := c.lru.Back()
		c.lru.Remove(old)
		o := old.Value.(*cachedStmt)
		delete(c.byQ, o.query)
		o.dropped = true
		if !o.busy {
			_ = o.stmt.Close()
		}
	}
	return cs, nil
}

// give hands cs back after use, closing it if it left the cache meanwhile.
func (c *cachingConn) give(cs *cachedStmt) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	cs.busy = false
	if cs.dropped {
		return cs.stmt.Close()
	}
	return nil
}

// ExecContext runs query through its kept statement.
func (c *cachingConn) ExecContext(ctx context.Context, query string, args []driver.NamedValue) (driver.Result, error) {
	cs, err := c.take(ctx, query)
	if err != nil {
		return nil, err
	}
	if cs == nil {
		return c.conn.(driver.ExecerContext).ExecContext(ctx, query, args)
	}
	res, err := cs.stmt.(driver.StmtExecContext).ExecContext(ctx, args)
	return res, joinErr(err, c.give(cs))
}

// QueryContext runs query through its kept statement, which its rows hold
// until they close.
func (c *cachingConn) QueryContext(ctx context.Context, query string, args []driver.NamedValue) (driver.Rows, error) {
	cs, err := c.take(ctx, query)
	if err != nil {
		return nil, err
	}
	if cs == nil {
		return c.conn.(driver.QueryerContext).QueryContext(ctx, query, args)
	}
	rows, err := cs.stmt.(driver.StmtQueryContext).QueryContext(ctx, args)
	if err != nil {
		return nil, joinErr(err, c.give(cs))
	}
	return &cachedRows{Rows: rows, conn: c, cs: cs}, nil
}

// joinErr returns err as it is when also is nil, so callers still see the
// driver's own error value.
func joinErr(err, also error) error {
	if also == nil {
		return err
	}
	return errors.Join(err, also)
}

// Close releases the kept statements, then the connection.
func (c *cachingConn) Close() error {
	c.mu.Lock()
	var errs []error
	for e := c.lru.Front(); e != nil; e = e.Next() {
		errs = append(errs, e.Value.(*cachedStmt).stmt.Close())
	}
	c.lru.Init()
	clear(c.byQ)
	c.mu.Unlock()
	return errors.Join(append(errs, c.conn.Close())...)
}

// Prepare prepares a statement the caller owns (not kept).
func (c *cachingConn) Prepare(query string) (driver.Stmt, error) {
	return c.PrepareContext(context.Background(), query)
}

// PrepareContext prepares a statement the caller owns (not kept).
func (c *cachingConn) PrepareContext(ctx context.Context, query string) (driver.Stmt, error) {
	return c.conn.(driver.ConnPrepareContext).PrepareContext(ctx, query)
}

// Begin begins a transaction.
func (c *cachingConn) Begin() (driver.Tx, error) {
	return c.BeginTx(context.Background(), driver.TxOptions{})
}

// BeginTx begins a transaction.
func (c *cachingConn) BeginTx(ctx context.Context, opts driver.TxOptions) (driver.Tx, error) {
	return c.conn.(driver.ConnBeginTx).BeginTx(ctx, opts)
}

// ResetSession passes the pool's reset to the connection.
func (c *cachingConn) ResetSession(ctx context.Context) error {
	if r, ok := c.conn.(driver.SessionResetter); ok {
		return r.ResetSession(ctx)
	}
	return nil
}

// IsValid reports whether the connection can be reused.
func (c *cachingConn) IsValid() bool {
	if v, ok := c.conn.(driver.Validator); ok {
		return v.IsValid()
	}
	return true
}

// Ping checks the connection.
func (c *cachingConn) Ping(ctx context.Context) error {
	if p, ok := c.conn.(driver.Pinger); ok {
		return p.Ping(ctx)
	}
	return nil
}

// cachedRows are the rows of a kept statement; closing them hands the
// statement back.
type cachedRows struct {
	driver.Rows
	conn   *cachingConn
	cs     *cachedStmt
	closed bool
}

// Close closes the rows (resetting the statement) and hands it back.
func (r *cachedRows) Close() error {
	if r.closed {
		return nil
	}
	r.closed = true
	err := r.Rows.Close()
	return joinErr(err, r.conn.give(r.cs))
}

// The column type interfaces database/sql's ColumnTypes reads, passed on
// where the driver's rows have them.

// ColumnTypeDatabaseTypeName returns the column's declared type.
func (r *cachedRows) ColumnTypeDatabaseTypeName(i int) string {
	if t, ok := r.Rows.(driver.RowsColumnTypeDatabaseTypeName); ok {
		return t.ColumnTypeDatabaseTypeName(i)
	}
	return ""
}

// ColumnTypeScanType returns the Go type a column scans into.
func (r *cachedRows) ColumnTypeScanType(i int) reflect.Type {
	if t, ok := r.Rows.(driver.RowsColumnTypeScanType); ok {
		return t.ColumnTypeScanType(i)
	}
	return reflect.TypeFor[any]()
}

// ColumnTypeNullable reports whether a column may be null.
func (r *cachedRows) ColumnTypeNullable(i int) (nullable, ok bool) {
	if t, ok := r.Rows.(driver.RowsColumnTypeNullable); ok {
		return t.ColumnTypeNullable(i)
	}
	return false, false
}

// ColumnTypeLength returns a column's length where it has one.
func (r *cachedRows) ColumnTypeLength(i int) (int64, bool) {
	if t, ok := r.Rows.(driver.RowsColumnTypeLength); ok {
		return t.ColumnTypeLength(i)
	}
	return 0, false
}

// ColumnTypePrecisionScale returns a decimal column's precision and scale.
func (r *cachedRows) ColumnTypePrecisionScale(i int) (int64, int64, bool) {
	if t, ok := r.Rows.(driver.RowsColumnTypePrecisionScale); ok {
		return t.ColumnTypePrecisionScale(i)
	}
	return 0, 0, false
}

// HasNextResultSet reports whether another result set follows.
func (r *cachedRows) HasNextResultSet() bool {
	if n, ok := r.Rows.(driver.RowsNextResultSet); ok {
		return n.HasNextResultSet()
	}
	return false
}

// NextResultSet moves to the next result set.
func (r *cachedRows) NextResultSet() error {
	if n, ok := r.Rows.(driver.RowsNextResultSet); ok {
		return n.NextResultSet()
	}
	return io.EOF
}
