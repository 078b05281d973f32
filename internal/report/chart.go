package report

import (
	"math"
	"time"
)

// Chart geometry, in millimetres.
const (
	chartLegendH = 7.0
	chartPlotH   = 58.0
	chartLabelsH = 7.0
	chartAxisL   = 16.0 // room for the engagements' tick labels
	chartAxisR   = 12.0 // room for the posts' tick labels
	chartH       = chartLegendH + chartPlotH + chartLabelsH
	chartXLabels = 9 // at most this many dates under the chart
)

// barsDark is the posts' axis labels: the bars' hue, dark enough to read.
var barsDark = rgb{90, 110, 140}

// chart draws engagements per day as a line (broken where a day has no
// engagement count) on the left axis and posts per day as bars on the
// right axis, over the days of the period.
func (d *doc) chart() {
	p := d.pdf
	days := d.in.Overview.Days
	d.heading("Engagements and posts per day", chartH)
	top := p.GetY()
	x0, x1 := marginX+chartAxisL, marginX+contentW-chartAxisR
	y0 := top + chartLegendH
	y1 := y0 + chartPlotH // the baseline
	var maxE, maxP int64
	givenDays := 0
	for _, day := range days {
		if day.Engagements.Given() {
			maxE = max(maxE, day.Engagements.Value)
			givenDays++
		}
		maxP = max(maxP, int64(day.Posts))
	}
	gaps := givenDays > 0 && givenDays < len(days)

	// The legend.
	lx := marginX
	p.SetDrawColor(accent.r, accent.g, accent.b)
	p.SetLineWidth(0.6)
	p.Line(lx, top+2.5, lx+6, top+2.5)
	d.style(8, "", ink)
	p.SetXY(lx+7, top)
	label := d.cp.encode("Engagements (left axis)")
	d.put(p.GetStringWidth(string(label))+2*cellPad, 5, label, "", "L", false)
	lx = p.GetX() + 5
	p.SetFillColor(bars.r, bars.g, bars.b)
	p.Rect(lx, top+1, 3, 3, "F")
	p.SetXY(lx+4, top)
	label = d.cp.encode("Posts (right axis)")
	d.put(p.GetStringWidth(string(label))+2*cellPad, 5, label, "", "L", false)
	if gaps {
		d.style(7.5, "", muted)
		lx = p.GetX() + 5
		p.SetXY(lx, top)
		d.put(marginX+contentW-lx, 5, d.fit("The line breaks on days without an engagement count.", marginX+contentW-lx), "", "R", false)
	}

	// The scales: both axes share the gridlines, so the posts' scale has
	// as many intervals as the engagements'.
	eStep := niceStep(float64(maxE) / 5)
	k := max(1, (maxE+eStep-1)/eStep)
	pStep := niceStep(float64(maxP) / float64(k))
	eTop, pTop := float64(k*eStep), float64(k*pStep)
	yOf := func(v, top float64) float64 { return y1 - v/top*chartPlotH }

	p.SetLineWidth(0.15)
	for i := int64(0); i <= k; i++ {
		y := yOf(float64(i*eStep), eTop)
		if i > 0 {
			p.SetDrawColor(228, 232, 238)
			p.Line(x0, y, x1, y)
		}
		d.style(6.5, "", accent)
		p.SetXY(marginX, y-2)
		d.put(chartAxisL-1, 4, enc(fmtIntASCII(i*eStep)), "", "R", false)
		d.style(6.5, "", barsDark)
		p.SetXY(x1+1, y-2)
		d.put(chartAxisR-1, 4, enc(fmtIntASCII(i*pStep)), "", "L", false)
	}

	n := len(days)
	if n == 0 {
		d.axes(x0, x1, y0, y1)
		d.chartNote(x0, x1, y0, "No days in this period.")
		p.SetXY(marginX, top+chartH)
		return
	}
	if maxP == 0 && givenDays == 0 {
		d.chartNote(x0, x1, y0, nothingPublished)
	}
	slot := (x1 - x0) / float64(n)
	centre := func(i int) float64 { return x0 + (float64(i)+0.5)*slot }

	// Posts: bars.
	bw := min(slot*0.6, 8)
	p.SetFillColor(bars.r, bars.g, bars.b)
	for i, day := range days {
		if day.Posts > 0 {
			y := yOf(float64(day.Posts), pTop)
			p.Rect(centre(i)-bw/2, y, bw, y1-y, "F")
		}
	}

	// Engagements: a line through the days that give them, broken at the
	// days that do not; a day alone between gaps is a dot.
	p.SetDrawColor(accent.r, accent.g, accent.b)
	p.SetFillColor(accent.r, accent.g, accent.b)
	p.SetLineWidth(0.5)
	p.SetLineJoinStyle("round")
	p.SetLineCapStyle("round")
	given := func(i int) bool { return i >= 0 && i < n && days[i].Engagements.Given() }
	for i := range days {
		if !given(i) {
			continue
		}
		y := yOf(float64(days[i].Engagements.Value), eTop)
		if given(i + 1) {
			p.Line(centre(i), y, centre(i+1), yOf(float64(days[i+1].Engagements.Value), eTop))
		}
		if n <= 31 || (!given(i-1) && !given(i+1)) {
			p.Circle(centre(i), y, 0.55, "F")
		}
	}
	p.SetLineCapStyle("butt")
	p.SetLineJoinStyle("miter")

	d.axes(x0, x1, y0, y1)

	// Dates under the chart, evenly spaced, with ticks.
	step := (n + chartXLabels - 1) / chartXLabels
	d.style(6.5, "", muted)
	p.SetDrawColor(muted.r, muted.g, muted.b)
	p.SetLineWidth(0.2)
	for i := 0; i < n; i += step {
		x := centre(i)
		p.Line(x, y1, x, y1+1.2)
		text := days[i].Date
		if t, err := time.Parse(time.DateOnly, days[i].Date); err == nil {
			text = t.Format("2 Jan")
		}
		p.SetXY(x-10, y1+1.5)
		d.put(20, 4, d.cp.encode(text), "", "C", false)
	}
	p.SetXY(marginX, top+chartH)
}

// chartNote writes a note in the middle of the plot.
func (d *doc) chartNote(x0, x1, y0 float64, note string) {
	d.style(9, "", muted)
	d.pdf.SetXY(x0, y0+chartPlotH/2-3)
	d.put(x1-x0, 6, d.cp.encode(note), "", "C", false)
}

// axes draws the chart's frame: the baseline and both vertical axes.
func (d *doc) axes(x0, x1, y0, y1 float64) {
	p := d.pdf
	p.SetDrawColor(muted.r, muted.g, muted.b)
	p.SetLineWidth(0.25)
	p.Line(x0, y1, x1, y1)
	p.Line(x0, y0, x0, y1)
	p.Line(x1, y0, x1, y1)
}

// niceStep is the smallest of 1, 2 and 5 times a power of ten that is at
// least raw, and at least 1 (the chart counts whole things).
func niceStep(raw float64) int64 {
	if raw <= 1 {
		return 1
	}
	mag := math.Pow(10, math.Floor(math.Log10(raw)))
	for _, m := range []float64{1, 2, 5} {
		if s := m * mag; s >= raw {
			return int64(math.Round(s))
		}
	}
	return int64(math.Round(10 * mag))
}

// fmtIntASCII is fmtInt for a number that is never negative: plain ASCII,
// so it needs no encoding.
func fmtIntASCII(n int64) string { return fmtInt(max(n, 0)) }
