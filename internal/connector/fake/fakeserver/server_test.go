package fakeserver_test

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"io"
	"mime/multipart"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/heraldsocial/herald/internal/connector/fake/fakeserver"
)

// start runs a server on a free loopback port for the test.
func start(tb testing.TB, cfg fakeserver.Config) (*fakeserver.Server, string) {
	tb.Helper()
	s := fakeserver.New(cfg)
	u, err := s.Start("127.0.0.1:0")
	if err != nil {
		tb.Fatalf("start: %v", err)
	}
	tb.Cleanup(func() { _ = s.Close() })
	return s, u
}

type reply struct {
	status int
	header http.Header
	body   map[string]any
	raw    []byte
}

// do sends a request and decodes a JSON object answer.
func do(tb testing.TB, c *http.Client, method, u, token string, body io.Reader, ct string, hdr map[string]string) reply {
	tb.Helper()
	req, err := http.NewRequest(method, u, body)
	if err != nil {
		tb.Fatal(err)
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	if ct != "" {
		req.Header.Set("Content-Type", ct)
	}
	for k, v := range hdr {
		req.Header.Set(k, v)
	}
	res, err := c.Do(req)
	if err != nil {
		tb.Fatalf("%s %s: %v", method, u, err)
	}
	defer res.Body.Close()
	raw, err := io.ReadAll(res.Body)
	if err != nil {
		tb.Fatal(err)
	}
	r := reply{status: res.StatusCode, header: res.Header, raw: raw}
	if len(raw) > 0 && raw[0] == '{' {
		if err := json.Unmarshal(raw, &r.body); err != nil {
			tb.Fatalf("%s %s: body %q: %v", method, u, raw, err)
		}
	}
	return r
}

func post(tb testing.TB, c *http.Client, base, token string, form url.Values, hdr map[string]string) reply {
	tb.Helper()
	return do(tb, c, http.MethodPost, base+"/api/v1/statuses", token, strings.NewReader(form.Encode()),
		"application/x-www-form-urlencoded", hdr)
}

func TestCreateStatusValidation(t *testing.T) {
	s, base := start(t, fakeserver.Config{MaxChars: 10})
	c := s.Client()
	tests := []struct {
		name   string
		form   url.Values
		status int
		msg    string
	}{
		{"ok", url.Values{"status": {"hello"}}, 200, ""},
		{"exactly the limit in characters", url.Values{"status": {"éééééééééé"}}, 200, ""},
		{"too long", url.Values{"status": {"hello world"}}, 422, "Validation failed: Text character limit of 10 exceeded"},
		{"blank", url.Values{"status": {""}}, 422, "Validation failed: Text can't be blank"},
		{"bad visibility", url.Values{"status": {"x"}, "visibility": {"everyone"}}, 422, `Validation failed: Visibility "everyone" is not one of public, unlisted, private, direct`},
		{"reply to nothing", url.Values{"status": {"x"}, "in_reply_to_id": {"999999"}}, 422, `in_reply_to_id "999999"`},
		{"unknown media", url.Values{"status": {"x"}, "media_ids[]": {"42"}}, 422, `Media attachment "42" does not exist`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := post(t, c, base, "alice", tt.form, nil)
			if r.status != tt.status {
				t.Fatalf("status %d, want %d: %s", r.status, tt.status, r.raw)
			}
			if tt.msg != "" {
				if got, _ := r.body["error"].(string); !strings.Contains(got, tt.msg) {
					t.Errorf("error %q, want it to contain %q", got, tt.msg)
				}
			}
		})
	}
	if got := s.Ledger().Count(); got != 2 {
		t.Errorf("ledger count %d, want 2", got)
	}
}

