package postgres

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/heraldsocial/herald/internal/herald"
)

var _ herald.ListenStore = store{}

const listenTopicCols = `id, workspace_id, name, rules, paused, created_by, created_at, updated_at`

func scanListenTopic(sc scanner) (herald.ListenTopic, error) {
	var t herald.ListenTopic
	var rules []byte
	if err := sc.Scan(&t.ID, &t.WorkspaceID, &t.Name, &rules, &t.Paused, &t.CreatedBy, &t.CreatedAt, &t.UpdatedAt); err != nil {
		return t, err
	}
	t.CreatedAt, t.UpdatedAt = t.CreatedAt.UTC(), t.UpdatedAt.UTC()
	if err := json.Unmarshal(rules, &t.Rules); err != nil {
		return t, fmt.Errorf("postgres: listening topic %d rules: %w", t.ID, err)
	}
	return t, nil
}

// CreateListenTopic inserts t and sets its ID.
func (s store) CreateListenTopic(ctx context.Context, t *herald.ListenTopic) error {
	stamp(&t.CreatedAt)
	if t.UpdatedAt.IsZero() {
		t.UpdatedAt = t.CreatedAt
	}
	rules, err := json.Marshal(t.Rules)
	if err != nil {
		return fmt.Errorf("postgres: listening topic rules: %w", err)
	}
	err = s.q.QueryRow(ctx, `INSERT INTO listen_topics (workspace_id, name, rules, paused, created_by, created_at, updated_at)
		VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id`, t.WorkspaceID, t.Name, string(rules), t.Paused, t.CreatedBy,
		t.CreatedAt, t.UpdatedAt).Scan(&t.ID)
	return dbErr("create listening topic", err)
}

// GetListenTopic returns topic id of workspaceID.
func (s store) GetListenTopic(ctx context.Context, workspaceID, id int64) (herald.ListenTopic, error) {
	t, err := scanListenTopic(s.q.QueryRow(ctx, `SELECT `+listenTopicCols+` FROM listen_topics
		WHERE workspace_id = $1 AND id = $2`, workspaceID, id))
	if err != nil {
		return herald.ListenTopic{}, notFound("listening topic", "get listening topic", err)
	}
	return t, nil
}

func (s store) listTopics(ctx context.Context, q string, args ...any) ([]herald.ListenTopic, error) {
	rows, err := s.q.Query(ctx, q, args...)
	if err != nil {
		return nil, dbErr("list listening topics", err)
	}
	out, err := collect(rows, scanListenTopic)
	return out, dbErr("list listening topics", err)
}

// ListListenTopics returns a workspace's topics by name.
func (s store) ListListenTopics(ctx context.Context, workspaceID int64) ([]herald.ListenTopic, error) {
	return s.listTopics(ctx, `SELECT `+listenTopicCols+` FROM listen_topics WHERE workspace_id = $1
		ORDER BY lower(name) COLLATE "C", id`, workspaceID)
}

// ActiveListenTopics returns every workspace's topics that are not paused.
func (s store) ActiveListenTopics(ctx context.Context) ([]herald.ListenTopic, error) {
	return s.listTopics(ctx, `SELECT `+listenTopicCols+` FROM listen_topics WHERE NOT paused ORDER BY id`)
}

// UpdateListenTopic saves the topic's name, rules and pause.
func (s store) UpdateListenTopic(ctx context.Context, t *herald.ListenTopic) error {
	stamp(&t.UpdatedAt)
	rules, err := json.Marshal(t.Rules)
	if err != nil {
		return fmt.Errorf("postgres: listening topic rules: %w", err)
	}
	tag, err := s.q.Exec(ctx, `UPDATE listen_topics SET name = $3, rules = $4, paused = $5, updated_at = $6
		WHERE workspace_id = $1 AND id = $2`, t.WorkspaceID, t.ID, t.Name, string(rules), t.Paused, t.UpdatedAt)
	if err != nil {
		return dbErr("update listening topic", err)
	}
	if tag.RowsAffected() == 0 {
		return missing("listening topic")
	}
	return nil
}

