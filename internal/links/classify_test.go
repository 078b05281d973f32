package links

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/heraldsocial/herald/internal/herald"
)

func TestClassify(t *testing.T) {
	const chrome = "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0.0.0 Safari/537.36"
	tests := []struct {
		method, ua string
		want       herald.ClickKind
	}{
		{"GET", chrome, herald.ClickHuman},
		{"GET", "Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.5 Mobile/15E148 Safari/604.1", herald.ClickHuman},
		{"GET", "Mozilla/5.0 (Linux; Android 10; CUBOT_X30) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0 Mobile Safari/537.36", herald.ClickHuman},
		{"GET", "Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X) [Pinterest/iOS]", herald.ClickHuman},
		{"GET", "Mozilla/5.0 (Linux; Android 14) [FBAN/EMA;FBLC/en_US;FBAV/400.0]", herald.ClickHuman},
		{"HEAD", chrome, herald.ClickPreview},
		{"GET", "http.rb/5.1.1 (Mastodon/4.2.10; +https://mastodon.social/)", herald.ClickPreview},
		{"GET", "Mastodon/4.3.0 (http.rb/5.2.0; +https://fosstodon.org/)", herald.ClickPreview},
		{"GET", "Pleroma 2.6.0; https://pleroma.example <admin@pleroma.example>", herald.ClickPreview},
		{"GET", "Akkoma 3.13.2; https://akkoma.example", herald.ClickPreview},
		{"GET", "Misskey/2024.5.0 (https://misskey.io)", herald.ClickPreview},
		{"GET", "gotosocial/0.16.0 (+https://gts.example)", herald.ClickPreview},
		{"GET", "Mozilla/5.0 (compatible; Bluesky Cardyb/1.1; +mailto:support@bsky.app)", herald.ClickPreview},
		{"GET", "facebookexternalhit/1.1 (+http://www.facebook.com/externalhit_uatext.php)", herald.ClickPreview},
		{"GET", "Facebot", herald.ClickPreview},
		{"GET", "Twitterbot/1.0", herald.ClickPreview},
		{"GET", "Slackbot-LinkExpanding 1.0 (+https://api.slack.com/robots)", herald.ClickPreview},
		{"GET", "Slack-ImgProxy (+https://api.slack.com/robots)", herald.ClickPreview},
		{"GET", "Mozilla/5.0 (compatible; Discordbot/2.0; +https://discordapp.com)", herald.ClickPreview},
		{"GET", "TelegramBot (like TwitterBot)", herald.ClickPreview},
		{"GET", "LinkedInBot/1.0 (compatible; Mozilla/5.0; Apache-HttpClient +http://www.linkedin.com)", herald.ClickPreview},
		{"GET", "WhatsApp/2.23.20.0 A", herald.ClickPreview},
		{"GET", "Mozilla/5.0 (Windows NT 6.1; WOW64) SkypeUriPreview Preview/0.5", herald.ClickPreview},
		{"GET", "Iframely/1.3.1 (+https://iframely.com/docs/about)", herald.ClickPreview},
		{"GET", "Mozilla/5.0 (compatible; Embedly/0.2; +http://support.embed.ly/)", herald.ClickPreview},
		{"GET", "Mozilla/5.0 (compatible; redditbot/1.0; +http://www.reddit.com/feedback)", herald.ClickPreview},
		{"GET", "Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)", herald.ClickBot},
		{"GET", "Mozilla/5.0 (compatible; Google-InspectionTool/1.0)", herald.ClickBot},
		{"GET", "Mozilla/5.0 (compatible; bingbot/2.0; +http://www.bing.com/bingbot.htm)", herald.ClickBot},
		{"GET", "Mozilla/5.0 (compatible; YandexBot/3.0; +http://yandex.com/bots)", herald.ClickBot},
		{"GET", "Mozilla/5.0 (compatible; Baiduspider/2.0; +http://www.baidu.com/search/spider.html)", herald.ClickBot},
		{"GET", "DuckDuckBot/1.1; (+http://duckduckgo.com/duckduckbot.html)", herald.ClickBot},
		{"GET", "Mozilla/5.0 (compatible; AhrefsBot/7.0; +http://ahrefs.com/robot/)", herald.ClickBot},
		{"GET", "Mozilla/5.0 (compatible; SemrushBot/7~bl; +http://www.semrush.com/bot.html)", herald.ClickBot},
		{"GET", "Mozilla/5.0 (compatible; MJ12bot/v1.4.8; http://mj12bot.com/)", herald.ClickBot},
		{"GET", "Mozilla/5.0 (Linux; Android 7.0;) AppleWebKit/537.36 (KHTML, like Gecko) Mobile Safari/537.36 (compatible; PetalBot;+https://webmaster.petalsearch.com/site/petalbot)", herald.ClickBot},
		{"GET", "Mozilla/5.0 AppleWebKit/537.36 (KHTML, like Gecko; compatible; GPTBot/1.2; +https://openai.com/gptbot)", herald.ClickBot},
		{"GET", "Mozilla/5.0 AppleWebKit/537.36 (KHTML, like Gecko; compatible; ClaudeBot/1.0; +claudebot@anthropic.com)", herald.ClickBot},
		{"GET", "CCBot/2.0 (https://commoncrawl.org/faq/)", herald.ClickBot},
		{"GET", "Mozilla/5.0 (Linux; Android 5.0) AppleWebKit/537.36 (KHTML, like Gecko) Mobile Safari/537.36 (compatible; Bytespider; spider-feedback@bytedance.com)", herald.ClickBot},
		{"GET", "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/13.1.1 Safari/605.1.15 (Applebot/0.1; +http://www.apple.com/go/applebot)", herald.ClickBot},
		{"GET", "curl/8.5.0", herald.ClickBot},
		{"GET", "Wget/1.21.4", herald.ClickBot},
		{"GET", "python-requests/2.32.3", herald.ClickBot},
		{"GET", "Go-http-client/2.0", herald.ClickBot},
		{"GET", "okhttp/4.12.0", herald.ClickBot},
		{"GET", "axios/1.7.2", herald.ClickBot},
		{"GET", "SomeCrawler/1.0", herald.ClickBot},
		{"GET", "my-spider", herald.ClickBot},
		{"GET", "ACME-BOT", herald.ClickBot},
		{"GET", "", herald.ClickBot},
		{"GET", "   ", herald.ClickBot},
		{"GET", strings.Repeat("x", 600) + " Googlebot", herald.ClickBot},
	}
	for _, tt := range tests {
		r := httptest.NewRequest(tt.method, "/l/abcdEFGH", nil)
		r.Header.Set("User-Agent", tt.ua)
		if got := Classify(r); got != tt.want {
			t.Errorf("Classify(%s %q) = %s, want %s", tt.method, tt.ua, got, tt.want)
		}
	}
}

