package web

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/heraldsocial/herald/internal/analytics"
	"github.com/heraldsocial/herald/internal/herald"
)

// analyticsRoutes registers the analytics overview and its CSV.
func (h *Handler) analyticsRoutes(m *http.ServeMux) {
	if h.d.Analytics == nil {
		return
	}
	m.Handle("GET /w/{ws}/analytics", h.inWorkspace(h.analyticsPage))
	m.Handle("GET /w/{ws}/analytics.csv", h.inWorkspace(h.analyticsCSV))
}

// analyticsData is the overview page.
type analyticsData struct {
	Query    analytics.Query
	Overview analytics.Overview
	// Custom says the period is a span of days rather than a preset.
	Custom bool
	Err    *herald.Error
	// Best is the best-time grid of BestAccount (0: every account).
	Best        analytics.BestTimes
	BestAccount int64
	Accounts    []herald.Account
	Campaigns   []herald.Campaign
	// Reports says the PDF and the scheduled reports are offered; Links
	// the links and conversions page.
	Reports bool
	Links   bool
}

// analyticsQuery reads the period and the rate from the address.
func analyticsQuery(r *http.Request) analytics.Query {
	q := r.URL.Query()
	out := analytics.Query{From: strings.TrimSpace(q.Get("from")), To: strings.TrimSpace(q.Get("to")),
		Rate: analytics.Denominator(q.Get("rate"))}
	out.AccountID, _ = strconv.ParseInt(q.Get("view_account"), 10, 64)
	out.CampaignID, _ = strconv.ParseInt(q.Get("campaign"), 10, 64)
	if out.From == "" && out.To == "" {
		out.Days, _ = strconv.Atoi(q.Get("days"))
		if out.Days == 0 && q.Get("days") != "" {
			out.Days = -1 // not a number: said as a bad period
		}
	}
	return out
}

func (h *Handler) analyticsPage(w http.ResponseWriter, r *http.Request, p *page) error {
	if err := p.Actor.Require(herald.ActAnalyticsRead); err != nil {
		return err
	}
	d := analyticsData{Query: analyticsQuery(r)}
	d.Custom = d.Query.From != "" || d.Query.To != ""
	d.Query.Rate = h.defaultRate(r.Context(), p, d.Query.Rate)
	d.Links = h.d.Links != nil
	var err error
	d.BestAccount, _ = strconv.ParseInt(r.URL.Query().Get("account"), 10, 64)
	if d.Accounts, err = h.d.Accounts.List(r.Context(), p.Actor); err != nil {
		return err
	}
	if !slices.ContainsFunc(d.Accounts, func(a herald.Account) bool { return a.ID == d.BestAccount }) {
		d.BestAccount = 0
	}
	// The grid by the overview's rate; a rate that is not valid is said
	// by the overview, and the 28 days shown instead use the default.
	rate := d.Query.Rate
	if !rate.Valid() {
		rate = ""
	}
	o, best, err := h.d.Analytics.Page(r.Context(), p.Actor, d.Query, d.BestAccount, rate)
	status := http.StatusOK
	if err != nil {
		var he *herald.Error
		if !errors.As(err, &he) || he.Code != herald.CodeInvalid {
			return err
		}
		// A bad period is said on the page, over the last 28 days.
		d.Err, status = he, http.StatusUnprocessableEntity
		if o, best, err = h.d.Analytics.Page(r.Context(), p.Actor, analytics.Query{Days: 28}, d.BestAccount, ""); err != nil {
			return err
		}
	}
	d.Overview, d.Best = o, best
	d.Reports = h.d.Reports != nil
	if d.Campaigns, err = h.d.Campaigns.List(r.Context(), p.Actor); err != nil {
		return err
	}
	p.Title = "Analytics"
	h.render(w, r, status, analyticsPage(p, d))
	return nil
}

