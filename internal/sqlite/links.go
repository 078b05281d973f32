package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"math"
	"strings"
	"time"

	"github.com/heraldsocial/herald/internal/herald"
)

// defaultLinkLimit is the number of links or conversions a listing
// returns when the caller gives no limit.
const defaultLinkLimit = 500

// clickInsertBatch is how many clicks one insert statement carries.
const clickInsertBatch = 500

const linkCols = `l.id, l.workspace_id, l.code, l.url, l.destination, coalesce(l.target_id, 0), coalesce(l.post_id, 0),
	coalesce(l.campaign_id, 0), coalesce(l.created_by, 0), l.created_at`

const linkStatsCols = linkCols + `, l.clicks, l.unique_clicks, l.bot_clicks, l.preview_clicks, l.conversions, l.revenue_cents,
	coalesce((SELECT p.title FROM posts p WHERE p.id = l.post_id), ''),
	coalesce((SELECT substr(p.text, 1, 200) FROM posts p WHERE p.id = l.post_id), '')`

func scanLink(sc scanner, extra ...any) (herald.Link, error) {
	var l herald.Link
	var created int64
	err := sc.Scan(append([]any{&l.ID, &l.WorkspaceID, &l.Code, &l.URL, &l.Destination, &l.TargetID, &l.PostID,
		&l.CampaignID, &l.CreatedBy, &created}, extra...)...)
	l.CreatedAt = fromMicros(created)
	return l, err
}

func scanLinkStats(sc scanner) (herald.LinkStats, error) {
	var ls herald.LinkStats
	c := &ls.LinkCounts
	var title, text string
	l, err := scanLink(sc, &c.Clicks, &c.Unique, &c.Bots, &c.Previews, &c.Conversions, &c.Revenue, &title, &text)
	ls.Link, ls.PostTitle = l, herald.ShortTitle(title, text)
	return ls, err
}

// zeroNil returns the column value of an optional id: NULL for 0.
func zeroNil(id int64) any {
	if id == 0 {
		return nil
	}
	return id
}

// timeBounds returns [from, to) as microseconds, a zero time unbounded.
func timeBounds(from, to time.Time) (lo, hi int64) {
	lo, hi = math.MinInt64, math.MaxInt64
	if !from.IsZero() {
		lo = micros(from)
	}
	if !to.IsZero() {
		hi = micros(to)
	}
	return lo, hi
}

