package connector

import (
	"errors"
	"io"
	"strings"
	"testing"
)

func TestReadEvents(t *testing.T) {
	in := ":)\n:thump\nevent: notification\ndata: {\"type\":\ndata: \"mention\"}\n\nevent: update\ndata: x\n\ndata: plain\n\nevent: empty\n\n"
	var got []string
	err := ReadEvents(strings.NewReader(in), func(e, d string) error {
		got = append(got, e+"="+d)
		return nil
	})
	if !errors.Is(err, io.EOF) {
		t.Fatalf("end: %v, want io.EOF", err)
	}
	want := []string{"notification={\"type\":\n\"mention\"}", "update=x", "message=plain"}
	if strings.Join(got, "|") != strings.Join(want, "|") {
		t.Fatalf("events %q, want %q", got, want)
	}
	stop := errors.New("stop")
	if err := ReadEvents(strings.NewReader("data: a\n\ndata: b\n\n"), func(string, string) error { return stop }); err != stop {
		t.Fatalf("fn's error: %v", err)
	}
	long := "data: " + strings.Repeat("x", MaxEventLine+1) + "\n\n"
	if err := ReadEvents(strings.NewReader(long), func(string, string) error { return nil }); err == nil || errors.Is(err, io.EOF) {
		t.Fatalf("a line over the limit: %v", err)
	}
}