func (h *Handler) analyticsCSV(w http.ResponseWriter, r *http.Request, p *page) error {
	o, err := h.d.Analytics.Overview(r.Context(), p.Actor, analyticsQuery(r))
	if err != nil {
		return err
	}
	w.Header().Set("Content-Type", "text/csv; charset=utf-8")
	w.Header().Set("Content-Disposition", fmt.Sprintf(`attachment; filename="analytics-%s-%s.csv"`,
		o.Period.From.Format("20060102"), o.Period.To.AddDate(0, 0, -1).Format("20060102")))
	return o.WriteCSV(w)
}

// analyticsURL is the overview's address with the query's period.
func analyticsURL(workspaceID int64, q analytics.Query, rate analytics.Denominator) string {
	v := []string{}
	if q.From != "" || q.To != "" {
		v = append(v, "from="+q.From, "to="+q.To)
	} else if q.Days != 0 {
		v = append(v, "days="+strconv.Itoa(q.Days))
	}
	if rate != "" {
		v = append(v, "rate="+string(rate))
	}
	if q.AccountID != 0 {
		v = append(v, "view_account="+strconv.FormatInt(q.AccountID, 10))
	}
	if q.CampaignID != 0 {
		v = append(v, "campaign="+strconv.FormatInt(q.CampaignID, 10))
	}
	u := wsURL(workspaceID) + "analytics"
	if len(v) > 0 {
		u += "?" + strings.Join(v, "&")
	}
	return u
}

// fmtCount writes a count, or "not given".
func fmtCount(c analytics.Sum) string { return c.Text() }

// fmtInt writes n with thousands separators.
func fmtInt(n int64) string { return analytics.Thousands(n) }

// ctrOf is the click-through rate by impressions where any tracked post
// gives impressions, else per follower.
func ctrOf(f analytics.Figures) analytics.Rate {
	if f.CTR.Posts > 0 || f.CTRByFollowers.Posts == 0 {
		return f.CTR
	}
	return f.CTRByFollowers
}

// ctrLabel says which click-through rate ctrOf gave.
func ctrLabel(f analytics.Figures) string {
	if f.CTR.Posts > 0 || f.CTRByFollowers.Posts == 0 {
		return "Click-through rate"
	}
	return "Clicks per follower"
}

// fmtMoney writes a sum of cents, or "not given".
func fmtMoney(c analytics.Sum) string {
	if !c.Given() {
		return "not given"
	}
	return analytics.Money(c.Value)
}

// fmtRate writes a rate as a percentage with two decimals, or "no data".
func fmtRate(r analytics.Rate) string { return r.Percent() }

// fmtChange writes the change from prior to now, or "" with nothing to
// compare.
func fmtChange(now, prior float64, ok bool) string {
	if !ok || prior == 0 {
		return ""
	}
	d := (now - prior) / prior * 100
	sign := "+"
	if d < 0 {
		sign = "−"
		d = -d
	}
	return sign + strconv.FormatFloat(d, 'f', 0, 64) + " % on the previous period"
}

// countChange compares two counts.
func countChange(now, prior analytics.Sum) string {
	return fmtChange(float64(now.Value), float64(prior.Value), now.Given() && prior.Given())
}

// rateChange compares two rates.
func rateChange(now, prior analytics.Rate) string {
	a, okA := now.Value()
	b, okB := prior.Value()
	return fmtChange(a, b, okA && okB)
}

// groupLabel names a breakdown's row: platforms by their names.
func groupLabel(by string, g analytics.Breakdown) string {
	if by == "platform" {
		return platformName(herald.Platform(g.Key))
	}
	return g.Label
}

// csvURL is a page address's CSV twin (…/analytics?x → …/analytics.csv?x).
func csvURL(u string) string {
	path, query, found := strings.Cut(u, "?")
	if found {
		return path + ".csv?" + query
	}
	return path + ".csv"
}

// pdfURL is a page address's PDF twin.
func pdfURL(u string) string {
	path, query, found := strings.Cut(u, "?")
	if found {
		return path + ".pdf?" + query
	}
	return path + ".pdf"
}