// DeleteListenTopic deletes the topic, its rollups and the matches only it
// matched (taking them out of the workspace's rollups).
func (s store) DeleteListenTopic(ctx context.Context, workspaceID, id int64) error {
	return s.atomic(ctx, func(s store) error {
		rows, err := s.q.Query(ctx, `SELECT m.id, m.platform, m.author_id, m.sentiment, m.posted_at FROM listen_matches m
			JOIN listen_match_topics mt ON mt.match_id = m.id AND mt.topic_id = $1
			WHERE m.workspace_id = $2 AND NOT EXISTS (SELECT 1 FROM listen_match_topics o WHERE o.match_id = m.id AND o.topic_id <> $1)`,
			id, workspaceID)
		if err != nil {
			return dbErr("delete listening topic", err)
		}
		var ids []int64
		var tally herald.ListenTally
		_, err = collect(rows, func(sc scanner) (struct{}, error) {
			var m herald.ListenMatch
			if err := sc.Scan(&m.ID, &m.Platform, &m.AuthorID, &m.Sentiment, &m.PostedAt); err != nil {
				return struct{}{}, err
			}
			ids = append(ids, m.ID)
			tally.Add(0, m, -1)
			return struct{}{}, nil
		})
		if err != nil {
			return dbErr("delete listening topic", err)
		}
		tag, err := s.q.Exec(ctx, `DELETE FROM listen_topics WHERE workspace_id = $1 AND id = $2`, workspaceID, id)
		if err != nil {
			return dbErr("delete listening topic", err)
		}
		if tag.RowsAffected() == 0 {
			return missing("listening topic")
		}
		for _, table := range []string{"listen_volume", "listen_authors", "listen_terms"} {
			if _, err := s.q.Exec(ctx, `DELETE FROM `+table+` WHERE workspace_id = $1 AND topic_id = $2`, workspaceID, id); err != nil {
				return dbErr("delete listening topic", err)
			}
		}
		if _, err := s.q.Exec(ctx, `DELETE FROM listen_matches WHERE id = ANY($1)`, ids); err != nil {
			return dbErr("delete listening topic", err)
		}
		return s.applyListenTally(ctx, workspaceID, &tally)
	})
}

