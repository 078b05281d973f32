package post_test

import (
	"context"
	"fmt"
	"log/slog"
	"testing"
	"time"

	"github.com/heraldsocial/herald/internal/connector"
	"github.com/heraldsocial/herald/internal/herald"
	"github.com/heraldsocial/herald/internal/keyring"
	"github.com/heraldsocial/herald/internal/post"
)

// sizeChecker is a platform that takes images of at most 1,000 bytes.
type sizeChecker struct{}

func (sizeChecker) Publish(context.Context, connector.Account, connector.Part) (herald.RemoteRef, error) {
	return herald.RemoteRef{}, fmt.Errorf("not in this test")
}

func (sizeChecker) Limits(context.Context, connector.Account) (connector.Limits, error) {
	return connector.Limits{MaxChars: 500, MaxMedia: 4, MaxImageBytes: 1000}, nil
}

func (sizeChecker) Validate(_ context.Context, _ connector.Account, p connector.Part) (int, []connector.Problem, error) {
	var out []connector.Problem
	for i, m := range p.Media {
		if m.Asset.Size > 1000 {
			out = append(out, connector.Problem{Field: fmt.Sprintf("media[%d]", i), Problem: fmt.Sprintf("is %d bytes", m.Asset.Size)})
		}
	}
	return len(p.Text), out, nil
}

// halver fits images by halving them, as far as the check can tell.
type halver struct{ calls int }

func (h *halver) FitAsset(_ context.Context, a herald.MediaAsset, lim connector.Limits) (herald.MediaAsset, error) {
	h.calls++
	for a.Size > lim.MaxImageBytes {
		a.Size /= 2
	}
	return a, nil
}

// TestValidateFittedMedia: the check judges an image as Herald will send
// it, so one Herald can make small enough is not refused for its size.
func TestValidateFittedMedia(t *testing.T) {
	forEachStore(t, func(t *testing.T, st herald.Store) {
		ctx := context.Background()
		w := newRoleWorld(t, st)
		line, err := keyring.GenerateLine()
		if err != nil {
			t.Fatal(err)
		}
		keys, err := keyring.New([]byte(line + "\n"))
		if err != nil {
			t.Fatal(err)
		}
		if w.acct.Credentials, err = keys.Seal([]byte(`{}`), w.acct.CredentialsAAD()); err != nil {
			t.Fatal(err)
		}
		if err := st.UpdateAccount(ctx, &w.acct); err != nil {
			t.Fatal(err)
		}
		now := time.Now().UTC().Truncate(time.Microsecond)
		img := herald.MediaAsset{WorkspaceID: w.ws.ID, UploaderID: w.actors[herald.RoleOwner].UserID, Filename: "big.jpg",
			ContentType: "image/jpeg", Size: 5000, SHA256: fmt.Sprintf("%064d", 1), StorageKey: "k", CreatedAt: now, UpdatedAt: now}
		if err := st.CreateMedia(ctx, &img); err != nil {
			t.Fatal(err)
		}
		reg := connector.NewRegistry()
		reg.Register(herald.PlatformFake, sizeChecker{})
		draft := herald.Post{Text: "picture", Targets: []herald.Target{{AccountID: w.acct.ID,
			Variant: herald.Variant{MediaIDs: []int64{img.ID}}}}}
		editor := w.actors[herald.RoleEditor]

		plain := post.New(st, herald.SystemClock{}, slog.New(slog.DiscardHandler), post.WithConnectors(reg, keys))
		v, err := plain.ValidateDraft(ctx, editor, draft)
		if err != nil {
			t.Fatal(err)
		}
		if got := v.Targets[0].Problems; len(got) != 1 || got[0].Field != "media[0]" {
			t.Fatalf("without fitting: %+v, want the image refused", v.Targets[0])
		}

		fit := &halver{}
		fitting := post.New(st, herald.SystemClock{}, slog.New(slog.DiscardHandler), post.WithConnectors(reg, keys),
			post.WithMediaFitter(fit))
		v, err = fitting.ValidateDraft(ctx, editor, draft)
		if err != nil {
			t.Fatal(err)
		}
		if len(v.Targets[0].Problems) != 0 || fit.calls != 1 {
			t.Fatalf("with fitting: %+v (%d fits), want no problem", v.Targets[0], fit.calls)
		}
	})
}
