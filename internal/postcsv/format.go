// Package postcsv reads and writes posts as CSV: the import (a preview
// with each row's problems, then all valid rows in one transaction) and
// the export in the same format. The format is documented in
// docs/content/csv.md; its columns are a stable contract.
package postcsv

import (
	"bytes"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"strings"
	"unicode/utf8"

	"golang.org/x/text/encoding/charmap"

	"github.com/heraldsocial/herald/internal/herald"
)

// The columns, in the order the export writes them. A file may have them
// in any order and leave any out but text and accounts.
const (
	ColDate         = "date"
	ColTime         = "time"
	ColAccounts     = "accounts"
	ColText         = "text"
	ColThread       = "thread"
	ColFirstComment = "first_comment"
	ColMediaURLs    = "media_urls"
	ColAltTexts     = "alt_texts"
	ColLabels       = "labels"
	ColCampaign     = "campaign"
	ColStatus       = "status"
)

// Columns lists every column in the export's order.
var Columns = [numColumns]string{ColDate, ColTime, ColAccounts, ColText, ColThread, ColFirstComment,
	ColMediaURLs, ColAltTexts, ColLabels, ColCampaign, ColStatus}

const numColumns = 11

// Limits of one file.
const (
	MaxBytes = 8 << 20 // 8 MiB
	MaxRows  = 10000
)

// Encodings a file may be read in.
const (
	EncodingUTF8        = "utf-8"
	EncodingWindows1252 = "windows-1252"
	EncodingLatin1      = "latin-1"
)

// Cells are one row's cells, indexed like Columns.
type Cells [numColumns]string

// Get returns the cell of column name ("" for an unknown name).
func (c Cells) Get(name string) string {
	if i := columnIndex(name); i >= 0 {
		return c[i]
	}
	return ""
}

// Set sets the cell of column name; an unknown name is ignored.
func (c *Cells) Set(name, v string) {
	if i := columnIndex(name); i >= 0 {
		c[i] = v
	}
}

func columnIndex(name string) int {
	for i, c := range Columns {
		if c == name {
			return i
		}
	}
	return -1
}

// Record is one data row as read: its number (1 for the first row after
// the header), the file line it starts on, and its cells.
type Record struct {
	Row   int
	Line  int
	Cells Cells
}

// fileError is the error of a file that cannot be read at all.
func fileError(code herald.Code, message, problem string) error {
	return &herald.Error{Code: code, Message: message,
		Details: []herald.FieldProblem{{Field: "file", Problem: problem}}}
}

// Read parses a CSV file of posts: at most MaxBytes are read from r, a
// UTF-8 byte-order mark is dropped, and the text must be UTF-8 unless
// encoding says Windows-1252 or Latin-1. The header row names the columns
// (in any order, case and surrounding spaces ignored); a header whose
// only separator is ";" makes ";" the separator. Quoted cells may hold
// separators, doubled quotes and line breaks.
func Read(r io.Reader, encoding string) ([]Record, error) {
	data, err := io.ReadAll(io.LimitReader(r, MaxBytes+1))
	if err != nil {
		return nil, fmt.Errorf("postcsv: read: %w", err)
	}
	if len(data) > MaxBytes {
		return nil, fileError(herald.CodeTooLarge,
			fmt.Sprintf("the file is larger than %d MiB: split it into files of at most %d rows", MaxBytes>>20, MaxRows),
			fmt.Sprintf("must be at most %d bytes", MaxBytes))
	}
	text, err := decode(data, encoding)
	if err != nil {
		return nil, err
	}
	if strings.TrimSpace(text) == "" {
		return nil, fileError(herald.CodeInvalid, "the file is empty: it needs a header row and at least one row of posts", "is empty")
	}
	cr := csv.NewReader(strings.NewReader(text))
	cr.Comma = separator(text)
	cr.LazyQuotes = false
	cr.FieldsPerRecord = -1
	header, err := cr.Read()
	if err != nil {
		return nil, parseError(err)
	}
	index, err := readHeader(header)
	if err != nil {
		return nil, err
	}
	var out []Record
	for {
		rec, err := cr.Read()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return nil, parseError(err)
		}
		line, _ := cr.FieldPos(0)
		if blank(rec) {
			continue
		}
		if len(out) == MaxRows {
			return nil, fileError(herald.CodeTooLarge,
				fmt.Sprintf("the file has more than %d rows: split it into files of at most %d rows", MaxRows, MaxRows),
				fmt.Sprintf("must have at most %d rows", MaxRows))
		}
		if len(rec) != len(header) {
			return nil, fileError(herald.CodeInvalid,
				fmt.Sprintf("line %d has %d cells but the header has %d: check for a missing or extra separator, or a quote that is not closed", line, len(rec), len(header)),
				fmt.Sprintf("line %d: %d cells instead of %d", line, len(rec), len(header)))
		}
		r := Record{Row: len(out) + 1, Line: line}
		for i, v := range rec {
			if index[i] >= 0 {
				r.Cells[index[i]] = unneutralise(v)
			}
		}
		out = append(out, r)
	}
	if len(out) == 0 {
		return nil, fileError(herald.CodeInvalid, "the file has a header but no rows of posts", "has no rows after the header")
	}
	return out, nil
}

