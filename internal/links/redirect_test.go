package links

import (
	"context"
	"errors"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/heraldsocial/herald/internal/herald"
	"github.com/heraldsocial/herald/internal/teststore"
)

func TestRedirect(t *testing.T) {
	teststore.Each(t, func(t *testing.T, st herald.Store) {
		w := newWorld(t, st)
		const u = "https://bakery.example/bread?loaf=rye#oven"
		code := w.link(t, u)

		rec := w.follow(t, http.MethodGet, code, chromeUA)
		if rec.Code != http.StatusFound {
			t.Fatalf("GET = %d %s", rec.Code, rec.Body)
		}
		if got := rec.Header().Get("Cache-Control"); got != "private, no-store" {
			t.Errorf("Cache-Control %q", got)
		}
		if got := rec.Header().Get("Referrer-Policy"); got != "" {
			t.Errorf("Referrer-Policy %q, want none (the linking page's policy stays)", got)
		}
		loc, err := url.Parse(rec.Header().Get("Location"))
		must(t, err)
		q := loc.Query()
		if loc.Host != "bakery.example" || loc.Path != "/bread" || loc.Fragment != "oven" || q.Get("loaf") != "rye" ||
			q.Get("utm_source") != "mastodon" || q.Get("utm_medium") != "social" ||
			q.Get("utm_campaign") != "spring-sale-2026" || q.Get("utm_content") != itoa(w.post.ID) {
			t.Errorf("Location %s lacks the UTM parameters", loc)
		}
		id := q.Get(herald.ClickIDParam)
		if !validClickID(id) || !strings.HasSuffix(loc.RawQuery, "&hclid="+id) {
			t.Errorf("Location %s: the click id is not last in the query", loc)
		}
		if got := w.counts(t, u); got.Clicks != 0 {
			t.Errorf("a click was written before the recorder flushed: %+v", got)
		}
		must(t, w.svc.Recorder().Flush(t.Context()))
		c, err := st.ClickByID(t.Context(), id)
		must(t, err)
		if c.Kind != herald.ClickHuman || c.TargetID != w.target.ID || c.WorkspaceID != w.ws.ID || len(c.Visitor) != 32 ||
			c.Referrer != "" || c.Country != "" || !c.At.Equal(w.clock.Now()) {
			t.Errorf("click %+v", c)
		}
		if strings.Contains(c.Visitor, "198.51.100.23") {
			t.Error("the visitor holds the address")
		}

		// The same person again the same day: a click, not a unique one.
		w.visit(t, code)
		if got := w.counts(t, u); got.Clicks != 2 || got.Unique != 1 {
			t.Errorf("after two visits: %+v", got)
		}
		// The next day the salt changes: unique again.
		salts := w.st.salts.Load()
		w.clock.add(24 * time.Hour)
		w.visit(t, code)
		if got := w.counts(t, u); got.Clicks != 3 || got.Unique != 2 {
			t.Errorf("after a visit the next day: %+v", got)
		}
		if w.st.salts.Load() != salts+1 {
			t.Errorf("%d salt reads for a new day, want 1", w.st.salts.Load()-salts)
		}

		// HEAD and preview fetchers: redirected without a click id,
		// counted as previews; bots as bots.
		for _, tt := range []struct {
			method, ua string
		}{
			{http.MethodHead, chromeUA},
			{http.MethodGet, "http.rb/5.1.1 (Mastodon/4.2.10; +https://mastodon.social/)"},
			{http.MethodGet, "Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)"},
			{http.MethodGet, ""},
		} {
			rec := w.follow(t, tt.method, code, tt.ua)
			loc := rec.Header().Get("Location")
			if rec.Code != http.StatusFound || strings.Contains(loc, herald.ClickIDParam) || !strings.HasPrefix(loc, "https://bakery.example/bread?loaf=rye&utm_source=mastodon") {
				t.Errorf("%s %q = %d, Location %s", tt.method, tt.ua, rec.Code, loc)
			}
		}
		must(t, w.svc.Recorder().Flush(t.Context()))
		if got := w.counts(t, u); got.Clicks != 3 || got.Previews != 2 || got.Bots != 2 {
			t.Errorf("after previews and bots: %+v", got)
		}
		if n := w.st.lookups.Load(); n != 1 {
			t.Errorf("the code was looked up in the store %d times, want once", n)
		}
	})
}

