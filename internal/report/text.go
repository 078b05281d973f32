package report

import (
	"strings"

	"github.com/rivo/uniseg"
	"golang.org/x/text/unicode/norm"
)

// enc is text in the core fonts' encoding (cp1252), one byte a character,
// ready for fpdf. Text is encoded once, where it is drawn: encoding it
// twice would garble it, which the type guards against.
type enc string

// ellipsis is "…" in cp1252.
const ellipsis = "\x85"

// substitutes stand in for characters cp1252 lacks but that have a plain
// look-alike; a character with neither becomes "?".
var substitutes = map[rune]string{
	'\u2212': "–", // minus sign (the definitions use it): an en dash
	'\u2010': "-", // hyphen
	'\u2011': "-", // non-breaking hyphen
	'\u2002': " ", '\u2003': " ", '\u2007': " ", '\u2009': " ", '\u200a': " ", '\u202f': " ",
	'\u200b': "", '\u200c': "", '\u200d': "", '\ufeff': "", // zero-width
	'\u2264': "<=", '\u2265': ">=",
}

// encoder turns UTF-8 text into enc with fpdf's cp1252 translator.
type encoder struct {
	tr    func(string) string
	known map[rune]bool // whether cp1252 has each rune looked up so far
}

func newEncoder(tr func(string) string) *encoder {
	return &encoder{tr: tr, known: map[rune]bool{}}
}

// has reports whether cp1252 has r. fpdf's translator writes "." for a
// rune its table lacks, which is how it is told apart.
func (e *encoder) has(r rune) bool {
	if r < 0x80 {
		return r >= 0x20 && r != 0x7f
	}
	if r == '\ufffd' {
		return false
	}
	ok, seen := e.known[r]
	if !seen {
		ok = e.tr(string(r)) != "."
		e.known[r] = ok
	}
	return ok
}

// encode encodes s: composed characters first (so that "e" + a combining
// accent is "é"), then each user-perceived character (grapheme cluster)
// that cp1252 cannot show becomes one "?", so that an emoji made of
// several code points is one "?", not garbage. Line breaks and tabs are
// spaces: every text is laid out by this package.
func (e *encoder) encode(s string) enc {
	if s == "" {
		return ""
	}
	if !norm.NFC.IsNormalString(s) {
		s = norm.NFC.String(s)
	}
	var b strings.Builder
	b.Grow(len(s))
	g := uniseg.NewGraphemes(s)
	for g.Next() {
		cluster := g.Str()
		var part strings.Builder
		ok := true
		for _, r := range cluster {
			switch {
			case r == '\n' || r == '\r' || r == '\t':
				part.WriteByte(' ')
			case r == '\u00ad': // a soft hyphen shows nothing where no line breaks
			case e.has(r):
				part.WriteRune(r)
			default:
				if sub, found := substitutes[r]; found {
					part.WriteString(sub)
				} else {
					ok = false
				}
			}
		}
		if ok {
			b.WriteString(part.String())
		} else {
			b.WriteByte('?')
		}
	}
	return enc(e.tr(b.String()))
}

// fit encodes s and cuts it with an ellipsis to fit w millimetres of
// cell (padding included) in the current font.
func (d *doc) fit(s string, w float64) enc {
	return d.fitEnc(d.cp.encode(s), w)
}

func (d *doc) fitEnc(t enc, w float64) enc {
	avail := w - 2*cellPad
	p := d.pdf
	if p.GetStringWidth(string(t)) <= avail {
		return t
	}
	s := string(t)
	room := avail - p.GetStringWidth(ellipsis)
	// Each character is one byte: drop from the end until it fits.
	n := len(s)
	for n > 0 && p.GetStringWidth(s[:n]) > room {
		n--
	}
	return enc(strings.TrimRight(s[:n], " ") + ellipsis)
}

// wrap breaks t into lines of at most w millimetres (padding included) in
// the current font, at spaces; a word longer than a line is cut.
func (d *doc) wrap(t enc, w float64) []enc {
	avail := w - 2*cellPad
	p := d.pdf
	var lines []enc
	var cur string
	for _, word := range strings.Fields(string(t)) {
		next := word
		if cur != "" {
			next = cur + " " + word
		}
		if p.GetStringWidth(next) <= avail {
			cur = next
			continue
		}
		if cur != "" {
			lines = append(lines, enc(cur))
		}
		for p.GetStringWidth(word) > avail && len(word) > 1 {
			n := len(word) - 1
			for n > 1 && p.GetStringWidth(word[:n]) > avail {
				n--
			}
			lines = append(lines, enc(word[:n]))
			word = word[n:]
		}
		cur = word
	}
	if cur != "" || len(lines) == 0 {
		lines = append(lines, enc(cur))
	}
	return lines
}

// put draws one cell of text at the current position, leaving the
// position after it on the same line.
func (d *doc) put(w, h float64, t enc, border, align string, fill bool) {
	d.pdf.CellFormat(w, h, string(t), border, 0, align, fill, 0, "")
}

// rgb is a colour.
type rgb struct{ r, g, b int }

// The palette: near-black text, a grey for secondary text, hairlines, a
// faint fill for boxes and alternate rows, and the chart's two series.
var (
	ink    = rgb{30, 35, 45}
	muted  = rgb{100, 108, 120}
	line   = rgb{200, 205, 212}
	wash   = rgb{244, 246, 249}
	accent = rgb{37, 99, 235}
	bars   = rgb{190, 203, 222}
)

// style sets the font (Helvetica, size in points, "" or "B") and the text
// colour.
func (d *doc) style(size float64, style string, c rgb) {
	d.pdf.SetFont("Helvetica", style, size)
	d.pdf.SetTextColor(c.r, c.g, c.b)
}
