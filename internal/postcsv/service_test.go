package postcsv_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/heraldsocial/herald/internal/herald"
	"github.com/heraldsocial/herald/internal/outbound"
	"github.com/heraldsocial/herald/internal/post"
	"github.com/heraldsocial/herald/internal/postcsv"
)

// example reads the documented example file.
func example(tb testing.TB) string {
	tb.Helper()
	b, err := os.ReadFile("../../docs/content/posts-example.csv")
	if err != nil {
		tb.Fatal(err)
	}
	return string(b)
}

func read(tb testing.TB, s string) []postcsv.Record {
	tb.Helper()
	recs, err := postcsv.Read(strings.NewReader(s), "")
	if err != nil {
		tb.Fatal(err)
	}
	return recs
}

func TestExampleImports(t *testing.T) {
	forEachStore(t, func(tb testing.TB, st herald.Store) {
		w := newWorld(tb, st)
		ctx := context.Background()
		recs := read(tb, example(tb))
		p, err := w.csv.Preview(ctx, w.owner, recs)
		if err != nil {
			tb.Fatal(err)
		}
		if p.Invalid != 0 || p.Valid != 4 {
			for _, r := range p.Rows {
				tb.Errorf("row %d: %+v", r.Row, r.Problems)
			}
			tb.Fatalf("example: %d valid, %d invalid", p.Valid, p.Invalid)
		}
		if w.countPosts(tb) != 0 {
			tb.Fatal("the preview saved posts")
		}
		res, err := w.csv.Import(ctx, w.owner, recs, false)
		if err != nil {
			tb.Fatal(err)
		}
		if res.Imported != 4 || res.Scheduled != 3 || res.Drafts != 1 || len(res.PostIDs) != 4 {
			tb.Fatalf("result = %+v", res)
		}
		second, err := w.posts.Get(ctx, w.owner, res.PostIDs[1])
		if err != nil {
			tb.Fatal(err)
		}
		loc, _ := time.LoadLocation("Europe/Paris")
		wantAt := time.Date(2030, 6, 4, 12, 30, 0, 0, loc)
		if len(second.Targets) != 2 || !second.Targets[0].ScheduledAt.Equal(wantAt) ||
			second.Targets[0].State != herald.StateScheduled || len(second.Targets[0].Variant.Thread) != 3 ||
			second.Targets[0].Variant.Thread[2].Text != `3. Say "thank you".` ||
			second.Targets[0].Variant.FirstComment != "Questions? Ask below." {
			tb.Fatalf("second post = %+v", second)
		}
		third, _ := w.posts.Get(ctx, w.owner, res.PostIDs[2])
		if !third.Targets[0].ScheduledAt.Equal(time.Date(2030, 6, 5, 16, 0, 0, 0, time.UTC)) || third.Targets[0].AccountID != w.news.ID {
			tb.Fatalf("third post = %+v", third)
		}
		first, _ := w.posts.Get(ctx, w.owner, res.PostIDs[0])
		if len(first.LabelIDs) != 1 || first.LabelIDs[0] != w.launch.ID || first.CampaignID == nil || *first.CampaignID != w.spring.ID {
			tb.Fatalf("first post = %+v", first)
		}
		entries, _, err := st.ListAudit(ctx, herald.AuditFilter{WorkspaceID: w.ws.ID, Page: herald.Page{Limit: 50}})
		if err != nil {
			tb.Fatal(err)
		}
		found := false
		for _, e := range entries {
			if e.Action == "post.import" && strings.Contains(string(e.After), `"imported":4`) && strings.Contains(string(e.After), `"rows":4`) {
				found = true
			}
		}
		if !found {
			tb.Fatalf("no post.import audit entry with the row count in %+v", entries)
		}
	})
}