// AddListenMatches stores matches, adds the topics stored ones lack and
// keeps the rollups current, in a few set-based statements whatever the
// batch's size (arrays unnested), so a source's batch of hundreds costs a
// handful of round trips.
func (s store) AddListenMatches(ctx context.Context, ms []herald.ListenMatch) (int, error) {
	if len(ms) == 0 {
		return 0, nil
	}
	if err := herald.CheckListenMatches(ms); err != nil {
		return 0, err
	}
	added := 0
	err := s.atomic(ctx, func(s store) error {
		added = 0
		owners := map[int64]int64{}
		rows, err := s.q.Query(ctx, `SELECT id, workspace_id FROM listen_topics WHERE id = ANY($1)`, herald.ListenTopicIDs(ms))
		if err != nil {
			return dbErr("add listening matches", err)
		}
		_, err = collect(rows, func(sc scanner) (struct{}, error) {
			var id, ws int64
			err := sc.Scan(&id, &ws)
			owners[id] = ws
			return struct{}{}, err
		})
		if err != nil {
			return dbErr("add listening matches", err)
		}
		type key struct {
			ws               int64
			platform, remote string
		}
		// The batch's matches, each key once (a repeat adds its topics).
		var keep []herald.ListenMatch
		at := map[key]int{}
		for _, m := range ms {
			hits := herald.KeepTopics(m.Topics, m.WorkspaceID, owners)
			if len(hits) == 0 {
				continue
			}
			k := key{m.WorkspaceID, string(m.Platform), m.RemoteID}
			if i, ok := at[k]; ok {
				keep[i].Topics = herald.KeepTopics(append(keep[i].Topics, hits...), m.WorkspaceID, owners)
				continue
			}
			m.Topics = hits
			if m.SeenAt.IsZero() {
				m.SeenAt = now()
			}
			at[k] = len(keep)
			keep = append(keep, m)
		}
		if len(keep) == 0 {
			return nil
		}
		n := len(keep)
		var (
			wss, followers                                          = make([]int64, n), make([]int64, n)
			platforms, remotes, cids, urls, authors, handles, names = make([]string, n), make([]string, n), make([]string, n), make([]string, n), make([]string, n), make([]string, n), make([]string, n)
			texts, langs, sentiments, replies                       = make([]string, n), make([]string, n), make([]string, n), make([]string, n)
			scores                                                  = make([]float64, n)
			posted, seen                                            = make([]time.Time, n), make([]time.Time, n)
		)
		for i, m := range keep {
			wss[i], followers[i], platforms[i], remotes[i], cids[i], urls[i] = m.WorkspaceID, m.AuthorFollowers, string(m.Platform), m.RemoteID, m.CID, m.URL
			authors[i], handles[i], names[i], texts[i], langs[i] = m.AuthorID, m.AuthorHandle, m.AuthorName, m.Text, m.Language
			sentiments[i], replies[i], scores[i], posted[i], seen[i] = m.Sentiment, m.ReplyTo, m.Score, m.PostedAt, m.SeenAt
		}
		isNew := map[int64]bool{}
		rows, err = s.q.Query(ctx, `INSERT INTO listen_matches (workspace_id, platform, remote_id, cid, url, author_id,
			author_handle, author_name, author_followers, text, language, sentiment, score, reply_to, posted_at, seen_at)
			SELECT * FROM unnest($1::bigint[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[], $8::text[],
				$9::bigint[], $10::text[], $11::text[], $12::text[], $13::float8[], $14::text[], $15::timestamptz[], $16::timestamptz[])
			ON CONFLICT (workspace_id, platform, remote_id) DO NOTHING RETURNING id`,
			wss, platforms, remotes, cids, urls, authors, handles, names, followers, texts, langs, sentiments, scores, replies, posted, seen)
		if err != nil {
			return dbErr("add listening matches", err)
		}
		if _, err = collect(rows, func(sc scanner) (struct{}, error) {
			var id int64
			err := sc.Scan(&id)
			isNew[id] = true
			return struct{}{}, err
		}); err != nil {
			return dbErr("add listening matches", err)
		}
		// Every key's stored row: the new ones and those stored before,
		// whose stored fields count in the rollups.
		stored := make(map[key]herald.ListenMatch, n)
		rows, err = s.q.Query(ctx, `SELECT m.id, m.workspace_id, m.platform, m.remote_id, m.author_id, m.author_handle,
			m.author_name, m.author_followers, m.sentiment, m.posted_at FROM listen_matches m
			JOIN unnest($1::bigint[], $2::text[], $3::text[]) AS k(ws, platform, remote)
			ON m.workspace_id = k.ws AND m.platform = k.platform AND m.remote_id = k.remote`, wss, platforms, remotes)
		if err != nil {
			return dbErr("add listening matches", err)
		}
		if _, err = collect(rows, func(sc scanner) (struct{}, error) {
			var m herald.ListenMatch
			err := sc.Scan(&m.ID, &m.WorkspaceID, &m.Platform, &m.RemoteID, &m.AuthorID, &m.AuthorHandle, &m.AuthorName,
				&m.AuthorFollowers, &m.Sentiment, &m.PostedAt)
			stored[key{m.WorkspaceID, string(m.Platform), m.RemoteID}] = m
			return struct{}{}, err
		}); err != nil {
			return dbErr("add listening matches", err)
		}
		var topicIDs, matchIDs []int64
		var linkPosted []time.Time
		var terms []string
		byID := make(map[int64]herald.ListenMatch, n)
		for _, m := range keep {
			st, ok := stored[key{m.WorkspaceID, string(m.Platform), m.RemoteID}]
			if !ok {
				return fmt.Errorf("postgres: add listening matches: %s not stored", m.RemoteID)
			}
			byID[st.ID] = st
			for _, h := range m.Topics {
				raw, err := json.Marshal(herald.NonNil(h.Terms))
				if err != nil {
					return fmt.Errorf("postgres: listening terms: %w", err)
				}
				topicIDs, matchIDs, linkPosted, terms = append(topicIDs, h.TopicID), append(matchIDs, st.ID),
					append(linkPosted, st.PostedAt), append(terms, string(raw))
			}
		}
		tallies := map[int64]*herald.ListenTally{}
		tally := func(ws int64) *herald.ListenTally {
			t := tallies[ws]
			if t == nil {
				t = &herald.ListenTally{}
				tallies[ws] = t
			}
			return t
		}
		for id := range isNew {
			m := byID[id]
			added++
			tally(m.WorkspaceID).Add(0, m, 1)
		}
		rows, err = s.q.Query(ctx, `INSERT INTO listen_match_topics (topic_id, match_id, posted_at, terms)
			SELECT * FROM unnest($1::bigint[], $2::bigint[], $3::timestamptz[], $4::text[])
			ON CONFLICT DO NOTHING RETURNING topic_id, match_id`, topicIDs, matchIDs, linkPosted, terms)
		if err != nil {
			return dbErr("add listening matches", err)
		}
		if _, err = collect(rows, func(sc scanner) (struct{}, error) {
			var topic, id int64
			if err := sc.Scan(&topic, &id); err != nil {
				return struct{}{}, err
			}
			m := byID[id]
			tally(m.WorkspaceID).Add(topic, m, 1)
			return struct{}{}, nil
		}); err != nil {
			return dbErr("add listening matches", err)
		}
		for ws, t := range tallies {
			if err := s.applyListenTally(ctx, ws, t); err != nil {
				return err
			}
		}
		return nil
	})
	return added, err
}

