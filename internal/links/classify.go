package links

import (
	"bytes"
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/heraldsocial/herald/internal/herald"
)

// previewAgents are the user agents (lower case, matched anywhere in the
// User-Agent header, case-insensitively) of link-preview fetchers: servers
// and apps that fetch an address to show a card for it when someone posts
// it, not when someone clicks it. A Mastodon server fetches every link it
// sees, so each post makes many such requests. They are counted as
// previews; HEAD requests are too.
var previewAgents = []string{
	// The fediverse's servers: Mastodon's fetcher says
	// "http.rb/… (Mastodon/…; +https://server/)".
	"mastodon/", "http.rb", "pleroma", "akkoma", "misskey", "gotosocial", "friendica", "pixelfed",
	"lemmy", "iceshrimp", "sharkey", "firefish", "calckey",
	// Bluesky's card fetcher ("Bluesky Cardyb/1.1").
	"cardyb",
	// Social networks' and chat apps' fetchers. Words that also appear in
	// the apps' own in-app browsers (Pinterest, Snapchat, Tumblr,
	// Mattermost's desktop app) are left out: those are people.
	"facebookexternalhit", "facebot", "twitterbot", "linkedinbot", "redditbot", "slackbot",
	"slack-imgproxy", "discordbot", "telegrambot", "whatsapp", "skypeuripreview", "microsoftpreview",
	"mattermost-bot", "zulipurlpreview", "vkshare", "iframely", "embedly",
}

// botAgents are the user agents (lower case, matched anywhere,
// case-insensitively) of crawlers, monitors and HTTP tools; any agent
// holding "bot", "crawler", "crawl" or "spider" (but see humanAgents), and
// an empty one, count as bots too.
var botAgents = []string{
	"googlebot", "google-inspectiontool", "googleother", "adsbot-google", "mediapartners-google",
	"bingbot", "bingpreview", "yandexbot", "baiduspider", "duckduckbot", "slurp", "applebot",
	"ahrefsbot", "semrushbot", "mj12bot", "petalbot", "dotbot", "rogerbot", "seznambot",
	"gptbot", "chatgpt-user", "oai-searchbot", "claudebot", "claude-user", "anthropic-ai",
	"perplexitybot", "ccbot", "bytespider", "amazonbot", "meta-externalagent", "diffbot", "qwantify",
	"headlesschrome", "phantomjs", "lighthouse", "pingdom", "uptimerobot", "statuscake",
	"curl/", "wget/", "python-requests", "python-urllib", "python-httpx", "aiohttp",
	"go-http-client", "okhttp", "axios", "node-fetch", "undici", "libwww-perl", "java/",
	"apache-httpclient", "scrapy", "httpclient", "postmanruntime", "insomnia",
	"bot", "crawler", "crawl", "spider",
}

// humanAgents are words that hold "bot" but name people's devices (the
// Cubot phones), removed before the bot words are looked for.
var humanAgents = []string{"cubot"}

// agents finds the words of the three lists in a lower-cased user agent
// in one pass: a bitmap of the words' first two bytes lets most positions
// be passed over at once.
var agents = newAgentMatcher()

type agentWord struct {
	word []byte
	kind herald.ClickKind // ClickHuman for humanAgents
}

type agentMatcher struct {
	pairs   [1 << 16 / 64]uint64
	byFirst [256][]agentWord
}

func newAgentMatcher() *agentMatcher {
	m := &agentMatcher{}
	add := func(words []string, kind herald.ClickKind) {
		for _, w := range words {
			w = strings.ToLower(w)
			pair := uint16(w[0])<<8 | uint16(w[1])
			m.pairs[pair/64] |= 1 << (pair % 64)
			m.byFirst[w[0]] = append(m.byFirst[w[0]], agentWord{word: []byte(w), kind: kind})
		}
	}
	add(humanAgents, herald.ClickHuman) // first: "cubot" is passed over before "bot" is looked for
	add(previewAgents, herald.ClickPreview)
	add(botAgents, herald.ClickBot)
	return m
}

// match returns ClickPreview if low holds a preview word, else ClickBot if
// it holds a bot word (outside a human word), else ClickHuman.
func (m *agentMatcher) match(low []byte) herald.ClickKind {
	kind := herald.ClickHuman
	for i := 0; i+1 < len(low); i++ {
		pair := uint16(low[i])<<8 | uint16(low[i+1])
		if m.pairs[pair/64]&(1<<(pair%64)) == 0 {
			continue
		}
	words:
		for _, w := range m.byFirst[low[i]] {
			if !bytes.HasPrefix(low[i:], w.word) {
				continue
			}
			switch w.kind {
			case herald.ClickPreview:
				return herald.ClickPreview
			case herald.ClickBot:
				kind = herald.ClickBot
			case herald.ClickHuman:
				i += len(w.word) - 1
				break words
			}
		}
	}
	return kind
}