func TestCreateStatusJSONAndLedger(t *testing.T) {
	s, base := start(t, fakeserver.Config{})
	c := s.Client()
	before := time.Now()
	r := do(t, c, http.MethodPost, base+"/api/v1/statuses", "bob",
		strings.NewReader(`{"status":"<b>hi</b>","visibility":"unlisted"}`), "application/json",
		map[string]string{"X-Herald-Key": "t1-p0", "Idempotency-Key": "k1"})
	if r.status != 200 {
		t.Fatalf("status %d: %s", r.status, r.raw)
	}
	for _, f := range []string{"id", "url", "created_at", "content"} {
		if v, _ := r.body[f].(string); v == "" {
			t.Errorf("answer lacks %q: %s", f, r.raw)
		}
	}
	if r.body["content"] != "<p>&lt;b&gt;hi&lt;/b&gt;</p>" || r.body["herald_key"] != "t1-p0" || r.body["visibility"] != "unlisted" {
		t.Errorf("answer %s", r.raw)
	}
	posts := s.Ledger().Posts()
	if len(posts) != 1 {
		t.Fatalf("%d posts", len(posts))
	}
	p := posts[0]
	if p.ID != r.body["id"] || p.Account != "bob" || p.Text != "<b>hi</b>" || p.HeraldKey != "t1-p0" || p.IdempotencyKey != "k1" {
		t.Errorf("ledger post %+v", p)
	}
	at, ok := s.Ledger().ReceivedAt("t1-p0")
	if !ok || at.Before(before) || !at.Equal(p.ReceivedAt) {
		t.Errorf("ReceivedAt = %v, %v; post received %v, test began %v", at, ok, p.ReceivedAt, before)
	}
	if _, ok := s.Ledger().ReceivedAt("other"); ok {
		t.Error("ReceivedAt found an unknown key")
	}
}

func TestIdempotency(t *testing.T) {
	tests := []struct {
		name       string
		idem       bool
		wantPosts  int
		wantDups   map[string]int
		wantSameID bool
	}{
		{"honoured", true, 1, map[string]int{}, true},
		{"ignored", false, 2, map[string]int{"k": 2}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s, base := start(t, fakeserver.Config{Idempotency: tt.idem})
			c := s.Client()
			h := map[string]string{"Idempotency-Key": "k", "X-Herald-Key": "k"}
			a := post(t, c, base, "carol", url.Values{"status": {"once"}}, h)
			b := post(t, c, base, "carol", url.Values{"status": {"once"}}, h)
			// The same key from another account is another post.
			o := post(t, c, base, "dave", url.Values{"status": {"once"}}, map[string]string{"Idempotency-Key": "k"})
			if a.status != 200 || b.status != 200 || o.status != 200 {
				t.Fatalf("statuses %d %d %d", a.status, b.status, o.status)
			}
			if (a.body["id"] == b.body["id"]) != tt.wantSameID {
				t.Errorf("ids %v and %v; same wanted: %v", a.body["id"], b.body["id"], tt.wantSameID)
			}
			if got := s.Ledger().Count(); got != tt.wantPosts+1 {
				t.Errorf("count %d, want %d", got, tt.wantPosts+1)
			}
			if got := s.Ledger().Duplicates(); !equalMaps(got, tt.wantDups) {
				t.Errorf("duplicates %v, want %v", got, tt.wantDups)
			}
		})
	}
}

func equalMaps(a, b map[string]int) bool {
	if len(a) != len(b) {
		return false
	}
	for k, v := range a {
		if b[k] != v {
			return false
		}
	}
	return true
}

func TestIdempotencyConcurrent(t *testing.T) {
	s, base := start(t, fakeserver.Config{Idempotency: true})
	c := s.Client()
	var wg sync.WaitGroup
	ids := make([]string, 16)
	for i := range ids {
		wg.Go(func() {
			req, _ := http.NewRequest(http.MethodPost, base+"/api/v1/statuses", strings.NewReader("status=race"))
			req.Header.Set("Authorization", "Bearer erin")
			req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
			req.Header.Set("Idempotency-Key", "same")
			res, err := c.Do(req)
			if err != nil {
				t.Error(err)
				return
			}
			defer res.Body.Close()
			var st struct{ ID string }
			if err := json.NewDecoder(res.Body).Decode(&st); err != nil {
				t.Error(err)
			}
			ids[i] = st.ID
		})
	}
	wg.Wait()
	for _, id := range ids {
		if id != ids[0] || id == "" {
			t.Fatalf("ids %v: want one id", ids)
		}
	}
	if s.Ledger().Count() != 1 {
		t.Errorf("count %d, want 1", s.Ledger().Count())
	}
}