// applyListenTally adds a tally to the workspace's hourly volume and daily
// authors, one statement each.
func (s store) applyListenTally(ctx context.Context, workspaceID int64, t *herald.ListenTally) error {
	if len(t.Volume) > 0 {
		var topics, pos, neu, neg []int64
		var hours []time.Time
		for k, v := range t.Volume {
			topics, hours = append(topics, k.TopicID), append(hours, k.Hour)
			pos, neu, neg = append(pos, int64(v.Positive)), append(neu, int64(v.Neutral)), append(neg, int64(v.Negative))
		}
		_, err := s.q.Exec(ctx, `INSERT INTO listen_volume AS v (workspace_id, topic_id, hour, positive, neutral, negative)
			SELECT $1, * FROM unnest($2::bigint[], $3::timestamptz[], $4::bigint[], $5::bigint[], $6::bigint[])
			ON CONFLICT (workspace_id, topic_id, hour) DO UPDATE SET positive = v.positive + EXCLUDED.positive,
			neutral = v.neutral + EXCLUDED.neutral, negative = v.negative + EXCLUDED.negative`,
			workspaceID, topics, hours, pos, neu, neg)
		if err != nil {
			return dbErr("listening volume", err)
		}
	}
	if len(t.Authors) > 0 {
		var topics, followers, matches, negative []int64
		var days []time.Time
		var platforms, ids, handles, names []string
		for k, a := range t.Authors {
			topics, days, platforms, ids = append(topics, k.TopicID), append(days, k.Day), append(platforms, string(k.Platform)), append(ids, k.AuthorID)
			handles, names, followers = append(handles, a.AuthorHandle), append(names, a.AuthorName), append(followers, a.AuthorFollowers)
			matches, negative = append(matches, int64(a.Matches)), append(negative, int64(a.Negative))
		}
		_, err := s.q.Exec(ctx, `INSERT INTO listen_authors AS a (workspace_id, topic_id, day, platform, author_id, author_handle,
			author_name, author_followers, matches, negative)
			SELECT $1, * FROM unnest($2::bigint[], $3::timestamptz[], $4::text[], $5::text[], $6::text[], $7::text[], $8::bigint[],
				$9::bigint[], $10::bigint[])
			ON CONFLICT (workspace_id, topic_id, day, platform, author_id) DO UPDATE SET
			author_handle = CASE WHEN EXCLUDED.author_handle <> '' THEN EXCLUDED.author_handle ELSE a.author_handle END,
			author_name = CASE WHEN EXCLUDED.author_name <> '' THEN EXCLUDED.author_name ELSE a.author_name END,
			author_followers = CASE WHEN EXCLUDED.author_followers >= 0 THEN EXCLUDED.author_followers ELSE a.author_followers END,
			matches = a.matches + EXCLUDED.matches, negative = a.negative + EXCLUDED.negative`,
			workspaceID, topics, days, platforms, ids, handles, names, followers, matches, negative)
		if err != nil {
			return dbErr("listening authors", err)
		}
	}
	if t.Removes {
		for _, stmt := range []string{
			`DELETE FROM listen_volume WHERE workspace_id = $1 AND positive <= 0 AND neutral <= 0 AND negative <= 0`,
			`DELETE FROM listen_authors WHERE workspace_id = $1 AND matches <= 0`,
		} {
			if _, err := s.q.Exec(ctx, stmt, workspaceID); err != nil {
				return dbErr("listening rollups", err)
			}
		}
	}
	return nil
}

