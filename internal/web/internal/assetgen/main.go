// Command assetgen copies the built browser libraries that web/package.json
// pins from node_modules into the web package's static/vendor folder, where
// they are committed and embedded, so building Herald needs no npm.
//
// It runs from internal/web through go generate:
//
//	cd web && npm ci && cd .. && go generate ./internal/web/...
package main

import (
	"archive/zip"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
)

// file is one built file to copy: its path under node_modules and its name
// in the vendor folder.
type file struct {
	pkg, from, to string
}

// vendored returns the browser libraries the UI loads. Alpine is its CSP
// build: it evaluates no code from attributes, so the pages' policy needs
// no 'unsafe-eval' (the templates name only components registered with
// Alpine.data; see the web package's TestAlpineExpressions).
func vendored() []file {
	return []file{
		{pkg: "htmx.org", from: "htmx.org/dist/htmx.min.js", to: "htmx.min.js"},
		{pkg: "@alpinejs/csp", from: "@alpinejs/csp/dist/cdn.min.js", to: "alpine-csp.min.js"},
		// The API documentation's viewer (/api/docs), served from the binary
		// rather than a CDN so it works without internet.
		{pkg: "swagger-ui-dist", from: "swagger-ui-dist/swagger-ui-bundle.js", to: "swagger-ui-bundle.js"},
		{pkg: "swagger-ui-dist", from: "swagger-ui-dist/swagger-ui.css", to: "swagger-ui.css"},
		// The analytics pages' charts.
		{pkg: "uplot", from: "uplot/dist/uPlot.iife.min.js", to: "uPlot.iife.min.js"},
		{pkg: "uplot", from: "uplot/dist/uPlot.min.css", to: "uPlot.min.css"},
	}
}

// zoneAreas are the first parts of the IANA zone names people pick from;
// the rest (Etc/GMT+5, US/Eastern, EST5EDT, …) are legacy aliases.
func zoneAreas() []string {
	return []string{"Africa", "America", "Antarctica", "Arctic", "Asia", "Atlantic",
		"Australia", "Europe", "Indian", "Pacific"}
}

func main() {
	modules := flag.String("modules", "../../web/node_modules", "the node_modules folder of web/package.json")
	out := flag.String("out", "static/vendor", "the folder to copy the files into")
	zones := flag.String("zones", "zones.txt", "the file to write the IANA time zone names into")
	icons := flag.String("icons", "icons", "the folder to write the platform icons into")
	flag.Parse()
	if err := run(*modules, *out); err != nil {
		fmt.Fprintln(os.Stderr, "assetgen:", err)
		os.Exit(1)
	}
	if err := writeIcons(*modules, *icons); err != nil {
		fmt.Fprintln(os.Stderr, "assetgen:", err)
		os.Exit(1)
	}
	if err := writeZones(filepath.Join(runtime.GOROOT(), "lib", "time", "zoneinfo.zip"), *zones); err != nil {
		fmt.Fprintln(os.Stderr, "assetgen:", err)
		os.Exit(1)
	}
}

func run(modules, out string) error {
	if _, err := os.Stat(modules); err != nil {
		return fmt.Errorf("%s is missing: run `npm ci` in web/ first: %w", modules, err)
	}
	if err := os.MkdirAll(out, 0o755); err != nil {
		return fmt.Errorf("create %s: %w", out, err)
	}
	for _, f := range vendored() {
		version, err := packageVersion(filepath.Join(modules, f.pkg, "package.json"))
		if err != nil {
			return err
		}
		if err := copyFile(filepath.Join(modules, f.from), filepath.Join(out, f.to)); err != nil {
			return err
		}
		fmt.Printf("assetgen: %s %s → %s\n", f.pkg, version, filepath.Join(out, f.to))
	}
	return nil
}

// packageVersion reads the version an installed package declares.
func packageVersion(path string) (string, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return "", fmt.Errorf("read %s: %w", path, err)
	}
	var p struct {
		Version string `json:"version"`
	}
	if err := json.Unmarshal(b, &p); err != nil {
		return "", fmt.Errorf("parse %s: %w", path, err)
	}
	if p.Version == "" {
		return "", errors.New(path + " names no version")
	}
	return p.Version, nil
}

func copyFile(from, to string) (err error) {
	in, err := os.Open(from)
	if err != nil {
		return fmt.Errorf("open %s: %w", from, err)
	}
	defer in.Close()
	tmp, err := os.CreateTemp(filepath.Dir(to), ".assetgen-*")
	if err != nil {
		return fmt.Errorf("create a file next to %s: %w", to, err)
	}
	defer func() {
		if err != nil {
			_ = os.Remove(tmp.Name())
		}
	}()
	if _, err := io.Copy(tmp, in); err != nil {
		_ = tmp.Close()
		return fmt.Errorf("copy %s: %w", from, err)
	}
	if err := tmp.Close(); err != nil {
		return fmt.Errorf("write %s: %w", to, err)
	}
	if err := os.Chmod(tmp.Name(), 0o644); err != nil {
		return fmt.Errorf("chmod %s: %w", to, err)
	}
	if err := os.Rename(tmp.Name(), to); err != nil {
		return fmt.Errorf("rename into %s: %w", to, err)
	}
	return nil
}

// writeZones writes the IANA zone names of Go's own time zone database
// (the one time/tzdata embeds), one a line, sorted: the time zones the
// setup page offers.
func writeZones(zipPath, out string) error {
	zr, err := zip.OpenReader(zipPath)
	if err != nil {
		return fmt.Errorf("open Go's time zone database: %w", err)
	}
	defer zr.Close()
	names := []string{"UTC"}
	for _, f := range zr.File {
		area, _, ok := strings.Cut(f.Name, "/")
		if ok && slices.Contains(zoneAreas(), area) {
			names = append(names, f.Name)
		}
	}
	slices.Sort(names)
	if err := os.WriteFile(out, []byte(strings.Join(names, "\n")+"\n"), 0o644); err != nil {
		return fmt.Errorf("write %s: %w", out, err)
	}
	fmt.Printf("assetgen: %d time zones → %s\n", len(names), out)
	return nil
}
