package inbox

import (
	"encoding/csv"
	"fmt"
	"io"
	"strconv"
	"time"
)

// reportHeader is the CSV's first row.
var reportHeader = []string{"section", "key", "label", "items", "answered", "median_first_response_minutes",
	"p90_first_response_minutes", "within_target", "resolved", "median_resolution_minutes", "p90_resolution_minutes"}

// minutes writes d in minutes with one decimal.
func minutes(d time.Duration) string { return strconv.FormatFloat(d.Minutes(), 'f', 1, 64) }

// WriteCSV writes the report as one table: the total, then a row per
// member, account and week, then the volumes by kind and sentiment (whose
// other columns are empty). Times are in minutes.
func (r Report) WriteCSV(w io.Writer) error {
	cw := csv.NewWriter(w)
	row := func(section string, g Group) []string {
		return []string{section, g.Key, g.Label, strconv.Itoa(g.Items), strconv.Itoa(g.Answered), minutes(g.MedianFirst),
			minutes(g.P90First), strconv.Itoa(g.WithinTarget), strconv.Itoa(g.Resolved), minutes(g.MedianResolve),
			minutes(g.P90Resolve)}
	}
	rows := [][]string{reportHeader, row("total", Group{Key: "all", Label: "All items", Stats: r.Total})}
	for _, s := range []struct {
		name string
		gs   []Group
	}{{"member", r.ByMember}, {"account", r.ByAccount}, {"week", r.ByWeek}} {
		for _, g := range s.gs {
			rows = append(rows, row(s.name, g))
		}
	}
	for _, s := range []struct {
		name string
		cs   []Count
	}{{"kind", r.ByKind}, {"sentiment", r.BySentiment}} {
		for _, c := range s.cs {
			rows = append(rows, []string{s.name, c.Key, c.Key, strconv.Itoa(c.Items), "", "", "", "", "", "", ""})
		}
	}
	if err := cw.WriteAll(rows); err != nil {
		return fmt.Errorf("inbox: report csv: %w", err)
	}
	return nil
}
