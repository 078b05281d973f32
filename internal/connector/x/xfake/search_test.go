package xfake

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"
)

// searchAnswer is the part of a search answer these tests read.
type searchAnswer struct {
	Data []struct {
		ID       string `json:"id"`
		Text     string `json:"text"`
		Lang     string `json:"lang"`
		Entities struct {
			Hashtags []struct {
				Tag        string `json:"tag"`
				Start, End int
			} `json:"hashtags"`
			Mentions []struct {
				ID, Username string
			} `json:"mentions"`
		} `json:"entities"`
	} `json:"data"`
	Includes struct {
		Users []struct {
			ID, Username  string
			PublicMetrics struct {
				FollowersCount int64 `json:"followers_count"`
			} `json:"public_metrics"`
		} `json:"users"`
	} `json:"includes"`
	Meta struct {
		NewestID  string `json:"newest_id"`
		NextToken string `json:"next_token"`
		Count     int    `json:"result_count"`
	} `json:"meta"`
	Reason string `json:"reason"`
	Type   string `json:"type"`
}

type searchEnv struct {
	t   *testing.T
	s   *Server
	ts  *httptest.Server
	tok Token
	fan User
}

func newSearchEnv(t *testing.T, cfg Config, c *Contract) *searchEnv {
	var opts []Option
	if c != nil {
		opts = append(opts, WithContract(c))
	}
	s := New(cfg, opts...)
	u := s.AddUser("herald", "Herald")
	e := &searchEnv{t: t, s: s, ts: httptest.NewServer(s), tok: s.IssueToken(u.ID), fan: s.AddUser("fan", "A Fan")}
	t.Cleanup(e.ts.Close)
	return e
}

func (e *searchEnv) search(params url.Values) (int, http.Header, searchAnswer) {
	e.t.Helper()
	req, _ := http.NewRequest("GET", e.ts.URL+"/2/tweets/search/recent?"+params.Encode(), nil)
	req.Header.Set("Authorization", "Bearer "+e.tok.Access)
	res, err := e.ts.Client().Do(req)
	if err != nil {
		e.t.Fatal(err)
	}
	defer res.Body.Close()
	var a searchAnswer
	if err := json.NewDecoder(res.Body).Decode(&a); err != nil {
		e.t.Fatalf("decode: %v", err)
	}
	return res.StatusCode, res.Header, a
}

func TestSearchQueries(t *testing.T) {
	e := newSearchEnv(t, Config{ClientID: "app"}, nil)
	other := e.s.AddUser("other", "Other")
	posts := map[string]string{}
	for _, p := range []struct {
		key, user, text, lang string
	}{
		{"launch", e.fan.ID, "The Acme launch is today #Rockets", "en"},
		{"phrase", e.fan.ID, "I love climate-change talks", "en"},
		{"mention", other.ID, "hey @fan look", "de"},
		{"none", other.ID, "acme is broken", "en"},
	} {
		posts[p.key] = e.s.PostPublic(p.user, p.text, PublicPost{Lang: p.lang}).ID
	}
	for _, c := range []struct {
		query string
		want  []string
	}{
		{"acme", []string{"none", "launch"}},
		{"acme -broken", []string{"launch"}},
		{`"climate change"`, []string{"phrase"}},
		{"#rockets OR @fan", []string{"mention", "launch"}},
		{"(acme OR look) lang:de", []string{"mention"}},
		{"from:other -is:retweet", []string{"none", "mention"}},
		{"acme launch OR talks", []string{"phrase", "launch"}},
	} {
		status, _, a := e.search(url.Values{"query": {c.query}})
		var got []string
		for _, d := range a.Data {
			for k, id := range posts {
				if id == d.ID {
					got = append(got, k)
				}
			}
		}
		if status != 200 || strings.Join(got, ",") != strings.Join(c.want, ",") {
			t.Errorf("%q: %d %v, want %v", c.query, status, got, c.want)
		}
	}
	for _, q := range []string{"lang:en", "-acme", "(acme", `"acme`, "acme OR", "foo:bar", "is:retweet", strings.Repeat("a ", 300)} {
		if status, _, _ := e.search(url.Values{"query": {q}}); status != http.StatusBadRequest {
			t.Errorf("%q: %d, want 400", q, status)
		}
	}
}