// decode turns the file's bytes into UTF-8 text.
func decode(data []byte, encoding string) (string, error) {
	switch strings.ToLower(strings.TrimSpace(encoding)) {
	case "", EncodingUTF8, "utf8":
		if bytes.HasPrefix(data, []byte{0xFF, 0xFE}) || bytes.HasPrefix(data, []byte{0xFE, 0xFF}) {
			return "", fileError(herald.CodeInvalid,
				"the file is UTF-16: save it as CSV UTF-8 (in a spreadsheet: \"CSV UTF-8 (comma delimited)\") and upload it again",
				"is UTF-16, not UTF-8")
		}
		data = bytes.TrimPrefix(data, []byte{0xEF, 0xBB, 0xBF})
		if !utf8.Valid(data) {
			line := 1 + bytes.Count(data[:invalidAt(data)], []byte{'\n'})
			return "", fileError(herald.CodeInvalid,
				fmt.Sprintf("the file is not UTF-8 (line %d has a byte that is not): it looks like Windows-1252 or Latin-1; "+
					"choose that encoding, or save the file as CSV UTF-8 and upload it again", line),
				fmt.Sprintf("line %d is not UTF-8", line))
		}
		return string(data), nil
	case EncodingWindows1252, "cp1252":
		out, err := charmap.Windows1252.NewDecoder().Bytes(data)
		if err != nil {
			return "", fmt.Errorf("postcsv: decode windows-1252: %w", err)
		}
		return string(out), nil
	case EncodingLatin1, "iso-8859-1", "latin1":
		out, err := charmap.ISO8859_1.NewDecoder().Bytes(data)
		if err != nil {
			return "", fmt.Errorf("postcsv: decode latin-1: %w", err)
		}
		return string(out), nil
	}
	return "", &herald.Error{Code: herald.CodeInvalid,
		Message: fmt.Sprintf("%q is not an encoding Herald reads: choose utf-8, windows-1252 or latin-1", encoding),
		Details: []herald.FieldProblem{{Field: "encoding", Problem: "must be utf-8, windows-1252 or latin-1"}}}
}

// invalidAt is the offset of the first byte that is not UTF-8.
func invalidAt(b []byte) int {
	for i := 0; i < len(b); {
		r, n := utf8.DecodeRune(b[i:])
		if r == utf8.RuneError && n <= 1 {
			return i
		}
		i += n
	}
	return len(b)
}

// separator is ";" when the header line holds a ";" and no ",", else ",".
func separator(text string) rune {
	first, _, _ := strings.Cut(text, "\n")
	if strings.Contains(first, ";") && !strings.Contains(first, ",") {
		return ';'
	}
	return ','
}

