package api_test

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/heraldsocial/herald/internal/herald"
)

// fuzzWorld is one SQLite-backed API with a workspace, its owner's token
// and a connected account, shared by every input of a fuzz target.
type fuzzWorld struct {
	h     *harness
	ws    herald.Workspace
	token string
	acct  herald.Account
}

func newFuzzWorld(f *testing.F) *fuzzWorld {
	h := newHarness(f, openSQLite(f))
	owner := h.newUser("fuzz@example.com")
	ws := h.newWorkspace(owner, "Fuzz")
	acct, err := h.svc.Accounts.Connect(context.Background(), herald.Actor{UserID: owner.ID, WorkspaceID: ws.ID, Role: herald.RoleOwner},
		herald.Account{Platform: herald.PlatformFake, RemoteID: "fuzz", Handle: "@fuzz", DisplayName: "fuzz"}, []byte("tok"))
	if err != nil {
		f.Fatal(err)
	}
	return &fuzzWorld{h: h, ws: ws, token: h.tokenFor(owner, ws, herald.RoleOwner), acct: acct}
}

// on returns the world's harness reporting to t: the fuzz target's own
// *testing.F may not be used while inputs run.
func (w *fuzzWorld) on(t *testing.T) *harness {
	h := *w.h
	h.t = t
	return &h
}

// send does req with c and reads the answer.
func send(t *testing.T, c *http.Client, req *http.Request) response {
	t.Helper()
	res, err := c.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	b, err := io.ReadAll(res.Body)
	if err != nil {
		t.Fatal(err)
	}
	return response{Status: res.StatusCode, Header: res.Header, Body: b}
}

// wantSafeAnswer fails on a server error, and on an error answer that is
// not Herald's error body with a code and a message.
func wantSafeAnswer(t *testing.T, res response) {
	t.Helper()
	if res.Status >= 500 {
		t.Fatalf("status %d: %s", res.Status, res.Body)
	}
	if res.Status >= 400 {
		var e struct {
			Error struct {
				Code    string `json:"code"`
				Message string `json:"message"`
			} `json:"error"`
		}
		if err := json.Unmarshal(res.Body, &e); err != nil || e.Error.Code == "" || e.Error.Message == "" {
			t.Fatalf("status %d without Herald's error body: %s", res.Status, res.Body)
		}
	}
}

// FuzzPostBodies sends any bytes as the JSON body of post validation and
// creation: the answer is never a server error, errors carry the error
// body, and a created post reads back with the text it was given.
func FuzzPostBodies(f *testing.F) {
	w := newFuzzWorld(f)
	acct := itoa(w.acct.ID)
	for _, s := range []string{
		`{}`, `{"text":"hello","targets":[{"account_id":` + acct + `}]}`, `[]`, `null`, ``, `{"text":`,
		`{"text":"a\u0000b","targets":[{"account_id":` + acct + `}]}`,
		`{"text":"x","targets":[{"account_id":` + acct + `,"scheduled_at":"2999-01-01T00:00:00Z"}],"action":"schedule"}`,
		`{"text":"x","targets":[{"account_id":` + acct + `,"variant":{"thread":[{"text":""}],"options":{"":"x"}}}]}`,
		`{"text":"x","recurrence":"FREQ=DAILY;BYHOUR=0,1,2","targets":[{"account_id":` + acct + `}]}`,
		`{"text":"x","targets":[{"account_id":-1},{"account_id":9223372036854775807}]}`,
		`{"text":"\ud800","title":"` + strings.Repeat("t", 300) + `","targets":[]}`,
		`{"label_ids":[1,1,1],"campaign_id":0,"text":"y","targets":[{"account_id":` + acct + `,"id":5}]}`,
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		h := w.on(t)
		res := h.do(http.MethodPost, pubPath(w.ws, "/posts/validate"), w.token, body)
		wantSafeAnswer(t, res)
		res = h.do(http.MethodPost, pubPath(w.ws, "/posts"), w.token, body)
		wantSafeAnswer(t, res)
		if res.Status != http.StatusCreated {
			return
		}
		var created herald.Post
		res.JSON(t, &created)
		res = h.do(http.MethodGet, pubPath(w.ws, "/posts/%d", created.ID), w.token, nil)
		if res.Status != http.StatusOK {
			t.Fatalf("reading the created post: %d %s", res.Status, res.Body)
		}
		var got herald.Post
		res.JSON(t, &got)
		if got.Text != created.Text || got.Title != created.Title || len(got.Targets) != len(created.Targets) {
			t.Fatalf("the stored post differs from the created one: %+v vs %+v", got, created)
		}
	})
}

// FuzzConnectCallback sends any query string to the OAuth callback, as a
// browser and as a program: never a server error; browsers are sent to an
// accounts page of Herald's own, whose address carries no text from the
// query; programs get Herald's error body.
func FuzzConnectCallback(f *testing.F) {
	w := newFuzzWorld(f)
	for _, s := range []string{
		"", "state=abc&code=def", "error=access_denied&error_description=The+user+said+no",
		"state=&code=", "state=%00&code=%ff", "error=%3Cscript%3E&state=x", "state=a&state=b&code=c&code=d",
		"code=" + strings.Repeat("c", 5000), "%zz=1&&&=&state", "error=x&error_description=" + strings.Repeat("%F0%9F%98%80", 100),
	} {
		f.Add(s, true)
		f.Add(s, false)
	}
	client := noRedirects()
	f.Fuzz(func(t *testing.T, query string, browser bool) {
		if strings.IndexFunc(query, func(r rune) bool { return r <= ' ' || r >= 0x7f || r == '#' }) >= 0 {
			return // not a request line Go's server accepts: Herald never sees it
		}
		hdr := []string{"Accept", "application/json"}
		if browser {
			hdr = []string{"Accept", "text/html"}
		}
		req, err := http.NewRequest(http.MethodGet, w.h.srv.URL+"/api/v1/connect/callback", nil)
		if err != nil {
			t.Fatal(err)
		}
		req.URL.RawQuery = query
		req.Header.Set("Authorization", "Bearer "+w.token)
		req.Header.Set(hdr[0], hdr[1])
		res := send(t, client, req)
		if res.Status >= 500 {
			t.Fatalf("status %d: %s", res.Status, res.Body)
		}
		if !browser || res.Status != http.StatusFound {
			wantSafeAnswer(t, res)
			if browser && res.Status != http.StatusBadRequest && res.Status != http.StatusUnprocessableEntity {
				t.Fatalf("a browser got %d: %s", res.Status, res.Body)
			}
			return
		}
		loc, err := url.Parse(res.Header.Get("Location"))
		if err != nil || loc.Host != "" || loc.Scheme != "" ||
			!(loc.Path == "/accounts" || strings.HasPrefix(loc.Path, "/w/") && strings.HasSuffix(loc.Path, "/accounts")) {
			t.Fatalf("redirected to %q", res.Header.Get("Location"))
		}
		for k := range loc.Query() {
			if k != "connect_error" && k != "connected" {
				t.Fatalf("the redirect carries %q: %s", k, loc)
			}
		}
		if v := loc.Query().Get("connect_error"); v != "" && v != "1" {
			t.Fatalf("the redirect carries a message: %s", loc)
		}
	})
}
