package api

import (
	"bytes"
	"context"
	"fmt"
	"net/http"
	"strconv"

	"github.com/danielgtaylor/huma/v2"

	"github.com/heraldsocial/herald/internal/herald"
	"github.com/heraldsocial/herald/internal/postcsv"
)

// ImportInput is a CSV file of posts sent as the request body.
type ImportInput struct {
	WorkspaceParam
	Encoding string `query:"encoding" enum:"utf-8,windows-1252,latin-1" default:"utf-8" doc:"The file's text encoding; a UTF-8 byte-order mark is ignored"`
	RawBody  []byte `contentType:"text/csv" doc:"The CSV file: a header row naming the columns, then one post per row (see the CSV import page of the documentation)"`
}

// ImportRunInput imports a CSV file of posts.
type ImportRunInput struct {
	ImportInput
	SkipInvalid bool `query:"skip_invalid" doc:"Import the valid rows and leave out those with problems; without it, any problem refuses the whole file"`
}

// ImportRow is one row of a preview.
type ImportRow struct {
	Row      int                   `json:"row" doc:"1 for the first row after the header"`
	Line     int                   `json:"line" doc:"The file line the row starts on"`
	Valid    bool                  `json:"valid"`
	Cells    map[string]string     `json:"cells" doc:"The row's cells by column name"`
	Problems []postcsv.CellProblem `json:"problems" nullable:"false" doc:"What to fix, per column (column empty for the row as a whole)"`
}

// ImportPreviewOutput is the verdict on every row; nothing is saved.
type ImportPreviewOutput struct {
	Body struct {
		Rows    []ImportRow `json:"rows" nullable:"false"`
		Valid   int         `json:"valid" doc:"Rows that can be imported"`
		Invalid int         `json:"invalid" doc:"Rows with problems"`
		Zone    string      `json:"zone" doc:"The workspace's time zone, in which dates without an offset are read"`
	}
}

// ImportOutput is what an import did.
type ImportOutput struct {
	Body postcsv.ImportResult
}

// ExportInput chooses the posts to export.
type ExportInput struct {
	WorkspaceParam
	State    string `query:"state" doc:"Comma-separated target states; only targets in one of them"`
	Account  int64  `query:"account" minimum:"0" doc:"Only this account's targets"`
	Label    int64  `query:"label" minimum:"0" doc:"Posts with this label"`
	Campaign int64  `query:"campaign" minimum:"0" doc:"Posts of this campaign"`
	From     string `query:"from" doc:"Targets scheduled at or after: an RFC 3339 instant, or a date YYYY-MM-DD (its start in the workspace's time zone)"`
	To       string `query:"to" doc:"Targets scheduled before: an RFC 3339 instant, or a date YYYY-MM-DD (the end of that day in the workspace's time zone)"`
}

// importBodySlack lets a body just over the file limit reach the reader,
// which refuses it with the file's own words.
const importBodySlack = 1 << 10

