package sqlite

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"github.com/heraldsocial/herald/internal/herald"
)

const listenTopicCols = `id, workspace_id, name, rules, paused, created_by, created_at, updated_at`

func scanListenTopic(sc scanner) (herald.ListenTopic, error) {
	var t herald.ListenTopic
	var rules string
	var created, updated int64
	if err := sc.Scan(&t.ID, &t.WorkspaceID, &t.Name, &rules, &t.Paused, &t.CreatedBy, &created, &updated); err != nil {
		return t, err
	}
	t.CreatedAt, t.UpdatedAt = fromMicros(created), fromMicros(updated)
	if err := json.Unmarshal([]byte(rules), &t.Rules); err != nil {
		return t, fmt.Errorf("sqlite: listening topic %d rules: %w", t.ID, err)
	}
	return t, nil
}

// CreateListenTopic inserts t and sets its ID.
func (s *store) CreateListenTopic(ctx context.Context, t *herald.ListenTopic) error {
	t.CreatedAt = stamp(t.CreatedAt)
	if t.UpdatedAt.IsZero() {
		t.UpdatedAt = t.CreatedAt
	}
	t.UpdatedAt = stamp(t.UpdatedAt)
	rules, err := toJSON(t.Rules)
	if err != nil {
		return err
	}
	err = s.w.QueryRowContext(ctx, `INSERT INTO listen_topics (workspace_id, name, rules, paused, created_by, created_at, updated_at)
		VALUES (?, ?, ?, ?, ?, ?, ?) RETURNING id`, t.WorkspaceID, t.Name, rules, t.Paused, t.CreatedBy,
		micros(t.CreatedAt), micros(t.UpdatedAt)).Scan(&t.ID)
	return dbErr(err, "create listening topic", herald.ListenTopicClash(t.Name), fmt.Sprintf("there is no workspace %d", t.WorkspaceID))
}

// GetListenTopic returns topic id of workspaceID.
func (s *store) GetListenTopic(ctx context.Context, workspaceID, id int64) (herald.ListenTopic, error) {
	t, err := scanListenTopic(s.r.QueryRowContext(ctx, `SELECT `+listenTopicCols+` FROM listen_topics
		WHERE workspace_id = ? AND id = ?`, workspaceID, id))
	if err != nil {
		return herald.ListenTopic{}, getErr(err, "listening topic")
	}
	return t, nil
}

// ListListenTopics returns a workspace's topics by name.
func (s *store) ListListenTopics(ctx context.Context, workspaceID int64) ([]herald.ListenTopic, error) {
	return listRows(ctx, s, "listening topics", `SELECT `+listenTopicCols+` FROM listen_topics WHERE workspace_id = ?
		ORDER BY name COLLATE NOCASE, id`, []any{workspaceID}, scanListenTopic)
}

// ActiveListenTopics returns every workspace's topics that are not paused.
func (s *store) ActiveListenTopics(ctx context.Context) ([]herald.ListenTopic, error) {
	return listRows(ctx, s, "listening topics", `SELECT `+listenTopicCols+` FROM listen_topics WHERE NOT paused ORDER BY id`,
		nil, scanListenTopic)
}

// UpdateListenTopic saves the topic's name, rules and pause.
func (s *store) UpdateListenTopic(ctx context.Context, t *herald.ListenTopic) error {
	t.UpdatedAt = stamp(t.UpdatedAt)
	rules, err := toJSON(t.Rules)
	if err != nil {
		return err
	}
	res, err := s.w.ExecContext(ctx, `UPDATE listen_topics SET name = ?, rules = ?, paused = ?, updated_at = ?
		WHERE workspace_id = ? AND id = ?`, t.Name, rules, t.Paused, micros(t.UpdatedAt), t.WorkspaceID, t.ID)
	if err != nil {
		return dbErr(err, "update listening topic", herald.ListenTopicClash(t.Name), "")
	}
	return affected(res, "listening topic")
}

