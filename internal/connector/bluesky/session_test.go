package bluesky_test

import (
	"context"
	"encoding/json"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/heraldsocial/herald/internal/connector"
	"github.com/heraldsocial/herald/internal/connector/bluesky"
	"github.com/heraldsocial/herald/internal/connector/bluesky/blueskyfake"
	"github.com/heraldsocial/herald/internal/herald"
)

func TestRefresh(t *testing.T) {
	e := newEnv(t, blueskyfake.Config{})
	ctx := context.Background()
	e.fake.ExpireAccessTokens(e.aliceInfo.DID)

	// Another process (no cached session) sees the expired token.
	c2 := e.connector()
	_, err := c2.Publish(ctx, e.alice, connector.Part{Text: "x", Key: "herald-20-0"})
	if classOf(t, err) != connector.AuthExpired {
		t.Fatalf("publish with an expired token: %v", err)
	}
	fresh, exp, err := c2.Refresh(ctx, e.alice)
	if err != nil || exp == nil || !exp.After(time.Now()) {
		t.Fatalf("Refresh = %v, %v", exp, err)
	}
	refreshed := e.alice
	refreshed.Credentials = fresh
	cr := creds(t, refreshed)
	old := creds(t, e.alice)
	if cr.AccessJWT == old.AccessJWT || cr.RefreshJWT == old.RefreshJWT || cr.AppPassword != old.AppPassword || cr.Handle != "alice.test" {
		t.Errorf("refreshed credentials = %+v", cr)
	}
	if _, err := c2.Publish(ctx, refreshed, connector.Part{Text: "x", Key: "herald-20-0"}); err != nil {
		t.Fatalf("publish after refresh: %v", err)
	}

	// The same process, handed the stale credentials again (another job
	// loaded them before the refresh was stored), uses its newer session
	// and does not refresh again.
	calls := e.fake.Calls("com.atproto.server.refreshSession")
	if _, err := c2.Publish(ctx, e.alice, connector.Part{Text: "y", Key: "herald-20-1"}); err != nil {
		t.Fatalf("publish with stale credentials in the refreshing process: %v", err)
	}
	if _, _, err := c2.Refresh(ctx, e.alice); err != nil {
		t.Fatal(err)
	}
	if got := e.fake.Calls("com.atproto.server.refreshSession"); got != calls {
		t.Errorf("refreshSession called %d more times; want the cached session", got-calls)
	}

	// When the cached session itself is refused, it is forgotten: the next
	// Refresh really renews instead of handing it out again.
	e.fake.ExpireAccessTokens(e.aliceInfo.DID)
	if _, err := c2.Publish(ctx, e.alice, connector.Part{Text: "w", Key: "herald-20-3"}); classOf(t, err) != connector.AuthExpired {
		t.Fatalf("publish with the expired cached session: %v", err)
	}
	renewed, _, err := c2.Refresh(ctx, e.alice)
	if err != nil {
		t.Fatalf("Refresh after the cached session was refused: %v", err)
	}
	if got := creds(t, connector.Account{Credentials: renewed}); got.AccessJWT == cr.AccessJWT {
		t.Error("Refresh handed out the refused session again")
	}
	if _, err := c2.Publish(ctx, connector.Account{Account: e.alice.Account, Credentials: renewed}, connector.Part{Text: "w", Key: "herald-20-3"}); err != nil {
		t.Fatalf("publish after renewing: %v", err)
	}

	// A third process holds the spent refresh token: the PDS refuses it
	// and the kept app password makes a new session.
	c3 := e.connector()
	sessions := e.fake.Calls("com.atproto.server.createSession")
	if _, _, err := c3.Refresh(ctx, e.alice); err != nil {
		t.Fatalf("Refresh with a spent refresh token: %v", err)
	}
	if e.fake.Calls("com.atproto.server.createSession") != sessions+1 {
		t.Error("no new session from the app password")
	}

	// Without an app password a spent refresh token means reconnecting.
	var noPass bluesky.Credentials
	_ = json.Unmarshal(e.alice.Credentials, &noPass)
	noPass.AppPassword = ""
	stale := e.alice
	stale.Credentials = bluesky.MarshalCredentials(noPass)
	if _, _, err := e.connector().Refresh(ctx, stale); classOf(t, err) != connector.AuthRevoked {
		t.Errorf("Refresh without app password: %v", err)
	}

	// A revoked app password ends everything: AuthRevoked, with the reason.
	e.fake.RevokeAppPassword(e.aliceInfo.DID, e.aliceInfo.AppPassword)
	c4 := e.connector()
	if _, err := c4.Publish(ctx, refreshed, connector.Part{Text: "z", Key: "herald-20-2"}); classOf(t, err) != connector.AuthExpired {
		t.Errorf("publish after revocation: %v; want auth_expired (refresh once)", err)
	}
	_, _, err = c4.Refresh(ctx, refreshed)
	if classOf(t, err) != connector.AuthRevoked || !strings.Contains(err.Error(), "app password") {
		t.Errorf("Refresh after revocation: %v", err)
	}
}

