package sqlite

import (
	"context"
	"fmt"
	"time"

	"github.com/heraldsocial/herald/internal/herald"
)

// The instances' heartbeats (herald.InstanceStore) and the ending of a dead
// instance's leases.

var _ herald.InstanceStore = (*store)(nil)

// deadOwner holds for a publishing target t whose lease owner's heartbeat
// ran out before the time in the query's parameter (given twice: it
// follows the lease's own end, which takes the same instant).
const deadOwner = `(t.lease_until < ? OR EXISTS (SELECT 1 FROM instances i
		WHERE i.id = t.lease_owner AND i.alive_until < ?))`

// Heartbeat creates or refreshes the instance's row.
func (s *store) Heartbeat(ctx context.Context, in herald.Instance) error {
	if err := in.Validate(); err != nil {
		return err
	}
	_, err := s.w.ExecContext(ctx, `INSERT INTO instances (id, hostname, pid, version, started_at, heartbeat_at, alive_until)
		VALUES (?, ?, ?, ?, ?, ?, ?)
		ON CONFLICT (id) DO UPDATE SET hostname = excluded.hostname, pid = excluded.pid, version = excluded.version,
			started_at = excluded.started_at, heartbeat_at = excluded.heartbeat_at, alive_until = excluded.alive_until`,
		in.ID, in.Hostname, in.PID, in.Version, micros(in.StartedAt), micros(in.HeartbeatAt), micros(in.AliveUntil))
	if err != nil {
		return dbErr(err, "heartbeat", "", "")
	}
	return nil
}

// ListInstances returns every instance, the latest heartbeat first.
func (s *store) ListInstances(ctx context.Context) ([]herald.Instance, error) {
	rows, err := s.r.QueryContext(ctx, `SELECT id, hostname, pid, version, started_at, heartbeat_at, alive_until
		FROM instances ORDER BY heartbeat_at DESC, id`)
	if err != nil {
		return nil, fmt.Errorf("sqlite: list instances: %w", err)
	}
	defer rows.Close()
	out := []herald.Instance{}
	for rows.Next() {
		var in herald.Instance
		var started, beat, alive int64
		if err := rows.Scan(&in.ID, &in.Hostname, &in.PID, &in.Version, &started, &beat, &alive); err != nil {
			return nil, fmt.Errorf("sqlite: list instances: %w", err)
		}
		in.StartedAt, in.HeartbeatAt, in.AliveUntil = fromMicros(started), fromMicros(beat), fromMicros(alive)
		out = append(out, in)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("sqlite: list instances: %w", err)
	}
	return out, nil
}

// DeleteStaleInstances deletes the instances dead since before that hold
// no publishing lease.
func (s *store) DeleteStaleInstances(ctx context.Context, before time.Time) (int64, error) {
	res, err := s.w.ExecContext(ctx, `DELETE FROM instances WHERE alive_until < ?
		AND NOT EXISTS (SELECT 1 FROM targets t INDEXED BY targets_lease
			WHERE t.state = 'publishing' AND t.lease_owner = instances.id)`, micros(before))
	if err != nil {
		return 0, dbErr(err, "delete stale instances", "", "")
	}
	n, err := res.RowsAffected()
	if err != nil {
		return 0, fmt.Errorf("sqlite: delete stale instances: %w", err)
	}
	return n, nil
}

// EndLeases ends, at now, the leases held by owners (nil: every lease).
func (s *store) EndLeases(ctx context.Context, owners []string, now time.Time) (int64, error) {
	if owners != nil && len(owners) == 0 {
		return 0, nil
	}
	// Ended just before now, so that a look for expired leases at now
	// finds them.
	ended := micros(now) - 1
	query := `UPDATE targets SET lease_until = ? WHERE state = 'publishing' AND lease_until > ?`
	args := []any{ended, ended}
	if owners != nil {
		set, err := toJSON(owners)
		if err != nil {
			return 0, err
		}
		query += ` AND lease_owner IN ` + inJSON
		args = append(args, set)
	}
	res, err := s.w.ExecContext(ctx, query, args...)
	if err != nil {
		return 0, dbErr(err, "end leases", "", "")
	}
	n, err := res.RowsAffected()
	if err != nil {
		return 0, fmt.Errorf("sqlite: end leases: %w", err)
	}
	return n, nil
}

// ReleaseLostClaim ends, at now, the leases a lost claim took, if any.
func (s *store) ReleaseLostClaim(ctx context.Context, owner string, ids []int64, leaseUntil, now time.Time) (int64, error) {
	if len(ids) == 0 {
		return 0, nil
	}
	res, err := s.w.ExecContext(ctx, `UPDATE targets SET lease_until = ?
		WHERE id IN `+inJSON+` AND state = 'publishing' AND lease_owner = ? AND lease_until = ?`,
		micros(now)-1, idsJSON(ids), owner, micros(stamp(leaseUntil)))
	if err != nil {
		return 0, dbErr(err, "release a lost claim", "", "")
	}
	n, err := res.RowsAffected()
	if err != nil {
		return 0, fmt.Errorf("sqlite: release a lost claim: %w", err)
	}
	return n, nil
}
