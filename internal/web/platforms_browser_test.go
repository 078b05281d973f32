package web

import (
	"fmt"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"github.com/heraldsocial/herald/internal/connector"
	"github.com/heraldsocial/herald/internal/connector/telegram"
	"github.com/heraldsocial/herald/internal/connector/telegram/telegramfake"
	"github.com/heraldsocial/herald/internal/herald"
)

// TestBrowserConnectTelegram connects a Telegram channel in a real browser
// with a bot token (first a wrong one, refused with what to fix), then
// opens the composer for it: the platform's own options are in its tab and
// the preview shows the media above the text, as Telegram does.
func TestBrowserConnectTelegram(t *testing.T) {
	ctx := chrome(t, "Europe/Paris")
	tg := telegramfake.New()
	ts := httptest.NewServer(tg)
	t.Cleanup(ts.Close)
	bot := tg.AddBot("herald_bot")
	chat := tg.AddChat("channel", "Acme News", "acmenews")
	tg.SetMember(chat.ID, bot.ID, telegramfake.Member{Status: "administrator", CanPost: true, CanEdit: true})
	e, _ := newConnectEnvWith(t, func(r *connector.Registry) {
		r.Register(herald.PlatformTelegram, telegram.New(ts.Client(), telegram.WithBaseURL(ts.URL)))
	})
	_, w := e.owner("ana@example.com", "Acme")
	base := e.srv.URL
	var text string

	run(t, ctx, "sign in",
		chromedp.Navigate(fmt.Sprintf("%s/w/%d/accounts", base, w.ID)),
		chromedp.WaitVisible(chromedp.CSS("#signin-submit")),
		chromedp.SendKeys(chromedp.CSS("#email"), "ana@example.com"),
		chromedp.SendKeys(chromedp.CSS("#password"), testPassword),
		chromedp.Click(chromedp.CSS("#signin-submit")),
		chromedp.WaitVisible(chromedp.CSS("#connect-password-telegram")),
	)
	run(t, ctx, "a token that is not a bot token",
		chromedp.SendKeys(chromedp.CSS("#password-telegram-identifier"), "@acmenews"),
		chromedp.SendKeys(chromedp.CSS("#password-telegram-password"), "not-a-token"),
		chromedp.Click(chromedp.CSS("#password-telegram-submit")),
		chromedp.WaitVisible(chromedp.CSS("#password-telegram-password-problem")),
		into(&text, chromedp.Text(chromedp.CSS("#connect-password-telegram"))),
	)
	if !strings.Contains(text, "BotFather") {
		t.Fatalf("a bad token says %q; want what to fix", text)
	}
	run(t, ctx, "the bot's token",
		chromedp.SetValue(chromedp.CSS("#password-telegram-password"), bot.Token),
		chromedp.Click(chromedp.CSS("#password-telegram-submit")),
		chromedp.WaitVisible(chromedp.CSS(".acct-card")),
		into(&text, chromedp.Text(chromedp.CSS("main"))),
	)
	if !strings.Contains(text, "on Telegram") {
		t.Fatalf("after connecting: %q", text)
	}
	accts := e.accountsOf(w)
	if len(accts) != 1 || accts[0].Platform != herald.PlatformTelegram {
		t.Fatalf("accounts %+v", accts)
	}
	id := accts[0].ID
	run(t, ctx, "compose for the channel",
		chromedp.Navigate(fmt.Sprintf("%s/w/%d/compose", base, w.ID)),
		chromedp.WaitVisible(chromedp.CSS("#text-0")),
		waitFor(fmt.Sprintf(`document.getElementById("account-%d").checked`, id)), // the only account is chosen
		chromedp.SendKeys(chromedp.CSS("#text-0"), "News from Acme <b>today</b> & more"),
		waitFor(fmt.Sprintf(`(document.querySelector('#checks [data-preview="%d"] .pv-text')||{textContent:""}).textContent.includes("more")`, id)),
		waitFor(fmt.Sprintf(`document.getElementById("v-opt-%d-silent") !== null && document.getElementById("v-opt-%d-pin") !== null`, id, id)),
		into(&text, chromedp.Text(chromedp.CSS(fmt.Sprintf(`#checks [data-preview="%d"] .pv-text`, id)))),
	)
	if !strings.Contains(text, "<b>today</b> & more") {
		t.Fatalf("the preview shows %q; want the text as typed (Herald escapes it for Telegram)", text)
	}
}
