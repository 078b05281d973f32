package bench

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/heraldsocial/herald/internal/connector"
	"github.com/heraldsocial/herald/internal/connector/bluesky"
	"github.com/heraldsocial/herald/internal/connector/bluesky/blueskyfake"
	"github.com/heraldsocial/herald/internal/connector/facebook"
	"github.com/heraldsocial/herald/internal/connector/facebook/facebookfake"
	"github.com/heraldsocial/herald/internal/connector/fake"
	"github.com/heraldsocial/herald/internal/connector/fake/fakeserver"
	"github.com/heraldsocial/herald/internal/connector/mastodon"
	"github.com/heraldsocial/herald/internal/connector/mastodon/mastodonfake"
	"github.com/heraldsocial/herald/internal/connector/metagraph/graphfake"
	xconn "github.com/heraldsocial/herald/internal/connector/x"
	"github.com/heraldsocial/herald/internal/connector/x/xfake"
	"github.com/heraldsocial/herald/internal/herald"
)

// A mixed run (Config.Platforms) publishes through Herald's real
// connectors to each platform's fake server, all in this process: the
// dispatcher's work is the same, the platform calls are each platform's
// own (Mastodon's form posts, X's JSON, Bluesky's putRecord with its
// session). The fakes do not share a ledger, so a recorder in front of each
// one notes when a post's request arrived, by the post's number in its
// text ("Benchmark post 123"), and the fakes' stored posts tell
// duplicates.

// MixablePlatforms are the platforms a mixed run can publish to.
var MixablePlatforms = []herald.Platform{herald.PlatformFake, herald.PlatformMastodon, herald.PlatformX, herald.PlatformBluesky,
	herald.PlatformFacebook}

// marker finds a benchmark post's number in a request body or a stored
// text, as JSON, form encoding or plain text write it.
var marker = regexp.MustCompile(`Benchmark(?:\+|%20| )post(?:\+|%20| )(\d+)`)

// venue is one platform of a mixed run.
type venue struct {
	platform herald.Platform
	url      string
	conn     connector.Publisher
	// account makes the i-th account on the fake and returns it (without
	// its workspace) with its credentials in the connector's encoding.
	account func(ctx context.Context, i int) (herald.Account, []byte, error)
	// stored returns the texts of the posts the fake holds.
	stored func() []string
	close  func() error
}

// recorder notes the first arrival of each benchmark post and answers
// after the configured latency, the same for every platform.
type recorder struct {
	latency time.Duration
	mu      sync.Mutex
	first   map[int]time.Time
}

func newRecorder(latency time.Duration) *recorder {
	return &recorder{latency: latency, first: map[int]time.Time{}}
}

// wrap records the posts h receives.
func (rc *recorder) wrap(h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method == http.MethodPost || r.Method == http.MethodPut {
			at := time.Now()
			body, err := io.ReadAll(r.Body)
			if err != nil {
				http.Error(w, "read the body", http.StatusBadRequest)
				return
			}
			r.Body = io.NopCloser(bytes.NewReader(body))
			if m := marker.FindSubmatch(body); m != nil {
				if i, err := strconv.Atoi(string(m[1])); err == nil {
					rc.mu.Lock()
					if _, seen := rc.first[i]; !seen {
						rc.first[i] = at
					}
					rc.mu.Unlock()
				}
			}
			if rc.latency > 0 {
				select {
				case <-time.After(rc.latency):
				case <-r.Context().Done():
					return
				}
			}
		}
		h.ServeHTTP(w, r)
	})
}

// count returns how many posts arrived.
func (rc *recorder) count() int {
	rc.mu.Lock()
	defer rc.mu.Unlock()
	return len(rc.first)
}

// waitCount polls until want posts arrived or deadline passes; missing
// posts are then counted as lost, not an error.
func (rc *recorder) waitCount(ctx context.Context, want int, deadline time.Time) error {
	for rc.count() < want && time.Now().Before(deadline) {
		if err := sleep(ctx, 10*time.Millisecond); err != nil {
			return err
		}
	}
	return nil
}