const listenMatchCols = `m.id, m.workspace_id, m.platform, m.remote_id, m.cid, m.url, m.author_id, m.author_handle, m.author_name,
	m.author_followers, m.text, m.language, m.sentiment, m.score, m.reply_to, m.posted_at, m.seen_at`

func scanListenMatch(sc scanner) (herald.ListenMatch, error) {
	var m herald.ListenMatch
	err := sc.Scan(&m.ID, &m.WorkspaceID, &m.Platform, &m.RemoteID, &m.CID, &m.URL, &m.AuthorID, &m.AuthorHandle, &m.AuthorName,
		&m.AuthorFollowers, &m.Text, &m.Language, &m.Sentiment, &m.Score, &m.ReplyTo, &m.PostedAt, &m.SeenAt)
	m.PostedAt, m.SeenAt = m.PostedAt.UTC(), m.SeenAt.UTC()
	return m, err
}

// GetListenMatch returns the workspace's match with its topics.
func (s store) GetListenMatch(ctx context.Context, workspaceID, id int64) (herald.ListenMatch, error) {
	m, err := scanListenMatch(s.q.QueryRow(ctx, `SELECT `+listenMatchCols+` FROM listen_matches m
		WHERE m.workspace_id = $1 AND m.id = $2`, workspaceID, id))
	if err != nil {
		return herald.ListenMatch{}, notFound("listening match", "get listening match", err)
	}
	ms := []herald.ListenMatch{m}
	if err := s.listenMatchTopics(ctx, ms); err != nil {
		return herald.ListenMatch{}, err
	}
	return ms[0], nil
}

