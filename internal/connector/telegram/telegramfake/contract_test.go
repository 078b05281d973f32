package telegramfake

import (
	"encoding/json"
	"strings"
	"testing"
)

func TestContractObjects(t *testing.T) {
	p, ok := FindSpec(".")
	if !ok {
		t.Skip("the Bot API list is not beside the repository")
	}
	c, err := LoadContract(p)
	if err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		name   string
		method string
		params Params
		want   string
	}{
		{"good", "sendMessage", Params{Values: map[string]any{"chat_id": float64(-100), "text": "hi", "reply_parameters": map[string]any{"message_id": float64(3)}}}, ""},
		{"unknown parameter", "sendMessage", Params{Values: map[string]any{"chat_id": "@x", "text": "hi", "silent": true}}, "silent is not a parameter"},
		{"missing text", "sendMessage", Params{Values: map[string]any{"chat_id": "@x"}}, "required parameter text"},
		{"wrong type", "sendMessage", Params{Values: map[string]any{"chat_id": "@x", "text": "hi", "disable_notification": "yes"}}, "not Boolean"},
		{"bad nested field", "sendMessage", Params{Values: map[string]any{"chat_id": "@x", "text": "hi", "reply_parameters": map[string]any{"id": float64(3)}}}, "lacks the required field message_id"},
		{"form file", "sendPhoto", Params{Form: true, Values: map[string]any{"chat_id": "-100"}, Files: map[string]bool{"photo": true}}, ""},
		{"form bad JSON", "sendMediaGroup", Params{Form: true, Values: map[string]any{"chat_id": "-100", "media": `[{"type":"photo"}]`}}, "lacks the required field media"},
		{"unattached file", "sendMediaGroup", Params{Form: true, Values: map[string]any{"chat_id": "-100", "media": `[{"type":"photo","media":"attach://a"},{"type":"photo","media":"attach://b"}]`}, Files: map[string]bool{"a": true, "c": true}}, "neither a parameter nor attached"},
		{"no such method", "sendTweet", Params{}, "not a Bot API method"},
	}
	for _, tc := range cases {
		got := strings.Join(c.CheckRequest(tc.method, tc.params), "\n")
		if tc.want == "" && got != "" || !strings.Contains(got, tc.want) {
			t.Errorf("%s: objections %q, want %q", tc.name, got, tc.want)
		}
	}
	res := json.RawMessage(`{"message_id":1,"date":2,"chat":{"id":3,"type":"channel"},"views":5}`)
	if got := strings.Join(c.CheckResult("sendMessage", res), "\n"); !strings.Contains(got, "views") {
		t.Errorf("a field Message does not have passes: %q", got)
	}
	admin := json.RawMessage(`{"status":"administrator","user":{"id":1,"is_bot":true,"first_name":"b"}}`)
	if got := c.CheckResult("getChatMember", admin); len(got) == 0 {
		t.Error("an administrator without its required rights passes")
	}
}
