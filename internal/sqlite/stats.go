package sqlite

import "database/sql"

// Stats reports the connection pools' statistics (the write connection and
// the read pool added together) for the /metrics endpoint.
func (db *DB) Stats() sql.DBStats {
	w, r := db.write.Stats(), db.read.Stats()
	return sql.DBStats{
		MaxOpenConnections: w.MaxOpenConnections + r.MaxOpenConnections,
		OpenConnections:    w.OpenConnections + r.OpenConnections,
		InUse:              w.InUse + r.InUse,
		Idle:               w.Idle + r.Idle,
		WaitCount:          w.WaitCount + r.WaitCount,
		WaitDuration:       w.WaitDuration + r.WaitDuration,
		MaxIdleClosed:      w.MaxIdleClosed + r.MaxIdleClosed,
		MaxIdleTimeClosed:  w.MaxIdleTimeClosed + r.MaxIdleTimeClosed,
		MaxLifetimeClosed:  w.MaxLifetimeClosed + r.MaxLifetimeClosed,
	}
}

var _ interface{ Stats() sql.DBStats } = (*DB)(nil)