func TestTokens(t *testing.T) {
	past := time.Now().Add(-time.Minute)
	s, base := start(t, fakeserver.Config{Tokens: []fakeserver.Token{
		{Account: "a", AccessToken: "good", RefreshToken: "r1"},
		{Account: "a", AccessToken: "old", RefreshToken: "r1", ExpiresAt: past},
		{Account: "b", AccessToken: "gone", Revoked: true},
	}})
	c := s.Client()
	tests := []struct {
		token  string
		status int
		msg    string
	}{
		{"good", 200, ""},
		{"old", 401, "The access token expired"},
		{"gone", 401, "The access token is invalid"},
		{"unknown", 401, "The access token is invalid"},
		{"", 401, "The access token is invalid"},
	}
	for _, tt := range tests {
		t.Run(tt.token, func(t *testing.T) {
			r := post(t, c, base, tt.token, url.Values{"status": {"x"}}, nil)
			if r.status != tt.status || (tt.msg != "" && r.body["error"] != tt.msg) {
				t.Errorf("got %d %s, want %d %q", r.status, r.raw, tt.status, tt.msg)
			}
			if tt.status == 401 && !strings.Contains(r.header.Get("WWW-Authenticate"), tt.msg) {
				t.Errorf("WWW-Authenticate %q", r.header.Get("WWW-Authenticate"))
			}
		})
	}

	form := url.Values{"grant_type": {"refresh_token"}, "refresh_token": {"r1"}}
	r := do(t, c, http.MethodPost, base+"/oauth/token", "", strings.NewReader(form.Encode()), "application/x-www-form-urlencoded", nil)
	tok, _ := r.body["access_token"].(string)
	if r.status != 200 || tok == "" || r.body["refresh_token"] != "r1" || r.body["expires_in"].(float64) != fakeserver.DefaultTokenLifetime.Seconds() {
		t.Fatalf("refresh: %d %s", r.status, r.raw)
	}
	if r := post(t, c, base, tok, url.Values{"status": {"fresh"}}, nil); r.status != 200 {
		t.Errorf("post with refreshed token: %d %s", r.status, r.raw)
	}
	if r := post(t, c, base, "good", url.Values{"status": {"still"}}, nil); r.status != 200 {
		t.Errorf("post with the earlier token after a refresh: %d %s", r.status, r.raw)
	}
	if got := s.Config().Tokens; len(got) != 4 || got[3].AccessToken != tok {
		t.Errorf("Config().Tokens = %+v, want the refreshed token last", got)
	}
	bad := url.Values{"grant_type": {"refresh_token"}, "refresh_token": {"nope"}}
	r = do(t, c, http.MethodPost, base+"/oauth/token", "", strings.NewReader(bad.Encode()), "application/x-www-form-urlencoded", nil)
	if r.status != 400 || r.body["error"] != "invalid_grant" {
		t.Errorf("bad refresh token: %d %s", r.status, r.raw)
	}
}

func TestRateLimit(t *testing.T) {
	s, base := start(t, fakeserver.Config{RateLimit: 2, RateWindow: time.Hour})
	c := s.Client()
	for i, want := range []string{"1", "0"} {
		r := post(t, c, base, "f", url.Values{"status": {"x"}}, nil)
		if r.status != 200 || r.header.Get("X-RateLimit-Limit") != "2" || r.header.Get("X-RateLimit-Remaining") != want {
			t.Fatalf("request %d: %d, headers %v", i, r.status, r.header)
		}
		if _, err := time.Parse(time.RFC3339, r.header.Get("X-RateLimit-Reset")); err != nil {
			t.Errorf("X-RateLimit-Reset: %v", err)
		}
	}
	r := post(t, c, base, "f", url.Values{"status": {"x"}}, nil)
	if r.status != 429 || r.body["error"] != "Too many requests" {
		t.Fatalf("third request: %d %s", r.status, r.raw)
	}
	secs, err := strconv.Atoi(r.header.Get("Retry-After"))
	if err != nil || secs < 1 || secs > 3600 {
		t.Errorf("Retry-After %q", r.header.Get("Retry-After"))
	}
	// Another account is not slowed.
	if r := post(t, c, base, "g", url.Values{"status": {"x"}}, nil); r.status != 200 {
		t.Errorf("other account: %d", r.status)
	}
	if got := s.Stats().RateLimited; got != 1 {
		t.Errorf("stats rate_limited %d", got)
	}
}