// ListListenMatches returns matches newest first with the next page's cursor.
func (s store) ListListenMatches(ctx context.Context, f herald.ListenFilter) ([]herald.ListenMatch, string, error) {
	at, after, err := herald.DecodeListenCursor(f.Cursor)
	if err != nil {
		return nil, "", err
	}
	limit := f.Page.Normalize().Limit
	var q strings.Builder
	args := []any{}
	arg := func(v any) string {
		args = append(args, v)
		return "$" + strconv.Itoa(len(args))
	}
	alias, id := "m", "m.id"
	if f.TopicID != 0 {
		alias, id = "mt", "mt.match_id"
		q.WriteString(`SELECT ` + listenMatchCols + ` FROM listen_match_topics mt JOIN listen_matches m ON m.id = mt.match_id
			WHERE mt.topic_id = ` + arg(f.TopicID) + ` AND m.workspace_id = ` + arg(f.WorkspaceID))
	} else {
		q.WriteString(`SELECT ` + listenMatchCols + ` FROM listen_matches m WHERE m.workspace_id = ` + arg(f.WorkspaceID))
	}
	if !f.From.IsZero() {
		q.WriteString(` AND ` + alias + `.posted_at >= ` + arg(f.From))
	}
	if !f.To.IsZero() {
		q.WriteString(` AND ` + alias + `.posted_at < ` + arg(f.To))
	}
	if after != 0 {
		q.WriteString(` AND (` + alias + `.posted_at, ` + id + `) < (` + arg(at) + `, ` + arg(after) + `)`)
	}
	if f.Sentiment != "" {
		q.WriteString(` AND m.sentiment = ` + arg(f.Sentiment))
	}
	if f.Language != "" {
		q.WriteString(` AND m.language = ` + arg(f.Language))
	}
	if f.AuthorID != "" {
		q.WriteString(` AND m.author_id = ` + arg(f.AuthorID))
	}
	if f.Query != "" {
		q.WriteString(` AND m.text ILIKE ` + arg(herald.LikePattern(f.Query)) + ` ESCAPE '\'`)
	}
	q.WriteString(` ORDER BY ` + alias + `.posted_at DESC, ` + id + ` DESC LIMIT ` + arg(limit+1))
	rows, err := s.q.Query(ctx, q.String(), args...)
	if err != nil {
		return nil, "", dbErr("list listening matches", err)
	}
	ms, err := collect(rows, scanListenMatch)
	if err != nil {
		return nil, "", dbErr("list listening matches", err)
	}
	next := ""
	if len(ms) > limit {
		ms = ms[:limit]
		last := ms[limit-1]
		next = herald.EncodeListenCursor(last.PostedAt, last.ID)
	}
	return ms, next, s.listenMatchTopics(ctx, ms)
}

// listenMatchTopics fills the matches' Topics.
func (s store) listenMatchTopics(ctx context.Context, ms []herald.ListenMatch) error {
	if len(ms) == 0 {
		return nil
	}
	byID := make(map[int64]int, len(ms))
	ids := make([]int64, len(ms))
	for i, m := range ms {
		byID[m.ID] = i
		ids[i] = m.ID
		ms[i].Topics = []herald.TopicHit{}
	}
	rows, err := s.q.Query(ctx, `SELECT match_id, topic_id, terms FROM listen_match_topics WHERE match_id = ANY($1)
		ORDER BY match_id, topic_id`, ids)
	if err != nil {
		return dbErr("listening match topics", err)
	}
	_, err = collect(rows, func(sc scanner) (struct{}, error) {
		var id int64
		var h herald.TopicHit
		var terms []byte
		if err := sc.Scan(&id, &h.TopicID, &terms); err != nil {
			return struct{}{}, err
		}
		if err := json.Unmarshal(terms, &h.Terms); err != nil {
			return struct{}{}, fmt.Errorf("listening match %d terms: %w", id, err)
		}
		i := byID[id]
		ms[i].Topics = append(ms[i].Topics, h)
		return struct{}{}, nil
	})
	return dbErr("listening match topics", err)
}

// ListenVolume returns the topic's matches per hour by sentiment.
func (s store) ListenVolume(ctx context.Context, workspaceID, topicID int64, from, to time.Time) ([]herald.ListenVolume, error) {
	rows, err := s.q.Query(ctx, `SELECT hour, positive, neutral, negative FROM listen_volume
		WHERE workspace_id = $1 AND topic_id = $2 AND hour >= $3 AND hour < $4 AND positive + neutral + negative > 0 ORDER BY hour`,
		workspaceID, topicID, herald.ListenHour(from), to)
	if err != nil {
		return nil, dbErr("listening volume", err)
	}
	out, err := collect(rows, func(sc scanner) (herald.ListenVolume, error) {
		var v herald.ListenVolume
		err := sc.Scan(&v.Hour, &v.Positive, &v.Neutral, &v.Negative)
		v.Hour = v.Hour.UTC()
		return v, err
	})
	return out, dbErr("listening volume", err)
}