func TestCredentials(t *testing.T) {
	c := bluesky.New(nil)
	ctx := context.Background()
	tests := []struct {
		name  string
		creds string
		class connector.Class
	}{
		{"not JSON", "garbage", connector.AuthRevoked},
		{"no PDS", `{"did":"did:plc:x","access_jwt":"a"}`, connector.AuthRevoked},
		{"PDS not http", `{"did":"did:plc:x","pds":"ftp://x","access_jwt":"a"}`, connector.AuthRevoked},
		{"no DID", `{"pds":"http://127.0.0.1:1","access_jwt":"a"}`, connector.AuthRevoked},
		{"no tokens", `{"did":"did:plc:x","pds":"http://127.0.0.1:1"}`, connector.AuthRevoked},
		{"refresh token only", `{"did":"did:plc:x","pds":"http://127.0.0.1:1","refresh_jwt":"r"}`, connector.AuthExpired},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			acct := connector.Account{Credentials: []byte(tt.creds)}
			_, err := c.Publish(ctx, acct, connector.Part{Text: "x", Key: "k"})
			if classOf(t, err) != tt.class {
				t.Errorf("Publish: %v; want %s", err, tt.class)
			}
		})
	}
}

func TestRateLimits(t *testing.T) {
	e := newEnv(t, blueskyfake.Config{WritePoints: 7, SessionLimit: 1})
	ctx := context.Background()
	for i := range 2 {
		if _, err := e.c.Publish(ctx, e.alice, connector.Part{Text: "p", Key: "herald-30-" + string(rune('a'+i))}); err != nil {
			t.Fatal(err)
		}
	}
	_, err := e.c.Publish(ctx, e.alice, connector.Part{Text: "p", Key: "herald-30-c"})
	var ce *connector.Error
	if classOf(t, err) != connector.RateLimited || !asConnector(err, &ce) || ce.RetryAfter <= 0 || ce.RetryAfter > time.Hour {
		t.Errorf("third post: %v; want rate limited with the wait from RateLimit-Reset", err)
	}
	// createSession is limited per identifier: a fresh process cannot
	// sign in again, and says why.
	_, err = e.connector().ConnectWithPassword(ctx, "alice.test", e.aliceInfo.AppPassword)
	if classOf(t, err) != connector.RateLimited {
		t.Errorf("second createSession: %v; want rate limited", err)
	}
}

func asConnector(err error, target **connector.Error) bool {
	for err != nil {
		if ce, ok := err.(*connector.Error); ok {
			*target = ce
			return true
		}
		u, ok := err.(interface{ Unwrap() error })
		if !ok {
			return false
		}
		err = u.Unwrap()
	}
	return false
}

func TestDeactivatedAccount(t *testing.T) {
	e := newEnv(t, blueskyfake.Config{})
	ctx := context.Background()
	e.fake.Deactivate(e.aliceInfo.DID)
	if _, err := e.c.Publish(ctx, e.alice, connector.Part{Text: "x", Key: "k"}); classOf(t, err) != connector.AuthRevoked {
		t.Errorf("publish from a deactivated account: %v", err)
	}
	if _, err := e.connector().ConnectWithPassword(ctx, "alice.test", e.aliceInfo.AppPassword); classOf(t, err) != connector.AuthRevoked {
		t.Errorf("connect a deactivated account: %v", err)
	}
}

