package web

import (
	"context"
	"strings"
	"testing"

	"github.com/heraldsocial/herald/internal/herald"
)

// TestPlatformIcons checks that every platform has an embedded icon that
// screen readers skip and that takes the text colour, and that the
// component names the platform in words.
func TestPlatformIcons(t *testing.T) {
	for _, p := range herald.Platforms {
		svg := iconSVG(p)
		if !strings.HasPrefix(svg, "<svg ") || !strings.Contains(svg, `aria-hidden="true"`) ||
			!strings.Contains(svg, "currentColor") || strings.Contains(svg, "<title>") {
			t.Errorf("icon of %s = %.120q, want an aria-hidden svg in currentColor without a title", p, svg)
		}
		var b strings.Builder
		if err := platformIcon(p).Render(context.Background(), &b); err != nil {
			t.Fatal(err)
		}
		if want := `<span class="sr-only">` + platformName(p) + `</span>`; !strings.Contains(b.String(), want) {
			t.Errorf("platformIcon(%s) = %q, want it to contain %q", p, b.String(), want)
		}
	}
	if got := iconSVG("myspace"); got != "" {
		t.Errorf("iconSVG(unknown) = %q, want none", got)
	}
}