// TopListenAuthors returns the authors with the most matches.
func (s store) TopListenAuthors(ctx context.Context, workspaceID, topicID int64, from, to time.Time, limit int) ([]herald.ListenAuthor, error) {
	if limit <= 0 {
		limit = 10
	}
	rows, err := s.q.Query(ctx, `SELECT platform, author_id, max(author_handle), max(author_name),
		max(author_followers), sum(matches), sum(negative) FROM listen_authors
		WHERE workspace_id = $1 AND topic_id = $2 AND day >= $3 AND day < $4
		GROUP BY platform, author_id HAVING sum(matches) > 0
		ORDER BY sum(matches) DESC, sum(negative) DESC, author_id COLLATE "C" LIMIT $5`,
		workspaceID, topicID, herald.ListenDay(from), to, limit)
	if err != nil {
		return nil, dbErr("listening authors", err)
	}
	out, err := collect(rows, func(sc scanner) (herald.ListenAuthor, error) {
		var a herald.ListenAuthor
		err := sc.Scan(&a.Platform, &a.AuthorID, &a.AuthorHandle, &a.AuthorName, &a.AuthorFollowers, &a.Matches, &a.Negative)
		return a, err
	})
	return out, dbErr("listening authors", err)
}

// DeleteListenMatchesBefore deletes up to limit matches posted before the
// time, with the rollup rows before it.
func (s store) DeleteListenMatchesBefore(ctx context.Context, workspaceID int64, before time.Time, limit int) (int, error) {
	if limit <= 0 {
		limit = 1000
	}
	n := 0
	err := s.atomic(ctx, func(s store) error {
		tag, err := s.q.Exec(ctx, `DELETE FROM listen_matches WHERE id IN (SELECT id FROM listen_matches
			WHERE workspace_id = $1 AND posted_at < $2 ORDER BY posted_at LIMIT $3)`, workspaceID, before, limit)
		if err != nil {
			return dbErr("delete listening matches", err)
		}
		n = int(tag.RowsAffected())
		if _, err := s.q.Exec(ctx, `DELETE FROM listen_volume WHERE workspace_id = $1 AND hour < $2`,
			workspaceID, herald.ListenHour(before)); err != nil {
			return dbErr("delete listening volume", err)
		}
		if _, err := s.q.Exec(ctx, `DELETE FROM listen_authors WHERE workspace_id = $1 AND day < $2`,
			workspaceID, herald.ListenDay(before)); err != nil {
			return dbErr("delete listening authors", err)
		}
		return nil
	})
	return n, err
}

// ListenCursor returns a source's last cursor.
func (s store) ListenCursor(ctx context.Context, source string) (string, error) {
	var c string
	err := s.q.QueryRow(ctx, `SELECT cursor FROM listen_cursors WHERE source = $1`, source).Scan(&c)
	if errors.Is(err, pgx.ErrNoRows) {
		return "", nil
	}
	return c, dbErr("listening cursor", err)
}

// PutListenCursor saves a source's cursor.
func (s store) PutListenCursor(ctx context.Context, source, cursor string, at time.Time) error {
	_, err := s.q.Exec(ctx, `INSERT INTO listen_cursors (source, cursor, updated_at) VALUES ($1, $2, $3)
		ON CONFLICT (source) DO UPDATE SET cursor = EXCLUDED.cursor, updated_at = EXCLUDED.updated_at`,
		source, cursor, stamp(&at))
	return dbErr("put listening cursor", err)
}

// ListenWorkspaces returns the workspaces that have topics.
func (s store) ListenWorkspaces(ctx context.Context) ([]int64, error) {
	rows, err := s.q.Query(ctx, `SELECT DISTINCT workspace_id FROM listen_topics ORDER BY workspace_id`)
	if err != nil {
		return nil, dbErr("listening workspaces", err)
	}
	out, err := collect(rows, func(sc scanner) (int64, error) {
		var id int64
		return id, sc.Scan(&id)
	})
	return out, dbErr("listening workspaces", err)
}
