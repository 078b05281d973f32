package postcsv

import (
	"context"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"path"
	"strconv"
	"strings"
	"time"

	"github.com/heraldsocial/herald/internal/herald"
	"github.com/heraldsocial/herald/internal/outbound"
	"github.com/heraldsocial/herald/internal/post"
)

// ImportResult is what an import did.
type ImportResult struct {
	Imported     int     `json:"imported" doc:"Posts created"`
	Skipped      int     `json:"skipped" doc:"Rows with problems left out (only with skip_invalid)"`
	Scheduled    int     `json:"scheduled" doc:"Posts scheduled"`
	InReview     int     `json:"in_review" doc:"Posts sent for review (the workspace or your role needs approval)"`
	Drafts       int     `json:"drafts" doc:"Posts kept as drafts"`
	MediaFetched int     `json:"media_fetched" doc:"Media files fetched by URL into the library"`
	PostIDs      []int64 `json:"post_ids" nullable:"false"`
}

// maxDetails bounds the problems one refused import lists.
const maxDetails = 200

// fetchTimeout bounds fetching one media file.
const fetchTimeout = 60 * time.Second

// Import previews recs again (never trusting an earlier preview), then
// fetches the media the valid rows name into the library and creates
// every row's post in ONE transaction, with an audit entry for the import
// and its row count. Rows with problems refuse the whole import unless
// skipInvalid is set, when they are left out. Whatever fails, nothing is
// imported, and media fetched for it are removed again.
func (s *Service) Import(ctx context.Context, actor herald.Actor, recs []Record, skipInvalid bool) (ImportResult, error) {
	p, err := s.Preview(ctx, actor, recs)
	if err != nil {
		return ImportResult{}, err
	}
	if p.Invalid > 0 && !skipInvalid {
		return ImportResult{}, rowsError(p.Rows, fmt.Sprintf("%d of %d rows have problems, so nothing was imported: fix them and import again, or skip them",
			p.Invalid, len(p.Rows)))
	}
	var rows []Row
	for _, r := range p.Rows {
		if r.Valid() {
			rows = append(rows, r)
		}
	}
	if len(rows) == 0 {
		return ImportResult{}, herald.Errorf(herald.CodeInvalid, "no row can be imported: fix the rows' problems and try again")
	}
	approval, err := s.d.Posts.NeedsApproval(ctx, actor)
	if err != nil {
		return ImportResult{}, fmt.Errorf("postcsv: import: %w", err)
	}
	f := &fetcher{s: s, actor: actor, byURL: map[string]int64{}}
	defer func() {
		if err != nil {
			f.cleanUp(ctx)
		}
	}()
	if err = f.fetchAll(ctx, rows); err != nil {
		return ImportResult{}, err
	}
	drafts := make([]herald.Post, len(rows))
	for i := range rows {
		drafts[i] = rows[i].draft.post
	}
	if f.fetched > 0 {
		// The fetched files are checked against the platforms' limits too.
		checks, verr := s.d.Posts.ValidateAll(ctx, actor, drafts)
		if verr != nil {
			err = verr
			return ImportResult{}, fmt.Errorf("postcsv: import: %w", err)
		}
		bad := 0
		for i := range rows {
			rows[i].Problems = checkProblems(rows[i].draft, checks[i])
			if !rows[i].Valid() {
				bad++
			}
		}
		if bad > 0 {
			err = rowsError(rows, fmt.Sprintf("%d rows have media the platforms refuse, so nothing was imported: fix them and import again", bad))
			return ImportResult{}, err
		}
	}
	res := ImportResult{Skipped: p.Invalid, MediaFetched: f.fetched}
	items := make([]post.BatchItem, len(rows))
	for i, r := range rows {
		a := r.draft.action
		switch {
		case a == post.ActionSchedule && approval:
			a = post.ActionSubmit
			res.InReview++
		case a == post.ActionSchedule:
			res.Scheduled++
		default:
			res.Drafts++
		}
		items[i] = post.BatchItem{Post: r.draft.post, Action: a}
	}
	created, err := s.d.Posts.CreateAll(ctx, actor, items, post.Batch{AuditAction: "post.import",
		Summary: map[string]int{"rows": len(p.Rows), "imported": len(items), "skipped": p.Invalid, "media_fetched": f.fetched}})
	if err != nil {
		err = batchRowsError(err, rows)
		return ImportResult{}, err
	}
	res.Imported = len(created)
	res.PostIDs = make([]int64, len(created))
	for i, c := range created {
		res.PostIDs[i] = c.ID
	}
	s.d.Logger.InfoContext(ctx, "posts imported", "workspace_id", actor.WorkspaceID, "imported", res.Imported,
		"skipped", res.Skipped, "media_fetched", res.MediaFetched)
	return res, nil
}

// rowsError lists the rows' problems as one invalid-input error whose
// details name them "rows[N].column" (N as numbered in the preview).
func rowsError(rows []Row, message string) error {
	e := &herald.Error{Code: herald.CodeInvalid, Message: message}
	for _, r := range rows {
		for _, pb := range r.Problems {
			if len(e.Details) == maxDetails {
				return e
			}
			field := "rows[" + strconv.Itoa(r.Row) + "]"
			if pb.Column != "" {
				field += "." + pb.Column
			}
			e.Details = append(e.Details, herald.FieldProblem{Field: field, Problem: pb.Problem})
		}
	}
	return e
}

