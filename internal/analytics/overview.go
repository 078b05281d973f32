package analytics

import (
	"cmp"
	"context"
	"fmt"
	"slices"
	"strconv"
	"sync"
	"time"

	"github.com/heraldsocial/herald/internal/herald"
)

// MaxDays bounds a period.
const MaxDays = 366

// Presets are the periods the period picker offers, in days.
var Presets = []int{7, 28, 90}

// Period is a span of whole days in the workspace's time zone: [From, To).
type Period struct {
	From time.Time `json:"from"`
	To   time.Time `json:"to"`
}

// Days is the period's length in days.
func (p Period) Days() int { return int(p.To.Sub(p.From).Round(24*time.Hour) / (24 * time.Hour)) }

// Query asks for a workspace's overview.
type Query struct {
	// Days picks the last Days days up to and including today; From and
	// To (dates, "2006-01-02", both included) pick a span instead.
	Days     int
	From, To string
	// Rate is the engagement rate's denominator ("" for followers).
	Rate Denominator
	// AccountID and CampaignID, when set, keep one account's or one
	// campaign's posts: the account and campaign views.
	AccountID, CampaignID int64
}

// Day is the figures of the posts published on one day.
type Day struct {
	Date string `json:"date"` // in the workspace's zone
	Figures
}

// Breakdown is the figures of one account, platform or campaign.
type Breakdown struct {
	Key   string `json:"key"`
	Label string `json:"label"`
	Figures
}

// PostFigures is one published post (on one account) and its figures.
type PostFigures struct {
	herald.TargetStats
	Title       string `json:"title"`
	Account     string `json:"account"`
	Engagements int64  `json:"engagements"`
}

// Growth is an account's followers over the period.
type Growth struct {
	AccountID int64  `json:"account_id"`
	Account   string `json:"account"`
	// Start is the followers at the last daily count before the period
	// (or the first in it), End at the last in it; -1 when not known.
	Start  int64 `json:"start"`
	End    int64 `json:"end"`
	Change int64 `json:"change"`
	// Known is false when the account has no two counts to compare.
	Known bool `json:"known"`
	// Daily is the followers at each day's count in the period, oldest
	// first.
	Daily []herald.AccountSnapshot `json:"daily"`
}

// Overview is a workspace's analytics over a period, compared with the
// period of the same length before it.
type Overview struct {
	Zone     string      `json:"zone"`
	Period   Period      `json:"period"`
	Previous Period      `json:"previous"`
	Rate     Denominator `json:"rate"`
	// AccountID and CampaignID say the overview keeps one account's or one
	// campaign's posts (0: every one).
	AccountID  int64   `json:"account_id,omitempty"`
	CampaignID int64   `json:"campaign_id,omitempty"`
	Current    Figures `json:"current"`
	Prior      Figures `json:"prior"`
	// Days has one entry per day of the period, posts or not.
	Days       []Day       `json:"days"`
	ByAccount  []Breakdown `json:"by_account"`
	ByPlatform []Breakdown `json:"by_platform"`
	ByCampaign []Breakdown `json:"by_campaign"`
	// ByLabel counts a post with two labels under both; "0" is no label.
	ByLabel []Breakdown   `json:"by_label"`
	Top     []PostFigures `json:"top"`
	Bottom  []PostFigures `json:"bottom"`
	Growth  []Growth      `json:"growth"`
}

// TopCount is how many posts Top and Bottom list.
const TopCount = 5

// Service computes analytics.
type Service struct {
	store herald.Store
	clock herald.Clock
}

// New returns a Service.
func New(store herald.Store, clock herald.Clock) *Service {
	return &Service{store: store, clock: clock}
}

