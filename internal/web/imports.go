package web

import (
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/heraldsocial/herald/internal/herald"
	"github.com/heraldsocial/herald/internal/postcsv"
)

// importShown bounds the valid rows the preview lists (rows with problems
// are always all listed, with their cells to fix).
const importShown = 200

// importFormLimit bounds an import form: the file (or the rows being fixed,
// sent back as CSV) with room for the cells edited beside it.
const importFormLimit = 3*postcsv.MaxBytes + 1<<20

// importData is the import page.
type importData struct {
	Encoding string
	// CSV is the file being fixed, as CSV: the page keeps it in the form
	// between steps, so nothing is kept on the server until the import.
	CSV     string
	Preview *postcsv.Preview
	Shown   []postcsv.Row
	Hidden  int // valid rows not listed
	Err     *herald.Error
	Result  *postcsv.ImportResult
}

// importRoutes registers the CSV import page.
func (h *Handler) importRoutes(m *http.ServeMux) {
	m.Handle("GET /w/{ws}/import", h.inWorkspace(h.importForm))
	m.Handle("POST /w/{ws}/import", h.inWorkspace(h.importPost))
}

func importURL(ws int64) string { return wsURL(ws) + "import" }

// exportURL is the API's CSV export of the posts scheduled in [from, to)
// (dates in the workspace's zone), with the calendar's filters.
func exportURL(ws int64, from, to time.Time, f calFilter) string {
	q := url.Values{"from": {from.Format(time.DateOnly)}, "to": {to.Format(time.DateOnly)}}
	if f.AccountID != 0 {
		q.Set("account", strconv.FormatInt(f.AccountID, 10))
	}
	if f.LabelID != 0 {
		q.Set("label", strconv.FormatInt(f.LabelID, 10))
	}
	if f.CampaignID != 0 {
		q.Set("campaign", strconv.FormatInt(f.CampaignID, 10))
	}
	if len(f.States) > 0 {
		s := make([]string, len(f.States))
		for i, st := range f.States {
			s[i] = string(st)
		}
		q.Set("state", strings.Join(s, ","))
	}
	return fmt.Sprintf("/api/v1/workspaces/%d/posts/export.csv?%s", ws, q.Encode())
}

// calendarExportURL exports the period the calendar shows.
func calendarExportURL(ws int64, d calendarData) string {
	if len(d.Days) == 0 {
		return exportURL(ws, d.Date, d.Date.AddDate(0, 0, 1), d.Filter)
	}
	// "to" is a day whose end bounds the range: the last day shown.
	return exportURL(ws, d.Days[0].Date, d.Days[len(d.Days)-1].Date, d.Filter)
}

// importForm is the upload step.
func (h *Handler) importForm(w http.ResponseWriter, r *http.Request, p *page) error {
	if err := p.Actor.Require(herald.ActPostsWrite); err != nil {
		return err
	}
	p.Title = "Import posts"
	h.render(w, r, http.StatusOK, importPage(p, importData{Encoding: postcsv.EncodingUTF8}))
	return nil
}

