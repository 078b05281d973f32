package api_test

import (
	"context"
	"fmt"
	"net/http"
	"os"
	"strings"
	"testing"

	"github.com/heraldsocial/herald/internal/api"
	"github.com/heraldsocial/herald/internal/herald"
	"github.com/heraldsocial/herald/internal/outbound"
	"github.com/heraldsocial/herald/internal/postcsv"
)

// importsFor builds the import service over the harness's services.
func importsFor(d api.Deps) *postcsv.Service {
	return postcsv.New(postcsv.Deps{Posts: d.Posts, Media: d.Media, Accounts: d.Accounts, Labels: d.Labels,
		Campaigns: d.Campaigns, Client: outbound.NewClient(outbound.Options{AllowPrivate: true}), Clock: herald.SystemClock{}})
}

// importWorld is a workspace with the example file's accounts, label and
// campaign, and its owner's token.
func importWorld(t *testing.T, h *harness) (herald.Workspace, string, string) {
	t.Helper()
	ctx := context.Background()
	_, base := h.withConnectors()
	owner := h.newUser("ana@example.com")
	ws := h.newWorkspace(owner, "Acme")
	actor := herald.Actor{UserID: owner.ID, WorkspaceID: ws.ID, Role: herald.RoleOwner}
	for _, handle := range []string{"acme", "news"} {
		if _, err := h.svc.Accounts.Connect(ctx, actor, herald.Account{Platform: herald.PlatformFake, RemoteID: handle,
			Handle: handle, DisplayName: handle, InstanceURL: base}, []byte(`{"access_token":"t-`+handle+`"}`)); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := h.svc.Labels.Create(ctx, actor, herald.Label{Name: "Launch", Color: "#336699"}); err != nil {
		t.Fatal(err)
	}
	if _, err := h.svc.Campaigns.Create(ctx, actor, herald.Campaign{Name: "Spring sale"}); err != nil {
		t.Fatal(err)
	}
	b, err := os.ReadFile("../../docs/content/posts-example.csv")
	if err != nil {
		t.Fatal(err)
	}
	return ws, h.tokenFor(owner, ws, herald.RoleOwner), string(b)
}

func TestImportAPI(t *testing.T) {
	forEachStore(t, func(t *testing.T, h *harness) {
		ws, token, example := importWorld(t, h)
		base := fmt.Sprintf("/api/v1/workspaces/%d", ws.ID)
		csvType := []string{"Content-Type", "text/csv"}
		bad := strings.Replace(example, "2030-06-03,09:00,acme,", "2030-06-31,09:00,acme,", 1)
		bad = strings.Replace(bad, "fake:news,", "fake:nobody,", 1)

		r := h.do(http.MethodPost, base+"/imports/preview", token, bad, csvType...)
		mustStatus(t, r, http.StatusOK)
		var pv struct {
			Rows []struct {
				Row      int                   `json:"row"`
				Valid    bool                  `json:"valid"`
				Cells    map[string]string     `json:"cells"`
				Problems []postcsv.CellProblem `json:"problems"`
			} `json:"rows"`
			Valid, Invalid int
			Zone           string
		}
		r.JSON(t, &pv)
		if pv.Valid != 2 || pv.Invalid != 2 || pv.Zone != "Europe/Paris" || len(pv.Rows) != 4 ||
			pv.Rows[0].Valid || pv.Rows[0].Problems[0].Column != "date" || pv.Rows[2].Problems[0].Column != "accounts" ||
			pv.Rows[1].Cells["first_comment"] != "Questions? Ask below." {
			t.Fatalf("preview = %s", r.Body)
		}

		r = h.do(http.MethodPost, base+"/imports", token, bad, csvType...)
		mustStatus(t, r, http.StatusUnprocessableEntity)
		if !strings.Contains(string(r.Body), `"field":"rows[1].date"`) || !strings.Contains(string(r.Body), `"field":"rows[3].accounts"`) ||
			!strings.Contains(string(r.Body), "2 of 4 rows have problems, so nothing was imported") {
			t.Fatalf("refused import = %s", r.Body)
		}
		list := h.do(http.MethodGet, base+"/posts", token, nil)
		mustStatus(t, list, http.StatusOK)
		if strings.Contains(string(list.Body), `"id"`) {
			t.Fatalf("a refused import saved posts: %s", list.Body)
		}

		r = h.do(http.MethodPost, base+"/imports?skip_invalid=true", token, bad, csvType...)
		mustStatus(t, r, http.StatusCreated)
		if !strings.Contains(string(r.Body), `"imported":2`) || !strings.Contains(string(r.Body), `"skipped":2`) {
			t.Fatalf("skip = %s", r.Body)
		}

		r = h.do(http.MethodPost, base+"/imports", token, example+"2030-06-06,08:00,acme,\"=HYPERLINK(\"\"x\"\")\",,,,,,,\n", csvType...)
		mustStatus(t, r, http.StatusCreated)
		if !strings.Contains(string(r.Body), `"imported":5`) || !strings.Contains(string(r.Body), `"scheduled":4`) {
			t.Fatalf("import = %s", r.Body)
		}

		r = h.do(http.MethodGet, base+"/posts/export.csv?from=2030-06-04&to=2030-06-05", token, nil)
		mustStatus(t, r, http.StatusOK)
		if ct := r.Header.Get("Content-Type"); ct != "text/csv; charset=utf-8" {
			t.Fatalf("content type %q", ct)
		}
		lines := strings.Count(string(r.Body), "\n")
		if !strings.HasPrefix(string(r.Body), "date,time,accounts,text,") || !strings.Contains(string(r.Body), "2030-06-04,12:30+02:00") ||
			strings.Contains(string(r.Body), "2030-06-06") || lines < 5 {
			t.Fatalf("export:\n%s", r.Body)
		}
		r = h.do(http.MethodGet, base+"/posts/export.csv?from=2030-06-06", token, nil)
		if !strings.Contains(string(r.Body), `"'=HYPERLINK(""x"")"`) {
			t.Fatalf("formula not neutralised:\n%s", r.Body)
		}
		r = h.do(http.MethodGet, base+"/posts/export.csv?state=sent", token, nil)
		mustStatus(t, r, http.StatusUnprocessableEntity)
	})
}

func TestImportAPIRefusesBadFiles(t *testing.T) {
	h := newHarness(t, openSQLite(t))
	ws, token, _ := importWorld(t, h)
	base := fmt.Sprintf("/api/v1/workspaces/%d/imports/preview", ws.ID)
	csvType := []string{"Content-Type", "text/csv"}
	for _, c := range []struct {
		name, path, body string
		status           int
		words            string
	}{
		{"latin-1", base, "accounts,text\nacme,caf\xe9\n", http.StatusUnprocessableEntity, "the file is not UTF-8"},
		{"latin-1 chosen", base + "?encoding=latin-1", "accounts,text\nacme,caf\xe9\n", http.StatusOK, `"text":"café"`},
		{"bom", base, "\ufeffaccounts,text\nacme,hi\n", http.StatusOK, `"valid":1`},
		{"bad quotes", base, "accounts,text\nacme,say \"hi\"\n", http.StatusUnprocessableEntity, "not valid CSV at line 2"},
		{"too large", base, "accounts,text\n" + strings.Repeat("acme,hello world\n", postcsv.MaxBytes/17+100), http.StatusRequestEntityTooLarge, `"error"`},
	} {
		t.Run(c.name, func(t *testing.T) {
			r := h.do(http.MethodPost, c.path, token, c.body, csvType...)
			mustStatus(t, r, c.status)
			if !strings.Contains(string(r.Body), c.words) {
				t.Fatalf("body %s, want %q", r.Body, c.words)
			}
		})
	}
	// The server still answers after all that.
	r := h.do(http.MethodPost, base, token, "accounts,text\nacme,still here\n", csvType...)
	mustStatus(t, r, http.StatusOK)
}