// TestMisbehavingPlatform feeds the connector broken answers: HTML pages,
// truncated JSON, unexpected fields, 5xx, missing headers and fields, and
// dropped connections. Each must be a classified error, never a panic, and
// a publish whose outcome is unknown must be Ambiguous so the dispatcher
// reconciles instead of posting twice.
func TestMisbehavingPlatform(t *testing.T) {
	e := newEnv(t, blueskyfake.Config{})
	ctx := context.Background()
	jsonHdr := http.Header{"Content-Type": {"application/json"}}
	htmlHdr := http.Header{"Content-Type": {"text/html"}}
	const put = "com.atproto.repo.putRecord"
	const posts = "app.bsky.feed.getPosts"
	tests := []struct {
		name    string
		nsid    string
		fault   blueskyfake.Fault
		class   connector.Class // "" means success
		message string          // part of the error message
	}{
		{"put: HTML 502 from a proxy", put, blueskyfake.Fault{Status: 502, Header: htmlHdr, Body: "<html><body>Bad Gateway</body></html>"}, connector.Transient, "HTML"},
		{"put: 500 InternalServerError", put, blueskyfake.Fault{Status: 500, Header: jsonHdr, Body: `{"error":"InternalServerError","message":"Internal Server Error"}`}, connector.Transient, "Internal Server Error"},
		{"put: 503 plain text", put, blueskyfake.Fault{Status: 503, Body: "upstream connect error"}, connector.Transient, "HTTP 503 with text that is not its API's JSON"},
		{"put: 200 truncated JSON", put, blueskyfake.Fault{Status: 200, Header: jsonHdr, Body: `{"uri":"at://did:plc:x/app.bsky.fe`}, connector.Ambiguous, "not the expected JSON"},
		{"put: 200 empty body", put, blueskyfake.Fault{Status: 200, Header: jsonHdr}, connector.Ambiguous, ""},
		{"put: 200 without uri and cid", put, blueskyfake.Fault{Status: 200, Header: jsonHdr, Body: `{"validationStatus":"valid"}`}, connector.Ambiguous, "uri or cid"},
		{"put: 200 array", put, blueskyfake.Fault{Status: 200, Header: jsonHdr, Body: `[]`}, connector.Ambiguous, ""},
		{"put: dropped connection", put, blueskyfake.Fault{Drop: true}, connector.Ambiguous, ""},
		{"put: unexpected fields are fine", put, blueskyfake.Fault{Status: 200, Header: jsonHdr,
			Body: `{"uri":"at://did:plc:x/app.bsky.feed.post/3kabcdefghij2","cid":"bafyreiabc","commit":{"cid":"x","rev":"y"},"surprise":[1,2,{"a":null}]}`}, "", ""},
		{"put: no content type", put, blueskyfake.Fault{Status: 200, Body: `{"uri":"at://did:plc:x/app.bsky.feed.post/3kabcdefghij2","cid":"bafyreiabc"}`}, "", ""},
		{"put: InvalidRequest keeps the message", put, blueskyfake.Fault{Status: 400, Header: jsonHdr, Body: `{"error":"InvalidRequest","message":"Invalid app.bsky.feed.post record: Record/text must not be longer than 300 graphemes"}`}, connector.Invalid, "300 graphemes"},
		{"put: ExpiredToken", put, blueskyfake.Fault{Status: 400, Header: jsonHdr, Body: `{"error":"ExpiredToken","message":"Token has expired"}`}, connector.AuthExpired, "Token has expired"},
		{"put: InvalidToken", put, blueskyfake.Fault{Status: 400, Header: jsonHdr, Body: `{"error":"InvalidToken","message":"Token could not be verified"}`}, connector.AuthExpired, ""},
		{"put: AccountTakedown", put, blueskyfake.Fault{Status: 401, Header: jsonHdr, Body: `{"error":"AccountTakedown","message":"Account has been taken down"}`}, connector.AuthRevoked, "taken down"},
		{"put: AuthMissing", put, blueskyfake.Fault{Status: 401, Header: jsonHdr, Body: `{"error":"AuthMissing","message":"Authentication Required"}`}, connector.AuthRevoked, ""},
		{"put: 429 without headers", put, blueskyfake.Fault{Status: 429, Header: jsonHdr, Body: `{"error":"RateLimitExceeded","message":"Rate Limit Exceeded"}`}, connector.RateLimited, ""},
		{"put: 429 HTML with Retry-After", put, blueskyfake.Fault{Status: 429, Header: http.Header{"Content-Type": {"text/html"}, "Retry-After": {"30"}}, Body: "<html>slow down</html>"}, connector.RateLimited, ""},
		{"put: 413", put, blueskyfake.Fault{Status: 413, Header: jsonHdr, Body: `{"error":"PayloadTooLarge","message":"request entity too large"}`}, connector.Invalid, "too large"},
		{"put: 400 with HTML", put, blueskyfake.Fault{Status: 400, Header: htmlHdr, Body: "<!DOCTYPE html><title>Bad</title>"}, connector.Transient, "HTML"},
		{"getPosts: truncated JSON", posts, blueskyfake.Fault{Status: 200, Header: jsonHdr, Body: `{"posts":[{"uri":`}, connector.Transient, ""},
		{"getPosts: HTML 200", posts, blueskyfake.Fault{Status: 200, Header: htmlHdr, Body: "<html>maintenance</html>"}, connector.Transient, ""},
		{"getPosts: UpstreamFailure", posts, blueskyfake.Fault{Status: 502, Header: jsonHdr, Body: `{"error":"UpstreamFailure","message":"Upstream Failure"}`}, connector.Transient, "Upstream Failure"},
		// Go's HTTP client repeats a GET on a reused connection that closed
		// without an answer, so this one may even succeed.
		{"getPosts: dropped", posts, blueskyfake.Fault{Drop: true}, "transient or success", ""},
		{"getPosts: counts missing", posts, blueskyfake.Fault{Status: 200, Header: jsonHdr, Body: `{"posts":[{"uri":"at://x"}],"cursor":7}`}, "", ""},
		{"uploadBlob: dropped is not ambiguous", "com.atproto.repo.uploadBlob", blueskyfake.Fault{Drop: true}, connector.Transient, ""},
		{"uploadBlob: no blob in the answer", "com.atproto.repo.uploadBlob", blueskyfake.Fault{Status: 200, Header: jsonHdr, Body: `{"blob":null}`}, connector.Transient, "blob"},
		{"getRecord (reply parent): HTML", "com.atproto.repo.getRecord", blueskyfake.Fault{Status: 500, Header: htmlHdr, Body: "<html></html>"}, connector.Transient, ""},
	}
	post, err := e.c.Publish(ctx, e.alice, connector.Part{Text: "existing", Key: "herald-40-x"})
	if err != nil {
		t.Fatal(err)
	}
	for i, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e.fake.Fail(tt.nsid, tt.fault)
			var err error
			switch tt.nsid {
			case posts:
				_, err = e.c.Metrics(ctx, e.alice, []herald.RemoteRef{post})
			case "com.atproto.repo.uploadBlob":
				_, err = e.c.Publish(ctx, e.alice, connector.Part{Text: "img", Key: "herald-41-" + tt.name,
					Media: []connector.Media{imageMedia(pngBytes(t, 4, 4), "", 4, 4)}})
			case "com.atproto.repo.getRecord":
				bare := herald.RemoteRef{ID: post.ID}
				_, err = e.c.Publish(ctx, e.alice, connector.Part{Index: 1, Text: "reply", Key: "herald-42-" + tt.name, ReplyTo: &bare, Root: &bare})
			default:
				_, err = e.c.Publish(ctx, e.alice, connector.Part{Text: "faulty " + tt.name, Key: "herald-43-" + string(rune('a'+i))})
			}
			if tt.class == "transient or success" && err == nil {
				return
			}
			if tt.class == "transient or success" {
				tt.class = connector.Transient
			}
			if tt.class == "" {
				if err != nil {
					t.Fatalf("err = %v; want success", err)
				}
				return
			}
			if got := classOf(t, err); got != tt.class {
				t.Errorf("class = %s, want %s (%v)", got, tt.class, err)
			}
			if !strings.Contains(err.Error(), tt.message) {
				t.Errorf("error %q does not contain %q", err, tt.message)
			}
		})
	}
	// A dropped publish was carried out: Find sees it, and retrying does
	// not post twice.
	p := connector.Part{Text: "dropped then found", Key: "herald-44-0"}
	e.fake.Fail(put, blueskyfake.Fault{Drop: true})
	if _, err := e.c.Publish(ctx, e.alice, p); connector.ClassOf(err) != connector.Ambiguous {
		t.Fatalf("dropped publish: %v", err)
	}
	n := len(e.fake.Records(e.aliceInfo.DID, "app.bsky.feed.post"))
	ref, found, err := e.c.Find(ctx, e.alice, p)
	if err != nil || !found {
		t.Fatalf("Find = %v, %v", found, err)
	}
	again, err := e.c.Publish(ctx, e.alice, p)
	if err != nil || again.ID != ref.ID || len(e.fake.Records(e.aliceInfo.DID, "app.bsky.feed.post")) != n {
		t.Errorf("retry = %+v, %v; want the found post and no new record", again, err)
	}
}
