package postcsv

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"strings"
	"time"

	"github.com/heraldsocial/herald/internal/herald"
	"github.com/heraldsocial/herald/internal/post"
)

// Posts is what the import needs of the post service.
type Posts interface {
	Location(ctx context.Context, actor herald.Actor) (*time.Location, error)
	ValidateAll(ctx context.Context, actor herald.Actor, drafts []herald.Post) ([]post.Validation, error)
	CreateAll(ctx context.Context, actor herald.Actor, items []post.BatchItem, b post.Batch) ([]herald.Post, error)
	List(ctx context.Context, actor herald.Actor, f herald.PostFilter) ([]herald.Post, string, error)
	NeedsApproval(ctx context.Context, actor herald.Actor) (bool, error)
}

// Media is what the import needs of the media library.
type Media interface {
	UploadNew(ctx context.Context, actor herald.Actor, filename string, r io.Reader, altText string) (herald.MediaAsset, bool, error)
	Delete(ctx context.Context, actor herald.Actor, id int64) error
	MaxBytes() int64
}

// Lister lists a workspace's accounts, labels or campaigns, which rows
// name by name (the account, label and campaign services do).
type Lister[T any] interface {
	List(ctx context.Context, actor herald.Actor) ([]T, error)
}

// Deps are what the Service uses.
type Deps struct {
	Posts     Posts
	Media     Media
	Accounts  Lister[herald.Account]
	Labels    Lister[herald.Label]
	Campaigns Lister[herald.Campaign]
	// Client fetches media by URL: outbound.NewClient, which refuses
	// private addresses unless HERALD_ALLOW_PRIVATE_NETWORKS is set.
	Client *http.Client
	Clock  herald.Clock
	Logger *slog.Logger
}

// Service previews, imports and exports posts as CSV. It is safe for
// concurrent use.
type Service struct {
	d Deps
}

// New returns a Service.
func New(d Deps) *Service {
	if d.Logger == nil {
		d.Logger = slog.New(slog.DiscardHandler)
	}
	return &Service{d: d}
}

// Row is one row of a preview: its number (1 for the first row after the
// header), the file line it starts on, its cells and its problems.
type Row struct {
	Row      int           `json:"row"`
	Line     int           `json:"line"`
	Cells    Cells         `json:"-"`
	Problems []CellProblem `json:"problems"`

	draft draft
}

// Valid reports whether the row can be imported.
func (r Row) Valid() bool { return len(r.Problems) == 0 }

// Problem returns the problems of one column of the row, joined.
func (r Row) Problem(column string) string {
	var out []string
	for _, p := range r.Problems {
		if p.Column == column {
			out = append(out, p.Problem)
		}
	}
	return strings.Join(out, "; ")
}

// Preview is the verdict on a whole file.
type Preview struct {
	Rows    []Row
	Valid   int
	Invalid int
	// Zone is the workspace's time zone, in which dates without an offset
	// are read.
	Zone string
}

// Read parses a file; see the package-level Read.
func (s *Service) Read(r io.Reader, encoding string) ([]Record, error) { return Read(r, encoding) }

// Preview checks every record the way the composer checks a post, saving
// nothing: each row gets its problems, per column.
func (s *Service) Preview(ctx context.Context, actor herald.Actor, recs []Record) (Preview, error) {
	if err := actor.Require(herald.ActPostsWrite); err != nil {
		return Preview{}, err
	}
	if len(recs) > MaxRows {
		return Preview{}, herald.Errorf(herald.CodeTooLarge, "%d rows cannot be imported at once: at most %d can", len(recs), MaxRows)
	}
	r, err := s.refs(ctx, actor)
	if err != nil {
		return Preview{}, err
	}
	rows := make([]Row, len(recs))
	drafts := make([]herald.Post, len(recs))
	for i, rec := range recs {
		d, probs := r.build(rec.Cells)
		rows[i] = Row{Row: rec.Row, Line: rec.Line, Cells: rec.Cells, Problems: probs, draft: d}
		drafts[i] = d.post
	}
	checks, err := s.d.Posts.ValidateAll(ctx, actor, drafts)
	if err != nil {
		return Preview{}, fmt.Errorf("postcsv: preview: %w", err)
	}
	p := Preview{Rows: rows, Zone: r.loc.String()}
	for i := range rows {
		rows[i].Problems = append(rows[i].Problems, checkProblems(rows[i].draft, checks[i])...)
		if rows[i].Valid() {
			p.Valid++
		} else {
			p.Invalid++
		}
	}
	return p, nil
}

// refs looks up what rows may name.
func (s *Service) refs(ctx context.Context, actor herald.Actor) (*refs, error) {
	loc, err := s.d.Posts.Location(ctx, actor)
	if err != nil {
		return nil, fmt.Errorf("postcsv: zone: %w", err)
	}
	accounts, err := s.d.Accounts.List(ctx, actor)
	if err != nil {
		return nil, fmt.Errorf("postcsv: accounts: %w", err)
	}
	labels, err := s.d.Labels.List(ctx, actor)
	if err != nil {
		return nil, fmt.Errorf("postcsv: labels: %w", err)
	}
	campaigns, err := s.d.Campaigns.List(ctx, actor)
	if err != nil {
		return nil, fmt.Errorf("postcsv: campaigns: %w", err)
	}
	return newRefs(loc, s.d.Clock.Now(), accounts, labels, campaigns), nil
}

// checkProblems turns the composer's verdict on a row into problems of
// its columns; a target's problem names its account.
func checkProblems(d draft, dc post.Validation) []CellProblem {
	var out []CellProblem
	seen := map[CellProblem]bool{}
	add := func(p CellProblem) {
		if !seen[p] {
			seen[p] = true
			out = append(out, p)
		}
	}
	for _, fp := range dc.Problems {
		add(CellProblem{Column: columnFor(fp.Field), Problem: fp.Problem})
	}
	for i := range d.post.Targets {
		tc, ok := dc.Targets[i]
		if !ok {
			continue
		}
		for _, cp := range tc.Problems {
			add(CellProblem{Column: columnFor(cp.Field), Problem: d.names[i] + ": " + cp.Problem})
		}
	}
	return out
}

// columnFor maps a field of the composer's checks to the column it came from.
func columnFor(field string) string {
	switch {
	case strings.Contains(field, "thread"):
		return ColThread
	case strings.Contains(field, "first_comment"):
		return ColFirstComment
	case strings.Contains(field, "alt_text"):
		return ColAltTexts
	case strings.Contains(field, "media"):
		return ColMediaURLs
	case strings.Contains(field, "scheduled_at"):
		return ColDate
	case strings.Contains(field, "account"):
		return ColAccounts
	case strings.Contains(field, "label"):
		return ColLabels
	case strings.Contains(field, "campaign"):
		return ColCampaign
	case strings.Contains(field, "options"):
		return ""
	}
	return ColText
}
