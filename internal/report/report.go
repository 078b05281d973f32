// Package report renders a workspace's analytics as a PDF document: the
// figures of analytics.Overview (and, when given, the best times to post)
// with their definitions, laid out for A4 paper.
package report

import (
	"cmp"
	"errors"
	"fmt"
	"io"
	"time"

	"codeberg.org/go-pdf/fpdf"

	"github.com/heraldsocial/herald/internal/analytics"
)

// Input is what a report shows.
type Input struct {
	// Workspace is the workspace's name, on every page's header.
	Workspace string
	// Logo is an optional PNG or JPEG image, shown at most 18 mm high in
	// every page's header. An image that cannot be read is an error.
	Logo []byte
	// Title names the report, e.g. "Analytics report", "Campaign: Spring
	// launch" or "Account: @acme"; "" is "Analytics report".
	Title    string
	Overview analytics.Overview
	// Best is the best-time-to-post grid; nil leaves its section out.
	Best *analytics.BestTimes
	// Generated is when the report was made, shown in every page's footer
	// and kept as the document's creation date.
	Generated time.Time
	// Loc is the workspace's time zone, for the dates shown; nil is UTC.
	Loc *time.Location
}

// PDF writes the report to w.
func PDF(w io.Writer, in Input) error {
	return render(w, in, true)
}

// Page geometry, in millimetres (A4 portrait).
const (
	pageW        = 210.0
	pageH        = 297.0
	marginX      = 15.0
	contentW     = pageW - 2*marginX
	headerTop    = 10.0
	logoMaxH     = 18.0
	logoMaxW     = 50.0
	footerRuleY  = pageH - 14.0
	contentLimit = footerRuleY - 3.0 // nothing of the body goes below this
	cellPad      = 1.0               // fpdf's cell margin, each side
)

// ErrLogo is wrapped by the error for a logo that cannot be shown.
var ErrLogo = errors.New("report: the logo is not a PNG or JPEG image that can be read")

// doc is one report being written: the fpdf document and what every page
// shares.
type doc struct {
	pdf  *fpdf.Fpdf
	cp   *encoder
	in   Input
	loc  *time.Location
	logo *logo
	// bodyTop is where a page's body starts, below the header.
	bodyTop float64
}

// render writes the report; compress false leaves the page streams
// readable, for the tests.
func render(w io.Writer, in Input, compress bool) error {
	in.Title = cmp.Or(in.Title, "Analytics report")
	in.Overview.Rate = cmp.Or(in.Overview.Rate, analytics.ByFollowers)
	d := &doc{in: in, loc: in.Loc}
	if d.loc == nil {
		d.loc = time.UTC
	}
	d.pdf = fpdf.New("P", "mm", "A4", "")
	p := d.pdf
	p.SetCompression(compress)
	p.SetCatalogSort(true)
	p.SetMargins(marginX, headerTop, marginX)
	p.SetCellMargin(cellPad)
	// Every break is decided here (tables repeat their header, blocks keep
	// together), so fpdf's own breaking stays off.
	p.SetAutoPageBreak(false, 0)
	p.AliasNbPages("{nb}")
	p.SetTitle(in.Workspace+" – "+in.Title, true)
	p.SetCreator("Herald", false)
	p.SetProducer("Herald", false)
	if !in.Generated.IsZero() {
		p.SetCreationDate(in.Generated)
		p.SetModificationDate(in.Generated)
	}
	d.cp = newEncoder(p.UnicodeTranslatorFromDescriptor(""))
	if err := p.Error(); err != nil {
		return fmt.Errorf("report: %w", err)
	}
	if len(in.Logo) > 0 {
		l, err := registerLogo(p, in.Logo)
		if err != nil {
			return err
		}
		d.logo = l
	}
	p.SetHeaderFunc(d.header)
	p.SetFooterFunc(d.footer)
	p.AddPage()

	d.period()
	d.totals()
	d.chart()
	d.growth()
	d.posts()
	d.breakdowns()
	d.bestTimes()
	d.definitions()

	if err := p.Output(w); err != nil {
		return fmt.Errorf("report: %w", err)
	}
	return nil
}

