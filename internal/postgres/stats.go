package postgres

import "database/sql"

// Stats reports the pgx pool's statistics in database/sql's shape, for the
// /metrics endpoint.
func (db *DB) Stats() sql.DBStats {
	s := db.pool.Stat()
	return sql.DBStats{
		MaxOpenConnections: int(s.MaxConns()),
		OpenConnections:    int(s.TotalConns()),
		InUse:              int(s.AcquiredConns()),
		Idle:               int(s.IdleConns()),
		WaitCount:          s.EmptyAcquireCount(),
		WaitDuration:       s.EmptyAcquireWaitTime(),
		MaxIdleClosed:      s.MaxIdleDestroyCount(),
		MaxLifetimeClosed:  s.MaxLifetimeDestroyCount(),
	}
}

var _ interface{ Stats() sql.DBStats } = (*DB)(nil)