// platformNames names platforms for the result.
func platformNames(ps []herald.Platform) []string {
	var out []string
	for _, p := range ps {
		out = append(out, string(p))
	}
	return out
}

// arrivals returns each post's first arrival, by its number.
func (rc *recorder) arrivals() map[int]time.Time {
	rc.mu.Lock()
	defer rc.mu.Unlock()
	out := make(map[int]time.Time, len(rc.first))
	for k, v := range rc.first {
		out[k] = v
	}
	return out
}

// serve serves h on a loopback port until the returned close.
func serve(h http.Handler) (string, func() error, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", nil, fmt.Errorf("bench: listen: %w", err)
	}
	srv := &http.Server{Handler: h, ReadHeaderTimeout: 10 * time.Second, IdleTimeout: 2 * time.Minute,
		ErrorLog: slog.NewLogLogger(slog.DiscardHandler, slog.LevelError)}
	go func() { _ = srv.Serve(ln) }()
	return "http://" + ln.Addr().String(), srv.Close, nil
}

// openVenue starts platform p's fake behind rc, with the connector for it
// over client.
func openVenue(p herald.Platform, rc *recorder, client *http.Client) (*venue, error) {
	v := &venue{platform: p}
	switch p {
	case herald.PlatformFake:
		srv := fakeserver.New(platformConfig(0))
		url, closeFn, err := serve(rc.wrap(srv.Handler()))
		if err != nil {
			return nil, err
		}
		v.url, v.conn = url, fake.New(client)
		v.close = func() error { return errors.Join(srv.Close(), closeFn()) }
		v.account = fakeAccounts(url)
		v.stored = func() []string {
			var out []string
			for _, post := range srv.Ledger().Posts() {
				out = append(out, post.Text)
			}
			return out
		}
	case herald.PlatformMastodon:
		srv := mastodonfake.New(mastodonfake.DefaultConfig())
		url, closeFn, err := serve(rc.wrap(srv))
		if err != nil {
			return nil, err
		}
		v.url, v.conn, v.close = url, mastodon.New(client), closeFn
		v.account = func(_ context.Context, i int) (herald.Account, []byte, error) {
			a, tok := srv.AddAccount("bench"+strconv.Itoa(i), "Bench "+strconv.Itoa(i))
			return herald.Account{Platform: p, RemoteID: a.ID, Handle: "@bench" + strconv.Itoa(i), DisplayName: a.DisplayName,
				InstanceURL: url}, mastodon.MarshalCredentials(mastodon.Credentials{AccessToken: tok}), nil
		}
		v.stored = func() []string {
			var out []string
			for _, st := range srv.Statuses() {
				out = append(out, st.Text)
			}
			return out
		}
	case herald.PlatformX:
		const id, secret = "herald-bench", "herald-bench-secret"
		srv := xfake.New(xfake.Config{ClientID: id, ClientSecret: secret, AccessTTL: 24 * time.Hour})
		url, closeFn, err := serve(rc.wrap(srv))
		if err != nil {
			return nil, err
		}
		v.url, v.close = url, closeFn
		v.conn = xconn.New(client, xconn.WithClient(id, secret), xconn.WithBaseURL(url))
		v.account = func(_ context.Context, i int) (herald.Account, []byte, error) {
			u := srv.AddUser("bench"+strconv.Itoa(i), "Bench "+strconv.Itoa(i))
			tok := srv.IssueToken(u.ID)
			exp := tok.ExpiresAt
			return herald.Account{Platform: p, RemoteID: u.ID, Handle: "@" + u.Username, DisplayName: u.Name, TokenExpiresAt: &exp},
				xconn.MarshalCredentials(xconn.Credentials{AccessToken: tok.Access, RefreshToken: tok.Refresh, ExpiresAt: &exp,
					UserID: u.ID, Username: u.Username}), nil
		}
		v.stored = func() []string {
			var out []string
			for _, t := range srv.Tweets() {
				if !t.Deleted {
					out = append(out, t.Original)
				}
			}
			return out
		}
	case herald.PlatformBluesky:
		srv := blueskyfake.New(blueskyfake.Config{})
		url, closeFn, err := serve(rc.wrap(srv.Handler()))
		if err != nil {
			return nil, err
		}
		srv.SetURL(url)
		c := bluesky.New(client, bluesky.WithPLCURL(url), bluesky.WithHandleResolver(url),
			bluesky.WithLogger(slog.New(slog.DiscardHandler)))
		v.url, v.conn, v.close = url, c, closeFn
		var dids []string
		var mu sync.Mutex
		v.account = func(ctx context.Context, i int) (herald.Account, []byte, error) {
			info := srv.CreateAccount("bench"+strconv.Itoa(i)+".test", "Bench "+strconv.Itoa(i))
			got, err := c.ConnectWithPassword(ctx, info.Handle, info.AppPassword)
			if err != nil {
				return herald.Account{}, nil, fmt.Errorf("bench: connect %s on the fake Bluesky: %w", info.Handle, err)
			}
			mu.Lock()
			dids = append(dids, info.DID)
			mu.Unlock()
			return got.Account, got.Credentials, nil
		}
		v.stored = func() []string {
			mu.Lock()
			defer mu.Unlock()
			var out []string
			for _, did := range dids {
				for _, uri := range srv.Records(did, "app.bsky.feed.post") {
					if raw, ok := srv.Record(uri); ok {
						out = append(out, string(raw))
					}
				}
			}
			return out
		}
	case herald.PlatformFacebook:
		const id, secret = "herald-bench", "herald-bench-secret"
		srv := facebookfake.New(graphfake.Config{AppID: id, AppSecret: secret})
		url, closeFn, err := serve(rc.wrap(srv))
		if err != nil {
			return nil, err
		}
		v.url, v.close = url, closeFn
		v.conn = facebook.New(client, facebook.WithApp(id, secret), facebook.WithBaseURL(url, url, url))
		var pages []string
		var mu sync.Mutex
		v.account = func(_ context.Context, i int) (herald.Account, []byte, error) {
			name := "bench" + strconv.Itoa(i)
			owner := srv.AddUser("Bench " + strconv.Itoa(i))
			page := srv.AddPage(owner.ID, "Bench "+strconv.Itoa(i), name, "")
			mu.Lock()
			pages = append(pages, page.ID)
			mu.Unlock()
			return herald.Account{Platform: p, RemoteID: page.ID, Handle: "@" + name, DisplayName: page.Name},
				facebook.MarshalCredentials(facebook.Credentials{PageID: page.ID, PageName: page.Name,
					PageToken: srv.PageToken(page.ID), UserID: owner.ID}), nil
		}
		v.stored = func() []string {
			mu.Lock()
			defer mu.Unlock()
			var out []string
			for _, id := range pages {
				for _, post := range srv.Posts(id) {
					if !post.Deleted {
						out = append(out, post.Message)
					}
				}
			}
			return out
		}
	default:
		return nil, herald.Errorf(herald.CodeInvalid, "bench: %q cannot be mixed in; choose among %s", p, mixableList())
	}
	return v, nil
}

func mixableList() string {
	var s []string
	for _, p := range MixablePlatforms {
		s = append(s, string(p))
	}
	return strings.Join(s, ", ")
}

// mixedLedger reads what a mixed run's platforms received: each post's
// first arrival, by its part key, and the posts stored more than once.
func mixedLedger(rc *recorder, venues []*venue, sched schedule) ledgerView {
	arr := rc.arrivals()
	v := ledgerView{received: make(map[string]time.Time, len(arr)), duplicates: map[string]int{}}
	for i, id := range sched.ids {
		if at, ok := arr[i]; ok {
			v.received[partKey(sched.installation, id)] = at
		}
	}
	seen := map[int]int{}
	for _, ve := range venues {
		for _, text := range ve.stored() {
			if m := marker.FindStringSubmatch(text); m != nil {
				if i, err := strconv.Atoi(m[1]); err == nil {
					seen[i]++
				}
			}
		}
	}
	for i, n := range seen {
		if n > 1 && i < len(sched.ids) {
			v.duplicates[partKey(sched.installation, sched.ids[i])] = n
		}
	}
	return v
}