// Resolve turns a query into a period in loc, checking it.
func Resolve(q Query, now time.Time, loc *time.Location) (Period, error) {
	today := midnight(now.In(loc))
	if q.From != "" || q.To != "" {
		var p herald.Problems
		from, errF := time.ParseInLocation(time.DateOnly, q.From, loc)
		if errF != nil {
			p.Add("from", "%q is not a day; write it as 2026-03-31", q.From)
		}
		to, errT := time.ParseInLocation(time.DateOnly, q.To, loc)
		if errT != nil {
			p.Add("to", "%q is not a day; write it as 2026-03-31", q.To)
		}
		if err := p.Err("the period is not valid"); err != nil {
			return Period{}, err
		}
		end := to.AddDate(0, 0, 1)
		if !end.After(from) {
			return Period{}, herald.Problems{{Field: "to", Problem: "must be the same day as from or later"}}.Err("the period is empty")
		}
		if end.Sub(from) > (MaxDays+1)*24*time.Hour {
			return Period{}, herald.Problems{{Field: "from", Problem: fmt.Sprintf("the period is longer than %d days; choose a shorter one", MaxDays)}}.Err("the period is too long")
		}
		return Period{From: from, To: end}, nil
	}
	days := cmp.Or(q.Days, 28)
	if days < 1 || days > MaxDays {
		return Period{}, herald.Problems{{Field: "days", Problem: fmt.Sprintf("is %d; choose 1 to %d days", days, MaxDays)}}.Err("the period is not valid")
	}
	end := today.AddDate(0, 0, 1)
	return Period{From: end.AddDate(0, 0, -days), To: end}, nil
}

func midnight(t time.Time) time.Time {
	y, m, d := t.Date()
	return time.Date(y, m, d, 0, 0, 0, 0, t.Location())
}

// previous is the period of the same number of days just before p.
func previous(p Period) Period {
	return Period{From: p.From.AddDate(0, 0, -p.Days()), To: p.From}
}

// Overview computes the workspace's overview. Anyone who reads analytics
// may see it (the client role included).
func (s *Service) Overview(ctx context.Context, actor herald.Actor, q Query) (Overview, error) {
	oq, err := s.overviewQuery(ctx, actor, q)
	if err != nil {
		return Overview{}, err
	}
	// The targets of the two periods, most of an overview's time, are read
	// at the same time, each on a connection of its own. The period before
	// is only summed: its posts' labels are not read.
	var (
		wait             sync.WaitGroup
		prior, stats     []herald.TargetStats
		priorErr, curErr error
	)
	wait.Go(func() {
		prior, priorErr = s.store.ListTargetStatsUnlabelled(ctx, actor.WorkspaceID, oq.prev.From, oq.prev.To)
	})
	stats, curErr = s.store.ListTargetStats(ctx, actor.WorkspaceID, oq.cur.From, oq.cur.To)
	wait.Wait()
	if err := cmp.Or(curErr, priorErr); err != nil {
		return Overview{}, fmt.Errorf("analytics: overview: %w", err)
	}
	return s.overview(ctx, actor, oq, prior, stats)
}

// overviewQuery is an overview's query checked, with its periods.
type overviewQuery struct {
	Query
	rate      Denominator
	loc       *time.Location
	cur, prev Period
}

// overviewQuery checks q (the actor's right, the rate, the period, the
// account and campaign) and resolves its periods in the workspace's zone.
func (s *Service) overviewQuery(ctx context.Context, actor herald.Actor, q Query) (overviewQuery, error) {
	if err := actor.Require(herald.ActAnalyticsRead); err != nil {
		return overviewQuery{}, err
	}
	rate := cmp.Or(q.Rate, ByFollowers)
	if !rate.Valid() {
		return overviewQuery{}, herald.Problems{{Field: "rate", Problem: fmt.Sprintf("is %q; choose followers or impressions", q.Rate)}}.Err("the engagement rate is not valid")
	}
	ws, err := s.store.GetWorkspace(ctx, actor.WorkspaceID)
	if err != nil {
		return overviewQuery{}, fmt.Errorf("analytics: overview: %w", err)
	}
	loc, err := ws.Location()
	if err != nil {
		loc = time.UTC
	}
	cur, err := Resolve(q, s.clock.Now(), loc)
	if err != nil {
		return overviewQuery{}, err
	}
	if q.AccountID != 0 {
		if _, err := s.store.GetAccount(ctx, actor.WorkspaceID, q.AccountID); err != nil {
			return overviewQuery{}, fmt.Errorf("analytics: overview: %w", err)
		}
	}
	if q.CampaignID != 0 {
		if _, err := s.store.GetCampaign(ctx, actor.WorkspaceID, q.CampaignID); err != nil {
			return overviewQuery{}, fmt.Errorf("analytics: overview: %w", err)
		}
	}
	return overviewQuery{Query: q, rate: rate, loc: loc, cur: cur, prev: previous(cur)}, nil
}

