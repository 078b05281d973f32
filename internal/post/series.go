package post

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/teambition/rrule-go"

	"github.com/heraldsocial/herald/internal/herald"
)

// Series limits: how far ahead occurrences are made, and how many at most
// in one go (the daily ExtendSeries makes the rest).
const (
	SeriesHorizon        = 30 * 24 * time.Hour
	MaxSeriesOccurrences = 60
	maxRecurrenceLen     = 500
	// MaxOccurrencesPerDay bounds how many times a day a series may
	// publish, and MinOccurrenceGap how close two of them may be: a
	// recurrence is for a rhythm, not a burst.
	MaxOccurrencesPerDay = 4
	MinOccurrenceGap     = time.Hour
)

// recurrenceProblem is the invalid-input error for a bad recurrence rule.
func recurrenceProblem(format string, args ...any) error {
	msg := fmt.Sprintf(format, args...)
	return &herald.Error{Code: herald.CodeInvalid, Message: "the recurrence rule is not valid: " + msg,
		Details: []herald.FieldProblem{{Field: "recurrence", Problem: msg}}}
}

// checkRecurrence validates an RRULE without DTSTART and returns it in the
// form stored ("" for none).
func checkRecurrence(rule string) (string, error) {
	rule = strings.TrimPrefix(strings.TrimSpace(rule), "RRULE:")
	if rule == "" {
		return "", nil
	}
	if _, err := parseRule(rule, time.Now().UTC()); err != nil {
		return "", err
	}
	return rule, nil
}

// parseRule builds the rule with dtstart as its DTSTART (in dtstart's
// location, so occurrences keep their local time across DST changes).
func parseRule(rule string, dtstart time.Time) (*rrule.RRule, error) {
	switch {
	case len(rule) > maxRecurrenceLen:
		return nil, recurrenceProblem("is %d characters; at most %d are allowed", len(rule), maxRecurrenceLen)
	case strings.Contains(strings.ToUpper(rule), "DTSTART") || strings.ContainsAny(rule, "\r\n"):
		return nil, recurrenceProblem("must not contain DTSTART: the series starts at the first target's scheduled time")
	}
	opt, err := rrule.StrToROptionInLocation(rule, dtstart.Location())
	if err != nil {
		return nil, recurrenceProblem("%q is not an RRULE such as FREQ=WEEKLY;BYDAY=MO (%v)", rule, err)
	}
	switch opt.Freq {
	case rrule.YEARLY, rrule.MONTHLY, rrule.WEEKLY, rrule.DAILY:
	default:
		return nil, recurrenceProblem("FREQ=%s repeats more often than daily: use DAILY, WEEKLY, MONTHLY or YEARLY", opt.Freq)
	}
	if err := checkDailyRhythm(opt, dtstart); err != nil {
		return nil, err
	}
	opt.Dtstart = dtstart
	r, err := rrule.NewRRule(*opt)
	if err != nil {
		return nil, recurrenceProblem("%q is out of range (%v)", rule, err)
	}
	return r, nil
}

// checkDailyRhythm refuses a rule that publishes more than
// MaxOccurrencesPerDay times a day, or twice within MinOccurrenceGap
// (across midnight too): BYHOUR, BYMINUTE and BYSECOND multiply the
// occurrences of each day, whatever the frequency. A value a rule leaves
// out is dtstart's.
func checkDailyRhythm(opt *rrule.ROption, dtstart time.Time) error {
	values := func(by []int, def, limit int) []int {
		var out []int
		for _, v := range by {
			if v >= 0 && v < limit && !slices.Contains(out, v) {
				out = append(out, v)
			}
		}
		if len(out) == 0 {
			out = []int{def}
		}
		return out
	}
	hours := values(opt.Byhour, dtstart.Hour(), 24)
	minutes := values(opt.Byminute, dtstart.Minute(), 60)
	seconds := values(opt.Bysecond, dtstart.Second(), 60)
	if n := len(hours) * len(minutes) * len(seconds); n > MaxOccurrencesPerDay {
		return recurrenceProblem("publishes %d times a day (BYHOUR × BYMINUTE × BYSECOND); at most %d are allowed",
			n, MaxOccurrencesPerDay)
	}
	var times []int // seconds since midnight
	for _, h := range hours {
		for _, m := range minutes {
			for _, sec := range seconds {
				times = append(times, h*3600+m*60+sec)
			}
		}
	}
	slices.Sort(times)
	gap := int(MinOccurrenceGap / time.Second)
	for i := 1; i < len(times); i++ {
		if d := times[i] - times[i-1]; d < gap {
			return recurrenceProblem("publishes twice within %v (%s and %s); keep occurrences at least %v apart",
				time.Duration(d)*time.Second, clockOf(times[i-1]), clockOf(times[i]), MinOccurrenceGap)
		}
	}
	if len(times) > 1 {
		if d := 24*3600 - times[len(times)-1] + times[0]; d < gap {
			return recurrenceProblem("publishes twice within %v across midnight (%s and %s); keep occurrences at least %v apart",
				time.Duration(d)*time.Second, clockOf(times[len(times)-1]), clockOf(times[0]), MinOccurrenceGap)
		}
	}
	return nil
}

