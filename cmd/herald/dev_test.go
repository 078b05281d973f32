package main

import (
	"os"
	"strings"
	"testing"

	"github.com/heraldsocial/herald/internal/connector/fake/fakeserver"
)

// TestHelpNamesTheTestPlatform checks that `herald --help` lists `herald
// dev fake-platform` with the address it listens on by default, the one
// the README names.
func TestHelpNamesTheTestPlatform(t *testing.T) {
	r := runCLI(t, nil, "", "--help")
	help := strings.Join(strings.Fields(r.stdout+r.stderr), " ")
	url := "http://" + fakeserver.DefaultAddr
	if r.code != 0 || !strings.Contains(help, "dev fake-platform") || !strings.Contains(help, url) {
		t.Fatalf("herald --help = %d, want dev fake-platform on %s:\n%s", r.code, url, r.stdout+r.stderr)
	}
	readme, err := os.ReadFile("../../README.md")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(readme), "listens on "+url) {
		t.Errorf("the README does not say herald dev fake-platform listens on %s", url)
	}
}
