package postgres

import (
	"context"
	"time"

	"github.com/heraldsocial/herald/internal/herald"
)

// The instances' heartbeats (herald.InstanceStore) and the ending of a dead
// instance's leases.

var _ herald.InstanceStore = store{}

// deadOwner holds for a publishing target t whose lease ended before the
// instant in parameter $2, or whose lease owner's heartbeat ran out
// before it.
// leased lists the targets that may hold a lease: those of the attempts
// under way (every claim starts one, its completion or take-over ends it),
// through a small partial index instead of an index over the lease, which
// every claim would rewrite (see migration 00018).
const leased = `SELECT a.target_id FROM attempts a WHERE a.outcome = ''`

const deadOwner = `(t.lease_until < $2 OR EXISTS (SELECT 1 FROM instances i
		WHERE i.id = t.lease_owner AND i.alive_until < $2))`

// Heartbeat creates or refreshes the instance's row.
func (s store) Heartbeat(ctx context.Context, in herald.Instance) error {
	if err := in.Validate(); err != nil {
		return err
	}
	_, err := s.q.Exec(ctx, `INSERT INTO instances (id, hostname, pid, version, started_at, heartbeat_at, alive_until)
		VALUES ($1, $2, $3, $4, $5, $6, $7)
		ON CONFLICT (id) DO UPDATE SET hostname = excluded.hostname, pid = excluded.pid, version = excluded.version,
			started_at = excluded.started_at, heartbeat_at = excluded.heartbeat_at, alive_until = excluded.alive_until`,
		in.ID, in.Hostname, in.PID, in.Version, in.StartedAt.UTC(), in.HeartbeatAt.UTC(), in.AliveUntil.UTC())
	return dbErr("heartbeat", err)
}

// ListInstances returns every instance, the latest heartbeat first.
func (s store) ListInstances(ctx context.Context) ([]herald.Instance, error) {
	rows, err := s.q.Query(ctx, `SELECT id, hostname, pid, version, started_at, heartbeat_at, alive_until
		FROM instances ORDER BY heartbeat_at DESC, id`)
	if err != nil {
		return nil, dbErr("list instances", err)
	}
	out, err := collect(rows, func(r scanner) (herald.Instance, error) {
		var in herald.Instance
		err := r.Scan(&in.ID, &in.Hostname, &in.PID, &in.Version, &in.StartedAt, &in.HeartbeatAt, &in.AliveUntil)
		in.StartedAt, in.HeartbeatAt, in.AliveUntil = in.StartedAt.UTC(), in.HeartbeatAt.UTC(), in.AliveUntil.UTC()
		return in, err
	})
	return out, dbErr("list instances", err)
}

// DeleteStaleInstances deletes the instances dead since before that hold
// no publishing lease.
func (s store) DeleteStaleInstances(ctx context.Context, before time.Time) (int64, error) {
	tag, err := s.q.Exec(ctx, `DELETE FROM instances i WHERE i.alive_until < $1
		AND NOT EXISTS (SELECT 1 FROM targets t WHERE t.id IN (`+leased+`) AND t.state = 'publishing'
			AND t.lease_owner = i.id)`, before.UTC())
	if err != nil {
		return 0, dbErr("delete stale instances", err)
	}
	return tag.RowsAffected(), nil
}

// EndLeases ends, at now, the leases held by owners (nil: every lease).
func (s store) EndLeases(ctx context.Context, owners []string, now time.Time) (int64, error) {
	if owners != nil && len(owners) == 0 {
		return 0, nil
	}
	// Ended just before now, so that a look for expired leases at now
	// finds them.
	ended := now.UTC().Truncate(time.Microsecond).Add(-time.Microsecond)
	tag, err := s.q.Exec(ctx, `UPDATE targets SET lease_until = $1
		WHERE id IN (`+leased+`) AND state = 'publishing' AND lease_until > $1
		  AND ($2::text[] IS NULL OR lease_owner = ANY($2))`, ended, owners)
	if err != nil {
		return 0, dbErr("end leases", err)
	}
	return tag.RowsAffected(), nil
}

// ReleaseLostClaim ends, at now, the leases a lost claim took, if any.
func (s store) ReleaseLostClaim(ctx context.Context, owner string, ids []int64, leaseUntil, now time.Time) (int64, error) {
	if len(ids) == 0 {
		return 0, nil
	}
	ended := now.UTC().Truncate(time.Microsecond).Add(-time.Microsecond)
	tag, err := s.q.Exec(ctx, `UPDATE targets SET lease_until = $1
		WHERE id = ANY($2) AND state = 'publishing' AND lease_owner = $3 AND lease_until = $4`,
		ended, ids, owner, leaseUntil)
	if err != nil {
		return 0, dbErr("release a lost claim", err)
	}
	return tag.RowsAffected(), nil
}