// DeleteListenTopic deletes the topic, its rollups and the matches only it
// matched (taking them out of the workspace's rollups).
func (s *store) DeleteListenTopic(ctx context.Context, workspaceID, id int64) error {
	return s.atomic(ctx, func(q querier) error {
		rows, err := q.QueryContext(ctx, `SELECT m.id, m.platform, m.author_id, m.sentiment, m.posted_at FROM listen_matches m
			JOIN listen_match_topics mt ON mt.match_id = m.id AND mt.topic_id = ?
			WHERE m.workspace_id = ? AND NOT EXISTS (SELECT 1 FROM listen_match_topics o WHERE o.match_id = m.id AND o.topic_id <> ?)`,
			id, workspaceID, id)
		if err != nil {
			return fmt.Errorf("sqlite: delete listening topic: %w", err)
		}
		var ids []any
		var tally herald.ListenTally
		for rows.Next() {
			var m herald.ListenMatch
			var posted int64
			if err := rows.Scan(&m.ID, &m.Platform, &m.AuthorID, &m.Sentiment, &posted); err != nil {
				rows.Close()
				return fmt.Errorf("sqlite: delete listening topic: %w", err)
			}
			m.PostedAt = fromMicros(posted)
			ids = append(ids, m.ID)
			tally.Add(0, m, -1)
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return fmt.Errorf("sqlite: delete listening topic: %w", err)
		}
		res, err := q.ExecContext(ctx, `DELETE FROM listen_topics WHERE workspace_id = ? AND id = ?`, workspaceID, id)
		if err != nil {
			return dbErr(err, "delete listening topic", "", "")
		}
		if err := affected(res, "listening topic"); err != nil {
			return err
		}
		for _, table := range []string{"listen_volume", "listen_authors", "listen_terms"} {
			if _, err := q.ExecContext(ctx, `DELETE FROM `+table+` WHERE workspace_id = ? AND topic_id = ?`, workspaceID, id); err != nil {
				return fmt.Errorf("sqlite: delete listening topic: %w", err)
			}
		}
		for start := 0; start < len(ids); start += 500 {
			part := ids[start:min(start+500, len(ids))]
			if _, err := q.ExecContext(ctx, `DELETE FROM listen_matches WHERE id IN (`+placeholders(len(part))+`)`, part...); err != nil {
				return fmt.Errorf("sqlite: delete listening topic: %w", err)
			}
		}
		return applyListenTally(ctx, q, workspaceID, &tally)
	})
}

