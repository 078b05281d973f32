package youtubefake

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

func TestDiscoveryChecksFieldsAndParameters(t *testing.T) {
	d, err := LoadDiscovery()
	if err != nil {
		t.Fatalf("YouTube's discovery document: %v", err)
	}
	m, ok := d.method("videos", "insert")
	if !ok || m.Request == nil || m.Request.Ref != "Video" {
		t.Fatalf("videos.insert in the discovery document: %+v", m)
	}
	got := d.checkBody("video", m.Request, map[string]any{"snippet": map[string]any{"title": "x", "titel": "y", "tags": []any{"a", 3.0}},
		"status": map[string]any{"privacyStatus": "private", "selfDeclaredMadeForKids": "yes"}})
	want := []string{"video.snippet.tags[1]: is float64", `video.snippet: unknown field "titel"`, "video.status.selfDeclaredMadeForKids: is string"}
	if len(got) != len(want) {
		t.Fatalf("violations %q, want %d", got, len(want))
	}
	for i := range want {
		if !strings.HasPrefix(got[i], want[i]) {
			t.Errorf("violation %q, want %q…", got[i], want[i])
		}
	}
	if v := d.checkQuery(m, []string{"part", "uploadType", "notifySubscriber"}, []string{"snippet", "stats"}, "Video"); len(v) != 2 {
		t.Errorf("query violations %q, want the misspelt parameter and the unknown part", v)
	}
}

func TestServerRecordsViolations(t *testing.T) {
	s := New("id", "secret", "UCchannel000000000000000", "@h")
	access, _ := s.IssueToken()
	ts := httptest.NewServer(s)
	defer ts.Close()
	req, _ := http.NewRequest(http.MethodGet, ts.URL+"/youtube/v3/channels?part=snippet&mine=true&maxResult=5", nil)
	req.Header.Set("Authorization", "Bearer "+access)
	res, err := ts.Client().Do(req)
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if v := s.Violations(); len(v) != 1 || !strings.Contains(v[0], `"maxResult"`) {
		t.Fatalf("violations %q, want the unknown parameter maxResult", v)
	}
}