// readHeader maps each header cell to its column.
func readHeader(header []string) ([]int, error) {
	index := make([]int, len(header))
	seen := map[int]bool{}
	var pr herald.Problems
	for i, h := range header {
		name := strings.ToLower(strings.TrimSpace(h))
		c := columnIndex(name)
		switch {
		case name == "":
			c = -1 // an unnamed column (a trailing separator) is ignored
		case c < 0:
			pr.Add("header", "%q is not a column: the columns are %s", h, strings.Join(Columns[:], ", "))
		case seen[c]:
			pr.Add("header", "the column %s appears twice", name)
		}
		seen[c] = true
		index[i] = c
	}
	for _, need := range []string{ColAccounts, ColText} {
		if !seen[columnIndex(need)] {
			pr.Add("header", "the column %s is missing: the first row must name the columns", need)
		}
	}
	if len(pr) == 0 {
		return index, nil
	}
	words := make([]string, len(pr))
	for i, p := range pr {
		words[i] = p.Problem
	}
	return nil, pr.Err("the header row is not valid: " + strings.Join(words, "; "))
}

// parseError explains a CSV syntax error with where it is and how to fix it.
func parseError(err error) error {
	var pe *csv.ParseError
	if !errors.As(err, &pe) {
		return fmt.Errorf("postcsv: parse: %w", err)
	}
	fix := "check the quotes on that line"
	switch {
	case errors.Is(pe.Err, csv.ErrBareQuote):
		fix = "a cell with a quote in it must be wholly in quotes, with each quote inside doubled (\"\")"
	case errors.Is(pe.Err, csv.ErrQuote):
		fix = "a quoted cell is not closed, or has text after its closing quote: close it, and double each quote inside it"
	}
	return fileError(herald.CodeInvalid,
		fmt.Sprintf("the file is not valid CSV at line %d, column %d: %s", pe.Line, pe.Column, fix),
		fmt.Sprintf("line %d, column %d: %v", pe.Line, pe.Column, pe.Err))
}

func blank(rec []string) bool {
	for _, v := range rec {
		if strings.TrimSpace(v) != "" {
			return false
		}
	}
	return true
}

// formulaStart reports whether a spreadsheet would read a cell starting
// with b as a formula (OWASP's list).
func formulaStart(b byte) bool {
	switch b {
	case '=', '+', '-', '@', '\t', '\r':
		return true
	}
	return false
}

// Neutralise is neutralise, for the other CSV files Herald writes.
func Neutralise(v string) string { return neutralise(v) }

// neutralise puts an apostrophe before a cell a spreadsheet would run as
// a formula, and before a cell that already starts with an apostrophe
// followed by such a character, so that reading it back is exact.
func neutralise(v string) string {
	if v == "" {
		return v
	}
	if formulaStart(v[0]) || (v[0] == '\'' && len(v) > 1 && (formulaStart(v[1]) || v[1] == '\'')) {
		return "'" + v
	}
	return v
}

// unneutralise undoes neutralise: one leading apostrophe before a formula
// character (or another apostrophe) is dropped.
func unneutralise(v string) string {
	if len(v) > 1 && v[0] == '\'' && (formulaStart(v[1]) || v[1] == '\'') {
		return v[1:]
	}
	return v
}

// Writer writes posts as CSV, header first, every cell neutralised against
// formula injection.
type Writer struct {
	w *csv.Writer
}

// NewWriter returns a Writer on w and writes the header.
func NewWriter(w io.Writer) (*Writer, error) {
	cw := csv.NewWriter(w)
	if err := cw.Write(Columns[:]); err != nil {
		return nil, fmt.Errorf("postcsv: write header: %w", err)
	}
	return &Writer{w: cw}, nil
}

// Write writes one row.
func (w *Writer) Write(c Cells) error {
	rec := make([]string, numColumns)
	for i, v := range c {
		rec[i] = neutralise(v)
	}
	if err := w.w.Write(rec); err != nil {
		return fmt.Errorf("postcsv: write: %w", err)
	}
	return nil
}

// Flush writes what is buffered.
func (w *Writer) Flush() error {
	w.w.Flush()
	if err := w.w.Error(); err != nil {
		return fmt.Errorf("postcsv: flush: %w", err)
	}
	return nil
}

// Encode writes records as a whole CSV file (the web preview keeps the
// rows being fixed this way between steps).
func Encode(recs []Record) (string, error) {
	var b strings.Builder
	w, err := NewWriter(&b)
	if err != nil {
		return "", err
	}
	for _, r := range recs {
		if err := w.Write(r.Cells); err != nil {
			return "", err
		}
	}
	if err := w.Flush(); err != nil {
		return "", err
	}
	return b.String(), nil
}