func TestErrorInjection(t *testing.T) {
	tests := []struct {
		name string
		cfg  fakeserver.Config
		ct   string
	}{
		{"json", fakeserver.Config{ErrorRate: 1, ErrorStatus: 502}, "application/json"},
		{"html", fakeserver.Config{ErrorRate: 1, ErrorHTML: true}, "text/html"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s, base := start(t, tt.cfg)
			r := post(t, s.Client(), base, "h", url.Values{"status": {"x"}}, nil)
			want := tt.cfg.ErrorStatus
			if want == 0 {
				want = 503
			}
			if r.status != want || !strings.HasPrefix(r.header.Get("Content-Type"), tt.ct) {
				t.Errorf("%d %s %s", r.status, r.header.Get("Content-Type"), r.raw)
			}
			if s.Ledger().Count() != 0 {
				t.Error("an injected error recorded a post")
			}
		})
	}
}

func TestTimeoutRecordsPost(t *testing.T) {
	tests := []struct {
		name  string
		delay time.Duration
	}{
		{"connection closed", 0},
		{"answer held back", time.Hour},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s, base := start(t, fakeserver.Config{TimeoutRate: 1, TimeoutDelay: tt.delay})
			ctx, cancel := context.WithTimeout(t.Context(), 300*time.Millisecond)
			defer cancel()
			req, _ := http.NewRequestWithContext(ctx, http.MethodPost, base+"/api/v1/statuses", strings.NewReader("status=lost"))
			req.Header.Set("Authorization", "Bearer i")
			req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
			req.Header.Set("X-Herald-Key", "lost-1")
			res, err := s.Client().Do(req)
			if err == nil {
				res.Body.Close()
				t.Fatalf("got an answer %d, want none", res.StatusCode)
			}
			if s.Ledger().Count() != 1 {
				t.Errorf("count %d, want the post recorded", s.Ledger().Count())
			}
			if s.Stats().Timeouts != 1 {
				t.Errorf("timeouts %d", s.Stats().Timeouts)
			}
		})
	}
}

func upload(tb testing.TB, c *http.Client, base, token string, data []byte) reply {
	tb.Helper()
	var buf bytes.Buffer
	mw := multipart.NewWriter(&buf)
	_ = mw.WriteField("description", "a red square")
	fw, _ := mw.CreateFormFile("file", "a.png")
	_, _ = fw.Write(data)
	_ = mw.Close()
	return do(tb, c, http.MethodPost, base+"/api/v2/media", token, &buf, mw.FormDataContentType(), nil)
}

func TestMediaProcessing(t *testing.T) {
	s, base := start(t, fakeserver.Config{ProcessingDelay: time.Hour, MaxMediaBytes: 10})
	c := s.Client()
	r := upload(t, c, base, "j", []byte("png"))
	id, _ := r.body["id"].(string)
	if r.status != 202 || id == "" || r.body["url"] != nil {
		t.Fatalf("upload: %d %s", r.status, r.raw)
	}
	if r := do(t, c, http.MethodGet, base+"/api/v1/media/"+id, "j", nil, "", nil); r.status != 202 {
		t.Errorf("poll: %d %s", r.status, r.raw)
	}
	if r := do(t, c, http.MethodGet, base+"/api/v1/media/"+id, "someone-else", nil, "", nil); r.status != 404 {
		t.Errorf("poll by another account: %d", r.status)
	}
	r = post(t, c, base, "j", url.Values{"status": {"pic"}, "media_ids[]": {id}}, nil)
	if r.status != 422 || !strings.Contains(r.body["error"].(string), "not finished processing") {
		t.Errorf("attach while processing: %d %s", r.status, r.raw)
	}
	if r := upload(t, c, base, "j", []byte("01234567890")); r.status != 422 {
		t.Errorf("too large: %d %s", r.status, r.raw)
	}

	cfg := s.Config()
	cfg.ProcessingDelay = 0
	if err := s.Configure(cfg); err != nil {
		t.Fatal(err)
	}
	r = upload(t, c, base, "j", []byte("png"))
	id, _ = r.body["id"].(string)
	if r.status != 200 || r.body["url"] == nil {
		t.Fatalf("upload without processing: %d %s", r.status, r.raw)
	}
	r = post(t, c, base, "j", url.Values{"status": {"pic"}, "media_ids[]": {id}}, nil)
	if r.status != 200 {
		t.Fatalf("attach: %d %s", r.status, r.raw)
	}
	if p := s.Ledger().Posts(); len(p) != 1 || len(p[0].MediaIDs) != 1 || p[0].MediaIDs[0] != id {
		t.Errorf("ledger %+v", p)
	}
}