// batchRowsError renames CreateAll's "posts[i]" fields to the rows they
// came from, so a refusal at the last moment (a label deleted meanwhile)
// still says which row to fix.
func batchRowsError(err error, rows []Row) error {
	var he *herald.Error
	if !errors.As(err, &he) || len(he.Details) == 0 {
		return fmt.Errorf("postcsv: import: %w", err)
	}
	out := &herald.Error{Code: he.Code, Message: "nothing was imported: " + he.Message, Err: err}
	for _, d := range he.Details {
		field := d.Field
		var i int
		var rest string
		if n, _ := fmt.Sscanf(field, "posts[%d]", &i); n == 1 && i >= 0 && i < len(rows) {
			_, rest, _ = strings.Cut(field, "]")
			field = "rows[" + strconv.Itoa(rows[i].Row) + "]." + columnFor(rest)
		}
		out.Details = append(out.Details, herald.FieldProblem{Field: field, Problem: d.Problem})
	}
	return out
}

// fetcher brings the media of an import into the library.
type fetcher struct {
	s       *Service
	actor   herald.Actor
	byURL   map[string]int64
	created []int64
	fetched int
}

// fetchAll fetches each URL once and sets every target's media in the
// order of the row's media_urls.
func (f *fetcher) fetchAll(ctx context.Context, rows []Row) error {
	for i := range rows {
		d := &rows[i].draft
		if len(d.media) == 0 {
			continue
		}
		ids := make([]int64, 0, len(d.media))
		for _, m := range d.media {
			if m.ID != 0 {
				ids = append(ids, m.ID)
				continue
			}
			id, err := f.fetch(ctx, m)
			if err != nil {
				return &herald.Error{Code: herald.CodeInvalid,
					Message: fmt.Sprintf("row %d: %s could not be added to the library, so nothing was imported: %s", rows[i].Row, m.URL, safeMessage(err)),
					Details: []herald.FieldProblem{{Field: "rows[" + strconv.Itoa(rows[i].Row) + "]." + ColMediaURLs, Problem: safeMessage(err)}},
					Err:     err}
			}
			ids = append(ids, id)
		}
		for t := range d.post.Targets {
			d.post.Targets[t].Variant.MediaIDs = ids
		}
	}
	return nil
}

// fetch downloads one file (through the guarded client: no private
// addresses, bounded size and time) and adds it to the library.
func (f *fetcher) fetch(ctx context.Context, m mediaRef) (int64, error) {
	if id, ok := f.byURL[m.URL]; ok {
		return id, nil
	}
	ctx, cancel := context.WithTimeout(ctx, fetchTimeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, m.URL, nil)
	if err != nil {
		return 0, fmt.Errorf("postcsv: fetch: %w", err)
	}
	resp, err := f.s.d.Client.Do(req)
	if err != nil {
		var refused *outbound.RefusedError
		if errors.As(err, &refused) {
			return 0, &herald.Error{Code: herald.CodeInvalid, Message: refused.Error(), Err: err}
		}
		if errors.Is(err, outbound.ErrTooManyRedirects) {
			return 0, &herald.Error{Code: herald.CodeInvalid, Message: "the address redirects too often: link the file itself", Err: err}
		}
		return 0, &herald.Error{Code: herald.CodeInvalid, Message: "the server could not be reached: check the address", Err: err}
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return 0, herald.Errorf(herald.CodeInvalid, "the server answered %s: check the address", resp.Status)
	}
	if ct := resp.Header.Get("Content-Type"); ct != "" {
		mt, _, _ := mime.ParseMediaType(ct)
		if !strings.HasPrefix(mt, "image/") && !strings.HasPrefix(mt, "video/") && mt != "application/octet-stream" {
			return 0, herald.Errorf(herald.CodeInvalid, "the address gives %s, not an image or video: link the file itself", mt)
		}
	}
	limit := f.s.d.Media.MaxBytes()
	if resp.ContentLength > limit {
		return 0, herald.Errorf(herald.CodeTooLarge, "the file is %d bytes; at most %d are accepted", resp.ContentLength, limit)
	}
	name := path.Base(req.URL.Path)
	if name == "." || name == "/" {
		name = "imported"
	}
	asset, created, err := f.s.d.Media.UploadNew(ctx, f.actor, name, io.LimitReader(resp.Body, limit+1), m.Alt)
	if err != nil {
		return 0, err
	}
	if created {
		f.created = append(f.created, asset.ID)
		f.fetched++
	}
	f.byURL[m.URL] = asset.ID
	return asset.ID, nil
}

// cleanUp removes the media this import added, after it failed.
func (f *fetcher) cleanUp(ctx context.Context) {
	ctx = context.WithoutCancel(ctx)
	for _, id := range f.created {
		if err := f.s.d.Media.Delete(ctx, f.actor, id); err != nil {
			f.s.d.Logger.WarnContext(ctx, "media of a failed import not removed", "media_id", id, "error", err)
		}
	}
}

// safeMessage is an error's message fit to show.
func safeMessage(err error) string {
	var he *herald.Error
	if errors.As(err, &he) {
		return he.Message
	}
	return "the file could not be fetched"
}
