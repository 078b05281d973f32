package fakeserver

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"

	"github.com/heraldsocial/herald/internal/herald"
)

// adminGetConfig is GET /_admin/config.
func (s *Server) adminGetConfig(w http.ResponseWriter, r *http.Request) {
	writeJSON(w, http.StatusOK, s.Config())
}

// adminPutConfig is PUT /_admin/config.
func (s *Server) adminPutConfig(w http.ResponseWriter, r *http.Request) {
	var cfg Config
	dec := json.NewDecoder(http.MaxBytesReader(w, r.Body, 16<<20))
	err := dec.Decode(&cfg)
	if err == nil {
		err = s.Configure(cfg)
	}
	if err != nil {
		writeAdminError(w, err)
		return
	}
	writeJSON(w, http.StatusOK, s.Config())
}

// writeAdminError answers a herald.Error as {"error","details"}: 422 for
// invalid values, 400 for a body that is not JSON.
func writeAdminError(w http.ResponseWriter, err error) {
	status := http.StatusBadRequest
	body := struct {
		Error   string                `json:"error"`
		Details []herald.FieldProblem `json:"details,omitempty"`
	}{Error: err.Error()}
	var he *herald.Error
	if errors.As(err, &he) {
		body.Error, body.Details = he.Message, he.Details
		if he.Code == herald.CodeInvalid {
			status = http.StatusUnprocessableEntity
		}
	}
	writeJSON(w, status, body)
}

// adminLedger is GET /_admin/ledger, written as a stream: with 100,000
// keys it is a few megabytes and is not built in memory first.
func (s *Server) adminLedger(w http.ResponseWriter, r *http.Request) {
	withReceived := r.URL.Query().Get("received") != "false"
	dups := s.ledger.Duplicates()
	stats, _ := json.Marshal(s.Stats())
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	bw := bufio.NewWriterSize(w, 64<<10)
	bw.WriteString(`{"count":`)
	bw.WriteString(strconv.Itoa(s.ledger.Count()))
	bw.WriteString(`,"duplicates":{`)
	first := true
	for k, n := range dups {
		if !first {
			bw.WriteByte(',')
		}
		first = false
		writeJSONString(bw, k)
		bw.WriteByte(':')
		bw.WriteString(strconv.Itoa(n))
	}
	bw.WriteString(`},"stats":`)
	bw.Write(stats)
	if withReceived {
		bw.WriteString(`,"received":{`)
		first = true
		seen := map[string]bool{}
		s.ledger.eachKey(func(k string, ki keyInfo) {
			if seen[k] { // the same key from two accounts: keep the first sighting
				return
			}
			seen[k] = true
			if !first {
				bw.WriteByte(',')
			}
			first = false
			writeJSONString(bw, k)
			bw.WriteByte(':')
			bw.WriteString(strconv.FormatInt(ki.first.UnixNano(), 10))
		})
		bw.WriteByte('}')
	}
	bw.WriteString("}\n")
	_ = bw.Flush()
}

func writeJSONString(bw *bufio.Writer, s string) {
	b, _ := json.Marshal(s) // a string always marshals
	bw.Write(b)
}

// LedgerSummary is the body of GET /_admin/ledger.
type LedgerSummary struct {
	Count      int              `json:"count"`
	Duplicates map[string]int   `json:"duplicates"`
	Stats      Stats            `json:"stats"`
	Received   map[string]int64 `json:"received,omitempty"` // Herald key → first receive time, Unix ns
}

// adminPosts is GET /_admin/posts.
func (s *Server) adminPosts(w http.ResponseWriter, r *http.Request) {
	writeJSON(w, http.StatusOK, s.ledger.Posts())
}

// adminReset is POST /_admin/reset.
func (s *Server) adminReset(w http.ResponseWriter, r *http.Request) {
	s.Reset()
	w.WriteHeader(http.StatusNoContent)
}

// FetchLedger reads GET /_admin/ledger of a fake platform at baseURL (one
// running in another process), with or without the per-key receive times.
func FetchLedger(ctx context.Context, c *http.Client, baseURL string, received bool) (LedgerSummary, error) {
	var sum LedgerSummary
	u := strings.TrimRight(baseURL, "/") + "/_admin/ledger"
	if !received {
		u += "?received=false"
	}
	return sum, fetchAdmin(ctx, c, u, "ledger", &sum)
}

// FetchPosts reads GET /_admin/posts of a fake platform at baseURL: every
// post it accepted, deleted ones included.
func FetchPosts(ctx context.Context, c *http.Client, baseURL string) ([]Post, error) {
	var posts []Post
	return posts, fetchAdmin(ctx, c, strings.TrimRight(baseURL, "/")+"/_admin/posts", "posts", &posts)
}

// fetchAdmin GETs an admin address and decodes its JSON into out.
func fetchAdmin(ctx context.Context, c *http.Client, u, what string, out any) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
	if err != nil {
		return fmt.Errorf("fakeserver: %s request: %w", what, err)
	}
	res, err := c.Do(req)
	if err != nil {
		return fmt.Errorf("fakeserver: fetch the %s: %w", what, err)
	}
	defer res.Body.Close()
	if res.StatusCode != http.StatusOK {
		return fmt.Errorf("fakeserver: fetch the %s: HTTP %d", what, res.StatusCode)
	}
	if err := json.NewDecoder(res.Body).Decode(out); err != nil {
		return fmt.Errorf("fakeserver: decode the %s: %w", what, err)
	}
	return nil
}