// importPost reads an uploaded file, or the rows being fixed with the
// cells edited, and checks them again, or imports them.
func (h *Handler) importPost(w http.ResponseWriter, r *http.Request, p *page) error {
	ctx := r.Context()
	if err := p.Actor.Require(herald.ActPostsWrite); err != nil {
		return err
	}
	p.Title = "Import posts"
	r.Body = http.MaxBytesReader(w, r.Body, importFormLimit)
	err := r.ParseMultipartForm(importFormLimit)
	if errors.Is(err, http.ErrNotMultipart) {
		err = r.ParseForm() // the rows being fixed, sent without a file
	}
	if err != nil {
		var tooBig *http.MaxBytesError
		if errors.As(err, &tooBig) {
			return herald.Errorf(herald.CodeTooLarge, "the file is larger than %d MiB: split it into files of at most %d rows",
				postcsv.MaxBytes>>20, postcsv.MaxRows)
		}
		return herald.Errorf(herald.CodeBadRequest, "the form could not be read: choose the file again")
	}
	d := importData{Encoding: r.FormValue("encoding")}
	if d.Encoding == "" {
		d.Encoding = postcsv.EncodingUTF8
	}
	recs, err := h.importRecords(r, &d)
	if err != nil {
		var he *herald.Error
		if !errors.As(err, &he) {
			return err
		}
		d.Err = he
		h.render(w, r, http.StatusUnprocessableEntity, importPage(p, d))
		return nil
	}
	if d.CSV, err = postcsv.Encode(recs); err != nil {
		return err
	}
	if action := r.FormValue("action"); action == "import" || action == "skip" {
		res, err := h.d.Imports.Import(ctx, p.Actor, recs, action == "skip")
		if err == nil {
			d.Result = &res
			h.render(w, r, http.StatusOK, importPage(p, d))
			return nil
		}
		var he *herald.Error
		if !errors.As(err, &he) || he.Code == herald.CodeInternal {
			return err
		}
		d.Err = he // shown above the preview, which says which rows to fix
	}
	pv, err := h.d.Imports.Preview(ctx, p.Actor, recs)
	if err != nil {
		return err
	}
	d.Preview = &pv
	validShown := 0
	for _, row := range pv.Rows {
		switch {
		case !row.Valid():
			d.Shown = append(d.Shown, row)
		case validShown < importShown:
			d.Shown = append(d.Shown, row)
			validShown++
		default:
			d.Hidden++
		}
	}
	status := http.StatusOK
	if d.Err != nil {
		status = http.StatusUnprocessableEntity
	}
	h.render(w, r, status, importPage(p, d))
	return nil
}

// importRecords reads the uploaded file when there is one, else the rows
// the page sent back with the cells the person edited.
func (h *Handler) importRecords(r *http.Request, d *importData) ([]postcsv.Record, error) {
	if f, _, err := r.FormFile("file"); err == nil && r.PostFormValue("action") == "" {
		defer f.Close()
		return postcsv.Read(f, d.Encoding)
	}
	text := r.FormValue("csv")
	if text == "" {
		return nil, &herald.Error{Code: herald.CodeInvalid, Message: "choose a CSV file to import",
			Details: []herald.FieldProblem{{Field: "file", Problem: "is required"}}}
	}
	d.Encoding = postcsv.EncodingUTF8 // the page sends back UTF-8
	recs, err := postcsv.Read(strings.NewReader(text), postcsv.EncodingUTF8)
	if err != nil {
		return nil, err
	}
	for i := range recs {
		for _, c := range postcsv.Columns {
			name := cellName(recs[i].Row, c)
			if vs, ok := r.PostForm[name]; ok && len(vs) > 0 {
				recs[i].Cells.Set(c, strings.ReplaceAll(vs[0], "\r\n", "\n"))
			}
		}
	}
	return recs, nil
}

// cellName is the form field of one cell being fixed.
func cellName(row int, column string) string {
	return "cell-" + strconv.Itoa(row) + "-" + column
}

// multiLine reports whether a column's cells are edited in a text area.
func multiLine(column string) bool {
	switch column {
	case postcsv.ColText, postcsv.ColThread, postcsv.ColFirstComment, postcsv.ColMediaURLs, postcsv.ColAltTexts:
		return true
	}
	return false
}

// importColumns lists the format's columns for the page.
func importColumns() string { return strings.Join(postcsv.Columns[:], ", ") }

// encodingLabel names an encoding for people.
func encodingLabel(e string) string {
	switch e {
	case postcsv.EncodingWindows1252:
		return "Windows-1252 (Excel on Windows)"
	case postcsv.EncodingLatin1:
		return "Latin-1 (ISO-8859-1)"
	}
	return "UTF-8"
}

// plural picks the singular or plural words for n.
func plural(n int, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}