func (a *API) registerImports() {
	tags := []string{"Import and export"}
	base := "/api/v1/workspaces/{workspace}"
	limits := fmt.Sprintf("At most %d rows and %d MiB.", postcsv.MaxRows, postcsv.MaxBytes>>20)

	register(a, huma.Operation{
		OperationID: "preview-import", Method: http.MethodPost, Path: base + "/imports/preview",
		Summary: "Check a CSV file of posts", Tags: tags,
		Description: "Reads the file and checks every row as the composer checks a post (accounts, labels, campaign, dates in the " +
			"workspace's zone or with an offset, platform limits, brand rules, media address syntax), saving nothing. " + limits,
		MaxBodyBytes: postcsv.MaxBytes + importBodySlack, BodyReadTimeout: uploadTimeout,
	}, func(ctx context.Context, in *ImportInput) (*ImportPreviewOutput, error) {
		actor, recs, err := a.importFile(ctx, in)
		if err != nil {
			return nil, err
		}
		p, err := a.d.Imports.Preview(ctx, actor, recs)
		if err != nil {
			return nil, err
		}
		out := &ImportPreviewOutput{}
		out.Body.Rows = make([]ImportRow, len(p.Rows))
		for i, r := range p.Rows {
			cells := make(map[string]string, len(postcsv.Columns))
			for _, c := range postcsv.Columns {
				cells[c] = r.Cells.Get(c)
			}
			probs := r.Problems
			if probs == nil {
				probs = []postcsv.CellProblem{}
			}
			out.Body.Rows[i] = ImportRow{Row: r.Row, Line: r.Line, Valid: r.Valid(), Cells: cells, Problems: probs}
		}
		out.Body.Valid, out.Body.Invalid, out.Body.Zone = p.Valid, p.Invalid, p.Zone
		return out, nil
	})

	register(a, huma.Operation{
		OperationID: "import-posts", Method: http.MethodPost, Path: base + "/imports",
		Summary: "Import a CSV file of posts", Tags: tags, DefaultStatus: http.StatusCreated,
		Description: "Checks the file again, fetches the media its rows link to into the library (public addresses only, " +
			"images and videos within the library's size limit), then creates every row's post in one transaction: " +
			"all rows or none. Rows become scheduled posts (in review where the workspace or your role needs approval), " +
			"or drafts where their status says so. Any row with a problem refuses the whole file (422, with a detail " +
			"per problem named rows[N].column) unless skip_invalid is set. " + limits,
		MaxBodyBytes: postcsv.MaxBytes + importBodySlack, BodyReadTimeout: uploadTimeout,
	}, func(ctx context.Context, in *ImportRunInput) (*ImportOutput, error) {
		actor, recs, err := a.importFile(ctx, &in.ImportInput)
		if err != nil {
			return nil, err
		}
		res, err := a.d.Imports.Import(ctx, actor, recs, in.SkipInvalid)
		if err != nil {
			return nil, err
		}
		if res.PostIDs == nil {
			res.PostIDs = []int64{}
		}
		return &ImportOutput{Body: res}, nil
	})

	register(a, huma.Operation{
		OperationID: "export-posts", Method: http.MethodGet, Path: base + "/posts/export.csv",
		Summary: "Export posts as CSV", Tags: tags,
		Description: "The chosen posts in the import's format, by time: the file imports back to the same posts. Times are " +
			"written in the workspace's zone with their offset. Cells a spreadsheet would run as a formula (starting with " +
			"=, +, -, @, a tab or a carriage return) get a leading apostrophe, which the import removes again. " +
			fmt.Sprintf("At most %d rows: narrow the range or filter when more match.", postcsv.MaxRows),
		Responses: map[string]*huma.Response{"200": {Description: "The CSV file", Content: map[string]*huma.MediaType{
			"text/csv": {Schema: &huma.Schema{Type: "string"}}}}},
	}, func(ctx context.Context, in *ExportInput) (*huma.StreamResponse, error) {
		actor, err := a.actor(ctx, in.Workspace)
		if err != nil {
			return nil, err
		}
		f := postcsv.ExportFilter{AccountID: in.Account, LabelID: in.Label, CampaignID: in.Campaign}
		if f.States, f.From, f.To, err = a.targetFilter(ctx, actor, in.State, in.From, in.To); err != nil {
			return nil, err
		}
		var buf bytes.Buffer
		if _, err := a.d.Imports.Export(ctx, actor, f, &buf); err != nil {
			return nil, err
		}
		return &huma.StreamResponse{Body: func(hctx huma.Context) {
			hctx.SetHeader("Content-Type", "text/csv; charset=utf-8")
			hctx.SetHeader("Content-Length", strconv.Itoa(buf.Len()))
			hctx.SetHeader("Content-Disposition", `attachment; filename="herald-posts.csv"`)
			hctx.SetStatus(http.StatusOK)
			if _, err := hctx.BodyWriter().Write(buf.Bytes()); err != nil {
				a.logger.WarnContext(hctx.Context(), "export interrupted", "error", err)
			}
		}}, nil
	})
}

// importFile resolves the caller and reads the file of an import request.
func (a *API) importFile(ctx context.Context, in *ImportInput) (herald.Actor, []postcsv.Record, error) {
	actor, err := a.actor(ctx, in.Workspace)
	if err != nil {
		return herald.Actor{}, nil, err
	}
	recs, err := postcsv.Read(bytes.NewReader(in.RawBody), in.Encoding)
	if err != nil {
		return herald.Actor{}, nil, err
	}
	return actor, recs, nil
}
