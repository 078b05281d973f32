package report_test

import (
	"bytes"
	"context"
	"image"
	"image/color"
	"image/png"
	"sync"
	"testing"

	"github.com/heraldsocial/herald/internal/analytics"
	"github.com/heraldsocial/herald/internal/herald"
	"github.com/heraldsocial/herald/internal/mail"
	"github.com/heraldsocial/herald/internal/report"
	"github.com/heraldsocial/herald/internal/teststore"
)

// outbox is a Sender that keeps what it is given.
type outbox struct {
	mu   sync.Mutex
	sent []mail.Message
}

func (o *outbox) Enabled() bool { return true }

func (o *outbox) Send(_ context.Context, m mail.Message) error {
	o.mu.Lock()
	defer o.mu.Unlock()
	o.sent = append(o.sent, m)
	return nil
}

// hasImage reports whether a PDF embeds an image XObject.
func hasImage(pdf []byte) bool { return bytes.Contains(pdf, []byte("/Subtype /Image")) }

// TestReportLogo: the workspace's logo is in the PDF the Service makes,
// downloaded and e-mailed; without one there is no image.
func TestReportLogo(t *testing.T) {
	t.Parallel()
	teststore.Each(t, func(t *testing.T, st herald.Store) {
		ctx := t.Context()
		w := newWorld(t, st)
		box := &outbox{}
		svc := w.service(box)
		analyst := w.actor(herald.RoleAnalyst)
		download := func() []byte {
			t.Helper()
			var b bytes.Buffer
			if err := svc.Write(ctx, analyst, analytics.Query{Days: 7}, &b); err != nil {
				t.Fatalf("Write: %v", err)
			}
			return b.Bytes()
		}
		if !bytes.HasPrefix(download(), []byte("%PDF")) || hasImage(download()) {
			t.Fatal("the report of a workspace without a logo has an image, or is no PDF")
		}

		img := image.NewNRGBA(image.Rect(0, 0, 120, 30))
		for x := range 120 {
			img.Set(x, 15, color.NRGBA{10, 90, 200, 255})
		}
		var logo bytes.Buffer
		must(t, png.Encode(&logo, img))
		must(t, st.PutWorkspaceLogo(ctx, &herald.WorkspaceLogo{WorkspaceID: w.ws.ID, ContentType: herald.LogoPNG,
			Data: logo.Bytes(), UpdatedAt: w.clock.Now()}))
		if !hasImage(download()) {
			t.Fatal("the downloaded report has no image")
		}
		// The other workspace's report stays without.
		var other bytes.Buffer
		must(t, svc.Write(ctx, w.outsider(), analytics.Query{Days: 7}, &other))
		if hasImage(other.Bytes()) {
			t.Fatal("another workspace's report shows the logo")
		}

		r := w.mustCreate(t, svc, weekly("Weekly with logo"))
		if _, err := svc.SendNow(ctx, w.actor(herald.RoleOwner), r.ID); err != nil {
			t.Fatalf("SendNow: %v", err)
		}
		if len(box.sent) != 1 || len(box.sent[0].Attachments) != 1 || !hasImage(box.sent[0].Attachments[0].Data) {
			t.Fatalf("the e-mailed report has no image (%d messages)", len(box.sent))
		}

		// A stored image the renderer refuses does not stop the report.
		must(t, st.PutWorkspaceLogo(ctx, &herald.WorkspaceLogo{WorkspaceID: w.ws.ID, ContentType: herald.LogoPNG,
			Data: logo.Bytes()[:40], UpdatedAt: w.clock.Now()}))
		if pdf := download(); !bytes.HasPrefix(pdf, []byte("%PDF")) || hasImage(pdf) {
			t.Fatal("a report with a broken stored logo was not made without it")
		}
	})
}

func TestCheckLogo(t *testing.T) {
	var b bytes.Buffer
	must(t, png.Encode(&b, image.NewGray16(image.Rect(0, 0, 8, 8))))
	if err := report.CheckLogo(b.Bytes()); err != nil {
		t.Fatalf("a 16-bit PNG: %v", err)
	}
	for name, data := range map[string][]byte{"empty": nil, "text": []byte("no image"), "cut": b.Bytes()[:30]} {
		if err := report.CheckLogo(data); err == nil {
			t.Errorf("%s: no error", name)
		}
	}
}
