package report

import (
	"cmp"
	"fmt"
	"slices"
	"strconv"

	"github.com/heraldsocial/herald/internal/analytics"
	"github.com/heraldsocial/herald/internal/herald"
)

// Words shown where there is nothing to show.
const (
	nothingPublished = "Nothing was published in this period."
	notEnoughCounts  = "not enough counts yet"
)

// tableKeep is the height a table's heading keeps with it: a two-line
// header and its first rows.
const tableKeep = 2*headLineH + 2*headPad + minRowsKept*rowH

// period says which days the report covers and what they are compared
// with.
func (d *doc) period() {
	o := d.in.Overview
	if !o.Period.From.IsZero() {
		zone := cmp.Or(o.Zone, d.loc.String())
		last := o.Period.To.In(d.loc).AddDate(0, 0, -1)
		prevFirst, prevLast := o.Previous.From.In(d.loc), o.Previous.To.In(d.loc).AddDate(0, 0, -1)
		d.paragraph(fmt.Sprintf("Posts published from %s to %s (%s, %s), compared with the previous period of the same length, %s – %s.",
			day(o.Period.From.In(d.loc)), day(last), count(o.Period.Days(), "day"), zone,
			prevFirst.Format("2 Jan"), prevLast.Format("2 Jan 2006")), 9.5, "", ink)
	}
	d.paragraph("Counts are the latest read from each platform. \""+notGiven+"\" marks a count no platform gave; "+
		"\""+noData+"\" a rate without a denominator.", 8.5, "", muted)
	if o.Current.Posts == 0 {
		d.pdf.SetY(d.pdf.GetY() + 2)
		d.paragraph(nothingPublished, 11, "B", ink)
	}
	d.pdf.SetY(d.pdf.GetY() + 4)
}

// stat is one totals box.
type stat struct {
	label, value, change, note string
}

// totals draws the period's headline figures in four boxes.
func (d *doc) totals() {
	o := d.in.Overview
	cur, prior, rate := o.Current, o.Prior, o.Rate
	r := cur.Rate(rate)
	stats := []stat{
		{"Posts published", fmtInt(int64(cur.Posts)),
			countChange(analytics.Sum{Value: int64(cur.Posts), Posts: 1}, analytics.Sum{Value: int64(prior.Posts), Posts: 1}), ""},
		{"Engagements", fmtCount(cur.Engagements), countChange(cur.Engagements, prior.Engagements), ""},
		{"Engagement rate by " + string(rate), fmtRate(r), rateChange(r, prior.Rate(rate)),
			"over " + count(r.Posts, "post") + " that give both"},
		{"Impressions", fmtCount(cur.Impressions), countChange(cur.Impressions, prior.Impressions), ""},
	}
	const (
		gap    = 3.0
		inset  = 2.0 // plus the cell's own padding
		labelH = 3.8
		valueH = 8.0
		smallH = 3.4
	)
	bw := (contentW - gap*float64(len(stats)-1)) / float64(len(stats))
	tw := bw - 2*inset
	type laid struct{ label, change, note []enc }
	boxes := make([]laid, len(stats))
	var nLabel, nChange, nNote int
	for i, s := range stats {
		d.style(8, "B", muted)
		boxes[i].label = d.wrap(d.cp.encode(s.label), tw)
		d.style(7.5, "", ink)
		boxes[i].change = d.wrap(d.cp.encode(s.change), tw)
		if s.note != "" {
			boxes[i].note = d.wrap(d.cp.encode(s.note), tw)
		}
		nLabel = max(nLabel, len(boxes[i].label))
		nChange = max(nChange, len(boxes[i].change))
		nNote = max(nNote, len(boxes[i].note))
	}
	bh := 2*inset + float64(nLabel)*labelH + valueH + float64(nChange+nNote)*smallH + 1
	p := d.pdf
	d.ensure(bh)
	y := p.GetY()
	for i, s := range stats {
		x := marginX + float64(i)*(bw+gap)
		p.SetFillColor(wash.r, wash.g, wash.b)
		p.SetDrawColor(line.r, line.g, line.b)
		p.SetLineWidth(0.2)
		p.RoundedRect(x, y, bw, bh, 1.5, "1234", "FD")
		ty := y + inset
		d.style(8, "B", muted)
		for _, l := range boxes[i].label {
			p.SetXY(x+inset, ty)
			d.put(tw, labelH, l, "", "L", false)
			ty += labelH
		}
		ty = y + inset + float64(nLabel)*labelH
		if s.value == notGiven || s.value == noData {
			d.style(13, "B", muted)
		} else {
			d.style(16, "B", ink)
		}
		p.SetXY(x+inset, ty)
		d.put(tw, valueH, d.fit(s.value, tw), "", "L", false)
		ty += valueH
		d.style(7.5, "", ink)
		for _, l := range boxes[i].change {
			p.SetXY(x+inset, ty)
			d.put(tw, smallH, l, "", "L", false)
			ty += smallH
		}
		d.style(7.5, "", muted)
		for _, l := range boxes[i].note {
			p.SetXY(x+inset, ty)
			d.put(tw, smallH, l, "", "L", false)
			ty += smallH
		}
	}
	p.SetXY(marginX, y+bh)
}