// overview is the overview of oq from the targets published in its
// period (stats, labelled) and the one before (prior); it filters both in
// place.
func (s *Service) overview(ctx context.Context, actor herald.Actor, oq overviewQuery, prior, stats []herald.TargetStats) (Overview, error) {
	q, rate, loc, cur := oq.Query, oq.rate, oq.loc, oq.cur
	other := func(t herald.TargetStats) bool {
		return q.AccountID != 0 && t.AccountID != q.AccountID || q.CampaignID != 0 && t.CampaignID != q.CampaignID
	}
	prior, stats = slices.DeleteFunc(prior, other), slices.DeleteFunc(stats, other)
	accounts, err := s.store.ListAccounts(ctx, actor.WorkspaceID)
	if err != nil {
		return Overview{}, fmt.Errorf("analytics: overview: %w", err)
	}
	campaigns, err := s.store.ListCampaigns(ctx, actor.WorkspaceID)
	if err != nil {
		return Overview{}, fmt.Errorf("analytics: overview: %w", err)
	}
	// Growth starts at each account's last count before the period (taken
	// at most MaxDays before it).
	snaps, err := s.store.ListAccountSnapshots(ctx, actor.WorkspaceID, q.AccountID, cur.From, cur.To)
	if err != nil {
		return Overview{}, fmt.Errorf("analytics: overview: %w", err)
	}
	before, err := s.store.AccountSnapshotsBefore(ctx, actor.WorkspaceID, q.AccountID, cur.From)
	if err != nil {
		return Overview{}, fmt.Errorf("analytics: overview: %w", err)
	}
	// Each account's count before the period goes first.
	counts := make([]herald.AccountSnapshot, 0, len(before)+len(snaps))
	for _, a := range before {
		if !a.At.Before(cur.From.AddDate(0, 0, -MaxDays)) {
			counts = append(counts, a)
		}
	}
	counts = append(counts, snaps...)
	o := compute(prior, stats, cur, loc, rate)
	o.Zone = loc.String()
	names := map[int64]string{}
	for _, a := range accounts {
		names[a.ID] = a.Handle
	}
	for i := range o.ByAccount {
		id, _ := strconv.ParseInt(o.ByAccount[i].Key, 10, 64)
		o.ByAccount[i].Label = cmp.Or(names[id], "deleted account")
	}
	campaignNames := map[int64]string{}
	for _, c := range campaigns {
		campaignNames[c.ID] = c.Name
	}
	for i := range o.ByCampaign {
		id, _ := strconv.ParseInt(o.ByCampaign[i].Key, 10, 64)
		o.ByCampaign[i].Label = cmp.Or(campaignNames[id], "No campaign")
	}
	labels, err := s.store.ListLabels(ctx, actor.WorkspaceID)
	if err != nil {
		return Overview{}, fmt.Errorf("analytics: overview: %w", err)
	}
	labelNames := map[int64]string{}
	for _, l := range labels {
		labelNames[l.ID] = l.Name
	}
	for i := range o.ByLabel {
		id, _ := strconv.ParseInt(o.ByLabel[i].Key, 10, 64)
		o.ByLabel[i].Label = cmp.Or(labelNames[id], "No label")
	}
	o.Growth = growth(counts, cur, accounts)
	o.AccountID, o.CampaignID = q.AccountID, q.CampaignID
	for _, list := range [][]PostFigures{o.Top, o.Bottom} {
		for i := range list {
			p, err := s.store.GetPost(ctx, actor.WorkspaceID, list[i].PostID)
			if err != nil {
				return Overview{}, fmt.Errorf("analytics: overview: post %d: %w", list[i].PostID, err)
			}
			list[i].Title = title(p)
			list[i].Account = names[list[i].AccountID]
		}
	}
	return o, nil
}