// analyticsPostTitle names a post in the tables.
func analyticsPostTitle(title string) string {
	if strings.TrimSpace(title) == "" {
		return "Untitled post"
	}
	return title
}

// fmtFollowers writes a follower count, or "not given".
func fmtFollowers(n int64) string {
	if n < 0 {
		return "not given"
	}
	return fmtInt(n)
}

// signed writes a change with its sign.
func signed(n int64) string {
	if n > 0 {
		return "+" + fmtInt(n)
	}
	if n < 0 {
		return "−" + fmtInt(-n)
	}
	return "0"
}

// one is a single post's count.
func one(v int64) analytics.Sum { return analytics.One(v) }

// daysAsGroups lets the day table share the breakdowns' table.
func daysAsGroups(days []analytics.Day) []analytics.Breakdown {
	out := make([]analytics.Breakdown, len(days))
	for i, d := range days {
		out[i] = analytics.Breakdown{Key: d.Date, Label: d.Date, Figures: d.Figures}
	}
	return out
}

// labelled names a breakdown's rows for the page.
func labelled(by string, gs []analytics.Breakdown) []analytics.Breakdown {
	out := make([]analytics.Breakdown, len(gs))
	for i, g := range gs {
		g.Label = groupLabel(by, g)
		out[i] = g
	}
	return out
}

// analyticsChart is what analytics.js draws: the days with their
// engagements (null where none was given) and posts, and each account's
// daily followers.
type analyticsChart struct {
	Days        []int64          `json:"days"` // Unix seconds at each day's start
	Engagements []*int64         `json:"engagements"`
	Posts       []int            `json:"posts"`
	Growth      []analyticsTrend `json:"growth"`
}

type analyticsTrend struct {
	Label     string  `json:"label"`
	At        []int64 `json:"at"`
	Followers []int64 `json:"followers"`
}

func chartData(o analytics.Overview) analyticsChart {
	c := analyticsChart{Days: []int64{}, Engagements: []*int64{}, Posts: []int{}, Growth: []analyticsTrend{}}
	for i, d := range o.Days {
		c.Days = append(c.Days, o.Period.From.AddDate(0, 0, i).Unix())
		var e *int64
		if d.Engagements.Given() {
			v := d.Engagements.Value
			e = &v
		}
		c.Engagements = append(c.Engagements, e)
		c.Posts = append(c.Posts, d.Posts)
	}
	for _, g := range o.Growth {
		t := analyticsTrend{Label: g.Account, At: []int64{}, Followers: []int64{}}
		for _, s := range g.Daily {
			if s.Followers >= 0 {
				t.At = append(t.At, s.At.Unix())
				t.Followers = append(t.Followers, s.Followers)
			}
		}
		c.Growth = append(c.Growth, t)
	}
	return c
}

// audienceWords writes an account's counts, leaving out those its platform
// does not give.
func audienceWords(s herald.AccountSnapshot) string {
	var parts []string
	for _, c := range []struct {
		n    int64
		noun string
	}{{s.Followers, "followers"}, {s.Following, "following"}, {s.Posts, "posts"}} {
		if c.n >= 0 {
			parts = append(parts, fmtInt(c.n)+" "+c.noun)
		}
	}
	if len(parts) == 0 {
		return "The platform gives no counts for this account"
	}
	return strings.Join(parts, " · ")
}

// performanceView is one published target's curve on the post page.
type performanceView struct {
	Account string
	analytics.TargetHistory
	// Links are the target's tracked links with their counts.
	Links    []herald.LinkStats
	ShortURL func(code string) string
}

