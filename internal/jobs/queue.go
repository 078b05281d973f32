package jobs

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/riverqueue/river"
	"github.com/riverqueue/river/riverdriver"
	"github.com/riverqueue/river/riverdriver/riverpgxv5"
	"github.com/riverqueue/river/riverdriver/riversqlite"
	"github.com/riverqueue/river/rivermigrate"
	"github.com/riverqueue/river/rivertype"

	"github.com/heraldsocial/herald/internal/herald"
)

// periodicAttempts is how often a failed periodic job is tried in all: the
// next period runs it afresh anyway.
const periodicAttempts = 3

// hardStopWait is how long Stop waits for cancelled jobs to return.
const hardStopWait = 10 * time.Second

// pooler is the PostgreSQL store.
type pooler interface {
	Pool() *pgxpool.Pool
}

// writeDBer is the SQLite store.
type writeDBer interface {
	WriteDB() *sql.DB
}

// kind is one job kind: how to register its worker and, when periodic, how
// often it runs and the args it is enqueued with.
type kind struct {
	name  string
	add   func(w *river.Workers)
	every time.Duration // 0: not periodic
	args  func() river.JobArgs
}

// newQueue sets River up on the store's driver.
func newQueue(cfg Config, deps Deps, log *slog.Logger, kinds []kind) (queue, error) {
	id := cfg.ID
	if id == "" {
		var err error
		if id, err = randomID(); err != nil {
			return nil, err
		}
	}
	workers := river.NewWorkers()
	periodic := make([]*river.PeriodicJob, 0, len(kinds))
	for _, k := range kinds {
		k.add(workers)
		if k.every > 0 {
			pj, err := periodicJob(k, id)
			if err != nil {
				return nil, err
			}
			periodic = append(periodic, pj)
		}
	}
	rc := &river.Config{
		ID:           id,
		Logger:       log.With(slog.String("subsystem", "river")),
		Queues:       map[string]river.QueueConfig{river.QueueDefault: {MaxWorkers: cfg.Workers}},
		Workers:      workers,
		PeriodicJobs: periodic,
		MaxAttempts:  periodicAttempts,
	}
	if deps.Webhooks != nil {
		rc.Queues[WebhookQueue] = river.QueueConfig{MaxWorkers: cfg.WebhookWorkers}
	}
	switch st := deps.Store.(type) {
	case pooler:
		pool := st.Pool()
		driver := riverpgxv5.New(pool)
		client, err := river.NewClient(driver, rc)
		if err != nil {
			return nil, fmt.Errorf("jobs: River on PostgreSQL: %w", err)
		}
		return &riverQueue[pgx.Tx]{client: client, driver: driver, clientID: id, log: log,
			serialize: func(ctx context.Context, fn func(context.Context) error) error {
				return withMigrationLock(ctx, pool, fn)
			}}, nil
	case writeDBer:
		db := st.WriteDB()
		driver := riversqlite.New(db)
		// River's listener would poll the outbox table on the one write
		// connection twenty times a second; polling for jobs and
		// leadership at River's slower fetch interval is plenty for one
		// instance.
		rc.PollOnly = true
		client, err := river.NewClient(driver, rc)
		if err != nil {
			return nil, fmt.Errorf("jobs: River on SQLite: %w", err)
		}
		return &riverQueue[*sql.Tx]{client: client, driver: driver, clientID: id, log: log,
			serialize: func(ctx context.Context, fn func(context.Context) error) error { return fn(ctx) }}, nil
	}
	return nil, &herald.Error{Code: herald.CodeInvalid,
		Message: fmt.Sprintf("the background jobs need Herald's SQLite or PostgreSQL store, not a %T", deps.Store),
		Details: []herald.FieldProblem{{Field: "store", Problem: "offers neither WriteDB() nor Pool()"}}}
}

// periodicJob enqueues k every k.every, at the start of each period (UTC),
// at most once per period, and once at start unless this period already
// has one.
func periodicJob(k kind, enqueuedBy string) (*river.PeriodicJob, error) {
	meta, err := json.Marshal(map[string]string{"enqueued_by": enqueuedBy})
	if err != nil {
		return nil, fmt.Errorf("jobs: job metadata: %w", err)
	}
	return river.NewPeriodicJob(alignedInterval(k.every), func() (river.JobArgs, *river.InsertOpts) {
		return k.args(), &river.InsertOpts{
			MaxAttempts: periodicAttempts,
			Metadata:    meta,
			UniqueOpts:  river.UniqueOpts{ByPeriod: k.every},
		}
	}, &river.PeriodicJobOpts{ID: k.name, RunOnStart: true}), nil
}