// Compute works out an overview's figures from the targets published in
// the period and the one before it (stats by publishing time), without
// names: Overview adds those.
func Compute(stats []herald.TargetStats, cur Period, loc *time.Location, rate Denominator) Overview {
	return compute(stats, nil, cur, loc, rate)
}

// compute is Compute over the targets of two lists (Overview reads the
// period and the one before apart): each target counts where its
// publishing time falls, whichever list holds it.
func compute(first, second []herald.TargetStats, cur Period, loc *time.Location, rate Denominator) Overview {
	prev := previous(cur)
	o := Overview{Period: cur, Previous: prev, Rate: rate}
	// Days are found by date in loc (a number, yyyymmdd).
	date := func(t time.Time) int {
		y, m, d := t.In(loc).Date()
		return y*10000 + int(m)*100 + d
	}
	dayIndex := map[int]int{}
	for d := cur.From; d.Before(cur.To); d = d.AddDate(0, 0, 1) {
		dayIndex[date(d)] = len(o.Days)
		o.Days = append(o.Days, Day{Date: d.Format(time.DateOnly)})
	}
	// Grouped by id (0: no campaign, no label), keyed by its decimal text
	// in the end.
	byAccount, byCampaign, byLabel := map[int64]*Figures{}, map[int64]*Figures{}, map[int64]*Figures{}
	byPlatform := map[herald.Platform]*Figures{}
	// Posts are ranked by engagements, then target id: the TopCount
	// first and the TopCount last are kept as small entries (engagements,
	// target id, the target) as the targets go by, and figures are built
	// only for those shown.
	type rank struct {
		e, target int64
		t         *herald.TargetStats
	}
	above := func(a, b rank) bool { return a.e > b.e || a.e == b.e && a.target < b.target }
	below := func(a, b rank) bool { return above(b, a) }
	// keep puts r in list (at most TopCount entries, first first) if it
	// comes before its last.
	keep := func(list []rank, r rank, first func(a, b rank) bool) []rank {
		if len(list) == TopCount && !first(r, list[TopCount-1]) {
			return list
		}
		if len(list) < TopCount {
			list = append(list, r)
		}
		i := len(list) - 1
		for ; i > 0 && first(r, list[i-1]); i-- {
			list[i] = list[i-1]
		}
		list[i] = r
		return list
	}
	var best, worst []rank
	ranked := 0
	for _, list := range [][]herald.TargetStats{first, second} {
		for i := range list {
			t := &list[i]
			switch {
			case !t.PublishedAt.Before(prev.From) && t.PublishedAt.Before(prev.To):
				o.Prior.Add(*t)
			case !t.PublishedAt.Before(cur.From) && t.PublishedAt.Before(cur.To):
				o.Current.Add(*t)
				if i, ok := dayIndex[date(t.PublishedAt)]; ok {
					o.Days[i].Add(*t)
				}
				group(byAccount, t.AccountID).Add(*t)
				group(byPlatform, t.Platform).Add(*t)
				group(byCampaign, t.CampaignID).Add(*t)
				if len(t.LabelIDs) == 0 {
					group(byLabel, 0).Add(*t)
				}
				for _, l := range t.LabelIDs {
					group(byLabel, l).Add(*t)
				}
				if e, ok := Engagements(*t); ok {
					r := rank{e: e, target: t.TargetID, t: t}
					best, worst, ranked = keep(best, r, above), keep(worst, r, below), ranked+1
				}
			}
		}
	}
	o.ByAccount = groups(byAccount, itoa)
	o.ByPlatform = groups(byPlatform, func(p herald.Platform) string { return string(p) })
	o.ByCampaign = groups(byCampaign, itoa)
	o.ByLabel = groups(byLabel, itoa)
	shown := func(rs []rank) []PostFigures {
		out := make([]PostFigures, len(rs))
		for j, r := range rs {
			out[j] = PostFigures{TargetStats: *r.t, Engagements: r.e}
		}
		return out
	}
	// Top is the best TopCount; Bottom the worst TopCount of the others,
	// worst first.
	o.Top = shown(best)
	o.Bottom = shown(worst[:max(0, min(TopCount, ranked-TopCount))])
	return o
}

func itoa(id int64) string { return strconv.FormatInt(id, 10) }