func TestLookupAndDelete(t *testing.T) {
	s, base := start(t, fakeserver.Config{Lookup: true})
	c := s.Client()
	var ids []string
	for i := range 45 {
		r := post(t, c, base, "k", url.Values{"status": {"n" + strconv.Itoa(i)}}, map[string]string{"X-Herald-Key": "key" + strconv.Itoa(i)})
		ids = append(ids, r.body["id"].(string))
	}
	list := func(q string) []map[string]any {
		t.Helper()
		req, _ := http.NewRequest(http.MethodGet, base+"/api/v1/accounts/k/statuses?"+q, nil)
		req.Header.Set("Authorization", "Bearer k")
		res, err := c.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer res.Body.Close()
		var out []map[string]any
		if err := json.NewDecoder(res.Body).Decode(&out); err != nil {
			t.Fatal(err)
		}
		return out
	}
	page := list("limit=100")
	if len(page) != 40 || page[0]["herald_key"] != "key44" || page[39]["herald_key"] != "key5" {
		t.Fatalf("first page: %d, first %v", len(page), page[0]["herald_key"])
	}
	page = list("limit=40&max_id=" + page[39]["id"].(string))
	if len(page) != 5 || page[0]["herald_key"] != "key4" {
		t.Fatalf("second page: %d", len(page))
	}

	if r := do(t, c, http.MethodDelete, base+"/api/v1/statuses/"+ids[44], "someone", nil, "", nil); r.status != 404 {
		t.Errorf("delete by another account: %d", r.status)
	}
	r := do(t, c, http.MethodDelete, base+"/api/v1/statuses/"+ids[44], "k", nil, "", nil)
	if r.status != 200 || r.body["text"] != "n44" {
		t.Errorf("delete: %d %s", r.status, r.raw)
	}
	if r := do(t, c, http.MethodDelete, base+"/api/v1/statuses/"+ids[44], "k", nil, "", nil); r.status != 404 {
		t.Errorf("second delete: %d", r.status)
	}
	if page := list("limit=1"); page[0]["herald_key"] != "key43" {
		t.Errorf("deleted post still listed")
	}
	if s.Ledger().Count() != 45 {
		t.Errorf("a delete changed the count")
	}

	cfg := s.Config()
	cfg.Lookup = false
	_ = s.Configure(cfg)
	if r := do(t, c, http.MethodGet, base+"/api/v1/accounts/k/statuses", "k", nil, "", nil); r.status != 404 {
		t.Errorf("lookup when disabled: %d", r.status)
	}
}