func TestClassifyAllocates(t *testing.T) {
	r := httptest.NewRequest("GET", "/l/abcdEFGH", nil)
	r.Header.Set("User-Agent", "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0.0.0 Safari/537.36")
	if n := testing.AllocsPerRun(100, func() { Classify(r) }); n != 0 {
		t.Errorf("Classify allocates %v times", n)
	}
}

func TestVisitor(t *testing.T) {
	day1, day2 := []byte("salt-of-day-one-0123456789abcdef"), []byte("salt-of-day-two-0123456789abcdef")
	const ip, ua = "203.0.113.7", "Mozilla/5.0 Firefox/128.0"
	v := visitor(day1, ip, ua)
	if len(v) != 32 || strings.Trim(v, "0123456789abcdef") != "" {
		t.Fatalf("visitor = %q, want 32 hex characters", v)
	}
	if strings.Contains(v, ip) || strings.Contains(v, "203") && strings.Contains(v, "113") {
		t.Errorf("visitor %q shows the address", v)
	}
	if visitor(day1, ip, ua) != v {
		t.Error("the same person on the same day is another visitor")
	}
	if visitor(day2, ip, ua) == v {
		t.Error("the visitor does not change with the day")
	}
	if visitor(day1, "203.0.113.8", ua) == v || visitor(day1, ip, ua+" ") == v {
		t.Error("another address or browser is the same visitor")
	}
	// The 0x00 between address and agent keeps ("1.2.3.4", "5x") apart
	// from ("1.2.3.45", "x").
	if visitor(day1, "1.2.3.4", "5x") == visitor(day1, "1.2.3.45", "x") {
		t.Error("the address and agent run together")
	}
	long := strings.Repeat("y", 2000)
	if visitor(day1, ip, long) == visitor(day1, ip, long[:1999]) {
		t.Error("a long agent is cut")
	}
}

func TestClientIP(t *testing.T) {
	for in, want := range map[string]string{
		"203.0.113.7:4312":   "203.0.113.7",
		"[2001:db8::1]:443":  "2001:db8::1",
		"2001:db8::1":        "2001:db8::1",
		"203.0.113.7":        "203.0.113.7",
		"@":                  "@",
		"[2001:db8::1%eth0]": "2001:db8::1%eth0",
	} {
		r := &http.Request{RemoteAddr: in}
		if got := clientIP(r); got != want {
			t.Errorf("clientIP(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestCountryAndReferrer(t *testing.T) {
	for in, want := range map[string]string{"de": "DE", "FR": "FR", " us ": "US", "XX": "", "T1": "", "D": "", "DEU": "", "": ""} {
		r := httptest.NewRequest("GET", "/", nil)
		r.Header.Set("CF-IPCountry", in)
		if got := country(r, "CF-IPCountry"); got != want {
			t.Errorf("country(%q) = %q, want %q", in, got, want)
		}
	}
	for in, want := range map[string]string{
		"https://Mastodon.Social/@ana/1234?x=y": "mastodon.social",
		"android-app://com.slack":               "com.slack",
		"not a url":                             "",
		"":                                      "",
	} {
		r := httptest.NewRequest("GET", "/", nil)
		r.Header.Set("Referer", in)
		if got := referrerHost(r); got != want {
			t.Errorf("referrerHost(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestDayOf(t *testing.T) {
	for in, want := range map[string]int64{
		"1970-01-01T00:00:00Z": 0, "1970-01-01T23:59:59Z": 0, "1970-01-02T00:00:00Z": 1,
		"1969-12-31T23:59:59Z": -1, "2026-03-25T10:00:00+09:00": 20537,
	} {
		tm, _ := time.Parse(time.RFC3339, in)
		if got := dayOf(tm); got != want {
			t.Errorf("dayOf(%s) = %d, want %d", in, got, want)
		}
	}
}

func TestCodes(t *testing.T) {
	seen := map[string]bool{}
	for range 2000 {
		c, err := newCode()
		if err != nil {
			t.Fatal(err)
		}
		if !validCode(c) {
			t.Fatalf("newCode = %q, not a valid code", c)
		}
		if seen[c] {
			t.Fatalf("code %q drawn twice", c)
		}
		seen[c] = true
		id := newClickID()
		if !validClickID(id) {
			t.Fatalf("newClickID = %q, not a valid click id", id)
		}
	}
	for _, c := range []string{"", "abc", "abcdefg!", "abcdefghi", "px.gif", "ABCDEFG/"} {
		if validCode(c) {
			t.Errorf("validCode(%q) = true", c)
		}
	}
}
