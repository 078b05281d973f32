package connector

import "testing"

func TestGapCursor(t *testing.T) {
	g := Gap{Since: "2026-03-01T09:00:00Z at://did/post/1", Resume: "page-7", Newest: "2026-03-02T09:00:00Z at://did/post/9"}
	got, ok := ParseGap(g.String())
	if !ok || got != g {
		t.Fatalf("ParseGap(%q) = %+v, %v; want %+v", g.String(), got, ok, g)
	}
	if _, ok := ParseGap("1234"); ok {
		t.Fatal("a plain cursor reads as a gap")
	}
	if got, ok := ParseGap("gap\tonly-two\tparts"); !ok || got != (Gap{}) {
		t.Fatalf("a malformed gap = %+v, %v; want the zero gap", got, ok)
	}
}