func TestPreviewProblemsPerCell(t *testing.T) {
	forEachStore(t, func(tb testing.TB, st herald.Store) {
		w := newWorld(tb, st)
		ctx := context.Background()
		file := "date,time,accounts,text,labels,campaign,media_urls,status\n" +
			"2030-13-40,09:00,acme,bad date,,,,\n" +
			"2030-06-01,09:00,nobody,unknown account,,,,\n" +
			"2030-06-01,09:00,acme," + strings.Repeat("x", 101) + ",,,,\n" +
			"2030-06-01,09:00,acme,missing media,,,ftp://example.com/a.png,\n" +
			"2030-06-01,09:00,acme,labels,Nope,Winter,,\n" +
			"2020-06-01,09:00,acme,past,,,,\n" +
			"2030-03-31,02:30,acme,gap,,,,\n" +
			"2030-10-27,02:30,acme,twice,,,,\n" +
			"2030-06-01,09:00,acme,status,,,,maybe\n" +
			"2030-06-01,09:00,acme,fine,,,,\n"
		p, err := w.csv.Preview(ctx, w.owner, read(tb, file))
		if err != nil {
			tb.Fatal(err)
		}
		want := []struct{ column, words string }{
			{"date", "is not a date"},
			{"accounts", `"nobody" is not an account of this workspace`},
			{"text", "fake:acme: is 101 characters; the platform allows 100"},
			{"media_urls", "is not a media address"},
			{"labels", `"Nope" is not a label`},
			{"date", "is in the past"},
			{"time", "does not exist in Europe/Paris"},
			{"time", "happens twice in Europe/Paris (the clocks go back then): add the offset, 02:30+02:00 for the first or 02:30+01:00"},
			{"status", `"maybe" is not a status`},
		}
		if p.Invalid != len(want) || p.Valid != 1 {
			tb.Fatalf("%d invalid, %d valid, want %d and 1", p.Invalid, p.Valid, len(want))
		}
		for i, c := range want {
			if got := p.Rows[i].Problem(c.column); !strings.Contains(got, c.words) {
				tb.Errorf("row %d column %s: %q, want %q (all: %+v)", i+1, c.column, got, c.words, p.Rows[i].Problems)
			}
		}
		if got := p.Rows[4].Problem("campaign"); !strings.Contains(got, `"Winter" is not a campaign`) {
			tb.Errorf("campaign problem %q", got)
		}
		// Nothing half-imported: the import refuses all of it.
		_, err = w.csv.Import(ctx, w.owner, read(tb, file), false)
		var he *herald.Error
		if !errors.As(err, &he) || he.Code != herald.CodeInvalid || !strings.Contains(he.Message, "9 of 10 rows have problems, so nothing was imported") ||
			he.Details[0].Field != "rows[1].date" {
			tb.Fatalf("import of bad rows: %v", err)
		}
		if n := w.countPosts(tb); n != 0 {
			tb.Fatalf("%d posts saved by a refused import", n)
		}
		// Skipping the bad rows imports the good one only.
		res, err := w.csv.Import(ctx, w.owner, read(tb, file), true)
		if err != nil || res.Imported != 1 || res.Skipped != 9 {
			tb.Fatalf("skip: %+v, %v", res, err)
		}
	})
}

func TestImportNeedsApprovalGoesToReview(t *testing.T) {
	forEachStore(t, func(tb testing.TB, st herald.Store) {
		w := newWorld(tb, st)
		ctx := context.Background()
		ws, _ := st.GetWorkspace(ctx, w.ws.ID)
		ws.BrandRules.RequireApproval = true
		if err := st.UpdateWorkspace(ctx, &ws); err != nil {
			tb.Fatal(err)
		}
		res, err := w.csv.Import(ctx, w.owner, read(tb, example(tb)), false)
		if err != nil {
			tb.Fatal(err)
		}
		if res.InReview != 3 || res.Scheduled != 0 || res.Drafts != 1 {
			tb.Fatalf("result = %+v", res)
		}
		p, _ := w.posts.Get(ctx, w.owner, res.PostIDs[0])
		if p.Targets[0].State != herald.StateInReview {
			tb.Fatalf("state %s, want in_review", p.Targets[0].State)
		}
	})
}

