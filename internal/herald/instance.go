package herald

import (
	"context"
	"time"
)

// Instance is a running (or once running) Herald process, as its heartbeat
// describes it. A lease held by an instance whose heartbeat ran out belongs
// to a process that died: it is taken over at once (and reconciled first)
// instead of at the end of the lease.
type Instance struct {
	ID          string    `json:"id"` // the dispatcher's Instance name, the leases' owner
	Hostname    string    `json:"hostname,omitempty"`
	PID         int       `json:"pid,omitempty"`
	Version     string    `json:"version,omitempty"`
	StartedAt   time.Time `json:"started_at"`
	HeartbeatAt time.Time `json:"heartbeat_at"`
	// AliveUntil is when the instance counts as dead unless it beats again:
	// its last heartbeat plus the staleness it announced. A process that
	// stops sets it to the moment it stopped.
	AliveUntil time.Time `json:"alive_until"`
}

// Validate checks an instance before it is written.
func (in Instance) Validate() error {
	var p Problems
	if in.ID == "" {
		p.Add("id", "is required: name the instance")
	}
	if len(in.ID) > 200 {
		p.Add("id", "is %d bytes long; at most 200 are allowed", len(in.ID))
	}
	if in.StartedAt.IsZero() {
		p.Add("started_at", "is required")
	}
	if in.HeartbeatAt.IsZero() {
		p.Add("heartbeat_at", "is required")
	}
	if in.AliveUntil.Before(in.HeartbeatAt) {
		p.Add("alive_until", "must not be before heartbeat_at")
	}
	return p.Err("the instance is not valid")
}

// InstanceStore keeps the instances' heartbeats.
type InstanceStore interface {
	// Heartbeat creates or refreshes in's row (every field but ID is
	// overwritten).
	Heartbeat(ctx context.Context, in Instance) error
	// ListInstances returns every instance known, the latest heartbeat
	// first.
	ListInstances(ctx context.Context) ([]Instance, error)
	// DeleteStaleInstances deletes the instances dead since before (their
	// AliveUntil is earlier) that hold no publishing lease, and returns how
	// many went. An instance still holding a lease keeps its row until the
	// lease is taken over, so that the takeover stays immediate.
	DeleteStaleInstances(ctx context.Context, before time.Time) (int64, error)
}