// clockOf formats seconds since midnight as HH:MM:SS.
func clockOf(sec int) string {
	return fmt.Sprintf("%02d:%02d:%02d", sec/3600, sec/60%60, sec%60)
}

// Occurrences returns the occurrences of rule (an RRULE without DTSTART)
// starting at dtstart that fall in (after, until], at most max of them,
// as UTC instants. Their local time in dtstart's location follows the
// rule across daylight-saving changes.
func Occurrences(rule string, dtstart, after, until time.Time, max int) ([]time.Time, error) {
	r, err := parseRule(rule, dtstart)
	if err != nil {
		return nil, err
	}
	var out []time.Time
	next := r.Iterator()
	for len(out) < max {
		t, ok := next()
		if !ok || t.After(until) {
			break
		}
		// A local time skipped by a clock change falls on the next one
		// (02:30 becomes 03:30): the same instant twice is one occurrence.
		if t.After(after) && (len(out) == 0 || t.After(out[len(out)-1])) {
			out = append(out, t.UTC())
		}
	}
	return out, nil
}

// seriesStart is the DTSTART of a recurring post: its first target's
// scheduled time (the earliest one if the first has none).
func seriesStart(p *herald.Post) (time.Time, bool) {
	if len(p.Targets) == 0 {
		return time.Time{}, false
	}
	if t := p.Targets[0].ScheduledAt; t != nil {
		return *t, true
	}
	var first *time.Time
	for _, t := range p.Targets {
		if t.ScheduledAt != nil && (first == nil || t.ScheduledAt.Before(*first)) {
			first = t.ScheduledAt
		}
	}
	if first == nil {
		return time.Time{}, false
	}
	return *first, true
}

// startSeries makes a just-scheduled recurring post the first post of its
// series and creates its occurrences up to SeriesHorizon ahead.
func (s *Service) startSeries(ctx context.Context, tx herald.Tx, actor herald.Actor, ws herald.Workspace, p *herald.Post, now time.Time) error {
	start, ok := seriesStart(p)
	if !ok {
		return nil
	}
	id := p.ID
	p.SeriesID, p.OccurrenceAt = &id, &start
	p.UpdatedAt = now
	if err := tx.UpdatePost(ctx, p, p.Version); err != nil {
		return err
	}
	_, err := s.materialise(ctx, tx, actor, ws, *p, start, now)
	return err
}