// growth is each account's followers at the period's start and end.
func (d *doc) growth() {
	o := d.in.Overview
	d.heading("Follower growth", tableKeep)
	if len(o.Growth) == 0 {
		d.paragraph("No account's followers have been read yet. Herald reads them once a day.", 9, "", muted)
		return
	}
	cols := []column{{"Account", 78, "L"}, {"Followers at the start", 34, "R"}, {"Now", 34, "R"}, {"Change", 34, "R"}}
	rows := make([][]string, 0, len(o.Growth))
	for _, g := range o.Growth {
		ch := notEnoughCounts
		if g.Known {
			ch = signed(g.Change)
		}
		rows = append(rows, []string{g.Account, fmtFollowers(g.Start), fmtFollowers(g.End), ch})
	}
	d.table(cols, rows)
}

// posts lists the top and bottom posts by engagements.
func (d *doc) posts() {
	o := d.in.Overview
	d.heading("Top posts", tableKeep)
	switch {
	case len(o.Top) > 0:
		d.table(d.postColumns(), d.postRows(o.Top))
	case o.Current.Posts == 0:
		d.paragraph(nothingPublished, 9, "", muted)
	default:
		d.paragraph("No post in this period has counts yet. Herald reads them 10 minutes, 1 hour, 6 hours and "+
			"24 hours after publishing, then daily for 30 days.", 9, "", muted)
	}
	if len(o.Bottom) > 0 {
		d.subheading("Bottom posts", tableKeep)
		d.table(d.postColumns(), d.postRows(o.Bottom))
	}
}

// postColumns are the web page's columns for posts.
func (d *doc) postColumns() []column {
	return []column{{"Post", 46, "L"}, {"Account", 28, "L"}, {"Published", 28, "L"}, {"Engagements", 21, "R"},
		{"Likes", 14, "R"}, {"Reposts", 14, "R"}, {"Replies", 14, "R"}, {"Rate by followers", 15, "R"}}
}

func (d *doc) postRows(ps []analytics.PostFigures) [][]string {
	rows := make([][]string, 0, len(ps))
	for _, x := range ps {
		rows = append(rows, []string{postTitle(x.Title), x.Account, x.PublishedAt.In(d.loc).Format("2 Jan 2006 15:04"),
			fmtInt(x.Engagements), fmtCount(one(x.Likes)), fmtCount(one(x.Reposts)), fmtCount(one(x.Replies)),
			fmtRate(analytics.Rate{Numerator: x.Engagements, Denominator: x.Followers, Posts: 1})})
	}
	return rows
}

// breakdowns are the figures by account, platform, campaign and label.
func (d *doc) breakdowns() {
	o := d.in.Overview
	d.heading("Breakdown", 6+tableKeep)
	platforms := make([]analytics.Breakdown, len(o.ByPlatform))
	for i, g := range o.ByPlatform {
		g.Label = platformName(herald.Platform(g.Key))
		platforms[i] = g
	}
	for _, g := range []struct {
		title, by string
		list      []analytics.Breakdown
		note      string
	}{
		{"By account", "Account", o.ByAccount, ""},
		{"By platform", "Platform", platforms, ""},
		{"By campaign", "Campaign", o.ByCampaign, ""},
		{"By label", "Label", o.ByLabel, "A post with two labels counts under both."},
	} {
		keep := tableKeep
		if len(g.list) == 0 {
			keep = 10
		}
		d.subheading(g.title, keep)
		if g.note != "" {
			d.paragraph(g.note, 8, "", muted)
		}
		if len(g.list) == 0 {
			d.paragraph(nothingPublished, 9, "", muted)
			continue
		}
		d.table(figureColumns(g.by, o.Rate), figureRows(g.list, o.Rate))
	}
}

