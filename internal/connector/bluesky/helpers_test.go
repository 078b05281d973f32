package bluesky_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"testing"
	"time"

	"github.com/heraldsocial/herald/internal/connector"
	"github.com/heraldsocial/herald/internal/connector/bluesky"
	"github.com/heraldsocial/herald/internal/connector/bluesky/blueskyfake"
	"github.com/heraldsocial/herald/internal/herald"
)

// env is a fake Bluesky with two connected accounts.
type env struct {
	fake       *blueskyfake.Server
	url        string
	c          *bluesky.Connector
	alice, bob connector.Account
	aliceInfo  blueskyfake.Account
	bobInfo    blueskyfake.Account
}

func newEnv(t *testing.T, cfg blueskyfake.Config, opts ...bluesky.Option) *env {
	t.Helper()
	fake := blueskyfake.New(cfg)
	u, err := fake.Start("127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = fake.Close() })
	e := &env{fake: fake, url: u}
	e.aliceInfo = fake.CreateAccount("alice.test", "Alice")
	e.bobInfo = fake.CreateAccount("bob.test", "Bob")
	e.c = e.connector(opts...)
	e.alice = e.connect(t, e.c, e.aliceInfo)
	e.bob = e.connect(t, e.c, e.bobInfo)
	return e
}

// connector returns a new connector (with an empty session cache) for the fake.
func (e *env) connector(opts ...bluesky.Option) *bluesky.Connector {
	base := []bluesky.Option{bluesky.WithPLCURL(e.url), bluesky.WithHandleResolver(e.url), bluesky.WithLoopbackLinks(true),
		bluesky.WithLogger(slog.New(slog.DiscardHandler))}
	return bluesky.New(&http.Client{Timeout: 10 * time.Second}, append(base, opts...)...)
}

func (e *env) connect(t *testing.T, c *bluesky.Connector, a blueskyfake.Account) connector.Account {
	t.Helper()
	got, err := c.ConnectWithPassword(context.Background(), a.Handle, a.AppPassword)
	if err != nil {
		t.Fatalf("connect %s: %v", a.Handle, err)
	}
	return connector.Account{Account: got.Account, Credentials: got.Credentials}
}

// record reads a stored record from the fake into a generic map.
func (e *env) record(t *testing.T, uri string) map[string]any {
	t.Helper()
	raw, ok := e.fake.Record(uri)
	if !ok {
		t.Fatalf("the fake has no record %s", uri)
	}
	var m map[string]any
	if err := json.Unmarshal(raw, &m); err != nil {
		t.Fatal(err)
	}
	return m
}

// creds decodes an account's credentials.
func creds(t *testing.T, a connector.Account) bluesky.Credentials {
	t.Helper()
	var cr bluesky.Credentials
	if err := json.Unmarshal(a.Credentials, &cr); err != nil {
		t.Fatal(err)
	}
	return cr
}

// classOf returns the connector class of err, failing when err is not a
// classified connector error.
func classOf(t *testing.T, err error) connector.Class {
	t.Helper()
	var ce *connector.Error
	if !errors.As(err, &ce) {
		t.Fatalf("error %v (%T) is not a *connector.Error", err, err)
	}
	return ce.Class
}

func imageMedia(data []byte, alt string, w, h int) connector.Media {
	return connector.Media{
		Asset: herald.MediaAsset{ID: 7, Filename: "pic.png", ContentType: "image/png", Size: int64(len(data)), Width: w, Height: h, AltText: alt},
		Open:  func(context.Context) (io.ReadCloser, error) { return io.NopCloser(bytes.NewReader(data)), nil },
	}
}

// dig walks a decoded JSON value by keys and indexes.
func dig(v any, path ...any) any {
	for _, p := range path {
		switch k := p.(type) {
		case string:
			m, ok := v.(map[string]any)
			if !ok {
				return nil
			}
			v = m[k]
		case int:
			a, ok := v.([]any)
			if !ok || k >= len(a) {
				return nil
			}
			v = a[k]
		}
	}
	return v
}
