package bench

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/heraldsocial/herald/internal/herald"
)

// Storing 100,000 posts one CreatePost at a time takes longer than a
// workload's lead (about 0.4 ms a post on SQLite and 0.8 ms on PostgreSQL
// here), so the benchmark writes its posts with set-based SQL of its own:
// the same rows CreatePost writes for a post with one scheduled target
// (state scheduled, due_at = scheduled_at, version 1), and nothing else.
// The workspace, author and accounts still go through the store.

// newPost is one post to store: its target's account, text and due time.
type newPost struct {
	accountID int64
	text      string
	due       time.Time
}

// stored is a stored target: its id and due time.
type stored struct {
	id  int64
	due time.Time
}

// bulkInserter stores a batch of posts in one transaction and returns
// their targets.
type bulkInserter func(ctx context.Context, workspaceID, authorID int64, now time.Time, batch []newPost) ([]stored, error)

const postText = "Benchmark post"

// sqliteBulk writes through its own connection to the database file (the
// store keeps its write connection to itself), with the store's pragmas.
func sqliteBulk(path string) (bulkInserter, func() error, error) {
	db, err := sql.Open("sqlite", path+"?_time_format=sqlite&_txlock=immediate"+
		"&_pragma=busy_timeout(5000)&_pragma=foreign_keys(1)&_pragma=synchronous(FULL)")
	if err != nil {
		return nil, nil, fmt.Errorf("bench: open SQLite for the bulk insert: %w", err)
	}
	db.SetMaxOpenConns(1)
	insert := func(ctx context.Context, workspaceID, authorID int64, now time.Time, batch []newPost) (out []stored, err error) {
		tx, err := db.BeginTx(ctx, nil)
		if err != nil {
			return nil, fmt.Errorf("begin: %w", err)
		}
		defer func() {
			if err != nil {
				err = errors.Join(err, tx.Rollback())
			}
		}()
		postStmt, err := tx.PrepareContext(ctx, `INSERT INTO posts (workspace_id, author_id, text, version,
			created_at, updated_at) VALUES (?, ?, ?, 1, ?, ?)`)
		if err != nil {
			return nil, fmt.Errorf("prepare: %w", err)
		}
		targetStmt, err := tx.PrepareContext(ctx, `INSERT INTO targets (workspace_id, post_id, account_id, variant,
			state, scheduled_at, due_at, version, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, 1, ?, ?)`)
		if err != nil {
			return nil, fmt.Errorf("prepare: %w", err)
		}
		at := now.UnixMicro()
		out = make([]stored, 0, len(batch))
		for _, p := range batch {
			res, err := postStmt.ExecContext(ctx, workspaceID, authorID, postText, at, at)
			if err != nil {
				return nil, fmt.Errorf("insert post: %w", err)
			}
			postID, err := res.LastInsertId()
			if err != nil {
				return nil, fmt.Errorf("insert post: %w", err)
			}
			variant, err := json.Marshal(herald.Variant{Text: p.text})
			if err != nil {
				return nil, fmt.Errorf("encode variant: %w", err)
			}
			due := p.due.UnixMicro()
			res, err = targetStmt.ExecContext(ctx, workspaceID, postID, p.accountID, string(variant),
				string(herald.StateScheduled), due, due, at, at)
			if err != nil {
				return nil, fmt.Errorf("insert target: %w", err)
			}
			id, err := res.LastInsertId()
			if err != nil {
				return nil, fmt.Errorf("insert target: %w", err)
			}
			out = append(out, stored{id: id, due: p.due})
		}
		if err := tx.Commit(); err != nil {
			return nil, fmt.Errorf("commit: %w", err)
		}
		return out, nil
	}
	return insert, db.Close, nil
}

// postgresBulk writes each batch with two statements over arrays.
func postgresBulk(pool *pgxpool.Pool) bulkInserter {
	return func(ctx context.Context, workspaceID, authorID int64, now time.Time, batch []newPost) ([]stored, error) {
		var out []stored
		err := pgx.BeginFunc(ctx, pool, func(tx pgx.Tx) error {
			rows, err := tx.Query(ctx, `INSERT INTO posts (workspace_id, author_id, text, version, created_at, updated_at)
				SELECT $1, $2, $3, 1, $4, $4 FROM generate_series(1, $5) RETURNING id`,
				workspaceID, authorID, postText, now, len(batch))
			if err != nil {
				return fmt.Errorf("insert posts: %w", err)
			}
			postIDs, err := pgx.CollectRows(rows, pgx.RowTo[int64])
			if err != nil {
				return fmt.Errorf("insert posts: %w", err)
			}
			if len(postIDs) != len(batch) {
				return fmt.Errorf("insert posts: %d rows for %d posts", len(postIDs), len(batch))
			}
			accounts := make([]int64, len(batch))
			variants := make([]string, len(batch))
			dues := make([]time.Time, len(batch))
			for i, p := range batch {
				v, err := json.Marshal(herald.Variant{Text: p.text})
				if err != nil {
					return fmt.Errorf("encode variant: %w", err)
				}
				accounts[i], variants[i], dues[i] = p.accountID, string(v), p.due
			}
			rows, err = tx.Query(ctx, `INSERT INTO targets (workspace_id, post_id, account_id, variant, state,
					scheduled_at, due_at, version, created_at, updated_at)
				SELECT $1, u.post_id, u.account_id, u.variant::jsonb, $2, u.due, u.due, 1, $3, $3
				FROM unnest($4::bigint[], $5::bigint[], $6::text[], $7::timestamptz[]) AS u(post_id, account_id, variant, due)
				RETURNING id, due_at`,
				workspaceID, string(herald.StateScheduled), now, postIDs, accounts, variants, dues)
			if err != nil {
				return fmt.Errorf("insert targets: %w", err)
			}
			out, err = pgx.CollectRows(rows, func(row pgx.CollectableRow) (stored, error) {
				var s stored
				err := row.Scan(&s.id, &s.due)
				return s, err
			})
			if err != nil {
				return fmt.Errorf("insert targets: %w", err)
			}
			if len(out) != len(batch) {
				return fmt.Errorf("insert targets: %d rows for %d posts", len(out), len(batch))
			}
			return nil
		})
		return out, err
	}
}