func TestAdmin(t *testing.T) {
	s, base := start(t, fakeserver.Config{})
	c := s.Client()
	r := do(t, c, http.MethodPut, base+"/_admin/config", "",
		strings.NewReader(`{"latency":"1ms","error_rate":2,"rate_window":"soon","idempotency":true}`), "application/json", nil)
	if r.status != 422 || !strings.Contains(string(r.raw), "rate_window") {
		t.Errorf("bad config: %d %s", r.status, r.raw)
	}
	r = do(t, c, http.MethodPut, base+"/_admin/config", "", strings.NewReader(`{"error_rate":2}`), "application/json", nil)
	if r.status != 422 || !strings.Contains(string(r.raw), `"field":"error_rate"`) {
		t.Errorf("bad rate: %d %s", r.status, r.raw)
	}
	r = do(t, c, http.MethodPut, base+"/_admin/config", "", strings.NewReader(`{`), "application/json", nil)
	if r.status != 400 {
		t.Errorf("broken JSON: %d %s", r.status, r.raw)
	}
	r = do(t, c, http.MethodPut, base+"/_admin/config", "",
		strings.NewReader(`{"latency":"1ms","idempotency":true,"lookup":true,"max_chars":20}`), "application/json", nil)
	if r.status != 200 {
		t.Fatalf("config: %d %s", r.status, r.raw)
	}
	if got := s.Config(); got.Latency != time.Millisecond || !got.Idempotency || !got.Lookup || got.MaxChars != 20 {
		t.Errorf("Config() = %+v", got)
	}
	if r := do(t, c, http.MethodGet, base+"/_admin/config", "", nil, "", nil); r.body["latency"] != "1ms" {
		t.Errorf("GET config %s", r.raw)
	}

	cfg := s.Config()
	cfg.Idempotency = false
	_ = s.Configure(cfg)
	for range 2 {
		post(t, c, base, "m", url.Values{"status": {"twice"}}, map[string]string{"X-Herald-Key": "dup"})
	}
	post(t, c, base, "m", url.Values{"status": {"once"}}, map[string]string{"X-Herald-Key": "one"})
	var sum fakeserver.LedgerSummary
	r = do(t, c, http.MethodGet, base+"/_admin/ledger", "", nil, "", nil)
	if err := json.Unmarshal(r.raw, &sum); err != nil {
		t.Fatalf("ledger %s: %v", r.raw, err)
	}
	first, _ := s.Ledger().ReceivedAt("dup")
	if sum.Count != 3 || sum.Duplicates["dup"] != 2 || len(sum.Duplicates) != 1 || sum.Received["dup"] != first.UnixNano() || len(sum.Received) != 2 || sum.Stats.Posts != 3 {
		t.Errorf("summary %+v", sum)
	}
	got, err := fakeserver.FetchLedger(t.Context(), c, base, false)
	if err != nil || got.Count != 3 || got.Received != nil {
		t.Errorf("FetchLedger = %+v, %v", got, err)
	}

	if r := do(t, c, http.MethodPost, base+"/_admin/reset", "", nil, "", nil); r.status != 204 {
		t.Errorf("reset: %d", r.status)
	}
	if s.Ledger().Count() != 0 || len(s.Ledger().Duplicates()) != 0 || s.Stats().Requests != 0 {
		t.Error("reset left posts behind")
	}
}

func TestConfigValidate(t *testing.T) {
	tests := []struct {
		name  string
		cfg   fakeserver.Config
		field string
	}{
		{"rates over one", fakeserver.Config{ErrorRate: 0.6, TimeoutRate: 0.6}, "timeout_rate"},
		{"negative latency", fakeserver.Config{Latency: -1}, "latency"},
		{"4xx error status", fakeserver.Config{ErrorStatus: 404}, "error_status"},
		{"token without account", fakeserver.Config{Tokens: []fakeserver.Token{{AccessToken: "x"}}}, "tokens[0].account"},
		{"token twice", fakeserver.Config{Tokens: []fakeserver.Token{{Account: "a", AccessToken: "x"}, {Account: "b", AccessToken: "x"}}}, "tokens[1].access_token"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := tt.cfg.Validate()
			if err == nil || !strings.Contains(err.Error(), tt.field) {
				t.Errorf("Validate() = %v, want a problem with %s", err, tt.field)
			}
		})
	}
	if err := fakeserver.DefaultConfig().Validate(); err != nil {
		t.Errorf("default config: %v", err)
	}
}

func TestRun(t *testing.T) {
	ctx, cancel := context.WithCancel(t.Context())
	pr, pw := io.Pipe()
	done := make(chan error, 1)
	go func() {
		done <- fakeserver.Run(ctx, []string{"--addr", "127.0.0.1:0", "--print-url", "--max-chars", "5", "--lookup=false"}, pw, io.Discard)
		pw.Close()
	}()
	line, err := bufio.NewReader(pr).ReadString('\n')
	if err != nil {
		t.Fatalf("read the URL: %v", err)
	}
	base := strings.TrimSpace(line)
	go func() { _, _ = io.Copy(io.Discard, pr) }()
	r := post(t, http.DefaultClient, base, "n", url.Values{"status": {"too long"}}, nil)
	if r.status != 422 {
		t.Errorf("max chars flag not applied: %d %s", r.status, r.raw)
	}
	cancel()
	if err := <-done; err != nil {
		t.Errorf("Run: %v", err)
	}

	if err := fakeserver.Run(t.Context(), []string{"--error-rate", "3"}, io.Discard, io.Discard); err == nil || !strings.Contains(err.Error(), "error_rate") {
		t.Errorf("bad flag value: %v", err)
	}
	if err := fakeserver.Run(t.Context(), []string{"extra"}, io.Discard, io.Discard); err == nil {
		t.Error("an argument was accepted")
	}
}