// materialise creates the series' occurrences after after (and after now)
// up to SeriesHorizon ahead of now, copies of the first post with their
// targets scheduled, and returns how many it made. An occurrence that
// already has its post is left alone.
func (s *Service) materialise(ctx context.Context, tx herald.Tx, actor herald.Actor, ws herald.Workspace, head herald.Post, after, now time.Time) (int, error) {
	if head.Recurrence == "" || head.OccurrenceAt == nil {
		return 0, nil
	}
	loc, err := ws.Location()
	if err != nil {
		return 0, err
	}
	dtstart := head.OccurrenceAt.In(loc)
	if now.After(after) {
		after = now
	}
	times, err := Occurrences(head.Recurrence, dtstart, after, now.Add(SeriesHorizon), MaxSeriesOccurrences)
	if err != nil {
		return 0, err
	}
	var made []int64
	for _, at := range times {
		occ := herald.Post{WorkspaceID: head.WorkspaceID, AuthorID: head.AuthorID, Title: head.Title, Text: head.Text, Links: head.Links,
			CampaignID: head.CampaignID, LabelIDs: slices.Clone(head.LabelIDs), SeriesID: head.SeriesID,
			OccurrenceAt: &at, CreatedAt: now, UpdatedAt: now}
		for _, t := range head.Targets {
			if t.State == herald.StateCancelled {
				continue
			}
			when := at
			if t.ScheduledAt != nil {
				when = at.Add(t.ScheduledAt.Sub(*head.OccurrenceAt))
			}
			if !when.After(now) {
				continue
			}
			occ.Targets = append(occ.Targets, herald.Target{AccountID: t.AccountID, Variant: t.Variant,
				State: herald.StateScheduled, ScheduledAt: &when, CreatedAt: now, UpdatedAt: now})
		}
		if len(occ.Targets) == 0 {
			continue
		}
		err := tx.CreatePost(ctx, &occ)
		if errors.Is(err, herald.ErrConflict) {
			// Made before (the store keeps one post per occurrence), or
			// the first post refers to something gone: leave it.
			s.logger.WarnContext(ctx, "occurrence not created", "workspace_id", head.WorkspaceID,
				"series_id", head.ID, "occurrence_at", at, "error", err)
			continue
		}
		if err != nil {
			return 0, fmt.Errorf("post: create occurrence %s of series %d: %w", at.Format(time.RFC3339), *head.SeriesID, err)
		}
		made = append(made, occ.ID)
	}
	if len(made) == 0 {
		return 0, nil
	}
	e := herald.NewAudit(actor, "post.series_extend", "post", head.ID, nil,
		map[string]any{"created_post_ids": made}, now)
	if err := tx.AppendAudit(ctx, &e); err != nil {
		return 0, err
	}
	return len(made), nil
}

// ExtendSeries creates, for every series that still recurs, the
// occurrences up to SeriesHorizon after now that do not exist yet, and
// returns how many posts it made. It is idempotent: the store refuses a
// second post for one occurrence. Each series is extended in its own
// transaction, so one broken series does not hold up the others.
func (s *Service) ExtendSeries(ctx context.Context, now time.Time) (int, error) {
	now = now.UTC().Truncate(time.Microsecond)
	heads, err := s.store.ListRecurringPosts(ctx)
	if err != nil {
		return 0, fmt.Errorf("post: list recurring posts: %w", err)
	}
	total := 0
	var errs []error
	for _, head := range heads {
		var n int
		err := s.store.InTx(ctx, func(tx herald.Tx) error {
			ws, err := getWorkspace(ctx, tx, head.WorkspaceID)
			if err != nil {
				return err
			}
			latest, err := latestOccurrence(ctx, tx, head)
			if err != nil {
				return err
			}
			n, err = s.materialise(ctx, tx, herald.Actor{WorkspaceID: head.WorkspaceID}, ws, head, latest, now)
			return err
		})
		if err != nil {
			s.logger.ErrorContext(ctx, "extend series", "workspace_id", head.WorkspaceID, "series_id", head.ID, "error", err)
			errs = append(errs, fmt.Errorf("post: extend series %d: %w", head.ID, err))
			continue
		}
		total += n
	}
	if total > 0 {
		s.logger.InfoContext(ctx, "series extended", "posts", total)
		s.wake()
	}
	return total, errors.Join(errs...)
}

// latestOccurrence returns the latest occurrence the series has a post
// for: occurrences are made in order, so it is the newest post's.
func latestOccurrence(ctx context.Context, tx herald.Tx, head herald.Post) (time.Time, error) {
	posts, _, err := tx.ListPosts(ctx, herald.PostFilter{WorkspaceID: head.WorkspaceID, SeriesID: head.ID,
		Page: herald.Page{Limit: 1}})
	if err != nil {
		return time.Time{}, fmt.Errorf("post: latest occurrence of series %d: %w", head.ID, err)
	}
	latest := *head.OccurrenceAt
	if len(posts) > 0 && posts[0].OccurrenceAt != nil && posts[0].OccurrenceAt.After(latest) {
		latest = *posts[0].OccurrenceAt
	}
	return latest, nil
}