// performance loads the post's published targets' histories, when the
// viewer may read analytics.
func (h *Handler) performance(ctx context.Context, p *page, po herald.Post, targets []targetView) ([]performanceView, error) {
	if h.d.Analytics == nil || !p.Can(herald.ActAnalyticsRead) {
		return nil, nil
	}
	hs, err := h.d.Analytics.PostPerformance(ctx, p.Actor, po)
	if err != nil {
		return nil, err
	}
	out := make([]performanceView, 0, len(hs))
	for _, x := range hs {
		v := performanceView{TargetHistory: x}
		for _, tv := range targets {
			if tv.T.ID == x.TargetID {
				v.Account = tv.Account
			}
		}
		if h.d.Links != nil {
			if v.Links, err = h.d.Links.TargetLinks(ctx, p.Actor, p.Current.ID, x.TargetID); err != nil {
				return nil, err
			}
			v.ShortURL = h.d.Links.ShortURL
		}
		out = append(out, v)
	}
	return out, nil
}

// sincePublishing writes how long after publishing a reading was taken.
func sincePublishing(published, at time.Time) string {
	d := at.Sub(published)
	switch {
	case d < time.Hour:
		return strconv.Itoa(int(d.Minutes())) + " min"
	case d < 48*time.Hour:
		return strconv.Itoa(int(d.Hours())) + " h"
	}
	return strconv.Itoa(int(d.Hours()/24)) + " days"
}

// performanceChart is what analytics.js draws on the post page: per
// target, the readings' times and engagements.
type performanceChart struct {
	Targets []analyticsTrend `json:"targets"`
}

func performanceData(ps []performanceView) performanceChart {
	c := performanceChart{Targets: []analyticsTrend{}}
	for _, p := range ps {
		t := analyticsTrend{Label: p.Account, At: []int64{}, Followers: []int64{}}
		for _, m := range p.Snapshots {
			f := analytics.SnapshotFigures(m, p.Followers)
			if f.Engagements.Given() {
				t.At = append(t.At, m.At.Unix())
				t.Followers = append(t.Followers, f.Engagements.Value)
			}
		}
		c.Targets = append(c.Targets, t)
	}
	return c
}

// pctOf writes a rate as a percentage with two decimals.
func pctOf(v float64) string { return strconv.FormatFloat(v*100, 'f', 2, 64) + " %" }

// heatRows are the grid's rows, Monday first.
var heatRows = []time.Weekday{time.Monday, time.Tuesday, time.Wednesday, time.Thursday, time.Friday, time.Saturday, time.Sunday}

// heatLevel shades a cell 1 (lowest) to 4 (highest) by its median among
// the cells with enough data; 0 for too little data.
func heatLevel(b analytics.BestTimes, c analytics.Cell) int {
	if !c.Enough {
		return 0
	}
	var lo, hi float64
	first := true
	for _, row := range b.Cells {
		for _, x := range row {
			if !x.Enough {
				continue
			}
			if first || x.Median < lo {
				lo = x.Median
			}
			if first || x.Median > hi {
				hi = x.Median
			}
			first = false
		}
	}
	if hi <= lo {
		return 4
	}
	return 1 + int(3*(c.Median-lo)/(hi-lo)+0.5)
}

// heatClass is a cell's CSS class.
func heatClass(b analytics.BestTimes, c analytics.Cell) string {
	return "heat heat-" + strconv.Itoa(heatLevel(b, c))
}

// cellWords describes a cell for its title and screen readers.
func cellWords(c analytics.Cell) string {
	if !c.Enough {
		return "not enough data (" + count(c.Posts, "post") + ")"
	}
	return "median " + pctOf(c.Median) + ", band " + pctOf(c.Low) + "–" + pctOf(c.High) + ", " + count(c.Posts, "post")
}

// scopeName says whose posts the overview keeps: "@acme's posts", "the
// campaign Spring's posts", or "" for all.
func scopeName(d analyticsData) string {
	var parts []string
	for _, a := range d.Accounts {
		if a.ID == d.Query.AccountID {
			parts = append(parts, a.Handle+"'s posts")
		}
	}
	for _, c := range d.Campaigns {
		if c.ID == d.Query.CampaignID {
			parts = append(parts, "posts of the campaign "+c.Name)
		}
	}
	return strings.Join(parts, ", ")
}