// group returns the figures of m's group k, adding it if needed.
func group[K comparable](m map[K]*Figures, k K) *Figures {
	f := m[k]
	if f == nil {
		f = &Figures{}
		m[k] = f
	}
	return f
}

// groups lists a breakdown, most engagements first, then by key (its
// group's key as text).
func groups[K comparable](m map[K]*Figures, key func(K) string) []Breakdown {
	out := make([]Breakdown, 0, len(m))
	for k, f := range m {
		out = append(out, Breakdown{Key: key(k), Label: key(k), Figures: *f})
	}
	slices.SortFunc(out, func(a, b Breakdown) int {
		return cmp.Or(cmp.Compare(b.Engagements.Value, a.Engagements.Value), cmp.Compare(b.Posts, a.Posts),
			cmp.Compare(a.Key, b.Key))
	})
	return out
}

// growth works out each account's follower growth over the period from
// its snapshots (by account then day, up to the period's end).
func growth(snaps []herald.AccountSnapshot, p Period, accounts []herald.Account) []Growth {
	byAccount := map[int64][]herald.AccountSnapshot{}
	for _, s := range snaps {
		byAccount[s.AccountID] = append(byAccount[s.AccountID], s)
	}
	out := []Growth{}
	for _, a := range accounts {
		list := byAccount[a.ID]
		g := Growth{AccountID: a.ID, Account: a.Handle, Start: -1, End: -1, Daily: []herald.AccountSnapshot{}}
		for _, s := range list {
			if s.At.Before(p.From) {
				g.Start = s.Followers // the last one before the period wins
				continue
			}
			g.Daily = append(g.Daily, s)
		}
		if len(g.Daily) > 0 {
			if g.Start < 0 {
				g.Start = g.Daily[0].Followers
			}
			g.End = g.Daily[len(g.Daily)-1].Followers
		}
		if g.Start >= 0 && g.End >= 0 && (len(g.Daily) > 1 || len(list) > len(g.Daily)) {
			g.Change, g.Known = g.End-g.Start, true
		}
		if len(list) > 0 {
			out = append(out, g)
		}
	}
	return out
}

// title names a post: its title, else the start of its text.
func title(p herald.Post) string {
	text := p.Text
	if text == "" && len(p.Targets) > 0 {
		text = p.Targets[0].Variant.Text
	}
	return herald.ShortTitle(p.Title, text)
}

// Audience returns an account's daily follower, following and post counts
// taken in [from, to) (at most MaxDays), oldest first. An account of
// another workspace is not found.
func (s *Service) Audience(ctx context.Context, actor herald.Actor, accountID int64, from, to time.Time) ([]herald.AccountSnapshot, error) {
	if err := actor.Require(herald.ActAnalyticsRead); err != nil {
		return nil, err
	}
	if !to.After(from) {
		return nil, herald.Problems{{Field: "to", Problem: "must come after from"}}.Err("the period is empty")
	}
	if to.Sub(from) > MaxDays*24*time.Hour {
		return nil, herald.Problems{{Field: "from", Problem: fmt.Sprintf("the period is longer than %d days; choose a shorter one", MaxDays)}}.Err("the period is too long")
	}
	if _, err := s.store.GetAccount(ctx, actor.WorkspaceID, accountID); err != nil {
		return nil, fmt.Errorf("analytics: audience: %w", err)
	}
	out, err := s.store.ListAccountSnapshots(ctx, actor.WorkspaceID, accountID, from, to)
	if err != nil {
		return nil, fmt.Errorf("analytics: audience: %w", err)
	}
	return out, nil
}

// Latest returns the latest daily snapshot of each of the workspace's
// accounts that has one, by account id, for the accounts page. Anyone who
// sees the accounts may see it: the counts are public on the platforms.
func (s *Service) Latest(ctx context.Context, actor herald.Actor) (map[int64]herald.AccountSnapshot, error) {
	if err := actor.Require(herald.ActAccountsRead); err != nil {
		return nil, err
	}
	out, err := s.store.LatestAccountSnapshots(ctx, actor.WorkspaceID)
	if err != nil {
		return nil, fmt.Errorf("analytics: latest snapshots: %w", err)
	}
	return out, nil
}