func TestRedirectUnknownCode(t *testing.T) {
	teststore.Each(t, func(t *testing.T, st herald.Store) {
		w := newWorld(t, st)
		for _, code := range []string{"Zz9Zz9Zz", "Zz9Zz9Zz", "short", "has.dots", strings.Repeat("a", 40)} {
			rec := w.follow(t, http.MethodGet, code, chromeUA)
			if rec.Code != http.StatusNotFound || !strings.Contains(rec.Body.String(), "This link does not exist.") ||
				rec.Header().Get("Location") != "" {
				t.Errorf("GET /l/%s = %d %q", code, rec.Code, rec.Body)
			}
		}
		if n := w.st.lookups.Load(); n != 1 {
			t.Errorf("%d store lookups, want 1 (the misshapen codes never reach it, the repeat is remembered)", n)
		}
		w.clock.add(missTTL + time.Second)
		w.follow(t, http.MethodGet, "Zz9Zz9Zz", chromeUA)
		if n := w.st.lookups.Load(); n != 2 {
			t.Errorf("%d store lookups after the miss expired, want 2", n)
		}
		if p := w.svc.Recorder().Stats().Pending; p != 0 {
			t.Errorf("%d clicks recorded for unknown codes", p)
		}
	})
}

func TestRedirectReferrerAndCountry(t *testing.T) {
	teststore.Each(t, func(t *testing.T, st herald.Store) {
		w := newWorld(t, st, func(o *Options) { o.Referrer, o.CountryHeader = true, "CF-IPCountry" })
		code := w.link(t, "https://bakery.example/")
		rec := w.follow(t, http.MethodGet, code, chromeUA, "Referer", "https://Mastodon.Social/@acme/1", "CF-IPCountry", "de")
		loc, _ := url.Parse(rec.Header().Get("Location"))
		must(t, w.svc.Recorder().Flush(t.Context()))
		c, err := st.ClickByID(t.Context(), loc.Query().Get(herald.ClickIDParam))
		must(t, err)
		if c.Referrer != "mastodon.social" || c.Country != "DE" {
			t.Errorf("click %+v, want the referring host and the country", c)
		}
	})
}

func TestRedirectStoreFailure(t *testing.T) {
	w := newWorld(t, teststore.SQLite(t))
	code := w.link(t, "https://bakery.example/")
	w.st.failClicks.Store(true)
	w.follow(t, http.MethodGet, code, chromeUA)
	if err := w.svc.Recorder().Flush(t.Context()); err == nil {
		t.Fatal("the failing store did not fail the flush")
	}
	if got := w.counts(t, "https://bakery.example/"); got.Clicks != 0 {
		t.Fatalf("counts %+v", got)
	}
	w.st.failClicks.Store(false)
	must(t, w.svc.Recorder().Flush(t.Context()))
	if got := w.counts(t, "https://bakery.example/"); got.Clicks != 1 {
		t.Errorf("the kept click was not written on the retry: %+v", got)
	}

	// A store that cannot look a code up answers 503, not 404.
	broken := newWorld(t, brokenLookups{teststore.SQLite(t)})
	if rec := broken.follow(t, http.MethodGet, "AbCdEfGh", chromeUA); rec.Code != http.StatusServiceUnavailable {
		t.Errorf("GET with a failing store = %d", rec.Code)
	}
}

type brokenLookups struct{ herald.Store }

func (brokenLookups) LinkByCode(context.Context, string) (herald.Link, error) {
	return herald.Link{}, errors.New("connection refused")
}

func TestCachedLocation(t *testing.T) {
	for _, tt := range []struct{ dest, human string }{
		{"https://a.example/p?utm_source=x#frag", "https://a.example/p?utm_source=x&hclid=ID#frag"},
		{"https://a.example/p", "https://a.example/p?hclid=ID"},
		{"https://a.example/p?", "https://a.example/p?hclid=ID"},
	} {
		e := newCachedLink(herald.Link{Destination: tt.dest})
		if got := e.prefix + "ID" + e.suffix; got != tt.human || e.location != tt.dest {
			t.Errorf("%s: %s, %s", tt.dest, got, e.location)
		}
	}
	c := newLinkCache(10)
	for i := range 25 {
		c.put(itoa(int64(i)), &cachedLink{})
	}
	if n := c.len(); n > 10 || n == 0 {
		t.Errorf("a cache of 10 holds %d", n)
	}
}