// AddListenMatches stores matches, adds the topics stored ones lack and
// keeps the rollups current.
func (s *store) AddListenMatches(ctx context.Context, ms []herald.ListenMatch) (int, error) {
	if len(ms) == 0 {
		return 0, nil
	}
	if err := herald.CheckListenMatches(ms); err != nil {
		return 0, err
	}
	added := 0
	err := s.atomic(ctx, func(q querier) error {
		added = 0
		owners, err := listenTopicOwners(ctx, q, ms)
		if err != nil {
			return err
		}
		tallies := map[int64]*herald.ListenTally{}
		for _, m := range ms {
			hits := herald.KeepTopics(m.Topics, m.WorkspaceID, owners)
			if len(hits) == 0 {
				continue
			}
			var id int64
			err := q.QueryRowContext(ctx, `INSERT INTO listen_matches (workspace_id, platform, remote_id, cid, url, author_id,
				author_handle, author_name, author_followers, text, language, sentiment, score, reply_to, posted_at, seen_at)
				VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
				ON CONFLICT (workspace_id, platform, remote_id) DO NOTHING RETURNING id`,
				m.WorkspaceID, string(m.Platform), m.RemoteID, m.CID, m.URL, m.AuthorID, m.AuthorHandle, m.AuthorName,
				m.AuthorFollowers, m.Text, m.Language, m.Sentiment, m.Score, m.ReplyTo, micros(m.PostedAt), micros(stamp(m.SeenAt))).Scan(&id)
			isNew := err == nil
			if err == sql.ErrNoRows {
				var posted int64
				err = q.QueryRowContext(ctx, `SELECT id, platform, author_id, author_handle, author_name, author_followers,
					sentiment, posted_at FROM listen_matches WHERE workspace_id = ? AND platform = ? AND remote_id = ?`,
					m.WorkspaceID, string(m.Platform), m.RemoteID).Scan(&id, &m.Platform, &m.AuthorID, &m.AuthorHandle,
					&m.AuthorName, &m.AuthorFollowers, &m.Sentiment, &posted)
				m.PostedAt = fromMicros(posted)
			}
			if err != nil {
				return fmt.Errorf("sqlite: add listening matches: %w", err)
			}
			t := tallies[m.WorkspaceID]
			if t == nil {
				t = &herald.ListenTally{}
				tallies[m.WorkspaceID] = t
			}
			if isNew {
				added++
				t.Add(0, m, 1)
			}
			for _, h := range hits {
				terms, err := toJSON(herald.NonNil(h.Terms))
				if err != nil {
					return err
				}
				res, err := q.ExecContext(ctx, `INSERT INTO listen_match_topics (topic_id, match_id, posted_at, terms)
					VALUES (?, ?, ?, ?) ON CONFLICT DO NOTHING`, h.TopicID, id, micros(m.PostedAt), terms)
				if err != nil {
					return fmt.Errorf("sqlite: add listening matches: %w", err)
				}
				if n, _ := res.RowsAffected(); n > 0 {
					t.Add(h.TopicID, m, 1)
				}
			}
		}
		for ws, t := range tallies {
			if err := applyListenTally(ctx, q, ws, t); err != nil {
				return err
			}
		}
		return nil
	})
	return added, err
}

// listenTopicOwners returns the workspace of each topic the matches name.
func listenTopicOwners(ctx context.Context, q querier, ms []herald.ListenMatch) (map[int64]int64, error) {
	ids := herald.ListenTopicIDs(ms)
	owners := make(map[int64]int64, len(ids))
	for start := 0; start < len(ids); start += 500 {
		part := ids[start:min(start+500, len(ids))]
		args := make([]any, len(part))
		for i, id := range part {
			args[i] = id
		}
		rows, err := q.QueryContext(ctx, `SELECT id, workspace_id FROM listen_topics WHERE id IN (`+placeholders(len(part))+`)`, args...)
		if err != nil {
			return nil, fmt.Errorf("sqlite: listening topics: %w", err)
		}
		for rows.Next() {
			var id, ws int64
			if err := rows.Scan(&id, &ws); err != nil {
				rows.Close()
				return nil, fmt.Errorf("sqlite: listening topics: %w", err)
			}
			owners[id] = ws
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return nil, fmt.Errorf("sqlite: listening topics: %w", err)
		}
	}
	return owners, nil
}

// applyListenTally adds a tally to the workspace's hourly volume and daily
// authors.
func applyListenTally(ctx context.Context, q querier, workspaceID int64, t *herald.ListenTally) error {
	for k, v := range t.Volume {
		_, err := q.ExecContext(ctx, `INSERT INTO listen_volume (workspace_id, topic_id, hour, positive, neutral, negative)
			VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (workspace_id, topic_id, hour) DO UPDATE SET
			positive = positive + excluded.positive, neutral = neutral + excluded.neutral, negative = negative + excluded.negative`,
			workspaceID, k.TopicID, micros(k.Hour), v.Positive, v.Neutral, v.Negative)
		if err != nil {
			return fmt.Errorf("sqlite: listening volume: %w", err)
		}
	}
	for k, a := range t.Authors {
		_, err := q.ExecContext(ctx, `INSERT INTO listen_authors (workspace_id, topic_id, day, platform, author_id, author_handle,
			author_name, author_followers, matches, negative) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
			ON CONFLICT (workspace_id, topic_id, day, platform, author_id) DO UPDATE SET
			author_handle = CASE WHEN excluded.author_handle <> '' THEN excluded.author_handle ELSE author_handle END,
			author_name = CASE WHEN excluded.author_name <> '' THEN excluded.author_name ELSE author_name END,
			author_followers = CASE WHEN excluded.author_followers >= 0 THEN excluded.author_followers ELSE author_followers END,
			matches = matches + excluded.matches, negative = negative + excluded.negative`,
			workspaceID, k.TopicID, micros(k.Day), string(k.Platform), k.AuthorID, a.AuthorHandle, a.AuthorName,
			a.AuthorFollowers, a.Matches, a.Negative)
		if err != nil {
			return fmt.Errorf("sqlite: listening authors: %w", err)
		}
	}
	if len(t.Volume) > 0 || len(t.Authors) > 0 {
		for _, stmt := range []string{
			`DELETE FROM listen_volume WHERE workspace_id = ? AND positive <= 0 AND neutral <= 0 AND negative <= 0`,
			`DELETE FROM listen_authors WHERE workspace_id = ? AND matches <= 0`,
		} {
			if !t.Removes {
				break
			}
			if _, err := q.ExecContext(ctx, stmt, workspaceID); err != nil {
				return fmt.Errorf("sqlite: listening rollups: %w", err)
			}
		}
	}
	return nil
}