// TestCreateAllIsAllOrNothing: a post refused at the very end of the
// transaction (the last one) leaves none of the others saved.
func TestCreateAllIsAllOrNothing(t *testing.T) {
	forEachStore(t, func(tb testing.TB, st herald.Store) {
		w := newWorld(tb, st)
		ctx := context.Background()
		at := time.Now().Add(48 * time.Hour)
		past := time.Now().Add(-time.Hour)
		var items []post.BatchItem
		for i := range 50 {
			items = append(items, post.BatchItem{Action: post.ActionSchedule, Post: herald.Post{Text: fmt.Sprintf("post %d", i),
				Targets: []herald.Target{{AccountID: w.acme.ID, ScheduledAt: &at}}}})
		}
		items[49].Post.Targets[0].ScheduledAt = &past
		_, err := w.posts.CreateAll(ctx, w.owner, items, post.Batch{AuditAction: "post.import"})
		var he *herald.Error
		if !errors.As(err, &he) || he.Code != herald.CodeInvalid || he.Details[0].Field != "posts[49].targets[0].scheduled_at" {
			tb.Fatalf("CreateAll = %v", err)
		}
		if n := w.countPosts(tb); n != 0 {
			tb.Fatalf("%d posts saved by a failed batch", n)
		}
		entries, _, _ := st.ListAudit(ctx, herald.AuditFilter{WorkspaceID: w.ws.ID, Page: herald.Page{Limit: 50}})
		for _, e := range entries {
			if e.Action == "post.import" || e.Action == "post.create" {
				tb.Fatalf("audit entry %s left by a failed batch", e.Action)
			}
		}
	})
}

// png is a 1×1 PNG.
var png = []byte{0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n', 0, 0, 0, 13, 'I', 'H', 'D', 'R', 0, 0, 0, 1, 0, 0, 0, 1, 8, 6, 0, 0, 0,
	0x1f, 0x15, 0xc4, 0x89, 0, 0, 0, 10, 'I', 'D', 'A', 'T', 0x78, 0x9c, 0x63, 0, 1, 0, 0, 5, 0, 1, 0x0d, 0x0a, 0x2d, 0xb4,
	0, 0, 0, 0, 'I', 'E', 'N', 'D', 0xae, 0x42, 0x60, 0x82}

// mediaServer serves /a.png and /b.png, /page.html as HTML, /big.png
// larger than the library's limit, and 404 elsewhere.
func mediaServer(tb testing.TB) *httptest.Server {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/a.png":
			w.Header().Set("Content-Type", "image/png")
			_, _ = w.Write(png)
		case "/b.png":
			w.Header().Set("Content-Type", "image/png")
			_, _ = w.Write(append(append([]byte(nil), png...), 0)) // other bytes, another asset
		case "/page.html":
			w.Header().Set("Content-Type", "text/html")
			_, _ = w.Write([]byte("<html></html>"))
		case "/big.png":
			w.Header().Set("Content-Type", "image/png")
			_, _ = w.Write(append(append([]byte(nil), png...), bytes.Repeat([]byte{0}, 2<<20)...))
		default:
			http.NotFound(w, r)
		}
	}))
	tb.Cleanup(srv.Close)
	return srv
}

func TestImportFetchesMedia(t *testing.T) {
	forEachStore(t, func(tb testing.TB, st herald.Store) {
		w := newWorld(tb, st)
		ctx := context.Background()
		srv := mediaServer(tb)
		file := "date,time,accounts,text,media_urls,alt_texts\n" +
			fmt.Sprintf("2030-06-01,09:00,acme,one,%s/a.png,A red dot\n", srv.URL) +
			fmt.Sprintf("2030-06-01,10:00,acme,two,%s/a.png %s/b.png,\"Again\nAnother\"\n", srv.URL, srv.URL)
		res, err := w.csv.Import(ctx, w.owner, read(tb, file), false)
		if err != nil {
			tb.Fatal(err)
		}
		if res.MediaFetched != 2 {
			tb.Fatalf("result = %+v", res)
		}
		p, _ := w.posts.Get(ctx, w.owner, res.PostIDs[1])
		ids := p.Targets[0].Variant.MediaIDs
		if len(ids) != 2 {
			tb.Fatalf("media ids %v", ids)
		}
		m, err := w.media.Get(ctx, w.owner, ids[0])
		if err != nil || m.AltText != "A red dot" || m.ContentType != "image/png" {
			tb.Fatalf("asset = %+v, %v", m, err)
		}

		// A failing fetch on the last row leaves nothing: no post, and the
		// files fetched for earlier rows are removed again.
		before, _, _ := w.media.List(ctx, w.owner, "", herald.Page{Limit: 100})
		for _, bad := range []struct{ path, words string }{
			{"/missing.png", "404"},
			{"/page.html", "text/html, not an image or video"},
			{"/big.png", "larger than"},
		} {
			file := "date,time,accounts,text,media_urls\n" +
				fmt.Sprintf("2030-07-01,09:00,acme,new,%s/a.png?new=1\n", srv.URL) +
				fmt.Sprintf("2030-07-01,10:00,acme,last,%s%s\n", srv.URL, bad.path)
			_, err := w.csv.Import(ctx, w.owner, read(tb, file), false)
			var he *herald.Error
			if !errors.As(err, &he) || !strings.Contains(he.Message, "row 2: ") || !strings.Contains(he.Message, bad.words) ||
				he.Details[0].Field != "rows[2].media_urls" {
				tb.Fatalf("%s: %v", bad.path, err)
			}
			if n := w.countPosts(tb); n != 2 {
				tb.Fatalf("%s: %d posts, want the 2 of the first import", bad.path, n)
			}
			after, _, _ := w.media.List(ctx, w.owner, "", herald.Page{Limit: 100})
			if len(after) != len(before) {
				tb.Fatalf("%s: %d assets after a failed import, want %d", bad.path, len(after), len(before))
			}
		}

		// Without the private-network switch the loopback server is refused.
		guarded := w.service(outbound.NewClient(outbound.Options{}))
		file = "date,time,accounts,text,media_urls\n" + fmt.Sprintf("2030-08-01,09:00,acme,private,%s/a.png?p=1\n", srv.URL)
		_, err = guarded.Import(ctx, w.owner, read(tb, file), false)
		if err == nil || !strings.Contains(err.Error(), "loopback") {
			tb.Fatalf("private address: %v", err)
		}
	})
}

