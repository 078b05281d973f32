package workspace_test

import (
	"bytes"
	"context"
	"image"
	"image/color"
	"image/jpeg"
	"image/png"
	"strings"
	"testing"

	"github.com/heraldsocial/herald/internal/herald"
)

// logoPNG is a small PNG logo, w pixels wide.
func logoPNG(t *testing.T, w int) []byte {
	t.Helper()
	img := image.NewNRGBA(image.Rect(0, 0, w, 20))
	for x := range w {
		img.Set(x, 5, color.NRGBA{200, 40, 40, 255})
	}
	var b bytes.Buffer
	if err := png.Encode(&b, img); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

func logoJPEG(t *testing.T) []byte {
	t.Helper()
	var b bytes.Buffer
	if err := jpeg.Encode(&b, image.NewRGBA(image.Rect(0, 0, 30, 30)), nil); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

func TestLogo(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	owner := f.actor(f.owner, herald.RoleOwner)
	admin := f.actor(f.member(t, "admin@example.com", herald.RoleAdmin), herald.RoleAdmin)
	manager := f.actor(f.member(t, "manager@example.com", herald.RoleManager), herald.RoleManager)
	analyst := f.actor(f.member(t, "analyst@example.com", herald.RoleAnalyst), herald.RoleAnalyst)

	_, err := f.svc.Logo(ctx, analyst)
	wantCode(t, err, herald.CodeNotFound)
	if err := f.svc.RemoveLogo(ctx, owner); err != nil {
		t.Fatalf("removing no logo: %v", err)
	}

	first := logoPNG(t, 40)
	l, err := f.svc.SetLogo(ctx, admin, first)
	if err != nil {
		t.Fatalf("SetLogo: %v", err)
	}
	if l.ContentType != herald.LogoPNG || !l.UpdatedAt.Equal(f.clock.Now()) {
		t.Fatalf("set %+v", l.Info())
	}

	huge := append(logoPNG(t, 10), make([]byte, herald.MaxLogoBytes)...)
	gif := []byte("GIF89a\x01\x00\x01\x00\x00\x00\x00;")
	for _, tc := range []struct {
		name  string
		actor herald.Actor
		data  []byte
		code  herald.Code
		says  string
	}{
		{"manager refused", manager, logoPNG(t, 10), herald.CodeForbidden, ""},
		{"analyst refused", analyst, logoPNG(t, 10), herald.CodeForbidden, ""},
		{"empty", owner, nil, herald.CodeInvalid, "empty"},
		{"too big", owner, huge, herald.CodeTooLarge, "at most 1 MiB"},
		{"gif", owner, gif, herald.CodeInvalid, "GIF image, not a PNG or JPEG"},
		{"text", owner, []byte("hello, this is not an image"), herald.CodeInvalid, "text, not a PNG or JPEG"},
		{"undecodable png", owner, first[:len(first)/2], herald.CodeInvalid, "cannot be shown on reports"},
		{"png header only", owner, []byte("\x89PNG\r\n\x1a\n\x00\x00\x00\x00"), herald.CodeInvalid, "cannot be shown on reports"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := f.svc.SetLogo(ctx, tc.actor, tc.data)
			wantCode(t, err, tc.code)
			if tc.says != "" && !strings.Contains(err.Error(), tc.says) {
				t.Fatalf("error %q does not say %q", err, tc.says)
			}
			got, err := f.svc.Logo(ctx, analyst)
			if err != nil || !bytes.Equal(got.Data, first) {
				t.Fatalf("the saved logo changed: %v", err)
			}
		})
	}

	// Replacing keeps one logo, the new one, and the audit log says both.
	f.clock.advance(1000)
	jpg := logoJPEG(t)
	if _, err := f.svc.SetLogo(ctx, owner, jpg); err != nil {
		t.Fatalf("replace: %v", err)
	}
	got, err := f.svc.Logo(ctx, analyst)
	if err != nil || got.ContentType != herald.LogoJPEG || !bytes.Equal(got.Data, jpg) {
		t.Fatalf("after the replacement: %s, %v", got.ContentType, err)
	}
	if err := f.svc.RemoveLogo(ctx, manager); herald.ErrorCode(err) != herald.CodeForbidden {
		t.Fatalf("manager removing: %v", err)
	}
	if err := f.svc.RemoveLogo(ctx, admin); err != nil {
		t.Fatalf("RemoveLogo: %v", err)
	}
	_, err = f.svc.Logo(ctx, analyst)
	wantCode(t, err, herald.CodeNotFound)

	entries, _, err := f.svc.Audit(ctx, owner, herald.AuditFilter{})
	if err != nil {
		t.Fatal(err)
	}
	var actions []string
	for _, e := range entries {
		if strings.HasPrefix(e.Action, "workspace.logo.") {
			actions = append(actions, e.Action)
		}
	}
	if strings.Join(actions, " ") != "workspace.logo.remove workspace.logo.set workspace.logo.set" {
		t.Fatalf("audit %v", actions)
	}
	for _, e := range entries {
		if e.Action == "workspace.logo.set" && bytes.Contains(e.After, []byte("sha256")) && len(e.After) > 400 {
			t.Fatalf("the audit entry holds more than the logo's description: %s", e.After)
		}
	}
}
