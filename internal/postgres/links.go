package postgres

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"

	"github.com/heraldsocial/herald/internal/herald"
)

// defaultLinkLimit is the number of links or conversions a listing
// returns when the caller gives no limit.
const defaultLinkLimit = 500

const linkCols = `l.id, l.workspace_id, l.code, l.url, l.destination, coalesce(l.target_id, 0), coalesce(l.post_id, 0),
	coalesce(l.campaign_id, 0), coalesce(l.created_by, 0), l.created_at`

const linkStatsCols = linkCols + `, l.clicks, l.unique_clicks, l.bot_clicks, l.preview_clicks, l.conversions, l.revenue_cents,
	coalesce((SELECT p.title FROM posts p WHERE p.id = l.post_id), ''),
	coalesce((SELECT substr(p.text, 1, 200) FROM posts p WHERE p.id = l.post_id), '')`

func scanLink(r scanner, extra ...any) (herald.Link, error) {
	var l herald.Link
	err := r.Scan(append([]any{&l.ID, &l.WorkspaceID, &l.Code, &l.URL, &l.Destination, &l.TargetID, &l.PostID,
		&l.CampaignID, &l.CreatedBy, &l.CreatedAt}, extra...)...)
	l.CreatedAt = l.CreatedAt.UTC()
	return l, err
}

func scanLinkStats(r scanner) (herald.LinkStats, error) {
	var ls herald.LinkStats
	c := &ls.LinkCounts
	var title, text string
	l, err := scanLink(r, &c.Clicks, &c.Unique, &c.Bots, &c.Previews, &c.Conversions, &c.Revenue, &title, &text)
	ls.Link, ls.PostTitle = l, herald.ShortTitle(title, text)
	return ls, err
}

// bound returns an optional bound of a time span: nil for a zero time.
func bound(t time.Time) *time.Time {
	if t.IsZero() {
		return nil
	}
	return &t
}

// micro returns t as the store keeps it (UTC, whole microseconds), now
// for a zero time.
func micro(t time.Time) time.Time {
	return stamp(&t).UTC().Truncate(time.Microsecond)
}

// linkErr is dbErr that names the links' own constraints.
func linkErr(op string, err error, code string) error {
	var pe *pgconn.PgError
	if !errors.As(err, &pe) {
		return dbErr(op, err)
	}
	var msg, field string
	switch pe.ConstraintName {
	case "links_code_key":
		msg, field = fmt.Sprintf("the short link code %q is taken: choose another", code), "code"
	case "links_workspace_fkey", "analytics_settings_workspace_fkey":
		msg, field = "the workspace does not exist", "workspace_id"
	case "links_created_by_fkey":
		msg, field = "the link's creator does not exist", "created_by"
	case "links_campaign_fkey":
		msg, field = "the campaign does not exist", "campaign_id"
	default:
		return dbErr(op, err)
	}
	return &herald.Error{Code: herald.CodeConflict, Message: msg,
		Details: []herald.FieldProblem{{Field: field, Problem: msg}}, Err: fmt.Errorf("postgres: %s: %w", op, err)}
}

