package postgres

import (
	"context"
	"time"

	"github.com/heraldsocial/herald/internal/herald"
)

// ListenTerms returns the topic's computed terms.
func (s store) ListenTerms(ctx context.Context, workspaceID, topicID int64) (herald.ListenTerms, error) {
	t := herald.ListenTerms{WorkspaceID: workspaceID, TopicID: topicID}
	var data string
	err := s.q.QueryRow(ctx, `SELECT last_match_id, computed_at, data FROM listen_terms
		WHERE workspace_id = $1 AND topic_id = $2`, workspaceID, topicID).Scan(&t.LastMatchID, &t.ComputedAt, &data)
	if err != nil {
		return herald.ListenTerms{}, notFound("listening terms", "get listening terms", err)
	}
	t.ComputedAt, t.Data = t.ComputedAt.UTC(), []byte(data)
	return t, nil
}

// PutListenTerms saves the topic's computed terms unless newer ones are
// stored.
func (s store) PutListenTerms(ctx context.Context, t herald.ListenTerms) error {
	_, err := s.q.Exec(ctx, `INSERT INTO listen_terms (workspace_id, topic_id, last_match_id, computed_at, data)
		SELECT $1::bigint, $2::bigint, $3::bigint, $4::timestamptz, $5::text WHERE $2 = 0 OR EXISTS (SELECT 1 FROM listen_topics WHERE id = $2 AND workspace_id = $1)
		ON CONFLICT (workspace_id, topic_id) DO UPDATE SET last_match_id = EXCLUDED.last_match_id,
		computed_at = EXCLUDED.computed_at, data = EXCLUDED.data WHERE EXCLUDED.computed_at >= listen_terms.computed_at`,
		t.WorkspaceID, t.TopicID, t.LastMatchID, stamp(&t.ComputedAt), string(t.Data))
	return dbErr("put listening terms", err)
}

// DueListenTerms returns the workspace's topics whose terms are due.
func (s store) DueListenTerms(ctx context.Context, workspaceID int64, staleBefore time.Time) ([]herald.ListenTermsDue, error) {
	// Each topic's newest match is the last entry of its (topic_id,
	// match_id) key, one index lookup.
	rows, err := s.q.Query(ctx, `WITH heads AS (
			SELECT t.id AS topic_id, t.updated_at AS updated_at,
				coalesce((SELECT max(mt.match_id) FROM listen_match_topics mt WHERE mt.topic_id = t.id), 0) AS head
			FROM listen_topics t WHERE t.workspace_id = $1
		), heads_all AS (
			SELECT topic_id, updated_at, head FROM heads
			UNION ALL SELECT 0, NULL, coalesce(max(head), 0) FROM heads
		)
		SELECT e.topic_id, e.head FROM heads_all e
		LEFT JOIN listen_terms lt ON lt.workspace_id = $1 AND lt.topic_id = e.topic_id
		WHERE lt.topic_id IS NULL OR lt.last_match_id < e.head OR lt.computed_at < e.updated_at OR lt.computed_at < $2
		ORDER BY lt.computed_at NULLS FIRST, e.topic_id`, workspaceID, staleBefore)
	if err != nil {
		return nil, dbErr("due listening terms", err)
	}
	out, err := collect(rows, func(sc scanner) (herald.ListenTermsDue, error) {
		var d herald.ListenTermsDue
		return d, sc.Scan(&d.TopicID, &d.LastMatchID)
	})
	return out, dbErr("due listening terms", err)
}