const listenMatchCols = `m.id, m.workspace_id, m.platform, m.remote_id, m.cid, m.url, m.author_id, m.author_handle, m.author_name,
	m.author_followers, m.text, m.language, m.sentiment, m.score, m.reply_to, m.posted_at, m.seen_at`

func scanListenMatch(sc scanner) (herald.ListenMatch, error) {
	var m herald.ListenMatch
	var posted, seen int64
	err := sc.Scan(&m.ID, &m.WorkspaceID, &m.Platform, &m.RemoteID, &m.CID, &m.URL, &m.AuthorID, &m.AuthorHandle, &m.AuthorName,
		&m.AuthorFollowers, &m.Text, &m.Language, &m.Sentiment, &m.Score, &m.ReplyTo, &posted, &seen)
	m.PostedAt, m.SeenAt = fromMicros(posted), fromMicros(seen)
	return m, err
}

// GetListenMatch returns the workspace's match with its topics.
func (s *store) GetListenMatch(ctx context.Context, workspaceID, id int64) (herald.ListenMatch, error) {
	m, err := scanListenMatch(s.r.QueryRowContext(ctx, `SELECT `+listenMatchCols+` FROM listen_matches m
		WHERE m.workspace_id = ? AND m.id = ?`, workspaceID, id))
	if err != nil {
		return herald.ListenMatch{}, getErr(err, "listening match")
	}
	ms := []herald.ListenMatch{m}
	if err := s.listenMatchTopics(ctx, ms); err != nil {
		return herald.ListenMatch{}, err
	}
	return ms[0], nil
}

// ListListenMatches returns matches newest first with the next page's cursor.
func (s *store) ListListenMatches(ctx context.Context, f herald.ListenFilter) ([]herald.ListenMatch, string, error) {
	at, after, err := herald.DecodeListenCursor(f.Cursor)
	if err != nil {
		return nil, "", err
	}
	limit := pageLimit(f.Page)
	var q strings.Builder
	args := []any{}
	if f.TopicID != 0 {
		// The topic's index walks its matches in time order.
		q.WriteString(`SELECT ` + listenMatchCols + ` FROM listen_match_topics mt JOIN listen_matches m ON m.id = mt.match_id
			WHERE mt.topic_id = ? AND m.workspace_id = ?`)
		args = append(args, f.TopicID, f.WorkspaceID)
		s.listenBounds(&q, &args, "mt", f, at, after)
		q.WriteString(` ORDER BY mt.posted_at DESC, mt.match_id DESC LIMIT ?`)
	} else {
		q.WriteString(`SELECT ` + listenMatchCols + ` FROM listen_matches m WHERE m.workspace_id = ?`)
		args = append(args, f.WorkspaceID)
		s.listenBounds(&q, &args, "m", f, at, after)
		q.WriteString(` ORDER BY m.posted_at DESC, m.id DESC LIMIT ?`)
	}
	args = append(args, limit+1)
	ms, err := listRows(ctx, s, "listening matches", q.String(), args, scanListenMatch)
	if err != nil {
		return nil, "", err
	}
	next := ""
	if len(ms) > limit {
		ms = ms[:limit]
		last := ms[limit-1]
		next = herald.EncodeListenCursor(last.PostedAt, last.ID)
	}
	return ms, next, s.listenMatchTopics(ctx, ms)
}