// alignedInterval runs at every multiple of its period, counted in UTC
// from the zero time (midnight UTC for periods that divide a day), so all
// instances agree on where a period starts, as River's per-period
// uniqueness does.
type alignedInterval time.Duration

// Next returns the first period start after t.
func (a alignedInterval) Next(t time.Time) time.Time {
	d := time.Duration(a)
	return t.UTC().Truncate(d).Add(d)
}

// randomID names an instance after its host, with a random suffix.
func randomID() (string, error) {
	b := make([]byte, 4)
	if _, err := rand.Read(b); err != nil {
		return "", fmt.Errorf("jobs: random instance id: %w", err)
	}
	host, _ := os.Hostname()
	host = strings.Map(func(r rune) rune {
		if r <= ' ' || r > '~' {
			return -1
		}
		return r
	}, host)
	if len(host) > 60 {
		host = host[:60]
	}
	if host == "" {
		host = "herald"
	}
	return host + "-" + hex.EncodeToString(b), nil
}

// withMigrationLock runs fn holding a PostgreSQL advisory lock for the
// current schema, so instances starting together migrate one at a time
// (River's migrator takes no lock of its own).
func withMigrationLock(ctx context.Context, pool *pgxpool.Pool, fn func(context.Context) error) error {
	conn, err := pool.Acquire(ctx)
	if err != nil {
		return fmt.Errorf("acquire a connection for the migration lock: %w", err)
	}
	defer conn.Release()
	const key = `hashtext('herald.jobs.migrate:' || coalesce(current_schema(), ''))`
	if _, err := conn.Exec(ctx, `SELECT pg_advisory_lock(`+key+`)`); err != nil {
		return fmt.Errorf("take the migration lock: %w", err)
	}
	fnErr := fn(ctx)
	// Unlock even when ctx ended; a session that cannot unlock is closed,
	// which releases the lock.
	uctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 5*time.Second)
	defer cancel()
	if _, err := conn.Exec(uctx, `SELECT pg_advisory_unlock(`+key+`)`); err != nil {
		_ = conn.Conn().Close(uctx)
		return errors.Join(fnErr, fmt.Errorf("release the migration lock: %w", err))
	}
	return fnErr
}

// riverQueue is River on one driver; TTx is the driver's transaction type.
type riverQueue[TTx any] struct {
	client    *river.Client[TTx]
	driver    riverdriver.Driver[TTx]
	clientID  string
	log       *slog.Logger
	serialize func(ctx context.Context, fn func(context.Context) error) error
}

func (q *riverQueue[TTx]) migrate(ctx context.Context) error {
	m, err := rivermigrate.New(q.driver, &rivermigrate.Config{Logger: q.log.With(slog.String("subsystem", "river"))})
	if err != nil {
		return err
	}
	return q.serialize(ctx, func(ctx context.Context) error {
		res, err := m.Migrate(ctx, rivermigrate.DirectionUp, nil)
		if err != nil {
			return err
		}
		if len(res.Versions) > 0 {
			q.log.InfoContext(ctx, "River's tables migrated", slog.Int("applied", len(res.Versions)))
		}
		return nil
	})
}

func (q *riverQueue[TTx]) start(ctx context.Context) error { return q.client.Start(ctx) }

func (q *riverQueue[TTx]) insert(ctx context.Context, args river.JobArgs, opts *river.InsertOpts) error {
	_, err := q.client.Insert(ctx, args, opts)
	return err
}

func (q *riverQueue[TTx]) stop(ctx context.Context) error {
	err := q.client.Stop(ctx)
	if err == nil {
		return nil
	}
	hctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), hardStopWait)
	defer cancel()
	if herr := q.client.StopAndCancel(hctx); herr != nil {
		return fmt.Errorf("running jobs did not return after being cancelled: %w", errors.Join(err, herr))
	}
	return fmt.Errorf("running jobs were cancelled as they did not finish in time: %w", err)
}

func (q *riverQueue[TTx]) id() string { return q.clientID }

func (q *riverQueue[TTx]) leader(ctx context.Context) (string, error) {
	l, err := q.driver.GetExecutor().LeaderGetElectedLeader(ctx, &riverdriver.LeaderGetElectedLeaderParams{})
	if errors.Is(err, rivertype.ErrNotFound) {
		return "", nil
	}
	if err != nil {
		return "", err
	}
	return l.LeaderID, nil
}
