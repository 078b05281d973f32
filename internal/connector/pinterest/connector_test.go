package pinterest

import (
	"bytes"
	"context"
	"io"
	"strings"
	"testing"
	"time"

	"github.com/heraldsocial/herald/internal/connector"
	"github.com/heraldsocial/herald/internal/connector/conformance"
	"github.com/heraldsocial/herald/internal/connector/pinterest/pinterestfake"
	"github.com/heraldsocial/herald/internal/herald"
)

func TestConformance(t *testing.T) {
	conformance.Run(t, func(t *testing.T) conformance.Setup {
		e := newEnv(t)
		img := pngFile()
		return conformance.Setup{Connector: e.c, Fake: fake{e}, Image: &img, MediaRequired: true,
			Options: map[string]string{OptionBoard: board}}
	})
}

func TestConnectAndRefresh(t *testing.T) {
	e := newEnv(t)
	if e.acct.Handle != "heraldpins" || e.acct.TokenExpiresAt == nil || e.acct.TokenExpiresAt.Before(time.Now().Add(29*24*time.Hour)) {
		t.Fatalf("account %+v", e.acct.Account)
	}
	old, _ := creds(e.acct)
	b, exp, err := e.c.Refresh(ctx(t), e.acct)
	if err != nil || exp == nil {
		t.Fatalf("Refresh: %v", err)
	}
	e.acct.Credentials = b
	cr, _ := creds(e.acct)
	if cr.AccessToken == old.AccessToken || cr.RefreshToken == old.RefreshToken || cr.Username != "heraldpins" {
		t.Fatalf("refreshed credentials %+v", cr)
	}
	boards, err := e.c.Boards(ctx(t), e.acct)
	if err != nil || len(boards) != 2 || boards[0].ID != board {
		t.Fatalf("Boards: %+v %v", boards, err)
	}
	// The old refresh token was rotated away.
	e.acct.Credentials = MarshalCredentials(old)
	if _, _, err := e.c.Refresh(ctx(t), e.acct); classOf(err) != connector.AuthRevoked {
		t.Fatalf("refresh with a used token: %v, want auth_revoked", err)
	}
	e.srv.ExpireToken(cr.AccessToken)
	e.acct.Credentials = b
	_, err = e.c.Publish(ctx(t), e.acct, connector.Part{Text: "x", Media: []connector.Media{pngFile()}, Options: map[string]string{OptionBoard: board}})
	if classOf(err) != connector.AuthExpired {
		t.Fatalf("expired token: %v, want auth_expired", err)
	}
}

func TestCarouselVideoAndFind(t *testing.T) {
	e := newEnv(t)
	e.srv.ProcessingPolls = 2
	opts := map[string]string{OptionBoard: board, OptionTitle: "Title", OptionLink: "https://herald.example/a"}
	car, err := e.c.Publish(ctx(t), e.acct, connector.Part{Text: "Three", Key: "car", Options: opts,
		Media: []connector.Media{pngFile(), pngFile(), pngFile()}})
	if err != nil {
		t.Fatalf("carousel: %v", err)
	}
	video := connector.Media{Asset: herald.MediaAsset{Filename: "v.mp4", ContentType: "video/mp4", Size: 3},
		Open: func(context.Context) (io.ReadCloser, error) { return io.NopCloser(bytes.NewReader([]byte("mp4"))), nil }}
	vid, err := e.c.Publish(ctx(t), e.acct, connector.Part{Text: "Video", Key: "vid", Options: opts, Media: []connector.Media{video}})
	if err != nil {
		t.Fatalf("video: %v", err)
	}
	pins := e.srv.Pins()
	if len(pins) != 2 || len(pins[0].Images) != 3 || pins[0].Title != "Title" || pins[0].AltText != "a square" || pins[1].MediaID == "" {
		t.Fatalf("pins %+v", pins)
	}
	if car.URL != "https://www.pinterest.com/pin/"+car.ID+"/" {
		t.Errorf("URL %q", car.URL)
	}
	ref, found, err := e.c.Find(ctx(t), e.acct, connector.Part{Key: "car", Options: opts})
	if err != nil || !found || ref.ID != car.ID {
		t.Fatalf("Find carousel: %+v %v %v", ref, found, err)
	}
	if _, found, _ := e.c.Find(ctx(t), e.acct, connector.Part{Key: "other", Options: opts}); found {
		t.Fatal("Find matched a pin with another key")
	}
	_ = vid
}

func TestErrorsAndValidate(t *testing.T) {
	e := newEnv(t)
	e.srv.Inject(pinterestfake.RateLimited("POST /v5/pins", 42))
	_, err := e.c.Publish(ctx(t), e.acct, connector.Part{Text: "x", Media: []connector.Media{pngFile()}, Options: map[string]string{OptionBoard: board}})
	var ce *connector.Error
	if classOf(err) != connector.RateLimited || !asErr(err, &ce) || ce.RetryAfter != 42*time.Second {
		t.Fatalf("rate limited: %v", err)
	}
	_, err = e.c.Publish(ctx(t), e.acct, connector.Part{Text: "x", Media: []connector.Media{pngFile()}, Options: map[string]string{OptionBoard: "404"}})
	if classOf(err) != connector.Invalid || !strings.Contains(err.Error(), "Board not found") {
		t.Fatalf("unknown board: %v", err)
	}
	_, probs, _ := e.c.Validate(ctx(t), e.acct, connector.Part{Text: strings.Repeat("é", 501), Index: 1,
		Options: map[string]string{OptionTitle: strings.Repeat("t", 101), OptionLink: "ftp://x"}})
	got := map[string]bool{}
	for _, p := range probs {
		got[p.Field] = true
	}
	for _, f := range []string{"text", "thread", "media", "options.board_id", "options.title", "options.link"} {
		if !got[f] {
			t.Errorf("no problem on %s: %+v", f, probs)
		}
	}
}

func TestOptionFields(t *testing.T) {
	e := newEnv(t)
	fields, err := e.c.OptionFields(ctx(t), e.acct)
	if err != nil {
		t.Fatal(err)
	}
	if len(fields) != 3 || fields[0].Key != OptionBoard || !fields[0].Required || len(fields[0].Choices) != 2 ||
		fields[0].Choices[0].Value != board || fields[1].Key != OptionTitle || fields[2].Key != OptionLink {
		t.Fatalf("fields %+v, want the account's two boards, a title and a link", fields)
	}
	e.srv.ExpireToken(func() string { cr, _ := creds(e.acct); return cr.AccessToken }())
	if _, err := e.c.OptionFields(ctx(t), e.acct); classOf(err) != connector.AuthExpired {
		t.Fatalf("with an expired token: %v, want auth_expired", err)
	}
}
