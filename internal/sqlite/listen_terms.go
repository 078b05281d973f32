package sqlite

import (
	"context"
	"fmt"
	"time"

	"github.com/heraldsocial/herald/internal/herald"
)

// ListenTerms returns the topic's computed terms.
func (s *store) ListenTerms(ctx context.Context, workspaceID, topicID int64) (herald.ListenTerms, error) {
	t := herald.ListenTerms{WorkspaceID: workspaceID, TopicID: topicID}
	var computed int64
	var data string
	err := s.r.QueryRowContext(ctx, `SELECT last_match_id, computed_at, data FROM listen_terms
		WHERE workspace_id = ? AND topic_id = ?`, workspaceID, topicID).Scan(&t.LastMatchID, &computed, &data)
	if err != nil {
		return herald.ListenTerms{}, getErr(err, "listening terms")
	}
	t.ComputedAt, t.Data = fromMicros(computed), []byte(data)
	return t, nil
}

// PutListenTerms saves the topic's computed terms unless newer ones are
// stored.
func (s *store) PutListenTerms(ctx context.Context, t herald.ListenTerms) error {
	_, err := s.w.ExecContext(ctx, `INSERT INTO listen_terms (workspace_id, topic_id, last_match_id, computed_at, data)
		SELECT ?, ?, ?, ?, ? WHERE ? = 0 OR EXISTS (SELECT 1 FROM listen_topics WHERE id = ? AND workspace_id = ?)
		ON CONFLICT (workspace_id, topic_id) DO UPDATE SET last_match_id = excluded.last_match_id,
		computed_at = excluded.computed_at, data = excluded.data WHERE excluded.computed_at >= listen_terms.computed_at`,
		t.WorkspaceID, t.TopicID, t.LastMatchID, micros(stamp(t.ComputedAt)), string(t.Data),
		t.TopicID, t.TopicID, t.WorkspaceID)
	return dbErr(err, "put listening terms", "", fmt.Sprintf("there is no workspace %d", t.WorkspaceID))
}

// DueListenTerms returns the workspace's topics whose terms are due.
func (s *store) DueListenTerms(ctx context.Context, workspaceID int64, staleBefore time.Time) ([]herald.ListenTermsDue, error) {
	// Each topic's newest match is the last entry of its (topic_id,
	// match_id) key, one index lookup.
	return listRows(ctx, s, "due listening terms", `WITH heads AS (
			SELECT t.id AS topic_id, t.updated_at AS updated_at,
				coalesce((SELECT max(mt.match_id) FROM listen_match_topics mt WHERE mt.topic_id = t.id), 0) AS head
			FROM listen_topics t WHERE t.workspace_id = ?
		), heads_all AS (
			SELECT topic_id, updated_at, head FROM heads
			UNION ALL SELECT 0, NULL, coalesce(max(head), 0) FROM heads
		)
		SELECT e.topic_id, e.head FROM heads_all e
		LEFT JOIN listen_terms lt ON lt.workspace_id = ? AND lt.topic_id = e.topic_id
		WHERE lt.topic_id IS NULL OR lt.last_match_id < e.head OR lt.computed_at < e.updated_at OR lt.computed_at < ?
		ORDER BY coalesce(lt.computed_at, 0), e.topic_id`, []any{workspaceID, workspaceID, micros(staleBefore)},
		func(sc scanner) (herald.ListenTermsDue, error) {
			var d herald.ListenTermsDue
			return d, sc.Scan(&d.TopicID, &d.LastMatchID)
		})
}