// listenBounds adds the filter's conditions; alias is the table whose
// (posted_at, id) the page is ordered by.
func (s *store) listenBounds(q *strings.Builder, args *[]any, alias string, f herald.ListenFilter, at time.Time, after int64) {
	id := alias + ".id"
	if alias == "mt" {
		id = "mt.match_id"
	}
	if !f.From.IsZero() {
		q.WriteString(` AND ` + alias + `.posted_at >= ?`)
		*args = append(*args, micros(f.From))
	}
	if !f.To.IsZero() {
		q.WriteString(` AND ` + alias + `.posted_at < ?`)
		*args = append(*args, micros(f.To))
	}
	if after != 0 {
		q.WriteString(` AND (` + alias + `.posted_at < ? OR (` + alias + `.posted_at = ? AND ` + id + ` < ?))`)
		*args = append(*args, micros(at), micros(at), after)
	}
	if f.Sentiment != "" {
		q.WriteString(` AND m.sentiment = ?`)
		*args = append(*args, f.Sentiment)
	}
	if f.Language != "" {
		q.WriteString(` AND m.language = ?`)
		*args = append(*args, f.Language)
	}
	if f.AuthorID != "" {
		q.WriteString(` AND m.author_id = ?`)
		*args = append(*args, f.AuthorID)
	}
	if f.Query != "" {
		q.WriteString(` AND m.text LIKE ? ESCAPE '\'`)
		*args = append(*args, herald.LikePattern(f.Query))
	}
}