// header draws the logo, the workspace's name and the report's title,
// the logo and the two lines of text centred on each other.
func (d *doc) header() {
	p := d.pdf
	const textH = 11.0
	x, blockH := marginX, textH
	if d.logo != nil {
		blockH = max(textH, d.logo.h)
		p.ImageOptions(d.logo.name, marginX, headerTop+(blockH-d.logo.h)/2, d.logo.w, d.logo.h, false,
			fpdf.ImageOptions{ImageType: d.logo.kind}, 0, "")
		x += d.logo.w + 5
	}
	textY := headerTop + (blockH-textH)/2
	w := pageW - marginX - x
	d.style(11, "B", ink)
	p.SetXY(x, textY)
	d.put(w, 6, d.fit(d.in.Workspace, w), "", "L", false)
	d.style(9.5, "", muted)
	p.SetXY(x, textY+6)
	d.put(w, 5, d.fit(d.in.Title, w), "", "L", false)
	bottom := headerTop + blockH
	d.rule(bottom + 3)
	d.bodyTop = bottom + 8
	p.SetXY(marginX, d.bodyTop)
}

// footer draws the generation time and "page / pages".
func (d *doc) footer() {
	p := d.pdf
	d.rule(footerRuleY)
	d.style(7.5, "", muted)
	p.SetXY(marginX, footerRuleY+1.5)
	if !d.in.Generated.IsZero() {
		d.put(contentW/2, 4, d.cp.encode("Generated "+d.in.Generated.In(d.loc).Format("Mon 2 Jan 2006 15:04 MST")), "", "L", false)
	}
	p.SetXY(pageW/2, footerRuleY+1.5)
	d.put(contentW/2, 4, enc(fmt.Sprintf("%d / {nb}", p.PageNo())), "", "R", false)
}

// rule draws a thin line across the page at y.
func (d *doc) rule(y float64) {
	p := d.pdf
	p.SetDrawColor(line.r, line.g, line.b)
	p.SetLineWidth(0.2)
	p.Line(marginX, y, pageW-marginX, y)
}

// ensure starts a new page unless h millimetres fit below the current
// position.
func (d *doc) ensure(h float64) {
	if d.pdf.GetY()+h > contentLimit {
		d.pdf.AddPage()
	}
}

// heading starts a section, kept on one page with the first keep
// millimetres of what follows it.
func (d *doc) heading(title string, keep float64) {
	p := d.pdf
	if p.GetY() > d.bodyTop+0.1 {
		p.SetY(p.GetY() + 5)
	}
	d.ensure(8 + keep)
	d.style(12.5, "B", ink)
	p.SetX(marginX)
	d.put(contentW, 7, d.cp.encode(title), "", "L", false)
	p.SetY(p.GetY() + 8)
}

// subheading names a table within a section.
func (d *doc) subheading(title string, keep float64) {
	p := d.pdf
	p.SetY(p.GetY() + 2.5)
	d.ensure(6 + keep)
	d.style(10, "B", ink)
	p.SetX(marginX)
	d.put(contentW, 5.5, d.cp.encode(title), "", "L", false)
	p.SetY(p.GetY() + 6)
}

// paragraph writes wrapped text across the page at the current position,
// keeping it on one page.
func (d *doc) paragraph(text string, size float64, style string, c rgb) {
	d.style(size, style, c)
	lh := lineHeight(size)
	lines := d.wrap(d.cp.encode(text), contentW)
	d.ensure(float64(len(lines)) * lh)
	for _, l := range lines {
		d.pdf.SetX(marginX)
		d.put(contentW, lh, l, "", "L", false)
		d.pdf.SetY(d.pdf.GetY() + lh)
	}
}

// lineHeight is the leading for a font size in points, in millimetres.
func lineHeight(size float64) float64 { return size * 0.3528 * 1.35 }
