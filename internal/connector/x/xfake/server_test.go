package xfake

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

func loadContract(t *testing.T) *Contract {
	t.Helper()
	p, ok := FindSpec(".")
	if !ok {
		t.Skip("the X OpenAPI document is not beside the repository (../shared/specs)")
	}
	c, err := LoadContract(p)
	if err != nil {
		t.Fatalf("LoadContract: %v", err)
	}
	return c
}

// TestContractCatchesMismatches shows that the check bites: a request the
// document does not allow and an answer it does not describe are both
// reported with the validator's words.
func TestContractCatchesMismatches(t *testing.T) {
	c := loadContract(t)
	tests := []struct {
		name   string
		method string
		path   string
		body   string
		fault  *Fault
		want   string
	}{
		{name: "unknown field in a post", method: "POST", path: "/2/tweets", body: `{"text":"hi","colour":"red"}`,
			want: "request POST /2/tweets"},
		{name: "id that is not a number", method: "DELETE", path: "/2/tweets/abc",
			want: "request DELETE /2/tweets/abc"},
		{name: "answer without the post's text", method: "POST", path: "/2/tweets", body: `{"text":"hi"}`,
			fault: &Fault{Route: "POST /2/tweets", Status: 201, ContentType: "application/json", Body: `{"data":{"id":"1"}}`},
			want:  "response 201 to POST /2/tweets"},
		{name: "error of no known shape", method: "GET", path: "/2/users/me",
			fault: &Fault{Route: "GET /2/users/me", Status: 500, ContentType: "application/json", Body: `{"oops":true}`},
			want:  "response 500 to GET /2/users/me"},
		{name: "unknown field in a direct message", method: "POST", path: "/2/dm_conversations/1-2/messages", body: `{"text":"hi","colour":"red"}`,
			want: "request POST /2/dm_conversations/1-2/messages"},
		{name: "a dm_event field the document does not list", method: "GET", path: "/2/dm_events?dm_event.fields=id,sender_id",
			want: "request GET /2/dm_events"},
		{name: "a pagination token shorter than 16", method: "GET", path: "/2/dm_events?pagination_token=pt100",
			want: "request GET /2/dm_events"},
		{name: "a sent message's answer without its event id", method: "POST", path: "/2/dm_conversations/1-2/messages", body: `{"text":"hi"}`,
			fault: &Fault{Route: "POST /2/dm_conversations/{id}/messages", Status: 201, ContentType: "application/json", Body: `{"data":{"dm_conversation_id":"1-2"}}`},
			want:  "response 201 to POST /2/dm_conversations/1-2/messages"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := New(Config{ClientID: "app"}, WithContract(c))
			u := s.AddUser("herald", "Herald")
			tok := s.IssueToken(u.ID)
			if tt.fault != nil {
				s.Inject(*tt.fault)
			}
			ts := httptest.NewServer(s)
			defer ts.Close()
			req, _ := http.NewRequest(tt.method, ts.URL+tt.path, strings.NewReader(tt.body))
			req.Header.Set("Authorization", "Bearer "+tok.Access)
			if tt.body != "" {
				req.Header.Set("Content-Type", "application/json")
			}
			res, err := ts.Client().Do(req)
			if err != nil {
				t.Fatal(err)
			}
			res.Body.Close()
			errs := s.ContractErrors()
			if len(errs) == 0 || !strings.Contains(strings.Join(errs, "\n"), tt.want) {
				t.Errorf("contract errors = %q; want one about %q", errs, tt.want)
			}
		})
	}
}

func TestContractAcceptsTheFake(t *testing.T) {
	c := loadContract(t)
	s := New(Config{ClientID: "app"}, WithContract(c))
	u := s.AddUser("herald", "Herald")
	tok := s.IssueToken(u.ID)
	friend := s.AddUser("friend", "Friend")
	for i := range 3 {
		s.SendDM(friend.ID, u.ID, "hello "+strings.Repeat("!", i))
	}
	conv := ConversationID(u.ID, friend.ID)
	ts := httptest.NewServer(s)
	defer ts.Close()
	do := func(method, path, body string) int {
		req, _ := http.NewRequest(method, ts.URL+path, strings.NewReader(body))
		req.Header.Set("Authorization", "Bearer "+tok.Access)
		if body != "" {
			req.Header.Set("Content-Type", "application/json")
		}
		res, err := ts.Client().Do(req)
		if err != nil {
			t.Fatal(err)
		}
		res.Body.Close()
		return res.StatusCode
	}
	for _, r := range []struct {
		method, path, body string
		status             int
	}{
		{"GET", "/2/users/me", "", 200},
		{"POST", "/2/tweets", `{"text":"hello"}`, 201},
		{"POST", "/2/tweets", `{"text":"hello"}`, 403},                                  // duplicate
		{"POST", "/2/tweets", `{"text":"x","reply":{"in_reply_to_tweet_id":"1"}}`, 403}, // unknown target
		{"GET", "/2/tweets?ids=1,2", "", 200},
		{"DELETE", "/2/tweets/1", "", 404},
		{"GET", "/2/users/" + u.ID + "/tweets?max_results=5", "", 200},
		{"POST", "/2/media/upload/initialize", `{"media_type":"image/png","total_bytes":99999999,"media_category":"tweet_image"}`, 400},
		{"GET", "/2/dm_events?dm_event.fields=id,text,event_type,created_at,dm_conversation_id&event_types=MessageCreate" +
			"&expansions=sender_id,participant_ids&user.fields=username,name,profile_image_url&max_results=2", "", 200},
		{"GET", "/2/dm_events?max_results=2&pagination_token=" + dmToken(2), "", 200},
		{"GET", "/2/dm_conversations/" + conv + "/dm_events?dm_event.fields=id,text,created_at&expansions=sender_id", "", 200},
		{"GET", "/2/dm_conversations/1-2/dm_events", "", 403}, // not a participant
		{"POST", "/2/dm_conversations/" + conv + "/messages", `{"text":"hi back"}`, 201},
		{"POST", "/2/dm_conversations/" + conv + "/messages", `{"text":"` + strings.Repeat("a", DMTextLimit+1) + `"}`, 400},
		{"POST", "/2/dm_conversations/1-2/messages", `{"text":"hi"}`, 403},
	} {
		if got := do(r.method, r.path, r.body); got != r.status {
			t.Errorf("%s %s = %d; want %d", r.method, r.path, got, r.status)
		}
	}
	if errs := s.ContractErrors(); len(errs) > 0 {
		t.Errorf("the fake's own answers break the contract:\n%s", strings.Join(errs, "\n"))
	}
	// Without a token: 401 in X's shape.
	res, err := ts.Client().Get(ts.URL + "/2/users/me")
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if res.StatusCode != http.StatusUnauthorized {
		t.Errorf("no token: %d", res.StatusCode)
	}
}
