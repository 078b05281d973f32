package discord

import (
	"errors"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/heraldsocial/herald/internal/connector"
	"github.com/heraldsocial/herald/internal/connector/conformance"
	"github.com/heraldsocial/herald/internal/connector/discord/discordfake"
	"github.com/heraldsocial/herald/internal/herald"
)

// The suite runs on a forum channel's webhook, where a thread is a forum
// post and its parts follow in it.
func TestConformance(t *testing.T) {
	conformance.Run(t, func(t *testing.T) conformance.Setup {
		e := newEnv(t, true)
		return conformance.Setup{Connector: e.c, Fake: fake{e}, Options: map[string]string{OptionThreadName: "Herald conformance"}}
	})
}

func TestConnect(t *testing.T) {
	e := newEnv(t, false)
	if e.acct.Handle != "Herald News" || e.acct.RemoteID != e.wh.ID || e.acct.Platform != herald.PlatformDiscord {
		t.Fatalf("account %+v", e.acct.Account)
	}
	other := e.srv.AddWebhook("Gone", false)
	e.srv.DeleteWebhook(other.ID)
	cases := []struct{ name, id, pw, field, want string }{
		{"not a webhook", "Herald", "https://example.com/api/webhooks/1/2", "password", "not a Discord webhook URL"},
		{"swapped", webhookURL(e.wh), "Herald", "password", "webhook URL field"},
		{"deleted", "Herald", webhookURL(other), "password", "deleted"},
		{"wrong token", "Herald", "https://discord.com/api/webhooks/" + e.wh.ID + "/nope", "password", "deleted"},
		{"bad name", "Discord bot", webhookURL(e.wh), "identifier", "clyde"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			_, err := e.c.ConnectWithPassword(ctx(t), tc.id, tc.pw)
			var he *herald.Error
			if !errors.As(err, &he) || !strings.Contains(he.Error(), tc.want) || he.Details[0].Field != tc.field {
				t.Fatalf("error %v, want %q on %s", err, tc.want, tc.field)
			}
		})
	}
	// The URL in both fields posts under the webhook's own name.
	got, err := e.c.ConnectWithPassword(ctx(t), webhookURL(e.wh), webhookURL(e.wh))
	if err != nil || got.Account.Handle != "Herald" || strings.Contains(string(got.Credentials), `"username"`) {
		t.Fatalf("connect with the URL twice: %+v %s %v", got.Account, got.Credentials, err)
	}
}

func TestPublishFilesAndThread(t *testing.T) {
	e := newEnv(t, false)
	first, err := e.c.Publish(ctx(t), e.acct, connector.Part{Text: "Two files", Key: "a",
		Media:   []connector.Media{file("a.png", "image/png", []byte("png"), "a square"), file("b.mp4", "video/mp4", []byte("mp4"), "")},
		Options: map[string]string{OptionSilent: "true"}})
	if err != nil {
		t.Fatalf("Publish: %v", err)
	}
	second, err := e.c.Publish(ctx(t), e.acct, connector.Part{Index: 1, Text: "Follow-up", Key: "b", ReplyTo: &first, Root: &first})
	if err != nil {
		t.Fatalf("Publish part two: %v", err)
	}
	msgs := e.srv.Messages(e.wh.ID)
	if len(msgs) != 2 || len(msgs[0].Files) != 2 || msgs[0].Files[0].Description != "a square" || msgs[0].Username != "Herald News" {
		t.Fatalf("messages %+v", msgs)
	}
	if msgs[0].Flags != 1<<12 || msgs[1].ChannelID != e.wh.ChannelID || second.Meta["thread_id"] != "" {
		t.Errorf("flags %d, follow-up in %s (%+v)", msgs[0].Flags, msgs[1].ChannelID, second)
	}
	if _, err := e.c.Edit(ctx(t), e.acct, second, connector.Part{Text: "Edited"}); err != nil {
		t.Fatalf("Edit: %v", err)
	}
	if got := e.srv.Messages(e.wh.ID)[1]; got.Content != "Edited" {
		t.Errorf("content %q after Edit", got.Content)
	}
}

