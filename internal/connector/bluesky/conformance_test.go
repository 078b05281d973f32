package bluesky_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"strconv"
	"testing"
	"time"

	"github.com/heraldsocial/herald/internal/connector"
	"github.com/heraldsocial/herald/internal/connector/bluesky/blueskyfake"
	"github.com/heraldsocial/herald/internal/connector/conformance"
	"github.com/heraldsocial/herald/internal/herald"
)

// conformFake is the fake PDS, AppView and chat service as the
// conformance suite drives them: alice is the account under test; other
// people are made as needed.
type conformFake struct {
	t    *testing.T
	e    *env
	fans int
}

func (f *conformFake) Account(testing.TB) connector.Account { return f.e.alice }

func (f *conformFake) Fail(op conformance.Op, how conformance.Failure) {
	switch how {
	case conformance.Dropped:
		f.e.fake.Fail("com.atproto.repo.putRecord", blueskyfake.Fault{Drop: true})
	case conformance.RateLimited:
		reset := strconv.FormatInt(time.Now().Add(time.Hour).Unix(), 10)
		f.e.fake.Fail("com.atproto.repo.putRecord", blueskyfake.Fault{Status: http.StatusTooManyRequests,
			Header: http.Header{"Content-Type": {"application/json"}, "RateLimit-Limit": {"5000"}, "RateLimit-Remaining": {"0"},
				"RateLimit-Reset": {reset}, "RateLimit-Policy": {"5000;w=3600"}},
			Body: `{"error":"RateLimitExceeded","message":"Rate Limit Exceeded"}`})
	case conformance.Revoked:
		f.e.fake.RevokeAppPassword(f.e.aliceInfo.DID, f.e.aliceInfo.AppPassword)
		f.e.fake.ExpireAccessTokens(f.e.aliceInfo.DID)
	}
	_ = op
}

func (f *conformFake) Posts(connector.Account) []conformance.Remote {
	var out []conformance.Remote
	for _, uri := range f.e.fake.Records(f.e.aliceInfo.DID, "app.bsky.feed.post") {
		var rec struct {
			Text  string `json:"text"`
			Reply *struct {
				Parent struct {
					URI string `json:"uri"`
				} `json:"parent"`
			} `json:"reply"`
			Embed *struct {
				Images []json.RawMessage `json:"images"`
			} `json:"embed"`
		}
		raw, _ := f.e.fake.Record(uri)
		if err := json.Unmarshal(raw, &rec); err != nil {
			f.t.Fatal(err)
		}
		r := conformance.Remote{ID: uri, Text: rec.Text}
		if rec.Reply != nil {
			r.ReplyTo = rec.Reply.Parent.URI
		}
		if rec.Embed != nil {
			r.Media = len(rec.Embed.Images)
		}
		out = append(out, r)
	}
	return out
}

// fan is a new account connected through the connector.
func (f *conformFake) fan() connector.Account {
	f.fans++
	info := f.e.fake.CreateAccount(fmt.Sprintf("fan%d.test", f.fans), "A fan")
	return f.e.connect(f.t, f.e.c, info)
}

// write creates a record in the fan's repository, as their app would.
func (f *conformFake) write(fan connector.Account, collection string, record any) {
	var cr struct {
		DID       string `json:"did"`
		AccessJWT string `json:"access_jwt"`
	}
	if err := json.Unmarshal(fan.Credentials, &cr); err != nil {
		f.t.Fatal(err)
	}
	body, _ := json.Marshal(map[string]any{"repo": cr.DID, "collection": collection, "record": record})
	req, _ := http.NewRequest(http.MethodPost, f.e.url+"/xrpc/com.atproto.repo.createRecord", bytes.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Authorization", "Bearer "+cr.AccessJWT)
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		f.t.Fatal(err)
	}
	res.Body.Close()
	if res.StatusCode != http.StatusOK {
		f.t.Fatalf("createRecord %s: %s", collection, res.Status)
	}
}

func (f *conformFake) SetMetrics(id string, m connector.Metrics) {
	ref := f.ref(id, "k-metrics")
	subject := map[string]string{"uri": ref.ID, "cid": ref.Meta["cid"]}
	now := time.Now().UTC().Format(time.RFC3339)
	for range m.Likes {
		f.write(f.fan(), "app.bsky.feed.like", map[string]any{"$type": "app.bsky.feed.like", "subject": subject, "createdAt": now})
	}
	for range m.Reposts {
		f.write(f.fan(), "app.bsky.feed.repost", map[string]any{"$type": "app.bsky.feed.repost", "subject": subject, "createdAt": now})
	}
	for i := range m.Replies {
		if _, err := f.e.c.Reply(context.Background(), f.fan(), ref, connector.Part{Text: "reply " + strconv.FormatInt(i, 10)}); err != nil {
			f.t.Fatal(err)
		}
	}
}

// ref is the reference (with its cid) of the suite's post uri, which it
// published with key.
func (f *conformFake) ref(uri, key string) herald.RemoteRef {
	for _, p := range f.Posts(f.e.alice) {
		if p.ID == uri {
			if ref, ok, err := f.e.c.Find(context.Background(), f.e.alice, connector.Part{Text: p.Text, Key: key}); err == nil && ok {
				return ref
			}
		}
	}
	f.t.Fatalf("no post %s published with key %s", uri, key)
	return herald.RemoteRef{}
}

func (f *conformFake) Mention(_ connector.Account, text, replyTo string) string {
	fan := f.fan()
	if replyTo == "" {
		ref, err := f.e.c.Publish(context.Background(), fan, connector.Part{Text: "@alice.test " + text, Key: "mention"})
		if err != nil {
			f.t.Fatal(err)
		}
		return ref.ID
	}
	ref, err := f.e.c.Reply(context.Background(), fan, f.ref(replyTo, "k-inbox"), connector.Part{Text: text})
	if err != nil {
		f.t.Fatal(err)
	}
	return ref.ID
}

// DirectMessage makes a new person send text to the account in a chat
// conversation.
func (f *conformFake) DirectMessage(acct connector.Account, text string) string {
	f.fans++
	fan := f.e.fake.CreateAccount(fmt.Sprintf("fan%d.test", f.fans), "A fan")
	_, id := f.e.fake.DirectMessage(fan.DID, acct.RemoteID, text)
	return id
}

// DirectSent returns what the account sent in the conversation.
func (f *conformFake) DirectSent(acct connector.Account, conversationID string) []string {
	return f.e.fake.DirectSent(acct.RemoteID, conversationID)
}

func (f *conformFake) Violations() []string { return nil }

var _ conformance.DMFake = (*conformFake)(nil)

func TestConformance(t *testing.T) {
	conformance.Run(t, func(t *testing.T) conformance.Setup {
		e := newEnv(t, blueskyfake.Config{})
		return conformance.Setup{Connector: e.c, Fake: &conformFake{t: t, e: e}}
	})
}
