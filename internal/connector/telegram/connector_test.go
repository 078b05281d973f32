package telegram

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/heraldsocial/herald/internal/connector"
	"github.com/heraldsocial/herald/internal/connector/conformance"
	"github.com/heraldsocial/herald/internal/connector/telegram/telegramfake"
	"github.com/heraldsocial/herald/internal/herald"
)

func TestConformance(t *testing.T) {
	conformance.Run(t, func(t *testing.T) conformance.Setup {
		e := newEnv(t)
		return conformance.Setup{Connector: e.c, Fake: fake{e}}
	})
}

func TestConnectSaysWhatToFix(t *testing.T) {
	e := newEnv(t)
	if e.acct.Handle != "@heraldnews" || e.acct.DisplayName != "Herald News" || e.acct.Platform != herald.PlatformTelegram {
		t.Fatalf("connected account %+v", e.acct.Account)
	}
	outsider := e.srv.AddBot("other_bot")
	poster := e.srv.AddBot("member_bot")
	e.srv.SetMember(e.chat.ID, poster.ID, telegramfake.Member{Status: "administrator"})
	cases := []struct {
		name, id, token, field, want string
	}{
		{"not a token", "@heraldnews", "hunter2", "password", "not a bot token"},
		{"not a chat", "no such thing!", e.bot.Token, "identifier", "not a Telegram channel"},
		{"revoked token", "@heraldnews", "12345678:AAH" + strings.Repeat("x", 32), "password", "does not accept this bot token"},
		{"unknown chat", "@nosuchchannel", e.bot.Token, "identifier", "cannot see this chat"},
		{"not a member", "https://t.me/heraldnews", outsider.Token, "identifier", "is not in this chat"},
		{"may not post", "@heraldnews", poster.Token, "identifier", "may not post"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			_, err := e.c.ConnectWithPassword(ctx(t), tc.id, tc.token)
			var he *herald.Error
			if !errors.As(err, &he) {
				t.Fatalf("error %v, want a herald.Error", err)
			}
			if !strings.Contains(he.Error(), tc.want) {
				t.Errorf("error %q, want it to say %q", he.Error(), tc.want)
			}
			if len(he.Details) == 0 || he.Details[0].Field != tc.field {
				t.Errorf("details %+v, want field %s", he.Details, tc.field)
			}
		})
	}
	// A numeric id names the same channel.
	got, err := e.c.ConnectWithPassword(ctx(t), e.acct.RemoteID, e.bot.Token)
	if err != nil || got.Account.RemoteID != e.acct.RemoteID {
		t.Fatalf("connect by id: %+v %v", got.Account, err)
	}
}

func TestPublishEscapesHTML(t *testing.T) {
	e := newEnv(t)
	text := "Fish & chips <b>not bold</b> &amp; 1 < 2 > 0 😀"
	ref, err := e.c.Publish(ctx(t), e.acct, connector.Part{Text: text, Key: "k"})
	if err != nil {
		t.Fatalf("Publish: %v", err)
	}
	msgs := e.srv.Messages(e.chat.ID)
	if len(msgs) != 1 || msgs[0].Text != text {
		t.Fatalf("Telegram shows %+v, want the text as typed: %q", msgs, text)
	}
	if ref.URL != "https://t.me/heraldnews/"+ref.ID {
		t.Errorf("URL %q", ref.URL)
	}
}

func TestAlbumThreadPinSilent(t *testing.T) {
	e := newEnv(t)
	png := []byte("\x89PNG fake")
	first, err := e.c.Publish(ctx(t), e.acct, connector.Part{Text: "Album", Key: "a",
		Media:   []connector.Media{file("a.png", "image/png", png), file("b.mp4", "video/mp4", []byte("mp4")), file("c.jpg", "image/jpeg", png)},
		Options: map[string]string{OptionPin: "true", OptionSilent: "true"}})
	if err != nil {
		t.Fatalf("Publish album: %v", err)
	}
	if first.Meta["message_ids"] == "" || first.Meta["pin_error"] != "" {
		t.Fatalf("ref %+v", first)
	}
	second, err := e.c.Publish(ctx(t), e.acct, connector.Part{Index: 1, Text: "Part two", Key: "b", ReplyTo: &first, Root: &first})
	if err != nil {
		t.Fatalf("Publish part two: %v", err)
	}
	msgs := e.srv.Messages(e.chat.ID)
	if len(msgs) != 4 {
		t.Fatalf("%d messages, want 4", len(msgs))
	}
	if !msgs[0].Pinned || !msgs[0].Silent || msgs[0].Text != "Album" || msgs[1].Kind != "video" || msgs[0].MediaGroupID == "" {
		t.Errorf("album head %+v, second %+v", msgs[0], msgs[1])
	}
	if msgs[3].ReplyTo != msgs[0].ID || second.ID != "4" {
		t.Errorf("part two %+v (ref %+v), want a reply to %d", msgs[3], second, msgs[0].ID)
	}
	if err := e.c.Delete(ctx(t), e.acct, first); err != nil {
		t.Fatalf("Delete album: %v", err)
	}
	for _, m := range e.srv.Messages(e.chat.ID)[:3] {
		if !m.Deleted {
			t.Errorf("album message %d left after Delete", m.ID)
		}
	}
}

func TestPinFailureKeepsTheMessage(t *testing.T) {
	e := newEnv(t)
	e.srv.Inject(telegramfake.Fault{Method: "pinChatMessage", ErrorCode: 400, Description: "Bad Request: not enough rights to manage pinned messages in the chat"})
	ref, err := e.c.Publish(ctx(t), e.acct, connector.Part{Text: "Pin me", Key: "p", Options: map[string]string{OptionPin: "true"}})
	if err != nil {
		t.Fatalf("Publish: %v (the message exists: a failed pin must not fail it)", err)
	}
	if !strings.Contains(ref.Meta["pin_error"], "not enough rights") {
		t.Errorf("pin_error %q", ref.Meta["pin_error"])
	}
}

