package analytics

import (
	"encoding/csv"
	"fmt"
	"io"
	"strconv"
)

// WriteCSV writes every table of the overview: one row per figure set,
// first column naming the table (total, previous, day, account, platform,
// campaign, label, top, bottom, growth; growth rows fill only the followers_
// columns). A count not given is empty, as is a rate without data.
func (o Overview) WriteCSV(w io.Writer) error {
	c := csv.NewWriter(w)
	head := []string{"table", "key", "label", "posts", "measured", "likes", "reposts", "replies", "quotes",
		"impressions", "engagements", "followers_at_publishing", "engagement_rate_by_followers",
		"engagement_rate_by_impressions", "followers_start", "followers_end", "followers_change",
		"clicks", "unique_clicks", "click_through_rate", "click_rate_by_followers", "conversions", "conversion_rate", "revenue"}
	if err := c.Write(head); err != nil {
		return fmt.Errorf("analytics: csv: %w", err)
	}
	row := func(table, key, label string, f Figures) []string {
		return []string{table, key, label, strconv.Itoa(f.Posts), strconv.Itoa(f.Measured), cell(f.Likes),
			cell(f.Reposts), cell(f.Replies), cell(f.Quotes), cell(f.Impressions), cell(f.Engagements),
			cell(f.Followers), rateCell(f.RateByFollowers), rateCell(f.RateByImpressions), "", "", "",
			cell(f.Clicks), cell(f.UniqueClicks), rateCell(f.CTR), rateCell(f.CTRByFollowers), cell(f.Conversions),
			rateCell(f.ConversionRate), money(f.Revenue)}
	}
	rows := [][]string{
		row("total", o.Period.From.Format("2006-01-02"), "this period", o.Current),
		row("previous", o.Previous.From.Format("2006-01-02"), "previous period", o.Prior),
	}
	for _, d := range o.Days {
		rows = append(rows, row("day", d.Date, d.Date, d.Figures))
	}
	for _, g := range []struct {
		name string
		list []Breakdown
	}{{"account", o.ByAccount}, {"platform", o.ByPlatform}, {"campaign", o.ByCampaign}, {"label", o.ByLabel}} {
		for _, x := range g.list {
			rows = append(rows, row(g.name, x.Key, x.Label, x.Figures))
		}
	}
	for _, g := range []struct {
		name string
		list []PostFigures
	}{{"top", o.Top}, {"bottom", o.Bottom}} {
		for _, p := range g.list {
			var f Figures
			f.Add(p.TargetStats)
			rows = append(rows, row(g.name, strconv.FormatInt(p.TargetID, 10), p.Title+" ("+p.Account+")", f))
		}
	}
	for _, g := range o.Growth {
		r := make([]string, len(head))
		r[0], r[1], r[2] = "growth", strconv.FormatInt(g.AccountID, 10), g.Account
		r[14], r[15] = followers(g.Start), followers(g.End)
		if g.Known {
			r[16] = strconv.FormatInt(g.Change, 10)
		}
		rows = append(rows, r)
	}
	if err := c.WriteAll(rows); err != nil {
		return fmt.Errorf("analytics: csv: %w", err)
	}
	return nil
}

func followers(n int64) string {
	if n < 0 {
		return ""
	}
	return strconv.FormatInt(n, 10)
}

// money writes cents as units with two decimals, empty when not given.
func money(c Sum) string {
	if !c.Given() {
		return ""
	}
	v, sign := c.Value, ""
	if v < 0 {
		v, sign = -v, "-"
	}
	return fmt.Sprintf("%s%d.%02d", sign, v/100, v%100)
}

func cell(c Sum) string {
	if !c.Given() {
		return ""
	}
	return strconv.FormatInt(c.Value, 10)
}

func rateCell(r Rate) string {
	v, ok := r.Value()
	if !ok {
		return ""
	}
	return strconv.FormatFloat(v, 'f', 6, 64)
}