// listenMatchTopics fills the matches' Topics.
func (s *store) listenMatchTopics(ctx context.Context, ms []herald.ListenMatch) error {
	if len(ms) == 0 {
		return nil
	}
	byID := make(map[int64]int, len(ms))
	args := make([]any, len(ms))
	for i, m := range ms {
		byID[m.ID] = i
		args[i] = m.ID
		ms[i].Topics = []herald.TopicHit{}
	}
	rows, err := s.r.QueryContext(ctx, `SELECT match_id, topic_id, terms FROM listen_match_topics WHERE match_id IN (`+
		placeholders(len(ms))+`) ORDER BY match_id, topic_id`, args...)
	if err != nil {
		return fmt.Errorf("sqlite: listening match topics: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var id int64
		var h herald.TopicHit
		var terms string
		if err := rows.Scan(&id, &h.TopicID, &terms); err != nil {
			return fmt.Errorf("sqlite: listening match topics: %w", err)
		}
		if err := json.Unmarshal([]byte(terms), &h.Terms); err != nil {
			return fmt.Errorf("sqlite: listening match %d terms: %w", id, err)
		}
		i := byID[id]
		ms[i].Topics = append(ms[i].Topics, h)
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("sqlite: listening match topics: %w", err)
	}
	return nil
}

// ListenVolume returns the topic's matches per hour by sentiment.
func (s *store) ListenVolume(ctx context.Context, workspaceID, topicID int64, from, to time.Time) ([]herald.ListenVolume, error) {
	return listRows(ctx, s, "listening volume", `SELECT hour, positive, neutral, negative FROM listen_volume
		WHERE workspace_id = ? AND topic_id = ? AND hour >= ? AND hour < ? AND positive + neutral + negative > 0 ORDER BY hour`,
		[]any{workspaceID, topicID, micros(herald.ListenHour(from)), micros(to)}, func(sc scanner) (herald.ListenVolume, error) {
			var v herald.ListenVolume
			var hour int64
			err := sc.Scan(&hour, &v.Positive, &v.Neutral, &v.Negative)
			v.Hour = fromMicros(hour)
			return v, err
		})
}

// TopListenAuthors returns the authors with the most matches.
func (s *store) TopListenAuthors(ctx context.Context, workspaceID, topicID int64, from, to time.Time, limit int) ([]herald.ListenAuthor, error) {
	if limit <= 0 {
		limit = 10
	}
	return listRows(ctx, s, "listening authors", `SELECT platform, author_id, max(author_handle), max(author_name),
		max(author_followers), sum(matches), sum(negative) FROM listen_authors
		WHERE workspace_id = ? AND topic_id = ? AND day >= ? AND day < ?
		GROUP BY platform, author_id HAVING sum(matches) > 0 ORDER BY sum(matches) DESC, sum(negative) DESC, author_id LIMIT ?`,
		[]any{workspaceID, topicID, micros(herald.ListenDay(from)), micros(to), limit}, func(sc scanner) (herald.ListenAuthor, error) {
			var a herald.ListenAuthor
			err := sc.Scan(&a.Platform, &a.AuthorID, &a.AuthorHandle, &a.AuthorName, &a.AuthorFollowers, &a.Matches, &a.Negative)
			return a, err
		})
}

// DeleteListenMatchesBefore deletes up to limit matches posted before the
// time, with the rollup rows before it.
func (s *store) DeleteListenMatchesBefore(ctx context.Context, workspaceID int64, before time.Time, limit int) (int, error) {
	if limit <= 0 {
		limit = 1000
	}
	n := 0
	err := s.atomic(ctx, func(q querier) error {
		res, err := q.ExecContext(ctx, `DELETE FROM listen_matches WHERE id IN (SELECT id FROM listen_matches
			WHERE workspace_id = ? AND posted_at < ? ORDER BY posted_at LIMIT ?)`, workspaceID, micros(before), limit)
		if err != nil {
			return fmt.Errorf("sqlite: delete listening matches: %w", err)
		}
		d, _ := res.RowsAffected()
		n = int(d)
		if _, err := q.ExecContext(ctx, `DELETE FROM listen_volume WHERE workspace_id = ? AND hour < ?`,
			workspaceID, micros(herald.ListenHour(before))); err != nil {
			return fmt.Errorf("sqlite: delete listening volume: %w", err)
		}
		if _, err := q.ExecContext(ctx, `DELETE FROM listen_authors WHERE workspace_id = ? AND day < ?`,
			workspaceID, micros(herald.ListenDay(before))); err != nil {
			return fmt.Errorf("sqlite: delete listening authors: %w", err)
		}
		return nil
	})
	return n, err
}

// ListenCursor returns a source's last cursor.
func (s *store) ListenCursor(ctx context.Context, source string) (string, error) {
	var c string
	err := s.r.QueryRowContext(ctx, `SELECT cursor FROM listen_cursors WHERE source = ?`, source).Scan(&c)
	if err == sql.ErrNoRows {
		return "", nil
	}
	if err != nil {
		return "", fmt.Errorf("sqlite: listening cursor: %w", err)
	}
	return c, nil
}

// PutListenCursor saves a source's cursor.
func (s *store) PutListenCursor(ctx context.Context, source, cursor string, at time.Time) error {
	_, err := s.w.ExecContext(ctx, `INSERT INTO listen_cursors (source, cursor, updated_at) VALUES (?, ?, ?)
		ON CONFLICT (source) DO UPDATE SET cursor = excluded.cursor, updated_at = excluded.updated_at`,
		source, cursor, micros(stamp(at)))
	return dbErr(err, "put listening cursor", "", "")
}

// ListenWorkspaces returns the workspaces that have topics.
func (s *store) ListenWorkspaces(ctx context.Context) ([]int64, error) {
	return listRows(ctx, s, "listening workspaces", `SELECT DISTINCT workspace_id FROM listen_topics ORDER BY workspace_id`,
		nil, func(sc scanner) (int64, error) {
			var id int64
			return id, sc.Scan(&id)
		})
}