func TestErrorsAreClassified(t *testing.T) {
	cases := []struct {
		name  string
		fault telegramfake.Fault
		want  connector.Class
		wait  time.Duration
	}{
		{"flood", telegramfake.Fault{Method: "send", ErrorCode: 429, Description: "Too Many Requests: retry after 35", RetryAfter: 35}, connector.RateLimited, 35 * time.Second},
		{"kicked", telegramfake.Fault{Method: "send", ErrorCode: 403, Description: "Forbidden: bot was kicked from the channel chat"}, connector.AuthRevoked, 0},
		{"token revoked", telegramfake.Fault{Method: "send", ErrorCode: 401, Description: "Unauthorized"}, connector.AuthRevoked, 0},
		{"rights lost", telegramfake.Fault{Method: "send", ErrorCode: 400, Description: "Bad Request: need administrator rights in the channel chat"}, connector.AuthRevoked, 0},
		{"refused", telegramfake.Fault{Method: "send", ErrorCode: 400, Description: "Bad Request: message is too long"}, connector.Invalid, 0},
		{"server error", telegramfake.Fault{Method: "send", ErrorCode: 502, Description: "Bad Gateway"}, connector.Ambiguous, 0},
		{"proxy page", telegramfake.Fault{Method: "send", Status: 502, Body: "<html>bad gateway</html>"}, connector.Ambiguous, 0},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			e := newEnv(t)
			e.srv.Inject(tc.fault)
			_, err := e.c.Publish(ctx(t), e.acct, connector.Part{Text: "x", Key: "k"})
			var ce *connector.Error
			if !errors.As(err, &ce) || ce.Class != tc.want {
				t.Fatalf("error %v, want class %s", err, tc.want)
			}
			if ce.RetryAfter != tc.wait {
				t.Errorf("retry after %v, want %v", ce.RetryAfter, tc.wait)
			}
		})
	}
}

func TestTokenNeverInErrors(t *testing.T) {
	e := newEnv(t)
	e.srv.Inject(telegramfake.Fault{Method: "send", Drop: true})
	_, err := e.c.Publish(ctx(t), e.acct, connector.Part{Text: "x", Key: "k"})
	if classOf(err) != connector.Ambiguous {
		t.Fatalf("dropped answer: %v, want ambiguous", err)
	}
	if strings.Contains(err.Error(), e.bot.Token) || strings.Contains(err.Error(), strings.Split(e.bot.Token, ":")[1]) {
		t.Fatalf("the error shows the bot token: %v", err)
	}
}

func TestDeleteAfter48Hours(t *testing.T) {
	e := newEnv(t)
	ref, err := e.c.Publish(ctx(t), e.acct, connector.Part{Text: "old", Key: "k"})
	if err != nil {
		t.Fatal(err)
	}
	e.srv.Age(e.chat.ID, 1, 49*time.Hour)
	err = e.c.Delete(ctx(t), e.acct, ref)
	if classOf(err) != connector.Invalid || !strings.Contains(err.Error(), "48 hours") {
		t.Fatalf("deleting an old message: %v, want invalid naming the 48 hours", err)
	}
}

func TestEdit(t *testing.T) {
	e := newEnv(t)
	ref, err := e.c.Publish(ctx(t), e.acct, connector.Part{Text: "before", Key: "k"})
	if err != nil {
		t.Fatal(err)
	}
	for range 2 { // the second edit changes nothing and still succeeds
		if _, err := e.c.Edit(ctx(t), e.acct, ref, connector.Part{Text: "after <3"}); err != nil {
			t.Fatalf("Edit: %v", err)
		}
	}
	if got := e.srv.Messages(e.chat.ID)[0].Text; got != "after <3" {
		t.Fatalf("text %q", got)
	}
}

func TestValidate(t *testing.T) {
	c := New(nil)
	img := file("a.png", "image/png", []byte("x"))
	gif := file("a.gif", "image/gif", []byte("x"))
	big := file("big.jpg", "image/jpeg", nil)
	big.Asset.Size = MaxPhotoBytes + 1
	cases := []struct {
		name  string
		part  connector.Part
		field string
	}{
		{"caption too long", connector.Part{Text: strings.Repeat("é", 1025), Media: []connector.Media{img}}, "text"},
		{"emoji count twice", connector.Part{Text: strings.Repeat("😀", 2049)}, "text"},
		{"gif in an album", connector.Part{Media: []connector.Media{img, gif}}, "media"},
		{"photo too big", connector.Part{Media: []connector.Media{big}}, "media[0]"},
		{"first comment", connector.Part{Text: "x", Comment: true}, "first_comment"},
		{"bad option", connector.Part{Text: "x", Options: map[string]string{OptionPin: "yes"}}, "options.pin"},
	}
	for _, tc := range cases {
		_, probs, err := c.Validate(ctx(t), connector.Account{}, tc.part)
		if err != nil {
			t.Fatal(err)
		}
		found := false
		for _, p := range probs {
			found = found || p.Field == tc.field
		}
		if !found {
			t.Errorf("%s: problems %+v, want one on %s", tc.name, probs, tc.field)
		}
	}
	if n, probs, _ := c.Validate(ctx(t), connector.Account{}, connector.Part{Text: strings.Repeat("😀", 2048)}); len(probs) != 0 || n != 4096 {
		t.Errorf("2048 emoji: length %d, problems %+v", n, probs)
	}
}