// figureColumns are the web page's columns for a breakdown.
func figureColumns(by string, rate analytics.Denominator) []column {
	return []column{{by, 48, "L"}, {"Posts", 12, "R"}, {"Likes", 15, "R"}, {"Reposts", 15, "R"},
		{"Replies", 15, "R"}, {"Quotes", 15, "R"}, {"Impressions", 19, "R"}, {"Engagements", 21, "R"},
		{"Rate by " + string(rate), 20, "R"}}
}

func figureRows(gs []analytics.Breakdown, rate analytics.Denominator) [][]string {
	rows := make([][]string, 0, len(gs))
	for _, g := range gs {
		rows = append(rows, []string{g.Label, fmtInt(int64(g.Posts)), fmtCount(g.Likes), fmtCount(g.Reposts),
			fmtCount(g.Replies), fmtCount(g.Quotes), fmtCount(g.Impressions), fmtCount(g.Engagements),
			fmtRate(g.Rate(rate))})
	}
	return rows
}

// bestTimes lists the five best hours to post, when given.
func (d *doc) bestTimes() {
	b := d.in.Best
	if b == nil {
		return
	}
	d.heading("Best time to post", 12+tableKeep)
	days := int(analytics.BestTimesHistory.Hours() / 24)
	d.paragraph(fmt.Sprintf("From %s of the last %d days, by engagement rate by %s, in %s. "+
		"An hour needs %d posts before it shows a rate; the band holds the true median at least 90 %% of the time.",
		count(b.Posts, "post"), days, cmp.Or(string(b.Rate), string(analytics.ByFollowers)), cmp.Or(b.Zone, d.loc.String()),
		analytics.MinPostsPerCell), 9, "", ink)
	d.pdf.SetY(d.pdf.GetY() + 2)
	best := b.Best(5)
	if len(best) == 0 {
		d.paragraph(fmt.Sprintf("Not enough data yet: no hour holds %d posts with counts.", analytics.MinPostsPerCell), 9, "", muted)
		return
	}
	cols := []column{{"", 10, "L"}, {"Hour", 60, "L"}, {"Median rate", 30, "R"}, {"Band", 50, "R"}, {"Posts", 30, "R"}}
	rows := make([][]string, 0, len(best))
	for i, c := range best {
		rows = append(rows, []string{strconv.Itoa(i+1) + ".", c.Weekday.String() + " " + hourSpan(c.Hour),
			pct(c.Median), pct(c.Low) + " – " + pct(c.High), fmtInt(int64(c.Posts))})
	}
	d.table(cols, rows)
}

// definitions explains every figure shown, each kept on one page.
func (d *doc) definitions() {
	defs := analytics.Definitions
	if d.in.Best != nil {
		defs = append(slices.Clip(defs), analytics.BestTimeDefinition)
	}
	d.heading("How each figure is computed", 16)
	p := d.pdf
	const nameH, size = 5.0, 8.5
	lh := lineHeight(size)
	for i, def := range defs {
		d.style(size, "", ink)
		lines := d.wrap(d.cp.encode(def.Formula), contentW)
		if i > 0 {
			p.SetY(p.GetY() + 1.5)
		}
		d.ensure(nameH + float64(len(lines))*lh)
		d.style(9, "B", ink)
		p.SetX(marginX)
		d.put(contentW, nameH, d.cp.encode(def.Name), "", "L", false)
		p.SetY(p.GetY() + nameH)
		d.style(size, "", ink)
		for _, l := range lines {
			p.SetX(marginX)
			d.put(contentW, lh, l, "", "L", false)
			p.SetY(p.GetY() + lh)
		}
	}
}
