package links

import (
	"context"
	"crypto/rand"
	"encoding/base32"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/heraldsocial/herald/internal/herald"
)

// missTTL is how long an unknown code is remembered as unknown, so a
// scan of random codes does not reach the store on every request.
const missTTL = 30 * time.Second

// maxMisses bounds the unknown codes remembered.
const maxMisses = 10_000

// clickIDEncoding writes click ids: 16 random bytes as 26 lower-case
// base32 characters, safe in a URL as they are.
var clickIDEncoding = base32.NewEncoding("abcdefghijklmnopqrstuvwxyz234567").WithPadding(base32.NoPadding)

// ClickIDLength is the length of a click id.
const ClickIDLength = 26

// Header values shared by every answer (net/http only reads them).
var (
	noStore        = []string{"private, no-store"}
	noIndex        = []string{"noindex, nofollow"}
	textPlain      = []string{"text/plain; charset=utf-8"}
	noSniff        = []string{"nosniff"}
	zeroLength     = []string{"0"}
	notFoundText   = "This link does not exist.\n"
	unavailableMsg = "This link cannot be followed right now; try again in a moment.\n"
)

// newClickID draws a click id.
func newClickID() string {
	var b [16]byte
	// 48 bits of milliseconds first, so that a batch's ids fall together
	// in the stores' index of click ids instead of all over it, then 80
	// random bits.
	ms := uint64(time.Now().UnixMilli())
	for i := 0; i < 6; i++ {
		b[i] = byte(ms >> (40 - 8*i))
	}
	if _, err := rand.Read(b[6:]); err != nil {
		panic(fmt.Sprintf("links: crypto/rand failed: %v", err)) // rand.Read does not fail on supported systems
	}
	var out [ClickIDLength]byte
	clickIDEncoding.Encode(out[:], b[:])
	return string(out[:])
}

// validClickID reports whether id could be a click id.
func validClickID(id string) bool {
	if len(id) != ClickIDLength {
		return false
	}
	for i := 0; i < len(id); i++ {
		if c := id[i]; !(c >= 'a' && c <= 'z' || c >= '2' && c <= '7') {
			return false
		}
	}
	return true
}

// cachedLink is what the redirect needs of a link. Links never change,
// so an entry never goes stale.
type cachedLink struct {
	linkID, workspaceID, targetID int64
	location                      string // the destination, ASCII
	prefix                        string // location before its fragment, up to "hclid="
	suffix                        string // the fragment with its '#', or ""
}

func newCachedLink(l herald.Link) *cachedLink {
	loc := asciiLocation(l.Destination)
	base, frag := loc, ""
	if i := strings.IndexByte(loc, '#'); i >= 0 {
		base, frag = loc[:i], loc[i:]
	}
	return &cachedLink{linkID: l.ID, workspaceID: l.WorkspaceID, targetID: l.TargetID, location: loc,
		prefix: base + separator(base) + herald.ClickIDParam + "=", suffix: frag}
}

// linkCache keeps known codes (bounded: when full, a tenth of the entries
// are dropped) and, for missTTL, unknown ones.
type linkCache struct {
	mu     sync.RWMutex
	max    int
	known  map[string]*cachedLink
	misses map[string]time.Time
}

func newLinkCache(max int) *linkCache {
	return &linkCache{max: max, known: make(map[string]*cachedLink), misses: make(map[string]time.Time)}
}

// get returns the entry of code, and whether code was recently unknown.
func (c *linkCache) get(code string, now time.Time) (*cachedLink, bool) {
	c.mu.RLock()
	defer c.mu.RUnlock()
	if e := c.known[code]; e != nil {
		return e, false
	}
	until, ok := c.misses[code]
	return nil, ok && now.Before(until)
}

func (c *linkCache) put(code string, e *cachedLink) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if len(c.known) >= c.max {
		n := max(1, c.max/10)
		for k := range c.known { // map order is random: a random tenth goes
			delete(c.known, k)
			if n--; n == 0 {
				break
			}
		}
	}
	c.known[code] = e
	delete(c.misses, code)
}

func (c *linkCache) miss(code string, until time.Time) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if len(c.misses) >= maxMisses {
		clear(c.misses)
	}
	c.misses[code] = until
}

func (c *linkCache) len() int {
	c.mu.RLock()
	defer c.mu.RUnlock()
	return len(c.known)
}

// errUnknownCode is a code no link has.
var errUnknownCode = errors.New("links: unknown code")

// lookup returns the link of code, from memory when it can.
func (s *Service) lookup(ctx context.Context, code string, now time.Time) (*cachedLink, error) {
	e, missed := s.cache.get(code, now)
	if e != nil {
		return e, nil
	}
	if missed {
		return nil, errUnknownCode
	}
	l, err := s.store.LinkByCode(ctx, code)
	if errors.Is(err, herald.ErrNotFound) {
		s.cache.miss(code, now.Add(missTTL))
		return nil, errUnknownCode
	}
	if err != nil {
		return nil, fmt.Errorf("links: look up code %s: %w", code, err)
	}
	e = newCachedLink(l)
	s.cache.put(code, e)
	return e, nil
}

