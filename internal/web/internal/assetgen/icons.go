package main

import (
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"

	"github.com/heraldsocial/herald/internal/herald"
)

// icon is where one platform's mark comes from. Brand marks are Simple
// Icons (CC0, filled paths); the platforms Simple Icons lacks and the test
// platform get a Tabler icon (MIT, stroked outlines).
type icon struct {
	pkg, from string
	stroked   bool
}

// platformIcons names the icon of every platform Herald knows; writeIcons
// fails when one is missing, so a new platform cannot ship without one.
func platformIcons() map[herald.Platform]icon {
	brand := func(name string) icon {
		return icon{pkg: "simple-icons", from: "simple-icons/icons/" + name + ".svg"}
	}
	tabler := func(name string) icon {
		return icon{pkg: "@tabler/icons", from: "@tabler/icons/icons/outline/" + name + ".svg", stroked: true}
	}
	return map[herald.Platform]icon{
		herald.PlatformMastodon:  brand("mastodon"),
		herald.PlatformBluesky:   brand("bluesky"),
		herald.PlatformX:         brand("x"),
		herald.PlatformLinkedIn:  tabler("brand-linkedin"), // Simple Icons dropped it at LinkedIn's request
		herald.PlatformFacebook:  brand("facebook"),
		herald.PlatformInstagram: brand("instagram"),
		herald.PlatformThreads:   brand("threads"),
		herald.PlatformTelegram:  brand("telegram"),
		herald.PlatformDiscord:   brand("discord"),
		herald.PlatformYouTube:   brand("youtube"),
		herald.PlatformPinterest: brand("pinterest"),
		herald.PlatformFake:      tabler("flask"),
	}
}

var (
	svgOpen   = regexp.MustCompile(`(?s)^\s*<svg[^>]*>`)
	svgTitle  = regexp.MustCompile(`(?s)<title>.*?</title>`)
	interTags = regexp.MustCompile(`>\s+<`)
	spaces    = regexp.MustCompile(`\s+`)
	blankPath = regexp.MustCompile(`<path stroke="none" d="M0 0h24v24H0z" fill="none"\s*/>`)
)

// writeIcons writes one SVG per platform into dir, named <platform>.svg:
// only the icons Herald shows, each reduced to its shapes inside an svg
// element of Herald's own that takes the text colour and is hidden from
// screen readers (the page names the platform in words beside it).
func writeIcons(modules, dir string) error {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return fmt.Errorf("create %s: %w", dir, err)
	}
	icons := platformIcons()
	for _, p := range herald.Platforms {
		ic, ok := icons[p]
		if !ok {
			return fmt.Errorf("platform %q has no icon: add one to platformIcons", p)
		}
		version, err := packageVersion(filepath.Join(modules, ic.pkg, "package.json"))
		if err != nil {
			return err
		}
		b, err := os.ReadFile(filepath.Join(modules, ic.from))
		if err != nil {
			return fmt.Errorf("read %s: %w", ic.from, err)
		}
		svg, err := reduceSVG(string(b), ic.stroked)
		if err != nil {
			return fmt.Errorf("%s: %w", ic.from, err)
		}
		to := filepath.Join(dir, string(p)+".svg")
		if err := os.WriteFile(to, []byte(svg+"\n"), 0o644); err != nil {
			return fmt.Errorf("write %s: %w", to, err)
		}
		fmt.Printf("assetgen: %s %s %s → %s\n", ic.pkg, version, filepath.Base(ic.from), to)
	}
	return nil
}

// reduceSVG keeps the shapes of an icon and wraps them in Herald's svg
// element.
func reduceSVG(src string, stroked bool) (string, error) {
	open := svgOpen.FindString(src)
	end := strings.LastIndex(src, "</svg>")
	if open == "" || end < len(open) {
		return "", fmt.Errorf("not an svg element")
	}
	if !strings.Contains(open, `viewBox="0 0 24 24"`) {
		return "", fmt.Errorf("the icon is not drawn on a 24×24 grid")
	}
	body := svgTitle.ReplaceAllString(src[len(open):end], "")
	body = blankPath.ReplaceAllString(body, "")
	body = strings.TrimSpace(interTags.ReplaceAllString(spaces.ReplaceAllString(body, " "), "><"))
	paint := `fill="currentColor"`
	if stroked {
		paint = `fill="none" stroke="currentColor" stroke-width="2" stroke-linecap="round" stroke-linejoin="round"`
	}
	return `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 24 24" ` + paint +
		` aria-hidden="true" focusable="false">` + body + `</svg>`, nil
}