// TestSearchConforms: the answers (pages, includes, entities, the
// rate-limit and access errors) conform to the OpenAPI document, and the
// paging, since_id and rate-limit headers behave as X's.
func TestSearchConforms(t *testing.T) {
	c := loadContract(t)
	now := time.Date(2026, 12, 6, 8, 0, 0, 0, time.UTC)
	e := newSearchEnv(t, Config{ClientID: "app", SearchRateLimit: 4, Now: func() time.Time { return now }}, c)
	e.s.SetFollowers(e.fan.ID, 42, 1)
	var ids []string
	for i := range 15 {
		ids = append(ids, e.s.PostPublic(e.fan.ID, "acme #launch @herald "+strconv.Itoa(i), PublicPost{Lang: "en"}).ID)
	}
	q := url.Values{"query": {"acme -is:retweet"}, "max_results": {"10"}, "tweet.fields": {"created_at,lang,conversation_id,referenced_tweets,entities,author_id"},
		"expansions": {"author_id"}, "user.fields": {"username,name,public_metrics"}, "since_id": {ids[2]}}
	status, h, a := e.search(q)
	if status != 200 || len(a.Data) != 10 || a.Meta.NewestID != ids[14] || a.Meta.NextToken == "" || h.Get("x-rate-limit-remaining") != "3" {
		t.Fatalf("page 1: %d %d posts, meta %+v, remaining %q", status, len(a.Data), a.Meta, h.Get("x-rate-limit-remaining"))
	}
	d := a.Data[0]
	if d.Lang != "en" || len(d.Entities.Hashtags) != 1 || d.Entities.Hashtags[0].Tag != "launch" || d.Entities.Hashtags[0].Start != 5 ||
		len(d.Entities.Mentions) != 1 || d.Entities.Mentions[0].Username != "herald" || d.Entities.Mentions[0].ID == "" ||
		len(a.Includes.Users) != 1 || a.Includes.Users[0].PublicMetrics.FollowersCount != 42 {
		t.Fatalf("post %+v, includes %+v", d, a.Includes)
	}
	e.s.PostPublic(e.fan.ID, "acme newer, not on page 2", PublicPost{})
	q.Set("next_token", a.Meta.NextToken)
	status, _, a = e.search(q)
	if status != 200 || len(a.Data) != 2 || a.Data[0].ID != ids[4] || a.Data[1].ID != ids[3] || a.Meta.NextToken != "" {
		t.Fatalf("page 2: %d %+v", status, a)
	}
	q.Del("next_token")
	e.search(q)
	e.search(q)
	status, h, a = e.search(q)
	if status != http.StatusTooManyRequests || h.Get("x-rate-limit-remaining") != "0" ||
		h.Get("x-rate-limit-reset") != strconv.FormatInt(now.Add(15*time.Minute).Unix(), 10) {
		t.Fatalf("fifth search: %d %v", status, h)
	}
	now = now.Add(15 * time.Minute)
	if status, _, _ = e.search(q); status != 200 {
		t.Fatalf("after the reset: %d", status)
	}
	if errs := e.s.ContractErrors(); len(errs) > 0 {
		t.Errorf("the fake's search breaks the contract:\n%s", strings.Join(errs, "\n"))
	}
	e = newSearchEnv(t, Config{ClientID: "app", NoSearchAccess: true}, c)
	status, _, a = e.search(q)
	if status != http.StatusForbidden || a.Reason != "client-not-enrolled" || !strings.HasSuffix(a.Type, "/client-forbidden") {
		t.Fatalf("without search access: %d %+v", status, a)
	}
	if errs := e.s.ContractErrors(); len(errs) > 0 {
		t.Errorf("the fake's search breaks the contract:\n%s", strings.Join(errs, "\n"))
	}
}