// PutLinks stores the links, or finds the target's link for the address.
func (s *store) PutLinks(ctx context.Context, links []herald.Link) ([]herald.Link, error) {
	for _, l := range links {
		if err := checkLink(l); err != nil {
			return nil, err
		}
	}
	out := make([]herald.Link, len(links))
	err := s.atomic(ctx, func(q querier) error {
		for i, l := range links {
			got, err := putLink(ctx, q, l)
			if err != nil {
				return err
			}
			out[i] = got
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// putLink stores one link (see PutLinks).
func putLink(ctx context.Context, q querier, l herald.Link) (herald.Link, error) {
	l.CreatedAt = stamp(l.CreatedAt)
	if l.TargetID != 0 {
		err := q.QueryRowContext(ctx, `SELECT post_id FROM targets WHERE id = ? AND workspace_id = ?`,
			l.TargetID, l.WorkspaceID).Scan(&l.PostID)
		if errors.Is(err, sql.ErrNoRows) {
			return l, herald.Errorf(herald.CodeConflict, "target %d is not a target of workspace %d: it cannot have links there",
				l.TargetID, l.WorkspaceID)
		}
		if err != nil {
			return l, fmt.Errorf("sqlite: put link: %w", err)
		}
		got, err := scanLink(q.QueryRowContext(ctx, `SELECT `+linkCols+` FROM links l WHERE l.target_id = ? AND l.url = ?`,
			l.TargetID, l.URL))
		if err == nil {
			return got, markTracked(ctx, q, got)
		}
		if !errors.Is(err, sql.ErrNoRows) {
			return l, fmt.Errorf("sqlite: put link: %w", err)
		}
	} else if l.PostID != 0 {
		if err := inWorkspace(ctx, q, "posts", "post", l.WorkspaceID, l.PostID); err != nil {
			return l, err
		}
	}
	if l.CampaignID != 0 {
		if err := inWorkspace(ctx, q, "campaigns", "campaign", l.WorkspaceID, l.CampaignID); err != nil {
			return l, err
		}
	}
	err := q.QueryRowContext(ctx, `INSERT INTO links (workspace_id, code, url, destination, target_id, post_id, campaign_id,
		created_by, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`,
		l.WorkspaceID, l.Code, l.URL, l.Destination, zeroNil(l.TargetID), zeroNil(l.PostID), zeroNil(l.CampaignID),
		zeroNil(l.CreatedBy), micros(l.CreatedAt)).Scan(&l.ID)
	if err != nil {
		return l, dbErr(err, "put link", fmt.Sprintf("the short link code %q is taken: choose another", l.Code),
			"the link's workspace or creator does not exist")
	}
	return l, markTracked(ctx, q, l)
}

// inWorkspace refuses a reference to an object of another workspace.
func inWorkspace(ctx context.Context, q querier, table, kind string, workspaceID, id int64) error {
	var one int
	err := q.QueryRowContext(ctx, `SELECT 1 FROM `+table+` WHERE id = ? AND workspace_id = ?`, id, workspaceID).Scan(&one)
	if errors.Is(err, sql.ErrNoRows) {
		return herald.Errorf(herald.CodeConflict, "%s %d does not exist in workspace %d", kind, id, workspaceID)
	}
	if err != nil {
		return fmt.Errorf("sqlite: check the %s: %w", kind, err)
	}
	return nil
}

// markTracked notes in target_stats that a target's link exists.
func markTracked(ctx context.Context, q querier, l herald.Link) error {
	if l.TargetID == 0 {
		return nil
	}
	_, err := q.ExecContext(ctx, `INSERT INTO target_stats (target_id, workspace_id, tracked) VALUES (?, ?, 1)
		ON CONFLICT (target_id) DO UPDATE SET tracked = 1 WHERE NOT target_stats.tracked`, l.TargetID, l.WorkspaceID)
	if err != nil {
		return fmt.Errorf("sqlite: mark the target tracked: %w", err)
	}
	return nil
}

// LinkByCode returns the link with the code, in one indexed read.
func (s *store) LinkByCode(ctx context.Context, code string) (herald.Link, error) {
	l, err := scanLink(s.r.QueryRowContext(ctx, `SELECT `+linkCols+` FROM links l WHERE l.code = ?`, code))
	if err != nil {
		return herald.Link{}, getErr(err, "link")
	}
	return l, nil
}

// ListLinks returns the workspace's links of [from, to) with their counts.
func (s *store) ListLinks(ctx context.Context, workspaceID int64, from, to time.Time, limit int) ([]herald.LinkStats, error) {
	if limit <= 0 {
		limit = defaultLinkLimit
	}
	lo, hi := timeBounds(from, to)
	rows, err := s.r.QueryContext(ctx, `SELECT `+linkStatsCols+` FROM links l LEFT JOIN targets t ON t.id = l.target_id
		WHERE l.workspace_id = ?1 AND coalesce(t.published_at, l.created_at) >= ?2
			AND coalesce(t.published_at, l.created_at) < ?3
		ORDER BY coalesce(t.published_at, l.created_at) DESC, l.id DESC LIMIT ?4`, workspaceID, lo, hi, limit)
	if err != nil {
		return nil, fmt.Errorf("sqlite: list links: %w", err)
	}
	return collectRows(rows, scanLinkStats, "list links")
}

// TargetLinks returns the links of the workspace's target, by id.
func (s *store) TargetLinks(ctx context.Context, workspaceID, targetID int64) ([]herald.LinkStats, error) {
	rows, err := s.r.QueryContext(ctx, `SELECT `+linkStatsCols+` FROM links l
		WHERE l.target_id = ? AND l.workspace_id = ? ORDER BY l.id`, targetID, workspaceID)
	if err != nil {
		return nil, fmt.Errorf("sqlite: target links: %w", err)
	}
	return collectRows(rows, scanLinkStats, "target links")
}

// RecordClicks stores the clicks not stored before and adds them to their
// links' and targets' counts, set-based: one read of the links, the clicks
// and the visitors 500 to an insert, one update of the links and one
// upsert of the targets' counts. Rows go in as multi-row VALUES, which
// SQLite reads about twice as fast as json_each objects.
func (s *store) RecordClicks(ctx context.Context, clicks []herald.Click) error {
	batch, err := checkClicks(clicks)
	if err != nil || len(batch) == 0 {
		return err
	}
	return s.atomic(ctx, func(q querier) error {
		links, err := clickedLinks(ctx, q, batch)
		if err != nil {
			return err
		}
		// A click of a link that is not (or no longer) its workspace's is
		// not stored: the batch is not lost for it.
		kept := make([]herald.Click, 0, len(batch))
		args := make([]any, 0, 9*len(batch))
		for _, c := range batch {
			l, ok := links[c.LinkID]
			if !ok || l.WorkspaceID != c.WorkspaceID {
				continue
			}
			c.TargetID = l.TargetID
			kept = append(kept, c)
			args = append(args, c.ID, c.LinkID, c.WorkspaceID, zeroNil(c.TargetID), micros(c.At), string(c.Kind),
				c.Visitor, c.Referrer, c.Country)
		}
		stored := make(map[string]bool, len(kept))
		err = withValues(ctx, q, `INSERT INTO link_clicks (id, link_id, workspace_id, target_id, at, kind, visitor,
			referrer, country) VALUES `, 9, args, ` ON CONFLICT (id) DO NOTHING RETURNING id`, func(sc scanner) error {
			var id string
			err := sc.Scan(&id)
			stored[id] = true
			return err
		})
		if err != nil {
			return fmt.Errorf("sqlite: record clicks: %w", err)
		}
		t := map[int64]*linkTally{}
		args = args[:0] // now the people's (link, day, visitor)
		for _, c := range kept {
			if !stored[c.ID] {
				continue
			}
			n := t[c.LinkID]
			if n == nil {
				n = &linkTally{target: c.TargetID}
				t[c.LinkID] = n
			}
			n.add(c.Kind)
			if c.Kind == herald.ClickHuman {
				args = append(args, c.LinkID, herald.UnixDay(c.At), c.Visitor)
			}
		}
		err = withValues(ctx, q, `INSERT INTO link_visitors (link_id, day, visitor) VALUES `, 3, args,
			` ON CONFLICT DO NOTHING RETURNING link_id`, func(sc scanner) error {
				var link int64
				if err := sc.Scan(&link); err != nil {
					return err
				}
				t[link].unique++
				return nil
			})
		if err != nil {
			return fmt.Errorf("sqlite: record clicks: visitors: %w", err)
		}
		return saveTally(ctx, q, t)
	})
}

// clickedLinks reads the workspace and target of the batch's links.
func clickedLinks(ctx context.Context, q querier, batch []herald.Click) (map[int64]herald.Link, error) {
	links := map[int64]herald.Link{}
	var ids []any
	for _, c := range batch {
		if _, ok := links[c.LinkID]; !ok {
			links[c.LinkID] = herald.Link{}
			ids = append(ids, c.LinkID)
		}
	}
	clear(links)
	err := withValues(ctx, q, `SELECT id, workspace_id, coalesce(target_id, 0) FROM links WHERE id IN (VALUES `, 1, ids,
		`)`, func(sc scanner) error {
			var l herald.Link
			err := sc.Scan(&l.ID, &l.WorkspaceID, &l.TargetID)
			links[l.ID] = l
			return err
		})
	if err != nil {
		return nil, fmt.Errorf("sqlite: record clicks: read the links: %w", err)
	}
	return links, nil
}

// withValues runs head, VALUES rows of width columns taken from args
// (clickInsertBatch rows to a statement), then tail, handing each row the
// statement returns to each. A full chunk's statement is parsed once a call:
// parsing thousands of placeholders is a sixth of a batch's work.
func withValues(ctx context.Context, q querier, head string, width int, args []any, tail string,
	each func(scanner) error) error {
	row := "(?" + strings.Repeat(", ?", width-1) + ")"
	var full *sql.Stmt // a full chunk's statement, outside InTx (whose statements are cached)
	defer func() {
		if full != nil {
			full.Close()
		}
	}()
	for start := 0; start < len(args); start += width * clickInsertBatch {
		part := args[start:min(start+width*clickInsertBatch, len(args))]
		query := head + row + strings.Repeat(", "+row, len(part)/width-1) + tail
		var rs *sql.Rows
		var err error
		if tx, ok := q.(*sql.Tx); ok && len(part) == width*clickInsertBatch && len(args) > len(part) {
			if full == nil {
				if full, err = tx.PrepareContext(ctx, query); err != nil {
					return err
				}
			}
			rs, err = full.QueryContext(ctx, part...)
		} else {
			rs, err = q.QueryContext(ctx, query, part...)
		}
		if err != nil {
			return err
		}
		for each != nil && rs.Next() {
			if err := each(rs); err != nil {
				rs.Close()
				return err
			}
		}
		rs.Close()
		if err := rs.Err(); err != nil {
			return err
		}
	}
	return nil
}

// linkTally is what one batch adds to a link's counts.
type linkTally struct {
	target                         int64
	clicks, unique, bots, previews int64
}

// add counts a stored click of the link.
func (n *linkTally) add(kind herald.ClickKind) {
	switch kind {
	case herald.ClickHuman:
		n.clicks++
	case herald.ClickBot:
		n.bots++
	case herald.ClickPreview:
		n.previews++
	}
}

// saveTally adds the counts to the links and to their targets' stats, in
// one statement each.
func saveTally(ctx context.Context, q querier, t map[int64]*linkTally) error {
	var links, targets []any
	byTarget := map[int64]*[2]int64{}
	for id, n := range t {
		links = append(links, id, n.clicks, n.unique, n.bots, n.previews)
		if c := byTarget[n.target]; n.target != 0 && c != nil {
			c[0], c[1] = c[0]+n.clicks, c[1]+n.unique
		} else if n.target != 0 {
			byTarget[n.target] = &[2]int64{n.clicks, n.unique}
		}
	}
	err := withValues(ctx, q, `UPDATE links SET clicks = clicks + v.column2, unique_clicks = unique_clicks + v.column3,
		bot_clicks = bot_clicks + v.column4, preview_clicks = preview_clicks + v.column5 FROM (VALUES `, 5, links,
		`) v WHERE links.id = v.column1`, nil)
	if err != nil {
		return fmt.Errorf("sqlite: record clicks: count on the links: %w", err)
	}
	for id, c := range byTarget {
		targets = append(targets, id, c[0], c[1])
	}
	// A deleted target's link keeps counting; its target has no stats.
	err = withValues(ctx, q, `INSERT INTO target_stats (target_id, workspace_id, tracked, clicks, unique_clicks)
		SELECT t.id, t.workspace_id, 1, v.column2, v.column3 FROM (VALUES `, 3, targets,
		`) v JOIN targets t ON t.id = v.column1 WHERE true
		ON CONFLICT (target_id) DO UPDATE SET tracked = 1, clicks = target_stats.clicks + excluded.clicks,
			unique_clicks = target_stats.unique_clicks + excluded.unique_clicks`, nil)
	if err != nil {
		return fmt.Errorf("sqlite: record clicks: count on the targets: %w", err)
	}
	return nil
}

const clickCols = `id, link_id, workspace_id, coalesce(target_id, 0), at, kind, visitor, referrer, country`

// ClickByID returns the click with the id.
func (s *store) ClickByID(ctx context.Context, id string) (herald.Click, error) {
	var c herald.Click
	var when int64
	err := s.r.QueryRowContext(ctx, `SELECT `+clickCols+` FROM link_clicks WHERE id = ?`, id).Scan(&c.ID, &c.LinkID,
		&c.WorkspaceID, &c.TargetID, &when, &c.Kind, &c.Visitor, &c.Referrer, &c.Country)
	if err != nil {
		return herald.Click{}, getErr(err, "click")
	}
	c.At = fromMicros(when)
	return c, nil
}

const conversionCols = `id, workspace_id, click_id, link_id, coalesce(target_id, 0), event_id, name, value_cents, currency,
	source, occurred_at, created_at`

func scanConversion(sc scanner) (herald.Conversion, error) {
	var c herald.Conversion
	var occurred, created int64
	err := sc.Scan(&c.ID, &c.WorkspaceID, &c.ClickID, &c.LinkID, &c.TargetID, &c.EventID, &c.Name, &c.Value, &c.Currency,
		&c.Source, &occurred, &created)
	c.OccurredAt, c.CreatedAt = fromMicros(occurred), fromMicros(created)
	return c, err
}

// AddConversion stores the conversion unless its event is stored, and
// counts it on its link and the link's target.
func (s *store) AddConversion(ctx context.Context, c herald.Conversion, revenueCurrency string) (herald.Conversion, bool, error) {
	if err := checkConversion(c); err != nil {
		return herald.Conversion{}, false, err
	}
	c.OccurredAt, c.CreatedAt = stamp(c.OccurredAt), stamp(c.CreatedAt)
	revenue := int64(0)
	if c.Currency != "" && c.Currency == revenueCurrency {
		revenue = c.Value
	}
	added := false
	err := s.atomic(ctx, func(q querier) error {
		added = false
		err := q.QueryRowContext(ctx, `INSERT INTO link_conversions (workspace_id, click_id, link_id, target_id, event_id,
				name, value_cents, currency, source, occurred_at, created_at)
			SELECT l.workspace_id, ?, l.id, l.target_id, ?, ?, ?, ?, ?, ?, ? FROM links l WHERE l.id = ? AND l.workspace_id = ?
			ON CONFLICT (workspace_id, event_id) DO NOTHING RETURNING id, coalesce(target_id, 0)`,
			c.ClickID, c.EventID, c.Name, c.Value, c.Currency, c.Source, micros(c.OccurredAt), micros(c.CreatedAt),
			c.LinkID, c.WorkspaceID).Scan(&c.ID, &c.TargetID)
		if errors.Is(err, sql.ErrNoRows) {
			stored, err := scanConversion(q.QueryRowContext(ctx, `SELECT `+conversionCols+` FROM link_conversions
				WHERE workspace_id = ? AND event_id = ?`, c.WorkspaceID, c.EventID))
			if errors.Is(err, sql.ErrNoRows) {
				return herald.Errorf(herald.CodeConflict, "link %d does not exist in workspace %d: the conversion has nothing to count on",
					c.LinkID, c.WorkspaceID)
			}
			if err != nil {
				return fmt.Errorf("sqlite: add conversion: %w", err)
			}
			c = stored
			return nil
		}
		if err != nil {
			return fmt.Errorf("sqlite: add conversion: %w", err)
		}
		added = true
		if _, err := q.ExecContext(ctx, `UPDATE links SET conversions = conversions + 1, revenue_cents = revenue_cents + ?
			WHERE id = ?`, revenue, c.LinkID); err != nil {
			return fmt.Errorf("sqlite: add conversion: count on the link: %w", err)
		}
		if c.TargetID == 0 {
			return nil
		}
		_, err = q.ExecContext(ctx, `INSERT INTO target_stats (target_id, workspace_id, tracked, conversions, revenue_cents)
			SELECT t.id, t.workspace_id, 1, 1, ? FROM targets t WHERE t.id = ? AND true
			ON CONFLICT (target_id) DO UPDATE SET tracked = 1, conversions = target_stats.conversions + 1,
				revenue_cents = target_stats.revenue_cents + excluded.revenue_cents`, revenue, c.TargetID)
		if err != nil {
			return fmt.Errorf("sqlite: add conversion: count on the target: %w", err)
		}
		return nil
	})
	if err != nil {
		return herald.Conversion{}, false, err
	}
	return c, added, nil
}

// ListConversions returns the workspace's conversions that occurred in
// [from, to), newest first.
func (s *store) ListConversions(ctx context.Context, workspaceID int64, from, to time.Time, limit int) ([]herald.Conversion, error) {
	if limit <= 0 {
		limit = defaultLinkLimit
	}
	lo, hi := timeBounds(from, to)
	rows, err := s.r.QueryContext(ctx, `SELECT `+conversionCols+` FROM link_conversions
		WHERE workspace_id = ? AND occurred_at >= ? AND occurred_at < ? ORDER BY occurred_at DESC, id DESC LIMIT ?`,
		workspaceID, lo, hi, limit)
	if err != nil {
		return nil, fmt.Errorf("sqlite: list conversions: %w", err)
	}
	return collectRows(rows, scanConversion, "list conversions")
}

// ClickSalt returns the day's salt, storing newSalt if the day has none,
// and deletes the salts of days before day-2.
func (s *store) ClickSalt(ctx context.Context, day int64, newSalt []byte) ([]byte, error) {
	if len(newSalt) < 16 {
		return nil, herald.Errorf(herald.CodeInvalid, "a click salt has at least 16 bytes, not %d", len(newSalt))
	}
	var salt []byte
	err := s.atomic(ctx, func(q querier) error {
		// A conflict's no-op update returns the salt stored first.
		if err := q.QueryRowContext(ctx, `INSERT INTO click_salts (day, salt) VALUES (?, ?)
			ON CONFLICT (day) DO UPDATE SET salt = salt RETURNING salt`, day, newSalt).Scan(&salt); err != nil {
			return fmt.Errorf("sqlite: click salt: %w", err)
		}
		if _, err := q.ExecContext(ctx, `DELETE FROM click_salts WHERE day < ?`, day-2); err != nil {
			return fmt.Errorf("sqlite: click salt: delete old salts: %w", err)
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return salt, nil
}

// GetAnalyticsSettings returns the workspace's settings or the defaults.
func (s *store) GetAnalyticsSettings(ctx context.Context, workspaceID int64) (herald.AnalyticsSettings, error) {
	a := herald.AnalyticsSettings{WorkspaceID: workspaceID}
	var updated int64
	err := s.r.QueryRowContext(ctx, `SELECT track_links, rate_by, currency, secret_key_id, conversion_secret, updated_at
		FROM analytics_settings WHERE workspace_id = ?`, workspaceID).Scan(&a.TrackLinks, &a.RateBy, &a.Currency,
		&a.ConversionSecret.KeyID, &a.ConversionSecret.Ciphertext, &updated)
	if errors.Is(err, sql.ErrNoRows) {
		return herald.DefaultAnalyticsSettings(workspaceID), nil
	}
	if err != nil {
		return herald.AnalyticsSettings{}, fmt.Errorf("sqlite: get analytics settings: %w", err)
	}
	a.UpdatedAt = fromMicros(updated)
	return a, nil
}

// PutAnalyticsSettings saves the workspace's settings.
func (s *store) PutAnalyticsSettings(ctx context.Context, a herald.AnalyticsSettings) error {
	if err := checkAnalyticsSettings(a); err != nil {
		return err
	}
	var secret any
	if len(a.ConversionSecret.Ciphertext) > 0 {
		secret = a.ConversionSecret.Ciphertext
	}
	_, err := s.w.ExecContext(ctx, `INSERT INTO analytics_settings (workspace_id, track_links, rate_by, currency,
		secret_key_id, conversion_secret, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?)
		ON CONFLICT (workspace_id) DO UPDATE SET track_links = excluded.track_links, rate_by = excluded.rate_by,
			currency = excluded.currency, secret_key_id = excluded.secret_key_id,
			conversion_secret = excluded.conversion_secret, updated_at = excluded.updated_at`,
		a.WorkspaceID, a.TrackLinks, a.RateBy, a.Currency, a.ConversionSecret.KeyID, secret, micros(stamp(a.UpdatedAt)))
	return dbErr(err, "put analytics settings", "", "the workspace does not exist")
}

// checkLink refuses a link the store cannot keep.
func checkLink(l herald.Link) error {
	var p herald.Problems
	if l.WorkspaceID <= 0 || min(l.TargetID, l.PostID, l.CampaignID, l.CreatedBy) < 0 {
		p.Add("workspace_id", "the workspace is required, and ids are positive (0 for none)")
	}
	checkField(&p, "code", l.Code, true, 64)
	checkField(&p, "url", l.URL, true, 4096)
	checkField(&p, "destination", l.Destination, true, 8192)
	return p.Err("the link cannot be stored")
}

// checkClicks refuses a batch with a click the store cannot keep, and
// returns the batch with each id once (its first click) and times set.
func checkClicks(clicks []herald.Click) ([]herald.Click, error) {
	out := make([]herald.Click, 0, len(clicks))
	seen := make(map[string]bool, len(clicks))
	for i, c := range clicks {
		var p herald.Problems
		checkField(&p, "id", c.ID, true, 128)
		if c.LinkID <= 0 || c.WorkspaceID <= 0 {
			p.Add("link_id", "the link and its workspace are required")
		}
		if c.Kind != herald.ClickHuman && c.Kind != herald.ClickBot && c.Kind != herald.ClickPreview {
			p.Add("kind", "is %q: one of human, bot and preview", c.Kind)
		}
		checkField(&p, "visitor", c.Visitor, false, 128)
		checkField(&p, "referrer", c.Referrer, false, 255)
		checkField(&p, "country", c.Country, false, 8)
		if len(p) > 0 {
			return nil, p.Err(fmt.Sprintf("click %d of %d cannot be stored", i+1, len(clicks)))
		}
		if !seen[c.ID] {
			seen[c.ID] = true
			c.At = stamp(c.At)
			out = append(out, c)
		}
	}
	return out, nil
}

// checkConversion refuses a conversion the store cannot keep.
func checkConversion(c herald.Conversion) error {
	var p herald.Problems
	if c.WorkspaceID <= 0 || c.LinkID <= 0 {
		p.Add("link_id", "the link and its workspace are required")
	}
	checkField(&p, "click_id", c.ClickID, true, 128)
	checkField(&p, "event_id", c.EventID, true, 255)
	checkField(&p, "name", c.Name, false, 255)
	switch {
	case c.Value < 0:
		p.Add("value_cents", "is %d: a value is 0 or more", c.Value)
	case c.Currency != "" && !isCurrency(c.Currency):
		p.Add("currency", "is %q: an ISO 4217 code of three capital letters, such as EUR", c.Currency)
	case c.Value != 0 && c.Currency == "":
		p.Add("currency", "is required with a value")
	}
	if c.Source != "server" && c.Source != "pixel" {
		p.Add("source", "is %q: server or pixel", c.Source)
	}
	return p.Err("the conversion cannot be stored")
}

// checkAnalyticsSettings refuses settings the store cannot keep.
func checkAnalyticsSettings(a herald.AnalyticsSettings) error {
	var p herald.Problems
	if a.WorkspaceID <= 0 {
		p.Add("workspace_id", "is required")
	}
	if a.RateBy != "followers" && a.RateBy != "impressions" {
		p.Add("rate_by", "is %q: followers or impressions", a.RateBy)
	}
	if !isCurrency(a.Currency) {
		p.Add("currency", "is %q: an ISO 4217 code of three capital letters, such as EUR", a.Currency)
	}
	return p.Err("the analytics settings cannot be saved")
}

// checkField adds a problem when v is missing (and required), longer than
// max bytes or not one line of text.
func checkField(p *herald.Problems, field, v string, required bool, max int) {
	switch {
	case v == "" && required:
		p.Add(field, "is required")
	case len(v) > max:
		p.Add(field, "is longer than %d bytes", max)
	default:
		herald.CheckLine(p, field, v)
	}
}

// isCurrency reports whether s looks like an ISO 4217 code.
func isCurrency(s string) bool {
	return len(s) == 3 && strings.Trim(s, "ABCDEFGHIJKLMNOPQRSTUVWXYZ") == ""
}