// PutLinks stores the links, or finds the target's link for the address.
func (s store) PutLinks(ctx context.Context, links []herald.Link) ([]herald.Link, error) {
	for _, l := range links {
		if err := checkLink(l); err != nil {
			return nil, err
		}
	}
	out := make([]herald.Link, len(links))
	err := s.atomic(ctx, func(s store) error {
		for i, l := range links {
			got, err := s.putLink(ctx, l)
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
func (s store) putLink(ctx context.Context, l herald.Link) (herald.Link, error) {
	l.CreatedAt = micro(l.CreatedAt)
	byTarget := `SELECT ` + linkCols + ` FROM links l WHERE l.target_id = $1 AND l.url = $2`
	if l.TargetID != 0 {
		err := s.q.QueryRow(ctx, `SELECT post_id FROM targets WHERE id = $1 AND workspace_id = $2`,
			l.TargetID, l.WorkspaceID).Scan(&l.PostID)
		if errors.Is(err, pgx.ErrNoRows) {
			return l, herald.Errorf(herald.CodeConflict, "target %d is not a target of workspace %d: it cannot have links there",
				l.TargetID, l.WorkspaceID)
		}
		if err != nil {
			return l, dbErr("put link", err)
		}
		got, err := scanLink(s.q.QueryRow(ctx, byTarget, l.TargetID, l.URL))
		if err == nil {
			return got, s.markTracked(ctx, got)
		}
		if !errors.Is(err, pgx.ErrNoRows) {
			return l, dbErr("put link", err)
		}
	} else if l.PostID != 0 {
		if err := s.inWorkspace(ctx, "posts", "post", l.WorkspaceID, l.PostID); err != nil {
			return l, err
		}
	}
	if l.CampaignID != 0 {
		if err := s.inWorkspace(ctx, "campaigns", "campaign", l.WorkspaceID, l.CampaignID); err != nil {
			return l, err
		}
	}
	err := s.q.QueryRow(ctx, `INSERT INTO links (workspace_id, code, url, destination, target_id, post_id, campaign_id,
		created_by, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)
		ON CONFLICT (target_id, url) WHERE target_id IS NOT NULL DO NOTHING RETURNING id`,
		l.WorkspaceID, l.Code, l.URL, l.Destination, optionalID(l.TargetID), optionalID(l.PostID),
		optionalID(l.CampaignID), optionalID(l.CreatedBy), l.CreatedAt).Scan(&l.ID)
	if errors.Is(err, pgx.ErrNoRows) {
		// Another transaction stored the target's link for the address
		// meanwhile: it is the one.
		got, err := scanLink(s.q.QueryRow(ctx, byTarget, l.TargetID, l.URL))
		if err != nil {
			return l, dbErr("put link", err)
		}
		return got, nil
	}
	if err != nil {
		return l, linkErr("put link", err, l.Code)
	}
	return l, s.markTracked(ctx, l)
}

// inWorkspace refuses a reference to an object of another workspace.
func (s store) inWorkspace(ctx context.Context, table, kind string, workspaceID, id int64) error {
	var one int
	err := s.q.QueryRow(ctx, `SELECT 1 FROM `+table+` WHERE id = $1 AND workspace_id = $2`, id, workspaceID).Scan(&one)
	if errors.Is(err, pgx.ErrNoRows) {
		return herald.Errorf(herald.CodeConflict, "%s %d does not exist in workspace %d", kind, id, workspaceID)
	}
	return dbErr("check the "+kind, err)
}

// markTracked notes in target_stats that a target's link exists.
func (s store) markTracked(ctx context.Context, l herald.Link) error {
	if l.TargetID == 0 {
		return nil
	}
	_, err := s.q.Exec(ctx, `INSERT INTO target_stats (target_id, workspace_id, tracked) VALUES ($1, $2, true)
		ON CONFLICT (target_id) DO UPDATE SET tracked = true WHERE NOT target_stats.tracked`, l.TargetID, l.WorkspaceID)
	return dbErr("mark the target tracked", err)
}

// LinkByCode returns the link with the code.
func (s store) LinkByCode(ctx context.Context, code string) (herald.Link, error) {
	l, err := scanLink(s.q.QueryRow(ctx, `SELECT `+linkCols+` FROM links l WHERE l.code = $1`, code))
	if err != nil {
		return herald.Link{}, notFound("link", "link by code", err)
	}
	return l, nil
}

// ListLinks returns the workspace's links of [from, to) with their counts.
func (s store) ListLinks(ctx context.Context, workspaceID int64, from, to time.Time, limit int) ([]herald.LinkStats, error) {
	if limit <= 0 {
		limit = defaultLinkLimit
	}
	rows, err := s.q.Query(ctx, `SELECT `+linkStatsCols+` FROM links l LEFT JOIN targets t ON t.id = l.target_id
		WHERE l.workspace_id = $1 AND ($2::timestamptz IS NULL OR coalesce(t.published_at, l.created_at) >= $2)
			AND ($3::timestamptz IS NULL OR coalesce(t.published_at, l.created_at) < $3)
		ORDER BY coalesce(t.published_at, l.created_at) DESC, l.id DESC LIMIT $4`,
		workspaceID, bound(from), bound(to), limit)
	if err != nil {
		return nil, dbErr("list links", err)
	}
	out, err := collect(rows, scanLinkStats)
	return out, dbErr("list links", err)
}

// TargetLinks returns the links of the workspace's target, by id.
func (s store) TargetLinks(ctx context.Context, workspaceID, targetID int64) ([]herald.LinkStats, error) {
	rows, err := s.q.Query(ctx, `SELECT `+linkStatsCols+` FROM links l
		WHERE l.target_id = $1 AND l.workspace_id = $2 ORDER BY l.id`, targetID, workspaceID)
	if err != nil {
		return nil, dbErr("target links", err)
	}
	out, err := collect(rows, scanLinkStats)
	return out, dbErr("target links", err)
}

// RecordClicks stores the clicks not stored before and adds them to their
// links' and targets' counts, in five statements whatever the batch's
// size. Rows are locked in the order of their keys (click ids, visitors,
// link ids, target ids), so that instances recording clicks of the same
// links at once wait for each other instead of deadlocking.
func (s store) RecordClicks(ctx context.Context, clicks []herald.Click) error {
	batch, err := checkClicks(clicks)
	if err != nil || len(batch) == 0 {
		return err
	}
	n := len(batch)
	ids, links, wss := make([]string, n), make([]int64, n), make([]int64, n)
	ats, kinds := make([]time.Time, n), make([]string, n)
	visitors, referrers, countries := make([]string, n), make([]string, n), make([]string, n)
	index := make(map[string]int, n)
	for i, c := range batch {
		ids[i], links[i], wss[i], ats[i], kinds[i] = c.ID, c.LinkID, c.WorkspaceID, c.At, string(c.Kind)
		visitors[i], referrers[i], countries[i] = c.Visitor, c.Referrer, c.Country
		index[c.ID] = i
	}
	return s.atomic(ctx, func(s store) error {
		rows, err := s.q.Query(ctx, `INSERT INTO link_clicks (id, link_id, workspace_id, target_id, at, kind, visitor,
				referrer, country)
			SELECT x.id, l.id, l.workspace_id, l.target_id, x.at, x.kind, x.visitor, x.referrer, x.country
			FROM unnest($1::text[], $2::bigint[], $3::bigint[], $4::timestamptz[], $5::text[], $6::text[], $7::text[],
				$8::text[]) AS x (id, link_id, workspace_id, at, kind, visitor, referrer, country)
			JOIN links l ON l.id = x.link_id AND l.workspace_id = x.workspace_id
			ORDER BY x.id
			ON CONFLICT (id) DO NOTHING RETURNING id, link_id, coalesce(target_id, 0)`,
			ids, links, wss, ats, kinds, visitors, referrers, countries)
		if err != nil {
			return dbErr("record clicks", err)
		}
		t := map[int64]*linkTally{}
		var id string
		var link, target int64
		var vLinks, vDays []int64 // people's clicks' (link, day, visitor)
		var vVisitors []string
		_, err = pgx.ForEachRow(rows, []any{&id, &link, &target}, func() error {
			c := batch[index[id]]
			n := t[link]
			if n == nil {
				n = &linkTally{target: target}
				t[link] = n
			}
			n.add(c.Kind)
			if c.Kind == herald.ClickHuman {
				vLinks, vDays, vVisitors = append(vLinks, link), append(vDays, herald.UnixDay(c.At)), append(vVisitors, c.Visitor)
			}
			return nil
		})
		if err != nil {
			return dbErr("record clicks", err)
		}
		if len(vLinks) > 0 {
			rows, err = s.q.Query(ctx, `INSERT INTO link_visitors (link_id, day, visitor)
				SELECT * FROM unnest($1::bigint[], $2::integer[], $3::text[]) AS v (link_id, day, visitor)
				ORDER BY link_id, day, visitor
				ON CONFLICT DO NOTHING RETURNING link_id`, vLinks, vDays, vVisitors)
			if err != nil {
				return dbErr("record clicks: visitors", err)
			}
			if _, err := pgx.ForEachRow(rows, []any{&link}, func() error { t[link].unique++; return nil }); err != nil {
				return dbErr("record clicks: visitors", err)
			}
		}
		return s.saveTally(ctx, t)
	})
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

// saveTally adds the counts to the links and to their targets' stats.
func (s store) saveTally(ctx context.Context, t map[int64]*linkTally) error {
	if len(t) == 0 {
		return nil
	}
	ids := make([]int64, 0, len(t))
	for id := range t {
		ids = append(ids, id)
	}
	slices.Sort(ids)
	clicks, unique, bots, previews := make([]int64, len(ids)), make([]int64, len(ids)), make([]int64, len(ids)), make([]int64, len(ids))
	byTarget := map[int64][2]int64{}
	for i, id := range ids {
		n := t[id]
		clicks[i], unique[i], bots[i], previews[i] = n.clicks, n.unique, n.bots, n.previews
		if n.target != 0 {
			c := byTarget[n.target]
			byTarget[n.target] = [2]int64{c[0] + n.clicks, c[1] + n.unique}
		}
	}
	// An UPDATE … FROM locks its rows in the join's order: lock them in
	// id order first.
	if _, err := s.q.Exec(ctx, `SELECT 1 FROM links WHERE id = ANY($1) ORDER BY id FOR NO KEY UPDATE`, ids); err != nil {
		return dbErr("record clicks: lock the links", err)
	}
	if _, err := s.q.Exec(ctx, `UPDATE links l SET clicks = l.clicks + u.clicks, unique_clicks = l.unique_clicks + u.uniq,
			bot_clicks = l.bot_clicks + u.bots, preview_clicks = l.preview_clicks + u.previews
		FROM unnest($1::bigint[], $2::bigint[], $3::bigint[], $4::bigint[], $5::bigint[]) AS u (id, clicks, uniq, bots, previews)
		WHERE l.id = u.id`, ids, clicks, unique, bots, previews); err != nil {
		return dbErr("record clicks: count on the links", err)
	}
	if len(byTarget) == 0 {
		return nil
	}
	targets := make([]int64, 0, len(byTarget))
	for id := range byTarget {
		targets = append(targets, id)
	}
	slices.Sort(targets)
	tClicks, tUnique := make([]int64, len(targets)), make([]int64, len(targets))
	for i, id := range targets {
		tClicks[i], tUnique[i] = byTarget[id][0], byTarget[id][1]
	}
	// A deleted target's link keeps counting; its target has no stats.
	_, err := s.q.Exec(ctx, `INSERT INTO target_stats (target_id, workspace_id, tracked, clicks, unique_clicks)
		SELECT t.id, t.workspace_id, true, u.clicks, u.uniq
		FROM unnest($1::bigint[], $2::bigint[], $3::bigint[]) AS u (id, clicks, uniq) JOIN targets t ON t.id = u.id
		ORDER BY t.id
		ON CONFLICT (target_id) DO UPDATE SET tracked = true, clicks = target_stats.clicks + excluded.clicks,
			unique_clicks = target_stats.unique_clicks + excluded.unique_clicks`, targets, tClicks, tUnique)
	return dbErr("record clicks: count on the targets", err)
}

// ClickByID returns the click with the id.
func (s store) ClickByID(ctx context.Context, id string) (herald.Click, error) {
	var c herald.Click
	err := s.q.QueryRow(ctx, `SELECT id, link_id, workspace_id, coalesce(target_id, 0), at, kind, visitor, referrer, country
		FROM link_clicks WHERE id = $1`, id).Scan(&c.ID, &c.LinkID, &c.WorkspaceID, &c.TargetID, &c.At, &c.Kind,
		&c.Visitor, &c.Referrer, &c.Country)
	if err != nil {
		return herald.Click{}, notFound("click", "click by id", err)
	}
	c.At = c.At.UTC()
	return c, nil
}

const conversionCols = `id, workspace_id, click_id, link_id, coalesce(target_id, 0), event_id, name, value_cents, currency,
	source, occurred_at, created_at`

func scanConversion(r scanner) (herald.Conversion, error) {
	var c herald.Conversion
	err := r.Scan(&c.ID, &c.WorkspaceID, &c.ClickID, &c.LinkID, &c.TargetID, &c.EventID, &c.Name, &c.Value, &c.Currency,
		&c.Source, &c.OccurredAt, &c.CreatedAt)
	c.OccurredAt, c.CreatedAt = c.OccurredAt.UTC(), c.CreatedAt.UTC()
	return c, err
}

// AddConversion stores the conversion unless its event is stored, and
// counts it on its link and the link's target.
func (s store) AddConversion(ctx context.Context, c herald.Conversion, revenueCurrency string) (herald.Conversion, bool, error) {
	if err := checkConversion(c); err != nil {
		return herald.Conversion{}, false, err
	}
	c.OccurredAt, c.CreatedAt = micro(c.OccurredAt), micro(c.CreatedAt)
	revenue := int64(0)
	if c.Currency != "" && c.Currency == revenueCurrency {
		revenue = c.Value
	}
	added := false
	err := s.atomic(ctx, func(s store) error {
		added = false
		err := s.q.QueryRow(ctx, `INSERT INTO link_conversions (workspace_id, click_id, link_id, target_id, event_id,
				name, value_cents, currency, source, occurred_at, created_at)
			SELECT l.workspace_id, $1, l.id, l.target_id, $2, $3, $4, $5, $6, $7, $8 FROM links l
			WHERE l.id = $9 AND l.workspace_id = $10
			ON CONFLICT (workspace_id, event_id) DO NOTHING RETURNING id, coalesce(target_id, 0)`,
			c.ClickID, c.EventID, c.Name, c.Value, c.Currency, c.Source, c.OccurredAt, c.CreatedAt,
			c.LinkID, c.WorkspaceID).Scan(&c.ID, &c.TargetID)
		if errors.Is(err, pgx.ErrNoRows) {
			stored, err := scanConversion(s.q.QueryRow(ctx, `SELECT `+conversionCols+` FROM link_conversions
				WHERE workspace_id = $1 AND event_id = $2`, c.WorkspaceID, c.EventID))
			if errors.Is(err, pgx.ErrNoRows) {
				return herald.Errorf(herald.CodeConflict, "link %d does not exist in workspace %d: the conversion has nothing to count on",
					c.LinkID, c.WorkspaceID)
			}
			if err != nil {
				return dbErr("add conversion", err)
			}
			c = stored
			return nil
		}
		if err != nil {
			return dbErr("add conversion", err)
		}
		added = true
		if _, err := s.q.Exec(ctx, `UPDATE links SET conversions = conversions + 1, revenue_cents = revenue_cents + $1
			WHERE id = $2`, revenue, c.LinkID); err != nil {
			return dbErr("add conversion: count on the link", err)
		}
		if c.TargetID == 0 {
			return nil
		}
		_, err = s.q.Exec(ctx, `INSERT INTO target_stats (target_id, workspace_id, tracked, conversions, revenue_cents)
			SELECT t.id, t.workspace_id, true, 1, $1 FROM targets t WHERE t.id = $2
			ON CONFLICT (target_id) DO UPDATE SET tracked = true, conversions = target_stats.conversions + 1,
				revenue_cents = target_stats.revenue_cents + excluded.revenue_cents`, revenue, c.TargetID)
		return dbErr("add conversion: count on the target", err)
	})
	if err != nil {
		return herald.Conversion{}, false, err
	}
	return c, added, nil
}

// ListConversions returns the workspace's conversions that occurred in
// [from, to), newest first.
func (s store) ListConversions(ctx context.Context, workspaceID int64, from, to time.Time, limit int) ([]herald.Conversion, error) {
	if limit <= 0 {
		limit = defaultLinkLimit
	}
	rows, err := s.q.Query(ctx, `SELECT `+conversionCols+` FROM link_conversions
		WHERE workspace_id = $1 AND ($2::timestamptz IS NULL OR occurred_at >= $2)
			AND ($3::timestamptz IS NULL OR occurred_at < $3)
		ORDER BY occurred_at DESC, id DESC LIMIT $4`, workspaceID, bound(from), bound(to), limit)
	if err != nil {
		return nil, dbErr("list conversions", err)
	}
	out, err := collect(rows, scanConversion)
	return out, dbErr("list conversions", err)
}

// ClickSalt returns the day's salt, storing newSalt if the day has none,
// and deletes the salts of days before day-2.
func (s store) ClickSalt(ctx context.Context, day int64, newSalt []byte) ([]byte, error) {
	if len(newSalt) < 16 {
		return nil, herald.Errorf(herald.CodeInvalid, "a click salt has at least 16 bytes, not %d", len(newSalt))
	}
	var salt []byte
	err := s.atomic(ctx, func(s store) error {
		// A conflict's no-op update returns the salt stored first.
		if err := s.q.QueryRow(ctx, `INSERT INTO click_salts (day, salt) VALUES ($1, $2)
			ON CONFLICT (day) DO UPDATE SET salt = click_salts.salt RETURNING salt`, day, newSalt).Scan(&salt); err != nil {
			return dbErr("click salt", err)
		}
		_, err := s.q.Exec(ctx, `DELETE FROM click_salts WHERE day < $1`, day-2)
		return dbErr("click salt: delete old salts", err)
	})
	if err != nil {
		return nil, err
	}
	return salt, nil
}

// GetAnalyticsSettings returns the workspace's settings or the defaults.
func (s store) GetAnalyticsSettings(ctx context.Context, workspaceID int64) (herald.AnalyticsSettings, error) {
	a := herald.AnalyticsSettings{WorkspaceID: workspaceID}
	err := s.q.QueryRow(ctx, `SELECT track_links, rate_by, currency, secret_key_id, conversion_secret, updated_at
		FROM analytics_settings WHERE workspace_id = $1`, workspaceID).Scan(&a.TrackLinks, &a.RateBy, &a.Currency,
		&a.ConversionSecret.KeyID, &a.ConversionSecret.Ciphertext, &a.UpdatedAt)
	if errors.Is(err, pgx.ErrNoRows) {
		return herald.DefaultAnalyticsSettings(workspaceID), nil
	}
	if err != nil {
		return herald.AnalyticsSettings{}, dbErr("get analytics settings", err)
	}
	a.UpdatedAt = a.UpdatedAt.UTC()
	return a, nil
}

// PutAnalyticsSettings saves the workspace's settings.
func (s store) PutAnalyticsSettings(ctx context.Context, a herald.AnalyticsSettings) error {
	if err := checkAnalyticsSettings(a); err != nil {
		return err
	}
	_, err := s.q.Exec(ctx, `INSERT INTO analytics_settings (workspace_id, track_links, rate_by, currency,
		secret_key_id, conversion_secret, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7)
		ON CONFLICT (workspace_id) DO UPDATE SET track_links = excluded.track_links, rate_by = excluded.rate_by,
			currency = excluded.currency, secret_key_id = excluded.secret_key_id,
			conversion_secret = excluded.conversion_secret, updated_at = excluded.updated_at`,
		a.WorkspaceID, a.TrackLinks, a.RateBy, a.Currency, a.ConversionSecret.KeyID, nilBytes(a.ConversionSecret.Ciphertext),
		micro(a.UpdatedAt))
	return linkErr("put analytics settings", err, "")
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
			c.At = micro(c.At)
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