// CacheLen returns how many codes the redirect holds in memory.
func (s *Service) CacheLen() int { return s.cache.len() }

// Redirect serves GET and HEAD /l/{code}: a 302 (Found) to the link's
// destination with the click's id appended as hclid (for a person; bots
// and preview fetchers get the destination as it is), answered from
// memory once the code is known; the click is queued for the recorder.
// An unknown code is a 404 ("This link does not exist."). The answer is
// never cached (Cache-Control: private, no-store) and sets no
// Referrer-Policy: a redirect's policy would replace the one of the page
// the link was on, and the browser's default already tells the
// destination the site the visitor came from without the page. Mounted
// alone, its pattern's wildcard must be named code ("GET /l/{code}").
func (s *Service) Redirect(w http.ResponseWriter, r *http.Request) {
	code := r.PathValue("code")
	now := s.now()
	if !validCode(code) {
		plain(w, http.StatusNotFound, notFoundText)
		return
	}
	e, err := s.lookup(r.Context(), code, now)
	if errors.Is(err, errUnknownCode) {
		plain(w, http.StatusNotFound, notFoundText)
		return
	}
	if err != nil {
		s.log.ErrorContext(r.Context(), "a short link could not be looked up", slog.String("code", code),
			slog.Any("error", err))
		plain(w, http.StatusServiceUnavailable, unavailableMsg)
		return
	}
	kind := Classify(r)
	c := herald.Click{ID: newClickID(), LinkID: e.linkID, WorkspaceID: e.workspaceID, TargetID: e.targetID,
		At: now, Kind: kind}
	loc := e.location
	if kind == herald.ClickHuman {
		loc = e.prefix + c.ID + e.suffix
	}
	h := w.Header()
	h["Location"] = []string{loc}
	h["Cache-Control"] = noStore
	h["X-Robots-Tag"] = noIndex
	h["Content-Length"] = zeroLength
	w.WriteHeader(http.StatusFound)

	ua := r.Header.Get("User-Agent")
	c.Visitor = visitor(s.salt(r.Context(), now), clientIP(r), ua)
	if s.referrer {
		c.Referrer = referrerHost(r)
	}
	if s.country != "" {
		c.Country = country(r, s.country)
	}
	s.rec.Record(c)
}

// plain answers a short text that is never cached.
func plain(w http.ResponseWriter, status int, text string) {
	h := w.Header()
	h["Content-Type"] = textPlain
	h["Cache-Control"] = noStore
	h["X-Content-Type-Options"] = noSniff
	w.WriteHeader(status)
	_, _ = w.Write([]byte(text))
}

// Handler serves the public side of tracked links, to be mounted at the
// root of Herald's base URL: GET and HEAD /l/{code} (Redirect), GET
// /l/px.gif (Pixel) and POST /api/v1/conversions (Conversions). None
// needs a session or a token; conversions are authenticated by their
// signature.
func (s *Service) Handler() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /l/{code}", s.Redirect)
	mux.HandleFunc("GET /l/px.gif", s.Pixel)
	mux.HandleFunc("POST /api/v1/conversions", s.Conversions)
	return mux
}

// asciiLocation returns dest as a Location header should carry it: an
// international host in its punycode form and every other byte beyond
// ASCII percent-encoded.
func asciiLocation(dest string) string {
	ascii := true
	for i := 0; i < len(dest); i++ {
		if dest[i] >= 0x80 {
			ascii = false
			break
		}
	}
	i := strings.Index(dest, "://")
	if ascii || i < 0 {
		return dest
	}
	rest := dest[i+3:]
	j := strings.IndexAny(rest, "/?#")
	if j < 0 {
		j = len(rest)
	}
	host, port, tail := rest[:j], "", rest[j:]
	if k := strings.LastIndexByte(host, ':'); k >= 0 && !strings.Contains(host, "]") {
		host, port = host[:k], host[k:]
	}
	if a, err := asciiHost(host); err == nil {
		host = a
	}
	const hexDigits = "0123456789ABCDEF"
	var b strings.Builder
	b.Grow(len(dest) + 32)
	b.WriteString(dest[:i+3])
	b.WriteString(host)
	b.WriteString(port)
	for k := 0; k < len(tail); k++ {
		c := tail[k]
		if c < 0x80 {
			b.WriteByte(c)
			continue
		}
		b.WriteByte('%')
		b.WriteByte(hexDigits[c>>4])
		b.WriteByte(hexDigits[c&15])
	}
	return b.String()
}