// seriesPosts returns every post of a series.
func seriesPosts(ctx context.Context, tx herald.Tx, workspaceID, seriesID int64) ([]herald.Post, error) {
	var out []herald.Post
	f := herald.PostFilter{WorkspaceID: workspaceID, SeriesID: seriesID, Page: herald.Page{Limit: herald.MaxPageLimit}}
	for {
		posts, next, err := tx.ListPosts(ctx, f)
		if err != nil {
			return nil, fmt.Errorf("post: list series %d: %w", seriesID, err)
		}
		out = append(out, posts...)
		if next == "" {
			return out, nil
		}
		f.Cursor = next
	}
}

// SeriesCancellation says what cancelling a series did.
type SeriesCancellation struct {
	SeriesID       int64   `json:"series_id" doc:"The first post of the series"`
	CancelledPosts []int64 `json:"cancelled_post_ids" nullable:"false" doc:"Posts of future occurrences whose targets were cancelled"`
}

// CancelSeries ends the series post id belongs to: it stops recurring
// (its first post's recurrence is cleared) and every target of a future
// occurrence that is not published or being published is cancelled.
func (s *Service) CancelSeries(ctx context.Context, actor herald.Actor, id int64, reason string) (SeriesCancellation, error) {
	if err := actor.Require(herald.ActPostsRead); err != nil {
		return SeriesCancellation{}, err
	}
	reason, err := checkReason("comment", reason, false)
	if err != nil {
		return SeriesCancellation{}, err
	}
	if reason == "" {
		reason = "series cancelled"
	}
	out := SeriesCancellation{CancelledPosts: []int64{}}
	err = s.store.InTx(ctx, func(tx herald.Tx) error {
		p, err := getPost(ctx, tx, actor.WorkspaceID, id)
		if err != nil {
			return err
		}
		if err := actor.Require(herald.ActPostsWrite); err != nil {
			return err
		}
		if p.SeriesID == nil {
			return herald.Errorf(herald.CodeConflict, "post %d is not part of a recurring series", id)
		}
		ws, err := getWorkspace(ctx, tx, actor.WorkspaceID)
		if err != nil {
			return err
		}
		out.SeriesID = *p.SeriesID
		now := s.clock.Now()
		posts, err := seriesPosts(ctx, tx, actor.WorkspaceID, out.SeriesID)
		if err != nil {
			return err
		}
		for _, sp := range posts {
			if sp.OccurrenceAt == nil || !sp.OccurrenceAt.After(now) {
				continue
			}
			moved := false
			for i := range sp.Targets {
				t := &sp.Targets[i]
				if !slices.Contains(cancelMove.from, t.State) || t.State == herald.StateRetrying {
					continue
				}
				if err := requireRelease(actor, ws, *t, "cancel"); err != nil {
					return err
				}
				if err := transition(ctx, tx, actor, t, herald.StateCancelled, reason, now); err != nil {
					return err
				}
				moved = true
			}
			if moved {
				out.CancelledPosts = append(out.CancelledPosts, sp.ID)
			}
		}
		head, err := tx.GetPost(ctx, actor.WorkspaceID, out.SeriesID)
		switch {
		case errors.Is(err, herald.ErrNotFound):
		case err != nil:
			return fmt.Errorf("post: get series %d: %w", out.SeriesID, err)
		case head.Recurrence != "":
			before := head.Recurrence
			head.Recurrence = ""
			head.UpdatedAt = now
			if err := tx.UpdatePost(ctx, &head, head.Version); err != nil {
				return err
			}
			e := herald.NewAudit(actor, "post.series_cancel", "post", head.ID,
				map[string]any{"recurrence": before},
				map[string]any{"recurrence": "", "cancelled_post_ids": out.CancelledPosts, "reason": reason}, now)
			return tx.AppendAudit(ctx, &e)
		}
		e := herald.NewAudit(actor, "post.series_cancel", "post", out.SeriesID, nil,
			map[string]any{"cancelled_post_ids": out.CancelledPosts, "reason": reason}, now)
		return tx.AppendAudit(ctx, &e)
	})
	if err != nil {
		return SeriesCancellation{}, fmt.Errorf("post: cancel series of %d: %w", id, err)
	}
	s.logger.InfoContext(ctx, "series cancelled", "workspace_id", actor.WorkspaceID, "series_id", out.SeriesID,
		"posts", len(out.CancelledPosts))
	return out, nil
}
