package postcsv

import (
	"context"
	"fmt"
	"io"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/heraldsocial/herald/internal/herald"
)

// ExportFilter chooses the posts to export. Zero fields do not filter.
type ExportFilter struct {
	From, To   *time.Time           // targets scheduled in [From, To)
	AccountID  int64                // only this account's targets
	LabelID    int64                // posts with this label
	CampaignID int64                // posts of this campaign
	States     []herald.TargetState // only targets in these states
}

// Export writes the posts f chooses as CSV in the import's format: one row
// per post, or per group of its targets when they differ in time, content
// or status; times in the workspace's zone with their offset, so the file
// imports back to the same instants; every cell neutralised against
// formula injection. It refuses more than MaxRows rows.
func (s *Service) Export(ctx context.Context, actor herald.Actor, f ExportFilter, w io.Writer) (int, error) {
	if err := actor.Require(herald.ActPostsRead); err != nil {
		return 0, err
	}
	loc, err := s.d.Posts.Location(ctx, actor)
	if err != nil {
		return 0, fmt.Errorf("postcsv: export: %w", err)
	}
	names, err := s.exportNames(ctx, actor)
	if err != nil {
		return 0, err
	}
	type row struct {
		at    time.Time
		id    int64
		cells Cells
	}
	var rows []row
	pf := herald.PostFilter{From: f.From, To: f.To, AccountID: f.AccountID, LabelID: f.LabelID,
		CampaignID: f.CampaignID, States: f.States, Page: herald.Page{Limit: herald.MaxPageLimit}}
	for {
		posts, next, err := s.d.Posts.List(ctx, actor, pf)
		if err != nil {
			return 0, fmt.Errorf("postcsv: export: %w", err)
		}
		for _, p := range posts {
			for _, g := range groupTargets(p, f) {
				if len(rows) == MaxRows {
					return 0, herald.Errorf(herald.CodeTooLarge,
						"more than %d rows match: export a shorter date range, or filter by account, label, campaign or state", MaxRows)
				}
				c := names.cells(p, g, loc)
				var at time.Time
				if g[0].ScheduledAt != nil {
					at = *g[0].ScheduledAt
				}
				rows = append(rows, row{at: at, id: p.ID, cells: c})
			}
		}
		if next == "" {
			break
		}
		pf.Cursor = next
	}
	sort.SliceStable(rows, func(i, j int) bool {
		if !rows[i].at.Equal(rows[j].at) {
			return rows[i].at.Before(rows[j].at)
		}
		return rows[i].id < rows[j].id
	})
	cw, err := NewWriter(w)
	if err != nil {
		return 0, err
	}
	for _, r := range rows {
		if err := cw.Write(r.cells); err != nil {
			return 0, err
		}
	}
	return len(rows), cw.Flush()
}

// exportNames are the names the export writes for ids.
type exportNames struct {
	accounts  map[int64]string
	labels    map[int64]string
	campaigns map[int64]string
}

func (s *Service) exportNames(ctx context.Context, actor herald.Actor) (exportNames, error) {
	n := exportNames{accounts: map[int64]string{}, labels: map[int64]string{}, campaigns: map[int64]string{}}
	accounts, err := s.d.Accounts.List(ctx, actor)
	if err != nil {
		return n, fmt.Errorf("postcsv: export: %w", err)
	}
	for _, a := range accounts {
		n.accounts[a.ID] = string(a.Platform) + ":" + a.Handle
	}
	labels, err := s.d.Labels.List(ctx, actor)
	if err != nil {
		return n, fmt.Errorf("postcsv: export: %w", err)
	}
	for _, l := range labels {
		n.labels[l.ID] = l.Name
	}
	campaigns, err := s.d.Campaigns.List(ctx, actor)
	if err != nil {
		return n, fmt.Errorf("postcsv: export: %w", err)
	}
	for _, c := range campaigns {
		n.campaigns[c.ID] = c.Name
	}
	return n, nil
}

// groupTargets splits a post's targets (those f keeps) into groups that
// one row can hold: same time, same content, same status.
func groupTargets(p herald.Post, f ExportFilter) [][]herald.Target {
	var groups [][]herald.Target
	for _, t := range p.Targets {
		if f.AccountID != 0 && t.AccountID != f.AccountID {
			continue
		}
		if len(f.States) > 0 && !slices.Contains(f.States, t.State) {
			continue
		}
		placed := false
		for i, g := range groups {
			if sameRow(p, g[0], t) {
				groups[i] = append(groups[i], t)
				placed = true
				break
			}
		}
		if !placed {
			groups = append(groups, []herald.Target{t})
		}
	}
	return groups
}

func sameRow(p herald.Post, a, b herald.Target) bool {
	if (a.ScheduledAt == nil) != (b.ScheduledAt == nil) || (a.ScheduledAt != nil && !a.ScheduledAt.Equal(*b.ScheduledAt)) {
		return false
	}
	if status(a) != status(b) || text(p, a) != text(p, b) || a.Variant.FirstComment != b.Variant.FirstComment ||
		!slices.Equal(a.Variant.MediaIDs, b.Variant.MediaIDs) || joinThread(a.Variant.Thread) != joinThread(b.Variant.Thread) {
		return false
	}
	return true
}

func text(p herald.Post, t herald.Target) string {
	if t.Variant.Text != "" {
		return t.Variant.Text
	}
	return p.Text
}

// status is the status column of a target: draft while it is one, else
// scheduled.
func status(t herald.Target) string {
	if t.State == herald.StateDraft {
		return StatusDraft
	}
	return StatusScheduled
}

// cells writes one group of a post's targets as a row.
func (n exportNames) cells(p herald.Post, g []herald.Target, loc *time.Location) Cells {
	var c Cells
	t := g[0]
	if t.ScheduledAt != nil {
		l := t.ScheduledAt.In(loc)
		c.Set(ColDate, l.Format("2006-01-02"))
		c.Set(ColTime, l.Format("15:04-07:00"))
	}
	accounts := make([]string, len(g))
	for i, tg := range g {
		accounts[i] = n.accounts[tg.AccountID]
	}
	c.Set(ColAccounts, strings.Join(accounts, listSeparator+" "))
	c.Set(ColText, text(p, t))
	c.Set(ColThread, joinThread(t.Variant.Thread))
	c.Set(ColFirstComment, t.Variant.FirstComment)
	media := make([]string, len(t.Variant.MediaIDs))
	for i, id := range t.Variant.MediaIDs {
		media[i] = libraryPrefix + strconv.FormatInt(id, 10)
	}
	c.Set(ColMediaURLs, strings.Join(media, " "))
	labels := make([]string, 0, len(p.LabelIDs))
	for _, id := range p.LabelIDs {
		labels = append(labels, n.labels[id])
	}
	c.Set(ColLabels, strings.Join(labels, listSeparator+" "))
	if p.CampaignID != nil {
		c.Set(ColCampaign, n.campaigns[*p.CampaignID])
	}
	c.Set(ColStatus, status(t))
	return c
}
