package report

// column is one column of a table: its title, width in millimetres and
// alignment ("L" or "R").
type column struct {
	title string
	w     float64
	align string
}

// Table geometry: body rows are one line of 8-point text; the header may
// wrap to two lines of 7.5-point bold.
const (
	rowH        = 5.6
	headLineH   = 3.6
	headPad     = 1.2
	tableSize   = 8.0
	tableHead   = 7.5
	minRowsKept = 3 // rows kept with a table's header at a page's foot
)

// table draws rows under a header row, across pages: when the next row
// does not fit, a new page starts with the header repeated. Every cell is
// cut with an ellipsis to fit its column; the first names the row, in
// bold. The header never stands alone at a page's foot.
func (d *doc) table(cols []column, rows [][]string) {
	p := d.pdf
	head := d.tableHeader(cols)
	hh := d.headHeight(head)
	d.ensure(hh + rowH*float64(min(len(rows), minRowsKept)))
	d.drawHeader(cols, head, hh)
	for i, row := range rows {
		if p.GetY()+rowH > contentLimit {
			p.AddPage()
			d.drawHeader(cols, head, hh)
		}
		d.style(tableSize, "", ink)
		if i%2 == 1 {
			p.SetFillColor(wash.r, wash.g, wash.b)
		}
		y := p.GetY()
		p.SetX(marginX)
		for c, col := range cols {
			text := ""
			if c < len(row) {
				text = row[c]
			}
			if c == 0 {
				d.style(tableSize, "B", ink)
			} else if text == notGiven || text == noData || text == notEnoughCounts {
				d.style(tableSize, "", muted)
			} else {
				d.style(tableSize, "", ink)
			}
			d.put(col.w, rowH, d.fit(text, col.w), "", col.align, i%2 == 1)
		}
		p.SetY(y + rowH)
	}
	p.SetDrawColor(line.r, line.g, line.b)
	p.SetLineWidth(0.2)
	p.Line(marginX, p.GetY(), marginX+width(cols), p.GetY())
}

// tableHeader is each column's title, wrapped to at most two lines.
func (d *doc) tableHeader(cols []column) [][]enc {
	d.style(tableHead, "B", muted)
	out := make([][]enc, len(cols))
	for i, c := range cols {
		lines := d.wrap(d.cp.encode(c.title), c.w)
		if len(lines) > 2 {
			lines = []enc{lines[0], d.fitEnc(lines[1]+" "+lines[2], c.w)}
		}
		out[i] = lines
	}
	return out
}

// headHeight is the header row's height.
func (d *doc) headHeight(head [][]enc) float64 {
	n := 1
	for _, h := range head {
		n = max(n, len(h))
	}
	return float64(n)*headLineH + 2*headPad
}

// drawHeader draws the header row, titles at its foot, over a rule.
func (d *doc) drawHeader(cols []column, head [][]enc, hh float64) {
	p := d.pdf
	y := p.GetY()
	d.style(tableHead, "B", muted)
	x := marginX
	lines := int((hh - 2*headPad) / headLineH)
	for i, c := range cols {
		top := y + headPad + float64(lines-len(head[i]))*headLineH
		for j, l := range head[i] {
			p.SetXY(x, top+float64(j)*headLineH)
			d.put(c.w, headLineH, l, "", c.align, false)
		}
		x += c.w
	}
	p.SetDrawColor(line.r, line.g, line.b)
	p.SetLineWidth(0.3)
	p.Line(marginX, y+hh, marginX+width(cols), y+hh)
	p.SetXY(marginX, y+hh)
}

func width(cols []column) float64 {
	w := 0.0
	for _, c := range cols {
		w += c.w
	}
	return w
}