func TestForumThreadEditDelete(t *testing.T) {
	e := newEnv(t, true)
	_, err := e.c.Publish(ctx(t), e.acct, connector.Part{Text: "no title", Key: "x"})
	if classOf(err) != connector.Invalid || !strings.Contains(err.Error(), "thread_name") {
		t.Fatalf("a forum post without a title: %v, want invalid", err)
	}
	first, err := e.c.Publish(ctx(t), e.acct, connector.Part{Text: "Post", Key: "a", Options: map[string]string{OptionThreadName: "News"}})
	if err != nil {
		t.Fatal(err)
	}
	if first.Meta["thread_id"] != first.ID {
		t.Fatalf("forum post ref %+v: its thread has its id", first)
	}
	second, err := e.c.Publish(ctx(t), e.acct, connector.Part{Index: 1, Text: "In the thread", Key: "b", ReplyTo: &first, Root: &first})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := e.c.Edit(ctx(t), e.acct, second, connector.Part{Text: "Changed"}); err != nil {
		t.Fatalf("Edit in a thread: %v", err)
	}
	if err := e.c.Delete(ctx(t), e.acct, second); err != nil {
		t.Fatalf("Delete in a thread: %v", err)
	}
	if m := e.srv.Messages(e.wh.ID)[1]; !m.Deleted || m.Content != "Changed" {
		t.Errorf("message %+v", m)
	}
}

func TestErrors(t *testing.T) {
	cases := []struct {
		name  string
		fault discordfake.Fault
		want  connector.Class
		wait  time.Duration
	}{
		{"rate limited", discordfake.RateLimited(64.57), connector.RateLimited, 64570 * time.Millisecond},
		{"token reset", discordfake.Fault{Op: "execute", Status: 401, Header: http.Header{"Content-Type": {"application/json"}}, Body: `{"code":50027,"message":"Invalid Webhook Token"}`}, connector.AuthRevoked, 0},
		{"server error", discordfake.Fault{Op: "execute", Status: 502, Header: http.Header{"Content-Type": {"text/html"}}, Body: "<html>bad gateway</html>", Raw: true}, connector.Ambiguous, 0},
		{"dropped", discordfake.Fault{Op: "execute", Drop: true}, connector.Ambiguous, 0},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			e := newEnv(t, false)
			e.srv.Inject(tc.fault)
			_, err := e.c.Publish(ctx(t), e.acct, connector.Part{Text: "x", Key: "k"})
			var ce *connector.Error
			if !errors.As(err, &ce) || ce.Class != tc.want || ce.RetryAfter != tc.wait {
				t.Fatalf("error %v (wait %v), want %s with wait %v", err, ce, tc.want, tc.wait)
			}
			if strings.Contains(err.Error(), e.wh.Token) {
				t.Errorf("the error shows the webhook token: %v", err)
			}
		})
	}
	e := newEnv(t, false)
	e.srv.Inject(discordfake.Fault{Op: "execute", Status: 400, Header: http.Header{"Content-Type": {"application/json"}},
		Body: `{"code":50035,"message":"Invalid Form Body","errors":{"embeds":{"0":{"_errors":[{"code":50035,"message":"Must be 6000 or fewer in length."}]}}}}`})
	_, err := e.c.Publish(ctx(t), e.acct, connector.Part{Text: "x", Key: "k"})
	if classOf(err) != connector.Invalid || !strings.Contains(err.Error(), "Invalid Form Body: embeds.0: Must be 6000 or fewer") {
		t.Fatalf("refused form: %v", err)
	}
	_, err = e.c.Publish(ctx(t), e.acct, connector.Part{Text: strings.Repeat("a", 2001), Key: "k"})
	if classOf(err) != connector.Invalid {
		t.Fatalf("too long: %v", err)
	}
}

func TestValidate(t *testing.T) {
	c := New(nil)
	big := file("big.png", "image/png", nil, strings.Repeat("d", 1025))
	big.Asset.Size = MaxFileBytes + 1
	_, probs, _ := c.Validate(ctx(t), connector.Account{}, connector.Part{Text: strings.Repeat("é", 2001),
		Media: []connector.Media{big}, Options: map[string]string{OptionThreadName: strings.Repeat("t", 101), OptionThreadID: "x"}})
	want := []string{"text", "media[0]", "media[0].alt_text", "options.thread_name", "options.thread_id"}
	got := map[string]bool{}
	for _, p := range probs {
		got[p.Field] = true
	}
	for _, f := range want {
		if !got[f] {
			t.Errorf("no problem on %s: %+v", f, probs)
		}
	}
}
