package web

import (
	"embed"

	"github.com/heraldsocial/herald/internal/herald"
)

// iconFiles holds one SVG per platform, written by internal/assetgen from
// the icon sets web/package.json pins (Simple Icons, CC0; Tabler Icons, MIT).
//
//go:embed icons/*.svg
var iconFiles embed.FS

// iconSVG is the inline SVG of a platform's icon, hidden from screen
// readers; an unknown platform gets none (its name still shows).
func iconSVG(p herald.Platform) string {
	if !p.Valid() {
		return ""
	}
	b, err := iconFiles.ReadFile("icons/" + string(p) + ".svg")
	if err != nil {
		return ""
	}
	return string(b)
}