func TestExportRoundTrips(t *testing.T) {
	forEachStore(t, func(tb testing.TB, st herald.Store) {
		w := newWorld(tb, st)
		ctx := context.Background()
		file := example(tb) + "2030-06-06,08:00,news,\"=HYPERLINK(\"\"http://evil.example\"\",\"\"click\"\")\",,-1 for this,,,,,\n"
		res, err := w.csv.Import(ctx, w.owner, read(tb, file), false)
		if err != nil {
			tb.Fatal(err)
		}
		var out bytes.Buffer
		n, err := w.csv.Export(ctx, w.owner, postcsv.ExportFilter{}, &out)
		if err != nil {
			tb.Fatal(err)
		}
		if n != res.Imported {
			tb.Fatalf("exported %d rows, imported %d", n, res.Imported)
		}
		text := out.String()
		for _, s := range []string{
			"2030-06-04,12:30+02:00,fake:acme; fake:news,", // one row for a post on two accounts
			`"'=HYPERLINK(""http://evil.example"",""click"")"`, "'-1 for this",
			"Launch,Spring sale,scheduled",
		} {
			if !strings.Contains(text, s) {
				tb.Errorf("export lacks %q:\n%s", s, text)
			}
		}
		// Importing the export again makes the same posts.
		again, err := postcsv.Read(strings.NewReader(text), "")
		if err != nil {
			tb.Fatal(err)
		}
		res2, err := w.csv.Import(ctx, w.owner, again, false)
		if err != nil {
			tb.Fatal(err)
		}
		var out2 bytes.Buffer
		if _, err := w.csv.Export(ctx, w.owner, postcsv.ExportFilter{}, &out2); err != nil {
			tb.Fatal(err)
		}
		// Every row is now there twice, identical.
		lines := map[string]int{}
		recs := read(tb, out2.String())
		for _, r := range recs {
			lines[fmt.Sprint(r.Cells)]++
		}
		for k, c := range lines {
			if c != 2 {
				tb.Errorf("row %s exported %d times after the round trip, want 2", k, c)
			}
		}
		if res2.Imported != res.Imported {
			tb.Fatalf("round trip imported %d, want %d", res2.Imported, res.Imported)
		}
		// Filters: one account, drafts only.
		out.Reset()
		n, err = w.csv.Export(ctx, w.owner, postcsv.ExportFilter{AccountID: w.news.ID, States: []herald.TargetState{herald.StateScheduled}}, &out)
		if err != nil || n != 6 || strings.Contains(out.String(), "fake:acme") {
			tb.Fatalf("filtered export: %d rows, %v\n%s", n, err, out.String())
		}
	})
}
