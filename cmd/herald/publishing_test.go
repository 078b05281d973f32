package main

import (
	"strings"
	"testing"
)

func TestPublishingCommands(t *testing.T) {
	env := []string{"HERALD_DATA_DIR=" + t.TempDir()}
	steps := []struct {
		args []string
		want string
	}{
		{[]string{"publishing", "status"}, "Publishing is on for the installation."},
		{[]string{"publishing", "pause"}, "Publishing is paused for the installation since "},
		{[]string{"publishing", "pause"}, "Publishing is paused for the installation since "},
		{[]string{"publishing", "status"}, "Publishing is paused for the installation since "},
		{[]string{"publishing", "resume"}, "Publishing is on for the installation."},
		{[]string{"publishing", "status"}, "Publishing is on for the installation."},
	}
	for _, s := range steps {
		r := mustRun(t, env, "", s.args...)
		if !strings.Contains(r.stdout, s.want) {
			t.Fatalf("herald %s printed %q, want %q", strings.Join(s.args, " "), r.stdout, s.want)
		}
	}
}
