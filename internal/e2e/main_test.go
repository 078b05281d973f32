package e2e

import (
	"flag"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"testing"
)

// update makes TestScreenshots write docs/screenshots/*.png.
var update = flag.Bool("update", false, "write the README screenshots to docs/screenshots")

// heraldBin is the herald binary built once by TestMain and only read by
// the tests.
var heraldBin string

func TestMain(m *testing.M) {
	flag.Parse()
	os.Exit(runTests(m))
}

func runTests(m *testing.M) int {
	if _, err := exec.LookPath("chromium"); err != nil {
		// Every test here drives chromium; each skips by itself, so the
		// binary is not worth building.
		return m.Run()
	}
	dir, err := os.MkdirTemp("", "herald-e2e-")
	if err != nil {
		fmt.Fprintf(os.Stderr, "e2e: temporary folder: %v\n", err)
		return 1
	}
	defer os.RemoveAll(dir)
	heraldBin = filepath.Join(dir, "herald")
	gotool := filepath.Join(runtime.GOROOT(), "bin", "go")
	if _, err := os.Stat(gotool); err != nil {
		gotool = "go"
	}
	build := exec.Command(gotool, "build", "-o", heraldBin, "github.com/heraldsocial/herald/cmd/herald")
	build.Stdout, build.Stderr = os.Stderr, os.Stderr
	if err := build.Run(); err != nil {
		fmt.Fprintf(os.Stderr, "e2e: go build the herald binary: %v\n", err)
		return 1
	}
	return m.Run()
}