// Classify tells a person's request of a short link from a machine's: HEAD
// requests and link-preview fetchers (previewAgents in classify.go) are
// previews, known crawlers and tools (botAgents) and requests without a
// User-Agent are bots, everything else is a person. It does not allocate for user agents
// up to 512 bytes.
func Classify(r *http.Request) herald.ClickKind {
	ua := r.Header.Get("User-Agent")
	if r.Method == http.MethodHead {
		return herald.ClickPreview
	}
	if strings.TrimSpace(ua) == "" {
		return herald.ClickBot
	}
	var buf [512]byte
	var low []byte
	if len(ua) <= len(buf) {
		low = buf[:len(ua)]
	} else {
		low = make([]byte, len(ua))
	}
	for i := 0; i < len(ua); i++ {
		c := ua[i]
		if c >= 'A' && c <= 'Z' {
			c += 'a' - 'A'
		}
		low[i] = c
	}
	return agents.match(low)
}

// clientIP is the request's address without the port (the server's
// middleware has already taken it from a trusted proxy's header).
func clientIP(r *http.Request) string {
	a := r.RemoteAddr
	if strings.HasPrefix(a, "[") {
		if i := strings.IndexByte(a, ']'); i > 0 {
			return a[1:i]
		}
	}
	if i := strings.LastIndexByte(a, ':'); i >= 0 && strings.IndexByte(a, ':') == i {
		return a[:i] // host:port; a bare IPv6 address has several colons
	}
	return a
}

// visitor is the hex of the first 16 bytes of SHA-256(salt ‖ ip ‖ 0x00 ‖
// user agent): the same person on the same day, and nothing that leads
// back to the address once the day's salt is deleted.
func visitor(salt []byte, ip, ua string) string {
	var stack [640]byte
	buf := stack[:0]
	if n := len(salt) + len(ip) + 1 + len(ua); n > len(stack) {
		buf = make([]byte, 0, n)
	}
	buf = append(buf, salt...)
	buf = append(buf, ip...)
	buf = append(buf, 0)
	buf = append(buf, ua...)
	sum := sha256.Sum256(buf)
	return hex.EncodeToString(sum[:16])
}

// referrerHost is the host of the request's Referer, lower case, or "".
func referrerHost(r *http.Request) string {
	ref := r.Header.Get("Referer")
	if ref == "" {
		return ""
	}
	u, err := url.Parse(ref)
	if err != nil || u.Host == "" {
		return ""
	}
	h := strings.ToLower(u.Hostname())
	if len(h) > 253 {
		return ""
	}
	return h
}

// country is the two letters of the header, upper case, or "" when the
// header does not hold two letters or holds a proxy's "unknown" ("XX").
func country(r *http.Request, header string) string {
	v := strings.TrimSpace(r.Header.Get(header))
	if len(v) != 2 {
		return ""
	}
	b := [2]byte{v[0], v[1]}
	for i, c := range b {
		if c >= 'a' && c <= 'z' {
			c -= 'a' - 'A'
		}
		if c < 'A' || c > 'Z' {
			return ""
		}
		b[i] = c
	}
	if b == [2]byte{'X', 'X'} {
		return ""
	}
	return string(b[:])
}

// dayOf is t's UTC day, counted from 1970-01-01.
func dayOf(t time.Time) int64 {
	s := t.Unix()
	d := s / 86400
	if s < 0 && s%86400 != 0 {
		d--
	}
	return d
}

// saltRetry is how long a salt made without the store (it failed) is
// used before the store is asked again.
const saltRetry = time.Minute

// daySalt is one UTC day's salt.
type daySalt struct {
	day   int64
	salt  []byte
	until time.Time // zero: the store's, good all day; else a stopgap
}

// saltCache keeps the day's salt in memory: the store is asked once per
// UTC day (and process).
type saltCache struct {
	cur atomic.Pointer[daySalt]
	mu  sync.Mutex // one store call at a time
}

// salt returns the salt of t's day, asking the store for it on the
// first call of the day. If the store fails, a salt of this process is
// used for a minute (unique visitors may then count twice across
// processes), so the redirect never waits on a failing store for long.
func (s *Service) salt(ctx context.Context, t time.Time) []byte {
	day := dayOf(t)
	if c := s.salts.cur.Load(); c != nil && c.day == day && (c.until.IsZero() || t.Before(c.until)) {
		return c.salt
	}
	s.salts.mu.Lock()
	defer s.salts.mu.Unlock()
	if c := s.salts.cur.Load(); c != nil && c.day == day && (c.until.IsZero() || t.Before(c.until)) {
		return c.salt
	}
	fresh := make([]byte, 32)
	if _, err := rand.Read(fresh); err != nil {
		panic(fmt.Sprintf("links: crypto/rand failed: %v", err)) // rand.Read does not fail on supported systems
	}
	got, err := s.store.ClickSalt(ctx, day, fresh)
	next := &daySalt{day: day, salt: got}
	if err != nil || len(got) == 0 {
		s.log.ErrorContext(ctx, "the day's click salt could not be read; using one of this process for a minute",
			slog.Int64("day", day), slog.Any("error", err))
		next = &daySalt{day: day, salt: fresh, until: t.Add(saltRetry)}
	}
	s.salts.cur.Store(next)
	return next.salt
}
